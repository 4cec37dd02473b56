//! OpenID Connect sign-in against a real provider (npm's oidc-provider, started here by node: the
//! test command sets `YINGXIAO_TEST_OIDC_PROVIDER` to `end2end/oidc/provider.mjs`), through the
//! real router on SQLite and PostgreSQL. A browser is played by an HTTP client with cookies that
//! walks the provider's sign-in and consent pages. The sign-in makes a session for the login the
//! provider names; a made-up or replayed state and a token whose nonce is not the sign-in's are
//! refused, and the one-time code works once.

mod common;

use common::{post, Backend};

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use serde_json::json;
use tower::ServiceExt;
use yingxiao_core::{base_path::BasePath, scope::Role};
use yingxiao_server::{
    admin, app,
    http::WebApp,
    oidc::OidcConfig,
    storage::{Storage, StorageArgs},
    AppState,
};

const REDIRECT: &str = "http://127.0.0.1:9/api/v1/auth/oidc/callback";

/// The provider, stopped when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_provider() -> Option<Provider> {
    let Ok(script) = std::env::var("YINGXIAO_TEST_OIDC_PROVIDER") else {
        eprintln!(
            "note: OpenID case not run (set YINGXIAO_TEST_OIDC_PROVIDER; the test command does)"
        );
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("node")
        .arg(&script)
        .arg(port.to_string())
        .arg(REDIRECT)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs the provider");
    let provider = Provider {
        child,
        issuer: format!("http://127.0.0.1:{port}"),
    };
    let discovery = format!("{}/.well-known/openid-configuration", provider.issuer);
    for _ in 0..100 {
        if reqwest::get(&discovery)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Some(provider);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the OpenID provider did not start at {}", provider.issuer);
}

struct World {
    _dir: tempfile::TempDir,
    storage: Storage,
    router: Router,
}

async fn world(backend: Backend, issuer: &str) -> World {
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
    admin::ensure_company(&storage, "示例公司").await.unwrap();
    let config = OidcConfig {
        issuer: issuer.to_owned(),
        client_id: "yingxiao".into(),
        client_secret: Some("yingxiao-test-secret".into()),
        redirect_uri: REDIRECT.into(),
        login_claim: "preferred_username".into(),
        create: Some((Role::SalesRep, None)),
    };
    let router = app(AppState::new(
        storage.clone(),
        WebApp::load(&dist, BasePath::root()).unwrap(),
    )
    .with_oidc(Some(config)));
    World {
        _dir: dir,
        storage,
        router,
    }
}

/// A GET through the router; the status and the `Location` header.
async fn get(router: &Router, path: &str) -> (StatusCode, String) {
    let response = router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status(), location)
}

/// Plays the browser at the provider from `url` on: signs in as `login`, consents, and returns the
/// query of the redirect back to this server's callback.
async fn walk_provider(issuer: &str, url: &str, login: &str) -> String {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let absolute = |location: &str| {
        if location.starts_with("http") {
            location.to_owned()
        } else {
            format!("{issuer}{location}")
        }
    };
    let mut next = url.to_owned();
    for _ in 0..12 {
        if let Some(query) = next.strip_prefix(&format!("{REDIRECT}?")) {
            return query.to_owned();
        }
        let response = browser.get(&next).send().await.unwrap();
        if let Some(location) = response.headers().get(header::LOCATION) {
            next = absolute(location.to_str().unwrap());
            continue;
        }
        // A page with a form: the sign-in (any password) or the consent.
        let page = response.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("a form on {next}: {page}"))
            .to_owned();
        let form: Vec<(&str, &str)> = if page.contains("value=\"login\"") {
            vec![("prompt", "login"), ("login", login), ("password", "any")]
        } else {
            vec![("prompt", "consent")]
        };
        let response = browser
            .post(absolute(&action))
            .form(&form)
            .send()
            .await
            .unwrap();
        next = absolute(
            response
                .headers()
                .get(header::LOCATION)
                .unwrap_or_else(|| panic!("the form at {action} redirects"))
                .to_str()
                .unwrap(),
        );
    }
    panic!("the provider never sent the browser back");
}

fn param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn signing_in_with_the_provider_makes_a_session_and_forged_steps_are_refused(
    backend: Backend,
) {
    let Some(provider) = start_provider().await else {
        return;
    };
    let w = world(backend, &provider.issuer).await;

    // The sign-in page's button: to the provider, with PKCE, a state and a nonce.
    let (status, to_provider) = get(&w.router, "/api/v1/auth/oidc/start?next=%2Ffunnel").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        to_provider.starts_with(&format!("{}/auth?", provider.issuer)),
        "{to_provider}"
    );
    assert_eq!(
        param(&to_provider, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let back = walk_provider(&provider.issuer, &to_provider, "Wang.Wu").await;

    // Back from the provider: on to the sign-in page with a one-time code and the page to open.
    let callback = format!("/api/v1/auth/oidc/callback?{back}");
    let (status, to_app) = get(&w.router, &callback).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to_app.starts_with("/login?"), "{to_app}");
    assert_eq!(param(&to_app, "next").as_deref(), Some("/funnel"));
    let code = param(&to_app, "oidc").expect("a one-time code");
    let (status, session) = post(
        &w.router,
        "/api/v1/auth/oidc/session",
        None,
        json!({"code": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["user"]["login"], "wang.wu");
    assert_eq!(session["user"]["role"], "sales_rep");
    let me = w
        .router
        .clone()
        .oneshot(
            Request::get("/api/v1/me")
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", session["token"].as_str().unwrap()),
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    // The code works once.
    let (status, _) = post(
        &w.router,
        "/api/v1/auth/oidc/session",
        None,
        json!({"code": code}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The same callback again (a replayed state), or one with a state never sent: refused.
    let (_, replayed) = get(&w.router, &callback).await;
    assert_eq!(
        param(&replayed, "oidc_error").as_deref(),
        Some("expired"),
        "{replayed}"
    );
    let (_, made_up) = get(
        &w.router,
        "/api/v1/auth/oidc/callback?code=abc&state=not-one-of-ours",
    )
    .await;
    assert_eq!(param(&made_up, "oidc_error").as_deref(), Some("expired"));

    // A token whose nonce is not the sign-in's (the stored nonce is forged before the callback).
    let (_, to_provider) = get(&w.router, "/api/v1/auth/oidc/start?next=%2F").await;
    let back = walk_provider(&provider.issuer, &to_provider, "wang.wu").await;
    sqlx::query("UPDATE oidc_logins SET nonce = 'forged'")
        .execute(&w.storage.pool)
        .await
        .unwrap();
    let (_, refused) = get(&w.router, &format!("/api/v1/auth/oidc/callback?{back}")).await;
    assert_eq!(
        param(&refused, "oidc_error").as_deref(),
        Some("invalid"),
        "{refused}"
    );
    assert_eq!(param(&refused, "oidc"), None);

    // The provider's refusal is said as such; a next that is not an app path is not started.
    let (_, to_provider) = get(&w.router, "/api/v1/auth/oidc/start").await;
    let state = param(&to_provider, "state").unwrap();
    let (_, denied) = get(
        &w.router,
        &format!("/api/v1/auth/oidc/callback?error=access_denied&state={state}"),
    )
    .await;
    assert_eq!(param(&denied, "oidc_error").as_deref(), Some("refused"));
    let (status, _) = get(
        &w.router,
        "/api/v1/auth/oidc/start?next=https%3A%2F%2Fevil.example%2F",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

on_both_backends!(signing_in_with_the_provider_makes_a_session_and_forged_steps_are_refused,);
