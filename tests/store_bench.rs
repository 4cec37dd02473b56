//! Device store figures in headless Chromium (issue: a new device's first sync of 100,000 records
//! into IndexedDB within 2× a raw IndexedDB bulk put of the same records; a list of 50,000 customers
//! opened and filtered within a frame for the visible rows). Not part of `cargo test` (`test = false`
//! in Cargo.toml); `scripts/bench.sh` runs it. Prints figures, asserts nothing about time.
//!
//! The first sync here starts from pull pages as the server sends them (JSON text, 2,000 records a
//! page): parse, settle against the pending log, apply in one transaction per page. The network and
//! the server are measured by the server's benchmark.
#![cfg(target_arch = "wasm32")]

use idb::{Factory, ObjectStoreParams, TransactionMode};
use std::collections::HashMap;

use js_sys::{Array, Date, Object, Reflect};
use serde_json::{json, Value};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use yingxiao::{
    components::record::list::{list_rows, matching_rows, FilterValue, FirstRows, Row},
    data::store::{database_name, Store},
    i18n::I18n,
};
use yingxiao_core::{
    domain::Collection,
    locale::Locale,
    sync::{client::settle_page, protocol::PullResponse, written::Saved},
};

wasm_bindgen_test_configure!(run_in_browser);

const FIRST_SYNC: usize = 100_000;
const LIST: usize = 50_000;
const PAGE: usize = 2_000;
/// Rows the list draws at first.
const WINDOW: usize = 100;
/// Rows a list saves for its next cold start.
const FIRST_ROWS_SAVED: usize = yingxiao::components::record::list::FIRST_ROWS;
const TIERS: [&str; 3] = ["A", "B", "C"];
const CITIES: [&str; 6] = ["上海", "北京", "广州", "深圳", "杭州", "成都"];

fn id(prefix: u32, n: usize) -> String {
    format!("{prefix:08x}-0000-4000-8000-{n:012}")
}

/// A customer as the server sends it, with a stamp per field.
fn record(n: usize) -> Value {
    let stamp = format!("{:015}-00000-{}", 1_800_000_000_000u64 + n as u64, id(9, 1));
    let fields = json!({
        "name": format!("{}客户{n:06}有限公司", CITIES[n % CITIES.len()]), "kind": "dealer",
        "tier": TIERS[n % 3], "region_unit_id": id(2, n % 40), "owner_id": id(3, n % 300),
        "city": CITIES[n % CITIES.len()], "phone": "021-5555-0000",
        "address": "上海市浦东新区世纪大道 100 号", "credit_limit": 5_000_000,
    });
    let stamps: serde_json::Map<String, Value> = fields
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.clone(), json!(stamp)))
        .collect();
    json!({"collection": "customers", "id": id(1, n), "version": n as i64 + 1,
        "fields": fields, "stamps": stamps})
}

/// The pull pages of `count` records, as response bodies.
fn pages(count: usize) -> Vec<String> {
    (0..count)
        .collect::<Vec<_>>()
        .chunks(PAGE)
        .enumerate()
        .map(|(i, chunk)| {
            let records: Vec<Value> = chunk.iter().map(|&n| record(n)).collect();
            let last = (i + 1) * PAGE >= count;
            json!({"reset": false, "records": records, "deleted": [], "removed": [],
                "cursor": format!("1.{}.0", chunk.last().unwrap() + 1), "has_more": !last,
                "last_mutation_id": 0, "rejections": []})
            .to_string()
        })
        .collect()
}

/// Raw IndexedDB: every row of a user's store in one `getAll`, nothing parsed.
async fn raw_get_all(user: &str) -> f64 {
    let db = Factory::new()
        .unwrap()
        .open(&database_name(user), None)
        .unwrap()
        .await
        .unwrap();
    let started = Date::now();
    let tx = db
        .transaction(&["records"], TransactionMode::ReadOnly)
        .unwrap();
    let rows = tx
        .object_store("records")
        .unwrap()
        .get_all(None, None)
        .unwrap()
        .await
        .unwrap();
    let elapsed = Date::now() - started;
    assert!(!rows.is_empty());
    db.close();
    elapsed
}

async fn fresh_store(user: &str) -> Store {
    Store::delete(user).await.unwrap();
    let store = Store::open(user).await.unwrap();
    store.sync_state(|| id(7, 1)).await.unwrap();
    store
}

/// Raw IndexedDB: the same records, as plain objects of the same shape as the store's rows
/// (indexed facts + JSON text), put into one object store without indexes in one transaction.
async fn raw_bulk_put(bodies: &[String]) -> f64 {
    let name = "bench-raw";
    let factory = Factory::new().unwrap();
    factory.delete(name).unwrap().await.unwrap();
    let mut open = factory.open(name, Some(1)).unwrap();
    open.on_upgrade_needed(|event| {
        use idb::DatabaseEvent;
        event
            .database()
            .unwrap()
            .create_object_store("records", ObjectStoreParams::new())
            .unwrap();
    });
    let db = open.await.unwrap();
    let started = Date::now();
    let tx = db
        .transaction(&["records"], TransactionMode::ReadWrite)
        .unwrap();
    let store = tx.object_store("records").unwrap();
    for body in bodies {
        let page: PullResponse = serde_json::from_str(body).unwrap();
        for record in &page.records {
            let row = Object::new();
            Reflect::set(&row, &"c".into(), &record.collection.as_str().into()).unwrap();
            let text = serde_json::to_string(record).unwrap();
            Reflect::set(&row, &"j".into(), &text.into()).unwrap();
            let key = Array::of2(
                &record.collection.as_str().into(),
                &record.id.as_str().into(),
            );
            store.put(&row.into(), Some(&key.into())).unwrap();
        }
    }
    tx.commit().unwrap().await.unwrap();
    let elapsed = Date::now() - started;
    db.close();
    elapsed
}

