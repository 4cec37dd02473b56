//! Whole-file import scenarios: each kind in Chinese and English, mapping, references, bad rows.

use serde_json::{json, Map, Value};

use super::*;
use crate::locale::Locale;

const NOW: &str = "2026-11-27T08:30:00.000Z";
const COMPANY: &str = "0193b3c4-7a1e-7000-8000-0000000000c0";
const EAST: &str = "0193b3c4-7a1e-7000-8000-0000000000e1";
const LI: &str = "0193b3c4-7a1e-7000-8000-0000000000a1";
const WANG_1: &str = "0193b3c4-7a1e-7000-8000-0000000000a2";
const WANG_2: &str = "0193b3c4-7a1e-7000-8000-0000000000a3";
const DEALER: &str = "0193b3c4-7a1e-7000-8000-0000000000d1";

pub(super) fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// What the database already holds: the company, one region, three users (two named 王伟), a dealer.
fn existing() -> RecordIndex {
    let mut index = RecordIndex::new();
    index.add(
        Collection::OrgUnit,
        COMPANY,
        &object(json!({"name": "华锐食品集团", "kind": "company", "code": "HQ"})),
    );
    index.add(
        Collection::OrgUnit,
        EAST,
        &object(json!({"name": "华东大区", "kind": "region", "code": "HD", "parent_id": COMPANY})),
    );
    index.add(
        Collection::User,
        LI,
        &object(json!({"name": "李强", "login": "li.qiang", "employee_no": "E900"})),
    );
    index.add(
        Collection::User,
        WANG_1,
        &object(json!({"name": "王伟", "login": "wang.wei", "employee_no": "E901"})),
    );
    index.add(
        Collection::User,
        WANG_2,
        &object(json!({"name": "王伟", "login": "wang.wei2", "employee_no": "E902"})),
    );
    index.add(
        Collection::Customer,
        DEALER,
        &object(json!({"name": "华东食品贸易有限公司", "kind": "dealer"})),
    );
    index
}

/// Ids 00000000-0000-7000-8000-000000000001, …002, … in the order they are asked for.
pub(super) fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("00000000-0000-7000-8000-{n:012}")
    }
}

fn id(n: u32) -> String {
    format!("00000000-0000-7000-8000-{n:012}")
}

fn options(kind: ImportKind, columns: &str, values: &str) -> ImportOptions {
    ImportOptions {
        columns: ColumnMap::parse(columns).unwrap(),
        values: ValueMap::parse(values).unwrap(),
        ..ImportOptions::new(kind, NOW)
    }
}

fn import(kind: ImportKind, csv: &str, columns: &str, values: &str) -> ImportReport {
    import_file(
        csv.as_bytes(),
        &options(kind, columns, values),
        &existing(),
        counter(),
    )
    .unwrap()
}

/// The created records' fields, in file order.
fn created(report: &ImportReport) -> Vec<&Map<String, Value>> {
    report
        .valid
        .iter()
        .map(|(_, intent)| match intent {
            Intent::Create(args) => &args.fields,
            other => panic!("not a create: {other:?}"),
        })
        .collect()
}

fn lines_of_valid(report: &ImportReport) -> Vec<u64> {
    report.valid.iter().map(|(line, _)| *line).collect()
}

/// (line, field) of every error.
fn error_spots(report: &ImportReport) -> Vec<(u64, Option<&str>)> {
    report
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_deref()))
        .collect()
}

fn assert_all_valid(report: &ImportReport) {
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    for (_, intent) in &report.valid {
        let Intent::Create(args) = intent else {
            panic!("not a create")
        };
        assert_eq!(validate_create(args.collection, &args.fields), Ok(()));
    }
}

#[test]
fn kinds_parse_from_their_cli_words() {
    let words: Vec<_> = ImportKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        words,
        [
            "org_units",
            "users",
            "customers",
            "products",
            "opportunities",
            "orders",
            "targets",
            "past_actuals"
        ]
    );
    for kind in ImportKind::ALL {
        assert_eq!(ImportKind::parse(kind.as_str()), Some(kind));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(ImportKind::parse("contacts"), None);
    assert_eq!(ImportKind::parse("Users"), None);
    assert!(ImportKind::Users.fields().contains(&"manager"));
}

