//! The demo company: every record passes core's rules and points at records that exist, the same seed
//! gives the same company (ids included) on SQLite and PostgreSQL, every demo login signs in through the
//! router, a second seed is refused without changing anything, and stage histories run forward in time.

mod common;

use common::{post, Backend};

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::{http::StatusCode, Router};
use serde_json::{json, Map, Value};
use sqlx::Row;
use yingxiao_core::{
    base_path::BasePath,
    domain::{subject_collection, validate_create, Collection, FieldDef, FieldKind},
    scope::Role,
};
use yingxiao_server::{
    app,
    demo::{
        generate, seed_demo, Day, DemoCompany, DemoError, DemoOptions, DemoSize, DEMO_LOGINS,
        DEMO_PASSWORD,
    },
    http::WebApp,
    storage::{Storage, StorageArgs},
    AppState,
};

fn as_of() -> Day {
    Day::parse("2026-03-15").unwrap()
}

fn options(size: DemoSize, seed: u64) -> DemoOptions {
    DemoOptions {
        size,
        seed,
        as_of: as_of(),
        if_empty: false,
    }
}

// --- the generated company, without a database --------------------------------------------------------

fn by_id(company: &DemoCompany) -> HashMap<(Collection, &str), &Map<String, Value>> {
    company
        .records
        .iter()
        .map(|r| ((r.collection, r.id.as_str()), &r.fields))
        .collect()
}

