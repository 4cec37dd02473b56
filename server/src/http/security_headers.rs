//! Headers every response carries: no MIME sniffing, no `Referer` leaving the app, and a
//! Content-Security-Policy — the web app's (built from its `index.html`), or the API's, which allows
//! nothing since JSON is never a page.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

use super::AppState;

/// JSON answers load nothing and are never framed.
pub const API_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// App URLs carry record ids (`customers/<id>`) and the portal's path; nothing the app does needs
/// the `Referer` header, so none is sent anywhere.
pub const REFERRER_POLICY: &str = "no-referrer";

pub(super) async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_api = state
        .base_path()
        .strip(request.uri().path())
        .is_some_and(|path| path == "/api" || path.starts_with("/api/"));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    );
    let policy = if is_api {
        HeaderValue::from_static(API_CONTENT_SECURITY_POLICY)
    } else {
        state.web.content_security_policy().clone()
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    response
}
