//! Serves the web app built by trunk: hashed assets cached for a year, `index.html` never cached and
//! answered for every client route (`/funnel`, `/customers/…`), all under the configured base path.
//! Unhashed files such as the service worker `sw.js` and `manifest.webmanifest` are `no-cache`, so a
//! new build reaches browsers on their next check.

use std::path::{Path, PathBuf};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Redirect, Response},
};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use yingxiao_core::base_path::BasePath;

use super::{ApiError, AppState};

/// The `<base>` element `index.html` carries; the server points it at the base path so that every
/// relative URL in the built app (assets, `api/v1/...`) resolves under the mount point.
const BASE_TAG: &str = r#"<base href="/""#;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// The built web app, with `index.html` read once and rewritten for the base path.
#[derive(Debug)]
pub struct WebApp {
    base: BasePath,
    index_html: Bytes,
    files: ServeDir,
}

#[derive(Debug, thiserror::Error)]
pub enum WebAppError {
    #[error("cannot read {path}: {source}; build the web app first (scripts/start.sh does)")]
    MissingIndex {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} has no <base href=\"/\"> element in its <head>; it was not built from this repository's index.html")]
    MissingBaseTag { path: String },
}

impl WebApp {
    /// Loads `dist/index.html` and prepares the file service; fails if the app was not built.
    pub fn load(dist: &Path, base: BasePath) -> Result<Self, WebAppError> {
        let index_path = dist.join("index.html");
        let html =
            std::fs::read_to_string(&index_path).map_err(|source| WebAppError::MissingIndex {
                path: index_path.display().to_string(),
                source,
            })?;
        if !html.contains(BASE_TAG) {
            return Err(WebAppError::MissingBaseTag {
                path: index_path.display().to_string(),
            });
        }
        let rewritten = html.replacen(
            BASE_TAG,
            &format!(r#"<base href="{}""#, base.root_href()),
            1,
        );
        Ok(Self {
            base,
            index_html: Bytes::from(rewritten),
            files: ServeDir::new(PathBuf::from(dist)).append_index_html_on_directories(false),
        })
    }

    pub fn base_path(&self) -> &BasePath {
        &self.base
    }

    fn index(&self) -> Response {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, NO_CACHE),
            ],
            self.index_html.clone(),
        )
            .into_response()
    }
}

/// The router's fallback: everything that is not an API route.
pub(super) async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let web = &state.web;
    let path = request.uri().path().to_owned();
    let Some(app_path) = web.base.strip(&path) else {
        return (
            StatusCode::NOT_FOUND,
            "Not found: Yingxiao is served under its base path",
        )
            .into_response();
    };
    if app_path == "/api" || app_path.starts_with("/api/") {
        return ApiError::NotFound(format!("no API endpoint {} {path}", request.method()))
            .into_response();
    }
    if app_path.is_empty() {
        // `/yingxiao` → `/yingxiao/` so relative URLs resolve inside the mount point.
        let query = request
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        return Redirect::permanent(&format!("{}{query}", web.base.root_href())).into_response();
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let last_segment = app_path.rsplit('/').next().unwrap_or_default();
    if app_path == "/index.html" || !last_segment.contains('.') {
        // A client route: the app's router takes it from here.
        return web.index();
    }
    serve_file(web, app_path, request).await
}

async fn serve_file(web: &WebApp, app_path: &str, request: Request) -> Response {
    let hashed = is_hashed_asset(app_path);
    let cache = if hashed { IMMUTABLE } else { NO_CACHE };
    let (mut parts, body) = request.into_parts();
    if !hashed {
        // A file's modification time says nothing about its content: a new build's sw.js written in
        // the same second as the old one, or unpacked with every mtime alike, would be answered `304`
        // and its update never found. These files are small; they are always sent whole.
        parts.headers.remove(header::IF_MODIFIED_SINCE);
        parts.headers.remove(header::IF_UNMODIFIED_SINCE);
        parts.headers.remove(header::IF_RANGE);
    }
    let path_and_query = match parts.uri.query() {
        Some(query) => format!("{app_path}?{query}"),
        None => app_path.to_owned(),
    };
    parts.uri = match Uri::try_from(path_and_query) {
        Ok(uri) => uri,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let response = match web
        .files
        .clone()
        .oneshot(Request::from_parts(parts, body))
        .await
    {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let mut response = response.into_response();
    if !hashed {
        response.headers_mut().remove(header::LAST_MODIFIED);
    }
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, cache);
    }
    response
}

/// Trunk names built assets `name-<16 hex digits>.ext` (or `name-<hash>_bg.wasm`); their content can
/// never change under the same name, so browsers may keep them for a year.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            // Trunk writes the 64-bit hash in hex without leading zeros, so 16 digits or a few
            // fewer; short hex-looking suffixes (`icon-192`) are not hashes.
            !name.is_empty()
                && (12..=16).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed_asset("/yingxiao-3f2a9c1b0d4e5f67.js"));
        assert!(is_hashed_asset("/yingxiao-3f2a9c1b0d4e5f67_bg.wasm"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        assert!(
            is_hashed_asset("/yingxiao-7ad240af49d9807.js"),
            "15 digits: a leading zero dropped"
        );
        assert!(!is_hashed_asset("/icon-192.png"));
    }

    #[test]
    fn plain_names_are_not_cached_forever() {
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/manifest.webmanifest"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/yingxiao-12345.js"));
        assert!(!is_hashed_asset("/-0123456789abcdef.js"));
    }
}
