//! Accounts and sessions: argon2id password hashes, opaque bearer tokens stored only as SHA-256 hashes,
//! expiry long enough for a tablet offline for weeks, and revocation. Sign-in throttling is
//! `crate::sign_in_limits`.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use base64::Engine;
use rand::RngCore;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use yingxiao_core::scope::Role;

/// Why an account or session could not be read or written; every case is the server's fault, never
/// the caller's (a wrong password or a dead session is an answer, not an error).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("stored user fields: {0}")]
    StoredFields(serde_json::Error),
}

/// The identity admin commands act under (the admin CLI); appears as the author in the audit trail.
pub const SYSTEM_USER: &str = "system";

/// How long a session lasts: a promoter's tablet may stay offline for weeks and must still push after.
pub const SESSION_DAYS: i64 = 45;
const DAY_MILLIS: i64 = 86_400_000;
/// Shortest password an account may have.
pub use yingxiao_core::account::MIN_PASSWORD_CHARS;

pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks a new password against the policy; the message is shown to whoever set it.
pub fn check_password_policy(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > 1024 || password.contains('\0') {
        return Err("password must be at most 1024 bytes without NUL".into());
    }
    Ok(())
}

/// A new opaque bearer token: 256 random bits, base64url.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: a leaked table grants nothing.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed-in user, as every API call sees them after the token check.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub unit_id: String,
    pub scope_epoch: i64,
}

impl Caller {
    /// The admin CLI's caller: an administrator trusted with references (see `core::sync::push`).
    pub fn system() -> Self {
        Self {
            user_id: SYSTEM_USER.into(),
            login: SYSTEM_USER.into(),
            name: "System".into(),
            role: Role::Admin,
            unit_id: String::new(),
            scope_epoch: 0,
        }
    }

    pub fn is_system(&self) -> bool {
        self.user_id == SYSTEM_USER
    }

    /// Reads role and unit from the caller's `users` record; a record without them cannot act.
    fn from_parts(
        user_id: String,
        login: String,
        scope_epoch: i64,
        fields: &Map<String, Value>,
    ) -> Option<Self> {
        let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
        if fields.get("active").and_then(Value::as_bool) == Some(false) {
            return None;
        }
        Some(Self {
            user_id,
            login,
            name: text("name").unwrap_or_default(),
            role: Role::parse(&text("role")?)?,
            unit_id: text("unit_id")?,
            scope_epoch,
        })
    }
}

/// The caller behind a bearer token, if the session is live and the account enabled.
pub async fn caller_for_token(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<Caller>, AuthError> {
    let row = sqlx::query(
        "SELECT a.user_id, a.login, a.scope_epoch, r.fields
         FROM sessions s
         JOIN accounts a ON a.user_id = s.user_id
         JOIN records r ON r.collection = 'users' AND r.id = a.user_id AND r.deleted = 0
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND a.disabled = 0",
    )
    .bind(token_hash(token))
    .bind(now_millis())
    .fetch_optional(&mut *conn)
    .await?;
    caller_from_row(row)
}

/// The caller of a row of (user id, login, scope epoch, user record fields).
fn caller_from_row(row: Option<sqlx::any::AnyRow>) -> Result<Option<Caller>, AuthError> {
    let Some(row) = row else { return Ok(None) };
    let fields: Map<String, Value> =
        serde_json::from_str(&row.try_get::<String, _>(3)?).map_err(AuthError::StoredFields)?;
    Ok(Caller::from_parts(
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
        &fields,
    ))
}

/// Starts a session; returns the token (shown once) and its expiry in epoch milliseconds.
pub async fn create_session(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<(String, i64), AuthError> {
    let token = new_token();
    let now = now_millis();
    let expires_at = now + SESSION_DAYS * DAY_MILLIS;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok((token, expires_at))
}

/// Ends the session of a token; false when the token was no live session (made up, expired or ended).
pub async fn revoke_session(conn: &mut AnyConnection, token: &str) -> Result<bool, AuthError> {
    let now = now_millis();
    let ended = sqlx::query(
        "UPDATE sessions SET revoked_at = $1
         WHERE token_hash = $2 AND revoked_at IS NULL AND expires_at > $3",
    )
    .bind(now)
    .bind(token_hash(token))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(ended.rows_affected() > 0)
}

/// Ends every session of a user (account disabled, password reset).
pub async fn revoke_all_sessions(conn: &mut AnyConnection, user_id: &str) -> Result<(), AuthError> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_millis())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Starts a new calendar feed for a user, ending any they had; returns its token (shown once).
pub async fn create_feed(conn: &mut AnyConnection, user_id: &str) -> Result<String, AuthError> {
    revoke_feeds(conn, user_id).await?;
    let token = new_token();
    sqlx::query("INSERT INTO calendar_feeds (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now_millis())
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// Ends a user's calendar feed; false when they had none.
pub async fn revoke_feeds(conn: &mut AnyConnection, user_id: &str) -> Result<bool, AuthError> {
    let ended = sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_millis())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(ended.rows_affected() > 0)
}

/// The user behind a live calendar feed token, if their account is enabled.
pub async fn caller_for_feed(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<Caller>, AuthError> {
    let row = sqlx::query(
        "SELECT a.user_id, a.login, a.scope_epoch, r.fields
         FROM calendar_feeds f
         JOIN accounts a ON a.user_id = f.user_id
         JOIN records r ON r.collection = 'users' AND r.id = a.user_id AND r.deleted = 0
         WHERE f.token_hash = $1 AND f.revoked_at IS NULL AND a.disabled = 0",
    )
    .bind(token_hash(token))
    .fetch_optional(&mut *conn)
    .await?;
    caller_from_row(row)
}

/// An account's id and password hash by login, if it exists and is enabled.
pub async fn find_account(
    conn: &mut AnyConnection,
    login: &str,
) -> Result<Option<(String, String)>, AuthError> {
    let row = sqlx::query(
        "SELECT user_id, password_hash FROM accounts WHERE login = $1 AND disabled = 0",
    )
    .bind(login)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => Some((row.try_get(0)?, row.try_get(1)?)),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "correct horsE"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password_policy("1234567").is_err());
        assert!(check_password_policy("12345678").is_ok());
    }
}
