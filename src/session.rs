//! The signed-in session on this device: the bearer token and who it belongs to, kept across reloads;
//! and signing out so that it cannot be lost: a token signed out of stays on a small list until the
//! server has confirmed its revocation, and is sent again on the next start or when the network is back.

use std::cell::Cell;

use leptos::{prelude::*, task::spawn_local};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{closure::Closure, JsCast};
use yingxiao_core::account::{LoginResponse, Me};

use crate::api::{self, ApiError};

const SESSION_KEY: &str = "yingxiao.session";
/// Tokens signed out of on this device whose revocation the server has not confirmed yet.
const REVOKE_KEY: &str = "yingxiao.revoke";
/// Set in the tab by signing out, so the portal's sign-on does not sign the user straight back in.
const SIGNED_OUT_KEY: &str = "yingxiao.signed-out";
/// How long signing out waits for the server before leaving the revocation for later.
const REVOKE_WAIT_MS: i32 = 5_000;
/// More than this many waiting tokens means something else is wrong; the oldest are let go.
const REVOKE_KEPT: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
    pub user: Me,
}

impl From<LoginResponse> for Session {
    fn from(response: LoginResponse) -> Self {
        Self {
            token: response.token,
            expires_at: response.expires_at,
            user: response.user,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The session remembered on this device, if any.
pub fn load() -> Option<Session> {
    let raw = storage()?.get_item(SESSION_KEY).ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

fn save(session: Option<&Session>) {
    let Some(storage) = storage() else { return };
    let _ = match session.and_then(|s| serde_json::to_string(s).ok()) {
        Some(json) => storage.set_item(SESSION_KEY, &json),
        None => storage.remove_item(SESSION_KEY),
    };
}

/// The session as a signal in context; `set` also remembers it on the device.
#[derive(Clone, Copy)]
pub struct SessionState(RwSignal<Option<Session>>);

impl SessionState {
    pub fn new(initial: Option<Session>) -> Self {
        Self(RwSignal::new(initial))
    }

    pub fn get(&self) -> Option<Session> {
        self.0.get()
    }

    pub fn get_untracked(&self) -> Option<Session> {
        self.0.get_untracked()
    }

    pub fn is_signed_in(&self) -> bool {
        self.0.with(Option::is_some)
    }

    pub fn set(&self, session: Option<Session>) {
        save(session.as_ref());
        self.0.set(session);
    }
}

pub fn use_session() -> SessionState {
    expect_context::<SessionState>()
}

/// The tokens waiting for the server to revoke them.
pub fn pending_revocations() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(REVOKE_KEY).ok().flatten())
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .unwrap_or_default()
}

fn save_revocations(tokens: &[String]) {
    let Some(storage) = storage() else { return };
    let _ = if tokens.is_empty() {
        storage.remove_item(REVOKE_KEY)
    } else {
        match serde_json::to_string(tokens) {
            Ok(json) => storage.set_item(REVOKE_KEY, &json),
            Err(_) => return,
        }
    };
}

fn remember_revocation(token: &str) {
    let mut tokens = pending_revocations();
    if !tokens.iter().any(|t| t == token) {
        tokens.push(token.to_owned());
    }
    let excess = tokens.len().saturating_sub(REVOKE_KEPT);
    tokens.drain(..excess);
    save_revocations(&tokens);
}

fn forget_revocation(token: &str) {
    let mut tokens = pending_revocations();
    tokens.retain(|t| t != token);
    save_revocations(&tokens);
}

/// Asks the server to revoke `token` and forgets it once the server answered 2xx, or 401 (the
/// session is already gone); otherwise (offline, a failure, no answer in time) it stays listed.
async fn revoke(token: String) -> bool {
    match api::logout(&token, REVOKE_WAIT_MS).await {
        Ok(()) | Err(ApiError::Refused { status: 401, .. }) => {
            forget_revocation(&token);
            true
        }
        Err(_) => false,
    }
}

/// Signs in on the server and keeps the session on this device; the server's refusal as it came,
/// for the page to word.
pub async fn sign_in(session: SessionState, login: &str, password: &str) -> Result<(), ApiError> {
    let response = api::login(login, password).await?;
    mark_signed_out(false);
    session.set(Some(Session::from(response)));
    Ok(())
}

/// Whether the user signed out in this tab (and has not signed in since).
pub fn signed_out_here() -> bool {
    tab_storage()
        .and_then(|s| s.get_item(SIGNED_OUT_KEY).ok().flatten())
        .is_some()
}

fn mark_signed_out(out: bool) {
    if let Some(storage) = tab_storage() {
        let _ = if out {
            storage.set_item(SIGNED_OUT_KEY, "1")
        } else {
            storage.remove_item(SIGNED_OUT_KEY)
        };
    }
}

fn tab_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Signs in as the user the portal's reverse proxy names (`--sso-header`).
pub async fn sign_in_by_header(session: SessionState) -> Result<(), ApiError> {
    let response = api::sign_on_by_header().await?;
    mark_signed_out(false);
    session.set(Some(Session::from(response)));
    Ok(())
}

/// Signs in with the one-time code the company's identity provider sent back (`?oidc=`).
pub async fn sign_in_by_oidc(session: SessionState, code: &str) -> Result<(), ApiError> {
    let response = api::redeem_oidc(code).await?;
    mark_signed_out(false);
    session.set(Some(Session::from(response)));
    Ok(())
}

/// Signs out. The token goes on the waiting list before anything is sent (so closing the page cannot
/// lose it); online, the server is asked to revoke it and the session ends on this device once it
/// answered (or `REVOKE_WAIT_MS` passed), so the page moves on with the token already dead; offline,
/// the session ends at once and the revocation is sent at the next connection. True if revoked now.
pub async fn sign_out(session: SessionState, token: String) -> bool {
    remember_revocation(&token);
    mark_signed_out(true);
    let online = window().navigator().on_line();
    let revoked = online && revoke(token).await;
    session.set(None);
    revoked
}

thread_local! {
    static SENDING: Cell<bool> = const { Cell::new(false) };
}

/// Sends the revocations still waiting, one after another; one round at a time.
pub fn send_waiting_revocations() {
    if SENDING.with(Cell::get) || pending_revocations().is_empty() {
        return;
    }
    SENDING.with(|s| s.set(true));
    spawn_local(async {
        for token in pending_revocations() {
            revoke(token).await;
        }
        SENDING.with(|s| s.set(false));
    });
}

/// On start and whenever the browser is back online, sends the revocations still waiting.
pub fn keep_sending_revocations() {
    send_waiting_revocations();
    let on_online = Closure::<dyn Fn()>::new(send_waiting_revocations);
    let _ = window().add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    // Listens for the page's whole life.
    on_online.forget();
}
