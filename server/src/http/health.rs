//! `GET /api/v1/health`: the server's version and whether its database answers.

use axum::{extract::State, http::StatusCode, Json};
use yingxiao_core::{
    health::{Health, HealthStatus},
    VERSION,
};

use super::AppState;

/// 200 when the database answers, 503 with the same body (status `degraded`) when it does not,
/// so both a load balancer and the home page can read it.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "system",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    )
)]
pub(super) async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (code, status) = match state.storage.ping().await {
        Ok(()) => (StatusCode::OK, HealthStatus::Ok),
        Err(error) => {
            tracing::warn!(%error, "health check: database did not answer");
            (StatusCode::SERVICE_UNAVAILABLE, HealthStatus::Degraded)
        }
    };
    let body = Health {
        status,
        version: VERSION.to_owned(),
        database: state.storage.kind(),
    };
    (code, Json(body))
}