#[test]
fn org_units_in_chinese_refer_to_existing_units_and_to_rows_above() {
    let csv = "组织名称,层级,上级,编码,地址\n\
               华南大区,大区,HQ,HN,广州市天河区\n\
               广州区域,区域,华南大区,HN-GZ,\n\
               深圳区域,区域,HN,HN-SZ,\n\
               天河店,门店,HN-GZ,HN-GZ-01,天河路 1 号\n\
               杭州区域,area,华东大区,HD-HZ,\n";
    let report = import(
        ImportKind::OrgUnits,
        csv,
        "层级=kind,上级=parent,编码=code",
        "",
    );
    assert_all_valid(&report);
    assert_eq!(report.rows_read, 5);
    assert_eq!(lines_of_valid(&report), [2, 3, 4, 5, 6]);
    let units = created(&report);
    assert_eq!(
        units[0],
        &object(
            json!({"name": "华南大区", "kind": "region", "parent_id": COMPANY,
            "code": "HN", "address": "广州市天河区"})
        )
    );
    assert_eq!(units[1]["parent_id"], json!(id(1)), "by name, a row above");
    assert_eq!(units[2]["parent_id"], json!(id(1)), "by code, a row above");
    assert_eq!(units[3]["parent_id"], json!(id(2)));
    assert_eq!(units[3]["kind"], json!("store"));
    assert_eq!(units[4]["parent_id"], json!(EAST), "an existing unit");
    assert!(report.ignored_headers.is_empty());
    assert_eq!(
        report.mapped_headers[2],
        ("上级".to_owned(), "parent_id".to_owned())
    );
}

#[test]
fn users_in_english_get_unit_and_manager_from_codes_logins_and_employee_numbers() {
    let csv = "Employee No,Name,Login,Title,Role,Unit,Manager,Password\n\
               E100,Zhao Min,Zhao.Min,Regional manager,Regional manager,HD,E900,secret\n\
               E101,Qian Lei,qian.lei,Sales rep,sales_rep,HD,E100,secret\n\
               E102,Sun Li,sun.li,Sales rep,Rep,HD,zhao.min,secret\n";
    let report = import(
        ImportKind::Users,
        csv,
        "Employee No=employee_no,Title=title",
        "role:Rep=sales_rep",
    );
    assert_all_valid(&report);
    let users = created(&report);
    assert_eq!(
        users[0],
        &object(
            json!({"employee_no": "E100", "name": "Zhao Min", "login": "zhao.min",
            "title": "Regional manager", "role": "regional_manager", "unit_id": EAST,
            "manager_id": LI})
        )
    );
    assert_eq!(
        users[1]["manager_id"],
        json!(id(1)),
        "employee no. of a row above"
    );
    assert_eq!(users[2]["manager_id"], json!(id(1)), "login of a row above");
    assert_eq!(users[2]["role"], json!("sales_rep"), "by the value map");
    assert_eq!(
        report.ignored_headers,
        ["Password"],
        "passwords are not imported"
    );
}

#[test]
fn users_in_chinese_with_labels_as_headers_need_no_map() {
    let csv = "工号,姓名,登录名,职务,角色,所属组织,直属上级\n\
               E200,周杰,zhou.jie,区域主管,区域主管,华东大区,李强\n\
               E201,吴芳,wu.fang,促销员,促销员,HD,周杰\n";
    let report = import(ImportKind::Users, csv, "", "");
    assert_all_valid(&report);
    let users = created(&report);
    assert_eq!(users[0]["role"], json!("area_supervisor"));
    assert_eq!(users[0]["manager_id"], json!(LI));
    assert_eq!(users[1]["manager_id"], json!(id(1)), "by name, a row above");
    assert_eq!(users[1]["role"], json!("promoter"));
}

