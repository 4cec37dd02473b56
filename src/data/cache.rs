//! Read models that stay in memory: each collection a page reads is loaded from the device once per
//! session and then kept up to date in place, record by record, by every local change and every
//! pull, so a navigation only draws. One queue does all of it in order, so a slow load can never
//! overwrite a newer change.

use std::{
    any::Any,
    cell::{Cell, RefCell},
    collections::{HashMap, VecDeque},
    rc::Rc,
    sync::Arc,
};

use leptos::{prelude::*, task::spawn_local};
use yingxiao_core::{
    domain::Collection,
    sync::{
        apply::StoredRecord,
        protocol::RecordRef,
        written::{Followed, Wrote},
    },
};

use super::{records::Shared, store::DataError, sync::Data};

/// A collection's records as the user sees them, sorted by id; shared, compared by identity.
pub(crate) type Rows = Shared<Vec<(String, StoredRecord)>>;

/// A collection as read so far: `None` until its first load finishes.
pub(crate) type Read = Option<Result<Rows, DataError>>;

/// A collection's read model, as pages follow it.
pub(crate) type Watched = ReadSignal<Read>;

/// Above this many changed records of one collection, it is read again whole (a first sync, a
/// reset) instead of record by record.
const RELOAD_ABOVE: usize = 500;

/// What changed on the device since the read models last looked.
#[derive(Clone, Debug)]
pub(crate) enum Changed {
    /// Anything may have (a new session, another tab's sync, a scope reset).
    All,
    /// These records, by writes that gave their collections these numbers.
    Records(Vec<RecordRef>, Wrote),
}

impl Changed {
    /// Nothing yet.
    pub(crate) fn none() -> Self {
        Changed::Records(Vec::new(), Wrote::new())
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Changed::Records(refs, wrote) if refs.is_empty() && wrote.is_empty())
    }

    /// Adds what one write changed.
    pub(crate) fn add(&mut self, refs: impl IntoIterator<Item = RecordRef>, numbers: Wrote) {
        if let Changed::Records(all, wrote) = self {
            all.extend(refs);
            wrote.extend(numbers);
        }
    }

    pub(crate) fn merge(self, other: Changed) -> Changed {
        match (self, other) {
            (Changed::Records(mut a, mut wa), Changed::Records(b, wb)) => {
                a.extend(b);
                wa.extend(wb);
                Changed::Records(a, wa)
            }
            _ => Changed::All,
        }
    }
}

enum Job {
    Load(Collection),
    Apply(Changed),
}

/// The session's read models; one per app, held by `Data`.
pub(crate) struct Cache {
    /// The app's owner: the models outlive the pages that first asked for them.
    owner: Owner,
    slots: RefCell<HashMap<Collection, RwSignal<Read>>>,
    /// What pages derive from the collections (a list's rows, the deals, names), made once.
    models: RefCell<HashMap<String, Box<dyn Any>>>,
    queue: RefCell<VecDeque<Job>>,
    running: Cell<bool>,
    /// Each collection's generation: every load or patch of its rows makes a new one.
    generations: RefCell<HashMap<Collection, u64>>,
    /// The last patch of each collection: the generation it made and the ids it changed, so a
    /// model that saw the generation before can follow the change record by record.
    patches: RefCell<HashMap<Collection, (u64, Vec<String>)>>,
    /// Which of the device's writes each collection's rows have taken in.
    followed: RefCell<HashMap<Collection, Followed>>,
}

impl Cache {
    pub(crate) fn new() -> Rc<Self> {
        Rc::new(Self {
            owner: Owner::current().unwrap_or_default(),
            slots: RefCell::new(HashMap::new()),
            models: RefCell::new(HashMap::new()),
            queue: RefCell::new(VecDeque::new()),
            running: Cell::new(false),
            generations: RefCell::new(HashMap::new()),
            patches: RefCell::new(HashMap::new()),
            followed: RefCell::new(HashMap::new()),
        })
    }

    /// The collection's read model, loaded on first use.
    pub(crate) fn watch(self: &Rc<Self>, data: Data, collection: Collection) -> Watched {
        if let Some(slot) = self.slots.borrow().get(&collection) {
            return slot.read_only();
        }
        let slot = self.owner.with(|| RwSignal::new(None));
        self.slots.borrow_mut().insert(collection, slot);
        self.push(data, Job::Load(collection));
        slot.read_only()
    }

