//! What each role may do (权限管理, the second question of DESIGN.md's permission model): one table of
//! grants per role × collection × action, each limited to a reach of records (own, my unit's subtree,
//! anything I see), with actions for sensitive fields. The server decides every mutation by it; the web
//! app reads the same table to show only what the user may do. A company may adjust it (overrides on
//! the company org unit, synced to every device); administrators always keep every right.
//!
//! How a mutation maps to actions:
//! - `create` needs `Create` over the new record, and the rights for any sensitive or approval field it
//!   sets beyond the initial value;
//! - `set_fields` needs, for each field whose value changes: `Reassign` for a field that decides who
//!   sees the record (owner, unit, customer…), `Approve` for an approval field (a promotion's status),
//!   `Field(name)` for a sensitive field (credit limit, tier, a target's value, a budget's amount), and
//!   `Edit` for any other field; each over the record as it was;
//! - `delete` needs `Delete`, `move_opportunity_stage` needs `MoveStage`, over the record as it was.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{
    domain::{breakdown_of, Collection},
    locale::Locale,
    scope::{OrgTree, Role, ScopeFacts, Viewer},
    sync::protocol::{Intent, SetFieldsArgs},
    targets::approval::{approver_facts, transition, Breakdown, Decider},
};

/// Something a user may do to a record of a collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Create,
    /// Change plain fields.
    Edit,
    Delete,
    /// Move an opportunity through the funnel (推进阶段), won and lost included.
    MoveStage,
    /// Set an approval field (审批): a promotion's, budget's or expense's status.
    Approve,
    /// Change who or which unit a record belongs to (转移), which changes who sees it.
    Reassign,
    /// Change one sensitive field, named in `SENSITIVE_FIELDS`.
    Field(&'static str),
}

/// The record-level actions, in the order the README's matrix lists them.
pub const RECORD_ACTIONS: [Action; 6] = [
    Action::Create,
    Action::Edit,
    Action::Delete,
    Action::MoveStage,
    Action::Approve,
    Action::Reassign,
];

/// Fields whose change needs a grant of their own, beyond `Edit`.
pub const SENSITIVE_FIELDS: &[(Collection, &str)] = &[
    (Collection::Customer, "credit_limit"),
    (Collection::Customer, "tier"),
    (Collection::Target, "value"),
    (Collection::Budget, "amount"),
    (Collection::Promotion, "budget"),
    (Collection::Product, "list_price"),
    (Collection::Product, "cost"),
    (Collection::OrgUnit, FUNNEL_SETTINGS),
    (Collection::OrgUnit, OVERRIDES_FIELD),
    (Collection::OrgUnit, crate::domain::ROLE_DUTIES_FIELD),
    (Collection::OrgUnit, crate::domain::SCORE_WEIGHTS_FIELD),
    (Collection::OrgUnit, crate::domain::IMPORT_MAPPINGS_FIELD),
    (Collection::User, "role"),
    (Collection::User, ACCOUNT_FIELD),
];

/// Approval fields: changing them (or creating a record with them past their first value) is `Approve`.
const APPROVAL_FIELDS: &[(Collection, &str, &str)] = &[
    (Collection::Promotion, "status", "planned"),
    (Collection::Budget, "status", "submitted"),
    (Collection::Expense, "status", "submitted"),
];

/// Fields that decide who sees a record (its `ScopeFacts`): changing them is `Reassign`.
const PLACEMENT_FIELDS: &[&str] = &[
    "owner_id",
    "author_id",
    "promoter_id",
    "promoter_ids",
    "unit_id",
    "region_unit_id",
    "customer_id",
    "store_id",
    "subject_id",
    "subject_kind",
];

/// The funnel settings fields of the company unit are one sensitive group, named by this pseudo-field.
pub const FUNNEL_SETTINGS: &str = "funnel_settings";
/// The company unit's field that holds the company's adjustments to this table.
pub const OVERRIDES_FIELD: &str = "permission_overrides";
/// A person's sign-in account (登录账号): giving one, disabling or enabling it, resetting its
/// password. Accounts live on the server only; this pseudo-field of `users` names the grant.
pub const ACCOUNT_FIELD: &str = "account";

