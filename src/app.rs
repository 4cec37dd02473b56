//! The root component: preferences and translations in context, the router under the base path, the shell.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};
use yingxiao_core::base_path::BasePath;

use crate::{
    components::shell::Shell,
    i18n::{I18n, Key},
    pages::{home::HomePage, not_found::NotFoundPage, settings::SettingsPage},
    prefs::{self, ThemeChoice},
};

/// Where the app is mounted, read from the `<base href>` the server wrote into `index.html`.
#[derive(Clone)]
pub struct Mount(pub BasePath);

impl Mount {
    /// The full URL path of an app route, e.g. `/settings` → `/yingxiao/settings`.
    pub fn href(&self, app_path: &str) -> String {
        self.0.join(app_path)
    }
}

pub fn use_mount() -> Mount {
    expect_context::<Mount>()
}

fn mount_point() -> BasePath {
    let base_uri = document().base_uri().ok().flatten().unwrap_or_default();
    let path = web_sys::Url::new(&base_uri)
        .map(|url| url.pathname())
        .unwrap_or_default();
    // The server only writes valid base paths; fall back to the root rather than fail to start.
    BasePath::parse(&path).unwrap_or_default()
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new(prefs::initial_locale());
    let theme = ThemeChoice(RwSignal::new(prefs::initial_theme()));
    let mount = Mount(mount_point());
    provide_context(i18n);
    provide_context(theme);
    provide_context(mount.clone());

    // The one bridge from preferences to the page and to storage.
    Effect::new(move || {
        let locale = i18n.locale();
        prefs::apply_locale(locale);
        prefs::save_locale(locale);
        document().set_title(i18n.t(Key::AppName));
    });
    Effect::new(move || {
        let chosen = theme.0.get();
        prefs::apply_theme(chosen);
        prefs::save_theme(chosen);
    });

    view! {
        <Router base=mount.0.as_str().to_owned()>
            <Shell>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/settings") view=SettingsPage />
                </Routes>
            </Shell>
        </Router>
    }
}
