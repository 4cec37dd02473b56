//! SQLite WAL size under a burst of pushes with steady pulls (issue 9: the WAL grew to 2.9 GB and
//! stayed). Writers push through the real router for `--seconds` (60 by default) while readers pull
//! without a pause, which starves SQLite's automatic checkpoints; the server's housekeeping
//! (`maintenance::spawn`) runs as in `serve`, unless `--no-checkpoint` leaves it out for comparison.
//! `--long-read N` also holds one read transaction open for N seconds from the 5th second on (a slow
//! report or backup), which keeps any checkpoint from restarting the WAL meanwhile.
//! Prints the largest WAL file seen, its size at the end and the answers' status codes; asserts nothing.
//! Run by `scripts/wal-burst.sh [--seconds N] [--writers N] [--readers N] [--long-read N]
//! [--no-checkpoint]`.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    http::{header, Request},
    Router,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use yingxiao_core::{base_path::BasePath, scope::Role};
use yingxiao_server::{
    admin::{self, new_id, NewUser},
    app,
    http::WebApp,
    maintenance,
    storage::{Storage, StorageArgs, SQLITE_FILE},
    AppState,
};

const PASSWORD: &str = "bench-password-1";
const BATCH: usize = 200;

struct Args {
    seconds: u64,
    writers: usize,
    readers: usize,
    long_read: u64,
    checkpoint: bool,
}

fn args() -> Args {
    let mut args = Args {
        seconds: 60,
        writers: 4,
        readers: 8,
        long_read: 0,
        checkpoint: true,
    };
    let given: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| -> u64 {
        given
            .get(i + 1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{} N", given[i]))
    };
    for (i, arg) in given.iter().enumerate() {
        match arg.as_str() {
            "--seconds" => args.seconds = number(i),
            "--writers" => args.writers = number(i) as usize,
            "--readers" => args.readers = number(i) as usize,
            "--long-read" => args.long_read = number(i),
            "--no-checkpoint" => args.checkpoint = false,
            _ => {} // numbers, and cargo's own `--bench`
        }
    }
    args
}

async fn post(router: &Router, path: &str, token: Option<&str>, body: String) -> (u16, Vec<u8>) {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, bytes.to_vec())
}

