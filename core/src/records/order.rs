//! 订单 as a typed record.

use super::record;
use crate::time::NaiveDate;

record! {
    /// 订单: a customer's order with its lines.
    pub struct Order {
        customer_id: String,
        owner_id: String,
        unit_id: String,
        opportunity_id: Option<String>,
        order_no: String,
        ordered_on: NaiveDate,
        /// draft, confirmed, shipped, delivered or cancelled.
        status: String,
        /// CNY, USD or EUR.
        currency: Option<String>,
        lines: Option<Vec<OrderLine>>,
        /// 订单金额 in 分, as agreed (not recomputed from the lines).
        total: Option<i64>,
        notes: Option<String>,
    }
}

record! {
    /// One line of an order (订单明细).
    pub struct OrderLine {
        product_id: String,
        quantity: i64,
        /// 单价 in 分.
        unit_price: i64,
        /// 折扣（%）.
        discount_percent: Option<u8>,
    }
}
