//! 计划预算: budgets by unit, period and cost item, and the expenses spent against them.

use serde_json::{Map, Value};

use super::error::ValidationError;
use super::validate::dates_in_order;
use super::{
    choices, no_record_rules, no_value_rules, Collection, FieldDef, FieldKind::*, Table,
    CODE_CHARS, NAME_CHARS, NOTES_CHARS,
};

choices!(COST_ITEMS, COST_ITEM_CHOICES {
    "advertising" => "广告费", "Advertising";
    "promotion" => "促销费", "Promotion";
    "travel" => "差旅费", "Travel";
    "samples" => "样品费", "Samples";
    "events" => "会展活动费", "Events";
    "channel_support" => "渠道支持费", "Channel support";
    "other" => "其他费用", "Other";
});

choices!(APPROVAL_STATUSES, APPROVAL_STATUS_CHOICES {
    "submitted" => "待审批", "Submitted";
    "approved" => "已批准", "Approved";
    "rejected" => "已驳回", "Rejected";
});

pub(super) static BUDGETS: Table = Table {
    wire: "budgets",
    label_zh: "预算",
    label_en: "Budgets",
    fields: &[
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "预算单位", "Org unit").required(),
        FieldDef::new("period_start", Date, "开始日期", "Period start").required(),
        FieldDef::new("period_end", Date, "结束日期", "Period end").required(),
        FieldDef::new("cost_item", Enum(COST_ITEMS), "费用科目", "Cost item").required(),
        FieldDef::new("amount", Money, "预算金额", "Amount").required(),
        // Set by finance (审批); a new budget starts as submitted.
        FieldDef::new("status", Enum(APPROVAL_STATUSES), "审批状态", "Approval"),
        FieldDef::new(
            "plan_name",
            Text {
                max_chars: NAME_CHARS,
            },
            "营销计划",
            "Marketing plan",
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
    check_value: no_value_rules,
    check_record: budget_rules,
};

fn budget_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    dates_in_order(fields, "period_start", "period_end")
}

pub(super) static EXPENSES: Table = Table {
    wire: "expenses",
    label_zh: "费用",
    label_en: "Expenses",
    fields: &[
        FieldDef::new("budget_id", Ref(Collection::Budget), "所属预算", "Budget").required(),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new("owner_id", Ref(Collection::User), "经办人", "Spent by").required(),
        FieldDef::new("spent_on", Date, "发生日期", "Spent on").required(),
        FieldDef::new("amount", Money, "金额", "Amount").required(),
        FieldDef::new("cost_item", Enum(COST_ITEMS), "费用科目", "Cost item").required(),
        // Set by finance (审批); a new expense starts as submitted.
        FieldDef::new("status", Enum(APPROVAL_STATUSES), "审批状态", "Approval"),
        FieldDef::new(
            "description",
            Text { max_chars: 1000 },
            "费用说明",
            "Description",
        ),
        FieldDef::new(
            "promotion_id",
            Ref(Collection::Promotion),
            "关联促销",
            "Promotion",
        ),
        FieldDef::new(
            "receipt_no",
            Text {
                max_chars: CODE_CHARS,
            },
            "票据号",
            "Receipt no.",
        ),
    ],
    check_value: no_value_rules,
    check_record: no_record_rules,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::error::END_BEFORE_START;
    use super::super::validate_record;
    use super::*;

    #[test]
    fn budget_period_ends_after_it_starts() {
        let mut budget = json!({
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "period_start": "2027-01-01",
            "period_end": "2027-03-31",
            "cost_item": "promotion",
            "amount": 80_000_000,
            "plan_name": "2027 春节促销计划",
        })
        .as_object()
        .unwrap()
        .clone();
        assert_eq!(validate_record(Collection::Budget, &budget), Ok(()));
        budget.insert("period_end".into(), json!("2026-12-31"));
        assert_eq!(
            validate_record(Collection::Budget, &budget),
            Err(END_BEFORE_START.at("period_end"))
        );
    }
}
