//! 日报 as a typed record.

use super::record;
use crate::time::NaiveDate;

record! {
    /// 日报: a field worker's daily report.
    pub struct DailyReport {
        author_id: String,
        unit_id: String,
        report_date: NaiveDate,
        visits_count: Option<i64>,
        calls_count: Option<i64>,
        new_opportunities: Option<i64>,
        summary: Option<String>,
        problems: Option<String>,
        plan_tomorrow: Option<String>,
        competitor_notes: Option<String>,
    }
}
