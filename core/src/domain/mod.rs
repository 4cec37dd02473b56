//! The domain model registry: every collection the system syncs, its fields, their rules and labels.
//!
//! One table per collection (in the sibling files) is the single definition the sync protocol, the
//! server's storage and the screens share. Records travel as a JSON object of fields; `validate.rs`
//! checks such objects against these tables.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::locale::Locale;

mod budget;
mod contract;
mod customer;
mod daily_report;
mod error;
mod opportunity;
mod order;
mod org;
mod product;
mod promotion;
mod service;
mod target;
mod validate;

pub use error::ValidationError;
pub use opportunity::{enter_first_stage, LostReason, Stage};
pub use order::SOLD;
pub use org::{
    IMPORT_MAPPINGS_FIELD, ROLE_DUTIES_FIELD, SCORE_WEIGHTS_FIELD, STALL_DAYS_FIELDS, STORE,
    WIN_PROBABILITY_FIELDS,
};
pub use promotion::{
    decision_needs_comment, decision_patch, may_reschedule, next_statuses, reschedule_patch,
    review_patch,
};

/// The ids a list-of-references field holds (a promotion's stores…), in order; none when absent.
pub fn id_list<'a>(fields: &'a Map<String, Value>, name: &str) -> Vec<&'a str> {
    match fields.get(name) {
        Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}
pub use target::{breakdown_of, breakdown_patch, field_as_measured, named_by, subject_collection};
pub use validate::{validate_create, validate_fields, validate_patch, validate_record};

/// What a record created on a device gets beyond what its form sets, as of `at` (an RFC 3339
/// instant): a new opportunity enters its first stage. The forms call this for every collection, so
/// the rule stays here with the collection it belongs to.
pub fn complete_new(collection: Collection, fields: &mut Map<String, Value>, at: &str) {
    if collection == Collection::Opportunity {
        enter_first_stage(fields, at);
    }
}

/// Longest name of a person, customer, product or plan.
pub(crate) const NAME_CHARS: u32 = 200;
/// Longest free text: notes, summaries, descriptions.
pub(crate) const NOTES_CHARS: u32 = 4000;
/// Longest code or number: SKU, order no., employee no., receipt no.
pub(crate) const CODE_CHARS: u32 = 64;

/// 外部编号: a customer's or deal's id in the company's old CRM or ERP; a re-import finds the record
/// by it (`import::ImportKind::identity_keys`).
pub(crate) const EXTERNAL_ID: FieldDef = FieldDef::new(
    "external_id",
    FieldKind::Text {
        max_chars: CODE_CHARS,
    },
    "外部编号",
    "External ID",
);
/// Longest short text: a job title, a city, a segment, a category.
pub(crate) const SHORT_CHARS: u32 = 100;
/// Longest phone number (with country code, extension and separators).
pub(crate) const PHONE_CHARS: u32 = 32;
/// Longest postal address.
pub(crate) const ADDRESS_CHARS: u32 = 500;
/// Longest email address (RFC 5321 path limit).
pub(crate) const EMAIL_CHARS: u32 = 254;
/// Most entries in a `RefList` or `Lines` field.
pub const MAX_LIST_LEN: usize = 500;
/// Largest money amount in 分: JavaScript's largest exact integer, so JSON tools never round it.
pub const MAX_MONEY: i64 = 9_007_199_254_740_991;
/// Largest count (units sold, customers served) a record may carry.
pub(crate) const MAX_COUNT: i64 = 1_000_000_000;

