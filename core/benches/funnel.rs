//! Funnel analytics over 100,000 generated deals, natively: each measure and the whole report over a
//! `DealTable` (laid out once, as the funnel page keeps it), beside a plain pass over the same deals and
//! the one-frame goal (16 ms). A figure, not a test.
//!
//! `cargo bench -p yingxiao-core --bench funnel`; the bench profile inherits the release profile, which
//! is tuned for the web bundle (opt-level "z"), so the figures are close to what wasm gets.

use std::hint::black_box;
use std::time::Instant;

use yingxiao_core::funnel::*;
use yingxiao_core::time::civil_from_days;

const DEALS: usize = 100_000;
const OWNERS: usize = 400;
const UNITS: usize = 60;
const RUNS: usize = 11;
const GOAL_MS: f64 = 16.0;
/// 2026-12-01 00:00 UTC.
const NOW: i64 = 20_788 * DAY_MS;

/// SplitMix64: deterministic and good enough to spread generated deals.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as u64) as i64
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

fn record_id(rng: &mut Rng) -> String {
    let n = rng.next();
    format!(
        "0193b3c4-{:04x}-7{:03x}-8{:03x}-{:012x}",
        n & 0xffff,
        (n >> 16) & 0xfff,
        (n >> 28) & 0xfff,
        n >> 16
    )
}

/// Deals shaped like the demo seed: ~25% won, ~20% lost, the rest open, spread over 18 months.
fn generate() -> Vec<Deal> {
    let mut rng = Rng(0x5eed_f0e1);
    let owners: Vec<String> = (0..OWNERS).map(|_| record_id(&mut rng)).collect();
    let units: Vec<String> = (0..UNITS).map(|_| record_id(&mut rng)).collect();
    let dwell_days = [(2, 21), (4, 28), (5, 35), (2, 21)];
    (0..DEALS)
        .map(|_| {
            let owner = rng.below(OWNERS as u64) as usize;
            let outcome = rng.below(100);
            let mut path: Vec<Stage> = Vec::with_capacity(6);
            if outcome < 25 {
                path.extend(Stage::OPEN);
                if rng.percent(20) {
                    path.remove(1);
                }
                path.push(Stage::Won);
            } else {
                let reached = rng.below(4) as usize;
                path.extend(&Stage::OPEN[..=reached]);
                if outcome < 45 {
                    path.push(Stage::Lost);
                }
            }
            let gaps: Vec<i64> = path
                .windows(2)
                .map(|pair| {
                    let (low, high) = dwell_days[pair[0].open_index().unwrap_or(0)];
                    rng.range(low, high) * DAY_MS + rng.range(0, DAY_MS - 1)
                })
                .collect();
            let total: i64 = gaps.iter().sum();
            let since_last = if outcome < 45 || rng.percent(25) {
                rng.range(1, 540) * DAY_MS
            } else {
                rng.range(1, 45) * DAY_MS
            };
            let mut at = NOW - since_last - total;
            let history: Vec<StageEntry> = path
                .iter()
                .enumerate()
                .map(|(i, &stage)| {
                    if i > 0 {
                        at += gaps[i - 1];
                    }
                    StageEntry {
                        stage,
                        entered_at: at,
                    }
                })
                .collect();
            let (year, month, day) = civil_from_days(at / DAY_MS + rng.range(-10, 90));
            let lost = path.last() == Some(&Stage::Lost);
            Deal {
                id: record_id(&mut rng),
                owner_id: owners[owner].clone(),
                unit_id: units[owner % UNITS].clone(),
                customer_id: record_id(&mut rng),
                amount: rng.range(1_000, 5_000_000) * 100,
                history,
                expected_close: rng.percent(90).then_some((year as i32, month, day)),
                lost_reason: lost.then(|| LostReason::ALL[rng.below(7) as usize]),
                product_ids: Vec::new(),
            }
        })
        .collect()
}

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
