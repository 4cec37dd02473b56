//! Changes on this device (`/changes`): what waits to reach the server, and what the server refused
//! with its reasons in the user's language (a refusal by the permission table says which right the
//! role lacks), which the user dismisses once read. Each change names its record.

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::{Collection, FieldKind},
    locale::Locale,
    sync::{
        describe::describe,
        hlc::Hlc,
        protocol::{Intent, RecordRef},
    },
    views::spec,
};

use crate::{
    components::sync_indicator::SyncIndicator,
    data::sync::{use_data, Data, SyncStatus},
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

/// The words that name a record: its collection's title fields (core's view spec) as the user reads
/// them, a choice by its label and a reference by the name of the record it points to.
async fn title_of(
    data: Data,
    collection: Collection,
    fields: &Map<String, Value>,
    locale: Locale,
) -> Option<String> {
    let mut parts = Vec::new();
    for &name in spec(collection).title {
        let Some(value) = fields.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        let def = collection.field(name);
        let part = match (def.map(|d| d.kind), value) {
            (Some(FieldKind::Ref(target)), Value::String(id)) => {
                name_of_ref(data, target, id).await
            }
            (Some(FieldKind::Enum(_)), Value::String(wire)) => Some(
                def.and_then(|d| d.choice_label(wire, locale))
                    .unwrap_or(wire)
                    .to_owned(),
            ),
            (Some(FieldKind::Instant), Value::String(at)) => Some(local_time(at)),
            (_, Value::String(text)) => Some(text.clone()),
            (_, Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        parts.extend(part.filter(|p| !p.trim().is_empty()));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The name of a referenced record on the device: its plain-text title fields (one level only).
async fn name_of_ref(data: Data, collection: Collection, id: &str) -> Option<String> {
    let target = RecordRef {
        collection,
        id: id.to_owned(),
    };
    let record = data.view_one(&target).await.ok()??;
    let words: Vec<&str> = spec(collection)
        .title
        .iter()
        .filter(|f| {
            collection
                .field(f)
                .is_some_and(|d| matches!(d.kind, FieldKind::Text { .. }))
        })
        .filter_map(|f| record.fields.get(*f)?.as_str())
        .filter(|t| !t.trim().is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" · "))
}

/// What a change is about: the record as the device has it now, else as the change itself wrote it
/// (a refused creation never reached the device's records).
async fn record_of(data: Data, intent: &Intent, locale: Locale) -> Option<String> {
    let target = intent.target();
    if let Ok(Some(record)) = data.view_one(&target).await {
        if let Some(name) = title_of(data, target.collection, &record.fields, locale).await {
            return Some(name);
        }
    }
    match intent {
        Intent::Create(args) => title_of(data, args.collection, &args.fields, locale).await,
        Intent::SetFields(args) => title_of(data, args.collection, &args.fields, locale).await,
        _ => None,
    }
}

/// An instant in the browser's local time.
fn local_time(at: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(at));
    if date.get_time().is_nan() {
        return at.to_owned();
    }
    date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

#[component]
pub fn ChangesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    // Each pending change with the name of its record, read from the device.
    let pending = LocalResource::new(move || {
        data.revision.get();
        let locale = i18n.locale();
        async move {
            let mut named = Vec::new();
            for m in data.pending_changes().await? {
                let name = record_of(data, &m.intent, locale).await;
                named.push((m, name));
            }
            Ok::<_, crate::data::store::DataError>(named)
        }
    });
    // The names of the refused changes' records, by stamp (ids are numbered anew when the device
    // starts over after a server restore; stamps stay).
    let refused_names = LocalResource::new(move || {
        data.revision.get();
        let locale = i18n.locale();
        let refused = data.rejected.get();
        async move {
            let mut names = HashMap::new();
            for change in refused {
                if let Some(name) = record_of(data, &change.mutation.intent, locale).await {
                    names.insert(change.mutation.hlc.clone(), name);
                }
            }
            names
        }
    });
    let named = move |name: Option<String>| {
        name.map(|name| {
            view! {
                <span class="change-record" data-testid="change-record">
                    {i18n.format(Key::ChangesRecordName, &[("name", &name)])}
                </span>
            }
        })
    };
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
                        .map(|(m, name)| view! {
                            <li class="change">
                                <span class="change-what">{describe(&m.intent, locale)}{named(name)}</span>
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
                        let stamp = change.mutation.hlc.clone();
                        let name = refused_names
                            .with(|names| names.as_ref().and_then(|n| n.get(&stamp).cloned()));
                        let seen = change.clone();
                        let dismiss = move |_| {
                            let seen = seen.clone();
                            spawn_local(async move {
                                if let Err(error) = data.dismiss(&seen).await {
                                    dismiss_error.set(Some(error.to_string()));
                                }
                            });
                        };
                        view! {
                            <li class="change change-refused">
                                <span class="change-what">{describe(&change.mutation.intent, locale)}{named(name)}</span>
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
