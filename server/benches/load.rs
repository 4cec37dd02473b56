//! Many devices at 9 a.m. (issue 17): `--devices` sales reps' devices (500 by default) and a few HQ
//! devices against real server processes over loopback HTTP — one on SQLite, then 1, 2 and 4 on one
//! PostgreSQL behind a round-robin proxy. Everyone makes a first sync at once, then each rep pushes a
//! few changes and pulls to the end, pausing `--pause-ms` on average between syncs, for `--seconds`.
//! Prints throughput and p50/p99 latency per request kind for each set-up, beside the one-server
//! figure of the same run, and checks afterwards (as `tests/multi_server.rs` does in short) that every
//! change was applied once and no cursor skipped one. Run by `scripts/bench-load.sh`, which starts a
//! PostgreSQL with fsync on; asserts nothing about time.

#[path = "../tests/common/load.rs"]
mod load;

use std::{path::Path, time::Duration};

use sqlx::Connection;
use yingxiao_server::storage::{Storage, StorageArgs, SQLITE_FILE};

use load::{empty_dist, prepare, run, Plan, Proxy, ServerProcess};

struct Args {
    devices: usize,
    observers: usize,
    seconds: u64,
    pause_ms: u64,
    servers: Vec<usize>,
}

fn args() -> Args {
    let mut args = Args {
        devices: 500,
        observers: 4,
        seconds: 60,
        pause_ms: 5_000,
        servers: vec![1, 2, 4],
    };
    let given: Vec<String> = std::env::args().skip(1).collect();
    let value = |i: usize| -> &str {
        given
            .get(i + 1)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{} needs a value", given[i]))
    };
    for (i, arg) in given.iter().enumerate() {
        match arg.as_str() {
            "--devices" => args.devices = value(i).parse().unwrap(),
            "--observers" => args.observers = value(i).parse().unwrap(),
            "--seconds" => args.seconds = value(i).parse().unwrap(),
            "--pause-ms" => args.pause_ms = value(i).parse().unwrap(),
            "--servers" => args.servers = value(i).split(',').map(|n| n.parse().unwrap()).collect(),
            _ => {} // values, and cargo's own `--bench`
        }
    }
    args
}

/// One set-up's figures.
struct Figures {
    name: String,
    first_sync_s: f64,
    pushes_per_s: f64,
    pulls_per_s: f64,
    push: (f64, f64),
    pull: (f64, f64),
    first_page: (f64, f64),
    /// Answers `503 busy` (tried again after a pause, as the app does).
    busy: usize,
}

async fn measure(
    name: String,
    servers: &[ServerProcess],
    storage: &Storage,
    plan: &Plan,
) -> Figures {
    let proxy;
    let base = if servers.len() == 1 {
        format!("http://{}/", servers[0].addr)
    } else {
        proxy = Proxy::start(servers.iter().map(|s| s.addr).collect()).await;
        format!("http://{}/", proxy.addr)
    };
    let outcome = run(&base, plan)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    load::check(storage, &outcome)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let summary = outcome.timings.summary();
    let of = |kind: &str| {
        summary
            .iter()
            .find(|(k, ..)| k == kind)
            .map_or((0, 0.0, 0.0), |(_, n, p50, p99)| (*n, *p50, *p99))
    };
    let steady = outcome.steady.as_secs_f64();
    let (pushes, push50, push99) = of("push");
    let (pulls, pull50, pull99) = of("pull");
    let (_, first50, first99) = of("first sync page");
    let (busy, ..) = of("busy (503, tried again)");
    Figures {
        name,
        first_sync_s: outcome.first_sync.as_secs_f64(),
        pushes_per_s: pushes as f64 / steady,
        pulls_per_s: pulls as f64 / steady,
        push: (push50, push99),
        pull: (pull50, pull99),
        first_page: (first50, first99),
        busy,
    }
}

