//! The permission matrix, proved through the real HTTP stack (GitHub issue 9): for every role × collection
//! × action, and every sensitive field, a change is pushed as a signed-in demo login would push it, and
//! the server's answer is compared with the matrix documented in README.md ("Who may do what"), read
//! from the README itself, not from `core`'s table:
//!
//! - an action the matrix grants applies to a record inside the grant's extent (own: the user's own
//!   record in their unit; subtree: a subordinate's record below their unit; all: someone else's record
//!   elsewhere);
//! - an action it does not grant is refused with `forbidden` and the denial naming role, collection and
//!   action, on a record the user sees (so the refusal is the table's, not the scope's); where the user
//!   sees no record of the collection at all, a change of one is answered `not_found`;
//! - an action granted only for own records or a subtree is refused on a record the user sees outside
//!   that extent, with the extent in the denial;
//! - the administrator, not in the table, may do everything.
//!
//! Every target is a record made for its case by the administrator first, so no case sees another's
//! effect; afterwards storage shows that what applied is there and what was refused changed nothing.

mod common;
#[path = "common/world.rs"]
mod world;

use std::collections::{BTreeMap, BTreeSet};

use common::Backend;
use serde_json::{json, Map, Value};
use sqlx::Row;
use world::{demo_world, text, Company, Device};
use yingxiao_core::{
    locale::Locale,
    permission::{role_label, Denial},
    scope::Role,
};
use yingxiao_server::{admin::new_id, demo::DEMO_LOGINS};

const README: &str = include_str!("../../README.md");

// --- the documented matrix -----------------------------------------------------------------------------

/// The README's table: the roles and collections it lists, in its order, and every granted
/// (collection, role, action) with its extent.
struct DocumentedMatrix {
    roles: Vec<String>,
    collections: Vec<String>,
    grants: BTreeMap<(String, String, String), String>,
}

impl DocumentedMatrix {
    fn read() -> Self {
        let cells = |line: &str| -> Vec<String> {
            let line = line.trim();
            line[1..line.len() - 1]
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        };
        let mut lines = README
            .lines()
            .skip_while(|line| !line.starts_with("| collection |"));
        let header = cells(lines.next().expect("README.md has the permission matrix"));
        let roles = header[1..].to_vec();
        assert!(lines.next().is_some_and(|l| l.starts_with("|---")));
        let mut collections = Vec::new();
        let mut grants = BTreeMap::new();
        for line in lines.take_while(|line| line.starts_with('|')) {
            let row = cells(line);
            assert_eq!(row.len(), roles.len() + 1, "a matrix row: {line}");
            for (role, cell) in roles.iter().zip(&row[1..]) {
                if cell == "—" {
                    continue;
                }
                for part in cell.split("; ") {
                    let (extent, actions) = part
                        .split_once(": ")
                        .unwrap_or_else(|| panic!("a cell reads `extent: actions`: {cell:?}"));
                    assert!(
                        matches!(extent, "own" | "subtree" | "all"),
                        "extent {extent:?} in {line}"
                    );
                    for action in actions.split(", ") {
                        let key = (row[0].clone(), role.clone(), action.to_owned());
                        assert!(
                            grants.insert(key, extent.to_owned()).is_none(),
                            "{action} twice in {line}"
                        );
                    }
                }
            }
            collections.push(row[0].clone());
        }
        assert_eq!(collections.len(), 18, "the matrix lists every collection");
        assert_eq!(roles.len(), 7, "the matrix lists every role but the admin");
        Self {
            roles,
            collections,
            grants,
        }
    }

    /// The extent the README grants; the administrator may do everything.
    fn extent(&self, collection: &str, role: &str, action: &str) -> Option<String> {
        if role == "admin" {
            return Some("all".into());
        }
        self.grants
            .get(&(collection.to_owned(), role.to_owned(), action.to_owned()))
            .cloned()
    }

    /// The actions tried on a collection: the record actions that mean something for it, each of its
    /// sensitive fields, and anything else its row names.
    fn actions(&self, collection: &str) -> Vec<String> {
        let mut actions: Vec<String> = vec!["create".into(), "edit".into(), "delete".into()];
        if collection == "opportunities" {
            actions.push("move_stage".into());
        }
        if approval_status(collection).is_some() {
            actions.push("approve".into());
        }
        actions.push("reassign".into());
        actions.extend(
            sensitive_fields(collection)
                .iter()
                .map(|f| format!("field:{f}")),
        );
        for (c, _, action) in self.grants.keys() {
            if c == collection && !actions.contains(action) {
                actions.push(action.clone());
            }
        }
        actions
    }
}

