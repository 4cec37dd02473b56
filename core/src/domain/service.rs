//! 售后服务: service tickets (complaints, repairs, returns, inquiries) and satisfaction surveys.

use serde_json::{Map, Value};

use super::error::{ValidationError, RESOLVED_BEFORE_OPENED};
use super::validate::instant_of;
use super::{
    choices, no_record_rules, no_value_rules, Collection, FieldDef, FieldKind::*, Table,
    NAME_CHARS, NOTES_CHARS,
};

choices!(TICKET_KINDS, TICKET_KIND_CHOICES {
    "complaint" => "投诉", "Complaint";
    "repair" => "维修", "Repair";
    "return" => "退换货", "Return";
    "inquiry" => "咨询", "Inquiry";
    "other" => "其他", "Other";
});

choices!(PRIORITIES, PRIORITY_CHOICES {
    "low" => "低", "Low";
    "normal" => "普通", "Normal";
    "high" => "高", "High";
    "urgent" => "紧急", "Urgent";
});

choices!(TICKET_STATUSES, TICKET_STATUS_CHOICES {
    "open" => "待处理", "Open";
    "in_progress" => "处理中", "In progress";
    "waiting_customer" => "待客户反馈", "Waiting for customer";
    "resolved" => "已解决", "Resolved";
    "closed" => "已关闭", "Closed";
});

pub(super) static TICKETS: Table = Table {
    wire: "tickets",
    label_zh: "售后服务",
    label_en: "Service tickets",
    fields: &[
        FieldDef::new("customer_id", Ref(Collection::Customer), "客户", "Customer").required(),
        // The service agent handling it; empty until someone takes the ticket.
        FieldDef::new("owner_id", Ref(Collection::User), "处理人", "Assigned to"),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new("kind", Enum(TICKET_KINDS), "服务类型", "Kind").required(),
        FieldDef::new("priority", Enum(PRIORITIES), "优先级", "Priority").required(),
        FieldDef::new("status", Enum(TICKET_STATUSES), "状态", "Status").required(),
        FieldDef::new(
            "title",
            Text {
                max_chars: NAME_CHARS,
            },
            "标题",
            "Title",
        )
        .required(),
        FieldDef::new(
            "description",
            Text {
                max_chars: NOTES_CHARS,
            },
            "问题描述",
            "Description",
        ),
        FieldDef::new("opened_at", Instant, "受理时间", "Opened at").required(),
        FieldDef::new("resolved_at", Instant, "解决时间", "Resolved at"),
        FieldDef::new(
            "resolution",
            Text {
                max_chars: NOTES_CHARS,
            },
            "处理结果",
            "Resolution",
        ),
    ],
    check_value: no_value_rules,
    check_record: ticket_rules,
};

fn ticket_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    match (
        instant_of(fields, "opened_at"),
        instant_of(fields, "resolved_at"),
    ) {
        (Some(opened), Some(resolved)) if resolved < opened => {
            Err(RESOLVED_BEFORE_OPENED.at("resolved_at"))
        }
        _ => Ok(()),
    }
}

pub(super) static SURVEYS: Table = Table {
    wire: "surveys",
    label_zh: "满意度调查",
    label_en: "Satisfaction surveys",
    fields: &[
        FieldDef::new("customer_id", Ref(Collection::Customer), "客户", "Customer").required(),
        FieldDef::new("ticket_id", Ref(Collection::Ticket), "关联工单", "Ticket"),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new("surveyed_on", Date, "调查日期", "Surveyed on").required(),
        FieldDef::new(
            "score",
            Integer { min: 1, max: 5 },
            "满意度（1–5）",
            "Score (1–5)",
        )
        .required(),
        FieldDef::new(
            "nps",
            Integer { min: 0, max: 10 },
            "推荐意愿（0–10）",
            "Likelihood to recommend (0–10)",
        ),
        FieldDef::new(
            "comments",
            Text {
                max_chars: NOTES_CHARS,
            },
            "意见建议",
            "Comments",
        ),
    ],
    check_value: no_value_rules,
    check_record: no_record_rules,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{validate_create, validate_record};
    use super::*;

    fn ticket() -> Map<String, Value> {
        json!({
            "customer_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000002",
            "kind": "repair",
            "priority": "high",
            "status": "resolved",
            "title": "冷柜压缩机异响",
            "opened_at": "2026-11-20T01:15:00Z",
            "resolved_at": "2026-11-20T01:15:00.500Z",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn ticket_cannot_be_resolved_before_it_was_opened() {
        assert_eq!(validate_create(Collection::Ticket, &ticket()), Ok(()));
        let mut early = ticket();
        early.insert("resolved_at".into(), json!("2026-11-19T23:59:59.999Z"));
        assert_eq!(
            validate_record(Collection::Ticket, &early),
            Err(RESOLVED_BEFORE_OPENED.at("resolved_at"))
        );
    }

    #[test]
    fn survey_scores_one_to_five() {
        let survey = json!({
            "customer_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000002",
            "surveyed_on": "2026-11-28",
            "score": 0,
        });
        assert_eq!(
            validate_create(Collection::Survey, survey.as_object().unwrap()),
            Err(ValidationError::OutOfRange {
                field: "score".into(),
                min: 1,
                max: 5
            })
        );
    }
}
