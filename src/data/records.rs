//! The collections as the user sees them, for pages: reading, the "loading / failed / ready" state,
//! names of referenced records, and which records wait for the server.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    sync::{apply::StoredRecord, protocol::RecordRef},
};

use super::{
    cache::Watched,
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
            Some(Err(error)) => {
                // In the language the page is shown in (followed: a change re-words it).
                let locale = use_context::<crate::i18n::I18n>()
                    .map_or(yingxiao_core::locale::Locale::ZhCn, |i18n| i18n.locale());
                Loaded::Failed(error.message(locale))
            }
            Some(Ok(value)) => Loaded::Ready(value),
        }
    }

    /// The same state with what is ready seen through `f` (a count, a flag), for a part of the page
    /// that should redraw only when that changes.
    pub(crate) fn map_ref<U>(&self, f: impl FnOnce(&T) -> U) -> Loaded<U> {
        match self {
            Loaded::Loading => Loaded::Loading,
            Loaded::Failed(error) => Loaded::Failed(error.clone()),
            Loaded::Ready(value) => Loaded::Ready(f(value)),
        }
    }
}

/// A collection as the user sees it: the session's read model (see `cache`), kept up to date.
pub(crate) fn watch_collection(data: Data, collection: Collection) -> Watched {
    data.watch(collection)
}

/// The live records of a collection's rows (deleted ones left out) as core's plain functions take
/// them: each id with its fields.
pub(crate) fn live_fields(rows: &super::cache::Rows) -> Vec<(String, &Map<String, Value>)> {
    rows.iter()
        .filter(|(_, r)| !r.deleted)
        .map(|(id, r)| (id.clone(), &r.fields))
        .collect()
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
pub(crate) fn names_by_id(records: &Watched) -> HashMap<String, String> {
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
/// One record read for its page, following the data's revision.
pub(crate) type OneRecord = LocalResource<Result<Option<StoredRecord>, DataError>>;

/// Reads the record `id` of `collection` for its page, again whenever the data changes.
pub(crate) fn use_one_record(data: Data, collection: Collection, id: Memo<String>) -> OneRecord {
    LocalResource::new(move || {
        data.revision.get();
        let target = RecordRef {
            collection,
            id: id.get(),
        };
        async move { data.view_one(&target).await }
    })
}

/// The scope facts of a record read for its page, as the server computes them: a record that hangs
/// from a customer (a contact, a report's store) takes the unit and owner it lacks from it.
pub(crate) fn use_record_facts(
    data: Data,
    collection: Collection,
    record: OneRecord,
) -> Memo<yingxiao_core::scope::ScopeFacts> {
    use yingxiao_core::scope::scope_facts;
    let parent = LocalResource::new(move || {
        let customer = (collection != Collection::Customer)
            .then(|| scope_facts(collection, &fields_of(&record), None).customer_id)
            .flatten();
        async move {
            let target = RecordRef {
                collection: Collection::Customer,
                id: customer?,
            };
            data.view_one(&target).await.ok().flatten()
        }
    });
    Memo::new(move |_| {
        let parent = parent.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref())
                .map(|c| scope_facts(Collection::Customer, &c.fields, None))
        });
        scope_facts(collection, &fields_of(&record), parent.as_ref())
    })
}

/// The fields of a record as read now (empty while loading or when it is gone).
pub(crate) fn fields_of(record: &OneRecord) -> Map<String, Value> {
    record
        .with(|read| {
            read.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.as_ref())
                .map(|record| record.fields.clone())
        })
        .unwrap_or_default()
}

pub(crate) fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or("")
}

