//! The sync loop of a signed-in user: push then pull on start, shortly after a change, every minute,
//! and when the browser comes back online; exponential backoff with jitter after a failure. Only
//! one tab of a user syncs at a time (a Web Lock per user); the others hear about changes on a
//! BroadcastChannel. Pages see `Data`: signals for the sync state, and async reads and writes that
//! go through the store.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use js_sys::{Function, Promise, Reflect};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use yingxiao_core::{
    domain::Collection,
    sync::{
        apply::StoredRecord,
        client::{push_batch, settle_page, settle_push, RejectedChange},
        protocol::{Intent, Mutation, PullRequest, PushRequest, RecordRef},
        written::{Saved, Wrote},
    },
};

use super::{
    cache::{Cache, Changed, Watched},
    files,
    store::{DataError, Restored, Store},
};
use crate::{api, api::ApiError};

/// Records per pull page: large enough for a quick first sync, small enough to show progress.
const PULL_PAGE: u32 = 2_000;
/// Between syncs when all is well.
const PERIOD_MS: f64 = 60_000.0;
/// After a change, so a burst of edits goes in one push.
const AFTER_CHANGE_MS: f64 = 800.0;
const BACKOFF_FIRST_MS: f64 = 2_000.0;
const BACKOFF_MAX_MS: f64 = 300_000.0;
/// How a tab tells the others that records changed: this, then the records and the numbers of the
/// writes (`core::sync::written`) as JSON, or `*` for all.
const CHANGED: &str = "changed:";
/// Records listed in one such message; more are announced as "all".
const ANNOUNCED_RECORDS: usize = 200;

/// What the sync indicator shows.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncStatus {
    /// The user's database is being opened.
    Starting,
    Syncing,
    /// The last sync finished and nothing was left to send.
    Synced,
    /// The server cannot be reached; changes wait on the device.
    Offline,
    /// The session expired or was revoked; changes wait until the user signs in again.
    SignInNeeded,
    /// The server or the device store failed; sync retries with backoff.
    Failed(String),
}

impl SyncStatus {
    /// A short tag for telling other tabs; a failure's message stays in the tab that saw it.
    fn tag(&self) -> &'static str {
        match self {
            Self::Starting => "status:starting",
            Self::Syncing => "status:syncing",
            Self::Synced => "status:synced",
            Self::Offline => "status:offline",
            Self::SignInNeeded => "status:signin",
            Self::Failed(_) => "status:failed",
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "status:syncing" => Self::Syncing,
            "status:synced" => Self::Synced,
            "status:offline" => Self::Offline,
            "status:signin" => Self::SignInNeeded,
            "status:failed" => Self::Failed(String::new()),
            _ => return None,
        })
    }
}

/// The signed-in user's data, for pages: sync state as signals, reads and writes as async calls.
#[derive(Clone, Copy)]
pub struct Data {
    engine: StoredValue<Option<Rc<Engine>>, LocalStorage>,
    pub status: RwSignal<SyncStatus>,
    /// Changes waiting to reach the server.
    pub pending: RwSignal<usize>,
    /// The id of the oldest change waiting (every change with a lower id has reached the server),
    /// so a page can tell when its own changes are through (the import's progress).
    pub oldest_pending: RwSignal<Option<u64>>,
    /// Changes the server refused, with its reasons, until the user dismisses them.
    pub rejected: RwSignal<Vec<RejectedChange>>,
    /// The device found its server restored from a backup and started over, until the user has
    /// read the line saying so.
    pub restored: RwSignal<Option<Restored>>,
    /// Records received so far during a device's first sync; `None` otherwise.
    pub first_sync: RwSignal<Option<u64>>,
    /// Bumped whenever the data the pages show may have changed; one-record reads re-read on it.
    pub revision: RwSignal<u64>,
    /// Photos taken on this device that the server does not have yet.
    pub files_waiting: RwSignal<usize>,
    /// The browser would not open the device's database (storage blocked, as some browsers do for
    /// a page framed by another site).
    pub storage_blocked: RwSignal<bool>,
    /// The collections pages read, kept in memory for the session (see `cache`).
    cache: StoredValue<Rc<Cache>, LocalStorage>,
}