/// The fields that need a grant of their own (README: "`field:NAME` for a sensitive field").
fn sensitive_fields(collection: &str) -> &'static [&'static str] {
    match collection {
        "customers" => &["credit_limit", "tier"],
        "targets" => &["value"],
        "budgets" => &["amount"],
        "promotions" => &["budget"],
        "products" => &["list_price", "cost"],
        "org_units" => &["funnel_settings", "permission_overrides"],
        "users" => &["role"],
        _ => &[],
    }
}

/// The approval field's first value, for collections that have one ("a promotion's, budget's or
/// expense's status past its first value").
fn approval_status(collection: &str) -> Option<&'static str> {
    match collection {
        "promotions" => Some("planned"),
        "budgets" | "expenses" => Some("submitted"),
        _ => None,
    }
}

/// A plain field of each collection, for `edit`.
fn plain_field(collection: &str) -> &'static str {
    match collection {
        "org_units" => "address",
        "users" => "title",
        "products" => "name",
        "visits" | "daily_reports" => "summary",
        "expenses" | "tickets" => "description",
        "surveys" => "comments",
        _ => "notes",
    }
}

// --- the people ----------------------------------------------------------------------------------------

/// A demo login and the people and units its cases are built around.
struct Pusher {
    login: &'static str,
    role: String,
    id: String,
    unit: String,
    /// Someone else whose work lies in this user's unit or below (a subordinate where there is one).
    other: String,
    /// A unit below this user's (a region's area, the company's region), or their own unit.
    below: String,
    /// Another unit directly below this user's (a store of an area), if there is one: where a
    /// reassignment may move a record to when `below` is their own unit.
    beneath: Option<String>,
    /// A unit outside this user's unit and below it, if there is one.
    outside: Option<String>,
    /// Someone working outside this user's unit.
    far: String,
}

impl Pusher {
    fn of(company: &Company, login: &'static str) -> Self {
        let id = company.user_id(login);
        let (role, unit) = company.role_and_unit(&id);
        let people: Vec<(String, String, String)> = company
            .all("users")
            .filter(|(uid, _)| *uid != id)
            .map(|(uid, u)| {
                let field = |name| text(u, name).unwrap_or_default().to_owned();
                (uid.to_owned(), field("role"), field("unit_id"))
            })
            .collect();
        let inside = |(_, _, u): &&(String, String, String)| company.within(u, &unit);
        let is_rep = |(_, r, _): &&(String, String, String)| r == "sales_rep";
        let any_rep = || people.iter().find(is_rep).unwrap().0.clone();
        let other = people
            .iter()
            .filter(inside)
            .find(is_rep)
            .or_else(|| people.iter().find(inside))
            .map_or_else(any_rep, |p| p.0.clone());
        let far = people
            .iter()
            .filter(|p| !inside(p))
            .find(is_rep)
            .map_or_else(any_rep, |p| p.0.clone());
        let below = company
            .all("org_units")
            .find(|(_, u)| {
                text(u, "parent_id") == Some(unit.as_str())
                    && matches!(text(u, "kind"), Some("region" | "area"))
            })
            .map_or_else(|| unit.clone(), |(id, _)| id.to_owned());
        let beneath = company
            .all("org_units")
            .find(|(id, u)| text(u, "parent_id") == Some(unit.as_str()) && *id != below)
            .map(|(id, _)| id.to_owned());
        let guangzhou = company.unit_named("广州区域");
        let outside = (!company.within(&guangzhou, &unit)).then_some(guangzhou);
        Self {
            login,
            role,
            id,
            unit,
            other,
            below,
            beneath,
            outside,
            far,
        }
    }

    /// The owner and unit of a record placed so.
    fn place(&self, placement: Placement) -> Option<(String, String)> {
        Some(match placement {
            Placement::Own => (self.id.clone(), self.unit.clone()),
            Placement::Below => (self.other.clone(), self.below.clone()),
            Placement::OtherInUnit => (self.other.clone(), self.unit.clone()),
            Placement::OwnOutside => (self.id.clone(), self.outside.clone()?),
            Placement::Elsewhere => (
                self.far.clone(),
                self.outside.clone().unwrap_or_else(|| self.below.clone()),
            ),
        })
    }
}

/// Where a case's record lies relative to the pusher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    /// The pusher's own record in the pusher's unit: what `own` covers, and what every role sees.
    Own,
    /// A subordinate's record below the pusher's unit: what `subtree` covers.
    Below,
    /// Someone else's record in the pusher's unit: seen by unit-wide roles and promoters, not own.
    OtherInUnit,
    /// The pusher's own record in a unit outside theirs: seen (own), outside `own` and `subtree`.
    OwnOutside,
    /// Someone else's record in another unit: what `all` covers.
    Elsewhere,
}

