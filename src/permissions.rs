//! What the signed-in user may do (权限), the one place the web app asks: the company's permission
//! table (core's defaults with the overrides kept on the company org unit), the user as the scope rule
//! sees them and the org tree, all read from the device. Pages call `can` / `can_set_field` with a
//! record's facts and hide what is refused; the rules themselves are core's (`yingxiao_core::permission`).

use std::{
    collections::{BTreeMap, HashSet},
    sync::Arc,
};

use leptos::prelude::*;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    permission::{Action, Denial, Permissions},
    scope::{scope_facts, OrgTree, Role, ScopeFacts, Viewer},
};

use crate::{
    data::records::{text, watch_collection},
    data::sync::Data,
    session::SessionState,
};

/// The company unit as the device has it: its id and fields.
pub type Company = (String, Map<String, Value>);

/// The company unit among the org units: the one of kind `company`.
pub fn company_of(units: &[(String, yingxiao_core::sync::apply::StoredRecord)]) -> Option<Company> {
    units
        .iter()
        .find(|(_, unit)| text(&unit.fields, "kind") == "company")
        .map(|(id, unit)| (id.clone(), unit.fields.clone()))
}

/// What the table is computed from, compared by value so a sync that changed none of it recomputes
/// nothing downstream.
#[derive(Clone, Debug, Default, PartialEq)]
struct Inputs {
    me: Option<(String, Role, String)>,
    parents: Vec<(String, String)>,
    company: Option<Company>,
    own_customers: Vec<String>,
}

/// The effective table and who asks, as of the device's data.
#[derive(Debug)]
pub struct State {
    pub table: Permissions,
    pub org: OrgTree,
    pub viewer: Option<Viewer>,
    pub company: Option<Company>,
}

impl State {
    fn from_inputs(inputs: Inputs) -> Self {
        let table = inputs
            .company
            .as_ref()
            .map(|(_, fields)| Permissions::from_company(fields))
            .unwrap_or_default();
        let viewer = inputs.me.map(|(user_id, role, unit_id)| Viewer {
            user_id,
            role,
            unit_id,
            own_customers: inputs.own_customers.into_iter().collect::<HashSet<_>>(),
        });
        Self {
            table,
            org: OrgTree::new(inputs.parents),
            viewer,
            company: inputs.company,
        }
    }

    /// May the user take `action` on a record of `collection` with these facts (for `Create`, the
    /// new record's)? Without facts: on some record of the collection at all.
    pub fn can(&self, collection: Collection, action: Action, facts: Option<&ScopeFacts>) -> bool {
        let Some(viewer) = &self.viewer else {
            return false;
        };
        match facts {
            Some(facts) => self
                .table
                .allows(viewer, &self.org, collection, action, facts),
            None => self.table.role_may(viewer.role, collection, action),
        }
    }

    /// Would the user still see a record with these facts (after a reassignment)?
    pub fn sees(&self, collection: Collection, facts: &ScopeFacts) -> bool {
        self.viewer
            .as_ref()
            .is_some_and(|viewer| viewer.can_see(collection, facts, &self.org))
    }
}

