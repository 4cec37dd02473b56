//! The sync indicator in the top bar (synced · syncing · offline with N pending · sign in again ·
//! failed), the refused-changes badge, and the progress bar of a device's first sync. It links to
//! the changes page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    data::sync::{use_data, SyncStatus},
    i18n::{use_i18n, Key},
    mount::use_mount,
};

#[component]
pub fn SyncIndicator() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let mount = use_mount();
    let state = move || {
        let pending = data.pending.get();
        match data.status.get() {
            SyncStatus::Starting => ("starting", i18n.t(Key::SyncStarting).to_owned()),
            SyncStatus::Syncing => ("syncing", i18n.t(Key::SyncSyncing).to_owned()),
            SyncStatus::Synced if pending == 0 => ("synced", i18n.t(Key::SyncSynced).to_owned()),
            SyncStatus::Synced => (
                "waiting",
                i18n.format(Key::SyncWaiting, &[("count", &pending.to_string())]),
            ),
            SyncStatus::Offline => (
                "offline",
                i18n.format(Key::SyncOffline, &[("count", &pending.to_string())]),
            ),
            SyncStatus::SignInNeeded => ("signin", i18n.t(Key::SyncSignInNeeded).to_owned()),
            SyncStatus::Failed(_) => ("failed", i18n.t(Key::SyncFailed).to_owned()),
        }
    };
    // A phone's top bar has room for a few characters: the same state in short words, shown there
    // instead of the full sentence (which stays for assistive technology).
    let short = move || {
        let pending = data.pending.get();
        let count = pending.to_string();
        match data.status.get() {
            SyncStatus::Starting => i18n.t(Key::SyncStartingShort).to_owned(),
            SyncStatus::Syncing => i18n.t(Key::SyncSyncing).to_owned(),
            SyncStatus::Synced if pending == 0 => i18n.t(Key::SyncSynced).to_owned(),
            SyncStatus::Synced => i18n.format(Key::SyncWaitingShort, &[("count", &count)]),
            SyncStatus::Offline if pending == 0 => i18n.t(Key::SyncOfflineShort).to_owned(),
            SyncStatus::Offline => i18n.format(Key::SyncOfflineCountShort, &[("count", &count)]),
            SyncStatus::SignInNeeded => i18n.t(Key::SyncSignInNeededShort).to_owned(),
            SyncStatus::Failed(_) => i18n.t(Key::SyncFailedShort).to_owned(),
        }
    };
    let detail = move || match data.status.get() {
        SyncStatus::Failed(message) => message,
        _ => String::new(),
    };
    let refused = move || data.rejected.with(Vec::len);
    // Signing in again is what unblocks sync; otherwise the indicator leads to the changes page.
    let href = move || match data.status.get() {
        SyncStatus::SignInNeeded => mount.href(&mount.login_path()),
        _ => mount.href("/changes"),
    };
    view! {
        <A href=href attr:class="sync-indicator"
            attr:data-state=move || state().0 attr:title=detail>
            <span class="sync-dot" aria-hidden="true"></span>
            <span class="sync-text" role="status" aria-live="polite">
                {move || state().1}
                {move || {
                    let files = data.files_waiting.get();
                    (files > 0).then(|| format!(" · {}", i18n.format(Key::SyncFilesWaiting, &[("count", &files.to_string())])))
                }}
            </span>
            <span class="sync-text-short" aria-hidden="true" data-testid="sync-short">{short}</span>
            <Show when=move || { refused() > 0 }>
                <span class="sync-refused">
                    <span class="sync-refused-text">
                        {move || i18n.format(Key::SyncRefusedBadge, &[("count", &refused().to_string())])}
                    </span>
                    <span class="sync-refused-count" aria-hidden="true">{refused}</span>
                </span>
            </Show>
        </A>
    }
}

/// A thin bar hanging under the top bar (inside it, so it stays in view above the page and the
/// navigation) while a new device downloads its data for the first time.
#[component]
pub fn FirstSyncProgress() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    view! {
        <Show when=move || data.first_sync.get().is_some()>
            <div class="first-sync" role="progressbar" aria-label=move || i18n.t(Key::SyncFirstLabel)
                aria-valuetext=move || progress_text(i18n, data)>
                <div class="first-sync-bar" aria-hidden="true"></div>
                <span class="first-sync-text">{move || progress_text(i18n, data)}</span>
            </div>
        </Show>
    }
}

fn progress_text(i18n: crate::i18n::I18n, data: crate::data::sync::Data) -> String {
    let count = data.first_sync.get().unwrap_or(0);
    i18n.format(Key::SyncFirstProgress, &[("count", &count.to_string())])
}