impl Placement {
    /// Inside the extent the matrix grants.
    fn inside(extent: &str) -> Self {
        match extent {
            "own" => Placement::Own,
            "subtree" => Placement::Below,
            _ => Placement::Elsewhere,
        }
    }

    /// Seen by the pusher but outside the extent; `None` when nothing is (an extent of `all`).
    fn outside(extent: &str, role: &str) -> Option<Self> {
        match (extent, role) {
            // A rep sees only their own records: one in another unit is outside `own`.
            ("own", "sales_rep") => Some(Placement::OwnOutside),
            ("own", _) => Some(Placement::OtherInUnit),
            ("subtree", _) => Some(Placement::OwnOutside),
            _ => None,
        }
    }
}

// --- the plan: records made by the administrator, and the cases ----------------------------------------

/// The records an (owner, unit) pair's cases hang from: two customers, a budget and a promotion.
#[derive(Clone)]
struct Anchor {
    customer: String,
    customer_b: String,
    budget: String,
    promotion: String,
    /// The unit's year target, which a target fixture of this place is a share of: a target's value
    /// is set by whoever may set its parent's (`targets::approval::decomposer_facts`).
    target: String,
}

/// What a case's change leaves in storage when it applies (and must not when it is refused).
#[derive(Debug)]
enum Effect {
    Exists,
    Field(String, Value),
    Deleted,
    Stage(String),
}

struct Case {
    login: &'static str,
    role: String,
    collection: String,
    action: String,
    /// The extent granted (`None`: refused), and whether the record lies outside it.
    granted: Option<String>,
    outside_extent: bool,
    name: &'static str,
    args: Value,
    target: (String, String),
    /// Made by the administrator for this case (not a create, not the company unit).
    fixture: bool,
    effect: Effect,
}

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Applied,
    Forbidden(Option<String>),
    NotFound,
}

struct Plan {
    company_unit: String,
    anchors: BTreeMap<(String, String), Anchor>,
    /// Records the administrator creates first: anchors, then each case's target.
    records: Vec<(String, String, Value)>,
    cases: Vec<Case>,
    /// Documented grants no change can exercise, and other cases that could not be made.
    unbuildable: Vec<String>,
    notes: Vec<String>,
    n: usize,
}

impl Plan {
    /// The cases: every role × collection × action, inside the grant's extent or refused, and outside
    /// a narrower extent; the documented grants no change can exercise, and other cases not tried.
    fn for_matrix(matrix: &DocumentedMatrix, pushers: &[Pusher], company_unit: String) -> Self {
        let mut plan = Plan {
            company_unit,
            anchors: BTreeMap::new(),
            records: Vec::new(),
            cases: Vec::new(),
            unbuildable: Vec::new(),
            notes: Vec::new(),
            n: 0,
        };
        for pusher in pushers {
            for collection in &matrix.collections {
                for action in matrix.actions(collection) {
                    plan.add_cases(matrix, pusher, collection, &action);
                }
            }
        }
        plan
    }

    fn add_cases(
        &mut self,
        matrix: &DocumentedMatrix,
        pusher: &Pusher,
        collection: &str,
        action: &str,
    ) {
        let granted = matrix.extent(collection, &pusher.role, action);
        let documented = granted.is_some() && pusher.role != "admin";
        let placement = granted.as_deref().map_or(Placement::Own, Placement::inside);
        match self.case(pusher, collection, action, placement) {
            Ok(mut case) => {
                case.granted = granted.clone();
                self.cases.push(case);
            }
            Err(why) if documented => self.unbuildable.push(format!(
                "{} {collection} {action} ({}): {why}",
                pusher.role,
                granted.as_deref().unwrap_or("-")
            )),
            Err(why) => self
                .notes
                .push(format!("{} {collection} {action}: {why}", pusher.role)),
        }
        let Some(extent) = granted else { return };
        let Some(outside) = Placement::outside(&extent, &pusher.role) else {
            return;
        };
        match self.case(pusher, collection, action, outside) {
            Ok(mut case) => {
                case.granted = Some(extent);
                case.outside_extent = true;
                self.cases.push(case);
            }
            Err(why) => self.notes.push(format!(
                "{} {collection} {action} outside {extent}: {why}",
                pusher.role
            )),
        }
    }

    fn next(&mut self) -> usize {
        self.n += 1;
        self.n
    }

