//! 促销管理: promotions in stores and the promoters' daily execution reports (促销执行报告).

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::error::{
    ValidationError, BUDGET_BELOW_LINES, COMMENT_REQUIRED, PROMOTION_OVER, REPORT_NOT_SUBMITTED,
    SHIFT_OUTSIDE_DATES, SHIFT_PROMOTER_NOT_LISTED, SHIFT_STORE_NOT_LISTED, SHIFT_TWICE,
    STATUS_NOT_NEXT, STORE_NOT_LISTED,
};
use super::validate::{date_of, dates_in_order, decision_fields, validate_fields};
use super::{
    choices, no_record_rules, no_value_rules, Collection, FieldDef, FieldKind::*, Table, MAX_COUNT,
    NAME_CHARS, NOTES_CHARS,
};

choices!(PROMOTION_KINDS, PROMOTION_KIND_CHOICES {
    "discount" => "折扣", "Discount";
    "gift" => "买赠", "Gift with purchase";
    "tasting" => "试吃试饮", "Tasting";
    "display" => "陈列", "Display";
    "bundle" => "组合装", "Bundle";
    "coupon" => "优惠券", "Coupon";
    "other" => "其他", "Other";
});

choices!(PROMOTION_STATUSES, PROMOTION_STATUS_CHOICES {
    "planned" => "计划中", "Planned";
    "approved" => "已批准", "Approved";
    "running" => "进行中", "Running";
    "finished" => "已结束", "Finished";
    "cancelled" => "已取消", "Cancelled";
});

choices!(PROMOTION_COST_ITEMS, PROMOTION_COST_ITEM_CHOICES {
    "materials" => "物料", "Materials";
    "staff" => "人员", "Staff";
    "venue" => "场地", "Venue";
    "gifts" => "赠品", "Gifts";
    "price_support" => "让利", "Price support";
    "advertising" => "广告", "Advertising";
    "other" => "其他", "Other";
});

/// One line of a promotion's budget: what it is spent on and how much.
const BUDGET_LINE_FIELDS: &[FieldDef] = &[
    FieldDef::new(
        "cost_item",
        Enum(PROMOTION_COST_ITEMS),
        "费用项目",
        "Cost item",
    )
    .required(),
    FieldDef::new("amount", Money, "金额", "Amount").required(),
    FieldDef::new(
        "note",
        Text {
            max_chars: NAME_CHARS,
        },
        "说明",
        "Note",
    ),
];

/// One promoter's day in one store. The store and the promoter must be among the promotion's own,
/// the day within its dates.
const SHIFT_FIELDS: &[FieldDef] = &[
    FieldDef::new("day", Date, "日期", "Day").required(),
    FieldDef::new("store_id", Ref(Collection::Customer), "门店", "Store").required(),
    FieldDef::new("promoter_id", Ref(Collection::User), "促销员", "Promoter").required(),
];

/// The highest goal uplift, in percent over the baseline.
pub const MAX_UPLIFT_PERCENT: i64 = 1000;

