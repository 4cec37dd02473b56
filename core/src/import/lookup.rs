//! How an import finds the records a file refers to by code, name, login, employee no. or SKU.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::domain::Collection;

/// More than one record answers to a key (two users named 张伟); the row must use a unique key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ambiguous {
    /// How many records matched.
    pub matches: usize,
}

/// The caller's view of the records that already exist, for resolving references in a file.
///
/// `key` is a cell's trimmed text; a cell that looks like a UUID is passed lowercased. Return the
/// id of the one record of `collection` whose id or one of its natural keys (`natural_keys`) equals
/// `key`, `Ok(None)` if there is none, `Err(Ambiguous)` if there are several. Logins compare without
/// letter case (the server stores them lowercased); everything else compares exactly.
///
/// [`RecordIndex`] is a ready implementation over records the caller loads; a closure of the same
/// signature is one too.
pub trait Lookup {
    fn resolve(&self, collection: Collection, key: &str) -> Result<Option<String>, Ambiguous>;

    /// The org unit an existing record sits in: a user's unit, a customer's region, an org unit's
    /// parent. An import of orders and targets places its rows by it. `None` when not known.
    fn unit_of(&self, _collection: Collection, _id: &str) -> Option<String> {
        None
    }

    /// Whether an existing org unit is a store (门店), which the targets sheet folds into its area.
    fn is_store(&self, _unit_id: &str) -> bool {
        false
    }

    /// The stored past actuals of one metric and month (`YYYY-MM-01`): whom each is for and where.
    fn past_actuals(&self, _metric: &str, _month: &str) -> Vec<Figure> {
        Vec::new()
    }

    /// The one record of `collection` whose key `field` (one of `natural_keys`) is `key`, for
    /// finding the record a row updates. A lookup that cannot tell its keys apart answers as
    /// `resolve` does.
    fn find(
        &self,
        collection: Collection,
        _field: &'static str,
        key: &str,
    ) -> Result<Option<String>, Ambiguous> {
        self.resolve(collection, key)
    }

    /// A stored record's fields, to tell what a row would change; `None` when not known, and then
    /// every field the row gives counts as changed.
    fn stored(&self, _collection: Collection, _id: &str) -> Option<&Map<String, Value>> {
        None
    }
}

/// A past actual as the import weighs a new one against it: its subject and the unit it counts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    pub subject_kind: String,
    pub subject_id: String,
    pub unit_id: String,
}

impl Figure {
    /// The unit whose figure this is or lies in: a unit's own, a person's or dealer's unit.
    pub(super) fn cover(&self) -> &str {
        if self.subject_kind == "unit" {
            &self.subject_id
        } else {
            &self.unit_id
        }
    }
}

impl<F> Lookup for F
where
    F: Fn(Collection, &str) -> Result<Option<String>, Ambiguous>,
{
    fn resolve(&self, collection: Collection, key: &str) -> Result<Option<String>, Ambiguous> {
        self(collection, key)
    }
}

/// The fields by which a file may name a record of `collection`, besides its id: org units by code or
/// name, users by employee no., login or name, customers by their id in the company's old system
/// (外部编号) or name, products by SKU or name, deals by external id, orders by number. Other
/// collections only by id.
pub fn natural_keys(collection: Collection) -> &'static [&'static str] {
    match collection {
        Collection::OrgUnit => &["code", "name"],
        Collection::User => &["employee_no", "login", "name"],
        Collection::Customer => &["external_id", "name"],
        Collection::Product => &["sku", "name"],
        Collection::Opportunity => &["external_id"],
        Collection::Order => &["order_no"],
        Collection::Target | Collection::PastActual => &[TARGET_SLOT],
        _ => &[],
    }
}

/// The fields whose value must not repeat within a collection: an org unit's code, a user's login
/// and employee no., a customer's and a deal's external id, a product's SKU, an order's number, and
/// a target's slot (one target per subject, metric and period). They are also what identifies the
/// stored record a row updates.
pub(super) fn unique_keys(collection: Collection) -> &'static [&'static str] {
    match collection {
        Collection::OrgUnit => &["code"],
        Collection::User => &["login", "employee_no"],
        Collection::Customer | Collection::Opportunity => &["external_id"],
        Collection::Product => &["sku"],
        Collection::Order => &["order_no"],
        Collection::Target | Collection::PastActual => &[TARGET_SLOT],
        _ => &[],
    }
}

/// A target's (or a past actual's) key that is no field of its own: its subject, metric and period together.
pub const TARGET_SLOT: &str = "slot";

