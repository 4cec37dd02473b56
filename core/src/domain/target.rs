//! 目标: one target of the top-down target system (目标责任体系), for an org unit, a person or a dealer,
//! for one year, quarter or month, decomposed from its parent target.

use serde_json::{Map, Value};

use serde_json::json;

use super::error::{
    ValidationError, BREAKDOWN_COMMENT_REQUIRED, BREAKDOWN_NOT_NEXT, MONTH_IS_FIRST_DAY,
    MONTH_STARTS_FIRST, QUARTER_STARTS, YEAR_STARTS_JANUARY,
};
use super::validate::{date_of, decision_fields, is_id, text_of, validate_fields};
use super::{
    choices, Collection, FieldDef, FieldKind::*, Table, MAX_MONEY, NOTES_CHARS, SHORT_CHARS,
};
use crate::targets::approval::{transition, Breakdown, Refusal};
use crate::time::{quarter_start, Datelike};

choices!(PERIODS, PERIOD_CHOICES {
    "year" => "年度", "Year";
    "quarter" => "季度", "Quarter";
    "month" => "月度", "Month";
});

choices!(SUBJECT_KINDS, SUBJECT_KIND_CHOICES {
    "unit" => "组织", "Org unit";
    "user" => "人员", "Person";
    "dealer" => "经销商", "Dealer";
});

choices!(BREAKDOWN_STATUSES, BREAKDOWN_STATUS_CHOICES {
    "draft" => "草稿", "Draft";
    "submitted" => "已提交", "Submitted";
    "approved" => "已批准", "Approved";
});

choices!(METRICS, METRIC_CHOICES {
    "sales_amount" => "销售额", "Sales amount";
    "order_count" => "订单数", "Order count";
    "new_customers" => "新增客户数", "New customers";
    "visits" => "拜访次数", "Visits";
    "opportunity_amount" => "销售机会金额", "Opportunity amount";
});

/// The collection a target's `subject_id` points into, by its `subject_kind`: a unit is an org unit,
/// a user a person, a dealer a customer. `None` for an unknown kind.
pub fn subject_collection(subject_kind: &str) -> Option<Collection> {
    match subject_kind {
        "unit" => Some(Collection::OrgUnit),
        "user" => Some(Collection::User),
        "dealer" => Some(Collection::Customer),
        _ => None,
    }
}

/// Whom a target or a past actual is for: which collection `subject_id` names.
const SUBJECT_KIND: FieldDef = FieldDef::new(
    "subject_kind",
    Enum(SUBJECT_KINDS),
    "责任对象类型",
    "Subject kind",
)
.required();

/// The id of a unit, a user or a dealer (see `subject_collection`): one `Ref` cannot name three
/// collections, so this is text that must hold a record id.
const SUBJECT_ID: FieldDef =
    FieldDef::new("subject_id", Text { max_chars: 36 }, "责任对象", "Subject").required();

/// What a target or a past actual measures (`targets::actuals::Metric`).
const METRIC: FieldDef = FieldDef::new("metric", Enum(METRICS), "考核指标", "Metric").required();

/// A target's value: in 分 for the amount metrics, a plain count for the others.
const TARGET_VALUE: FieldDef = FieldDef::new(
    "value",
    Integer {
        min: 0,
        max: MAX_MONEY,
    },
    "目标值",
    "Target value",
)
.required();

/// A past actual's value, in the same units as a target's.
const PAST_VALUE: FieldDef = FieldDef::new(
    "value",
    Integer {
        min: 0,
        max: MAX_MONEY,
    },
    "实际值",
    "Actual",
)
.required();

/// The values read and typed as amounts in yuan (`field_as_measured`); stored as the same 分.
static TARGET_VALUE_IN_YUAN: FieldDef = FieldDef {
    kind: Money,
    ..TARGET_VALUE
};
static PAST_VALUE_IN_YUAN: FieldDef = FieldDef {
    kind: Money,
    ..PAST_VALUE
};

