//! Sync throughput figures (issue: push ingest ≥ 50% of a plain batched SQLite insert of the same rows;
//! pull ≥ 100,000 records/s). Run by `scripts/bench.sh` with the `server` profile the start command
//! uses; prints figures, asserts nothing.
//!
//! Push goes through the real router (JSON in, auth, validation, merge, scope, audit) in pushes of 500;
//! pull pages of 5,000 through the router into a fresh device. Two references, each printed beside
//! the push: the same field JSON into a plain table of four columns, 500 rows a transaction, per row
//! and as one multi-row INSERT (the faster of the two is the issue's yardstick); and every row the
//! SQLite push itself wrote (records, audit trail, history, the counter and client rows), read back
//! and inserted again with raw multi-row INSERTs into a fresh database of the server's schema and
//! settings, one transaction per push as the push had: the floor the push's own writes set.
//!
//! `-- --durability` (`scripts/bench-durability.sh`) instead prints what durability costs in pushes
//! per second (issue 17): small pushes from one device and from several at once, on SQLite with
//! `synchronous = FULL` (the server's) beside NORMAL (its setting before), and on PostgreSQL with
//! `synchronous_commit = on` (the server's) beside off, each on a fresh database.

#[allow(dead_code)] // a fresh PostgreSQL database per setting is all this needs
#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteRow},
    Column, Connection, Executor, PgConnection, Row, SqliteConnection, TypeInfo, ValueRef,
};
use tower::ServiceExt;
use yingxiao_core::{base_path::BasePath, scope::Role};
use yingxiao_server::{
    admin::{self, new_id, NewUser},
    app,
    http::WebApp,
    storage::{Storage, StorageArgs, SQLITE_FILE, SQLITE_PRAGMAS},
    AppState,
};

const ROWS: usize = 20_000;
const BATCH: usize = 500;
const PASSWORD: &str = "bench-password-1";

fn customer_fields(i: usize, owner: &str, unit: &str) -> Value {
    let tier = ["A", "B", "C"][i % 3];
    json!({"name": format!("基准客户{i:05}有限公司"), "kind": "dealer", "tier": tier,
        "region_unit_id": unit, "owner_id": owner, "city": "上海", "phone": "021-5555-0000",
        "address": "上海市浦东新区世纪大道 100 号", "credit_limit": 5_000_000})
}

