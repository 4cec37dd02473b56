//! The actuals targets are followed by (目标达成): every sale, new customer, visit and deal on the
//! device, summed by core's `targets::actuals` per person, dealer and unit (and every unit above
//! it) and month — once per change of those records or the org, kept for the session. The targets
//! themselves are read straight from their collection, so editing one does not index again.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use yingxiao_core::{
    domain::Collection,
    scope::OrgTree,
    targets::actuals::{contributions, made_on, Actuals},
};

use super::{
    cache::Rows,
    records::{text, watch_collection, Loaded, Shared},
    sync::Data,
};

/// What targets are followed by.
#[derive(Debug, Default)]
pub struct ActualsModel {
    pub actuals: Actuals,
    /// How long indexing the actuals took, in ms.
    pub index_ms: f64,
}

/// The collections whose records count toward a target.
const COUNTED: [Collection; 4] = [
    Collection::Order,
    Collection::Customer,
    Collection::Visit,
    Collection::Opportunity,
];

pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Sums what the records of `counted` (in `COUNTED`'s order) add toward targets.
pub fn index_actuals(units: &Rows, users: &Rows, counted: &[Rows]) -> Actuals {
    let org = OrgTree::new(units.iter().filter_map(|(id, unit)| {
        let parent = text(&unit.fields, "parent_id");
        (!parent.is_empty()).then(|| (id.clone(), parent.to_owned()))
    }));
    let unit_of: HashMap<&str, &str> = users
        .iter()
        .map(|(id, user)| (id.as_str(), text(&user.fields, "unit_id")))
        .collect();
    let mut actuals = Actuals::default();
    for (collection, rows) in COUNTED.iter().zip(counted) {
        for (id, record) in rows.iter().filter(|(_, r)| !r.deleted) {
            for contribution in contributions(*collection, &record.fields, made_on(id)) {
                actuals.add(
                    &contribution,
                    &org,
                    |user| unit_of.get(user).map(|u| (*u).to_owned()),
                    1,
                );
            }
        }
    }
    actuals
}

/// The actuals the user's records add up to, once per change of them.
pub(crate) fn use_actuals(data: Data) -> Memo<Loaded<Shared<ActualsModel>>> {
    data.model("actuals", || {
        let watched = [
            Collection::OrgUnit,
            Collection::User,
            Collection::Order,
            Collection::Customer,
            Collection::Visit,
            Collection::Opportunity,
        ]
        .map(|c| watch_collection(data, c));
        Memo::new(move |_| {
            // Not computed on what a first sync has brought so far.
            if data.first_sync.get().is_some() {
                return Loaded::Loading;
            }
            let mut rows: Vec<Rows> = Vec::with_capacity(watched.len());
            for w in &watched {
                match w.get() {
                    None => return Loaded::Loading,
                    Some(Ok(r)) => rows.push(r),
                    Some(Err(error)) => {
                        return Loaded::from_read(Some(Err(error)), || data.status.get());
                    }
                }
            }
            let started = now_ms();
            let actuals = index_actuals(&rows[0], &rows[1], &rows[2..]);
            Loaded::Ready(Shared(Arc::new(ActualsModel {
                actuals,
                index_ms: now_ms() - started,
            })))
        })
    })
}
