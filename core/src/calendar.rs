//! The promotion calendar's model, as plain functions: which lane each promotion takes so that none
//! overlaps another in its lane (the fewest lanes possible), how many promotions fall on each day of
//! a range, how many of them a view with a few lanes leaves out ("+N more"), and which promotions
//! conflict (the same store at once with the same product or two price promotions; a unit's
//! promotions over its promotion budget), each with its reason in Chinese and English. The calendar
//! pages draw from these; nothing here knows the browser.

use std::{
    cmp::Reverse,
    collections::{BTreeMap, BinaryHeap},
};

use chrono::{Datelike, NaiveDate};

use crate::locale::Locale;

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

/// A promotion as the calendar's filter reads it.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub status: &'a str,
    pub unit_id: &'a str,
    pub stores: &'a [String],
    pub products: &'a [String],
    pub promoters: &'a [String],
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// What the calendar is narrowed to: every part that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Words of the name, in any case.
    pub search: String,
    pub kind: String,
    pub status: String,
    /// A region or area (or any unit): promotions in one of its stores, or of a unit within it.
    pub unit: String,
    pub store: String,
    pub product: String,
    pub promoter: String,
}

impl Filter {
    /// Whether it keeps everything.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether it narrows by place (a unit or a store), so a timeline shows only the stores in it.
    pub fn by_place(&self) -> bool {
        !self.unit.is_empty() || !self.store.is_empty()
    }

    /// Whether it keeps `promotion`, on whatever days; `places` answers the unit part.
    pub fn keeps(&self, promotion: &Facts, places: &Places) -> bool {
        let is = |wanted: &str, value: &str| wanted.is_empty() || wanted == value;
        let lists =
            |wanted: &str, list: &[String]| wanted.is_empty() || list.iter().any(|v| v == wanted);
        let search = self.search.trim().to_lowercase();
        is(&self.kind, promotion.kind)
            && is(&self.status, promotion.status)
            && (self.unit.is_empty()
                || places
                    .of(promotion.unit_id, promotion.stores)
                    .contains(&self.unit))
            && lists(&self.store, promotion.stores)
            && lists(&self.product, promotion.products)
            && lists(&self.promoter, promotion.promoters)
            && (search.is_empty() || promotion.name.to_lowercase().contains(&search))
    }

    /// Whether it keeps `promotion` and it runs on some day from `first` to `last`.
    pub fn keeps_within(
        &self,
        promotion: &Facts,
        places: &Places,
        first: NaiveDate,
        last: NaiveDate,
    ) -> bool {
        promotion.first <= last && promotion.last >= first && self.keeps(promotion, places)
    }
}

/// Where promotions run, for [`Filter::unit`]: the org tree and each store's unit.
#[derive(Clone, Debug, Default)]
pub struct Places {
    pub tree: crate::scope::OrgTree,
    /// Store (customer) id → the unit it belongs to.
    pub store_units: std::collections::HashMap<String, String>,
}

impl Places {
    /// The units a promotion of `unit_id` in `stores` runs in: its own unit and its stores' units,
    /// each with the units above it up to, not including, the top.
    pub fn of(&self, unit_id: &str, stores: &[String]) -> Vec<String> {
        let units = std::iter::once(unit_id).chain(
            stores
                .iter()
                .filter_map(|s| self.store_units.get(s).map(String::as_str)),
        );
        let mut out: Vec<String> = Vec::new();
        for unit in units {
            for place in self.tree.path_below_top(unit) {
                if !out.iter().any(|p| p == place) {
                    out.push(place.to_owned());
                }
            }
        }
        out
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

/// The Monday on or before `day`: weeks on the calendar run Monday to Sunday, as in China.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first day of a month grid showing `month` (any day in it): the Monday on or before the 1st.
/// Six weeks from it always cover the month.
pub fn month_grid_start(month: NaiveDate) -> NaiveDate {
    week_start(month.with_day(1).unwrap_or(month))
}

/// One promotion's bar in a week row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Its position in the spans laid out.
    pub index: usize,
    pub lane: u32,
    /// The first column it covers (0 = Monday) and how many columns.
    pub column: u32,
    pub columns: u32,
    /// It began before this week, or goes on after it (the bar's ends are drawn open).
    pub continued: bool,
    pub continues: bool,
}

/// A week of a month or week view: the bars in the lanes it draws, and per day how many
/// promotions it leaves out ("+N more"); nothing is made for a hidden promotion but its count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekRow {
    pub first: NaiveDate,
    pub bars: Vec<Bar>,
    pub hidden: [u32; 7],
    /// Lanes the week would need to draw everything.
    pub lanes: u32,
}

