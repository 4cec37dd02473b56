//! The navigation shell: a top bar, and a side navigation that becomes a bottom tab bar on narrow screens.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_navigate};

use crate::{
    components::{
        icons::{Icon, IconSvg},
        sync_indicator::{FirstSyncProgress, SyncIndicator},
        update_notice::UpdateNotice,
    },
    data::sync::use_data,
    i18n::{use_i18n, Key},
    mount::use_mount,
    session::{self, use_session},
};

/// The pages in the navigation: only those that exist.
const NAV_ITEMS: &[(&str, Key, Icon)] = &[
    ("/", Key::NavHome, Icon::Home),
    ("/customers", Key::NavCustomers, Icon::Customers),
    ("/opportunities", Key::NavOpportunities, Icon::Opportunities),
    ("/pipeline", Key::NavBoard, Icon::Board),
    ("/funnel", Key::FunnelNav, Icon::Funnel),
    ("/settings", Key::NavSettings, Icon::Settings),
];

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let session = use_session();
    let links = move || {
        let mount = use_mount();
        NAV_ITEMS
            .iter()
            .map(|&(path, label, icon)| {
                view! {
                    <A href=mount.href(path) exact={path == "/"} attr:class="nav-link">
                        <IconSvg icon=icon />
                        <span class="nav-label">{move || i18n.t(label)}</span>
                    </A>
                }
            })
            .collect_view()
    };

    view! {
        <div class="shell" class:signed-out=move || !session.is_signed_in()>
            <header class="topbar">
                <A href=mount.href("/") attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"营"</span>
                    <span class="brand-name">{move || i18n.t(Key::AppName)}</span>
                </A>
                <div class="topbar-actions">
                    <LanguageToggle />
                    <Show when=move || session.is_signed_in()>
                        <SyncIndicator />
                        <SignOut />
                    </Show>
                </div>
            </header>
            <Show when=move || session.is_signed_in()>
                <FirstSyncProgress />
            </Show>
            <Show when=move || session.is_signed_in()>
                <nav class="sidenav" aria-label=move || i18n.t(Key::NavMainLabel)>
                    {links}
                </nav>
            </Show>
            <main class="content" id="main">
                {children()}
            </main>
            <UpdateNotice />
        </div>
    }
}

/// One tap to the other language; the full choice lives in settings.
#[component]
fn LanguageToggle() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="button button-ghost language-toggle"
            title=move || i18n.t(Key::LanguageToggleLabel)
            aria-label=move || i18n.t(Key::LanguageToggleLabel)
            on:click=move |_| i18n.set_locale(i18n.locale().toggled())
        >
            <IconSvg icon=Icon::Language />
            <span>{move || i18n.locale().toggled().native_name()}</span>
        </button>
    }
}

/// Ends the session on the server (online; offline it is sent later) and on this device, then shows
/// sign-in (see `session::sign_out`).
#[component]
fn SignOut() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let name = move || session.get().map(|s| s.user.name).unwrap_or_default();
    let data = use_data();
    let leaving = RwSignal::new(false);
    let sign_out = move |_| {
        let Some(current) = session.get_untracked() else {
            return;
        };
        if leaving.get_untracked() {
            return;
        }
        // Pending changes stay on the device (in this user's database) either way; say so first.
        let pending = data.pending.get_untracked();
        if pending > 0 {
            let question = i18n.format(
                Key::SignOutPendingConfirm,
                &[("count", &pending.to_string())],
            );
            if !window().confirm_with_message(&question).unwrap_or(false) {
                return;
            }
        }
        leaving.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            session::sign_out(session, current.token).await;
            leaving.set(false);
            navigate("/login", Default::default());
        });
    };
    view! {
        <span class="user-name" title=move || i18n.t(Key::SignedInAs)>{name}</span>
        <button
            type="button"
            class="button button-ghost"
            on:click=sign_out
            disabled=move || leaving.get()
            aria-busy=move || leaving.get().to_string()
        >
            {move || i18n.t(Key::SignOut)}
        </button>
    }
}
