//! A push's reads and writes around `core::sync::push`: the transaction and the version counter's
//! lock, the client row, the records the decision asks for, then what it decided — records, scope
//! moves and the audit trail in one multi-row INSERT each per 500 rows (see `bulk`), epoch bumps,
//! the counter with the commit's mark in the history, and the client's last mutation id.

use std::{borrow::Cow, collections::HashMap};

use serde_json::{value::RawValue, Value};
use sqlx::{any::AnyRow, Acquire, AnyConnection, Row};
use yingxiao_core::{
    domain::Collection,
    sync::{
        apply::StoredRecord,
        protocol::{PushRequest, PushResponse, RecordRef},
        push::{
            validate_push, Author, ClientState, EpochBumps, PushContext, PushDecision, ScopeMove,
            ServerRecord, Verdict, Wanted,
        },
    },
};

use super::{
    corrupt, load_org, parse_json, to_json, SyncError, ROWS_PER_INSERT, ROWS_PER_STATEMENT,
};
use crate::{
    auth::{now_millis, Caller},
    bulk::Dialect,
};

/// Applies a push in one transaction and commits it. `device` names the device for the audit trail
/// (`audit::device_label`), kept from its first push.
pub async fn push(
    conn: &mut AnyConnection,
    caller: &Caller,
    request: &PushRequest,
    device: &str,
) -> Result<PushResponse, SyncError> {
    validate_push(request)?;
    let mut tx = conn.begin().await?;
    // The first statement writes, so SQLite takes its write lock now rather than failing to upgrade
    // later, and PostgreSQL serialises pushes on this row: versions follow commit order.
    let version: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value WHERE name = 'version' RETURNING value",
    )
    .fetch_one(&mut *tx)
    .await?;

    let now = now_millis();
    sqlx::query(
        "INSERT INTO clients (client_id, user_id, last_mutation_id, created_at, device)
         VALUES ($1, $2, 0, $3, $4)
         ON CONFLICT (client_id) DO NOTHING",
    )
    .bind(&request.client_id)
    .bind(&caller.user_id)
    .bind(now)
    .bind(device)
    .execute(&mut *tx)
    .await?;
    let client = sqlx::query("SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1")
        .bind(&request.client_id)
        .fetch_one(&mut *tx)
        .await?;
    let client = ClientState {
        user_id: client.try_get(0)?,
        last_mutation_id: client.try_get::<i64, _>(1)?.try_into().unwrap_or(0),
    };

    let (org, permissions) = load_org(&mut tx).await?;
    let context = PushContext {
        author: Author {
            user_id: caller.user_id.clone(),
            role: caller.role,
            unit_id: caller.unit_id.clone(),
            system: caller.is_system(),
        },
        org,
        permissions,
        version,
        now_millis: u64::try_from(now).unwrap_or_default(),
    };
    let mut decision = PushDecision::start(request, Some(&client), context)?;
    while let Some(wanted) = decision.advance() {
        let found = match &wanted {
            Wanted::Records(keys) => fetch_records(&mut tx, keys).await?,
            Wanted::ChildrenOf(customer_id) => fetch_children(&mut tx, customer_id).await?,
            Wanted::OwnedBy(user_id) => fetch_owned(&mut tx, user_id).await?,
            Wanted::Breakdown(target_id) => fetch_breakdown(&mut tx, target_id).await?,
        };
        decision.supply(found);
    }
    let writes = decision.finish();

    write_records(&mut tx, &writes.records, now).await?;
    write_moves(&mut tx, &writes.moves).await?;
    write_audit(&mut tx, request, caller, now, &writes.verdicts).await?;
    bump_epochs(&mut tx, &writes.epochs).await?;
    sqlx::query("UPDATE counters SET value = $1 WHERE name = 'version'")
        .bind(writes.version)
        .execute(&mut *tx)
        .await?;
    if writes.version > version {
        // This commit's place in the history, for cursors to carry (`core::sync::history`).
        sqlx::query("INSERT INTO history (version, mark) VALUES ($1, $2)")
            .bind(writes.version)
            .bind(format!("{:016x}", rand::random::<u64>()))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE clients SET last_mutation_id = $1 WHERE client_id = $2")
        .bind(writes.response.last_mutation_id as i64)
        .bind(&request.client_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(writes.response)
}

const RECORD_COLUMNS: &str =
    "SELECT collection, id, version, deleted, fields, stamps, scope FROM records";

fn read_record(row: &AnyRow) -> Result<(RecordRef, ServerRecord), SyncError> {
    let collection: String = row.try_get(0)?;
    let collection =
        Collection::parse(&collection).ok_or_else(|| corrupt("stored collection", &collection))?;
    Ok((
        RecordRef {
            collection,
            id: row.try_get(1)?,
        },
        ServerRecord {
            version: row.try_get(2)?,
            state: StoredRecord {
                deleted: row.try_get::<i64, _>(3)? != 0,
                fields: parse_json(&row.try_get::<String, _>(4)?)?,
                stamps: parse_json(&row.try_get::<String, _>(5)?)?,
            },
            scope: parse_json(&row.try_get::<String, _>(6)?)?,
        },
    ))
}

/// The stored rows of these records, one query per collection so the primary key index answers it.
async fn fetch_records(
    conn: &mut AnyConnection,
    keys: &[RecordRef],
) -> Result<Vec<(RecordRef, ServerRecord)>, SyncError> {
    let mut wanted: HashMap<Collection, Vec<&str>> = HashMap::new();
    for key in keys {
        wanted.entry(key.collection).or_default().push(&key.id);
    }
    let mut found = Vec::with_capacity(keys.len());
    let dialect = Dialect::of(conn);
    for (collection, ids) in wanted {
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "{RECORD_COLUMNS} WHERE collection = {} AND id IN ({})",
                dialect.placeholders(1, 1),
                dialect.placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(collection.as_str());
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.persistent(false).fetch_all(&mut *conn).await? {
                found.push(read_record(&row)?);
            }
        }
    }
    Ok(found)
}

