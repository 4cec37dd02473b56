//! The 100,000 deals both funnel benchmarks measure: `core/benches/funnel.rs` natively and
//! `tests/funnel_bench.rs` in Chromium (which includes this file), so their figures compare.

use yingxiao_core::funnel::{Deal, LostReason, Stage, StageEntry, DAY_MS};
use yingxiao_core::time::DateTime;

pub const DEALS: usize = 100_000;
pub const OWNERS: usize = 400;
pub const UNITS: usize = 60;
/// 2026-12-01 00:00 UTC.
pub const NOW: i64 = 20_788 * DAY_MS;

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
pub fn generate() -> Vec<Deal> {
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
            let close_day = at / DAY_MS + rng.range(-10, 90);
            let close = DateTime::from_timestamp_millis(close_day * DAY_MS)
                .expect("a day near 2026")
                .date_naive();
            let lost = path.last() == Some(&Stage::Lost);
            Deal {
                id: record_id(&mut rng),
                owner_id: owners[owner].clone(),
                unit_id: units[owner % UNITS].clone(),
                customer_id: record_id(&mut rng),
                amount: rng.range(1_000, 5_000_000) * 100,
                history,
                expected_close: rng.percent(90).then_some(close),
                lost_reason: lost.then(|| LostReason::ALL[rng.below(7) as usize]),
                product_ids: Vec::new(),
            }
        })
        .collect()
}
