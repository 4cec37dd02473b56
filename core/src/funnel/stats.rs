//! Percentiles by selection rather than sorting, and the small keyed buckets the figures group by.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The `p`-th percentile (0–100) the way Excel's `PERCENTILE.INC` (and `MEDIAN` at 50) computes it:
/// linear interpolation between the closest ranks. Reorders `samples`; `None` when empty.
pub fn percentile_inc(samples: &mut [i64], p: u32) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let (k, frac) = position(samples.len(), p);
    let (low, next) = kth_and_next(samples, k, frac > 0);
    Some(interpolate(low, next, frac))
}

/// Where the percentile falls in the sorted samples: index `k` plus `frac`/100 of the way to the next,
/// kept as integers so that integer samples give exact answers.
fn position(n: usize, p: u32) -> (usize, u64) {
    let scaled = (n as u64 - 1) * u64::from(p.min(100));
    ((scaled / 100) as usize, scaled % 100)
}

fn interpolate(low: i64, next: Option<i64>, frac: u64) -> f64 {
    match next {
        Some(high) if frac > 0 => low as f64 + (high - low) as f64 * frac as f64 / 100.0,
        _ => low as f64,
    }
}

/// The k-th smallest sample and, when asked, the (k+1)-th; afterwards everything before `k` is no
/// larger and everything after it no smaller.
fn kth_and_next(samples: &mut [i64], k: usize, want_next: bool) -> (i64, Option<i64>) {
    let (_, low, rest) = samples.select_nth_unstable(k);
    let next = if want_next {
        rest.iter().copied().min()
    } else {
        None
    };
    (*low, next)
}

/// The median and the 90th percentile of the same samples, selecting the larger rank first so the
/// median's selection only reorders the part below it.
pub(crate) fn median_and_p90(samples: &mut [i64]) -> (Option<f64>, Option<f64>) {
    let n = samples.len();
    if n == 0 {
        return (None, None);
    }
    let (k90, frac90) = position(n, 90);
    let (k50, frac50) = position(n, 50);
    // The median may need the rank just above the 90th percentile's when both fall on the same one.
    let (low90, next90) = kth_and_next(samples, k90, frac90 > 0 || k50 == k90);
    let (low50, next50) = if k50 == k90 {
        (low90, next90)
    } else {
        kth_and_next(&mut samples[..=k90], k50, frac50 > 0)
    };
    (
        Some(interpolate(low50, next50, frac50)),
        Some(interpolate(low90, next90, frac90)),
    )
}

/// FxHash (rustc's hasher): fast for short keys such as record ids, which come from our own data.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_inc(samples: &[i64], p: u32) -> Option<f64> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let (k, frac) = position(sorted.len().max(1), p);
        let low = *sorted.get(k)?;
        let next = sorted.get(k + 1).copied();
        Some(interpolate(low, next, frac))
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(percentile_inc(&mut [4, 2], 50), Some(3.0));
        assert_eq!(percentile_inc(&mut [7, 1, 3, 5], 50), Some(4.0));
    }

    #[test]
    fn ninetieth_percentile_interpolates_like_excel() {
        // PERCENTILE.INC({1..10}, 0.9) = 9.1
        let mut samples: Vec<i64> = (1..=10).rev().collect();
        assert!((percentile_inc(&mut samples, 90).unwrap() - 9.1).abs() < 1e-9);
        assert_eq!(percentile_inc(&mut [5], 90), Some(5.0));
        assert_eq!(percentile_inc(&mut [], 50), None);
    }

    #[test]
    fn median_and_p90_together_agree_with_a_full_sort() {
        let mut seed = 7u64;
        for n in 1..60 {
            let samples: Vec<i64> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (seed >> 40) as i64 % 50
                })
                .collect();
            let (median, p90) = median_and_p90(&mut samples.clone());
            assert_eq!(median, sorted_inc(&samples, 50), "{samples:?}");
            assert_eq!(p90, sorted_inc(&samples, 90), "{samples:?}");
        }
    }
}
