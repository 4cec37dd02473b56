//! 销售机会: a deal moving through the funnel 了解 → 比较 → 谈判 → 确定 → 赢单/输单.
//!
//! The stage and everything recorded when it changes are intent-only: they change through
//! `move_opportunity_stage`, which keeps the stage history and the closing fields consistent.

use serde_json::{Map, Value};

use super::error::{ValidationError, LOST_NEEDS_REASON, WON_NEEDS_TIME};
use super::validate::{present, text_of};
use super::{
    choice_enum, choices, no_value_rules, Collection, FieldDef, FieldKind::*, Table, CURRENCIES,
    MAX_COUNT, NAME_CHARS, NOTES_CHARS,
};

choice_enum! {
    /// A stage of the funnel (阶段), in funnel order; 赢单 and 输单 close the deal. The funnel, the
    /// stage moves of the sync protocol and the record's field all use this one type.
    pub enum Stage in STAGES, STAGE_CHOICES {
        Aware = "aware" => "了解", "Aware";
        Compare = "compare" => "比较", "Compare";
        Negotiate = "negotiate" => "谈判", "Negotiate";
        Commit = "commit" => "确定", "Commit";
        Won = "won" => "赢单", "Won";
        Lost = "lost" => "输单", "Lost";
    }
}

choice_enum! {
    /// 输单原因: why a deal was lost.
    pub enum LostReason in LOST_REASONS, LOST_REASON_CHOICES {
        Price = "price" => "价格", "Price";
        Competitor = "competitor" => "竞争对手", "Competitor";
        NoBudget = "no_budget" => "客户无预算", "No budget";
        NoDecision = "no_decision" => "客户未决策", "No decision";
        ProductFit = "product_fit" => "产品不匹配", "Product fit";
        Timing = "timing" => "时机不对", "Timing";
        Other = "other" => "其他", "Other";
    }
}

choices!(SOURCES, SOURCE_CHOICES {
    "referral" => "客户转介绍", "Referral";
    "exhibition" => "展会", "Trade show";
    "website" => "网站", "Website";
    "cold_call" => "陌生拜访", "Cold call";
    "dealer" => "经销商推荐", "Dealer";
    "campaign" => "市场活动", "Campaign";
    "existing_customer" => "老客户", "Existing customer";
    "other" => "其他", "Other";
});

/// Makes a new deal one that entered its stage `at` (an RFC 3339 instant): a one-entry stage history
/// and, for a deal created closed, its won/closed time. Fields already given are kept. The import
/// and the new-deal form both start deals this way.
pub fn enter_first_stage(fields: &mut Map<String, Value>, at: &str) {
    let Some(stage) = fields
        .get("stage")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    fields
        .entry("stage_history")
        .or_insert_with(|| serde_json::json!([{"stage": stage, "entered_at": at}]));
    let closing: &[&str] = match stage.as_str() {
        "won" => &["won_at", "closed_at"],
        "lost" => &["closed_at"],
        _ => &[],
    };
    for field in closing {
        fields.entry(*field).or_insert_with(|| Value::from(at));
    }
}

/// One entry of the stage history: the stage entered and when (for dwell time and conversion).
const STAGE_HISTORY_FIELDS: &[FieldDef] = &[
    FieldDef::new("stage", Enum(STAGES), "阶段", "Stage").required(),
    FieldDef::new("entered_at", Instant, "进入时间", "Entered at").required(),
];

/// One product the deal is about; without a unit price the list price applies.
const PRODUCT_LINE_FIELDS: &[FieldDef] = &[
    FieldDef::new("product_id", Ref(Collection::Product), "产品", "Product").required(),
    FieldDef::new(
        "quantity",
        Integer {
            min: 1,
            max: MAX_COUNT,
        },
        "数量",
        "Quantity",
    )
    .required(),
    FieldDef::new("unit_price", Money, "单价", "Unit price"),
];

pub(super) static OPPORTUNITIES: Table = Table {
    wire: "opportunities",
    label_zh: "销售机会",
    label_en: "Opportunities",
    fields: &[
        FieldDef::new("customer_id", Ref(Collection::Customer), "客户", "Customer").required(),
        FieldDef::new("owner_id", Ref(Collection::User), "负责人", "Owner").required(),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new(
            "name",
            Text {
                max_chars: NAME_CHARS,
            },
            "机会名称",
            "Name",
        )
        .required(),
        super::EXTERNAL_ID,
        FieldDef::new("amount", Money, "预计金额", "Amount"),
        FieldDef::new("currency", Enum(CURRENCIES), "币种", "Currency"),
        FieldDef::new("stage", Enum(STAGES), "阶段", "Stage")
            .required()
            .intent_only(),
        FieldDef::new(
            "stage_history",
            Lines(STAGE_HISTORY_FIELDS),
            "阶段历史",
            "Stage history",
        )
        .intent_only(),
        FieldDef::new("expected_close", Date, "预计成交日期", "Expected close"),
        FieldDef::new("lost_reason", Enum(LOST_REASONS), "输单原因", "Lost reason").intent_only(),
        FieldDef::new(
            "lost_note",
            Text { max_chars: 1000 },
            "输单说明",
            "Lost note",
        )
        .intent_only(),
        FieldDef::new("won_at", Instant, "赢单时间", "Won at").intent_only(),
        FieldDef::new("closed_at", Instant, "关闭时间", "Closed at").intent_only(),
        FieldDef::new(
            "product_lines",
            Lines(PRODUCT_LINE_FIELDS),
            "产品明细",
            "Product lines",
        ),
        FieldDef::new("source", Enum(SOURCES), "机会来源", "Source"),
        FieldDef::new(
            "notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "备注",
            "Notes",
        ),
    ],
    check_value: no_value_rules,
    check_record: opportunity_rules,
};

