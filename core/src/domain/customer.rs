//! 客户关系: customers (end customers, dealers, distributors, stores), their contacts and visits.

use serde_json::Value;

use super::error::ValidationError;
use super::validate::check_email;
use super::{
    choices, no_record_rules, no_value_rules, Collection, FieldDef, FieldKind::*, Table,
    ADDRESS_CHARS, CODE_CHARS, EMAIL_CHARS, NAME_CHARS, NOTES_CHARS, PHONE_CHARS, SHORT_CHARS,
};

choices!(CUSTOMER_KINDS, CUSTOMER_KIND_CHOICES {
    "end_customer" => "终端客户", "End customer";
    "dealer" => "经销商", "Dealer";
    "distributor" => "分销商", "Distributor";
    "retail_store" => "零售门店", "Retail store";
});

choices!(TIERS, TIER_CHOICES {
    "A" => "A 类", "Tier A";
    "B" => "B 类", "Tier B";
    "C" => "C 类", "Tier C";
});

choices!(CHANNELS, CHANNEL_CHOICES {
    "visit" => "上门拜访", "In person";
    "phone" => "电话", "Phone";
    "wechat" => "微信", "WeChat";
    "email" => "邮件", "Email";
    "meeting" => "会议", "Meeting";
});

pub(super) static CUSTOMERS: Table = Table {
    wire: "customers",
    label_zh: "客户",
    label_en: "Customers",
    fields: &[
        FieldDef::new(
            "name",
            Text {
                max_chars: NAME_CHARS,
            },
            "客户名称",
            "Name",
        )
        .required(),
        super::EXTERNAL_ID,
        FieldDef::new("kind", Enum(CUSTOMER_KINDS), "客户类型", "Kind").required(),
        FieldDef::new("tier", Enum(TIERS), "客户等级", "Tier"),
        FieldDef::new(
            "segment",
            Text {
                max_chars: SHORT_CHARS,
            },
            "细分市场",
            "Segment",
        ),
        FieldDef::new(
            "region_unit_id",
            Ref(Collection::OrgUnit),
            "所属区域",
            "Region",
        )
        .required(),
        FieldDef::new("owner_id", Ref(Collection::User), "负责业务员", "Owner").required(),
        FieldDef::new(
            "address",
            Text {
                max_chars: ADDRESS_CHARS,
            },
            "地址",
            "Address",
        ),
        FieldDef::new(
            "city",
            Text {
                max_chars: SHORT_CHARS,
            },
            "城市",
            "City",
        ),
        FieldDef::new(
            "phone",
            Text {
                max_chars: PHONE_CHARS,
            },
            "电话",
            "Phone",
        ),
        FieldDef::new("credit_limit", Money, "信用额度", "Credit limit"),
        // A store or sub-dealer supplied by a dealer of ours (营销网络).
        FieldDef::new(
            "parent_dealer_id",
            Ref(Collection::Customer),
            "上级经销商",
            "Parent dealer",
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
    check_record: no_record_rules,
};

pub(super) static CONTACTS: Table = Table {
    wire: "contacts",
    label_zh: "联系人",
    label_en: "Contacts",
    fields: &[
        FieldDef::new(
            "customer_id",
            Ref(Collection::Customer),
            "所属客户",
            "Customer",
        )
        .required(),
        FieldDef::new(
            "name",
            Text {
                max_chars: NAME_CHARS,
            },
            "姓名",
            "Name",
        )
        .required(),
        FieldDef::new(
            "title",
            Text {
                max_chars: SHORT_CHARS,
            },
            "职务",
            "Job title",
        ),
        FieldDef::new(
            "phone",
            Text {
                max_chars: PHONE_CHARS,
            },
            "电话",
            "Phone",
        ),
        FieldDef::new(
            "email",
            Text {
                max_chars: EMAIL_CHARS,
            },
            "邮箱",
            "Email",
        ),
        FieldDef::new(
            "wechat",
            Text {
                max_chars: CODE_CHARS,
            },
            "微信号",
            "WeChat ID",
        ),
        FieldDef::new("is_primary", Bool, "主要联系人", "Primary contact"),
        FieldDef::new(
            "notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "备注",
            "Notes",
        ),
    ],
    check_value: contact_value_rules,
    check_record: no_record_rules,
};

fn contact_value_rules(name: &str, value: &Value) -> Result<(), ValidationError> {
    match name {
        "email" => check_email(name, value),
        _ => no_value_rules(name, value),
    }
}

pub(super) static VISITS: Table = Table {
    wire: "visits",
    label_zh: "拜访记录",
    label_en: "Visits",
    fields: &[
        FieldDef::new("customer_id", Ref(Collection::Customer), "客户", "Customer").required(),
        FieldDef::new("contact_id", Ref(Collection::Contact), "联系人", "Contact"),
        FieldDef::new("owner_id", Ref(Collection::User), "拜访人", "Visited by").required(),
        FieldDef::new("visited_at", Instant, "拜访时间", "Visited at").required(),
        FieldDef::new("channel", Enum(CHANNELS), "拜访方式", "Channel"),
        FieldDef::new(
            "summary",
            Text {
                max_chars: NOTES_CHARS,
            },
            "拜访内容",
            "Summary",
        ),
        FieldDef::new(
            "next_step",
            Text { max_chars: 1000 },
            "下一步行动",
            "Next step",
        ),
        FieldDef::new("next_visit_on", Date, "下次拜访日期", "Next visit on"),
    ],
    check_value: no_value_rules,
    check_record: no_record_rules,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::validate_create;
    use super::*;

    #[test]
    fn a_visit_needs_a_customer_an_owner_and_a_time() {
        let visit = json!({
            "customer_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "owner_id": "0193b3c4-7a1e-7000-8000-000000000002",
            "visited_at": "2026-11-27T02:30:00Z",
            "channel": "visit",
            "summary": "门店陈列检查，库存偏低，约定下周补货。",
            "next_visit_on": "2026-12-04",
        });
        let visit = visit.as_object().unwrap();
        assert_eq!(validate_create(Collection::Visit, visit), Ok(()));
        let mut untimed = visit.clone();
        untimed.remove("visited_at");
        assert_eq!(
            validate_create(Collection::Visit, &untimed),
            Err(ValidationError::MissingField {
                field: "visited_at".into()
            })
        );
    }
}