#[test]
fn customers_in_chinese_take_labels_money_in_yuan_and_a_tier_value_map() {
    let csv = "客户名称,客户类型,客户等级,所属区域,负责业务员,信用额度,城市,上级经销商\n\
               上海便利连锁,零售门店,重点,华东大区,li.qiang,\"¥1,234.56\",上海,华东食品贸易有限公司\n\
               老王便利店,零售门店,B类,HD,E900,5000,杭州,上海便利连锁\n";
    let report = import(ImportKind::Customers, csv, "", "tier:重点=A");
    assert_all_valid(&report);
    let customers = created(&report);
    assert_eq!(
        customers[0],
        &object(
            json!({"name": "上海便利连锁", "kind": "retail_store", "tier": "A",
            "region_unit_id": EAST, "owner_id": LI, "credit_limit": 123_456, "city": "上海",
            "parent_dealer_id": DEALER})
        )
    );
    assert_eq!(customers[1]["tier"], json!("B"));
    assert_eq!(customers[1]["credit_limit"], json!(500_000));
    assert_eq!(customers[1]["parent_dealer_id"], json!(id(1)));
}

#[test]
fn customers_in_english_with_an_explicit_map() {
    let csv = "Customer,Type,Grade,Region,Rep,Credit\n\
               Fresh Mart,Retail store,a,HD,wang.wei,0.5\n";
    let report = import(
        ImportKind::Customers,
        csv,
        "Customer=name,Type=kind,Grade=tier,Region=region_unit,Rep=owner,Credit=credit_limit",
        "",
    );
    assert_all_valid(&report);
    assert_eq!(
        created(&report)[0],
        &object(
            json!({"name": "Fresh Mart", "kind": "retail_store", "tier": "A",
            "region_unit_id": EAST, "owner_id": WANG_1, "credit_limit": 50})
        )
    );
}

#[test]
fn products_in_english_convert_prices_to_fen_exactly() {
    let csv = "SKU,Name,Category,Unit,List price,Cost,On sale\n\
               COLA-330,Cola 330ml,Drinks,case,48.50,31.2,yes\n\
               TEA-500,Green tea 500ml,Drinks,case,\"1,200\",800,否\n\
               WATER-1,Water 1L,Drinks,bottle,¥0.99,0.3,\n";
    let report = import(ImportKind::Products, csv, "", "");
    assert_all_valid(&report);
    let products = created(&report);
    assert_eq!(
        products[0],
        &object(
            json!({"sku": "COLA-330", "name": "Cola 330ml", "category": "Drinks",
            "unit": "case", "list_price": 4850, "cost": 3120, "active": true})
        )
    );
    assert_eq!(products[1]["list_price"], json!(120_000));
    assert_eq!(products[1]["active"], json!(false));
    assert_eq!(products[2]["list_price"], json!(99));
    assert!(
        !products[2].contains_key("active"),
        "an empty cell is absent"
    );
}

#[test]
fn products_in_chinese() {
    let csv = "产品编码,产品名称,品类,单位,标准价,在售\n\
               MILK-1,纯牛奶 250ml,乳品,箱,￥60,是\n";
    let report = import(ImportKind::Products, csv, "", "");
    assert_all_valid(&report);
    assert_eq!(created(&report)[0]["list_price"], json!(6000));
    assert_eq!(created(&report)[0]["active"], json!(true));
}

#[test]
fn opportunities_map_won_and_engaging_onto_our_stages_with_history_and_closing_times() {
    let csv = "Deal,Customer,Owner,Unit,Amount,Stage,Created,Lost reason\n\
               冷柜更新,华东食品贸易有限公司,li.qiang,HD,360000,Won,2026-11-01T09:00:00+08:00,\n\
               门店陈列,华东食品贸易有限公司,E900,HD,1200.5,Engaging,,\n\
               年度采购,华东食品贸易有限公司,li.qiang,HD,,输单,2026/10/10,价格\n\
               新品试销,华东食品贸易有限公司,li.qiang,HD,,赢单,,\n";
    let report = import(
        ImportKind::Opportunities,
        csv,
        "Deal=name",
        "stage:Won=won,stage:Engaging=compare",
    );
    assert_all_valid(&report);
    let deals = created(&report);
    assert_eq!(
        deals[0],
        &object(
            json!({"name": "冷柜更新", "customer_id": DEALER, "owner_id": LI,
            "unit_id": EAST, "amount": 36_000_000, "stage": "won",
            "stage_history": [{"stage": "won", "entered_at": "2026-11-01T01:00:00Z"}],
            "won_at": "2026-11-01T01:00:00Z", "closed_at": "2026-11-01T01:00:00Z"})
        )
    );
    assert_eq!(deals[1]["stage"], json!("compare"));
    assert_eq!(deals[1]["amount"], json!(120_050));
    assert_eq!(
        deals[1]["stage_history"],
        json!([{"stage": "compare", "entered_at": NOW}]),
        "no created time: the import's time"
    );
    assert!(!deals[1].contains_key("won_at") && !deals[1].contains_key("closed_at"));
    assert_eq!(deals[2]["stage"], json!("lost"));
    assert_eq!(deals[2]["lost_reason"], json!("price"));
    assert_eq!(deals[2]["closed_at"], json!("2026-10-10T00:00:00Z"));
    assert!(!deals[2].contains_key("won_at"));
    assert_eq!(deals[3]["stage"], json!("won"), "a label needs no map");
    assert_eq!(deals[3]["won_at"], json!(NOW));
}

