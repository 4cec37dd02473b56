//! The device store in a real headless Chromium's IndexedDB: pending work survives closing and
//! reopening the database and a schema upgrade; ids stay gapless; a pull page is applied whole; and
//! what the device shows (canonical + pending replayed) is what the server's rule computes.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yingxiao::data::store::{database_name, DataError, Store, SCHEMA_VERSION};
use yingxiao_core::{
    domain::Collection,
    sync::{
        apply::{apply, Change},
        client::{settle_page, RejectedChange},
        protocol::{
            CreateArgs, Intent, PullResponse, Record, RecordRef, RejectCode, RejectedMutation,
            Rejection, SetFieldsArgs,
        },
    },
};

wasm_bindgen_test_configure!(run_in_browser);

const REP: &str = "0b9c6a52-0000-4000-8000-0000000000a1";
const UNIT: &str = "0b9c6a52-0000-4000-8000-0000000000b1";

/// A user whose database no other test uses, removed first in case a previous run left it.
async fn fresh(name: &str) -> String {
    let user = format!("test-{name}");
    Store::delete(&user).await.unwrap();
    user
}

fn id(n: u32) -> String {
    format!("0b9c6a52-0000-4000-8000-{n:012}")
}

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn create(id: &str, name: &str) -> Intent {
    Intent::Create(CreateArgs {
        collection: Collection::Customer,
        id: id.into(),
        fields: fields(json!({"name": name, "kind": "dealer", "tier": "B",
            "region_unit_id": UNIT, "owner_id": REP})),
    })
}

fn rename(id: &str, name: &str) -> Intent {
    Intent::SetFields(SetFieldsArgs {
        collection: Collection::Customer,
        id: id.into(),
        fields: fields(json!({ "name": name })),
    })
}

fn target(id: &str) -> RecordRef {
    RecordRef {
        collection: Collection::Customer,
        id: id.into(),
    }
}

#[wasm_bindgen_test]
async fn pending_work_survives_closing_and_reopening() {
    let user = fresh("reopen").await;
    let store = Store::open(&user).await.unwrap();
    let state = store.sync_state(|| id(900)).await.unwrap();
    assert_eq!(state.client_id, id(900));
    for n in 1..=3 {
        store
            .record_mutation(create(&id(n), &format!("客户{n}")), 1_000)
            .await
            .unwrap();
    }
    store.close();

    let store = Store::open(&user).await.unwrap();
    let state = store
        .sync_state(|| panic!("the client id must be kept"))
        .await
        .unwrap();
    assert_eq!(state.client_id, id(900));
    let ids: Vec<u64> = state.pending.iter().map(|m| m.id).collect();
    assert_eq!(ids, [1, 2, 3]);
    // The outbox carries on without a gap and with a later clock, even with the wall clock behind.
    let next = store
        .record_mutation(rename(&id(1), "改名"), 500)
        .await
        .unwrap();
    assert_eq!(next.id, 4);
    assert!(next.hlc > state.pending[2].hlc);
    // A malformed change is refused before it takes an id.
    let bad = Intent::SetFields(SetFieldsArgs {
        collection: Collection::Customer,
        id: id(1),
        fields: fields(json!({"tier": "Z"})),
    });
    assert!(matches!(
        store.record_mutation(bad, 2_000).await,
        Err(DataError::Invalid(_))
    ));
    let next = store
        .record_mutation(rename(&id(1), "再改"), 2_000)
        .await
        .unwrap();
    assert_eq!(next.id, 5);
    // What the user sees: the created record with both renames replayed.
    let shown = store.view_one(&target(&id(1))).await.unwrap().unwrap();
    assert_eq!(shown.fields["name"], "再改");
    assert_eq!(
        store.view(Collection::Customer, None).await.unwrap().len(),
        3
    );
    store.close();
}

#[wasm_bindgen_test]
async fn a_schema_upgrade_keeps_pending_work() {
    let user = fresh("upgrade").await;
    // A tablet still on the first schema, with work waiting.
    let old = Store::open_at(&database_name(&user), 1).await.unwrap();
    assert_eq!(old.version(), 1);
    old.client_id(|| id(901)).await.unwrap();
    let mutation = old
        .record_mutation(create(&id(7), "老版本客户"), 1_000)
        .await
        .unwrap();
    old.close();

    let store = Store::open(&user).await.unwrap();
    assert_eq!(store.version(), SCHEMA_VERSION);
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    assert_eq!(state.pending, vec![mutation]);
    assert_eq!(state.outbox.next_id, 2);
    // What the new schema added works: the rejected list and the indexes.
    assert!(state.rejected.is_empty());
    let mine = store
        .view(Collection::Customer, Some(("owner", REP)))
        .await
        .unwrap();
    assert_eq!(mine.len(), 1, "the pending create shows under its owner");
    store.close();
}

