//! The scope matrix: over the (small) demo company, every role's demo login and users in other regions,
//! areas and stores pull everything through the router, and what they get is compared with an oracle
//! written here from the records themselves (not with `core`'s rule):
//!
//! - admin and HQ marketing see everything;
//! - regional managers, area supervisors, finance and service agents see records whose unit lies in
//!   their unit's subtree, and records they own;
//! - a sales rep sees their own records and the records hanging from customers they own;
//! - a promoter sees the records of their store unit, the records assigning them, and the promotions
//!   that list a store (a customer) of their store unit;
//! - org units, users and products are reference data that everyone sees.
//!
//! "Own" means named in `owner_id`, `author_id`, `promoter_id` or `promoter_ids`, or being the person a
//! target is set for. A record's unit is its `unit_id` (a customer's is `region_unit_id`); records
//! that hang from a customer (`customer_id`, or a promotion report's `store_id`) and name no unit or
//! owner of their own take the customer's.
//! Then, for every role, pushes that touch records outside its scope are refused and change nothing.

mod common;

#[path = "common/world.rs"]
mod world;

use common::Backend;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use sqlx::Row;
use world::{demo_world, text, Company, Device};
use yingxiao_core::scope::Role;
use yingxiao_server::{
    admin::{self, new_id, NewUser},
    demo::{DEMO_LOGINS, DEMO_PASSWORD},
    storage::Storage,
};

const EXTRA_PASSWORD: &str = "scope-matrix-42";

// --- the oracle ----------------------------------------------------------------------------------------

/// What the scope description says of the company's records (`world::Company` is the snapshot).
impl Company {
    /// The customer a record hangs from.
    fn customer_of(&self, collection: &str, fields: &Map<String, Value>) -> Option<String> {
        match collection {
            "customers" | "org_units" | "users" | "products" => None,
            "promotion_reports" => text(fields, "store_id").map(str::to_owned),
            _ => text(fields, "customer_id").map(str::to_owned),
        }
    }

    fn unit_of(&self, collection: &str, fields: &Map<String, Value>) -> Option<String> {
        let own = match collection {
            "customers" => text(fields, "region_unit_id"),
            _ => text(fields, "unit_id"),
        };
        own.map(str::to_owned).or_else(|| {
            let customer = self.get("customers", &self.customer_of(collection, fields)?)?;
            text(customer, "region_unit_id").map(str::to_owned)
        })
    }

