//! The promotion calendar's layout, as plain functions over date spans: which lane each promotion
//! takes so that none overlaps another in its lane (the fewest lanes possible), how many promotions
//! fall on each day of a range, and how many of them a view with a few lanes leaves out ("+N more").
//! The calendar pages draw from these; nothing here knows the browser.

use std::{cmp::Reverse, collections::BinaryHeap};

use chrono::NaiveDate;

/// A promotion on the calendar: its first and last day, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span<'a> {
    pub id: &'a str,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Span<'_> {
    /// Whether the span is on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }
}

/// The lane of each span (by position in `spans`), numbered from 0, so that no two spans in a lane
/// share a day and as few lanes are used as the busiest day needs (interval partitioning).
///
/// Spans are placed in a fixed order (first day, then the longer first, then id), each in the
/// lowest lane free on its first day. The order does not depend on where `spans` lists them, and a
/// span's lane depends only on the spans placed before it: moving one promotion leaves every span
/// that starts before both its old and its new first day where it was.
pub fn lanes(spans: &[Span]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| (spans[i].first, Reverse(spans[i].last), spans[i].id));
    let mut lane_of = vec![0; spans.len()];
    // Lanes in use, by the day they become free again; lanes freed, lowest first.
    let mut busy: BinaryHeap<Reverse<(NaiveDate, u32)>> = BinaryHeap::new();
    let mut free: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
    let mut opened = 0;
    for i in order {
        let span = spans[i];
        while let Some(&Reverse((last, lane))) = busy.peek() {
            if last >= span.first {
                break;
            }
            busy.pop();
            free.push(Reverse(lane));
        }
        let lane = match free.pop() {
            Some(Reverse(lane)) => lane,
            None => {
                opened += 1;
                opened - 1
            }
        };
        lane_of[i] = lane;
        busy.push(Reverse((span.last.max(span.first), lane)));
    }
    lane_of
}

/// How many spans fall on each day from `from` to `to` (both included), one count per day.
pub fn day_counts(spans: &[Span], from: NaiveDate, to: NaiveDate) -> Vec<u32> {
    let days = (to - from).num_days() + 1;
    if days <= 0 {
        return Vec::new();
    }
    let days = days as usize;
    // Differences: +1 on a span's first day in range, -1 after its last.
    let mut delta = vec![0_i64; days + 1];
    for span in spans {
        if span.last < from || span.first > to || span.last < span.first {
            continue;
        }
        let start = (span.first.max(from) - from).num_days() as usize;
        let end = (span.last.min(to) - from).num_days() as usize;
        delta[start] += 1;
        delta[end + 1] -= 1;
    }
    let mut running = 0;
    delta[..days]
        .iter()
        .map(|d| {
            running += d;
            running as u32
        })
        .collect()
}

/// For a view that draws only `shown` lanes, how many spans each day from `from` to `to` leaves out
/// (the "+N more" of a month cell); `lanes` as [`lanes`] gives them.
pub fn hidden_per_day(
    spans: &[Span],
    lanes: &[u32],
    shown: u32,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<u32> {
    let hidden: Vec<Span> = spans
        .iter()
        .zip(lanes)
        .filter(|(_, &lane)| lane >= shown)
        .map(|(span, _)| *span)
        .collect();
    day_counts(&hidden, from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn span(id: &str, first: u32, last: u32) -> Span<'_> {
        Span {
            id,
            first: day(first),
            last: day(last),
        }
    }

    /// The most spans on any one day.
    fn busiest(spans: &[Span]) -> u32 {
        day_counts(spans, day(1), day(31))
            .into_iter()
            .max()
            .unwrap_or(0)
    }

    fn check_no_overlap(spans: &[Span], lanes: &[u32]) {
        for (i, a) in spans.iter().enumerate() {
            for (j, b) in spans.iter().enumerate().skip(i + 1) {
                let overlap = a.first <= b.last && b.first <= a.last;
                assert!(
                    !(overlap && lanes[i] == lanes[j]),
                    "{} and {} share lane {}",
                    a.id,
                    b.id,
                    lanes[i]
                );
            }
        }
    }

    #[test]
    fn lanes_never_overlap_and_are_as_few_as_the_busiest_day() {
        let spans = [
            span("a", 1, 7),
            span("b", 3, 4),
            span("c", 5, 10),
            span("d", 8, 8),
            span("e", 2, 3),
            span("f", 9, 12),
            span("g", 11, 11),
        ];
        let lanes = lanes(&spans);
        check_no_overlap(&spans, &lanes);
        let used = lanes.iter().max().map_or(0, |l| l + 1);
        assert_eq!(used, busiest(&spans));
        assert_eq!(used, 3);
    }

    #[test]
    fn lanes_are_optimal_on_many_generated_calendars() {
        // A small deterministic generator, so the case is the same every run.
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..200 {
            let count = 1 + next(40) as usize;
            let ids: Vec<String> = (0..count).map(|i| format!("p{i}")).collect();
            let spans: Vec<Span> = ids
                .iter()
                .map(|id| {
                    let first = 1 + next(28) as u32;
                    let last = (first + next(6) as u32).min(31);
                    span(id, first, last)
                })
                .collect();
            let lanes = lanes(&spans);
            check_no_overlap(&spans, &lanes);
            assert_eq!(lanes.iter().max().map_or(0, |l| l + 1), busiest(&spans));
        }
    }

    #[test]
    fn lanes_do_not_depend_on_the_input_order_and_moving_one_keeps_the_earlier_ones() {
        let spans = [
            span("a", 1, 3),
            span("b", 2, 6),
            span("c", 4, 5),
            span("d", 7, 9),
        ];
        let forward = lanes(&spans);
        let mut reversed = spans;
        reversed.reverse();
        let mut backward = lanes(&reversed);
        backward.reverse();
        assert_eq!(forward, backward);

        // "d" moves from the 7th to the 5th: a, b and c start before both and keep their lanes.
        let moved = [
            span("a", 1, 3),
            span("b", 2, 6),
            span("c", 4, 5),
            span("d", 5, 7),
        ];
        let after = lanes(&moved);
        assert_eq!(&after[..3], &forward[..3]);
        check_no_overlap(&moved, &after);
    }

    #[test]
    fn day_counts_clip_to_the_range() {
        let spans = [span("a", 1, 5), span("b", 4, 9), span("c", 20, 31)];
        assert_eq!(day_counts(&spans, day(3), day(6)), vec![1, 2, 2, 1]);
        assert_eq!(day_counts(&spans, day(10), day(12)), vec![0, 0, 0]);
        assert_eq!(day_counts(&spans, day(6), day(3)), Vec::<u32>::new());
    }

    #[test]
    fn a_month_cell_with_two_lanes_says_how_many_more() {
        let spans = [
            span("a", 1, 2),
            span("b", 1, 1),
            span("c", 1, 3),
            span("d", 2, 2),
        ];
        let lanes = lanes(&spans);
        // The 1st has a, b, c; the 2nd has a, c, d; the 3rd only c.
        assert_eq!(
            hidden_per_day(&spans, &lanes, 2, day(1), day(3)),
            vec![1, 1, 0]
        );
        assert_eq!(
            hidden_per_day(&spans, &lanes, 3, day(1), day(3)),
            vec![0, 0, 0]
        );
    }
}