#[test]
fn an_opportunity_file_without_a_stage_column_starts_every_deal_at_aware() {
    let csv = "机会名称,客户,负责人,所属组织\n新店铺货,华东食品贸易有限公司,李强,HD\n";
    let report = import(ImportKind::Opportunities, csv, "", "");
    assert_all_valid(&report);
    assert_eq!(created(&report)[0]["stage"], json!("aware"));
    assert_eq!(
        created(&report)[0]["stage_history"],
        json!([{"stage": "aware", "entered_at": NOW}])
    );
}

#[test]
fn a_lost_opportunity_needs_a_reason_and_an_open_one_may_not_have_one() {
    let csv = "name,customer,owner,unit,stage,lost_reason\n\
               A,华东食品贸易有限公司,李强,HD,lost,\n\
               B,华东食品贸易有限公司,李强,HD,commit,price\n\
               C,华东食品贸易有限公司,李强,HD,Engaging,\n\
               D,华东食品贸易有限公司,李强,HD,,\n";
    let report = import(ImportKind::Opportunities, csv, "", "");
    assert!(report.valid.is_empty());
    assert_eq!(
        error_spots(&report),
        [
            (2, Some("lost_reason")),
            (3, Some("lost_reason")),
            (4, Some("stage")),
            (5, Some("stage")),
        ]
    );
    let mut lost = object(
        json!({"customer_id": DEALER, "owner_id": LI, "unit_id": EAST,
        "name": "A", "stage": "lost", "closed_at": NOW,
        "stage_history": [{"stage": "lost", "entered_at": NOW}]}),
    );
    let expected = validate_create(Collection::Opportunity, &lost).unwrap_err();
    assert_eq!(report.errors[0].message_en, expected.message(Locale::En));
    assert_eq!(report.errors[0].message_zh, expected.message(Locale::ZhCn));
    lost.insert("lost_reason".into(), json!("price"));
    assert_eq!(validate_create(Collection::Opportunity, &lost), Ok(()));
    assert!(
        report.errors[2].message_en.contains("Engaging")
            && report.errors[2].message_en.contains("compare"),
        "{}",
        report.errors[2].message_en
    );
    assert_eq!(report.errors[3].message_en, "“stage” is required");
}

#[test]
fn every_bad_row_is_reported_at_its_physical_line_after_multi_line_cells() {
    let csv = "sku,name,category,list_price\n\
               A1,\"Multi\nline name\",Drinks,10\n\
               A2,Bad price,Drinks,1.005\n\
               \n\
               A3,,Drinks,5\n\
               A4,\"Another\r\ntwo-line\",Drinks,abc\n\
               A5,Fine,Drinks,3\n\
               A1,Dup,Drinks,1\n";
    let report = import(ImportKind::Products, csv, "", "");
    assert_eq!(report.rows_read, 6, "the blank line is not a row");
    assert_eq!(lines_of_valid(&report), [2, 9]);
    assert_eq!(
        error_spots(&report),
        [
            (4, Some("list_price")),
            (6, Some("name")),
            (7, Some("list_price")),
            (10, Some("sku")),
        ]
    );
    assert_eq!(created(&report)[0]["name"], json!("Multi\nline name"));
    let bad_price = &report.errors[0];
    assert_eq!(bad_price.value.as_deref(), Some("1.005"));
    assert_eq!(
        bad_price.message_en,
        "“list_price”: “1.005” has more than 2 decimal places"
    );
    assert_eq!(bad_price.message_zh, "“list_price”：“1.005”超过两位小数");
    assert_eq!(report.errors[1].message_en, "“name” is required");
    assert_eq!(report.errors[3].value.as_deref(), Some("A1"));
    assert!(report.errors[3].message_en.contains("line 2"));
}

