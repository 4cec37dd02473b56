//! Sign-in (`/login`): login and password, errors in the user's language, then back where they wanted to go.

use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::{
    api::ApiError,
    components::shell::BrandMark,
    embed::use_embedding,
    i18n::{use_i18n, Key},
    session::{self, use_session},
};

/// The message for a failed sign-in, by what the server (or the network) said.
fn failure_message(error: &ApiError) -> Key {
    match error {
        ApiError::Refused { status: 401, .. } => Key::LoginWrongCredentials,
        ApiError::Refused { status: 429, .. } => Key::LoginRateLimited,
        ApiError::Refused { status: 403, .. } => Key::LoginNoUser,
        ApiError::Network(_) => Key::LoginNetworkError,
        _ => Key::LoginServerError,
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Key>);

    // Only app-internal destinations are followed after sign-in. App paths: `navigate` adds the base.
    let destination = move || {
        let next = query.with_untracked(|q| q.get("next")).unwrap_or_default();
        if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/login") {
            next
        } else {
            "/".to_owned()
        }
    };

    // Through the portal (`--sso-header`): tried once as the page opens, unless the user has just
    // signed out in this tab, and offered as a button.
    let embedding = use_embedding();
    let by_portal = {
        let navigate = navigate.clone();
        // `asked`: the user pressed the button. Tried by itself, a failure other than "no account"
        // (a visit not through the portal) leaves the password form as it was.
        move |asked: bool| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let navigate = navigate.clone();
            spawn_local(async move {
                match session::sign_in_by_header(session).await {
                    Ok(()) => navigate(&destination(), Default::default()),
                    Err(ApiError::Refused { status: 403, .. }) => {
                        error.try_set(Some(Key::LoginSsoNoAccount));
                    }
                    Err(_) if asked => {
                        error.try_set(Some(Key::LoginSsoFailed));
                    }
                    Err(_) => {}
                }
                busy.try_set(false);
            });
        }
    };
    // Back from the company's identity provider: its one-time code signs in, or it says why not.
    let returned = query.with_untracked(|q| (q.get("oidc"), q.get("oidc_error")));
    match returned {
        (Some(code), _) => {
            busy.set(true);
            let navigate = navigate.clone();
            spawn_local(async move {
                match session::sign_in_by_oidc(session, &code).await {
                    Ok(()) => navigate(&destination(), Default::default()),
                    Err(_) => {
                        error.try_set(Some(Key::LoginOidcExpired));
                    }
                }
                busy.try_set(false);
            });
        }
        (None, Some(reason)) => error.set(Some(match reason.as_str() {
            "no_account" => Key::LoginSsoNoAccount,
            "disabled" => Key::LoginOidcDisabled,
            "expired" => Key::LoginOidcExpired,
            "refused" => Key::LoginOidcRefused,
            _ => Key::LoginOidcFailed,
        })),
        (None, None) => {
            if embedding.header_sign_on && !session::signed_out_here() {
                by_portal(false);
            }
        }
    }
    let oidc_href = move || {
        let next = String::from(js_sys::encode_uri_component(&destination()));
        format!("api/v1/auth/oidc/start?next={next}")
    };

    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (name, secret) = (login.get_untracked(), password.get_untracked());
        if name.trim().is_empty() || secret.is_empty() {
            error.set(Some(Key::LoginMissingFields));
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match session::sign_in(session, name.trim(), &secret).await {
                Ok(()) => navigate(&destination(), Default::default()),
                Err(failure) => {
                    error.try_set(Some(failure_message(&failure)));
                    password.try_set(String::new());
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <section class="login">
            <form class="card login-card" on:submit=submit novalidate>
                <div class="login-brand">
                    <BrandMark />
                    <h1 class="page-title">{move || i18n.t(Key::LoginTitle)}</h1>
                </div>
                <p class="hint">{move || i18n.t(Key::LoginIntro)}</p>
                <label class="field">
                    <span>{move || i18n.t(Key::LoginName)}</span>
                    <input
                        type="text"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        prop:value=move || login.get()
                        on:input=move |ev| login.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span>{move || i18n.t(Key::LoginPassword)}</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                {move || error.get().map(|key| view! {
                    <p class="form-error" role="alert">{move || i18n.t(key)}</p>
                })}
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(Key::LoginBusy) } else { i18n.t(Key::LoginSubmit) }}
                </button>
                // A full page load to the provider, past the app's router.
                {embedding.oidc_sign_on.then(|| view! {
                    <button
                        type="button"
                        class="button"
                        data-testid="sign-in-by-oidc"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            busy.set(true);
                            let _ = window().location().assign(&oidc_href());
                        }
                    >
                        {move || i18n.t(Key::LoginOidcButton)}
                    </button>
                })}
                {embedding.header_sign_on.then(|| view! {
                    <button
                        type="button"
                        class="button"
                        data-testid="sign-in-by-portal"
                        disabled=move || busy.get()
                        on:click=move |_| by_portal(true)
                    >
                        {move || i18n.t(Key::LoginSsoButton)}
                    </button>
                })}
            </form>
        </section>
    }
}
