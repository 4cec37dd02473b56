//! The answer of `GET /api/v1/health`, shared so the server writes and the web app reads one type.

use serde::{Deserialize, Serialize};

/// What the server reports about itself; the home page shows it as plain facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when the database answered, `degraded` when it did not.
    pub status: HealthStatus,
    /// The server's product version.
    pub version: String,
    /// Which storage back end is in use.
    pub database: DatabaseKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HealthStatus {
    Ok,
    Degraded,
}

/// The storage back ends the server supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_has_a_stable_json_shape() {
        let health = Health {
            status: HealthStatus::Ok,
            version: "1.2.3".into(),
            database: DatabaseKind::Sqlite,
        };
        let json = serde_json::to_string(&health).unwrap();
        assert_eq!(
            json,
            r#"{"status":"ok","version":"1.2.3","database":"sqlite"}"#
        );
        assert_eq!(serde_json::from_str::<Health>(&json).unwrap(), health);
    }
}