fn print(figures: &[Figures]) {
    println!(
        "\n{:<24} {:>10} {:>9} {:>9} {:>17} {:>17} {:>17} {:>6}",
        "set-up",
        "1st sync s",
        "pushes/s",
        "pulls/s",
        "push p50/p99 ms",
        "pull p50/p99 ms",
        "1st page p50/p99",
        "503s"
    );
    for f in figures {
        println!(
            "{:<24} {:>10.1} {:>9.1} {:>9.1} {:>8.1}/{:<8.1} {:>8.1}/{:<8.1} {:>8.0}/{:<8.0} {:>6}",
            f.name,
            f.first_sync_s,
            f.pushes_per_s,
            f.pulls_per_s,
            f.push.0,
            f.push.1,
            f.pull.0,
            f.pull.1,
            f.first_page.0,
            f.first_page.1,
            f.busy
        );
    }
}

#[tokio::main]
async fn main() {
    let args = args();
    let binary = Path::new(env!("CARGO_BIN_EXE_yingxiao-server"));
    let dir = tempfile::tempdir().unwrap();
    let dist = empty_dist(dir.path());
    let plan = |reps: Vec<String>, observers: Vec<String>| Plan {
        reps,
        observers,
        steady: Duration::from_secs(args.seconds),
        pause: Duration::from_millis(args.pause_ms),
    };
    println!(
        "{} devices and {} HQ devices; {} s of pushes and pulls, a pause of {} ms on average between a device's syncs",
        args.devices, args.observers, args.seconds, args.pause_ms
    );
    let mut figures = Vec::new();

    // SQLite: one process (the embedded database has one writer; several processes are PostgreSQL's).
    let sqlite = StorageArgs {
        data_dir: dir.path().join("sqlite"),
        database_url: None,
    };
    let storage = Storage::open(&sqlite).await.unwrap();
    let (reps, observers) = prepare(&storage, args.devices, args.observers).await;
    let server = ServerProcess::start(binary, &sqlite, &dist).await;
    figures.push(
        measure(
            "SQLite, 1 server".into(),
            std::slice::from_ref(&server),
            &storage,
            &plan(reps.clone(), observers.clone()),
        )
        .await,
    );
    drop(server);
    storage.close().await;
    let _ = std::fs::remove_file(sqlite.data_dir.join(SQLITE_FILE));

    // PostgreSQL: the same company prepared once, copied for each set-up.
    match std::env::var("YINGXIAO_BENCH_POSTGRES_URL") {
        Ok(cluster) if !cluster.is_empty() => {
            let (prefix, _) = cluster.rsplit_once('/').unwrap();
            let template = format!("yx_load_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(&cluster).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {template}"))
                .execute(&mut admin)
                .await
                .unwrap();
            let prepared = StorageArgs {
                data_dir: dir.path().join("unused"),
                database_url: Some(format!("{prefix}/{template}")),
            };
            let storage = Storage::open(&prepared).await.unwrap();
            let (reps, observers) = prepare(&storage, args.devices, args.observers).await;
            storage.close().await;
            for &count in &args.servers {
                let name = format!("{template}_{count}");
                // The prepared database's last session may take a moment to end after its pool
                // closed; PostgreSQL copies a template only when nobody is connected to it.
                let mut tries = 0;
                while let Err(error) =
                    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                        .execute(&mut admin)
                        .await
                {
                    tries += 1;
                    assert!(tries < 100, "cannot copy the prepared database: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                let each = StorageArgs {
                    data_dir: dir.path().join("unused"),
                    database_url: Some(format!("{prefix}/{name}")),
                };
                let storage = Storage::open(&each).await.unwrap();
                let mut servers = Vec::new();
                for _ in 0..count {
                    servers.push(ServerProcess::start(binary, &each, &dist).await);
                }
                figures.push(
                    measure(
                        format!("PostgreSQL, {count} server{}", if count == 1 { "" } else { "s" }),
                        &servers,
                        &storage,
                        &plan(reps.clone(), observers.clone()),
                    )
                    .await,
                );
                drop(servers);
                storage.close().await;
            }
        }
        _ => println!("(PostgreSQL not measured: set YINGXIAO_BENCH_POSTGRES_URL, as scripts/bench-load.sh does)"),
    }
    print(&figures);
    println!("every set-up checked: each change applied once, no cursor skipped a change");
}