#[test]
fn line_numbers_hold_for_crlf_files() {
    let csv = "sku,name,list_price\r\nA1,\"two\r\nlines\",1\r\n\r\nA2,x,bad\r\n";
    let report = import(ImportKind::Products, csv, "", "");
    assert_eq!(lines_of_valid(&report), [2]);
    assert_eq!(error_spots(&report), [(5, Some("list_price"))]);
}

#[test]
fn a_row_reports_every_bad_cell_not_just_the_first() {
    let csv = "name,login,role,unit,manager,active\n王五,wang.wu,boss,XX,nobody,maybe\n";
    let report = import(ImportKind::Users, csv, "", "");
    assert_eq!(
        error_spots(&report),
        [
            (2, Some("role")),
            (2, Some("unit_id")),
            (2, Some("active")),
            (2, Some("manager_id")),
        ]
    );
    assert_eq!(report.errors[1].value.as_deref(), Some("XX"));
    assert!(report.errors[1].message_en.contains("org_units"));
    assert!(report.errors[1].message_zh.contains("营销组织"));
}

#[test]
fn record_rules_give_the_validation_message() {
    let csv = "name,login,role,unit\n王五,wang/wu,sales_rep,HD\n";
    let report = import(ImportKind::Users, csv, "", "");
    let fields = object(
        json!({"name": "王五", "login": "wang/wu", "role": "sales_rep",
        "unit_id": EAST}),
    );
    let expected = validate_create(Collection::User, &fields).unwrap_err();
    assert_eq!(
        report.errors,
        [RowError {
            line: 2,
            field: Some("login".into()),
            value: Some("wang/wu".into()),
            message_en: expected.message(Locale::En),
            message_zh: expected.message(Locale::ZhCn),
        }]
    );
}

#[test]
fn references_reach_rows_anywhere_in_the_file_but_only_good_ones() {
    let csv = "name,kind,parent,code\n\
               南区,area,北区,S\n\
               北区,region,HQ,N\n\
               坏区,zone,HQ,B\n\
               坏区下店,store,坏区,B1\n\
               坏区下店的店,store,B1,B2\n";
    let report = import(ImportKind::OrgUnits, csv, "", "");
    // 北区 is created before 南区, which hangs from it.
    assert_eq!(lines_of_valid(&report), [3, 2]);
    assert_eq!(created(&report)[1]["parent_id"], json!(id(2)));
    assert_eq!(
        error_spots(&report),
        [
            (4, Some("kind")),
            (5, Some("parent_id")),
            (6, Some("parent_id"))
        ]
    );
    assert!(
        report.errors[1].message_en.contains("line 4"),
        "{}",
        report.errors[1].message_en
    );
    assert!(
        report.errors[2].message_en.contains("line 5"),
        "a row falls with the row it refers to: {}",
        report.errors[2].message_en
    );
}

#[test]
fn managers_after_their_reports_are_found_and_loops_are_named() {
    let csv = "login,name,role,unit,manager\n\
               rep.a,甲,sales_rep,HD,boss\n\
               rep.b,乙,sales_rep,HD,mid\n\
               mid,丙,area_supervisor,HD,boss\n\
               boss,丁,regional_manager,HD,li.qiang\n\
               x,戊,sales_rep,HD,y\n\
               y,己,sales_rep,HD,x\n\
               z,庚,sales_rep,HD,z\n\
               w,辛,sales_rep,HD,x\n";
    let report = import(ImportKind::Users, csv, "", "");
    // The manager first, then whoever reports to her, else in file order.
    assert_eq!(lines_of_valid(&report), [5, 2, 4, 3]);
    let users = created(&report);
    assert_eq!(users[0]["manager_id"], json!(LI));
    assert_eq!(users[1]["manager_id"], json!(id(4)), "boss, below rep.a");
    assert_eq!(users[2]["manager_id"], json!(id(4)));
    assert_eq!(users[3]["manager_id"], json!(id(3)), "mid, below rep.b");
    assert_eq!(
        error_spots(&report),
        [
            (6, Some("manager_id")),
            (7, Some("manager_id")),
            (8, Some("manager_id")),
            (9, Some("manager_id"))
        ]
    );
    let message = |line: u64| {
        let e = report.errors.iter().find(|e| e.line == line).unwrap();
        e.message_en.clone()
    };
    assert!(message(6).contains("lines 6 → 7 → 6"), "{}", message(6));
    assert!(message(7).contains("lines 7 → 6 → 7"), "{}", message(7));
    assert!(message(8).contains("lines 8 → 8"), "{}", message(8));
    assert!(message(9).contains("line 6"), "{}", message(9));
    assert_eq!(report.created, 4);
}