    fn owners_of(&self, collection: &str, fields: &Map<String, Value>) -> BTreeSet<String> {
        let mut owners: BTreeSet<String> = ["owner_id", "author_id", "promoter_id"]
            .iter()
            .filter_map(|name| text(fields, name).map(str::to_owned))
            .collect();
        if let Some(Value::Array(ids)) = fields.get("promoter_ids") {
            owners.extend(ids.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if matches!(collection, "targets" | "past_actuals")
            && text(fields, "subject_kind") == Some("user")
        {
            owners.extend(text(fields, "subject_id").map(str::to_owned));
        }
        if owners.is_empty() {
            if let Some(customer) = self
                .customer_of(collection, fields)
                .and_then(|id| self.get("customers", &id))
            {
                owners.extend(text(customer, "owner_id").map(str::to_owned));
            }
        }
        owners
    }

    /// The oracle: may this user see this record, by the rules in this file's header?
    fn visible(&self, viewer: &Viewer, collection: &str, fields: &Map<String, Value>) -> bool {
        if matches!(collection, "org_units" | "users" | "products") {
            return true;
        }
        let owns = self.owners_of(collection, fields).contains(&viewer.id);
        let unit = self.unit_of(collection, fields);
        match viewer.role {
            Role::Admin | Role::HqMarketing => true,
            Role::RegionalManager | Role::AreaSupervisor | Role::Finance | Role::ServiceAgent => {
                owns || unit.is_some_and(|u| self.within(&u, &viewer.unit))
            }
            Role::SalesRep => {
                owns || self
                    .customer_of(collection, fields)
                    .and_then(|id| self.get("customers", &id))
                    .is_some_and(|c| text(c, "owner_id") == Some(viewer.id.as_str()))
            }
            Role::Promoter => {
                owns || unit.as_deref() == Some(viewer.unit.as_str())
                    || collection == "promotions" && self.lists_a_store_of(fields, &viewer.unit)
            }
        }
    }

    /// Whether a promotion lists a store (customer) whose unit is `unit`.
    fn lists_a_store_of(&self, fields: &Map<String, Value>, unit: &str) -> bool {
        match fields.get("store_ids") {
            Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).any(|id| {
                self.get("customers", id)
                    .is_some_and(|c| text(c, "region_unit_id") == Some(unit))
            }),
            _ => false,
        }
    }

    fn visible_set(&self, viewer: &Viewer) -> BTreeSet<(String, String)> {
        self.records
            .iter()
            .filter(|((c, _), fields)| self.visible(viewer, c, fields))
            .map(|(key, _)| key.clone())
            .collect()
    }
}

/// A user as the oracle sees them: from their `users` record.
struct Viewer {
    id: String,
    role: Role,
    unit: String,
}

impl Viewer {
    fn of(company: &Company, login: &str) -> Self {
        let id = company.user_id(login);
        let user = company.get("users", &id).unwrap();
        Self {
            role: Role::parse(text(user, "role").unwrap()).unwrap(),
            unit: text(user, "unit_id").unwrap().to_owned(),
            id,
        }
    }
}

// --- the world -----------------------------------------------------------------------------------------

struct World {
    base: world::World,
    /// Login → password, the demo logins first.
    logins: Vec<(String, &'static str)>,
}

/// The small demo company plus users in other regions, areas and stores, some of them given customers
/// and promotion assignments by the administrator.
async fn world(backend: Backend) -> World {
    let base = demo_world(backend).await;
    let (storage, router) = (&base.storage, &base.router);
    let company = Company::load(storage).await;
    let chengdu_area = company.unit_named("成都区域");
    let chengdu_store = company
        .all("org_units")
        .find(|(_, u)| text(u, "parent_id") == Some(chengdu_area.as_str()))
        .map(|(id, _)| id.to_owned())
        .expect("a store in 成都");
    let extras: [(&str, Role, String); 6] = [
        (
            "south_manager",
            Role::RegionalManager,
            company.unit_named("华南大区"),
        ),
        (
            "gz_supervisor",
            Role::AreaSupervisor,
            company.unit_named("广州区域"),
        ),
        ("bj_rep", Role::SalesRep, company.unit_named("北京区域")),
        ("cd_promoter", Role::Promoter, chengdu_store),
        (
            "south_finance",
            Role::Finance,
            company.unit_named("华南大区"),
        ),
        (
            "sw_service",
            Role::ServiceAgent,
            company.unit_named("西南大区"),
        ),
    ];
    for (login, role, unit) in &extras {
        admin::add_user(
            storage,
            NewUser {
                login,
                name: login,
                role: *role,
                unit: Some(unit.as_str()),
                password: EXTRA_PASSWORD,
            },
        )
        .await
        .unwrap();
    }

    // The administrator hands two 北京 customers to the new rep and puts the 成都 promoter on a
    // promotion of another area, so the promoter is assigned to something outside their store.
    let company = Company::load(storage).await;
    let beijing = company.unit_named("北京区域");
    let bj_rep = company.user_id("bj_rep");
    let cd_promoter = company.user_id("cd_promoter");
    let admin = Device::sign_in(router, "admin").await;
    let mut changes = Vec::new();
    for (id, _) in company
        .all("customers")
        .filter(|(_, c)| text(c, "region_unit_id") == Some(beijing.as_str()))
        .take(2)
    {
        changes.push(admin.mutation(
            "set_fields",
            json!({"collection": "customers", "id": id, "fields": {"owner_id": bj_rep}}),
        ));
    }
    let chengdu_area = company.unit_named("成都区域");
    let (promotion, fields) = company
        .all("promotions")
        .find(|(_, p)| text(p, "unit_id") != Some(chengdu_area.as_str()))
        .expect("a promotion outside 成都");
    let mut promoters = fields["promoter_ids"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    promoters.push(json!(cd_promoter));
    changes.push(admin.mutation(
        "set_fields",
        json!({"collection": "promotions", "id": promotion, "fields": {"promoter_ids": promoters}}),
    ));
    admin.push_applied(router, changes).await;

    let mut logins: Vec<(String, &'static str)> = DEMO_LOGINS
        .iter()
        .map(|l| (l.to_string(), DEMO_PASSWORD))
        .collect();
    logins.extend(
        extras
            .iter()
            .map(|(l, _, _)| (l.to_string(), EXTRA_PASSWORD)),
    );
    World { base, logins }
}

fn describe(keys: &BTreeSet<(String, String)>) -> String {
    let mut by_collection: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (c, id) in keys {
        by_collection.entry(c).or_default().push(id);
    }
    by_collection
        .iter()
        .map(|(c, ids)| format!("{c} ×{} (e.g. {})", ids.len(), ids[0]))
        .collect::<Vec<_>>()
        .join(", ")
}

// --- the scenarios -------------------------------------------------------------------------------------

async fn every_login_pulls_exactly_what_the_scope_description_allows(backend: Backend) {
    let w = world(backend).await;
    let company = Company::load(&w.base.storage).await;
    let everything: BTreeSet<(String, String)> = company.records.keys().cloned().collect();
    let reference = |c: &str| matches!(c, "org_units" | "users" | "products");
    let mut failures = Vec::new();
    for (login, password) in &w.logins {
        let viewer = Viewer::of(&company, login);
        let device = Device::sign_in_with(&w.base.router, login, password).await;
        let pulled = device.pull_everything_in_pages(&w.base.router, 500).await;
        for ((c, id), fields) in &pulled {
            let mut stored = company.get(c, id).cloned();
            // People's contact data reaches only the person, admin, HQ and the managers of their unit.
            if let (Some(person), "users") = (stored.as_mut(), c.as_str()) {
                let unit = text(person, "unit_id").unwrap_or_default().to_owned();
                let manages = matches!(viewer.role, Role::RegionalManager | Role::AreaSupervisor)
                    && company.within(&unit, &viewer.unit);
                let sees_contacts = *id == viewer.id
                    || matches!(viewer.role, Role::Admin | Role::HqMarketing)
                    || manages;
                if !sees_contacts {
                    for private in ["phone", "email", "employee_no"] {
                        person.remove(private);
                    }
                }
            }
            assert_eq!(
                Some(fields.as_object().unwrap()),
                stored.as_ref(),
                "{login} got {c} {id} with other fields than stored"
            );
        }
        let got: BTreeSet<(String, String)> = pulled.into_keys().collect();
        let expected = company.visible_set(&viewer);
        let missing: BTreeSet<_> = expected.difference(&got).cloned().collect();
        let extra: BTreeSet<_> = got.difference(&expected).cloned().collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{login} ({}): missing [{}]; unexpected [{}]",
                viewer.role.as_str(),
                describe(&missing),
                describe(&extra)
            ));
        }
        // Reference data reaches everyone.
        for c in ["org_units", "users", "products"] {
            assert_eq!(
                got.iter().filter(|(gc, _)| gc == c).count(),
                company.all(c).count(),
                "{login}: {c}"
            );
        }
        // The matrix has teeth: everyone sees records of their own, and only company-wide sight
        // (or finance at the company unit) sees everything.
        let own = expected.iter().filter(|(c, _)| !reference(c)).count();
        assert!(own > 0, "{login} sees no business records at all");
        let sees_all = expected == everything;
        let company_wide = matches!(viewer.role, Role::Admin | Role::HqMarketing)
            || company
                .get("org_units", &viewer.unit)
                .is_some_and(|u| text(u, "kind") == Some("company"));
        assert_eq!(sees_all, company_wide, "{login}");
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// An editable text field of each collection, for harmless edits.
fn text_field(collection: &str) -> &'static str {
    match collection {
        "tickets" | "expenses" => "description",
        "visits" | "daily_reports" => "summary",
        "surveys" => "comments",
        _ => "notes",
    }
}

async fn snapshot(storage: &Storage) -> Vec<(String, String, i64, i64, String)> {
    sqlx::query(
        "SELECT collection, id, version, deleted, fields FROM records ORDER BY collection, id",
    )
    .fetch_all(&storage.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)))
    .collect()
}

