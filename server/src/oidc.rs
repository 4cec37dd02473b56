//! Single sign-on with the company's identity provider by OpenID Connect: the authorization code
//! flow with PKCE (`--oidc-issuer`, `--oidc-client-id`, `--oidc-redirect-uri`). The sign-in page
//! sends the browser to `start`, which keeps a state, a nonce and a PKCE verifier in the database
//! (any server process may receive the callback) and redirects to the provider. The provider sends
//! the browser back to `callback` with a code; the server exchanges it (with the verifier) for an ID
//! token, checks its signature against the provider's keys, its issuer, audience, expiry and nonce,
//! maps its login claim to an account (as header sign-on does), and hands the app a one-time code
//! that `redeem` turns into a session: the session token never travels in an address.

use std::time::Duration;

use base64::Engine;
use jsonwebtoken::{jwk::JwkSet, DecodingKey, Validation};
use rand::RngCore;
use serde::Deserialize;
use serde_json::Value;
use sha2::Digest;
use sqlx::Row;
use tokio::sync::RwLock;
use yingxiao_core::{
    account::{normalise_login, LoginError},
    scope::Role,
};

use crate::{
    auth::{now_millis, token_hash},
    sign_on::{self, SignOnError},
    storage::Storage,
};

/// How long a started sign-in may take at the provider.
const LOGIN_MILLIS: i64 = 10 * 60 * 1000;
/// How long the app has to redeem the one-time code after the callback.
const HANDOFF_MILLIS: i64 = 2 * 60 * 1000;
/// Clock difference tolerated with the provider, in seconds.
const LEEWAY_SECS: u64 = 60;

/// The provider and this server's client registration.
#[derive(Clone, Debug)]
pub struct OidcConfig {
    /// The issuer, e.g. `https://id.example.com/realms/company` (discovery is read under it).
    pub issuer: String,
    pub client_id: String,
    /// For a confidential client; PKCE is used either way.
    pub client_secret: Option<String>,
    /// This server's callback as registered at the provider: `https://crm.example.com/yingxiao/api/v1/auth/oidc/callback`.
    pub redirect_uri: String,
    /// The ID token claim that is the login (`preferred_username` by default).
    pub login_claim: String,
    /// Accounts for logins not known yet (`--sso-create-role`).
    pub create: Option<(Role, Option<String>)>,
}

/// The provider's endpoints, from its discovery document.
#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// OpenID sign-in: the configuration, an HTTP client, and what was read from the provider (its
/// discovery document and keys, read again when a token names a key not seen yet).
#[derive(Debug)]
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    discovery: RwLock<Option<Discovery>>,
    keys: RwLock<Option<JwkSet>>,
}

/// Why an OpenID sign-in did not give a session. `code` is what the sign-in page is told.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached or answered wrongly: {0}")]
    Provider(String),
    #[error("this sign-in was not started here, was used already or took too long")]
    BadState,
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the identity provider's token is not valid: {0}")]
    BadToken(String),
    #[error("the identity provider's token was not made for this sign-in (nonce)")]
    BadNonce,
    #[error("the identity provider's token has no {0} claim to sign in with")]
    NoLogin(String),
    #[error("the identity provider's {claim} claim cannot be a login here: {reason}")]
    BadLogin { claim: String, reason: LoginError },
    #[error("the sign-in code is unknown, used already or too old; sign in again")]
    BadHandoff,
    #[error("the page to return to is not a page of the app")]
    BadNext,
    #[error(transparent)]
    Account(#[from] SignOnError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl OidcError {
    /// The short reason the sign-in page shows in words.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Provider(_) => "provider",
            Self::BadState | Self::BadHandoff => "expired",
            Self::Refused(_) => "refused",
            Self::BadToken(_)
            | Self::BadNonce
            | Self::NoLogin(_)
            | Self::BadLogin { .. }
            | Self::BadNext => "invalid",
            Self::Account(SignOnError::NoAccount(_)) => "no_account",
            Self::Account(SignOnError::Disabled(_)) => "disabled",
            Self::Account(_) | Self::Database(_) => "server",
        }
    }
}

