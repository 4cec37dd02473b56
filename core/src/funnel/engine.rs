//! One pass over the deals feeds every figure, for the whole selection and each owner and unit at once.

use super::deal::{Deal, StageEntry};
use super::figures::*;
use super::stats::{median_and_p90, DAY_MS};
use super::table::{Columns, DealTable, NO_REASON};
use super::{FunnelQuery, LostReason, Stage};

/// Never reached: later than any instant.
const NEVER: i64 = i64::MAX;

/// Where the analytics read the deals from: the columns of a [`DealTable`], or a plain slice for a
/// single question that needs no grouping (laying out a few deals would cost more than it saves).
pub(crate) trait Source {
    fn len(&self) -> usize;
    /// Deal `i`'s stage history, in time order.
    fn history(&self, i: usize) -> &[StageEntry];
    fn amount(&self, i: usize) -> i64;
    /// Expected-close month as `year * 12 + month - 1`.
    fn close_month(&self, i: usize) -> Option<i32>;
    /// `LostReason` index; `NO_REASON` when none is recorded.
    fn reason(&self, i: usize) -> usize;
    /// Owner (unit) number: an index into `owner_keys` (`unit_keys`).
    fn owner(&self, i: usize) -> usize;
    fn unit(&self, i: usize) -> usize;
    fn owner_keys(&self) -> &[String];
    fn unit_keys(&self) -> &[String];
}

/// A slice read as it is; it has no owner or unit numbers, so it answers no per-group question.
struct Plain<'a>(&'a [Deal]);

impl Source for Plain<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn history(&self, i: usize) -> &[StageEntry] {
        &self.0[i].history
    }

    fn amount(&self, i: usize) -> i64 {
        self.0[i].amount
    }

    fn close_month(&self, i: usize) -> Option<i32> {
        self.0[i].close_month()
    }

    fn reason(&self, i: usize) -> usize {
        self.0[i]
            .lost_reason
            .map_or(usize::from(NO_REASON), |r| r as usize)
    }

    fn owner(&self, _: usize) -> usize {
        unreachable!("a plain slice is never grouped")
    }

    fn unit(&self, _: usize) -> usize {
        unreachable!("a plain slice is never grouped")
    }

    fn owner_keys(&self) -> &[String] {
        &[]
    }

    fn unit_keys(&self) -> &[String] {
        &[]
    }
}

/// Which of the costlier figures to gather; the snapshot and win/loss are always counted.
#[derive(Clone, Copy)]
struct Want {
    conversion: bool,
    stays: bool,
    cycle: bool,
    stalled: bool,
    forecast: bool,
    owners: bool,
    units: bool,
}

impl Want {
    const NONE: Want = Want {
        conversion: false,
        stays: false,
        cycle: false,
        stalled: false,
        forecast: false,
        owners: false,
        units: false,
    };
    const ALL: Want = Want {
        conversion: true,
        stays: true,
        cycle: true,
        stalled: true,
        forecast: true,
        ..Want::NONE
    };
}

/// The query's instants and probabilities, resolved once.
#[derive(Clone, Copy)]
struct Frame {
    start: i64,
    cut: i64,
    now: i64,
    probability: [i64; 4],
}

impl Frame {
    fn new(query: &FunnelQuery) -> Frame {
        Frame {
            start: query.period.start_ms,
            cut: query.period.cut(query.now_ms),
            now: query.now_ms,
            probability: query
                .settings
                .probability_percent
                .to_array()
                .map(|p| i64::from(p.min(100))),
        }
    }

    #[inline(always)]
    fn within(&self, at: i64) -> bool {
        self.start <= at && at < self.cut
    }
}

/// What one deal's history says for a frame.
#[derive(Clone, Copy)]
struct Walk {
    /// When the deal first stood at 了解 or beyond, 比较 or beyond, … 赢单 (before now).
    reached: [i64; 5],
    /// The last entry before the cut: the deal's state there.
    at_cut: Option<StageEntry>,
    /// Bit n: `reached[n]` is a time (the deal has reached funnel stage n by now).
    passed: u8,
}

/// The deal's walk for the frame and, in the same loop, for the previous period's frame: both share
/// `now`, so they differ only in the state at their cuts.
#[inline(always)]
fn walk(history: &[StageEntry], frame: &Frame, before: &Frame) -> (Walk, Walk) {
    let mut reached = [NEVER; 5];
    let mut passed = 0u8;
    let mut at_cut = None;
    let mut at_before_cut = None;
    for entry in history {
        if entry.entered_at >= frame.now {
            break;
        }
        if entry.entered_at < frame.cut {
            at_cut = Some(*entry);
        }
        if entry.entered_at < before.cut {
            at_before_cut = Some(*entry);
        }
        if let Some(rank) = entry.stage.rank() {
            // A jump forward passes every stage before it, at the time of the jump.
            for slot in reached.iter_mut().take(rank + 1) {
                *slot = (*slot).min(entry.entered_at);
            }
            passed |= (2 << rank) - 1;
        }
    }
    (
        Walk {
            reached,
            at_cut,
            passed,
        },
        Walk {
            reached,
            at_cut: at_before_cut,
            passed,
        },
    )
}