impl Action {
    /// The action a change of `field` of `collection` needs.
    pub fn for_field(collection: Collection, field: &str) -> Action {
        if let Some(&(_, name)) = SENSITIVE_FIELDS
            .iter()
            .find(|(c, name)| *c == collection && *name == field)
        {
            return Action::Field(name);
        }
        if collection == Collection::OrgUnit
            && (crate::domain::WIN_PROBABILITY_FIELDS.contains(&field)
                || crate::domain::STALL_DAYS_FIELDS.contains(&field)
                || crate::money::RATE_FIELDS.iter().any(|(_, f)| *f == field))
        {
            return Action::Field(FUNNEL_SETTINGS);
        }
        if APPROVAL_FIELDS
            .iter()
            .any(|(c, name, _)| *c == collection && *name == field)
        {
            return Action::Approve;
        }
        if PLACEMENT_FIELDS.contains(&field)
            || (collection == Collection::OrgUnit && field == "parent_id")
            || (collection == Collection::User && field == "manager_id")
        {
            return Action::Reassign;
        }
        Action::Edit
    }

    /// Does this action mean anything for `collection`: could some change of one of its records need
    /// it? Stage moves are the funnel's, approval needs an approval field, reassigning a field that
    /// places the record, a sensitive field must be one of the collection's.
    pub fn applies_to(self, collection: Collection) -> bool {
        match self {
            Action::Create | Action::Edit | Action::Delete => true,
            Action::MoveStage => collection == Collection::Opportunity,
            // A report's review (`review_report`) is its approval, a target's the decision on
            // its breakdown (`decide_breakdown`); neither has an approval field.
            Action::Approve => {
                APPROVAL_FIELDS.iter().any(|(c, _, _)| *c == collection)
                    || matches!(collection, Collection::PromotionReport | Collection::Target)
            }
            Action::Reassign => collection
                .fields()
                .iter()
                .any(|f| Action::for_field(collection, f.name) == Action::Reassign),
            Action::Field(name) => SENSITIVE_FIELDS.contains(&(collection, name)),
        }
    }

    /// What giving `field` this value in a new record needs beyond `Create`: the grant of a sensitive
    /// field, or `Approve` for an approval field past its first value. Placement needs nothing more:
    /// `Create` is checked over the new record, wherever it is placed.
    pub fn create_needs(collection: Collection, field: &str, value: &Value) -> Option<Action> {
        if value.is_null() {
            return None;
        }
        match Action::for_field(collection, field) {
            action @ Action::Field(_) => Some(action),
            Action::Approve if !is_first_approval_value(collection, field, value) => {
                Some(Action::Approve)
            }
            _ => None,
        }
    }

    /// The wire name used in the company's overrides: `create`, `move_stage`, `field:credit_limit`.
    pub fn as_string(self) -> String {
        match self {
            Action::Field(name) => format!("field:{name}"),
            other => other.simple_name().to_owned(),
        }
    }

    fn simple_name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::MoveStage => "move_stage",
            Action::Approve => "approve",
            Action::Reassign => "reassign",
            Action::Field(_) => "field",
        }
    }

    /// The action named `text` for `collection`; sensitive fields must be ones of that collection.
    pub fn parse(collection: Collection, text: &str) -> Option<Action> {
        if let Some(field) = text.strip_prefix("field:") {
            return SENSITIVE_FIELDS
                .iter()
                .find(|(c, name)| *c == collection && *name == field)
                .map(|(_, name)| Action::Field(name));
        }
        RECORD_ACTIONS
            .into_iter()
            .find(|action| action.simple_name() == text)
    }

    /// The sensitive fields of a collection, as actions.
    pub fn fields_of(collection: Collection) -> impl Iterator<Item = Action> {
        SENSITIVE_FIELDS
            .iter()
            .filter(move |(c, _)| *c == collection)
            .map(|(_, name)| Action::Field(name))
    }

    /// The action in words, for the matrix and refusals: 新建 / create.
    pub fn label(self, collection: Collection, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        match self {
            Action::Create if zh => "新建".into(),
            Action::Create => "create".into(),
            Action::Edit if zh => "修改".into(),
            Action::Edit => "edit".into(),
            Action::Delete if zh => "删除".into(),
            Action::Delete => "delete".into(),
            Action::MoveStage if zh => "推进阶段".into(),
            Action::MoveStage => "move the stage of".into(),
            Action::Approve if zh && collection == Collection::PromotionReport => "审阅".into(),
            Action::Approve if zh => "审批".into(),
            Action::Approve if collection == Collection::PromotionReport => "review".into(),
            Action::Approve => "approve".into(),
            Action::Reassign if zh => "转移（换负责人或组织）".into(),
            Action::Reassign => "hand to another owner or unit".into(),
            Action::Field(name) => {
                let label = field_label(collection, name, locale);
                if zh {
                    format!("修改「{label}」")
                } else {
                    format!("change the {} of", label.to_lowercase())
                }
            }
        }
    }
}

