//! Router tests through `tower::ServiceExt::oneshot`: the real router, a real SQLite file and, when the
//! test command provides one, a real PostgreSQL; no socket needed.

use std::path::Path;

use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use tower::ServiceExt;
use yingxiao_core::{base_path::BasePath, health::Health};
use yingxiao_server::{
    app,
    http::{WebApp, WebAppError},
    storage::{Storage, StorageArgs},
    AppState,
};

const INDEX: &str = r#"<!doctype html><html><head><base href="/" /><link rel="modulepreload" href="./yingxiao-0123456789abcdef.js"></head><body></body></html>"#;
const HASHED_JS: &str = "yingxiao-0123456789abcdef.js";

/// A throwaway built app and data directory.
struct Fixture {
    _dir: tempfile::TempDir,
    router: Router,
}

fn write_dist(dir: &Path) {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    // Large and repetitive enough that compression is worth it.
    std::fs::write(
        dist.join(HASHED_JS),
        "export function start() {}\n".repeat(200),
    )
    .unwrap();
    std::fs::write(
        dist.join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    std::fs::write(dist.join("sw.js"), "const VERSION = '0123456789abcdef';\n").unwrap();
    std::fs::write(
        dist.join("manifest.webmanifest"),
        r#"{"name":"营销 Yingxiao","start_url":"./","scope":"./"}"#,
    )
    .unwrap();
}

async fn fixture_with(base: &str, database_url: Option<String>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url,
    })
    .await
    .unwrap();
    let web = WebApp::load(&dir.path().join("dist"), BasePath::parse(base).unwrap()).unwrap();
    Fixture {
        _dir: dir,
        router: app(AppState::new(storage, web)),
    }
}

async fn fixture(base: &str) -> Fixture {
    fixture_with(base, None).await
}

/// The PostgreSQL the test command started, or `None` (with a loud note) when run by hand without one.
fn postgres_url() -> Option<String> {
    match std::env::var("YINGXIAO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("YINGXIAO_REQUIRE_POSTGRES").is_some() => {
            panic!("YINGXIAO_REQUIRE_POSTGRES is set but YINGXIAO_TEST_POSTGRES_URL is not")
        }
        _ => {
            eprintln!(
                "note: YINGXIAO_TEST_POSTGRES_URL unset; PostgreSQL case not run (scripts/test.sh runs it)"
            );
            None
        }
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(router: &Router, uri: &str) -> Reply {
    send(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn assert_health_reports(router: &Router, database: &str) {
    let reply = get(router, "/api/v1/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .header(header::CONTENT_TYPE)
        .starts_with("application/json"));
    let health: Health = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(health.version, yingxiao_core::VERSION);
    assert_eq!(reply.json()["status"], "ok");
    assert_eq!(reply.json()["database"], database);
}

#[tokio::test]
async fn health_reports_version_and_a_live_sqlite_database() {
    let fx = fixture("/").await;
    assert_health_reports(&fx.router, "sqlite").await;
}

#[tokio::test]
async fn health_reports_version_and_a_live_postgres_database() {
    let Some(url) = postgres_url() else { return };
    let fx = fixture_with("/", Some(url)).await;
    assert_health_reports(&fx.router, "postgres").await;
}

#[tokio::test]
async fn health_says_degraded_with_503_when_the_database_is_gone() {
    let fx = fixture("/").await;
    let storage = Storage::open(&StorageArgs {
        data_dir: fx._dir.path().join("other"),
        database_url: None,
    })
    .await
    .unwrap();
    storage.close().await;
    let web = WebApp::load(&fx._dir.path().join("dist"), BasePath::root()).unwrap();
    let router = app(AppState::new(storage, web));
    let reply = get(&router, "/api/v1/health").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["status"], "degraded");
}

#[tokio::test]
async fn sqlite_database_is_created_in_wal_mode_under_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("nested").join("data");
    let storage = Storage::open(&StorageArgs {
        data_dir: data_dir.clone(),
        database_url: None,
    })
    .await
    .unwrap();
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&storage.pool)
        .await
        .unwrap();
    assert_eq!(mode.0.to_lowercase(), "wal");
    assert!(data_dir
        .join(yingxiao_server::storage::SQLITE_FILE)
        .exists());
}

