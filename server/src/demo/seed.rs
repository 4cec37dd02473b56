//! Writing the demo company through the push path, and the demo logins a database still has.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sqlx::Row;
use yingxiao_core::{
    locale::Locale,
    scope::Role,
    sync::protocol::{CreateArgs, Intent, MAX_MUTATIONS_PER_PUSH},
};

use super::{
    generate, DemoCompany, DemoError, DemoLogin, DemoOptions, DemoSummary, DEMO_LOGINS,
    DEMO_PASSWORD,
};
use crate::{admin, auth, storage::Storage};

/// Seeds the demo company into an empty database. Refuses (nothing written) when org units exist,
/// unless `if_empty`, which then does nothing and reports the demo logins still usable.
///
/// Records go through `admin::apply_as_system` in pushes of at most 500, each its own transaction:
/// a failure part-way (a full disk, a lost connection) leaves the pushes before it in place.
pub async fn seed_demo(storage: &Storage, options: &DemoOptions) -> Result<DemoSummary, DemoError> {
    let units: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE collection = 'org_units' AND deleted = 0",
    )
    .fetch_one(&storage.pool)
    .await?;
    if units > 0 {
        if options.if_empty {
            return Ok(DemoSummary {
                seeded: false,
                counts: BTreeMap::new(),
                logins: existing_demo_logins(storage).await?,
            });
        }
        return Err(DemoError::NotEmpty { units });
    }
    auth::check_password_policy(DEMO_PASSWORD).map_err(DemoError::Password)?;
    let DemoCompany {
        mut records,
        logins,
    } = generate(options);
    let mut counts = BTreeMap::new();
    for record in &records {
        *counts.entry(record.collection).or_insert(0) += 1;
    }
    while !records.is_empty() {
        let batch = records
            .drain(..records.len().min(MAX_MUTATIONS_PER_PUSH))
            .map(|record| {
                Intent::Create(CreateArgs {
                    collection: record.collection,
                    id: record.id,
                    fields: record.fields,
                })
            })
            .collect();
        admin::apply_as_system(storage, batch).await?;
    }
    // The user records exist with ids from the seed; only their credentials are added here (see
    // `admin::add_user`, which would make its own random id).
    for login in &logins {
        let hash = auth::hash_password(DEMO_PASSWORD)?;
        admin::insert_account(storage, &login.user_id, &login.login, &hash).await?;
    }
    Ok(DemoSummary {
        seeded: true,
        counts,
        logins,
    })
}

/// The demo logins that still sign in with the demo password; none unless `admin` does.
pub async fn existing_demo_logins(storage: &Storage) -> Result<Vec<DemoLogin>, DemoError> {
    let mut found = Vec::new();
    for login in DEMO_LOGINS {
        let row = sqlx::query(
            "SELECT a.user_id, a.password_hash, r.fields FROM accounts a
             JOIN records r ON r.collection = 'users' AND r.id = a.user_id AND r.deleted = 0
             WHERE a.login = $1 AND a.disabled = 0",
        )
        .bind(login)
        .fetch_optional(&storage.pool)
        .await?;
        let Some(row) = row else {
            if login == "admin" {
                return Ok(Vec::new());
            }
            continue;
        };
        let user_id: String = row.try_get(0)?;
        let hash: String = row.try_get(1)?;
        if !auth::verify_password(&hash, DEMO_PASSWORD) {
            if login == "admin" {
                return Ok(Vec::new());
            }
            continue;
        }
        let fields: Map<String, Value> =
            serde_json::from_str(&row.try_get::<String, _>(2)?).map_err(DemoError::StoredFields)?;
        let text = |name: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let Some(role) = Role::parse(&text("role")) else {
            continue;
        };
        let unit_id = text("unit_id");
        let unit: Option<String> = sqlx::query_scalar(
            "SELECT fields FROM records WHERE collection = 'org_units' AND id = $1",
        )
        .bind(&unit_id)
        .fetch_optional(&storage.pool)
        .await?;
        let unit_name = unit
            .and_then(|json| serde_json::from_str::<Map<String, Value>>(&json).ok())
            .and_then(|unit| unit.get("name").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        found.push(DemoLogin {
            login: login.to_owned(),
            name: text("name"),
            role,
            user_id,
            unit_id,
            unit_name,
        });
    }
    Ok(found)
}

/// The demo logins as a table for the terminal: login, role in Chinese and English, unit.
pub fn logins_table(logins: &[DemoLogin]) -> String {
    let rows: Vec<[String; 4]> = logins
        .iter()
        .map(|l| {
            [
                l.login.clone(),
                format!(
                    "{} {}",
                    l.role_label(Locale::ZhCn),
                    l.role_label(Locale::En)
                ),
                l.unit_name.clone(),
                l.name.clone(),
            ]
        })
        .collect();
    let header = [
        "登录名 login".to_owned(),
        "角色 role".to_owned(),
        "组织 unit".to_owned(),
        "姓名 name".to_owned(),
    ];
    let mut widths = [0; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    let line = |row: &[String; 4]| {
        let mut out = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                out.push_str(&" ".repeat(width - display_width(cell) + 2));
            }
        }
        out.trim_end().to_owned()
    };
    let mut table = format!("演示账号 Demo logins — 密码 password: {DEMO_PASSWORD}\n");
    table.push_str(&line(&header));
    table.push('\n');
    for row in &rows {
        table.push_str(&line(row));
        table.push('\n');
    }
    table
}

/// Terminal columns of a text: CJK characters take two.
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}
