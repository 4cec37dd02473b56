//! The device's IndexedDB database: canonical records as last pulled, the pending mutation log, the
//! rejected changes, the cursor, the outbox and the client id. One database per user (`yingxiao.<user
//! id>`), so users sharing a tablet never see each other's data.
//!
//! Every change the sync rules ask for (`core::sync::client`) is written in one transaction, and
//! nothing but IndexedDB requests is awaited inside a transaction: awaiting anything else lets the
//! browser auto-commit it half-done.

use std::{cell::RefCell, collections::VecDeque, rc::Rc};

use idb::{
    Database, Factory, IndexParams, KeyPath, KeyRange, ObjectStore, ObjectStoreParams, Query,
    Request, Transaction, TransactionMode,
};
use js_sys::{Array, Object, Reflect};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;
use yingxiao_core::{
    domain::{Collection, ValidationError},
    locale::Locale,
    sync::{
        apply::StoredRecord,
        client::{
            recover, replay, Kept, Outbox, PageEffects, Recovery, RejectedChange, KEEP_MILLIS,
        },
        hlc::Hlc,
        protocol::{Intent, Mutation, PullResponse, Record, RecordRef},
        written::{write, Saved, Written, Wrote},
    },
};

/// Why the device store failed, in words a support person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// IndexedDB is missing or refused (private mode, storage blocked by the portal's settings).
    Unavailable(String),
    /// A read or write failed (quota exceeded, the browser closed the database).
    Storage(String),
    /// Stored data could not be read back.
    Corrupt(String),
    /// The change breaks a rule of the record; nothing was stored.
    Invalid(ValidationError),
}

impl DataError {
    /// What went wrong, in the user's language (the detail from the browser stays as it came).
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (Self::Unavailable(m), Locale::ZhCn) => format!("本机存储不可用：{m}"),
            (Self::Storage(m), Locale::ZhCn) => format!("本机存储读写失败：{m}"),
            (Self::Corrupt(m), Locale::ZhCn) => format!("本机数据无法读取：{m}"),
            (Self::Invalid(e), locale) => e.message(locale),
            (other, Locale::En) => other.to_string(),
        }
    }
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(m) => write!(f, "device storage unavailable: {m}"),
            Self::Storage(m) => write!(f, "device storage failed: {m}"),
            Self::Corrupt(m) => write!(f, "device data unreadable: {m}"),
            Self::Invalid(e) => write!(f, "{}", e.message(Locale::En)),
        }
    }
}

impl From<idb::Error> for DataError {
    fn from(error: idb::Error) -> Self {
        Self::Storage(error.to_string())
    }
}

/// The schema version this build writes. Each step in `upgrade` takes a database from the version
/// before it; steps never touch pending work.
pub const SCHEMA_VERSION: u32 = 5;

const RECORDS: &str = "records";
const PENDING: &str = "pending";
const REJECTED: &str = "rejected";
const META: &str = "meta";
/// Confirmed mutations kept for `KEEP_MILLIS`, one row per confirming pull under
/// `[confirmed_at, first id]`, to send again to a server restored from a backup.
const KEPT: &str = "kept";
/// Files taken on the device (photos) by SHA-256, until the server has them (see `files`).
pub(super) const FILES: &str = "files";

/// Indexes on `records` for the lists pages show: by owner, customer, unit, stage and date within a
/// collection. (All of a collection is a range of the primary key `[collection, id]`.) Each index
/// costs every write, so there are only these.
pub const INDEXES: [(&str, &str); 5] = [
    ("by_owner", "owner"),
    ("by_customer", "customer"),
    ("by_unit", "unit"),
    ("by_stage", "stage"),
    ("by_date", "date"),
];

const META_CLIENT_ID: &str = "client_id";
const META_OUTBOX: &str = "outbox";
const META_CURSOR: &str = "cursor";
/// What the device did when it last found the server restored from a backup, until the user has
/// read it (`Restored`).
const META_RESTORED: &str = "restored";
/// Set by an upgrade that added an indexed fact: rows written before it lack the fact until
/// `Store::open` writes them again.
const META_REINDEX: &str = "reindex";
/// Each collection's number of its latest write (`core::sync::written`).
const META_WRITTEN: &str = "written";
/// Before the name of something saved for the next cold start (`Store::save`).
const META_SAVED: &str = "saved:";

/// The database name for a user.
pub fn database_name(user_id: &str) -> String {
    format!("yingxiao.{user_id}")
}

/// The line the user sees after the device found its server restored from a backup (or reseeded)
/// and started over.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Restored {
    /// Device time of the recovery.
    pub at: u64,
    /// Changes the server had confirmed and lost, sent again.
    pub resent: usize,
    /// Changes that had not reached it yet, sent as always.
    pub pending: usize,
}