#[test]
fn ambiguous_names_are_row_errors_that_name_the_value() {
    let csv = "name,kind,region,owner\nA 店,retail_store,HD,王伟\n";
    let report = import(ImportKind::Customers, csv, "", "");
    assert_eq!(error_spots(&report), [(2, Some("owner_id"))]);
    let error = &report.errors[0];
    assert_eq!(error.value.as_deref(), Some("王伟"));
    assert!(
        error.message_en.contains("matches 2") && error.message_en.contains("Login"),
        "{}",
        error.message_en
    );
    assert!(error.message_zh.contains("2 条"), "{}", error.message_zh);

    let csv = "name,kind,parent,code\n\
               一区,area,HD,HD-1\n\
               一区,area,HQ,HB-1\n\
               一区门店,store,一区,S-1\n\
               二区门店,store,HD-1,S-2\n";
    let report = import(ImportKind::OrgUnits, csv, "", "");
    assert_eq!(error_spots(&report), [(4, Some("parent_id"))]);
    assert!(report.errors[0].message_en.contains("matches 2"));
    assert_eq!(lines_of_valid(&report), [2, 3, 5]);
}

#[test]
fn a_uuid_is_taken_when_the_lookup_knows_it() {
    let csv = format!(
        "name,kind,parent\n甲,area,{}\n乙,area,0193b3c4-7a1e-7000-8000-0000000000ff\n",
        EAST.to_uppercase()
    );
    let report = import(ImportKind::OrgUnits, &csv, "", "");
    assert_eq!(created(&report)[0]["parent_id"], json!(EAST));
    assert_eq!(error_spots(&report), [(3, Some("parent_id"))]);
}

#[test]
fn duplicate_keys_in_the_file_or_in_other_stored_records_are_refused() {
    let csv = "employee_no,name,login,role,unit\n\
               E300,甲,jia,sales_rep,HD\n\
               E301,乙,JIA,sales_rep,HD\n\
               E300,丙,bing,sales_rep,HD\n\
               E302,丁,wang.wei,sales_rep,HD\n\
               E901,戊,wu,sales_rep,HD\n\
               E303,己,wang.wei,sales_rep,HD\n";
    let report = import(ImportKind::Users, csv, "", "");
    // Line 5 is wang.wei's row: it updates her record.
    assert_eq!(lines_of_valid(&report), [2, 5]);
    assert_eq!(
        error_spots(&report),
        [
            (3, Some("login")),
            (4, Some("employee_no")),
            (6, Some("employee_no")),
            (7, Some("login")),
        ]
    );
    assert!(report.errors[0].message_en.contains("line 2"));
    assert!(
        report.errors[2].message_en.contains("existing record"),
        "E901 is another person's: {}",
        report.errors[2].message_en
    );
    assert!(report.errors[3].message_en.contains("line 5"));

    let codes = "name,kind,parent,code\n甲,area,HD,X\n乙,area,HD,X\n";
    let report = import(ImportKind::OrgUnits, codes, "", "");
    assert_eq!(error_spots(&report), [(3, Some("code"))]);
}

