//! The attacks of GitHub issue 9, each kept as a regression test: a signed-in demo login pushes through
//! the real router what a hostile or careless device could send, and the server refuses it with the
//! documented reason (or, for clocks from the far future, corrects it) and stores nothing it should not.

mod common;
#[path = "common/world.rs"]
mod world;

use axum::http::StatusCode;
use common::Backend;
use serde_json::{json, Value};
use sqlx::Row;
use yingxiao_core::{
    domain::MAX_MONEY, locale::Locale, permission::Denial, sync::apply::MAX_STAGE_HISTORY,
    time::format_instant,
};
use yingxiao_server::{admin::new_id, demo::DEMO_LOGINS, storage::Storage};

use world::{demo_world, now_millis, text, Company, Device, World};

/// The server's answer to a change that would land outside what the writer may see.
const OUTSIDE_SCOPE: &str = "this change would put the record outside what you may see";

/// A clock stamp from the year 2286, the largest a stamp may carry.
fn stamp_in_2286(device: &Device) -> String {
    format!("009999999999999-00000-{}", device.client_id)
}

/// The outcome is a refusal with this denial, worded as `core` documents it.
#[track_caller]
fn assert_denied(outcome: &Value, denial: Value) {
    assert_eq!(outcome["outcome"], "rejected", "{outcome}");
    let reason = &outcome["reason"];
    assert_eq!(reason["code"], "forbidden", "{outcome}");
    assert_eq!(reason["denial"], denial, "{outcome}");
    let documented: Denial = serde_json::from_value(denial).unwrap();
    assert_eq!(
        reason["message"],
        json!(documented.message(Locale::En)),
        "{outcome}"
    );
}

#[track_caller]
fn assert_applied(outcome: &Value) {
    assert_eq!(outcome["outcome"], "applied", "{outcome}");
}

fn refused_action(role: &str, collection: &str, action: &str) -> Value {
    json!({"kind": "action", "role": role, "collection": collection, "action": action})
}

/// One stored record, tombstones included: (deleted, fields, stamps).
async fn stored(storage: &Storage, collection: &str, id: &str) -> Option<(bool, Value, Value)> {
    let row = sqlx::query(
        "SELECT deleted, fields, stamps FROM records WHERE collection = $1 AND id = $2",
    )
    .bind(collection)
    .bind(id)
    .fetch_optional(&storage.pool)
    .await
    .unwrap()?;
    let json = |i| serde_json::from_str::<Value>(&row.get::<String, _>(i)).unwrap();
    Some((row.get::<i64, _>(0) != 0, json(1), json(2)))
}

async fn fields_of(storage: &Storage, collection: &str, id: &str) -> Value {
    let (deleted, fields, _) = stored(storage, collection, id)
        .await
        .unwrap_or_else(|| panic!("no {collection} {id}"));
    assert!(!deleted, "{collection} {id} was deleted");
    fields
}

/// The people and units the attacks are made around.
struct Cast {
    company: Company,
    rep: String,
    rep_unit: String,
    promoter: String,
    promoter_store: String,
    east: String,
    south: String,
    guangzhou: String,
}

async fn cast(w: &World) -> Cast {
    let company = Company::load(&w.storage).await;
    let rep = company.user_id("sh_rep");
    let promoter = company.user_id("sh_promoter");
    Cast {
        rep_unit: company.role_and_unit(&rep).1,
        promoter_store: company.role_and_unit(&promoter).1,
        east: company.unit_named("华东大区"),
        south: company.unit_named("华南大区"),
        guangzhou: company.unit_named("广州区域"),
        rep,
        promoter,
        company,
    }
}

impl Cast {
    /// A customer of sh_rep's own, in his area.
    fn own_customer(&self) -> String {
        self.company
            .all("customers")
            .find(|(_, c)| {
                text(c, "owner_id") == Some(self.rep.as_str())
                    && text(c, "region_unit_id") == Some(self.rep_unit.as_str())
            })
            .map(|(id, _)| id.to_owned())
            .expect("sh_rep owns a customer in his area")
    }