/// What sync needs to resume after a reload.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncState {
    pub client_id: String,
    pub outbox: Outbox,
    pub cursor: Option<String>,
    pub pending: Vec<Mutation>,
    pub rejected: Vec<RejectedChange>,
    pub restored: Option<Restored>,
}

/// An open device database.
#[derive(Clone, Debug)]
pub struct Store {
    db: Rc<Database>,
    /// The latest transactions begun, so `put_away` can abort any still running.
    recent: Rc<RefCell<VecDeque<web_sys::IdbTransaction>>>,
}

/// How many of the latest transactions `Store::recent` keeps: far more than ever run at once.
const RECENT_TRANSACTIONS: usize = 256;

fn upgrade(
    db: &Database,
    transaction: Option<Transaction>,
    from: u32,
    to: u32,
) -> Result<(), DataError> {
    if from < 1 && to >= 1 {
        // Version 1: what sync needs.
        db.create_object_store(RECORDS, ObjectStoreParams::new())?;
        db.create_object_store(PENDING, ObjectStoreParams::new())?;
        db.create_object_store(META, ObjectStoreParams::new())?;
    }
    if from < 2 && to >= 2 {
        // Version 2: rejected changes kept for the user, and indexes for the list pages.
        db.create_object_store(REJECTED, ObjectStoreParams::new())?;
        let records = transaction
            .as_ref()
            .ok_or_else(|| DataError::Storage("no upgrade transaction".into()))?
            .object_store(RECORDS)?;
        for (name, field) in &INDEXES[..4] {
            let path = KeyPath::new_array(["c", field]);
            records.create_index(name, path, Some(IndexParams::new()))?;
        }
    }
    if from < 3 && to >= 3 {
        // Version 3: lists by date (a visit's time, an order's date). Rows already stored get their
        // date fact when the database is next opened: an upgrade cannot await their reading.
        let transaction = transaction
            .as_ref()
            .ok_or_else(|| DataError::Storage("no upgrade transaction".into()))?;
        let (name, field) = INDEXES[4];
        let path = KeyPath::new_array(["c", field]);
        transaction
            .object_store(RECORDS)?
            .create_index(name, path, Some(IndexParams::new()))?;
        if from > 0 {
            write_json(&transaction.object_store(META)?, META_REINDEX, &true)?;
        }
    }
    if from < 4 && to >= 4 {
        // Version 4: photos taken on the device, kept until uploaded (then only their thumbnails).
        db.create_object_store(FILES, ObjectStoreParams::new())?;
    }
    if from < 5 && to >= 5 {
        // Version 5: confirmed changes kept for a week, for a server restored from a backup.
        db.create_object_store(KEPT, ObjectStoreParams::new())?;
    }
    Ok(())
}

/// Which records of a collection a read wants.
#[derive(Clone, Copy, Debug)]
enum Lookup<'a> {
    All,
    /// Those whose indexed fact (see `INDEXES`) has this value.
    Equal(&'a str, &'a str),
    /// Those whose date (`Collection::date_field`) is in `from..to`, compared as ISO text, so a day
    /// `2026-11-27` takes in every time of that day.
    Dated(&'a str, &'a str),
}

impl Lookup<'_> {
    fn keeps(&self, collection: Collection, fields: &serde_json::Map<String, Value>) -> bool {
        let fact = |wanted: &str| {
            index_facts(collection, fields)
                .into_iter()
                .find(|(name, _)| *name == wanted)
                .and_then(|(_, value)| value)
        };
        match *self {
            Lookup::All => true,
            Lookup::Equal(field, value) => fact(field) == Some(value),
            Lookup::Dated(from, to) => fact("date").is_some_and(|d| from <= d && d < to),
        }
    }
}

impl Store {
    /// Opens (creating or upgrading) the user's database.
    pub async fn open(user_id: &str) -> Result<Self, DataError> {
        Self::open_at(&database_name(user_id), SCHEMA_VERSION).await
    }

    /// Opens a database by name at a schema version; tests use it to build older databases.
    pub async fn open_at(name: &str, version: u32) -> Result<Self, DataError> {
        let factory = Factory::new().map_err(|e| DataError::Unavailable(e.to_string()))?;
        let mut request = factory
            .open(name, Some(version))
            .map_err(|e| DataError::Unavailable(e.to_string()))?;
        request.on_upgrade_needed(move |event| {
            use idb::{DatabaseEvent, Event};
            let old = event.old_version().unwrap_or(0);
            let transaction = event.target().ok().and_then(|r| r.transaction());
            let result = event
                .database()
                .map_err(DataError::from)
                .and_then(|db| upgrade(&db, transaction, old, version));
            if let Err(error) = result {
                web_sys::console::error_1(&format!("database upgrade failed: {error}").into());
            }
        });
        let db = request
            .await
            .map_err(|e| DataError::Unavailable(e.to_string()))?;
        let store = Self {
            db: Rc::new(db),
            recent: Rc::default(),
        };
        store.finish_upgrade().await?;
        Ok(store)
    }

