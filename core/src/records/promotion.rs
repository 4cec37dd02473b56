//! 促销 and 促销执行报告 as typed records.

use super::record;
use crate::time::{DateTime, NaiveDate, Utc};

record! {
    /// 促销: a promotion in stores.
    pub struct Promotion {
        name: String,
        /// discount, gift, tasting, display, bundle, coupon or other.
        kind: String,
        unit_id: String,
        /// The retail stores (customers) it runs in.
        store_ids: Option<Vec<String>>,
        product_ids: Option<Vec<String>>,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        /// 促销预算 in 分.
        budget: Option<i64>,
        budget_lines: Option<Vec<BudgetLine>>,
        /// 目标提升 in percent over the baseline.
        goal_uplift_percent: Option<i64>,
        /// planned, approved, running, finished or cancelled.
        status: String,
        decision_comment: Option<String>,
        decided_at: Option<DateTime<Utc>>,
        promoter_ids: Option<Vec<String>>,
        promoter_shifts: Option<Vec<Shift>>,
        /// 基线日销售额 in 分: a store's daily sales before the promotion.
        baseline_daily_sales: Option<i64>,
        notes: Option<String>,
    }
}

record! {
    /// One line of a promotion's budget (预算明细).
    pub struct BudgetLine {
        /// materials, staff, venue, gifts, price_support, advertising or other.
        cost_item: String,
        /// 金额 in 分.
        amount: i64,
        note: Option<String>,
    }
}

record! {
    /// One promoter's day in one of the promotion's stores (促销员排班).
    pub struct Shift {
        day: NaiveDate,
        store_id: String,
        promoter_id: String,
    }
}

record! {
    /// 促销执行报告: a promoter's report of one store day.
    pub struct PromotionReport {
        promotion_id: String,
        store_id: String,
        promoter_id: String,
        report_date: NaiveDate,
        attendance: Option<Vec<Attendance>>,
        sales_lines: Option<Vec<SalesLine>>,
        /// 销售额 in 分.
        sales_amount: Option<i64>,
        units_sold: Option<i64>,
        customer_count: Option<i64>,
        samples_given: Option<i64>,
        coupons_redeemed: Option<i64>,
        stock_issue: Option<bool>,
        display_photos: Option<Vec<DisplayPhoto>>,
        competitor_activity: Option<Vec<CompetitorActivity>>,
        competitor_notes: Option<String>,
        photos_count: Option<i64>,
        notes: Option<String>,
        submitted_at: Option<DateTime<Utc>>,
        review_flags: Option<Vec<ReviewFlag>>,
        review_comment: Option<String>,
        reviewer_id: Option<String>,
        reviewed_at: Option<DateTime<Utc>>,
    }
}

record! {
    /// 签到 or 签退, with the position if the browser gave one.
    pub struct Attendance {
        /// check_in or check_out.
        event: String,
        at: DateTime<Utc>,
        /// located, refused or unavailable.
        position: String,
        latitude_e6: Option<i64>,
        longitude_e6: Option<i64>,
        accuracy_m: Option<i64>,
    }
}

record! {
    /// One product's sales of the day.
    pub struct SalesLine {
        product_id: String,
        units: i64,
        /// 销售额 in 分.
        amount: Option<i64>,
    }
}

record! {
    /// A display photo: the attachment's SHA-256 and its caption.
    pub struct DisplayPhoto {
        photo: String,
        caption: Option<String>,
        taken_at: Option<DateTime<Utc>>,
    }
}

record! {
    /// What a competitor does in the store (竞品活动).
    pub struct CompetitorActivity {
        brand: String,
        product: Option<String>,
        /// 价格 in 分.
        price: Option<i64>,
        promotion: Option<String>,
        photo: Option<String>,
    }
}

record! {
    /// A problem the supervisor flagged.
    pub struct ReviewFlag {
        /// display_missing, stock_out, price_wrong, promoter_absent, figures_doubtful or other.
        flag: String,
    }
}