    /// A customer of another rep of sh_rep's area: a colleague's, which sh_rep does not see.
    fn colleagues_customer(&self) -> String {
        self.company
            .all("customers")
            .find(|(_, c)| {
                let owner = text(c, "owner_id").unwrap_or_default();
                owner != self.rep
                    && text(c, "region_unit_id") == Some(self.rep_unit.as_str())
                    && self
                        .company
                        .get("users", owner)
                        .is_some_and(|u| text(u, "role") == Some("sales_rep"))
            })
            .map(|(id, _)| id.to_owned())
            .expect("a colleague of sh_rep has a customer in his area")
    }

    fn customer_in(&self, unit: &str) -> String {
        self.company
            .all("customers")
            .find(|(_, c)| text(c, "region_unit_id") == Some(unit))
            .map(|(id, _)| id.to_owned())
            .unwrap_or_else(|| panic!("a customer in {unit}"))
    }

    fn budget_of(&self, unit: &str) -> String {
        self.company
            .all("budgets")
            .find(|(_, b)| text(b, "unit_id") == Some(unit))
            .map(|(id, _)| id.to_owned())
            .unwrap_or_else(|| panic!("a budget of {unit}"))
    }

    /// A new open deal of sh_rep's on his own customer, made by the administrator.
    async fn new_deal_of_the_rep(&self, w: &World) -> String {
        let admin = Device::sign_in(&w.router, "admin").await;
        let id = new_id();
        admin
            .push_applied(
                &w.router,
                vec![admin.create(
                    "opportunities",
                    &id,
                    json!({"customer_id": self.own_customer(), "owner_id": self.rep,
                        "unit_id": self.rep_unit, "name": "冰红茶年度供货", "amount": 1_200_000,
                        "currency": "CNY", "stage": "aware",
                        "stage_history": [{"stage": "aware", "entered_at": "2026-03-01T02:00:00Z"}]}),
                )],
            )
            .await;
        id
    }
}

// --- the attacks ---------------------------------------------------------------------------------------

async fn a_sales_rep_can_neither_lower_his_own_target_nor_create_targets(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let (target, fields) = c
        .company
        .all("targets")
        .find(|(_, t)| text(t, "subject_id") == Some(c.rep.as_str()))
        .expect("sh_rep has a target");
    let value = fields["value"].as_i64().unwrap();
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let seen = rep.pull_everything(&w.router).await;
    assert!(
        seen.contains_key(&("targets".into(), target.into())),
        "a rep sees his own targets"
    );
    let new_target = new_id();
    let outcomes = rep
        .push(
            &w.router,
            vec![
                rep.set_fields("targets", target, json!({"value": value / 10})),
                rep.create(
                    "targets",
                    &new_target,
                    json!({"period": "year", "period_start": "2026-01-01", "subject_kind": "user",
                        "subject_id": c.rep, "metric": "sales_amount", "value": 1,
                        "unit_id": c.rep_unit}),
                ),
            ],
        )
        .await;
    assert_denied(
        &outcomes[0],
        refused_action("sales_rep", "targets", "field:value"),
    );
    assert_denied(
        &outcomes[1],
        refused_action("sales_rep", "targets", "create"),
    );
    assert_eq!(
        fields_of(&w.storage, "targets", target).await["value"],
        value
    );
    assert!(stored(&w.storage, "targets", &new_target).await.is_none());
}

