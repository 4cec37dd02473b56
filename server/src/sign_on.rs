//! Single sign-on from the portal by a trusted header (`--sso-header`): the company's reverse proxy
//! authenticates the user and passes their login in a header; the server believes the header only on
//! connections from the proxies configured for it (`--sso-proxies`), never from anyone else, since
//! any client can write it. The login maps to an account; with `--sso-create-role` an unknown login
//! gets one (a user in `--sso-create-unit`, or the company), with a random password nobody knows.

use axum::http::{HeaderMap, HeaderName};
use std::net::IpAddr;
use yingxiao_core::{account::normalise_login, scope::Role};

use crate::{
    admin::{self, AdminError, NewUser},
    auth,
    proxies::TrustedProxies,
    storage::Storage,
};

/// How the server trusts a header for sign-in; absent when `--sso-header` is not set.
#[derive(Clone, Debug)]
pub struct HeaderSignOn {
    pub header: HeaderName,
    /// The only peers whose header is believed.
    pub proxies: TrustedProxies,
    /// Accounts for logins not known yet: their role and unit (code, name or id; the company if
    /// `None`).
    pub create: Option<(Role, Option<String>)>,
}

/// Why a header sign-in gave no session, in words for the user or their administrator.
#[derive(Debug, thiserror::Error)]
pub enum SignOnError {
    #[error(
        "single sign-on through the portal is not set up on this server; sign in with a password"
    )]
    NotConfigured,
    /// The request did not come through a configured proxy: its header, if any, was not read.
    #[error("single sign-on works only through the company's portal; sign in with a password")]
    NotFromProxy,
    #[error(
        "the portal did not say who you are (no {0} header); sign in through the portal again"
    )]
    NoHeader(String),
    #[error("the portal's {0} header is not a login this server accepts")]
    BadLogin(String),
    #[error("there is no Yingxiao account for {0:?}; ask an administrator to add you")]
    NoAccount(String),
    #[error("the account {0:?} is disabled; ask an administrator")]
    Disabled(String),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl HeaderSignOn {
    /// The login the request's header names, in its stored form, if the request came from a
    /// configured proxy.
    pub fn login_of(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
    ) -> Result<String, SignOnError> {
        if !peer.is_some_and(|ip| self.proxies.contains(ip)) {
            return Err(SignOnError::NotFromProxy);
        }
        let name = self.header.as_str().to_owned();
        let mut values = headers.get_all(&self.header).iter();
        let value = values
            .next()
            .ok_or_else(|| SignOnError::NoHeader(name.clone()))?;
        // Two values are two claims; the proxy should have replaced what the client sent.
        if values.next().is_some() {
            return Err(SignOnError::BadLogin(name));
        }
        // Header values are bytes; a proxy that sends UTF-8 may name people in any script.
        let text = std::str::from_utf8(value.as_bytes())
            .map_err(|_| SignOnError::BadLogin(name.clone()))?;
        normalise_login(text).map_err(|_| SignOnError::BadLogin(name))
    }

    /// The account's user id for a login, creating it when configured to.
    pub async fn account_for(&self, storage: &Storage, login: &str) -> Result<String, SignOnError> {
        account_for(storage, login, self.create.as_ref()).await
    }
}

/// The user id of the enabled account with this login, for single sign-on (by header or OpenID):
/// made with `create`'s role and unit when there is none and the server is configured to; a
/// disabled account is refused, never brought back by sign-on.
pub async fn account_for(
    storage: &Storage,
    login: &str,
    create: Option<&(Role, Option<String>)>,
) -> Result<String, SignOnError> {
    let mut conn = storage.pool.acquire().await?;
    if let Some((user_id, _)) = auth::find_account(&mut conn, login).await? {
        return Ok(user_id);
    }
    // There, but not enabled: a disabled account is not brought back by its portal.
    let exists: Option<String> =
        sqlx::query_scalar("SELECT user_id FROM accounts WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_some() {
        return Err(SignOnError::Disabled(login.to_owned()));
    }
    drop(conn);
    let Some((role, unit)) = create else {
        return Err(SignOnError::NoAccount(login.to_owned()));
    };
    // Nobody signs in with this password: it is random and never shown.
    let password = auth::new_token();
    let created = admin::add_user(
        storage,
        NewUser {
            login,
            name: login,
            role: *role,
            unit: unit.as_deref(),
            password: &password,
        },
    )
    .await;
    match created {
        Ok(user_id) => Ok(user_id),
        Err(AdminError::LoginTaken(_)) => {
            // Made meanwhile by another first sign-in of the same person.
            let mut conn = storage.pool.acquire().await?;
            match auth::find_account(&mut conn, login).await? {
                Some((user_id, _)) => Ok(user_id),
                None => Err(SignOnError::Disabled(login.to_owned())),
            }
        }
        Err(error) => Err(error.into()),
    }
}