pub(super) static PROMOTIONS: Table = Table {
    wire: "promotions",
    label_zh: "促销",
    label_en: "Promotions",
    fields: &[
        FieldDef::new(
            "name",
            Text {
                max_chars: NAME_CHARS,
            },
            "促销名称",
            "Name",
        )
        .required(),
        FieldDef::new("kind", Enum(PROMOTION_KINDS), "促销方式", "Kind").required(),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        // Stores are customers of kind retail_store.
        FieldDef::new("store_ids", RefList(Collection::Customer), "门店", "Stores"),
        FieldDef::new(
            "product_ids",
            RefList(Collection::Product),
            "促销产品",
            "Products",
        ),
        FieldDef::new("starts_on", Date, "开始日期", "Starts on").required(),
        FieldDef::new("ends_on", Date, "结束日期", "Ends on").required(),
        FieldDef::new("budget", Money, "促销预算", "Budget"),
        FieldDef::new(
            "budget_lines",
            Lines(BUDGET_LINE_FIELDS),
            "预算明细",
            "Budget lines",
        ),
        // The sales uplift over the baseline the promotion is planned to reach.
        FieldDef::new(
            "goal_uplift_percent",
            Integer {
                min: 0,
                max: MAX_UPLIFT_PERCENT,
            },
            "目标提升 %",
            "Goal uplift %",
        ),
        // The status moves only by `decide_promotion` (`next_statuses`), which also stamps the decision.
        FieldDef::new("status", Enum(PROMOTION_STATUSES), "状态", "Status")
            .required()
            .intent_only(),
        FieldDef::new(
            "decision_comment",
            Text {
                max_chars: NOTES_CHARS,
            },
            "审批意见",
            "Decision comment",
        )
        .intent_only(),
        FieldDef::new("decided_at", Instant, "审批时间", "Decided at").intent_only(),
        FieldDef::new(
            "promoter_ids",
            RefList(Collection::User),
            "促销员",
            "Promoters",
        ),
        FieldDef::new(
            "promoter_shifts",
            Lines(SHIFT_FIELDS),
            "促销员排班",
            "Promoter shifts",
        ),
        // Daily sales per store before the promotion, the base of uplift and ROI (费效比).
        FieldDef::new(
            "baseline_daily_sales",
            Money,
            "基线日销售额",
            "Baseline daily sales",
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
    check_record: promotion_rules,
};

fn promotion_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    dates_in_order(fields, "starts_on", "ends_on")?;
    let lines = fields.get("budget_lines").and_then(Value::as_array);
    let planned: i64 = lines
        .into_iter()
        .flatten()
        .filter_map(|line| line.get("amount").and_then(Value::as_i64))
        .sum();
    let budget = fields.get("budget").and_then(Value::as_i64);
    if lines.is_some_and(|l| !l.is_empty()) && budget.is_none_or(|budget| budget < planned) {
        return Err(BUDGET_BELOW_LINES.at("budget"));
    }
    let (first, last) = (date_of(fields, "starts_on"), date_of(fields, "ends_on"));
    let stores = super::id_list(fields, "store_ids");
    let promoters = super::id_list(fields, "promoter_ids");
    let shifts = fields.get("promoter_shifts").and_then(Value::as_array);
    let mut seen = std::collections::HashSet::new();
    for (at, shift) in shifts.into_iter().flatten().enumerate() {
        let text = |name: &str| shift.get(name).and_then(Value::as_str).unwrap_or("");
        let day = crate::time::parse_date(text("day"));
        let path = |name: &str| format!("promoter_shifts[{at}].{name}");
        if day.is_none_or(|day| first.is_some_and(|f| day < f) || last.is_some_and(|l| day > l)) {
            return Err(SHIFT_OUTSIDE_DATES.at(&path("day")));
        }
        if !stores.contains(&text("store_id")) {
            return Err(SHIFT_STORE_NOT_LISTED.at(&path("store_id")));
        }
        if !promoters.contains(&text("promoter_id")) {
            return Err(SHIFT_PROMOTER_NOT_LISTED.at(&path("promoter_id")));
        }
        if !seen.insert((text("day"), text("promoter_id"))) {
            return Err(SHIFT_TWICE.at(&path("promoter_id")));
        }
    }
    Ok(())
}

/// Whether a promotion may still be moved on the calendar: not once it is finished or cancelled, nor
/// once its last day is before `today`.
pub fn may_reschedule(fields: &Map<String, Value>, today: NaiveDate) -> bool {
    let status = fields.get("status").and_then(Value::as_str);
    let ended = fields
        .get("ends_on")
        .and_then(Value::as_str)
        .and_then(crate::time::parse_date)
        .is_some_and(|last| last < today);
    !matches!(status, Some("finished" | "cancelled")) && !ended
}

/// The fields a reschedule writes over a promotion's `fields`: the new dates, and with a store move
/// the store list with `from` replaced by `to` (kept once if `to` was already listed).
pub fn reschedule_patch(
    fields: &Map<String, Value>,
    starts_on: &str,
    ends_on: &str,
    store_move: Option<(&str, &str)>,
    today: NaiveDate,
) -> Result<Map<String, Value>, ValidationError> {
    if !may_reschedule(fields, today) {
        return Err(PROMOTION_OVER.at("status"));
    }
    let mut patch = Map::new();
    patch.insert("starts_on".into(), json!(starts_on));
    patch.insert("ends_on".into(), json!(ends_on));
    if let Some((from, to)) = store_move {
        let stores = super::id_list(fields, "store_ids");
        if !stores.contains(&from) {
            return Err(STORE_NOT_LISTED.at("store_ids"));
        }
        let mut moved: Vec<&str> = Vec::with_capacity(stores.len());
        for store in stores {
            let store = if store == from { to } else { store };
            if !moved.contains(&store) {
                moved.push(store);
            }
        }
        patch.insert("store_ids".into(), json!(moved));
    }
    // The promoters' days move with the promotion's first day, and with the store they were in.
    if let Some(shifts) = fields.get("promoter_shifts").and_then(Value::as_array) {
        let offset = match (
            date_of(fields, "starts_on"),
            crate::time::parse_date(starts_on),
        ) {
            (Some(before), Some(after)) => after - before,
            _ => chrono::Duration::zero(),
        };
        let moved: Vec<Value> = shifts
            .iter()
            .map(|shift| {
                let mut shift = shift.clone();
                let day = shift
                    .get("day")
                    .and_then(Value::as_str)
                    .and_then(crate::time::parse_date);
                if let (Some(day), Some(line)) = (day, shift.as_object_mut()) {
                    line.insert("day".into(), json!((day + offset).to_string()));
                    if let Some((from, to)) = store_move {
                        if line.get("store_id").and_then(Value::as_str) == Some(from) {
                            line.insert("store_id".into(), json!(to));
                        }
                    }
                }
                shift
            })
            .collect();
        patch.insert("promoter_shifts".into(), Value::Array(moved));
    }
    validate_fields(Collection::Promotion, &patch)?;
    dates_in_order(&patch, "starts_on", "ends_on")?;
    Ok(patch)
}

/// The statuses a promotion may move to from `from`: planned → approved → running → finished; an
/// approved plan may be sent back to planned, and anything not yet over may be cancelled.
pub fn next_statuses(from: &str) -> &'static [&'static str] {
    match from {
        "planned" => &["approved", "cancelled"],
        "approved" => &["running", "planned", "cancelled"],
        "running" => &["finished", "cancelled"],
        _ => &[],
    }
}

