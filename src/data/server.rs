//! What the server says about itself (the health check the home page's diagnostics show to
//! administrators), the calendar feed it serves, and what only it keeps (the audit trail, people's
//! sign-in accounts), so that pages never call the network themselves.

use yingxiao_core::{account::AccountState, audit::AuditPage, health::Health};

pub use crate::api::AccountChange;
use crate::api::{self, ApiError};

/// The server's health now: its database, versions and time.
pub async fn health() -> Result<Health, ApiError> {
    api::fetch_health().await
}

/// Starts the signed-in user's calendar feed (ending the old one); its whole address, for a calendar
/// app. Needs the network.
pub async fn start_calendar_feed(token: &str) -> Result<String, ApiError> {
    let path = api::start_calendar_feed(token).await?;
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    Ok(format!("{origin}{path}"))
}

/// Ends the signed-in user's calendar feed.
pub async fn end_calendar_feed(token: &str) -> Result<(), ApiError> {
    api::end_calendar_feed(token).await
}

/// A page of the audit trail (`query`: its filters as a query string, without `?`).
pub async fn audit(token: &str, query: &str) -> Result<AuditPage, ApiError> {
    api::audit(token, query).await
}

/// A person's sign-in account; a 404 when they have none (or are not on the server yet).
pub async fn account(token: &str, user_id: &str) -> Result<AccountState, ApiError> {
    api::account(token, user_id).await
}

/// Gives, disables, enables or resets a person's sign-in account.
pub async fn change_account(
    token: &str,
    user_id: &str,
    change: AccountChange<'_>,
) -> Result<AccountState, ApiError> {
    api::change_account(token, user_id, change).await
}
