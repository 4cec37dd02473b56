//! Targets figures in headless Chromium (issue 14, "Figures"): the same work as the native bench
//! (`core/benches/targets.rs`) compiled to wasm — a 10,000-person organisation's year target
//! decomposed to every unit, person and month (120,000 cells), and after one new order attainment
//! recomputed for every row — beside the goals (100 ms and one frame, 16 ms), and the page's own
//! indexing of the actuals from 120,000 order records, which it redoes whole when an order changes.
//! Not part of `cargo test` (`test = false` in Cargo.toml); `scripts/bench-targets.sh` runs it.
//! Prints figures, asserts nothing about time.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use serde_json::json;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use yingxiao::data::{
    records::Shared,
    targets::{index_actuals, put_changed},
};
use yingxiao_core::{
    sync::apply::StoredRecord,
    targets::{
        actuals::Metric,
        sheet::{standing, Sheet},
        split::decompose_tree,
    },
    time::NaiveDate,
};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/clock.rs"]
mod clock;
use clock::clock;

#[path = "../core/benches/support/synthetic_org.rs"]
mod synthetic_org;
use synthetic_org::{last_year, new_order, org, sold, target_records, weights, TOTAL, YEAR};

const RUNS: usize = 11;

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn record(fields: serde_json::Value) -> StoredRecord {
    StoredRecord {
        fields: fields.as_object().cloned().unwrap_or_default(),
        ..StoredRecord::default()
    }
}

#[wasm_bindgen_test]
fn targets_figures() {
    let now = clock();
    let org = org();
    let started = now();
    let actuals = last_year(&org);
    let index_ms = now() - started;
    let (weights, seasonality) = weights(&org, &actuals);
    let weight = |node: usize| weights[node];
    let mut shares = None;
    let decompose = median(
        (0..RUNS)
            .map(|_| {
                let start = now();
                let out = decompose_tree(&org.children, 0, TOTAL, weight, Some(&seasonality))
                    .expect("a tree decomposes");
                let ms = now() - start;
                shares = Some(std::hint::black_box(out));
                ms
            })
            .collect(),
    );
    let shares = shares.unwrap_or_default();
    let cells = shares.iter().flatten().count() * 12;

    let records = target_records(&org, &shares);
    let refs: Vec<(String, &serde_json::Map<String, serde_json::Value>)> =
        records.iter().map(|(id, f)| (id.clone(), f)).collect();
    let started = now();
    let sheet = Sheet::build(&org.units, &org.people, &refs, Metric::SalesAmount, YEAR);
    let build_ms = now() - started;

    let today = NaiveDate::from_ymd_opt(YEAR, 8, 7).expect("a day");
    let mut actuals = actuals;
    let recompute = median(
        (0..RUNS)
            .map(|run| {
                let order = new_order(&org, run);
                let start = now();
                actuals.add(&order, &org.tree, |_| None, 1);
                let all: Vec<_> = (0..sheet.rows.len())
                    .map(|row| standing(&sheet, row, &actuals, Metric::SalesAmount, today))
                    .collect();
                std::hint::black_box(all);
                now() - start
            })
            .collect(),
    );

    // The page's index, from order records as the device holds them: one per rep and month.
    let units = Shared(Arc::new(
        org.units
            .iter()
            .map(|u| (u.id.clone(), record(json!({"parent_id": u.parent_id}))))
            .collect::<Vec<_>>(),
    ));
    let users = Shared(Arc::new(
        org.people
            .iter()
            .map(|p| (p.id.clone(), record(json!({"unit_id": p.unit_id}))))
            .collect::<Vec<_>>(),
    ));
    let mut orders = Vec::with_capacity(org.people.len() * 12);
    for (n, p) in org.people.iter().enumerate() {
        for m in 0..12 {
            orders.push((
                format!("{n:08}-{m:02}"),
                record(
                    json!({"owner_id": p.id, "unit_id": p.unit_id, "status": "delivered",
                    "ordered_on": format!("{}-{:02}-15", YEAR - 1, m + 1), "total": sold(n, m)}),
                ),
            ));
        }
    }
    let empty = || Shared(Arc::new(Vec::new()));
    let counted = [Shared(Arc::new(orders)), empty(), empty(), empty()];
    let page_index = median(
        (0..3)
            .map(|_| {
                let start = now();
                std::hint::black_box(index_actuals(&units, &users, &counted));
                now() - start
            })
            .collect(),
    );

    // What the page does after one new order: the order put into its ledger (the units and people
    // read for it), then every row's attainment.
    let mut ledger = index_actuals(&units, &users, &counted);
    let mut with_order = counted[0].0.as_ref().clone();
    let page_order = median(
        (0..RUNS)
            .map(|run| {
                let id = format!("new-{run:04}");
                let p = &org.people[run];
                with_order.push((
                    id.clone(),
                    record(
                        json!({"owner_id": p.id, "unit_id": p.unit_id, "status": "confirmed",
                        "ordered_on": format!("{YEAR}-08-01"), "total": 1_000_000}),
                    ),
                ));
                with_order.sort_by(|a, b| a.0.cmp(&b.0));
                let rows = Shared(Arc::new(with_order.clone()));
                let start = now();
                put_changed(
                    &mut ledger,
                    &units,
                    &users,
                    &[(yingxiao_core::domain::Collection::Order, &rows, vec![id])],
                );
                let all: Vec<_> = (0..sheet.rows.len())
                    .map(|row| standing(&sheet, row, ledger.actuals(), Metric::SalesAmount, today))
                    .collect();
                std::hint::black_box(all);
                now() - start
            })
            .collect(),
    );

    console_log!(
        "targets, wasm in Chromium ({} units and {} people; median of {RUNS})",
        org.units.len(),
        org.people.len()
    );
    console_log!(
        "{:<62} {index_ms:>9.3} ms",
        "index last year's 120,000 monthly actuals"
    );
    console_log!(
        "{:<62} {decompose:>9.3} ms   goal   100 ms",
        format!("decompose the year to every node and month ({cells} cells)")
    );
    console_log!(
        "{:<62} {build_ms:>9.3} ms",
        format!("build the sheet from {} targets", records.len())
    );
    console_log!(
        "{:<62} {recompute:>9.3} ms   goal    16 ms",
        format!("one new order: attainment of all {} rows", sheet.rows.len())
    );
    console_log!(
        "{:<62} {page_order:>9.3} ms   goal    16 ms",
        "the page after one new order: ledger, then all rows' attainment"
    );
    console_log!(
        "{:<62} {page_index:>9.3} ms",
        "the page indexing 120,000 order records whole (first load)"
    );
}
