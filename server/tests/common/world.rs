//! The demo company behind the real router, for the permission tests: signed-in devices that push and
//! pull with real-time clock stamps, and a snapshot of every live record read straight from storage.
//! Included with `#[path]` by the test files that need it (`common/mod.rs` stays as it is).
#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::{http::StatusCode, Router};
use serde_json::{json, Map, Value};
use sqlx::Row;
use yingxiao_core::base_path::BasePath;
use yingxiao_server::{
    admin::new_id,
    app,
    demo::{seed_demo, Day, DemoOptions, DemoSize, DEMO_PASSWORD},
    http::WebApp,
    storage::{Storage, StorageArgs},
    AppState,
};

use crate::common::{post, Backend};

/// The small demo company on a fresh database of `backend`, served by the real router.
pub struct World {
    _dir: tempfile::TempDir,
    pub storage: Storage,
    pub router: Router,
    /// PostgreSQL: the database's URL (`None`: SQLite under the temporary directory).
    pub database_url: Option<String>,
}

pub async fn demo_world(backend: Backend) -> World {
    let site = demo_site(backend).await;
    let router = app(AppState::new(
        site.storage.clone(),
        WebApp::load(&site.dir.path().join("dist"), BasePath::root()).unwrap(),
    ));
    World {
        _dir: site.dir,
        storage: site.storage,
        router,
        database_url: site.database_url,
    }
}

/// The small demo company (seed 9, as of 2026-03-15) on a fresh database of `backend`, in a new
/// directory that also holds a web app to serve (`dist/`) and SQLite's database (`data/`).
pub struct DemoSite {
    pub dir: tempfile::TempDir,
    pub storage: Storage,
    /// PostgreSQL's `DATABASE_URL`; `None` on SQLite.
    pub database_url: Option<String>,
}

pub async fn demo_site(backend: Backend) -> DemoSite {
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
        database_url: database_url.clone(),
    })
    .await
    .unwrap();
    seed_demo(
        &storage,
        &DemoOptions {
            size: DemoSize::SMALL,
            seed: 9,
            as_of: Day::parse("2026-03-15").unwrap(),
            if_empty: false,
        },
    )
    .await
    .unwrap();
    DemoSite {
        dir,
        storage,
        database_url,
    }
}

/// Stamps from the real time on, one millisecond apart and increasing across devices: the server
/// clamps stamps from its future, so made-up far-future clocks would not test what a device does.
static CLOCK: AtomicU64 = AtomicU64::new(0);

pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

pub fn stamp(client: &str) -> String {
    CLOCK.fetch_max(now_millis(), Ordering::SeqCst);
    format!(
        "{:015}-00000-{client}",
        CLOCK.fetch_add(1, Ordering::SeqCst) + 1
    )
}

/// A signed-in device of one demo login.
pub struct Device {
    pub login: String,
    pub client_id: String,
    pub token: String,
    next_id: AtomicU64,
}

impl Device {
    /// Signs in a demo login.
    pub async fn sign_in(router: &Router, login: &str) -> Self {
        Self::sign_in_with(router, login, DEMO_PASSWORD).await
    }

