//! Promotion evaluation (促销评估), as plain functions: what a promotion's stores would have sold
//! without it (the baseline), what they sold more (uplift, in units and amount), the gross profit of
//! that extra (incremental profit, from product cost), what it cost, and the ratios HQ judges it by:
//! ROI and 费效比 (cost / incremental sales); then the dip after it, and rankings. Every figure keeps
//! how it was computed ([`Basis`]) so a page can show it.
//!
//! **Baseline.** For each store of the promotion, its daily sales of the promotion's products (all
//! products when it names none) over up to [`BASELINE_WEEKS`] whole weeks just before the first day,
//! leaving out weeks in which another promotion ran in that store, and weeks that began before the
//! store's first recorded sale of anything (before it there is no data, which is not no sales).
//! With fewer than [`MIN_CLEAN_WEEKS`] such weeks, all its recorded weeks are used, promotions or
//! not ([`Basis::AllWeeks`]); with no recorded week or no sales of its products before, the mean
//! daily sales of the promotion's other stores that have a baseline ([`Basis::PeerStores`]); with
//! none of those either, zero ([`Basis::NoHistory`]).
//!
//! All money is in 分 and every per-store figure is whole, so totals are the sums of the stores'.

pub mod chart;
pub mod read;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use chrono::{Duration, NaiveDate};

/// Weeks before a promotion its baseline looks at.
pub const BASELINE_WEEKS: i64 = 8;
/// Fewest promotion-free weeks for a baseline of clean weeks.
pub const MIN_CLEAN_WEEKS: usize = 2;
/// Most days after a promotion its dip is measured over (as many as it lasted, up to this).
pub const MAX_DIP_DAYS: i64 = 14;

/// The days after a promotion of `days` days that its dip is measured over.
pub fn dip_days(days: i64) -> i64 {
    days.clamp(1, MAX_DIP_DAYS)
}

/// One day's sales of one product in one store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sale<'a> {
    pub store: &'a str,
    pub product: &'a str,
    pub day: NaiveDate,
    pub units: i64,
    /// 分.
    pub amount: i64,
}

/// A promotion as its evaluation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluated<'a> {
    pub id: &'a str,
    pub stores: Vec<&'a str>,
    /// Empty: every product counts.
    pub products: Vec<&'a str>,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// What it actually cost (its expenses), 分.
    pub cost: i64,
}

/// Another promotion's days in some stores: weeks it ran in a store are not a clean baseline there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy<'a> {
    pub id: &'a str,
    pub store: &'a str,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// Other promotions' days by store, for finding a store's clean weeks without reading them all.
#[derive(Clone, Debug, Default)]
pub struct BusyIndex<'a> {
    by_store: FxHashMap<&'a str, Vec<Busy<'a>>>,
}

impl<'a> BusyIndex<'a> {
    pub fn new(busy: &[Busy<'a>]) -> Self {
        let mut by_store: FxHashMap<&'a str, Vec<Busy<'a>>> = FxHashMap::default();
        for b in busy {
            by_store.entry(b.store).or_default().push(*b);
        }
        BusyIndex { by_store }
    }

    /// Whether a promotion other than `id` ran in `store` on any day from `start` to `end`.
    fn ran(&self, store: &str, id: &str, start: NaiveDate, end: NaiveDate) -> bool {
        self.by_store.get(store).is_some_and(|list| {
            list.iter()
                .any(|b| b.id != id && b.first <= end && b.last >= start)
        })
    }
}

/// How a store's baseline was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    /// From these promotion-free weeks (their first days).
    CleanWeeks(Vec<NaiveDate>),
    /// Too few clean weeks: from all of these weeks, promotions or not.
    AllWeeks(Vec<NaiveDate>),
    /// No sales before: the mean daily sales of these other stores of the promotion.
    PeerStores(Vec<String>),
    /// No sales before anywhere: a baseline of zero, so all sales count as uplift.
    NoHistory,
}

/// Sums in units and 分.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    pub units: i64,
    pub amount: i64,
}

impl std::ops::Add for Amounts {
    type Output = Amounts;
    fn add(self, other: Amounts) -> Amounts {
        Amounts {
            units: self.units + other.units,
            amount: self.amount + other.amount,
        }
    }
}

impl std::ops::Sub for Amounts {
    type Output = Amounts;
    fn sub(self, other: Amounts) -> Amounts {
        Amounts {
            units: self.units - other.units,
            amount: self.amount - other.amount,
        }
    }
}