/// The live records hanging from a customer, as stored.
async fn fetch_children(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> Result<Vec<(RecordRef, ServerRecord)>, SyncError> {
    let rows = sqlx::query(&format!(
        "{RECORD_COLUMNS} WHERE customer_id = $1 AND collection <> 'customers' AND deleted = 0"
    ))
    .bind(customer_id)
    .persistent(false)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(read_record).collect()
}

/// The live customers and opportunities a person owns, as stored (by the owner index).
async fn fetch_owned(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<(RecordRef, ServerRecord)>, SyncError> {
    let mut found = Vec::new();
    for collection in [Collection::Customer, Collection::Opportunity] {
        let rows = sqlx::query(&format!(
            "{RECORD_COLUMNS} WHERE collection = $1 AND owner_id = $2 AND deleted = 0"
        ))
        .bind(collection.as_str())
        .bind(user_id)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            found.push(read_record(row)?);
        }
    }
    Ok(found)
}

/// The live targets whose parent is `target_id`, as stored (by the parent index).
async fn fetch_breakdown(
    conn: &mut AnyConnection,
    target_id: &str,
) -> Result<Vec<(RecordRef, ServerRecord)>, SyncError> {
    let rows = sqlx::query(&format!(
        "{RECORD_COLUMNS} WHERE collection = 'targets' AND parent_id = $1 AND deleted = 0"
    ))
    .bind(target_id)
    .persistent(false)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(read_record).collect()
}

/// Every record the push wrote, in multi-row upserts of up to `ROWS_PER_INSERT` rows (see `bulk`).
async fn write_records(
    conn: &mut AnyConnection,
    written: &[(RecordRef, ServerRecord)],
    now: i64,
) -> Result<(), SyncError> {
    let dialect = Dialect::of(conn);
    for chunk in written.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO records (collection, id, version, deleted, fields, stamps, scope, owner_id,
               customer_id, parent_id, created_at, updated_at)
             VALUES {}
             ON CONFLICT (collection, id) DO UPDATE SET version = excluded.version,
               deleted = excluded.deleted, fields = excluded.fields, stamps = excluded.stamps,
               scope = excluded.scope, owner_id = excluded.owner_id,
               customer_id = excluded.customer_id, parent_id = excluded.parent_id,
               updated_at = excluded.updated_at",
            dialect.value_rows(1, chunk.len(), 12)
        );
        let mut query = sqlx::query(&sql);
        for (key, row) in chunk {
            let field = |name| row.state.fields.get(name).and_then(Value::as_str);
            query = query
                .bind(key.collection.as_str())
                .bind(key.id.as_str())
                .bind(row.version)
                .bind(i64::from(row.state.deleted))
                .bind(to_json(&row.state.fields)?)
                .bind(to_json(&row.state.stamps)?)
                .bind(to_json(&row.scope)?)
                .bind(field("owner_id"))
                .bind(row.scope.customer_id.as_deref())
                .bind(field("parent_id"))
                .bind(now)
                .bind(now);
        }
        query
            .persistent(chunk.len() == ROWS_PER_INSERT)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The scope moves of a push, in multi-row inserts.
async fn write_moves(conn: &mut AnyConnection, moves: &[ScopeMove]) -> Result<(), SyncError> {
    let dialect = Dialect::of(conn);
    for chunk in moves.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO scope_moves (version, collection, id, old_scope) VALUES {}",
            dialect.value_rows(1, chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for moved in chunk {
            query = query
                .bind(moved.version)
                .bind(moved.record.collection.as_str())
                .bind(moved.record.id.as_str())
                .bind(to_json(&moved.old_scope)?);
        }
        query
            .persistent(chunk.len() == ROWS_PER_INSERT)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// An intent as the wire spells it, split into its name and its arguments' JSON.
#[derive(serde::Deserialize)]
struct NamedIntent<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    args: &'a RawValue,
}

/// The audit trail of a push, in multi-row inserts: each new mutation with its admitted stamp and
/// what became of it.
async fn write_audit(
    conn: &mut AnyConnection,
    request: &PushRequest,
    caller: &Caller,
    received_at: i64,
    verdicts: &[Verdict<'_>],
) -> Result<(), SyncError> {
    let dialect = Dialect::of(conn);
    for chunk in verdicts.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO mutations (mutation_id, name, collection, record_id, args, hlc, outcome,
               version, reject_code, reject_message, reject_detail, client_id, user_id, received_at)
             VALUES {}",
            dialect.value_rows(1, chunk.len(), 14)
        );
        let mut query = sqlx::query(&sql);
        for verdict in chunk {
            let mutation = verdict.mutation;
            let target = mutation.intent.target();
            // Straight to text: through a `Value` every map of the arguments was copied.
            let intent = to_json(&mutation.intent)?;
            let intent: NamedIntent =
                serde_json::from_str(&intent).map_err(|e| corrupt("JSON", e))?;
            let rejection = verdict.rejection.as_ref();
            let code = match rejection {
                Some(r) => Some(to_json(&r.code)?.trim_matches('"').to_owned()),
                None => None,
            };
            let detail = match rejection.and_then(|r| r.denial.as_ref()) {
                Some(denial) => Some(to_json(denial)?),
                None => None,
            };
            query = query
                .bind(mutation.id as i64)
                .bind(intent.name.into_owned())
                .bind(target.collection.as_str())
                .bind(target.id)
                .bind(intent.args.get().to_owned())
                .bind(verdict.hlc.to_string())
                .bind(if rejection.is_some() {
                    "rejected"
                } else {
                    "applied"
                })
                .bind(verdict.version)
                .bind(code)
                .bind(rejection.map(|r| r.message.as_str()))
                .bind(detail)
                .bind(request.client_id.as_str())
                .bind(caller.user_id.as_str())
                .bind(received_at);
        }
        query
            .persistent(chunk.len() == ROWS_PER_INSERT)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// New scope epochs for those whose scope the push changed; their next pull answers "reset".
async fn bump_epochs(conn: &mut AnyConnection, epochs: &EpochBumps) -> Result<(), SyncError> {
    if epochs.everyone {
        sqlx::query("UPDATE accounts SET scope_epoch = scope_epoch + 1")
            .execute(&mut *conn)
            .await?;
    } else {
        for user in &epochs.users {
            sqlx::query("UPDATE accounts SET scope_epoch = scope_epoch + 1 WHERE user_id = $1")
                .bind(user)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