fn field_label(collection: Collection, name: &str, locale: Locale) -> String {
    if name == FUNNEL_SETTINGS {
        return match locale {
            Locale::ZhCn => "漏斗设置".into(),
            Locale::En => "Funnel settings".into(),
        };
    }
    if name == OVERRIDES_FIELD {
        return match locale {
            Locale::ZhCn => "权限设置".into(),
            Locale::En => "Permission settings".into(),
        };
    }
    if collection == Collection::User && name == ACCOUNT_FIELD {
        return match locale {
            Locale::ZhCn => "登录账号".into(),
            Locale::En => "Sign-in account".into(),
        };
    }
    collection
        .field(name)
        .map_or_else(|| name.to_owned(), |f| f.label(locale).to_owned())
}

/// Which records a grant covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Extent {
    /// Records that are the user's own (owner, author, assigned promoter, or hanging from their own
    /// customer) and lie inside the user's unit.
    Own,
    /// Records of the user's unit and the units below it (a subordinate's records), and their own.
    Subtree,
    /// Every record the user may see.
    All,
}

impl Extent {
    pub fn as_str(self) -> &'static str {
        match self {
            Extent::Own => "own",
            Extent::Subtree => "subtree",
            Extent::All => "all",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Extent::Own, Locale::ZhCn) => "本人",
            (Extent::Own, Locale::En) => "own",
            (Extent::Subtree, Locale::ZhCn) => "本组织及下级",
            (Extent::Subtree, Locale::En) => "own unit and below",
            (Extent::All, Locale::ZhCn) => "全部",
            (Extent::All, Locale::En) => "all",
        }
    }

    /// Does this extent cover a record with these facts, for this viewer?
    pub fn covers(
        self,
        viewer: &Viewer,
        collection: Collection,
        facts: &ScopeFacts,
        org: &OrgTree,
    ) -> bool {
        if !viewer.can_see(collection, facts, org) {
            return false;
        }
        let in_unit = |unit: &str| org.is_within(unit, &viewer.unit_id);
        let own = facts.user_ids.contains(&viewer.user_id)
            || facts
                .customer_id
                .as_ref()
                .is_some_and(|c| viewer.own_customers.contains(c));
        match self {
            Extent::All => true,
            Extent::Own => own && facts.unit_id.as_deref().is_none_or(in_unit),
            Extent::Subtree => {
                facts.unit_id.as_deref().is_some_and(in_unit) || (own && facts.unit_id.is_none())
            }
        }
    }
}

/// A change to the table being prepared on the settings page: role × collection × action → the
/// extent wanted (`None`: not allowed).
pub type Draft = BTreeMap<(Role, Collection, Action), Option<Extent>>;

/// One of the company's adjustments: a role's extent for one action, or `None` to take it away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    pub role: Role,
    pub collection: Collection,
    pub action: Action,
    pub extent: Option<Extent>,
}

impl Override {
    /// Reads one line of the company unit's `permission_overrides`; `Err` says which part is wrong.
    pub fn from_line(line: &Value) -> Result<Override, &'static str> {
        let text = |name| line.get(name).and_then(Value::as_str);
        let role = text("role").and_then(Role::parse).ok_or("role")?;
        if role == Role::Admin {
            return Err("role");
        }
        let collection = text("collection")
            .and_then(Collection::parse)
            .ok_or("collection")?;
        let action = text("action")
            .and_then(|a| Action::parse(collection, a))
            .ok_or("action")?;
        let extent = match text("extent").ok_or("extent")? {
            "none" => None,
            "own" => Some(Extent::Own),
            "subtree" => Some(Extent::Subtree),
            "all" => Some(Extent::All),
            _ => return Err("extent"),
        };
        Ok(Override {
            role,
            collection,
            action,
            extent,
        })
    }

    /// The line as the company unit stores it.
    pub fn to_line(&self) -> Value {
        serde_json::json!({
            "role": self.role.as_str(),
            "collection": self.collection.as_str(),
            "action": self.action.as_string(),
            "extent": self.extent.map_or("none", Extent::as_str),
        })
    }
}

/// The effective table: the defaults below with the company's overrides on top.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permissions {
    grants: BTreeMap<(Role, Collection, Action), Extent>,
}

impl Default for Permissions {
    fn default() -> Self {
        Self::defaults()
    }
}

