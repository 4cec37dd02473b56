//! The rules a real company's export needs: stage history from several dates, other delimiters,
//! labels and job titles for choices, defaults, a chosen key, the description and the refused rows.

use serde_json::{json, Map, Value};

use super::tests::{counter, object};
use super::*;
use crate::funnel::{self, Deal, FunnelQuery, Period, Stage, DAY_MS};
use crate::locale::Locale;

const NOW: &str = "2026-12-02T08:30:00.000Z";
const EAST: &str = "0193b3c4-7a1e-7000-8000-0000000000e1";
const LI: &str = "0193b3c4-7a1e-7000-8000-0000000000a1";
const DEALER: &str = "0193b3c4-7a1e-7000-8000-0000000000d1";

fn existing() -> RecordIndex {
    let mut index = RecordIndex::new();
    index.add(
        Collection::OrgUnit,
        EAST,
        &object(json!({"name": "华东大区", "kind": "region", "code": "HD"})),
    );
    index.add(
        Collection::User,
        LI,
        &object(
            json!({"name": "李强", "login": "li.qiang", "employee_no": "E900",
            "role": "sales_rep", "unit_id": EAST}),
        ),
    );
    index.add(
        Collection::Customer,
        DEALER,
        &object(
            json!({"name": "华东食品贸易有限公司", "kind": "dealer", "external_id": "C-1",
            "region_unit_id": EAST, "owner_id": LI}),
        ),
    );
    index
}

fn run(options: &ImportOptions, bytes: &[u8]) -> ImportReport {
    import_file(bytes, options, &existing(), counter()).unwrap()
}

fn created(report: &ImportReport) -> Vec<Map<String, Value>> {
    report
        .valid
        .iter()
        .filter_map(|(_, intent)| match intent {
            Intent::Create(args) => Some(args.fields.clone()),
            _ => None,
        })
        .collect()
}

fn ms(at: &str) -> i64 {
    crate::time::parse_instant(at).unwrap().timestamp_millis()
}

#[test]
fn a_deal_with_three_dates_has_the_cycle_and_dwell_computed_by_hand() {
    // Created 1 March, engaged (compare) 11 March, won 31 March: a 30-day cycle, 10 days in
    // aware and 20 in compare. A second deal: created 1 March, won 16 March: 15 days.
    let csv = "Deal ID|Deal|Customer|Owner|Unit|Stage|Created|Engaged on|Closed\n\
               D-1|冷柜更新|C-1|li.qiang|HD|Won|2026-03-01|2026-03-11|2026-03-31\n\
               D-2|门店陈列|C-1|li.qiang|HD|Won|2026-03-01||2026-03-16\n";
    let options = ImportOptions {
        columns: ColumnMap::parse("Deal ID=external_id,Deal=name,Engaged on=entered_compare")
            .unwrap(),
        ..ImportOptions::new(ImportKind::Opportunities, NOW)
    };
    let report = run(&options, csv.as_bytes());
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let deals = created(&report);
    assert_eq!(
        deals[0]["stage_history"],
        json!([
            {"stage": "aware", "entered_at": "2026-03-01T00:00:00Z"},
            {"stage": "compare", "entered_at": "2026-03-11T00:00:00Z"},
            {"stage": "won", "entered_at": "2026-03-31T00:00:00Z"},
        ])
    );
    assert_eq!(deals[0]["won_at"], json!("2026-03-31T00:00:00Z"));
    assert_eq!(deals[0]["external_id"], json!("D-1"));

    let read: Vec<Deal> = report
        .valid
        .iter()
        .map(|(_, intent)| match intent {
            Intent::Create(args) => Deal::from_fields(&args.id, &args.fields).unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    let query = FunnelQuery {
        period: Period::new(ms("2026-03-01T00:00:00Z"), ms("2026-04-01T00:00:00Z")),
        now_ms: ms(NOW),
        settings: Default::default(),
    };
    let cycle = funnel::sales_cycle(&read, |_| true, &query);
    assert_eq!(cycle.won, 2);
    // The median of 15 and 30 days.
    assert_eq!(cycle.median_days, Some(22.5));
    let dwell = funnel::dwell(&read, |_| true, &query);
    let aware = dwell.iter().find(|d| d.stage == Stage::Aware).unwrap();
    // 10 days (D-1) and 15 days (D-2, aware until won).
    assert_eq!(aware.median_days, Some(12.5));
    let compare = dwell.iter().find(|d| d.stage == Stage::Compare).unwrap();
    assert_eq!((compare.stays, compare.median_days), (1, Some(20.0)));
    assert_eq!(DAY_MS, 86_400_000);
}

#[test]
fn stage_dates_out_of_order_or_in_the_future_are_refused() {
    let csv = "external_id,name,customer,owner,unit,stage,entered_compare,closed\n\
               D-1,甲,C-1,li.qiang,HD,won,2026-04-10,2026-03-31\n\
               D-2,乙,C-1,li.qiang,HD,won,,2027-01-01\n\
               D-3,丙,C-1,li.qiang,HD,compare,2026-03-10,\n";
    let report = run(
        &ImportOptions::new(ImportKind::Opportunities, NOW),
        csv.as_bytes(),
    );
    let spots: Vec<(u64, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_deref()))
        .collect();
    assert_eq!(spots, [(2, Some("entered_compare")), (3, Some("closed"))]);
    assert!(report.errors[0]
        .message_en
        .contains("after it entered its current stage"));
    assert!(report.errors[1].message_zh.contains("晚于导入时间"));
    // An open deal's own stage date is when it entered it.
    assert_eq!(
        created(&report)[0]["stage_history"],
        json!([{"stage": "compare", "entered_at": "2026-03-10T00:00:00Z"}])
    );
}

#[test]
fn re_importing_deals_by_external_id_creates_none_and_moves_their_stage() {
    let mut index = existing();
    index.add(
        Collection::Opportunity,
        "0193b3c4-7a1e-7000-8000-0000000000f9",
        &object(
            json!({"external_id": "D-1", "name": "冷柜更新", "customer_id": DEALER,
            "owner_id": LI, "unit_id": EAST, "stage": "compare", "amount": 100_000,
            "stage_history": [{"stage": "compare", "entered_at": "2026-03-01T00:00:00Z"}]}),
        ),
    );
    let csv = "external_id,name,customer,owner,unit,stage,amount\n\
               D-1,冷柜更新,C-1,li.qiang,HD,赢单,1000\n";
    let options = ImportOptions::new(ImportKind::Opportunities, NOW);
    let report = import_file(csv.as_bytes(), &options, &index, counter()).unwrap();
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!((report.created, report.updated), (0, 1));
    assert_eq!(report.valid.len(), 1);
    let Intent::MoveOpportunityStage(moved) = &report.valid[0].1 else {
        panic!("{:?}", report.valid)
    };
    assert_eq!(moved.stage, Stage::Won);

    let same = "external_id,name,customer,owner,unit,stage,amount\n\
                D-1,冷柜更新,C-1,li.qiang,HD,compare,1000\n";
    let report = import_file(same.as_bytes(), &options, &index, counter()).unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 0, 1)
    );
    assert!(report.valid.is_empty());
}