fn wal_bytes(data: &Path) -> u64 {
    std::fs::metadata(data.join(format!("{SQLITE_FILE}-wal")))
        .map(|m| m.len())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), r#"<base href="/" />"#).unwrap();
    let storage = Storage::open(&StorageArgs {
        data_dir: data.clone(),
        database_url: None,
    })
    .await
    .unwrap();
    let company = admin::ensure_company(&storage, "基准公司").await.unwrap();
    let rep = admin::add_user(
        &storage,
        NewUser {
            login: "bench_rep",
            name: "基准业务员",
            role: Role::SalesRep,
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
    let (_, login) = post(
        &router,
        "/api/v1/auth/login",
        None,
        json!({"login": "bench_rep", "password": PASSWORD}).to_string(),
    )
    .await;
    let login: Value = serde_json::from_slice(&login).unwrap();
    let token: Arc<str> = login["token"].as_str().unwrap().into();
    let housekeeping = args
        .checkpoint
        .then(|| maintenance::spawn(storage.clone(), maintenance::CHECKPOINT_EVERY));

    println!(
        "WAL burst: {} devices pushing {BATCH} customers at a time and {} pulling, for {} s, \
         periodic checkpoint {}{}",
        args.writers,
        args.readers,
        args.seconds,
        if args.checkpoint {
            format!("every {} s", maintenance::CHECKPOINT_EVERY.as_secs())
        } else {
            "off".into()
        },
        if args.long_read > 0 {
            format!(", one read transaction held {} s", args.long_read)
        } else {
            String::new()
        }
    );
    let stop = Arc::new(AtomicBool::new(false));
    let statuses = Arc::new(Mutex::new(BTreeMap::<(&str, u16), u64>::new()));
    let rows = Arc::new(AtomicU64::new(0));
    let push_millis = Arc::new(Mutex::new(Vec::<u64>::new()));
    let mut tasks = Vec::new();
    for _ in 0..args.writers {
        let (router, token, stop, statuses, rows, push_millis) = (
            router.clone(),
            token.clone(),
            stop.clone(),
            statuses.clone(),
            rows.clone(),
            push_millis.clone(),
        );
        let (rep, company) = (rep.clone(), company.clone());
        tasks.push(tokio::spawn(async move {
            let client_id = new_id();
            let mut next_id = 1u64;
            while !stop.load(Ordering::Relaxed) {
                let mutations: Vec<Value> = (0..BATCH as u64)
                    .map(|i| {
                        let id = next_id + i;
                        json!({"id": id, "hlc": format!("{:015}-00000-{client_id}", 1_800_000_000_000u64 + id),
                            "name": "create", "args": {"collection": "customers", "id": new_id(),
                            "fields": {"name": format!("基准客户{id:07}有限公司"), "kind": "dealer", "tier": "A",
                                "region_unit_id": company, "owner_id": rep, "city": "上海",
                                "address": "上海市浦东新区世纪大道 100 号", "credit_limit": 5_000_000}}})
                    })
                    .collect();
                let body = json!({"client_id": client_id, "mutations": mutations}).to_string();
                let sent = Instant::now();
                let (status, _) = post(&router, "/api/v1/sync/push", Some(&token), body).await;
                push_millis
                    .lock()
                    .unwrap()
                    .push(sent.elapsed().as_millis() as u64);
                *statuses.lock().unwrap().entry(("push", status)).or_default() += 1;
                if status == 200 {
                    next_id += BATCH as u64;
                    rows.fetch_add(BATCH as u64, Ordering::Relaxed);
                }
            }
        }));
    }
    for _ in 0..args.readers {
        let (router, token, stop, statuses) = (
            router.clone(),
            token.clone(),
            stop.clone(),
            statuses.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let device = new_id();
            let mut cursor: Option<String> = None;
            while !stop.load(Ordering::Relaxed) {
                let body =
                    json!({"client_id": device, "cursor": cursor, "limit": 1000}).to_string();
                let (status, page) = post(&router, "/api/v1/sync/pull", Some(&token), body).await;
                *statuses
                    .lock()
                    .unwrap()
                    .entry(("pull", status))
                    .or_default() += 1;
                if status == 200 {
                    let page: Value = serde_json::from_slice(&page).unwrap();
                    // From the start again at the end, so reads never pause.
                    cursor = page["has_more"]
                        .as_bool()
                        .unwrap_or(false)
                        .then(|| page["cursor"].as_str().unwrap().to_owned());
                }
            }
        }));
    }

    if args.long_read > 0 {
        let (path, seconds) = (data.join(SQLITE_FILE), args.long_read);
        tasks.push(tokio::spawn(async move {
            use sqlx::{Connection, Executor};
            tokio::time::sleep(Duration::from_secs(5)).await;
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            conn.execute("BEGIN").await.unwrap();
            sqlx::query("SELECT COUNT(*) FROM records")
                .execute(&mut conn)
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            conn.execute("COMMIT").await.unwrap();
        }));
    }

    let started = Instant::now();
    let mut largest = 0u64;
    while started.elapsed() < Duration::from_secs(args.seconds) {
        largest = largest.max(wal_bytes(&data));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    largest = largest.max(wal_bytes(&data));
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let database = std::fs::metadata(data.join(SQLITE_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "rows pushed {} ({:.0}/s); database file {:.1} MiB",
        rows.load(Ordering::Relaxed),
        rows.load(Ordering::Relaxed) as f64 / args.seconds as f64,
        mib(database)
    );
    let mut millis = push_millis.lock().unwrap().clone();
    millis.sort_unstable();
    if !millis.is_empty() {
        println!(
            "push of {BATCH}: median {} ms, 99th percentile {} ms, slowest {} ms",
            millis[millis.len() / 2],
            millis[millis.len() * 99 / 100],
            millis[millis.len() - 1]
        );
    }
    for ((kind, status), count) in statuses.lock().unwrap().iter() {
        println!("{kind} answered {status}: {count}");
    }
    println!(
        "WAL largest {:.1} MiB, at the end {:.1} MiB",
        mib(largest),
        mib(wal_bytes(&data))
    );
    if let Some(housekeeping) = housekeeping {
        housekeeping.abort();
    }
    storage.close().await;
}
