//! The collections as the user sees them, for pages: reading, the "loading / failed / ready" state,
//! names of referenced records, and which records wait for the server.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use serde_json::{Map, Value};
use yingxiao_core::{domain::Collection, sync::apply::StoredRecord};

use super::{
    store::DataError,
    sync::{Data, SyncStatus},
};

/// What a page shows while it reads the device: a database still opening is "loading", not an error.
#[derive(Clone, Debug, PartialEq)]
pub enum Loaded<T> {
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

/// A text field of a record, or "" when it is absent.
pub(crate) fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or("")
}

/// Compared by identity: re-reading the device is what counts as a change.
#[derive(Clone, Debug)]
pub struct Shared<T>(pub std::sync::Arc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}