    pub async fn sign_in_with(router: &Router, login: &str, password: &str) -> Self {
        let (status, body) = post(
            router,
            "/api/v1/auth/login",
            None,
            json!({"login": login, "password": password}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{login}: {body}");
        Self {
            login: login.to_owned(),
            client_id: new_id(),
            token: body["token"].as_str().unwrap().to_owned(),
            next_id: AtomicU64::new(1),
        }
    }

    /// The next mutation of this device, stamped now.
    pub fn mutation(&self, name: &str, args: Value) -> Value {
        let hlc = stamp(&self.client_id);
        self.mutation_stamped(name, args, &hlc)
    }

    /// The next mutation of this device with the clock stamp it claims.
    pub fn mutation_stamped(&self, name: &str, args: Value, hlc: &str) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        json!({"id": id, "hlc": hlc, "name": name, "args": args})
    }

    pub fn set_fields(&self, collection: &str, id: &str, fields: Value) -> Value {
        self.mutation(
            "set_fields",
            json!({"collection": collection, "id": id, "fields": fields}),
        )
    }

    pub fn create(&self, collection: &str, id: &str, fields: Value) -> Value {
        self.mutation(
            "create",
            json!({"collection": collection, "id": id, "fields": fields}),
        )
    }

    /// Pushes through the router: the status and the body.
    pub async fn try_push(&self, router: &Router, mutations: Vec<Value>) -> (StatusCode, Value) {
        post(
            router,
            "/api/v1/sync/push",
            Some(&self.token),
            json!({"client_id": self.client_id, "mutations": mutations}),
        )
        .await
    }

    /// Pushes and returns the outcome of each mutation, in order.
    pub async fn push(&self, router: &Router, mutations: Vec<Value>) -> Vec<Value> {
        let count = mutations.len();
        let (status, body) = self.try_push(router, mutations).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", self.login);
        let outcomes = body["outcomes"].as_array().unwrap().clone();
        assert_eq!(outcomes.len(), count, "{}: {body}", self.login);
        outcomes
    }

    /// Pushes one mutation and returns its outcome.
    pub async fn push_one(&self, router: &Router, mutation: Value) -> Value {
        self.push(router, vec![mutation]).await.remove(0)
    }

    /// Pushes mutations that must all apply.
    pub async fn push_applied(&self, router: &Router, mutations: Vec<Value>) {
        for chunk in mutations.chunks(500) {
            for outcome in self.push(router, chunk.to_vec()).await {
                assert_eq!(outcome["outcome"], "applied", "{}: {outcome}", self.login);
            }
        }
    }

    /// Everything this user may see, from a first sync, keyed by (collection, id): the fields.
    pub async fn pull_everything(&self, router: &Router) -> BTreeMap<(String, String), Value> {
        self.pull_everything_in_pages(router, 5000).await
    }

    /// The same, in pages of at most `limit` records.
    pub async fn pull_everything_in_pages(
        &self,
        router: &Router,
        limit: u32,
    ) -> BTreeMap<(String, String), Value> {
        let mut cursor: Option<String> = None;
        let mut records = BTreeMap::new();
        loop {
            let (status, body) = post(
                router,
                "/api/v1/sync/pull",
                Some(&self.token),
                json!({"client_id": self.client_id, "cursor": cursor, "limit": limit}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{}: {body}", self.login);
            for record in body["records"].as_array().unwrap() {
                let key = (
                    record["collection"].as_str().unwrap().to_owned(),
                    record["id"].as_str().unwrap().to_owned(),
                );
                records.insert(key, record["fields"].clone());
            }
            cursor = Some(body["cursor"].as_str().unwrap().to_owned());
            if !body["has_more"].as_bool().unwrap() {
                return records;
            }
        }
    }
}

/// Every live record, read straight from the database.
pub struct Company {
    pub records: BTreeMap<(String, String), Map<String, Value>>,
}

pub fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

impl Company {
    pub async fn load(storage: &Storage) -> Self {
        let rows = sqlx::query("SELECT collection, id, fields FROM records WHERE deleted = 0")
            .fetch_all(&storage.pool)
            .await
            .unwrap();
        let records = rows
            .into_iter()
            .map(|row| {
                let fields: Map<String, Value> =
                    serde_json::from_str(&row.get::<String, _>(2)).unwrap();
                ((row.get(0), row.get(1)), fields)
            })
            .collect();
        Self { records }
    }

    pub fn get(&self, collection: &str, id: &str) -> Option<&Map<String, Value>> {
        self.records.get(&(collection.to_owned(), id.to_owned()))
    }

    pub fn all<'a>(
        &'a self,
        collection: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Map<String, Value>)> + 'a {
        self.records
            .iter()
            .filter(move |((c, _), _)| c == collection)
            .map(|((_, id), fields)| (id.as_str(), fields))
    }

    pub fn unit_named(&self, name: &str) -> String {
        self.all("org_units")
            .find(|(_, u)| text(u, "name") == Some(name))
            .map(|(id, _)| id.to_owned())
            .unwrap_or_else(|| panic!("no unit {name}"))
    }

    /// The company unit, the root of the org tree.
    pub fn company_unit(&self) -> String {
        self.all("org_units")
            .find(|(_, u)| text(u, "kind") == Some("company"))
            .map(|(id, _)| id.to_owned())
            .expect("a company unit")
    }

    pub fn user_id(&self, login: &str) -> String {
        self.all("users")
            .find(|(_, u)| text(u, "login") == Some(login))
            .map(|(id, _)| id.to_owned())
            .unwrap_or_else(|| panic!("no user {login}"))
    }

    /// The (role, unit) of a user.
    pub fn role_and_unit(&self, user_id: &str) -> (String, String) {
        let user = self.get("users", user_id).expect("a user");
        (
            text(user, "role").unwrap().to_owned(),
            text(user, "unit_id").unwrap().to_owned(),
        )
    }

    /// True if `unit` is `root` or lies below it, walking parent links of the org units.
    pub fn within(&self, unit: &str, root: &str) -> bool {
        let mut current = unit.to_owned();
        for _ in 0..=self.records.len() {
            if current == root {
                return true;
            }
            match self
                .get("org_units", &current)
                .and_then(|u| text(u, "parent_id"))
            {
                Some(parent) => current = parent.to_owned(),
                None => return false,
            }
        }
        false
    }
}
