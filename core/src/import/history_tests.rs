//! Importing a sales history (orders, last year's actuals) and targets: where each row lands.

use serde_json::{json, Map, Value};

use super::*;
use crate::locale::Locale;

const NOW: &str = "2026-12-02T08:30:00.000Z";
const COMPANY: &str = "0193b3c4-7a1e-7000-8000-0000000000c0";
const EAST: &str = "0193b3c4-7a1e-7000-8000-0000000000e1";
const SHANGHAI: &str = "0193b3c4-7a1e-7000-8000-0000000000e2";
const STORE: &str = "0193b3c4-7a1e-7000-8000-0000000000e3";
const WANG: &str = "0193b3c4-7a1e-7000-8000-0000000000a1";
const LI_NA: &str = "0193b3c4-7a1e-7000-8000-0000000000a2";
const DEALER: &str = "0193b3c4-7a1e-7000-8000-0000000000d1";
const STORE_CUSTOMER: &str = "0193b3c4-7a1e-7000-8000-0000000000d2";
const COMPANY_TARGET: &str = "0193b3c4-7a1e-7000-8000-0000000000f1";

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// The company → 华东大区 → 上海区域 → 南京路店 (a store); a rep in 上海区域 and a promoter in the
/// store; a dealer in 华东; a customer named like the store; the company's 2027 sales target; one
/// order already stored.
fn existing() -> RecordIndex {
    let mut index = RecordIndex::new();
    let mut unit = |id, name, code, kind, parent: Option<&str>| {
        let mut fields = object(json!({"name": name, "code": code, "kind": kind}));
        if let Some(parent) = parent {
            fields.insert("parent_id".into(), json!(parent));
        }
        index.add(Collection::OrgUnit, id, &fields);
    };
    unit(COMPANY, "华锐食品集团", "HQ", "company", None);
    unit(EAST, "华东大区", "HD", "region", Some(COMPANY));
    unit(SHANGHAI, "上海区域", "SH", "area", Some(EAST));
    unit(STORE, "南京路店", "SH-01", "store", Some(SHANGHAI));
    index.add(
        Collection::User,
        WANG,
        &object(json!({"name": "王伟", "login": "wang.wei", "employee_no": "E901", "unit_id": SHANGHAI})),
    );
    index.add(
        Collection::User,
        LI_NA,
        &object(json!({"name": "李娜", "login": "li.na", "employee_no": "E902", "unit_id": STORE})),
    );
    index.add(
        Collection::Customer,
        DEALER,
        &object(json!({"name": "华东食品贸易有限公司", "kind": "dealer", "region_unit_id": EAST})),
    );
    index.add(
        Collection::Customer,
        STORE_CUSTOMER,
        &object(json!({"name": "南京路店", "kind": "retail_store", "region_unit_id": SHANGHAI})),
    );
    index.add(
        Collection::Target,
        COMPANY_TARGET,
        &object(json!({
            "period": "year", "period_start": "2027-01-01", "subject_kind": "unit",
            "subject_id": COMPANY, "metric": "sales_amount", "value": 1_000_000_000,
            "unit_id": COMPANY,
        })),
    );
    index.add(
        Collection::PastActual,
        "0193b3c4-7a1e-7000-8000-0000000000f2",
        &object(
            json!({"subject_kind": "unit", "subject_id": SHANGHAI, "metric": "visits",
            "month": "2025-05-01", "value": 300, "unit_id": SHANGHAI}),
        ),
    );
    index.add(
        Collection::Order,
        "0193b3c4-7a1e-7000-8000-0000000000b1",
        &object(
            json!({"order_no": "SO-OLD", "customer_id": DEALER, "owner_id": WANG,
            "unit_id": SHANGHAI, "ordered_on": "2025-03-17", "status": "delivered", "total": 9000}),
        ),
    );
    index
}