/// The state compared by identity: it is rebuilt only when its inputs changed.
#[derive(Clone, Debug)]
struct Shared(Arc<State>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The signed-in user's rights, in context (`use_access`). Every read is tracked, so views follow a
/// change of the company's overrides or of the user's customers as soon as it is synced.
#[derive(Clone, Copy)]
pub struct Access {
    state: Memo<Shared>,
}

impl Access {
    /// Follows the org units and the user's own customers on the device, and the session.
    pub fn new(data: Data, session: SessionState) -> Self {
        let units = watch_collection(data, Collection::OrgUnit);
        let customers = watch_collection(data, Collection::Customer);
        let inputs = Memo::new(move |_| {
            let me = session
                .get()
                .map(|s| (s.user.user_id, s.user.role, s.user.unit_id));
            let (parents, company) = units.with(|read| {
                let records = read.as_ref().and_then(|r| r.as_ref().ok());
                let parents = records
                    .into_iter()
                    .flatten()
                    .filter(|(_, unit)| !text(&unit.fields, "parent_id").is_empty())
                    .map(|(id, unit)| (id.clone(), text(&unit.fields, "parent_id").to_owned()))
                    .collect::<BTreeMap<_, _>>()
                    .into_iter()
                    .collect();
                (parents, records.and_then(|r| company_of(r)))
            });
            let mine = me
                .as_ref()
                .map(|(id, _, _)| id.as_str())
                .unwrap_or_default();
            let own_customers = customers.with(|read| {
                let mut ids: Vec<String> = read
                    .as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .into_iter()
                    .flat_map(|rows| rows.iter())
                    .filter(|(_, customer)| {
                        !mine.is_empty() && text(&customer.fields, "owner_id") == mine
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                ids.sort();
                ids
            });
            Inputs {
                me,
                parents,
                company,
                own_customers,
            }
        });
        let state = Memo::new(move |_| Shared(Arc::new(State::from_inputs(inputs.get()))));
        Self { state }
    }

    /// Reads the state (tracked).
    pub fn with<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        self.state.with(|shared| f(&shared.0))
    }

    /// See `State::can`.
    pub fn can(&self, collection: Collection, action: Action, facts: Option<&ScopeFacts>) -> bool {
        self.with(|state| state.can(collection, action, facts))
    }

    /// May the user change `field` of a record with these facts (what `Action::for_field` needs)?
    pub fn can_set_field(
        &self,
        collection: Collection,
        field: &str,
        facts: Option<&ScopeFacts>,
    ) -> bool {
        self.can(collection, Action::for_field(collection, field), facts)
    }

    /// May the user give `field` a value when creating a record with these facts? Creating needs
    /// `Create` only, except for sensitive and approval fields, which need their own grant.
    pub fn can_set_on_create(
        &self,
        collection: Collection,
        field: &str,
        facts: &ScopeFacts,
    ) -> bool {
        // Any value past an approval field's first needs `Approve`; a form offers the field only then.
        match Action::for_field(collection, field) {
            action @ (Action::Field(_) | Action::Approve) => {
                self.can(collection, action, Some(facts))
            }
            _ => true,
        }
    }

    /// May the user change any of `fields` of a record with these facts (is there an edit to offer)?
    pub fn can_edit_any(
        &self,
        collection: Collection,
        fields: &[&str],
        facts: &ScopeFacts,
    ) -> bool {
        self.with(|state| {
            fields.iter().any(|field| {
                state.can(
                    collection,
                    Action::for_field(collection, field),
                    Some(facts),
                )
            })
        })
    }

    /// Would the user still see a record with these facts?
    pub fn sees(&self, collection: Collection, facts: &ScopeFacts) -> bool {
        self.with(|state| state.sees(collection, facts))
    }

    /// The signed-in user, as the scope rule sees them.
    pub fn viewer(&self) -> Option<Viewer> {
        self.with(|state| state.viewer.clone())
    }

    /// The company unit on the device.
    pub fn company(&self) -> Option<Company> {
        self.with(|state| state.company.clone())
    }

    /// May the user take `action` on the company unit (its funnel settings, the overrides)?
    pub fn can_on_company(&self, action: Action) -> bool {
        self.with(|state| {
            state.company.as_ref().is_some_and(|(_, fields)| {
                let facts = scope_facts(Collection::OrgUnit, fields, None);
                state.can(Collection::OrgUnit, action, Some(&facts))
            })
        })
    }

    /// Why the user may not take `action` on `collection` at all, in their language's words.
    pub fn refusal(&self, collection: Collection, action: Action) -> Option<Denial> {
        self.with(|state| {
            let viewer = state.viewer.as_ref()?;
            Some(Denial::Action {
                role: viewer.role,
                collection,
                action,
                extent: state.table.extent(viewer.role, collection, action),
            })
        })
    }
}

pub fn use_access() -> Access {
    expect_context::<Access>()
}
