//! One pass over the deals feeds every figure, for the whole selection and each owner and unit at once.

use super::deal::{Deal, StageEntry};
use super::figures::*;
use super::stats::{median_and_p90, FxMap, DAY_MS};
use super::{FunnelQuery, LostReason, Stage};

/// Never reached: later than any instant.
const NEVER: i64 = i64::MAX;

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

    fn within(&self, at: i64) -> bool {
        self.start <= at && at < self.cut
    }
}

/// What one deal's history says for the frame.
struct Walk {
    /// When the deal first stood at 了解 or beyond, 比较 or beyond, … 赢单 (before now).
    reached: [i64; 5],
    /// The last entry before the cut: the deal's state there.
    at_cut: Option<StageEntry>,
}

fn walk(history: &[StageEntry], frame: &Frame) -> Walk {
    let mut reached = [NEVER; 5];
    let mut at_cut = None;
    for entry in history {
        if entry.entered_at >= frame.now {
            break;
        }
        if entry.entered_at < frame.cut {
            at_cut = Some(*entry);
        }
        if let Some(rank) = entry.stage.rank() {
            // A jump forward passes every stage before it, at the time of the jump.
            for slot in &mut reached[..=rank] {
                *slot = (*slot).min(entry.entered_at);
            }
        }
    }
    Walk { reached, at_cut }
}

