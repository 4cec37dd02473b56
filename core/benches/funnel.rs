//! Funnel analytics over 100,000 generated deals, natively: each measure and the whole report over a
//! `DealTable` (laid out once, as the funnel page keeps it), beside a plain pass over the same deals and
//! the one-frame goal (16 ms). A figure, not a test.
//!
//! `cargo bench -p yingxiao-core --bench funnel`; the bench profile inherits the release profile, which
//! is tuned for the web bundle (opt-level "z"), so the figures are close to what wasm gets.

use std::hint::black_box;
use std::time::Instant;

use yingxiao_core::funnel::*;

#[path = "support/synthetic_deals.rs"]
mod synthetic_deals;
use synthetic_deals::{generate, DEALS, NOW, OWNERS, UNITS};

const RUNS: usize = 11;
const GOAL_MS: f64 = 16.0;

/// The median of `RUNS` timed runs, in milliseconds.
fn time<T>(mut f: impl FnMut() -> T) -> f64 {
    let mut runs: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[RUNS / 2]
}

fn line(name: &str, ms: f64) {
    println!("{name:<58} {ms:>8.3} ms");
}

fn main() {
    let deals = generate();
    let deals = deals.as_slice();
    let query = FunnelQuery {
        period: Period::new(NOW - 91 * DAY_MS, NOW),
        now_ms: NOW,
        settings: FunnelSettings::default(),
    };
    let q = &query;
    let all = |_: &Deal| true;
    println!(
        "funnel analytics over {DEALS} deals ({OWNERS} owners, {UNITS} units), median of {RUNS} runs"
    );
    line(
        "reference: one pass summing the amounts",
        time(|| deals.iter().map(|d| d.amount).sum::<i64>()),
    );
    line(
        "reference: one pass summing amounts and history times",
        time(|| {
            deals
                .iter()
                .map(|d| d.amount + d.history.iter().map(|e| e.entered_at).sum::<i64>())
                .sum::<i64>()
        }),
    );
    // Built once when the deals change; every figure after a filter change reads its columns.
    line(
        "lay the deals out in columns (once per change; with the copy)",
        time(|| DealTable::new(deals.to_vec())),
    );
    let table = DealTable::new(deals.to_vec());
    let t = &table;
    line(
        "snapshot (count and amount per stage)",
        time(|| t.snapshot(all, q)),
    );
    line("win rate and lost reasons", time(|| t.win_loss(all, q)));
    line(
        "conversion (step and from the first stage)",
        time(|| t.conversion(all, q)),
    );
    line("dwell (median and p90 per stage)", time(|| t.dwell(all, q)));
    line(
        "sales cycle (median and p90)",
        time(|| t.sales_cycle(all, q)),
    );
    line(
        "stalled deals (with the p90 it needs)",
        time(|| t.stalled(all, q)),
    );
    line("weighted forecast by month", time(|| t.forecast(all, q)));
    line("every figure, whole selection", time(|| t.figures(all, q)));
    line("every figure per owner", time(|| t.by_owner(all, q)));
    line("every figure per unit", time(|| t.by_unit(all, q)));
    let report_ms = time(|| t.report(all, q));
    line(
        "whole report (figures, previous period, owners, units)",
        report_ms,
    );
    let one_owner = deals[0].owner_id.as_str();
    line(
        "whole report, one owner selected by closure",
        time(|| t.report(|d: &Deal| d.owner_id == one_owner, q)),
    );
    line(
        "whole report from the plain slice (laid out in the call)",
        time(|| report(deals, all, q)),
    );
    line("goal: one frame", GOAL_MS);
    let report = table.report(all, q);
    assert_eq!(report, yingxiao_core::funnel::report(deals, all, q));
    println!(
        "check: pipeline {} deals, won {}, lost {}, stalled {}, weighted forecast ¥{}",
        report.current.snapshot.pipeline().count,
        report.current.snapshot.won.count,
        report.current.snapshot.lost.count,
        report.current.stalled.len(),
        report.current.forecast.weighted / 100
    );
    println!(
        "{}",
        if report_ms < GOAL_MS {
            "whole report within one frame"
        } else {
            "whole report OVER one frame"
        }
    );
}
