//! 日报: a field worker's daily report (信息反馈), with the day's counts and competitor intelligence.

use super::{
    no_record_rules, no_value_rules, Collection, FieldDef, FieldKind::*, Table, NOTES_CHARS,
};

pub(super) static DAILY_REPORTS: Table = Table {
    wire: "daily_reports",
    label_zh: "日报",
    label_en: "Daily reports",
    fields: &[
        FieldDef::new("author_id", Ref(Collection::User), "填报人", "Author").required(),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new("report_date", Date, "日期", "Date").required(),
        FieldDef::new(
            "visits_count",
            Integer { min: 0, max: 1000 },
            "拜访数",
            "Visits",
        ),
        FieldDef::new(
            "calls_count",
            Integer { min: 0, max: 1000 },
            "电话数",
            "Calls",
        ),
        FieldDef::new(
            "new_opportunities",
            Integer { min: 0, max: 1000 },
            "新增机会数",
            "New opportunities",
        ),
        FieldDef::new(
            "summary",
            Text {
                max_chars: NOTES_CHARS,
            },
            "今日工作",
            "Summary",
        ),
        FieldDef::new(
            "problems",
            Text {
                max_chars: NOTES_CHARS,
            },
            "问题与困难",
            "Problems",
        ),
        FieldDef::new(
            "plan_tomorrow",
            Text {
                max_chars: NOTES_CHARS,
            },
            "明日计划",
            "Plan for tomorrow",
        ),
        FieldDef::new(
            "competitor_notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "竞品动态",
            "Competitor notes",
        ),
    ],
    check_value: no_value_rules,
    check_record: no_record_rules,
};
