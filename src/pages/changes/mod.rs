//! Changes on this device (`/changes`): what waits to reach the server, and what the server refused
//! with its reasons in the user's language (a refusal by the permission table says which right the
//! role lacks), which the user dismisses once read.

use leptos::{prelude::*, task::spawn_local};
use yingxiao_core::sync::{describe::describe, hlc::Hlc};

use crate::{
    components::sync_indicator::SyncIndicator,
    data::sync::{use_data, SyncStatus},
    i18n::{use_i18n, Key},
};

/// When a change was made, from its clock stamp, in the browser's local time.
fn made_at(hlc: &Hlc) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(hlc.millis as f64));
    let text: String = date
        .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .into();
    text
}

#[component]
pub fn ChangesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let pending = LocalResource::new(move || {
        data.revision.get();
        async move { data.pending_changes().await }
    });
    let dismiss_error = RwSignal::new(None::<String>);

    let pending_list = move || {
        let locale = i18n.locale();
        pending.get().map(|result| match result {
            Ok(list) if list.is_empty() => view! {
                <p class="empty">{i18n.t(Key::ChangesNonePending)}</p>
            }
            .into_any(),
            Ok(list) => view! {
                <ul class="change-list">
                    {list
                        .into_iter()
                        .map(|m| view! {
                            <li class="change">
                                <span class="change-what">{describe(&m.intent, locale)}</span>
                                <span class="change-when">{made_at(&m.hlc)}</span>
                            </li>
                        })
                        .collect_view()}
                </ul>
            }
            .into_any(),
            Err(error) => {
                view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
            }
        })
    };

    let refused_list = move || {
        let locale = i18n.locale();
        let list = data.rejected.get();
        if list.is_empty() {
            return view! { <p class="empty">{i18n.t(Key::ChangesNoneRefused)}</p> }.into_any();
        }
        view! {
            <ul class="change-list">
                {list
                    .into_iter()
                    .map(|change| {
                        let id = change.mutation.id;
                        let dismiss = move |_| {
                            spawn_local(async move {
                                if let Err(error) = data.dismiss(id).await {
                                    dismiss_error.set(Some(error.to_string()));
                                }
                            });
                        };
                        view! {
                            <li class="change change-refused">
                                <span class="change-what">{describe(&change.mutation.intent, locale)}</span>
                                <span class="change-when">{made_at(&change.mutation.hlc)}</span>
                                <span class="change-reason" data-testid="refusal-reason">{change.reason.describe(locale)}</span>
                                <button type="button" class="button button-ghost" on:click=dismiss>
                                    {move || i18n.t(Key::ChangesDismiss)}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };

    let syncing = move || data.status.get() == SyncStatus::Syncing;
    view! {
        <section class="page">
            <h1>{move || i18n.t(Key::ChangesTitle)}</h1>
            <p class="lead">{move || i18n.t(Key::ChangesIntro)}</p>
            <div class="changes-status">
                <SyncIndicator />
                <button type="button" class="button" on:click=move |_| data.sync_now()
                    prop:disabled=syncing>
                    {move || i18n.t(Key::SyncNow)}
                </button>
            </div>
            <h2>{move || i18n.t(Key::ChangesRefused)}</h2>
            {move || dismiss_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {refused_list}
            <h2>{move || i18n.t(Key::ChangesPending)}</h2>
            <Suspense fallback=move || view! { <p class="loading">{i18n.t(Key::StatusChecking)}</p> }>
                {pending_list}
            </Suspense>
        </section>
    }
}