/// An event handler kept alive as long as the engine.
type Listener = Closure<dyn FnMut(JsValue)>;

pub(super) struct Engine {
    user_id: String,
    pub(super) token: RefCell<String>,
    pub(super) store: Store,
    /// Resolves the current wait between syncs, so a change or `online` starts one at once.
    wake: RefCell<Option<Function>>,
    /// A sync is wanted soon after the current one (a change arrived while syncing).
    again: Cell<bool>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    channel: Option<web_sys::BroadcastChannel>,
    _listeners: RefCell<Vec<Listener>>,
    /// Listeners on the window, by event, removed when the engine goes (signing out, another user).
    window_listeners: RefCell<Vec<(&'static str, Listener)>>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            for (event, listener) in self.window_listeners.borrow().iter() {
                let _ = window
                    .remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            }
        }
    }
}

impl Data {
    pub fn new() -> Self {
        Self {
            engine: StoredValue::new_local(None),
            status: RwSignal::new(SyncStatus::Starting),
            pending: RwSignal::new(0),
            oldest_pending: RwSignal::new(None),
            rejected: RwSignal::new(Vec::new()),
            restored: RwSignal::new(None),
            first_sync: RwSignal::new(None),
            revision: RwSignal::new(0),
            files_waiting: RwSignal::new(0),
            storage_blocked: RwSignal::new(false),
            cache: StoredValue::new_local(Cache::new()),
        }
    }

    /// A collection as the user sees it, kept up to date; loaded from the device on first use.
    pub(crate) fn watch(self, collection: Collection) -> Watched {
        self.cache.with_value(|cache| cache.watch(self, collection))
    }

