//! The calendar subscription: a signed-in user starts (or restarts) a secret feed address of their
//! promotions, or ends it; a calendar app polls the address without signing in. Only the token's hash
//! is kept, a user has at most one live feed, and a disabled account's feed answers nothing.

use axum::{
    extract::{RawQuery, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use yingxiao_core::locale::Locale;

use super::{error::ErrorBody, ApiError, ApiJson, ApiPath, AppState};
use crate::{auth, auth::Caller, sync};

/// Where the caller's calendar app reads their promotions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feed {
    /// The feed's path on this server (under its base path); the whole URL is this server's origin
    /// followed by it. Shown once: the server keeps only a hash of its token.
    pub path: String,
}

/// A feed file name: the token (43 URL-safe base64 characters) and `.ics`.
const FEED_FILE_PATTERN: &str = r"^[A-Za-z0-9_-]{43}\.ics$";

fn token_of(file: &str) -> Option<&str> {
    let token = file.strip_suffix(".ics")?;
    (token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(token)
}

/// Starts a new calendar feed of the caller's promotions, ending the one they had.
#[utoipa::path(
    post,
    path = "/api/v1/calendar/feed",
    tag = "calendar",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new feed's path", body = Feed),
        (status = 401, description = "No valid session", body = ErrorBody),
    )
)]
pub(super) async fn start_feed(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Feed>, ApiError> {
    let mut conn = state.storage.writer().await?;
    let token = auth::create_feed(&mut conn, &caller.user_id).await?;
    Ok(ApiJson(Feed {
        path: format!(
            "{}/api/v1/calendar/feeds/{token}.ics",
            state.base_path().as_str()
        ),
    }))
}

/// Ends the caller's calendar feed: its address answers nothing from now on.
#[utoipa::path(
    delete,
    path = "/api/v1/calendar/feed",
    tag = "calendar",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The feed is ended"),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 404, description = "The caller has no live feed", body = ErrorBody),
    )
)]
pub(super) async fn end_feed(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    let mut conn = state.storage.writer().await?;
    if auth::revoke_feeds(&mut conn, &caller.user_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("you have no calendar feed".into()))
    }
}

/// The promotions of a feed's user as an iCalendar file (RFC 5545), for a calendar app to poll.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/feeds/{file}",
    tag = "calendar",
    params(
        ("file" = String, Path, description = "The feed's token and `.ics`", pattern = r"^[A-Za-z0-9_-]{43}\.ics$"),
        ("lang" = Option<String>, Query, description = "The language of the calendar's texts: `zh-CN` (the default) or `en`", pattern = "^(zh-CN|en)$"),
    ),
    responses(
        (status = 200, description = "The promotions", content_type = "text/calendar", body = String),
        (status = 400, description = "Not a feed address, or a language other than zh-CN and en", body = ErrorBody),
        (status = 404, description = "No live feed at this address (ended, or its account disabled)", body = ErrorBody),
    )
)]
pub(super) async fn read_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let token = token_of(&file).ok_or_else(|| {
        ApiError::BadRequest(format!("not a feed address: expected {FEED_FILE_PATTERN}"))
    })?;
    let locale = feed_locale(query.as_deref())?;
    let mut conn = state.storage.pool.acquire().await?;
    let caller = auth::caller_for_feed(&mut conn, token)
        .await?
        .ok_or_else(|| ApiError::NotFound("no calendar feed at this address".into()))?;
    let file = sync::promotions_ics(&mut conn, &caller, locale).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            // A calendar app polls; a proxy must not keep another user's copy.
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        file,
    )
        .into_response())
}

/// The feed's language from its address's `lang` (other parameters a calendar app adds are left
/// alone): Chinese unless it says `en`.
fn feed_locale(query: Option<&str>) -> Result<Locale, ApiError> {
    let lang = query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="));
    match lang {
        None => Ok(Locale::ZhCn),
        Some("zh-CN") => Ok(Locale::ZhCn),
        Some("en") => Ok(Locale::En),
        Some(_) => Err(ApiError::BadRequest("lang must be zh-CN or en".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_speaks_chinese_unless_its_address_asks_for_english() {
        assert_eq!(feed_locale(None).unwrap(), Locale::ZhCn);
        assert_eq!(feed_locale(Some("x=1&lang=en")).unwrap(), Locale::En);
        assert_eq!(feed_locale(Some("lang=zh-CN")).unwrap(), Locale::ZhCn);
        assert!(matches!(
            feed_locale(Some("lang=fr")),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn only_a_token_and_ics_is_a_feed_file() {
        let token = "a".repeat(43);
        assert_eq!(token_of(&format!("{token}.ics")), Some(token.as_str()));
        assert_eq!(token_of(&token), None);
        assert_eq!(token_of(&format!("{}.ics", "a".repeat(42))), None);
        assert_eq!(token_of(&format!("{}/.ics", "a".repeat(42))), None);
    }
}
