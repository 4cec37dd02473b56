//! The device's half of the sync protocol, as plain functions over plain data. The web app keeps this
//! state in IndexedDB and the simulation keeps it in memory; both change it only through these
//! functions, so the rules are written once:
//!
//! - **canonical** records are what the last pull said, never edited locally;
//! - **pending** mutations are the device's unconfirmed work, in id order; what a user sees is the
//!   canonical record with its pending mutations replayed through the server's own `apply`;
//! - a mutation leaves pending when the server **rejected** it (it moves to the rejected list, for the
//!   user to see) or when a pull that reached the end reports it processed (its effect is then in the
//!   canonical records, so the view does not flicker back to the old state in between).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    apply::{apply, Change, StoredRecord},
    hlc::{Hlc, HlcClock},
    protocol::{
        Intent, Mutation, Outcome, PullResponse, PushResponse, Record, RecordRef, Rejection,
        MAX_MUTATIONS_PER_PUSH,
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
}

impl Outbox {
    pub fn new(client_id: &str) -> Self {
        Self {
            next_id: 1,
            clock: Hlc::new(0, 0, client_id),
        }
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
    pub cursor: String,
    pub has_more: bool,
}

impl PageEffects {
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

/// Reads a pull page against the pending log.
pub fn settle_page(pending: &[Mutation], page: PullResponse) -> PageEffects {
    let rejected = page
        .rejections
        .iter()
        .filter_map(|rejection| {
            let mutation = pending.iter().find(|m| m.id == rejection.mutation_id)?;
            Some(RejectedChange {
                mutation: mutation.clone(),
                reason: rejection.reason.clone(),
            })
        })
        .collect();
    let mut forget = page.deleted;
    forget.extend(page.removed);
    PageEffects {
        reset: page.reset,
        put: page.records,
        forget,
        rejected,
        confirmed_up_to: (!page.has_more).then_some(page.last_mutation_id),
        cursor: page.cursor,
        has_more: page.has_more,
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
        let settled = settle_push(&self.pending, reply);
        self.pending
            .retain(|m| !settled.rejected.iter().any(|r| r.mutation.id == m.id));
        self.rejected.extend(settled.rejected);
    }

    pub fn apply_page(&mut self, page: PullResponse) {
        let effects = settle_page(&self.pending, page);
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
        device.apply_page(page(vec![], true, 1));
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
        device.apply_page(page(vec![record], false, 1));
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
        device.apply_page(repeat);
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
        device.apply_page(lost_reply);
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
        device.apply_page(page(vec![other], false, 0));
        assert_eq!(device.canonical.len(), 1);
        let mut reset = page(vec![], false, 0);
        reset.reset = true;
        device.apply_page(reset);
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
        device.apply_page(page(vec![stored], false, 0));
        // This device's wall clock is far behind the other's stamp; its edit must still win.
        device.mutate(rename("新名字"), 1_000).unwrap();
        assert_eq!(name(&device).as_deref(), Some("新名字"));
    }
}