    /// A model derived from the collections, kept for the session (see `Cache::model`).
    pub(crate) fn model<T: Clone + 'static>(self, key: &str, make: impl FnOnce() -> T) -> T {
        let cache = self.cache.with_value(Rc::clone);
        cache.model(key, make)
    }

    pub(super) fn engine(&self) -> Result<Rc<Engine>, DataError> {
        self.engine
            .with_value(Clone::clone)
            .ok_or_else(|| DataError::Unavailable("not signed in".into()))
    }

    /// Opens the user's database and starts syncing. A different user's data is closed first.
    /// A collection's generation in the session's read models (see `Cache::generation`).
    pub(crate) fn generation(self, collection: Collection) -> u64 {
        self.cache.with_value(|cache| cache.generation(collection))
    }

    /// The ids whose change made the collection's generation after `since` (see
    /// `Cache::patched_since`).
    pub(crate) fn patched_since(self, collection: Collection, since: u64) -> Option<Vec<String>> {
        self.cache
            .with_value(|cache| cache.patched_since(collection, since))
    }

    pub fn connect(self, user_id: String, token: String) {
        if let Some(engine) = self.engine.with_value(Clone::clone) {
            if engine.user_id == user_id {
                *engine.token.borrow_mut() = token;
                engine.kick();
                return;
            }
        }
        self.disconnect();
        self.status.set(SyncStatus::Starting);
        spawn_local(async move {
            let store = match Store::open(&user_id).await {
                Ok(store) => store,
                Err(error) => {
                    self.storage_blocked
                        .set(matches!(error, DataError::Unavailable(_)));
                    self.status.set(SyncStatus::Failed(error.to_string()));
                    return;
                }
            };
            let channel = web_sys::BroadcastChannel::new(&format!("yingxiao.{user_id}")).ok();
            let engine = Rc::new(Engine {
                user_id,
                token: RefCell::new(token),
                store,
                wake: RefCell::new(None),
                again: Cell::new(false),
                failures: Cell::new(0),
                stopped: Cell::new(false),
                channel,
                _listeners: RefCell::new(Vec::new()),
                window_listeners: RefCell::new(Vec::new()),
            });
            engine.listen(self);
            self.engine.set_value(Some(engine.clone()));
            self.refresh(&engine, Changed::All).await;
            if let Ok(files) = engine.store.files().await {
                self.files_waiting.set(files::waiting(&files));
            }
            run(engine, self).await;
        });
    }

    /// Stops syncing and closes the database (signing out or switching user).
    pub fn disconnect(self) {
        if let Some(engine) = self.engine.with_value(Clone::clone) {
            engine.stopped.set(true);
            engine.kick();
            if let Some(channel) = &engine.channel {
                channel.close();
            }
            engine.store.close();
        }
        self.engine.set_value(None);
        self.cache.with_value(|cache| cache.clear());
        self.pending.set(0);
        self.oldest_pending.set(None);
        self.rejected.set(Vec::new());
        self.restored.set(None);
        self.first_sync.set(None);
        self.files_waiting.set(0);
        self.revision.update(|n| *n += 1);
    }

    /// Records a user's change: it shows at once, is kept on the device, and is sent soon.
    pub async fn mutate(self, intent: Intent) -> Result<(), DataError> {
        let engine = self.engine()?;
        let target = intent.target();
        let (_, wrote) = engine
            .store
            .record_mutations(vec![intent], js_sys::Date::now() as u64)
            .await?;
        let changed = Changed::Records(vec![target], wrote);
        self.took_changes(&engine, changed).await;
        Ok(())
    }

    /// Takes in changes another part of this tab wrote to the device (the import's worker): shows
    /// them, tells the other tabs, and syncs soon. Returns once the counts say they are pending.
    pub async fn changed_elsewhere(self) {
        if let Ok(engine) = self.engine() {
            self.took_changes(&engine, Changed::All).await;
        }
    }

    /// After the user's changes reached the outbox: shows them, tells the other tabs, syncs soon.
    async fn took_changes(self, engine: &Rc<Engine>, changed: Changed) {
        self.refresh(engine, changed.clone()).await;
        engine.announce(&changed);
        engine.soon();
    }

    /// What the user sees of a collection (see `Store::view`).
    pub async fn view(
        self,
        collection: Collection,
        by: Option<(&str, &str)>,
    ) -> Result<Vec<(String, StoredRecord)>, DataError> {
        self.engine()?.store.view(collection, by).await
    }

    /// The whole of `view` with the number of the collection's latest write it holds (see
    /// `Store::view_numbered`).
    pub(crate) async fn view_numbered(
        self,
        collection: Collection,
    ) -> Result<(Vec<(String, StoredRecord)>, u64), DataError> {
        self.engine()?.store.view_numbered(collection).await
    }

    /// The number of the collection's latest write the session's rows of it are known to hold
    /// everything up to (see `Cache::followed`).
    pub(crate) fn followed(self, collection: Collection) -> Option<u64> {
        self.cache.with_value(|cache| cache.followed(collection))
    }

    /// Keeps something derived from the read models for the next cold start (see `Store::save`).
    pub(crate) async fn save<T: serde::Serialize>(
        self,
        name: &str,
        saved: &Saved<T>,
    ) -> Result<bool, DataError> {
        self.engine()?.store.save(name, saved).await
    }

    /// What `save` kept, while still current (see `Store::saved`).
    pub(crate) async fn saved<T: serde::de::DeserializeOwned>(
        self,
        name: &str,
    ) -> Result<Option<T>, DataError> {
        self.engine()?.store.saved(name).await
    }

    /// What the user sees of one record.
    pub async fn view_one(self, target: &RecordRef) -> Result<Option<StoredRecord>, DataError> {
        self.engine()?.store.view_one(target).await
    }

    /// The changes waiting to reach the server, oldest first.
    pub async fn pending_changes(self) -> Result<Vec<Mutation>, DataError> {
        Ok(self
            .engine()?
            .store
            .sync_state(new_client_id)
            .await?
            .pending)
    }

    /// The user has read a refused change.
    pub async fn dismiss(self, change: &RejectedChange) -> Result<(), DataError> {
        let engine = self.engine()?;
        engine.store.dismiss_rejected(change).await?;
        // The refused change left the record's view when it was refused; nothing to re-read.
        let changed = Changed::none();
        self.refresh(&engine, changed.clone()).await;
        engine.announce(&changed);
        Ok(())
    }

    /// The user has read the line about a restored server.
    pub async fn dismiss_restored(self) -> Result<(), DataError> {
        let engine = self.engine()?;
        engine.store.dismiss_restored().await?;
        self.restored.set(None);
        engine.announce(&Changed::none());
        Ok(())
    }

    /// Syncs now (the indicator's "sync now", or after signing in again).
    pub fn sync_now(self) {
        if let Ok(engine) = self.engine() {
            engine.failures.set(0);
            engine.kick();
        }
    }

    /// Re-reads the counts the indicator shows, brings the read models up to date with what
    /// `changed`, and tells one-record views to re-read.
    async fn refresh(self, engine: &Engine, changed: Changed) {
        match engine.store.sync_state(new_client_id).await {
            Ok(state) => {
                self.pending.set(state.pending.len());
                self.oldest_pending.set(state.pending.first().map(|m| m.id));
                self.rejected.set(state.rejected);
                self.restored.set(state.restored);
            }
            Err(error) => self.status.set(SyncStatus::Failed(error.to_string())),
        }
        self.cache.with_value(|cache| cache.changed(self, changed));
        self.revision.update(|n| *n += 1);
    }
}

