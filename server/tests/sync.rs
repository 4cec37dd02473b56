//! The sync protocol and sign-in through the real router and a real database, on SQLite and (when the
//! test command provides one) PostgreSQL: exactly-once pushes, gaps, poison mutations, per-field merge,
//! deletes, paged pulls, scope, removals, and bad input.

mod common;

use common::Backend;

use std::sync::atomic::{AtomicU64, Ordering};

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use yingxiao_core::{base_path::BasePath, scope::Role};
use yingxiao_server::{
    admin::{self, new_id, NewUser},
    app,
    auth::now_millis,
    http::WebApp,
    sign_in_limits::Clock,
    storage::{Storage, StorageArgs},
    AppState,
};

const PASSWORD: &str = "correct-horse-42";

/// A company with two regions, a manager, reps on both sides, and the router.
struct World {
    _dir: tempfile::TempDir,
    storage: Storage,
    router: Router,
    east: String,
    west: String,
    rep_a: String,
    rep_b: String,
}

async fn world(backend: Backend) -> World {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        r#"<html><head><base href="/" /></head></html>"#,
    )
    .unwrap();
    let database_url = backend.database_url().await;
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url,
    })
    .await
    .unwrap();
    let company = admin::ensure_company(&storage, "示例公司").await.unwrap();
    let east = unit(&storage, "华东大区", "region", &company).await;
    let west = unit(&storage, "西南大区", "region", &company).await;
    let user =
        |login: &'static str, role: Role, unit: String| add_user(&storage, login, role, unit);
    user("admin", Role::Admin, company.clone()).await;
    user("manager", Role::RegionalManager, east.clone()).await;
    let rep_a = user("rep_a", Role::SalesRep, east.clone()).await;
    let rep_b = user("rep_b", Role::SalesRep, east.clone()).await;
    user("rep_w", Role::SalesRep, west.clone()).await;
    let web = WebApp::load(&dist, BasePath::root()).unwrap();
    World {
        // Sign-in limits count by a clock that stands still, so no test depends on how fast it runs.
        router: app(AppState::new(storage.clone(), web).with_clock(Clock::manual(now_millis()))),
        storage,
        _dir: dir,
        east,
        west,
        rep_a,
        rep_b,
    }
}

/// A sign-in account with the tests' password; its user id.
async fn add_user(storage: &Storage, login: &'static str, role: Role, unit: String) -> String {
    admin::add_user(
        storage,
        NewUser {
            login,
            name: login,
            role,
            unit: Some(&unit),
            password: PASSWORD,
        },
    )
    .await
    .unwrap()
}

/// The ids a pull's answer says left the device, sorted.
fn removed_ids(reply: &Value) -> Vec<String> {
    sorted(
        reply["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect(),
    )
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

async fn unit(storage: &Storage, name: &str, kind: &str, parent: &str) -> String {
    let id = new_id();
    let fields = json!({"name": name, "kind": kind, "parent_id": parent, "active": true});
    admin::apply_as_system(
        storage,
        vec![serde_json::from_value(json!({"name": "create", "args": {
            "collection": "org_units", "id": id, "fields": fields}}))
        .unwrap()],
    )
    .await
    .unwrap();
    id
}

struct Reply {
    status: StatusCode,
    body: Value,
}

async fn call(router: &Router, path: &str, token: Option<&str>, body: Body) -> Reply {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "non-JSON body {status}: {}",
                String::from_utf8_lossy(&bytes)
            )
        })
    };
    Reply { status, body }
}

async fn post(router: &Router, path: &str, token: Option<&str>, body: Value) -> Reply {
    call(router, path, token, Body::from(body.to_string())).await
}

