//! A pull: one page of the records changed since the caller's cursor that they may see, the
//! deletions and removals from scope they must apply, and their device's rejections, repeated until
//! a cursor shows they arrived.

use std::collections::HashSet;

use serde_json::{value::RawValue, Map, Value};
use sqlx::{AnyConnection, Row};
use yingxiao_core::{
    domain::Collection,
    id::is_record_id,
    permission::{may_read_private, PRIVATE_USER_FIELDS},
    scope::{OrgTree, Role, ScopeFacts, Viewer},
    sync::{
        history::{self, Cursor, ServerPoint},
        protocol::{
            PullRequest, RecordRef, RejectedMutation, Rejection, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
        },
        push::MAX_MUTATION_ID,
    },
};

use super::{corrupt, load_org, parse_json, to_json, SyncError, ROWS_PER_STATEMENT};
use crate::{auth::Caller, bulk::Dialect};

/// The caller as the scope rule sees them, knowing which of `customers` they own (a rep sees what
/// hangs from their own customers). Only the customers a page (or one record) mentions are looked up.
pub async fn load_viewer(
    conn: &mut AnyConnection,
    caller: &Caller,
    customers: &HashSet<String>,
) -> Result<Viewer, SyncError> {
    let mut own_customers = HashSet::new();
    if caller.role == Role::SalesRep {
        let ids: Vec<&String> = customers.iter().collect();
        let dialect = Dialect::of(conn);
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT id FROM records WHERE collection = 'customers' AND owner_id = {} AND deleted = 0 AND id IN ({})",
                dialect.placeholders(1, 1),
                dialect.placeholders(2, chunk.len())
            );
            let mut query = sqlx::query_scalar::<_, String>(&sql).bind(&caller.user_id);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            own_customers.extend(query.persistent(false).fetch_all(&mut *conn).await?);
        }
    }
    Ok(Viewer {
        user_id: caller.user_id.clone(),
        role: caller.role,
        unit_id: caller.unit_id.clone(),
        own_customers,
    })
}

/// A pulled record as stored text: fields and stamps go out exactly as stored, without being parsed
/// and written again. Same JSON shape as `core`'s `Record`.
#[derive(Debug, serde::Serialize)]
pub struct PulledRecord {
    pub collection: Collection,
    pub id: String,
    pub version: i64,
    pub fields: Box<RawValue>,
    pub stamps: Box<RawValue>,
}

/// `core`'s `PullResponse` with records as stored text; same JSON shape.
#[derive(Debug, serde::Serialize)]
pub struct PullPage {
    pub rewound: bool,
    pub reset: bool,
    pub records: Vec<PulledRecord>,
    pub deleted: Vec<RecordRef>,
    pub removed: Vec<RecordRef>,
    pub cursor: String,
    pub has_more: bool,
    pub last_mutation_id: u64,
    pub rejections: Vec<RejectedMutation>,
}

/// A stored record as a pull page carries it: collection, id, version, deleted, fields, stamps, scope.
type PageRow = (
    Collection,
    String,
    i64,
    i64,
    Box<RawValue>,
    Box<RawValue>,
    ScopeFacts,
);

/// Up to `limit` records after version `after`, in version order, whoever may see them.
async fn page_rows(
    conn: &mut AnyConnection,
    after: i64,
    limit: u32,
) -> Result<Vec<PageRow>, SyncError> {
    let page = "SELECT collection, id, version, deleted, fields, stamps, scope FROM records
                WHERE version > $1 ORDER BY version LIMIT $2";
    match Dialect::of(conn) {
        // The page as one JSON array text built by SQLite (see `bulk`): fields, stamps and scope are
        // JSON this server wrote, so they are spliced in as they are and passed on unparsed.
        Dialect::Sqlite => {
            let text: String = sqlx::query_scalar(&format!(
                r#"SELECT '[' || COALESCE(string_agg('["' || collection || '","' || id || '",' || version
                     || ',' || deleted || ',' || fields || ',' || stamps || ',' || scope || ']', ','), '')
                     || ']' FROM ({page})"#
            ))
            .bind(after)
            .bind(i64::from(limit))
            .persistent(false)
            .fetch_one(&mut *conn)
            .await?;
            let mut rows: Vec<PageRow> =
                serde_json::from_str(&text).map_err(|e| corrupt("page", e))?;
            // The aggregate's order is not promised; versions are unique.
            rows.sort_unstable_by_key(|row| row.2);
            Ok(rows)
        }
        // PostgreSQL's driver streams rows without a thread hop, and builds strings more slowly
        // than it sends rows: measured 2× faster this way.
        Dialect::Postgres => {
            let stored = sqlx::query(page)
                .bind(after)
                .bind(i64::from(limit))
                .persistent(false)
                .fetch_all(&mut *conn)
                .await?;
            let raw =
                |text: String| RawValue::from_string(text).map_err(|e| corrupt("stored JSON", e));
            let mut rows = Vec::with_capacity(stored.len());
            for row in stored {
                let collection: String = row.try_get(0)?;
                rows.push((
                    Collection::parse(&collection)
                        .ok_or_else(|| corrupt("stored collection", &collection))?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                    raw(row.try_get(4)?)?,
                    raw(row.try_get(5)?)?,
                    parse_json(&row.try_get::<String, _>(6)?)?,
                ));
            }
            Ok(rows)
        }
    }
}