/// The `weeks` week rows from `first` (a Monday), each drawing at most `shown` lanes. Lanes are
/// packed per week over the days each span has in it, so a busy week does not push a quiet one's
/// bars down.
pub fn week_rows(spans: &[Span], first: NaiveDate, weeks: u32, shown: u32) -> Vec<WeekRow> {
    (0..weeks)
        .map(|w| {
            let from = first + chrono::Duration::days(i64::from(w) * 7);
            let to = from + chrono::Duration::days(6);
            let mut inside: Vec<usize> = Vec::new();
            let mut clipped: Vec<Span> = Vec::new();
            for (i, span) in spans.iter().enumerate() {
                if span.first <= to && span.last >= from && span.first <= span.last {
                    inside.push(i);
                    clipped.push(Span {
                        id: span.id,
                        first: span.first.max(from),
                        last: span.last.min(to),
                    });
                }
            }
            let lane_of = lanes(&clipped);
            let mut bars: Vec<Bar> = Vec::new();
            for (k, &i) in inside.iter().enumerate() {
                if lane_of[k] >= shown {
                    continue;
                }
                let c = &clipped[k];
                bars.push(Bar {
                    index: i,
                    lane: lane_of[k],
                    column: (c.first - from).num_days() as u32,
                    columns: (c.last - c.first).num_days() as u32 + 1,
                    continued: spans[i].first < from,
                    continues: spans[i].last > to,
                });
            }
            bars.sort_by_key(|b| (b.lane, b.column));
            let counts = hidden_per_day(&clipped, &lane_of, shown, from, to);
            let mut hidden = [0; 7];
            hidden.copy_from_slice(&counts[..7]);
            WeekRow {
                first: from,
                bars,
                hidden,
                lanes: lane_of.iter().max().map_or(0, |l| l + 1),
            }
        })
        .collect()
}

/// A span moved by `days` (a drag of the whole bar), or with its first or last day moved (a drag
/// of one edge), never shorter than one day.
pub fn moved(first: NaiveDate, last: NaiveDate, grip: Grip, days: i64) -> (NaiveDate, NaiveDate) {
    let by = chrono::Duration::days(days);
    match grip {
        Grip::Whole => (first + by, last + by),
        Grip::Start => ((first + by).min(last), last),
        Grip::End => (first, (last + by).max(first)),
    }
}

/// What part of a bar is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grip {
    Whole,
    Start,
    End,
}

/// A store's row on the timeline: its promotions (positions in the spans laid out) each in a lane,
/// and how many lanes the row needs (at least one, so an empty store still has a row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineRow {
    pub bars: Vec<(usize, u32)>,
    pub lanes: u32,
}

/// The timeline's rows: for each row, the spans (by position) that belong to it, packed in lanes.
/// A promotion in several stores is in each of their rows.
pub fn timeline_rows(spans: &[Span], rows: &[Vec<usize>]) -> Vec<TimelineRow> {
    rows.iter()
        .map(|members| {
            let own: Vec<Span> = members.iter().map(|&i| spans[i]).collect();
            let lane_of = lanes(&own);
            TimelineRow {
                bars: members
                    .iter()
                    .copied()
                    .zip(lane_of.iter().copied())
                    .collect(),
                lanes: lane_of.iter().max().map_or(1, |l| l + 1),
            }
        })
        .collect()
}

