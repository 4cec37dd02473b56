//! 目标责任体系: targets set at the company and broken down through the organisation to every rep,
//! dealer and promoter, month by month (`split`), and followed as they are attained (`attainment`).
//! Plain functions over plain numbers: the `/targets` page, the server's approval check and the
//! benchmark all call these.

pub mod actuals;
pub mod attainment;
pub mod split;

#[cfg(test)]
mod tests;