/// Whether a move to `to` must say why: sending a plan back or cancelling it.
pub fn decision_needs_comment(to: &str) -> bool {
    matches!(to, "planned" | "cancelled")
}

/// The fields a decision writes over a promotion's `fields`: the new status, the comment (cleared
/// when none is given) and `decided_at`. `Ok(None)` when the promotion already has that status.
pub fn decision_patch(
    fields: &Map<String, Value>,
    to: &str,
    comment: Option<&str>,
    decided_at: &str,
) -> Result<Option<Map<String, Value>>, ValidationError> {
    let from = fields.get("status").and_then(Value::as_str).unwrap_or("");
    if from == to {
        return Ok(None);
    }
    if !next_statuses(from).contains(&to) {
        return Err(STATUS_NOT_NEXT.at("status"));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_none() && decision_needs_comment(to) {
        return Err(COMMENT_REQUIRED.at("decision_comment"));
    }
    decision_fields(
        Collection::Promotion,
        ["status", "decision_comment", "decided_at"],
        to,
        comment,
        decided_at,
    )
    .map(Some)
}

choices!(ATTENDANCE_EVENTS, ATTENDANCE_EVENT_CHOICES {
    "check_in" => "签到", "Check-in";
    "check_out" => "签退", "Check-out";
});

choices!(POSITION_STATES, POSITION_STATE_CHOICES {
    "located" => "已定位", "Located";
    "refused" => "拒绝定位", "Position refused";
    "unavailable" => "无法定位", "No position";
});

choices!(REVIEW_FLAGS, REVIEW_FLAG_CHOICES {
    "display_missing" => "陈列缺失", "Display missing";
    "stock_out" => "缺货", "Stock out";
    "price_wrong" => "价签错误", "Wrong price tag";
    "promoter_absent" => "促销员不在岗", "Promoter absent";
    "figures_doubtful" => "数据存疑", "Figures doubtful";
    "other" => "其他", "Other";
});

/// A check-in or check-out: when, and where if the browser told (a refused or missing position is
/// recorded as such and never blocks the day). Coordinates in millionths of a degree.
const ATTENDANCE_FIELDS: &[FieldDef] = &[
    FieldDef::new("event", Enum(ATTENDANCE_EVENTS), "类型", "Event").required(),
    FieldDef::new("at", Instant, "时间", "Time").required(),
    FieldDef::new("position", Enum(POSITION_STATES), "位置", "Position").required(),
    FieldDef::new(
        "latitude_e6",
        Integer {
            min: -90_000_000,
            max: 90_000_000,
        },
        "纬度（百万分之一度）",
        "Latitude (µ°)",
    ),
    FieldDef::new(
        "longitude_e6",
        Integer {
            min: -180_000_000,
            max: 180_000_000,
        },
        "经度（百万分之一度）",
        "Longitude (µ°)",
    ),
    FieldDef::new(
        "accuracy_m",
        Integer {
            min: 0,
            max: 100_000,
        },
        "精度（米）",
        "Accuracy (m)",
    ),
];

/// The day's sales of one product in the store.
const SALES_LINE_FIELDS: &[FieldDef] = &[
    FieldDef::new("product_id", Ref(Collection::Product), "产品", "Product").required(),
    FieldDef::new(
        "units",
        Integer {
            min: 0,
            max: MAX_COUNT,
        },
        "销量",
        "Units",
    )
    .required(),
    FieldDef::new("amount", Money, "销售额", "Amount"),
];

/// A photo of the display, taken on the device.
const DISPLAY_PHOTO_FIELDS: &[FieldDef] = &[
    FieldDef::new("photo", Attachment, "照片", "Photo").required(),
    FieldDef::new(
        "caption",
        Text {
            max_chars: NAME_CHARS,
        },
        "说明",
        "Caption",
    ),
    FieldDef::new("taken_at", Instant, "拍摄时间", "Taken at"),
];

/// What a competitor does in the store.
const COMPETITOR_FIELDS: &[FieldDef] = &[
    FieldDef::new(
        "brand",
        Text {
            max_chars: NAME_CHARS,
        },
        "品牌",
        "Brand",
    )
    .required(),
    FieldDef::new(
        "product",
        Text {
            max_chars: NAME_CHARS,
        },
        "产品",
        "Product",
    ),
    FieldDef::new("price", Money, "价格", "Price"),
    FieldDef::new(
        "promotion",
        Text {
            max_chars: NAME_CHARS,
        },
        "促销方式",
        "Their promotion",
    ),
    FieldDef::new("photo", Attachment, "照片", "Photo"),
];

/// A problem the supervisor found in the report.
const REVIEW_FLAG_FIELDS: &[FieldDef] =
    &[FieldDef::new("flag", Enum(REVIEW_FLAGS), "问题", "Problem").required()];

/// The fields a supervisor's review writes on a submitted report: the problems flagged (each once,
/// in the table's order), the comment (blank clears it), who reviewed and when. A report not yet
/// submitted cannot be reviewed. Reviewing again replaces the earlier review.
pub fn review_patch(
    fields: &Map<String, Value>,
    flags: &[String],
    comment: Option<&str>,
    reviewer_id: &str,
    reviewed_at: &str,
) -> Result<Map<String, Value>, ValidationError> {
    if fields.get("submitted_at").is_none_or(Value::is_null) {
        return Err(REPORT_NOT_SUBMITTED.at("submitted_at"));
    }
    let flags: Vec<Value> = REVIEW_FLAGS
        .iter()
        .filter(|f| flags.iter().any(|g| g == *f))
        .map(|f| json!({ "flag": f }))
        .collect();
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let mut patch = Map::new();
    patch.insert("review_flags".into(), Value::Array(flags));
    patch.insert(
        "review_comment".into(),
        comment.map_or(Value::Null, Value::from),
    );
    patch.insert("reviewer_id".into(), json!(reviewer_id));
    patch.insert("reviewed_at".into(), json!(reviewed_at));
    let mut checked = patch.clone();
    checked.retain(|_, v| !v.is_null());
    validate_fields(Collection::PromotionReport, &checked)?;
    Ok(patch)
}

/// Whether the report's date lies within its promotion needs the promotion: the server checks it.
/// The promoter writes the day (attendance, sales, photos, competitors) and submits it; the
/// supervisor's review (`review_report`) closes it for the promoter.
pub(super) static PROMOTION_REPORTS: Table = Table {
    wire: "promotion_reports",
    label_zh: "促销执行报告",
    label_en: "Promotion reports",
    fields: &[
        FieldDef::new(
            "promotion_id",
            Ref(Collection::Promotion),
            "促销活动",
            "Promotion",
        )
        .required(),
        FieldDef::new("store_id", Ref(Collection::Customer), "门店", "Store").required(),
        FieldDef::new("promoter_id", Ref(Collection::User), "促销员", "Promoter").required(),
        FieldDef::new("report_date", Date, "报告日期", "Report date").required(),
        FieldDef::new("attendance", Lines(ATTENDANCE_FIELDS), "考勤", "Attendance"),
        FieldDef::new(
            "sales_lines",
            Lines(SALES_LINE_FIELDS),
            "分产品销售",
            "Sales by product",
        ),
        FieldDef::new("sales_amount", Money, "销售额", "Sales amount"),
        FieldDef::new(
            "units_sold",
            Integer {
                min: 0,
                max: MAX_COUNT,
            },
            "销量",
            "Units sold",
        ),
        FieldDef::new(
            "customer_count",
            Integer {
                min: 0,
                max: MAX_COUNT,
            },
            "接待顾客数",
            "Customers served",
        ),
        FieldDef::new(
            "samples_given",
            Integer {
                min: 0,
                max: MAX_COUNT,
            },
            "派发试用装",
            "Samples given",
        ),
        FieldDef::new(
            "coupons_redeemed",
            Integer {
                min: 0,
                max: MAX_COUNT,
            },
            "核销优惠券",
            "Coupons redeemed",
        ),
        FieldDef::new("stock_issue", Bool, "缺货", "Stock issue"),
        FieldDef::new(
            "display_photos",
            Lines(DISPLAY_PHOTO_FIELDS),
            "陈列照片",
            "Display photos",
        ),
        FieldDef::new(
            "competitor_activity",
            Lines(COMPETITOR_FIELDS),
            "竞品活动",
            "Competitor activity",
        ),
        FieldDef::new(
            "competitor_notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "竞品信息",
            "Competitor notes",
        ),
        FieldDef::new(
            "photos_count",
            Integer { min: 0, max: 1000 },
            "照片数",
            "Photos",
        ),
        FieldDef::new(
            "notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "备注",
            "Notes",
        ),
        FieldDef::new("submitted_at", Instant, "提交时间", "Submitted at"),
        FieldDef::new(
            "review_flags",
            Lines(REVIEW_FLAG_FIELDS),
            "发现的问题",
            "Problems found",
        )
        .intent_only(),
        FieldDef::new(
            "review_comment",
            Text {
                max_chars: NOTES_CHARS,
            },
            "主管意见",
            "Supervisor's comment",
        )
        .intent_only(),
        FieldDef::new(
            "reviewer_id",
            Ref(Collection::User),
            "审阅人",
            "Reviewed by",
        )
        .intent_only(),
        FieldDef::new("reviewed_at", Instant, "审阅时间", "Reviewed at").intent_only(),
    ],
    check_value: no_value_rules,
    check_record: no_record_rules,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::error::END_BEFORE_START;
    use super::super::{validate_create, validate_record};
    use super::*;

    #[test]
    fn promotion_ends_on_or_after_its_start() {
        let mut promotion = json!({
            "name": "中秋礼盒买二赠一",
            "kind": "gift",
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "store_ids": ["0193b3c4-7a1e-7000-8000-000000000002", "0193b3c4-7a1e-7000-8000-000000000003"],
            "starts_on": "2026-09-20",
            "ends_on": "2026-10-07",
            "status": "approved",
            "budget": 3_000_000,
            "baseline_daily_sales": 120_000,
        })
        .as_object()
        .unwrap()
        .clone();
        assert_eq!(validate_create(Collection::Promotion, &promotion), Ok(()));
        promotion.insert("ends_on".into(), json!("2026-09-19"));
        assert_eq!(
            validate_record(Collection::Promotion, &promotion),
            Err(END_BEFORE_START.at("ends_on"))
        );
    }

    #[test]
    fn a_report_names_its_promotion_store_promoter_and_day() {
        let report = json!({
            "promotion_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "store_id": "0193b3c4-7a1e-7000-8000-000000000002",
            "promoter_id": "0193b3c4-7a1e-7000-8000-000000000003",
            "report_date": "2026-09-21",
            "sales_amount": 356_800,
            "units_sold": 42,
            "customer_count": 130,
            "stock_issue": true,
            "photos_count": 6,
        });
        let report = report.as_object().unwrap();
        assert_eq!(validate_create(Collection::PromotionReport, report), Ok(()));
        let mut undated = report.clone();
        undated.remove("report_date");
        assert_eq!(
            validate_create(Collection::PromotionReport, &undated),
            Err(ValidationError::MissingField {
                field: "report_date".into()
            })
        );
    }

    #[test]
    fn budget_lines_fit_the_budget_and_shifts_are_days_of_the_promotion_in_its_stores() {
        let id = |n: u32| format!("0193b3c4-7a1e-7000-8000-00000000000{n}");
        let (unit, store, other_store, promoter, other) = (id(1), id(2), id(3), id(4), id(5));
        let base = json!({
            "name": "端午试吃", "kind": "tasting", "unit_id": unit, "status": "planned",
            "starts_on": "2027-06-10", "ends_on": "2027-06-12",
            "store_ids": [store], "promoter_ids": [promoter],
            "budget": 50_000,
            "budget_lines": [
                {"cost_item": "materials", "amount": 20_000, "note": "试吃台"},
                {"cost_item": "staff", "amount": 30_000},
            ],
            "goal_uplift_percent": 35,
            "promoter_shifts": [
                {"day": "2027-06-10", "store_id": store, "promoter_id": promoter},
                {"day": "2027-06-12", "store_id": store, "promoter_id": promoter},
            ],
        });
        let base = base.as_object().unwrap().clone();
        assert_eq!(validate_create(Collection::Promotion, &base), Ok(()));
        let with = |field: &str, value: Value| {
            let mut fields = base.clone();
            fields.insert(field.into(), value);
            validate_record(Collection::Promotion, &fields)
        };
        assert_eq!(
            with("budget", json!(49_999)),
            Err(BUDGET_BELOW_LINES.at("budget"))
        );
        assert_eq!(
            with("budget", Value::Null),
            Err(BUDGET_BELOW_LINES.at("budget"))
        );
        assert_eq!(with("budget_lines", json!([])), Ok(()));
        assert!(matches!(
            with("goal_uplift_percent", json!(MAX_UPLIFT_PERCENT + 1)),
            Err(ValidationError::OutOfRange { .. })
        ));
        let shift = |day: &str, store: &str, promoter: &str| {
            with(
                "promoter_shifts",
                json!([{"day": "2027-06-11", "store_id": store, "promoter_id": promoter},
                    {"day": day, "store_id": store, "promoter_id": promoter}]),
            )
        };
        assert_eq!(shift("2027-06-12", &store, &promoter), Ok(()));
        assert_eq!(
            shift("2027-06-13", &store, &promoter),
            Err(SHIFT_OUTSIDE_DATES.at("promoter_shifts[1].day"))
        );
        assert_eq!(
            shift("2027-06-12", &other_store, &promoter),
            Err(SHIFT_STORE_NOT_LISTED.at("promoter_shifts[0].store_id"))
        );
        assert_eq!(
            shift("2027-06-12", &store, &other),
            Err(SHIFT_PROMOTER_NOT_LISTED.at("promoter_shifts[0].promoter_id"))
        );
        assert_eq!(
            shift("2027-06-11", &store, &promoter),
            Err(SHIFT_TWICE.at("promoter_shifts[1].promoter_id"))
        );

        // Moved two days on and to another store, the shifts go along; shortened past a shift, the
        // move is refused with the shift that no longer fits.
        let today = crate::time::parse_date("2027-06-01").unwrap();
        let pair = (store.as_str(), other_store.as_str());
        let patch = reschedule_patch(&base, "2027-06-12", "2027-06-14", Some(pair), today).unwrap();
        assert_eq!(
            patch["promoter_shifts"],
            json!([{"day": "2027-06-12", "store_id": other_store, "promoter_id": promoter},
                {"day": "2027-06-14", "store_id": other_store, "promoter_id": promoter}])
        );
        let mut moved = base.clone();
        moved.extend(patch);
        assert_eq!(validate_record(Collection::Promotion, &moved), Ok(()));
        let mut shortened = base.clone();
        shortened.extend(reschedule_patch(&base, "2027-06-10", "2027-06-11", None, today).unwrap());
        assert_eq!(
            validate_record(Collection::Promotion, &shortened),
            Err(SHIFT_OUTSIDE_DATES.at("promoter_shifts[1].day"))
        );
    }

    #[test]
    fn a_decision_follows_the_status_steps_and_says_why_when_it_sends_back_or_cancels() {
        let at = "2026-12-01T08:00:00.000Z";
        let with = |status: &str| json!({"status": status}).as_object().unwrap().clone();
        let statuses = ["planned", "approved", "running", "finished", "cancelled"];
        let mut allowed = Vec::new();
        for from in statuses {
            for to in statuses {
                let comment = decision_needs_comment(to).then_some("原因");
                if from != to && decision_patch(&with(from), to, comment, at).is_ok() {
                    allowed.push(format!("{from}→{to}"));
                }
            }
        }
        assert_eq!(
            allowed,
            [
                "planned→approved",
                "planned→cancelled",
                "approved→planned",
                "approved→running",
                "approved→cancelled",
                "running→finished",
                "running→cancelled",
            ]
        );
        assert_eq!(
            decision_patch(&with("approved"), "approved", None, at),
            Ok(None)
        );
        assert_eq!(
            decision_patch(&with("approved"), "cancelled", Some(" \n"), at),
            Err(COMMENT_REQUIRED.at("decision_comment"))
        );
        let patch = decision_patch(&with("planned"), "approved", None, at)
            .unwrap()
            .unwrap();
        assert_eq!(
            Value::Object(patch),
            json!({"status": "approved", "decision_comment": null, "decided_at": at})
        );
        let long = "意".repeat(NOTES_CHARS as usize + 1);
        assert!(matches!(
            decision_patch(&with("planned"), "approved", Some(&long), at),
            Err(ValidationError::TooLong { .. })
        ));
    }

    #[test]
    fn a_reschedule_writes_dates_and_swaps_one_store_once_until_the_promotion_is_over() {
        let id = |n: u32| format!("0193b3c4-7a1e-7000-8000-00000000000{n}");
        let (a, b, c, d) = (id(1), id(2), id(3), id(4));
        let promotion = json!({"status": "approved", "starts_on": "2026-12-01",
            "ends_on": "2026-12-07", "store_ids": [a, b, c]});
        let fields = promotion.as_object().unwrap();
        let day = |text: &str| crate::time::parse_date(text).unwrap();
        let today = day("2026-11-30");
        let patch = reschedule_patch(fields, "2026-12-08", "2026-12-10", None, today).unwrap();
        assert_eq!(
            Value::Object(patch),
            json!({"starts_on": "2026-12-08", "ends_on": "2026-12-10"})
        );
        let moved = reschedule_patch(
            fields,
            "2026-12-01",
            "2026-12-07",
            Some((b.as_str(), d.as_str())),
            today,
        );
        assert_eq!(moved.unwrap()["store_ids"], json!([a, d, c]));
        let merged = reschedule_patch(
            fields,
            "2026-12-01",
            "2026-12-07",
            Some((a.as_str(), c.as_str())),
            today,
        );
        assert_eq!(merged.unwrap()["store_ids"], json!([c, b]));
        assert_eq!(
            reschedule_patch(
                fields,
                "2026-12-01",
                "2026-12-07",
                Some((id(9).as_str(), d.as_str())),
                today
            ),
            Err(STORE_NOT_LISTED.at("store_ids"))
        );
        assert_eq!(
            reschedule_patch(fields, "2026-12-09", "2026-12-08", None, today),
            Err(END_BEFORE_START.at("ends_on"))
        );
        assert!(matches!(
            reschedule_patch(fields, "2026-12-32", "2026-12-33", None, today),
            Err(ValidationError::InvalidDate { .. })
        ));
        // Over: after its last day, or finished or cancelled whatever the day.
        assert!(may_reschedule(fields, day("2026-12-07")));
        assert!(!may_reschedule(fields, day("2026-12-08")));
        for status in ["finished", "cancelled"] {
            let mut over = fields.clone();
            over.insert("status".into(), json!(status));
            assert!(!may_reschedule(&over, today));
            assert_eq!(
                reschedule_patch(&over, "2026-12-08", "2026-12-10", None, today),
                Err(PROMOTION_OVER.at("status"))
            );
        }
    }
}
