//! The device's half of the sync protocol, as plain functions over plain data. The web app keeps this
//! state in IndexedDB and the simulation keeps it in memory; both change it only through these
//! functions, so the rules are written once:
//!
//! - **canonical** records are what the last pull said, never edited locally;
//! - **pending** mutations are the device's unconfirmed work, in id order; what a user sees is the
//!   canonical record with its pending mutations replayed through the server's own `apply`;
//! - a mutation leaves pending when the server **rejected** it (it moves to the rejected list, for the
//!   user to see) or when a pull that reached the end reports it processed (its effect is then in the
//!   canonical records, so the view does not flicker back to the old state in between);
//! - **kept** mutations are the confirmed ones of the last `KEEP_MILLIS`: when the server turns out
//!   to have gone back in time (restored from a backup, `history`), `recover` sends again those it
//!   lost, with the pending ones, under a new client id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    apply::{apply, Change, StoredRecord},
    hlc::{Hlc, HlcClock},
    protocol::{
        Intent, Mutation, Outcome, PullRequest, PullResponse, PushResponse, Record, RecordRef,
        RejectedMutation, Rejection, MAX_MUTATIONS_PER_PUSH,
    },
};
use crate::domain::ValidationError;

/// A mutation the server refused, kept on the device until the user has seen it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedChange {
    pub mutation: Mutation,
    pub reason: Rejection,
}

/// Where a device's next mutation id and clock stamp come from; kept with the pending log so ids stay
/// gapless and stamps increase across reloads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    /// The id the next mutation gets; ids start at 1.
    pub next_id: u64,
    /// The last stamp this device issued or saw.
    pub clock: Hlc,
    /// The highest `last_mutation_id` a reply gave: what the server said it has processed of this
    /// device, claimed on each pull (`PullRequest::last_mutation_id`).
    #[serde(default)]
    pub processed: u64,
}

/// How long a device keeps its confirmed mutations, to send them again to a server restored from
/// a backup up to this old: seven days.
pub const KEEP_MILLIS: u64 = 7 * 24 * 60 * 60 * 1000;

/// The mutations one complete pull confirmed, kept for `KEEP_MILLIS` after `confirmed_at` (device
/// time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    pub confirmed_at: u64,
    pub mutations: Vec<Mutation>,
}

impl Kept {
    /// Still inside the window at `now_millis`.
    pub fn is_fresh(&self, now_millis: u64) -> bool {
        self.confirmed_at.saturating_add(KEEP_MILLIS) >= now_millis
    }
}

impl Outbox {
    pub fn new(client_id: &str) -> Self {
        Self {
            next_id: 1,
            clock: Hlc::new(0, 0, client_id),
            processed: 0,
        }
    }

    /// Takes in the `last_mutation_id` of a reply.
    pub fn heard(&mut self, last_mutation_id: u64) {
        self.processed = self.processed.max(last_mutation_id);
    }

    /// Turns what the user asked for into the next pending mutation, refusing what the server would
    /// refuse as malformed.
    pub fn make(&mut self, intent: Intent, wall_millis: u64) -> Result<Mutation, ValidationError> {
        intent.validate()?;
        let mut clock = HlcClock::resume(self.clock.clone());
        let hlc = clock.tick(wall_millis);
        self.clock = hlc.clone();
        let mutation = Mutation {
            id: self.next_id,
            hlc,
            intent,
        };
        self.next_id += 1;
        Ok(mutation)
    }

    /// Moves the clock past stamps seen in pulled records, so an edit made after seeing someone
    /// else's wins over it.
    pub fn observe<'a>(&mut self, stamps: impl IntoIterator<Item = &'a Hlc>) {
        let mut clock = HlcClock::resume(self.clock.clone());
        for stamp in stamps {
            clock.observe(stamp);
        }
        self.clock = clock.last().clone();
    }
}

impl Record {
    /// The record as the merge rules see it.
    pub fn to_stored(&self) -> StoredRecord {
        StoredRecord {
            fields: self.fields.clone(),
            stamps: self.stamps.clone(),
            deleted: false,
        }
    }
}

