//! 合同 as a typed record.

use super::record;
use crate::time::NaiveDate;

record! {
    /// 合同: a contract with a customer.
    pub struct Contract {
        customer_id: String,
        owner_id: String,
        unit_id: String,
        opportunity_id: Option<String>,
        contract_no: String,
        title: String,
        signed_on: Option<NaiveDate>,
        starts_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
        /// 合同金额 in 分.
        amount: Option<i64>,
        /// CNY, USD or EUR.
        currency: Option<String>,
        /// draft, active, expired or terminated.
        status: String,
        notes: Option<String>,
    }
}