/// Sends a request and returns the raw response body, so the client's own JSON parsing stays out of
/// the server's figures.
async fn post_raw(router: &Router, path: &str, token: Option<&str>, body: String) -> Vec<u8> {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

async fn post(router: &Router, path: &str, token: Option<&str>, body: String) -> Value {
    serde_json::from_slice(&post_raw(router, path, token, body).await).unwrap()
}

/// What the benchmark needs of a pull page; records are skipped, not built.
#[derive(serde::Deserialize)]
struct PageSummary {
    records: Vec<serde::de::IgnoredAny>,
    cursor: String,
    has_more: bool,
}

struct Figures {
    push_rows_per_s: f64,
    pull_rows_per_s: f64,
    /// SQLite only: what each push wrote, in push order, for the same-writes reference.
    written: Vec<PushWrites>,
}

/// One stored value, as SQLite typed it.
enum Cell {
    Null,
    Integer(i64),
    Text(String),
}

/// Rows one push wrote into one table, every column as stored.
struct TableRows {
    table: &'static str,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// Everything one push wrote: the rows it inserted, and the counter and client it moved on.
struct PushWrites {
    inserted: Vec<TableRows>,
    version: i64,
    client_id: String,
    last_mutation_id: i64,
}

/// A fresh database with the benchmark's company and one HQ user, behind the real router, signed in.
struct Bench {
    dir: tempfile::TempDir,
    storage: Storage,
    router: Router,
    token: String,
    rep: String,
    company: String,
}

impl Bench {
    async fn open(database_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), r#"<base href="/" />"#).unwrap();
        let storage = Storage::open(&StorageArgs {
            data_dir: dir.path().join("data"),
            database_url,
        })
        .await
        .unwrap();
        let company = admin::ensure_company(&storage, "基准公司").await.unwrap();
        // HQ marketing may set every field of the workload (tier and credit limit included), so the
        // same pushes run unchanged against a build from before the permission table
        // (scripts/bench.sh).
        let rep = admin::add_user(
            &storage,
            NewUser {
                login: "bench_rep",
                name: "基准业务员",
                role: Role::HqMarketing,
                unit: Some(&company),
                password: PASSWORD,
            },
        )
        .await
        .unwrap();
        let router = app(AppState::new(
            storage.clone(),
            WebApp::load(&dist, BasePath::root()).unwrap(),
        ));
        let login = post(
            &router,
            "/api/v1/auth/login",
            None,
            json!({"login": "bench_rep", "password": PASSWORD}).to_string(),
        )
        .await;
        let token = login["token"].as_str().unwrap().to_owned();
        Self {
            dir,
            storage,
            router,
            token,
            rep,
            company,
        }
    }

    /// One device's pushes of `per_push` new customers each, numbered from `first`, stamped from now.
    fn pushes(&self, first: usize, rows: usize, per_push: usize) -> Vec<String> {
        let client_id = new_id();
        // Real-time stamps: the server applies stamps from its future at its own time.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        (first..first + rows)
            .collect::<Vec<_>>()
            .chunks(per_push)
            .map(|chunk| {
                let mutations: Vec<Value> = chunk
                    .iter()
                    .map(|&i| {
                        json!({"id": i - first + 1, "hlc": format!("{:015}-00000-{client_id}", now + i as u64),
                            "name": "create", "args": {"collection": "customers", "id": new_id(),
                            "fields": customer_fields(i, &self.rep, &self.company)}})
                    })
                    .collect();
                json!({"client_id": client_id, "mutations": mutations}).to_string()
            })
            .collect()
    }
}

/// Sends one device's pushes in order; every mutation must apply.
async fn push_all(router: &Router, token: &str, bodies: Vec<String>) {
    for body in bodies {
        let reply = post(router, "/api/v1/sync/push", Some(token), body).await;
        assert!(reply["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["outcome"] == "applied"));
    }
}

async fn measure(label: &str, database_url: Option<String>) -> Figures {
    let sqlite = database_url.is_none();
    let bench = Bench::open(database_url).await;
    let bodies = bench.pushes(0, ROWS, BATCH);
    let version_before: i64 =
        sqlx::query_scalar("SELECT value FROM counters WHERE name = 'version'")
            .fetch_one(&bench.storage.pool)
            .await
            .unwrap();
    let started = Instant::now();
    push_all(&bench.router, &bench.token, bodies).await;
    let push_secs = started.elapsed().as_secs_f64();

    let device = new_id();
    let started = Instant::now();
    let mut cursor: Option<String> = None;
    let mut pulled = 0usize;
    loop {
        let body = post_raw(
            &bench.router,
            "/api/v1/sync/pull",
            Some(&bench.token),
            json!({"client_id": device, "cursor": cursor, "limit": 5000}).to_string(),
        )
        .await;
        let page: PageSummary = serde_json::from_slice(&body).unwrap();
        pulled += page.records.len();
        cursor = Some(page.cursor);
        if !page.has_more {
            break;
        }
    }
    let pull_secs = started.elapsed().as_secs_f64();
    assert!(pulled >= ROWS, "pulled {pulled} of {ROWS}");
    bench.storage.close().await;
    let written = if sqlite {
        read_push_writes(
            &bench.dir.path().join("data").join(SQLITE_FILE),
            version_before,
        )
        .await
    } else {
        Vec::new()
    };
    let figures = Figures {
        push_rows_per_s: ROWS as f64 / push_secs,
        pull_rows_per_s: pulled as f64 / pull_secs,
        written,
    };
    println!(
        "{label:<12} push ingest {:>9.0} rows/s ({ROWS} rows in {push_secs:.2} s)   pull {:>9.0} records/s ({pulled} in {pull_secs:.2} s)",
        figures.push_rows_per_s, figures.pull_rows_per_s
    );
    figures
}

/// The reference: the same rows straight into a plain SQLite table of the same key (WAL, synchronous
/// FULL as the server uses), 500 rows per transaction, in the two usual forms of a batched insert:
/// one prepared INSERT per row, and one multi-row INSERT per batch. Returns the faster rate, so the
/// push is compared with the better of the two.
async fn raw_sqlite_insert() -> f64 {
    let rows: Vec<(String, String)> = (0..ROWS)
        .map(|i| {
            (
                new_id(),
                customer_fields(i, &new_id(), &new_id()).to_string(),
            )
        })
        .collect();
    let mut best: f64 = 0.0;
    for multi_row in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("raw.sqlite3"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        sqlx::query(
            "CREATE TABLE records (collection TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL,
             fields TEXT NOT NULL, PRIMARY KEY (collection, id))",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let started = Instant::now();
        for (batch_no, chunk) in rows.chunks(BATCH).enumerate() {
            let mut tx = conn.begin().await.unwrap();
            let version = |i: usize| (batch_no * BATCH + i) as i64;
            if multi_row {
                let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                    "INSERT INTO records (collection, id, version, fields) ",
                );
                insert.push_values(chunk.iter().enumerate(), |mut row, (i, (id, fields))| {
                    row.push_bind("customers")
                        .push_bind(id)
                        .push_bind(version(i))
                        .push_bind(fields);
                });
                insert.build().execute(&mut *tx).await.unwrap();
            } else {
                for (i, (id, fields)) in chunk.iter().enumerate() {
                    sqlx::query("INSERT INTO records (collection, id, version, fields) VALUES ('customers', $1, $2, $3)")
                        .bind(id)
                        .bind(version(i))
                        .bind(fields)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
            }
            tx.commit().await.unwrap();
        }
        let rate = ROWS as f64 / started.elapsed().as_secs_f64();
        let form = if multi_row {
            "multi-row INSERT"
        } else {
            "INSERT per row"
        };
        println!(
            "{:<12} {form:<17} {rate:>8.0} rows/s (reference, same rows, same machine)",
            "raw SQLite"
        );
        best = best.max(rate);
    }
    best
}

fn cells(row: &SqliteRow) -> Vec<Cell> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i).unwrap();
            if raw.is_null() {
                return Cell::Null;
            }
            match raw.type_info().name() {
                "INTEGER" => Cell::Integer(row.get(i)),
                "TEXT" => Cell::Text(row.get(i)),
                other => panic!("unexpected stored type {other}"),
            }
        })
        .collect()
}