async fn a_promoter_can_neither_take_her_stores_customer_nor_set_its_credit_limit_nor_create_a_budget(
    backend: Backend,
) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let store = c.customer_in(&c.promoter_store);
    let before = fields_of(&w.storage, "customers", &store).await;
    assert_ne!(
        before["owner_id"],
        json!(c.promoter),
        "the store is its rep's"
    );
    let promoter = Device::sign_in(&w.router, "sh_promoter").await;
    let seen = promoter.pull_everything(&w.router).await;
    assert!(
        seen.contains_key(&("customers".into(), store.clone())),
        "a promoter sees her store"
    );
    let budget = new_id();
    let outcomes = promoter
        .push(
            &w.router,
            vec![
                promoter.set_fields("customers", &store, json!({"owner_id": c.promoter})),
                promoter.set_fields("customers", &store, json!({"credit_limit": MAX_MONEY})),
                promoter.create(
                    "budgets",
                    &budget,
                    json!({"unit_id": c.promoter_store, "period_start": "2026-01-01",
                        "period_end": "2026-12-31", "cost_item": "promotion",
                        "amount": MAX_MONEY}),
                ),
            ],
        )
        .await;
    assert_eq!(MAX_MONEY, 9_007_199_254_740_991);
    assert_denied(
        &outcomes[0],
        refused_action("promoter", "customers", "reassign"),
    );
    assert_denied(
        &outcomes[1],
        refused_action("promoter", "customers", "field:credit_limit"),
    );
    assert_denied(
        &outcomes[2],
        refused_action("promoter", "budgets", "create"),
    );
    assert_eq!(fields_of(&w.storage, "customers", &store).await, before);
    assert!(stored(&w.storage, "budgets", &budget).await.is_none());
}

async fn a_service_agent_cannot_change_a_regions_budget_amount(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let budget = c.budget_of(&c.east);
    let before = fields_of(&w.storage, "budgets", &budget).await;
    let service = Device::sign_in(&w.router, "service").await;
    let seen = service.pull_everything(&w.router).await;
    assert!(
        seen.contains_key(&("budgets".into(), budget.clone())),
        "a service agent sees her region's budgets"
    );
    let outcome = service
        .push_one(
            &w.router,
            service.set_fields("budgets", &budget, json!({"amount": 1})),
        )
        .await;
    assert_denied(
        &outcome,
        refused_action("service_agent", "budgets", "field:amount"),
    );
    assert_eq!(fields_of(&w.storage, "budgets", &budget).await, before);
}

async fn finance_cannot_move_a_deal_to_won(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let deal = c.new_deal_of_the_rep(&w).await;
    let finance = Device::sign_in(&w.router, "finance").await;
    let outcome = finance
        .push_one(
            &w.router,
            finance.mutation(
                "move_opportunity_stage",
                json!({"id": deal, "stage": "won"}),
            ),
        )
        .await;
    assert_denied(
        &outcome,
        refused_action("finance", "opportunities", "move_stage"),
    );
    let fields = fields_of(&w.storage, "opportunities", &deal).await;
    assert_eq!(fields["stage"], "aware");
    assert!(fields.get("won_at").is_none());
}

async fn a_sales_rep_cannot_file_an_expense_against_another_regions_budget(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let budget = c.budget_of(&c.south);
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let seen = rep.pull_everything(&w.router).await;
    assert!(
        !seen.keys().any(|(collection, _)| collection == "budgets"),
        "a rep sees no budget"
    );
    let expense = |id: &str| {
        rep.create(
            "expenses",
            id,
            json!({"budget_id": budget, "unit_id": c.rep_unit, "owner_id": c.rep,
                "spent_on": "2026-03-10", "amount": 8_800_000, "cost_item": "travel",
                "description": "差旅费"}),
        )
    };
    // Reps may not file expenses at all: that refusal comes first and says nothing of the budget.
    let first = new_id();
    let outcome = rep.push_one(&w.router, expense(&first)).await;
    assert_denied(&outcome, refused_action("sales_rep", "expenses", "create"));
    assert!(stored(&w.storage, "expenses", &first).await.is_none());

    // A company that lets reps file their own expenses still keeps other regions' budgets from them.
    let admin = Device::sign_in(&w.router, "admin").await;
    let company_unit = c.company.company_unit();
    let lets_reps_file = json!([{"role": "sales_rep", "collection": "expenses", "action": "create",
        "extent": "own"}]);
    assert_applied(
        &admin
            .push_one(
                &w.router,
                admin.set_fields(
                    "org_units",
                    &company_unit,
                    json!({"permission_overrides": lets_reps_file}),
                ),
            )
            .await,
    );
    let second = new_id();
    let outcome = rep.push_one(&w.router, expense(&second)).await;
    assert_denied(
        &outcome,
        json!({"kind": "reference", "collection": "expenses", "field": "budget_id"}),
    );
    assert!(stored(&w.storage, "expenses", &second).await.is_none());
}