/// The slot of a target: whom it is set for, what it measures, and which period.
pub fn target_slot(
    subject_kind: &str,
    subject_id: &str,
    metric: &str,
    period: &str,
    period_start: &str,
) -> String {
    format!("{subject_kind} {subject_id} {metric} {period} {period_start}")
}

/// The value of a key field of a record: a field's text, or a target's slot.
pub(super) fn key_of(
    collection: Collection,
    fields: &Map<String, Value>,
    field: &str,
) -> Option<String> {
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    if field == TARGET_SLOT {
        let (period, start) = match collection {
            Collection::Target => (text("period")?, text("period_start")?),
            Collection::PastActual => ("month", text("month")?),
            _ => return None,
        };
        return Some(target_slot(
            text("subject_kind")?,
            text("subject_id")?,
            text("metric")?,
            period,
            start,
        ));
    }
    text(field).map(str::to_owned)
}

/// A key as it is compared: trimmed and half-width (`ＨＤ` is `HD`); a login in its one stored
/// form (`account::normalise_login`).
pub(super) fn normalise(field: &str, key: &str) -> String {
    let key = super::mapping::half_width(key);
    if field == "login" {
        crate::account::normalise_login(&key).unwrap_or_else(|_| key.to_lowercase())
    } else {
        key
    }
}

/// Entries by (collection, key field, key), each entry once per key even if added twice.
#[derive(Clone, Debug)]
pub(super) struct KeyIndex<V> {
    entries: HashMap<(Collection, &'static str, String), Vec<V>>,
}

impl<V> Default for KeyIndex<V> {
    fn default() -> Self {
        KeyIndex {
            entries: HashMap::new(),
        }
    }
}

impl<V: Clone + PartialEq> KeyIndex<V> {
    /// Files `value` under each natural key the record's fields carry.
    pub(super) fn add(&mut self, collection: Collection, fields: &Map<String, Value>, value: &V) {
        for &field in natural_keys(collection) {
            if let Some(key) = key_of(collection, fields, field) {
                self.add_key(collection, field, &key, value);
            }
        }
    }

    pub(super) fn add_key(
        &mut self,
        collection: Collection,
        field: &'static str,
        key: &str,
        value: &V,
    ) {
        let key = normalise(field, key);
        if key.is_empty() {
            return;
        }
        let entry = self.entries.entry((collection, field, key)).or_default();
        if !entry.contains(value) {
            entry.push(value.clone());
        }
    }

    /// Everything filed under `key` in one key field.
    pub(super) fn get(&self, collection: Collection, field: &'static str, key: &str) -> &[V] {
        self.entries
            .get(&(collection, field, normalise(field, key)))
            .map_or(&[], Vec::as_slice)
    }

    /// Everything filed under `key` in any natural key of `collection`, each value once.
    pub(super) fn matches(&self, collection: Collection, key: &str) -> Vec<V> {
        let mut found: Vec<V> = Vec::new();
        for &field in natural_keys(collection) {
            for value in self.get(collection, field, key) {
                if !found.contains(value) {
                    found.push(value.clone());
                }
            }
        }
        found
    }
}

/// Existing records held in memory for a [`Lookup`]: the server loads the org units, users, customers
/// and products the file may refer to and `add`s each.
#[derive(Clone, Debug, Default)]
pub struct RecordIndex {
    keys: KeyIndex<String>,
    ids: HashMap<Collection, std::collections::HashSet<String>>,
    /// (collection, id) → the unit the record sits in (`Lookup::unit_of`).
    units: HashMap<(Collection, String), String>,
    stores: std::collections::HashSet<String>,
    /// Past actuals by (metric, month).
    figures: HashMap<(String, String), Vec<Figure>>,
    /// Every added record's fields, to tell what an import changes.
    fields: HashMap<(Collection, String), Map<String, Value>>,
}

/// The field naming the org unit a record of `collection` sits in.
fn unit_field(collection: Collection) -> Option<&'static str> {
    match collection {
        Collection::OrgUnit => Some("parent_id"),
        Collection::User => Some("unit_id"),
        Collection::Customer => Some("region_unit_id"),
        _ => None,
    }
}

