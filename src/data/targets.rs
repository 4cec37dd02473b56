//! The actuals targets are followed by (目标达成): every sale, new customer, visit and deal on the
//! device, summed by core's `targets::actuals` per person, dealer and unit (and every unit above
//! it) and month, kept for the session and followed record by record. The targets themselves are
//! read straight from their collection, so editing one does not touch the actuals.

use std::collections::HashMap;

use leptos::prelude::*;
use yingxiao_core::{
    domain::Collection,
    scope::OrgTree,
    targets::actuals::{Actuals, Ledger},
};

use super::{
    cache::Rows,
    evaluation::now_ms,
    records::{text, watch_collection, Loaded},
    sync::Data,
};

/// The actuals the user's records add up to, kept for the session and followed record by record
/// (core's `Ledger`): a new or changed order, customer, visit or deal is taken out and put back on
/// its own; a change of the organisation, or anything the read models loaded whole, indexes again.
#[derive(Clone, Copy)]
pub struct ActualsHandle {
    ledger: StoredValue<Ledger>,
    /// Moves on with every change of the ledger; reading through `with` follows it.
    revision: RwSignal<u64>,
    state: RwSignal<Loaded<()>>,
    /// How long the last update took, in ms, and whether it indexed everything again.
    pub last_ms: RwSignal<(f64, bool)>,
}

impl ActualsHandle {
    /// Reads the actuals (tracked): `None` until they are indexed.
    pub fn with<R>(&self, f: impl FnOnce(&Actuals) -> R) -> Option<R> {
        self.revision.track();
        match self.state.get() {
            Loaded::Ready(()) => Some(self.ledger.with_value(|l| f(l.actuals()))),
            _ => None,
        }
    }

    /// Loading, failed, or ready (tracked).
    pub fn state(&self) -> Loaded<()> {
        self.state.get()
    }
}

/// The collections whose records count toward a target, after the units and people (in this
/// order in the generations a ledger has seen).
const FOLLOWED: [Collection; 7] = [
    Collection::OrgUnit,
    Collection::User,
    Collection::Order,
    Collection::Customer,
    Collection::Visit,
    Collection::Opportunity,
    Collection::PastActual,
];

/// The actuals the user's records add up to, for the session.
pub(crate) fn use_actuals(data: Data) -> ActualsHandle {
    data.model("actuals", || {
        let watched = FOLLOWED.map(|c| watch_collection(data, c));
        let handle = ActualsHandle {
            ledger: StoredValue::new(Ledger::default()),
            revision: RwSignal::new(0),
            state: RwSignal::new(Loaded::Loading),
            last_ms: RwSignal::new((0.0, false)),
        };
        // The generations the ledger holds (0: never indexed).
        let seen = StoredValue::new([0u64; FOLLOWED.len()]);
        Effect::new(move |_| {
            // Not computed on what a first sync has brought so far.
            if data.first_sync.get().is_some() {
                handle.state.set(Loaded::Loading);
                return;
            }
            let mut rows: Vec<Rows> = Vec::with_capacity(watched.len());
            for w in &watched {
                match w.get() {
                    None => {
                        handle.state.set(Loaded::Loading);
                        return;
                    }
                    Some(Ok(r)) => rows.push(r),
                    Some(Err(error)) => {
                        handle
                            .state
                            .set(Loaded::from_read(Some(Err(error)), || data.status.get()));
                        return;
                    }
                }
            }
            let started = now_ms();
            let now = FOLLOWED.map(|c| data.generation(c));
            let before = seen.get_value();
            // What changed record by record, per counted collection; `None`: index everything.
            let mut patches = Some(Vec::new());
            if before[0] != now[0] || before[1] != now[1] {
                patches = None;
            }
            for k in 2..FOLLOWED.len() {
                if before[k] == now[k] {
                    continue;
                }
                match (&mut patches, data.patched_since(FOLLOWED[k], before[k])) {
                    (Some(list), Some(ids)) => list.push((k, ids)),
                    _ => patches = None,
                }
            }
            let whole = patches.is_none();
            handle.ledger.update_value(|ledger| match patches {
                Some(list) => {
                    let changed: Vec<(Collection, &Rows, Vec<String>)> = list
                        .into_iter()
                        .map(|(k, ids)| (FOLLOWED[k], &rows[k], ids))
                        .collect();
                    put_changed(ledger, &rows[0], &rows[1], &changed);
                }
                None => *ledger = index_actuals(&rows[0], &rows[1], &rows[2..]),
            });
            seen.set_value(now);
            handle.last_ms.set((now_ms() - started, whole));
            handle.state.set(Loaded::Ready(()));
            handle.revision.update(|n| *n += 1);
        });
        handle
    })
}

fn org_tree(units: &Rows) -> OrgTree {
    OrgTree::new(units.iter().filter_map(|(id, unit)| {
        let parent = text(&unit.fields, "parent_id");
        (!parent.is_empty()).then(|| (id.clone(), parent.to_owned()))
    }))
}

fn units_of_people(users: &Rows) -> HashMap<&str, &str> {
    users
        .iter()
        .map(|(id, user)| (id.as_str(), text(&user.fields, "unit_id")))
        .collect()
}

/// Takes the records that changed out of the ledger and puts them back as `rows` hold them now
/// (gone: left out): each changed collection with its rows and the ids that changed.
pub fn put_changed(
    ledger: &mut Ledger,
    units: &Rows,
    users: &Rows,
    changed: &[(Collection, &Rows, Vec<String>)],
) {
    let org = org_tree(units);
    let unit_of = units_of_people(users);
    for (collection, rows, ids) in changed {
        for id in ids {
            let at = rows.binary_search_by(|(other, _)| other.as_str().cmp(id));
            let fields = at
                .ok()
                .map(|at| &rows[at].1)
                .filter(|r| !r.deleted)
                .map(|r| &r.fields);
            ledger.put(*collection, id, fields, &org, |user| {
                unit_of.get(user).map(|u| (*u).to_owned())
            });
        }
    }
}

/// Sums what the records of `counted` (orders, customers, visits, deals, past actuals, in that
/// order) add
/// toward targets, all at once: what the ledger does when it indexes everything again.
pub fn index_actuals(units: &Rows, users: &Rows, counted: &[Rows]) -> Ledger {
    let org = org_tree(units);
    let unit_of = units_of_people(users);
    let mut ledger = Ledger::default();
    for (k, rows) in counted.iter().enumerate() {
        for (id, record) in rows.iter().filter(|(_, r)| !r.deleted) {
            ledger.put(FOLLOWED[k + 2], id, Some(&record.fields), &org, |user| {
                unit_of.get(user).map(|u| (*u).to_owned())
            });
        }
    }
    ledger
}
