//! Sign-in throttling and sessions through the real router, on SQLite and PostgreSQL: delays that
//! grow per (account, address) pair, per address and per account, never a lock the owner cannot get
//! past; counting that parallel attempts cannot overrun; `X-Forwarded-For` believed only from trusted
//! proxies; sign-out of a token that is no session. Time is a manual clock the tests move.

mod common;

use common::Backend;

use std::{net::SocketAddr, time::Duration};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use yingxiao_core::{base_path::BasePath, scope::Role};
use yingxiao_server::{
    admin::{self, NewUser},
    app,
    auth::now_millis,
    http::WebApp,
    proxies::TrustedProxies,
    sign_in_limits::{self, Clock},
    storage::{Storage, StorageArgs},
    AppState,
};

const PASSWORD: &str = "correct-horse-42";
const WRONG: &str = "wrong-horse-42";
/// The owner's address, an attacker's, and a reverse proxy's (documentation ranges).
const OWNER_HOME: &str = "198.51.100.10";
const ATTACKER: &str = "203.0.113.66";
const PROXY: &str = "10.0.0.1";

struct World {
    _dir: tempfile::TempDir,
    storage: Storage,
    router: Router,
    clock: Clock,
}

/// A company with the account `owner`, served with a manual clock and `PROXY` trusted.
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
    admin::add_user(
        &storage,
        NewUser {
            login: "owner",
            name: "店主",
            role: Role::SalesRep,
            unit: Some(&company),
            password: PASSWORD,
        },
    )
    .await
    .unwrap();
    let clock = Clock::manual(now_millis());
    let state = AppState::new(
        storage.clone(),
        WebApp::load(&dist, BasePath::root()).unwrap(),
    )
    .with_clock(clock.clone())
    .with_trusted_proxies(TrustedProxies::parse(PROXY).unwrap());
    World {
        _dir: dir,
        storage,
        router: app(state),
        clock,
    }
}

struct Reply {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

impl Reply {
    fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }
}

/// A request as it arrives from `peer` (a socket address, as `serve` gives every request).
async fn send(router: &Router, mut request: Request<Body>, peer: &str) -> Reply {
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        retry_after,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn login_request(login: &str, password: &str, forwarded_for: Option<&str>) -> Request<Body> {
    let mut request =
        Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json");
    if let Some(chain) = forwarded_for {
        request = request.header("x-forwarded-for", chain);
    }
    let body = json!({"login": login, "password": password}).to_string();
    request.body(Body::from(body)).unwrap()
}

async fn sign_in(w: &World, password: &str, peer: &str) -> Reply {
    send(&w.router, login_request("owner", password, None), peer).await
}

fn assert_waits(reply: &Reply, seconds: u64) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    assert_eq!(reply.retry_after, Some(seconds), "{}", reply.body);
    let said = if seconds == 1 {
        "wait 1 second".to_owned()
    } else {
        format!("wait {seconds} seconds")
    };
    assert!(reply.message().contains(&said), "{}", reply.message());
}