impl Default for Data {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_data() -> Data {
    expect_context::<Data>()
}

fn new_client_id() -> String {
    super::new_record_id()
}

/// Why one sync attempt stopped.
enum Stop {
    Offline,
    SignIn,
    Failed(String),
}

impl From<DataError> for Stop {
    fn from(error: DataError) -> Self {
        Stop::Failed(error.to_string())
    }
}

impl From<ApiError> for Stop {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Network(_) => Stop::Offline,
            ApiError::Refused { status: 401, .. } => Stop::SignIn,
            other => Stop::Failed(other.to_string()),
        }
    }
}

impl Engine {
    fn kick(&self) {
        if let Some(wake) = self.wake.borrow_mut().take() {
            let _ = wake.call0(&JsValue::NULL);
        }
        self.again.set(true);
    }

    /// A sync shortly after a change.
    pub(super) fn soon(self: &Rc<Self>) {
        let engine = self.clone();
        let wake = Closure::once_into_js(move || engine.kick());
        let _ = web_sys::window().map(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                wake.unchecked_ref(),
                AFTER_CHANGE_MS as i32,
            )
        });
    }

    /// Tells the user's other tabs which records changed (all, when too many to list).
    fn announce(&self, changed: &Changed) {
        let listed = match changed {
            Changed::Records(refs, wrote) if refs.len() <= ANNOUNCED_RECORDS => {
                serde_json::to_string(&(refs, wrote)).ok()
            }
            _ => None,
        };
        self.post(&format!("{CHANGED}{}", listed.as_deref().unwrap_or("*")));
    }

    fn post(&self, message: &str) {
        if let Some(channel) = &self.channel {
            let _ = channel.post_message(&JsValue::from_str(message));
        }
    }

    /// Re-reads when another tab changed the data; syncs when the browser is back online.
    fn listen(self: &Rc<Self>, data: Data) {
        let mut listeners = self._listeners.borrow_mut();
        if let Some(channel) = &self.channel {
            let engine = Rc::downgrade(self);
            let on_message = Listener::new(move |event: JsValue| {
                let message = Reflect::get(&event, &JsValue::from_str("data"))
                    .ok()
                    .and_then(|d| d.as_string())
                    .unwrap_or_default();
                // The tab that syncs tells the others how it went, so every tab shows the same.
                if let Some(status) = SyncStatus::from_tag(&message) {
                    data.status.set(status);
                }
                let Some(listed) = message.strip_prefix(CHANGED) else {
                    return;
                };
                let changed = serde_json::from_str::<(Vec<RecordRef>, Wrote)>(listed)
                    .map_or(Changed::All, |(refs, wrote)| Changed::Records(refs, wrote));
                if let Some(engine) = engine.upgrade() {
                    spawn_local(async move { data.refresh(&engine, changed).await });
                }
            });
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            listeners.push(on_message);
        }
        drop(listeners);
        let engine = Rc::downgrade(self);
        self.on_window(
            "online",
            Listener::new(move |_| {
                if let Some(engine) = engine.upgrade() {
                    engine.failures.set(0);
                    engine.kick();
                }
            }),
        );
        // The browser's back/forward cache (WebKit keeps the page on any navigation): a page put
        // there stops syncing and lets go of the database (`Store::put_away`), and is loaded anew
        // if it is ever shown again rather than woken with its database closed.
        let persisted = |event: &JsValue| {
            Reflect::get(event, &JsValue::from_str("persisted"))
                .ok()
                .and_then(|p| p.as_bool())
                .unwrap_or(false)
        };
        let engine = Rc::downgrade(self);
        self.on_window(
            "pagehide",
            Listener::new(move |event| {
                if let Some(engine) = engine.upgrade().filter(|_| persisted(&event)) {
                    engine.stopped.set(true);
                    engine.kick();
                    engine.store.put_away();
                }
            }),
        );
        let engine = Rc::downgrade(self);
        self.on_window(
            "pageshow",
            Listener::new(move |event| {
                let put_away = engine.upgrade().is_some_and(|engine| engine.stopped.get());
                if persisted(&event) && put_away {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().reload();
                    }
                }
            }),
        );
    }

    /// Listens to `event` on the window until the engine goes.
    fn on_window(&self, event: &'static str, listener: Listener) {
        if let Some(window) = web_sys::window() {
            let _ =
                window.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        self.window_listeners.borrow_mut().push((event, listener));
    }

    /// Waits `ms` or until kicked.
    async fn wait(&self, ms: f64) {
        let promise = Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
            }
            *self.wake.borrow_mut() = Some(resolve);
        });
        let _ = JsFuture::from(promise).await;
        self.wake.borrow_mut().take();
    }
}