async fn pushes_outside_scope_are_refused_and_change_nothing(backend: Backend) {
    let w = world(backend).await;
    let company = Company::load(&w.base.storage).await;
    let before = snapshot(&w.base.storage).await;
    let areas: Vec<String> = company
        .all("org_units")
        .filter(|(_, u)| text(u, "kind") == Some("area"))
        .map(|(id, _)| id.to_owned())
        .collect();
    let stores: Vec<String> = company
        .all("org_units")
        .filter(|(_, u)| text(u, "kind") == Some("store"))
        .map(|(id, _)| id.to_owned())
        .collect();
    let a_product = company.all("products").next().unwrap().0.to_owned();
    let mut tried = 0;
    for (login, password) in &w.logins {
        let viewer = Viewer::of(&company, login);
        if matches!(viewer.role, Role::Admin | Role::HqMarketing) {
            continue; // nothing lies outside their scope
        }
        let device = Device::sign_in_with(&w.base.router, login, password).await;
        let visible = company.visible_set(&viewer);
        let hidden = |collection: &str| -> Vec<String> {
            company
                .all(collection)
                .filter(|(id, _)| !visible.contains(&(collection.to_owned(), id.to_string())))
                .map(|(id, _)| id.to_owned())
                .collect()
        };
        let someone_else = company
            .all("users")
            .find(|(id, u)| *id != viewer.id && text(u, "role") == Some("sales_rep"))
            .map(|(id, _)| id.to_owned())
            .unwrap();
        // A unit outside the viewer's sight: an area (or, for promoters, a store) not within it.
        let outside_unit = if viewer.role == Role::Promoter {
            stores.iter().find(|s| **s != viewer.unit).unwrap().clone()
        } else {
            match areas.iter().find(|a| !company.within(a, &viewer.unit)) {
                Some(area) => area.clone(),
                None => continue, // finance at the company unit sees the whole tree
            }
        };
        let mut cases: Vec<(String, Value, &str)> = Vec::new();
        // Edits, deletes and stage moves of records the viewer cannot see look like missing records.
        for collection in [
            "customers",
            "contacts",
            "opportunities",
            "orders",
            "promotions",
            "promotion_reports",
            "targets",
            "past_actuals",
            "budgets",
            "expenses",
            "visits",
            "daily_reports",
            "tickets",
            "surveys",
        ] {
            let ids = hidden(collection);
            if let Some(id) = ids.first() {
                cases.push((
                    format!("edit hidden {collection}"),
                    device.mutation(
                        "set_fields",
                        json!({"collection": collection, "id": id,
                        "fields": {text_field(collection): "越权修改"}}),
                    ),
                    "not_found",
                ));
            }
            if let Some(id) = ids.get(1) {
                cases.push((
                    format!("delete hidden {collection}"),
                    device.mutation("delete", json!({"collection": collection, "id": id})),
                    "not_found",
                ));
            }
        }
        if let Some(id) = hidden("opportunities").iter().find(|id| {
            let stage = text(company.get("opportunities", id).unwrap(), "stage");
            matches!(stage, Some("aware" | "compare" | "negotiate"))
        }) {
            cases.push((
                "move the stage of a hidden opportunity".into(),
                device.mutation(
                    "move_opportunity_stage",
                    json!({"id": id, "stage": "commit"}),
                ),
                "not_found",
            ));
        }
        // Moving a visible record out of sight is forbidden.
        let seen_customer = company
            .all("customers")
            .find(|(id, c)| {
                visible.contains(&("customers".into(), id.to_string()))
                    && (viewer.role != Role::SalesRep
                        || text(c, "owner_id") == Some(viewer.id.as_str()))
            })
            .map(|(id, _)| id.to_owned())
            .unwrap_or_else(|| panic!("{login} sees no customer"));
        let move_out = match viewer.role {
            Role::SalesRep => json!({"owner_id": someone_else}),
            _ => json!({"region_unit_id": outside_unit}),
        };
        cases.push((
            "move a visible customer out of sight".into(),
            device.mutation(
                "set_fields",
                json!({"collection": "customers", "id": seen_customer, "fields": move_out}),
            ),
            "forbidden",
        ));
        if let Some((id, _)) = company
            .all("opportunities")
            .find(|(id, _)| visible.contains(&("opportunities".into(), id.to_string())))
        {
            let hidden_customer = hidden("customers")[0].clone();
            cases.push((
                "move a visible opportunity out of sight".into(),
                device.mutation(
                    "set_fields",
                    json!({"collection": "opportunities", "id": id, "fields": {
                        "unit_id": outside_unit, "owner_id": someone_else,
                        "customer_id": hidden_customer}}),
                ),
                "forbidden",
            ));
        }
        if let Some(id) = company.all("promotions").find_map(|(id, p)| {
            let assigned = p["promoter_ids"]
                .as_array()
                .is_some_and(|ids| ids.contains(&json!(viewer.id)));
            (assigned && viewer.role == Role::Promoter).then_some(id)
        }) {
            cases.push((
                "unassign oneself from a promotion".into(),
                device.mutation(
                    "set_fields",
                    json!({"collection": "promotions", "id": id,
                        "fields": {"promoter_ids": [someone_else], "unit_id": outside_unit}}),
                ),
                "forbidden",
            ));
        }
        // Creating a record outside one's sight is forbidden.
        let new_customer = new_id();
        cases.push((
            "create a customer outside".into(),
            device.mutation(
                "create",
                json!({"collection": "customers", "id": new_customer, "fields": {
                    "name": "越权新建客户有限公司", "kind": "dealer",
                    "region_unit_id": outside_unit, "owner_id": someone_else}}),
            ),
            "forbidden",
        ));
        let hidden_customer = hidden("customers")[0].clone();
        cases.push((
            "create an opportunity on a hidden customer".into(),
            device.mutation(
                "create",
                json!({"collection": "opportunities", "id": new_id(), "fields": {
                    "customer_id": hidden_customer, "owner_id": someone_else,
                    "unit_id": outside_unit, "name": "越权机会", "stage": "aware"}}),
            ),
            "forbidden",
        ));
        cases.push((
            "write someone else's daily report".into(),
            device.mutation(
                "create",
                json!({"collection": "daily_reports", "id": new_id(), "fields": {
                    "author_id": someone_else, "unit_id": outside_unit,
                    "report_date": "2026-03-14"}}),
            ),
            "forbidden",
        ));
        // Reference data is changed by admins and HQ only (finance keeps prices).
        cases.push((
            "edit a product".into(),
            device.mutation(
                "set_fields",
                json!({"collection": "products", "id": a_product, "fields": {"name": "改名"}}),
            ),
            "forbidden",
        ));
        cases.push((
            "move oneself to another unit".into(),
            device.mutation(
                "set_fields",
                json!({"collection": "users", "id": viewer.id, "fields": {"unit_id": outside_unit}}),
            ),
            "forbidden",
        ));

        // `push` also checks there is one outcome per case.
        let outcomes = device
            .push(
                &w.base.router,
                cases.iter().map(|(_, m, _)| m.clone()).collect(),
            )
            .await;
        for ((what, _, code), outcome) in cases.iter().zip(outcomes) {
            assert_eq!(outcome["outcome"], "rejected", "{login}: {what}: {outcome}");
            assert_eq!(
                outcome["reason"]["code"],
                *code,
                "{login} ({}): {what}: {outcome}",
                viewer.role.as_str()
            );
        }
        tried += cases.len();
    }
    assert!(tried > 100, "only {tried} refused pushes were tried");
    assert_eq!(
        snapshot(&w.base.storage).await,
        before,
        "a refused push changed a record"
    );
}

on_both_backends!(
    every_login_pulls_exactly_what_the_scope_description_allows,
    pushes_outside_scope_are_refused_and_change_nothing,
);
