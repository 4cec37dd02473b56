//! `GET /api/v1/audit` (the audit trail) and `/api/v1/accounts/{user_id}…` (a person's sign-in
//! account): thin handlers over `crate::audit` and `crate::accounts`.

use axum::extract::{RawQuery, State};
use serde::Deserialize;
use utoipa::ToSchema;
use yingxiao_core::{
    audit::{AuditPage, AuditQuery},
    domain::Collection,
};

use super::{error::ErrorBody, ApiError, ApiJson, ApiPath, AppState};
use crate::{
    accounts::{self, AccountState},
    audit,
    auth::Caller,
};

/// The applied changes the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    security(("bearer" = [])),
    params(
        ("collection" = Option<Collection>, Query, description = "Only this collection's records"),
        ("record" = Option<String>, Query, description = "Only this record"),
        ("user" = Option<String>, Query, description = "Only this person's changes (user id)"),
        ("from" = Option<String>, Query, format = Date, description = "Received on or after this day, YYYY-MM-DD (UTC)"),
        ("until" = Option<String>, Query, format = Date, description = "Received on or before this day, YYYY-MM-DD (UTC)"),
        ("before" = Option<String>, Query, pattern = r"^[0-9]{1,15}\.[0-9]{1,15}\.[0-9a-f-]{1,64}$", description = "The `next` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Entries per page, 1 to 200 (50)"),
    ),
    responses(
        (status = 200, description = "A page of the trail", body = AuditPage),
        (status = 400, description = "A filter is not understood", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
    )
)]
pub(super) async fn trail(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<ApiJson<AuditPage>, ApiError> {
    let query = query.unwrap_or_default();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let query = AuditQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let mut conn = state.storage.pool.acquire().await?;
    Ok(ApiJson(audit::page(&mut conn, &caller, &query).await?))
}

/// A person's sign-in account.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{user_id}",
    tag = "accounts",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's user record id")),
    responses(
        (status = 200, description = "The account", body = AccountState),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "The caller's role may not manage accounts", body = ErrorBody),
        (status = 404, description = "No such person, or no account yet", body = ErrorBody),
    )
)]
pub(super) async fn account(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<String>,
) -> Result<ApiJson<AccountState>, ApiError> {
    Ok(ApiJson(
        accounts::state(&state.storage, &caller, &user_id).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Letters, digits, '.', '_' or '-'; kept lower-case.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,64}$")]
    pub login: String,
    /// The first password, at least 8 characters; tell it to the person.
    #[schema(min_length = 8, max_length = 1024, pattern = r"^[^\u0000]*$")]
    pub password: String,
}

/// Gives a person a sign-in account.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{user_id}",
    tag = "accounts",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's user record id")),
    request_body = NewAccount,
    responses(
        (status = 200, description = "The new account", body = AccountState),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "The caller's role may not manage accounts", body = ErrorBody),
        (status = 404, description = "No such person on the server", body = ErrorBody),
        (status = 409, description = "The person has an account, or the login is taken", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad login or password", body = ErrorBody),
    )
)]
pub(super) async fn give_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<String>,
    ApiJson(new): ApiJson<NewAccount>,
) -> Result<ApiJson<AccountState>, ApiError> {
    Ok(ApiJson(
        accounts::give(&state.storage, &caller, &user_id, &new.login, &new.password).await?,
    ))
}

/// Disables a person's account: their open sessions end at once.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{user_id}/disable",
    tag = "accounts",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's user record id")),
    responses(
        (status = 200, description = "Disabled", body = AccountState),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "Not allowed, or the caller's own account", body = ErrorBody),
        (status = 404, description = "No such person, or no account", body = ErrorBody),
    )
)]
pub(super) async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<String>,
) -> Result<ApiJson<AccountState>, ApiError> {
    Ok(ApiJson(
        accounts::set_disabled(&state.storage, &caller, &user_id, true).await?,
    ))
}

/// Enables a disabled account again.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{user_id}/enable",
    tag = "accounts",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's user record id")),
    responses(
        (status = 200, description = "Enabled", body = AccountState),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such person, or no account", body = ErrorBody),
    )
)]
pub(super) async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<String>,
) -> Result<ApiJson<AccountState>, ApiError> {
    Ok(ApiJson(
        accounts::set_disabled(&state.storage, &caller, &user_id, false).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    #[schema(min_length = 8, max_length = 1024, pattern = r"^[^\u0000]*$")]
    pub password: String,
}

/// Sets a new password; every session of the account ends.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{user_id}/password",
    tag = "accounts",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's user record id")),
    request_body = NewPassword,
    responses(
        (status = 200, description = "Reset", body = AccountState),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such person, or no account", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The password is too short", body = ErrorBody),
    )
)]
pub(super) async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<String>,
    ApiJson(new): ApiJson<NewPassword>,
) -> Result<ApiJson<AccountState>, ApiError> {
    Ok(ApiJson(
        accounts::reset_password(&state.storage, &caller, &user_id, &new.password).await?,
    ))
}