/// A deal's standing at a frame's cut, as the sums read it: open in stage 0–3 (its index), won or lost
/// within the frame, or aside (no stage yet, or closed before the frame).
const WON: u8 = 4;
const LOST: u8 = 5;
const ASIDE: u8 = 6;

/// What the sums read of a deal's walk for one frame.
#[derive(Clone, Copy)]
struct Reading {
    /// An open stage's index, `WON`, `LOST` or `ASIDE`.
    standing: u8,
    /// Bit n: the deal first reached funnel stage n (了解 … 赢单) within the frame.
    within: u8,
}

impl Reading {
    #[inline(always)]
    fn of(walk: &Walk, frame: &Frame) -> Reading {
        let standing = match walk.at_cut {
            None => ASIDE,
            Some(at) => match at.stage.open_index() {
                Some(stage) => stage as u8,
                None if at.entered_at < frame.start => ASIDE,
                None if at.stage == Stage::Won => WON,
                None => LOST,
            },
        };
        // Written out stage by stage: the size-tuned build does not unroll the loop.
        let bit = |n: usize| u8::from(frame.within(walk.reached[n])) << n;
        Reading {
            standing,
            within: bit(0) | bit(1) | bit(2) | bit(3) | bit(4),
        }
    }
}

/// One deal of a pass: its readings for the period and for the previous period.
#[derive(Clone, Copy)]
struct Walked {
    deal: u32,
    /// Bit n: the deal has reached funnel stage n by now (the same for both periods).
    reached: u8,
    now: Reading,
    before: Reading,
}

/// Calls `visit(stage index, length)` for every stay in an open stage that ended within the frame or
/// runs at its cut (measured up to the cut).
#[inline(always)]
fn for_each_stay(history: &[StageEntry], frame: &Frame, mut visit: impl FnMut(usize, i64)) {
    for (i, entry) in history.iter().enumerate() {
        if entry.entered_at >= frame.cut {
            break;
        }
        let Some(stage) = entry.stage.open_index() else {
            continue;
        };
        match history.get(i + 1).map(|next| next.entered_at) {
            Some(left) if left < frame.cut => {
                if left >= frame.start {
                    visit(stage, (left - entry.entered_at).max(0));
                }
            }
            _ => visit(stage, frame.cut - entry.entered_at),
        }
    }
}

/// Forecast slots by month, indexed from the earliest month seen; months cluster, so this stays small.
#[derive(Default)]
struct Months {
    first: i32,
    slots: Vec<ForecastMonth>,
}

impl Months {
    /// The month's slot; months already seen are found at once.
    #[inline(always)]
    fn slot(&mut self, key: i32) -> &mut ForecastMonth {
        let index = key.wrapping_sub(self.first) as usize;
        if !self.slots.is_empty() && key >= self.first && index < self.slots.len() {
            return &mut self.slots.as_mut_slice()[index];
        }
        self.grow_to(key)
    }

    #[inline(never)]
    fn grow_to(&mut self, key: i32) -> &mut ForecastMonth {
        if self.slots.is_empty() {
            self.first = key;
        } else if key < self.first {
            let missing = (self.first - key) as usize;
            self.slots
                .splice(0..0, std::iter::repeat_n(ForecastMonth::default(), missing));
            self.first = key;
        }
        let index = (key - self.first) as usize;
        if index >= self.slots.len() {
            self.slots.resize(index + 1, ForecastMonth::default());
        }
        &mut self.slots[index]
    }

    fn finish(self) -> Vec<ForecastMonth> {
        let first = self.first;
        self.slots
            .into_iter()
            .enumerate()
            .filter(|(_, slot)| slot.count > 0)
            .map(|(i, slot)| {
                let key = first + i as i32;
                ForecastMonth {
                    year: key.div_euclid(12),
                    month: key.rem_euclid(12) as u32 + 1,
                    ..slot
                }
            })
            .collect()
    }
}

/// The facts of one deal that the sums read.
struct Facts {
    amount: i64,
    close_month: Option<i32>,
    reason: usize,
}

/// The running sums of one selection (the whole, or one owner or unit); the samples for percentiles
/// are kept once per pass in [`Samples`], not per selection.
#[derive(Default)]
struct Acc {
    /// Deals with a history that the selection kept: a group exists when it has one.
    deals: u32,
    snapshot: FunnelSnapshot,
    /// Lost deals by `LostReason` index; the last slot is “no reason recorded”.
    reasons: [Tally; 8],
    step: [Ratio; 4],
    from_first: [Ratio; 4],
    months: Months,
    undated: ForecastMonth,
    /// Filled after the pass, already in order.
    stalled: Vec<StalledDeal>,
}

