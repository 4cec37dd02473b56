//! CSV import through the server: bad rows are reported with their lines and nothing is written;
//! a clean file is applied and its records reach devices like any other change.

use yingxiao_core::import::{ColumnMap, ImportKind, ImportOptions, ValueMap};
use yingxiao_server::{
    admin,
    import::import_file,
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
    let outcome = import_file(&storage, UNITS.as_bytes(), options, false)
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
    let dry = import_file(&storage, file.as_bytes(), options.clone(), true)
        .await
        .unwrap();
    let lines: Vec<u64> = dry.report.errors.iter().map(|e| e.line).collect();
    assert!(
        lines.contains(&3) && lines.contains(&4) && lines.contains(&5),
        "{lines:?}"
    );
    assert!(!lines.contains(&2));
    assert!(!dry.applied);
    let real = import_file(&storage, file.as_bytes(), options, false)
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
    let outcome = import_file(&storage, file.as_bytes(), options, false)
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
