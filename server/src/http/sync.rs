//! `POST /api/v1/sync/push` and `POST /api/v1/sync/pull`: thin handlers over `crate::sync`.

use axum::extract::State;
use yingxiao_core::sync::protocol::{PullRequest, PullResponse, PushRequest, PushResponse};

use super::{ApiError, ApiJson, AppState};
use crate::{auth::Caller, sync};

pub(super) async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<ApiJson<PushResponse>, ApiError> {
    let mut conn = state.storage.pool.acquire().await?;
    sync::push(&mut conn, &caller, &request).await.map(ApiJson)
}

pub(super) async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PullRequest>,
) -> Result<ApiJson<PullResponse>, ApiError> {
    let mut conn = state.storage.pool.acquire().await?;
    sync::pull(&mut conn, &caller, &request).await.map(ApiJson)
}