/// Where each row starts, top down, for rows `lanes` high of `lane_px` each plus `padding_px`; one
/// more entry gives the total height.
pub fn row_offsets(rows: &[TimelineRow], lane_px: f64, padding_px: f64) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(rows.len() + 1);
    let mut at = 0.0;
    offsets.push(at);
    for row in rows {
        at += f64::from(row.lanes) * lane_px + padding_px;
        offsets.push(at);
    }
    offsets
}

/// The rows a scrolled timeline draws (of rows starting at `offsets`, as [`row_offsets`] gives them):
/// those crossing the viewport, plus `overscan` on each side.
pub fn rows_in_view(
    offsets: &[f64],
    scroll_top: f64,
    viewport_height: f64,
    overscan: usize,
) -> std::ops::Range<usize> {
    let rows = offsets.len().saturating_sub(1);
    if rows == 0 {
        return 0..0;
    }
    let top = scroll_top.max(0.0);
    let bottom = top + viewport_height.max(0.0);
    // The first row whose end is below the top, the first row starting at or below the bottom.
    let first = offsets[1..].partition_point(|&end| end <= top);
    let last = offsets[..rows].partition_point(|&start| start < bottom);
    first.saturating_sub(overscan)..last.saturating_add(overscan).min(rows)
}

/// Kinds that change the shelf price: two of them in one store at once confuse the till and the
/// shopper, whatever the products.
pub const PRICE_KINDS: [&str; 3] = ["discount", "bundle", "coupon"];

/// A promotion as the conflict rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    /// Cancelled promotions conflict with nothing.
    pub cancelled: bool,
    pub unit_id: &'a str,
    pub stores: Vec<&'a str>,
    pub products: Vec<&'a str>,
    /// The promoters assigned to it: on every one of its days in all its stores, unless `shifts`
    /// name their days.
    pub promoters: Vec<&'a str>,
    /// Promoters' days in one store each (day, store, promoter): a promoter with shifts works only
    /// those days, in that store.
    pub shifts: Vec<(NaiveDate, &'a str, &'a str)>,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// 分.
    pub budget: Option<i64>,
}

/// A unit's promotion budget for a period (a budget line whose cost item is promotion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PromotionBudget<'a> {
    pub id: &'a str,
    pub unit_id: &'a str,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// 分.
    pub amount: i64,
}

/// Why two promotions, or a unit's promotions, cannot all go ahead as planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Both in `store` on overlapping days, with `product` in both.
    SameProduct {
        promotions: [String; 2],
        store: String,
        product: String,
    },
    /// Both in `store` on overlapping days, and both change the price.
    TwoPriceOffers {
        promotions: [String; 2],
        store: String,
    },
    /// `promoter` is assigned to both on `day` (their first day together), and they do not run in the
    /// same stores: one person cannot work two stores at once.
    PromoterDoubleBooked {
        promotions: [String; 2],
        promoter: String,
        day: NaiveDate,
    },
    /// The unit's promotions starting in the budget's period plan more than it holds (分).
    OverBudget {
        budget: String,
        unit: String,
        planned: i64,
        amount: i64,
    },
}

impl Conflict {
    /// The promotions it concerns (none for a budget: all of the unit's in the period).
    pub fn promotions(&self) -> &[String] {
        match self {
            Conflict::SameProduct { promotions, .. }
            | Conflict::TwoPriceOffers { promotions, .. }
            | Conflict::PromoterDoubleBooked { promotions, .. } => promotions,
            Conflict::OverBudget { .. } => &[],
        }
    }

