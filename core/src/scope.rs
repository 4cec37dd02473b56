//! Who may see which record (权限管理): roles, the facts of a record that decide its visibility, and the
//! one rule that joins them. The server applies it on every pull and push; nothing else decides.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::Collection;

/// A user's role; the wire names match the `role` field of `users` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Admin,
    /// 市场部 (headquarters marketing).
    HqMarketing,
    /// 大区经理.
    RegionalManager,
    /// 区域主管.
    AreaSupervisor,
    /// 业务员.
    SalesRep,
    /// 促销员 / 理货员.
    Promoter,
    Finance,
    ServiceAgent,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::HqMarketing,
        Role::RegionalManager,
        Role::AreaSupervisor,
        Role::SalesRep,
        Role::Promoter,
        Role::Finance,
        Role::ServiceAgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HqMarketing => "hq_marketing",
            Role::RegionalManager => "regional_manager",
            Role::AreaSupervisor => "area_supervisor",
            Role::SalesRep => "sales_rep",
            Role::Promoter => "promoter",
            Role::Finance => "finance",
            Role::ServiceAgent => "service_agent",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// How far the role's sight reaches.
    pub fn reach(self) -> Reach {
        match self {
            Role::Admin | Role::HqMarketing => Reach::Company,
            Role::RegionalManager | Role::AreaSupervisor | Role::Finance | Role::ServiceAgent => {
                Reach::UnitSubtree
            }
            Role::SalesRep => Reach::OwnAndCustomers,
            Role::Promoter => Reach::OwnAndStore,
        }
    }
}

/// The four kinds of sight DESIGN.md names: all / unit subtree / own (+ own customers) / own + store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Company,
    UnitSubtree,
    OwnAndCustomers,
    OwnAndStore,
}

/// The facts of a record that decide who sees it, kept beside the record and recomputed on each write.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeFacts {
    /// The org unit the record belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// Users the record belongs to (owner, author, assigned promoters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
    /// The customer a record hangs from (contacts, visits, orders…), for reps who own that customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The units of the stores a promotion runs in (its stores' own units, found when it is
    /// written): the promoters of those stores see it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub store_units: Vec<String>,
}

/// Org structure, company-wide reference data: everyone signed in may read it.
pub fn is_reference(collection: Collection) -> bool {
    matches!(
        collection,
        Collection::OrgUnit | Collection::User | Collection::Product
    )
}

fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// Computes a record's scope facts. Records that hang from a customer and name no unit of their own take
/// the customer's unit and owner (`parent`), so whoever sees the customer sees its contacts and visits.
pub fn scope_facts(
    collection: Collection,
    fields: &Map<String, Value>,
    parent: Option<&ScopeFacts>,
) -> ScopeFacts {
    let mut user_ids: Vec<String> = ["owner_id", "author_id", "promoter_id"]
        .iter()
        .filter_map(|name| text(fields, name))
        .collect();
    if let Some(Value::Array(ids)) = fields.get("promoter_ids") {
        user_ids.extend(ids.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    // A target set for a person belongs to that person too: a rep sees their own targets, and
    // their own past actuals.
    if matches!(collection, Collection::Target | Collection::PastActual)
        && text(fields, "subject_kind").as_deref() == Some("user")
    {
        user_ids.extend(text(fields, "subject_id"));
    }
    let unit_id = match collection {
        Collection::Customer => text(fields, "region_unit_id"),
        // A unit sits in its parent: who manages the parent may move it (the org chart).
        Collection::OrgUnit => text(fields, "parent_id"),
        _ => text(fields, "unit_id"),
    };
    let customer_id = match collection {
        Collection::Customer => None,
        Collection::PromotionReport => text(fields, "store_id"),
        _ => text(fields, "customer_id"),
    };
    let mut facts = ScopeFacts {
        unit_id,
        user_ids,
        customer_id,
        store_units: Vec::new(),
    };
    if let Some(parent) = parent {
        if facts.unit_id.is_none() {
            facts.unit_id = parent.unit_id.clone();
        }
        if facts.user_ids.is_empty() {
            facts.user_ids = parent.user_ids.clone();
        }
    }
    facts.user_ids.sort();
    facts.user_ids.dedup();
    facts
}

/// The org tree as child → parent, enough to answer "is this unit inside that one".
#[derive(Clone, Debug, Default)]
pub struct OrgTree {
    parents: HashMap<String, String>,
}

impl OrgTree {
    pub fn new(parents: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            parents: parents.into_iter().collect(),
        }
    }

    /// Moves `unit` under `parent` (or makes it a root), as a push that changed it does.
    pub fn set_parent(&mut self, unit: &str, parent: Option<&str>) {
        match parent {
            Some(parent) => self.parents.insert(unit.to_owned(), parent.to_owned()),
            None => self.parents.remove(unit),
        };
    }

    /// True if `unit` is `root` or lies below it. Walks at most the tree's size, so a cycle cannot hang.
    pub fn is_within(&self, unit: &str, root: &str) -> bool {
        let mut current = unit;
        for _ in 0..=self.parents.len() {
            if current == root {
                return true;
            }
            match self.parents.get(current) {
                Some(parent) => current = parent,
                None => return false,
            }
        }
        false
    }

    /// The unit `unit` sits in; `None` for the top or an unknown unit.
    pub fn parent_of(&self, unit: &str) -> Option<&str> {
        self.parents.get(unit).map(String::as_str)
    }

    /// `unit` and every unit above it, nearest first; a cycle stops the walk.
    pub fn up_from<'a>(&'a self, unit: &'a str) -> Vec<&'a str> {
        let mut path = vec![unit];
        let mut current = unit;
        while let Some(parent) = self.parents.get(current) {
            if path.contains(&parent.as_str()) {
                break;
            }
            path.push(parent);
            current = parent;
        }
        path
    }

    /// The units from just below the top of the tree down to `unit` itself (a store's region, area
    /// and store unit under the company): how a list of records is grouped. Empty for the top unit
    /// or an unknown one; a cycle stops the walk.
    pub fn path_below_top<'a>(&'a self, unit: &'a str) -> Vec<&'a str> {
        let mut path = vec![unit];
        let mut current = unit;
        for _ in 0..self.parents.len() {
            match self.parents.get(current) {
                Some(parent) if !path.contains(&parent.as_str()) => {
                    path.push(parent);
                    current = parent;
                }
                _ => break,
            }
        }
        // The last one has no parent: the top, which every record shares.
        path.pop();
        path.reverse();
        path
    }
}

/// A signed-in user as the scope rule needs them.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user_id: String,
    pub role: Role,
    pub unit_id: String,
    /// Customers whose owner is this user (for reps: their contacts, visits, orders follow).
    pub own_customers: HashSet<String>,
}

