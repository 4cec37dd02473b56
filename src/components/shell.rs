//! The navigation shell: a top bar, and a side navigation that becomes a bottom tab bar on narrow screens.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    app::use_mount,
    components::icons::{Icon, IconSvg},
    i18n::{use_i18n, Key},
};

/// The pages in the navigation: only those that exist.
const NAV_ITEMS: [(&str, Key, Icon); 2] = [
    ("/", Key::NavHome, Icon::Home),
    ("/settings", Key::NavSettings, Icon::Settings),
];

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let links = NAV_ITEMS
        .iter()
        .map(|&(path, label, icon)| {
            view! {
                <A href=mount.href(path) exact=true attr:class="nav-link">
                    <IconSvg icon=icon />
                    <span class="nav-label">{move || i18n.t(label)}</span>
                </A>
            }
        })
        .collect_view();

    view! {
        <div class="shell">
            <header class="topbar">
                <A href=mount.href("/") attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"营"</span>
                    <span class="brand-name">{move || i18n.t(Key::AppName)}</span>
                </A>
                <div class="topbar-actions">
                    <LanguageToggle />
                </div>
            </header>
            <nav class="sidenav" aria-label=move || i18n.t(Key::NavMainLabel)>
                {links}
            </nav>
            <main class="content" id="main">
                {children()}
            </main>
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
