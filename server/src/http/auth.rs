//! Sign-in, sign-out, `GET /api/v1/me`, and the extractor that turns a bearer token into a `Caller`.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequestParts, State},
    http::{header, request::Parts, StatusCode},
};
use yingxiao_core::{
    account::{LoginRequest, LoginResponse, Me},
    time::format_instant,
};

use super::{error::ErrorBody, ApiError, ApiJson, AppState};
use crate::auth::{self, Caller};

/// The bearer token of a request, as sent.
struct BearerToken(String);

fn bearer_token(parts: &Parts) -> Result<BearerToken, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("sign in first: no Authorization header".into()))?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not text".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .filter(|token| !token.is_empty() && token.len() <= 256)
        .ok_or_else(|| ApiError::Unauthorized("expected Authorization: Bearer <token>".into()))?;
    Ok(BearerToken(token.to_owned()))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let BearerToken(token) = bearer_token(parts)?;
        let mut conn = state.storage.pool.acquire().await?;
        auth::caller_for_token(&mut conn, &token)
            .await?
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "your session has expired or was ended; sign in again".into(),
                )
            })
    }
}

fn me(caller: &Caller) -> Me {
    Me {
        user_id: caller.user_id.clone(),
        login: caller.login.clone(),
        name: caller.name.clone(),
        role: caller.role,
        unit_id: caller.unit_id.clone(),
    }
}

/// The network address a request came from, for per-address sign-in limits ("unknown" without a socket,
/// as in router tests).
pub struct ClientAddress(String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(Self(address))
    }
}

/// Signs in with a login and password; returns a bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong login or password", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Login or password missing or too long", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
    )
)]
pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    let login = request.login.trim().to_lowercase();
    if login.is_empty() || login.len() > 64 || login.contains('\0') || request.password.len() > 1024
    {
        return Err(ApiError::Unprocessable(
            "login and password are required (login at most 64 characters)".into(),
        ));
    }
    let mut conn = state.storage.pool.acquire().await?;
    auth::check_rate_limit(&mut conn, &login, &address).await?;
    let account = auth::find_account(&mut conn, &login).await?;
    // Verify against a real hash even for unknown logins, so timing does not reveal which logins exist.
    let verified = match &account {
        Some((_, hash)) => auth::verify_password(hash, &request.password),
        None => {
            auth::verify_password(&state.dummy_hash, &request.password);
            false
        }
    };
    let Some((user_id, _)) = account.filter(|_| verified) else {
        auth::record_failure(&mut conn, &login, &address).await?;
        return Err(ApiError::Unauthorized("wrong login or password".into()));
    };
    auth::clear_failures(&mut conn, &login).await?;
    let (token, expires_at) = auth::create_session(&mut conn, &user_id).await?;
    let caller = auth::caller_for_token(&mut conn, &token)
        .await?
        .ok_or_else(|| {
            ApiError::Forbidden(
                "this account has no active user record; ask an administrator".into(),
            )
        })?;
    Ok(ApiJson(LoginResponse {
        token,
        expires_at: format_instant(expires_at.max(0) as u64),
        user: me(&caller),
    }))
}

/// Ends the session of the bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No token", body = ErrorBody),
    )
)]
pub(super) async fn logout(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    let BearerToken(token) = bearer_token(&parts)?;
    let mut conn = state.storage.pool.acquire().await?;
    auth::revoke_session(&mut conn, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No valid session", body = ErrorBody),
    )
)]
pub(super) async fn current_user(caller: Caller) -> ApiJson<Me> {
    ApiJson(me(&caller))
}