/// One page of changes since the cursor that the caller may see.
pub async fn pull(
    conn: &mut AnyConnection,
    caller: &Caller,
    request: &PullRequest,
) -> Result<PullPage, SyncError> {
    if !is_record_id(&request.client_id) {
        return Err(SyncError::PullClientId);
    }
    let limit = request.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(SyncError::PullLimit);
    }
    if request.last_mutation_id.unwrap_or(0) > MAX_MUTATION_ID {
        return Err(SyncError::PullClaim);
    }
    let given = match request.cursor.as_deref() {
        None => None,
        Some(text) => Some(Cursor::decode(text).ok_or(SyncError::UnknownCursor)?),
    };
    let client = sqlx::query("SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1")
        .bind(&request.client_id)
        .fetch_optional(&mut *conn)
        .await?;
    let last_mutation_id = match client {
        Some(row) if row.try_get::<String, _>(0)? != caller.user_id => {
            return Err(SyncError::ForeignClient)
        }
        Some(row) => row.try_get::<i64, _>(1)?.max(0) as u64,
        None => 0,
    };
    let database = database_id(conn).await?;
    let given_mark = match &given {
        Some(cursor) if cursor.version > 0 => mark_at(conn, cursor.version).await?,
        _ => None,
    };
    let point = ServerPoint {
        database: &database,
        mark_at_cursor: given_mark.as_deref(),
        last_mutation_id,
    };
    if history::rewound(
        given.as_ref(),
        request.last_mutation_id.unwrap_or(0),
        &point,
    ) {
        return rewound_page(
            conn,
            caller,
            &request.client_id,
            &database,
            last_mutation_id,
        )
        .await;
    }
    let reset = given
        .as_ref()
        .is_some_and(|c| c.epoch != caller.scope_epoch);
    let from = match given {
        Some(cursor) if !reset => cursor,
        Some(cursor) => Cursor {
            rejections_seen: cursor.rejections_seen,
            ..Cursor::start(&database, caller.scope_epoch)
        },
        None => Cursor::start(&database, caller.scope_epoch),
    };

    let (org, _) = load_org(conn).await?;
    // Scan a bounded window of versions; filtering by scope happens here, in the one rule.
    let rows = page_rows(conn, from.version, limit).await?;
    let has_more = rows.len() == limit as usize;
    let page_end = rows.last().map_or(from.version, |row| row.2);
    let mut customers: HashSet<String> = rows
        .iter()
        .filter_map(|row| row.6.customer_id.clone())
        .collect();
    let moves = if from.version > 0 {
        scope_moves(conn, from.version, page_end).await?
    } else {
        Vec::new()
    };
    for (_, old, now) in &moves {
        customers.extend(old.customer_id.clone());
        customers.extend(now.customer_id.clone());
    }
    let viewer = load_viewer(conn, caller, &customers).await?;

    let mut records = Vec::new();
    let mut deleted = Vec::new();
    for (collection, id, version, is_deleted, fields, stamps, scope) in rows {
        if !viewer.can_see(collection, &scope, &org) {
            continue;
        }
        if is_deleted != 0 {
            // A first sync has nothing to delete.
            if from.version > 0 {
                deleted.push(RecordRef { collection, id });
            }
            continue;
        }
        let (fields, stamps) = if collection == Collection::User {
            without_private_fields(&viewer, &org, &id, &scope, fields, stamps)?
        } else {
            (fields, stamps)
        };
        records.push(PulledRecord {
            collection,
            id,
            version,
            fields,
            stamps,
        });
    }

    // Records that left the viewer's scope: seen before the move, not now. Each once.
    let mut removed = Vec::new();
    for (key, old, now) in moves {
        let left = viewer.can_see(key.collection, &old, &org)
            && !viewer.can_see(key.collection, &now, &org);
        if left && !removed.contains(&key) {
            removed.push(key);
        }
    }

    let rejections = rejections_after(conn, &request.client_id, from.rejections_seen).await?;
    let rejections_seen = rejections
        .last()
        .map_or(from.rejections_seen, |r| r.mutation_id as i64);
    let mark = match &from.mark {
        Some(mark) if page_end == from.version => Some(mark.clone()),
        _ if page_end == 0 => Some(String::new()),
        _ => mark_at(conn, page_end).await?,
    };
    Ok(PullPage {
        rewound: false,
        reset,
        records,
        deleted,
        removed,
        cursor: Cursor {
            database: Some(database),
            epoch: caller.scope_epoch,
            version: page_end,
            mark: Some(mark.unwrap_or_default()),
            rejections_seen,
        }
        .encode(),
        has_more,
        last_mutation_id,
        rejections,
    })
}