impl Acc {
    #[inline(always)]
    fn add(&mut self, deal: &Facts, reading: Reading, reached: u8, frame: &Frame, want: Want) {
        self.deals += 1;
        match reading.standing {
            ASIDE => {}
            WON => self.snapshot.won.add(deal.amount),
            LOST => {
                self.snapshot.lost.add(deal.amount);
                self.reasons[deal.reason].add(deal.amount);
            }
            stage => {
                let stage = usize::from(stage);
                self.snapshot.open[stage].add(deal.amount);
                if want.forecast {
                    let weighted = (deal.amount * frame.probability[stage] + 50).div_euclid(100);
                    let slot = match deal.close_month {
                        Some(key) => self.months.slot(key),
                        None => &mut self.undated,
                    };
                    slot.count += 1;
                    slot.amount += deal.amount;
                    slot.weighted += weighted;
                }
            }
        }
        // Most deals reached no stage within the frame.
        if want.conversion && reading.within != 0 {
            let within = u32::from(reading.within);
            let reached = u32::from(reached);
            for (n, ratio) in self.step.iter_mut().enumerate() {
                let entered = within >> n & 1;
                ratio.whole += entered;
                ratio.part += entered & reached >> (n + 1);
            }
            if within & 1 == 1 {
                for (n, ratio) in self.from_first.iter_mut().enumerate() {
                    ratio.whole += 1;
                    ratio.part += reached >> (n + 1) & 1;
                }
            }
        }
    }

    /// Adds the sums of another selection with none of the same deals (one owner's to the
    /// whole's).
    fn merge(&mut self, other: &Acc) {
        fn month(into: &mut ForecastMonth, from: &ForecastMonth) {
            into.count += from.count;
            into.amount += from.amount;
            into.weighted += from.weighted;
        }
        self.deals += other.deals;
        let (snapshot, theirs) = (&mut self.snapshot, &other.snapshot);
        for (into, from) in snapshot.open.iter_mut().zip(theirs.open) {
            into.merge(from);
        }
        snapshot.won.merge(theirs.won);
        snapshot.lost.merge(theirs.lost);
        for (into, from) in self.reasons.iter_mut().zip(other.reasons) {
            into.merge(from);
        }
        for (into, from) in self.step.iter_mut().zip(other.step) {
            into.merge(from);
        }
        for (into, from) in self.from_first.iter_mut().zip(other.from_first) {
            into.merge(from);
        }
        for (at, slot) in other.months.slots.iter().enumerate() {
            if slot.count > 0 {
                month(self.months.slot(other.months.first + at as i32), slot);
            }
        }
        month(&mut self.undated, &other.undated);
    }

    fn finish(
        self,
        query: &FunnelQuery,
        frame: &Frame,
        dwell: [StageDwell; 4],
        cycle: SalesCycle,
    ) -> FunnelFigures {
        let months = self.months.finish();
        let undated = self.undated;
        let (weighted, amount) = months
            .iter()
            .chain([&undated])
            .fold((0, 0), |(w, a), m| (w + m.weighted, a + m.amount));
        let mut by_reason: Vec<ReasonTally> = self
            .reasons
            .iter()
            .enumerate()
            .filter(|(_, tally)| tally.count > 0)
            .map(|(i, tally)| ReasonTally {
                reason: LostReason::ALL.get(i).copied(),
                count: tally.count,
                amount: tally.amount,
            })
            .collect();
        by_reason.sort_by(|a, b| b.count.cmp(&a.count).then(b.amount.cmp(&a.amount)));
        let snapshot = self.snapshot;
        let conversion = [0, 1, 2, 3].map(|n| StageConversion {
            from: Stage::ALL[n],
            to: Stage::ALL[n + 1],
            step: self.step[n],
            from_first: self.from_first[n],
        });
        FunnelFigures {
            period: query.period,
            cut_ms: frame.cut,
            snapshot,
            conversion,
            dwell,
            cycle,
            stalled: self.stalled,
            forecast: Forecast {
                months,
                undated,
                weighted,
                amount,
            },
            win_loss: WinLoss {
                won: snapshot.won,
                lost: snapshot.lost,
                win_rate: Ratio {
                    part: snapshot.won.count,
                    whole: snapshot.won.count + snapshot.lost.count,
                },
                by_reason,
            },
        }
    }
}

fn days(ms: f64) -> f64 {
    ms / DAY_MS as f64
}

