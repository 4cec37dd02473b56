//! A person's sign-in account (登录账号) on their page, for whoever holds the `users.account` grant
//! (administrators by default): give one with a first password, disable it (their devices are signed
//! out at once), enable it again, or set a new password. Accounts live on the server only, so this
//! part needs a connection and says so without one.

use leptos::{prelude::*, task::spawn_local};
use yingxiao_core::{
    account::{AccountState, MIN_PASSWORD_CHARS},
    domain::Collection,
    permission::{Action, ACCOUNT_FIELD},
};

use crate::{
    api::ApiError,
    data::records::{fields_of, text, use_one_record},
    data::server::{self, AccountChange},
    data::sync::use_data,
    i18n::{use_i18n, Key},
    permissions::use_access,
    session::use_session,
};

#[derive(Clone, Debug, PartialEq)]
enum Standing {
    Loading,
    Offline,
    None,
    Has(AccountState),
    Failed(String),
}

#[component]
pub fn AccountPanel(user_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let session = use_session();
    let data = use_data();
    let id = StoredValue::new(user_id.clone());
    let record = use_one_record(data, Collection::User, Memo::new(move |_| id.get_value()));
    let may = Memo::new(move |_| access.can(Collection::User, Action::Field(ACCOUNT_FIELD), None));
    let standing = RwSignal::new(Standing::Loading);
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);

    let load = move || {
        let Some(current) = session.get_untracked() else {
            return;
        };
        if !window().navigator().on_line() {
            standing.set(Standing::Offline);
            return;
        }
        spawn_local(async move {
            let result = server::account(&current.token, &id.get_value()).await;
            standing.try_set(match result {
                Ok(state) => Standing::Has(state),
                Err(ApiError::Refused { status: 404, .. }) => Standing::None,
                Err(ApiError::Network(_)) => Standing::Offline,
                Err(error) => Standing::Failed(error.to_string()),
            });
        });
    };
    Effect::new(move |_| {
        if may.get() {
            load();
        }
    });
    // The login offered is the one on the person's record.
    Effect::new(move |_| {
        let on_record = text(&fields_of(&record), "login").to_owned();
        if login.get_untracked().is_empty() {
            login.set(on_record);
        }
    });

    let act = move |change: &'static str| {
        let Some(current) = session.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let (name, secret) = (login.get_untracked(), password.get_untracked());
        if matches!(change, "give" | "password") && secret.chars().count() < MIN_PASSWORD_CHARS {
            message.set(Some((false, i18n.t(Key::AccountPasswordShort).to_owned())));
            return;
        }
        if change == "give" && name.trim().is_empty() {
            message.set(Some((false, i18n.t(Key::AccountLoginMissing).to_owned())));
            return;
        }
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let user = id.get_value();
            let request = match change {
                "give" => AccountChange::Give {
                    login: name.trim(),
                    password: &secret,
                },
                "disable" => AccountChange::Disable,
                "enable" => AccountChange::Enable,
                _ => AccountChange::Password(&secret),
            };
            let result = server::change_account(&current.token, &user, request).await;
            match result {
                Ok(state) => {
                    let done = match change {
                        "give" => Key::AccountGiven,
                        "disable" => Key::AccountDisabledDone,
                        "enable" => Key::AccountEnabledDone,
                        _ => Key::AccountPasswordDone,
                    };
                    message.try_set(Some((true, i18n.t(done).to_owned())));
                    password.try_set(String::new());
                    standing.try_set(Standing::Has(state));
                }
                Err(error) => {
                    message.try_set(Some((false, error.to_string())));
                }
            }
            confirming.try_set(false);
            busy.try_set(false);
        });
    };

    let password_field = move || {
        view! {
            <label class="field">
                <span>{move || i18n.t(Key::AccountPassword)}</span>
                <input
                    type="password"
                    name="account-password"
                    autocomplete="new-password"
                    minlength=MIN_PASSWORD_CHARS.to_string()
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </label>
        }
    };

    let body = move || match standing.get() {
        Standing::Loading => {
            view! { <p class="hint" role="status">{move || i18n.t(Key::ListLoading)}</p> }
                .into_any()
        }
        Standing::Offline => {
            view! { <p class="hint">{move || i18n.t(Key::AccountOffline)}</p> }.into_any()
        }
        Standing::Failed(error) => {
            view! { <p class="form-error" role="alert">{error}</p> }.into_any()
        }
        Standing::None => view! {
            <p class="hint">{move || i18n.t(Key::AccountNone)}</p>
            <form class="account-form" on:submit=move |ev| { ev.prevent_default(); act("give"); }>
                <label class="field">
                    <span>{move || i18n.t(Key::LoginName)}</span>
                    <input
                        type="text"
                        name="account-login"
                        autocapitalize="none"
                        spellcheck="false"
                        prop:value=move || login.get()
                        on:input=move |ev| login.set(event_target_value(&ev))
                    />
                </label>
                {password_field}
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {move || i18n.t(Key::AccountGive)}
                </button>
            </form>
        }
        .into_any(),
        Standing::Has(state) => {
            let disabled = state.disabled;
            // Nobody disables their own account (the server refuses it too).
            let own = session
                .get_untracked()
                .is_some_and(|s| s.user.user_id == state.user_id);
            view! {
                <dl class="detail-fields">
                    <div class="detail-field"><dt>{move || i18n.t(Key::LoginName)}</dt><dd data-testid="account-login">{state.login.clone()}</dd></div>
                    <div class="detail-field">
                        <dt>{move || i18n.t(Key::AccountStatus)}</dt>
                        <dd data-testid="account-status">{move || i18n.t(if disabled { Key::AccountIsDisabled } else { Key::AccountIsEnabled })}</dd>
                    </div>
                    <div class="detail-field"><dt>{move || i18n.t(Key::AccountSessions)}</dt><dd>{state.sessions}</dd></div>
                </dl>
                <div class="account-actions">
                    {if own {
                        ().into_any()
                    } else if disabled {
                        view! {
                            <button type="button" class="button" disabled=move || busy.get() on:click=move |_| act("enable")>
                                {move || i18n.t(Key::AccountEnable)}
                            </button>
                        }
                        .into_any()
                    } else {
                        view! {
                            <Show
                                when=move || confirming.get()
                                fallback=move || view! {
                                    <button type="button" class="button button-danger" on:click=move |_| confirming.set(true)>
                                        {move || i18n.t(Key::AccountDisable)}
                                    </button>
                                }
                            >
                                <p class="notice" role="alert">{move || i18n.t(Key::AccountDisableConfirm)}</p>
                                <button type="button" class="button button-danger" disabled=move || busy.get() on:click=move |_| act("disable")>
                                    {move || i18n.t(Key::AccountDisableYes)}
                                </button>
                                <button type="button" class="button" on:click=move |_| confirming.set(false)>
                                    {move || i18n.t(Key::FormCancel)}
                                </button>
                            </Show>
                        }
                        .into_any()
                    }}
                </div>
                <form class="account-form" on:submit=move |ev| { ev.prevent_default(); act("password"); }>
                    {password_field}
                    <button type="submit" class="button" disabled=move || busy.get()>
                        {move || i18n.t(Key::AccountResetPassword)}
                    </button>
                </form>
            }
            .into_any()
        }
    };

    view! {
        <Show when=move || may.get()>
            <section class="card detail-section account-panel" data-testid="account-panel">
                <h2>{move || i18n.t(Key::AccountTitle)}</h2>
                {body}
                {move || message.get().map(|(ok, text)| view! {
                    <p class=if ok { "notice notice-ok" } else { "form-error" } role=if ok { "status" } else { "alert" }>{text}</p>
                })}
            </section>
        </Show>
    }
}
