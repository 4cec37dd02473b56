//! The audit trail's reads: applied mutations, newest first, with their author, device and what they
//! set, filtered as core's `AuditQuery` says. An administrator sees every entry; anyone else only the
//! history of records they see now (the scope rule, as a pull applies it).

use std::collections::HashSet;

use serde_json::{Map, Value};
use sqlx::{AnyConnection, Row};
use yingxiao_core::{
    audit::{changes_of, AuditEntry, AuditPage, AuditQuery, Cursor},
    domain::Collection,
    scope::{Role, ScopeFacts},
    sync::hlc::Hlc,
    time::format_instant,
    views,
};

use crate::{
    auth::Caller,
    sync::{load_org, load_viewer, SyncError},
};

/// Rows read per round while filling a page for someone who may not see every entry.
const ROUND: usize = 200;
/// Rounds at most per page: a page may come back short (with `next`) rather than read the whole trail.
const MAX_ROUNDS: usize = 10;

struct TrailRow {
    cursor: Cursor,
    user_id: String,
    name: String,
    collection: String,
    record_id: String,
    args: String,
    hlc: String,
    device: Option<String>,
    scope: Option<String>,
    fields: Option<String>,
    author: Option<String>,
}

/// One page of the trail for the caller.
pub async fn page(
    conn: &mut AnyConnection,
    caller: &Caller,
    query: &AuditQuery,
) -> Result<AuditPage, SyncError> {
    let everything = caller.role == Role::Admin || caller.is_system();
    let sight = if everything {
        None
    } else {
        Some(load_org(conn).await?.0)
    };
    let mut entries = Vec::new();
    let mut before = query.before.clone();
    for _ in 0..MAX_ROUNDS {
        let want = if everything { query.limit + 1 } else { ROUND };
        let rows = read_rows(conn, query, before.as_ref(), want).await?;
        let exhausted = rows.len() < want;
        let customers: HashSet<String> = rows
            .iter()
            .filter_map(|r| r.scope.as_deref())
            .filter_map(|s| serde_json::from_str::<ScopeFacts>(s).ok())
            .flat_map(|facts| facts.customer_id)
            .collect();
        let viewer = match &sight {
            Some(_) => Some(load_viewer(conn, caller, &customers).await?),
            None => None,
        };
        for row in rows {
            before = Some(row.cursor.clone());
            let visible = match (&viewer, &sight) {
                (Some(viewer), Some(org)) => {
                    let scope: Option<ScopeFacts> = row
                        .scope
                        .as_deref()
                        .and_then(|s| serde_json::from_str(s).ok());
                    match (Collection::parse(&row.collection), scope) {
                        (Some(collection), Some(scope)) => viewer.can_see(collection, &scope, org),
                        _ => false,
                    }
                }
                _ => true,
            };
            if !visible {
                continue;
            }
            if entries.len() == query.limit {
                // One more than a page: there is a next page, starting after the last shown.
                let last: &(Cursor, AuditEntry) = entries.last().expect("a full page");
                return Ok(AuditPage {
                    next: Some(last.0.to_string()),
                    entries: entries.into_iter().map(|(_, e)| e).collect(),
                });
            }
            entries.push((row.cursor.clone(), entry_of(row)));
        }
        if exhausted {
            return Ok(AuditPage {
                entries: entries.into_iter().map(|(_, e)| e).collect(),
                next: None,
            });
        }
    }
    // Read as much as one page may: the next page goes on from the last row read.
    Ok(AuditPage {
        entries: entries.into_iter().map(|(_, e)| e).collect(),
        next: before.map(|c| c.to_string()),
    })
}