    /// Writes again, with their facts, the rows stored before an upgrade that added an index.
    async fn finish_upgrade(&self) -> Result<(), DataError> {
        if !self.db.store_names().iter().any(|name| name == META) {
            return Ok(());
        }
        let tx = self.transaction(&[META], TransactionMode::ReadOnly)?;
        let wanted = read_json::<bool>(&tx.object_store(META)?, META_REINDEX).await?;
        tx.await?;
        if wanted.is_none() {
            return Ok(());
        }
        let tx = self.transaction(&[RECORDS, META], TransactionMode::ReadWrite)?;
        let meta = tx.object_store(META)?;
        let records = tx.object_store(RECORDS)?;
        for row in records.get_all(None, None)?.await? {
            let record = parse_row(&row)?;
            records.put(
                &record_row(&record)?,
                Some(&record_key(record.collection, &record.id)),
            )?;
        }
        meta.delete(Query::Key(META_REINDEX.into()))?;
        tx.commit()?.await?;
        Ok(())
    }

    /// Removes a user's database (after signing out with nothing pending).
    pub async fn delete(user_id: &str) -> Result<(), DataError> {
        let factory = Factory::new().map_err(|e| DataError::Unavailable(e.to_string()))?;
        factory.delete(&database_name(user_id))?.await?;
        Ok(())
    }

    pub fn close(&self) {
        self.db.close();
    }

    /// The page is being put in the browser's back/forward cache: frozen there, a transaction it
    /// left running would hold its stores for as long as the page is kept, and the next page of the
    /// app opened meanwhile (WebKit: a reload on an iPad) would wait on it for ever. Every running
    /// transaction is aborted (each is whole or nothing: what it was writing is written again by
    /// the sync that runs next) and the connection closed; the page reloads when shown again.
    pub fn put_away(&self) {
        for transaction in self.recent.borrow_mut().drain(..) {
            // A transaction that has finished refuses to abort; that is all right.
            let _ = transaction.abort();
        }
        self.db.close();
    }

    pub fn version(&self) -> u32 {
        self.db.version().unwrap_or(0)
    }

    pub(super) fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<Transaction, DataError> {
        let transaction: web_sys::IdbTransaction = self.db.transaction(stores, mode)?.into();
        let mut recent = self.recent.borrow_mut();
        if recent.len() == RECENT_TRANSACTIONS {
            recent.pop_front();
        }
        recent.push_back(transaction.clone());
        Ok(Transaction::from(transaction))
    }

    /// This device's client id for the user, made by `new_client_id` on first use.
    pub async fn client_id(
        &self,
        new_client_id: impl FnOnce() -> String,
    ) -> Result<String, DataError> {
        let tx = self.transaction(&[META], TransactionMode::ReadWrite)?;
        let meta = tx.object_store(META)?;
        let id = match read_json(&meta, META_CLIENT_ID).await? {
            Some(id) => id,
            None => {
                let id = new_client_id();
                write_json(&meta, META_CLIENT_ID, &id)?;
                id
            }
        };
        tx.commit()?.await?;
        Ok(id)
    }

    /// Loads (and on first use creates) what sync resumes from.
    pub async fn sync_state(
        &self,
        new_client_id: impl FnOnce() -> String,
    ) -> Result<SyncState, DataError> {
        let client_id = self.client_id(new_client_id).await?;
        let tx = self.transaction(&[META, PENDING, REJECTED], TransactionMode::ReadOnly)?;
        let meta = tx.object_store(META)?;
        let outbox = read_json(&meta, META_OUTBOX)
            .await?
            .unwrap_or_else(|| Outbox::new(&client_id));
        let cursor = read_json(&meta, META_CURSOR).await?;
        let restored = read_json(&meta, META_RESTORED).await?;
        let pending = read_all_json(&tx.object_store(PENDING)?).await?;
        let rejected = read_all_json(&tx.object_store(REJECTED)?).await?;
        tx.await?;
        Ok(SyncState {
            client_id,
            outbox,
            cursor,
            pending,
            rejected,
            restored,
        })
    }

    /// Turns a user's change into the next pending mutation. The id and clock come from the outbox
    /// read inside the same transaction, so tabs of the same user never hand out an id twice.
    pub async fn record_mutation(
        &self,
        intent: Intent,
        wall_millis: u64,
    ) -> Result<Mutation, DataError> {
        let (mut made, _) = self.record_mutations(vec![intent], wall_millis).await?;
        Ok(made.remove(0))
    }

