//! A server restored from a backup, through the real router and a real database (SQLite through the
//! `backup` command's copy; PostgreSQL through a copy of the database): every device whose position
//! the restored history no longer holds is told `rewound` (a cursor ahead of it, a cursor another
//! commit has since passed, a claim of mutations it lost, another database), with the server's
//! record of it; the device's resent work then applies; a cursor it still holds goes on as before.

mod common;
#[path = "common/world.rs"]
mod world;

use axum::{http::StatusCode, Router};
use common::Backend;
use serde_json::{json, Value};
use yingxiao_core::base_path::BasePath;
use yingxiao_server::{
    app,
    http::WebApp,
    maintenance,
    storage::{Storage, StorageArgs, SQLITE_FILE},
    AppState,
};

use world::{demo_world, text, Company, Device, World};

/// The database as it is now, copied as an operator backs it up; where a restored server opens it.
struct Backup {
    args: StorageArgs,
    _dir: tempfile::TempDir,
}

async fn back_up(w: &mut World, backend: &Backend) -> Backup {
    let dir = tempfile::tempdir().unwrap();
    let args = match (backend, w.database_url.clone()) {
        (Backend::Sqlite, _) => {
            let data_dir = dir.path().join("restored");
            std::fs::create_dir_all(&data_dir).unwrap();
            maintenance::backup(&w.storage, &data_dir.join(SQLITE_FILE))
                .await
                .unwrap();
            StorageArgs {
                data_dir,
                database_url: None,
            }
        }
        (Backend::Postgres(cluster), Some(url)) => {
            // A database copied as a template while nobody is connected to it, then reopened.
            use sqlx::Connection;
            w.storage.close().await;
            let (prefix, name) = url.rsplit_once('/').unwrap();
            let (prefix, name) = (prefix.to_owned(), name.to_owned());
            let copy = format!("{name}_backup");
            let mut conn = sqlx::PgConnection::connect(cluster).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {copy} TEMPLATE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            reopen(w, url.clone()).await;
            StorageArgs {
                data_dir: dir.path().join("unused"),
                database_url: Some(format!("{prefix}/{copy}")),
            }
        }
        (Backend::Postgres(_), None) => unreachable!("a PostgreSQL world has its URL"),
    };
    Backup { args, _dir: dir }
}

async fn router_over(storage: Storage) -> Router {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        r#"<html><head><base href="/" /></head></html>"#,
    )
    .unwrap();
    let web = WebApp::load(dist.path(), BasePath::root()).unwrap();
    app(AppState::new(storage, web))
}

async fn reopen(w: &mut World, url: String) {
    w.storage = Storage::open(&StorageArgs {
        data_dir: std::env::temp_dir(),
        database_url: Some(url),
    })
    .await
    .unwrap();
    w.router = router_over(w.storage.clone()).await;
}

/// A server started on the backup, as after a restore.
async fn restore(backup: &Backup) -> Router {
    router_over(Storage::open(&backup.args).await.unwrap()).await
}