async fn login(router: &Router, login: &str) -> String {
    let reply = post(
        router,
        "/api/v1/auth/login",
        None,
        json!({"login": login, "password": PASSWORD}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["token"].as_str().unwrap().to_owned()
}

/// A device: its client id, its clock, and its next mutation id.
struct Device {
    client_id: String,
    token: String,
    next_id: AtomicU64,
}

/// Stamps from the real time on, one millisecond apart: the server clamps stamps from its future.
static CLOCK: AtomicU64 = AtomicU64::new(0);

fn stamp(client: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    CLOCK.fetch_max(now, Ordering::SeqCst);
    format!(
        "{:015}-00000-{client}",
        CLOCK.fetch_add(1, Ordering::SeqCst) + 1
    )
}

impl Device {
    async fn new(world: &World, user: &str) -> Self {
        Self {
            client_id: new_id(),
            token: login(&world.router, user).await,
            next_id: AtomicU64::new(1),
        }
    }

    /// Builds the next mutation with a fresh (later) clock stamp.
    fn mutation(&self, name: &str, args: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        json!({"id": id, "hlc": stamp(&self.client_id), "name": name, "args": args})
    }

    async fn push(&self, world: &World, mutations: Vec<Value>) -> Reply {
        post(
            &world.router,
            "/api/v1/sync/push",
            Some(&self.token),
            json!({"client_id": self.client_id, "mutations": mutations}),
        )
        .await
    }

    async fn pull(&self, world: &World, cursor: Option<&str>, limit: u32) -> Reply {
        post(
            &world.router,
            "/api/v1/sync/pull",
            Some(&self.token),
            json!({"client_id": self.client_id, "cursor": cursor, "limit": limit}),
        )
        .await
    }

    /// Pulls every page from `cursor`; returns the records by id and the final reply.
    async fn pull_all(&self, world: &World, cursor: Option<String>) -> (Vec<Value>, Value) {
        let mut cursor = cursor;
        let mut records = Vec::new();
        loop {
            let reply = self.pull(world, cursor.as_deref(), 1000).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            records.extend(reply.body["records"].as_array().unwrap().iter().cloned());
            cursor = Some(reply.body["cursor"].as_str().unwrap().to_owned());
            if !reply.body["has_more"].as_bool().unwrap() {
                return (records, reply.body);
            }
        }
    }
}

fn customer(id: &str, owner: &str, unit: &str, name: &str) -> Value {
    json!({"collection": "customers", "id": id, "fields": {
        "name": name, "kind": "dealer", "segment": "B", "region_unit_id": unit, "owner_id": owner}})
}

fn ids_of(records: &[Value], collection: &str) -> Vec<String> {
    let mut ids: Vec<String> = records
        .iter()
        .filter(|r| r["collection"] == collection)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn find<'a>(records: &'a [Value], id: &str) -> &'a Value {
    records
        .iter()
        .rev()
        .find(|r| r["id"] == id)
        .expect("record in pull")
}

async fn retry_of_an_applied_push_is_a_no_op(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    let id = new_id();
    let mutations = vec![rep.mutation("create", customer(&id, &w.rep_a, &w.east, "上海百货"))];
    let first = rep.push(&w, mutations.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["outcomes"][0]["outcome"], "applied");
    let again = rep.push(&w, mutations).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["outcomes"][0]["outcome"], "duplicate");
    assert_eq!(again.body["last_mutation_id"], 1);
    let (records, _) = rep.pull_all(&w, None).await;
    assert_eq!(ids_of(&records, "customers"), vec![id]);
}

