//! 目标 and 历史业绩 as typed records.

use super::record;
use crate::time::{DateTime, NaiveDate, Utc};

record! {
    /// 目标: one target of the top-down target system (目标责任体系).
    pub struct Target {
        /// year, quarter or month.
        period: String,
        period_start: NaiveDate,
        /// unit, user or dealer: which collection `subject_id` names.
        subject_kind: String,
        subject_id: String,
        /// sales_amount, order_count, new_customers, visits or opportunity_amount.
        metric: String,
        /// In the metric's unit: 分 for amounts, a count otherwise.
        value: i64,
        parent_id: Option<String>,
        unit_id: String,
        notes: Option<String>,
        /// draft, submitted or approved (`targets::approval::Breakdown`); absent: a draft.
        breakdown_status: Option<String>,
        breakdown_comment: Option<String>,
        breakdown_decided_at: Option<DateTime<Utc>>,
    }
}

record! {
    /// 历史业绩: one month's actual figure recorded outside the app.
    pub struct PastActual {
        /// unit, user or dealer: which collection `subject_id` names.
        subject_kind: String,
        subject_id: String,
        /// As a target's metric.
        metric: String,
        /// The first day of its month.
        month: NaiveDate,
        /// In the metric's unit: 分 for amounts, a count otherwise.
        value: i64,
        unit_id: String,
        source: Option<String>,
        notes: Option<String>,
    }
}
