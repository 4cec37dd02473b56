//! 客户, 联系人 and 拜访记录 as typed records.

use super::record;
use crate::time::{DateTime, NaiveDate, Utc};

record! {
    /// 客户: an end customer, dealer, distributor or retail store.
    pub struct Customer {
        name: String,
        /// 外部编号: its id in the company's old CRM or ERP.
        external_id: Option<String>,
        /// end_customer, dealer, distributor or retail_store.
        kind: String,
        /// A, B or C.
        tier: Option<String>,
        segment: Option<String>,
        region_unit_id: String,
        owner_id: String,
        address: Option<String>,
        city: Option<String>,
        phone: Option<String>,
        /// 信用额度 in 分.
        credit_limit: Option<i64>,
        parent_dealer_id: Option<String>,
        notes: Option<String>,
    }
}

record! {
    /// 联系人 of a customer.
    pub struct Contact {
        customer_id: String,
        name: String,
        title: Option<String>,
        phone: Option<String>,
        email: Option<String>,
        wechat: Option<String>,
        is_primary: Option<bool>,
        notes: Option<String>,
    }
}

record! {
    /// 拜访记录: a visit, call or meeting with a customer.
    pub struct Visit {
        customer_id: String,
        contact_id: Option<String>,
        owner_id: String,
        visited_at: DateTime<Utc>,
        /// visit, phone, wechat, email or meeting.
        channel: Option<String>,
        summary: Option<String>,
        next_step: Option<String>,
        next_visit_on: Option<NaiveDate>,
    }
}
