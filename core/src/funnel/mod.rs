//! 销售漏斗 analytics: conversion, dwell, sales cycle, stalled deals and the weighted forecast, over plain deals.
//!
//! Everything here is a plain function of a slice of [`Deal`]s, a [`FunnelQuery`] (period, the current
//! instant and the company's [`FunnelSettings`]) and a selection closure; no clock, no I/O. A page that
//! asks again after every filter change keeps a [`DealTable`], which answers the same from columns.
//!
//! # What counts in a period
//! A period is half-open, `[start, end)`. Its *cut* is the earlier of its end and now: anything after the
//! cut has not happened yet as far as the period is concerned. A deal's state at an instant is the stage
//! of its last stage-history entry before that instant. All times come from the stage history.
//!
//! - **Snapshot (漏斗快照)**: the open pipeline (了解/比较/谈判/确定) is every deal whose state at the cut
//!   is that stage; 赢单/输单 are the deals whose state at the cut is won/lost and that entered it within
//!   the period. Amounts are the deals' current amounts. The stages add up to the snapshot's total.
//! - **Step conversion (阶段转化率)** from stage n to n+1: of the deals that reached stage n within the
//!   period (cohort by entry), the share that has reached n+1 by now, however long it took. A deal that
//!   skips a stage (了解 → 谈判) has passed the stages it skipped, at the time it entered the later one,
//!   so no conversion exceeds 100%. 输单 is not a step: a lost deal passed the stages it reached.
//! - **Conversion from the first stage**: of the deals that entered the funnel within the period, the
//!   share that has reached each later stage (赢单 included) by now.
//! - **Win rate (赢单率)**: won ÷ (won + lost) over the deals won or lost within the period.
//! - **Dwell (停留时间)** per open stage: every stay in the stage that ended within the period, and every
//!   stay still running at the cut, counted up to the cut. A deal that comes back to a stage has one
//!   stay per visit. Median and 90th percentile as Excel's `MEDIAN`/`PERCENTILE.INC` compute them.
//! - **Sales cycle (销售周期)**: for the deals won within the period, the time from the first stage-history
//!   entry (created) to the won entry; median and 90th percentile.
//! - **Stalled deals (停滞)**: deals open at the cut whose running stay in their stage is longer than the
//!   company's limit for that stage, or, where the company set none, longer than that stage's 90th
//!   percentile dwell in the same figures (the whole selection's, also for a single owner or unit).
//! - **Weighted forecast (加权预测)**: the open pipeline at the cut, each deal's amount times the company's
//!   probability for its stage, rounded to the 分 per deal, summed by expected-close month; deals without
//!   an expected close date form their own bucket. Months plus that bucket add up to the weighted total.
//! - **Win/loss by reason (赢输单原因)**: the won and lost deals of the snapshot, lost ones by reason.
//! - **Per owner and per org unit**: the same figures for each owner's (unit's) deals; every count and
//!   amount adds up to the whole selection's.
//! - **Comparison**: the same figures for the period of the same length immediately before.
//!
//! Rates are [`Ratio`]s (part and whole) whose [`Ratio::rate`] is an `f64` in `0.0..=1.0`; durations are
//! days as `f64`; money is `i64` 分.

mod deal;
mod engine;
mod figures;
mod layout;
mod settings;
mod stats;
mod table;

pub use crate::domain::{LostReason, Stage};
pub use deal::{Deal, DealError, StageEntry};
pub use engine::{
    by_owner, by_unit, conversion, dwell, figures, forecast, report, sales_cycle, snapshot,
    stalled, win_loss, FunnelPass, PASS_STANDS_MS,
};
pub use figures::{
    Forecast, ForecastMonth, FunnelFigures, FunnelReport, FunnelSnapshot, GroupFigures, Headline,
    PeriodComparison, Ratio, ReasonTally, SalesCycle, StageConversion, StageDwell, StallLimit,
    StalledDeal, Tally, WinLoss,
};
pub(crate) use layout::fit_line;
pub use layout::{
    layout_funnel, text_width, BandInput, BandShape, FunnelLayout, LabelOf, LayoutSpec,
    PlacedLabel, Rect, MIN_BAND,
};
pub use stats::{percentile_inc, DAY_MS};
pub use table::DealTable;

use serde::{Deserialize, Serialize};

/// What the funnel adds to the domain's stage: which stages are open and how far along each is.
impl Stage {
    /// The open stages, where a deal dwells and can stall.
    pub const OPEN: [Stage; 4] = [
        Stage::Aware,
        Stage::Compare,
        Stage::Negotiate,
        Stage::Commit,
    ];

    /// Position among the open stages (了解 0 … 确定 3), `None` when closed.
    #[inline(always)]
    pub fn open_index(self) -> Option<usize> {
        match self {
            Stage::Won | Stage::Lost => None,
            open => Some(open as usize),
        }
    }

    /// How far along the funnel the stage is (了解 0 … 赢单 4); 输单 is no step forward.
    #[inline(always)]
    pub(crate) fn rank(self) -> Option<usize> {
        match self {
            Stage::Lost => None,
            reached => Some(reached as usize),
        }
    }
}

/// A half-open span of time `[start_ms, end_ms)` in milliseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Period {
    pub fn new(start_ms: i64, end_ms: i64) -> Period {
        Period { start_ms, end_ms }
    }

    /// The period of the same length that ends where this one starts (上期), for comparison.
    pub fn previous(self) -> Period {
        let length = self.end_ms - self.start_ms;
        Period::new(self.start_ms - length, self.start_ms)
    }

    pub fn contains(self, ms: i64) -> bool {
        self.start_ms <= ms && ms < self.end_ms
    }

    /// The instant the period's figures are taken at: its end, or now if it has not ended yet.
    pub fn cut(self, now_ms: i64) -> i64 {
        self.end_ms.min(now_ms)
    }
}

/// One value per open stage; serialised by stage name so the company's settings read plainly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerStage<T> {
    pub aware: T,
    pub compare: T,
    pub negotiate: T,
    pub commit: T,
}

impl<T: Copy> PerStage<T> {
    /// The value of an open stage; `None` for 赢单/输单.
    pub fn get(&self, stage: Stage) -> Option<T> {
        match stage {
            Stage::Aware => Some(self.aware),
            Stage::Compare => Some(self.compare),
            Stage::Negotiate => Some(self.negotiate),
            Stage::Commit => Some(self.commit),
            Stage::Won | Stage::Lost => None,
        }
    }

    pub(crate) fn to_array(self) -> [T; 4] {
        [self.aware, self.compare, self.negotiate, self.commit]
    }
}

/// What the company decides about its funnel: win probability per stage for the weighted forecast
/// (赢单概率) and how long a deal may stay in a stage before it counts as stalled (停滞阈值).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunnelSettings {
    /// Percent, 0–100.
    pub probability_percent: PerStage<u8>,
    /// Whole days; without a limit a stage uses its 90th-percentile dwell.
    pub stall_limit_days: PerStage<Option<u32>>,
    /// What deals in other currencies count for in the funnel's amounts.
    pub rates: crate::money::Rates,
}

impl Default for FunnelSettings {
    fn default() -> Self {
        FunnelSettings {
            probability_percent: PerStage {
                aware: 10,
                compare: 25,
                negotiate: 50,
                commit: 80,
            },
            stall_limit_days: PerStage::default(),
            rates: crate::money::Rates::default(),
        }
    }
}

/// The question asked of the funnel: which period, what time it is now, and the company's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelQuery {
    pub period: Period,
    pub now_ms: i64,
    pub settings: FunnelSettings,
}