/// Every stay and sales cycle of one pass, each with the deal it belongs to, gathered once for the
/// whole selection and every group.
#[derive(Default)]
struct Samples {
    /// Per open stage: (deal, stay in ms).
    stays: [Vec<(u32, i64)>; 4],
    /// (deal, created → won in ms) of the deals won within the period.
    cycles: Vec<(u32, i64)>,
}

impl Samples {
    /// The samples of the deals a selection keeps (`left_out` 0).
    fn kept(&self, left_out: &[u32]) -> Samples {
        let kept = |list: &Vec<(u32, i64)>| -> Vec<(u32, i64)> {
            list.iter()
                .copied()
                .filter(|&(deal, _)| left_out[deal as usize] == 0)
                .collect()
        };
        Samples {
            stays: std::array::from_fn(|stage| kept(&self.stays[stage])),
            cycles: kept(&self.cycles),
        }
    }

    /// Room for about one sample of each kind wanted per deal, so the lists are not copied as they
    /// grow.
    fn with_room(deals: usize, want: Want) -> Samples {
        let room = |wanted: bool| Vec::with_capacity(if wanted { deals } else { 0 });
        Samples {
            stays: std::array::from_fn(|_| room(want.stays)),
            cycles: room(want.cycle),
        }
    }

    #[inline(always)]
    fn gather(
        &mut self,
        deal: usize,
        history: &[StageEntry],
        walk: &Walk,
        frame: &Frame,
        want: Want,
    ) {
        let deal = deal as u32;
        if want.stays {
            for_each_stay(history, frame, |stage, ms| {
                self.stays[stage].push((deal, ms))
            });
        }
        if let Some(at) = walk
            .at_cut
            .filter(|at| want.cycle && at.stage == Stage::Won)
        {
            if at.entered_at >= frame.start {
                let created = history[0].entered_at;
                self.cycles.push((deal, (at.entered_at - created).max(0)));
            }
        }
    }
}

/// How many samples a group has, and their median and 90th percentile in ms.
#[derive(Clone, Copy, Default)]
struct Spread {
    count: u32,
    median: Option<f64>,
    p90: Option<f64>,
}

/// The spread of each group's samples: the samples laid out by group in one flat list (a counting
/// sort), then each group's run selected in place. `group_of` is each deal's group number, `groups`
/// for a deal the selection left out: its samples gather in a run after the last group's, which is
/// never read. A slice, not a closure: the size-tuned build calls a closure per sample.
fn spreads(
    samples: &[(u32, i64)],
    group_of: &[u32],
    groups: usize,
    flat: &mut Vec<i64>,
) -> Vec<Spread> {
    // Slices, not `Vec`s, are indexed below: see `Columns::new`.
    let mut starts: Box<[u32]> = vec![0u32; groups + 2].into();
    for &(deal, _) in samples {
        starts[group_of[deal as usize] as usize + 1] += 1;
    }
    for g in 0..=groups {
        starts[g + 1] += starts[g];
    }
    let mut fill = starts.clone();
    // Every place is written below, so what the buffer held before need not be cleared.
    flat.resize(flat.len().max(samples.len()), 0);
    let flat = &mut flat.as_mut_slice()[..samples.len()];
    for &(deal, ms) in samples {
        let slot = &mut fill[group_of[deal as usize] as usize];
        flat[*slot as usize] = ms;
        *slot += 1;
    }
    (0..groups)
        .map(|g| {
            let run = &mut flat[starts[g] as usize..starts[g + 1] as usize];
            let (median, p90) = median_and_p90(run);
            Spread {
                count: run.len() as u32,
                median,
                p90,
            }
        })
        .collect()
}

/// Dwell and sales cycle of every group from the pass's samples.
fn dwell_and_cycles(
    samples: &Samples,
    group_of: &[u32],
    groups: usize,
    flat: &mut Vec<i64>,
) -> Vec<([StageDwell; 4], SalesCycle)> {
    let stays: Vec<Vec<Spread>> = samples
        .stays
        .iter()
        .map(|stage| spreads(stage, group_of, groups, flat))
        .collect();
    let cycles = spreads(&samples.cycles, group_of, groups, flat);
    (0..groups)
        .map(|g| {
            let dwell = Stage::OPEN.map(|stage| {
                let spread = stays[stage as usize][g];
                StageDwell {
                    stage,
                    stays: spread.count,
                    median_days: spread.median.map(days),
                    p90_days: spread.p90.map(days),
                }
            });
            let cycle = SalesCycle {
                won: cycles[g].count,
                median_days: cycles[g].median.map(days),
                p90_days: cycles[g].p90.map(days),
            };
            (dwell, cycle)
        })
        .collect()
}