/// What the user sees of one record: the canonical state with the pending mutations that target it
/// replayed in order. A mutation the rules refuse here has no effect (the server will refuse it too,
/// or it has already been applied and is part of the canonical state). `None`: no such live record.
pub fn replay<'a>(
    canonical: Option<&Record>,
    pending: impl IntoIterator<Item = &'a Mutation>,
) -> Option<StoredRecord> {
    let mut state = canonical.map(Record::to_stored);
    for mutation in pending {
        if let Ok(Change::Write(next)) = apply(state.as_ref(), &mutation.intent, &mutation.hlc) {
            state = Some(next);
        }
    }
    state.filter(|record| !record.deleted)
}

/// The pending mutations that target `target`, in order.
pub fn pending_for<'a>(
    pending: &'a [Mutation],
    target: &'a RecordRef,
) -> impl Iterator<Item = &'a Mutation> + 'a {
    pending
        .iter()
        .filter(move |mutation| mutation.intent.target() == *target)
}

/// The mutations to push next: the pending log after its last hole, at most one push's worth. A hole
/// at id k means k was refused or confirmed, so the server has processed every id below it; those
/// would only come back `duplicate`, and the server refuses a push whose ids skip one.
pub fn push_batch(pending: &[Mutation]) -> &[Mutation] {
    let start = (1..pending.len())
        .rev()
        .find(|&i| pending[i].id != pending[i - 1].id + 1)
        .unwrap_or(0);
    let end = pending.len().min(start + MAX_MUTATIONS_PER_PUSH);
    &pending[start..end]
}

/// What a push reply means for the device.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PushSettled {
    /// Pending mutations the server refused: take them out of pending and show them.
    pub rejected: Vec<RejectedChange>,
}

/// Reads a push reply against the pending log. Applied mutations stay pending until a pull brings
/// their effect; refused ones leave it now.
pub fn settle_push(pending: &[Mutation], reply: &PushResponse) -> PushSettled {
    let rejected = reply
        .outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Outcome::Rejected { id, reason } => Some((*id, reason)),
            _ => None,
        })
        .filter_map(|(id, reason)| {
            let mutation = pending.iter().find(|m| m.id == id)?;
            Some(RejectedChange {
                mutation: mutation.clone(),
                reason: reason.clone(),
            })
        })
        .collect();
    PushSettled { rejected }
}

/// What one pull page asks the device to do, in this order and in one storage transaction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageEffects {
    /// Drop every canonical record first: the user's scope changed and this pull starts over.
    pub reset: bool,
    /// Canonical records to store, replacing what is there.
    pub put: Vec<Record>,
    /// Canonical records to forget: deleted, or out of the user's scope now.
    pub forget: Vec<RecordRef>,
    /// Pending mutations the server refused: out of pending, into the rejected list.
    pub rejected: Vec<RejectedChange>,
    /// Pending mutations with an id up to this one are done (their effect is in the records pulled);
    /// set only on the page that reached the end.
    pub confirmed_up_to: Option<u64>,
    /// Those mutations (the ones not refused), to keep for `KEEP_MILLIS`.
    pub confirmed: Vec<Mutation>,
    /// The server's record of the device (`Outbox::heard`).
    pub last_mutation_id: u64,
    pub cursor: String,
    pub has_more: bool,
}

impl PageEffects {
    /// The records whose view the page changes: stored or forgotten, or with a pending change
    /// refused or confirmed (a reset changes every collection besides).
    pub fn touched(&self) -> impl Iterator<Item = RecordRef> + '_ {
        let decided = self
            .rejected
            .iter()
            .map(|r| &r.mutation)
            .chain(&self.confirmed);
        self.put
            .iter()
            .map(|r| RecordRef {
                collection: r.collection,
                id: r.id.clone(),
            })
            .chain(self.forget.iter().cloned())
            .chain(decided.map(|m| m.intent.target()))
    }

    /// Pending mutations left after this page, given the pending log before it.
    pub fn remaining(&self, pending: &[Mutation]) -> Vec<Mutation> {
        pending
            .iter()
            .filter(|m| self.confirmed_up_to.is_none_or(|up_to| m.id > up_to))
            .filter(|m| !self.rejected.iter().any(|r| r.mutation.id == m.id))
            .cloned()
            .collect()
    }
}

