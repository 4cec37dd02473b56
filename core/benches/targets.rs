//! Targets figures (issue 14), natively: a 10,000-person organisation's year target decomposed to
//! every unit and person and phased into months (120,000 cells), and, after one new order,
//! attainment recomputed for every row of the sheet — beside the goals (100 ms and one frame). The
//! Chromium run of the same work is `tests/targets_bench.rs`; `scripts/bench-targets.sh` runs both.
//! A figure, not a test.
//!
//! `cargo bench -p yingxiao-core --bench targets`.

use std::hint::black_box;
use std::time::Instant;

use yingxiao_core::{
    targets::{
        actuals::Metric,
        sheet::{standing, Sheet},
        split::decompose_tree,
    },
    time::NaiveDate,
};

#[path = "support/synthetic_org.rs"]
mod synthetic_org;
use synthetic_org::{last_year, new_order, org, target_records, weights, TOTAL, YEAR};

const RUNS: usize = 11;

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn main() {
    let org = org();
    let started = Instant::now();
    let actuals = last_year(&org);
    let index_ms = started.elapsed().as_secs_f64() * 1000.0;
    let nodes = org.children.len();
    let (weights, seasonality) = weights(&org, &actuals);
    let weight = |node: usize| weights[node];
    let mut shares = None;
    let decompose = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let out = decompose_tree(&org.children, 0, TOTAL, weight, Some(&seasonality))
                    .expect("a tree decomposes");
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                shares = Some(black_box(out));
                ms
            })
            .collect(),
    );
    let shares = shares.unwrap_or_default();
    let cells = shares.iter().flatten().count() * 12;

    let records = target_records(&org, &shares);
    let refs: Vec<(String, &serde_json::Map<String, serde_json::Value>)> =
        records.iter().map(|(id, f)| (id.clone(), f)).collect();
    let started = Instant::now();
    let sheet = Sheet::build(&org.units, &org.people, &refs, Metric::SalesAmount, YEAR);
    let build_ms = started.elapsed().as_secs_f64() * 1000.0;

    let today = NaiveDate::from_ymd_opt(YEAR, 8, 7).expect("a day");
    let mut actuals = actuals;
    let recompute = median(
        (0..RUNS)
            .map(|run| {
                let order = new_order(&org, run);
                let start = Instant::now();
                actuals.add(&order, &org.tree, |_| None, 1);
                let all: Vec<_> = (0..sheet.rows.len())
                    .map(|row| standing(&sheet, row, &actuals, Metric::SalesAmount, today))
                    .collect();
                black_box(all);
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );

    println!(
        "targets, native ({} units and {} people; median of {RUNS})",
        org.units.len(),
        org.people.len()
    );
    println!(
        "{:<62} {index_ms:>9.3} ms",
        "index last year's 120,000 monthly actuals"
    );
    println!(
        "{:<62} {decompose:>9.3} ms   goal   100 ms",
        format!("decompose the year to every node and month ({cells} cells, {nodes} nodes)")
    );
    println!(
        "{:<62} {build_ms:>9.3} ms",
        format!("build the sheet from {} targets", records.len())
    );
    println!(
        "{:<62} {recompute:>9.3} ms   goal    16 ms",
        format!("one new order: attainment of all {} rows", sheet.rows.len())
    );
}