    /// Turns several changes (a batch of an import) into pending mutations in one transaction:
    /// all of them or, when one is invalid, none. Every mutation is made (and its intent
    /// validated) before the first write, so an invalid one leaves the transaction with nothing
    /// written to commit. Also returns the numbers the writes gave their collections.
    pub async fn record_mutations(
        &self,
        intents: Vec<Intent>,
        wall_millis: u64,
    ) -> Result<(Vec<Mutation>, Wrote), DataError> {
        let tx = self.transaction(&[PENDING, META], TransactionMode::ReadWrite)?;
        let meta = tx.object_store(META)?;
        let mut outbox = load_outbox(&meta).await?;
        let made = intents
            .into_iter()
            .map(|intent| outbox.make(intent, wall_millis))
            .collect::<Result<Vec<_>, _>>()
            .map_err(DataError::Invalid)?;
        let pending = tx.object_store(PENDING)?;
        for mutation in &made {
            write_json(&pending, mutation.id, mutation)?;
        }
        write_json(&meta, META_OUTBOX, &outbox)?;
        let wrote = note_writes(&meta, made.iter().map(|m| m.intent.target().collection)).await?;
        tx.commit()?.await?;
        Ok((made, wrote))
    }

    /// Takes in a push reply: the refused mutations move out of pending into the rejected list, and
    /// the outbox hears what the server says it has processed.
    pub async fn settle_push(
        &self,
        rejected: &[RejectedChange],
        last_mutation_id: u64,
    ) -> Result<Wrote, DataError> {
        let tx = self.transaction(&[PENDING, REJECTED, META], TransactionMode::ReadWrite)?;
        move_to_rejected(
            &tx.object_store(PENDING)?,
            &tx.object_store(REJECTED)?,
            rejected,
        )?;
        let meta = tx.object_store(META)?;
        let mut outbox = load_outbox(&meta).await?;
        if last_mutation_id > outbox.processed {
            outbox.heard(last_mutation_id);
            write_json(&meta, META_OUTBOX, &outbox)?;
        }
        let wrote = note_writes(
            &meta,
            rejected
                .iter()
                .map(|r| r.mutation.intent.target().collection),
        )
        .await?;
        tx.commit()?.await?;
        Ok(wrote)
    }

    /// The user has seen a rejected change. (Kept under its stamp; under its id before version 5,
    /// when ids were never reused.)
    pub async fn dismiss_rejected(&self, change: &RejectedChange) -> Result<(), DataError> {
        let tx = self.transaction(&[REJECTED], TransactionMode::ReadWrite)?;
        let rejected = tx.object_store(REJECTED)?;
        rejected.delete(Query::Key(Key::from(&change.mutation.hlc).0))?;
        rejected.delete(Query::Key(key(change.mutation.id)))?;
        tx.commit()?.await?;
        Ok(())
    }

    /// The user has read the line about a restored server.
    pub async fn dismiss_restored(&self) -> Result<(), DataError> {
        let tx = self.transaction(&[META], TransactionMode::ReadWrite)?;
        tx.object_store(META)?
            .delete(Query::Key(JsValue::from_str(META_RESTORED)))?;
        tx.commit()?.await?;
        Ok(())
    }

    /// Starts over after a `rewound` page (`core::sync::client::recover`), in one transaction: the
    /// canonical records and the cursor go, pending becomes what the server lost numbered on from
    /// its record, the mutations it has are kept as confirmed now, refused ones join the rejected
    /// list (every rejected row is kept under its stamp from here, as ids are numbered anew), and
    /// the line for the user is stored.
    pub async fn recover(
        &self,
        page: &PullResponse,
        now_millis: u64,
    ) -> Result<Recovery, DataError> {
        let tx = self.transaction(
            &[RECORDS, PENDING, REJECTED, META, KEPT],
            TransactionMode::ReadWrite,
        )?;
        let meta = tx.object_store(META)?;
        let outbox = load_outbox(&meta).await?;
        let pending_store = tx.object_store(PENDING)?;
        let pending: Vec<Mutation> = read_all_json(&pending_store).await?;
        let kept_store = tx.object_store(KEPT)?;
        let kept: Vec<Kept> = read_all_json(&kept_store).await?;
        let rejected_store = tx.object_store(REJECTED)?;
        let rejected: Vec<RejectedChange> = read_all_json(&rejected_store).await?;
        let recovery = recover(page, &pending, &kept, &outbox);

        tx.object_store(RECORDS)?.clear()?;
        pending_store.clear()?;
        for mutation in &recovery.pending {
            write_json(&pending_store, mutation.id, mutation)?;
        }
        kept_store.clear()?;
        if !recovery.kept.is_empty() {
            put_kept(
                &kept_store,
                &Kept {
                    confirmed_at: now_millis,
                    mutations: recovery.kept.clone(),
                },
            )?;
        }
        rejected_store.clear()?;
        for change in rejected.iter().chain(&recovery.rejected) {
            write_json(&rejected_store, &change.mutation.hlc, change)?;
        }
        write_json(&meta, META_OUTBOX, &recovery.outbox)?;
        meta.delete(Query::Key(JsValue::from_str(META_CURSOR)))?;
        write_json(
            &meta,
            META_RESTORED,
            &Restored {
                at: now_millis,
                resent: recovery.resent,
                pending: recovery.pending.len() - recovery.resent,
            },
        )?;
        note_writes(&meta, Collection::ALL).await?;
        tx.commit()?.await?;
        Ok(recovery)
    }