/// A closed deal says why (lost) or when (won), so funnel analytics never meet a half-closed deal.
fn opportunity_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    match text_of(fields, "stage") {
        Some("lost") if present(fields, "lost_reason").is_none() => {
            Err(LOST_NEEDS_REASON.at("lost_reason"))
        }
        Some("won") if present(fields, "won_at").is_none() => Err(WON_NEEDS_TIME.at("won_at")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{validate_create, validate_record};
    use super::*;

    #[test]
    fn a_new_deal_enters_its_first_stage_once() {
        let at = "2026-11-30T08:00:00Z";
        let mut open = json!({"name": "冷柜", "stage": "compare"})
            .as_object()
            .unwrap()
            .clone();
        enter_first_stage(&mut open, at);
        assert_eq!(
            open["stage_history"],
            json!([{"stage": "compare", "entered_at": at}])
        );
        assert!(!open.contains_key("closed_at"));

        let mut won = json!({"stage": "won", "won_at": "2026-11-01T00:00:00Z"})
            .as_object()
            .unwrap()
            .clone();
        enter_first_stage(&mut won, at);
        assert_eq!(
            won["won_at"],
            json!("2026-11-01T00:00:00Z"),
            "a given time is kept"
        );
        assert_eq!(won["closed_at"], json!(at));

        let mut none = Map::new();
        enter_first_stage(&mut none, at);
        assert!(none.is_empty(), "no stage, nothing to enter");
    }

    fn deal(stage: &str) -> Map<String, Value> {
        json!({
            "customer_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "owner_id": "0193b3c4-7a1e-7000-8000-000000000002",
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000003",
            "name": "华南区 200 家门店冷柜更新",
            "amount": 36_000_000,
            "stage": stage,
            "stage_history": [
                {"stage": "aware", "entered_at": "2026-09-01T01:00:00Z"},
                {"stage": stage, "entered_at": "2026-11-27T08:30:00.123Z"},
            ],
            "product_lines": [{"product_id": "0193b3c4-7a1e-7000-8000-0000000000aa", "quantity": 200}],
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn lost_opportunity_requires_a_reason() {
        assert_eq!(
            validate_record(Collection::Opportunity, &deal("lost")),
            Err(LOST_NEEDS_REASON.at("lost_reason"))
        );
        let mut lost = deal("lost");
        lost.insert("lost_reason".into(), json!("competitor"));
        lost.insert("closed_at".into(), json!("2026-11-27T08:30:00.123Z"));
        assert_eq!(validate_record(Collection::Opportunity, &lost), Ok(()));
    }

    #[test]
    fn won_opportunity_records_when_it_was_won() {
        assert_eq!(
            validate_create(Collection::Opportunity, &deal("won")),
            Err(WON_NEEDS_TIME.at("won_at"))
        );
        let mut won = deal("won");
        won.insert("won_at".into(), json!("2026-11-27T08:30:00.123Z"));
        assert_eq!(validate_record(Collection::Opportunity, &won), Ok(()));
    }

    #[test]
    fn open_stages_need_no_closing_fields() {
        for stage in ["aware", "compare", "negotiate", "commit"] {
            assert_eq!(
                validate_record(Collection::Opportunity, &deal(stage)),
                Ok(()),
                "{stage}"
            );
        }
    }

    #[test]
    fn stage_history_entries_are_checked() {
        let mut record = deal("compare");
        record["stage_history"][1]["stage"] = json!("maybe");
        assert!(matches!(
            validate_record(Collection::Opportunity, &record),
            Err(ValidationError::NotAllowed { ref field, .. }) if field == "stage_history[1].stage"
        ));
        let mut record = deal("compare");
        record["stage_history"][0]["entered_at"] = json!("2026-09-01 09:00");
        assert_eq!(
            validate_record(Collection::Opportunity, &record),
            Err(ValidationError::InvalidInstant {
                field: "stage_history[0].entered_at".into()
            })
        );
    }
}