    /// The derived model named `key`, made by `make` the first time under the app's owner, so it
    /// lives for the session: its memos keep their value between pages and recompute only when
    /// what they read changes. `make` must only build signals and memos (no work of its own).
    pub(crate) fn model<T: Clone + 'static>(&self, key: &str, make: impl FnOnce() -> T) -> T {
        if let Some(model) = self.models.borrow().get(key) {
            if let Some(model) = model.downcast_ref::<T>() {
                return model.clone();
            }
        }
        let model = self.owner.with(make);
        self.models
            .borrow_mut()
            .insert(key.to_owned(), Box::new(model.clone()));
        model
    }

    /// The collection's generation now (0 before its first load).
    pub(crate) fn generation(&self, collection: Collection) -> u64 {
        self.generations
            .borrow()
            .get(&collection)
            .copied()
            .unwrap_or(0)
    }

    /// The ids whose change made the generation after `since`, if that is the one now; `None`
    /// when the rows were loaded whole since, or changed more than once.
    pub(crate) fn patched_since(&self, collection: Collection, since: u64) -> Option<Vec<String>> {
        let now = self.generation(collection);
        match self.patches.borrow().get(&collection) {
            Some((made, ids)) if *made == now && now == since + 1 => Some(ids.clone()),
            _ => None,
        }
    }

    /// The number of the collection's latest write its rows are known to hold everything up to
    /// (`core::sync::written`); `None` until it is known.
    pub(crate) fn followed(&self, collection: Collection) -> Option<u64> {
        self.followed
            .borrow()
            .get(&collection)
            .and_then(Followed::current)
    }

    fn next_generation(&self, collection: Collection, patched: Option<Vec<String>>) {
        let mut generations = self.generations.borrow_mut();
        let now = generations.entry(collection).or_insert(0);
        *now += 1;
        let mut patches = self.patches.borrow_mut();
        match patched {
            Some(ids) => patches.insert(collection, (*now, ids)),
            None => patches.remove(&collection),
        };
    }

    /// Brings the loaded models up to date with what changed on the device.
    pub(crate) fn changed(self: &Rc<Self>, data: Data, changed: Changed) {
        self.push(data, Job::Apply(changed));
    }

    /// Forgets every model's records (signing out); they load again for the next session.
    pub(crate) fn clear(&self) {
        self.queue.borrow_mut().clear();
        self.followed.borrow_mut().clear();
        for slot in self.slots.borrow().values() {
            slot.set(None);
        }
    }

    fn push(self: &Rc<Self>, data: Data, job: Job) {
        {
            let mut queue = self.queue.borrow_mut();
            // Changes waiting together are applied together.
            if let (Job::Apply(next), Some(Job::Apply(last))) = (&job, queue.back_mut()) {
                let merged = std::mem::replace(last, Changed::All).merge(next.clone());
                *last = merged;
            } else {
                queue.push_back(job);
            }
        }
        if self.running.replace(true) {
            return;
        }
        let cache = self.clone();
        spawn_local(async move {
            loop {
                let next = cache.queue.borrow_mut().pop_front();
                let Some(job) = next else { break };
                match job {
                    Job::Load(collection) => cache.load(data, collection).await,
                    Job::Apply(changed) => cache.apply(data, changed).await,
                }
            }
            cache.running.set(false);
        });
    }

    fn slot(&self, collection: Collection) -> Option<RwSignal<Read>> {
        self.slots.borrow().get(&collection).copied()
    }

    async fn load(&self, data: Data, collection: Collection) {
        let Some(slot) = self.slot(collection) else {
            return;
        };
        let read = data.view_numbered(collection).await;
        self.next_generation(collection, None);
        let followed = match &read {
            Ok((_, number)) => Followed::read_at(*number),
            Err(_) => Followed::default(),
        };
        self.followed.borrow_mut().insert(collection, followed);
        slot.set(Some(read.map(|(rows, _)| Shared(Arc::new(rows)))));
    }

    async fn apply(&self, data: Data, changed: Changed) {
        let loaded: Vec<Collection> = self.slots.borrow().keys().copied().collect();
        let (refs, wrote) = match changed {
            Changed::All => {
                for collection in loaded {
                    self.load(data, collection).await;
                }
                return;
            }
            Changed::Records(refs, wrote) => (refs, wrote),
        };
        self.took(&wrote);
        for collection in loaded {
            let mut ids: Vec<&str> = refs
                .iter()
                .filter(|r| r.collection == collection)
                .map(|r| r.id.as_str())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let Some(slot) = self.slot(collection) else {
                continue;
            };
            let ready = slot.with_untracked(|s| matches!(s, Some(Ok(_))));
            if ids.is_empty() {
                continue;
            }
            if !ready || ids.len() > RELOAD_ABOVE {
                self.load(data, collection).await;
                continue;
            }
            let mut fresh = Vec::with_capacity(ids.len());
            for id in ids {
                let target = RecordRef {
                    collection,
                    id: id.to_owned(),
                };
                match data.view_one(&target).await {
                    Ok(record) => fresh.push((target.id, record)),
                    Err(_) => {
                        self.load(data, collection).await;
                        fresh.clear();
                        break;
                    }
                }
            }
            if fresh.is_empty() {
                continue;
            }
            self.next_generation(
                collection,
                Some(fresh.iter().map(|(id, _)| id.clone()).collect()),
            );
            slot.update(|read| {
                if let Some(Ok(rows)) = read {
                    // A new identity, so whatever compares rows by identity sees the change; the
                    // records move rather than copy unless someone still holds the old ones.
                    let mut all = Arc::try_unwrap(std::mem::take(&mut rows.0))
                        .unwrap_or_else(|shared| (*shared).clone());
                    patch(&mut all, fresh);
                    rows.0 = Arc::new(all);
                }
            });
        }
    }
}

impl Cache {
    /// The rows are about to take in these writes: a patch re-reads each record as it is now, and a
    /// reload reads the number with the rows.
    fn took(&self, wrote: &Wrote) {
        let mut followed = self.followed.borrow_mut();
        for (collection, number) in wrote {
            if let Some(followed) = followed.get_mut(collection) {
                followed.took(*number);
            }
        }
    }
}

/// Puts each record's new state into `rows` (sorted by id): replaced, inserted, or removed (`None`).
pub fn patch(rows: &mut Vec<(String, StoredRecord)>, fresh: Vec<(String, Option<StoredRecord>)>) {
    for (id, record) in fresh {
        let at = rows.binary_search_by(|(other, _)| other.as_str().cmp(&id));
        match (at, record) {
            (Ok(at), Some(record)) => rows[at].1 = record,
            (Err(at), Some(record)) => rows.insert(at, (id, record)),
            (Ok(at), None) => {
                rows.remove(at);
            }
            (Err(_), None) => {}
        }
    }
}
