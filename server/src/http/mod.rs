//! The HTTP surface: `app()` builds the whole router, API and web app, for `serve` and for tests.

mod accounts;
mod attachments;
mod auth;
mod calendar;
mod client_address;
mod error;
mod health;
mod openapi;
mod security_headers;
mod sync;
mod web_app;

use std::sync::Arc;

use axum::{
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
    Router,
};
use tower_http::{
    compression::CompressionLayer,
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use yingxiao_core::{attachment::CHUNK_BYTES, base_path::BasePath};

pub use client_address::ClientAddress;
pub use error::{ApiError, ApiJson, ApiPath};
pub use openapi::ApiDoc;
pub use web_app::{WebApp, WebAppError};

use crate::{
    oidc::{Oidc, OidcConfig},
    proxies::TrustedProxies,
    sign_in_limits::Clock,
    sign_on::HeaderSignOn,
    storage::Storage,
};

/// What every handler may reach.
#[derive(Clone)]
pub struct AppState {
    pub storage: Storage,
    pub web: Arc<WebApp>,
    /// A real argon2 hash checked for unknown logins, so sign-in timing does not reveal which exist.
    dummy_hash: Arc<str>,
    trusted_proxies: Arc<TrustedProxies>,
    /// Single sign-on by the portal proxy's header (`--sso-header`), when configured.
    header_sign_on: Option<Arc<HeaderSignOn>>,
    /// Sign-in with the company's identity provider (`--oidc-issuer`), when configured.
    oidc: Option<Arc<Oidc>>,
    /// The time sign-in limits count by.
    clock: Clock,
}

impl AppState {
    pub fn new(storage: Storage, web: WebApp) -> Self {
        let dummy_hash = crate::auth::hash_password("not a real password")
            .unwrap_or_default()
            .into();
        Self {
            storage,
            web: Arc::new(web),
            dummy_hash,
            trusted_proxies: Arc::default(),
            header_sign_on: None,
            oidc: None,
            clock: Clock::system(),
        }
    }

    /// Believes `X-Forwarded-For` from these reverse proxies (from nobody by default).
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// Signs in whom the portal's proxy names in a header (off by default).
    pub fn with_header_sign_on(mut self, sign_on: Option<HeaderSignOn>) -> Self {
        self.header_sign_on = sign_on.map(Arc::new);
        self
    }

    /// Signs in through the company's identity provider by OpenID Connect (off by default).
    pub fn with_oidc(mut self, config: Option<OidcConfig>) -> Self {
        self.oidc = config.map(|c| Arc::new(Oidc::new(c)));
        self
    }

    /// Counts sign-in limits by this clock; tests pass a manual one and move it instead of sleeping.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn base_path(&self) -> &BasePath {
        self.web.base_path()
    }
}

/// The largest request body accepted (a full push of 500 mutations fits well within it).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The whole router. Every path lives under the base path; API routes under `{base}/api/v1/`, and
/// anything else there is the web app (files, or `index.html` for client routes).
pub fn app(state: AppState) -> Router {
    let api = |path: &str| format!("{}/api/v1{path}", state.base_path().as_str());
    Router::new()
        .route(&api("/health"), get(health::health))
        .route(&api("/auth/login"), post(auth::login))
        .route(&api("/auth/logout"), post(auth::logout))
        .route(&api("/auth/sso/header"), post(auth::sso_header))
        .route(&api("/auth/oidc/start"), get(auth::oidc_start))
        .route(&api("/auth/oidc/callback"), get(auth::oidc_callback))
        .route(&api("/auth/oidc/session"), post(auth::oidc_session))
        .route(&api("/audit"), get(accounts::trail))
        .route(
            &api("/accounts/{user_id}"),
            get(accounts::account).post(accounts::give_account),
        )
        .route(&api("/accounts/{user_id}/disable"), post(accounts::disable))
        .route(&api("/accounts/{user_id}/enable"), post(accounts::enable))
        .route(
            &api("/accounts/{user_id}/password"),
            post(accounts::reset_password),
        )
        .route(&api("/me"), get(auth::current_user))
        .route(&api("/sync/push"), post(sync::push))
        .route(&api("/sync/pull"), post(sync::pull))
        .route(
            &api("/calendar/feed"),
            post(calendar::start_feed).delete(calendar::end_feed),
        )
        .route(&api("/calendar/feeds/{file}"), get(calendar::read_feed))
        // A chunk's own limit, inside the API's: a larger body is refused with a JSON 413 once it
        // passes the limit, never read whole.
        .route(
            &api("/attachments/{hash}"),
            get(attachments::read)
                .put(attachments::put_chunk)
                .layer(DefaultBodyLimit::max(CHUNK_BYTES)),
        )
        .route(
            &api("/attachments/{hash}/upload"),
            get(attachments::upload_status),
        )
        .route(&api("/openapi.json"), get(openapi::document))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(web_app::serve)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers::add,
        ))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
