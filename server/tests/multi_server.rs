//! Several server processes on one PostgreSQL behind a round-robin proxy, in a short form of the
//! load benchmark (`benches/load.rs`, `scripts/bench-load.sh`): 40 sales reps' devices make their
//! first sync together and then push and pull for a few seconds, each request landing on either
//! process, while two HQ devices pull all the while. Then every change was applied exactly once,
//! every device's record on the server agrees, and the HQ devices hold every record at its last
//! version: no cursor skipped a change another process committed late. Needs PostgreSQL (the test
//! command provides one); on SQLite one process is the deployment, and the other tests cover it.

#[allow(dead_code)] // the PostgreSQL half of what the test files share
mod common;
#[path = "common/load.rs"]
mod load;

use std::{path::Path, time::Duration};

use yingxiao_server::storage::{Storage, StorageArgs};

use load::{empty_dist, prepare, run, Plan, Proxy, ServerProcess};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgresql_apply_each_change_once_and_skip_none() {
    let Some(common::Backend::Postgres(cluster)) = common::postgres() else {
        eprintln!("note: the multi-process test needs PostgreSQL (set YINGXIAO_TEST_POSTGRES_URL)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let args = StorageArgs {
        data_dir: dir.path().join("data"),
        database_url: Some(common::fresh_postgres(&cluster).await),
    };
    let storage = Storage::open(&args).await.unwrap();
    let (reps, observers) = prepare(&storage, 40, 2).await;

    let binary = Path::new(env!("CARGO_BIN_EXE_yingxiao-server"));
    let dist = empty_dist(dir.path());
    // Started together, as a deployment's processes are: each migrates and runs the fix-ups.
    let (first, second) = tokio::join!(
        ServerProcess::start(binary, &args, &dist),
        ServerProcess::start(binary, &args, &dist)
    );
    let proxy = Proxy::start(vec![first.addr, second.addr]).await;
    let base = format!("http://{}/", proxy.addr);
    let plan = Plan {
        reps,
        observers,
        steady: Duration::from_secs(6),
        pause: Duration::from_millis(300),
    };
    let outcome = run(&base, &plan).await.unwrap();
    let pushes = outcome.timings.count("push");
    assert!(pushes >= 40, "only {pushes} pushes in the steady phase");
    load::check(&storage, &outcome).await.unwrap();
    for (kind, count, p50, p99) in outcome.timings.summary() {
        println!("{kind}: {count} requests, p50 {p50:.1} ms, p99 {p99:.1} ms");
    }
}