/// The rows each push wrote, read back from the pushed database: every commit after
/// `version_before` left one history row whose version ends the range of versions it wrote.
async fn read_push_writes(file: &std::path::Path, version_before: i64) -> Vec<PushWrites> {
    let options = SqliteConnectOptions::new().filename(file);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    // The pushes are measured; an index keeps the reads below from scanning the audit trail each time.
    conn.execute("CREATE INDEX bench_mutations_by_version ON mutations (version)")
        .await
        .unwrap();
    let ends: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM history WHERE version > $1 ORDER BY version")
            .bind(version_before)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut pushes = Vec::with_capacity(ends.len());
    let mut first = version_before;
    for end in ends {
        let mut inserted = Vec::new();
        // Every table a push inserts into; a push of creates moves no scope, so scope_moves stays empty.
        for table in ["records", "mutations", "scope_moves", "history"] {
            let rows = sqlx::query(&format!(
                "SELECT * FROM {table} WHERE version > $1 AND version <= $2 ORDER BY rowid"
            ))
            .bind(first)
            .bind(end)
            .fetch_all(&mut conn)
            .await
            .unwrap();
            if let Some(row) = rows.first() {
                inserted.push(TableRows {
                    table,
                    columns: row.columns().iter().map(|c| c.name().to_owned()).collect(),
                    rows: rows.iter().map(cells).collect(),
                });
            }
        }
        let (client_id, last_mutation_id): (String, i64) = sqlx::query_as(
            "SELECT client_id, MAX(mutation_id) FROM mutations WHERE version > $1 AND version <= $2",
        )
        .bind(first)
        .bind(end)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        pushes.push(PushWrites {
            inserted,
            version: end,
            client_id,
            last_mutation_id,
        });
        first = end;
    }
    conn.close().await.unwrap();
    pushes
}