/// The groups that kept a deal, with their figures, most won amount first.
fn finish_groups(
    accs: Box<[Acc]>,
    keys: &[String],
    group_of: &[u32],
    samples: &Samples,
    (query, frame): (&FunnelQuery, &Frame),
    flat: &mut Vec<i64>,
) -> Vec<GroupFigures> {
    if accs.is_empty() {
        return Vec::new();
    }
    let spread = dwell_and_cycles(samples, group_of, accs.len(), flat);
    let mut groups: Vec<GroupFigures> = accs
        .into_vec()
        .into_iter()
        .zip(spread)
        .zip(keys)
        .filter(|((acc, _), _)| acc.deals > 0)
        .map(|((acc, (dwell, cycle)), key)| GroupFigures {
            key: key.clone(),
            figures: acc.finish(query, frame, dwell, cycle),
        })
        .collect();
    groups.sort_unstable_by(|a, b| {
        let won = |g: &GroupFigures| g.figures.snapshot.won.amount;
        won(b).cmp(&won(a)).then_with(|| a.key.cmp(&b.key))
    });
    groups
}

/// An open deal at the cut, waiting for the stages' limits to be known.
struct Candidate {
    deal: u32,
    stage: u8,
    dwell: i64,
}

struct Run {
    whole: FunnelFigures,
    owners: Vec<GroupFigures>,
    units: Vec<GroupFigures>,
    previous: Option<FunnelFigures>,
}

/// The open deal, if it is stalled: beyond the company's limit for its stage, or the stage's p90.
fn stall(
    c: &Candidate,
    amount: i64,
    limits: &[Option<(f64, StallLimit)>; 4],
) -> Option<StalledDeal> {
    let stage = usize::from(c.stage);
    let (limit_days, limit) = limits[stage]?;
    let dwell_days = days(c.dwell as f64);
    (dwell_days > limit_days).then(|| StalledDeal {
        deal: c.deal as usize,
        stage: Stage::OPEN[stage],
        amount,
        dwell_days,
        limit_days,
        limit,
    })
}

fn stall_limits(query: &FunnelQuery, dwell: &[StageDwell; 4]) -> [Option<(f64, StallLimit)>; 4] {
    let company = query.settings.stall_limit_days.to_array();
    [0, 1, 2, 3].map(|s| match company[s] {
        Some(limit) => Some((f64::from(limit), StallLimit::Company)),
        None => dwell[s].p90_days.map(|p90| (p90, StallLimit::Percentile90)),
    })
}

/// The stalled deals among the candidates, longest overdue first, then by deal: a total order, so any
/// group's share of the list is in the same order.
fn stalled_of<'a>(
    source: &impl Source,
    candidates: impl Iterator<Item = &'a Candidate>,
    limits: &[Option<(f64, StallLimit)>; 4],
) -> Vec<StalledDeal> {
    let stalled: Vec<StalledDeal> = candidates
        .filter_map(|c| stall(c, source.amount(c.deal as usize), limits))
        .collect();
    // Sorted as plain integers: the overdue time's total order (as `f64::total_cmp`), inverted for
    // longest first, above the position in `stalled`, which is in deal order.
    let mut keys: Vec<u128> = stalled
        .iter()
        .enumerate()
        .map(|(at, d)| {
            let bits = (d.dwell_days - d.limit_days).to_bits();
            let ordered = if bits >> 63 == 1 {
                !bits
            } else {
                bits | 1 << 63
            };
            u128::from(!ordered) << 64 | at as u128
        })
        .collect();
    keys.sort_unstable();
    keys.iter()
        .map(|&key| stalled[key as u64 as usize])
        .collect()
}

fn open_at_cut(deal: usize, walk: &Walk, frame: &Frame) -> Option<Candidate> {
    let at = walk.at_cut?;
    Some(Candidate {
        deal: deal as u32,
        stage: at.stage.open_index()? as u8,
        dwell: frame.cut - at.entered_at,
    })
}

/// The whole selection's dwell and cycle from the pass's samples; `left_out` is 0 for each deal the
/// selection keeps and 1 for the others.
fn whole_spread(
    samples: &Samples,
    left_out: &[u32],
    flat: &mut Vec<i64>,
) -> ([StageDwell; 4], SalesCycle) {
    dwell_and_cycles(samples, left_out, 1, flat)
        .pop()
        .expect("one group")
}

/// The half of a report that reads the deals' histories: each deal, read once for the query's period
/// and the one before, and the stays, sales cycles and open deals the figures are made of. A page
/// keeps it while the deals and the query stand ([`FunnelPass::serves`]), and each filter change only
/// sums it ([`DealTable::report_of`]).
pub struct FunnelPass {
    query: FunnelQuery,
    want: Want,
    previous: bool,
    /// The length of the table it read: a pass sums only over the same deals.
    deals: usize,
    walked: Vec<Walked>,
    samples: Samples,
    candidates: Vec<Candidate>,
    before_samples: Samples,
    before_candidates: Vec<Candidate>,
}