/// The figures of a store, or of the whole promotion (the sums of its stores').
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub days: i64,
    /// Sold during the promotion.
    pub actual: Amounts,
    /// What the baseline expects over the same days.
    pub baseline: Amounts,
    /// Gross profit of the uplift: its amount less the units' cost, 分.
    pub incremental_profit: i64,
    /// Sold in the days after (as many as it lasted, up to [`MAX_DIP_DAYS`]), and what the baseline
    /// expects over them.
    pub after: Amounts,
    pub after_baseline: Amounts,
}

impl Figures {
    /// Sold more than the baseline (negative: less).
    pub fn uplift(&self) -> Amounts {
        self.actual - self.baseline
    }

    /// The uplift in percent of the baseline amount; `None` without a baseline.
    pub fn uplift_percent(&self) -> Option<f64> {
        (self.baseline.amount > 0)
            .then(|| self.uplift().amount as f64 * 100.0 / self.baseline.amount as f64)
    }

    /// The days after the promotion its dip is measured over.
    pub fn after_days(&self) -> i64 {
        dip_days(self.days)
    }

    /// How far sales fell under the baseline after the promotion (positive: a dip).
    pub fn dip(&self) -> Amounts {
        self.after_baseline - self.after
    }

    fn add(&mut self, other: &Figures) {
        self.days = self.days.max(other.days);
        self.actual = self.actual + other.actual;
        self.baseline = self.baseline + other.baseline;
        self.incremental_profit += other.incremental_profit;
        self.after = self.after + other.after;
        self.after_baseline = self.after_baseline + other.after_baseline;
    }
}

/// One store's part of a promotion.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreResult {
    pub store: String,
    pub figures: Figures,
    pub basis: Basis,
    /// The baseline's daily sales: units and 分 per day, the mean over its days.
    pub daily: (f64, f64),
}

/// A promotion's evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub id: String,
    pub stores: Vec<StoreResult>,
    pub total: Figures,
    /// 分.
    pub cost: i64,
}

impl Evaluation {
    /// (incremental profit − cost) / cost; `None` when it cost nothing.
    pub fn roi(&self) -> Option<f64> {
        (self.cost > 0)
            .then(|| (self.total.incremental_profit - self.cost) as f64 / self.cost as f64)
    }

    /// 费效比: cost / incremental sales amount; `None` when there was no uplift to pay for.
    pub fn cost_ratio(&self) -> Option<f64> {
        let uplift = self.total.uplift().amount;
        (uplift > 0).then(|| self.cost as f64 / uplift as f64)
    }
}

/// Sales indexed by store, for evaluating many promotions over the same data.
pub struct SalesIndex<'a> {
    by_store: FxHashMap<&'a str, Vec<Sale<'a>>>,
}

impl<'a> SalesIndex<'a> {
    pub fn new(sales: &[Sale<'a>]) -> Self {
        Self::from_sales(sales.iter().copied())
    }

    /// The index of `sales` as they come, without a list of them first.
    pub fn from_sales(sales: impl IntoIterator<Item = Sale<'a>>) -> Self {
        let mut by_store: FxHashMap<&'a str, Vec<Sale<'a>>> = FxHashMap::default();
        for sale in sales {
            by_store.entry(sale.store).or_default().push(sale);
        }
        for list in by_store.values_mut() {
            list.sort_by_key(|s| s.day);
        }
        SalesIndex { by_store }
    }

    /// The store's sales of `products` (all when empty) from `first` to `last`.
    fn sum(&self, store: &str, products: &[&str], first: NaiveDate, last: NaiveDate) -> Amounts {
        let Some(list) = self.by_store.get(store) else {
            return Amounts::default();
        };
        let from = list.partition_point(|s| s.day < first);
        list[from..]
            .iter()
            .take_while(|s| s.day <= last)
            .filter(|s| products.is_empty() || products.contains(&s.product))
            .fold(Amounts::default(), |sum, s| {
                sum + Amounts {
                    units: s.units,
                    amount: s.amount,
                }
            })
    }

    /// The store's sales per product from `first` to `last`.
    fn by_product(
        &self,
        store: &str,
        products: &[&str],
        first: NaiveDate,
        last: NaiveDate,
    ) -> BTreeMap<&'a str, Amounts> {
        let mut out: BTreeMap<&'a str, Amounts> = BTreeMap::new();
        let Some(list) = self.by_store.get(store) else {
            return out;
        };
        let from = list.partition_point(|s| s.day < first);
        for s in list[from..].iter().take_while(|s| s.day <= last) {
            if products.is_empty() || products.contains(&s.product) {
                let entry = out.entry(s.product).or_default();
                *entry = *entry
                    + Amounts {
                        units: s.units,
                        amount: s.amount,
                    };
            }
        }
        out
    }

