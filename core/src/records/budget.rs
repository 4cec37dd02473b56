//! 预算 and 费用 as typed records.

use super::record;
use crate::time::NaiveDate;

record! {
    /// 预算: a unit's budget for one cost item and period.
    pub struct Budget {
        unit_id: String,
        period_start: NaiveDate,
        period_end: NaiveDate,
        /// advertising, promotion, travel, samples, events, channel_support or other.
        cost_item: String,
        /// 预算金额 in 分.
        amount: i64,
        /// submitted, approved or rejected.
        status: Option<String>,
        plan_name: Option<String>,
        notes: Option<String>,
    }
}

record! {
    /// 费用: money spent against a budget.
    pub struct Expense {
        budget_id: String,
        unit_id: String,
        owner_id: String,
        spent_on: NaiveDate,
        /// 金额 in 分.
        amount: i64,
        /// As the budget's cost items.
        cost_item: String,
        /// submitted, approved or rejected.
        status: Option<String>,
        description: Option<String>,
        promotion_id: Option<String>,
        receipt_no: Option<String>,
    }
}
