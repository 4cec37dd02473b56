//! One mutation's decision: scope, permission and reference checks, the merge, the org tree's
//! invariant, then the writes it causes (a moved person's customers and open deals following them,
//! customer → children scope cascade, epoch bumps). Every check comes before the first write, so a
//! rejected mutation, or one that stops to have records read, leaves nothing behind.

use std::collections::HashSet;

use serde_json::Value;

use super::{PushDecision, ServerRecord, Wanted};
use crate::{
    domain::{breakdown_of, Collection},
    org_chart::reassign::follows_person,
    permission::{references, Action, Denial, Permissions},
    scope::{scope_facts, ScopeFacts},
    sync::{
        apply::{apply, Change, StoredRecord},
        hlc::Hlc,
        protocol::{Intent, RecordRef, RejectCode, Rejection, RescheduleArgs, SetFieldsArgs},
    },
    targets::approval::{adds_up, decomposer_facts, fits_parent, Breakdown, Refusal, SHAPE_FIELDS},
};

/// Why a breakdown is not approved, for the decider: each group that does not add up, by how much.
fn unapproved(refusal: &Refusal) -> String {
    match refusal {
        Refusal::DoesNotAddUp(off) => {
            let groups: Vec<String> = off
                .iter()
                .map(|(period, short)| {
                    if *short > 0 {
                        format!("the {period} targets fall {short} short of it")
                    } else {
                        format!("the {period} targets exceed it by {}", -short)
                    }
                })
                .collect();
            format!(
                "the breakdown does not add up to the target: {}",
                groups.join("; ")
            )
        }
        Refusal::NoChildren => "the target has no breakdown to approve".to_owned(),
        Refusal::CommentNeeded | Refusal::NotNext { .. } => {
            "the breakdown cannot move to this status".to_owned()
        }
    }
}

/// Why a mutation was not decided to a write.
pub(super) enum Failure {
    Rejected(Rejection),
    /// Records to read first; nothing has been written.
    Wants(Wanted),
}

impl From<Wanted> for Failure {
    fn from(wanted: Wanted) -> Self {
        Self::Wants(wanted)
    }
}

fn rejected(code: RejectCode, message: impl Into<String>) -> Failure {
    Failure::Rejected(Rejection::new(code, message))
}

fn denied(denial: Denial) -> Failure {
    Failure::Rejected(Rejection::denied(denial))
}

const OUTSIDE_SCOPE: &str = "this change would put the record outside what you may see";

/// The records a mutation reads: its target and every record its fields name (the customer it
/// hangs from, and the references the scope rule checks).
pub(super) fn keys_read_by(intent: &Intent) -> Vec<RecordRef> {
    let target = intent.target();
    let collection = target.collection;
    let mut keys = vec![target];
    let fields = match intent {
        Intent::Create(args) => Some(&args.fields),
        Intent::SetFields(args) => Some(&args.fields),
        _ => None,
    };
    if let Some(fields) = fields {
        keys.extend(
            references(collection, fields)
                .into_iter()
                .map(|(_, collection, id)| RecordRef { collection, id }),
        );
    }
    if let Intent::ReschedulePromotion(RescheduleArgs {
        move_store: Some(moved),
        ..
    }) = intent
    {
        keys.push(RecordRef {
            collection: Collection::Customer,
            id: moved.to.clone(),
        });
    }
    keys
}

fn changed(before: &StoredRecord, after: &StoredRecord, field: &str) -> bool {
    before.deleted != after.deleted || before.fields.get(field) != after.fields.get(field)
}

/// A record that follows a person to their new unit: its state and scope after, and the records
/// hanging from it (for a customer) whose scope follows in turn.
struct Follower {
    key: RecordRef,
    row: ServerRecord,
    old_scope: ScopeFacts,
    children: Vec<RecordRef>,
}