    /// The first day the store recorded any sale: weeks before it hold no data, not no sales.
    fn recorded_from(&self, store: &str) -> Option<NaiveDate> {
        self.by_store.get(store)?.first().map(|s| s.day)
    }

    fn any_before(&self, store: &str, products: &[&str], day: NaiveDate) -> bool {
        self.by_store.get(store).is_some_and(|list| {
            list.iter()
                .take_while(|s| s.day < day)
                .any(|s| products.is_empty() || products.contains(&s.product))
        })
    }
}

/// The baseline weeks before `first`: up to [`BASELINE_WEEKS`] whole weeks, nearest first.
fn weeks_before(first: NaiveDate) -> impl Iterator<Item = (NaiveDate, NaiveDate)> {
    (1..=BASELINE_WEEKS).map(move |n| {
        let start = first - Duration::days(7 * n);
        (start, start + Duration::days(6))
    })
}

/// Units and 分 per day.
type Daily = (f64, f64);

/// A store's daily baseline and how it was found; `None` with no sales before.
fn store_baseline(
    index: &SalesIndex,
    promotion: &Evaluated,
    store: &str,
    busy: &BusyIndex,
) -> Option<(Daily, Basis)> {
    if !index.any_before(store, &promotion.products, promotion.first) {
        return None;
    }
    let ran_in = |start: NaiveDate, end: NaiveDate| busy.ran(store, promotion.id, start, end);
    // Weeks that began before the store's records did are not weeks without sales.
    let recorded_from = index.recorded_from(store)?;
    let all: Vec<(NaiveDate, NaiveDate)> = weeks_before(promotion.first)
        .filter(|&(start, _)| start >= recorded_from)
        .collect();
    if all.is_empty() {
        return None;
    }
    let clean: Vec<(NaiveDate, NaiveDate)> = all
        .iter()
        .copied()
        .filter(|&(s, e)| !ran_in(s, e))
        .collect();
    let (weeks, basis) = if clean.len() >= MIN_CLEAN_WEEKS {
        let firsts = clean.iter().map(|w| w.0).collect();
        (clean, Basis::CleanWeeks(firsts))
    } else {
        let firsts = all.iter().map(|w| w.0).collect();
        (all, Basis::AllWeeks(firsts))
    };
    let days = weeks.len() as f64 * 7.0;
    let sum = weeks.iter().fold(Amounts::default(), |sum, &(s, e)| {
        sum + index.sum(store, &promotion.products, s, e)
    });
    Some(((sum.units as f64 / days, sum.amount as f64 / days), basis))
}

fn expected(daily: Daily, days: i64) -> Amounts {
    Amounts {
        units: (daily.0 * days as f64).round() as i64,
        amount: (daily.1 * days as f64).round() as i64,
    }
}

