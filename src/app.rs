//! The root component: preferences and translations in context, the router under the base path, the shell.

use leptos::prelude::*;
use leptos_router::{
    components::{ProtectedRoute, Route, Router, Routes},
    path,
};

use crate::{
    components::shell::Shell,
    data::sync::Data,
    embed::{self, Embedding},
    i18n::I18n,
    mount::{mount_point, Mount},
    pages::{login::LoginPage, not_found::NotFoundPage},
    permissions::Access,
    prefs::{self, ThemeChoice},
    routes::RoutedPage,
    session::{self, SessionState},
    sw::{self, AppUpdate},
};

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::new(prefs::initial_locale());
    let theme = ThemeChoice(RwSignal::new(prefs::initial_theme()));
    let mount = Mount(mount_point());
    let embedding = Embedding::start();
    provide_context(embedding);
    let session = SessionState::new(session::load());
    provide_context(session);
    provide_context(i18n);
    provide_context(theme);
    provide_context(mount.clone());
    // The signed-in user's data: opened (and synced) for whoever is signed in, closed on sign-out.
    let data = Data::new();
    provide_context(data);
    // What the signed-in user may do, from the company's table on the device.
    provide_context(Access::new(data, session));
    Effect::new(move || match session.get() {
        Some(current) => data.connect(current.user.user_id, current.token),
        None => data.disconnect(),
    });
    // Sign-outs whose revocation has not reached the server yet are sent again.
    session::keep_sending_revocations();
    let update = AppUpdate::new();
    provide_context(update);
    sw::register(update);
    crate::components::install::listen_for_install_prompt();

    // The one bridge from preferences to the page and to storage.
    Effect::new(move || {
        let locale = i18n.locale();
        prefs::apply_locale(locale);
        prefs::save_locale(locale);
    });
    Effect::new(move || {
        let chosen = theme.0.get();
        prefs::apply_theme(chosen);
        prefs::save_theme(chosen);
    });
    Effect::new(move || embedding.brand.with(embed::apply_brand));

    // Every page but sign-in needs a session; without one the user is sent to sign in and back.
    let signed_in = move || Some(session.is_signed_in());
    let to_login = {
        let mount = mount.clone();
        move || mount.login_path()
    };

    view! {
        <Router base=mount.0.as_str().to_owned()>
            <Shell>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/login") view=LoginPage />
                    // Every other address is a page of the route table (`crate::routes`).
                    <ProtectedRoute path=path!("/") view=RoutedPage condition=signed_in redirect_path=to_login.clone() />
                    <ProtectedRoute path=path!("/*any") view=RoutedPage condition=signed_in redirect_path=to_login />
                </Routes>
            </Shell>
        </Router>
    }
}