#[test]
fn importing_again_updates_what_changed_and_creates_nothing() {
    let csv = "login,name,role,unit,employee_no,title\n\
               li.qiang,李强,sales_rep,HD,E900,\n\
               wang.wei,王伟,area_supervisor,HD,E901,主管\n\
               wang.wei2,王伟,sales_rep,HD,E902,\n\
               new.one,新人,sales_rep,HD,E903,\n";
    let mut index = existing();
    for (id, login, no) in [
        (LI, "li.qiang", "E900"),
        (WANG_1, "wang.wei", "E901"),
        (WANG_2, "wang.wei2", "E902"),
    ] {
        let name = if login == "li.qiang" {
            "李强"
        } else {
            "王伟"
        };
        index.add(
            Collection::User,
            id,
            &object(json!({"name": name, "login": login, "employee_no": no,
                "role": "sales_rep", "unit_id": EAST})),
        );
    }
    let report = import_file(
        csv.as_bytes(),
        &options(ImportKind::Users, "", ""),
        &index,
        counter(),
    )
    .unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (1, 1, 2)
    );
    let Intent::SetFields(changed) = &report.valid[0].1 else {
        panic!("{:?}", report.valid[0])
    };
    assert_eq!(changed.id, WANG_1);
    assert_eq!(
        changed.fields,
        object(json!({"role": "area_supervisor", "title": "主管"}))
    );
    assert_eq!(report.valid.len(), 2);
}

#[test]
fn a_bom_is_ignored() {
    let csv = "\u{feff}sku,name,list_price\nA1,x,1\n";
    let report = import(ImportKind::Products, csv, "", "");
    assert_all_valid(&report);
    assert_eq!(report.mapped_headers[0], ("sku".into(), "sku".into()));
}

#[test]
fn tab_delimited_files_are_detected_or_chosen() {
    let csv = "产品编码\t产品名称\t标准价\nA1\t可乐, 330ml\t1,200.00\n";
    let report = import(ImportKind::Products, csv, "", "");
    assert_all_valid(&report);
    assert_eq!(created(&report)[0]["name"], json!("可乐, 330ml"));
    assert_eq!(created(&report)[0]["list_price"], json!(120_000));

    let single = "sku\tname\tlist_price\nA1\tx\t1\n";
    let mut options = ImportOptions::new(ImportKind::Products, NOW);
    options.read.delimiter = Delimiter::Tab;
    let report = import_file(single.as_bytes(), &options, &existing(), counter()).unwrap();
    assert_all_valid(&report);
    options.read.delimiter = Delimiter::Comma;
    assert!(matches!(
        import_file(single.as_bytes(), &options, &existing(), counter()),
        Err(ImportError::MissingColumns { .. })
    ));
}

#[test]
fn an_unquoted_comma_in_a_value_shows_as_extra_cells() {
    let csv = "sku,name,list_price\nA1,x,¥1,234.56\n";
    let report = import(ImportKind::Products, csv, "", "");
    assert_eq!(error_spots(&report), [(2, None)]);
    assert!(report.errors[0].message_en.contains("4 cells"));
    let trailing = "sku,name,list_price\nA1,x,1,,\n";
    assert_all_valid(&import(ImportKind::Products, trailing, "", ""));
}

#[test]
fn a_gbk_file_from_excel_is_read() {
    // “客户名称” in GBK, as Excel's plain “CSV” saves it on a Chinese Windows.
    let mut bytes = b"name,kind,region,owner\n".to_vec();
    bytes.extend([0xBF, 0xCD, 0xBB, 0xA7, 0xC3, 0xFB, 0xB3, 0xC6]);
    bytes.extend(b",dealer,HD,li.qiang\n");
    let report = import_file(
        &bytes,
        &ImportOptions::new(ImportKind::Customers, NOW),
        &existing(),
        counter(),
    )
    .unwrap();
    assert_all_valid(&report);
    assert_eq!(created(&report)[0]["name"], json!("客户名称"));
}

#[test]
fn an_empty_file_has_no_header() {
    for csv in ["", "\n\n", "\u{feff}", " , \n"] {
        assert_eq!(
            import_file(
                csv.as_bytes(),
                &ImportOptions::new(ImportKind::Products, NOW),
                &existing(),
                counter()
            ),
            Err(ImportError::NoHeader),
            "{csv:?}"
        );
    }
}

#[test]
fn a_header_only_file_reads_no_rows() {
    let report = import(ImportKind::Products, "sku,name,list_price\n", "", "");
    assert_eq!(
        report,
        ImportReport {
            mapped_headers: vec![
                ("sku".into(), "sku".into()),
                ("name".into(), "name".into()),
                ("list_price".into(), "list_price".into()),
            ],
            ..ImportReport::default()
        }
    );
}

