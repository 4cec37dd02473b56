//! Push and pull against the database (DESIGN.md, "Sync protocol"): exactly-once mutations under
//! savepoints, per-field merge through `core`'s rules, versions in commit order, scope checked on every
//! record, removals for records that left a user's scope, and the audit trail.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};
use sqlx::{Acquire, AnyConnection, Row};
use yingxiao_core::{
    domain::Collection,
    id::is_record_id,
    locale::Locale,
    scope::{scope_facts, OrgTree, Role, ScopeFacts, Viewer},
    sync::{
        apply::{apply, Change, StoredRecord},
        hlc::Hlc,
        protocol::{
            Intent, Mutation, Outcome, PullRequest, PullResponse, PushRequest, PushResponse,
            Record, RecordRef, RejectCode, RejectedMutation, Rejection, DEFAULT_PULL_LIMIT,
            MAX_MUTATIONS_PER_PUSH, MAX_PULL_LIMIT,
        },
    },
};

use crate::{
    auth::{now_millis, Caller},
    http::ApiError,
};

fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("{context}: {error}"))
}

/// A record row as stored.
#[derive(Clone, Debug)]
pub struct StoredRow {
    pub version: i64,
    pub state: StoredRecord,
    pub scope: ScopeFacts,
}

pub async fn load_record(
    conn: &mut AnyConnection,
    collection: Collection,
    id: &str,
) -> Result<Option<StoredRow>, ApiError> {
    let row = sqlx::query(
        "SELECT version, deleted, fields, stamps, scope FROM records WHERE collection = $1 AND id = $2",
    )
    .bind(collection.as_str())
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(StoredRow {
        version: row.try_get(0)?,
        state: StoredRecord {
            deleted: row.try_get::<i64, _>(1)? != 0,
            fields: parse_json(&row.try_get::<String, _>(2)?)?,
            stamps: parse_json(&row.try_get::<String, _>(3)?)?,
        },
        scope: parse_json(&row.try_get::<String, _>(4)?)?,
    }))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| internal("stored JSON", e))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| internal("JSON", e))
}