/// Evaluates `promotion` over `sales`: per store and in total. `busy` holds every promotion's days
/// per store (this one's are ignored); `unit_cost` gives a product's cost per unit in 分 (a product
/// without one counts its uplift's whole amount as profit).
pub fn evaluate(
    promotion: &Evaluated,
    index: &SalesIndex,
    busy: &BusyIndex,
    unit_cost: &dyn Fn(&str) -> Option<i64>,
) -> Evaluation {
    let days = (promotion.last - promotion.first).num_days() + 1;
    let dip = dip_days(days);
    let after_first = promotion.last + Duration::days(1);
    let after_last = promotion.last + Duration::days(dip);
    let mut stores: Vec<&str> = promotion.stores.clone();
    stores.sort_unstable();
    stores.dedup();
    let own: Vec<(&str, Option<(Daily, Basis)>)> = stores
        .iter()
        .map(|&s| (s, store_baseline(index, promotion, s, busy)))
        .collect();
    // Stores without history take the mean of those with one.
    let peers: Vec<(&str, Daily)> = own
        .iter()
        .filter_map(|(s, b)| b.as_ref().map(|(daily, _)| (*s, *daily)))
        .collect();
    let peer_mean = (!peers.is_empty()).then(|| {
        let n = peers.len() as f64;
        (
            peers.iter().map(|p| p.1 .0).sum::<f64>() / n,
            peers.iter().map(|p| p.1 .1).sum::<f64>() / n,
        )
    });
    let mut results = Vec::with_capacity(own.len());
    let mut total = Figures::default();
    for (store, found) in own {
        let (daily, basis) = match (found, peer_mean) {
            (Some(found), _) => found,
            (None, Some(mean)) => (
                mean,
                Basis::PeerStores(peers.iter().map(|p| p.0.to_owned()).collect()),
            ),
            (None, None) => ((0.0, 0.0), Basis::NoHistory),
        };
        let actual = index.sum(store, &promotion.products, promotion.first, promotion.last);
        let baseline = expected(daily, days);
        // Profit of the extra: per product, its share of the uplift less its units' cost; the
        // baseline is shared out over products by their sales during the promotion.
        let sold = index.by_product(store, &promotion.products, promotion.first, promotion.last);
        let uplift = actual - baseline;
        let unit_costs: i64 = if actual.units > 0 {
            sold.iter()
                .map(|(product, a)| {
                    let extra_units =
                        (uplift.units as f64 * a.units as f64 / actual.units as f64).round() as i64;
                    extra_units * unit_cost(product).unwrap_or(0)
                })
                .sum()
        } else {
            0
        };
        let figures = Figures {
            days,
            actual,
            baseline,
            incremental_profit: uplift.amount - unit_costs,
            after: index.sum(store, &promotion.products, after_first, after_last),
            after_baseline: expected(daily, dip),
        };
        total.add(&figures);
        results.push(StoreResult {
            store: store.to_owned(),
            figures,
            basis,
            daily,
        });
    }
    total.days = days;
    Evaluation {
        id: promotion.id.to_owned(),
        stores: results,
        total,
        cost: promotion.cost,
    }
}