impl PushDecision<'_> {
    /// Decides one mutation stamped with its admitted clock. Returns the version written, if any.
    pub(super) fn decide(&mut self, intent: &Intent, hlc: &Hlc) -> Result<Option<i64>, Failure> {
        let target = intent.target();
        let collection = target.collection;
        let existing = self.ws.get(&target)?.cloned();
        // A record the author may not see is answered exactly like one that does not exist; a create
        // on its id like any create the author may not make there.
        if let Some(row) = &existing {
            if !self.viewer.can_see(collection, &row.scope, &self.org) {
                return Err(match intent {
                    Intent::Create(_) => rejected(RejectCode::Forbidden, OUTSIDE_SCOPE),
                    _ => rejected(
                        RejectCode::NotFound,
                        format!("no {} record {}", collection.as_str(), target.id),
                    ),
                });
            }
        }
        // Changes to a live record are checked against it as it is, before merging, so a stale edit
        // the author may not make is refused rather than silently dropped.
        let live = existing
            .as_ref()
            .filter(|row| !row.state.deleted)
            .map(|row| (&row.state.fields, &row.scope));
        if !matches!(intent, Intent::Create(_)) {
            self.permissions
                .check(&self.viewer, &self.org, intent, live, None)
                .map_err(denied)?;
        }
        let change = apply(existing.as_ref().map(|row| &row.state), intent, hlc)
            .map_err(Failure::Rejected)?;
        let Change::Write(next) = change else {
            return Ok(None);
        };
        let scope = if next.deleted {
            // A tombstone keeps the scope it had, so exactly those who saw the record learn of its
            // deletion.
            existing
                .as_ref()
                .map(|row| row.scope.clone())
                .unwrap_or_default()
        } else {
            let scope = self.ws.facts_for(collection, &next.fields)?;
            if matches!(intent, Intent::Create(_)) {
                self.permissions
                    .check(&self.viewer, &self.org, intent, None, Some(&scope))
                    .map_err(denied)?;
            }
            if !self.viewer.can_see(collection, &scope, &self.org) {
                return Err(rejected(RejectCode::Forbidden, OUTSIDE_SCOPE));
            }
            if !self.system {
                self.check_references(intent, existing.as_ref())?;
            }
            if let Some((before, _)) = live {
                self.permissions
                    .check_destination(
                        &self.viewer,
                        &self.org,
                        collection,
                        before,
                        &next.fields,
                        &scope,
                    )
                    .map_err(denied)?;
            }
            scope
        };

        if collection == Collection::Target {
            self.check_target(intent, existing.as_ref(), &next, &scope)?;
        }

        let new_parent = next.fields.get("parent_id").and_then(Value::as_str);
        if collection == Collection::OrgUnit && !next.deleted {
            if let Some(parent) = new_parent {
                if parent == target.id || self.org.is_within(parent, &target.id) {
                    return Err(rejected(
                        RejectCode::Invalid,
                        "an org unit cannot be placed below itself or one of its own sub-units",
                    ));
                }
            }
        }
        let moved_from = existing
            .as_ref()
            .filter(|before| before.scope != scope)
            .map(|before| before.scope.clone());
        // A customer that changes hands or units takes the records hanging from it along; they are
        // read before anything is written.
        let children = if collection == Collection::Customer && moved_from.is_some() {
            self.ws.scan(Wanted::ChildrenOf(target.id.clone()))?
        } else {
            Vec::new()
        };

        // A person who changes units takes their customers and open deals there along.
        let followers = match &existing {
            Some(before)
                if collection == Collection::User
                    && !before.state.deleted
                    && !next.deleted
                    && changed(&before.state, &next, "unit_id") =>
            {
                let unit = |state: &StoredRecord| {
                    state
                        .fields
                        .get("unit_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                self.followers(&target.id, &unit(&before.state), &unit(&next), hlc)?
            }
            _ => Vec::new(),
        };

        // Accepted: from here on only writes.
        if collection == Collection::OrgUnit {
            self.org
                .set_parent(&target.id, new_parent.filter(|_| !next.deleted));
            if new_parent.is_none() && !next.deleted {
                self.permissions = Permissions::from_company(&next.fields);
            }
        }
        self.version += 1;
        let written = self.version;
        self.ws.write(
            target.clone(),
            ServerRecord {
                version: written,
                state: next.clone(),
                scope: scope.clone(),
            },
            moved_from,
        );
        if collection == Collection::Customer {
            let owner = next.fields.get("owner_id").and_then(Value::as_str);
            if !next.deleted && owner == Some(self.viewer.user_id.as_str()) {
                self.viewer.own_customers.insert(target.id.clone());
            } else {
                self.viewer.own_customers.remove(&target.id);
            }
            self.cascade_customer_scope(children, &scope);
        }
        for follower in followers {
            self.version += 1;
            let scope = follower.row.scope.clone();
            let owner_customer = follower.key.collection == Collection::Customer;
            self.ws.write(
                follower.key,
                ServerRecord {
                    version: self.version,
                    ..follower.row
                },
                Some(follower.old_scope),
            );
            if owner_customer {
                self.cascade_customer_scope(follower.children, &scope);
            }
        }
        if let Some(before) = &existing {
            match collection {
                Collection::User
                    if changed(&before.state, &next, "role")
                        || changed(&before.state, &next, "unit_id") =>
                {
                    self.epochs.users.insert(target.id);
                }
                Collection::OrgUnit if changed(&before.state, &next, "parent_id") => {
                    self.epochs.everyone = true
                }
                _ => {}
            }
        }
        Ok(Some(written))
    }

    /// What follows `person` from unit `from` to `to` (`follows_person`), each change merged with
    /// the moving mutation's stamp and checked: the mover must be allowed to reassign the record
    /// where it is and where it goes.
    fn followers(
        &self,
        person: &str,
        from: &str,
        to: &str,
        hlc: &Hlc,
    ) -> Result<Vec<Follower>, Failure> {
        let mut followers = Vec::new();
        for key in self.ws.scan(Wanted::OwnedBy(person.to_owned()))? {
            let Some(row) = self.ws.get(&key)? else {
                continue;
            };
            let Some(fields) = follows_person(key.collection, &row.state.fields, from, to) else {
                continue;
            };
            let edit = Intent::SetFields(SetFieldsArgs {
                collection: key.collection,
                id: key.id.clone(),
                fields,
            });
            let Change::Write(state) =
                apply(Some(&row.state), &edit, hlc).map_err(Failure::Rejected)?
            else {
                continue;
            };
            if state.fields == row.state.fields {
                // A later write of the field by someone else stands.
                continue;
            }
            let scope = self.ws.facts_for(key.collection, &state.fields)?;
            for facts in [&row.scope, &scope] {
                if !self.system {
                    self.permissions
                        .need(
                            &self.viewer,
                            &self.org,
                            key.collection,
                            Action::Reassign,
                            facts,
                        )
                        .map_err(denied)?;
                }
            }
            let children = if key.collection == Collection::Customer {
                self.ws.scan(Wanted::ChildrenOf(key.id.clone()))?
            } else {
                Vec::new()
            };
            followers.push(Follower {
                old_scope: row.scope.clone(),
                row: ServerRecord {
                    version: row.version,
                    state,
                    scope,
                },
                key,
                children,
            });
        }
        Ok(followers)
    }

    /// The breakdown rules of a target (`targets::approval`): a change of what a target is (its
    /// value, period, metric, subject or parent, or its deletion) is made by whoever breaks its
    /// parent down, never while an approved breakdown holds it, and keeps it inside its parent; a
    /// breakdown is approved only when its children add up.
    fn check_target(
        &self,
        intent: &Intent,
        existing: Option<&ServerRecord>,
        next: &StoredRecord,
        scope: &ScopeFacts,
    ) -> Result<(), Failure> {
        let target = intent.target();
        if let Intent::DecideBreakdown(args) = intent {
            if Breakdown::parse(&args.status) == Some(Breakdown::Approved) {
                let mut children = Vec::new();
                for key in self.ws.scan(Wanted::Breakdown(target.id.clone()))? {
                    if let Some(row) = self.ws.get(&key)? {
                        let field = |name| row.state.fields.get(name);
                        let period = field("period").and_then(Value::as_str).unwrap_or("");
                        let value = field("value").and_then(Value::as_i64).unwrap_or(0);
                        children.push((period.to_owned(), value));
                    }
                }
                let parent = next.fields.get("value").and_then(Value::as_i64);
                let children: Vec<(&str, i64)> =
                    children.iter().map(|(p, v)| (p.as_str(), *v)).collect();
                adds_up(parent.unwrap_or(0), &children)
                    .map_err(|refusal| rejected(RejectCode::Invalid, unapproved(&refusal)))?;
            }
            return Ok(());
        }
        let empty = serde_json::Map::new();
        let live_before = existing.filter(|row| !row.state.deleted);
        let before = live_before.map_or(&empty, |row| &row.state.fields);
        let reshaped = next.deleted
            || SHAPE_FIELDS
                .iter()
                .any(|field| before.get(*field) != next.fields.get(*field));
        if !reshaped {
            return Ok(());
        }
        // The admin CLI (seed, import) writes whole sets, approved ones included, in any order.
        let frozen_for_author = !self.system;
        if frozen_for_author && breakdown_of(before) == Breakdown::Approved && live_before.is_some()
        {
            return Err(rejected(
                RejectCode::Invalid,
                "this target's breakdown is approved: its approver reopens it before the target changes",
            ));
        }
        // The target as it was and as it will be: each must be the mover's to set.
        let mut places = Vec::new();
        if let Some(row) = live_before {
            places.push((&row.state.fields, &row.scope, false));
        }
        if !next.deleted {
            places.push((&next.fields, scope, true));
        }
        for (fields, own, after) in places {
            let parent = match fields.get("parent_id").and_then(Value::as_str) {
                Some(id) => self
                    .ws
                    .get(&RecordRef {
                        collection: Collection::Target,
                        id: id.to_owned(),
                    })?
                    .filter(|row| !row.state.deleted),
                None => None,
            };
            if let Some(parent) = parent {
                if frozen_for_author && breakdown_of(&parent.state.fields) == Breakdown::Approved {
                    return Err(rejected(
                        RejectCode::Invalid,
                        "this target is part of an approved breakdown: its approver reopens it before it changes",
                    ));
                }
                if after {
                    fits_parent(&parent.state.fields, &next.fields)
                        .map_err(|misfit| rejected(RejectCode::Invalid, misfit.message()))?;
                }
            }
            if !self.system {
                let facts = decomposer_facts(&self.org, own, parent.map(|row| &row.scope));
                self.permissions
                    .need(
                        &self.viewer,
                        &self.org,
                        Collection::Target,
                        Action::Field("value"),
                        &facts,
                    )
                    .map_err(denied)?;
            }
        }
        Ok(())
    }

    /// A record may name only records its writer can see: every id a create sets, and every id an
    /// edit newly puts in a field. A missing and a hidden record get the same answer.
    fn check_references(
        &self,
        intent: &Intent,
        existing: Option<&ServerRecord>,
    ) -> Result<(), Failure> {
        let edit = match (intent, existing) {
            (Intent::ReschedulePromotion(_), Some(row)) => intent.as_edit(&row.state.fields),
            _ => None,
        };
        let (collection, fields) = match (intent, &edit) {
            (Intent::Create(args), _) => (args.collection, &args.fields),
            (Intent::SetFields(args), _) | (_, Some(Ok(args))) => (args.collection, &args.fields),
            _ => return Ok(()),
        };
        let named_before: HashSet<(&str, String)> = existing
            .map(|row| references(collection, &row.state.fields))
            .unwrap_or_default()
            .into_iter()
            .map(|(field, _, id)| (field, id))
            .collect();
        for (field, target, id) in references(collection, fields) {
            if named_before.contains(&(field, id.clone())) {
                continue;
            }
            let key = RecordRef {
                collection: target,
                id,
            };
            let visible = self.ws.get(&key)?.is_some_and(|row| {
                !row.state.deleted && self.viewer.can_see(target, &row.scope, &self.org)
            });
            if !visible {
                return Err(denied(Denial::Reference {
                    collection,
                    field: field.to_owned(),
                }));
            }
        }
        Ok(())
    }

    /// The records hanging from a customer that moved take their scope from it, each with its own
    /// version and move.
    fn cascade_customer_scope(&mut self, children: Vec<RecordRef>, customer_scope: &ScopeFacts) {
        for key in children {
            let Ok(Some(row)) = self.ws.get(&key) else {
                continue;
            };
            let scope = scope_facts(key.collection, &row.state.fields, Some(customer_scope));
            if scope != row.scope {
                let row = row.clone();
                self.version += 1;
                self.ws.write(
                    key,
                    ServerRecord {
                        version: self.version,
                        state: row.state,
                        scope,
                    },
                    Some(row.scope),
                );
            }
        }
    }
}
