//! The sign-in wire types, shared by the server that answers and the web app that asks.

use serde::{Deserialize, Serialize};

use crate::scope::Role;

/// `POST /api/v1/auth/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// A successful sign-in: the bearer token (shown once) and who it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    /// RFC 3339 UTC.
    pub expires_at: String,
    pub user: Me,
}

/// The signed-in user, as `GET /api/v1/me` and the app's top bar show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user_id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub unit_id: String,
}

/// The shortest password accepted, wherever one is set.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A person's sign-in account, as the admin's pages show it (`/api/v1/accounts/{user_id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountState {
    pub user_id: String,
    pub login: String,
    pub disabled: bool,
    /// Open sessions (signed-in devices) now.
    pub sessions: i64,
}