fn server_record(id: &str, name: &str, version: i64, stamp: &str) -> Record {
    let fields = fields(json!({"name": name, "kind": "dealer", "tier": "A",
        "region_unit_id": UNIT, "owner_id": REP}));
    let stamps: BTreeMap<_, _> = fields
        .keys()
        .map(|k| (k.clone(), stamp.parse().unwrap()))
        .collect();
    Record {
        collection: Collection::Customer,
        id: id.into(),
        version,
        fields,
        stamps,
    }
}

#[wasm_bindgen_test]
async fn a_pull_page_is_applied_whole_and_queries_use_the_indexes() {
    let user = fresh("page").await;
    let store = Store::open(&user).await.unwrap();
    store.sync_state(|| id(902)).await.unwrap();
    let edit = store
        .record_mutation(rename(&id(1), "本机改名"), 1_000)
        .await
        .unwrap();
    let doomed = store
        .record_mutation(rename(&id(2), "无效"), 1_000)
        .await
        .unwrap();
    let pending = vec![edit.clone(), doomed.clone()];

    // The other device's stamp is far ahead of this one's clock.
    let stamp = "000000900000000-00000-0b9c6a52-0000-4000-8000-000000000999";
    let page = PullResponse {
        rewound: false,
        reset: false,
        records: vec![
            server_record(&id(1), "服务器名", 10, stamp),
            server_record(&id(3), "第三家", 11, stamp),
        ],
        deleted: vec![],
        removed: vec![],
        cursor: "1.11.2".into(),
        has_more: true,
        last_mutation_id: 2,
        rejections: vec![RejectedMutation {
            mutation_id: 2,
            reason: Rejection::new(RejectCode::NotFound, "no customers record"),
        }],
    };
    store
        .apply_page(&settle_page(&pending, page), 1_000)
        .await
        .unwrap();

    let state = store.sync_state(|| unreachable!()).await.unwrap();
    assert_eq!(state.cursor.as_deref(), Some("1.11.2"));
    // Not the last page: the applied edit stays pending; the refused one moved to rejected.
    assert_eq!(state.pending, vec![edit.clone()]);
    assert_eq!(state.rejected.len(), 1);
    assert_eq!(state.rejected[0].mutation, doomed);
    // The clock caught up with the pulled stamps (its next tick is later than them).
    assert_eq!(state.outbox.clock.millis, 900_000_000);
    assert_eq!(store.record_count().await.unwrap(), 2);
    assert_eq!(
        store
            .records(Collection::Customer, Some(("owner", REP)))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(store
        .records(Collection::Customer, Some(("owner", "someone-else")))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .records(Collection::Opportunity, None)
        .await
        .unwrap()
        .is_empty());

    // The device shows what the server's rule computes for the same record and mutation: this
    // edit's stamp is older than the server's, so the server's name stands.
    let canonical = store.record(&target(&id(1))).await.unwrap().unwrap();
    let server = match apply(Some(&canonical.to_stored()), &edit.intent, &edit.hlc).unwrap() {
        Change::Write(next) => next,
        Change::Unchanged => canonical.to_stored(),
    };
    let shown = store.view_one(&target(&id(1))).await.unwrap();
    assert_eq!(shown, Some(server.clone()));
    assert_eq!(server.fields["name"], "服务器名");
    // An edit made now is later than everything seen, so it wins.
    store
        .record_mutation(rename(&id(1), "现在改名"), 1_000)
        .await
        .unwrap();
    let shown = store.view_one(&target(&id(1))).await.unwrap().unwrap();
    assert_eq!(shown.fields["name"], "现在改名");

    // A final page confirms what the server processed and forgets a deleted record, together.
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    let last = PullResponse {
        rewound: false,
        reset: false,
        records: vec![],
        deleted: vec![target(&id(3))],
        removed: vec![],
        cursor: "1.12.2".into(),
        has_more: false,
        last_mutation_id: 2,
        rejections: vec![],
    };
    store
        .apply_page(&settle_page(&state.pending, last), 1_000)
        .await
        .unwrap();
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    let ids: Vec<u64> = state.pending.iter().map(|m| m.id).collect();
    assert_eq!(ids, [3], "only the edit the server has not seen is left");
    assert_eq!(store.record_count().await.unwrap(), 1);
    let seen = state.rejected[0].clone();
    store.dismiss_rejected(&seen).await.unwrap();
    assert!(store
        .sync_state(|| unreachable!())
        .await
        .unwrap()
        .rejected
        .is_empty());
    store.close();
}

fn visit(id: &str, at: &str) -> Record {
    let fields = fields(json!({"customer_id": self::id(1), "owner_id": REP, "visited_at": at}));
    let stamp = "000000000000100-00000-0b9c6a52-0000-4000-8000-000000000999";
    let stamps = fields
        .keys()
        .map(|k| (k.clone(), stamp.parse().unwrap()))
        .collect();
    Record {
        collection: Collection::Visit,
        id: id.into(),
        version: 1,
        fields,
        stamps,
    }
}

/// Stores pulled visits as a build of schema version 2 did: the row of `Store`'s format with the
/// facts it indexed then (owner and customer), without the date a later version indexes.
async fn put_as_version_2(user: &str, visits: &[Record]) {
    use idb::{Factory, TransactionMode};
    use js_sys::{Object, Reflect};
    let db = Factory::new()
        .unwrap()
        .open(&database_name(user), None)
        .unwrap()
        .await
        .unwrap();
    let tx = db
        .transaction(&["records"], TransactionMode::ReadWrite)
        .unwrap();
    let records = tx.object_store("records").unwrap();
    for visit in visits {
        let row = Object::new();
        let set = |name: &str, value: &str| {
            Reflect::set(&row, &name.into(), &value.into()).unwrap();
        };
        set("c", visit.collection.as_str());
        set("i", &visit.id);
        set("owner", visit.fields["owner_id"].as_str().unwrap());
        set("customer", visit.fields["customer_id"].as_str().unwrap());
        set("f", &serde_json::to_string(&visit.fields).unwrap());
        set("s", &serde_json::to_string(&visit.stamps).unwrap());
        Reflect::set(&row, &"v".into(), &(visit.version as f64).into()).unwrap();
        let key = js_sys::Array::of2(&visit.collection.as_str().into(), &visit.id.as_str().into());
        records.put(&row.into(), Some(&key.into())).unwrap();
    }
    tx.commit().unwrap().await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn upgrading_to_lists_by_date_indexes_the_rows_already_stored() {
    let user = fresh("dated").await;
    // A tablet on schema version 2 with two visits pulled and one logged offline.
    let old = Store::open_at(&database_name(&user), 2).await.unwrap();
    old.sync_state(|| id(903)).await.unwrap();
    put_as_version_2(
        &user,
        &[
            visit(&id(31), "2026-11-03T02:00:00Z"),
            visit(&id(32), "2026-12-01T00:00:00Z"),
        ],
    )
    .await;
    let logged = old
        .record_mutation(
            Intent::Create(CreateArgs {
                collection: Collection::Visit,
                id: id(33),
                fields: visit(&id(33), "2026-11-30T15:59:59.999Z").fields,
            }),
            1_000,
        )
        .await
        .unwrap();
    old.close();

    let store = Store::open(&user).await.unwrap();
    assert_eq!(store.version(), SCHEMA_VERSION);
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    assert_eq!(
        state.pending,
        vec![logged],
        "the upgrade keeps pending work"
    );
    let november: Vec<String> = store
        .view_dated(Collection::Visit, "2026-11-01", "2026-12-01")
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        november,
        [id(31), id(33)],
        "a stored visit and a pending one"
    );
    let december = store
        .view_dated(Collection::Visit, "2026-12-01", "2027-01-01")
        .await
        .unwrap();
    assert_eq!(december.len(), 1);
    assert_eq!(december[0].0, id(32));
    assert!(store
        .view_dated(Collection::Customer, "2026-01-01", "2027-01-01")
        .await
        .unwrap()
        .is_empty());
    store.close();
    // Indexed once: opening again finds nothing left to do and the same answer.
    let store = Store::open(&user).await.unwrap();
    let again = store
        .view_dated(Collection::Visit, "2026-11-01", "2026-12-01")
        .await
        .unwrap();
    assert_eq!(again.len(), 2);
    store.close();
}

#[wasm_bindgen_test]
fn new_ids_are_time_ordered_uuid_version_7() {
    let before = js_sys::Date::now() as u64;
    let ids: Vec<String> = (0..50).map(|_| yingxiao::data::new_record_id()).collect();
    for id in &ids {
        assert!(yingxiao_core::id::is_record_id(id), "{id}");
        assert_eq!(&id[14..15], "7", "version 7: {id}");
        assert!(
            matches!(&id[19..20], "8" | "9" | "a" | "b"),
            "RFC variant: {id}"
        );
        let millis = u64::from_str_radix(&id[..13].replace('-', ""), 16).unwrap();
        assert!(
            millis >= before && millis <= js_sys::Date::now() as u64,
            "{id}"
        );
    }
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len());
}

