//! Following a target (目标达成): how much of it is attained, how much of its period has passed, the
//! traffic light that compares the two, the run-rate forecast, and scores and ranks over several
//! metrics (销售考核).

use crate::time::{Datelike, NaiveDate};

/// Attained at least the share of the period gone: on pace.
const GREEN_PACE: f64 = 1.0;
/// Attained at least this much of the pace: behind, but within reach.
const AMBER_PACE: f64 = 0.85;

/// A target's standing against the time gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Light {
    /// On pace or ahead.
    Green,
    /// Behind by up to 15% of the pace.
    Amber,
    /// Further behind.
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Amber => "amber",
            Light::Red => "red",
        }
    }
}

/// Attained share of a target (0.45 for 45%); `None` for a target of zero.
pub fn attained(actual: i64, target: i64) -> Option<f64> {
    (target > 0).then(|| actual as f64 / target as f64)
}

/// The light for `attained` of the target with `elapsed` of the period gone (both shares, 0..=1 for
/// the time). Before the period starts everything is green; a target met is green whatever the date.
/// For example 60% of the year gone and 45% attained is red (45/60 = 75% of the pace).
pub fn light(attained: f64, elapsed: f64) -> Light {
    if elapsed <= 0.0 || attained >= 1.0 {
        return Light::Green;
    }
    let pace = attained / elapsed.min(1.0);
    if pace >= GREEN_PACE {
        Light::Green
    } else if pace >= AMBER_PACE {
        Light::Amber
    } else {
        Light::Red
    }
}

/// The share of the period from `start` (inclusive) to `end` (exclusive) gone by the end of `today`:
/// 0 before it, 1 after it.
pub fn elapsed(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> f64 {
    let days = (end - start).num_days();
    if days <= 0 {
        return 1.0;
    }
    let gone = (today - start).num_days() + 1;
    (gone as f64 / days as f64).clamp(0.0, 1.0)
}

/// The end (exclusive) of the period `period` (`year`, `quarter`, `month`) starting at `start`.
pub fn period_end(period: &str, start: NaiveDate) -> Option<NaiveDate> {
    let months = match period {
        "year" => 12,
        "quarter" => 3,
        "month" => 1,
        _ => return None,
    };
    let index = start.year() * 12 + start.month0() as i32 + months;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
}

/// The period's actual at the pace so far, for the whole period: what it will come to if the rest
/// goes as the part gone did. `None` before the period starts.
pub fn forecast(actual: i64, elapsed: f64) -> Option<i64> {
    (elapsed > 0.0).then(|| (actual as f64 / elapsed.min(1.0)).round() as i64)
}

/// What is still to do: the target less the actual, never below zero.
pub fn gap(target: i64, actual: i64) -> i64 {
    (target - actual).max(0)
}

/// A weighted score over several metrics: each metric's attainment (1.0 = on target) times its weight
/// (percent; the weights of a role add up to 100), in points, so a person exactly on every target
/// scores 100. A metric without a target counts as zero.
pub fn weighted_score(parts: &[(u8, Option<f64>)]) -> f64 {
    parts
        .iter()
        .map(|&(weight, attained)| f64::from(weight) * attained.unwrap_or(0.0))
        .sum()
}

/// Ranks by score, highest first; equal scores share a rank and the next rank skips (1, 2, 2, 4).
/// Returns each item's rank in the order given.
pub fn ranks(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut ranks = vec![0; scores.len()];
    for (place, &i) in order.iter().enumerate() {
        ranks[i] = match place {
            0 => 1,
            _ if scores[order[place - 1]] == scores[i] => ranks[order[place - 1]],
            _ => place + 1,
        };
    }
    ranks
}
