//! 目标责任体系: targets set at the company and broken down through the organisation to every rep,
//! dealer and promoter, month by month (`split`); each breakdown approved as a set that must add up
//! (`approval`); and followed as they are attained: actuals from orders, customers, visits and deals
//! (`actuals`), the light against the time gone, forecasts, scores and ranks (`attainment`), and the
//! ranking as the rows of its files (`export`).
//! Plain functions over plain data: the `/targets` page, the server's approval check and the
//! benchmark all call these.

pub mod actuals;
pub mod approval;
pub mod attainment;
pub mod export;
pub mod score;
pub mod sheet;
pub mod split;

#[cfg(test)]
mod tests;