/// The second reference: the rows the pushes wrote, inserted again with one raw multi-row INSERT per
/// table and push, plus the push's counter and client updates, one transaction per push, into a fresh
/// database the server migrated and opened with the server's own pragmas (WAL, synchronous FULL, its
/// checkpoint settings). Returns pushed rows (mutations) per second.
async fn same_writes_insert(pushes: &[PushWrites]) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().to_owned(),
        database_url: None,
    })
    .await
    .unwrap();
    storage.close().await;
    let options = SqliteConnectOptions::new().filename(dir.path().join(SQLITE_FILE));
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    conn.execute(SQLITE_PRAGMAS).await.unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(synchronous, 2, "synchronous = FULL, as the server");
    let client_id = &pushes[0].client_id;
    sqlx::query(
        "INSERT INTO clients (client_id, user_id, last_mutation_id, created_at) VALUES ($1, 'u', 0, 0)",
    )
    .bind(client_id)
    .execute(&mut conn)
    .await
    .unwrap();
    let mut mutations = 0;
    let started = Instant::now();
    for push in pushes {
        let mut tx = conn.begin().await.unwrap();
        for table in &push.inserted {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
                "INSERT INTO {} ({}) ",
                table.table,
                table.columns.join(", ")
            ));
            insert.push_values(&table.rows, |mut row, cells| {
                for cell in cells {
                    match cell {
                        Cell::Null => row.push_bind(None::<i64>),
                        Cell::Integer(value) => row.push_bind(*value),
                        Cell::Text(text) => row.push_bind(text.as_str()),
                    };
                }
            });
            insert.build().execute(&mut *tx).await.unwrap();
            if table.table == "mutations" {
                mutations += table.rows.len();
            }
        }
        sqlx::query("UPDATE counters SET value = $1 WHERE name = 'version'")
            .bind(push.version)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("UPDATE clients SET last_mutation_id = $1 WHERE client_id = $2")
            .bind(push.last_mutation_id)
            .bind(&push.client_id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let rate = mutations as f64 / started.elapsed().as_secs_f64();
    println!(
        "{:<12} {:<17} {rate:>8.0} rows/s (reference: the rows the push wrote — records, audit, history — \
         one multi-row INSERT per table, {} transactions as the push, same schema and settings)",
        "raw SQLite",
        "same writes",
        pushes.len()
    );
    rate
}

/// Changes per push in the durability figures: a device's usual push is a handful, so each commit's
/// flush weighs as it does in use.
const SMALL_PUSH: usize = 5;
/// Pushes per durability figure, shared out among the devices.
const SMALL_PUSHES: usize = 600;
/// Devices pushing at once in the second column.
const DEVICES: usize = 8;
/// Rounds of every durability figure; the best of them is printed.
const REPEATS: usize = 3;

/// Pushes per second of `devices` devices pushing `SMALL_PUSHES` small pushes at once; `first`
/// keeps the customers' names apart from other runs on the same database.
async fn pushes_per_second(bench: &Bench, devices: usize, first: usize) -> f64 {
    let per_device = SMALL_PUSHES / devices;
    let work: Vec<Vec<String>> = (0..devices)
        .map(|d| bench.pushes(first + d * 10_000, per_device * SMALL_PUSH, SMALL_PUSH))
        .collect();
    let started = Instant::now();
    let mut running = tokio::task::JoinSet::new();
    for bodies in work {
        let (router, token) = (bench.router.clone(), bench.token.clone());
        running.spawn(async move { push_all(&router, &token, bodies).await });
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
    (per_device * devices) as f64 / started.elapsed().as_secs_f64()
}

/// One figure per column: a fresh database set up by `open`, a few pushes to warm it, then the
/// measured pushes from one device and from `DEVICES` at once.
async fn durability_row<F, Fut>(open: F) -> Vec<f64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Bench>,
{
    let mut row = Vec::new();
    for devices in [1, DEVICES] {
        let bench = open().await;
        let warm: Vec<String> = bench.pushes(900_000, 20 * SMALL_PUSH, SMALL_PUSH);
        push_all(&bench.router, &bench.token, warm).await;
        row.push(pushes_per_second(&bench, devices, 0).await);
        bench.storage.close().await;
    }
    row
}

/// SQLite with the one writer connection set to `synchronous = setting` (the server sets FULL).
async fn sqlite_with(setting: &'static str) -> Bench {
    let bench = Bench::open(None).await;
    let mut writer = bench.storage.writer().await.unwrap();
    writer
        .execute(format!("PRAGMA synchronous = {setting}").as_str())
        .await
        .unwrap();
    let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *writer)
        .await
        .unwrap();
    assert_eq!(level, if setting == "FULL" { 2 } else { 1 });
    drop(writer);
    bench
}