/// Promotions best first by ROI (those without one last), then by uplift amount, then id.
pub fn rank(evaluations: &mut [Evaluation]) {
    evaluations.sort_by(|a, b| {
        let roi = |e: &Evaluation| e.roi().unwrap_or(f64::NEG_INFINITY);
        roi(b)
            .total_cmp(&roi(a))
            .then(b.total.uplift().amount.cmp(&a.total.uplift().amount))
            .then(a.id.cmp(&b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    /// `units` a day of `product` at 1,000 分 each, in `store`, from `first` to `last`.
    fn daily<'a>(
        store: &'a str,
        product: &'a str,
        first: NaiveDate,
        last: NaiveDate,
        units: i64,
    ) -> Vec<Sale<'a>> {
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| Sale {
                store,
                product,
                day: d,
                units,
                amount: units * 1_000,
            })
            .collect()
    }

    fn promotion<'a>(stores: &[&'a str], first: NaiveDate, last: NaiveDate) -> Evaluated<'a> {
        Evaluated {
            id: "p",
            stores: stores.to_vec(),
            products: vec!["tea"],
            first,
            last,
            cost: 20_000,
        }
    }

    #[test]
    fn a_store_selling_ten_a_day_that_sells_fifteen_during_a_week_has_an_uplift_of_thirty_five() {
        // Eight weeks at 10 a day, the promotion week (6–12 April) at 15, then a week at 8.
        let mut sales = daily("s1", "tea", day(2, 9), day(4, 5), 10);
        sales.extend(daily("s1", "tea", day(4, 6), day(4, 12), 15));
        sales.extend(daily("s1", "tea", day(4, 13), day(4, 19), 8));
        // Another product does not count.
        sales.extend(daily("s1", "juice", day(2, 9), day(4, 19), 99));
        let index = SalesIndex::new(&sales);
        let p = promotion(&["s1"], day(4, 6), day(4, 12));
        let cost = |product: &str| (product == "tea").then_some(600);
        let e = evaluate(&p, &index, &BusyIndex::default(), &cost);
        let f = &e.total;
        assert_eq!(
            f.actual,
            Amounts {
                units: 105,
                amount: 105_000
            }
        );
        assert_eq!(
            f.baseline,
            Amounts {
                units: 70,
                amount: 70_000
            }
        );
        assert_eq!(
            f.uplift(),
            Amounts {
                units: 35,
                amount: 35_000
            }
        );
        assert_eq!(f.uplift_percent(), Some(50.0));
        // 35 extra units at 1,000 less 600 cost each.
        assert_eq!(f.incremental_profit, 14_000);
        // ROI (14,000 − 20,000) / 20,000; 费效比 20,000 / 35,000.
        assert_eq!(e.roi(), Some(-0.3));
        assert!((e.cost_ratio().unwrap() - 20.0 / 35.0).abs() < 1e-12);
        // The week after: 8 a day against 10 expected, a dip of 14 units.
        assert_eq!(
            f.dip(),
            Amounts {
                units: 14,
                amount: 14_000
            }
        );
        let first_weeks: Vec<NaiveDate> =
            (1..=8).map(|n| day(4, 6) - Duration::days(7 * n)).collect();
        assert_eq!(e.stores[0].basis, Basis::CleanWeeks(first_weeks));
    }

    #[test]
    fn weeks_of_other_promotions_are_left_out_and_too_few_clean_weeks_fall_back_to_all() {
        // 10 a day, except 30 a day in the week of another promotion (23–29 March).
        let mut sales = daily("s1", "tea", day(2, 9), day(3, 22), 10);
        sales.extend(daily("s1", "tea", day(3, 23), day(3, 29), 30));
        sales.extend(daily("s1", "tea", day(3, 30), day(4, 12), 10));
        let index = SalesIndex::new(&sales);
        let p = promotion(&["s1"], day(4, 6), day(4, 12));
        let other = Busy {
            id: "q",
            store: "s1",
            first: day(3, 25),
            last: day(3, 26),
        };
        let e = evaluate(&p, &index, &BusyIndex::new(&[other]), &|_| None);
        // Seven clean weeks at 10: no uplift.
        assert_eq!(e.total.baseline.units, 70);
        assert!(matches!(&e.stores[0].basis, Basis::CleanWeeks(w) if w.len() == 7));
        // Its own days are not "another promotion".
        let own = Busy {
            id: "p",
            store: "s1",
            first: day(3, 2),
            last: day(4, 12),
        };
        let e = evaluate(&p, &index, &BusyIndex::new(&[other, own]), &|_| None);
        assert_eq!(e.total.baseline.units, 70);
        // Promotions in all but one week: all eight weeks count, the busy one too.
        let everywhere = Busy {
            id: "r",
            store: "s1",
            first: day(2, 16),
            last: day(4, 5),
        };
        let e = evaluate(&p, &index, &BusyIndex::new(&[everywhere]), &|_| None);
        assert!(matches!(&e.stores[0].basis, Basis::AllWeeks(w) if w.len() == 8));
        // (7 weeks × 70 + 210) / 56 days = 12.5 a day.
        assert_eq!(e.total.baseline.units, 88);
    }

    #[test]
    fn a_store_with_no_history_takes_the_other_stores_mean_and_alone_has_none() {
        let mut sales = daily("s1", "tea", day(2, 9), day(4, 12), 10);
        sales.extend(daily("s2", "tea", day(2, 9), day(4, 12), 20));
        // s3 opened with the promotion.
        sales.extend(daily("s3", "tea", day(4, 6), day(4, 12), 18));
        let index = SalesIndex::new(&sales);
        let p = promotion(&["s1", "s2", "s3"], day(4, 6), day(4, 12));
        let e = evaluate(&p, &index, &BusyIndex::default(), &|_| None);
        let s3 = e.stores.iter().find(|s| s.store == "s3").unwrap();
        assert_eq!(s3.basis, Basis::PeerStores(vec!["s1".into(), "s2".into()]));
        assert_eq!(s3.figures.baseline.units, 105);
        assert_eq!(s3.figures.uplift().units, 21);
        let alone = evaluate(
            &promotion(&["s3"], day(4, 6), day(4, 12)),
            &index,
            &BusyIndex::default(),
            &|_| None,
        );
        assert_eq!(alone.stores[0].basis, Basis::NoHistory);
        assert_eq!(alone.total.uplift().units, 126);
        assert_eq!(alone.total.uplift_percent(), None);
    }

    #[test]
    fn promotions_rank_by_roi_then_uplift() {
        let sales = daily("s1", "tea", day(2, 9), day(4, 12), 10);
        let index = SalesIndex::new(&sales);
        let mut free = promotion(&["s1"], day(4, 6), day(4, 12));
        free.id = "free";
        free.cost = 0;
        let mut dear = promotion(&["s1"], day(4, 6), day(4, 12));
        dear.id = "dear";
        dear.cost = 100;
        let mut evaluations = vec![
            evaluate(&free, &index, &BusyIndex::default(), &|_| None),
            evaluate(&dear, &index, &BusyIndex::default(), &|_| None),
        ];
        rank(&mut evaluations);
        let order: Vec<&str> = evaluations.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(order, ["dear", "free"]);
    }
}
