//! The navigation shell: a top bar, and a side navigation that becomes a bottom tab bar on narrow screens.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate},
};

use crate::{
    components::{
        icons::{Icon, IconSvg},
        restored_notice::RestoredNotice,
        storage_guard::StorageGuard,
        sync_indicator::{FirstSyncProgress, SyncIndicator},
        update_notice::UpdateNotice,
    },
    data::sync::use_data,
    embed::{use_embedding, OpenInOwnTab, PortalBridge},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
    routes::{document_title, navigation, NavLink},
    session::{self, use_session},
};

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let session = use_session();
    let embedding = use_embedding();
    // The browser tab's title follows the page and the language.
    let location = use_location();
    Effect::new({
        let mount = mount.clone();
        move || {
            let path = location.pathname.get();
            let app_path = mount.0.strip(&path).unwrap_or(&path).to_owned();
            document().set_title(&document_title(&app_path, i18n.locale()));
        }
    });
    if embedding.on {
        return view! {
            <div class="shell embedded" class:signed-out=move || !session.is_signed_in()>
                <PortalBridge />
                // Embedded, the portal draws the navigation; the app keeps its sync state in sight.
                <Show when=move || session.is_signed_in()>
                    <header class="embed-bar">
                        <SyncIndicator />
                        <OpenInOwnTab />
                        <FirstSyncProgress />
                    </header>
                </Show>
                <PageContent children />
                <UpdateNotice />
            </div>
        }
        .into_any();
    }
    view! {
        <div class="shell" class:signed-out=move || !session.is_signed_in()>
            <PortalBridge />
            <header class="topbar">
                <A href=mount.href("/") attr:class="brand">
                    <BrandMark />
                    <span class="brand-name">{move || i18n.t(Key::AppName)}</span>
                </A>
                <div class="topbar-actions">
                    <LanguageToggle />
                    <Show when=move || session.is_signed_in()>
                        <SyncIndicator />
                        <SignOut />
                    </Show>
                </div>
                // Hangs under the sticky bar, so it is seen whatever the page's scroll or layout.
                <Show when=move || session.is_signed_in()>
                    <FirstSyncProgress />
                </Show>
            </header>
            <Show when=move || session.is_signed_in()>
                <Navigation />
            </Show>
            <PageContent children />
            <UpdateNotice />
        </div>
    }
    .into_any()
}

/// The page itself, under the storage warning (signed in), embedded or not.
#[component]
fn PageContent(children: Children) -> impl IntoView {
    let session = use_session();
    view! {
        <main class="content" id="main">
            <Show when=move || session.is_signed_in()>
                <StorageGuard />
                <RestoredNotice />
            </Show>
            {children()}
        </main>
    }
}

/// The app's mark, or the company's logo where its brand has one.
#[component]
pub fn BrandMark() -> impl IntoView {
    let embedding = use_embedding();
    move || match embedding.brand.with(|b| b.logo().map(str::to_owned)) {
        Some(logo) => view! { <img class="brand-logo" src=logo alt="" /> }.into_any(),
        None => view! { <span class="brand-mark" aria-hidden="true">"营"</span> }.into_any(),
    }
}

/// One tap to the other language; the full choice lives in settings. Its accessible name starts with
/// the language it shows (English / 中文), so a voice user can say what they see (WCAG 2.5.3).
#[component]
fn LanguageToggle() -> impl IntoView {
    let i18n = use_i18n();
    let other = move || i18n.locale().toggled();
    view! {
        <button
            type="button"
            class="button button-ghost language-toggle"
            title=move || i18n.t(Key::LanguageToggleLabel)
            aria-label=move || {
                i18n.format(Key::LanguageToggleName, &[("language", other().native_name())])
            }
            on:click=move |_| i18n.set_locale(other())
        >
            <IconSvg icon=Icon::Language />
            <span class="language-toggle-text" lang=move || other().tag()>{move || other().native_name()}</span>
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
            class="button button-ghost sign-out"
            on:click=sign_out
            disabled=move || leaving.get()
            aria-busy=move || leaving.get().to_string()
        >
            {move || i18n.t(Key::SignOut)}
        </button>
    }
}

/// The navigation from the route table: on wide screens a side list grouped as the table groups it;
/// on narrow ones a bottom bar with the main links and 更多, which opens the whole list as a sheet.
#[component]
fn Navigation() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let parts = Memo::new(move |_| navigation(&access));
    let more = RwSignal::new(false);
    let location = use_location();
    // Following a link from the sheet closes it.
    Effect::new(move || {
        location.pathname.track();
        more.set(false);
    });
    let link = move |link: NavLink| {
        let mount = use_mount();
        let path = link.page.path();
        let exact = path == "/";
        view! {
            <A href=mount.href(&path) exact=exact attr:class="nav-link">
                <IconSvg icon=link.icon />
                <span class="nav-label">{move || link.label(i18n.locale())}</span>
            </A>
        }
    };
    let full = move || {
        parts
            .get()
            .into_iter()
            .map(|part| {
                let group = part.group;
                view! {
                    <div class="nav-part" data-group=group.map(|g| g.as_str())>
                        {group.map(|g| view! { <h2 class="nav-group">{move || g.label(i18n.locale())}</h2> })}
                        {part.links.into_iter().map(link).collect_view()}
                    </div>
                }
            })
            .collect_view()
    };
    // The bottom bar: home and the main links, filled up to four with the first others.
    let bar = move || {
        let links: Vec<NavLink> = parts.get().into_iter().flat_map(|p| p.links).collect();
        let mut shown: Vec<NavLink> = links
            .iter()
            .filter(|l| l.primary)
            .take(4)
            .cloned()
            .collect();
        for other in links.iter().filter(|l| !l.primary) {
            if shown.len() >= 4 {
                break;
            }
            shown.push(other.clone());
        }
        shown.into_iter().map(link).collect_view()
    };
    view! {
        <nav class="sidenav" class:more-open=move || more.get() aria-label=move || i18n.t(Key::NavMainLabel)>
            // Following a link (or tapping anywhere in it) closes the sheet.
            <div class="nav-full" id="nav-full" on:click=move |_| more.set(false)>{full}</div>
            <div class="nav-bar">
                {bar}
                <button
                    type="button"
                    class="nav-link nav-more"
                    aria-expanded=move || more.get().to_string()
                    aria-controls="nav-full"
                    on:click=move |_| more.update(|m| *m = !*m)
                >
                    <IconSvg icon=Icon::More />
                    <span class="nav-label">{move || i18n.t(Key::NavMore)}</span>
                </button>
            </div>
        </nav>
    }
}