async fn a_sales_rep_cannot_put_a_visit_or_a_deal_on_a_colleagues_customer(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let customer = c.colleagues_customer();
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let seen = rep.pull_everything(&w.router).await;
    assert!(!seen.contains_key(&("customers".into(), customer.clone())));
    let (visit, deal) = (new_id(), new_id());
    let outcomes = rep
        .push(
            &w.router,
            vec![
                rep.create(
                    "visits",
                    &visit,
                    json!({"customer_id": customer, "owner_id": c.rep,
                        "visited_at": "2026-03-12T02:00:00Z", "channel": "visit",
                        "summary": "顺路拜访"}),
                ),
                rep.create(
                    "opportunities",
                    &deal,
                    json!({"customer_id": customer, "owner_id": c.rep, "unit_id": c.rep_unit,
                        "name": "抢单", "stage": "aware"}),
                ),
            ],
        )
        .await;
    assert_denied(
        &outcomes[0],
        json!({"kind": "reference", "collection": "visits", "field": "customer_id"}),
    );
    assert_denied(
        &outcomes[1],
        json!({"kind": "reference", "collection": "opportunities", "field": "customer_id"}),
    );
    assert!(stored(&w.storage, "visits", &visit).await.is_none());
    assert!(stored(&w.storage, "opportunities", &deal).await.is_none());
}

async fn a_sales_rep_cannot_create_a_customer_in_another_region(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let customer = new_id();
    let outcome = rep
        .push_one(
            &w.router,
            rep.create(
                "customers",
                &customer,
                json!({"name": "广州越界商贸有限公司", "kind": "dealer",
                    "region_unit_id": c.guangzhou, "owner_id": c.rep}),
            ),
        )
        .await;
    let mut denial = refused_action("sales_rep", "customers", "create");
    denial["extent"] = json!("own");
    assert_denied(&outcome, denial);
    assert!(stored(&w.storage, "customers", &customer).await.is_none());
}

async fn a_sales_rep_cannot_move_his_own_customer_out_of_his_managers_sight(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let customer = c.own_customer();
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let outcome = rep
        .push_one(
            &w.router,
            rep.set_fields(
                "customers",
                &customer,
                json!({"region_unit_id": c.guangzhou}),
            ),
        )
        .await;
    assert_denied(
        &outcome,
        refused_action("sales_rep", "customers", "reassign"),
    );
    let key = ("customers".to_owned(), customer.clone());
    for login in ["sh_supervisor", "east_manager", "sh_rep"] {
        let pulled = Device::sign_in(&w.router, login)
            .await
            .pull_everything(&w.router)
            .await;
        let fields = pulled
            .get(&key)
            .unwrap_or_else(|| panic!("{login} no longer sees sh_rep's customer"));
        assert_eq!(fields["region_unit_id"], json!(c.rep_unit), "{login}");
    }
}

async fn a_field_stamped_in_the_year_2286_can_still_be_changed_by_the_admin(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let customer = c.own_customer();
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let forever = rep.mutation_stamped(
        "set_fields",
        json!({"collection": "customers", "id": customer, "fields": {"notes": "永远是我的"}}),
        &stamp_in_2286(&rep),
    );
    assert_applied(&rep.push_one(&w.router, forever).await);
    let (_, _, stamps) = stored(&w.storage, "customers", &customer).await.unwrap();
    let admitted: u64 = stamps["notes"].as_str().unwrap()[..15].parse().unwrap();
    assert!(
        admitted.abs_diff(now_millis()) < 5 * 60 * 1000,
        "the 2286 stamp is stored as the server's time, got {}",
        stamps["notes"]
    );

    let admin = Device::sign_in(&w.router, "admin").await;
    assert_applied(
        &admin
            .push_one(
                &w.router,
                admin.set_fields("customers", &customer, json!({"notes": "管理员更正"})),
            )
            .await,
    );
    for device in [&admin, &rep] {
        let pulled = device.pull_everything(&w.router).await;
        assert_eq!(
            pulled[&("customers".to_owned(), customer.clone())]["notes"],
            "管理员更正",
            "{}",
            device.login
        );
    }
}