/// The loop: one sync, then wait for the next reason to sync.
async fn run(engine: Rc<Engine>, data: Data) {
    while !engine.stopped.get() {
        engine.again.set(false);
        let result = with_sync_lock(&engine.user_id, sync_once(engine.clone(), data)).await;
        if engine.stopped.get() {
            break;
        }
        let ran = result.is_some();
        let delay = match result {
            // Another tab holds the lock and syncs for everyone.
            None => PERIOD_MS,
            Some(Ok(())) => {
                engine.failures.set(0);
                data.status.set(SyncStatus::Synced);
                if engine.again.get() {
                    AFTER_CHANGE_MS
                } else {
                    PERIOD_MS
                }
            }
            Some(Err(stop)) => {
                let failures = engine.failures.get() + 1;
                engine.failures.set(failures);
                data.status.set(match stop {
                    Stop::Offline => SyncStatus::Offline,
                    Stop::SignIn => SyncStatus::SignInNeeded,
                    Stop::Failed(message) => SyncStatus::Failed(message),
                });
                backoff(failures)
            }
        };
        data.first_sync.set(None);
        if ran {
            engine.post(data.status.get_untracked().tag());
        }
        engine.wait(delay).await;
    }
}

/// Exponential backoff with ±50% jitter, so many tablets coming back at once do not stampede.
fn backoff(failures: u32) -> f64 {
    let base = (BACKOFF_FIRST_MS * 2f64.powi(failures.saturating_sub(1).min(16) as i32))
        .min(BACKOFF_MAX_MS);
    base * (0.5 + js_sys::Math::random())
}