    /// Applies one pull page in one transaction: records, forgotten records, confirmed and refused
    /// mutations, the clock and the cursor all move together or not at all. Returns the numbers the
    /// page gave the collections it changed.
    pub async fn apply_page(
        &self,
        effects: &PageEffects,
        now_millis: u64,
    ) -> Result<Wrote, DataError> {
        let tx = self.transaction(
            &[RECORDS, PENDING, REJECTED, META, KEPT],
            TransactionMode::ReadWrite,
        )?;
        let records = tx.object_store(RECORDS)?;
        if effects.reset {
            records.clear()?;
        }
        for record in &effects.put {
            records.put(
                &record_row(record)?,
                Some(&record_key(record.collection, &record.id)),
            )?;
        }
        for gone in &effects.forget {
            records.delete(Query::Key(record_key(gone.collection, &gone.id)))?;
        }
        let pending = tx.object_store(PENDING)?;
        if let Some(up_to) = effects.confirmed_up_to.filter(|n| *n > 0) {
            pending.delete(Query::KeyRange(KeyRange::upper_bound(
                &key(up_to),
                Some(false),
            )?))?;
        }
        let kept = tx.object_store(KEPT)?;
        if !effects.confirmed.is_empty() {
            put_kept(
                &kept,
                &Kept {
                    confirmed_at: now_millis,
                    mutations: effects.confirmed.clone(),
                },
            )?;
        }
        // Batches confirmed before the window.
        let cutoff = now_millis.saturating_sub(KEEP_MILLIS) as f64;
        kept.delete(Query::KeyRange(KeyRange::upper_bound(
            &Array::of1(&JsValue::from_f64(cutoff)).into(),
            Some(true),
        )?))?;
        move_to_rejected(&pending, &tx.object_store(REJECTED)?, &effects.rejected)?;
        let meta = tx.object_store(META)?;
        let mut outbox = load_outbox(&meta).await?;
        outbox.observe(effects.put.iter().flat_map(|r| r.stamps.values()));
        outbox.heard(effects.last_mutation_id);
        write_json(&meta, META_OUTBOX, &outbox)?;
        write_json(&meta, META_CURSOR, &effects.cursor)?;
        let changed: Vec<Collection> = if effects.reset {
            Collection::ALL.to_vec()
        } else {
            effects.touched().map(|r| r.collection).collect()
        };
        let wrote = note_writes(&meta, changed).await?;
        tx.commit()?.await?;
        Ok(wrote)
    }

    /// What the user sees of a collection: canonical records with pending mutations replayed, plus
    /// records created on this device and not yet pulled back, optionally only those whose indexed
    /// fact `by` (see `INDEXES`) has the given value. Sorted by id. Records without pending work come
    /// without their stamps: a view only shows fields.
    pub async fn view(
        &self,
        collection: Collection,
        by: Option<(&str, &str)>,
    ) -> Result<Vec<(String, StoredRecord)>, DataError> {
        let lookup = by.map_or(Lookup::All, |(field, value)| Lookup::Equal(field, value));
        Ok(self.view_by(collection, lookup).await?.0)
    }

    /// The whole of `view`, with the number of the collection's latest write it holds
    /// (`core::sync::written`), read in the same transaction.
    pub async fn view_numbered(
        &self,
        collection: Collection,
    ) -> Result<(Vec<(String, StoredRecord)>, u64), DataError> {
        self.view_by(collection, Lookup::All).await
    }

    /// Like `view`, only the records whose date (`Collection::date_field`) is in `from..to`
    /// (`"2026-11-01".."2026-12-01"`: November), through the date index.
    pub async fn view_dated(
        &self,
        collection: Collection,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, StoredRecord)>, DataError> {
        Ok(self.view_by(collection, Lookup::Dated(from, to)).await?.0)
    }