async fn a_stage_move_stamped_in_the_year_2286_records_the_servers_time(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let deal = c.new_deal_of_the_rep(&w).await;
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let before = now_millis();
    let won = rep.mutation_stamped(
        "move_opportunity_stage",
        json!({"id": deal, "stage": "won"}),
        &stamp_in_2286(&rep),
    );
    assert_applied(&rep.push_one(&w.router, won).await);
    let after = now_millis();
    let pulled = rep.pull_everything(&w.router).await;
    let fields = &pulled[&("opportunities".to_owned(), deal.clone())];
    let won_at = fields["won_at"].as_str().unwrap();
    // Instants are written one way (`format_instant`), so they compare as text.
    let (earliest, latest) = (
        format_instant(before - 5 * 60 * 1000),
        format_instant(after + 5 * 60 * 1000),
    );
    assert!(
        earliest.as_str() <= won_at && won_at <= latest.as_str(),
        "won_at {won_at} is not within minutes of now ({earliest} … {latest})"
    );
    let history = fields["stage_history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["entered_at"], won_at);
}

async fn a_create_on_the_id_of_a_hidden_record_is_refused_as_outside_sight_not_as_existing(
    backend: Backend,
) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let seen = rep.pull_everything(&w.router).await;
    let hidden = [
        ("customers", c.customer_in(&c.guangzhou)),
        ("customers", c.colleagues_customer()),
        ("budgets", c.budget_of(&c.east)),
    ];
    // A customer he may create on a fresh id: his own, in his area.
    let own_customer = json!({"name": "新开发超市有限公司", "kind": "end_customer",
        "region_unit_id": c.rep_unit, "owner_id": c.rep});
    let mut mutations = Vec::new();
    let mut before = Vec::new();
    for (collection, id) in &hidden {
        assert!(!seen.contains_key(&(collection.to_string(), id.clone())));
        before.push(stored(&w.storage, collection, id).await);
        let fields = match *collection {
            "customers" => own_customer.clone(),
            _ => json!({"unit_id": c.rep_unit, "period_start": "2026-01-01",
                "period_end": "2026-03-31", "cost_item": "travel", "amount": 1}),
        };
        mutations.push(rep.create(collection, id, fields));
    }
    let outcomes = rep.push(&w.router, mutations).await;
    for ((collection, id), outcome) in hidden.iter().zip(&outcomes) {
        assert_eq!(
            outcome["outcome"], "rejected",
            "{collection} {id}: {outcome}"
        );
        assert_eq!(
            outcome["reason"],
            json!({"code": "forbidden", "message": OUTSIDE_SCOPE}),
            "{collection} {id}: never already_exists"
        );
    }
    for ((collection, id), before) in hidden.iter().zip(before) {
        assert_eq!(stored(&w.storage, collection, id).await, before);
    }
    // On the id of a record he sees, the same create meets that record.
    let visible = c.own_customer();
    let outcome = rep
        .push_one(&w.router, rep.create("customers", &visible, own_customer))
        .await;
    assert_eq!(outcome["reason"]["code"], "already_exists", "{outcome}");
}