/// A field as people read and type it: the `value` of a target or a past actual is an amount in
/// yuan when its `metric` is one (sales, opportunity amount), a count otherwise; every other field
/// is the table's. Stored alike (分 or a count), so only showing and typing differ.
pub fn field_as_measured(
    collection: Collection,
    name: &str,
    metric: Option<&str>,
) -> Option<&'static FieldDef> {
    let money = metric
        .and_then(crate::targets::actuals::Metric::parse)
        .is_some_and(|m| m.is_money());
    match (collection, name, money) {
        (Collection::Target, "value", true) => Some(&TARGET_VALUE_IN_YUAN),
        (Collection::PastActual, "value", true) => Some(&PAST_VALUE_IN_YUAN),
        _ => collection.field(name),
    }
}

/// The collections a field's value names records of, to show their names: a reference's own, and
/// for a target's or past actual's `subject_id` each collection a subject may be in
/// (`subject_collection`). Empty for fields that name no record.
pub fn named_by(collection: Collection, name: &str) -> Vec<Collection> {
    match (collection, name) {
        (Collection::Target | Collection::PastActual, "subject_id") => ["unit", "user", "dealer"]
            .into_iter()
            .filter_map(subject_collection)
            .collect(),
        _ => match collection.field(name).map(|d| d.kind) {
            Some(Ref(target) | RefList(target)) => vec![target],
            _ => Vec::new(),
        },
    }
}

pub(super) static TARGETS: Table = Table {
    wire: "targets",
    label_zh: "目标",
    label_en: "Targets",
    fields: &[
        FieldDef::new("period", Enum(PERIODS), "目标周期", "Period").required(),
        FieldDef::new("period_start", Date, "周期开始", "Period start").required(),
        SUBJECT_KIND,
        SUBJECT_ID,
        METRIC,
        TARGET_VALUE,
        FieldDef::new(
            "parent_id",
            Ref(Collection::Target),
            "上级目标",
            "Parent target",
        ),
        // The unit whose managers see and decompose this target.
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new(
            "notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "备注",
            "Notes",
        ),
        // Where the breakdown of this target into its children stands (`targets::approval`): it
        // moves only by `decide_breakdown`, which stamps the decision; absent means a draft.
        FieldDef::new(
            "breakdown_status",
            Enum(BREAKDOWN_STATUSES),
            "分解状态",
            "Breakdown status",
        )
        .intent_only(),
        FieldDef::new(
            "breakdown_comment",
            Text {
                max_chars: NOTES_CHARS,
            },
            "分解审批意见",
            "Breakdown comment",
        )
        .intent_only(),
        FieldDef::new(
            "breakdown_decided_at",
            Instant,
            "分解审批时间",
            "Breakdown decided at",
        )
        .intent_only(),
    ],
    check_value: target_value_rules,
    check_record: target_rules,
};

pub(super) static PAST_ACTUALS: Table = Table {
    wire: "past_actuals",
    label_zh: "历史业绩",
    label_en: "Past actuals",
    fields: &[
        SUBJECT_KIND,
        SUBJECT_ID,
        METRIC,
        FieldDef::new("month", Date, "月份", "Month").required(),
        PAST_VALUE,
        // The unit it counts in (and every unit above it), as an order's.
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new(
            "source",
            Text {
                max_chars: SHORT_CHARS,
            },
            "数据来源",
            "Source",
        ),
        FieldDef::new(
            "notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "备注",
            "Notes",
        ),
    ],
    check_value: target_value_rules,
    check_record: past_actual_rules,
};

/// A past actual is one calendar month's.
fn past_actual_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    match date_of(fields, "month") {
        Some(month) if month.day() != 1 => Err(MONTH_IS_FIRST_DAY.at("month")),
        _ => Ok(()),
    }
}