    async fn view_by(
        &self,
        collection: Collection,
        lookup: Lookup<'_>,
    ) -> Result<(Vec<(String, StoredRecord)>, u64), DataError> {
        let tx = self.transaction(&[RECORDS, PENDING, META], TransactionMode::ReadOnly)?;
        let rows = self.canonical_rows(&tx, collection, lookup).await?;
        let pending: Vec<Mutation> = read_all_json(&tx.object_store(PENDING)?).await?;
        let written: Written = read_json(&tx.object_store(META)?, META_WRITTEN)
            .await?
            .unwrap_or_default();
        tx.await?;
        let number = written.get(&collection).copied().unwrap_or(0);
        let mut touched: Vec<String> = pending
            .iter()
            .map(|m| m.intent.target())
            .filter(|t| t.collection == collection)
            .map(|t| t.id)
            .collect();
        touched.sort();
        touched.dedup();
        // Untouched records are shown as stored: only their fields are read. Records with pending
        // work are read whole, stamps included, for the replay.
        let mut canonical: std::collections::BTreeMap<String, Record> = Default::default();
        let mut shown = Vec::with_capacity(rows.len() + touched.len());
        for row in &rows {
            let id = row_text(row, "i")?;
            if touched.binary_search(&id).is_ok() {
                canonical.insert(id, parse_row(row)?);
            } else {
                let fields = parse_text(&row_text(row, "f")?)?;
                let record = StoredRecord {
                    fields,
                    stamps: Default::default(),
                    deleted: false,
                };
                shown.push((id, record));
            }
        }
        for id in touched {
            // A filtered view may miss a canonical record that a pending edit moves into the
            // filter; fetch the ones not in hand.
            if !canonical.contains_key(&id) && !matches!(lookup, Lookup::All) {
                if let Some(record) = self
                    .record(&RecordRef {
                        collection,
                        id: id.clone(),
                    })
                    .await?
                {
                    canonical.insert(id.clone(), record);
                }
            }
            let target = RecordRef {
                collection,
                id: id.clone(),
            };
            let mine = pending.iter().filter(|m| m.intent.target() == target);
            if let Some(state) = replay(canonical.get(&id), mine) {
                if lookup.keeps(collection, &state.fields) {
                    shown.push((id, state));
                }
            }
        }
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((shown, number))
    }

    /// Keeps `saved` under `name` for the next cold start, unless a collection it was made from has
    /// been written since (checked in the same transaction, so a slow save never outlives a newer
    /// write). Returns whether it was kept.
    pub async fn save<T: Serialize>(
        &self,
        name: &str,
        saved: &Saved<T>,
    ) -> Result<bool, DataError> {
        let tx = self.transaction(&[META], TransactionMode::ReadWrite)?;
        let meta = tx.object_store(META)?;
        let written: Written = read_json(&meta, META_WRITTEN).await?.unwrap_or_default();
        let current = saved.current(&written);
        if current {
            write_json(&meta, format!("{META_SAVED}{name}").as_str(), saved)?;
        }
        tx.commit()?.await?;
        Ok(current)
    }

    /// What `save` kept under `name`, if nothing it was made from has been written since.
    pub async fn saved<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, DataError> {
        let tx = self.transaction(&[META], TransactionMode::ReadOnly)?;
        let meta = tx.object_store(META)?;
        let written: Written = read_json(&meta, META_WRITTEN).await?.unwrap_or_default();
        let saved: Option<Saved<T>> = read_json(&meta, &format!("{META_SAVED}{name}")).await?;
        tx.await?;
        Ok(saved
            .filter(|saved| saved.current(&written))
            .map(|saved| saved.value))
    }

    /// What the user sees of one record (`None`: no such live record on this device).
    pub async fn view_one(&self, target: &RecordRef) -> Result<Option<StoredRecord>, DataError> {
        let canonical = self.record(target).await?;
        let tx = self.transaction(&[PENDING], TransactionMode::ReadOnly)?;
        let pending: Vec<Mutation> = read_all_json(&tx.object_store(PENDING)?).await?;
        tx.await?;
        Ok(replay(
            canonical.as_ref(),
            pending.iter().filter(|m| m.intent.target() == *target),
        ))
    }

    /// One canonical record.
    pub async fn record(&self, target: &RecordRef) -> Result<Option<Record>, DataError> {
        let tx = self.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let row = tx
            .object_store(RECORDS)?
            .get(Query::Key(record_key(target.collection, &target.id)))?
            .await?;
        tx.await?;
        row.map(|row| parse_row(&row)).transpose()
    }