/// The pending mutations these rejections name, with their reasons.
fn refused(pending: &[Mutation], rejections: &[RejectedMutation]) -> Vec<RejectedChange> {
    rejections
        .iter()
        .filter_map(|rejection| {
            let mutation = pending.iter().find(|m| m.id == rejection.mutation_id)?;
            Some(RejectedChange {
                mutation: mutation.clone(),
                reason: rejection.reason.clone(),
            })
        })
        .collect()
}

/// Reads a pull page against the pending log.
pub fn settle_page(pending: &[Mutation], page: PullResponse) -> PageEffects {
    let rejected = refused(pending, &page.rejections);
    let mut forget = page.deleted;
    forget.extend(page.removed);
    let confirmed_up_to = (!page.has_more).then_some(page.last_mutation_id);
    let confirmed = match confirmed_up_to {
        Some(up_to) => pending
            .iter()
            .filter(|m| m.id <= up_to)
            .filter(|m| !rejected.iter().any(|r| r.mutation.id == m.id))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    PageEffects {
        reset: page.reset,
        put: page.records,
        forget,
        rejected,
        confirmed_up_to,
        confirmed,
        last_mutation_id: page.last_mutation_id,
        cursor: page.cursor,
        has_more: page.has_more,
    }
}

/// What a device does when the server turned out `rewound` (`history`): the new state of its sync,
/// to store in one transaction with its canonical records dropped and its cursor cleared.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    pub outbox: Outbox,
    /// What the server lost, in the order it was made, numbered on from the server's record of the
    /// device: the kept (confirmed) mutations it no longer has, then the pending ones.
    pub pending: Vec<Mutation>,
    /// The mutations the server has, kept as confirmed now: a restore to an older backup later
    /// may need them again.
    pub kept: Vec<Mutation>,
    /// Pending mutations the page says the server refused (it still has their verdicts).
    pub rejected: Vec<RejectedChange>,
    /// How many confirmed mutations go again.
    pub resent: usize,
}

/// Starts over after a `rewound` page. The server has processed the device's mutations up to its
/// `last_mutation_id`: those it applied are kept as confirmed, those it refused leave with its
/// verdict. Every later one, kept or pending, goes again, in the order made and with its stamp,
/// numbered on from there: a new sequence the server's record continues without a gap. (A wiped
/// server knows nothing of the device, so the sequence starts again at 1.) Confirmed mutations
/// older than the window are gone from `kept` and cannot go again.
pub fn recover(
    page: &PullResponse,
    pending: &[Mutation],
    kept: &[Kept],
    outbox: &Outbox,
) -> Recovery {
    let has = page.last_mutation_id;
    let rejected = refused(pending, &page.rejections);
    let is_refused = |m: &Mutation| rejected.iter().any(|r| r.mutation.id == m.id);
    let mut confirmed: Vec<&Mutation> = kept.iter().flat_map(|batch| &batch.mutations).collect();
    confirmed.sort_by_key(|m| m.id);
    confirmed.dedup_by_key(|m| m.id);
    let (still, lost): (Vec<&Mutation>, Vec<&Mutation>) =
        confirmed.into_iter().partition(|m| m.id <= has);
    let resent = lost.len();
    let mut kept: Vec<Mutation> = still.into_iter().cloned().collect();
    kept.extend(
        pending
            .iter()
            .filter(|m| m.id <= has && !is_refused(m))
            .cloned(),
    );
    let again = lost
        .into_iter()
        .chain(pending.iter().filter(|m| m.id > has && !is_refused(m)));
    let pending: Vec<Mutation> = again
        .zip(has + 1..)
        .map(|(mutation, id)| Mutation {
            id,
            hlc: mutation.hlc.clone(),
            intent: mutation.intent.clone(),
        })
        .collect();
    Recovery {
        outbox: Outbox {
            next_id: has + 1 + pending.len() as u64,
            clock: outbox.clock.clone(),
            processed: has,
        },
        pending,
        kept,
        rejected,
        resent,
    }
}

/// A device's whole sync state in memory: what the simulation runs, and the reference for what the
/// web app keeps in IndexedDB.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceState {
    pub client_id: String,
    pub canonical: BTreeMap<RecordRef, Record>,
    pub pending: Vec<Mutation>,
    pub rejected: Vec<RejectedChange>,
    /// Confirmed mutations of the last `KEEP_MILLIS`.
    pub kept: Vec<Kept>,
    pub cursor: Option<String>,
    pub outbox: Outbox,
}