/// A synced collection of records. The wire name (`as_str`, serde) is the snake_case plural.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Collection {
    /// 营销组织: company → region → area → store/team.
    #[serde(rename = "org_units")]
    OrgUnit,
    /// 人员: a person who signs in, in one org unit with one role.
    #[serde(rename = "users")]
    User,
    /// 客户: end customers, dealers, distributors and retail stores.
    #[serde(rename = "customers")]
    Customer,
    /// 联系人 of a customer.
    #[serde(rename = "contacts")]
    Contact,
    /// 拜访记录: a visit, call or meeting with a customer.
    #[serde(rename = "visits")]
    Visit,
    /// 产品: the catalogue.
    #[serde(rename = "products")]
    Product,
    /// 销售机会: a deal moving through the funnel.
    #[serde(rename = "opportunities")]
    Opportunity,
    /// 订单 with its lines.
    #[serde(rename = "orders")]
    Order,
    /// 合同.
    #[serde(rename = "contracts")]
    Contract,
    /// 目标: one target of the top-down target system (目标责任体系).
    #[serde(rename = "targets")]
    Target,
    /// 历史业绩: an actual figure of one month recorded outside the app (last year's sales from
    /// the ERP), counted in attainment beside the orders, visits and deals made here.
    #[serde(rename = "past_actuals")]
    PastActual,
    /// 预算: a unit's budget for one cost item and period.
    #[serde(rename = "budgets")]
    Budget,
    /// 费用: money spent against a budget.
    #[serde(rename = "expenses")]
    Expense,
    /// 促销: a promotion in stores.
    #[serde(rename = "promotions")]
    Promotion,
    /// 促销执行报告: a promoter's report of one store day.
    #[serde(rename = "promotion_reports")]
    PromotionReport,
    /// 日报: a field worker's daily report.
    #[serde(rename = "daily_reports")]
    DailyReport,
    /// 售后服务: a service ticket (complaint, repair, return, inquiry).
    #[serde(rename = "tickets")]
    Ticket,
    /// 满意度调查: a customer satisfaction survey.
    #[serde(rename = "surveys")]
    Survey,
}

/// What the registry knows about one collection; each sibling file defines one or more of these.
pub(crate) struct Table {
    pub wire: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub fields: &'static [FieldDef],
    /// Extra rules for one field's value beyond its kind (a login's characters, an email's shape).
    /// Runs only on values that already passed the kind check, at create and in patches.
    pub check_value: fn(&str, &serde_json::Value) -> Result<(), ValidationError>,
    /// Rules between fields of one whole record (dates in order, a lost deal has a reason).
    /// Runs on records whose fields passed their own checks, so it may skip unparsable values.
    pub check_record:
        fn(&serde_json::Map<String, serde_json::Value>) -> Result<(), ValidationError>,
}

/// For tables without extra value rules.
pub(crate) fn no_value_rules(_: &str, _: &serde_json::Value) -> Result<(), ValidationError> {
    Ok(())
}

/// For tables without cross-field rules.
pub(crate) fn no_record_rules(
    _: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), ValidationError> {
    Ok(())
}

impl Collection {
    pub const ALL: [Collection; 18] = [
        Collection::OrgUnit,
        Collection::User,
        Collection::Customer,
        Collection::Contact,
        Collection::Visit,
        Collection::Product,
        Collection::Opportunity,
        Collection::Order,
        Collection::Contract,
        Collection::Target,
        Collection::PastActual,
        Collection::Budget,
        Collection::Expense,
        Collection::Promotion,
        Collection::PromotionReport,
        Collection::DailyReport,
        Collection::Ticket,
        Collection::Survey,
    ];

    pub(crate) fn table(self) -> &'static Table {
        match self {
            Collection::OrgUnit => &org::ORG_UNITS,
            Collection::User => &org::USERS,
            Collection::Customer => &customer::CUSTOMERS,
            Collection::Contact => &customer::CONTACTS,
            Collection::Visit => &customer::VISITS,
            Collection::Product => &product::PRODUCTS,
            Collection::Opportunity => &opportunity::OPPORTUNITIES,
            Collection::Order => &order::ORDERS,
            Collection::Contract => &contract::CONTRACTS,
            Collection::Target => &target::TARGETS,
            Collection::PastActual => &target::PAST_ACTUALS,
            Collection::Budget => &budget::BUDGETS,
            Collection::Expense => &budget::EXPENSES,
            Collection::Promotion => &promotion::PROMOTIONS,
            Collection::PromotionReport => &promotion::PROMOTION_REPORTS,
            Collection::DailyReport => &daily_report::DAILY_REPORTS,
            Collection::Ticket => &service::TICKETS,
            Collection::Survey => &service::SURVEYS,
        }
    }

    /// The date lists of this collection are ordered and ranged by (a visit's time, an order's date,
    /// an opportunity's expected close); `None` for collections without one (customers, products).
    pub fn date_field(self) -> Option<&'static str> {
        Some(match self {
            Collection::Visit => "visited_at",
            Collection::Opportunity => "expected_close",
            Collection::Order => "ordered_on",
            Collection::Contract => "signed_on",
            Collection::Target | Collection::Budget => "period_start",
            Collection::PastActual => "month",
            Collection::Expense => "spent_on",
            Collection::Promotion => "starts_on",
            Collection::PromotionReport | Collection::DailyReport => "report_date",
            Collection::Ticket => "opened_at",
            Collection::Survey => "surveyed_on",
            Collection::OrgUnit
            | Collection::User
            | Collection::Customer
            | Collection::Contact
            | Collection::Product => return None,
        })
    }

    /// The wire name: `"customers"`, `"promotion_reports"`…
    pub fn as_str(self) -> &'static str {
        self.table().wire
    }

    /// The collection with this wire name; `None` for anything else (names are case-sensitive).
    pub fn parse(s: &str) -> Option<Collection> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The collection's name for people: 客户 / Customers.
    pub fn label(self, locale: Locale) -> &'static str {
        let table = self.table();
        pick(locale, table.label_zh, table.label_en)
    }

    /// The collection's fields, in the order a form shows them.
    pub fn fields(self) -> &'static [FieldDef] {
        self.table().fields
    }

    /// One top-level field by its wire name.
    pub fn field(self, name: &str) -> Option<&'static FieldDef> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// A field of the lines of `lines` (`budget_lines` → `cost_item`).
    pub fn line_field(self, lines: &str, name: &str) -> Option<&'static FieldDef> {
        match self.field(lines)?.kind {
            FieldKind::Lines(defs) => defs.iter().find(|f| f.name == name),
            _ => None,
        }
    }
}