impl Viewer {
    /// The rule: may this viewer see a record of `collection` with these facts?
    pub fn can_see(&self, collection: Collection, facts: &ScopeFacts, org: &OrgTree) -> bool {
        if is_reference(collection) {
            return true;
        }
        let own = facts.user_ids.contains(&self.user_id);
        let in_unit = || {
            facts
                .unit_id
                .as_deref()
                .is_some_and(|unit| org.is_within(unit, &self.unit_id))
        };
        match self.role.reach() {
            Reach::Company => true,
            Reach::UnitSubtree => own || in_unit(),
            Reach::OwnAndStore => {
                own || in_unit()
                    || facts
                        .store_units
                        .iter()
                        .any(|unit| org.is_within(unit, &self.unit_id))
            }
            Reach::OwnAndCustomers => {
                own || facts
                    .customer_id
                    .as_ref()
                    .is_some_and(|customer| self.own_customers.contains(customer))
            }
        }
    }

    /// May this viewer change records at all? Reference data is changed by admins and HQ only.
    pub fn can_write(&self, collection: Collection) -> bool {
        !is_reference(collection) || self.role.reach() == Reach::Company
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_target_set_for_a_person_belongs_to_them_and_a_unit_target_does_not() {
        let fields = |kind: &str| {
            json!({"period": "month", "subject_kind": kind, "subject_id": "rep-1",
                "metric": "revenue", "value": 100, "unit_id": "shanghai"})
            .as_object()
            .cloned()
            .unwrap()
        };
        let facts = scope_facts(Collection::Target, &fields("user"), None);
        assert_eq!(facts.user_ids, ["rep-1"]);
        assert_eq!(facts.unit_id.as_deref(), Some("shanghai"));
        let rep = Viewer {
            user_id: "rep-1".into(),
            role: Role::SalesRep,
            unit_id: "shanghai".into(),
            own_customers: HashSet::new(),
        };
        assert!(rep.can_see(Collection::Target, &facts, &org()));
        let unit_target = scope_facts(Collection::Target, &fields("unit"), None);
        assert!(unit_target.user_ids.is_empty());
        assert!(!rep.can_see(Collection::Target, &unit_target, &org()));
    }

    fn org() -> OrgTree {
        OrgTree::new([
            ("east".to_owned(), "hq".to_owned()),
            ("shanghai".to_owned(), "east".to_owned()),
            ("store-1".to_owned(), "shanghai".to_owned()),
            ("west".to_owned(), "hq".to_owned()),
        ])
    }

    fn viewer(role: Role, unit: &str) -> Viewer {
        Viewer {
            user_id: "me".into(),
            role,
            unit_id: unit.into(),
            own_customers: HashSet::from(["my-customer".to_owned()]),
        }
    }

    fn facts(unit: Option<&str>, users: &[&str], customer: Option<&str>) -> ScopeFacts {
        ScopeFacts {
            unit_id: unit.map(str::to_owned),
            user_ids: users.iter().map(|u| u.to_string()).collect(),
            customer_id: customer.map(str::to_owned),
            store_units: Vec::new(),
        }
    }

    #[test]
    fn a_promoter_sees_a_promotion_that_lists_a_store_of_her_unit_and_no_other() {
        let promoter = viewer(Role::Promoter, "store-1");
        let mut promotion = facts(Some("east"), &[], None);
        assert!(!promoter.can_see(Collection::Promotion, &promotion, &org()));
        promotion.store_units = vec!["store-1".into()];
        assert!(promoter.can_see(Collection::Promotion, &promotion, &org()));
        promotion.store_units = vec!["west".into()];
        assert!(!promoter.can_see(Collection::Promotion, &promotion, &org()));
        // Others see it by its own unit, as before.
        let supervisor = viewer(Role::AreaSupervisor, "store-1");
        promotion.store_units = vec!["store-1".into()];
        assert!(!supervisor.can_see(Collection::Promotion, &promotion, &org()));
    }

    #[test]
    fn managers_see_their_units_subtree_and_nothing_beside_it() {
        let manager = viewer(Role::RegionalManager, "east");
        let org = org();
        assert!(manager.can_see(
            Collection::Customer,
            &facts(Some("store-1"), &["rep"], None),
            &org
        ));
        assert!(!manager.can_see(
            Collection::Customer,
            &facts(Some("west"), &["rep"], None),
            &org
        ));
        assert!(!manager.can_see(Collection::Customer, &facts(Some("hq"), &[], None), &org));
    }

    #[test]
    fn reps_see_their_own_records_and_what_hangs_from_their_customers() {
        let rep = viewer(Role::SalesRep, "shanghai");
        let org = org();
        assert!(rep.can_see(
            Collection::Opportunity,
            &facts(Some("west"), &["me"], None),
            &org
        ));
        assert!(rep.can_see(
            Collection::Contact,
            &facts(None, &["other"], Some("my-customer")),
            &org
        ));
        assert!(!rep.can_see(
            Collection::Opportunity,
            &facts(Some("shanghai"), &["other"], None),
            &org
        ));
    }

    #[test]
    fn promoters_see_their_store_and_their_assignments() {
        let promoter = viewer(Role::Promoter, "store-1");
        let org = org();
        assert!(promoter.can_see(
            Collection::Promotion,
            &facts(Some("east"), &["me"], None),
            &org
        ));
        assert!(promoter.can_see(
            Collection::Customer,
            &facts(Some("store-1"), &[], None),
            &org
        ));
        assert!(!promoter.can_see(
            Collection::Promotion,
            &facts(Some("east"), &["x"], None),
            &org
        ));
    }

    #[test]
    fn hq_sees_everything_and_everyone_sees_reference_data() {
        let org = org();
        let hidden = facts(Some("west"), &["x"], None);
        assert!(viewer(Role::HqMarketing, "hq").can_see(Collection::Budget, &hidden, &org));
        assert!(viewer(Role::SalesRep, "east").can_see(Collection::Product, &hidden, &org));
        assert!(!viewer(Role::SalesRep, "east").can_write(Collection::Product));
    }

    #[test]
    fn child_records_inherit_their_customers_scope() {
        let customer = scope_facts(
            Collection::Customer,
            json!({"region_unit_id": "east", "owner_id": "rep"})
                .as_object()
                .unwrap(),
            None,
        );
        let contact = scope_facts(
            Collection::Contact,
            json!({"customer_id": "c1", "name": "王经理"})
                .as_object()
                .unwrap(),
            Some(&customer),
        );
        assert_eq!(contact, facts(Some("east"), &["rep"], Some("c1")));
    }

    #[test]
    fn a_units_path_runs_from_below_the_top_down_to_it() {
        let tree = OrgTree::new([
            ("east".to_owned(), "hq".to_owned()),
            ("shanghai".to_owned(), "east".to_owned()),
            ("store-1".to_owned(), "shanghai".to_owned()),
        ]);
        assert_eq!(
            tree.path_below_top("store-1"),
            ["east", "shanghai", "store-1"]
        );
        assert_eq!(tree.path_below_top("east"), ["east"]);
        assert!(tree.path_below_top("hq").is_empty());
        assert!(tree.path_below_top("unknown").is_empty());
        let cycle = OrgTree::new([
            ("a".to_owned(), "b".to_owned()),
            ("b".to_owned(), "a".to_owned()),
        ]);
        assert_eq!(cycle.path_below_top("a").len(), 1);
    }

    #[test]
    fn a_cycle_in_the_org_tree_cannot_hang_the_check() {
        let cyclic = OrgTree::new([
            ("a".to_owned(), "b".to_owned()),
            ("b".to_owned(), "a".to_owned()),
        ]);
        assert!(!cyclic.is_within("a", "c"));
    }
}