#[test]
fn a_pipe_file_is_read_and_roles_match_by_label_title_and_full_width_text() {
    let csv = "login|name|role|unit\n\
               zhao|赵敏|Sales Representative|HD\n\
               qian|钱磊|ＡＲＥＡ　ＳＵＰＥＲＶＩＳＯＲ|HD\n\
               sun|孙丽|大区经理|ＨＤ\n\
               françois|François|sales_rep|HD\n";
    let report = run(&ImportOptions::new(ImportKind::Users, NOW), csv.as_bytes());
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let roles: Vec<&str> = created(&report)
        .iter()
        .map(|u| u["role"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .leak()
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        roles,
        [
            "sales_rep",
            "area_supervisor",
            "regional_manager",
            "sales_rep"
        ]
    );
    assert_eq!(created(&report)[3]["login"], json!("françois"));
}

#[test]
fn defaults_fill_fields_without_a_column_and_empty_cells() {
    let csv = "name,kind,owner\n华联超市,retail_store,\n家乐福,retail_store,E900\n";
    let options = ImportOptions {
        defaults: Defaults::parse("region=HD,owner=li.qiang,tier=A").unwrap(),
        ..ImportOptions::new(ImportKind::Customers, NOW)
    };
    let report = run(&options, csv.as_bytes());
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    for customer in created(&report) {
        assert_eq!(customer["region_unit_id"], json!(EAST));
        assert_eq!(customer["owner_id"], json!(LI));
        assert_eq!(customer["tier"], json!("A"));
    }
    // Without the region default the column is missing before any row is read.
    let options = ImportOptions::new(ImportKind::Customers, NOW);
    assert!(matches!(
        import_file(csv.as_bytes(), &options, &existing(), counter()),
        Err(ImportError::MissingColumns { .. })
    ));
    assert_eq!(
        Defaults::parse("region"),
        Err(ImportError::DefaultSyntax {
            entry: "region".into()
        })
    );
    let twice = ImportOptions {
        defaults: Defaults::parse("region=HD,region_unit_id=HD").unwrap(),
        ..ImportOptions::new(ImportKind::Customers, NOW)
    };
    assert!(matches!(
        import_file(csv.as_bytes(), &twice, &existing(), counter()),
        Err(ImportError::DefaultTwice { .. })
    ));
}

#[test]
fn customers_are_found_again_by_external_id_else_by_name_or_by_a_chosen_key() {
    let csv = "external_id,name,kind,region,owner\n\
               C-1,华东食品贸易（新名）,dealer,HD,li.qiang\n\
               ,华联超市,retail_store,HD,li.qiang\n\
               ,华联超市,retail_store,HD,li.qiang\n";
    let report = run(
        &ImportOptions::new(ImportKind::Customers, NOW),
        csv.as_bytes(),
    );
    assert_eq!((report.created, report.updated), (1, 1));
    let Intent::SetFields(renamed) = &report.valid[0].1 else {
        panic!("{:?}", report.valid)
    };
    assert_eq!(renamed.id, DEALER);
    assert_eq!(
        renamed.fields,
        object(json!({"name": "华东食品贸易（新名）"}))
    );
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, 4);
    assert!(report.errors[0].message_en.contains("line 3"));

    let by_name = ImportOptions {
        key: Some("name".into()),
        ..ImportOptions::new(ImportKind::Customers, NOW)
    };
    let csv = "name,kind,region,owner,tier\n华东食品贸易有限公司,dealer,HD,li.qiang,B\n";
    let report = run(&by_name, csv.as_bytes());
    assert_eq!(report.updated, 1);
    let not_a_key = ImportOptions {
        key: Some("tier".into()),
        ..ImportOptions::new(ImportKind::Customers, NOW)
    };
    assert!(matches!(
        import_file(csv.as_bytes(), &not_a_key, &existing(), counter()),
        Err(ImportError::NotAKey { .. })
    ));
}