/// The in-memory read model patched with the records a change touched is what reading the whole
/// collection again gives: created, renamed, deleted, in id order.
#[wasm_bindgen_test]
async fn a_read_model_patched_record_by_record_matches_a_fresh_read() {
    let user = fresh("patch").await;
    let store = Store::open(&user).await.unwrap();
    store.sync_state(|| id(901)).await.unwrap();
    for n in [2, 4, 6] {
        store
            .record_mutation(create(&id(n), &format!("客户{n}")), 1_000)
            .await
            .unwrap();
    }
    let mut model = store.view(Collection::Customer, None).await.unwrap();
    let changes = [
        create(&id(1), "新客户一"),
        create(&id(5), "新客户五"),
        rename(&id(4), "改名四"),
        Intent::Delete(target(&id(6))),
    ];
    let mut touched = Vec::new();
    for change in changes {
        touched.push(change.target());
        store.record_mutation(change, 2_000).await.unwrap();
    }
    let mut fresh = Vec::new();
    for target in &touched {
        fresh.push((target.id.clone(), store.view_one(target).await.unwrap()));
    }
    yingxiao::data::cache::patch(&mut model, fresh);
    let read = store.view(Collection::Customer, None).await.unwrap();
    let names = |rows: &[(String, yingxiao_core::sync::apply::StoredRecord)]| {
        rows.iter()
            .map(|(id, r)| (id.clone(), r.fields["name"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&model), names(&read));
    assert_eq!(
        names(&model)
            .iter()
            .map(|(_, n)| n.as_str().unwrap().to_owned())
            .collect::<Vec<_>>(),
        ["新客户一", "客户2", "改名四", "新客户五"]
    );
    store.close();
}

#[wasm_bindgen_test]
async fn a_device_starts_over_when_its_server_went_back_to_a_backup() {
    let user = fresh("restored").await;
    let store = Store::open(&user).await.unwrap();
    store.sync_state(|| id(904)).await.unwrap();
    let mut made = Vec::new();
    for n in 1..=4 {
        made.push(
            store
                .record_mutation(rename(&id(1), &format!("名{n}")), 1_000)
                .await
                .unwrap(),
        );
    }
    // The server refused 2 and applied 1 and 3; a complete pull confirms them (kept) and leaves 4.
    let page = |last, rejections, has_more| PullResponse {
        rewound: false,
        reset: false,
        records: vec![server_record(&id(1), "名3", 9, "000000000002000-00000-x")],
        deleted: vec![],
        removed: vec![],
        cursor: "db~1~9~m~2".into(),
        has_more,
        last_mutation_id: last,
        rejections,
    };
    let refusal = Rejection::new(RejectCode::Invalid, "name taken");
    let first = page(
        3,
        vec![RejectedMutation {
            mutation_id: 2,
            reason: refusal.clone(),
        }],
        false,
    );
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    store
        .apply_page(&settle_page(&state.pending[..3], first), 5_000)
        .await
        .unwrap();
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    assert_eq!(state.pending, made[3..]);
    assert_eq!(state.outbox.processed, 3);

    // Restored to a backup that holds only mutation 1.
    let mut rewound = page(1, vec![], true);
    rewound.rewound = true;
    rewound.records.clear();
    let recovery = store.recover(&rewound, 6_000).await.unwrap();
    assert_eq!(recovery.resent, 1, "3 was confirmed and lost");
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    let again: Vec<(u64, String)> = state
        .pending
        .iter()
        .map(|m| (m.id, m.hlc.to_string()))
        .collect();
    assert_eq!(
        again,
        [(2, made[2].hlc.to_string()), (3, made[3].hlc.to_string())],
        "3 and 4 again, numbered on from the server's 1"
    );
    assert_eq!(state.cursor, None);
    assert_eq!(store.record_count().await.unwrap(), 0);
    assert_eq!(state.outbox.next_id, 4);
    let restored = state.restored.clone().unwrap();
    assert_eq!((restored.resent, restored.pending), (1, 1));
    assert_eq!(
        state.rejected.len(),
        1,
        "the refusal the user has not read stays"
    );

    // The renumbered 2 is refused too: both refusals are kept, and each is dismissed alone.
    let new_two = RejectedChange {
        mutation: state.pending[0].clone(),
        reason: refusal,
    };
    store
        .settle_push(std::slice::from_ref(&new_two), 2)
        .await
        .unwrap();
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    assert_eq!(state.rejected.len(), 2);
    store.dismiss_rejected(&new_two).await.unwrap();
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    assert_eq!(state.rejected.len(), 1);
    assert_eq!(state.rejected[0].mutation, made[1]);
    assert_eq!(state.outbox.processed, 2);
    store.dismiss_restored().await.unwrap();
    assert_eq!(
        store.sync_state(|| unreachable!()).await.unwrap().restored,
        None
    );
    // The next change continues the sequence.
    let next = store
        .record_mutation(rename(&id(1), "之后"), 7_000)
        .await
        .unwrap();
    assert_eq!(next.id, 4);
    store.close();
}

#[wasm_bindgen_test]
async fn what_is_saved_for_a_cold_start_is_given_back_only_while_nothing_it_shows_was_written() {
    use yingxiao_core::sync::written::Saved;
    let user = fresh("saved").await;
    let store = Store::open(&user).await.unwrap();
    store.sync_state(|| id(910)).await.unwrap();
    let (_, wrote) = store
        .record_mutations(vec![create(&id(1), "一号")], 1_000)
        .await
        .unwrap();
    assert_eq!(wrote, vec![(Collection::Customer, 1)]);
    let (rows, number) = store.view_numbered(Collection::Customer).await.unwrap();
    assert_eq!((rows.len(), number), (1, 1));

    // Saved with the numbers the list was made from, and given back after closing and reopening.
    let first_rows = |number: u64| Saved {
        made_from: vec![(Collection::Customer, number), (Collection::User, 0)],
        value: vec!["一号".to_owned()],
    };
    assert!(store.save("list", &first_rows(1)).await.unwrap());
    store.close();
    let store = Store::open(&user).await.unwrap();
    let saved: Option<Vec<String>> = store.saved("list").await.unwrap();
    assert_eq!(saved, Some(vec!["一号".to_owned()]));

    // A pull page of another collection leaves it; one of customers takes it away.
    let page = |records: Vec<Record>, cursor: &str| PullResponse {
        rewound: false,
        reset: false,
        records,
        deleted: vec![],
        removed: vec![],
        cursor: cursor.into(),
        has_more: true,
        last_mutation_id: 0,
        rejections: vec![],
    };
    let stamp = "000000900000000-00000-0b9c6a52-0000-4000-8000-000000000999";
    let mut product = server_record(&id(5), "产品", 3, stamp);
    product.collection = Collection::Product;
    let wrote = store
        .apply_page(&settle_page(&[], page(vec![product], "1.3.0")), 1_000)
        .await
        .unwrap();
    assert_eq!(wrote, vec![(Collection::Product, 1)]);
    let saved: Option<Vec<String>> = store.saved("list").await.unwrap();
    assert!(saved.is_some(), "products are not what the list shows");
    let wrote = store
        .apply_page(
            &settle_page(
                &[],
                page(vec![server_record(&id(2), "二号", 4, stamp)], "1.4.0"),
            ),
            1_000,
        )
        .await
        .unwrap();
    assert_eq!(wrote, vec![(Collection::Customer, 2)]);
    let saved: Option<Vec<String>> = store.saved("list").await.unwrap();
    assert_eq!(saved, None, "a customer arrived after the rows were saved");

    // Rows made before that write are refused; rows made from what the device holds now are kept.
    assert!(!store.save("list", &first_rows(1)).await.unwrap());
    assert_eq!(store.saved::<Vec<String>>("list").await.unwrap(), None);
    assert!(store.save("list", &first_rows(2)).await.unwrap());
    assert!(store.saved::<Vec<String>>("list").await.unwrap().is_some());

    // A refused push takes the change out of what the list shows: a write of customers too.
    let state = store.sync_state(|| unreachable!()).await.unwrap();
    let refused = RejectedChange {
        mutation: state.pending[0].clone(),
        reason: Rejection::new(RejectCode::NotFound, "no customers record"),
    };
    let wrote = store
        .settle_push(std::slice::from_ref(&refused), 1)
        .await
        .unwrap();
    assert_eq!(wrote, vec![(Collection::Customer, 3)]);
    assert_eq!(store.saved::<Vec<String>>("list").await.unwrap(), None);
    store.close();
}
