//! The HTTP surface: `app()` builds the whole router, API and web app, for `serve` and for tests.

mod error;
mod health;
mod web_app;

use std::sync::Arc;

use axum::{routing::get, Router};
use tower_http::{
    compression::CompressionLayer,
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use yingxiao_core::base_path::BasePath;

pub use error::ApiError;
pub use web_app::{WebApp, WebAppError};

use crate::storage::Storage;

/// What every handler may reach.
#[derive(Clone)]
pub struct AppState {
    pub storage: Storage,
    pub web: Arc<WebApp>,
}

impl AppState {
    pub fn new(storage: Storage, web: WebApp) -> Self {
        Self {
            storage,
            web: Arc::new(web),
        }
    }

    fn base_path(&self) -> &BasePath {
        self.web.base_path()
    }
}

/// The whole router. Every path lives under the base path; API routes under `{base}/api/v1/`, and
/// anything else there is the web app (files, or `index.html` for client routes).
pub fn app(state: AppState) -> Router {
    let api = |path: &str| format!("{}/api/v1{path}", state.base_path().as_str());
    Router::new()
        .route(&api("/health"), get(health::health))
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(web_app::serve)
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