impl std::fmt::Display for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn pick(locale: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

/// One field of a collection (or of a line inside a `Lines` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// The JSON key.
    pub name: &'static str,
    pub kind: FieldKind,
    /// Present and non-null in every record (and, for text, not blank).
    pub required: bool,
    pub access: FieldAccess,
    pub label_zh: &'static str,
    pub label_en: &'static str,
}

impl FieldDef {
    /// An optional, editable field; the tables chain `.required()` / `.intent_only()` onto it.
    pub(crate) const fn new(
        name: &'static str,
        kind: FieldKind,
        label_zh: &'static str,
        label_en: &'static str,
    ) -> Self {
        FieldDef {
            name,
            kind,
            required: false,
            access: FieldAccess::Editable,
            label_zh,
            label_en,
        }
    }

    pub(crate) const fn required(self) -> Self {
        FieldDef {
            required: true,
            ..self
        }
    }

    pub(crate) const fn intent_only(self) -> Self {
        FieldDef {
            access: FieldAccess::IntentOnly,
            ..self
        }
    }

    /// The field's name for people: 客户名称 / Name.
    pub fn label(&self, locale: Locale) -> &'static str {
        pick(locale, self.label_zh, self.label_en)
    }

    /// The labelled options of an `Enum` field, in wire order; `None` for other kinds.
    pub fn choices(&self) -> Option<&'static [Choice]> {
        match self.kind {
            FieldKind::Enum(values) => choices_for(values),
            _ => None,
        }
    }

    /// The label of one value of an `Enum` field: `"lost"` → 输单 / Lost.
    pub fn choice_label(&self, value: &str, locale: Locale) -> Option<&'static str> {
        self.choices()?
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.label(locale))
    }
}

/// Who may change a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldAccess {
    /// Changed by `set_fields` like any plain edit.
    Editable,
    /// Changed only by a named mutation that keeps its invariants (an opportunity's `stage`,
    /// `stage_history`, `won_at`, `lost_reason`… change only through `move_opportunity_stage`);
    /// `validate_patch` refuses it, `validate_create` accepts the initial value.
    IntentOnly,
}

/// The type of a field's JSON value and what values it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A JSON string: at most `max_chars` characters (not bytes), not blank if required, no control
    /// characters except `\n` and `\t`.
    Text { max_chars: u32 },
    /// A JSON integer within `min..=max`.
    Integer { min: i64, max: i64 },
    /// A JSON integer of minor units (分 for CNY), `0..=MAX_MONEY`; never a float.
    Money,
    /// A JSON integer `0..=100`.
    Percent,
    /// A business day `"YYYY-MM-DD"` in the company's time zone; a real calendar date.
    Date,
    /// A UTC instant `"2026-11-27T08:30:00Z"` or `"2026-11-27T08:30:00.123Z"`.
    Instant,
    /// `true` or `false`.
    Bool,
    /// One of these wire values (labels: `FieldDef::choices`).
    Enum(&'static [&'static str]),
    /// The id of a record of that collection: hyphenated UUID text, any version.
    Ref(Collection),
    /// An array of distinct ids of that collection, at most `MAX_LIST_LEN`.
    RefList(Collection),
    /// An array (at most `MAX_LIST_LEN`) of objects, each checked against these fields.
    Lines(&'static [FieldDef]),
    /// A file kept by the attachment store, named by its SHA-256 (`crate::attachment`).
    Attachment,
}

