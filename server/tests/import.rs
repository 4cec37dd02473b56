//! CSV import through the server: bad rows are reported with their lines and nothing is written;
//! a clean file is applied and its records reach devices like any other change.

use yingxiao_core::import::{ColumnMap, ImportKind, ImportOptions, ValueMap};
use yingxiao_server::{
    admin,
    import::{import_file, ApplyMode},
    storage::{Storage, StorageArgs},
};

async fn storage(dir: &tempfile::TempDir) -> Storage {
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url: None,
    })
    .await
    .unwrap();
    admin::ensure_company(&storage, "示例公司").await.unwrap();
    storage
}

async fn count(storage: &Storage, collection: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE collection = $1 AND deleted = 0")
        .bind(collection)
        .fetch_one(&storage.pool)
        .await
        .unwrap()
}

const UNITS: &str = "代码,名称,类型,上级\nEAST,华东大区,region,HQ\nSH,上海区域,area,EAST\n";

#[tokio::test]
async fn org_units_import_with_references_to_earlier_rows() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    let options = ImportOptions {
        columns: ColumnMap::parse("代码=code,名称=name,类型=kind,上级=parent_id").unwrap(),
        ..ImportOptions::new(ImportKind::OrgUnits, "")
    };
    let outcome = import_file(&storage, UNITS.as_bytes(), options, ApplyMode::AllOrNothing)
        .await
        .unwrap();
    assert!(
        outcome.report.errors.is_empty(),
        "{:?}",
        outcome.report.errors
    );
    assert!(outcome.applied);
    assert_eq!(count(&storage, "org_units").await, 3);
}

#[tokio::test]
async fn a_file_with_bad_rows_reports_each_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    let file = "sku,name,list_price,category\n\
                A-1,绿茶 500ml,3.50,饮料\n\
                A-2,,4.00,饮料\n\
                A-3,乌龙茶,abc,饮料\n\
                A-1,重复,5,饮料\n";
    let options = ImportOptions::new(ImportKind::Products, "");
    let dry = import_file(
        &storage,
        file.as_bytes(),
        options.clone(),
        ApplyMode::DryRun,
    )
    .await
    .unwrap();
    let lines: Vec<u64> = dry.report.errors.iter().map(|e| e.line).collect();
    assert!(
        lines.contains(&3) && lines.contains(&4) && lines.contains(&5),
        "{lines:?}"
    );
    assert!(!lines.contains(&2));
    assert!(!dry.applied);
    let real = import_file(&storage, file.as_bytes(), options, ApplyMode::AllOrNothing)
        .await
        .unwrap();
    assert!(!real.applied, "a file with bad rows is not applied at all");
    assert_eq!(count(&storage, "products").await, 0);
}

#[tokio::test]
async fn a_clean_product_file_is_applied_with_exact_money() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    let file = "SKU,名称,List price,单位\nT-500,绿茶 500ml,\"¥1,234.50\",箱\n";
    let options = ImportOptions {
        columns: ColumnMap::parse("SKU=sku,名称=name,单位=unit").unwrap(),
        values: ValueMap::new(),
        ..ImportOptions::new(ImportKind::Products, "")
    };
    let outcome = import_file(&storage, file.as_bytes(), options, ApplyMode::AllOrNothing)
        .await
        .unwrap();
    assert!(outcome.applied, "{:?}", outcome.report.errors);
    let fields: String =
        sqlx::query_scalar("SELECT fields FROM records WHERE collection = 'products'")
            .fetch_one(&storage.pool)
            .await
            .unwrap();
    let fields: serde_json::Value = serde_json::from_str(&fields).unwrap();
    assert_eq!(fields["list_price"], 123_450);
    assert_eq!(fields["sku"], "T-500");
}

const PEOPLE: &str = "工号,上级工号,姓名,职务,部门\n\
                      H001,,顾总,总经理,总部\n\
                      H002,H001,李强,大区经理,华东大区\n\
                      H003,H002,王芳,主管,上海区域\n\
                      H004,H003,张伟,业务代表,上海区域\n\
                      H005,H004,赵敏,促销员,上海区域\n";