async fn read_rows(
    conn: &mut AnyConnection,
    query: &AuditQuery,
    before: Option<&Cursor>,
    limit: usize,
) -> Result<Vec<TrailRow>, SyncError> {
    let mut sql = String::from(
        "SELECT m.client_id, m.mutation_id, m.received_at, m.user_id, m.name, m.collection,
                m.record_id, m.args, m.hlc, c.device, r.scope, r.fields, u.fields
         FROM mutations m
         LEFT JOIN clients c ON c.client_id = m.client_id
         LEFT JOIN records r ON r.collection = m.collection AND r.id = m.record_id
         LEFT JOIN records u ON u.collection = 'users' AND u.id = m.user_id
         WHERE m.outcome = 'applied'",
    );
    let mut texts: Vec<String> = Vec::new();
    let mut numbers: Vec<(usize, i64)> = Vec::new();
    let mut next = 1;
    let mut bind_text = |sql: &mut String, clause: &str, value: String| {
        sql.push_str(&clause.replace('?', &format!("${next}")));
        texts.push(value);
        next += 1;
    };
    if let Some(collection) = query.collection {
        bind_text(
            &mut sql,
            " AND m.collection = ?",
            collection.as_str().to_owned(),
        );
    }
    if let Some(record) = &query.record {
        bind_text(&mut sql, " AND m.record_id = ?", record.clone());
    }
    if let Some(user) = &query.user {
        bind_text(&mut sql, " AND m.user_id = ?", user.clone());
    }
    let mut next_number = texts.len() + 1;
    let mut bind_number = |sql: &mut String, clause: &str, value: i64| {
        sql.push_str(&clause.replace('?', &format!("${next_number}")));
        numbers.push((next_number, value));
        next_number += 1;
    };
    if let Some(from) = query.from_millis {
        bind_number(&mut sql, " AND m.received_at >= ?", from);
    }
    if let Some(until) = query.until_millis {
        bind_number(&mut sql, " AND m.received_at < ?", until);
    }
    let mut cursor_client = None;
    if let Some(cursor) = before {
        let (at, id) = (next_number, next_number + 1);
        numbers.push((at, cursor.received_at));
        numbers.push((id, cursor.mutation_id));
        let client = next_number + 2;
        sql.push_str(&format!(
            " AND (m.received_at < ${at} OR (m.received_at = ${at} AND (m.mutation_id < ${id} \
             OR (m.mutation_id = ${id} AND m.client_id < ${client}))))"
        ));
        cursor_client = Some(cursor.client_id.clone());
    }
    sql.push_str(&format!(
        " ORDER BY m.received_at DESC, m.mutation_id DESC, m.client_id DESC LIMIT {limit}"
    ));
    let mut statement = sqlx::query(&sql);
    for text in &texts {
        statement = statement.bind(text);
    }
    for (_, number) in &numbers {
        statement = statement.bind(*number);
    }
    if let Some(client) = &cursor_client {
        statement = statement.bind(client);
    }
    let rows = statement.fetch_all(&mut *conn).await?;
    rows.into_iter()
        .map(|row| {
            Ok(TrailRow {
                cursor: Cursor {
                    client_id: row.try_get(0)?,
                    mutation_id: row.try_get(1)?,
                    received_at: row.try_get(2)?,
                },
                user_id: row.try_get(3)?,
                name: row.try_get(4)?,
                collection: row.try_get(5)?,
                record_id: row.try_get(6)?,
                args: row.try_get(7)?,
                hlc: row.try_get(8)?,
                device: row.try_get(9)?,
                scope: row.try_get(10)?,
                fields: row.try_get(11)?,
                author: row.try_get(12)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(SyncError::from)
}

fn entry_of(row: TrailRow) -> AuditEntry {
    let parse = |text: &Option<String>| -> Map<String, Value> {
        text.as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    };
    let author = parse(&row.author);
    let fields = parse(&row.fields);
    let record_name = Collection::parse(&row.collection).and_then(|collection| {
        let parts: Vec<&str> = views::spec(collection)
            .title
            .iter()
            .filter_map(|f| fields.get(*f).and_then(Value::as_str))
            .filter(|t| !t.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    });
    let args: Value = serde_json::from_str(&row.args).unwrap_or(Value::Null);
    let made_at = row
        .hlc
        .parse::<Hlc>()
        .map(|hlc| format_instant(hlc.millis))
        .unwrap_or_default();
    AuditEntry {
        made_at,
        received_at: format_instant(row.cursor.received_at.max(0) as u64),
        user_name: author
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        user_id: row.user_id,
        device: row.device.filter(|d| !d.is_empty()).unwrap_or_default(),
        client_id: row.cursor.client_id,
        action: row.name,
        collection: row.collection,
        record_id: row.record_id,
        record_name,
        changes: changes_of(&args),
    }
}