fn target_value_rules(name: &str, value: &Value) -> Result<(), ValidationError> {
    match (name, value.as_str()) {
        ("subject_id", Some(id)) if !is_id(id) => Err(ValidationError::InvalidId {
            field: name.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Periods are calendar periods (China's accounting year is the calendar year), so roll-ups of
/// months into quarters and years line up.
fn target_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    let Some(start) = date_of(fields, "period_start") else {
        return Ok(());
    };
    let broken = match text_of(fields, "period") {
        Some("year") if start.ordinal() != 1 => Some(YEAR_STARTS_JANUARY),
        Some("quarter") if start != quarter_start(start) => Some(QUARTER_STARTS),
        Some("month") if start.day() != 1 => Some(MONTH_STARTS_FIRST),
        _ => None,
    };
    match broken {
        Some(reason) => Err(reason.at("period_start")),
        None => Ok(()),
    }
}

/// Where a target's breakdown stands: a draft until it is first submitted.
pub fn breakdown_of(fields: &Map<String, Value>) -> Breakdown {
    text_of(fields, "breakdown_status")
        .and_then(Breakdown::parse)
        .unwrap_or(Breakdown::Draft)
}

/// The fields a breakdown decision writes over a target's `fields`: the new status, the comment
/// (cleared when none is given) and the time. `Ok(None)` when the breakdown already has that
/// status. Whether the children add up, and who may decide, are the push's to check.
pub fn breakdown_patch(
    fields: &Map<String, Value>,
    to: &str,
    comment: Option<&str>,
    decided_at: &str,
) -> Result<Option<Map<String, Value>>, ValidationError> {
    let from = breakdown_of(fields);
    let Some(to_status) = Breakdown::parse(to) else {
        let mut named = Map::new();
        named.insert("breakdown_status".into(), json!(to));
        validate_fields(Collection::Target, &named)?;
        return Err(BREAKDOWN_NOT_NEXT.at("breakdown_status"));
    };
    if from == to_status {
        return Ok(None);
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    match transition(from, to_status, comment.is_some()) {
        Ok(_) => {}
        Err(Refusal::CommentNeeded) => {
            return Err(BREAKDOWN_COMMENT_REQUIRED.at("breakdown_comment"))
        }
        Err(_) => return Err(BREAKDOWN_NOT_NEXT.at("breakdown_status")),
    }
    decision_fields(
        Collection::Target,
        [
            "breakdown_status",
            "breakdown_comment",
            "breakdown_decided_at",
        ],
        to,
        comment,
        decided_at,
    )
    .map(Some)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{validate_create, validate_patch};
    use super::*;

    #[test]
    fn a_subject_names_a_unit_a_person_or_a_customer() {
        for collection in [Collection::Target, Collection::PastActual] {
            assert_eq!(
                named_by(collection, "subject_id"),
                [Collection::OrgUnit, Collection::User, Collection::Customer]
            );
            assert_eq!(named_by(collection, "unit_id"), [Collection::OrgUnit]);
            assert!(named_by(collection, "notes").is_empty());
        }
        assert_eq!(
            named_by(Collection::Promotion, "store_ids"),
            [Collection::Customer]
        );
    }

    #[test]
    fn a_value_reads_as_yuan_when_its_metric_is_an_amount() {
        for collection in [Collection::Target, Collection::PastActual] {
            let kind = |metric| field_as_measured(collection, "value", metric).map(|d| d.kind);
            assert_eq!(kind(Some("sales_amount")), Some(Money));
            assert_eq!(kind(Some("opportunity_amount")), Some(Money));
            assert!(matches!(kind(Some("visits")), Some(Integer { .. })));
            assert!(matches!(kind(None), Some(Integer { .. })));
            let as_yuan = field_as_measured(collection, "value", Some("sales_amount")).unwrap();
            let stored = collection.field("value").unwrap();
            assert_eq!(
                (as_yuan.name, as_yuan.label_zh),
                (stored.name, stored.label_zh)
            );
            assert_eq!(as_yuan.required, stored.required);
        }
        assert_eq!(
            field_as_measured(Collection::Target, "notes", Some("sales_amount")),
            Collection::Target.field("notes")
        );
        assert_eq!(field_as_measured(Collection::Target, "nope", None), None);
    }

    fn target(period: &str, start: &str) -> Map<String, Value> {
        json!({
            "period": period,
            "period_start": start,
            "subject_kind": "user",
            "subject_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "metric": "sales_amount",
            "value": 500_000_000,
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000002",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn target_periods_start_on_calendar_boundaries() {
        assert_eq!(
            validate_create(Collection::Target, &target("year", "2027-01-01")),
            Ok(())
        );
        assert_eq!(
            validate_create(Collection::Target, &target("quarter", "2027-10-01")),
            Ok(())
        );
        assert_eq!(
            validate_create(Collection::Target, &target("month", "2027-02-01")),
            Ok(())
        );
        assert_eq!(
            validate_create(Collection::Target, &target("year", "2027-04-01")),
            Err(YEAR_STARTS_JANUARY.at("period_start"))
        );
        assert_eq!(
            validate_create(Collection::Target, &target("quarter", "2027-02-01")),
            Err(QUARTER_STARTS.at("period_start"))
        );
        assert_eq!(
            validate_create(Collection::Target, &target("month", "2027-02-15")),
            Err(MONTH_STARTS_FIRST.at("period_start"))
        );
    }

    #[test]
    fn target_subject_is_a_record_id_of_the_kind_it_names() {
        assert_eq!(
            validate_patch(
                Collection::Target,
                json!({"subject_id": "华东大区"}).as_object().unwrap()
            ),
            Err(ValidationError::InvalidId {
                field: "subject_id".into()
            })
        );
        assert_eq!(subject_collection("unit"), Some(Collection::OrgUnit));
        assert_eq!(subject_collection("user"), Some(Collection::User));
        assert_eq!(subject_collection("dealer"), Some(Collection::Customer));
        for kind in SUBJECT_KINDS {
            assert!(subject_collection(kind).is_some(), "{kind}");
        }
        assert_eq!(subject_collection("team"), None);
    }

    #[test]
    fn target_value_is_not_negative() {
        assert_eq!(
            validate_patch(
                Collection::Target,
                json!({"value": -1}).as_object().unwrap()
            ),
            Err(ValidationError::OutOfRange {
                field: "value".into(),
                min: 0,
                max: MAX_MONEY
            })
        );
    }

    #[test]
    fn a_breakdown_moves_by_its_decisions_only_and_says_why_when_sent_back() {
        let mut fields = target("year", "2027-01-01");
        assert_eq!(breakdown_of(&fields), Breakdown::Draft);
        let at = "2027-01-05T02:00:00.000Z";
        let patch = breakdown_patch(&fields, "submitted", None, at)
            .unwrap()
            .unwrap();
        assert_eq!(patch["breakdown_status"], "submitted");
        assert_eq!(patch["breakdown_comment"], Value::Null);
        fields.extend(patch);
        assert_eq!(breakdown_of(&fields), Breakdown::Submitted);
        assert_eq!(breakdown_patch(&fields, "submitted", None, at), Ok(None));
        assert_eq!(
            breakdown_patch(&fields, "draft", Some("  "), at),
            Err(BREAKDOWN_COMMENT_REQUIRED.at("breakdown_comment"))
        );
        let back = breakdown_patch(&fields, "draft", Some("华东少了 5 万"), at)
            .unwrap()
            .unwrap();
        assert_eq!(back["breakdown_comment"], "华东少了 5 万");
        assert_eq!(
            breakdown_patch(&target("year", "2027-01-01"), "approved", None, at),
            Err(BREAKDOWN_NOT_NEXT.at("breakdown_status"))
        );
        assert!(breakdown_patch(&fields, "done", None, at).is_err());
        assert!(validate_patch(
            Collection::Target,
            json!({"breakdown_status": "approved"}).as_object().unwrap()
        )
        .is_err());
    }
}