impl DeviceState {
    pub fn new(client_id: impl Into<String>) -> Self {
        let client_id = client_id.into();
        Self {
            outbox: Outbox::new(&client_id),
            client_id,
            canonical: BTreeMap::new(),
            pending: Vec::new(),
            rejected: Vec::new(),
            kept: Vec::new(),
            cursor: None,
        }
    }

    /// Records a user's change; it is visible at once and waits in pending for the next push.
    pub fn mutate(&mut self, intent: Intent, wall_millis: u64) -> Result<u64, ValidationError> {
        let mutation = self.outbox.make(intent, wall_millis)?;
        let id = mutation.id;
        self.pending.push(mutation);
        Ok(id)
    }

    /// What the user sees of a record.
    pub fn view(&self, target: &RecordRef) -> Option<StoredRecord> {
        replay(
            self.canonical.get(target),
            pending_for(&self.pending, target),
        )
    }

    pub fn apply_push(&mut self, reply: &PushResponse) {
        self.outbox.heard(reply.last_mutation_id);
        let settled = settle_push(&self.pending, reply);
        self.pending
            .retain(|m| !settled.rejected.iter().any(|r| r.mutation.id == m.id));
        self.rejected.extend(settled.rejected);
    }

    /// The pull to send next: the cursor, and the claim that lets the server tell it went back.
    pub fn pull_request(&self, limit: Option<u32>) -> PullRequest {
        PullRequest {
            client_id: self.client_id.clone(),
            cursor: self.cursor.clone(),
            limit,
            last_mutation_id: Some(self.outbox.processed),
        }
    }