impl Permissions {
    /// The table as shipped, from what the seed documents' roles do.
    pub fn defaults() -> Self {
        let mut grants = BTreeMap::new();
        for (roles, collections, actions, extent) in default_rules() {
            for role in *roles {
                for collection in *collections {
                    for action in *actions {
                        grants.insert((*role, *collection, *action), *extent);
                    }
                }
            }
        }
        Self { grants }
    }

    /// The defaults adjusted by the company's overrides, in order (a later line wins).
    pub fn with_overrides<'a>(overrides: impl IntoIterator<Item = &'a Override>) -> Self {
        let mut table = Self::defaults();
        for o in overrides {
            let key = (o.role, o.collection, o.action);
            match o.extent {
                Some(extent) => table.grants.insert(key, extent),
                None => table.grants.remove(&key),
            };
        }
        table
    }

    /// The table of a company whose root org unit has these fields; bad lines are skipped (they
    /// cannot be stored: validation refuses them).
    pub fn from_company(fields: &Map<String, Value>) -> Self {
        let overrides = company_overrides(fields);
        Self::with_overrides(&overrides)
    }

    /// How far `role` may take `action` on `collection`; `None` means not at all. Administrators
    /// may do everything, whatever the overrides say.
    pub fn extent(&self, role: Role, collection: Collection, action: Action) -> Option<Extent> {
        if role == Role::Admin {
            return Some(Extent::All);
        }
        self.grants.get(&(role, collection, action)).copied()
    }

    /// May this viewer take `action` on a record with these facts (for `Create`, the new record's)?
    pub fn allows(
        &self,
        viewer: &Viewer,
        org: &OrgTree,
        collection: Collection,
        action: Action,
        facts: &ScopeFacts,
    ) -> bool {
        self.extent(viewer.role, collection, action)
            .is_some_and(|extent| extent.covers(viewer, collection, facts, org))
    }

    /// May this role take `action` on some record of `collection` at all? For showing a "new" button
    /// or a field before a record is known.
    pub fn role_may(&self, role: Role, collection: Collection, action: Action) -> bool {
        self.extent(role, collection, action).is_some()
    }

    /// Decides whether a mutation is allowed, given the record before (`None` for a create) and the
    /// fields and facts it will have after. Returns the first action refused.
    pub fn check(
        &self,
        viewer: &Viewer,
        org: &OrgTree,
        intent: &Intent,
        before: Option<(&Map<String, Value>, &ScopeFacts)>,
        after: Option<&ScopeFacts>,
    ) -> Result<(), Denial> {
        let collection = intent.target().collection;
        let need =
            |action: Action, facts: &ScopeFacts| self.need(viewer, org, collection, action, facts);
        match (intent, before) {
            (Intent::Create(args), _) => {
                let facts = after.cloned().unwrap_or_default();
                need(Action::Create, &facts)?;
                for (field, value) in &args.fields {
                    if let Some(action) = Action::create_needs(collection, field, value) {
                        need(action, &facts)?;
                    }
                }
                Ok(())
            }
            (Intent::SetFields(args), Some((fields, facts))) => {
                self.check_edit(viewer, org, args, fields, facts)
            }
            (Intent::Delete(_), Some((_, facts))) => need(Action::Delete, facts),
            (Intent::MoveOpportunityStage(_), Some((_, facts))) => need(Action::MoveStage, facts),
            // A reschedule is judged as the edit of dates and stores it makes; one that cannot be
            // made at all is left to the merge rules, which refuse it with their reason.
            (Intent::ReschedulePromotion(_), Some((fields, facts))) => {
                match intent.as_edit(fields) {
                    Some(Ok(edit)) => self.check_edit(viewer, org, &edit, fields, facts),
                    _ => Ok(()),
                }
            }
            // Moving the status on is approving, whatever the comment says.
            (Intent::DecidePromotion(_), Some((_, facts))) => need(Action::Approve, facts),
            // A breakdown is submitted by whoever sets its children's values (the target's own
            // value right), and decided one unit up; a move the status does not allow is left to
            // the merge rules.
            (Intent::DecideBreakdown(args), Some((fields, facts))) => {
                let to = Breakdown::parse(&args.status);
                match to.map(|to| transition(breakdown_of(fields), to, true)) {
                    Some(Ok(Decider::Owner)) => need(Action::Field("value"), facts),
                    Some(Ok(Decider::Approver)) => {
                        need(Action::Approve, &approver_facts(org, facts))
                    }
                    _ => Ok(()),
                }
            }
            // Reviewing a report is approving it, in the reviewer's own name only.
            (Intent::ReviewReport(args), Some((_, facts))) => {
                if args.reviewer_id != viewer.user_id {
                    return Err(Denial::Action {
                        role: viewer.role,
                        collection,
                        action: Action::Approve,
                        extent: None,
                    });
                }
                need(Action::Approve, facts)
            }
            // Nothing to check against: the merge rules answer "not found".
            (_, None) => Ok(()),
        }
    }

    /// The actions a plain edit of a record with `fields` and `facts` needs, each checked.
    fn check_edit(
        &self,
        viewer: &Viewer,
        org: &OrgTree,
        args: &SetFieldsArgs,
        fields: &Map<String, Value>,
        facts: &ScopeFacts,
    ) -> Result<(), Denial> {
        let mut needed = Vec::new();
        for (field, value) in &args.fields {
            if fields.get(field).unwrap_or(&Value::Null) != value {
                needed.push(Action::for_field(args.collection, field));
            }
        }
        // A reviewed report is closed: changing it is for those who may review it.
        if args.collection == Collection::PromotionReport
            && !needed.is_empty()
            && fields.get("reviewed_at").is_some_and(|v| !v.is_null())
        {
            needed.push(Action::Approve);
        }
        needed.sort();
        needed.dedup();
        needed
            .into_iter()
            .try_for_each(|action| self.need(viewer, org, args.collection, action, facts))
    }

    /// A change that places a record elsewhere (changes a field whose action is `Reassign`) needs
    /// `Reassign` where the record lands as well as where it was: `before` and `after` are its fields,
    /// `facts` its scope facts after the change.
    pub fn check_destination(
        &self,
        viewer: &Viewer,
        org: &OrgTree,
        collection: Collection,
        before: &Map<String, Value>,
        after: &Map<String, Value>,
        facts: &ScopeFacts,
    ) -> Result<(), Denial> {
        let placed = collection
            .fields()
            .iter()
            .filter(|f| Action::for_field(collection, f.name) == Action::Reassign)
            .any(|f| before.get(f.name) != after.get(f.name));
        if placed {
            self.need(viewer, org, collection, Action::Reassign, facts)
        } else {
            Ok(())
        }
    }

    /// `Ok` if the viewer may take `action` on a record with `facts`, else the denial saying so.
    pub fn need(
        &self,
        viewer: &Viewer,
        org: &OrgTree,
        collection: Collection,
        action: Action,
        facts: &ScopeFacts,
    ) -> Result<(), Denial> {
        if self.allows(viewer, org, collection, action, facts) {
            Ok(())
        } else {
            Err(Denial::Action {
                role: viewer.role,
                collection,
                action,
                extent: self.extent(viewer.role, collection, action),
            })
        }
    }

    /// The company's override lines once `draft` is applied to this table: one line per cell that
    /// differs from the shipped default, in a stable order; a cell equal to its default has none.
    pub fn override_lines(&self, draft: &Draft) -> Vec<Override> {
        let defaults = Permissions::defaults();
        let mut cells: std::collections::BTreeSet<(Role, Collection, Action)> = defaults
            .grants
            .keys()
            .chain(self.grants.keys())
            .copied()
            .collect();
        cells.extend(draft.keys().copied());
        cells
            .into_iter()
            .filter(|(role, _, _)| *role != Role::Admin)
            .filter_map(|(role, collection, action)| {
                let wanted = match draft.get(&(role, collection, action)) {
                    Some(wanted) => *wanted,
                    None => self.extent(role, collection, action),
                };
                (wanted != defaults.extent(role, collection, action)).then_some(Override {
                    role,
                    collection,
                    action,
                    extent: wanted,
                })
            })
            .collect()
    }

    /// The cells of `role` that differ from the shipped default in this table, set back to it.
    pub fn reset_role(&self, role: Role) -> Draft {
        let defaults = Permissions::defaults();
        defaults
            .grants
            .keys()
            .chain(self.grants.keys())
            .filter(|(r, _, _)| *r == role)
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter_map(|key| {
                let default = defaults.extent(key.0, key.1, key.2);
                (self.extent(key.0, key.1, key.2) != default).then_some((key, default))
            })
            .collect()
    }

    /// Every granted line, for the README's matrix and the settings page.
    pub fn grants(&self) -> impl Iterator<Item = (Role, Collection, Action, Extent)> + '_ {
        self.grants
            .iter()
            .map(|(&(role, collection, action), &extent)| (role, collection, action, extent))
    }
}