    /// Canonical records of a collection, optionally only those whose indexed `field` (see
    /// `INDEXES`) equals `value`.
    pub async fn records(
        &self,
        collection: Collection,
        by: Option<(&str, &str)>,
    ) -> Result<Vec<Record>, DataError> {
        let tx = self.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let lookup = by.map_or(Lookup::All, |(field, value)| Lookup::Equal(field, value));
        let rows = self.canonical_rows(&tx, collection, lookup).await?;
        tx.await?;
        rows.iter().map(parse_row).collect()
    }

    async fn canonical_rows(
        &self,
        tx: &Transaction,
        collection: Collection,
        lookup: Lookup<'_>,
    ) -> Result<Vec<JsValue>, DataError> {
        let store = tx.object_store(RECORDS)?;
        let c = JsValue::from_str(collection.as_str());
        let index = |field: &str| {
            let (name, _) = INDEXES
                .iter()
                .find(|(_, f)| *f == field)
                .ok_or_else(|| DataError::Storage(format!("no index on {field}")))?;
            Ok::<_, DataError>(store.index(name)?)
        };
        let range = match lookup {
            Lookup::All => {
                // Keys are [collection, id]; an empty array sorts after every string id.
                let first = Array::of1(&c);
                let after = Array::of2(&c, &Array::new());
                let range = KeyRange::bound(&first, &after, Some(false), Some(true))?;
                return Ok(store.get_all(Some(Query::KeyRange(range)), None)?.await?);
            }
            Lookup::Equal(field, value) => {
                let wanted = Array::of2(&c, &JsValue::from_str(value));
                (index(field)?, KeyRange::only(&wanted)?)
            }
            Lookup::Dated(from, to) => {
                let from = Array::of2(&c, &JsValue::from_str(from));
                let to = Array::of2(&c, &JsValue::from_str(to));
                (
                    index("date")?,
                    KeyRange::bound(&from, &to, Some(false), Some(true))?,
                )
            }
        };
        let (index, range) = range;
        Ok(index.get_all(Some(Query::KeyRange(range)), None)?.await?)
    }

    /// How many canonical records the device holds.
    pub async fn record_count(&self) -> Result<u32, DataError> {
        let tx = self.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let count = tx.object_store(RECORDS)?.count(None)?.await?;
        tx.await?;
        Ok(count)
    }
}

/// A key in the pending, rejected or meta store: mutation ids are numbers (not BigInts, so they
/// sort), rejected changes go under their stamps, meta keys are names.
struct Key(JsValue);

impl From<u64> for Key {
    fn from(id: u64) -> Self {
        Self(key(id))
    }
}

/// A rejected change's key: its stamp, which stays when the device numbers its work anew.
impl From<&Hlc> for Key {
    fn from(stamp: &Hlc) -> Self {
        Self(JsValue::from_str(&stamp.to_string()))
    }
}

impl From<&str> for Key {
    fn from(name: &str) -> Self {
        Self(JsValue::from_str(name))
    }
}

fn key(id: u64) -> JsValue {
    JsValue::from_f64(id as f64)
}

fn record_key(collection: Collection, id: &str) -> JsValue {
    Array::of2(
        &JsValue::from_str(collection.as_str()),
        &JsValue::from_str(id),
    )
    .into()
}