/// How long a pass stands for "now": a filter change within this time of the pass sums it as it is,
/// so the figures a page shows are as of at most a quarter of an hour ago, or of its last change of
/// the deals, the period or the settings, whichever is later. With no change of the deals, a later
/// "now" only lengthens the stays still running; durations show in days to one decimal (2.4 hours),
/// which a quarter of an hour moves only at a rounding edge.
pub const PASS_STANDS_MS: i64 = 15 * 60_000;

impl FunnelPass {
    /// The query the pass read the deals for; its `now_ms` is the instant the figures are as of.
    pub fn query(&self) -> &FunnelQuery {
        &self.query
    }

    /// Whether summing this pass answers `query`: the same period and settings, and `query`'s now at
    /// most [`PASS_STANDS_MS`] after the pass's.
    pub fn serves(&self, query: &FunnelQuery) -> bool {
        self.query.period == query.period
            && self.query.settings == query.settings
            && (0..PASS_STANDS_MS).contains(&(query.now_ms - self.query.now_ms))
    }
}

fn previous_query(query: &FunnelQuery) -> FunnelQuery {
    FunnelQuery {
        period: query.period.previous(),
        ..*query
    }
}

/// Reads the history of every deal `keep` selects, once; with `previous`, for the previous period as
/// well in the same loop, while each deal is in cache.
fn walk_deals(
    source: &impl Source,
    keep: impl Fn(usize) -> bool,
    query: &FunnelQuery,
    want: Want,
    previous: bool,
) -> FunnelPass {
    let frame = Frame::new(query);
    let before_frame = Frame::new(&previous_query(query));
    let mut walked = Vec::with_capacity(source.len());
    let mut samples = Samples::with_room(source.len(), want);
    let mut candidates = Vec::with_capacity(if want.stalled { source.len() } else { 0 });
    let room = if previous { source.len() } else { 0 };
    let mut before_samples = Samples::with_room(room, Want::ALL);
    let mut before_candidates = Vec::with_capacity(room);
    for i in 0..source.len() {
        let history = source.history(i);
        if history.is_empty() || !keep(i) {
            continue;
        }
        let (walk, before_walk) = walk(history, &frame, &before_frame);
        walked.push(Walked {
            deal: i as u32,
            reached: walk.passed,
            now: Reading::of(&walk, &frame),
            before: Reading::of(&before_walk, &before_frame),
        });
        samples.gather(i, history, &walk, &frame, want);
        if let Some(c) = open_at_cut(i, &walk, &frame).filter(|_| want.stalled) {
            candidates.push(c);
        }
        if previous {
            before_samples.gather(i, history, &before_walk, &before_frame, Want::ALL);
            if let Some(c) = open_at_cut(i, &before_walk, &before_frame) {
                before_candidates.push(c);
            }
        }
    }
    FunnelPass {
        query: *query,
        want,
        previous,
        deals: source.len(),
        walked,
        samples,
        candidates,
        before_samples,
        before_candidates,
    }
}

