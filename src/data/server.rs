//! What the server says about itself (the health check the home page's diagnostics show to
//! administrators), so that pages never call the network themselves.

use yingxiao_core::health::Health;

use crate::api::{self, ApiError};

/// The server's health now: its database, versions and time.
pub async fn health() -> Result<Health, ApiError> {
    api::fetch_health().await
}