    /// The reason in `locale`, with records named by `name` (an id to its title).
    pub fn message(&self, locale: Locale, name: impl Fn(&str) -> String) -> String {
        match (self, locale) {
            (Conflict::SameProduct { promotions: [a, b], store, product }, Locale::ZhCn) => format!(
                "「{}」与「{}」同期在{}促销同一产品「{}」",
                name(a),
                name(b),
                name(store),
                name(product)
            ),
            (Conflict::SameProduct { promotions: [a, b], store, product }, Locale::En) => format!(
                "“{}” and “{}” promote the same product “{}” at {} on the same days",
                name(a),
                name(b),
                name(product),
                name(store)
            ),
            (Conflict::TwoPriceOffers { promotions: [a, b], store }, Locale::ZhCn) => format!(
                "「{}」与「{}」同期在{}都改价（折扣、组合装或优惠券只能同时有一个）",
                name(a),
                name(b),
                name(store)
            ),
            (Conflict::TwoPriceOffers { promotions: [a, b], store }, Locale::En) => format!(
                "“{}” and “{}” both change the price at {} on the same days (one discount, bundle or coupon at a time)",
                name(a),
                name(b),
                name(store)
            ),
            (Conflict::PromoterDoubleBooked { promotions: [a, b], promoter, day }, Locale::ZhCn) => {
                format!(
                    "促销员{}在 {day} 同时排在「{}」和「{}」，两者不在同一门店",
                    name(promoter),
                    name(a),
                    name(b)
                )
            }
            (Conflict::PromoterDoubleBooked { promotions: [a, b], promoter, day }, Locale::En) => {
                format!(
                    "{} is booked for “{}” and “{}” on {day}, which are not in the same stores",
                    name(promoter),
                    name(a),
                    name(b)
                )
            }
            (Conflict::OverBudget { unit, planned, amount, .. }, Locale::ZhCn) => format!(
                "{}本期促销计划 {}，超出促销预算 {}",
                name(unit),
                yuan(*planned),
                yuan(*amount)
            ),
            (Conflict::OverBudget { unit, planned, amount, .. }, Locale::En) => format!(
                "{}'s promotions this period plan {}, over its promotion budget of {}",
                name(unit),
                yuan(*planned),
                yuan(*amount)
            ),
        }
    }
}

/// 分 as the calendar's texts write them: `¥11000.00`.
pub(crate) fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

