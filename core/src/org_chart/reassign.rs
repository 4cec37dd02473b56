//! Moving people and units on the org chart (调岗 / 调整组织): what a move changes, what it refuses,
//! and which of a person's records go along with them.
//!
//! - A person moves to another unit: their `unit_id` becomes it, and they report to its manager
//!   (or to nobody when it has none). Someone who manages a unit is not moved this way: their unit
//!   would be left pointing at a manager outside it; the unit is moved, or another manager named,
//!   first.
//! - A unit moves under another parent: never below itself, and the company stays the top.
//! - What follows a person ([`follows_person`]): the customers they own that sit in the unit they
//!   leave, and their open opportunities booked to it. Won and lost deals, orders and contracts stay
//!   where they were booked (they are that unit's history), and customers placed in a unit of their
//!   own (a store's) stay with the store. The server applies this rule when a person's unit
//!   changes, whoever changes it; the chart's confirmation counts with it beforehand.

use serde_json::{json, Map, Value};

use super::{PersonRow, UnitRow};
use crate::{domain::Collection, scope::OrgTree};

/// Why a move cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveProblem {
    /// The person is already in that unit, or the unit already under that parent.
    AlreadyThere,
    /// The person manages this unit (its id): move the unit, or name another manager first.
    ManagesUnit(String),
    /// A unit cannot go below itself or one of its own sub-units.
    IntoItself,
    /// The company unit is the top of the tree and stays there.
    CompanyStays,
}

/// The fields a move sets on the record moved: for a person `unit_id` and `manager_id`, for a unit
/// `parent_id`.
pub type MoveFields = Map<String, Value>;

/// The change that moves `person` into `to`, or why it cannot be made.
pub fn person_move(
    person: &PersonRow,
    to: &UnitRow,
    units: &[UnitRow],
) -> Result<MoveFields, MoveProblem> {
    if person.unit_id == to.id {
        return Err(MoveProblem::AlreadyThere);
    }
    if let Some(managed) = units.iter().find(|u| u.manager_id == person.id) {
        return Err(MoveProblem::ManagesUnit(managed.id.clone()));
    }
    let manager =
        (!to.manager_id.is_empty() && to.manager_id != person.id).then(|| to.manager_id.clone());
    let mut fields = Map::new();
    fields.insert("unit_id".into(), json!(to.id));
    fields.insert("manager_id".into(), json!(manager));
    Ok(fields)
}

/// The change that puts a person back where `person` (as they were) stood: a move's undo.
pub fn person_place(person: &PersonRow) -> MoveFields {
    let mut fields = Map::new();
    fields.insert("unit_id".into(), json!(person.unit_id));
    let manager = (!person.manager_id.is_empty()).then(|| person.manager_id.clone());
    fields.insert("manager_id".into(), json!(manager));
    fields
}

/// The change that moves `unit` under `parent`, or why it cannot be made.
pub fn unit_move(
    unit: &UnitRow,
    parent: &UnitRow,
    org: &OrgTree,
) -> Result<MoveFields, MoveProblem> {
    if unit.parent_id.is_empty() || unit.kind == "company" {
        return Err(MoveProblem::CompanyStays);
    }
    if unit.parent_id == parent.id {
        return Err(MoveProblem::AlreadyThere);
    }
    if parent.id == unit.id || org.is_within(&parent.id, &unit.id) {
        return Err(MoveProblem::IntoItself);
    }
    let mut fields = Map::new();
    fields.insert("parent_id".into(), json!(parent.id));
    Ok(fields)
}

/// The change a record the moved person owns gets when they leave `from` for `to`, or `None` when
/// it stays: their customers in `from`, and their open opportunities booked to `from`.
pub fn follows_person(
    collection: Collection,
    fields: &Map<String, Value>,
    from: &str,
    to: &str,
) -> Option<MoveFields> {
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    let field = match collection {
        Collection::Customer => "region_unit_id",
        Collection::Opportunity if !matches!(text("stage"), Some("won" | "lost")) => "unit_id",
        _ => return None,
    };
    if from == to || text(field) != Some(from) {
        return None;
    }
    let mut change = Map::new();
    change.insert(field.into(), json!(to));
    Some(change)
}

/// Whose records a person's move takes along, counted on a device for the confirmation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Followers {
    /// Customers that move with the person (their contacts, visits and the rest follow them).
    pub customers: usize,
    /// Open opportunities that move with the person.
    pub opportunities: usize,
    /// Customers the person owns that stay where they are (placed in another unit, such as a
    /// store's own).
    pub customers_staying: usize,
}