    fn anchor(&mut self, owner: &str, unit: &str) -> Anchor {
        let key = (owner.to_owned(), unit.to_owned());
        if let Some(anchor) = self.anchors.get(&key) {
            return anchor.clone();
        }
        let anchor = Anchor {
            customer: new_id(),
            customer_b: new_id(),
            budget: new_id(),
            promotion: new_id(),
            target: new_id(),
        };
        for id in [&anchor.customer, &anchor.customer_b] {
            let n = self.next();
            self.records.push((
                "customers".into(),
                id.clone(),
                json!({"name": format!("权限矩阵{n}号门店"), "kind": "retail_store",
                    "region_unit_id": unit, "owner_id": owner}),
            ));
        }
        self.records.push((
            "budgets".into(),
            anchor.budget.clone(),
            json!({"unit_id": unit, "period_start": "2026-01-01", "period_end": "2026-03-31",
                "cost_item": "promotion", "amount": 50_000_000}),
        ));
        let n = self.next();
        self.records.push((
            "promotions".into(),
            anchor.promotion.clone(),
            json!({"name": format!("权限矩阵促销{n}"), "kind": "discount", "unit_id": unit,
                "starts_on": "2026-03-01", "ends_on": "2026-03-31", "status": "planned",
                "promoter_ids": [owner], "store_ids": [anchor.customer]}),
        ));
        self.records.push((
            "targets".into(),
            anchor.target.clone(),
            json!({"period": "year", "period_start": "2026-01-01", "subject_kind": "unit",
                "subject_id": unit, "metric": "sales_amount", "value": 12_000_000,
                "unit_id": unit}),
        ));
        self.anchors.insert(key, anchor.clone());
        anchor
    }

    /// A valid record of `collection` owned by `owner` in `unit`; for a create, without the sensitive
    /// fields a create may leave out.
    fn record(&mut self, collection: &str, owner: &str, unit: &str, create: bool) -> Value {
        let n = self.next();
        let a = self.anchor(owner, unit);
        let mut fields = match collection {
            "org_units" => json!({"name": format!("权限矩阵小组{n}"), "kind": "team",
                "parent_id": unit, "address": "上海市浦东新区"}),
            "users" => json!({"name": format!("测试人员{n}"), "login": format!("perm.matrix.{n}"),
                "role": "sales_rep", "unit_id": unit, "title": "业务代表"}),
            "customers" => json!({"name": format!("权限矩阵{n}商贸有限公司"), "kind": "dealer",
                "region_unit_id": unit, "owner_id": owner, "tier": "B",
                "credit_limit": 10_000_000}),
            "contacts" => json!({"customer_id": a.customer, "name": format!("联系人{n}")}),
            "visits" => json!({"customer_id": a.customer, "owner_id": owner,
                "visited_at": "2026-03-10T02:00:00Z", "channel": "visit", "summary": "拜访"}),
            "products" => json!({"sku": format!("PM-{n}"), "name": format!("测试产品{n}"),
                "list_price": 1_000, "cost": 600}),
            "opportunities" => json!({"customer_id": a.customer, "owner_id": owner,
                "unit_id": unit, "name": format!("测试机会{n}"), "amount": 100_000,
                "currency": "CNY", "stage": "aware",
                "stage_history": [{"stage": "aware", "entered_at": "2026-03-01T02:00:00Z"}],
                "expected_close": "2026-06-30"}),
            "orders" => json!({"customer_id": a.customer, "owner_id": owner, "unit_id": unit,
                "order_no": format!("SO-PM-{n}"), "ordered_on": "2026-03-10",
                "status": "confirmed"}),
            "contracts" => json!({"customer_id": a.customer, "owner_id": owner, "unit_id": unit,
                "contract_no": format!("HT-PM-{n}"), "title": format!("测试合同{n}"),
                "status": "draft"}),
            // A month's share of the unit's year, submitted with its own breakdown (below).
            "targets" if create => json!({"period": "month", "period_start": "2026-03-01",
                "subject_kind": "user", "subject_id": owner, "metric": "sales_amount",
                "value": 1_000_000, "unit_id": unit, "parent_id": a.target}),
            "targets" => json!({"period": "month", "period_start": "2026-03-01",
                "subject_kind": "user", "subject_id": owner, "metric": "sales_amount",
                "value": 1_000_000, "unit_id": unit, "parent_id": a.target,
                "breakdown_status": "submitted"}),
            "past_actuals" => json!({"subject_kind": "user", "subject_id": owner,
                "metric": "sales_amount", "month": "2025-03-01", "value": 1_000_000,
                "unit_id": unit, "source": "ERP"}),
            "budgets" => json!({"unit_id": unit, "period_start": "2026-01-01",
                "period_end": "2026-03-31", "cost_item": "promotion", "amount": 50_000_000,
                "status": "submitted"}),
            "expenses" => json!({"budget_id": a.budget, "unit_id": unit, "owner_id": owner,
                "spent_on": "2026-03-10", "amount": 100_000, "cost_item": "promotion",
                "status": "submitted", "description": "测试费用"}),
            "promotions" => json!({"name": format!("测试促销{n}"), "kind": "discount",
                "unit_id": unit, "starts_on": "2026-03-01", "ends_on": "2026-03-31",
                "status": "planned", "promoter_ids": [owner], "budget": 1_000_000}),
            "promotion_reports" => json!({"promotion_id": a.promotion, "store_id": a.customer,
                "promoter_id": owner, "report_date": "2026-03-10", "sales_amount": 100_000,
                "submitted_at": "2026-03-10T10:00:00Z"}),
            "daily_reports" => json!({"author_id": owner, "unit_id": unit,
                "report_date": "2026-03-10", "summary": "日报"}),
            "tickets" => json!({"customer_id": a.customer, "owner_id": owner, "unit_id": unit,
                "kind": "inquiry", "priority": "normal", "status": "open",
                "title": format!("测试工单{n}"), "opened_at": "2026-03-10T02:00:00Z"}),
            "surveys" => json!({"customer_id": a.customer, "unit_id": unit,
                "surveyed_on": "2026-03-10", "score": 4}),
            other => panic!("no record builder for {other}"),
        };
        if create {
            let fields = fields.as_object_mut().unwrap();
            for optional in ["tier", "credit_limit", "budget", "cost"] {
                fields.remove(optional);
            }
        }
        fields
    }

