//! 销售机会 as a typed record; the funnel reads it further into a `Deal`.

use super::record;
use crate::domain::{LostReason, Stage};
use crate::time::{DateTime, NaiveDate, Utc};

record! {
    /// 销售机会: a deal moving through the funnel.
    pub struct Opportunity {
        customer_id: String,
        owner_id: String,
        unit_id: String,
        name: String,
        /// 外部编号: its id in the company's old CRM.
        external_id: Option<String>,
        /// 预计金额 in 分.
        amount: Option<i64>,
        /// CNY, USD or EUR.
        currency: Option<String>,
        stage: Stage,
        /// As stored: not necessarily in time order (`Deal` sorts it).
        stage_history: Option<Vec<StageHistoryEntry>>,
        expected_close: Option<NaiveDate>,
        lost_reason: Option<LostReason>,
        lost_note: Option<String>,
        won_at: Option<DateTime<Utc>>,
        closed_at: Option<DateTime<Utc>>,
        product_lines: Option<Vec<ProductLine>>,
        /// How the deal came in: referral, exhibition, website…
        source: Option<String>,
        notes: Option<String>,
    }
}

record! {
    /// One entry of the stage history (阶段历史): the stage entered and when.
    pub struct StageHistoryEntry {
        stage: Stage,
        entered_at: DateTime<Utc>,
    }
}

record! {
    /// One product the deal is about (产品明细).
    pub struct ProductLine {
        product_id: String,
        quantity: i64,
        /// 单价 in 分; without it the product's list price applies.
        unit_price: Option<i64>,
    }
}
