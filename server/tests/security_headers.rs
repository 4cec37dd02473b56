//! Security headers on every answer, through the real router: the API's (nothing may load), the web
//! app's Content-Security-Policy with the hash of the inline script trunk writes into `index.html`,
//! and `nosniff` / `no-referrer` everywhere, on SQLite and PostgreSQL.

mod common;

use common::Backend;

use axum::{
    body::Body,
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use base64::Engine;
use sha2::Digest;
use tower::ServiceExt;
use yingxiao_core::{
    base_path::BasePath,
    brand::BrandSpec,
    embed::{FrameAncestors, PageConfig},
};
use yingxiao_server::{
    app,
    http::WebApp,
    storage::{Storage, StorageArgs},
    AppState,
};

/// The module script trunk 0.21 writes inline to start the wasm app.
const BOOTSTRAP: &str = "\nimport init, * as bindings from './yingxiao-0123456789abcdef.js';\n\
const wasm = await init({ module_or_path: './yingxiao-0123456789abcdef_bg.wasm' });\n\n\
window.wasmBindings = bindings;\n\n\
dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));\n";

fn index_html() -> String {
    format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8" /><base href="/" />
<link rel="modulepreload" href="./yingxiao-0123456789abcdef.js" crossorigin="anonymous" integrity="sha384-x">
<link rel="preload" href="./yingxiao-0123456789abcdef_bg.wasm" crossorigin="anonymous" integrity="sha384-y" as="fetch" type="application/wasm">
<script type="module">{BOOTSTRAP}</script></head><body></body></html>"#
    )
}

async fn router(backend: Backend, dir: &tempfile::TempDir, base: &str) -> Router {
    framed_router(backend, dir, base, FrameAncestors::same_origin()).await
}

async fn framed_router(
    backend: Backend,
    dir: &tempfile::TempDir,
    base: &str,
    portals: FrameAncestors,
) -> Router {
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), index_html()).unwrap();
    std::fs::write(
        dist.join("yingxiao-0123456789abcdef.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(dist.join("sw.js"), "'use strict';").unwrap();
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url: backend.database_url().await,
    })
    .await
    .unwrap();
    let web = WebApp::load(&dist, BasePath::parse(base).unwrap())
        .unwrap()
        .with_frame_ancestors(portals);
    app(AppState::new(storage, web))
}

async fn headers_of(router: &Router, method: &str, uri: &str) -> (StatusCode, HeaderMap) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    (response.status(), response.headers().clone())
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

fn assert_common(headers: &HeaderMap, what: &str) {
    assert_eq!(
        header(headers, header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(
        header(headers, header::REFERRER_POLICY),
        "no-referrer",
        "{what}"
    );
}

async fn api_answers_allow_nothing_to_load_or_frame(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let router = router(backend, &dir, "/yingxiao").await;
    for (method, uri, status) in [
        ("GET", "/yingxiao/api/v1/health", StatusCode::OK),
        (
            "GET",
            "/yingxiao/api/v1/nothing-here",
            StatusCode::NOT_FOUND,
        ),
        ("GET", "/yingxiao/api/v1/me", StatusCode::UNAUTHORIZED),
        (
            "DELETE",
            "/yingxiao/api/v1/health",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let (got, headers) = headers_of(&router, method, uri).await;
        assert_eq!(got, status, "{method} {uri}");
        assert_common(&headers, uri);
        assert_eq!(
            header(&headers, header::CONTENT_SECURITY_POLICY),
            "default-src 'none'; frame-ancestors 'none'",
            "{uri}"
        );
    }
}

async fn the_app_and_its_files_carry_a_policy_that_allows_exactly_its_bootstrap_script(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let router = router(backend, &dir, "/").await;
    let digest = sha2::Sha256::digest(BOOTSTRAP.as_bytes());
    let bootstrap_hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    );
    for uri in [
        "/",
        "/index.html",
        "/customers/some-id",
        "/yingxiao-0123456789abcdef.js",
        "/sw.js",
        "/missing.png",
    ] {
        let (_, headers) = headers_of(&router, "GET", uri).await;
        assert_common(&headers, uri);
        let policy = header(&headers, header::CONTENT_SECURITY_POLICY);
        let directives: Vec<&str> = policy.split("; ").collect();
        let script_src = format!("script-src 'self' 'wasm-unsafe-eval' {bootstrap_hash}");
        for expected in [
            "default-src 'self'",
            script_src.as_str(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "worker-src 'self'",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "object-src 'none'",
        ] {
            assert!(
                directives.contains(&expected),
                "{uri}: {expected} not in {policy}"
            );
        }
    }
}

async fn only_the_configured_portals_may_frame_the_app_and_never_the_api(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let portals =
        FrameAncestors::parse("https://portal.example.com, https://*.oa.example.cn:8443").unwrap();
    let router = framed_router(backend, &dir, "/yingxiao", portals).await;
    for uri in [
        "/yingxiao/",
        "/yingxiao/customers/some-id",
        "/yingxiao/sw.js",
    ] {
        let (_, headers) = headers_of(&router, "GET", uri).await;
        let policy = header(&headers, header::CONTENT_SECURITY_POLICY);
        assert!(
            policy.split("; ").any(|d| {
                d
                == "frame-ancestors 'self' https://portal.example.com https://*.oa.example.cn:8443"
            }),
            "{uri}: {policy}"
        );
    }
    let (_, headers) = headers_of(&router, "GET", "/yingxiao/api/v1/health").await;
    assert_eq!(
        header(&headers, header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; frame-ancestors 'none'"
    );
}

/// The page tells the app which portals it may talk to, whether it always runs embedded and the
/// company's brand, in one `<meta>` whose JSON survives the attribute's escaping.
async fn the_page_carries_the_portals_embed_mode_and_brand(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let portals = FrameAncestors::parse("https://portal.example.com").unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), index_html()).unwrap();
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url: backend.database_url().await,
    })
    .await
    .unwrap();
    let brand = BrandSpec {
        accent: Some("#1f4e79".into()),
        font: Some(r#""Noto Sans SC" & <b>"#.into()),
        ..BrandSpec::default()
    };
    let web = WebApp::load(&dist, BasePath::root())
        .unwrap()
        .with_frame_ancestors(portals)
        .with_embedding(true, brand.clone());
    let router = app(AppState::new(storage, web));
    let response = router
        .oneshot(Request::get("/funnel").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let html = String::from_utf8(body.to_vec()).unwrap();
    let start = html
        .find(r#"<meta name="yingxiao-config" content=""#)
        .expect(&html)
        + r#"<meta name="yingxiao-config" content=""#.len();
    let end = start + html[start..].find('"').unwrap();
    let attribute = &html[start..end];
    assert!(
        !attribute.contains('<') && !attribute.contains('>'),
        "{attribute}"
    );
    let json = attribute
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let config: PageConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(
        config,
        PageConfig {
            portals: "https://portal.example.com".into(),
            embed: true,
            brand,
            header_sign_on: false,
            oidc_sign_on: false,
        }
    );
    assert!(html.find("yingxiao-config").unwrap() < html.find("</head>").unwrap());
}

on_both_backends!(
    the_page_carries_the_portals_embed_mode_and_brand,
    only_the_configured_portals_may_frame_the_app_and_never_the_api,
    api_answers_allow_nothing_to_load_or_frame,
    the_app_and_its_files_carry_a_policy_that_allows_exactly_its_bootstrap_script,
);
