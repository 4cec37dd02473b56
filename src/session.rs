//! The signed-in session on this device: the bearer token and who it belongs to, kept across reloads.
//! (The offline client will move it into IndexedDB with the rest of the user's data.)

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use yingxiao_core::account::{LoginResponse, Me};

const SESSION_KEY: &str = "yingxiao.session";

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