async fn after_600_stage_moves_a_deal_can_still_be_won_and_lost(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let deal = c.new_deal_of_the_rep(&w).await;
    let first = fields_of(&w.storage, "opportunities", &deal).await["stage_history"][0].clone();
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let moves: Vec<Value> = (0..600)
        .map(|i| {
            let stage = if i % 2 == 0 { "compare" } else { "aware" };
            rep.mutation(
                "move_opportunity_stage",
                json!({"id": deal, "stage": stage}),
            )
        })
        .collect();
    rep.push_applied(&w.router, moves).await;
    let history = |fields: &Value| fields["stage_history"].as_array().unwrap().clone();
    let fields = fields_of(&w.storage, "opportunities", &deal).await;
    assert_eq!(history(&fields).len(), MAX_STAGE_HISTORY);

    assert_applied(
        &rep.push_one(
            &w.router,
            rep.mutation(
                "move_opportunity_stage",
                json!({"id": deal, "stage": "won"}),
            ),
        )
        .await,
    );
    let fields = fields_of(&w.storage, "opportunities", &deal).await;
    assert_eq!(fields["stage"], "won");
    let won = history(&fields);
    assert_eq!(won.len(), MAX_STAGE_HISTORY);
    assert_eq!(won[0], first, "the deal's first entry is kept");
    assert_eq!(won[MAX_STAGE_HISTORY - 1]["stage"], "won");
    assert_eq!(won[MAX_STAGE_HISTORY - 1]["entered_at"], fields["won_at"]);

    assert_applied(
        &rep.push_one(
            &w.router,
            rep.mutation(
                "move_opportunity_stage",
                json!({"id": deal, "stage": "lost", "lost_reason": "price"}),
            ),
        )
        .await,
    );
    let fields = fields_of(&w.storage, "opportunities", &deal).await;
    assert_eq!(fields["stage"], "lost");
    assert_eq!(fields["lost_reason"], "price");
    let lost = history(&fields);
    assert_eq!(lost.len(), MAX_STAGE_HISTORY);
    assert_eq!(lost[0], first, "the deal's first entry is kept");
    assert_eq!(lost[MAX_STAGE_HISTORY - 1]["stage"], "lost");
}

async fn contact_data_of_people_reaches_only_admin_hq_and_the_managers_of_their_unit(
    backend: Backend,
) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let people = c.company.all("users").count();
    for login in DEMO_LOGINS {
        let me = c.company.user_id(login);
        let (role, unit) = c.company.role_and_unit(&me);
        let pulled = Device::sign_in(&w.router, login)
            .await
            .pull_everything(&w.router)
            .await;
        let mut others_private = 0;
        let mut others = 0;
        for ((collection, id), fields) in &pulled {
            if collection != "users" {
                continue;
            }
            let private: Vec<&str> = ["phone", "email", "employee_no"]
                .into_iter()
                .filter(|f| fields.get(*f).is_some())
                .collect();
            let stored = c.company.get("users", id).unwrap();
            let person_unit = text(stored, "unit_id").unwrap();
            let expected = *id == me
                || matches!(role.as_str(), "admin" | "hq_marketing")
                || (matches!(role.as_str(), "regional_manager" | "area_supervisor")
                    && c.company.within(person_unit, &unit));
            let all_three = private.len() == 3;
            assert!(
                if expected {
                    all_three
                } else {
                    private.is_empty()
                },
                "{login} ({role}) got {private:?} of {}",
                text(stored, "login").unwrap()
            );
            if *id != me {
                others += 1;
                others_private += usize::from(all_three);
            }
        }
        assert_eq!(others + 1, people, "{login} pulls every person's record");
        println!("{login:<14} {role:<17} contact data of {others_private} of {others} others");
        match role.as_str() {
            "admin" | "hq_marketing" => assert_eq!(others_private, others, "{login}"),
            "regional_manager" | "area_supervisor" => {
                assert!(0 < others_private && others_private < others, "{login}")
            }
            _ => assert_eq!(others_private, 0, "{login} gets none of others'"),
        }
    }
}