#[test]
fn mapping_errors_stop_the_file_before_any_row() {
    let csv = "客户名称,颜色\n甲,红\n".as_bytes();
    let mut options = options(ImportKind::Customers, "颜色=colour", "");
    let error = import_file(csv, &options, &existing(), counter()).unwrap_err();
    assert!(
        matches!(&error, ImportError::UnknownField { field, .. } if field == "colour"),
        "{error:?}"
    );
    assert!(error.message(Locale::ZhCn).contains("colour"));
    options.columns = ColumnMap::new();
    assert_eq!(
        import_file(csv, &options, &existing(), counter()).unwrap_err(),
        ImportError::MissingColumns {
            collection: Collection::Customer,
            fields: vec!["kind", "region_unit_id", "owner_id"]
        }
    );
}

#[test]
fn dry_run_and_real_run_read_the_same_report() {
    let csv = "name,kind,parent,code\n华南大区,region,HQ,HN\n广州,area,华南大区,GZ\n坏,zone,HQ,X\n";
    let options = ImportOptions::new(ImportKind::OrgUnits, NOW);
    let dry = import_file(csv.as_bytes(), &options, &existing(), counter()).unwrap();
    let real = import_file(csv.as_bytes(), &options, &existing(), counter()).unwrap();
    assert_eq!(dry, real);
    assert_eq!(dry.valid.len(), 2);
    assert_eq!(dry.errors.len(), 1);
}

#[test]
fn only_valid_rows_take_an_id() {
    let csv = "sku,name,list_price\nA1,x,bad\nA2,y,1\n";
    let report = import(ImportKind::Products, csv, "", "");
    let Intent::Create(args) = &report.valid[0].1 else {
        panic!()
    };
    assert_eq!(args.id, id(1));
    assert_eq!(args.collection, Collection::Product);
}

#[test]
fn a_closure_may_serve_as_the_lookup() {
    let lookup = |collection: Collection, key: &str| -> Result<Option<String>, Ambiguous> {
        Ok((collection == Collection::OrgUnit && key == "HQ").then(|| COMPANY.to_owned()))
    };
    let csv = "name,kind,parent\n华北大区,region,HQ\n";
    let report = import_file(
        csv.as_bytes(),
        &ImportOptions::new(ImportKind::OrgUnits, NOW),
        &lookup,
        counter(),
    )
    .unwrap();
    assert_all_valid(&report);
}

#[test]
fn the_report_serialises_for_the_api() {
    let report = import(
        ImportKind::Products,
        "sku,name,list_price\nA1,x,1\nA2,y,z\n",
        "",
        "",
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["valid"][0][0], json!(2));
    assert_eq!(json["valid"][0][1]["name"], json!("create"));
    assert_eq!(json["errors"][0]["line"], json!(3));
    let back: ImportReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn the_mapping_screen_sees_what_each_header_feeds_and_a_choice_takes_a_field_from_its_namesake() {
    let headers: Vec<String> = ["Deal ID", "Deal Name", "Owner", "Owner login", "备注"]
        .into_iter()
        .map(String::from)
        .collect();
    let automatic = column_fields(ImportKind::Opportunities, &headers, &ColumnMap::new()).unwrap();
    assert_eq!(
        automatic,
        [
            Some("external_id"),
            Some("name"),
            Some("owner_id"),
            None,
            Some("notes")
        ]
    );
    // Pointing the owner at the login column leaves the column named Owner unread; a column set to
    // nothing is not read either.
    let chosen = ColumnMap::new()
        .with("Owner login", "owner")
        .with("备注", "");
    let fields = column_fields(ImportKind::Opportunities, &headers, &chosen).unwrap();
    assert_eq!(
        fields,
        [
            Some("external_id"),
            Some("name"),
            None,
            Some("owner_id"),
            None
        ]
    );
    // Two columns chosen for one field is the file's problem, named by both headers.
    let twice = ColumnMap::new()
        .with("Owner", "owner")
        .with("Owner login", "owner_id");
    let error = column_fields(ImportKind::Opportunities, &headers, &twice).unwrap_err();
    assert!(
        error.message(Locale::En).contains("Owner login"),
        "{}",
        error.message(Locale::En)
    );
}