/// Calls `visit(stage index, length)` for every stay in an open stage that ended within the frame or
/// runs at its cut (measured up to the cut).
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
    fn slot(&mut self, key: i32) -> &mut ForecastMonth {
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

/// The running sums of one selection (the whole, or one owner or unit).
#[derive(Default)]
struct Acc {
    snapshot: FunnelSnapshot,
    /// Lost deals by `LostReason` index; the last slot is “no reason recorded”.
    reasons: [Tally; 8],
    step: [Ratio; 4],
    from_first: [Ratio; 4],
    stays: [Vec<i64>; 4],
    cycles: Vec<i64>,
    months: Months,
    undated: ForecastMonth,
    stalled: Vec<StalledDeal>,
}

impl Acc {
    fn add(&mut self, deal: &Deal, walk: &Walk, frame: &Frame, want: Want) {
        if let Some(at) = walk.at_cut {
            match at.stage.open_index() {
                Some(stage) => {
                    self.snapshot.open[stage].add(deal.amount);
                    if want.forecast {
                        let weighted =
                            (deal.amount * frame.probability[stage] + 50).div_euclid(100);
                        let slot = match deal.expected_close {
                            Some((year, month, _)) => {
                                self.months.slot(year * 12 + month as i32 - 1)
                            }
                            None => &mut self.undated,
                        };
                        slot.count += 1;
                        slot.amount += deal.amount;
                        slot.weighted += weighted;
                    }
                }
                None if at.entered_at < frame.start => {}
                None if at.stage == Stage::Won => {
                    self.snapshot.won.add(deal.amount);
                    if want.cycle {
                        let created = deal.history[0].entered_at;
                        self.cycles.push((at.entered_at - created).max(0));
                    }
                }
                None => {
                    self.snapshot.lost.add(deal.amount);
                    let reason = deal.lost_reason.map_or(7, |r| r as usize);
                    self.reasons[reason].add(deal.amount);
                }
            }
        }
        if want.conversion {
            let reached = &walk.reached;
            for n in 0..4 {
                if frame.within(reached[n]) {
                    self.step[n].whole += 1;
                    self.step[n].part += u32::from(reached[n + 1] != NEVER);
                }
            }
            if frame.within(reached[0]) {
                for n in 0..4 {
                    self.from_first[n].whole += 1;
                    self.from_first[n].part += u32::from(reached[n + 1] != NEVER);
                }
            }
        }
        if want.stays {
            for_each_stay(&deal.history, frame, |stage, ms| self.stays[stage].push(ms));
        }
    }

    fn dwell(&mut self) -> [StageDwell; 4] {
        Stage::OPEN.map(|stage| {
            let samples = &mut self.stays[stage as usize];
            let (median, p90) = median_and_p90(samples);
            StageDwell {
                stage,
                stays: samples.len() as u32,
                median_days: median.map(days),
                p90_days: p90.map(days),
            }
        })
    }

    fn finish(
        mut self,
        query: &FunnelQuery,
        frame: &Frame,
        dwell: [StageDwell; 4],
    ) -> FunnelFigures {
        let (median, p90) = median_and_p90(&mut self.cycles);
        let cycle = SalesCycle {
            won: self.cycles.len() as u32,
            median_days: median.map(days),
            p90_days: p90.map(days),
        };
        self.stalled.sort_unstable_by(|a, b| {
            let over = |d: &StalledDeal| d.dwell_days - d.limit_days;
            over(b).total_cmp(&over(a)).then(a.deal.cmp(&b.deal))
        });
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

/// Deals grouped by a key borrowed from them, each group with its own sums.
#[derive(Default)]
struct Groups<'a> {
    index: FxMap<&'a str, u32>,
    keys: Vec<&'a str>,
    accs: Vec<Acc>,
}

impl<'a> Groups<'a> {
    fn slot(&mut self, key: &'a str) -> usize {
        let Groups { index, keys, accs } = self;
        *index.entry(key).or_insert_with(|| {
            keys.push(key);
            accs.push(Acc::default());
            keys.len() as u32 - 1
        }) as usize
    }

    fn finish(self, query: &FunnelQuery, frame: &Frame) -> Vec<GroupFigures> {
        let mut groups: Vec<GroupFigures> = self
            .keys
            .into_iter()
            .zip(self.accs)
            .map(|(key, mut acc)| {
                let dwell = acc.dwell();
                GroupFigures {
                    key: key.to_owned(),
                    figures: acc.finish(query, frame, dwell),
                }
            })
            .collect();
        groups.sort_unstable_by(|a, b| {
            let won = |g: &GroupFigures| g.figures.snapshot.won.amount;
            won(b).cmp(&won(a)).then_with(|| a.key.cmp(&b.key))
        });
        groups
    }
}

/// An open deal at the cut, waiting for the stages' limits to be known.
struct Candidate {
    deal: u32,
    owner: u32,
    unit: u32,
    stage: usize,
    dwell: i64,
    amount: i64,
}

struct Run {
    whole: FunnelFigures,
    owners: Vec<GroupFigures>,
    units: Vec<GroupFigures>,
    previous: Option<FunnelFigures>,
}

/// The open deal, if it is stalled: beyond the company's limit for its stage, or the stage's p90.
fn stall(c: &Candidate, limits: &[Option<(f64, StallLimit)>; 4]) -> Option<StalledDeal> {
    let (limit_days, limit) = limits[c.stage]?;
    let dwell_days = days(c.dwell as f64);
    (dwell_days > limit_days).then(|| StalledDeal {
        deal: c.deal as usize,
        stage: Stage::OPEN[c.stage],
        amount: c.amount,
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

fn open_at_cut(
    (i, deal): (usize, &Deal),
    walk: &Walk,
    frame: &Frame,
    owner: usize,
    unit: usize,
) -> Option<Candidate> {
    let at = walk.at_cut?;
    Some(Candidate {
        deal: i as u32,
        owner: owner as u32,
        unit: unit as u32,
        stage: at.stage.open_index()?,
        dwell: frame.cut - at.entered_at,
        amount: deal.amount,
    })
}

/// One pass over the selected deals; with `previous`, the previous period's figures (whole selection
/// only) are gathered in the same pass while each deal is in cache.
fn run(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
    want: Want,
    previous: bool,
) -> Run {
    let frame = Frame::new(query);
    let before_query = FunnelQuery {
        period: query.period.previous(),
        ..*query
    };
    let before_frame = Frame::new(&before_query);
    let mut whole = Acc::default();
    if want.stays {
        // Reserved, not touched: untouched pages cost nothing, and the vectors never move while filled.
        whole.stays = std::array::from_fn(|_| Vec::with_capacity(deals.len()));
    }
    let mut before = Acc::default();
    let mut owners = Groups::default();
    let mut units = Groups::default();
    let mut candidates = Vec::with_capacity(if want.stalled { deals.len() } else { 0 });
    let mut before_candidates = Vec::new();
    for (i, deal) in deals.iter().enumerate() {
        if deal.history.is_empty() || !keep(deal) {
            continue;
        }
        let walk = walk(&deal.history, &frame);
        whole.add(deal, &walk, &frame, want);
        let owner = if want.owners {
            let g = owners.slot(&deal.owner_id);
            owners.accs[g].add(deal, &walk, &frame, want);
            g
        } else {
            0
        };
        let unit = if want.units {
            let g = units.slot(&deal.unit_id);
            units.accs[g].add(deal, &walk, &frame, want);
            g
        } else {
            0
        };
        if want.stalled {
            candidates.extend(open_at_cut((i, deal), &walk, &frame, owner, unit));
        }
        if previous {
            let walk = self::walk(&deal.history, &before_frame);
            before.add(deal, &walk, &before_frame, Want::ALL);
            before_candidates.extend(open_at_cut((i, deal), &walk, &before_frame, 0, 0));
        }
    }
    let dwell = whole.dwell();
    if want.stalled {
        let limits = stall_limits(query, &dwell);
        for c in &candidates {
            let Some(stalled) = stall(c, &limits) else {
                continue;
            };
            whole.stalled.push(stalled);
            if want.owners {
                owners.accs[c.owner as usize].stalled.push(stalled);
            }
            if want.units {
                units.accs[c.unit as usize].stalled.push(stalled);
            }
        }
    }
    let previous = previous.then(|| {
        let dwell = before.dwell();
        let limits = stall_limits(&before_query, &dwell);
        before.stalled = before_candidates
            .iter()
            .filter_map(|c| stall(c, &limits))
            .collect();
        before.finish(&before_query, &before_frame, dwell)
    });
    Run {
        whole: whole.finish(query, &frame, dwell),
        owners: owners.finish(query, &frame),
        units: units.finish(query, &frame),
        previous,
    }
}

/// Every figure for the deals `keep` selects, in the query's period (see the module doc for what
/// counts). Stalled deals are indices into `deals`.
pub fn figures(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> FunnelFigures {
    run(deals, keep, query, Want::ALL, false).whole
}

/// The funnel page in one call: the figures, the previous period's, and the per-owner and per-unit
/// ranking.
pub fn report(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> FunnelReport {
    let all = Want {
        owners: true,
        units: true,
        ..Want::ALL
    };
    let run = run(deals, keep, query, all, true);
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

/// 漏斗快照: the open pipeline at the cut and the deals won and lost within the period.
pub fn snapshot(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> FunnelSnapshot {
    run(deals, keep, query, Want::NONE, false).whole.snapshot
}

/// 转化率: step conversion into 比较, 谈判, 确定, 赢单, and conversion from the first stage.
pub fn conversion(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> [StageConversion; 4] {
    let want = Want {
        conversion: true,
        ..Want::NONE
    };
    run(deals, keep, query, want, false).whole.conversion
}

/// 停留时间: median and 90th-percentile days per open stage.
pub fn dwell(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> [StageDwell; 4] {
    let want = Want {
        stays: true,
        ..Want::NONE
    };
    run(deals, keep, query, want, false).whole.dwell
}

/// 销售周期 of the deals won within the period.
pub fn sales_cycle(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> SalesCycle {
    let want = Want {
        cycle: true,
        ..Want::NONE
    };
    run(deals, keep, query, want, false).whole.cycle
}

/// 停滞商机 at the cut, longest overdue first.
pub fn stalled(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> Vec<StalledDeal> {
    let want = Want {
        stays: true,
        stalled: true,
        ..Want::NONE
    };
    run(deals, keep, query, want, false).whole.stalled
}

/// 加权预测 of the open pipeline at the cut, by expected-close month.
pub fn forecast(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> Forecast {
    let want = Want {
        forecast: true,
        ..Want::NONE
    };
    run(deals, keep, query, want, false).whole.forecast
}

/// 赢单率 and 输单原因 over the deals won or lost within the period.
pub fn win_loss(deals: &[Deal], keep: impl Fn(&Deal) -> bool, query: &FunnelQuery) -> WinLoss {
    run(deals, keep, query, Want::NONE, false).whole.win_loss
}

/// Every figure per owner (负责人), most won amount first.
pub fn by_owner(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> Vec<GroupFigures> {
    let want = Want {
        owners: true,
        ..Want::ALL
    };
    run(deals, keep, query, want, false).owners
}

/// Every figure per org unit (所属组织), most won amount first.
pub fn by_unit(
    deals: &[Deal],
    keep: impl Fn(&Deal) -> bool,
    query: &FunnelQuery,
) -> Vec<GroupFigures> {
    let want = Want {
        units: true,
        ..Want::ALL
    };
    run(deals, keep, query, want, false).units
}