async fn an_override_by_the_admin_takes_effect_on_the_next_push(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let customer = c.own_customer();
    let company_unit = c.company.company_unit();
    let tier = |fields: &Value| fields["tier"].clone();
    let new_tier = if tier(&fields_of(&w.storage, "customers", &customer).await) == "A" {
        "C"
    } else {
        "A"
    };
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let outcome = rep
        .push_one(
            &w.router,
            rep.set_fields("customers", &customer, json!({"tier": new_tier})),
        )
        .await;
    assert_denied(
        &outcome,
        refused_action("sales_rep", "customers", "field:tier"),
    );

    let admin = Device::sign_in(&w.router, "admin").await;
    let overrides = json!([{"role": "sales_rep", "collection": "customers", "action": "field:tier",
        "extent": "own"}]);
    assert_applied(
        &admin
            .push_one(
                &w.router,
                admin.set_fields(
                    "org_units",
                    &company_unit,
                    json!({"permission_overrides": overrides}),
                ),
            )
            .await,
    );
    assert_applied(
        &rep.push_one(
            &w.router,
            rep.set_fields("customers", &customer, json!({"tier": new_tier})),
        )
        .await,
    );
    assert_eq!(
        tier(&fields_of(&w.storage, "customers", &customer).await),
        new_tier
    );
    // The adjustment reaches the rep's device with the company unit.
    let pulled = rep.pull_everything(&w.router).await;
    assert_eq!(
        pulled[&("org_units".to_owned(), company_unit)]["permission_overrides"],
        overrides
    );
}

async fn hq_marketing_cannot_change_the_permission_overrides(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let company_unit = c.company.company_unit();
    let before = fields_of(&w.storage, "org_units", &company_unit).await;
    let hq = Device::sign_in(&w.router, "hq").await;
    let outcome = hq
        .push_one(
            &w.router,
            hq.set_fields(
                "org_units",
                &company_unit,
                json!({"permission_overrides": [{"role": "hq_marketing", "collection": "budgets",
                    "action": "approve", "extent": "all"}]}),
            ),
        )
        .await;
    assert_denied(
        &outcome,
        refused_action("hq_marketing", "org_units", "field:permission_overrides"),
    );
    assert_eq!(
        fields_of(&w.storage, "org_units", &company_unit).await,
        before
    );
}

async fn an_override_naming_the_admin_role_is_refused_as_invalid(backend: Backend) {
    let w = demo_world(backend).await;
    let c = cast(&w).await;
    let company_unit = c.company.company_unit();
    let before = fields_of(&w.storage, "org_units", &company_unit).await;
    let admin = Device::sign_in(&w.router, "admin").await;
    let (status, body) = admin
        .try_push(
            &w.router,
            vec![admin.set_fields(
                "org_units",
                &company_unit,
                json!({"permission_overrides": [{"role": "admin", "collection": "customers",
                    "action": "edit", "extent": "none"}]}),
            )],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("permission_overrides[0].role"),
        "the message names the line's role: {message}"
    );
    assert_eq!(
        fields_of(&w.storage, "org_units", &company_unit).await,
        before
    );
    // The administrator keeps every right.
    let customer = c.customer_in(&c.guangzhou);
    let fresh = Device::sign_in(&w.router, "admin").await;
    assert_applied(
        &fresh
            .push_one(
                &w.router,
                fresh.set_fields("customers", &customer, json!({"notes": "管理员仍可修改"})),
            )
            .await,
    );
}

on_both_backends!(
    a_sales_rep_can_neither_lower_his_own_target_nor_create_targets,
    a_promoter_can_neither_take_her_stores_customer_nor_set_its_credit_limit_nor_create_a_budget,
    a_service_agent_cannot_change_a_regions_budget_amount,
    finance_cannot_move_a_deal_to_won,
    a_sales_rep_cannot_file_an_expense_against_another_regions_budget,
    a_sales_rep_cannot_put_a_visit_or_a_deal_on_a_colleagues_customer,
    a_sales_rep_cannot_create_a_customer_in_another_region,
    a_sales_rep_cannot_move_his_own_customer_out_of_his_managers_sight,
    a_field_stamped_in_the_year_2286_can_still_be_changed_by_the_admin,
    a_stage_move_stamped_in_the_year_2286_records_the_servers_time,
    a_create_on_the_id_of_a_hidden_record_is_refused_as_outside_sight_not_as_existing,
    after_600_stage_moves_a_deal_can_still_be_won_and_lost,
    contact_data_of_people_reaches_only_admin_hq_and_the_managers_of_their_unit,
    an_override_by_the_admin_takes_effect_on_the_next_push,
    hq_marketing_cannot_change_the_permission_overrides,
    an_override_naming_the_admin_role_is_refused_as_invalid,
);
