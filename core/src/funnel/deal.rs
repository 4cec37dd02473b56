//! The deal as the funnel sees it: an opportunity record's fields read once into plain data.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{LostReason, Stage};
use crate::records::{Opportunity, UnreadableField};
use crate::time::{Datelike, NaiveDate};

/// One entry of the stage history (阶段历史): the stage entered and when, in ms since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageEntry {
    pub stage: Stage,
    pub entered_at: i64,
}

/// A 销售机会 reduced to what the analytics read.
///
/// `history` is in time order and its last entry is the current stage; a deal without history takes
/// part in no figure. Closing times are the won/lost entries' times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deal {
    pub id: String,
    pub owner_id: String,
    pub unit_id: String,
    pub customer_id: String,
    /// 预计金额 in 分.
    pub amount: i64,
    pub history: Vec<StageEntry>,
    /// 预计成交日期.
    pub expected_close: Option<NaiveDate>,
    pub lost_reason: Option<LostReason>,
    pub product_ids: Vec<String>,
}

/// Why a record could not be read as a deal; the field named is the one to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DealError {
    /// `stage` is missing or not a known stage.
    Stage,
    /// Another required field of the opportunity (customer, owner, unit, name) is missing or invalid.
    Unreadable(UnreadableField),
    /// `stage_history` is missing, empty, or has an entry without a known stage and a valid instant.
    StageHistory,
    /// The last history entry is not the current stage, and no closing time says when it was entered.
    HistoryBehindStage,
}

impl fmt::Display for DealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DealError::Stage => f.write_str("stage is missing or unknown"),
            DealError::Unreadable(field) => field.fmt(f),
            DealError::StageHistory => {
                f.write_str("stage_history is missing or has an invalid entry")
            }
            DealError::HistoryBehindStage => {
                f.write_str("stage_history does not end in the current stage")
            }
        }
    }
}

impl std::error::Error for DealError {}

impl Deal {
    /// Reads an opportunity record's fields as the sync layer stores them. The history is put in time
    /// order; a closed deal whose history lacks the closing entry gets it at `won_at`/`closed_at`.
    pub fn from_fields(id: &str, fields: &Map<String, Value>) -> Result<Deal, DealError> {
        let record = Opportunity::from_fields(fields).map_err(|unreadable| match unreadable {
            UnreadableField("stage") => DealError::Stage,
            other => DealError::Unreadable(other),
        })?;
        Deal::from_opportunity(id, record)
    }

    /// The deal of an opportunity already read as a typed record.
    pub fn from_opportunity(id: &str, record: Opportunity) -> Result<Deal, DealError> {
        let mut history: Vec<StageEntry> = record
            .stage_history
            .ok_or(DealError::StageHistory)?
            .into_iter()
            .map(|entry| StageEntry {
                stage: entry.stage,
                entered_at: entry.entered_at.timestamp_millis(),
            })
            .collect();
        history.sort_by_key(|e| e.entered_at);
        let stage = record.stage;
        let closed_at = match stage {
            Stage::Won => record.won_at.or(record.closed_at),
            Stage::Lost => record.closed_at,
            _ => None,
        }
        .map(|at| at.timestamp_millis());
        match (history.last(), closed_at) {
            (Some(last), _) if last.stage == stage => {}
            (last, Some(at)) if last.is_none_or(|l| l.entered_at <= at) => {
                history.push(StageEntry {
                    stage,
                    entered_at: at,
                })
            }
            (None, _) => return Err(DealError::StageHistory),
            _ => return Err(DealError::HistoryBehindStage),
        }
        Ok(Deal {
            id: id.to_owned(),
            owner_id: record.owner_id,
            unit_id: record.unit_id,
            customer_id: record.customer_id,
            amount: record.amount.unwrap_or(0),
            history,
            expected_close: record.expected_close,
            lost_reason: record.lost_reason,
            product_ids: record
                .product_lines
                .unwrap_or_default()
                .into_iter()
                .map(|line| line.product_id)
                .collect(),
        })
    }

    /// The current stage: the last history entry's.
    pub fn stage(&self) -> Option<Stage> {
        self.history.last().map(|e| e.stage)
    }

    /// The expected-close month as `year * 12 + month - 1`, the forecast's bucket key.
    pub(crate) fn close_month(&self) -> Option<i32> {
        self.expected_close
            .map(|day| day.year() * 12 + day.month0() as i32)
    }

    /// When the deal entered the funnel: its first history entry.
    pub fn created_at(&self) -> Option<i64> {
        self.history.first().map(|e| e.entered_at)
    }
}
