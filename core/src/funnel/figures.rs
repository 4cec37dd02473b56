//! The figures the funnel answers with: plain, serialisable, and each able to say what it counts.

use serde::{Deserialize, Serialize};

use super::{LostReason, Period, Stage};

/// A number of deals and their amount in 分.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub count: u32,
    pub amount: i64,
}

impl Tally {
    #[inline(always)]
    pub(crate) fn add(&mut self, amount: i64) {
        self.count += 1;
        self.amount += amount;
    }

    pub(crate) fn merge(&mut self, other: Tally) {
        self.count += other.count;
        self.amount += other.amount;
    }
}

/// A share of deals: `part` of `whole`, with `part <= whole` always.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub part: u32,
    pub whole: u32,
}

impl Ratio {
    pub(crate) fn merge(&mut self, other: Ratio) {
        self.part += other.part;
        self.whole += other.whole;
    }

    /// The share in `0.0..=1.0`; `None` when there is nothing to share (the UI shows “—”).
    pub fn rate(self) -> Option<f64> {
        (self.whole > 0).then(|| f64::from(self.part) / f64::from(self.whole))
    }
}

/// 漏斗快照: the open pipeline at the cut by stage, and the deals won and lost within the period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelSnapshot {
    /// 了解, 比较, 谈判, 确定 in funnel order.
    pub open: [Tally; 4],
    pub won: Tally,
    pub lost: Tally,
}

impl FunnelSnapshot {
    pub fn stage(&self, stage: Stage) -> Tally {
        match stage.open_index() {
            Some(i) => self.open[i],
            None if stage == Stage::Won => self.won,
            None => self.lost,
        }
    }

    /// The open pipeline: every open stage together.
    pub fn pipeline(&self) -> Tally {
        let mut all = Tally::default();
        self.open.iter().for_each(|t| all.merge(*t));
        all
    }

    /// Every deal in the snapshot: pipeline, won and lost.
    pub fn total(&self) -> Tally {
        let mut all = self.pipeline();
        all.merge(self.won);
        all.merge(self.lost);
        all
    }
}

/// 阶段转化率 into `to` (比较, 谈判, 确定 or 赢单).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageConversion {
    pub from: Stage,
    pub to: Stage,
    /// Of the deals that reached `from` within the period, those that have reached `to` by now.
    pub step: Ratio,
    /// Of the deals that entered the funnel within the period, those that have reached `to` by now.
    pub from_first: Ratio,
}

/// 停留时间 in one open stage, over the stays that ended within the period or run at its cut.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageDwell {
    pub stage: Stage,
    pub stays: u32,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

/// 销售周期 of the deals won within the period, from entering the funnel to winning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SalesCycle {
    pub won: u32,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

/// Where a stall limit came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StallLimit {
    /// The company's limit for the stage (停滞阈值).
    Company,
    /// No limit set: the stage's 90th-percentile dwell.
    Percentile90,
}

/// 停滞商机: an open deal that has stayed in its stage longer than the stage's limit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StalledDeal {
    /// Index of the deal in the slice given to the analytics.
    pub deal: usize,
    pub stage: Stage,
    pub amount: i64,
    pub dwell_days: f64,
    pub limit_days: f64,
    pub limit: StallLimit,
}

/// Open deals expected to close in one month (or without a date), and their weighted amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastMonth {
    pub year: i32,
    /// 1–12; 0 for the bucket of deals without an expected close date.
    pub month: u32,
    pub count: u32,
    pub amount: i64,
    /// Σ amount × stage probability, rounded to the 分 per deal.
    pub weighted: i64,
}

/// 加权预测 by expected-close month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// Months with at least one deal, in calendar order (past months are overdue deals).
    pub months: Vec<ForecastMonth>,
    /// Open deals without an expected close date.
    pub undated: ForecastMonth,
    /// Σ of every month and the undated bucket.
    pub weighted: i64,
    pub amount: i64,
}

/// Lost deals with one reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonTally {
    /// `None` for lost deals recorded without a reason.
    pub reason: Option<LostReason>,
    pub count: u32,
    pub amount: i64,
}

/// 赢单率 and 输单原因 over the deals won or lost within the period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinLoss {
    pub won: Tally,
    pub lost: Tally,
    /// Won ÷ (won + lost), by count.
    pub win_rate: Ratio,
    /// Most lost deals first; reasons with none are left out.
    pub by_reason: Vec<ReasonTally>,
}

impl WinLoss {
    /// Won ÷ (won + lost), by amount.
    pub fn amount_win_rate(&self) -> Option<f64> {
        let whole = self.won.amount + self.lost.amount;
        (whole > 0).then(|| self.won.amount as f64 / whole as f64)
    }
}

/// Every figure of the funnel for one selection of deals and one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelFigures {
    pub period: Period,
    /// The instant the snapshot, dwell and stalls are taken at: the period end, or now.
    pub cut_ms: i64,
    pub snapshot: FunnelSnapshot,
    /// Into 比较, 谈判, 确定, 赢单.
    pub conversion: [StageConversion; 4],
    /// 了解, 比较, 谈判, 确定.
    pub dwell: [StageDwell; 4],
    pub cycle: SalesCycle,
    /// Longest overdue first (dwell beyond the limit).
    pub stalled: Vec<StalledDeal>,
    pub forecast: Forecast,
    pub win_loss: WinLoss,
}

impl FunnelFigures {
    /// The few numbers a dashboard compares between periods.
    pub fn headline(&self) -> Headline {
        Headline {
            pipeline: self.snapshot.pipeline(),
            weighted: self.forecast.weighted,
            won: self.snapshot.won,
            lost: self.snapshot.lost,
            win_rate: self.win_loss.win_rate,
            entered_to_won: self.conversion[3].from_first,
            median_cycle_days: self.cycle.median_days,
            stalled: self.stalled.len() as u32,
        }
    }
}

/// The headline numbers of one period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub pipeline: Tally,
    pub weighted: i64,
    pub won: Tally,
    pub lost: Tally,
    pub win_rate: Ratio,
    /// Deals that entered the funnel within the period and have been won since.
    pub entered_to_won: Ratio,
    pub median_cycle_days: Option<f64>,
    pub stalled: u32,
}

/// 环比: this period's headline beside the previous period's (same length, immediately before).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodComparison {
    pub current: Headline,
    pub previous: Headline,
}

impl PeriodComparison {
    /// Relative change of an amount or count, `(current - previous) / previous`; `None` from zero.
    pub fn change(current: i64, previous: i64) -> Option<f64> {
        (previous != 0).then(|| (current - previous) as f64 / previous as f64)
    }
}

/// The figures of one owner or org unit, for ranking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// The owner's user id or the org unit's id.
    pub key: String,
    pub figures: FunnelFigures,
}

/// Everything the funnel page shows: the selection's figures, the previous period's, and the ranking
/// by owner and by org unit (most won amount first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelReport {
    pub current: FunnelFigures,
    pub previous: FunnelFigures,
    pub comparison: PeriodComparison,
    pub by_owner: Vec<GroupFigures>,
    pub by_unit: Vec<GroupFigures>,
}