fn is_first_approval_value(collection: Collection, field: &str, value: &Value) -> bool {
    APPROVAL_FIELDS
        .iter()
        .any(|(c, name, first)| *c == collection && *name == field && value.as_str() == Some(first))
}

/// The overrides stored on a company unit's fields, skipping lines that do not parse.
pub fn company_overrides(fields: &Map<String, Value>) -> Vec<Override> {
    match fields.get(OVERRIDES_FIELD) {
        Some(Value::Array(lines)) => lines
            .iter()
            .filter_map(|line| Override::from_line(line).ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// Why a mutation was refused by the table or the reference rule, so each device can say it in its
/// user's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Denial {
    /// The role may not take the action, or not on this record (`extent` says how far it may).
    Action {
        role: Role,
        collection: Collection,
        #[serde(with = "action_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        action: Action,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        extent: Option<Extent>,
    },
    /// A field names a record the writer cannot see, or that does not exist (the same answer).
    Reference {
        collection: Collection,
        field: String,
    },
}

/// Actions travel as their override names; `Field` names are looked up again on the way in.
mod action_text {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(action: &Action, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&action.as_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        let text = String::deserialize(d)?;
        if let Some(field) = text.strip_prefix("field:") {
            return SENSITIVE_FIELDS
                .iter()
                .find(|(_, name)| *name == field)
                .map(|(_, name)| Action::Field(name))
                .ok_or_else(|| serde::de::Error::custom("unknown sensitive field"));
        }
        RECORD_ACTIONS
            .into_iter()
            .find(|a| a.simple_name() == text)
            .ok_or_else(|| serde::de::Error::custom("unknown action"))
    }
}

impl Denial {
    /// The refusal in words: 你的角色（业务员）只能修改本人的客户。
    pub fn message(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        match self {
            Denial::Action {
                role,
                collection,
                action,
                extent,
            } => {
                let role = role_label(*role, locale);
                let what = collection.label(locale);
                // 修改客户的「信用额度」 / change the credit limit of customers
                let deed = match (action, zh) {
                    (Action::Field(name), true) => {
                        format!("修改{what}的「{}」", field_label(*collection, name, locale))
                    }
                    (Action::Field(name), false) => format!(
                        "change the {} of {}",
                        field_label(*collection, name, locale).to_lowercase(),
                        what.to_lowercase()
                    ),
                    (_, true) => format!("{}{what}", action.label(*collection, locale)),
                    (_, false) => {
                        format!(
                            "{} {}",
                            action.label(*collection, locale),
                            what.to_lowercase()
                        )
                    }
                };
                match (extent, zh) {
                    (None, true) => format!("你的角色（{role}）不能{deed}。"),
                    (None, false) => format!("Your role ({role}) may not {deed}."),
                    (Some(extent), true) => {
                        format!(
                            "你的角色（{role}）只能在「{}」范围内{deed}。",
                            extent.label(locale)
                        )
                    }
                    (Some(extent), false) => format!(
                        "Your role ({role}) may {deed} only within: {}.",
                        extent.label(locale)
                    ),
                }
            }
            Denial::Reference { collection, field } => {
                let label = field_label(*collection, field, locale);
                if zh {
                    format!("「{label}」指向的记录不存在，或不在你的权限范围内。")
                } else {
                    format!("{label} names a record that does not exist or that you may not see.")
                }
            }
        }
    }
}

/// A role's name for people: 业务员 / Sales rep.
pub fn role_label(role: Role, locale: Locale) -> &'static str {
    Collection::User
        .field("role")
        .and_then(|f| f.choice_label(role.as_str(), locale))
        .unwrap_or("?")
}

/// The ids a mutation's fields point at: every `Ref` and `RefList` value it sets (changed or not;
/// the caller filters). Each with the field's name.
pub fn references(
    collection: Collection,
    fields: &Map<String, Value>,
) -> Vec<(&'static str, Collection, String)> {
    use crate::domain::FieldKind;
    let mut out = Vec::new();
    for def in collection.fields() {
        let Some(value) = fields.get(def.name) else {
            continue;
        };
        match def.kind {
            FieldKind::Ref(target) => {
                if let Some(id) = value.as_str() {
                    out.push((def.name, target, id.to_owned()));
                }
            }
            FieldKind::RefList(target) => {
                if let Some(ids) = value.as_array() {
                    out.extend(
                        ids.iter()
                            .filter_map(Value::as_str)
                            .map(|id| (def.name, target, id.to_owned())),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// Fields of people's records that only roles who manage them receive: contact data and employee no.
pub const PRIVATE_USER_FIELDS: [&str; 3] = ["phone", "email", "employee_no"];

/// May this viewer receive the private fields of the user record `user_id` in unit `unit_id`?
/// The person themself, company-wide roles, and managers of the person's unit do.
pub fn may_read_private(
    viewer: &Viewer,
    org: &OrgTree,
    user_id: &str,
    unit_id: Option<&str>,
) -> bool {
    if viewer.user_id == user_id {
        return true;
    }
    match viewer.role {
        Role::Admin | Role::HqMarketing => true,
        Role::RegionalManager | Role::AreaSupervisor => {
            unit_id.is_some_and(|unit| org.is_within(unit, &viewer.unit_id))
        }
        _ => false,
    }
}

/// A rule of the default table: these roles may take these actions on these collections, this far.
type Rule = (
    &'static [Role],
    &'static [Collection],
    &'static [Action],
    Extent,
);

/// The shipped table; the README's matrix is printed from it (see `matrix_markdown`).
fn default_rules() -> &'static [Rule] {
    use Action::*;
    use Collection as C;
    use Role::*;
    const CRUD: &[Action] = &[Create, Edit, Delete];
    const SALES: &[Collection] = &[
        C::Customer,
        C::Contact,
        C::Visit,
        C::Opportunity,
        C::Order,
        C::Contract,
    ];
    const MANAGERS: &[Role] = &[RegionalManager, AreaSupervisor];
    &[
        // HQ marketing (市场部) plans and approves across the company: everything but people and money
        // approval, which is finance's.
        (
            &[HqMarketing],
            &[C::OrgUnit],
            &[Create, Edit, Delete, Reassign],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::Product],
            &[Create, Edit, Delete],
            Extent::All,
        ),
        (
            &[HqMarketing],
            SALES,
            &[Create, Edit, Delete, Reassign],
            Extent::All,
        ),
        (&[HqMarketing], &[C::Opportunity], &[MoveStage], Extent::All),
        (
            &[HqMarketing],
            &[C::Customer],
            &[Field("tier"), Field("credit_limit")],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::Product],
            &[Field("list_price"), Field("cost")],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::OrgUnit],
            &[
                Field(FUNNEL_SETTINGS),
                Field(crate::domain::SCORE_WEIGHTS_FIELD),
                Field(crate::domain::IMPORT_MAPPINGS_FIELD),
            ],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::Target],
            &[Create, Edit, Delete, Reassign, Approve, Field("value")],
            Extent::All,
        ),
        // Past actuals come from the company's own books (the import); HQ corrects them.
        (
            &[HqMarketing],
            &[C::PastActual],
            &[Create, Edit, Delete, Reassign],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::Budget],
            &[Create, Edit, Reassign, Field("amount")],
            Extent::All,
        ),
        (&[HqMarketing], &[C::Expense], &[Create, Edit], Extent::All),
        (
            &[HqMarketing],
            &[C::Promotion],
            &[Create, Edit, Delete, Approve, Reassign, Field("budget")],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::PromotionReport, C::DailyReport],
            &[Edit],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::PromotionReport],
            &[Approve],
            Extent::All,
        ),
        (
            &[HqMarketing],
            &[C::Ticket, C::Survey],
            &[Create, Edit, Reassign],
            Extent::All,
        ),
        // Regional managers (大区经理) manage their region and approve its promotions and its areas'
        // target breakdowns;
        // area supervisors (区域主管) manage their reps and promoters and review their reports.
        (
            MANAGERS,
            SALES,
            &[Create, Edit, Delete, Reassign],
            Extent::Subtree,
        ),
        (MANAGERS, &[C::Opportunity], &[MoveStage], Extent::Subtree),
        (MANAGERS, &[C::Customer], &[Field("tier")], Extent::Subtree),
        (
            MANAGERS,
            &[C::Target],
            &[Create, Edit, Delete, Field("value")],
            Extent::Subtree,
        ),
        // A regional manager approves the breakdowns of the areas below (`approver_facts`: one unit
        // up, so never their own region's, which the company approves).
        (
            &[RegionalManager],
            &[C::Target],
            &[Reassign, Approve],
            Extent::Subtree,
        ),
        (
            MANAGERS,
            &[C::Promotion],
            &[Create, Edit, Reassign, Field("budget")],
            Extent::Subtree,
        ),
        (
            &[RegionalManager],
            &[C::Promotion],
            &[Delete, Approve],
            Extent::Subtree,
        ),
        (
            MANAGERS,
            &[C::Expense],
            &[Create, Edit, Delete],
            Extent::Own,
        ),
        (
            MANAGERS,
            &[C::PromotionReport],
            &[Edit, Approve],
            Extent::Subtree,
        ),
        (
            MANAGERS,
            &[C::DailyReport],
            &[Create, Edit, Delete],
            Extent::Own,
        ),
        (MANAGERS, &[C::Ticket], &[Create], Extent::Subtree),
        // They move their people between the units they manage (the org chart's drag), and a
        // regional manager rearranges the units of the region.
        (MANAGERS, &[C::User], &[Reassign], Extent::Subtree),
        (
            &[RegionalManager],
            &[C::OrgUnit],
            &[Reassign],
            Extent::Subtree,
        ),
        // Sales reps (业务员) manage their own customers, contacts, visits, deals and orders.
        (&[SalesRep], SALES, CRUD, Extent::Own),
        (&[SalesRep], &[C::Opportunity], &[MoveStage], Extent::Own),
        (&[SalesRep], &[C::DailyReport], &[Create, Edit], Extent::Own),
        (&[SalesRep], &[C::Ticket], &[Create], Extent::Own),
        // Promoters (促销员) write their own store reports and daily reports.
        (
            &[Promoter],
            &[C::PromotionReport, C::DailyReport],
            &[Create, Edit],
            Extent::Own,
        ),
        // Finance (财务) approves budgets and expenses and keeps their money fields.
        (
            &[Finance],
            &[C::Budget],
            &[Create, Edit, Delete, Approve, Reassign, Field("amount")],
            Extent::Subtree,
        ),
        (
            &[Finance],
            &[C::Expense],
            &[Edit, Delete, Approve],
            Extent::Subtree,
        ),
        (
            &[Finance],
            &[C::Customer],
            &[Field("credit_limit")],
            Extent::Subtree,
        ),
        (
            &[Finance],
            &[C::Promotion],
            &[Field("budget")],
            Extent::Subtree,
        ),
        (
            &[Finance],
            &[C::Product],
            &[Field("list_price"), Field("cost")],
            Extent::All,
        ),
        // Service agents (客服) work tickets and surveys.
        (
            &[ServiceAgent],
            &[C::Ticket],
            &[Create, Edit, Reassign],
            Extent::Subtree,
        ),
        (
            &[ServiceAgent],
            &[C::Survey],
            &[Create, Edit, Delete],
            Extent::Subtree,
        ),
        (
            &[ServiceAgent],
            &[C::Contact],
            &[Create, Edit],
            Extent::Subtree,
        ),
    ]
}

