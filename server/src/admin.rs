//! Admin CLI actions (`user add`, `user disable`, `user reset-password`) done through the same push path
//! as the devices, under a system caller, so they are validated, versioned and audited like any change.

use serde_json::{json, Map, Value};
use sqlx::{Acquire, Row};
use yingxiao_core::{
    domain::Collection,
    scope::Role,
    sync::{
        hlc::HlcClock,
        protocol::{CreateArgs, Intent, Mutation, Outcome, PushRequest, SetFieldsArgs},
    },
};

use crate::{
    auth::{self, now_millis, Caller},
    http::ApiError,
    storage::Storage,
    sync,
};

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Applies intents as the system in one push from a fresh client; fails on the first rejection.
pub async fn apply_as_system(storage: &Storage, intents: Vec<Intent>) -> Result<(), ApiError> {
    let client_id = new_id();
    let mut clock = HlcClock::new(client_id.clone());
    let mutations = intents
        .into_iter()
        .enumerate()
        .map(|(i, intent)| Mutation {
            id: i as u64 + 1,
            hlc: clock.tick(now_millis().max(0) as u64),
            intent,
        })
        .collect();
    let mut conn = storage.pool.acquire().await?;
    let response = sync::push(
        &mut conn,
        &Caller::system(),
        &PushRequest {
            client_id,
            mutations,
        },
    )
    .await?;
    for outcome in response.outcomes {
        if let Outcome::Rejected { id, reason } = outcome {
            return Err(ApiError::Unprocessable(format!(
                "change {id} was refused: {}",
                reason.message
            )));
        }
    }
    Ok(())
}

/// Finds an org unit by id, code or name; `None` finds the company (root) unit.
pub async fn find_unit(
    storage: &Storage,
    wanted: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, fields FROM records WHERE collection = 'org_units' AND deleted = 0",
    )
    .fetch_all(&storage.pool)
    .await?;
    for row in rows {
        let id: String = row.try_get(0)?;
        let fields: Map<String, Value> = serde_json::from_str(&row.try_get::<String, _>(1)?)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let text = |name: &str| fields.get(name).and_then(Value::as_str);
        let found = match wanted {
            Some(wanted) => {
                id == wanted || text("code") == Some(wanted) || text("name") == Some(wanted)
            }
            None => text("kind") == Some("company"),
        };
        if found {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The company's root unit, created on first use so a fresh install can have its first admin.
pub async fn ensure_company(storage: &Storage, name: &str) -> Result<String, ApiError> {
    if let Some(id) = find_unit(storage, None).await? {
        return Ok(id);
    }
    let id = new_id();
    let mut fields = Map::new();
    fields.insert("name".into(), json!(name));
    fields.insert("kind".into(), json!("company"));
    fields.insert("code".into(), json!("HQ"));
    fields.insert("active".into(), json!(true));
    apply_as_system(
        storage,
        vec![Intent::Create(CreateArgs {
            collection: Collection::OrgUnit,
            id: id.clone(),
            fields,
        })],
    )
    .await?;
    Ok(id)
}

/// What `user add` needs.
pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub unit: Option<&'a str>,
    pub password: &'a str,
}

/// Creates a user record and its account; returns the user id.
pub async fn add_user(storage: &Storage, user: NewUser<'_>) -> Result<String, ApiError> {
    auth::check_password_policy(user.password).map_err(ApiError::Unprocessable)?;
    let login = user.login.trim().to_lowercase();
    let unit_id = match user.unit {
        Some(unit) => find_unit(storage, Some(unit)).await?.ok_or_else(|| {
            ApiError::NotFound(format!("no org unit with id, code or name {unit:?}"))
        })?,
        None => ensure_company(storage, "总公司").await?,
    };
    let taken: Option<String> = sqlx::query_scalar("SELECT user_id FROM accounts WHERE login = $1")
        .bind(&login)
        .fetch_optional(&storage.pool)
        .await?;
    if taken.is_some() {
        return Err(ApiError::Conflict(format!(
            "login {login:?} is already taken"
        )));
    }
    let id = new_id();
    let mut fields = Map::new();
    fields.insert("name".into(), json!(user.name));
    fields.insert("login".into(), json!(login));
    fields.insert("role".into(), json!(user.role.as_str()));
    fields.insert("unit_id".into(), json!(unit_id));
    fields.insert("active".into(), json!(true));
    let hash = auth::hash_password(user.password)?;
    apply_as_system(
        storage,
        vec![Intent::Create(CreateArgs {
            collection: Collection::User,
            id: id.clone(),
            fields,
        })],
    )
    .await?;
    insert_account(storage, &id, &login, &hash).await?;
    Ok(id)
}

/// Gives an existing user record its sign-in account (credentials live apart from synced records).
pub async fn insert_account(
    storage: &Storage,
    user_id: &str,
    login: &str,
    password_hash: &str,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO accounts (user_id, login, password_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(login)
    .bind(password_hash)
    .bind(now_millis())
    .execute(&storage.pool)
    .await?;
    Ok(())
}

async fn account_id(storage: &Storage, login: &str) -> Result<String, ApiError> {
    sqlx::query_scalar("SELECT user_id FROM accounts WHERE login = $1")
        .bind(login.trim().to_lowercase())
        .fetch_optional(&storage.pool)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user with login {login:?}")))
}

/// Disables an account: its sessions end at once and its user record is marked inactive.
pub async fn disable_user(storage: &Storage, login: &str) -> Result<(), ApiError> {
    let user_id = account_id(storage, login).await?;
    let mut conn = storage.pool.acquire().await?;
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE accounts SET disabled = 1 WHERE user_id = $1")
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    auth::revoke_all_sessions(&mut tx, &user_id).await?;
    tx.commit().await?;
    let mut fields = Map::new();
    fields.insert("active".into(), json!(false));
    apply_as_system(
        storage,
        vec![Intent::SetFields(SetFieldsArgs {
            collection: Collection::User,
            id: user_id,
            fields,
        })],
    )
    .await
}

/// Sets a new password and ends the account's sessions.
pub async fn reset_password(
    storage: &Storage,
    login: &str,
    password: &str,
) -> Result<(), ApiError> {
    auth::check_password_policy(password).map_err(ApiError::Unprocessable)?;
    let user_id = account_id(storage, login).await?;
    let hash = auth::hash_password(password)?;
    let mut conn = storage.pool.acquire().await?;
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE user_id = $2")
        .bind(hash)
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    auth::revoke_all_sessions(&mut tx, &user_id).await?;
    tx.commit().await?;
    Ok(())
}