async fn save_record(
    conn: &mut AnyConnection,
    collection: Collection,
    id: &str,
    version: i64,
    state: &StoredRecord,
    scope: &ScopeFacts,
) -> Result<(), ApiError> {
    let now = now_millis();
    sqlx::query(
        "INSERT INTO records (collection, id, version, deleted, fields, stamps, scope, owner_id, customer_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (collection, id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted,
           fields = excluded.fields, stamps = excluded.stamps, scope = excluded.scope,
           owner_id = excluded.owner_id, customer_id = excluded.customer_id, updated_at = excluded.updated_at",
    )
    .bind(collection.as_str())
    .bind(id)
    .bind(version)
    .bind(i64::from(state.deleted))
    .bind(to_json(&state.fields)?)
    .bind(to_json(&state.stamps)?)
    .bind(to_json(scope)?)
    .bind(state.fields.get("owner_id").and_then(Value::as_str))
    .bind(scope.customer_id.as_deref())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn record_move(
    conn: &mut AnyConnection,
    version: i64,
    collection: Collection,
    id: &str,
    old_scope: &ScopeFacts,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO scope_moves (version, collection, id, old_scope) VALUES ($1, $2, $3, $4)",
    )
    .bind(version)
    .bind(collection.as_str())
    .bind(id)
    .bind(to_json(old_scope)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The org tree from the live `org_units` records.
pub async fn load_org_tree(conn: &mut AnyConnection) -> Result<OrgTree, ApiError> {
    let rows = sqlx::query(
        "SELECT id, fields FROM records WHERE collection = 'org_units' AND deleted = 0",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut parents = Vec::with_capacity(rows.len());
    for row in rows {
        let fields: Map<String, Value> = parse_json(&row.try_get::<String, _>(1)?)?;
        if let Some(parent) = fields.get("parent_id").and_then(Value::as_str) {
            parents.push((row.try_get::<String, _>(0)?, parent.to_owned()));
        }
    }
    Ok(OrgTree::new(parents))
}

/// The caller as the scope rule sees them.
pub async fn load_viewer(conn: &mut AnyConnection, caller: &Caller) -> Result<Viewer, ApiError> {
    let own_customers = if caller.role == Role::SalesRep {
        sqlx::query_scalar::<_, String>(
            "SELECT id FROM records WHERE collection = 'customers' AND owner_id = $1 AND deleted = 0",
        )
        .bind(&caller.user_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect()
    } else {
        HashSet::new()
    };
    Ok(Viewer {
        user_id: caller.user_id.clone(),
        role: caller.role,
        unit_id: caller.unit_id.clone(),
        own_customers,
    })
}

/// The scope facts of a record in this state; records hanging from a customer inherit from it.
async fn facts_for(
    conn: &mut AnyConnection,
    collection: Collection,
    fields: &Map<String, Value>,
) -> Result<ScopeFacts, ApiError> {
    let own = scope_facts(collection, fields, None);
    let parent = match (&own.customer_id, collection) {
        (Some(customer), c) if c != Collection::Customer => {
            load_record(conn, Collection::Customer, customer)
                .await?
                .filter(|row| !row.state.deleted)
                .map(|row| row.scope)
        }
        _ => None,
    };
    Ok(scope_facts(collection, fields, parent.as_ref()))
}

/// Checks everything about a push that needs no database, so a malformed push changes nothing.
pub fn validate_push(request: &PushRequest) -> Result<(), ApiError> {
    if !is_record_id(&request.client_id) {
        return Err(ApiError::Unprocessable(
            "client_id must be a UUID made on the device".into(),
        ));
    }
    if request.mutations.len() > MAX_MUTATIONS_PER_PUSH {
        return Err(ApiError::PayloadTooLarge(format!(
            "a push may carry at most {MAX_MUTATIONS_PER_PUSH} mutations; send the rest in another push"
        )));
    }
    for pair in request.mutations.windows(2) {
        if pair[1].id != pair[0].id + 1 {
            return Err(ApiError::Unprocessable(format!(
                "mutation ids must increase by one within a push: {} follows {}",
                pair[1].id, pair[0].id
            )));
        }
    }
    for mutation in &request.mutations {
        if mutation.id == 0 {
            return Err(ApiError::Unprocessable("mutation ids start at 1".into()));
        }
        mutation.intent.validate().map_err(|error| {
            ApiError::Unprocessable(format!(
                "mutation {}: {}",
                mutation.id,
                error.message(Locale::En)
            ))
        })?;
    }
    Ok(())
}

/// Applies a push in one transaction. Returns the outcomes; the caller commits.
pub async fn push(
    conn: &mut AnyConnection,
    caller: &Caller,
    request: &PushRequest,
) -> Result<PushResponse, ApiError> {
    validate_push(request)?;
    let mut tx = conn.begin().await?;
    // The first statement writes, so SQLite takes its write lock now rather than failing to upgrade
    // later, and PostgreSQL serialises pushes on this row: versions follow commit order.
    let mut version: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value WHERE name = 'version' RETURNING value",
    )
    .fetch_one(&mut *tx)
    .await?;

    let now = now_millis();
    sqlx::query(
        "INSERT INTO clients (client_id, user_id, last_mutation_id, created_at) VALUES ($1, $2, 0, $3)
         ON CONFLICT (client_id) DO NOTHING",
    )
    .bind(&request.client_id)
    .bind(&caller.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let client = sqlx::query("SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1")
        .bind(&request.client_id)
        .fetch_one(&mut *tx)
        .await?;
    if client.try_get::<String, _>(0)? != caller.user_id {
        return Err(ApiError::Forbidden(
            "this client id belongs to another user; a device makes a new client id per user"
                .into(),
        ));
    }
    let mut last: u64 = client.try_get::<i64, _>(1)?.try_into().unwrap_or(0);
    if let Some(first_new) = request.mutations.iter().find(|m| m.id > last) {
        if first_new.id != last + 1 {
            return Err(ApiError::Conflict(format!(
                "mutation {} arrived but the server expects {} next; push the missing mutations first",
                first_new.id,
                last + 1
            )));
        }
    }

    let org = load_org_tree(&mut tx).await?;
    let viewer = load_viewer(&mut tx, caller).await?;
    let mut outcomes = Vec::with_capacity(request.mutations.len());
    let mut epoch_changes = EpochChanges::default();
    for mutation in &request.mutations {
        if mutation.id <= last {
            outcomes.push(Outcome::Duplicate { id: mutation.id });
            continue;
        }
        let mut savepoint = tx.begin().await?;
        let result = apply_one(
            &mut savepoint,
            &viewer,
            &org,
            mutation,
            &mut version,
            &mut epoch_changes,
        )
        .await;
        let outcome = match result {
            Ok(written) => {
                savepoint.commit().await?;
                audit(
                    &mut tx,
                    &request.client_id,
                    caller,
                    mutation,
                    written,
                    None,
                    now,
                )
                .await?;
                Outcome::Applied { id: mutation.id }
            }
            Err(Failure::Rejected(reason)) => {
                savepoint.rollback().await?;
                audit(
                    &mut tx,
                    &request.client_id,
                    caller,
                    mutation,
                    None,
                    Some(&reason),
                    now,
                )
                .await?;
                Outcome::Rejected {
                    id: mutation.id,
                    reason,
                }
            }
            Err(Failure::Fatal(error)) => return Err(error),
        };
        outcomes.push(outcome);
        last = mutation.id;
    }
    epoch_changes.apply(&mut tx).await?;
    sqlx::query("UPDATE counters SET value = $1 WHERE name = 'version'")
        .bind(version)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE clients SET last_mutation_id = $1 WHERE client_id = $2")
        .bind(last as i64)
        .bind(&request.client_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(PushResponse {
        last_mutation_id: last,
        outcomes,
    })
}

enum Failure {
    Rejected(Rejection),
    Fatal(ApiError),
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self::Fatal(error)
    }
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        Self::Fatal(error.into())
    }
}

fn rejected(code: RejectCode, message: impl Into<String>) -> Failure {
    Failure::Rejected(Rejection::new(code, message))
}

/// Scope changes a push caused, applied once at its end.
#[derive(Default)]
struct EpochChanges {
    users: HashSet<String>,
    everyone: bool,
}

impl EpochChanges {
    async fn apply(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        if self.everyone {
            sqlx::query("UPDATE accounts SET scope_epoch = scope_epoch + 1")
                .execute(&mut *conn)
                .await?;
        } else {
            for user in &self.users {
                sqlx::query("UPDATE accounts SET scope_epoch = scope_epoch + 1 WHERE user_id = $1")
                    .bind(user)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }
}

fn changed(before: &StoredRecord, after: &StoredRecord, field: &str) -> bool {
    before.deleted != after.deleted || before.fields.get(field) != after.fields.get(field)
}

/// Applies one mutation under its savepoint; returns the version written, if any.
async fn apply_one(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    org: &OrgTree,
    mutation: &Mutation,
    version: &mut i64,
    epochs: &mut EpochChanges,
) -> Result<Option<i64>, Failure> {
    let target = mutation.intent.target();
    let collection = target.collection;
    if !viewer.can_write(collection) {
        return Err(rejected(
            RejectCode::Forbidden,
            format!("your role cannot change {}", collection.as_str()),
        ));
    }
    if collection == Collection::User && viewer.role != Role::Admin {
        return Err(rejected(
            RejectCode::Forbidden,
            "only an administrator can change users",
        ));
    }
    let existing = load_record(conn, collection, &target.id).await?;
    // A record the caller may not see is answered exactly like one that does not exist.
    let existing = match existing {
        Some(row) if !viewer.can_see(collection, &row.scope, org) => {
            if matches!(mutation.intent, Intent::Create(_)) {
                return Err(rejected(
                    RejectCode::AlreadyExists,
                    format!("{} {} already exists", collection.as_str(), target.id),
                ));
            }
            return Err(rejected(
                RejectCode::NotFound,
                format!("no {} record {}", collection.as_str(), target.id),
            ));
        }
        other => other,
    };
    let change = apply(
        existing.as_ref().map(|row| &row.state),
        &mutation.intent,
        &mutation.hlc,
    )
    .map_err(Failure::Rejected)?;
    let Change::Write(next) = change else {
        return Ok(None);
    };
    let scope = if next.deleted {
        // A tombstone keeps the scope it had, so exactly those who saw the record learn of its deletion.
        existing
            .as_ref()
            .map(|row| row.scope.clone())
            .unwrap_or_default()
    } else {
        let scope = facts_for(conn, collection, &next.fields).await?;
        if !viewer.can_see(collection, &scope, org) {
            return Err(rejected(
                RejectCode::Forbidden,
                "this change would put the record outside what you may see",
            ));
        }
        scope
    };
    *version += 1;
    let written = *version;
    save_record(conn, collection, &target.id, written, &next, &scope).await?;
    if let Some(before) = &existing {
        if before.scope != scope {
            record_move(conn, written, collection, &target.id, &before.scope).await?;
            if collection == Collection::Customer {
                cascade_customer_scope(conn, &target.id, &scope, version).await?;
            }
        }
        match collection {
            Collection::User
                if changed(&before.state, &next, "role")
                    || changed(&before.state, &next, "unit_id") =>
            {
                epochs.users.insert(target.id.clone());
            }
            Collection::OrgUnit if changed(&before.state, &next, "parent_id") => {
                epochs.everyone = true
            }
            _ => {}
        }
    }
    Ok(Some(written))
}

/// A customer changed hands or units: the records hanging from it follow, with their own moves.
async fn cascade_customer_scope(
    conn: &mut AnyConnection,
    customer_id: &str,
    customer_scope: &ScopeFacts,
    version: &mut i64,
) -> Result<(), ApiError> {
    let children = sqlx::query(
        "SELECT collection, id FROM records WHERE customer_id = $1 AND collection <> 'customers' AND deleted = 0",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    for child in children {
        let collection_name: String = child.try_get(0)?;
        let id: String = child.try_get(1)?;
        let Some(collection) = Collection::parse(&collection_name) else {
            continue;
        };
        let Some(row) = load_record(conn, collection, &id).await? else {
            continue;
        };
        let scope = scope_facts(collection, &row.state.fields, Some(customer_scope));
        if scope != row.scope {
            *version += 1;
            save_record(conn, collection, &id, *version, &row.state, &scope).await?;
            record_move(conn, *version, collection, &id, &row.scope).await?;
        }
    }
    Ok(())
}

async fn audit(
    conn: &mut AnyConnection,
    client_id: &str,
    caller: &Caller,
    mutation: &Mutation,
    version: Option<i64>,
    rejection: Option<&Rejection>,
    received_at: i64,
) -> Result<(), ApiError> {
    let target = mutation.intent.target();
    let intent = serde_json::to_value(&mutation.intent).map_err(|e| internal("JSON", e))?;
    sqlx::query(
        "INSERT INTO mutations (client_id, mutation_id, user_id, name, collection, record_id, args, hlc,
           received_at, outcome, version, reject_code, reject_message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(client_id)
    .bind(mutation.id as i64)
    .bind(&caller.user_id)
    .bind(intent.get("name").and_then(Value::as_str).unwrap_or_default())
    .bind(target.collection.as_str())
    .bind(&target.id)
    .bind(to_json(&intent.get("args"))?)
    .bind(mutation.hlc.to_string())
    .bind(received_at)
    .bind(if rejection.is_some() { "rejected" } else { "applied" })
    .bind(version)
    .bind(rejection.map(|r| to_json(&r.code)).transpose()?.map(|code| code.trim_matches('"').to_owned()))
    .bind(rejection.map(|r| r.message.clone()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A pull cursor: the scope epoch it was made under, the last version seen, and the last rejection
/// delivered. Opaque to the client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub epoch: i64,
    pub version: i64,
    pub rejections_seen: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.epoch, self.version, self.rejections_seen)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text
            .split('.')
            .map(|part| part.parse::<i64>().ok().filter(|n| *n >= 0));
        let cursor = Self {
            epoch: parts.next()??,
            version: parts.next()??,
            rejections_seen: parts.next()??,
        };
        parts.next().is_none().then_some(cursor)
    }
}

/// One page of changes since the cursor that the caller may see.
pub async fn pull(
    conn: &mut AnyConnection,
    caller: &Caller,
    request: &PullRequest,
) -> Result<PullResponse, ApiError> {
    if !is_record_id(&request.client_id) {
        return Err(ApiError::Unprocessable(
            "client_id must be a UUID made on the device".into(),
        ));
    }
    let limit = request.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(ApiError::Unprocessable(format!(
            "limit must be between 1 and {MAX_PULL_LIMIT}"
        )));
    }
    let given = match request.cursor.as_deref() {
        None => None,
        Some(text) => Some(Cursor::decode(text).ok_or_else(|| {
            ApiError::BadRequest(
                "cursor is not one this server issued; pull without a cursor".into(),
            )
        })?),
    };
    let client = sqlx::query("SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1")
        .bind(&request.client_id)
        .fetch_optional(&mut *conn)
        .await?;
    let last_mutation_id = match client {
        Some(row) if row.try_get::<String, _>(0)? != caller.user_id => {
            return Err(ApiError::Forbidden(
                "this client id belongs to another user".into(),
            ))
        }
        Some(row) => row.try_get::<i64, _>(1)?.max(0) as u64,
        None => 0,
    };
    let reset = given.is_some_and(|c| c.epoch != caller.scope_epoch);
    let from = match given {
        Some(cursor) if !reset => cursor,
        Some(cursor) => Cursor {
            rejections_seen: cursor.rejections_seen,
            ..Cursor::default()
        },
        None => Cursor::default(),
    };

    let org = load_org_tree(conn).await?;
    let viewer = load_viewer(conn, caller).await?;
    // Scan a bounded window of versions; filtering by scope happens here, in the one rule.
    let scan_limit = i64::from(limit);
    let rows = sqlx::query(
        "SELECT collection, id, version, deleted, fields, stamps, scope FROM records
         WHERE version > $1 ORDER BY version LIMIT $2",
    )
    .bind(from.version)
    .bind(scan_limit)
    .fetch_all(&mut *conn)
    .await?;
    let has_more = rows.len() as i64 == scan_limit;
    let mut page_end = from.version;
    let mut records = Vec::new();
    let mut deleted = Vec::new();
    for row in rows {
        let version: i64 = row.try_get(2)?;
        page_end = version;
        let Some(collection) = Collection::parse(&row.try_get::<String, _>(0)?) else {
            continue;
        };
        let scope: ScopeFacts = parse_json(&row.try_get::<String, _>(6)?)?;
        if !viewer.can_see(collection, &scope, &org) {
            continue;
        }
        let id: String = row.try_get(1)?;
        if row.try_get::<i64, _>(3)? != 0 {
            // A first sync has nothing to delete.
            if from.version > 0 {
                deleted.push(RecordRef { collection, id });
            }
            continue;
        }
        records.push(Record {
            collection,
            id,
            version,
            fields: parse_json(&row.try_get::<String, _>(4)?)?,
            stamps: parse_json::<BTreeMap<String, Hlc>>(&row.try_get::<String, _>(5)?)?,
        });
    }

    let removed = if from.version > 0 {
        removals(conn, &viewer, &org, from.version, page_end).await?
    } else {
        Vec::new()
    };

    let rejection_rows = sqlx::query(
        "SELECT mutation_id, reject_code, reject_message FROM mutations
         WHERE client_id = $1 AND outcome = 'rejected' AND mutation_id > $2 ORDER BY mutation_id",
    )
    .bind(&request.client_id)
    .bind(from.rejections_seen)
    .fetch_all(&mut *conn)
    .await?;
    let mut rejections = Vec::with_capacity(rejection_rows.len());
    let mut rejections_seen = from.rejections_seen;
    for row in rejection_rows {
        let mutation_id: i64 = row.try_get(0)?;
        rejections_seen = mutation_id;
        let code: String = row.try_get(1)?;
        rejections.push(RejectedMutation {
            mutation_id: mutation_id as u64,
            reason: Rejection {
                code: serde_json::from_value(Value::String(code))
                    .map_err(|e| internal("stored rejection code", e))?,
                message: row.try_get(2)?,
            },
        });
    }

    Ok(PullResponse {
        reset,
        records,
        deleted,
        removed,
        cursor: Cursor {
            epoch: caller.scope_epoch,
            version: page_end,
            rejections_seen,
        }
        .encode(),
        has_more,
        last_mutation_id,
        rejections,
    })
}

/// Records moved in `(after, up_to]` that the viewer could see before and cannot see now.
async fn removals(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    org: &OrgTree,
    after: i64,
    up_to: i64,
) -> Result<Vec<RecordRef>, ApiError> {
    let moves = sqlx::query(
        "SELECT m.collection, m.id, m.old_scope, r.scope, r.deleted FROM scope_moves m
         JOIN records r ON r.collection = m.collection AND r.id = m.id
         WHERE m.version > $1 AND m.version <= $2 ORDER BY m.version",
    )
    .bind(after)
    .bind(up_to)
    .fetch_all(&mut *conn)
    .await?;
    let mut removed = Vec::new();
    let mut seen = HashSet::new();
    for row in moves {
        let Some(collection) = Collection::parse(&row.try_get::<String, _>(0)?) else {
            continue;
        };
        let id: String = row.try_get(1)?;
        let old: ScopeFacts = parse_json(&row.try_get::<String, _>(2)?)?;
        let now: ScopeFacts = parse_json(&row.try_get::<String, _>(3)?)?;
        if row.try_get::<i64, _>(4)? != 0 {
            continue; // deletions travel as `deleted`
        }
        if viewer.can_see(collection, &old, org)
            && !viewer.can_see(collection, &now, org)
            && seen.insert((collection, id.clone()))
        {
            removed.push(RecordRef { collection, id });
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let cursor = Cursor {
            epoch: 3,
            version: 120,
            rejections_seen: 7,
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for junk in ["", "1.2", "1.2.3.4", "a.b.c", "-1.0.0", "1..2"] {
            assert_eq!(Cursor::decode(junk), None, "{junk:?}");
        }
    }
}
