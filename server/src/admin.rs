//! Admin CLI actions (`user add`, `user disable`, `user reset-password`) done through the same push path
//! as the devices, under a system caller, so they are validated, versioned and audited like any change.

use serde_json::{json, Map, Value};
use sqlx::{Acquire, Row};
use yingxiao_core::{
    account::{normalise_login, LoginError},
    domain::Collection,
    scope::Role,
    sync::{
        hlc::HlcClock,
        protocol::{CreateArgs, Intent, Mutation, Outcome, PushRequest, SetFieldsArgs},
    },
};

use crate::{
    auth::{self, now_millis, AuthError, Caller},
    storage::Storage,
    sync::{self, SyncError},
};

/// Why an admin command did nothing (or stopped part-way, for a failed push); worded for whoever
/// typed it.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The system's own push broke a rule; nothing of that push was applied.
    #[error("change {id} was refused: {message}")]
    Refused { id: u64, message: String },
    #[error("{0}")]
    Password(String),
    #[error("no org unit with id, code or name {0:?}")]
    NoSuchUnit(String),
    #[error("no user with login {0:?}")]
    NoSuchLogin(String),
    #[error("login {0:?} is already taken")]
    LoginTaken(String),
    #[error("{0}")]
    BadLogin(LoginError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored org unit fields: {0}")]
    StoredFields(serde_json::Error),
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Applies intents as the system in one push from a fresh client; fails on the first rejection.
pub async fn apply_as_system(storage: &Storage, intents: Vec<Intent>) -> Result<(), AdminError> {
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
        "yingxiao-server",
    )
    .await?;
    for outcome in response.outcomes {
        if let Outcome::Rejected { id, reason } = outcome {
            return Err(AdminError::Refused {
                id,
                message: reason.message,
            });
        }
    }
    Ok(())
}

/// Finds an org unit by id, code or name; `None` finds the company (root) unit.
pub async fn find_unit(
    storage: &Storage,
    wanted: Option<&str>,
) -> Result<Option<String>, AdminError> {
    let rows = sqlx::query(
        "SELECT id, fields FROM records WHERE collection = 'org_units' AND deleted = 0",
    )
    .fetch_all(&storage.pool)
    .await?;
    for row in rows {
        let id: String = row.try_get(0)?;
        let fields: Map<String, Value> = serde_json::from_str(&row.try_get::<String, _>(1)?)
            .map_err(AdminError::StoredFields)?;
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
pub async fn ensure_company(storage: &Storage, name: &str) -> Result<String, AdminError> {
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
pub async fn add_user(storage: &Storage, user: NewUser<'_>) -> Result<String, AdminError> {
    auth::check_password_policy(user.password).map_err(AdminError::Password)?;
    let login = normalise_login(user.login).map_err(AdminError::BadLogin)?;
    let unit_id = match user.unit {
        Some(unit) => find_unit(storage, Some(unit))
            .await?
            .ok_or_else(|| AdminError::NoSuchUnit(unit.to_owned()))?,
        None => ensure_company(storage, "总公司").await?,
    };
    let taken: Option<String> = sqlx::query_scalar("SELECT user_id FROM accounts WHERE login = $1")
        .bind(&login)
        .fetch_optional(&storage.pool)
        .await?;
    if taken.is_some() {
        return Err(AdminError::LoginTaken(login));
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
) -> Result<(), AdminError> {
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

async fn account_id(storage: &Storage, login: &str) -> Result<String, AdminError> {
    // Text that cannot be a login names no account.
    let stored = normalise_login(login).map_err(|_| AdminError::NoSuchLogin(login.to_owned()))?;
    sqlx::query_scalar("SELECT user_id FROM accounts WHERE login = $1")
        .bind(stored)
        .fetch_optional(&storage.pool)
        .await?
        .ok_or_else(|| AdminError::NoSuchLogin(login.to_owned()))
}

/// Disables an account: its sessions end at once and its user record is marked inactive.
pub async fn disable_user(storage: &Storage, login: &str) -> Result<(), AdminError> {
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
) -> Result<(), AdminError> {
    auth::check_password_policy(password).map_err(AdminError::Password)?;
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
