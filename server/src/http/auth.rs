//! Sign-in, sign-out, `GET /api/v1/me`, and the extractor that turns a bearer token into a `Caller`.

use std::net::SocketAddr;

use serde::Deserialize;

use axum::{
    extract::{ConnectInfo, FromRequestParts, Query, State},
    http::{header, request::Parts, StatusCode},
    response::Redirect,
};
use yingxiao_core::{
    account::{normalise_login, LoginRequest, LoginResponse, Me, MAX_LOGIN_CHARS},
    time::format_instant,
};

use super::{client_address::ClientAddress, error::ErrorBody, ApiError, ApiJson, AppState};
use crate::{
    auth::{self, Caller},
    oidc::Oidc,
    sign_in_limits::{self, Wait},
    sign_on::SignOnError,
};

/// The longest password accepted, in characters (also stated in the OpenAPI document); the longest
/// login is core's `MAX_LOGIN_CHARS`.
pub const MAX_PASSWORD_CHARS: usize = 1024;

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

/// Signs in with a login and password; returns a bearer token. Wrong passwords slow down further
/// attempts of the same login from the same address, of any login from that address, and (far later)
/// of that login from addresses it never signed in from; a refused attempt says how long to wait.
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
        (status = 429, description = "Too many failed attempts; wait the number of seconds in Retry-After", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before the next attempt"))),
    )
)]
pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddress(ip): ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    // 422 exactly where the OpenAPI schema says the request is invalid, as it was sent.
    if request.login.trim().is_empty()
        || request.login.chars().count() > MAX_LOGIN_CHARS
        || request.login.contains('\0')
        || request.password.chars().count() > MAX_PASSWORD_CHARS
    {
        return Err(ApiError::Unprocessable(format!(
            "login and password are required (login at most {MAX_LOGIN_CHARS} characters, \
             password at most {MAX_PASSWORD_CHARS})"
        )));
    }
    // Looked up, and counted by the limits, as stored: `François`, `FRANÇOIS` and a decomposed `ç`
    // are one login. Text no login can be is no account: the usual answer, without a password check.
    let login = normalise_login(&request.login)
        .map_err(|_| ApiError::Unauthorized("wrong login or password".into()))?;
    let address = sign_in_limits::address_key(ip);
    let attempt = {
        let mut conn = state.storage.writer().await?;
        sign_in_limits::begin_attempt(&mut conn, &login, &address, state.clock.now_millis())
            .await?
            .map_err(too_many_attempts)?
    };
    let account = {
        let mut conn = state.storage.pool.acquire().await?;
        auth::find_account(&mut conn, &login).await?
    };
    // Verify against a real hash even for unknown logins, so timing does not reveal which logins exist.
    let hash = match &account {
        Some((_, hash)) => hash.clone(),
        None => state.dummy_hash.to_string(),
    };
    let password = request.password;
    // argon2 takes tens of milliseconds of CPU on purpose: off the async workers, so a burst of
    // sign-ins does not stall every other request.
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &password))
        .await
        .map_err(|e| ApiError::Internal(format!("password check: {e}")))?;
    let Some((user_id, _)) = account.filter(|_| verified) else {
        return Err(ApiError::Unauthorized("wrong login or password".into()));
    };
    let mut conn = state.storage.writer().await?;
    attempt.succeeded(&mut conn).await?;
    session_for(&mut conn, &user_id).await.map(ApiJson)
}

/// Signs in the user the portal's reverse proxy names in the configured header (`--sso-header`),
/// only on a connection from one of `--sso-proxies`; anyone else's header is not read.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sso/header",
    tag = "auth",
    responses(
        (status = 200, description = "Signed in as the user the portal's proxy names", body = LoginResponse),
        (status = 401, description = "Not from a configured proxy, or no usable header", body = ErrorBody),
        (status = 403, description = "No enabled account for that login", body = ErrorBody),
        (status = 404, description = "Single sign-on by header is not configured", body = ErrorBody),
    )
)]
pub(super) async fn sso_header(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    let sign_on = state
        .header_sign_on
        .as_deref()
        .ok_or(SignOnError::NotConfigured)?;
    // The socket's own peer: a forwarded address says nothing about who wrote the header.
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let login = sign_on.login_of(peer, &parts.headers)?;
    let user_id = sign_on.account_for(&state.storage, &login).await?;
    let mut conn = state.storage.writer().await?;
    session_for(&mut conn, &user_id).await.map(ApiJson)
}