async fn a_gap_in_mutation_ids_is_refused_and_changes_nothing(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    rep.next_id.store(3, Ordering::SeqCst);
    let reply = rep
        .push(
            &w,
            vec![rep.mutation("create", customer(&new_id(), &w.rep_a, &w.east, "甲"))],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expects 1"));
    let (records, last) = rep.pull_all(&w, None).await;
    assert!(ids_of(&records, "customers").is_empty());
    assert_eq!(last["last_mutation_id"], 0);
}

async fn a_poison_mutation_does_not_block_the_queue(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    let good = new_id();
    let reply = rep
        .push(
            &w,
            vec![
                // Editing a record that does not exist: rejected, but the queue moves on.
                rep.mutation(
                    "set_fields",
                    json!({"collection": "customers", "id": new_id(), "fields": {"segment": "A"}}),
                ),
                rep.mutation("create", customer(&good, &w.rep_a, &w.east, "乙")),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["outcomes"][0]["outcome"], "rejected");
    assert_eq!(reply.body["outcomes"][0]["reason"]["code"], "not_found");
    assert_eq!(reply.body["outcomes"][1]["outcome"], "applied");
    assert_eq!(reply.body["last_mutation_id"], 2);
    // The verdict is repeated on pull, so a lost push response loses nothing.
    let (records, last) = rep.pull_all(&w, None).await;
    assert_eq!(ids_of(&records, "customers"), vec![good]);
    assert_eq!(last["rejections"][0]["mutation_id"], 1);
    assert_eq!(last["rejections"][0]["reason"]["code"], "not_found");
    // Once delivered under a cursor, it is not repeated.
    let next = rep.pull(&w, last["cursor"].as_str(), 100).await;
    assert_eq!(next.body["rejections"], json!([]));
}

async fn stale_offline_edit_does_not_overwrite_newer_field(backend: Backend) {
    let w = world(backend).await;
    let tablet = Device::new(&w, "rep_a").await;
    let laptop = Device::new(&w, "rep_a").await;
    let id = new_id();
    tablet
        .push(
            &w,
            vec![tablet.mutation("create", customer(&id, &w.rep_a, &w.east, "丙"))],
        )
        .await;
    // Made offline first, delivered last.
    let stale = tablet.mutation(
        "set_fields",
        json!({"collection": "customers", "id": id, "fields": {"segment": "C"}}),
    );
    let newer = laptop.mutation(
        "set_fields",
        json!({"collection": "customers", "id": id, "fields": {"segment": "A"}}),
    );
    assert_eq!(laptop.push(&w, vec![newer]).await.status, StatusCode::OK);
    let late = tablet.push(&w, vec![stale]).await;
    assert_eq!(late.body["outcomes"][0]["outcome"], "applied");
    let (records, _) = laptop.pull_all(&w, None).await;
    assert_eq!(find(&records, &id)["fields"]["segment"], "A");
}

async fn concurrent_edits_of_different_fields_both_survive(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    let manager = Device::new(&w, "manager").await;
    let id = new_id();
    rep.push(
        &w,
        vec![rep.mutation("create", customer(&id, &w.rep_a, &w.east, "丁"))],
    )
    .await;
    let by_rep = rep.mutation(
        "set_fields",
        json!({"collection": "customers", "id": id, "fields": {"phone": "021-5555"}}),
    );
    let by_manager = manager.mutation(
        "set_fields",
        json!({"collection": "customers", "id": id, "fields": {"segment": "A"}}),
    );
    assert_eq!(
        manager.push(&w, vec![by_manager]).await.status,
        StatusCode::OK
    );
    assert_eq!(rep.push(&w, vec![by_rep]).await.status, StatusCode::OK);
    let (records, _) = manager.pull_all(&w, None).await;
    let fields = &find(&records, &id)["fields"];
    assert_eq!(fields["phone"], "021-5555");
    assert_eq!(fields["segment"], "A");
}

async fn delete_wins_over_a_later_edit_and_reaches_devices(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    let manager = Device::new(&w, "manager").await;
    let id = new_id();
    rep.push(
        &w,
        vec![rep.mutation("create", customer(&id, &w.rep_a, &w.east, "戊"))],
    )
    .await;
    let (_, before) = manager.pull_all(&w, None).await;
    let cursor = before["cursor"].as_str().unwrap().to_owned();
    let deleted = manager
        .push(
            &w,
            vec![manager.mutation("delete", json!({"collection": "customers", "id": id}))],
        )
        .await;
    assert_eq!(
        deleted.body["outcomes"][0]["outcome"], "applied",
        "{}",
        deleted.body
    );
    let edit = rep
        .push(
            &w,
            vec![rep.mutation(
                "set_fields",
                json!({"collection": "customers", "id": id, "fields": {"segment": "A"}}),
            )],
        )
        .await;
    assert_eq!(edit.body["outcomes"][0]["reason"]["code"], "deleted");
    let (records, last) = manager.pull_all(&w, Some(cursor)).await;
    assert!(ids_of(&records, "customers").is_empty());
    assert_eq!(
        last["deleted"],
        json!([{"collection": "customers", "id": id}])
    );
}

async fn pull_pages_resume_exactly(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    let mut created: Vec<String> = (0..23).map(|_| new_id()).collect();
    let mutations = created
        .iter()
        .enumerate()
        .map(|(i, id)| {
            rep.mutation(
                "create",
                customer(id, &w.rep_a, &w.east, &format!("客户{i}")),
            )
        })
        .collect();
    assert_eq!(rep.push(&w, mutations).await.status, StatusCode::OK);
    let fresh = Device::new(&w, "rep_a").await;
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let reply = fresh.pull(&w, cursor.as_deref(), 5).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        pages += 1;
        seen.extend(ids_of(
            reply.body["records"].as_array().unwrap(),
            "customers",
        ));
        cursor = Some(reply.body["cursor"].as_str().unwrap().to_owned());
        if !reply.body["has_more"].as_bool().unwrap() {
            break;
        }
    }
    assert!(pages > 4, "expected several pages, got {pages}");
    let unique: std::collections::BTreeSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a record came twice");
    created.sort();
    assert_eq!(unique.into_iter().collect::<Vec<_>>(), created);
}

async fn reps_see_only_their_own_customers_and_cannot_touch_others(backend: Backend) {
    let w = world(backend).await;
    let rep_a = Device::new(&w, "rep_a").await;
    let rep_b = Device::new(&w, "rep_b").await;
    let rep_w = Device::new(&w, "rep_w").await;
    let manager = Device::new(&w, "manager").await;
    let mine = new_id();
    rep_a
        .push(
            &w,
            vec![rep_a.mutation("create", customer(&mine, &w.rep_a, &w.east, "己"))],
        )
        .await;
    let (b_sees, _) = rep_b.pull_all(&w, None).await;
    assert!(ids_of(&b_sees, "customers").is_empty());
    let (m_sees, _) = manager.pull_all(&w, None).await;
    assert_eq!(ids_of(&m_sees, "customers"), vec![mine.clone()]);
    let (w_sees, _) = rep_w.pull_all(&w, None).await;
    assert!(ids_of(&w_sees, "customers").is_empty());
    // Reference data reaches everyone; no credential ever does.
    assert_eq!(ids_of(&w_sees, "users").len(), 5);
    assert!(!serde_json::to_string(&w_sees).unwrap().contains("argon2"));

    let edit = rep_b
        .push(
            &w,
            vec![rep_b.mutation(
                "set_fields",
                json!({"collection": "customers", "id": mine, "fields": {"segment": "C"}}),
            )],
        )
        .await;
    assert_eq!(edit.body["outcomes"][0]["reason"]["code"], "not_found");
    let foreign = rep_b
        .push(
            &w,
            vec![rep_b.mutation("create", customer(&new_id(), &w.rep_a, &w.east, "庚"))],
        )
        .await;
    assert_eq!(foreign.body["outcomes"][0]["reason"]["code"], "forbidden");
    let outside = manager
        .push(
            &w,
            vec![manager.mutation("create", customer(&new_id(), &w.rep_a, &w.west, "辛"))],
        )
        .await;
    assert_eq!(outside.body["outcomes"][0]["reason"]["code"], "forbidden");
    let product = rep_b
        .push(
            &w,
            vec![rep_b.mutation(
                "create",
                json!({"collection": "products", "id": new_id(),
            "fields": {"sku": "X1", "name": "样品", "list_price": 100}}),
            )],
        )
        .await;
    assert_eq!(product.body["outcomes"][0]["reason"]["code"], "forbidden");
}

async fn a_customer_handed_to_another_rep_leaves_the_first_reps_device(backend: Backend) {
    let w = world(backend).await;
    let rep_a = Device::new(&w, "rep_a").await;
    let rep_b = Device::new(&w, "rep_b").await;
    let manager = Device::new(&w, "manager").await;
    let id = new_id();
    let contact = new_id();
    rep_a
        .push(
            &w,
            vec![
                rep_a.mutation("create", customer(&id, &w.rep_a, &w.east, "壬")),
                rep_a.mutation(
                    "create",
                    json!({"collection": "contacts", "id": contact,
                    "fields": {"customer_id": id, "name": "王经理"}}),
                ),
            ],
        )
        .await;
    let (a_before, a_cursor) = rep_a.pull_all(&w, None).await;
    assert_eq!(ids_of(&a_before, "contacts"), vec![contact.clone()]);
    let (_, b_cursor) = rep_b.pull_all(&w, None).await;
    let moved = manager
        .push(
            &w,
            vec![manager.mutation(
                "set_fields",
                json!({"collection": "customers", "id": id,
            "fields": {"owner_id": w.rep_b}}),
            )],
        )
        .await;
    assert_eq!(
        moved.body["outcomes"][0]["outcome"], "applied",
        "{}",
        moved.body
    );
    let (_, a_after) = rep_a
        .pull_all(&w, a_cursor["cursor"].as_str().map(str::to_owned))
        .await;
    assert_eq!(
        removed_ids(&a_after),
        sorted(vec![id.clone(), contact.clone()])
    );
    let (b_after, b_last) = rep_b
        .pull_all(&w, b_cursor["cursor"].as_str().map(str::to_owned))
        .await;
    assert_eq!(ids_of(&b_after, "customers"), vec![id]);
    assert_eq!(ids_of(&b_after, "contacts"), vec![contact]);
    // Nobody learns of records they never had.
    assert_eq!(b_last["removed"], json!([]));
}

/// The org chart's move: a regional manager moves a rep from one area of the region to another;
/// the rep's customer there and its contact leave the first area supervisor's device and reach the
/// second's. A move out of the region is refused.
async fn a_rep_moved_between_areas_takes_their_customers_to_the_new_areas_devices(
    backend: Backend,
) {
    let w = world(backend).await;
    let area_1 = unit(&w.storage, "一区", "area", &w.east).await;
    let area_2 = unit(&w.storage, "二区", "area", &w.east).await;
    let add =
        |login: &'static str, role: Role, unit: String| add_user(&w.storage, login, role, unit);
    add("sup_1", Role::AreaSupervisor, area_1.clone()).await;
    add("sup_2", Role::AreaSupervisor, area_2.clone()).await;
    let mover = add("rep_m", Role::SalesRep, area_1.clone()).await;
    let rep = Device::new(&w, "rep_m").await;
    let (id, contact) = (new_id(), new_id());
    rep.push(
        &w,
        vec![
            rep.mutation("create", customer(&id, &mover, &area_1, "癸")),
            rep.mutation(
                "create",
                json!({"collection": "contacts", "id": contact,
                "fields": {"customer_id": id, "name": "李经理"}}),
            ),
        ],
    )
    .await;
    let sup_1 = Device::new(&w, "sup_1").await;
    let sup_2 = Device::new(&w, "sup_2").await;
    let (seen_1, cursor_1) = sup_1.pull_all(&w, None).await;
    assert_eq!(ids_of(&seen_1, "customers"), vec![id.clone()]);
    let (seen_2, cursor_2) = sup_2.pull_all(&w, None).await;
    assert!(ids_of(&seen_2, "customers").is_empty());

    let manager = Device::new(&w, "manager").await;
    let out = manager
        .push(
            &w,
            vec![manager.mutation(
                "set_fields",
                json!({"collection": "users", "id": mover, "fields": {"unit_id": w.west}}),
            )],
        )
        .await;
    assert_eq!(
        out.body["outcomes"][0]["outcome"], "rejected",
        "{}",
        out.body
    );
    assert_eq!(out.body["outcomes"][0]["reason"]["code"], "forbidden");
    let moved = manager
        .push(
            &w,
            vec![manager.mutation(
                "set_fields",
                json!({"collection": "users", "id": mover,
                    "fields": {"unit_id": area_2, "manager_id": null}}),
            )],
        )
        .await;
    assert_eq!(
        moved.body["outcomes"][0]["outcome"], "applied",
        "{}",
        moved.body
    );

    let (_, after_1) = sup_1
        .pull_all(&w, cursor_1["cursor"].as_str().map(str::to_owned))
        .await;
    assert_eq!(
        removed_ids(&after_1),
        sorted(vec![id.clone(), contact.clone()])
    );
    let (got_2, _) = sup_2
        .pull_all(&w, cursor_2["cursor"].as_str().map(str::to_owned))
        .await;
    assert_eq!(ids_of(&got_2, "customers"), vec![id.clone()]);
    assert_eq!(ids_of(&got_2, "contacts"), vec![contact]);
    let moved_customer = got_2.iter().find(|r| r["id"] == id.as_str()).unwrap();
    assert_eq!(moved_customer["fields"]["region_unit_id"], json!(area_2));
}

/// Org units stored before their scope named their parent get it from the fix-up, so a regional
/// manager may move the units of an existing region.
/// Puts stored data back as an older server left it (`undo`, SQL), then runs the fix-ups again as
/// a server starting on it would.
async fn as_before_fixups(storage: &Storage, undo: &str) {
    sqlx::query(undo).execute(&storage.pool).await.unwrap();
    sqlx::query("DELETE FROM fixups")
        .execute(&storage.pool)
        .await
        .unwrap();
    let mut conn = storage.writer().await.unwrap();
    yingxiao_server::fixups::run(&mut conn).await.unwrap();
}

async fn org_units_stored_before_the_placement_rule_get_their_parent(backend: Backend) {
    use sqlx::Row;
    let w = world(backend).await;
    let read = || async {
        let rows =
            sqlx::query("SELECT id, scope FROM records WHERE collection = 'org_units' ORDER BY id")
                .fetch_all(&w.storage.pool)
                .await
                .unwrap();
        rows.into_iter()
            .map(|row| {
                let scope: Value =
                    serde_json::from_str(&row.try_get::<String, _>(1).unwrap()).unwrap();
                (row.try_get::<String, _>(0).unwrap(), scope)
            })
            .collect::<Vec<_>>()
    };
    let written = read().await;
    let east = written.iter().find(|(id, _)| *id == w.east).unwrap();
    assert!(east.1["unit_id"].is_string(), "{:?}", east.1);
    as_before_fixups(
        &w.storage,
        "UPDATE records SET scope = '{}' WHERE collection = 'org_units'",
    )
    .await;
    assert_eq!(read().await, written);
}

async fn a_user_moved_to_another_unit_gets_a_reset(backend: Backend) {
    let w = world(backend).await;
    let manager = Device::new(&w, "manager").await;
    let admin = Device::new(&w, "admin").await;
    let (_, first) = manager.pull_all(&w, None).await;
    let (users, _) = admin.pull_all(&w, None).await;
    let manager_id = users
        .iter()
        .find(|u| u["fields"]["login"] == "manager")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = admin
        .push(
            &w,
            vec![admin.mutation(
                "set_fields",
                json!({"collection": "users", "id": manager_id,
            "fields": {"unit_id": w.west}}),
            )],
        )
        .await;
    assert_eq!(
        moved.body["outcomes"][0]["outcome"], "applied",
        "{}",
        moved.body
    );
    let reply = manager.pull(&w, first["cursor"].as_str(), 100).await;
    assert_eq!(reply.body["reset"], true);
}

async fn bad_input_gets_a_4xx_with_a_message_and_changes_nothing(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    let cases: Vec<(&str, Body, StatusCode)> = vec![
        ("malformed JSON", Body::from("{\"client_id\": "), StatusCode::BAD_REQUEST),
        ("invalid UTF-8", Body::from(vec![b'{', 0xff, 0xfe, b'}']), StatusCode::BAD_REQUEST),
        ("wrong type", Body::from(json!({"client_id": rep.client_id, "mutations": "all"}).to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        ("unknown collection", Body::from(json!({"client_id": rep.client_id, "mutations": [
            {"id": 1, "hlc": stamp("x"), "name": "delete", "args": {"collection": "salaries", "id": new_id()}}]}).to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        ("unknown field", Body::from(json!({"client_id": rep.client_id, "mutations": [
            {"id": 1, "hlc": stamp("x"), "name": "create", "args": {"collection": "customers", "id": new_id(),
             "fields": {"name": "x", "kind": "dealer", "region_unit_id": w.east, "owner_id": w.rep_a, "salary": 1}}}]}).to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        ("NUL byte", Body::from(json!({"client_id": rep.client_id, "mutations": [
            {"id": 1, "hlc": stamp("x"), "name": "create", "args": customer(&new_id(), &w.rep_a, &w.east, "a\u{0}b")}]}).to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        ("bad client id", Body::from(json!({"client_id": "x\u{0}", "mutations": []}).to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        ("too many mutations", Body::from(json!({"client_id": rep.client_id, "mutations":
            (1..=501).map(|i| json!({"id": i, "hlc": stamp("x"), "name": "delete", "args": {"collection": "customers", "id": new_id()}})).collect::<Vec<_>>()}).to_string()), StatusCode::PAYLOAD_TOO_LARGE),
        ("oversized body", Body::from(vec![b' '; 9 * 1024 * 1024]), StatusCode::PAYLOAD_TOO_LARGE),
    ];
    for (what, body, expected) in cases {
        let reply = call(&w.router, "/api/v1/sync/push", Some(&rep.token), body).await;
        assert_eq!(reply.status, expected, "{what}: {}", reply.body);
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}"
        );
    }
    let no_token = post(
        &w.router,
        "/api/v1/sync/pull",
        None,
        json!({"client_id": rep.client_id}),
    )
    .await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    let forged = post(
        &w.router,
        "/api/v1/sync/pull",
        Some("forged-token"),
        json!({"client_id": rep.client_id}),
    )
    .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let bad_cursor = rep.pull(&w, Some("9.x.1"), 10).await;
    assert_eq!(bad_cursor.status, StatusCode::BAD_REQUEST);
    let (records, last) = rep.pull_all(&w, None).await;
    assert!(ids_of(&records, "customers").is_empty());
    assert_eq!(last["last_mutation_id"], 0);
}

async fn sign_in_is_rate_limited_and_sessions_can_be_ended(backend: Backend) {
    let w = world(backend).await;
    // Three free tries; the fourth waits (tests/sign_in.rs has the rules in full).
    for _ in 0..3 {
        let wrong = post(
            &w.router,
            "/api/v1/auth/login",
            None,
            json!({"login": "rep_b", "password": "nope-nope"}),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.body["error"]["message"], "wrong login or password");
    }
    let limited = post(
        &w.router,
        "/api/v1/auth/login",
        None,
        json!({"login": "rep_b", "password": PASSWORD}),
    )
    .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wait 1 second"));

    let token = login(&w.router, "rep_a").await;
    let me = get_me(&w.router, &token).await;
    assert_eq!(me.0, StatusCode::OK);
    assert_eq!(me.1["role"], "sales_rep");
    assert_eq!(me.1["user_id"], w.rep_a.as_str());
    let out = post(&w.router, "/api/v1/auth/logout", Some(&token), json!({})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(get_me(&w.router, &token).await.0, StatusCode::UNAUTHORIZED);

    let other = login(&w.router, "rep_a").await;
    admin::disable_user(&w.storage, "rep_a").await.unwrap();
    assert_eq!(get_me(&w.router, &other).await.0, StatusCode::UNAUTHORIZED);
    let again = post(
        &w.router,
        "/api/v1/auth/login",
        None,
        json!({"login": "rep_a", "password": PASSWORD}),
    )
    .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    let _ = &w.rep_b;
}

async fn get_me(router: &Router, token: &str) -> (StatusCode, Value) {
    let response = router
        .clone()
        .oneshot(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn concurrent_pushers_never_make_a_cursor_skip_a_change(backend: Backend) {
    let w = world(backend).await;
    let writers: Vec<Device> = vec![
        Device::new(&w, "rep_a").await,
        Device::new(&w, "rep_a").await,
        Device::new(&w, "rep_a").await,
    ];
    let reader = Device::new(&w, "manager").await;
    let rep_a = w.rep_a.clone();
    let east = w.east.clone();
    let world = &w;
    let write = async {
        let mut all = Vec::new();
        for round in 0..8 {
            let pushes = writers.iter().map(|device| {
                let batch: Vec<(String, Value)> = (0..4)
                    .map(|i| {
                        let id = new_id();
                        let m = device.mutation(
                            "create",
                            customer(&id, &rep_a, &east, &format!("并发{round}-{i}")),
                        );
                        (id, m)
                    })
                    .collect();
                async move {
                    let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
                    let reply = device
                        .push(world, batch.into_iter().map(|(_, m)| m).collect())
                        .await;
                    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                    ids
                }
            });
            for ids in futures_join_all(pushes).await {
                all.extend(ids);
            }
        }
        all
    };
    let read = async {
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..40 {
            let reply = reader.pull(world, cursor.as_deref(), 7).await;
            assert_eq!(reply.status, StatusCode::OK);
            for id in ids_of(reply.body["records"].as_array().unwrap(), "customers") {
                seen.insert(id);
            }
            cursor = Some(reply.body["cursor"].as_str().unwrap().to_owned());
            tokio::task::yield_now().await;
        }
        (seen, cursor)
    };
    let (written, (mut seen, cursor)) = tokio::join!(write, read);
    // Drain whatever came after the reader's last page.
    let (rest, _) = reader.pull_all(world, cursor).await;
    seen.extend(ids_of(&rest, "customers"));
    let written: std::collections::BTreeSet<_> = written.into_iter().collect();
    assert_eq!(seen, written);
}

async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futures.into_iter().collect();
    let mut out = Vec::with_capacity(handles.len());
    // Poll all together so pushes really overlap on the database.
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, fut) in results.iter_mut().zip(pinned.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(results.into_iter().map(Option::unwrap));
    out
}

async fn an_org_unit_cannot_be_moved_below_itself(backend: Backend) {
    let w = world(backend).await;
    let admin = Device::new(&w, "admin").await;
    let area = new_id();
    let reply = admin
        .push(
            &w,
            vec![
                admin.mutation(
                    "create",
                    json!({"collection": "org_units", "id": area,
                    "fields": {"name": "上海区域", "kind": "area", "parent_id": w.east}}),
                ),
                // East under its own new area: a cycle, even though the area exists only in this push.
                admin.mutation(
                    "set_fields",
                    json!({"collection": "org_units", "id": w.east,
                    "fields": {"parent_id": area}}),
                ),
                admin.mutation(
                    "set_fields",
                    json!({"collection": "org_units", "id": w.east,
                    "fields": {"parent_id": w.east}}),
                ),
                // A legal move still works.
                admin.mutation(
                    "set_fields",
                    json!({"collection": "org_units", "id": area,
                    "fields": {"parent_id": w.west}}),
                ),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let outcomes: Vec<&str> = reply.body["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["applied", "rejected", "rejected", "applied"]);
    assert_eq!(reply.body["outcomes"][1]["reason"]["code"], "invalid");
}

/// Push writes and pull reads records as JSON built by the database, so text with quotes,
/// backslashes, control characters, emoji and line separators must come back exactly as sent.
async fn awkward_text_survives_push_and_pull_exactly(backend: Backend) {
    let w = world(backend).await;
    let rep = Device::new(&w, "rep_a").await;
    // The administrator writes it: a rep may not set a credit limit.
    let admin = Device::new(&w, "admin").await;
    let id = new_id();
    let name = "\"老王\" 百货 \\ C:\\门店\t😀 \u{2028}end";
    let notes = "第一行\n第二行\n{\"json\": [1, 2]} ' -- ; DROP TABLE records;";
    let mut create = customer(&id, &w.rep_a, &w.east, name);
    create["fields"]["notes"] = json!(notes);
    create["fields"]["credit_limit"] = json!(123_456_789_012_i64);
    let reply = admin.push(&w, vec![admin.mutation("create", create)]).await;
    assert_eq!(
        reply.body["outcomes"][0]["outcome"], "applied",
        "{}",
        reply.body
    );
    let (records, _) = rep.pull_all(&w, None).await;
    let fields = &find(&records, &id)["fields"];
    assert_eq!(fields["name"], name);
    assert_eq!(fields["notes"], notes);
    assert_eq!(fields["credit_limit"], 123_456_789_012_i64);
}

/// A region's breakdown through the real stack: the approval reads the region target's children by
/// the parent index (also after the fix-up rebuilt it), refuses them while they fall short, and
/// takes them once they add up; the manager's device learns the decision.
async fn a_breakdown_is_approved_only_once_its_children_add_up(backend: Backend) {
    let w = world(backend).await;
    let suzhou = unit(&w.storage, "苏州区", "area", &w.east).await;
    let wuxi = unit(&w.storage, "无锡区", "area", &w.east).await;
    let admin = Device::new(&w, "admin").await;
    let manager = Device::new(&w, "manager").await;
    let target = |id: &str, unit: &str, value: i64, parent: Option<&str>| {
        let mut fields = json!({"period": "year", "period_start": "2027-01-01",
            "subject_kind": "unit", "subject_id": unit, "metric": "sales_amount",
            "value": value, "unit_id": unit});
        if let Some(parent) = parent {
            fields["parent_id"] = json!(parent);
        }
        json!({"collection": "targets", "id": id, "fields": fields})
    };
    let outcome = |reply: &Reply, i: usize| reply.body["outcomes"][i]["outcome"].clone();
    let region = new_id();
    let reply = admin
        .push(
            &w,
            vec![admin.mutation("create", target(&region, &w.east, 100_000_000, None))],
        )
        .await;
    assert_eq!(outcome(&reply, 0), "applied", "{}", reply.body);
    let (a, b) = (new_id(), new_id());
    let reply = manager
        .push(
            &w,
            vec![
                manager.mutation("create", target(&a, &suzhou, 60_000_000, Some(&region))),
                manager.mutation("create", target(&b, &wuxi, 35_000_000, Some(&region))),
                manager.mutation(
                    "decide_breakdown",
                    json!({"id": region, "status": "submitted"}),
                ),
            ],
        )
        .await;
    for i in 0..3 {
        assert_eq!(outcome(&reply, i), "applied", "{}", reply.body);
    }
    // Stored before the parent column: the fix-up fills it in again.
    as_before_fixups(&w.storage, "UPDATE records SET parent_id = NULL").await;

    let approve = json!({"id": region, "status": "approved"});
    let reply = admin
        .push(
            &w,
            vec![admin.mutation("decide_breakdown", approve.clone())],
        )
        .await;
    assert_eq!(outcome(&reply, 0), "rejected", "{}", reply.body);
    let message = reply.body["outcomes"][0]["reason"]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("5000000 short"), "{message}");

    let reply = manager
        .push(
            &w,
            vec![manager.mutation(
                "set_fields",
                json!({"collection": "targets", "id": b, "fields": {"value": 40_000_000}}),
            )],
        )
        .await;
    assert_eq!(outcome(&reply, 0), "applied", "{}", reply.body);
    let reply = admin
        .push(&w, vec![admin.mutation("decide_breakdown", approve)])
        .await;
    assert_eq!(outcome(&reply, 0), "applied", "{}", reply.body);
    let (records, _) = manager.pull_all(&w, None).await;
    assert_eq!(
        find(&records, &region)["fields"]["breakdown_status"],
        "approved"
    );
    // Approved, the set is frozen.
    let reply = manager
        .push(
            &w,
            vec![manager.mutation(
                "set_fields",
                json!({"collection": "targets", "id": a, "fields": {"value": 1}}),
            )],
        )
        .await;
    assert_eq!(outcome(&reply, 0), "rejected", "{}", reply.body);
}

on_both_backends!(
    a_breakdown_is_approved_only_once_its_children_add_up,
    awkward_text_survives_push_and_pull_exactly,
    an_org_unit_cannot_be_moved_below_itself,
    retry_of_an_applied_push_is_a_no_op,
    a_gap_in_mutation_ids_is_refused_and_changes_nothing,
    a_poison_mutation_does_not_block_the_queue,
    stale_offline_edit_does_not_overwrite_newer_field,
    concurrent_edits_of_different_fields_both_survive,
    delete_wins_over_a_later_edit_and_reaches_devices,
    pull_pages_resume_exactly,
    reps_see_only_their_own_customers_and_cannot_touch_others,
    a_customer_handed_to_another_rep_leaves_the_first_reps_device,
    a_user_moved_to_another_unit_gets_a_reset,
    a_rep_moved_between_areas_takes_their_customers_to_the_new_areas_devices,
    org_units_stored_before_the_placement_rule_get_their_parent,
    bad_input_gets_a_4xx_with_a_message_and_changes_nothing,
    sign_in_is_rate_limited_and_sessions_can_be_ended,
    concurrent_pushers_never_make_a_cursor_skip_a_change,
);