fn import(kind: ImportKind, csv: &str, columns: &str) -> ImportReport {
    let options = ImportOptions {
        columns: ColumnMap::parse(columns).unwrap(),
        ..ImportOptions::new(kind, NOW)
    };
    let mut n = 0;
    let new_id = move || {
        n += 1;
        format!("00000000-0000-7000-8000-{n:012}")
    };
    import_file(csv.as_bytes(), &options, &existing(), new_id).unwrap()
}

fn id(n: u32) -> String {
    format!("00000000-0000-7000-8000-{n:012}")
}

fn created(report: &ImportReport) -> Vec<Map<String, Value>> {
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    report
        .valid
        .iter()
        .map(|(_, intent)| match intent {
            Intent::Create(args) => {
                assert_eq!(validate_create(args.collection, &args.fields), Ok(()));
                args.fields.clone()
            }
            other => panic!("not a create: {other:?}"),
        })
        .collect()
}

/// (line, field, English message) of every error.
fn errors(report: &ImportReport) -> Vec<(u64, String, String)> {
    report
        .errors
        .iter()
        .map(|e| {
            (
                e.line,
                e.field.clone().unwrap_or_default(),
                e.message(Locale::En).to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_sales_history_becomes_delivered_orders_in_their_owners_units() {
    let report = import(
        ImportKind::Orders,
        "订单编号,客户,负责人,下单日期,订单金额\n\
         SO-2025-001,华东食品贸易有限公司,wang.wei,2025-03-15,\"12,000.50\"\n\
         SO-2025-002,南京路店,E901,2025/4/2,8000\n",
        "",
    );
    let orders = created(&report);
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0]["customer_id"], DEALER);
    assert_eq!(orders[0]["owner_id"], WANG);
    assert_eq!(orders[0]["unit_id"], SHANGHAI);
    assert_eq!(orders[0]["status"], "delivered");
    assert_eq!(orders[0]["total"], 1_200_050);
    assert_eq!(orders[0]["ordered_on"], "2025-03-15");
    assert_eq!(orders[1]["customer_id"], STORE_CUSTOMER);
    assert_eq!(orders[1]["total"], 800_000);
    assert_eq!(orders[1]["ordered_on"], "2025-04-02");
}

#[test]
fn an_order_number_is_imported_once_and_a_history_needs_totals() {
    let report = import(
        ImportKind::Orders,
        "order_no,customer,owner,ordered_on,total,status,unit\n\
         SO-1,华东食品贸易有限公司,wang.wei,2025-03-15,100,已确认,HD\n\
         SO-1,华东食品贸易有限公司,wang.wei,2025-03-16,100,confirmed,\n\
         SO-OLD,华东食品贸易有限公司,wang.wei,2025-03-17,100,confirmed,\n",
        "",
    );
    assert_eq!(report.valid.len(), 2);
    let Intent::Create(first) = &report.valid[0].1 else {
        panic!()
    };
    // A stored order's number: the row updates it with what differs.
    let Intent::SetFields(old) = &report.valid[1].1 else {
        panic!("{:?}", report.valid[1])
    };
    assert_eq!(
        old.fields,
        object(json!({"total": 10000, "status": "confirmed"}))
    );
    assert_eq!((report.created, report.updated), (1, 1));
    // The file's unit and status win over the derived ones.
    assert_eq!(first.fields["unit_id"], EAST);
    assert_eq!(first.fields["status"], "confirmed");
    assert_eq!(
        errors(&report),
        vec![(
            3,
            "order_no".into(),
            "“order_no”: “SO-1” is already used on line 2".into()
        ),]
    );

    let options = ImportOptions::new(ImportKind::Orders, NOW);
    let no_total = import_file(
        "order_no,customer,owner,ordered_on\nSO-9,华东食品贸易有限公司,wang.wei,2025-01-01\n"
            .as_bytes(),
        &options,
        &existing(),
        || id(1),
    );
    assert!(
        matches!(&no_total, Err(ImportError::MissingColumns { fields, .. }) if fields == &vec!["total"]),
        "{no_total:?}"
    );
}

#[test]
fn targets_hang_where_the_sheet_would_hang_them() {
    let report = import(
        ImportKind::Targets,
        "责任对象,考核指标,目标周期,目标值\n\
         华东大区,销售额,2027,\"600,000\"\n\
         上海区域,sales_amount,2027,300000\n\
         wang.wei,销售额,2027,120000\n\
         wang.wei,销售额,2027-01,10000.50\n\
         wang.wei,销售额,2027年2月,9000\n\
         李娜,订单数,2027,120\n\
         华东食品贸易有限公司,销售额,2027年第1季度,50000\n",
        "",
    );
    let t = created(&report);
    assert_eq!(t.len(), 7);
    let at = |i: usize, field: &str| t[i][field].clone();
    // 华东's year hangs from the company's stored year; 上海's from 华东's row above.
    assert_eq!(at(0, "subject_kind"), "unit");
    assert_eq!(at(0, "subject_id"), EAST);
    assert_eq!(at(0, "unit_id"), EAST);
    assert_eq!(at(0, "period"), "year");
    assert_eq!(at(0, "period_start"), "2027-01-01");
    assert_eq!(at(0, "value"), 60_000_000);
    assert_eq!(at(0, "parent_id"), COMPANY_TARGET);
    assert_eq!(at(1, "parent_id"), id(1));
    // The rep's year hangs from their area's year, their months from their year.
    assert_eq!(at(2, "subject_kind"), "user");
    assert_eq!(at(2, "subject_id"), WANG);
    assert_eq!(at(2, "unit_id"), SHANGHAI);
    assert_eq!(at(2, "parent_id"), id(2));
    assert_eq!(at(3, "period"), "month");
    assert_eq!(at(3, "period_start"), "2027-01-01");
    assert_eq!(at(3, "value"), 1_000_050);
    assert_eq!(at(3, "parent_id"), id(3));
    assert_eq!(at(4, "period_start"), "2027-02-01");
    assert_eq!(at(4, "parent_id"), id(3));
    // A promoter counts in her store's area; an order count is a count, not yuan. No order-count
    // target of the area exists, so her year has no parent yet.
    assert_eq!(at(5, "unit_id"), SHANGHAI);
    assert_eq!(at(5, "value"), 120);
    assert_eq!(at(5, "metric"), "order_count");
    assert!(!t[5].contains_key("parent_id"));
    // A dealer's quarter sits in its region, under its own year if it had one (it has none).
    assert_eq!(at(6, "subject_kind"), "dealer");
    assert_eq!(at(6, "unit_id"), EAST);
    assert_eq!(at(6, "period"), "quarter");
    assert_eq!(at(6, "period_start"), "2027-01-01");
    assert!(!t[6].contains_key("parent_id"));
    // Imported targets are drafts: the breakdown's status is not a column to fill.
    assert!(t.iter().all(|f| !f.contains_key("breakdown_status")));
}

#[test]
fn a_period_column_or_a_start_column_says_the_period() {
    let report = import(
        ImportKind::Targets,
        "subject,metric,period,period_start,value\n\
         上海区域,visits,month,2027-03-01,400\n\
         上海区域,visits,年度,2027,4800\n\
         上海区域,visits,,2027Q2,1200\n",
        "",
    );
    let t = created(&report);
    assert_eq!(
        t.iter()
            .map(|f| (f["period"].clone(), f["period_start"].clone()))
            .collect::<Vec<_>>(),
        vec![
            (json!("year"), json!("2027-01-01")),
            (json!("month"), json!("2027-03-01")),
            (json!("quarter"), json!("2027-04-01")),
        ]
    );
    // The year is created first, wherever the file has it, and the month and quarter hang from it.
    assert_eq!(report.valid[0].0, 3);
    assert_eq!(t[1]["parent_id"], id(2));
    assert_eq!(t[2]["parent_id"], id(2));
}

#[test]
fn every_bad_target_row_says_what_to_write() {
    let report = import(
        ImportKind::Targets,
        "subject,subject_kind,metric,period,period_start,value\n\
         上海区域,,sales_amount,,2027-03-15,100\n\
         上海区域,,sales_amount,month,2027,100\n\
         张三,,sales_amount,,2027,100\n\
         南京路店,,sales_amount,,2027,100\n\
         华锐食品集团,,sales_amount,,2027,100\n\
         上海区域,,order_count,,2027-04,12.5\n\
         上海区域,,new_customers,,2027-05,3\n\
         上海区域,,new_customers,,2027-05,4\n\
         王伟,unit,sales_amount,,2027,100\n\
         南京路店,dealer,sales_amount,,2027,100\n",
        "",
    );
    assert_eq!(
        errors(&report),
        vec![
            (
                2,
                "period_start".into(),
                "“period_start”: “2027-03-15” is a day; write the period (2026, 2026-03, 2026Q2) \
                 or add a period column"
                    .into()
            ),
            (
                3,
                "period_start".into(),
                "“period_start”: “2027” is not the start of a month".into()
            ),
            (
                4,
                "subject_id".into(),
                "“subject_id”: no existing org unit, person or customer is “张三” (looked up by \
                 code, name, employee no., login or id)"
                    .into()
            ),
            (
                5,
                "subject_id".into(),
                "“subject_id”: “南京路店” is both Org unit and Dealer; add a subject kind column \
                 (unit, user or dealer)"
                    .into()
            ),
            (
                7,
                "value".into(),
                "“value”: “12.5” is not a whole number".into()
            ),
            (
                9,
                "subject_id".into(),
                "“subject_id”: “上海区域” has targets for this metric and period on line 8 already"
                    .into()
            ),
            (
                10,
                "subject_id".into(),
                "“subject_id”: no existing org_units record is “王伟” (looked up by Code, Name or id)"
                    .into()
            ),
        ]
    );
    // The company's stored target for the year takes the file's value.
    assert_eq!(report.valid.len(), 3);
    assert_eq!(report.valid[0].0, 6);
    let Intent::SetFields(company) = &report.valid[0].1 else {
        panic!("{:?}", report.valid[0])
    };
    assert_eq!(company.id, COMPANY_TARGET);
    assert_eq!(company.fields, object(json!({"value": 10000})));
    // With the kind given, the store customer is meant.
    let Intent::Create(dealer) = &report.valid[2].1 else {
        panic!()
    };
    assert_eq!(dealer.fields["subject_id"], STORE_CUSTOMER);
    assert_eq!(dealer.fields["subject_kind"], "dealer");
    assert_eq!(dealer.fields["unit_id"], SHANGHAI);
}

#[test]
fn a_targets_file_without_a_period_or_a_value_is_refused_before_any_row() {
    for (header, missing) in [
        ("subject,metric,value", vec!["period_start"]),
        ("subject,metric,period", vec!["value"]),
    ] {
        let result = import_file(
            format!("{header}\n").as_bytes(),
            &ImportOptions::new(ImportKind::Targets, NOW),
            &existing(),
            || id(1),
        );
        assert!(
            matches!(&result, Err(ImportError::MissingColumns { fields, .. }) if fields == &missing),
            "{header}: {result:?}"
        );
    }
}

#[test]
fn a_customer_taken_on_last_year_is_not_new_this_month() {
    let report = import(
        ImportKind::Customers,
        "客户名称,客户类型,所属区域,负责业务员,建档日期\n\
         联华超市,零售门店,上海区域,wang.wei,2025-06-01\n\
         华联超市,零售门店,上海区域,wang.wei,\n\
         未来超市,零售门店,上海区域,wang.wei,2030-01-01\n",
        "",
    );
    created(&report);
    let made_on = |i: usize| {
        let Intent::Create(args) = &report.valid[i].1 else {
            panic!()
        };
        crate::targets::actuals::made_on(&args.id)
    };
    let day = |y, m, d| crate::time::NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(made_on(0), day(2025, 6, 1));
    // Without a day it is made now (the counter's ids carry no time); a day to come is today.
    assert_eq!(made_on(1), day(1970, 1, 1));
    assert_eq!(made_on(2), day(2026, 12, 2));
    assert_eq!(
        report.mapped_headers.last(),
        Some(&("建档日期".to_owned(), "created".to_owned()))
    );
}

#[test]
fn last_years_figures_by_month_become_past_actuals() {
    let report = import(
        ImportKind::PastActuals,
        "责任对象,考核指标,月份,实际值,数据来源\n\
         wang.wei,销售额,2025-01,\"80,000.00\",ERP\n\
         wang.wei,销售额,2025年2月,60000,ERP\n\
         李娜,拜访次数,2025-03-01,42,\n\
         华东食品贸易有限公司,订单数,202504,7,\n\
         wang.wei,销售额,2025,1,\n\
         wang.wei,销售额,2025-01,5,\n\
         wang.wei,拜访次数,2025-03-15,5,\n",
        "",
    );
    let errors = errors(&report);
    assert_eq!(
        errors,
        vec![
            (
                6,
                "month".into(),
                "“month”: “2025” is not a month such as 2025-03".into()
            ),
            (
                7,
                "subject_id".into(),
                "“subject_id”: “wang.wei” has past actuals for this metric and period on line 2 \
                 already"
                    .into()
            ),
            (
                8,
                "month".into(),
                "“month” a month is written as its first day".into()
            ),
        ]
    );
    let made: Vec<&Map<String, Value>> = report
        .valid
        .iter()
        .map(|(_, intent)| match intent {
            Intent::Create(args) => &args.fields,
            _ => panic!(),
        })
        .collect();
    assert_eq!(made.len(), 4);
    assert_eq!(made[0]["subject_id"], WANG);
    assert_eq!(made[0]["unit_id"], SHANGHAI);
    assert_eq!(made[0]["month"], "2025-01-01");
    assert_eq!(made[0]["value"], 8_000_000);
    assert_eq!(made[0]["source"], "ERP");
    assert_eq!(made[1]["month"], "2025-02-01");
    // A promoter's figures count in her store's area, a count stays a count.
    assert_eq!(made[2]["unit_id"], SHANGHAI);
    assert_eq!(made[2]["value"], 42);
    assert_eq!(made[3]["subject_kind"], "dealer");
    assert_eq!(made[3]["unit_id"], EAST);
    assert_eq!(made[3]["month"], "2025-04-01");
}

#[test]
fn a_figure_is_imported_at_one_level_so_nothing_counts_twice() {
    let report = import(
        ImportKind::PastActuals,
        "subject,metric,month,value\n\
         华东大区,visits,2025-05,1000\n\
         wang.wei,sales_amount,2025-06,100\n\
         李娜,sales_amount,2025-06,100\n\
         上海区域,sales_amount,2025-06,100\n\
         华东食品贸易有限公司,sales_amount,2025-06,100\n\
         华东食品贸易有限公司,sales_amount,2025-07,100\n\
         上海区域,visits,2025-06,5\n\
         华锐食品集团,visits,2025-06,5\n",
        "",
    );
    let spots: Vec<(u64, String)> = errors(&report)
        .into_iter()
        .map(|(line, _, message)| (line, message))
        .collect();
    assert_eq!(
        spots,
        vec![
            (
                2,
                "“subject_id”: “华东大区” and a stored figure of one metric and month hold one \
                 another (a unit's and its people's), which would count twice; import one level"
                    .into()
            ),
            (
                5,
                "“subject_id”: “上海区域” and line 3 are figures of one metric and month where one \
                 holds the other (a unit's and its people's), which would count twice; import one \
                 level"
                    .into()
            ),
            (
                6,
                "“subject_id”: “华东食品贸易有限公司” and line 3 are figures of one metric and month \
                 where one holds the other (a unit's and its people's), which would count twice; \
                 import one level"
                    .into()
            ),
            (
                9,
                "“subject_id”: “华锐食品集团” and line 8 are figures of one metric and month where \
                 one holds the other (a unit's and its people's), which would count twice; import \
                 one level"
                    .into()
            ),
        ]
    );
    // People beside people, another month, another metric: all kept.
    assert_eq!(
        report
            .valid
            .iter()
            .map(|(line, _)| *line)
            .collect::<Vec<_>>(),
        vec![3, 4, 7, 8]
    );
}

#[test]
fn a_period_said_twice_must_agree_and_a_period_without_its_start_is_kept() {
    let report = import(
        ImportKind::Targets,
        "subject,metric,period,period_start,value\n\
         上海区域,sales_amount,2027,2028,100\n\
         上海区域,sales_amount,2027-03,2027-03-01,100\n\
         上海区域,sales_amount,month,,100\n",
        "",
    );
    let errors = errors(&report);
    assert_eq!(
        errors[0],
        (
            2,
            "period_start".into(),
            "“period_start”: “2028” is not the start of the period “2027”".into()
        )
    );
    // The month said by its period cell, with its first day as the start.
    assert_eq!(report.valid.len(), 1);
    let Intent::Create(march) = &report.valid[0].1 else {
        panic!()
    };
    assert_eq!(march.fields["period"], "month");
    assert_eq!(march.fields["period_start"], "2027-03-01");
    // The period is kept; what is missing is named: the start.
    assert_eq!(errors[1].0, 4);
    assert_eq!(errors[1].1, "period_start");
    assert_eq!(errors.len(), 2);
}

#[test]
fn a_stores_figure_holds_its_promoters_but_not_the_areas_reps() {
    let report = import(
        ImportKind::PastActuals,
        "subject,subject_kind,metric,month,value\n\
         李娜,user,sales_amount,2025-08,100\n\
         南京路店,unit,sales_amount,2025-08,500\n\
         wang.wei,user,sales_amount,2025-09,100\n\
         南京路店,unit,sales_amount,2025-09,500\n",
        "",
    );
    assert_eq!(
        errors(&report)
            .into_iter()
            .map(|(line, field, _)| (line, field))
            .collect::<Vec<_>>(),
        vec![(3, "subject_id".to_owned())]
    );
    assert_eq!(
        report
            .valid
            .iter()
            .map(|(line, _)| *line)
            .collect::<Vec<_>>(),
        vec![2, 4, 5]
    );
}

#[test]
fn every_imported_order_has_its_total_and_an_empty_status_is_delivered() {
    let report = import(
        ImportKind::Orders,
        "order_no,customer,owner,ordered_on,total,status\n\
         SO-7,华东食品贸易有限公司,wang.wei,2025-03-15,,confirmed\n\
         SO-8,华东食品贸易有限公司,wang.wei,2025-03-16,100,\n",
        "",
    );
    assert_eq!(
        errors(&report),
        vec![(2, "total".into(), "“total” is required".into())]
    );
    let Intent::Create(order) = &report.valid[0].1 else {
        panic!()
    };
    assert_eq!(order.fields["status"], "delivered");
}

#[test]
fn a_targets_file_cannot_name_parents_they_are_derived() {
    let report = import(
        ImportKind::Targets,
        &format!("subject,metric,period,value,parent_id\n华东大区,sales_amount,2027,100,{WANG}\n"),
        "",
    );
    assert_eq!(report.ignored_headers, vec!["parent_id".to_owned()]);
    let Intent::Create(target) = &report.valid[0].1 else {
        panic!()
    };
    assert_eq!(target.fields["parent_id"], COMPANY_TARGET);
}