    /// The case of `pusher` taking `action` on a record of `collection` placed so, or why none can be
    /// made.
    fn case(
        &mut self,
        pusher: &Pusher,
        collection: &str,
        action: &str,
        placement: Placement,
    ) -> Result<Case, String> {
        let (owner, unit) = pusher
            .place(placement)
            .ok_or("every unit lies within this user's")?;
        let mut case = Case {
            login: pusher.login,
            role: pusher.role.clone(),
            collection: collection.to_owned(),
            action: action.to_owned(),
            granted: None,
            outside_extent: false,
            name: "set_fields",
            args: Value::Null,
            target: (collection.to_owned(), new_id()),
            fixture: true,
            effect: Effect::Exists,
        };
        if action == "create" {
            case.fixture = false;
            case.name = "create";
            case.args = json!({"collection": collection, "id": case.target.1,
                "fields": self.record(collection, &owner, &unit, true)});
            return Ok(case);
        }
        let on_company = collection == "org_units" && action.starts_with("field:");
        let fields = if on_company {
            case.fixture = false;
            case.target.1 = self.company_unit.clone();
            Value::Null
        } else {
            let fields = self.record(collection, &owner, &unit, false);
            self.records
                .push((collection.to_owned(), case.target.1.clone(), fields.clone()));
            if collection == "targets" {
                // Its breakdown, which adds up: a share of the month for one dealer.
                let mut share = fields.clone();
                let share_fields = share.as_object_mut().unwrap();
                share_fields.remove("breakdown_status");
                share_fields.insert("parent_id".into(), json!(case.target.1));
                self.records.push(("targets".into(), new_id(), share));
            }
            fields
        };
        let n = self.next();
        let (field, value) = match action {
            "delete" => {
                case.name = "delete";
                case.args = json!({"collection": collection, "id": case.target.1});
                case.effect = Effect::Deleted;
                return Ok(case);
            }
            "move_stage" => {
                case.name = "move_opportunity_stage";
                case.args = json!({"id": case.target.1, "stage": "compare"});
                case.effect = Effect::Stage("compare".into());
                return Ok(case);
            }
            "edit" => (
                plain_field(collection).to_owned(),
                json!(format!("改过 {n}")),
            ),
            // A promotion's status moves only by `decide_promotion`.
            "approve" if collection == "promotions" => {
                case.name = "decide_promotion";
                case.args = json!({"id": case.target.1, "status": "approved"});
                case.effect = Effect::Field("status".into(), json!("approved"));
                return Ok(case);
            }
            // A target's breakdown is approved by `decide_breakdown`, one unit up.
            "approve" if collection == "targets" => {
                case.name = "decide_breakdown";
                case.args = json!({"id": case.target.1, "status": "approved"});
                case.effect = Effect::Field("breakdown_status".into(), json!("approved"));
                return Ok(case);
            }
            // A report is approved by its review, in the reviewer's own name.
            "approve" if collection == "promotion_reports" => {
                case.name = "review_report";
                case.args = json!({"id": case.target.1, "reviewer_id": pusher.id,
                    "flags": ["stock_out"], "comment": "缺货"});
                case.effect = Effect::Field("review_comment".into(), json!("缺货"));
                return Ok(case);
            }
            "approve" => {
                approval_status(collection).ok_or(format!(
                    "{collection} have no approval field: no change of one needs `approve`"
                ))?;
                ("status".to_owned(), json!("approved"))
            }
            "reassign" => self.reassignment(pusher, collection, &fields, &owner, &unit)?,
            // One company unit for every case: the administrator's applied change and HQ's each
            // keep a field of their own.
            "field:funnel_settings" if pusher.role == "admin" => {
                ("stall_days_compare".into(), json!(100 + n))
            }
            "field:funnel_settings" => ("stall_days_aware".into(), json!(100 + n)),
            "field:permission_overrides" => {
                // The administrator restates a default, so the table the other cases meet is the
                // shipped one; the refused ones would give reps `field:tier`.
                let line = if pusher.role == "admin" {
                    json!({"role": "hq_marketing", "collection": "surveys", "action": "create",
                        "extent": "all"})
                } else {
                    json!({"role": "sales_rep", "collection": "customers",
                        "action": "field:tier", "extent": "own"})
                };
                ("permission_overrides".into(), json!([line]))
            }
            // One field of one company unit for every case (a role's weights add up to 100): the
            // administrator and HQ write the same, so both leave it; the others each try their own.
            "field:score_weights" => {
                let sales = if matches!(pusher.role.as_str(), "admin" | "hq_marketing") {
                    60
                } else {
                    10 + n % 40
                };
                (
                    "score_weights".into(),
                    json!([
                        {"role": "sales_rep", "metric": "sales_amount", "weight": sales},
                        {"role": "sales_rep", "metric": "visits", "weight": 100 - sales},
                    ]),
                )
            }
            // The company's remembered import mappings, one field of one unit for every case: the
            // administrator and HQ write the same, so both leave it; the others each try their own.
            "field:import_mappings" => {
                let header = if matches!(pusher.role.as_str(), "admin" | "hq_marketing") {
                    "Notes".to_owned()
                } else {
                    format!("Column {n}")
                };
                (
                    "import_mappings".into(),
                    json!([{"kind": "customers", "header": header, "field": "notes"}]),
                )
            }
            "field:tier" => ("tier".into(), json!("A")),
            "field:role" => ("role".into(), json!("promoter")),
            other => {
                let field = other
                    .strip_prefix("field:")
                    .ok_or(format!("no change of {collection} asks for `{other}`"))?;
                let value = fields
                    .get(field)
                    .and_then(Value::as_i64)
                    .ok_or(format!("{collection} record without a number in {field}"))?;
                (field.to_owned(), json!(value + 1 + n as i64))
            }
        };
        case.args = json!({"collection": collection, "id": case.target.1,
            "fields": {field.clone(): value.clone()}});
        case.effect = Effect::Field(field, value);
        Ok(case)
    }

