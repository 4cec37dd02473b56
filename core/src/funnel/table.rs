//! The deals laid out by column for the analytics: built once when the deals change, read by every figure.

use super::deal::{Deal, StageEntry};
use super::engine::Source;
use super::stats::FxMap;

/// The slot of a lost deal without a recorded reason, after the `LostReason`s.
pub(crate) const NO_REASON: u8 = 7;
/// The expected-close month of a deal without one.
const NO_MONTH: i32 = i32::MIN;

/// What the analytics read of each deal, one column per fact, so that a pass over 100,000 deals reads a
/// few contiguous arrays instead of a separate allocation per deal and hashing owner and unit ids.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    /// Deal `i`'s history is `entries[starts[i]..starts[i + 1]]`.
    starts: Box<[u32]>,
    entries: Box<[StageEntry]>,
    amounts: Box<[i64]>,
    /// Expected-close month as `year * 12 + month - 1`, or `NO_MONTH`.
    close_months: Box<[i32]>,
    /// `LostReason` index, or `NO_REASON`.
    reasons: Box<[u8]>,
    /// Owner and unit numbers, each an index into the keys below.
    owners: Box<[u32]>,
    units: Box<[u32]>,
    owner_keys: Vec<String>,
    unit_keys: Vec<String>,
}

/// Numbers for strings, in order of first appearance.
#[derive(Default)]
struct Interner<'a> {
    index: FxMap<&'a str, u32>,
    keys: Vec<String>,
}

impl<'a> Interner<'a> {
    fn number(&mut self, key: &'a str) -> u32 {
        let Interner { index, keys } = self;
        *index.entry(key).or_insert_with(|| {
            keys.push(key.to_owned());
            keys.len() as u32 - 1
        })
    }
}

impl Columns {
    /// Laid out as boxed slices: indexing a slice is the machine's own, where a `Vec`'s goes
    /// through a call the size-tuned build does not inline (a tenth of a report's time in wasm).
    pub(crate) fn new(deals: &[Deal]) -> Columns {
        let mut owner_numbers = Interner::default();
        let mut unit_numbers = Interner::default();
        let n = deals.len();
        let mut starts = Vec::with_capacity(n + 1);
        let mut entries = Vec::with_capacity(deals.iter().map(|d| d.history.len()).sum());
        let mut amounts = Vec::with_capacity(n);
        let mut close_months = Vec::with_capacity(n);
        let mut reasons = Vec::with_capacity(n);
        let mut owners = Vec::with_capacity(n);
        let mut units = Vec::with_capacity(n);
        starts.push(0);
        for deal in deals {
            entries.extend_from_slice(&deal.history);
            starts.push(entries.len() as u32);
            amounts.push(deal.amount);
            close_months.push(deal.close_month().unwrap_or(NO_MONTH));
            reasons.push(deal.lost_reason.map_or(NO_REASON, |r| r as u8));
            owners.push(owner_numbers.number(&deal.owner_id));
            units.push(unit_numbers.number(&deal.unit_id));
        }
        Columns {
            starts: starts.into(),
            entries: entries.into(),
            amounts: amounts.into(),
            close_months: close_months.into(),
            reasons: reasons.into(),
            owners: owners.into(),
            units: units.into(),
            owner_keys: owner_numbers.keys,
            unit_keys: unit_numbers.keys,
        }
    }
}

impl Source for Columns {
    #[inline(always)]
    fn len(&self) -> usize {
        self.amounts.len()
    }

    #[inline(always)]
    fn history(&self, i: usize) -> &[StageEntry] {
        &self.entries[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    #[inline(always)]
    fn amount(&self, i: usize) -> i64 {
        self.amounts[i]
    }

    #[inline(always)]
    fn close_month(&self, i: usize) -> Option<i32> {
        let month = self.close_months[i];
        (month != NO_MONTH).then_some(month)
    }

    #[inline(always)]
    fn reason(&self, i: usize) -> usize {
        usize::from(self.reasons[i])
    }

    #[inline(always)]
    fn owner(&self, i: usize) -> usize {
        self.owners[i] as usize
    }

    #[inline(always)]
    fn unit(&self, i: usize) -> usize {
        self.units[i] as usize
    }

    fn owner_keys(&self) -> &[String] {
        &self.owner_keys
    }

    fn unit_keys(&self) -> &[String] {
        &self.unit_keys
    }
}

/// The deals as read from the device, with the columns the analytics run over (商机表). Build it when
/// the deals change and ask it every figure after each filter change: the same answers as the free
/// functions (`report`, `figures`, …) over [`DealTable::deals`], without laying the deals out again.
#[derive(Debug, Default)]
pub struct DealTable {
    deals: Vec<Deal>,
    columns: Columns,
}

impl DealTable {
    pub fn new(deals: Vec<Deal>) -> DealTable {
        let columns = Columns::new(&deals);
        DealTable { deals, columns }
    }

    /// The deals in the order given; stalled deals' indices point into this slice.
    pub fn deals(&self) -> &[Deal] {
        &self.deals
    }

    pub(crate) fn columns(&self) -> &Columns {
        &self.columns
    }
}

impl From<Vec<Deal>> for DealTable {
    fn from(deals: Vec<Deal>) -> DealTable {
        DealTable::new(deals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::{
        figures, report, FunnelQuery, FunnelSettings, LostReason, Period, Stage, DAY_MS,
    };
    use crate::time::NaiveDate;

    fn deal(owner: &str, unit: &str, amount: i64, stages: &[(Stage, i64)]) -> Deal {
        Deal {
            id: String::new(),
            owner_id: owner.to_owned(),
            unit_id: unit.to_owned(),
            customer_id: String::new(),
            amount,
            history: stages
                .iter()
                .map(|&(stage, day)| StageEntry {
                    stage,
                    entered_at: day * DAY_MS,
                })
                .collect(),
            expected_close: (amount % 2 == 0).then(|| NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            lost_reason: (amount % 3 == 0).then_some(LostReason::Price),
            product_ids: Vec::new(),
        }
    }

    #[test]
    fn the_table_answers_exactly_as_the_plain_slice() {
        use Stage::*;
        let deals = vec![
            deal("ann", "east", 100, &[(Aware, 1), (Compare, 5), (Won, 40)]),
            deal("bo", "east", 201, &[(Aware, 3), (Negotiate, 20)]),
            deal(
                "ann",
                "west",
                300,
                &[(Aware, 10), (Compare, 30), (Lost, 50)],
            ),
            deal("cy", "west", 402, &[(Compare, 35), (Commit, 45)]),
            deal("bo", "", 99, &[]),
            deal("cy", "east", 150, &[(Aware, 2), (Compare, 4), (Aware, 44)]),
        ];
        let query = FunnelQuery {
            period: Period::new(30 * DAY_MS, 60 * DAY_MS),
            now_ms: 55 * DAY_MS,
            settings: FunnelSettings::default(),
        };
        let table = DealTable::new(deals.clone());
        let all = |_: &Deal| true;
        assert_eq!(table.report(all, &query), report(&deals, all, &query));
        assert_eq!(table.figures(all, &query), figures(&deals, all, &query));
        let ann = |d: &Deal| d.owner_id == "ann";
        assert_eq!(table.report(ann, &query), report(&deals, ann, &query));
        assert_eq!(table.report(all, &query).by_owner.len(), 3);
    }
}
