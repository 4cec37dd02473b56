//! 产品 as a typed record.

use super::record;

record! {
    /// 产品: one item of the catalogue.
    pub struct Product {
        sku: String,
        name: String,
        category: Option<String>,
        /// The unit it is sold in (箱, 台…).
        unit: Option<String>,
        /// 标准价 in 分.
        list_price: i64,
        /// 成本 in 分.
        cost: Option<i64>,
        active: Option<bool>,
    }
}