/// Compared by identity: re-reading the device is what counts as a change. Cloning shares.
#[derive(Debug)]
pub struct Shared<T>(pub std::sync::Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(std::sync::Arc::clone(&self.0))
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.0.as_ref().into_iter()
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What names a record for people, by its view spec's title fields: a customer's name, a visit's
/// time and channel. `names` resolves references inside a title (a report's store); `None` leaves
/// them out. Dates stay as written; instants in the user's clock.
pub(crate) fn title_of(
    collection: Collection,
    fields: &Map<String, Value>,
    names: Option<&HashMap<String, String>>,
    locale: yingxiao_core::locale::Locale,
) -> String {
    use yingxiao_core::domain::FieldKind;
    let mut parts: Vec<String> = Vec::new();
    for name in yingxiao_core::views::spec(collection).title {
        let Some(def) = collection.field(name) else {
            continue;
        };
        let Some(value) = fields.get(*name).filter(|v| !v.is_null()) else {
            continue;
        };
        let part = match (def.kind, value) {
            (FieldKind::Enum(_), Value::String(wire)) => {
                def.choice_label(wire, locale).unwrap_or(wire).to_owned()
            }
            (FieldKind::Ref(_), Value::String(id)) => match names.and_then(|n| n.get(id)) {
                Some(name) => name.clone(),
                None => continue,
            },
            (FieldKind::Instant, Value::String(at)) => crate::format::local_date_time(at, locale),
            (_, Value::String(text)) => text.trim().to_owned(),
            (_, other) => other.to_string(),
        };
        if !part.is_empty() {
            parts.push(part);
        }
    }
    parts.join(" · ")
}

/// The catalogue's list prices (分) by product id, kept for the session: what a line without a
/// price of its own is priced at, and what picking a product on a line brings.
pub(crate) fn use_list_prices(data: Data) -> Memo<HashMap<String, i64>> {
    data.model("list-prices", || {
        let products = watch_collection(data, Collection::Product);
        Memo::new(move |_| {
            products.with(|read| match read {
                Some(Ok(rows)) => rows
                    .iter()
                    .filter_map(|(id, p)| Some((id.clone(), p.fields.get("list_price")?.as_i64()?)))
                    .collect(),
                _ => HashMap::new(),
            })
        })
    })
}

/// Titles of every record of `collections` by id (record ids are unique across collections), for
/// showing references and picking them; titles that name other records (a report's store) name them
/// too. Follows the device's data and the language.
pub(crate) fn use_titles(
    data: Data,
    collections: Vec<Collection>,
) -> Memo<HashMap<String, String>> {
    let i18n = crate::i18n::use_i18n();
    let mut wanted = collections;
    // A title may name a record of another collection: read that one too.
    for c in wanted.clone() {
        for name in yingxiao_core::views::spec(c).title {
            if let Some(yingxiao_core::domain::FieldKind::Ref(target)) =
                c.field(name).map(|d| d.kind)
            {
                wanted.push(target);
            }
        }
    }
    wanted.sort();
    wanted.dedup();
    let key = format!("titles:{wanted:?}");
    data.model(&key, move || titles_of(data, wanted, i18n))
}

fn titles_of(
    data: Data,
    wanted: Vec<Collection>,
    i18n: crate::i18n::I18n,
) -> Memo<HashMap<String, String>> {
    let reads: Vec<(Collection, _)> = wanted
        .into_iter()
        .map(|c| (c, watch_collection(data, c)))
        .collect();
    Memo::new(move |_| {
        let locale = i18n.locale();
        let mut plain = HashMap::new();
        for (c, read) in &reads {
            read.with(|r| {
                if let Some(Ok(rows)) = r.as_ref() {
                    for (id, record) in rows {
                        plain.insert(id.clone(), title_of(*c, &record.fields, None, locale));
                    }
                }
            });
        }
        let mut full = plain.clone();
        for (c, read) in &reads {
            let names_others = yingxiao_core::views::spec(*c).title.iter().any(|f| {
                matches!(
                    c.field(f).map(|d| d.kind),
                    Some(yingxiao_core::domain::FieldKind::Ref(_))
                )
            });
            if !names_others {
                continue;
            }
            read.with(|r| {
                if let Some(Ok(rows)) = r.as_ref() {
                    for (id, record) in rows {
                        full.insert(
                            id.clone(),
                            title_of(*c, &record.fields, Some(&plain), locale),
                        );
                    }
                }
            });
        }
        full
    })
}