#[tokio::test]
async fn an_hr_export_builds_units_managers_and_accounts_with_one_time_passwords() {
    use serde_json::Value;
    use yingxiao_server::import::import_org;
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    let passwords = dir.path().join("passwords.csv");
    let outcome = import_org(&storage, PEOPLE.as_bytes(), Some(&passwords), false)
        .await
        .unwrap();
    assert!(outcome.applied);
    assert_eq!(outcome.accounts, 5);
    // The file's top is the company already there; two units are new.
    assert_eq!(count(&storage, "org_units").await, 3);
    assert_eq!(count(&storage, "users").await, 5);
    let units: Vec<(String, String)> =
        sqlx::query_as("SELECT id, fields FROM records WHERE collection = 'org_units'")
            .fetch_all(&storage.pool)
            .await
            .unwrap();
    let users: Vec<(String, String)> =
        sqlx::query_as("SELECT id, fields FROM records WHERE collection = 'users'")
            .fetch_all(&storage.pool)
            .await
            .unwrap();
    let parse = |f: &str| serde_json::from_str::<serde_json::Map<String, Value>>(f).unwrap();
    let user_named = |name: &str| {
        users
            .iter()
            .find(|(_, f)| parse(f)["name"] == name)
            .map(|(id, f)| (id.clone(), parse(f)))
            .unwrap()
    };
    let unit_named = |name: &str| {
        units
            .iter()
            .map(|(id, f)| (id.clone(), parse(f)))
            .find(|(_, f)| f["name"] == name)
            .unwrap()
    };
    let (area_id, area) = unit_named("上海区域");
    let (region_id, region) = unit_named("华东大区");
    assert_eq!(area["kind"], "area");
    assert_eq!(area["parent_id"], region_id.as_str());
    assert_eq!(region["kind"], "region");
    let (wang, wang_fields) = user_named("王芳");
    assert_eq!(area["manager_id"], wang.as_str());
    assert_eq!(wang_fields["role"], "area_supervisor");
    assert_eq!(wang_fields["unit_id"], area_id.as_str());
    let (_, promoter) = user_named("赵敏");
    assert_eq!(promoter["role"], "promoter");
    assert_eq!(promoter["login"], "h005");
    assert_eq!(promoter["manager_id"], user_named("张伟").0.as_str());
    let (_, company) = unit_named("示例公司");
    assert_eq!(company["manager_id"], user_named("顾总").0.as_str());

    // The password list: owner-only, one line per person, each password the account's.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&passwords).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let list = std::fs::read_to_string(&passwords).unwrap();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 6);
    let zhao = lines.iter().find(|l| l.starts_with("h005,")).unwrap();
    let password = zhao.rsplit(',').next().unwrap();
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE login = 'h005'")
            .fetch_one(&storage.pool)
            .await
            .unwrap();
    assert!(yingxiao_server::auth::verify_password(&hash, password));

    // The same people again: every employee number is taken, nothing more is written, and an
    // existing password list is never overwritten.
    let again = import_org(&storage, PEOPLE.as_bytes(), Some(&passwords), false)
        .await
        .unwrap();
    assert!(!again.applied);
    assert_eq!(
        again.result.unwrap_err().len(),
        10,
        "login and number, five rows"
    );
    assert_eq!(count(&storage, "users").await, 5);
}

#[tokio::test]
async fn a_people_file_with_an_unknown_manager_or_a_loop_writes_nothing() {
    use yingxiao_server::import::import_org;
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    let passwords = dir.path().join("passwords.csv");
    let file = "employee_id,manager_id,name,unit\n\
                A1,,甲,总部\n\
                A2,A9,乙,华东\n\
                A3,A4,丙,华东\n\
                A4,A3,丁,华东\n";
    let outcome = import_org(&storage, file.as_bytes(), Some(&passwords), false)
        .await
        .unwrap();
    assert!(!outcome.applied);
    let lines: Vec<u64> = outcome.result.unwrap_err().iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert_eq!(count(&storage, "users").await, 0);
    assert_eq!(count(&storage, "org_units").await, 1);
    assert!(!passwords.exists(), "no password list without an import");
}

async fn import_kind(storage: &Storage, kind: ImportKind, file: &str) -> bool {
    let outcome = import_file(
        storage,
        file.as_bytes(),
        ImportOptions::new(kind, ""),
        ApplyMode::AllOrNothing,
    )
    .await
    .unwrap();
    assert!(
        outcome.report.errors.is_empty() || !outcome.applied,
        "applied with errors"
    );
    outcome.applied
}

/// (id, fields, the parent column the push keeps for finding a breakdown's children) of every
/// stored target.
async fn stored_targets(storage: &Storage) -> Vec<(String, serde_json::Value, Option<String>)> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, fields, parent_id FROM records WHERE collection = 'targets' AND deleted = 0",
    )
    .fetch_all(&storage.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(id, fields, parent)| (id, serde_json::from_str(&fields).unwrap(), parent))
        .collect()
}

