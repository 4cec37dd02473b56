//! The one line a user sees after the device found its server restored from a backup (or wiped and
//! seeded again) and started over by itself: what it downloaded and what it is sending again. It
//! stays until read, across reloads (`Data::restored`).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    data::sync::use_data,
    i18n::{use_i18n, Key},
};

#[component]
pub fn RestoredNotice() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    move || {
        data.restored.get().map(|restored| {
            let text = move || {
                i18n.format(
                    Key::SyncRestored,
                    &[
                        ("resent", &restored.resent.to_string()),
                        ("pending", &restored.pending.to_string()),
                    ],
                )
            };
            let read = move |_| {
                spawn_local(async move {
                    if data.dismiss_restored().await.is_err() {
                        // The device could not note it read: hidden now, shown again next start.
                        data.restored.set(None);
                    }
                })
            };
            view! {
                <p class="notice restored-notice" role="status" data-testid="server-restored">
                    <span>{text}</span>
                    <button type="button" class="button button-ghost touch" on:click=read>
                        {move || i18n.t(Key::SyncRestoredOk)}
                    </button>
                </p>
            }
        })
    }
}