/// One round: push in rounds from the last hole in pending, then pull to the end. What it changed
/// on the device goes into `changed`.
async fn sync_round(engine: &Rc<Engine>, data: Data, changed: &mut Changed) -> Result<Round, Stop> {
    let token = engine.token.borrow().clone();
    let state = engine.store.sync_state(new_client_id).await?;
    // A device that never pulled is in its first sync from here: said before the status leaves
    // `Starting`, so a page waiting for the first sync never sees a moment of neither.
    if state.cursor.is_none() {
        data.first_sync.set(Some(0));
    }
    data.status.set(SyncStatus::Syncing);
    engine.post(SyncStatus::Syncing.tag());
    let client_id = state.client_id.clone();
    // What the server has said it processed of this device: claimed on the pull, so a server
    // restored from a backup tells it went back.
    let mut processed = state.outbox.processed;

    // Push in rounds from the last hole in pending (see `push_batch`); mutations the server has
    // processed stay pending until the pull confirms them.
    let mut sent_up_to = 0;
    // A 409: the server expects an id this device has long passed. Only a server that went back
    // says so; the pull finds out and the device starts over.
    let mut refused_gap = None;
    loop {
        // Pending is in id order (its store's key): what is not sent yet is a suffix, taken
        // without copying a large outbox (an import's 100,000 changes) once per round.
        let unsent = &state.pending[state.pending.partition_point(|m| m.id <= sent_up_to)..];
        let batch = push_batch(unsent);
        let Some(last) = batch.last().map(|m| m.id) else {
            break;
        };
        let reply = api::push(
            &token,
            &PushRequest {
                client_id: client_id.clone(),
                mutations: batch.to_vec(),
            },
        )
        .await;
        let reply = match reply {
            Ok(reply) => reply,
            Err(ApiError::Refused {
                status: 409,
                message,
                ..
            }) => {
                refused_gap = Some(message);
                break;
            }
            Err(error) => return Err(error.into()),
        };
        processed = processed.max(reply.last_mutation_id);
        let rejected = settle_push(&state.pending, &reply).rejected;
        let wrote = engine
            .store
            .settle_push(&rejected, reply.last_mutation_id)
            .await?;
        changed.add(rejected.iter().map(|r| r.mutation.intent.target()), wrote);
        sent_up_to = last;
    }

    let mut cursor = state.cursor;
    loop {
        let page = api::pull(
            &token,
            &PullRequest {
                client_id: client_id.clone(),
                cursor: cursor.clone(),
                limit: Some(PULL_PAGE),
                last_mutation_id: Some(processed),
            },
        )
        .await?;
        if page.rewound {
            let recovery = engine
                .store
                .recover(&page, js_sys::Date::now() as u64)
                .await?;
            web_sys::console::warn_1(
                &format!(
                    "the server went back behind this device (restored from a backup?): it had \
                     {} of its changes; {} sent again",
                    page.last_mutation_id,
                    recovery.pending.len()
                )
                .into(),
            );
            data.first_sync.set(Some(0));
            return Ok(Round::StartedOver);
        }
        // Pending as stored now (another tab may have added to it while this page was in flight),
        // read only when the page needs it: to find the changes it refuses, and on the last page,
        // which confirms what the server has. A middle page of a long sync needs none of it, and
        // reading a large outbox (an import's 100,000 changes) for every page made the sync
        // quadratic.
        let pending = if page.rejections.is_empty() && page.has_more {
            Vec::new()
        } else {
            engine.store.sync_state(new_client_id).await?.pending
        };
        let received = page.records.len() as u64;
        let effects = settle_page(&pending, page);
        let wrote = engine
            .store
            .apply_page(&effects, js_sys::Date::now() as u64)
            .await?;
        if effects.reset {
            *changed = Changed::All;
        }
        changed.add(effects.touched(), wrote);
        if data.first_sync.get_untracked().is_some() {
            data.first_sync.update(|n| *n = n.map(|n| n + received));
        }
        cursor = Some(effects.cursor.clone());
        if !effects.has_more {
            break;
        }
    }
    match refused_gap {
        // The pull did not bear the refusal out: the push's 409 stands.
        Some(message) => Err(Stop::Failed(message)),
        None => Ok(Round::Done),
    }
}