#[tokio::test]
async fn last_years_orders_and_this_years_targets_come_in_through_the_import() {
    use yingxiao_server::import::import_org;
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    assert!(
        import_org(&storage, PEOPLE.as_bytes(), None, false)
            .await
            .unwrap()
            .applied
    );
    assert!(
        import_kind(
            &storage,
            ImportKind::Customers,
            "客户名称,客户类型,所属区域,负责业务员\n联华超市,零售门店,上海区域,H004\n"
        )
        .await
    );

    // Last year's sales, as an ERP exports them: number, customer, rep, day, amount.
    let history = "订单编号,客户,负责人,下单日期,订单金额\n\
                   SO-2025-0001,联华超市,H004,2025-03-15,\"12,000.00\"\n\
                   SO-2025-0002,联华超市,h004,2025-07-01,8000.5\n";
    assert!(import_kind(&storage, ImportKind::Orders, history).await);
    assert_eq!(count(&storage, "orders").await, 2);
    // The same history again finds its orders by their numbers and changes nothing.
    let again = import_file(
        &storage,
        history.as_bytes(),
        ImportOptions::new(ImportKind::Orders, ""),
        ApplyMode::AllOrNothing,
    )
    .await
    .unwrap();
    assert_eq!((again.report.created, again.report.unchanged), (0, 2));
    assert_eq!(count(&storage, "orders").await, 2);

    // This year's targets, top down, a month under the rep's year.
    let targets = "责任对象,考核指标,目标周期,目标值\n\
                   示例公司,销售额,2027,3000000\n\
                   华东大区,销售额,2027,2000000\n\
                   上海区域,销售额,2027,1000000\n\
                   张伟,销售额,2027,240000\n\
                   张伟,销售额,2027-01,20000\n";
    assert!(import_kind(&storage, ImportKind::Targets, targets).await);
    let stored = stored_targets(&storage).await;
    assert_eq!(stored.len(), 5);
    let by_value = |value: i64| {
        stored
            .iter()
            .find(|(_, f, _)| f["value"] == value)
            .unwrap_or_else(|| panic!("{value}: {stored:?}"))
    };
    // Each hangs from the one above it, in its fields and in the parent column alike.
    let chain = [300_000_000, 200_000_000, 100_000_000, 24_000_000, 2_000_000].map(by_value);
    assert!(chain[0].2.is_none() && chain[0].1.get("parent_id").is_none());
    for pair in chain.windows(2) {
        let (above, below) = (&pair[0], &pair[1]);
        assert_eq!(below.1["parent_id"], above.0.as_str());
        assert_eq!(below.2.as_deref(), Some(above.0.as_str()));
    }
    assert_eq!(chain[3].1["subject_kind"], "user");
    assert_eq!(chain[4].1["period"], "month");
    assert_eq!(chain[3].1["unit_id"], chain[2].1["subject_id"]);

    // Once there, the same targets are found by their slots: nothing is created or changed.
    let again = import_file(
        &storage,
        targets.as_bytes(),
        ImportOptions::new(ImportKind::Targets, ""),
        ApplyMode::AllOrNothing,
    )
    .await
    .unwrap();
    assert_eq!((again.report.created, again.report.unchanged), (0, 5));
    assert_eq!(stored_targets(&storage).await.len(), 5);
}

/// A people file with managers below their reports and a non-ASCII login, imported twice: the
/// second run creates nothing and changes only the title that changed.
#[tokio::test]
async fn importing_people_twice_creates_them_once_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    import_file(
        &storage,
        UNITS.as_bytes(),
        ImportOptions {
            columns: ColumnMap::parse("代码=code,名称=name,类型=kind,上级=parent_id").unwrap(),
            ..ImportOptions::new(ImportKind::OrgUnits, "")
        },
        ApplyMode::AllOrNothing,
    )
    .await
    .unwrap();
    let people = |title: &str| {
        format!(
            "login|name|role|manager|title\n\
             françois|François Martin|Sales Representative|josé|{title}\n\
             josé|José García|Area supervisor||主管\n"
        )
    };
    let options = ImportOptions {
        defaults: yingxiao_core::import::Defaults::parse("unit=SH").unwrap(),
        ..ImportOptions::new(ImportKind::Users, "")
    };
    let first = import_file(
        &storage,
        people("业务员").as_bytes(),
        options.clone(),
        ApplyMode::AllOrNothing,
    )
    .await
    .unwrap();
    assert!(first.applied, "{:?}", first.report.errors);
    assert_eq!(first.report.created, 2);
    let again = import_file(
        &storage,
        people("高级业务员").as_bytes(),
        options,
        ApplyMode::AllOrNothing,
    )
    .await
    .unwrap();
    assert!(again.applied, "{:?}", again.report.errors);
    assert_eq!(
        (
            again.report.created,
            again.report.updated,
            again.report.unchanged
        ),
        (0, 1, 1)
    );
    assert_eq!(count(&storage, "users").await, 2);
    let title: String = sqlx::query_scalar(
        "SELECT fields FROM records WHERE collection = 'users' AND fields LIKE '%françois%'",
    )
    .fetch_one(&storage.pool)
    .await
    .unwrap();
    assert!(title.contains("高级业务员"), "{title}");
}

/// `--apply-valid`: the good rows are written, the bad ones come back with their reasons.
#[tokio::test]
async fn the_good_rows_may_be_applied_and_the_bad_ones_given_back() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage(&dir).await;
    let file = "sku,name,list_price\nA-1,绿茶,3.50\nA-2,红茶,abc\n";
    let outcome = import_file(
        &storage,
        file.as_bytes(),
        ImportOptions::new(ImportKind::Products, ""),
        ApplyMode::GoodRows,
    )
    .await
    .unwrap();
    assert!(outcome.applied);
    assert_eq!(count(&storage, "products").await, 1);
    let refused = yingxiao_core::import::refused_rows(
        &outcome.table,
        &outcome.report,
        yingxiao_core::locale::Locale::ZhCn,
    );
    let text = String::from_utf8(refused).unwrap();
    assert!(text.contains("A-2,红茶,abc,"), "{text}");
    assert!(!text.contains("A-1"));
}