#[wasm_bindgen_test]
async fn first_sync_and_list_figures() {
    let bodies = pages(FIRST_SYNC);
    let raw_ms = raw_bulk_put(&bodies).await;

    let store = fresh_store("bench-first-sync").await;
    let started = Date::now();
    for body in &bodies {
        let page: PullResponse = serde_json::from_str(body).unwrap();
        let effects = settle_page(&[], page);
        store.apply_page(&effects, 1_000).await.unwrap();
    }
    let sync_ms = Date::now() - started;
    assert_eq!(store.record_count().await.unwrap() as usize, FIRST_SYNC);
    console_log!(
        "first sync of {FIRST_SYNC} records: {sync_ms:.0} ms ({:.0} records/s); raw IndexedDB bulk put of the same: {raw_ms:.0} ms; ratio {:.2}× (goal ≤ 2×)",
        FIRST_SYNC as f64 / sync_ms * 1000.0,
        sync_ms / raw_ms
    );
    store.close();

    // A rep's list: 50,000 customers, opened from the store and filtered.
    let store = fresh_store("bench-list").await;
    for body in pages(LIST) {
        let page: PullResponse = serde_json::from_str(&body).unwrap();
        store
            .apply_page(&settle_page(&[], page), 1_000)
            .await
            .unwrap();
    }
    // Opening the list: read the collection (IndexedDB + parsing), put it in pinyin order, then
    // draw the first window; the page keeps the ordered list, so filtering only re-runs the last steps.
    let started = Date::now();
    let (all, number) = store.view_numbered(Collection::Customer).await.unwrap();
    let read_ms = Date::now() - started;
    let raw_read_ms = raw_get_all("bench-list").await;
    console_log!("(reference: IndexedDB getAll of the same rows, unparsed: {raw_read_ms:.0} ms)");
    let started = Date::now();
    let list = list_rows(
        Collection::Customer,
        &all,
        &HashMap::new(),
        I18n::new(Locale::ZhCn),
    );
    let spec = yingxiao_core::views::spec(Collection::Customer);
    let filters = |tier: &str| -> Vec<FilterValue> {
        spec.filters
            .iter()
            .map(|f| FilterValue {
                equals: if *f == "tier" {
                    tier.to_owned()
                } else {
                    String::new()
                },
                ..FilterValue::default()
            })
            .collect()
    };
    let order_ms = Date::now() - started;
    let started = Date::now();
    let first: Vec<Row> = matching_rows(
        Collection::Customer,
        &list,
        "",
        &filters(""),
        ("name", false),
    )
    .iter()
    .take(WINDOW)
    .map(|&p| list.row(p).clone())
    .collect();
    let window_ms = Date::now() - started;
    console_log!(
        "list of {} customers: read from the store {read_ms:.0} ms; pinyin order and search text {order_ms:.0} ms; first {} rows drawn from the ordered list {window_ms:.1} ms (goal: one frame, 16 ms)",
        all.len(),
        first.len()
    );
    let started = Date::now();
    let mine = store
        .view(Collection::Customer, Some(("owner", &id(3, 7))))
        .await
        .unwrap();
    let owner_ms = Date::now() - started;
    for (what, search, tier) in [
        ("name", "深圳客户0012", ""),
        ("city and tier", "成都", "C"),
        ("phone digits", "0215555", ""),
        ("no match", "不存在的客户", ""),
    ] {
        let started = Date::now();
        let matches = matching_rows(
            Collection::Customer,
            &list,
            search,
            &filters(tier),
            ("name", false),
        );
        let shown: Vec<Row> = matches
            .iter()
            .take(WINDOW)
            .map(|&p| list.row(p).clone())
            .collect();
        let filter_ms = Date::now() - started;
        console_log!(
            "filter the {} customers by {what} ({} matches, {} drawn): {filter_ms:.1} ms (goal: one frame, 16 ms)",
            list.len(),
            matches.len(),
            shown.len()
        );
    }
    console_log!(
        "the same customers by owner through the index ({} rows): {owner_ms:.1} ms",
        mine.len()
    );

    // A cold start: the page saved the list's first rows when it last built them; the app opens
    // the device's database again and shows them while it reads the whole list.
    let name = FirstRows::name(Collection::Customer, Locale::ZhCn);
    let saved = Saved {
        made_from: vec![(Collection::Customer, number)],
        value: FirstRows::of(Collection::Customer, &list),
    };
    assert!(store.save(&name, &saved).await.unwrap());
    store.close();
    let started = Date::now();
    let store = Store::open("bench-list").await.unwrap();
    let first = store
        .saved::<FirstRows>(&name)
        .await
        .unwrap()
        .expect("nothing was written since");
    let rows = first.rows();
    let cold_ms = Date::now() - started;
    assert_eq!((rows.len(), first.total), (FIRST_ROWS_SAVED, LIST));
    assert_eq!(rows[0].title, list.row(0).title);
    console_log!(
        "cold start of the list of {LIST} customers: its first {} rows from the rows saved last time, \
         database opened included, {cold_ms:.1} ms (goal 100 ms); without them: read {read_ms:.0} + \
         order {order_ms:.0} + window {window_ms:.0} ms = {:.0} ms",
        rows.len(),
        read_ms + order_ms + window_ms
    );
    store.close();
}