/// One option of an `Enum` field with its labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
}

impl Choice {
    pub fn label(&self, locale: Locale) -> &'static str {
        pick(locale, self.label_zh, self.label_en)
    }
}

/// Declares an enum field's wire values and their labels side by side, so the two cannot drift:
/// `choices!(STAGES, STAGE_CHOICES { "aware" => "了解", "Aware"; … });`
macro_rules! choices {
    ($values:ident, $choices:ident { $($wire:literal => $zh:literal, $en:literal;)+ }) => {
        pub(crate) const $values: &[&str] = &[$($wire),+];
        pub(crate) const $choices: &[$crate::domain::Choice] = &[$(
            $crate::domain::Choice { value: $wire, label_zh: $zh, label_en: $en }
        ),+];
    };
}
pub(crate) use choices;

/// Declares an enum field whose values rules branch on as a Rust enum too (an opportunity's stage):
/// one list gives the variants, their wire names (serde and `as_str`), their labels and the field's
/// choices, so the enum and the table cannot disagree. Each variant's doc is its Chinese label.
macro_rules! choice_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $values:ident, $choices:ident {
            $($variant:ident = $wire:literal => $zh:literal, $en:literal;)+
        }
    ) => {
        $crate::domain::choices!($values, $choices { $($wire => $zh, $en;)+ });

        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $(#[doc = $zh] #[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            /// Every value, in the order of the field's choices.
            pub const ALL: [$name; $values.len()] = [$($name::$variant),+];

            /// The wire value, as in the record's field.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The value with this wire name; `None` for anything else.
            pub fn parse(wire: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|value| value.as_str() == wire)
            }
        }
    };
}
pub(crate) use choice_enum;

choices!(CURRENCIES, CURRENCY_CHOICES {
    "CNY" => "人民币", "Chinese yuan (CNY)";
    "USD" => "美元", "US dollar (USD)";
    "EUR" => "欧元", "Euro (EUR)";
});

/// Every option list of every `Enum` field; `choices_for` finds a field's list by its values.
const ALL_CHOICES: &[&[Choice]] = &[
    CURRENCY_CHOICES,
    org::ORG_KIND_CHOICES,
    org::ROLE_CHOICES,
    customer::CUSTOMER_KIND_CHOICES,
    customer::TIER_CHOICES,
    customer::CHANNEL_CHOICES,
    opportunity::STAGE_CHOICES,
    opportunity::LOST_REASON_CHOICES,
    opportunity::SOURCE_CHOICES,
    order::ORDER_STATUS_CHOICES,
    contract::CONTRACT_STATUS_CHOICES,
    target::PERIOD_CHOICES,
    target::SUBJECT_KIND_CHOICES,
    target::METRIC_CHOICES,
    target::BREAKDOWN_STATUS_CHOICES,
    budget::COST_ITEM_CHOICES,
    budget::APPROVAL_STATUS_CHOICES,
    org::EXTENT_CHOICES,
    promotion::PROMOTION_KIND_CHOICES,
    promotion::PROMOTION_STATUS_CHOICES,
    promotion::PROMOTION_COST_ITEM_CHOICES,
    promotion::ATTENDANCE_EVENT_CHOICES,
    promotion::POSITION_STATE_CHOICES,
    promotion::REVIEW_FLAG_CHOICES,
    service::TICKET_KIND_CHOICES,
    service::PRIORITY_CHOICES,
    service::TICKET_STATUS_CHOICES,
];

