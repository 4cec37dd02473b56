//! The web app's HTTP calls. URLs are relative so they resolve under the `<base href>` the server sets,
//! which keeps the app working when a portal mounts it under a sub-path.

use yingxiao_core::health::Health;

/// Why a request failed, in terms the page can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached (offline, DNS, refused, CORS).
    Network(String),
    /// The server answered something we could not read.
    BadResponse(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network(detail) | Self::BadResponse(detail) => f.write_str(detail),
        }
    }
}

/// `GET api/v1/health`. A 503 still carries a `Health` body (status `degraded`), so it is not an error.
pub async fn fetch_health() -> Result<Health, ApiError> {
    let response = gloo_net::http::Request::get("api/v1/health")
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    response
        .json::<Health>()
        .await
        .map_err(|e| ApiError::BadResponse(format!("HTTP {status}: {e}")))
}
