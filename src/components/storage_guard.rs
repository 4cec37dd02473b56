//! Keeping the device's data: once signed in, the app asks the browser to keep its storage
//! (`navigator.storage.persist()`), and whenever changes wait and cannot be sent (offline, a failed
//! sync, a session to sign in again) it reads how the storage
//! stands; core's `StorageState::warning` decides whether to warn, in plain words under the top bar,
//! that waiting changes could be lost (storage the browser may clear, or nearly full).

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yingxiao_core::storage::StorageState;

use crate::{
    data::sync::{use_data, SyncStatus},
    embed::OpenInOwnTab,
    i18n::{use_i18n, Key},
};

/// `navigator.storage`, where the browser has it (not in an insecure context).
fn storage_manager() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &JsValue::from_str("storage"))
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null())
}

/// Calls `storage.<method>()` and awaits its promise.
async fn call(storage: &JsValue, method: &str) -> Option<JsValue> {
    let function = js_sys::Reflect::get(storage, &JsValue::from_str(method))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let promise = function
        .call0(storage)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    JsFuture::from(promise).await.ok()
}

/// How the storage stands; with `ask`, first asks for it to be kept.
async fn read_state(ask: bool) -> StorageState {
    let Some(storage) = storage_manager() else {
        return StorageState::default();
    };
    let mut persisted = call(&storage, "persisted").await.and_then(|v| v.as_bool());
    if ask && persisted == Some(false) {
        persisted = call(&storage, "persist").await.and_then(|v| v.as_bool());
    }
    let estimate = call(&storage, "estimate").await;
    let number = |name: &str| {
        estimate
            .as_ref()
            .and_then(|e| js_sys::Reflect::get(e, &JsValue::from_str(name)).ok())
            .and_then(|v| v.as_f64())
    };
    StorageState {
        persisted,
        usage: number("usage"),
        quota: number("quota"),
    }
}

/// The warning under the top bar, when changes wait on storage that may not keep them.
#[component]
pub fn StorageGuard() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let state = RwSignal::new(StorageState::default());
    spawn_local(async move { state.set(read_state(true).await) });
    // Read again when the number of waiting changes moves (a save, a sync).
    Effect::new(move |previous: Option<usize>| {
        let pending = data.pending.get() + data.files_waiting.get();
        if previous.is_some_and(|p| p != pending) {
            spawn_local(async move { state.set(read_state(false).await) });
        }
        pending
    });
    // Changes are at risk only while they cannot be sent: online they go within seconds, and a
    // warning that came and went with each save would move the page under the user's finger.
    let stuck = move || {
        matches!(
            data.status.get(),
            SyncStatus::Offline | SyncStatus::Failed(_) | SyncStatus::SignInNeeded
        )
    };
    let blocked = move || data.storage_blocked.get();
    move || {
        if blocked() {
            // Inside a portal's frame the page may not keep anything; in its own tab it may.
            return Some(
                view! {
                    <p class="notice storage-warning" role="alert" data-testid="storage-blocked">
                        {move || i18n.t(Key::StorageBlocked)}
                        " "
                        <OpenInOwnTab />
                    </p>
                }
                .into_any(),
            );
        }
        // Photos that wait count as changes: they too would go with the storage.
        let waiting = if stuck() {
            data.pending.get() + data.files_waiting.get()
        } else {
            0
        };
        state.get().warning(waiting).map(|warning| {
            view! {
                <p class="notice storage-warning" role="alert" data-testid="storage-warning">
                    {move || warning.message(i18n.locale())}
                </p>
            }
            .into_any()
        })
    }
}