impl RecordIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the record findable by its id and its natural keys.
    pub fn add(&mut self, collection: Collection, id: &str, fields: &Map<String, Value>) {
        self.ids
            .entry(collection)
            .or_default()
            .insert(id.to_owned());
        self.keys.add(collection, fields, &id.to_owned());
        self.fields
            .insert((collection, id.to_owned()), fields.clone());
        let unit = unit_field(collection)
            .and_then(|field| fields.get(field))
            .and_then(Value::as_str)
            .filter(|unit| !unit.is_empty());
        if let Some(unit) = unit {
            self.units
                .insert((collection, id.to_owned()), unit.to_owned());
        }
        if collection == Collection::OrgUnit
            && fields.get("kind").and_then(Value::as_str) == Some(crate::domain::STORE)
        {
            self.stores.insert(id.to_owned());
        }
        if collection == Collection::PastActual {
            let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
            if let (
                Some(metric),
                Some(month),
                Some(subject_kind),
                Some(subject_id),
                Some(unit_id),
            ) = (
                text("metric"),
                text("month"),
                text("subject_kind"),
                text("subject_id"),
                text("unit_id"),
            ) {
                self.figures
                    .entry((metric, month))
                    .or_default()
                    .push(Figure {
                        subject_kind,
                        subject_id,
                        unit_id,
                    });
            }
        }
    }
}

impl Lookup for RecordIndex {
    fn resolve(&self, collection: Collection, key: &str) -> Result<Option<String>, Ambiguous> {
        if self
            .ids
            .get(&collection)
            .is_some_and(|ids| ids.contains(key))
        {
            return Ok(Some(key.to_owned()));
        }
        let found = self.keys.matches(collection, key);
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.into_iter().next()),
            matches => Err(Ambiguous { matches }),
        }
    }

    fn unit_of(&self, collection: Collection, id: &str) -> Option<String> {
        self.units.get(&(collection, id.to_owned())).cloned()
    }

    fn is_store(&self, unit_id: &str) -> bool {
        self.stores.contains(unit_id)
    }

    fn past_actuals(&self, metric: &str, month: &str) -> Vec<Figure> {
        self.figures
            .get(&(metric.to_owned(), month.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    fn find(
        &self,
        collection: Collection,
        field: &'static str,
        key: &str,
    ) -> Result<Option<String>, Ambiguous> {
        match self.keys.get(collection, field, key) {
            [] => Ok(None),
            [id] => Ok(Some(id.clone())),
            found => Err(Ambiguous {
                matches: found.len(),
            }),
        }
    }

    fn stored(&self, collection: Collection, id: &str) -> Option<&Map<String, Value>> {
        self.fields.get(&(collection, id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    const WANG: &str = "0193b3c4-7a1e-7000-8000-000000000001";
    const ZHANG: &str = "0193b3c4-7a1e-7000-8000-000000000002";

    fn people() -> RecordIndex {
        let mut index = RecordIndex::new();
        index.add(
            Collection::User,
            WANG,
            &fields(json!({"name": "王伟", "login": "wang.wei", "employee_no": "E001"})),
        );
        index.add(
            Collection::User,
            ZHANG,
            &fields(json!({"name": "王伟", "login": "zhang.san", "employee_no": "E002"})),
        );
        index
    }

    #[test]
    fn a_record_is_found_by_id_or_any_natural_key() {
        let index = people();
        assert_eq!(index.resolve(Collection::User, WANG), Ok(Some(WANG.into())));
        assert_eq!(
            index.resolve(Collection::User, "E002"),
            Ok(Some(ZHANG.into()))
        );
        assert_eq!(
            index.resolve(Collection::User, "wang.wei"),
            Ok(Some(WANG.into()))
        );
        assert_eq!(
            index.resolve(Collection::User, "Wang.Wei"),
            Ok(Some(WANG.into()))
        );
        assert_eq!(index.resolve(Collection::User, "E003"), Ok(None));
        assert_eq!(
            index.resolve(Collection::OrgUnit, WANG),
            Ok(None),
            "other collection"
        );
    }

    #[test]
    fn a_shared_name_is_ambiguous() {
        assert_eq!(
            people().resolve(Collection::User, "王伟"),
            Err(Ambiguous { matches: 2 })
        );
    }

    #[test]
    fn a_record_matching_by_two_keys_counts_once() {
        let mut index = RecordIndex::new();
        index.add(
            Collection::Product,
            WANG,
            &fields(json!({"sku": "COLA-330", "name": "COLA-330"})),
        );
        assert_eq!(
            index.resolve(Collection::Product, "COLA-330"),
            Ok(Some(WANG.into()))
        );
    }

    #[test]
    fn a_closure_is_a_lookup() {
        let lookup = |c: Collection, key: &str| {
            Ok((c == Collection::OrgUnit && key == "HD").then(|| WANG.to_owned()))
        };
        assert_eq!(
            lookup.resolve(Collection::OrgUnit, "HD"),
            Ok(Some(WANG.into()))
        );
        assert_eq!(lookup.resolve(Collection::OrgUnit, "HB"), Ok(None));
    }
}
