//! What the database-backed test files share: the two back ends, a fresh PostgreSQL database per
//! test, the macro that runs each scenario on both, and a JSON POST through the router.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Where a scenario runs.
#[derive(Clone)]
pub enum Backend {
    Sqlite,
    /// The server URL of the throwaway cluster the test command started.
    Postgres(String),
}

/// The PostgreSQL back end, if the test command provides one; required when it says so.
pub fn postgres() -> Option<Backend> {
    match std::env::var("YINGXIAO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
        _ if std::env::var_os("YINGXIAO_REQUIRE_POSTGRES").is_some() => {
            panic!("YINGXIAO_REQUIRE_POSTGRES is set but YINGXIAO_TEST_POSTGRES_URL is not")
        }
        _ => None,
    }
}

/// A new empty PostgreSQL database on the cluster of `base_url`, so tests never see each other's data.
pub async fn fresh_postgres(base_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("yx_{}", yingxiao_server::admin::new_id().replace('-', ""));
    let mut conn = sqlx::PgConnection::connect(base_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (prefix, _) = base_url.rsplit_once('/').unwrap();
    format!("{prefix}/{name}")
}

impl Backend {
    /// The `DATABASE_URL` for a fresh database of this back end (`None`: SQLite in the data dir).
    pub async fn database_url(&self) -> Option<String> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres(url) => Some(fresh_postgres(url).await),
        }
    }
}

/// Runs each named scenario (`async fn name(backend: Backend)`) on SQLite and, when available, on
/// PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                super::$name($crate::common::Backend::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                match $crate::common::postgres() {
                    Some(backend) => super::$name(backend).await,
                    None => eprintln!("note: PostgreSQL case not run (set YINGXIAO_TEST_POSTGRES_URL)"),
                }
            })*
        }
    };
}

/// POSTs JSON through the router (no socket), with a bearer token if given; the status and the JSON
/// body (`null` when there is none).
#[allow(dead_code)] // not every test file posts
pub async fn post(
    router: &Router,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}
