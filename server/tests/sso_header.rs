//! Single sign-on by the portal proxy's header (`--sso-header`), through the real router on SQLite
//! and PostgreSQL: the header signs in only on a connection from a configured proxy; from anyone
//! else (even claiming to be forwarded by the proxy) it is not read and nothing is created; unknown
//! logins get an account only when configured to, once; a disabled account stays disabled.

mod common;

use common::Backend;

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{HeaderName, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use yingxiao_core::{base_path::BasePath, scope::Role};
use yingxiao_server::{
    admin::{self, NewUser},
    app,
    http::WebApp,
    proxies::TrustedProxies,
    sign_on::HeaderSignOn,
    storage::{Storage, StorageArgs},
    AppState,
};

const PROXY: &str = "10.0.0.1";
const OUTSIDER: &str = "203.0.113.66";
const HEADER: &str = "x-remote-user";

struct World {
    _dir: tempfile::TempDir,
    storage: Storage,
    dist: std::path::PathBuf,
}

/// A company with the accounts `zhang` (enabled) and `li` (disabled).
async fn world(backend: Backend) -> World {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), r#"<head><base href="/" /></head>"#).unwrap();
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url: backend.database_url().await,
    })
    .await
    .unwrap();
    let company = admin::ensure_company(&storage, "示例公司").await.unwrap();
    for (login, name) in [("zhang", "张三"), ("li", "李四")] {
        admin::add_user(
            &storage,
            NewUser {
                login,
                name,
                role: Role::SalesRep,
                unit: Some(&company),
                password: "correct-horse-42",
            },
        )
        .await
        .unwrap();
    }
    admin::disable_user(&storage, "li").await.unwrap();
    World {
        _dir: dir,
        storage,
        dist,
    }
}

/// The router with header sign-on from `PROXY`, making sales reps for unknown logins if `create`.
/// `PROXY` is also a trusted proxy for `X-Forwarded-For`, as a portal's proxy would be.
fn router(w: &World, sign_on: Option<bool>) -> Router {
    let sign_on = sign_on.map(|create| HeaderSignOn {
        header: HeaderName::from_static(HEADER),
        proxies: TrustedProxies::parse(PROXY).unwrap(),
        create: create.then_some((Role::SalesRep, None)),
    });
    app(AppState::new(
        w.storage.clone(),
        WebApp::load(&w.dist, BasePath::root()).unwrap(),
    )
    .with_trusted_proxies(TrustedProxies::parse(PROXY).unwrap())
    .with_header_sign_on(sign_on))
}

/// `POST /api/v1/auth/sso/header` from `peer` with these headers; the status and JSON body.
async fn sso(router: &Router, peer: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = Request::post("/api/v1/auth/sso/header");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn me(router: &Router, token: &str) -> (StatusCode, Value) {
    let request = Request::get("/api/v1/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn count(storage: &Storage, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&storage.pool)
        .await
        .unwrap()
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

async fn the_proxys_header_signs_in_and_nobody_elses_is_read(backend: Backend) {
    let w = world(backend).await;
    let router = router(&w, Some(false));
    let sessions = "SELECT COUNT(*) FROM sessions";

    let (status, body) = sso(&router, PROXY, &[(HEADER, " Zhang ")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["login"], "zhang");
    let token = body["token"].as_str().unwrap();
    let (status, who) = me(&router, token).await;
    assert_eq!(
        (status, who["name"].as_str()),
        (StatusCode::OK, Some("张三"))
    );
    let after_proxy = count(&w.storage, sessions).await;

    // From outside, the same header is not read; nor when it claims the proxy forwarded it.
    for headers in [
        vec![(HEADER, "zhang")],
        vec![(HEADER, "zhang"), ("x-forwarded-for", PROXY)],
    ] {
        let (status, body) = sso(&router, OUTSIDER, &headers).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(
            message(&body).contains("through the company's portal"),
            "{body}"
        );
        assert!(body.get("token").is_none());
    }
    assert_eq!(count(&w.storage, sessions).await, after_proxy);

    // From the proxy, a request that names nobody, or two people, signs nobody in.
    let (status, body) = sso(&router, PROXY, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("x-remote-user"), "{body}");
    let (status, _) = sso(&router, PROXY, &[(HEADER, "zhang"), (HEADER, "li")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = sso(&router, PROXY, &[(HEADER, "   ")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Unknown logins are refused when the server makes no accounts; a disabled one stays so.
    let (status, body) = sso(&router, PROXY, &[(HEADER, "wang")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message(&body).contains("no Yingxiao account"), "{body}");
    let (status, body) = sso(&router, PROXY, &[(HEADER, "li")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message(&body).contains("disabled"), "{body}");
    assert_eq!(count(&w.storage, sessions).await, after_proxy);

    // Not configured, the endpoint is not there.
    let (status, _) = sso(&router_without(&w), PROXY, &[(HEADER, "zhang")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn router_without(w: &World) -> Router {
    router(w, None)
}

async fn unknown_logins_get_one_account_when_configured_and_disabled_ones_do_not(backend: Backend) {
    let w = world(backend).await;
    let router = router(&w, Some(true));
    let users = "SELECT COUNT(*) FROM accounts";
    let before = count(&w.storage, users).await;

    let (status, body) = sso(&router, PROXY, &[(HEADER, "Wang.Wu")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["login"], "wang.wu");
    assert_eq!(body["user"]["role"], "sales_rep");
    let first = body["user"]["user_id"].clone();
    let (status, again) = sso(&router, PROXY, &[(HEADER, "wang.wu")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["user"]["user_id"], first);
    assert_eq!(count(&w.storage, users).await, before + 1);

    // The disabled account is neither brought back nor made again.
    let (status, body) = sso(&router, PROXY, &[(HEADER, "li")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(count(&w.storage, users).await, before + 1);
    // From outside, nobody is made.
    let (status, _) = sso(&router, OUTSIDER, &[(HEADER, "zhao")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(count(&w.storage, users).await, before + 1);
}

on_both_backends!(
    the_proxys_header_signs_in_and_nobody_elses_is_read,
    unknown_logins_get_one_account_when_configured_and_disabled_ones_do_not,
);
