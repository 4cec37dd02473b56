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
use base64::Engine;
use sha2::Digest;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use yingxiao_core::{
    base_path::BasePath,
    brand::BrandSpec,
    embed::{FrameAncestors, PageConfig, PAGE_CONFIG_META},
};

use super::{ApiError, AppState};

/// The `<base>` element `index.html` carries; the server points it at the base path so that every
/// relative URL in the built app (assets, `api/v1/...`) resolves under the mount point.
const BASE_TAG: &str = r#"<base href="/""#;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// The built web app, with `index.html` read once and rewritten for the base path and the page's
/// configuration (portals, embed mode, brand), which it carries in a `<meta>` element.
#[derive(Debug)]
pub struct WebApp {
    base: BasePath,
    /// `index.html` with its base path, before the page configuration goes in.
    template: String,
    index_html: Bytes,
    files: ServeDir,
    content_security_policy: HeaderValue,
    frame_ancestors: FrameAncestors,
    page_config: PageConfig,
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
        let mut web = Self {
            base,
            template: rewritten,
            index_html: Bytes::new(),
            // The build's brotli copies (scripts/precompress.sh) go out as they are to browsers
            // that accept them; anything else is compressed on the fly (`http::app`).
            files: ServeDir::new(PathBuf::from(dist))
                .append_index_html_on_directories(false)
                .precompressed_br(),
            content_security_policy: HeaderValue::from_static("default-src 'none'"),
            frame_ancestors: FrameAncestors::same_origin(),
            page_config: PageConfig::default(),
        };
        web.render();
        Ok(web)
    }

    /// Lets these portals frame the app besides its own origin (`--frame-ancestors`); the page
    /// answers their messages too.
    pub fn with_frame_ancestors(mut self, portals: FrameAncestors) -> Self {
        self.page_config.portals = portals.to_string();
        self.frame_ancestors = portals;
        self.render();
        self
    }

    /// Always embed mode (`--embed`), and the company's brand (`--brand-*`, checked by the caller).
    pub fn with_embedding(mut self, embed: bool, brand: BrandSpec) -> Self {
        self.page_config.embed = embed;
        self.page_config.brand = brand;
        self.render();
        self
    }

    /// Tells the sign-in page which single sign-on the server offers: the portal's header (tried
    /// first, `--sso-header`) and the company's identity provider (a button, `--oidc-issuer`).
    pub fn with_sign_on(mut self, header: bool, oidc: bool) -> Self {
        self.page_config.header_sign_on = header;
        self.page_config.oidc_sign_on = oidc;
        self.render();
        self
    }

    /// Writes the page configuration into `index.html` and the policy for it.
    fn render(&mut self) {
        let json = serde_json::to_string(&self.page_config).expect("plain fields serialise");
        let meta = format!(
            "<meta name=\"{PAGE_CONFIG_META}\" content=\"{}\" />\n  </head>",
            escape_attribute(&json)
        );
        let html = self.template.replacen("</head>", &meta, 1);
        self.content_security_policy = content_security_policy(&html, &self.frame_ancestors);
        self.index_html = Bytes::from(html);
    }

    /// The portals that may frame the app besides its own origin.
    pub fn frame_ancestors(&self) -> &FrameAncestors {
        &self.frame_ancestors
    }

    pub fn base_path(&self) -> &BasePath {
        &self.base
    }

    /// The policy sent with the app's pages and files (`security_headers`).
    pub fn content_security_policy(&self) -> &HeaderValue {
        &self.content_security_policy
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

/// The app's Content-Security-Policy. Scripts only from here: trunk's wasm loader and the inline
/// `<script type="module">` that starts it, allowed by the hash of exactly what `index.html` holds
/// (a new build has a new hash, computed at start-up); `'wasm-unsafe-eval'` lets the wasm compile.
/// Styles need `'unsafe-inline'`: the stage board sets a `style` attribute (`attr:style`), which a
/// stricter policy blocks. Images may be `data:`/`blob:` URLs (chart export draws through them).
/// Only the app's own origin and the configured portals may frame it.
fn content_security_policy(index_html: &str, portals: &FrameAncestors) -> HeaderValue {
    let hashes: String = inline_scripts(index_html)
        .map(|script| {
            let digest = sha2::Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    let ancestors = portals.csp_sources();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         frame-ancestors {ancestors}; base-uri 'self'; form-action 'self'; object-src 'none'"
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII")
}

/// Text for a double-quoted HTML attribute.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The text of every `<script>` element without a `src`, exactly as written (what browsers hash).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| from + i) {
        let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| open_end + i) else {
            break;
        };
        let open_tag = &lower[start..open_end];
        let has_src = open_tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attribute| attribute.starts_with("src="));
        if !has_src {
            scripts.push(&html[open_end..close]);
        }
        from = close;
    }
    scripts.into_iter()
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
    use super::{inline_scripts, is_hashed_asset};

    #[test]
    fn only_inline_scripts_are_hashed_exactly_as_written() {
        let html = "<head><script type=\"module\">\nimport init from './a.js';\n</script>\
            <SCRIPT src=\"x.js\"></SCRIPT><script>one()</script></head>";
        let found: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(found, ["\nimport init from './a.js';\n", "one()"]);
    }

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