/// How one round of pushes and pulls ended.
enum Round {
    Done,
    /// The server was restored from a backup (or reseeded) and the device started over: another
    /// round sends what it lost and downloads everything again.
    StartedOver,
}

/// Push everything pending, then pull until the server has nothing more; once more from the start
/// if the device had to start over. What reached the device is shown even when the sync stops
/// half-way (the connection drops after some pages).
async fn sync_once(engine: Rc<Engine>, data: Data) -> Result<(), Stop> {
    let mut changed = Changed::none();
    let mut rounds = 0;
    let outcome = loop {
        rounds += 1;
        match sync_round(&engine, data, &mut changed).await {
            Ok(Round::Done) => break Ok(()),
            // A server that answers `rewound` again at once is not one the device can follow.
            Ok(Round::StartedOver) if rounds > 2 => {
                break Err(Stop::Failed(
                    "the server keeps losing this device's position".into(),
                ))
            }
            // Everything is downloaded again.
            Ok(Round::StartedOver) => changed = Changed::All,
            Err(stop) => break Err(stop),
        }
    };
    if outcome.is_ok() || !changed.is_empty() {
        data.refresh(&engine, changed.clone()).await;
        engine.announce(&changed);
    }
    outcome?;

    // Photos whose records the server now has.
    let token = engine.token.borrow().clone();
    let waiting_records: Vec<RecordRef> = engine
        .store
        .sync_state(new_client_id)
        .await?
        .pending
        .iter()
        .map(|m| m.intent.target())
        .collect();
    let today = crate::format::local_today().to_string();
    let left = files::upload_waiting(
        &engine.store,
        &token,
        &today,
        |collection, id| {
            waiting_records
                .iter()
                .any(|r| r.collection == collection && r.id == id)
        },
        |left| data.files_waiting.set(left),
    )
    .await
    .map_err(|e| match e {
        files::SendError::Api(e) => Stop::from(e),
        files::SendError::Data(e) => Stop::from(e),
    })?;
    data.files_waiting.set(left);
    Ok(())
}

/// Runs `work` holding this user's sync lock, if no other tab holds it (`None` then). Browsers
/// without Web Locks run it directly.
async fn with_sync_lock<F>(user_id: &str, work: F) -> Option<Result<(), Stop>>
where
    F: std::future::Future<Output = Result<(), Stop>> + 'static,
{
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("locks")).ok())
        .filter(|locks| !locks.is_undefined());
    let request = locks.as_ref().and_then(|locks| {
        Reflect::get(locks, &JsValue::from_str("request"))
            .ok()?
            .dyn_into::<Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return Some(work.await);
    };
    let outcome: Rc<RefCell<Option<Result<(), Stop>>>> = Rc::new(RefCell::new(None));
    let slot = outcome.clone();
    let mut work = Some(work);
    let callback = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |lock: JsValue| {
        let slot = slot.clone();
        match work.take() {
            Some(work) if !lock.is_null() => future_to_promise(async move {
                *slot.borrow_mut() = Some(work.await);
                Ok(JsValue::TRUE)
            }),
            _ => Promise::resolve(&JsValue::FALSE),
        }
    });
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let name = JsValue::from_str(&format!("yingxiao.sync.{user_id}"));
    let promise = request
        .call3(&locks, &name, &options, callback.as_ref().unchecked_ref())
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())?;
    let _ = JsFuture::from(promise).await;
    drop(callback);
    outcome.take()
}
