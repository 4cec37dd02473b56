//! Data fix-ups: changes to stored data that a schema migration cannot make in SQL common to SQLite
//! and PostgreSQL, run once each (by name, in the `fixups` table) right after the migrations.
//!
//! - `promotion_store_units`: a promotion's scope names its stores' units (so their promoters see
//!   it); promotions written before that rule get them here.
//! - `org_unit_placement`: an org unit's scope names its parent (so a regional manager may move the
//!   units of the region); units written before that rule get it here.
//! - `record_parents`: the `parent_id` column (migration 0006) of records stored before it.
//! - `database_id`: the database's identity (migration 0009), a UUID neither SQL dialect makes in
//!   the same words.

use std::collections::HashMap;

use serde_json::{Map, Value};
use sqlx::{AnyConnection, Connection, Row};
use yingxiao_core::{
    domain::{id_list, Collection},
    scope::{scope_facts, ScopeFacts},
};

use crate::auth::now_millis;

/// Runs every fix-up not yet done, each in a transaction of its own.
pub async fn run(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    if !done(conn, "promotion_store_units").await? {
        let mut tx = conn.begin().await?;
        promotion_store_units(&mut tx).await?;
        mark(&mut tx, "promotion_store_units").await?;
        tx.commit().await?;
    }
    if !done(conn, "org_unit_placement").await? {
        let mut tx = conn.begin().await?;
        org_unit_placement(&mut tx).await?;
        mark(&mut tx, "org_unit_placement").await?;
        tx.commit().await?;
    }
    if !done(conn, "record_parents").await? {
        let mut tx = conn.begin().await?;
        record_parents(&mut tx).await?;
        mark(&mut tx, "record_parents").await?;
        tx.commit().await?;
    }
    if !done(conn, "database_id").await? {
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO server_facts (name, value) VALUES ('database_id', $1)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .execute(&mut *tx)
        .await?;
        mark(&mut tx, "database_id").await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn done(conn: &mut AnyConnection, name: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT 1 FROM fixups WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// Notes a fix-up done. Several servers starting at once on one PostgreSQL may each run one (every
/// fix-up gives the same result run twice); the first to note it wins, the others go on.
async fn mark(conn: &mut AnyConnection, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO fixups (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(now_millis())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

async fn promotion_store_units(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    // The unit of every live store customer.
    let mut unit_of: HashMap<String, String> = HashMap::new();
    let customers =
        sqlx::query("SELECT id, scope FROM records WHERE collection = 'customers' AND deleted = 0")
            .fetch_all(&mut *conn)
            .await?;
    for row in customers {
        let scope: ScopeFacts = decode(&row.try_get::<String, _>(1)?)?;
        if let Some(unit) = scope.unit_id {
            unit_of.insert(row.try_get(0)?, unit);
        }
    }
    for (id, fields, mut scope) in live_records(conn, Collection::Promotion).await? {
        let mut units: Vec<String> = id_list(&fields, "store_ids")
            .into_iter()
            .filter_map(|store| unit_of.get(store).cloned())
            .collect();
        units.sort();
        units.dedup();
        if units == scope.store_units {
            continue;
        }
        scope.store_units = units;
        set_scope(conn, Collection::Promotion, &id, &scope).await?;
    }
    Ok(())
}

async fn org_unit_placement(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for (id, fields, stored) in live_records(conn, Collection::OrgUnit).await? {
        let scope = scope_facts(Collection::OrgUnit, &fields, None);
        if scope != stored {
            set_scope(conn, Collection::OrgUnit, &id, &scope).await?;
        }
    }
    Ok(())
}

async fn record_parents(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for collection in [Collection::Target, Collection::OrgUnit] {
        for (id, fields, _) in live_records(conn, collection).await? {
            let Some(parent) = fields.get("parent_id").and_then(Value::as_str) else {
                continue;
            };
            sqlx::query("UPDATE records SET parent_id = $1 WHERE collection = $2 AND id = $3")
                .bind(parent)
                .bind(collection.as_str())
                .bind(&id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Every live record of a collection: its id, fields and stored scope.
async fn live_records(
    conn: &mut AnyConnection,
    collection: Collection,
) -> Result<Vec<(String, Map<String, Value>, ScopeFacts)>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, fields, scope FROM records WHERE collection = $1 AND deleted = 0")
            .bind(collection.as_str())
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                decode(&row.try_get::<String, _>(1)?)?,
                decode(&row.try_get::<String, _>(2)?)?,
            ))
        })
        .collect()
}

/// Rewrites a record's stored scope (its fields and version stay: no device is told).
async fn set_scope(
    conn: &mut AnyConnection,
    collection: Collection,
    id: &str,
    scope: &ScopeFacts,
) -> Result<(), sqlx::Error> {
    let text = serde_json::to_string(scope).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    sqlx::query("UPDATE records SET scope = $1 WHERE collection = $2 AND id = $3")
        .bind(text)
        .bind(collection.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