#[tokio::test]
async fn a_non_postgres_database_url_is_refused_with_a_message() {
    let err = Storage::open(&StorageArgs {
        data_dir: "./unused".into(),
        database_url: Some("mysql://localhost/x".into()),
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("postgres://"), "{err}");
}

#[tokio::test]
async fn client_route_deep_link_loads_index_html_without_caching() {
    let fx = fixture("/").await;
    for path in [
        "/",
        "/funnel",
        "/customers/0193b3c4-7a1e-7000-8000-000000000001",
        "/settings",
    ] {
        let reply = get(&fx.router, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.header(header::CACHE_CONTROL), "no-cache", "{path}");
        assert!(
            reply.header(header::CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert!(reply.text().contains(r#"<base href="/""#), "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_plain_files_are_not() {
    let fx = fixture("/").await;
    let js = get(&fx.router, &format!("/{HASHED_JS}")).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(js.header(header::CONTENT_TYPE).contains("javascript"));
    let icon = get(&fx.router, "/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header(header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn service_worker_and_manifest_are_revalidated_and_typed_at_the_root_and_under_a_sub_path() {
    for (base, prefix) in [("/", ""), ("/yingxiao", "/yingxiao")] {
        let fx = fixture(base).await;
        // A cached sw.js would hold back every update; the browser needs a JavaScript type to run it.
        let worker = get(&fx.router, &format!("{prefix}/sw.js")).await;
        assert_eq!(worker.status, StatusCode::OK, "{base}");
        assert_eq!(worker.header(header::CACHE_CONTROL), "no-cache", "{base}");
        assert!(
            worker
                .header(header::CONTENT_TYPE)
                .starts_with("text/javascript"),
            "{base}: {}",
            worker.header(header::CONTENT_TYPE)
        );
        // Served beside index.html, the worker's default scope is the base path: no extra header.
        assert!(worker.headers.get("service-worker-allowed").is_none());

        let manifest = get(&fx.router, &format!("{prefix}/manifest.webmanifest")).await;
        assert_eq!(manifest.status, StatusCode::OK, "{base}");
        assert_eq!(manifest.header(header::CACHE_CONTROL), "no-cache", "{base}");
        assert!(
            manifest
                .header(header::CONTENT_TYPE)
                .starts_with("application/manifest+json"),
            "{base}: {}",
            manifest.header(header::CONTENT_TYPE)
        );
        assert!(manifest.text().contains(r#""start_url":"./""#));
    }
}

/// A new build's sw.js must reach a browser that revalidates the old one even when the file's
/// modification time did not move: written in the same second as the last copy, or unpacked by a deploy
/// tool that sets every mtime alike. Otherwise a `304 Not Modified` would hold back the update.
#[tokio::test]
async fn a_new_service_worker_with_the_same_mtime_is_not_answered_not_modified() {
    let fx = fixture("/").await;
    let first = get(&fx.router, "/sw.js").await;
    assert_eq!(first.status, StatusCode::OK);
    let path = fx._dir.path().join("dist").join("sw.js");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, "const VERSION = 'fedcba9876543210';\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();

    // What a browser sends when it checks for an update of a worker it has in its HTTP cache.
    let mut revalidate = Request::get("/sw.js");
    for name in [header::LAST_MODIFIED, header::ETAG] {
        if let Some(value) = first.headers.get(&name) {
            let condition = if name == header::ETAG {
                header::IF_NONE_MATCH
            } else {
                header::IF_MODIFIED_SINCE
            };
            revalidate = revalidate.header(condition, value.clone());
        }
    }
    let second = send(&fx.router, revalidate.body(Body::empty()).unwrap()).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.text(), "const VERSION = 'fedcba9876543210';\n");
}

#[tokio::test]
async fn a_missing_asset_is_404_not_index_html() {
    let fx = fixture("/").await;
    let reply = get(&fx.router, "/yingxiao-ffffffffffffffff.js").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(!reply.text().contains("<html"));
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404_never_index_html() {
    let fx = fixture("/").await;
    for path in ["/api/v1/nope", "/api", "/api/v2/health"] {
        let reply = get(&fx.router, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            reply
                .header(header::CONTENT_TYPE)
                .starts_with("application/json"),
            "{path}"
        );
        assert_eq!(reply.json()["error"]["code"], "not_found", "{path}");
        assert!(reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains(path));
    }
}

#[tokio::test]
async fn wrong_method_on_an_api_route_is_json_405() {
    let fx = fixture("/").await;
    let reply = send(
        &fx.router,
        Request::post("/api/v1/health").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json()["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn writes_to_client_routes_are_refused() {
    let fx = fixture("/").await;
    let reply = send(
        &fx.router,
        Request::post("/funnel").body(Body::from("x")).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn path_traversal_cannot_leave_the_dist_directory() {
    let fx = fixture("/").await;
    for path in [
        "/../data/yingxiao.sqlite3",
        "/%2e%2e/data/yingxiao.sqlite3",
        "/..%2fdata%2fyingxiao.sqlite3",
    ] {
        let reply = get(&fx.router, path).await;
        assert_ne!(reply.status, StatusCode::OK, "{path}");
        assert!(!reply.text().contains("SQLite"), "{path}");
    }
}

#[tokio::test]
async fn responses_are_compressed_with_brotli_or_gzip_when_accepted() {
    let fx = fixture("/").await;
    for encoding in ["br", "gzip"] {
        let reply = send(
            &fx.router,
            Request::get(format!("/{HASHED_JS}"))
                .header(header::ACCEPT_ENCODING, encoding)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header(header::CONTENT_ENCODING), encoding);
        assert!(
            reply.body.len() < 200 * 27 / 4,
            "{encoding} did not shrink the body"
        );
    }
}

#[tokio::test]
async fn the_builds_brotli_copy_goes_out_as_it_is_to_browsers_that_accept_it() {
    let fx = fixture("/").await;
    let dist = fx._dir.path().join("dist");
    let original = std::fs::read(dist.join(HASHED_JS)).unwrap();
    // What scripts/precompress.sh would write; any bytes do to see which file was sent.
    let copy = b"the build's brotli copy".to_vec();
    std::fs::write(dist.join(format!("{HASHED_JS}.br")), &copy).unwrap();
    let fetch = |encoding: &'static str| {
        let router = fx.router.clone();
        async move {
            send(
                &router,
                Request::get(format!("/{HASHED_JS}"))
                    .header(header::ACCEPT_ENCODING, encoding)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };

    let brotli = fetch("gzip, deflate, br").await;
    assert_eq!(brotli.status, StatusCode::OK);
    assert_eq!(brotli.header(header::CONTENT_ENCODING), "br");
    assert_eq!(brotli.header(header::CONTENT_TYPE), "text/javascript");
    assert_eq!(
        brotli.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(brotli.body, copy);

    // A browser without brotli gets the file itself, compressed on the fly as before.
    let gzip = fetch("gzip").await;
    assert_eq!(gzip.header(header::CONTENT_ENCODING), "gzip");
    let plain = fetch("identity").await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), "");
    assert_eq!(plain.body, original);
}

#[tokio::test]
async fn under_a_sub_path_everything_lives_below_it() {
    let fx = fixture("/yingxiao").await;

    let index = get(&fx.router, "/yingxiao/funnel").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.text().contains(r#"<base href="/yingxiao/""#));

    let health = get(&fx.router, "/yingxiao/api/v1/health").await;
    assert_eq!(health.status, StatusCode::OK);

    let asset = get(&fx.router, &format!("/yingxiao/{HASHED_JS}")).await;
    assert_eq!(asset.status, StatusCode::OK);

    let api_404 = get(&fx.router, "/yingxiao/api/v1/nope").await;
    assert_eq!(api_404.status, StatusCode::NOT_FOUND);
    assert_eq!(api_404.json()["error"]["code"], "not_found");

    for outside in ["/", "/funnel", "/api/v1/health", "/yingxiaox/funnel"] {
        assert_eq!(
            get(&fx.router, outside).await.status,
            StatusCode::NOT_FOUND,
            "{outside}"
        );
    }
}

#[tokio::test]
async fn the_bare_sub_path_redirects_to_its_trailing_slash() {
    let fx = fixture("/yingxiao").await;
    let reply = get(&fx.router, "/yingxiao?from=portal").await;
    assert_eq!(reply.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(reply.header(header::LOCATION), "/yingxiao/?from=portal");
}

#[tokio::test]
async fn head_requests_are_answered_like_get_without_a_body() {
    let fx = fixture("/").await;
    let reply = send(
        &fx.router,
        Request::builder()
            .method(Method::HEAD)
            .uri("/funnel")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.is_empty());
}

#[test]
fn an_unbuilt_app_is_reported_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let err = WebApp::load(dir.path(), BasePath::root()).unwrap_err();
    assert!(matches!(err, WebAppError::MissingIndex { .. }));
    assert!(err.to_string().contains("build the web app"), "{err}");
}

#[test]
fn an_index_without_the_base_element_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html><head></head></html>").unwrap();
    let err = WebApp::load(dir.path(), BasePath::root()).unwrap_err();
    assert!(matches!(err, WebAppError::MissingBaseTag { .. }));
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_under_the_base_path() {
    let fx = fixture("/yingxiao").await;
    let reply = get(&fx.router, "/yingxiao/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["servers"][0]["url"], "/yingxiao/");
    for path in [
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/sync/push",
        "/api/v1/sync/pull",
        "/api/v1/attachments/{hash}",
        "/api/v1/attachments/{hash}/upload",
        "/api/v1/openapi.json",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the document"
        );
    }
    for schema in [
        "PushRequest",
        "PullResponse",
        "Mutation",
        "Collection",
        "ErrorBody",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}