#[test]
fn each_kind_describes_its_fields_choices_and_references() {
    for kind in ImportKind::ALL {
        let described = describe(kind);
        assert!(!described.fields.is_empty());
        let text = described.text();
        for field in &described.fields {
            assert!(text.contains(field.name), "{kind}: {}", field.name);
        }
    }
    let users = describe(ImportKind::Users);
    let role = users.fields.iter().find(|f| f.name == "role").unwrap();
    assert!(role.required);
    assert!(role
        .choices
        .iter()
        .any(|c| c.value == "sales_rep" && c.label_zh == "业务员"));
    let manager = users
        .fields
        .iter()
        .find(|f| f.name == "manager_id")
        .unwrap();
    assert_eq!(manager.aliases, ["manager"]);
    assert_eq!(
        manager.reference.as_ref().unwrap().keys,
        ["employee_no", "login", "name"]
    );
    assert!(users.fields.iter().any(|f| f.name == "login" && f.identity));
    let deals = describe(ImportKind::Opportunities);
    let names: Vec<&str> = deals.fields.iter().map(|f| f.name).collect();
    for name in [
        "entered_at",
        "created",
        "closed",
        "entered_compare",
        "external_id",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    let customers = describe(ImportKind::Customers);
    let owner = customers
        .fields
        .iter()
        .find(|f| f.name == "owner_id")
        .unwrap();
    assert_eq!(
        (owner.required, owner.label(Locale::ZhCn)),
        (true, "负责业务员")
    );
}

#[test]
fn the_refused_rows_come_back_as_a_file_with_their_reasons() {
    let csv = "name,kind,region,owner\n\
               好客户,retail_store,HD,li.qiang\n\
               坏客户,nonsense,HD,li.qiang\n\
               \"多行\n客户\",retail_store,XX,li.qiang\n";
    let table = read_table(csv.as_bytes(), &ReadOptions::default()).unwrap();
    let report = import_table(
        &table,
        &ImportOptions::new(ImportKind::Customers, NOW),
        &existing(),
        counter(),
    )
    .unwrap();
    assert_eq!(report.created, 1);
    let file = refused_rows(&table, &report, Locale::En);
    let text = std::str::from_utf8(&file).unwrap();
    assert!(text.starts_with("\u{feff}name,kind,region,owner,Why not imported\n"));
    let again = read_table(&file, &ReadOptions::default()).unwrap();
    assert_eq!(again.rows.len(), 2);
    assert_eq!(again.rows[0].cells[0], "坏客户");
    assert!(again.rows[0].cells[4].contains("nonsense"));
    assert_eq!(again.rows[1].cells[0], "多行\n客户");
    assert!(again.rows[1].cells[4].contains("XX"));
    let zh = String::from_utf8(refused_rows(&table, &report, Locale::ZhCn)).unwrap();
    assert!(zh.contains("未导入原因"));
}
