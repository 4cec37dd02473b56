//! 售后服务 and 满意度调查 as typed records.

use super::record;
use crate::time::{DateTime, NaiveDate, Utc};

record! {
    /// 售后服务: a service ticket.
    pub struct Ticket {
        customer_id: String,
        owner_id: Option<String>,
        unit_id: String,
        /// complaint, repair, return, inquiry or other.
        kind: String,
        /// low, normal, high or urgent.
        priority: String,
        /// open, in_progress, waiting_customer, resolved or closed.
        status: String,
        title: String,
        description: Option<String>,
        opened_at: DateTime<Utc>,
        resolved_at: Option<DateTime<Utc>>,
        resolution: Option<String>,
    }
}

record! {
    /// 满意度调查: a customer satisfaction survey.
    pub struct Survey {
        customer_id: String,
        ticket_id: Option<String>,
        unit_id: String,
        surveyed_on: NaiveDate,
        /// 1–5.
        score: i64,
        /// 0–10.
        nps: Option<i64>,
        comments: Option<String>,
    }
}