/// The figures of the pass's deals that `keep` selects, for the whole selection, each owner and unit
/// and the previous period, as the pass wants them.
fn sum(source: &impl Source, pass: &FunnelPass, keep: impl Fn(usize) -> bool) -> Run {
    debug_assert_eq!(pass.deals, source.len(), "a pass sums the deals it read");
    let (query, want) = (&pass.query, pass.want);
    let frame = Frame::new(query);
    let before_query = previous_query(query);
    let before_frame = Frame::new(&before_query);
    let groups = |wanted: bool, keys: &[String]| -> Box<[Acc]> {
        let count = if wanted { keys.len() } else { 0 };
        (0..count).map(|_| Acc::default()).collect()
    };
    let mut whole = Acc::default();
    let mut owners = groups(want.owners, source.owner_keys());
    let mut units = groups(want.units, source.unit_keys());
    let mut before = Acc::default();
    // The deals the selection keeps, and each one's owner and unit number (a left-out deal's is
    // the number after the last), for the selection's share of the samples and open deals below.
    let mut left_out: Box<[u32]> = vec![1; source.len()].into();
    let mut kept = 0;
    let numbers = |groups: &[Acc]| -> Box<[u32]> {
        let count = if groups.is_empty() { 0 } else { source.len() };
        vec![groups.len() as u32; count].into()
    };
    let (mut owner_of, mut unit_of) = (numbers(&owners), numbers(&units));
    for w in &pass.walked {
        let i = w.deal as usize;
        if !keep(i) {
            continue;
        }
        left_out[i] = 0;
        kept += 1;
        let facts = Facts {
            amount: source.amount(i),
            close_month: source.close_month(i),
            reason: source.reason(i),
        };
        // With owners wanted, the whole is their sum (every deal has one owner), made after the
        // loop rather than added to per deal.
        if want.owners {
            let owner = source.owner(i);
            owner_of[i] = owner as u32;
            owners[owner].add(&facts, w.now, w.reached, &frame, want);
        } else {
            whole.add(&facts, w.now, w.reached, &frame, want);
        }
        if want.units {
            let unit = source.unit(i);
            unit_of[i] = unit as u32;
            units[unit].add(&facts, w.now, w.reached, &frame, want);
        }
        if pass.previous {
            before.add(&facts, w.before, w.reached, &before_frame, Want::ALL);
        }
    }
    for owner in owners.iter() {
        whole.merge(owner);
    }
    // A narrow selection picks out its own samples in one pass, rather than have each layout below
    // read all of the pass's and set the others aside.
    let narrow = kept * 2 < pass.walked.len();
    let own = |samples: &Samples| narrow.then(|| samples.kept(&left_out));
    let (samples, before_samples) = (own(&pass.samples), own(&pass.before_samples));
    let samples = samples.as_ref().unwrap_or(&pass.samples);
    let before_samples = before_samples.as_ref().unwrap_or(&pass.before_samples);
    let mut flat = Vec::new();
    let (dwell, cycle) = whole_spread(samples, &left_out, &mut flat);
    if want.stalled {
        let candidates = pass
            .candidates
            .iter()
            .filter(|c| left_out[c.deal as usize] == 0);
        whole.stalled = stalled_of(source, candidates, &stall_limits(query, &dwell));
        // A group's stalled deals are its share of the whole list, which is already in order.
        for s in &whole.stalled {
            if want.owners {
                owners[source.owner(s.deal)].stalled.push(*s);
            }
            if want.units {
                units[source.unit(s.deal)].stalled.push(*s);
            }
        }
    }
    let previous = pass.previous.then(|| {
        let (dwell, cycle) = whole_spread(before_samples, &left_out, &mut flat);
        let limits = stall_limits(&before_query, &dwell);
        let candidates = pass
            .before_candidates
            .iter()
            .filter(|c| left_out[c.deal as usize] == 0);
        before.stalled = stalled_of(source, candidates, &limits);
        before.finish(&before_query, &before_frame, dwell, cycle)
    });
    let owners = finish_groups(
        owners,
        source.owner_keys(),
        &owner_of,
        samples,
        (query, &frame),
        &mut flat,
    );
    let units = finish_groups(
        units,
        source.unit_keys(),
        &unit_of,
        samples,
        (query, &frame),
        &mut flat,
    );
    Run {
        whole: whole.finish(query, &frame, dwell, cycle),
        owners,
        units,
        previous,
    }
}

/// One pass over the selected deals, summed.
fn run(
    source: &impl Source,
    keep: impl Fn(usize) -> bool,
    query: &FunnelQuery,
    want: Want,
    previous: bool,
) -> Run {
    sum(
        source,
        &walk_deals(source, keep, query, want, previous),
        |_| true,
    )
}

/// What each measure gathers.
const SNAPSHOT: Want = Want::NONE;
const CONVERSION: Want = Want {
    conversion: true,
    ..Want::NONE
};
const DWELL: Want = Want {
    stays: true,
    ..Want::NONE
};
const CYCLE: Want = Want {
    cycle: true,
    ..Want::NONE
};
const STALLED: Want = Want {
    stays: true,
    stalled: true,
    ..Want::NONE
};
const FORECAST: Want = Want {
    forecast: true,
    ..Want::NONE
};
const OWNERS: Want = Want {
    owners: true,
    ..Want::ALL
};
const UNITS: Want = Want {
    units: true,
    ..Want::ALL
};
const REPORT: Want = Want {
    owners: true,
    units: true,
    ..Want::ALL
};

fn into_report(run: Run) -> FunnelReport {
    let previous = run.previous.expect("asked for the previous period");
    FunnelReport {
        comparison: PeriodComparison {
            current: run.whole.headline(),
            previous: previous.headline(),
        },
        current: run.whole,
        previous,
        by_owner: run.owners,
        by_unit: run.units,
    }
}

/// A plain slice for the questions without groups; laid out in columns for those with.
fn over(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery, want: Want) -> Run {
    let keep = |i: usize| keep(&deals[i]);
    if want.owners || want.units {
        run(&Columns::new(deals), keep, query, want, false)
    } else {
        run(&Plain(deals), keep, query, want, false)
    }
}