    /// The field that decides who sees a record of `collection`, and a new value that keeps it where
    /// the pusher sees it: another owner (the pusher, or a colleague of theirs), another customer of
    /// the same owner, or another unit the pusher sees.
    fn reassignment(
        &mut self,
        pusher: &Pusher,
        collection: &str,
        fields: &Value,
        owner: &str,
        unit: &str,
    ) -> Result<(String, Value), String> {
        let new_owner = if owner == pusher.id {
            pusher.other.clone()
        } else {
            pusher.id.clone()
        };
        let current_unit = ["unit_id", "parent_id"]
            .iter()
            .find_map(|f| fields.get(*f).and_then(Value::as_str))
            .unwrap_or(unit);
        // Within the pusher's unit first: a reassignment needs its grant where the record lands too.
        let new_unit = [&pusher.unit, &pusher.below]
            .into_iter()
            .chain(pusher.beneath.as_ref())
            .chain([&self.company_unit])
            .chain(pusher.outside.as_ref())
            .find(|u| u.as_str() != current_unit)
            .unwrap()
            .clone();
        Ok(match collection {
            "customers" | "visits" | "opportunities" | "orders" | "contracts" | "tickets"
            | "expenses" => ("owner_id".into(), json!(new_owner)),
            "daily_reports" => ("author_id".into(), json!(new_owner)),
            "promotion_reports" => ("promoter_id".into(), json!(new_owner)),
            "promotions" => ("promoter_ids".into(), json!([new_owner])),
            "targets" | "past_actuals" => ("subject_id".into(), json!(new_owner)),
            "contacts" | "surveys" => (
                "customer_id".into(),
                json!(self.anchor(owner, unit).customer_b),
            ),
            "budgets" | "users" => ("unit_id".into(), json!(new_unit)),
            "org_units" => ("parent_id".into(), json!(new_unit)),
            _ => {
                return Err(format!(
                    "{collection} have no field that decides who sees them (owner, unit, \
                     customer…): no change of one needs `reassign`"
                ))
            }
        })
    }
}