/// The facts of a record that `INDEXES` look up, by index field name.
pub fn index_facts(
    collection: Collection,
    fields: &serde_json::Map<String, Value>,
) -> [(&'static str, Option<&str>); 5] {
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    let customer = match collection {
        Collection::PromotionReport => text("store_id"),
        _ => text("customer_id"),
    };
    let unit = match collection {
        Collection::Customer => text("region_unit_id"),
        _ => text("unit_id"),
    };
    [
        ("owner", text("owner_id")),
        ("customer", customer),
        ("unit", unit),
        ("stage", text("stage")),
        ("date", collection.date_field().and_then(text)),
    ]
}

/// The stored form of a record: the indexed facts as properties, the id and version, and fields and
/// stamps as JSON text (cheaper to write and read than deep objects, and a list reads only fields).
fn record_row(record: &Record) -> Result<JsValue, DataError> {
    let row = Object::new();
    let set = |name: &str, value: &JsValue| {
        Reflect::set(&row, &JsValue::from_str(name), value)
            .map(drop)
            .map_err(|e| DataError::Storage(format!("{e:?}")))
    };
    set("c", &JsValue::from_str(record.collection.as_str()))?;
    for (name, value) in index_facts(record.collection, &record.fields) {
        if let Some(value) = value {
            set(name, &JsValue::from_str(value))?;
        }
    }
    set("i", &JsValue::from_str(&record.id))?;
    set("v", &JsValue::from_f64(record.version as f64))?;
    set("f", &json_text(&record.fields)?)?;
    set("s", &json_text(&record.stamps)?)?;
    Ok(row.into())
}

fn json_text<T: Serialize>(value: &T) -> Result<JsValue, DataError> {
    serde_json::to_string(value)
        .map(|text| JsValue::from_str(&text))
        .map_err(|e| DataError::Storage(e.to_string()))
}

fn row_text(row: &JsValue, name: &str) -> Result<String, DataError> {
    Reflect::get(row, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| DataError::Corrupt(format!("record without “{name}”")))
}

fn parse_text<T: DeserializeOwned>(text: &str) -> Result<T, DataError> {
    serde_json::from_str(text).map_err(|e| DataError::Corrupt(e.to_string()))
}

fn parse_row(row: &JsValue) -> Result<Record, DataError> {
    let collection = Collection::parse(&row_text(row, "c")?)
        .ok_or_else(|| DataError::Corrupt("unknown collection".into()))?;
    let version = Reflect::get(row, &JsValue::from_str("v"))
        .ok()
        .and_then(|v| v.as_f64())
        .ok_or_else(|| DataError::Corrupt("record without a version".into()))?;
    Ok(Record {
        collection,
        id: row_text(row, "i")?,
        version: version as i64,
        fields: parse_text(&row_text(row, "f")?)?,
        stamps: parse_text(&row_text(row, "s")?)?,
    })
}

/// Refused mutations leave pending for the rejected list, kept under their stamp (ids are reused
/// after a recovery renumbers them).
fn move_to_rejected(
    pending: &ObjectStore,
    rejected: &ObjectStore,
    changes: &[RejectedChange],
) -> Result<(), DataError> {
    for change in changes {
        pending.delete(Query::Key(key(change.mutation.id)))?;
        write_json(rejected, &change.mutation.hlc, change)?;
    }
    Ok(())
}

/// Stores one batch of confirmed mutations under `[confirmed_at, first id]`, so batches older than
/// the window are one key range.
fn put_kept(store: &ObjectStore, batch: &Kept) -> Result<(), DataError> {
    let first = batch.mutations.first().map_or(0, |m| m.id);
    let key = Array::of2(
        &JsValue::from_f64(batch.confirmed_at as f64),
        &JsValue::from_f64(first as f64),
    );
    let json = serde_json::to_string(batch).map_err(|e| DataError::Storage(e.to_string()))?;
    store.put(&JsValue::from_str(&json), Some(&key.into()))?;
    Ok(())
}

/// Writes `value` as JSON text under `key` (a mutation id from `key`, or a meta name).
fn write_json<T: Serialize>(
    store: &ObjectStore,
    key: impl Into<Key>,
    value: &T,
) -> Result<(), DataError> {
    let json = serde_json::to_string(value).map_err(|e| DataError::Storage(e.to_string()))?;
    store.put(&JsValue::from_str(&json), Some(&key.into().0))?;
    Ok(())
}

async fn read_json<T: DeserializeOwned>(
    store: &ObjectStore,
    key: &str,
) -> Result<Option<T>, DataError> {
    let value = store.get(Query::Key(JsValue::from_str(key)))?.await?;
    value.map(|v| parse_json(&v)).transpose()
}

/// Gives each collection a write changed its next number (`core::sync::written`), in the write's
/// transaction, and returns the numbers.
async fn note_writes(
    meta: &ObjectStore,
    collections: impl IntoIterator<Item = Collection>,
) -> Result<Wrote, DataError> {
    let mut collections = collections.into_iter().peekable();
    if collections.peek().is_none() {
        return Ok(Wrote::new());
    }
    let mut written: Written = read_json(meta, META_WRITTEN).await?.unwrap_or_default();
    let wrote = write(&mut written, collections);
    write_json(meta, META_WRITTEN, &written)?;
    Ok(wrote)
}

/// The outbox as stored, or a new one for the stored client id.
async fn load_outbox(meta: &ObjectStore) -> Result<Outbox, DataError> {
    if let Some(outbox) = read_json(meta, META_OUTBOX).await? {
        return Ok(outbox);
    }
    let client_id: String = read_json(meta, META_CLIENT_ID)
        .await?
        .ok_or_else(|| DataError::Corrupt("no client id; load the sync state first".into()))?;
    Ok(Outbox::new(&client_id))
}

async fn read_all_json<T: DeserializeOwned>(store: &ObjectStore) -> Result<Vec<T>, DataError> {
    // Keys are mutation ids, so this is id order.
    let values = store.get_all(None, None)?.await?;
    values.iter().map(parse_json).collect()
}

fn parse_json<T: DeserializeOwned>(value: &JsValue) -> Result<T, DataError> {
    let text = value
        .as_string()
        .ok_or_else(|| DataError::Corrupt("expected JSON text".into()))?;
    serde_json::from_str(&text).map_err(|e| DataError::Corrupt(e.to_string()))
}