/// A fresh database of the cluster at `base_url` whose sessions commit with `synchronous_commit =
/// setting` (on is PostgreSQL's default, which the server keeps).
async fn postgres_with(base_url: &str, setting: &'static str) -> Bench {
    let url = common::fresh_postgres(base_url).await;
    let (_, name) = url.rsplit_once('/').unwrap();
    let mut conn = PgConnection::connect(base_url).await.unwrap();
    conn.execute(format!("ALTER DATABASE {name} SET synchronous_commit = {setting}").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    Bench::open(Some(url)).await
}

/// Keeps the better figure of each column: the machine's other work only ever slows a run down.
fn keep_best(best: &mut Vec<f64>, row: Vec<f64>) {
    best.resize(row.len(), 0.0);
    for (best, figure) in best.iter_mut().zip(row) {
        *best = best.max(figure);
    }
}

async fn durability() {
    println!(
        "Yingxiao durability cost — {SMALL_PUSHES} pushes of {SMALL_PUSH} new customers each through \
         the router, from 1 device and from {DEVICES} at once, a fresh database per figure, the best \
         of {REPEATS} rounds"
    );
    let postgres = std::env::var("YINGXIAO_BENCH_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty());
    match &postgres {
        Some(url) => {
            let mut conn = PgConnection::connect(url).await.unwrap();
            let fsync: String = sqlx::query_scalar("SHOW fsync")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            if fsync != "on" {
                println!("note: this PostgreSQL runs with fsync = {fsync}: its commits are never flushed, so its figures say nothing of durability (scripts/bench-durability.sh starts one with fsync on)");
            }
        }
        None => println!(
            "PostgreSQL not measured (set YINGXIAO_BENCH_POSTGRES_URL; scripts/bench-durability.sh does)"
        ),
    }
    let mut rows: Vec<(&str, Vec<f64>)> = vec![
        ("SQLite synchronous = NORMAL (reference)", vec![]),
        ("SQLite synchronous = FULL (the server's)", vec![]),
    ];
    if postgres.is_some() {
        rows.push(("PostgreSQL synchronous_commit = off (reference)", vec![]));
        rows.push(("PostgreSQL synchronous_commit = on (the server's)", vec![]));
    }
    // Rounds alternate the settings, so a busy moment of the machine does not fall on one alone.
    for _ in 0..REPEATS {
        keep_best(
            &mut rows[0].1,
            durability_row(|| sqlite_with("NORMAL")).await,
        );
        keep_best(&mut rows[1].1, durability_row(|| sqlite_with("FULL")).await);
        if let Some(url) = &postgres {
            keep_best(
                &mut rows[2].1,
                durability_row(|| postgres_with(url, "off")).await,
            );
            keep_best(
                &mut rows[3].1,
                durability_row(|| postgres_with(url, "on")).await,
            );
        }
    }
    println!();
    println!(
        "{:<50} {:>22} {:>22}",
        "setting",
        "1 device pushes/s",
        format!("{DEVICES} devices pushes/s")
    );
    // Each durable setting is printed beside its reference, the row above it.
    for (i, (label, row)) in rows.iter().enumerate() {
        let cell = |column: usize| {
            let figure = row[column];
            if i % 2 == 1 {
                let reference = rows[i - 1].1[column];
                format!("{figure:.0} ({:.0}% of ref.)", 100.0 * figure / reference)
            } else {
                format!("{figure:.0}")
            }
        };
        println!("{label:<50} {:>22} {:>22}", cell(0), cell(1));
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|arg| arg == "--durability") {
        return durability().await;
    }
    println!("Yingxiao sync throughput — {ROWS} customer records, pushes of {BATCH}");
    let raw = raw_sqlite_insert().await;
    let mut results = vec![("SQLite", measure("SQLite", None).await)];
    match std::env::var("YINGXIAO_BENCH_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            results.push(("PostgreSQL", measure("PostgreSQL", Some(url)).await))
        }
        _ => println!(
            "PostgreSQL   not measured (set YINGXIAO_BENCH_POSTGRES_URL; scripts/bench.sh does)"
        ),
    }
    let same_writes = same_writes_insert(&results[0].1.written).await;
    println!();
    println!(
        "{:<12} {:>14} {:>12} {:>15} {:>16} {:>10}",
        "back end", "push rows/s", "vs best raw", "vs same writes", "pull records/s", "goal"
    );
    for (label, f) in results {
        // The same-writes reference is SQLite's own floor; PostgreSQL has none measured here.
        let versus_same = if f.written.is_empty() {
            "—".to_owned()
        } else {
            format!("{:.0}%", 100.0 * f.push_rows_per_s / same_writes)
        };
        println!(
            "{label:<12} {:>14.0} {:>11.0}% {versus_same:>15} {:>16.0} {:>10}",
            f.push_rows_per_s,
            100.0 * f.push_rows_per_s / raw,
            f.pull_rows_per_s,
            "≥50% / ≥100k"
        );
    }
}