// --- the check -----------------------------------------------------------------------------------------

/// The failure of one case's outcome, if it is not what the matrix says.
fn judge(case: &Case, expect: &Expect, outcome: &Value) -> Option<String> {
    let what = format!(
        "{} ({}) {} {}{}",
        case.login,
        case.role,
        case.collection,
        case.action,
        if case.outside_extent {
            " outside its extent"
        } else {
            ""
        }
    );
    let reason = &outcome["reason"];
    match expect {
        Expect::Applied if outcome["outcome"] == "applied" => None,
        Expect::NotFound if reason["code"] == "not_found" => None,
        Expect::Forbidden(extent) if reason["code"] == "forbidden" => {
            let mut denial = json!({"kind": "action", "role": case.role,
                "collection": case.collection, "action": case.action});
            if let Some(extent) = extent {
                denial["extent"] = json!(extent);
            }
            if reason["denial"] != denial {
                return Some(format!(
                    "{what}: denial {} instead of {denial}",
                    reason["denial"]
                ));
            }
            let documented: Denial = serde_json::from_value(denial).unwrap();
            let message = documented.message(Locale::En);
            let role = role_label(Role::parse(&case.role).unwrap(), Locale::En);
            if reason["message"] != json!(message) || !message.contains(role) {
                return Some(format!(
                    "{what}: message {} instead of {message:?}",
                    reason["message"]
                ));
            }
            None
        }
        _ => Some(format!("{what}: expected {expect:?}, got {outcome}")),
    }
}

/// Every record as stored, tombstones included: (collection, id) → (deleted, fields).
type Stored = BTreeMap<(String, String), (bool, Map<String, Value>)>;

async fn stored(storage: &yingxiao_server::storage::Storage) -> Stored {
    sqlx::query("SELECT collection, id, deleted, fields FROM records")
        .fetch_all(&storage.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            let fields: Map<String, Value> =
                serde_json::from_str(&row.get::<String, _>(3)).unwrap();
            (
                (row.get(0), row.get(1)),
                (row.get::<i64, _>(2) != 0, fields),
            )
        })
        .collect()
}

/// Does storage hold the case's effect?
fn effect_holds(case: &Case, records: &Stored) -> bool {
    let record = records.get(&case.target);
    let live = record.filter(|(deleted, _)| !deleted).map(|(_, f)| f);
    match &case.effect {
        Effect::Exists => live.is_some(),
        Effect::Deleted => record.is_some_and(|(deleted, _)| *deleted),
        Effect::Field(field, value) => live.is_some_and(|f| f.get(field) == Some(value)),
        Effect::Stage(stage) => live.is_some_and(|f| text(f, "stage") == Some(stage)),
    }
}

#[derive(Default)]
struct Tally {
    applied: usize,
    forbidden: usize,
    outside_extent: usize,
    not_found: usize,
}