/// A pull as the web app sends it: cursor, page size and the claim of what the server processed.
async fn pull(router: &Router, device: &Device, cursor: Option<&str>, claim: u64) -> Value {
    let (status, body) = common::post(
        router,
        "/api/v1/sync/pull",
        Some(&device.token),
        json!({"client_id": device.client_id, "cursor": cursor, "limit": 5000,
            "last_mutation_id": claim}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Pulls to the end from `cursor`: the last page.
async fn pull_to_end(router: &Router, device: &Device, cursor: Option<&str>, claim: u64) -> Value {
    let mut cursor = cursor.map(str::to_owned);
    loop {
        let page = pull(router, device, cursor.as_deref(), claim).await;
        assert_eq!(page["rewound"], false, "{page}");
        if page["has_more"] == false {
            return page;
        }
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
    }
}

#[track_caller]
fn assert_rewound(page: &Value, last_mutation_id: u64) {
    assert_eq!(page["rewound"], true, "{page}");
    assert_eq!(page["reset"], true, "{page}");
    assert_eq!(
        page["has_more"], true,
        "the device pulls again from the start"
    );
    assert_eq!(page["records"], json!([]), "{page}");
    assert_eq!(page["last_mutation_id"], last_mutation_id, "{page}");
}

async fn a_restored_server_tells_every_device_that_it_went_back(backend: Backend) {
    let mut w = demo_world(backend.clone()).await;
    let company = Company::load(&w.storage).await;
    let rep_id = company.user_id("sh_rep");
    let customer = company
        .all("customers")
        .find(|(_, c)| text(c, "owner_id") == Some(rep_id.as_str()))
        .map(|(id, _)| id.to_owned())
        .expect("sh_rep owns a customer");
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let hq = Device::sign_in(&w.router, "hq").await;
    let note = |text: &str| rep.set_fields("customers", &customer, json!({"notes": text}));

    rep.push_applied(&w.router, vec![note("备份前")]).await;
    let before = pull_to_end(&w.router, &rep, None, 1).await;
    let backup = back_up(&mut w, &backend).await;

    let lost = vec![note("备份后一"), note("备份后二")];
    rep.push_applied(&w.router, lost.clone()).await;
    let after = pull_to_end(&w.router, &rep, before["cursor"].as_str(), 3).await;
    let cursor = after["cursor"].as_str().unwrap().to_owned();
    let hq_last = pull_to_end(&w.router, &hq, None, 0).await;
    let hq_cursor = hq_last["cursor"].as_str().unwrap().to_owned();

    let restored = restore(&backup).await;
    // The rep's device: its claim and its cursor are both ahead of the restored server.
    assert_rewound(&pull(&restored, &rep, Some(&cursor), 3).await, 1);
    assert_rewound(&pull(&restored, &rep, None, 3).await, 1);
    // Its next push would skip the ids the server lost: refused, and the pull above says why.
    let (status, body) = rep.try_push(&restored, vec![note("之后")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // HQ never pushed: its cursor alone tells, ahead of the restored history.
    assert_rewound(&pull(&restored, &hq, Some(&hq_cursor), 0).await, 0);
    // A claim beyond any id the server stores is refused, not taken for a restore.
    let (status, body) = common::post(
        &restored,
        "/api/v1/sync/pull",
        Some(&rep.token),
        json!({"client_id": rep.client_id, "last_mutation_id": 1u64 << 63}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A cursor from before the backup is still this server's history.
    let still = pull(&restored, &rep, before["cursor"].as_str(), 1).await;
    assert_eq!(still["rewound"], false, "{still}");

    // The device sends again what the server lost, numbered on from its record (1): 2 and 3.
    let mut again: Vec<Value> = lost.clone();
    for (mutation, id) in again.iter_mut().zip(2..) {
        mutation["id"] = json!(id);
    }
    let (status, body) = common::post(
        &restored,
        "/api/v1/sync/push",
        Some(&rep.token),
        json!({"client_id": rep.client_id, "mutations": again}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["outcome"] == "applied"));
    let fresh = pull_to_end(&restored, &rep, None, 3).await;
    assert_eq!(fresh["last_mutation_id"], 3);
    let seen = rep.pull_everything(&restored).await;
    assert_eq!(
        seen[&("customers".to_owned(), customer.clone())]["notes"],
        "备份后二"
    );

    // The restored server has committed again, up to or past HQ's old version: that version is not
    // the one HQ saw, and the cursor is still refused.
    assert_rewound(&pull(&restored, &hq, Some(&hq_cursor), 0).await, 0);
    // A cursor of a server from before positions were kept (epoch.version.seen) is taken on trust.
    let legacy = pull(&restored, &hq, Some("0.1.0"), 0).await;
    assert_eq!(legacy["rewound"], false, "{legacy}");

    // Another database altogether (wiped and seeded again): the rep's cursor is not of its history.
    let other = demo_world(backend).await;
    let rep_elsewhere = Device::sign_in(&other.router, "sh_rep").await;
    assert_rewound(
        &pull(&other.router, &rep_elsewhere, Some(&cursor), 0).await,
        0,
    );
}

on_both_backends!(a_restored_server_tells_every_device_that_it_went_back);
