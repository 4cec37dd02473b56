//! `POST /api/v1/sync/push` and `POST /api/v1/sync/pull`: thin handlers over `crate::sync`.

use axum::{
    extract::State,
    http::{header, HeaderMap},
};
use yingxiao_core::{
    audit,
    sync::protocol::{PullRequest, PullResponse, PushRequest, PushResponse},
};

use super::{error::ErrorBody, ApiError, ApiJson, AppState};
use crate::{auth::Caller, sync};

/// Applies a device's pending mutations in order, exactly once.
#[utoipa::path(
    post,
    path = "/api/v1/sync/push",
    tag = "sync",
    request_body = PushRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Each mutation applied, rejected with a reason, or a duplicate", body = PushResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "The client id belongs to another user", body = ErrorBody),
        (status = 409, description = "A gap in mutation ids", body = ErrorBody),
        (status = 413, description = "Too many mutations or too large a body", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A mutation is malformed; nothing was applied", body = ErrorBody),
        (status = 503, description = "The database is busy; nothing was applied, retry after Retry-After seconds", body = ErrorBody),
    )
)]
pub(super) async fn push(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<ApiJson<PushResponse>, ApiError> {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let device = audit::device_label(user_agent);
    // SQLite's one writer: pushes queue here rather than race for the file lock (PostgreSQL: any
    // connection; the counters row lock orders pushes).
    let mut conn = state.storage.writer().await?;
    Ok(ApiJson(
        sync::push(&mut conn, &caller, &request, &device).await?,
    ))
}

/// One page of changes the caller may see since their cursor.
#[utoipa::path(
    post,
    path = "/api/v1/sync/pull",
    tag = "sync",
    request_body = PullRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Records, deletions, removals and rejections since the cursor", body = PullResponse),
        (status = 400, description = "Malformed JSON or cursor", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "The client id belongs to another user", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad client id or limit", body = ErrorBody),
    )
)]
pub(super) async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PullRequest>,
) -> Result<ApiJson<sync::PullPage>, ApiError> {
    let mut conn = state.storage.pool.acquire().await?;
    Ok(ApiJson(sync::pull(&mut conn, &caller, &request).await?))
}
