//! What every record page shares: reading collections from the device as the user sees them, the
//! "loading / failed / ready" state, names of referenced records, which records wait for the server,
//! and showing a field's value in the user's language.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;
use yingxiao_core::{
    domain::{Collection, FieldKind},
    locale::Locale,
    sync::apply::StoredRecord,
};

use super::record_form;
use crate::{
    data::{
        store::DataError,
        sync::{Data, SyncStatus},
    },
    i18n::{I18n, Key},
};

/// What a page shows while it reads the device: a database still opening is "loading", not an error.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Loaded<T> {
    Loading,
    Failed(String),
    Ready(T),
}

impl<T> Loaded<T> {
    /// Classifies a finished (or not yet finished) read. The sync state is read (and so followed)
    /// only when the store was not there, so a sync finishing does not redo the caller's work.
    pub(crate) fn from_read(
        read: Option<Result<T, DataError>>,
        status: impl FnOnce() -> SyncStatus,
    ) -> Self {
        match read {
            None => Loaded::Loading,
            Some(Err(DataError::Unavailable(_))) if status() == SyncStatus::Starting => {
                Loaded::Loading
            }
            Some(Err(error)) => Loaded::Failed(error.to_string()),
            Some(Ok(value)) => Loaded::Ready(value),
        }
    }
}

/// A collection as the user sees it, re-read whenever the data may have changed.
pub(crate) fn watch_collection(
    data: Data,
    collection: Collection,
    by: impl Fn() -> Option<(&'static str, String)> + 'static,
) -> LocalResource<Result<Vec<(String, StoredRecord)>, DataError>> {
    LocalResource::new(move || {
        data.revision.get();
        let by = by();
        async move {
            let by = by.as_ref().map(|(field, value)| (*field, value.as_str()));
            data.view(collection, by).await
        }
    })
}

/// Ids of a collection's records with changes on this device that have not reached the server yet.
pub(crate) fn waiting_ids(data: Data, collection: Collection) -> Memo<HashSet<String>> {
    let pending = LocalResource::new(move || {
        data.revision.get();
        data.pending.get();
        async move { data.pending_changes().await }
    });
    Memo::new(move |_| {
        pending.with(|read| {
            read.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|changes| {
                    changes
                        .iter()
                        .map(|change| change.intent.target())
                        .filter(|target| target.collection == collection)
                        .map(|target| target.id)
                        .collect()
                })
                .unwrap_or_default()
        })
    })
}

/// Names of the records of a reference collection (users, org units) by id, for showing references.
pub(crate) fn names_by_id(
    records: &LocalResource<Result<Vec<(String, StoredRecord)>, DataError>>,
) -> HashMap<String, String> {
    records
        .with(|read| {
            read.as_ref().and_then(|r| r.as_ref().ok()).map(|rows| {
                rows.iter()
                    .map(|(id, record)| (id.clone(), text(&record.fields, "name").to_owned()))
                    .collect()
            })
        })
        .unwrap_or_default()
}

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

/// A text field of a record, or "" when it is absent.
pub(crate) fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or("")
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
    let def = collection.field(name)?;
    let value = fields.get(name).filter(|v| !v.is_null())?;
    Some(match def.kind {
        FieldKind::Enum(_) => {
            let wire = value.as_str()?;
            def.choice_label(wire, locale).unwrap_or(wire).to_owned()
        }
        FieldKind::Ref(_) => {
            let id = value.as_str()?;
            names
                .get(id)
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned())
        }
        FieldKind::Money => record_form::format_yuan(value.as_i64()?),
        FieldKind::Bool => {
            if value.as_bool()? {
                i18n.t(Key::RecordYes).to_owned()
            } else {
                i18n.t(Key::RecordNo).to_owned()
            }
        }
        FieldKind::Instant => local_date_time(value.as_str()?, locale),
        _ => match value {
            Value::String(text) if text.trim().is_empty() => return None,
            Value::String(text) => text.clone(),
            other => other.to_string(),
        },
    })
}

/// An instant as the user's clock and language write it.
pub(crate) fn local_date_time(instant: &str, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(instant));
    if date.get_time().is_nan() {
        return instant.to_owned();
    }
    let options = js_sys::Object::new();
    for (name, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ] {
        let _ = js_sys::Reflect::set(&options, &name.into(), &value.into());
    }
    String::from(date.to_locale_string(locale.tag(), &options))
}