fn random_text() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with the system's certificates");
        Self {
            config,
            http,
            discovery: RwLock::new(None),
            keys: RwLock::new(None),
        }
    }

    async fn discovery(&self) -> Result<Discovery, OidcError> {
        if let Some(known) = self.discovery.read().await.clone() {
            return Ok(known);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let found: Discovery = self.get_json(&url).await?;
        if found.issuer.trim_end_matches('/') != self.config.issuer.trim_end_matches('/') {
            return Err(OidcError::Provider(format!(
                "the discovery document names issuer {}, not {}",
                found.issuer, self.config.issuer
            )));
        }
        *self.discovery.write().await = Some(found.clone());
        Ok(found)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| OidcError::Provider(format!("{url}: {e}")))?;
        if !response.status().is_success() {
            return Err(OidcError::Provider(format!("{url}: {}", response.status())));
        }
        response
            .json()
            .await
            .map_err(|e| OidcError::Provider(format!("{url}: {e}")))
    }

    /// Starts a sign-in that returns to `next` (an app path): the provider's address to send the
    /// browser to.
    pub async fn start(&self, storage: &Storage, next: &str) -> Result<String, OidcError> {
        let next =
            yingxiao_core::embed::messages::app_path(next).map_err(|_| OidcError::BadNext)?;
        let discovery = self.discovery().await?;
        let (state, nonce, verifier) = (random_text(), random_text(), random_text());
        sqlx::query(
            "INSERT INTO oidc_logins (state_hash, nonce, verifier, next, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&state))
        .bind(&nonce)
        .bind(&verifier)
        .bind(&next)
        .bind(now_millis())
        .execute(&storage.pool)
        .await?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_uri)
            .append_pair("scope", "openid profile")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &pkce_challenge(&verifier))
            .append_pair("code_challenge_method", "S256")
            .finish();
        let separator = if discovery.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(format!(
            "{}{separator}{query}",
            discovery.authorization_endpoint
        ))
    }

    /// Finishes a sign-in from the provider's callback: a one-time code for the app to redeem, and
    /// the app path to go on to.
    pub async fn callback(
        &self,
        storage: &Storage,
        code: Option<&str>,
        state: Option<&str>,
        error: Option<&str>,
    ) -> Result<(String, String), OidcError> {
        let state = state.ok_or(OidcError::BadState)?;
        // The state is used up whatever follows: a callback cannot be replayed.
        let row = sqlx::query(
            "DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING nonce, verifier, next, created_at",
        )
        .bind(token_hash(state))
        .fetch_optional(&storage.pool)
        .await?
        .ok_or(OidcError::BadState)?;
        let (nonce, verifier, next): (String, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        if now_millis() - row.try_get::<i64, _>(3)? > LOGIN_MILLIS {
            return Err(OidcError::BadState);
        }
        if let Some(error) = error {
            return Err(OidcError::Refused(error.to_owned()));
        }
        let code = code.ok_or_else(|| OidcError::Refused("no code".into()))?;
        let id_token = self.exchange(code, &verifier).await?;
        let claims = self.verify(&id_token).await?;
        if claims.get("nonce").and_then(Value::as_str) != Some(nonce.as_str()) {
            return Err(OidcError::BadNonce);
        }
        let claim = &self.config.login_claim;
        let login = claims
            .get(claim)
            .and_then(Value::as_str)
            .ok_or_else(|| OidcError::NoLogin(claim.clone()))?;
        let login = normalise_login(login).map_err(|reason| OidcError::BadLogin {
            claim: claim.clone(),
            reason,
        })?;
        let user_id = sign_on::account_for(storage, &login, self.config.create.as_ref()).await?;
        let handoff = random_text();
        sqlx::query(
            "INSERT INTO oidc_handoffs (code_hash, user_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash(&handoff))
        .bind(&user_id)
        .bind(now_millis())
        .execute(&storage.pool)
        .await?;
        // Started sign-ins never finished are cleared as new ones finish.
        sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
            .bind(now_millis() - LOGIN_MILLIS)
            .execute(&storage.pool)
            .await?;
        Ok((handoff, next))
    }

    /// The ID token for a code, from the provider's token endpoint.
    async fn exchange(&self, code: &str, verifier: &str) -> Result<String, OidcError> {
        let discovery = self.discovery().await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_uri.as_str()),
            ("code_verifier", verifier),
        ];
        let mut request = self.http.post(&discovery.token_endpoint);
        match &self.config.client_secret {
            Some(secret) => request = request.basic_auth(&self.config.client_id, Some(secret)),
            None => form.push(("client_id", self.config.client_id.as_str())),
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        if !status.is_success() {
            let error = answer.get("error").and_then(Value::as_str).unwrap_or("?");
            return Err(OidcError::Refused(format!(
                "token endpoint: {status} {error}"
            )));
        }
        answer
            .get("id_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| OidcError::Provider("the token endpoint gave no id_token".into()))
    }

    /// The ID token's claims once its signature, issuer, audience and expiry check out.
    async fn verify(&self, id_token: &str) -> Result<serde_json::Map<String, Value>, OidcError> {
        let header = jsonwebtoken::decode_header(id_token)
            .map_err(|e| OidcError::BadToken(e.to_string()))?;
        use jsonwebtoken::Algorithm::*;
        // Only the provider's published keys sign: never an algorithm keyed by a shared secret.
        if !matches!(
            header.alg,
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 | ES256 | ES384 | EdDSA
        ) {
            return Err(OidcError::BadToken(format!(
                "{:?} is not a signature algorithm",
                header.alg
            )));
        }
        let key = self.key(header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.discovery().await?.issuer]);
        validation.set_audience(&[&self.config.client_id]);
        validation.leeway = LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data =
            jsonwebtoken::decode::<serde_json::Map<String, Value>>(id_token, &key, &validation)
                .map_err(|e| OidcError::BadToken(e.to_string()))?;
        Ok(data.claims)
    }

    /// The provider's key by id, reading its keys again once when the id is not known (a rotation).
    async fn key(&self, kid: Option<&str>) -> Result<DecodingKey, OidcError> {
        for fresh in [false, true] {
            if fresh || self.keys.read().await.is_none() {
                let uri = self.discovery().await?.jwks_uri;
                let set: JwkSet = self.get_json(&uri).await?;
                *self.keys.write().await = Some(set);
            }
            let keys = self.keys.read().await;
            let set = keys.as_ref().expect("read above");
            let found = match kid {
                Some(kid) => set.find(kid),
                None => set.keys.first(),
            };
            if let Some(jwk) = found {
                return DecodingKey::from_jwk(jwk).map_err(|e| OidcError::BadToken(e.to_string()));
            }
        }
        Err(OidcError::BadToken(
            "signed with a key the provider does not publish".into(),
        ))
    }

    /// The user of a one-time code from the callback (once, within two minutes).
    pub async fn redeem(&self, storage: &Storage, code: &str) -> Result<String, OidcError> {
        let row = sqlx::query(
            "DELETE FROM oidc_handoffs WHERE code_hash = $1 RETURNING user_id, created_at",
        )
        .bind(token_hash(code))
        .fetch_optional(&storage.pool)
        .await?
        .ok_or(OidcError::BadHandoff)?;
        if now_millis() - row.try_get::<i64, _>(1)? > HANDOFF_MILLIS {
            return Err(OidcError::BadHandoff);
        }
        sqlx::query("DELETE FROM oidc_handoffs WHERE created_at < $1")
            .bind(now_millis() - HANDOFF_MILLIS)
            .execute(&storage.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}
