//! A user's promotions as an iCalendar file, for the subscription a calendar app polls: every
//! promotion the one scope rule lets them see (cancelled ones left out), with kind, status, budget
//! and stores, in Chinese.

use std::collections::HashMap;

use serde_json::{Map, Value};
use sqlx::{AnyConnection, Row};
use yingxiao_core::{
    domain::{self, Collection},
    ics,
    locale::Locale,
    scope::{ScopeFacts, Viewer},
    time::parse_date,
};

use super::{load_org, parse_json, SyncError, ROWS_PER_STATEMENT};
use crate::{
    auth::{now_millis, Caller},
    bulk::Dialect,
};

/// One promotion as the file shows it.
struct Entry {
    id: String,
    name: String,
    about: String,
    stores: Vec<String>,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
}

/// The caller's promotions as an `.ics` file.
pub async fn promotions_ics(
    conn: &mut AnyConnection,
    caller: &Caller,
    locale: Locale,
) -> Result<String, SyncError> {
    let (org, _) = load_org(conn).await?;
    let viewer = Viewer {
        user_id: caller.user_id.clone(),
        role: caller.role,
        unit_id: caller.unit_id.clone(),
        own_customers: Default::default(),
    };
    let rows = sqlx::query(
        "SELECT id, fields, scope FROM records WHERE collection = 'promotions' AND deleted = 0 ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut entries = Vec::new();
    for row in rows {
        let scope: ScopeFacts = parse_json(&row.try_get::<String, _>(2)?)?;
        if !viewer.can_see(Collection::Promotion, &scope, &org) {
            continue;
        }
        let fields: Map<String, Value> = parse_json(&row.try_get::<String, _>(1)?)?;
        let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or("");
        let (Some(first), Some(last)) =
            (parse_date(text("starts_on")), parse_date(text("ends_on")))
        else {
            continue;
        };
        if text("status") == "cancelled" {
            continue;
        }
        let about = ics::promotion_description(
            text("kind"),
            text("status"),
            fields.get("budget").and_then(Value::as_i64),
            locale,
        );
        let stores = domain::id_list(&fields, "store_ids")
            .into_iter()
            .map(str::to_owned)
            .collect();
        entries.push(Entry {
            id: row.try_get(0)?,
            name: text("name").to_owned(),
            about,
            stores,
            first,
            last,
        });
    }
    let names = store_names(conn, &entries).await?;
    let locations: Vec<String> = entries
        .iter()
        .map(|e| {
            e.stores
                .iter()
                .filter_map(|id| names.get(id).map(String::as_str))
                .collect::<Vec<_>>()
                .join(if locale == Locale::ZhCn { "、" } else { ", " })
        })
        .collect();
    let events: Vec<ics::Event> = entries
        .iter()
        .zip(&locations)
        .map(|(e, location)| ics::Event {
            id: &e.id,
            summary: &e.name,
            description: Some(&e.about),
            location: Some(location),
            first: e.first,
            last: e.last,
        })
        .collect();
    let stamp = ics::stamp(now_millis().max(0) as u64);
    let title = match locale {
        Locale::ZhCn => "营销促销日历",
        Locale::En => "Yingxiao promotions",
    };
    Ok(ics::calendar(title, &events, &stamp))
}

/// The names of the stores the entries list.
async fn store_names(
    conn: &mut AnyConnection,
    entries: &[Entry],
) -> Result<HashMap<String, String>, SyncError> {
    let mut ids: Vec<&String> = entries.iter().flat_map(|e| &e.stores).collect();
    ids.sort();
    ids.dedup();
    let mut names = HashMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT id, fields FROM records WHERE collection = 'customers' AND deleted = 0 AND id IN ({})",
            Dialect::of(conn).placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.persistent(false).fetch_all(&mut *conn).await? {
            let fields: Map<String, Value> = parse_json(&row.try_get::<String, _>(1)?)?;
            if let Some(name) = fields.get("name").and_then(Value::as_str) {
                names.insert(row.try_get(0)?, name.to_owned());
            }
        }
    }
    Ok(names)
}