fn choices_for(values: &[&str]) -> Option<&'static [Choice]> {
    ALL_CHOICES.iter().copied().find(|choices| {
        choices.len() == values.len() && choices.iter().zip(values).all(|(c, v)| c.value == *v)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn only_a_new_opportunity_is_completed() {
        let at = "2026-11-30T08:00:00Z";
        let mut deal: Map<String, Value> =
            serde_json::from_str(r#"{"name": "冷柜", "stage": "aware"}"#).unwrap();
        complete_new(Collection::Opportunity, &mut deal, at);
        assert_eq!(
            deal["stage_history"],
            serde_json::json!([{"stage": "aware", "entered_at": at}])
        );
        let mut order: Map<String, Value> =
            serde_json::from_str(r#"{"order_no": "SO-1", "stage": "aware"}"#).unwrap();
        let before = order.clone();
        complete_new(Collection::Order, &mut order, at);
        assert_eq!(order, before);
    }

    /// Every field of a collection, nested line fields included, with its path.
    fn all_fields(
        defs: &'static [FieldDef],
        prefix: &str,
        out: &mut Vec<(String, &'static FieldDef)>,
    ) {
        for def in defs {
            let path = format!("{prefix}{}", def.name);
            out.push((path.clone(), def));
            if let FieldKind::Lines(inner) = def.kind {
                all_fields(inner, &format!("{path}[]."), out);
            }
        }
    }

    fn every_field() -> Vec<(Collection, String, &'static FieldDef)> {
        let mut all = Vec::new();
        for c in Collection::ALL {
            let mut fields = Vec::new();
            all_fields(c.fields(), "", &mut fields);
            all.extend(fields.into_iter().map(|(path, def)| (c, path, def)));
        }
        all
    }

    #[test]
    fn every_collection_round_trips_its_wire_name() {
        for c in Collection::ALL {
            assert_eq!(Collection::parse(c.as_str()), Some(c));
            let json = serde_json::to_value(c).unwrap();
            assert_eq!(
                json,
                serde_json::Value::from(c.as_str()),
                "serde name of {c:?}"
            );
            assert_eq!(serde_json::from_value::<Collection>(json).unwrap(), c);
            assert_eq!(c.to_string(), c.as_str());
        }
        assert_eq!(Collection::parse("Customers"), None);
        assert_eq!(Collection::parse("customer"), None);
        assert_eq!(Collection::parse(""), None);
    }

    #[test]
    fn wire_names_are_the_agreed_snake_case_plurals() {
        let names: Vec<_> = Collection::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "org_units",
                "users",
                "customers",
                "contacts",
                "visits",
                "products",
                "opportunities",
                "orders",
                "contracts",
                "targets",
                "past_actuals",
                "budgets",
                "expenses",
                "promotions",
                "promotion_reports",
                "daily_reports",
                "tickets",
                "surveys"
            ]
        );
    }

    #[test]
    fn all_lists_every_collection_once_in_declaration_order() {
        let mut sorted = Collection::ALL;
        sorted.sort();
        assert_eq!(sorted, Collection::ALL);
        assert_eq!(Collection::ALL.iter().collect::<HashSet<_>>().len(), 18);
    }

    #[test]
    fn a_collection_date_is_a_date_or_instant_field_of_it() {
        for collection in Collection::ALL {
            if let Some(name) = collection.date_field() {
                let def = collection
                    .field(name)
                    .unwrap_or_else(|| panic!("{collection:?}.{name}"));
                assert!(
                    matches!(def.kind, FieldKind::Date | FieldKind::Instant),
                    "{collection:?}.{name} is {:?}",
                    def.kind
                );
            }
        }
    }

    #[test]
    fn every_collection_has_both_labels() {
        assert_eq!(Collection::Customer.label(Locale::ZhCn), "客户");
        assert_eq!(Collection::Customer.label(Locale::En), "Customers");
        for c in Collection::ALL {
            for locale in Locale::ALL {
                assert!(
                    !c.label(locale).trim().is_empty(),
                    "{c} has no {locale:?} label"
                );
            }
        }
    }

    #[test]
    fn every_field_has_chinese_and_english_labels() {
        for (c, path, def) in every_field() {
            assert!(
                !def.label_zh.trim().is_empty(),
                "{c}.{path} has no zh label"
            );
            assert!(
                !def.label_en.trim().is_empty(),
                "{c}.{path} has no en label"
            );
            assert_ne!(def.label(Locale::ZhCn), def.label(Locale::En), "{c}.{path}");
        }
    }

    #[test]
    fn field_names_are_unique_snake_case_within_a_collection_and_within_lines() {
        fn check(defs: &[FieldDef], owner: &str) {
            let mut seen = HashSet::new();
            for def in defs {
                assert!(
                    seen.insert(def.name),
                    "{owner}.{} is declared twice",
                    def.name
                );
                assert!(
                    !def.name.is_empty()
                        && def
                            .name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{owner}.{} is not snake_case",
                    def.name
                );
                if let FieldKind::Lines(inner) = def.kind {
                    check(inner, &format!("{owner}.{}", def.name));
                }
            }
        }
        for c in Collection::ALL {
            assert!(!c.fields().is_empty(), "{c} has no fields");
            check(c.fields(), c.as_str());
        }
    }

    #[test]
    fn every_reference_points_at_a_registered_collection() {
        for (c, path, def) in every_field() {
            if let FieldKind::Ref(target) | FieldKind::RefList(target) = def.kind {
                assert!(Collection::ALL.contains(&target), "{c}.{path}");
                assert_eq!(
                    Collection::parse(target.as_str()),
                    Some(target),
                    "{c}.{path}"
                );
            }
        }
    }

    #[test]
    fn every_enum_value_has_labels_in_both_languages() {
        for (c, path, def) in every_field() {
            let FieldKind::Enum(values) = def.kind else {
                continue;
            };
            assert!(!values.is_empty(), "{c}.{path} has no values");
            let choices = def
                .choices()
                .unwrap_or_else(|| panic!("{c}.{path}: no labels registered"));
            for value in values {
                for locale in Locale::ALL {
                    let label = def.choice_label(value, locale);
                    assert!(
                        label.is_some_and(|l| !l.trim().is_empty()),
                        "{c}.{path} = {value}"
                    );
                }
            }
            assert_eq!(choices.len(), values.len());
            assert_eq!(
                values.iter().collect::<HashSet<_>>().len(),
                values.len(),
                "{c}.{path}"
            );
        }
    }

    #[test]
    fn opportunity_stages_carry_the_funnel_labels() {
        let stage = Collection::Opportunity.field("stage").unwrap();
        let zh: Vec<_> = stage
            .choices()
            .unwrap()
            .iter()
            .map(|c| c.label_zh)
            .collect();
        assert_eq!(zh, ["了解", "比较", "谈判", "确定", "赢单", "输单"]);
        assert_eq!(stage.choice_label("lost", Locale::En), Some("Lost"));
        assert_eq!(stage.choice_label("maybe", Locale::En), None);
        assert_eq!(
            Collection::Opportunity.field("name").unwrap().choices(),
            None
        );
    }

    #[test]
    fn the_stage_enum_is_the_stage_field_with_the_same_wire_names() {
        let values = |name| match Collection::Opportunity.field(name).unwrap().kind {
            FieldKind::Enum(values) => values.to_vec(),
            other => panic!("{name} is {other:?}"),
        };
        let stages: Vec<_> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(values("stage"), stages);
        for stage in Stage::ALL {
            assert_eq!(serde_json::to_value(stage).unwrap(), stage.as_str());
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        }
        let reasons: Vec<_> = LostReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(values("lost_reason"), reasons);
        assert_eq!(Stage::parse("Won"), None);
    }

    #[test]
    fn text_limits_and_ranges_are_sensible() {
        for (c, path, def) in every_field() {
            match def.kind {
                FieldKind::Text { max_chars } => {
                    assert!((1..=NOTES_CHARS).contains(&max_chars), "{c}.{path}")
                }
                FieldKind::Integer { min, max } => assert!(min <= max, "{c}.{path}"),
                _ => {}
            }
        }
    }

    #[test]
    fn only_stage_decision_and_review_fields_are_intent_only() {
        let intent_only: Vec<_> = every_field()
            .into_iter()
            .filter(|(_, _, def)| def.access == FieldAccess::IntentOnly)
            .map(|(c, path, _)| format!("{c}.{path}"))
            .collect();
        assert_eq!(
            intent_only,
            [
                "opportunities.stage",
                "opportunities.stage_history",
                "opportunities.lost_reason",
                "opportunities.lost_note",
                "opportunities.won_at",
                "opportunities.closed_at",
                "targets.breakdown_status",
                "targets.breakdown_comment",
                "targets.breakdown_decided_at",
                "promotions.status",
                "promotions.decision_comment",
                "promotions.decided_at",
                "promotion_reports.review_flags",
                "promotion_reports.review_comment",
                "promotion_reports.reviewer_id",
                "promotion_reports.reviewed_at",
            ]
        );
    }

    #[test]
    fn field_lookup_finds_top_level_fields_only() {
        assert_eq!(
            Collection::Customer.field("tier").map(|f| f.name),
            Some("tier")
        );
        assert!(Collection::Customer.field("nope").is_none());
        assert!(
            Collection::Order.field("quantity").is_none(),
            "line fields are not top-level"
        );
        assert_eq!(
            Collection::Customer
                .field("name")
                .unwrap()
                .label(Locale::ZhCn),
            "客户名称"
        );
    }
}