/// The OpenID sign-in, or a 404 where it is not configured.
fn oidc_of(state: &AppState) -> Result<&Oidc, ApiError> {
    state.oidc.as_deref().ok_or_else(|| {
        ApiError::NotFound("sign-in with an identity provider is not set up on this server".into())
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct OidcStart {
    #[serde(default)]
    next: Option<String>,
}

/// Starts a sign-in with the company's identity provider: redirects the browser there. `next` is
/// the app path to return to.
#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc/start",
    tag = "auth",
    params(("next" = Option<String>, Query, description = "The app path to return to after signing in")),
    responses(
        (status = 303, description = "To the identity provider"),
        (status = 400, description = "next is not an app path", body = ErrorBody),
        (status = 404, description = "OpenID sign-in is not configured", body = ErrorBody),
        (status = 502, description = "The identity provider could not be reached", body = ErrorBody),
    )
)]
pub(super) async fn oidc_start(
    State(state): State<AppState>,
    Query(query): Query<OidcStart>,
) -> Result<Redirect, ApiError> {
    let oidc = oidc_of(&state)?;
    let next = query.next.unwrap_or_else(|| "/".to_owned());
    Ok(Redirect::to(&oidc.start(&state.storage, &next).await?))
}

#[derive(Debug, Deserialize)]
pub(super) struct OidcCallback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Where the identity provider sends the browser back: on to the app's sign-in page with a one-time
/// code (`?oidc=`), or with the reason it failed (`?oidc_error=`).
#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc/callback",
    tag = "auth",
    params(
        ("code" = Option<String>, Query, description = "The authorization code"),
        ("state" = Option<String>, Query, description = "The state sent with the sign-in"),
        ("error" = Option<String>, Query, description = "The provider's refusal"),
    ),
    responses(
        (status = 303, description = "To the app's sign-in page"),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 404, description = "OpenID sign-in is not configured", body = ErrorBody),
    ),
)]
pub(super) async fn oidc_callback(
    State(state): State<AppState>,
    Query(query): Query<OidcCallback>,
) -> Result<Redirect, ApiError> {
    let oidc = oidc_of(&state)?;
    let login_page = format!("{}login", state.base_path().root_href());
    let finished = oidc
        .callback(
            &state.storage,
            query.code.as_deref(),
            query.state.as_deref(),
            query.error.as_deref(),
        )
        .await;
    let query = match finished {
        Ok((handoff, next)) => form_urlencoded::Serializer::new(String::new())
            .append_pair("oidc", &handoff)
            .append_pair("next", &next)
            .finish(),
        Err(error) => {
            tracing::warn!(%error, "OpenID sign-in refused");
            format!("oidc_error={}", error.code())
        }
    };
    Ok(Redirect::to(&format!("{login_page}?{query}")))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct OidcSession {
    /// The one-time code the callback gave the sign-in page.
    code: String,
}

/// Turns the callback's one-time code into a session (once, within two minutes).
#[utoipa::path(
    post,
    path = "/api/v1/auth/oidc/session",
    tag = "auth",
    request_body = OidcSession,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Unknown, used or expired code", body = ErrorBody),
        (status = 404, description = "OpenID sign-in is not configured", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No code", body = ErrorBody),
    )
)]
pub(super) async fn oidc_session(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<OidcSession>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    let oidc = oidc_of(&state)?;
    let user_id = oidc.redeem(&state.storage, &request.code).await?;
    let mut conn = state.storage.writer().await?;
    session_for(&mut conn, &user_id).await.map(ApiJson)
}

/// A new session for an account, answered as a sign-in is.
async fn session_for(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
) -> Result<LoginResponse, ApiError> {
    let (token, expires_at) = auth::create_session(conn, user_id).await?;
    let caller = auth::caller_for_token(conn, &token).await?.ok_or_else(|| {
        ApiError::Forbidden("this account has no active user record; ask an administrator".into())
    })?;
    Ok(LoginResponse {
        token,
        expires_at: format_instant(expires_at.max(0) as u64),
        user: me(&caller),
    })
}

fn too_many_attempts(wait: Wait) -> ApiError {
    ApiError::TooManyRequests {
        message: wait.message(),
        retry_after_secs: wait.retry_after_secs(),
    }
}

/// Ends the session of the bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No token, or not a live session (made up, expired or already ended)", body = ErrorBody),
    )
)]
pub(super) async fn logout(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    let BearerToken(token) = bearer_token(&parts)?;
    let mut conn = state.storage.writer().await?;
    if auth::revoke_session(&mut conn, &token).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::Unauthorized(
            "this token is not a live session: it has expired or was ended".into(),
        ))
    }
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