async fn every_role_collection_and_action_is_answered_as_the_readme_documents(backend: Backend) {
    let started = std::time::Instant::now();
    let matrix = DocumentedMatrix::read();
    let w = demo_world(backend).await;
    let company = Company::load(&w.storage).await;
    let pushers: Vec<Pusher> = DEMO_LOGINS
        .iter()
        .map(|login| Pusher::of(&company, login))
        .collect();
    for role in &matrix.roles {
        assert!(
            pushers.iter().any(|p| &p.role == role),
            "no demo login has the role {role}"
        );
    }

    let plan = Plan::for_matrix(&matrix, &pushers, company.company_unit());

    // The administrator makes every record the cases change.
    let admin = Device::sign_in(&w.router, "admin").await;
    let creates: Vec<Value> = plan
        .records
        .iter()
        .map(|(collection, id, fields)| admin.create(collection, id, fields.clone()))
        .collect();
    admin.push_applied(&w.router, creates).await;

    // What each login sees, so refusals are tried on records the scope shows.
    let mut devices = BTreeMap::new();
    let mut sees: BTreeMap<&str, BTreeSet<(String, String)>> = BTreeMap::new();
    for pusher in &pushers {
        let device = Device::sign_in(&w.router, pusher.login).await;
        sees.insert(
            pusher.login,
            device
                .pull_everything(&w.router)
                .await
                .into_keys()
                .collect(),
        );
        devices.insert(pusher.login, device);
    }

    let mut failures = Vec::new();
    let mut expects = Vec::with_capacity(plan.cases.len());
    for case in &plan.cases {
        let seen = &sees[case.login];
        let visible = !case.fixture || seen.contains(&case.target);
        let expect = match (&case.granted, case.outside_extent) {
            (Some(_), false) => Expect::Applied,
            (Some(extent), true) => Expect::Forbidden(Some(extent.clone())),
            (None, _) if visible || case.name == "create" => Expect::Forbidden(None),
            (None, _) => Expect::NotFound,
        };
        // A case is only meaningful on a record the user sees, unless they see none of its kind.
        let sees_any = seen.iter().any(|(c, _)| *c == case.collection);
        if !visible && (expect != Expect::NotFound || sees_any) {
            failures.push(format!(
                "{} {} {}: the case's record is not one the user sees",
                case.login, case.collection, case.action
            ));
        }
        expects.push(expect);
    }

    // Each login pushes its cases at once; every mutation is decided on its own record.
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for pusher in &pushers {
        let device = &devices[pusher.login];
        let mine: Vec<usize> = (0..plan.cases.len())
            .filter(|&i| plan.cases[i].login == pusher.login)
            .collect();
        let mutations = mine
            .iter()
            .map(|&i| device.mutation(plan.cases[i].name, plan.cases[i].args.clone()))
            .collect();
        let outcomes = device.push(&w.router, mutations).await;
        let tally = tallies.entry(pusher.login).or_default();
        for (&i, outcome) in mine.iter().zip(&outcomes) {
            let case = &plan.cases[i];
            failures.extend(judge(case, &expects[i], outcome));
            match &expects[i] {
                Expect::Applied => tally.applied += 1,
                Expect::Forbidden(Some(_)) => tally.outside_extent += 1,
                Expect::Forbidden(None) => tally.forbidden += 1,
                Expect::NotFound => tally.not_found += 1,
            }
        }
    }

    // Storage shows every applied change and none of the refused ones.
    let records = stored(&w.storage).await;
    for (case, expect) in plan.cases.iter().zip(&expects) {
        let applied = *expect == Expect::Applied;
        if effect_holds(case, &records) != applied {
            failures.push(format!(
                "{} {} {}: storage {} the change ({:?})",
                case.login,
                case.collection,
                case.action,
                if applied { "lacks" } else { "holds" },
                case.effect
            ));
        }
    }

    // Every documented grant was exercised by an applied case, but those no change can need (their
    // own test below names them).
    for ((collection, role, action), extent) in &matrix.grants {
        let exercised = plan.cases.iter().zip(&expects).any(|(c, e)| {
            &c.role == role
                && &c.collection == collection
                && &c.action == action
                && *e == Expect::Applied
        });
        let unbuildable = plan
            .unbuildable
            .iter()
            .any(|u| u.starts_with(&format!("{role} {collection} {action} ")));
        if !exercised && !unbuildable {
            failures.push(format!(
                "{role} {collection} {action} ({extent}): documented, but no case applied it"
            ));
        }
    }

    println!("permission matrix, pushed through the router:");
    println!(
        "{:<14} {:<17} {:>7} {:>9} {:>14} {:>9} {:>6}",
        "login", "role", "applied", "forbidden", "outside extent", "not found", "total"
    );
    let mut total = 0;
    for pusher in &pushers {
        let t = &tallies[pusher.login];
        let sum = t.applied + t.forbidden + t.outside_extent + t.not_found;
        total += sum;
        println!(
            "{:<14} {:<17} {:>7} {:>9} {:>14} {:>9} {:>6}",
            pusher.login, pusher.role, t.applied, t.forbidden, t.outside_extent, t.not_found, sum
        );
    }
    println!(
        "{total} cases, {} records made for them, in {:.1?}",
        plan.records.len(),
        started.elapsed()
    );
    for note in plan.notes.iter().chain(&plan.unbuildable) {
        println!("not tried: {note}");
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases were answered otherwise than README.md documents:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// No silent skips: each grant of the README's matrix is one some change needs, so the matrix test
/// above exercised it.
async fn every_grant_the_readme_documents_is_one_a_change_can_need(backend: Backend) {
    let matrix = DocumentedMatrix::read();
    let w = demo_world(backend).await;
    let company = Company::load(&w.storage).await;
    let pushers: Vec<Pusher> = DEMO_LOGINS
        .iter()
        .map(|login| Pusher::of(&company, login))
        .collect();
    let plan = Plan::for_matrix(&matrix, &pushers, company.company_unit());
    assert!(
        plan.unbuildable.is_empty(),
        "grants of README.md's matrix that no change can exercise:\n{}",
        plan.unbuildable.join("\n")
    );
}

on_both_backends!(
    every_role_collection_and_action_is_answered_as_the_readme_documents,
    every_grant_the_readme_documents_is_one_a_change_can_need,
);
