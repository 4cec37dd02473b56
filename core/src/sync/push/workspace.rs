//! The records a push reads and writes, held in memory: supplied by whoever stores them, changed by
//! the decision, handed back as the writes to make.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::{ScopeMove, ServerRecord, Wanted};
use crate::{
    domain::Collection,
    scope::{scope_facts, ScopeFacts},
    sync::protocol::RecordRef,
};

#[derive(Debug, Default)]
pub(super) struct Workspace {
    /// What is known of each record; `None` means it was never stored.
    rows: HashMap<RecordRef, Option<ServerRecord>>,
    /// The scans (every `Wanted` but `Records`) whose records have been read.
    scanned: HashSet<Wanted>,
    /// Records written by this push, in first-write order.
    dirty: Vec<RecordRef>,
    moves: Vec<ScopeMove>,
}

impl Workspace {
    /// The keys not held yet, each once, in the order given.
    pub(super) fn unknown(&self, keys: Vec<RecordRef>) -> Vec<RecordRef> {
        let mut seen = HashSet::new();
        keys.into_iter()
            .filter(|key| !self.rows.contains_key(key) && seen.insert(key.clone()))
            .collect()
    }

    /// Takes in stored rows; of the keys `asked`, those not found were never stored. A record this
    /// push already holds keeps its state here, which may be newer than the stored one.
    pub(super) fn load(
        &mut self,
        found: impl IntoIterator<Item = (RecordRef, ServerRecord)>,
        asked: Vec<RecordRef>,
    ) {
        for (key, row) in found {
            self.rows.entry(key).or_insert(Some(row));
        }
        for key in asked {
            self.rows.entry(key).or_insert(None);
        }
    }

    /// Takes in the stored records a scan found.
    pub(super) fn load_scan(
        &mut self,
        found: impl IntoIterator<Item = (RecordRef, ServerRecord)>,
        scan: Wanted,
    ) {
        self.load(found, Vec::new());
        self.scanned.insert(scan);
    }

    /// The live records a scan answers as this push leaves them (stored ones once read, and those
    /// this push wrote), in key order so versions are given out the same way every time; the scan
    /// itself when it has not been read yet.
    pub(super) fn scan(&self, scan: Wanted) -> Result<Vec<RecordRef>, Wanted> {
        if !self.scanned.contains(&scan) {
            return Err(scan);
        }
        let mut keys: Vec<RecordRef> = self
            .rows
            .iter()
            .filter(|(key, row)| row.as_ref().is_some_and(|row| scan.answers(key, row)))
            .map(|(key, _)| key.clone())
            .collect();
        keys.sort();
        Ok(keys)
    }

    /// A record as this push sees it, or what to read first.
    pub(super) fn get(&self, key: &RecordRef) -> Result<Option<&ServerRecord>, Wanted> {
        match self.rows.get(key) {
            Some(row) => Ok(row.as_ref()),
            None => Err(Wanted::Records(vec![key.clone()])),
        }
    }

    /// The customers that the records held hang from.
    pub(super) fn parents(&self) -> Vec<RecordRef> {
        self.rows
            .values()
            .flatten()
            .filter_map(|row| row.scope.customer_id.clone())
            .map(|id| RecordRef {
                collection: Collection::Customer,
                id,
            })
            .collect()
    }

    /// Live customers held whose owner is `user_id` (a rep's view of their own customers).
    pub(super) fn owned_customers(&self, user_id: &str) -> HashSet<String> {
        self.rows
            .iter()
            .filter(|(key, _)| key.collection == Collection::Customer)
            .filter_map(|(key, row)| {
                let row = row.as_ref()?;
                let owner = row.state.fields.get("owner_id").and_then(Value::as_str);
                (!row.state.deleted && owner == Some(user_id)).then(|| key.id.clone())
            })
            .collect()
    }

    /// The scope facts of a record with these fields; records hanging from a customer inherit from it.
    pub(super) fn facts_for(
        &self,
        collection: Collection,
        fields: &Map<String, Value>,
    ) -> Result<ScopeFacts, Wanted> {
        let own = scope_facts(collection, fields, None);
        let parent = match &own.customer_id {
            Some(customer) if collection != Collection::Customer => self
                .get(&RecordRef {
                    collection: Collection::Customer,
                    id: customer.clone(),
                })?
                .filter(|row| !row.state.deleted)
                .map(|row| &row.scope),
            _ => None,
        };
        let mut facts = scope_facts(collection, fields, parent);
        if collection == Collection::Promotion {
            facts.store_units = self.store_units(fields)?;
        }
        Ok(facts)
    }

    /// The units of the live stores a promotion's fields list, sorted and once each; any store not
    /// yet read is asked for, all in one go.
    fn store_units(&self, fields: &Map<String, Value>) -> Result<Vec<String>, Wanted> {
        let keys: Vec<RecordRef> = crate::domain::id_list(fields, "store_ids")
            .into_iter()
            .map(|id| RecordRef {
                collection: Collection::Customer,
                id: id.to_owned(),
            })
            .collect();
        let missing: Vec<RecordRef> = keys
            .iter()
            .filter(|key| !self.rows.contains_key(*key))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(Wanted::Records(missing));
        }
        let mut units: Vec<String> = keys
            .iter()
            .filter_map(|key| self.rows.get(key)?.as_ref())
            .filter(|row| !row.state.deleted)
            .filter_map(|row| row.scope.unit_id.clone())
            .collect();
        units.sort();
        units.dedup();
        Ok(units)
    }

    /// Stores a record's new state; `old_scope` when it changed scope, for the move log.
    pub(super) fn write(
        &mut self,
        key: RecordRef,
        row: ServerRecord,
        old_scope: Option<ScopeFacts>,
    ) {
        if let Some(old_scope) = old_scope {
            self.moves.push(ScopeMove {
                version: row.version,
                record: key.clone(),
                old_scope,
            });
        }
        if !self.dirty.contains(&key) {
            self.dirty.push(key.clone());
        }
        self.rows.insert(key, Some(row));
    }

    /// The records written, in their final state, and the scope moves.
    pub(super) fn into_writes(mut self) -> (Vec<(RecordRef, ServerRecord)>, Vec<ScopeMove>) {
        let records = self
            .dirty
            .into_iter()
            .filter_map(|key| {
                let row = self.rows.remove(&key).flatten()?;
                Some((key, row))
            })
            .collect();
        (records, self.moves)
    }
}
