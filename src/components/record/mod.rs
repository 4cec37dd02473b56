//! What every record page shares: reading collections from the device as the user sees them, the
//! "loading / failed / ready" state, names of referenced records, which records wait for the server,
//! and showing a field's value in the user's language.

pub mod detail;
pub mod editor;
pub mod form;
mod grouped;
pub mod history;
pub mod list;

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::{Collection, FieldKind},
    permission::Action,
    sync::protocol::{Intent, RecordRef},
};

use crate::{
    data::sync::use_data,
    i18n::{use_i18n, I18n, Key},
    permissions::use_access,
};

/// Moves the keyboard to an element once the view about to show it is drawn (a form that opens, the
/// button that opened it once the form closes).
pub(crate) fn focus_later(id: &'static str) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(id)
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = element.focus();
        }
    });
}

/// A field's value for reading: choice labels, names of referenced records, amounts in yuan, local
/// times. `None` when the field is empty.
pub(crate) fn display_value(
    collection: Collection,
    name: &str,
    fields: &Map<String, Value>,
    names: &HashMap<String, String>,
    i18n: I18n,
) -> Option<String> {
    let locale = i18n.locale();
    let metric = fields.get("metric").and_then(Value::as_str);
    let def = yingxiao_core::domain::field_as_measured(collection, name, metric)?;
    let value = fields.get(name).filter(|v| !v.is_null())?;
    Some(match def.kind {
        FieldKind::Enum(_) => {
            let wire = value.as_str()?;
            def.choice_label(wire, locale).unwrap_or(wire).to_owned()
        }
        // A reference, or a text field that holds a record's id (a target's subject).
        FieldKind::Ref(_) | FieldKind::Text { .. }
            if !yingxiao_core::domain::named_by(collection, name).is_empty() =>
        {
            let id = value.as_str()?;
            names
                .get(id)
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned())
        }
        FieldKind::Money => yingxiao_core::money::format_money(
            value.as_i64()?,
            fields.get("currency").and_then(Value::as_str),
        ),
        FieldKind::Bool => {
            if value.as_bool()? {
                i18n.t(Key::RecordYes).to_owned()
            } else {
                i18n.t(Key::RecordNo).to_owned()
            }
        }
        FieldKind::Instant => crate::format::local_date_time(value.as_str()?, locale),
        _ => match value {
            Value::String(text) if text.trim().is_empty() => return None,
            Value::String(text) => text.clone(),
            other => other.to_string(),
        },
    })
}

/// A delete button that asks first, in the page itself (a sandboxed portal frame blocks
/// `window.confirm`). Escape or Cancel puts it off; once deleted, the page goes to the list, which
/// says what was deleted. The deletion is queued like any change, so it works offline.
#[component]
pub(crate) fn DeleteRecord(
    collection: Collection,
    #[prop(into)] id: Signal<String>,
    #[prop(into)] name: Signal<String>,
    /// The question, with `{name}`.
    title: Key,
    /// What deleting does.
    body: Key,
    /// The list to go to; it gets `?deleted=<name>`.
    #[prop(into)]
    list_path: String,
    /// Hides the button and the question (while the record is being edited).
    #[prop(into)]
    hidden: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let delete = Callback::new(move |()| {
        let target = RecordRef {
            collection,
            id: id.get_untracked(),
        };
        let name = name.get_untracked();
        let navigate = navigate.clone();
        let list_path = list_path.clone();
        spawn_local(async move {
            match data.mutate(Intent::Delete(target)).await {
                Ok(()) => {
                    let name = String::from(js_sys::encode_uri_component(&name));
                    navigate(&format!("{list_path}?deleted={name}"), Default::default());
                }
                Err(failure) => error.set(Some(failure.message(i18n.locale_untracked()))),
            }
        });
    });
    let close = move || {
        confirming.set(false);
        focus_later("record-delete");
    };
    view! {
        <Show when=move || !hidden.get()>
            <button
                type="button"
                class="button button-danger"
                id="record-delete"
                aria-expanded=move || confirming.get().to_string()
                aria-controls="record-delete-confirm"
                on:click=move |_| {
                    error.set(None);
                    confirming.set(true);
                    focus_later("record-delete-cancel");
                }
            >
                {move || i18n.t(Key::RecordDelete)}
            </button>
            <Show when=move || confirming.get()>
                <div
                    class="card confirm-panel"
                    id="record-delete-confirm"
                    role="alertdialog"
                    aria-labelledby="record-delete-title"
                    aria-describedby="record-delete-body"
                    data-testid="delete-confirm"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            close();
                        }
                    }
                >
                    <h2 id="record-delete-title">{move || i18n.format(title, &[("name", &name.get())])}</h2>
                    <p id="record-delete-body">{move || i18n.t(body)}</p>
                    {move || error.get().map(|error| view! {
                        <p class="form-error" role="alert">{move || i18n.format(Key::RecordDeleteFailed, &[("error", &error)])}</p>
                    })}
                    <div class="form-actions">
                        <button type="button" class="button button-danger" on:click=move |_| delete.run(())>
                            {move || i18n.t(Key::RecordDeleteConfirm)}
                        </button>
                        <button type="button" class="button" id="record-delete-cancel" on:click=move |_| close()>
                            {move || i18n.t(Key::FormCancel)}
                        </button>
                    </div>
                </div>
            </Show>
        </Show>
    }
}

/// Says that a record has changes on this device the server does not have yet.
#[component]
pub(crate) fn WaitingNote(
    collection: Collection,
    #[prop(into)] id: Signal<String>,
    note: Key,
) -> impl IntoView {
    let i18n = use_i18n();
    let waiting = crate::data::records::waiting_ids(use_data(), collection);
    view! {
        <Show when=move || waiting.with(|w| id.with(|id| w.contains(id)))>
            <p class="notice" role="status" data-testid="waiting-note">{move || i18n.t(note)}</p>
        </Show>
    }
}

/// Says that the user's role may not do this, in the words of the table's refusal (a page reached by
/// its address, such as a new customer for a promoter).
#[component]
pub(crate) fn NotAllowed(collection: Collection, action: Action) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    view! {
        <p class="notice" role="status" data-testid="not-allowed">
            {move || access.refusal(collection, action).map(|denial| denial.message(i18n.locale()))}
        </p>
    }
}