/// Wrong passwords from `peer` until `failures` of them were checked, waiting out every 429 on the
/// manual clock as a patient attacker would.
async fn fail_patiently(w: &World, peer: &str, failures: usize) {
    let mut failed = 0;
    while failed < failures {
        let reply = sign_in(w, WRONG, peer).await;
        match reply.status {
            StatusCode::UNAUTHORIZED => failed += 1,
            StatusCode::TOO_MANY_REQUESTS => w
                .clock
                .advance(Duration::from_secs(reply.retry_after.unwrap())),
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
}

async fn the_owner_signs_in_from_their_own_address_while_an_attacker_elsewhere_has_failed_50_times(
    backend: Backend,
) {
    let w = world(backend).await;
    fail_patiently(&w, ATTACKER, 50).await;
    let attacker_again = sign_in(&w, PASSWORD, ATTACKER).await;
    assert_eq!(
        attacker_again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker's own address waits, even with the right password"
    );
    assert!(attacker_again.retry_after.unwrap() >= 60);
    let owner = sign_in(&w, PASSWORD, OWNER_HOME).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
    assert!(owner.body["token"].is_string());
}

async fn the_wait_of_a_pair_grows_and_the_right_password_clears_it(backend: Backend) {
    let w = world(backend).await;
    for _ in 0..3 {
        assert_eq!(
            sign_in(&w, WRONG, ATTACKER).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_waits(&sign_in(&w, PASSWORD, ATTACKER).await, 1);
    for wait in [1, 2, 4] {
        w.clock.advance(Duration::from_millis(999));
        assert_waits(&sign_in(&w, WRONG, ATTACKER).await, wait);
        w.clock
            .advance(Duration::from_secs(wait) - Duration::from_millis(999));
        assert_eq!(
            sign_in(&w, WRONG, ATTACKER).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_waits(&sign_in(&w, WRONG, ATTACKER).await, wait * 2);
    }
    w.clock.advance(Duration::from_secs(8));
    assert_eq!(sign_in(&w, PASSWORD, ATTACKER).await.status, StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(
            sign_in(&w, WRONG, ATTACKER).await.status,
            StatusCode::UNAUTHORIZED,
            "a right password gave the pair its free tries back"
        );
    }
    assert_waits(&sign_in(&w, WRONG, ATTACKER).await, 1);
}

async fn parallel_wrong_attempts_never_pass_the_limit(backend: Backend) {
    let w = world(backend).await;
    let attempts: Vec<_> = (0..20)
        .map(|_| {
            let router = w.router.clone();
            tokio::spawn(async move {
                send(&router, login_request("owner", WRONG, None), ATTACKER).await
            })
        })
        .collect();
    let mut checked = 0;
    for attempt in attempts {
        let reply = attempt.await.unwrap();
        match reply.status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => assert!(reply.retry_after.is_some()),
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    assert_eq!(
        checked, 3,
        "exactly the three free tries had their password checked"
    );
}

async fn guessing_spread_over_many_addresses_is_slowed_but_not_where_the_owner_signed_in_before(
    backend: Backend,
) {
    let w = world(backend).await;
    assert_eq!(
        sign_in(&w, PASSWORD, OWNER_HOME).await.status,
        StatusCode::OK
    );
    for i in 0..100 {
        let peer = format!("192.0.2.{}", i + 1);
        let reply = sign_in(&w, WRONG, &peer).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let elsewhere = sign_in(&w, PASSWORD, "192.0.2.200").await;
    assert_waits(&elsewhere, 1);
    assert!(elsewhere.message().contains("many addresses"));
    let owner = sign_in(&w, PASSWORD, OWNER_HOME).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

async fn one_address_trying_many_accounts_is_slowed(backend: Backend) {
    let w = world(backend).await;
    for i in 0..30 {
        let request = login_request(&format!("guess{i}"), WRONG, None);
        assert_eq!(
            send(&w.router, request, ATTACKER).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let reply = send(&w.router, login_request("guess99", WRONG, None), ATTACKER).await;
    assert_waits(&reply, 1);
    assert!(reply
        .message()
        .contains("failed sign-ins from your address"));
    assert_eq!(
        sign_in(&w, PASSWORD, OWNER_HOME).await.status,
        StatusCode::OK
    );
}

async fn forwarded_for_is_ignored_from_untrusted_peers_and_believed_from_trusted_proxies(
    backend: Backend,
) {
    let w = world(backend).await;
    // A client writing a new X-Forwarded-For each time is still counted by its own address.
    for i in 1..=3 {
        let spoofed = format!("198.51.100.{i}");
        let reply = send(
            &w.router,
            login_request("owner", WRONG, Some(&spoofed)),
            ATTACKER,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let spoofed = send(
        &w.router,
        login_request("owner", WRONG, Some("198.51.100.4")),
        ATTACKER,
    );
    assert_waits(&spoofed.await, 1);

    // Behind the proxy, each client is counted by the address the proxy saw, not all as one.
    for _ in 0..3 {
        let request = login_request("owner", WRONG, Some("192.0.2.20"));
        assert_eq!(
            send(&w.router, request, PROXY).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let same_client = login_request("owner", WRONG, Some("6.6.6.6, 192.0.2.20"));
    assert_waits(&send(&w.router, same_client, PROXY).await, 1);
    let other_client = login_request("owner", PASSWORD, Some("192.0.2.21"));
    assert_eq!(
        send(&w.router, other_client, PROXY).await.status,
        StatusCode::OK
    );
}

async fn logout_of_a_made_up_token_is_401_and_a_real_session_ends_once(backend: Backend) {
    let w = world(backend).await;
    let logout = |token: String| {
        let request = Request::post("/api/v1/auth/logout")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        send(&w.router, request, OWNER_HOME)
    };
    let made_up = logout("made-up-token".into()).await;
    assert_eq!(made_up.status, StatusCode::UNAUTHORIZED);
    assert_eq!(made_up.body["error"]["code"], "unauthorized");
    let token = sign_in(&w, PASSWORD, OWNER_HOME).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(logout(token.clone()).await.status, StatusCode::NO_CONTENT);
    assert_eq!(logout(token).await.status, StatusCode::UNAUTHORIZED);
}

async fn counters_are_forgotten_after_a_quiet_day_but_known_addresses_are_kept(backend: Backend) {
    let w = world(backend).await;
    assert_eq!(
        sign_in(&w, PASSWORD, OWNER_HOME).await.status,
        StatusCode::OK
    );
    assert_eq!(
        sign_in(&w, WRONG, ATTACKER).await.status,
        StatusCode::UNAUTHORIZED
    );
    let count = |storage: Storage| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sign_in_throttle")
            .fetch_one(&storage.pool)
            .await
            .unwrap()
    };
    assert_eq!(
        count(w.storage.clone()).await,
        5,
        "2 pairs, 2 addresses, 1 account"
    );
    let mut conn = w.storage.writer().await.unwrap();
    let tomorrow = w.clock.now_millis() + 25 * 3_600_000;
    let forgotten = sign_in_limits::forget_old(&mut conn, tomorrow)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(forgotten, 4);
    assert_eq!(
        count(w.storage.clone()).await,
        1,
        "the owner's own pair stays known"
    );
}

async fn login_limits_count_characters_and_the_openapi_document_states_every_enforced_limit(
    backend: Backend,
) {
    let w = world(backend).await;
    let long = "营".repeat(64);
    let reply = send(&w.router, login_request(&long, WRONG, None), OWNER_HOME).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "64 characters are allowed"
    );
    let too_long = "a".repeat(65);
    let reply = send(&w.router, login_request(&too_long, WRONG, None), OWNER_HOME).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let request = Request::get("/api/v1/openapi.json")
        .body(Body::empty())
        .unwrap();
    let doc = send(&w.router, request, OWNER_HOME).await.body;
    let schema = &doc["components"]["schemas"]["LoginRequest"]["properties"];
    assert_eq!(schema["login"]["maxLength"], 64, "{schema}");
    assert_eq!(schema["login"]["minLength"], 1, "{schema}");
    assert_eq!(schema["password"]["maxLength"], 1024, "{schema}");
    assert!(
        schema["login"]["pattern"].is_string(),
        "blank logins are refused"
    );
    let pull_limit = &doc["components"]["schemas"]["PullRequest"]["properties"]["limit"];
    assert_eq!(
        (&pull_limit["minimum"], &pull_limit["maximum"]),
        (&json!(1), &json!(5000))
    );
}

on_both_backends!(
    the_owner_signs_in_from_their_own_address_while_an_attacker_elsewhere_has_failed_50_times,
    the_wait_of_a_pair_grows_and_the_right_password_clears_it,
    parallel_wrong_attempts_never_pass_the_limit,
    guessing_spread_over_many_addresses_is_slowed_but_not_where_the_owner_signed_in_before,
    one_address_trying_many_accounts_is_slowed,
    forwarded_for_is_ignored_from_untrusted_peers_and_believed_from_trusted_proxies,
    logout_of_a_made_up_token_is_401_and_a_real_session_ends_once,
    counters_are_forgotten_after_a_quiet_day_but_known_addresses_are_kept,
    login_limits_count_characters_and_the_openapi_document_states_every_enforced_limit,
);