/// Every figure for the deals `keep` selects, in the query's period (see the module doc for what
/// counts). Stalled deals are indices into `deals`.
pub fn figures(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> FunnelFigures {
    over(deals, keep, query, Want::ALL).whole
}

/// The funnel page in one call: the figures, the previous period's, and the per-owner and per-unit
/// ranking. Lays the deals out first; a page asking again after each filter change keeps a
/// [`DealTable`] instead.
pub fn report(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> FunnelReport {
    let keep = |i: usize| keep(&deals[i]);
    into_report(run(&Columns::new(deals), keep, query, REPORT, true))
}

/// 漏斗快照: the open pipeline at the cut and the deals won and lost within the period.
pub fn snapshot(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> FunnelSnapshot {
    over(deals, keep, query, SNAPSHOT).whole.snapshot
}

/// 转化率: step conversion into 比较, 谈判, 确定, 赢单, and conversion from the first stage.
pub fn conversion(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> [StageConversion; 4] {
    over(deals, keep, query, CONVERSION).whole.conversion
}

/// 停留时间: median and 90th-percentile days per open stage.
pub fn dwell(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> [StageDwell; 4] {
    over(deals, keep, query, DWELL).whole.dwell
}

/// 销售周期 of the deals won within the period.
pub fn sales_cycle(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> SalesCycle {
    over(deals, keep, query, CYCLE).whole.cycle
}

/// 停滞商机 at the cut, longest overdue first.
pub fn stalled(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> Vec<StalledDeal> {
    over(deals, keep, query, STALLED).whole.stalled
}

/// 加权预测 of the open pipeline at the cut, by expected-close month.
pub fn forecast(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> Forecast {
    over(deals, keep, query, FORECAST).whole.forecast
}

/// 赢单率 and 输单原因 over the deals won or lost within the period.
pub fn win_loss(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> WinLoss {
    over(deals, keep, query, SNAPSHOT).whole.win_loss
}

/// Every figure per owner (负责人), most won amount first.
pub fn by_owner(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> Vec<GroupFigures> {
    over(deals, keep, query, OWNERS).owners
}

/// Every figure per org unit (所属组织), most won amount first.
pub fn by_unit(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> Vec<GroupFigures> {
    over(deals, keep, query, UNITS).units
}

/// The same measures over the table's columns; `keep` and the stalled deals' indices refer to
/// [`DealTable::deals`].
impl DealTable {
    fn run(
        &self,
        keep: impl Fn(&Deal) -> bool,
        query: &FunnelQuery,
        want: Want,
        previous: bool,
    ) -> Run {
        let deals = self.deals();
        run(self.columns(), |i| keep(&deals[i]), query, want, previous)
    }

    /// As [`report`].
    pub fn report(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> FunnelReport {
        into_report(self.run(keep, query, REPORT, true))
    }

    /// Reads every deal's history for the query, for [`DealTable::report_of`].
    pub fn pass(&self, query: &FunnelQuery) -> FunnelPass {
        walk_deals(self.columns(), |_| true, query, REPORT, true)
    }

    /// As [`report`] for the pass's query, from a pass over this table: the same report as
    /// `self.report(keep, pass.query())`, without reading the histories again.
    pub fn report_of(&self, pass: &FunnelPass, keep: impl Fn(&Deal) -> bool) -> FunnelReport {
        let deals = self.deals();
        into_report(sum(self.columns(), pass, |i| keep(&deals[i])))
    }

    /// As [`figures`].
    pub fn figures(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> FunnelFigures {
        self.run(keep, query, Want::ALL, false).whole
    }

    /// As [`snapshot`].
    pub fn snapshot(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> FunnelSnapshot {
        self.run(keep, query, SNAPSHOT, false).whole.snapshot
    }

    /// As [`conversion`].
    pub fn conversion(
        &self,
        keep: impl Fn(&Deal) -> bool,
        query: &FunnelQuery,
    ) -> [StageConversion; 4] {
        self.run(keep, query, CONVERSION, false).whole.conversion
    }

    /// As [`dwell`].
    pub fn dwell(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> [StageDwell; 4] {
        self.run(keep, query, DWELL, false).whole.dwell
    }

    /// As [`sales_cycle`].
    pub fn sales_cycle(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> SalesCycle {
        self.run(keep, query, CYCLE, false).whole.cycle
    }

    /// As [`stalled`].
    pub fn stalled(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> Vec<StalledDeal> {
        self.run(keep, query, STALLED, false).whole.stalled
    }

    /// As [`forecast`].
    pub fn forecast(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> Forecast {
        self.run(keep, query, FORECAST, false).whole.forecast
    }

    /// As [`win_loss`].
    pub fn win_loss(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> WinLoss {
        self.run(keep, query, SNAPSHOT, false).whole.win_loss
    }

    /// As [`by_owner`].
    pub fn by_owner(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> Vec<GroupFigures> {
        self.run(keep, query, OWNERS, false).owners
    }

    /// As [`by_unit`].
    pub fn by_unit(&self, keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> Vec<GroupFigures> {
        self.run(keep, query, UNITS, false).units
    }
}