/// The roles whose table the README lists and the settings page edits: every role but the
/// administrator, who may do everything.
pub fn table_roles() -> impl Iterator<Item = Role> {
    Role::ALL.into_iter().filter(|role| *role != Role::Admin)
}

/// The default table as a Markdown matrix: one row per collection, one column per role, each cell the
/// actions with their extent. README.md carries this text; a test keeps the two equal.
pub fn matrix_markdown() -> String {
    let table = Permissions::defaults();
    let mut out = String::from("| collection |");
    for role in table_roles() {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n|---|");
    for _ in table_roles() {
        out.push_str("---|");
    }
    out.push('\n');
    for collection in Collection::ALL {
        out.push_str(&format!("| {} |", collection.as_str()));
        for role in table_roles() {
            let mut by_extent: BTreeMap<Extent, Vec<String>> = BTreeMap::new();
            let actions = RECORD_ACTIONS
                .into_iter()
                .chain(Action::fields_of(collection));
            for action in actions {
                if let Some(extent) = table.grants.get(&(role, collection, action)) {
                    by_extent
                        .entry(*extent)
                        .or_default()
                        .push(action.as_string());
                }
            }
            let cell: Vec<String> = by_extent
                .iter()
                .map(|(extent, actions)| format!("{}: {}", extent.as_str(), actions.join(", ")))
                .collect();
            out.push_str(&format!(
                " {} |",
                if cell.is_empty() {
                    "—".into()
                } else {
                    cell.join("; ")
                }
            ));
        }
        out.push('\n');
    }
    out
}

/// Roles allowed to do anything at all to a collection: the web app hides a collection's controls for
/// the rest.
pub fn writers(table: &Permissions, collection: Collection) -> HashSet<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| {
            RECORD_ACTIONS
                .into_iter()
                .chain(Action::fields_of(collection))
                .any(|action| table.role_may(*role, collection, action))
        })
        .collect()
}

#[cfg(test)]
mod tests;