/// Counts [`follows_person`] over records the person owns, as `(collection, fields)`.
pub fn count_followers<'a>(
    owned: impl IntoIterator<Item = (Collection, &'a Map<String, Value>)>,
    from: &str,
    to: &str,
) -> Followers {
    let mut count = Followers::default();
    for (collection, fields) in owned {
        let follows = follows_person(collection, fields, from, to).is_some();
        match (collection, follows) {
            (Collection::Customer, true) => count.customers += 1,
            (Collection::Customer, false) => count.customers_staying += 1,
            (Collection::Opportunity, true) => count.opportunities += 1,
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, kind: &str, parent: &str, manager: &str) -> UnitRow {
        UnitRow {
            id: id.into(),
            name: id.into(),
            kind: kind.into(),
            parent_id: parent.into(),
            manager_id: manager.into(),
        }
    }

    fn person(id: &str, unit: &str, manager: &str) -> PersonRow {
        PersonRow {
            id: id.into(),
            name: id.into(),
            role: "sales_rep".into(),
            unit_id: unit.into(),
            manager_id: manager.into(),
        }
    }

    fn units() -> Vec<UnitRow> {
        vec![
            unit("hq", "company", "", ""),
            unit("east", "region", "hq", "boss"),
            unit("a", "area", "east", "sup-a"),
            unit("b", "area", "east", "sup-b"),
            unit("store", "store", "a", ""),
        ]
    }

    fn org() -> OrgTree {
        OrgTree::new(
            units()
                .into_iter()
                .filter(|u| !u.parent_id.is_empty())
                .map(|u| (u.id, u.parent_id)),
        )
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_person_moves_to_report_to_the_new_units_manager_and_undo_puts_them_back() {
        let units = units();
        let rep = person("rep", "a", "sup-a");
        let moved = person_move(&rep, &units[3], &units).unwrap();
        assert_eq!(
            Value::Object(moved),
            json!({"unit_id": "b", "manager_id": "sup-b"})
        );
        let to_store = person_move(&rep, &units[4], &units).unwrap();
        assert_eq!(
            to_store["manager_id"],
            Value::Null,
            "a unit without a manager"
        );
        assert_eq!(
            Value::Object(person_place(&rep)),
            json!({"unit_id": "a", "manager_id": "sup-a"})
        );
        assert_eq!(
            person_move(&rep, &units[2], &units),
            Err(MoveProblem::AlreadyThere)
        );
        let supervisor = person("sup-a", "a", "boss");
        assert_eq!(
            person_move(&supervisor, &units[3], &units),
            Err(MoveProblem::ManagesUnit("a".into()))
        );
    }

    #[test]
    fn a_unit_moves_anywhere_but_below_itself_and_the_company_stays_on_top() {
        let units = units();
        let org = org();
        assert_eq!(
            Value::Object(unit_move(&units[4], &units[3], &org).unwrap()),
            json!({"parent_id": "b"})
        );
        assert_eq!(
            unit_move(&units[2], &units[4], &org),
            Err(MoveProblem::IntoItself)
        );
        assert_eq!(
            unit_move(&units[2], &units[2], &org),
            Err(MoveProblem::IntoItself)
        );
        assert_eq!(
            unit_move(&units[2], &units[1], &org),
            Err(MoveProblem::AlreadyThere)
        );
        assert_eq!(
            unit_move(&units[0], &units[1], &org),
            Err(MoveProblem::CompanyStays)
        );
    }

    #[test]
    fn customers_of_the_unit_left_and_open_deals_follow_and_the_rest_stays() {
        let in_a = map(json!({"region_unit_id": "a"}));
        let in_store = map(json!({"region_unit_id": "store"}));
        let open = map(json!({"unit_id": "a", "stage": "negotiate"}));
        let won = map(json!({"unit_id": "a", "stage": "won"}));
        let order = map(json!({"unit_id": "a"}));
        assert_eq!(
            follows_person(Collection::Customer, &in_a, "a", "b").map(Value::Object),
            Some(json!({"region_unit_id": "b"}))
        );
        assert_eq!(follows_person(Collection::Customer, &in_a, "a", "a"), None);
        assert_eq!(
            follows_person(Collection::Opportunity, &open, "a", "b").map(Value::Object),
            Some(json!({"unit_id": "b"}))
        );
        assert_eq!(
            follows_person(Collection::Opportunity, &won, "a", "b"),
            None
        );
        assert_eq!(follows_person(Collection::Order, &order, "a", "b"), None);
        let owned = [
            (Collection::Customer, &in_a),
            (Collection::Customer, &in_store),
            (Collection::Opportunity, &open),
            (Collection::Opportunity, &won),
        ];
        assert_eq!(
            count_followers(owned, "a", "b"),
            Followers {
                customers: 1,
                opportunities: 1,
                customers_staying: 1
            }
        );
    }
}