/// The answer to a device whose position this server's history does not hold: nothing but the
/// server's record of the device (its last mutation id and every rejection it still has), and a
/// first cursor; the device starts over (`core::sync::client::recover`).
async fn rewound_page(
    conn: &mut AnyConnection,
    caller: &Caller,
    client_id: &str,
    database: &str,
    last_mutation_id: u64,
) -> Result<PullPage, SyncError> {
    tracing::info!(
        client_id,
        user_id = %caller.user_id,
        last_mutation_id,
        "a device's position is not in this database's history (restored or reseeded); it starts over"
    );
    Ok(PullPage {
        rewound: true,
        reset: true,
        records: Vec::new(),
        deleted: Vec::new(),
        removed: Vec::new(),
        cursor: Cursor::start(database, caller.scope_epoch).encode(),
        has_more: true,
        last_mutation_id,
        rejections: rejections_after(conn, client_id, 0).await?,
    })
}

/// This database's identity (made by the `database_id` fix-up).
async fn database_id(conn: &mut AnyConnection) -> Result<String, SyncError> {
    sqlx::query_scalar("SELECT value FROM server_facts WHERE name = 'database_id'")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| corrupt("server_facts", "no database_id"))
}

/// The mark of the commit that wrote `version`; `None` when no commit has reached it.
async fn mark_at(conn: &mut AnyConnection, version: i64) -> Result<Option<String>, SyncError> {
    Ok(
        sqlx::query_scalar("SELECT mark FROM history WHERE version >= $1 ORDER BY version LIMIT 1")
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// The device's rejections after mutation id `seen`, in order.
async fn rejections_after(
    conn: &mut AnyConnection,
    client_id: &str,
    seen: i64,
) -> Result<Vec<RejectedMutation>, SyncError> {
    let rows = sqlx::query(
        "SELECT mutation_id, reject_code, reject_message, reject_detail FROM mutations
         WHERE client_id = $1 AND outcome = 'rejected' AND mutation_id > $2 ORDER BY mutation_id",
    )
    .bind(client_id)
    .bind(seen)
    .fetch_all(&mut *conn)
    .await?;
    let mut rejections = Vec::with_capacity(rows.len());
    for row in rows {
        let code: String = row.try_get(1)?;
        rejections.push(RejectedMutation {
            mutation_id: row.try_get::<i64, _>(0)? as u64,
            reason: Rejection {
                code: serde_json::from_value(Value::String(code))
                    .map_err(|e| corrupt("stored rejection code", e))?,
                message: row.try_get(2)?,
                denial: match row.try_get::<Option<String>, _>(3)? {
                    Some(text) => Some(parse_json(&text)?),
                    None => None,
                },
            },
        });
    }
    Ok(rejections)
}

/// A person's record as this viewer may receive it: contact data and employee number only for the
/// person, company-wide roles and the managers of the person's unit.
fn without_private_fields(
    viewer: &Viewer,
    org: &OrgTree,
    user_id: &str,
    scope: &ScopeFacts,
    fields: Box<RawValue>,
    stamps: Box<RawValue>,
) -> Result<(Box<RawValue>, Box<RawValue>), SyncError> {
    if may_read_private(viewer, org, user_id, scope.unit_id.as_deref()) {
        return Ok((fields, stamps));
    }
    let strip = |raw: Box<RawValue>| -> Result<Box<RawValue>, SyncError> {
        let mut map: Map<String, Value> = parse_json(raw.get())?;
        if !PRIVATE_USER_FIELDS.iter().any(|f| map.contains_key(*f)) {
            return Ok(raw);
        }
        for field in PRIVATE_USER_FIELDS {
            map.remove(field);
        }
        RawValue::from_string(to_json(&map)?).map_err(|e| corrupt("JSON", e))
    };
    Ok((strip(fields)?, strip(stamps)?))
}

/// Scope moves in `(after, up_to]` of records still live: the record, its scope before the move and now.
async fn scope_moves(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Vec<(RecordRef, ScopeFacts, ScopeFacts)>, SyncError> {
    let rows = sqlx::query(
        "SELECT m.collection, m.id, m.old_scope, r.scope FROM scope_moves m
         JOIN records r ON r.collection = m.collection AND r.id = m.id
         WHERE m.version > $1 AND m.version <= $2 AND r.deleted = 0 ORDER BY m.version",
    )
    .bind(after)
    .bind(up_to)
    .persistent(false)
    .fetch_all(&mut *conn)
    .await?;
    let mut moves = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(collection) = Collection::parse(&row.try_get::<String, _>(0)?) else {
            continue;
        };
        moves.push((
            RecordRef {
                collection,
                id: row.try_get(1)?,
            },
            parse_json(&row.try_get::<String, _>(2)?)?,
            parse_json(&row.try_get::<String, _>(3)?)?,
        ));
    }
    Ok(moves)
}