    /// Takes in one pull page at device time `now_millis`; a `rewound` one starts over (`recover`).
    pub fn apply_page(&mut self, page: PullResponse, now_millis: u64) {
        if page.rewound {
            let recovery = recover(&page, &self.pending, &self.kept, &self.outbox);
            self.outbox = recovery.outbox;
            self.pending = recovery.pending;
            self.rejected.extend(recovery.rejected);
            self.kept = vec![Kept {
                confirmed_at: now_millis,
                mutations: recovery.kept,
            }];
            self.canonical.clear();
            self.cursor = None;
            return;
        }
        let effects = settle_page(&self.pending, page);
        self.outbox.heard(effects.last_mutation_id);
        if !effects.confirmed.is_empty() {
            self.kept.push(Kept {
                confirmed_at: now_millis,
                mutations: effects.confirmed.clone(),
            });
        }
        self.kept.retain(|batch| batch.is_fresh(now_millis));
        if effects.reset {
            self.canonical.clear();
        }
        self.outbox
            .observe(effects.put.iter().flat_map(|record| record.stamps.values()));
        for record in &effects.put {
            let key = RecordRef {
                collection: record.collection,
                id: record.id.clone(),
            };
            self.canonical.insert(key, record.clone());
        }
        for key in &effects.forget {
            self.canonical.remove(key);
        }
        self.pending = effects.remaining(&self.pending);
        self.rejected.extend(effects.rejected);
        self.cursor = Some(effects.cursor);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::{
        domain::Collection,
        sync::protocol::{CreateArgs, RejectCode, RejectedMutation, SetFieldsArgs},
    };

    const CLIENT: &str = "5d7e8a40-0000-4000-8000-000000000001";
    const CUSTOMER: &str = "5d7e8a40-0000-4000-8000-0000000000c1";
    const REP: &str = "5d7e8a40-0000-4000-8000-0000000000a1";
    const UNIT: &str = "5d7e8a40-0000-4000-8000-0000000000b1";
    const NOW: u64 = 1_796_466_645_000;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn target() -> RecordRef {
        RecordRef {
            collection: Collection::Customer,
            id: CUSTOMER.into(),
        }
    }

    fn create() -> Intent {
        Intent::Create(CreateArgs {
            collection: Collection::Customer,
            id: CUSTOMER.into(),
            fields: fields(json!({"name": "上海百货", "kind": "dealer", "tier": "B",
                "region_unit_id": UNIT, "owner_id": REP})),
        })
    }

    fn rename(name: &str) -> Intent {
        Intent::SetFields(SetFieldsArgs {
            collection: Collection::Customer,
            id: CUSTOMER.into(),
            fields: fields(json!({ "name": name })),
        })
    }

    fn page(records: Vec<Record>, has_more: bool, last_mutation_id: u64) -> PullResponse {
        PullResponse {
            rewound: false,
            reset: false,
            records,
            deleted: vec![],
            removed: vec![],
            cursor: "1.1.0".into(),
            has_more,
            last_mutation_id,
            rejections: vec![],
        }
    }

    fn name(device: &DeviceState) -> Option<String> {
        device.view(&target()).and_then(|r| {
            r.fields
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }

    #[test]
    fn a_change_shows_at_once_and_ids_are_gapless_from_one() {
        let mut device = DeviceState::new(CLIENT);
        assert_eq!(device.mutate(create(), 1_000).unwrap(), 1);
        assert_eq!(device.mutate(rename("上海百货二店"), 1_000).unwrap(), 2);
        assert_eq!(name(&device).as_deref(), Some("上海百货二店"));
        // The second stamp is later than the first although the wall clock did not move.
        assert!(device.pending[1].hlc > device.pending[0].hlc);
    }

    #[test]
    fn a_push_starts_after_the_last_hole_and_carries_at_most_one_push() {
        let mut device = DeviceState::new(CLIENT);
        for _ in 0..5 {
            device.mutate(rename("名"), 1_000).unwrap();
        }
        let ids = |batch: &[Mutation]| batch.iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(ids(push_batch(&device.pending)), [1, 2, 3, 4, 5]);
        // 3 was refused: 1 and 2 were processed before it.
        device.pending.retain(|m| m.id != 3);
        assert_eq!(ids(push_batch(&device.pending)), [4, 5]);
        for _ in 0..MAX_MUTATIONS_PER_PUSH {
            device.mutate(rename("名"), 1_000).unwrap();
        }
        let batch = push_batch(&device.pending);
        assert_eq!(batch.len(), MAX_MUTATIONS_PER_PUSH);
        assert_eq!(batch[0].id, 4);
        assert!(push_batch(&[]).is_empty());
    }

    #[test]
    fn a_malformed_change_is_refused_on_the_device_and_takes_no_id() {
        let mut device = DeviceState::new(CLIENT);
        let bad = Intent::SetFields(SetFieldsArgs {
            collection: Collection::Customer,
            id: CUSTOMER.into(),
            fields: fields(json!({"tier": "Z"})),
        });
        assert!(device.mutate(bad, 1_000).is_err());
        assert_eq!(device.mutate(create(), 1_000).unwrap(), 1);
    }

    #[test]
    fn applied_changes_stay_visible_until_a_complete_pull_brings_them() {
        let mut device = DeviceState::new(CLIENT);
        device.mutate(create(), 1_000).unwrap();
        device.apply_push(&PushResponse {
            last_mutation_id: 1,
            outcomes: vec![Outcome::Applied { id: 1 }],
        });
        assert_eq!(device.pending.len(), 1, "kept until pulled");
        // A page that has not reached the end confirms nothing.
        device.apply_page(page(vec![], true, 1), NOW);
        assert_eq!(name(&device).as_deref(), Some("上海百货"));
        assert_eq!(device.pending.len(), 1);
        let stored = device.view(&target()).unwrap();
        let record = Record {
            collection: Collection::Customer,
            id: CUSTOMER.into(),
            version: 7,
            fields: stored.fields,
            stamps: stored.stamps,
        };
        device.apply_page(page(vec![record], false, 1), NOW);
        assert!(device.pending.is_empty());
        assert_eq!(name(&device).as_deref(), Some("上海百货"));
    }

    #[test]
    fn a_rejected_change_rolls_back_and_is_kept_with_its_reason() {
        let mut device = DeviceState::new(CLIENT);
        device.mutate(rename("改名"), 1_000).unwrap();
        assert_eq!(name(&device), None, "no such record here yet");
        let reason = Rejection::new(RejectCode::NotFound, "no customers record");
        device.apply_push(&PushResponse {
            last_mutation_id: 1,
            outcomes: vec![Outcome::Rejected {
                id: 1,
                reason: reason.clone(),
            }],
        });
        assert!(device.pending.is_empty());
        assert_eq!(device.rejected.len(), 1);
        assert_eq!(device.rejected[0].reason, reason);
        // The pull repeats the rejection; it is not recorded twice.
        let mut repeat = page(vec![], false, 1);
        repeat.rejections = vec![RejectedMutation {
            mutation_id: 1,
            reason,
        }];
        device.apply_page(repeat, NOW);
        assert_eq!(device.rejected.len(), 1);
    }

    #[test]
    fn a_rejection_learnt_only_from_a_pull_still_reaches_the_user() {
        let mut device = DeviceState::new(CLIENT);
        device.mutate(rename("改名"), 1_000).unwrap();
        // The push reply was lost; the pull carries the verdict.
        let mut lost_reply = page(vec![], false, 1);
        lost_reply.rejections = vec![RejectedMutation {
            mutation_id: 1,
            reason: Rejection::new(RejectCode::Deleted, "deleted"),
        }];
        device.apply_page(lost_reply, NOW);
        assert!(device.pending.is_empty());
        assert_eq!(device.rejected[0].mutation.id, 1);
    }

    #[test]
    fn a_reset_drops_canonical_records_but_keeps_pending_work() {
        let mut device = DeviceState::new(CLIENT);
        device.mutate(create(), 1_000).unwrap();
        let other = Record {
            collection: Collection::Customer,
            id: "5d7e8a40-0000-4000-8000-0000000000c2".into(),
            version: 3,
            fields: fields(json!({"name": "别人的客户"})),
            stamps: BTreeMap::new(),
        };
        device.apply_page(page(vec![other], false, 0), NOW);
        assert_eq!(device.canonical.len(), 1);
        let mut reset = page(vec![], false, 0);
        reset.reset = true;
        device.apply_page(reset, NOW);
        assert!(device.canonical.is_empty());
        assert_eq!(device.pending.len(), 1);
        assert_eq!(name(&device).as_deref(), Some("上海百货"));
    }

    #[test]
    fn pulled_stamps_move_the_clock_so_later_edits_win() {
        let mut device = DeviceState::new(CLIENT);
        let far = Hlc::new(9_000_000, 4, "5d7e8a40-0000-4000-8000-000000000002");
        let stored = Record {
            collection: Collection::Customer,
            id: CUSTOMER.into(),
            version: 1,
            fields: fields(json!({"name": "上海百货", "kind": "dealer", "tier": "B",
                "region_unit_id": UNIT, "owner_id": REP})),
            stamps: ["name", "kind", "tier", "region_unit_id", "owner_id"]
                .iter()
                .map(|f| ((*f).to_owned(), far.clone()))
                .collect(),
        };
        device.apply_page(page(vec![stored], false, 0), NOW);
        // This device's wall clock is far behind the other's stamp; its edit must still win.
        device.mutate(rename("新名字"), 1_000).unwrap();
        assert_eq!(name(&device).as_deref(), Some("新名字"));
    }

    /// A device that made `n` renames, had them all pushed and confirmed (kept), at `NOW`.
    fn confirmed_renames(n: u64) -> DeviceState {
        let mut device = DeviceState::new(CLIENT);
        for i in 0..n {
            device.mutate(rename(&format!("名{i}")), 1_000 + i).unwrap();
        }
        device.apply_push(&PushResponse {
            last_mutation_id: n,
            outcomes: (1..=n).map(|id| Outcome::Applied { id }).collect(),
        });
        device.apply_page(page(vec![], false, n), NOW);
        device
    }

    fn rewound(last_mutation_id: u64) -> PullResponse {
        let mut page = page(vec![], true, last_mutation_id);
        page.rewound = true;
        page.reset = true;
        page
    }

    #[test]
    fn confirmed_changes_are_kept_for_the_window_and_claimed_on_pulls() {
        let mut device = confirmed_renames(3);
        assert!(device.pending.is_empty());
        assert_eq!(device.kept.len(), 1);
        assert_eq!(device.kept[0].mutations.len(), 3);
        assert_eq!(device.pull_request(None).last_mutation_id, Some(3));
        // A later complete pull a week and a moment on lets the first batch go.
        device.mutate(rename("再改"), 2_000).unwrap();
        device.apply_page(page(vec![], false, 4), NOW + KEEP_MILLIS + 1);
        assert_eq!(device.kept.len(), 1);
        assert_eq!(device.kept[0].mutations[0].id, 4);
    }

    #[test]
    fn a_rewound_server_gets_what_it_lost_again_numbered_on_from_its_record() {
        let mut device = confirmed_renames(3);
        device.mutate(rename("离线改名"), 5_000).unwrap();
        device.mutate(rename("离线再改"), 5_001).unwrap();
        let stamps: Vec<Hlc> = device.kept[0].mutations[1..]
            .iter()
            .chain(&device.pending)
            .map(|m| m.hlc.clone())
            .collect();
        device.canonical.insert(
            target(),
            Record {
                collection: Collection::Customer,
                id: CUSTOMER.into(),
                version: 3,
                fields: Map::new(),
                stamps: BTreeMap::new(),
            },
        );
        // Restored to a backup in which the server had processed only the first of them.
        device.apply_page(rewound(1), NOW);
        assert_eq!(device.client_id, CLIENT);
        assert!(device.canonical.is_empty());
        assert_eq!(device.cursor, None);
        let ids: Vec<u64> = device.pending.iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            [2, 3, 4, 5],
            "2 and 3 again, then the two pending, on from 1"
        );
        let again: Vec<Hlc> = device.pending.iter().map(|m| m.hlc.clone()).collect();
        assert_eq!(again, stamps, "made when they were made");
        assert_eq!(device.outbox.next_id, 6);
        assert_eq!(device.outbox.processed, 1);
        let kept: Vec<u64> = device
            .kept
            .iter()
            .flat_map(|b| &b.mutations)
            .map(|m| m.id)
            .collect();
        assert_eq!(kept, [1], "what the server still has stays kept");
        // The next change continues the sequence with a later stamp.
        assert_eq!(device.mutate(rename("之后"), 1).unwrap(), 6);
        assert!(device.pending[4].hlc > device.pending[3].hlc);
    }

    #[test]
    fn a_second_restore_to_an_older_backup_gets_everything_again() {
        let mut device = confirmed_renames(3);
        device.mutate(rename("离线"), 5_000).unwrap();
        // The first restore kept 1..3 on the server; 4 was applied by the push before the pull.
        device.apply_page(rewound(4), NOW);
        assert!(device.pending.is_empty());
        // Then the server goes back to a backup that has only 1.
        device.apply_page(rewound(1), NOW);
        let ids: Vec<u64> = device.pending.iter().map(|m| m.id).collect();
        assert_eq!(ids, [2, 3, 4]);
    }

    #[test]
    fn a_recovery_keeps_the_verdicts_the_server_still_has() {
        let mut device = DeviceState::new(CLIENT);
        for name in ["甲", "乙", "丙"] {
            device.mutate(rename(name), 1_000).unwrap();
        }
        // Pushed, reply lost; the server then restored to a backup that holds 1 and 2, 2 refused.
        let mut page = rewound(2);
        page.rejections = vec![RejectedMutation {
            mutation_id: 2,
            reason: Rejection::new(RejectCode::NotFound, "no customers record"),
        }];
        let recovery = recover(&page, &device.pending, &[], &device.outbox);
        assert_eq!(recovery.resent, 0);
        assert_eq!(recovery.rejected.len(), 1);
        assert_eq!(recovery.rejected[0].mutation.id, 2);
        assert_eq!(recovery.kept.len(), 1, "1 is applied");
        assert_eq!(recovery.pending.len(), 1, "3 is lost");
        assert_eq!(recovery.pending[0].id, 3);
        assert_eq!(recovery.pending[0].hlc, device.pending[2].hlc);
    }

    #[test]
    fn a_reseeded_server_gets_every_kept_and_pending_change() {
        let mut device = confirmed_renames(2);
        device.mutate(rename("离线"), 5_000).unwrap();
        device.apply_page(rewound(0), NOW);
        let ids: Vec<u64> = device.pending.iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            [1, 2, 3],
            "a server that never knew the device: from 1"
        );
        // Changes confirmed longer ago than the window are not kept to send.
        let mut old = confirmed_renames(2);
        old.kept[0].confirmed_at = NOW - KEEP_MILLIS - 1;
        old.apply_page(page(vec![], false, 2), NOW);
        assert!(old.kept.is_empty());
    }
}