/// Every conflict among `promotions` and against `budgets`, in a stable order: store conflicts by
/// store, then first day, then ids; promoters booked twice by promoter the same way; budget
/// conflicts after them by budget id.
pub fn conflicts(promotions: &[Planned], budgets: &[PromotionBudget]) -> Vec<Conflict> {
    let live: Vec<&Planned> = promotions
        .iter()
        .filter(|p| !p.cancelled && p.first <= p.last)
        .collect();
    // Per store, its promotions by first day: only neighbours in that order can overlap.
    let mut by_store: BTreeMap<&str, Vec<&Planned>> = BTreeMap::new();
    for p in &live {
        let mut stores = p.stores.clone();
        stores.sort_unstable();
        stores.dedup();
        for store in stores {
            by_store.entry(store).or_default().push(p);
        }
    }
    let mut found = Vec::new();
    for (store, mut list) in by_store {
        list.sort_by_key(|p| (p.first, p.id));
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                if b.first > a.last {
                    break;
                }
                let promotions = [a.id.to_owned(), b.id.to_owned()];
                let mut shared: Vec<&str> = a
                    .products
                    .iter()
                    .filter(|p| b.products.contains(p))
                    .copied()
                    .collect();
                shared.sort_unstable();
                if let Some(product) = shared.first() {
                    found.push(Conflict::SameProduct {
                        promotions,
                        store: store.to_owned(),
                        product: (*product).to_owned(),
                    });
                } else if PRICE_KINDS.contains(&a.kind) && PRICE_KINDS.contains(&b.kind) {
                    found.push(Conflict::TwoPriceOffers {
                        promotions,
                        store: store.to_owned(),
                    });
                }
            }
        }
    }
    // Per promoter, their promotions by first day: overlapping ones in other stores double-book them.
    let mut by_promoter: BTreeMap<&str, Vec<&Planned>> = BTreeMap::new();
    for p in &live {
        let mut promoters = p.promoters.clone();
        promoters.sort_unstable();
        promoters.dedup();
        for promoter in promoters {
            by_promoter.entry(promoter).or_default().push(p);
        }
    }
    fn stores_of<'a>(p: &Planned<'a>) -> Vec<&'a str> {
        let mut stores = p.stores.clone();
        stores.sort_unstable();
        stores.dedup();
        stores
    }
    // Where `p` books `promoter` on `day`: the shift's store, none on a day without a shift, or all
    // its stores when it gives the promoter no shifts.
    fn booked<'a>(p: &Planned<'a>, promoter: &str, day: NaiveDate) -> Option<Vec<&'a str>> {
        let mut shifts = p.shifts.iter().filter(|s| s.2 == promoter).peekable();
        if shifts.peek().is_none() {
            return Some(stores_of(p));
        }
        let mut stores: Vec<&str> = shifts.filter(|s| s.0 == day).map(|s| s.1).collect();
        stores.sort_unstable();
        stores.dedup();
        (!stores.is_empty()).then_some(stores)
    }
    for (promoter, mut list) in by_promoter {
        list.sort_by_key(|p| (p.first, p.id));
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                if b.first > a.last {
                    break;
                }
                let clash = b
                    .first
                    .iter_days()
                    .take_while(|d| *d <= a.last.min(b.last))
                    .find(
                        |&day| match (booked(a, promoter, day), booked(b, promoter, day)) {
                            (Some(x), Some(y)) => x != y,
                            _ => false,
                        },
                    );
                if let Some(day) = clash {
                    found.push(Conflict::PromoterDoubleBooked {
                        promotions: [a.id.to_owned(), b.id.to_owned()],
                        promoter: promoter.to_owned(),
                        day,
                    });
                }
            }
        }
    }
    let mut budgets: Vec<&PromotionBudget> = budgets.iter().collect();
    budgets.sort_by_key(|b| b.id);
    for budget in budgets {
        let planned: i64 = live
            .iter()
            .filter(|p| p.unit_id == budget.unit_id)
            .filter(|p| budget.first <= p.first && p.first <= budget.last)
            .filter_map(|p| p.budget)
            .sum();
        if planned > budget.amount {
            found.push(Conflict::OverBudget {
                budget: budget.id.to_owned(),
                unit: budget.unit_id.to_owned(),
                planned,
                amount: budget.amount,
            });
        }
    }
    found
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

    fn planned<'a>(
        id: &'a str,
        kind: &'a str,
        stores: &[&'a str],
        products: &[&'a str],
        first: u32,
        last: u32,
        budget: i64,
    ) -> Planned<'a> {
        Planned {
            id,
            kind,
            cancelled: false,
            unit_id: "east",
            stores: stores.to_vec(),
            products: products.to_vec(),
            promoters: Vec::new(),
            shifts: Vec::new(),
            first: day(first),
            last: day(last),
            budget: Some(budget),
        }
    }

    #[test]
    fn a_promoter_on_two_promotions_in_other_stores_at_once_is_double_booked() {
        let with = |mut p: Planned<'static>, promoters: &[&'static str]| {
            p.promoters = promoters.to_vec();
            p
        };
        let promotions = [
            with(
                planned("a", "tasting", &["s1"], &[], 1, 5, 0),
                &["wang", "li"],
            ),
            // Same promoter, another store, overlapping from the 4th.
            with(planned("b", "display", &["s2"], &[], 4, 8, 0), &["wang"]),
            // Same promoter, the same store as a: one place, no conflict.
            with(planned("c", "gift", &["s1"], &[], 2, 3, 0), &["li"]),
            // After b: free again.
            with(planned("d", "display", &["s3"], &[], 9, 9, 0), &["wang"]),
        ];
        let found = conflicts(&promotions, &[]);
        assert_eq!(
            found,
            vec![Conflict::PromoterDoubleBooked {
                promotions: ["a".into(), "b".into()],
                promoter: "wang".into(),
                day: day(4),
            }]
        );
        let name = |id: &str| match id {
            "wang" => "王芳".to_owned(),
            "a" => "试吃".to_owned(),
            "b" => "陈列".to_owned(),
            other => other.to_owned(),
        };
        assert_eq!(
            found[0].message(Locale::ZhCn, name),
            "促销员王芳在 2026-12-04 同时排在「试吃」和「陈列」，两者不在同一门店"
        );
        assert_eq!(
            found[0].message(Locale::En, name),
            "王芳 is booked for “试吃” and “陈列” on 2026-12-04, which are not in the same stores"
        );
        assert_eq!(found[0].promotions(), ["a".to_owned(), "b".to_owned()]);
    }

    #[test]
    fn the_filter_keeps_a_promotion_when_every_part_set_matches() {
        let tree = crate::scope::OrgTree::new([
            ("east".to_owned(), "hq".to_owned()),
            ("shanghai".to_owned(), "east".to_owned()),
            ("store-unit".to_owned(), "shanghai".to_owned()),
            ("west".to_owned(), "hq".to_owned()),
        ]);
        let known = Places {
            tree,
            store_units: [("s1".to_owned(), "store-unit".to_owned())].into(),
        };
        let in_places = known.of("east", &["s1".to_owned(), "unknown".to_owned()]);
        assert_eq!(in_places, ["east", "shanghai", "store-unit"]);
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (stores, products, promoters) = (owned(&["s1"]), owned(&["tea"]), owned(&["wang"]));
        let facts = Facts {
            name: "中秋 Tea 买赠",
            kind: "gift",
            status: "approved",
            unit_id: "east",
            stores: &stores,
            products: &products,
            promoters: &promoters,
            first: day(10),
            last: day(12),
        };
        let with = |change: fn(&mut Filter)| {
            let mut filter = Filter::default();
            change(&mut filter);
            filter.keeps(&facts, &known)
        };
        assert!(Filter::default().keeps(&facts, &known));
        assert!(with(|f| f.search = " tea ".into()));
        assert!(!with(|f| f.search = "咖啡".into()));
        assert!(with(|f| f.unit = "shanghai".into()));
        assert!(with(|f| f.unit = "east".into()));
        assert!(!with(|f| f.unit = "west".into()));
        assert!(with(|f| f.store = "s1".into()));
        assert!(!with(|f| f.store = "s2".into()));
        assert!(!with(|f| f.product = "juice".into()));
        assert!(with(|f| f.promoter = "wang".into()));
        assert!(!with(|f| {
            f.kind = "gift".into();
            f.status = "planned".into();
        }));
        let filter = Filter::default();
        assert!(filter.keeps_within(&facts, &known, day(12), day(20)));
        assert!(!filter.keeps_within(&facts, &known, day(13), day(20)));
        assert!(!filter.by_place() && filter.is_empty());
    }

    #[test]
    fn a_promoter_with_shifts_is_booked_only_on_those_days_in_that_store() {
        let with = |mut p: Planned<'static>, shifts: &[(u32, &'static str)]| {
            p.promoters = vec!["wang"];
            p.shifts = shifts.iter().map(|&(d, s)| (day(d), s, "wang")).collect();
            p
        };
        // a runs the 1st to the 10th in two stores; wang works s1 on the 2nd and s2 on the 6th.
        let a = with(
            planned("a", "tasting", &["s1", "s2"], &[], 1, 10, 0),
            &[(2, "s1"), (6, "s2")],
        );
        // b, in s3 from the 3rd to the 5th, books wang every day: no day in common with a's shifts.
        let b = with(planned("b", "display", &["s3"], &[], 3, 5, 0), &[]);
        assert_eq!(conflicts(&[a.clone(), b], &[]), vec![]);
        // c, in s3 on the 6th with a shift: the same day as a's shift in s2.
        let c = with(planned("c", "display", &["s3"], &[], 4, 8, 0), &[(6, "s3")]);
        // d, in s2 on the 6th: the same store as a's shift that day, one place with a, not with c.
        let d = with(planned("d", "gift", &["s2"], &[], 6, 6, 0), &[(6, "s2")]);
        let booked = |a: &str, b: &str| Conflict::PromoterDoubleBooked {
            promotions: [a.into(), b.into()],
            promoter: "wang".into(),
            day: day(6),
        };
        assert_eq!(
            conflicts(&[a, c, d], &[]),
            vec![booked("a", "c"), booked("c", "d")]
        );
    }

    #[test]
    fn same_store_same_days_same_product_conflicts() {
        let promotions = [
            planned("p1", "tasting", &["s1", "s2"], &["tea"], 1, 7, 0),
            planned("p2", "display", &["s2"], &["tea", "juice"], 7, 10, 0),
            // Same product, same days, another store: no conflict.
            planned("p3", "tasting", &["s3"], &["tea"], 1, 7, 0),
            // The same store after p2 ended.
            planned("p4", "gift", &["s2"], &["tea"], 11, 12, 0),
        ];
        assert_eq!(
            conflicts(&promotions, &[]),
            vec![Conflict::SameProduct {
                promotions: ["p1".into(), "p2".into()],
                store: "s2".into(),
                product: "tea".into(),
            }]
        );
    }

    #[test]
    fn two_price_offers_in_one_store_conflict_whatever_the_products() {
        let mut promotions = vec![
            planned("d", "discount", &["s1"], &["tea"], 3, 5, 0),
            planned("c", "coupon", &["s1"], &["juice"], 5, 6, 0),
            planned("t", "tasting", &["s1"], &["milk"], 1, 9, 0),
        ];
        assert_eq!(
            conflicts(&promotions, &[]),
            vec![Conflict::TwoPriceOffers {
                promotions: ["d".into(), "c".into()],
                store: "s1".into(),
            }]
        );
        // Cancelled promotions conflict with nothing.
        promotions[1].cancelled = true;
        assert!(conflicts(&promotions, &[]).is_empty());
    }

    #[test]
    fn a_units_promotions_over_its_budget_conflict() {
        let promotions = [
            planned("a", "tasting", &["s1"], &[], 2, 4, 600_000),
            planned("b", "display", &["s2"], &[], 20, 25, 500_000),
            // Starts after the budget's period: another period's money.
            planned("c", "display", &["s3"], &[], 31, 31, 900_000),
        ];
        let budget = PromotionBudget {
            id: "bud",
            unit_id: "east",
            first: day(1),
            last: day(30),
            amount: 1_000_000,
        };
        let found = conflicts(&promotions, &[budget]);
        assert_eq!(
            found,
            vec![Conflict::OverBudget {
                budget: "bud".into(),
                unit: "east".into(),
                planned: 1_100_000,
                amount: 1_000_000,
            }]
        );
        let name = |id: &str| match id {
            "east" => "华东大区".to_owned(),
            other => other.to_owned(),
        };
        assert_eq!(
            found[0].message(Locale::ZhCn, name),
            "华东大区本期促销计划 ¥11000.00，超出促销预算 ¥10000.00"
        );
        assert_eq!(
            found[0].message(Locale::En, name),
            "华东大区's promotions this period plan ¥11000.00, over its promotion budget of ¥10000.00"
        );
    }

    #[test]
    fn store_conflicts_are_said_in_both_languages() {
        let conflict = Conflict::SameProduct {
            promotions: ["p1".into(), "p2".into()],
            store: "s".into(),
            product: "x".into(),
        };
        let name = |id: &str| match id {
            "p1" => "春节特惠".to_owned(),
            "p2" => "新品试饮".to_owned(),
            "s" => "徐汇店".to_owned(),
            _ => "茉莉绿茶".to_owned(),
        };
        assert_eq!(
            conflict.message(Locale::ZhCn, name),
            "「春节特惠」与「新品试饮」同期在徐汇店促销同一产品「茉莉绿茶」"
        );
        assert_eq!(
            conflict.message(Locale::En, name),
            "“春节特惠” and “新品试饮” promote the same product “茉莉绿茶” at 徐汇店 on the same days"
        );
        assert_eq!(conflict.promotions(), ["p1".to_owned(), "p2".to_owned()]);
    }

    #[test]
    fn a_month_grid_starts_on_the_monday_before_the_first_and_weeks_draw_their_lanes_or_count_the_rest(
    ) {
        assert_eq!(
            month_grid_start(day(15)),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            week_start(day(6)),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(week_start(day(7)), day(7));
        let spans = [
            span("a", 1, 3),
            span("b", 2, 9),
            span("c", 2, 2),
            span("d", 3, 3),
        ];
        let rows = week_rows(&spans, month_grid_start(day(1)), 2, 2);
        let bar = |index, lane, column, columns, continued, continues| Bar {
            index,
            lane,
            column,
            columns,
            continued,
            continues,
        };
        assert_eq!(
            rows[0].bars,
            [bar(0, 0, 1, 3, false, false), bar(1, 1, 2, 5, false, true)]
        );
        assert_eq!(rows[0].hidden, [0, 0, 1, 1, 0, 0, 0]);
        assert_eq!(rows[0].lanes, 3);
        assert_eq!(rows[1].first, day(7));
        assert_eq!(rows[1].bars, [bar(1, 0, 0, 3, true, false)]);
        assert_eq!(rows[1].hidden, [0; 7]);
        // Every span is drawn or counted on each of its days in the grid.
        for row in &rows {
            let drawn: u32 = row.bars.iter().map(|b| b.columns).sum();
            let hidden: u32 = row.hidden.iter().sum();
            let days: u32 = spans
                .iter()
                .map(|s| {
                    let last = row.first + chrono::Duration::days(6);
                    let (a, b) = (s.first.max(row.first), s.last.min(last));
                    if a > b {
                        0
                    } else {
                        (b - a).num_days() as u32 + 1
                    }
                })
                .sum();
            assert_eq!(drawn + hidden, days);
        }
    }

    #[test]
    fn a_bar_moves_whole_or_by_one_edge_and_keeps_at_least_a_day() {
        assert_eq!(moved(day(1), day(3), Grip::Whole, 7), (day(8), day(10)));
        assert_eq!(moved(day(8), day(10), Grip::Whole, -7), (day(1), day(3)));
        assert_eq!(moved(day(1), day(3), Grip::End, 2), (day(1), day(5)));
        assert_eq!(moved(day(1), day(3), Grip::End, -5), (day(1), day(1)));
        assert_eq!(moved(day(1), day(3), Grip::Start, 5), (day(3), day(3)));
        assert_eq!(moved(day(5), day(9), Grip::Start, -2), (day(3), day(9)));
    }

    #[test]
    fn timeline_rows_pack_each_store_alone_and_only_rows_in_view_are_drawn() {
        let spans = [
            span("a", 1, 5),
            span("b", 3, 8),
            span("c", 6, 9),
            span("d", 1, 1),
        ];
        let rows = timeline_rows(&spans, &[vec![0, 1, 2], vec![3], vec![]]);
        assert_eq!(rows[0].bars, [(0, 0), (1, 1), (2, 0)]);
        assert_eq!(rows[0].lanes, 2);
        assert_eq!(rows[1].lanes, 1);
        assert_eq!(rows[2].lanes, 1, "an empty store keeps a row");
        let offsets = row_offsets(&rows, 20.0, 4.0);
        assert_eq!(offsets, [0.0, 44.0, 68.0, 92.0]);
        assert_eq!(rows_in_view(&offsets, 0.0, 44.0, 0), 0..1);
        assert_eq!(rows_in_view(&offsets, 0.0, 45.0, 0), 0..2);
        assert_eq!(rows_in_view(&offsets, 50.0, 10.0, 0), 1..2);
        assert_eq!(rows_in_view(&offsets, 50.0, 10.0, 1), 0..3);
        assert_eq!(rows_in_view(&offsets, 500.0, 10.0, 0), 3..3);
        assert_eq!(rows_in_view(&[0.0], 0.0, 100.0, 2), 0..0);
    }
}
