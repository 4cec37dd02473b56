//! Push and pull against the database (DESIGN.md, "Sync protocol"). What a push does is decided in
//! `core::sync::push`; `push` only reads what that decision asks for and writes what it decided, in
//! one transaction. `pull` pages through records in version order and keeps those the one scope rule
//! lets the caller see, with deletions, removals from scope and repeated rejections.

mod feed;
mod pull;
mod push;

use serde_json::{Map, Value};
use sqlx::{AnyConnection, Row};
use yingxiao_core::{
    permission::Permissions,
    scope::OrgTree,
    sync::{
        protocol::{MAX_MUTATIONS_PER_PUSH, MAX_PULL_LIMIT},
        push::{PushRefusal, MAX_MUTATION_ID},
    },
};

pub use feed::promotions_ics;
pub use pull::{load_viewer, pull, PullPage, PulledRecord};
pub use push::push;

/// Why a push or pull was not answered with data.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The push breaks the protocol (malformed, too large, another user's device, a gap in ids);
    /// nothing of it was applied.
    #[error(transparent)]
    Push(#[from] PushRefusal),
    #[error("client_id must be a UUID made on the device")]
    PullClientId,
    #[error("limit must be between 1 and {MAX_PULL_LIMIT}")]
    PullLimit,
    #[error("cursor is not one this server issued; pull without a cursor")]
    UnknownCursor,
    #[error("last_mutation_id must be at most {MAX_MUTATION_ID}")]
    PullClaim,
    /// A pull with the client id of another user's device.
    #[error("this client id belongs to another user")]
    ForeignClient,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Something this server stored does not read back: a fault of ours.
    #[error("{0}")]
    Corrupt(String),
}

fn corrupt(context: &str, error: impl std::fmt::Display) -> SyncError {
    SyncError::Corrupt(format!("{context}: {error}"))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, SyncError> {
    serde_json::from_str(text).map_err(|e| corrupt("stored JSON", e))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, SyncError> {
    serde_json::to_string(value).map_err(|e| corrupt("JSON", e))
}

/// Ids per lookup statement: well inside SQLite's and PostgreSQL's limits on bound values.
const ROWS_PER_STATEMENT: usize = 400;

/// Rows per multi-row INSERT: a push's most mutations, so a full push's audit trail is one statement
/// that stays prepared; at 14 values a row, well inside SQLite's and PostgreSQL's limits on bound
/// values.
const ROWS_PER_INSERT: usize = MAX_MUTATIONS_PER_PUSH;

/// The org tree from the live `org_units` records, and the company's permission table (the defaults
/// with the overrides stored on the company unit). Also for the modules that answer about one record
/// beside sync (attachments), so the scope and permission rules see the same company.
pub async fn load_org(conn: &mut AnyConnection) -> Result<(OrgTree, Permissions), SyncError> {
    let rows = sqlx::query(
        "SELECT id, fields FROM records WHERE collection = 'org_units' AND deleted = 0",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut parents = Vec::with_capacity(rows.len());
    let mut permissions = Permissions::defaults();
    for row in rows {
        let fields: Map<String, Value> = parse_json(&row.try_get::<String, _>(1)?)?;
        match fields.get("parent_id").and_then(Value::as_str) {
            Some(parent) => parents.push((row.try_get::<String, _>(0)?, parent.to_owned())),
            None => permissions = Permissions::from_company(&fields),
        }
    }
    Ok((OrgTree::new(parents), permissions))
}