/// Every `Ref`/`RefList` (also inside lines) names a record of the right collection in the company.
fn check_references(
    owner: &str,
    defs: &[FieldDef],
    fields: &Map<String, Value>,
    ids: &HashMap<(Collection, &str), &Map<String, Value>>,
) {
    for def in defs {
        let Some(value) = fields.get(def.name) else {
            continue;
        };
        match def.kind {
            FieldKind::Ref(target) => {
                let id = value.as_str().unwrap();
                assert!(
                    ids.contains_key(&(target, id)),
                    "{owner}.{} → missing {target} {id}",
                    def.name
                );
            }
            FieldKind::RefList(target) => {
                for id in value.as_array().unwrap() {
                    let id = id.as_str().unwrap();
                    assert!(
                        ids.contains_key(&(target, id)),
                        "{owner}.{}[] → missing {target} {id}",
                        def.name
                    );
                }
            }
            FieldKind::Lines(inner) => {
                for line in value.as_array().unwrap() {
                    check_references(owner, inner, line.as_object().unwrap(), ids);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_standard_company_passes_core_validation_and_references_only_its_own_records() {
    let company = generate(&options(DemoSize::STANDARD, 7));
    let ids = by_id(&company);
    assert_eq!(ids.len(), company.records.len(), "an id was made twice");
    for record in &company.records {
        let owner = format!("{} {}", record.collection, record.id);
        assert_eq!(
            validate_create(record.collection, &record.fields),
            Ok(()),
            "{owner}: {:?}",
            record.fields
        );
        assert!(
            record.fields.values().all(|v| !v.is_null()),
            "{owner} has a null"
        );
        let id = &record.id;
        assert!(
            id.len() == 36 && &id[14..15] == "7" && matches!(&id[19..20], "8" | "9" | "a" | "b"),
            "{id} is not a lowercase v7 uuid"
        );
        check_references(&owner, record.collection.fields(), &record.fields, &ids);
        if record.collection == Collection::Target {
            let kind = record.fields["subject_kind"].as_str().unwrap();
            let subject = record.fields["subject_id"].as_str().unwrap();
            assert!(ids.contains_key(&(subject_collection(kind).unwrap(), subject)));
        }
    }
}

fn count(company: &DemoCompany, collection: Collection) -> usize {
    company
        .records
        .iter()
        .filter(|r| r.collection == collection)
        .count()
}

fn of<'a>(
    company: &'a DemoCompany,
    collection: Collection,
) -> impl Iterator<Item = &'a Map<String, Value>> + 'a {
    company
        .records
        .iter()
        .filter(move |r| r.collection == collection)
        .map(|r| &r.fields)
}

fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or_default()
}

#[test]
fn the_standard_company_has_the_promised_shape() {
    let company = generate(&options(DemoSize::STANDARD, 7));
    let units: Vec<_> = of(&company, Collection::OrgUnit).collect();
    let kinds = |kind: &str| units.iter().filter(|u| text(u, "kind") == kind).count();
    assert_eq!(
        (
            kinds("company"),
            kinds("region"),
            kinds("area"),
            kinds("store")
        ),
        (1, 4, 12, 300)
    );
    let regions: BTreeSet<&str> = units
        .iter()
        .filter(|u| text(u, "kind") == "region")
        .map(|u| text(u, "name"))
        .collect();
    assert_eq!(
        regions,
        BTreeSet::from(["华东大区", "华南大区", "华北大区", "西南大区"])
    );
    let users: Vec<_> = of(&company, Collection::User).collect();
    let role = |role: &str| users.iter().filter(|u| text(u, "role") == role).count();
    assert_eq!((role("sales_rep"), role("promoter")), (60, 200));
    let logins: BTreeSet<&str> = users.iter().map(|u| text(u, "login")).collect();
    assert_eq!(logins.len(), users.len(), "logins are unique");
    let customers: Vec<_> = of(&company, Collection::Customer).collect();
    assert_eq!(customers.len(), 2_300);
    assert_eq!(
        customers
            .iter()
            .filter(|c| text(c, "kind") == "retail_store")
            .count(),
        300
    );
    let names: BTreeSet<&str> = customers.iter().map(|c| text(c, "name")).collect();
    assert_eq!(names.len(), customers.len(), "customer names are unique");
    assert_eq!(count(&company, Collection::Product), 20);
    assert_eq!(count(&company, Collection::Opportunity), 5_000);
    assert_eq!(count(&company, Collection::Promotion), 400);
    let won = of(&company, Collection::Opportunity)
        .filter(|o| text(o, "stage") == "won")
        .count();
    let lost = of(&company, Collection::Opportunity)
        .filter(|o| text(o, "stage") == "lost")
        .count();
    assert!((1_100..=1_400).contains(&won), "won {won}");
    assert!((850..=1_150).contains(&lost), "lost {lost}");
    let deal_orders = of(&company, Collection::Order)
        .filter(|o| !text(o, "opportunity_id").is_empty())
        .count();
    assert_eq!(deal_orders, won, "an order per won deal");
    // The rest are stores' replenishment orders: every store orders every week for 26 weeks, and
    // once more on the first day of each of its promotions in that time.
    let store_orders: Vec<_> = of(&company, Collection::Order)
        .filter(|o| text(o, "opportunity_id").is_empty())
        .collect();
    assert!(store_orders
        .iter()
        .all(|o| text(o, "order_no").starts_with("BH-")));
    assert!(
        (300 * 26..=300 * 26 + 2_000).contains(&store_orders.len()),
        "store orders {}",
        store_orders.len()
    );
    assert!(count(&company, Collection::Contact) > 1_000);
    assert!(count(&company, Collection::Target) > 0);

    let scaled = DemoSize::scaled(3);
    assert_eq!(
        (scaled.customers, scaled.opportunities, scaled.promotions),
        (6_000, 15_000, 1_200)
    );
    assert_eq!((scaled.reps, scaled.stores, scaled.areas), (180, 900, 12));
}

#[test]
fn targets_decompose_top_down_and_add_up_exactly() {
    let company = generate(&options(DemoSize::STANDARD, 7));
    let targets: BTreeMap<String, &Map<String, Value>> = company
        .records
        .iter()
        .filter(|r| r.collection == Collection::Target)
        .map(|r| (r.id.clone(), &r.fields))
        .collect();
    let mut children: BTreeMap<&str, Vec<&Map<String, Value>>> = BTreeMap::new();
    for fields in targets.values() {
        if let Some(parent) = fields.get("parent_id").and_then(Value::as_str) {
            children.entry(parent).or_default().push(fields);
        }
    }
    let value = |t: &Map<String, Value>| t["value"].as_i64().unwrap();
    let mut years = 0;
    for (id, target) in &targets {
        if text(target, "period") != "year" {
            continue;
        }
        years += 1;
        let kids = &children[id.as_str()];
        let months: Vec<_> = kids
            .iter()
            .filter(|k| text(k, "period") == "month")
            .collect();
        assert_eq!(months.len(), 12);
        assert_eq!(months.iter().map(|q| value(q)).sum::<i64>(), value(target));
        let parts: Vec<_> = kids
            .iter()
            .filter(|k| text(k, "period") == "year")
            .collect();
        if !parts.is_empty() {
            assert_eq!(parts.iter().map(|p| value(p)).sum::<i64>(), value(target));
        }
    }
    // Company, 4 regions, 12 areas and 60 reps, for last year and this year.
    assert_eq!(years, 2 * (1 + 4 + 12 + 60));
}

#[test]
fn promotion_statuses_agree_with_the_as_of_day_and_the_demo_logins_have_work() {
    let company = generate(&options(DemoSize::SMALL, 11));
    let today = as_of().to_string();
    for p in of(&company, Collection::Promotion) {
        let (starts, ends) = (text(p, "starts_on"), text(p, "ends_on"));
        let ok = match text(p, "status") {
            "finished" => ends < today.as_str(),
            "running" => starts <= today.as_str() && today.as_str() <= ends,
            "approved" | "planned" => starts > today.as_str(),
            "cancelled" => true,
            other => panic!("status {other}"),
        };
        assert!(ok, "{p:?}");
    }
    let login = |name: &str| {
        company
            .logins
            .iter()
            .find(|l| l.login == name)
            .unwrap()
            .user_id
            .clone()
    };
    let (rep, promoter) = (login("sh_rep"), login("sh_promoter"));
    assert!(of(&company, Collection::Customer).any(|c| text(c, "owner_id") == rep));
    assert!(of(&company, Collection::Opportunity).any(|o| text(o, "owner_id") == rep));
    assert!(
        of(&company, Collection::Promotion).any(|p| text(p, "status") == "running"
            && p["promoter_ids"]
                .as_array()
                .unwrap()
                .contains(&json!(promoter)))
    );
    let logins: Vec<&str> = company.logins.iter().map(|l| l.login.as_str()).collect();
    assert_eq!(logins, DEMO_LOGINS);
}

#[test]
fn stage_histories_run_forward_and_end_in_the_current_stage() {
    let company = generate(&options(DemoSize::STANDARD, 7));
    let as_of_midnight = format!("{}T00:00:00Z", as_of());
    let earliest = format!("{}T00:00:00Z", Day::parse("2024-09-01").unwrap());
    let mut open_stages = BTreeSet::new();
    for o in of(&company, Collection::Opportunity) {
        let stage = text(o, "stage");
        let history = o["stage_history"].as_array().unwrap();
        let entered: Vec<&str> = history
            .iter()
            .map(|h| h["entered_at"].as_str().unwrap())
            .collect();
        assert_eq!(history[0]["stage"], "aware", "{o:?}");
        assert_eq!(history.last().unwrap()["stage"], stage);
        assert!(entered.windows(2).all(|w| w[0] < w[1]), "{entered:?}");
        assert!(entered[0] >= earliest.as_str(), "{entered:?}");
        assert!(
            *entered.last().unwrap() < as_of_midnight.as_str(),
            "{entered:?}"
        );
        match stage {
            "won" => {
                assert_eq!(text(o, "won_at"), *entered.last().unwrap());
                assert_eq!(text(o, "closed_at"), *entered.last().unwrap());
            }
            "lost" => {
                assert!(o.contains_key("lost_reason"));
                assert_eq!(text(o, "closed_at"), *entered.last().unwrap());
            }
            open => {
                assert!(!o.contains_key("closed_at") && !o.contains_key("won_at"));
                open_stages.insert(open);
            }
        }
    }
    assert_eq!(
        open_stages,
        BTreeSet::from(["aware", "compare", "negotiate", "commit"])
    );
}

#[test]
fn a_different_seed_or_day_gives_a_different_company() {
    let a = generate(&options(DemoSize::SMALL, 1));
    let b = generate(&options(DemoSize::SMALL, 2));
    assert_eq!(a, generate(&options(DemoSize::SMALL, 1)));
    assert_ne!(a.records[0].id, b.records[0].id);
    let later = generate(&DemoOptions {
        as_of: Day::parse("2026-09-01").unwrap(),
        ..options(DemoSize::SMALL, 1)
    });
    assert_ne!(a, later);
}

// --- seeded through the push path, on SQLite and PostgreSQL ------------------------------------------

/// An empty database of the back end, in its own directory.
struct Db {
    dir: tempfile::TempDir,
    storage: Storage,
}

async fn empty_db(backend: &Backend) -> Db {
    let dir = tempfile::tempdir().unwrap();
    let database_url = backend.database_url().await;
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url,
    })
    .await
    .unwrap();
    Db { dir, storage }
}

fn router(db: &Db) -> Router {
    let dist = db.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        r#"<html><head><base href="/" /></head></html>"#,
    )
    .unwrap();
    app(AppState::new(
        db.storage.clone(),
        WebApp::load(&dist, BasePath::root()).unwrap(),
    ))
}

