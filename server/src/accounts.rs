//! Sign-in accounts from the browser (the admin's 人员 pages): give a person's user record an
//! account, disable or enable it, reset its password. Accounts live on the server only, apart from
//! the synced `users` records; the grant is core's `users.account` pseudo-field (administrators by
//! default), over the person's record as the scope rule places it. The record's `active` field and
//! `login` follow, written through the push path like any change, so they are audited and synced.

use std::collections::HashSet;

use serde_json::{json, Map, Value};
use sqlx::{Acquire, Row};
pub use yingxiao_core::account::AccountState;
use yingxiao_core::{
    account::{normalise_login, LoginError},
    domain::Collection,
    permission::{Action, ACCOUNT_FIELD},
    scope::ScopeFacts,
    sync::protocol::{Intent, SetFieldsArgs},
};

use crate::{
    admin::{self, AdminError},
    auth::{self, now_millis, Caller},
    storage::Storage,
    sync::{load_org, load_viewer, SyncError},
};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// No such person the caller may see (also: one they may not see).
    #[error("there is no such person on the server; if they were added on this device, wait for the sync")]
    NoPerson,
    #[error("your role may not manage sign-in accounts")]
    Denied,
    #[error("this person has no sign-in account yet")]
    NoAccount,
    #[error("this person has a sign-in account already")]
    HasAccount,
    #[error("login {0:?} is taken by another person")]
    LoginTaken(String),
    #[error("{0}")]
    BadLogin(LoginError),
    #[error("{0}")]
    Password(String),
    #[error("you cannot disable your own account")]
    OwnAccount,
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Checks that the caller may manage the account of this person; the person's record must exist.
async fn authorise(storage: &Storage, caller: &Caller, user_id: &str) -> Result<(), AccountError> {
    let mut conn = storage.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT scope FROM records WHERE collection = 'users' AND id = $1 AND deleted = 0",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(AccountError::NoPerson);
    };
    let facts: ScopeFacts = serde_json::from_str(&row.try_get::<String, _>(0)?)
        .map_err(|e| SyncError::Corrupt(format!("stored scope: {e}")))?;
    let (org, permissions) = load_org(&mut conn).await?;
    let viewer = load_viewer(&mut conn, caller, &HashSet::new()).await?;
    if !viewer.can_see(Collection::User, &facts, &org) {
        return Err(AccountError::NoPerson);
    }
    let action = Action::Field(ACCOUNT_FIELD);
    if !permissions.allows(&viewer, &org, Collection::User, action, &facts) {
        return Err(AccountError::Denied);
    }
    Ok(())
}

/// The person's account, or `NoAccount`.
pub async fn state(
    storage: &Storage,
    caller: &Caller,
    user_id: &str,
) -> Result<AccountState, AccountError> {
    authorise(storage, caller, user_id).await?;
    let mut conn = storage.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT a.login, a.disabled,
                (SELECT COUNT(*) FROM sessions s
                 WHERE s.user_id = a.user_id AND s.revoked_at IS NULL AND s.expires_at > $2)
         FROM accounts a WHERE a.user_id = $1",
    )
    .bind(user_id)
    .bind(now_millis())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AccountError::NoAccount)?;
    Ok(AccountState {
        user_id: user_id.to_owned(),
        login: row.try_get(0)?,
        disabled: row.try_get::<i64, _>(1)? != 0,
        sessions: row.try_get(2)?,
    })
}

/// Gives the person an account with this login and first password.
pub async fn give(
    storage: &Storage,
    caller: &Caller,
    user_id: &str,
    login: &str,
    password: &str,
) -> Result<AccountState, AccountError> {
    // What was sent is checked first: a bad login or password is said whoever the person is. The
    // stored form also passes the person's record's login rule, which is the same one.
    let login = normalise_login(login).map_err(AccountError::BadLogin)?;
    auth::check_password_policy(password).map_err(AccountError::Password)?;
    authorise(storage, caller, user_id).await?;
    let existing = sqlx::query("SELECT user_id FROM accounts WHERE user_id = $1 OR login = $2")
        .bind(user_id)
        .bind(&login)
        .fetch_all(&storage.pool)
        .await?;
    if let Some(row) = existing.first() {
        let owner: String = row.try_get(0)?;
        return Err(if owner == user_id {
            AccountError::HasAccount
        } else {
            AccountError::LoginTaken(login)
        });
    }
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| AccountError::Password(format!("password hashing: {e}")))??;
    admin::insert_account(storage, user_id, &login, &hash).await?;
    set_fields(storage, user_id, json!({"login": login, "active": true})).await?;
    state(storage, caller, user_id).await
}

/// Disables the account (its sessions end at once) or enables it again.
pub async fn set_disabled(
    storage: &Storage,
    caller: &Caller,
    user_id: &str,
    disabled: bool,
) -> Result<AccountState, AccountError> {
    authorise(storage, caller, user_id).await?;
    if disabled && caller.user_id == user_id {
        return Err(AccountError::OwnAccount);
    }
    let mut conn = storage.pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let changed = sqlx::query("UPDATE accounts SET disabled = $1 WHERE user_id = $2")
        .bind(i64::from(disabled))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Err(AccountError::NoAccount);
    }
    if disabled {
        auth::revoke_all_sessions(&mut tx, user_id).await?;
    }
    tx.commit().await?;
    drop(conn);
    set_fields(storage, user_id, json!({"active": !disabled})).await?;
    state(storage, caller, user_id).await
}

/// Sets a new password; every session of the account ends.
pub async fn reset_password(
    storage: &Storage,
    caller: &Caller,
    user_id: &str,
    password: &str,
) -> Result<AccountState, AccountError> {
    auth::check_password_policy(password).map_err(AccountError::Password)?;
    authorise(storage, caller, user_id).await?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| AccountError::Password(format!("password hashing: {e}")))??;
    let mut conn = storage.pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let changed = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE user_id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Err(AccountError::NoAccount);
    }
    auth::revoke_all_sessions(&mut tx, user_id).await?;
    tx.commit().await?;
    drop(conn);
    state(storage, caller, user_id).await
}

/// Writes fields of the person's record as the system, through the push path.
async fn set_fields(storage: &Storage, user_id: &str, fields: Value) -> Result<(), AccountError> {
    let fields: Map<String, Value> = fields.as_object().cloned().unwrap_or_default();
    admin::apply_as_system(
        storage,
        vec![Intent::SetFields(SetFieldsArgs {
            collection: Collection::User,
            id: user_id.to_owned(),
            fields,
        })],
    )
    .await?;
    Ok(())
}
