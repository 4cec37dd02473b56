//! What the server says about itself (the health check the home page's diagnostics show to
//! administrators), and the calendar feed it serves, so that pages never call the network themselves.

use yingxiao_core::health::Health;

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