/// Every record row as stored (stamps and times aside, which record when, not what).
async fn snapshot(storage: &Storage) -> Vec<(String, String, i64, i64, Value)> {
    sqlx::query(
        "SELECT collection, id, version, deleted, fields FROM records ORDER BY collection, id",
    )
    .fetch_all(&storage.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|row| {
        (
            row.get(0),
            row.get(1),
            row.get(2),
            row.get(3),
            serde_json::from_str(&row.get::<String, _>(4)).unwrap(),
        )
    })
    .collect()
}

async fn accounts(storage: &Storage) -> Vec<(String, String)> {
    sqlx::query("SELECT user_id, login FROM accounts ORDER BY login")
        .fetch_all(&storage.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

async fn the_same_seed_gives_the_same_records_ids_included(backend: Backend) {
    let (first, second) = (empty_db(&backend).await, empty_db(&backend).await);
    let a = seed_demo(&first.storage, &options(DemoSize::SMALL, 42))
        .await
        .unwrap();
    let b = seed_demo(&second.storage, &options(DemoSize::SMALL, 42))
        .await
        .unwrap();
    assert!(a.seeded && b.seeded);
    assert_eq!(a, b);
    let (records_a, records_b) = (
        snapshot(&first.storage).await,
        snapshot(&second.storage).await,
    );
    assert_eq!(records_a.len(), a.total());
    assert_eq!(records_a, records_b);
    assert_eq!(
        accounts(&first.storage).await,
        accounts(&second.storage).await
    );
    // And what was written is exactly what the generator made.
    let generated = generate(&options(DemoSize::SMALL, 42));
    let mut expected: Vec<(String, String, Value)> = generated
        .records
        .into_iter()
        .map(|r| (r.collection.to_string(), r.id, Value::Object(r.fields)))
        .collect();
    expected.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
    let stored: Vec<(String, String, Value)> = records_a
        .into_iter()
        .map(|(c, id, _, deleted, fields)| {
            assert_eq!(deleted, 0);
            (c, id, fields)
        })
        .collect();
    assert_eq!(stored, expected);
}

async fn every_demo_login_signs_in_with_its_role_and_unit(backend: Backend) {
    let db = empty_db(&backend).await;
    let summary = seed_demo(&db.storage, &options(DemoSize::SMALL, 3))
        .await
        .unwrap();
    let router = router(&db);
    let expected_roles = [
        ("admin", Role::Admin, "华禾消费品集团（总部）"),
        ("hq", Role::HqMarketing, "总部市场部"),
        ("east_manager", Role::RegionalManager, "华东大区"),
        ("sh_supervisor", Role::AreaSupervisor, "上海区域"),
        ("sh_rep", Role::SalesRep, "上海区域"),
        ("sh_promoter", Role::Promoter, ""),
        ("finance", Role::Finance, "华禾消费品集团（总部）"),
        ("service", Role::ServiceAgent, "华东大区"),
    ];
    assert_eq!(summary.logins.len(), expected_roles.len());
    for (login, (name, role, unit)) in summary.logins.iter().zip(expected_roles) {
        assert_eq!((login.login.as_str(), login.role), (name, role));
        if unit.is_empty() {
            assert!(login.unit_name.contains("上海"), "{}", login.unit_name);
        } else {
            assert_eq!(login.unit_name, unit);
        }
        let (status, body) = post(
            &router,
            "/api/v1/auth/login",
            None,
            json!({"login": name, "password": DEMO_PASSWORD}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["user"]["role"], role.as_str(), "{name}");
        assert_eq!(body["user"]["user_id"], login.user_id.as_str(), "{name}");
        assert_eq!(body["user"]["unit_id"], login.unit_id.as_str(), "{name}");
        let (wrong, _) = post(
            &router,
            "/api/v1/auth/login",
            None,
            json!({"login": name, "password": "not-the-demo-password"}),
        )
        .await;
        assert_eq!(wrong, StatusCode::UNAUTHORIZED, "{name}");
    }
    // Only the demo logins have accounts; the other people are records without credentials.
    let logins: Vec<String> = accounts(&db.storage)
        .await
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let mut expected: Vec<String> = DEMO_LOGINS.iter().map(|l| l.to_string()).collect();
    expected.sort();
    assert_eq!(logins, expected);
}

async fn a_second_seed_is_refused_and_changes_nothing(backend: Backend) {
    let db = empty_db(&backend).await;
    seed_demo(&db.storage, &options(DemoSize::SMALL, 5))
        .await
        .unwrap();
    let (records, people) = (snapshot(&db.storage).await, accounts(&db.storage).await);

    let refused = seed_demo(&db.storage, &options(DemoSize::SMALL, 6)).await;
    match refused {
        Err(refusal @ DemoError::NotEmpty { .. }) => {
            let message = refusal.to_string();
            assert!(message.contains("--if-empty"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let skipped = seed_demo(
        &db.storage,
        &DemoOptions {
            if_empty: true,
            ..options(DemoSize::SMALL, 6)
        },
    )
    .await
    .unwrap();
    assert!(!skipped.seeded);
    assert_eq!(skipped.total(), 0);
    let listed: Vec<&str> = skipped.logins.iter().map(|l| l.login.as_str()).collect();
    assert_eq!(listed, DEMO_LOGINS, "the demo logins are listed again");
    assert_eq!(snapshot(&db.storage).await, records);
    assert_eq!(accounts(&db.storage).await, people);
}

async fn if_empty_on_a_database_without_demo_logins_lists_none(backend: Backend) {
    let db = empty_db(&backend).await;
    yingxiao_server::admin::ensure_company(&db.storage, "别的公司")
        .await
        .unwrap();
    let before = snapshot(&db.storage).await;
    let skipped = seed_demo(
        &db.storage,
        &DemoOptions {
            if_empty: true,
            ..options(DemoSize::SMALL, 1)
        },
    )
    .await
    .unwrap();
    assert!(!skipped.seeded && skipped.logins.is_empty());
    assert_eq!(snapshot(&db.storage).await, before);
}

on_both_backends!(
    the_same_seed_gives_the_same_records_ids_included,
    every_demo_login_signs_in_with_its_role_and_unit,
    a_second_seed_is_refused_and_changes_nothing,
    if_empty_on_a_database_without_demo_logins_lists_none,
);
