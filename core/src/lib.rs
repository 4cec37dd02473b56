//! Pure domain logic shared by the Yingxiao web app and server: no I/O, compiles for wasm32 and native.

pub mod account;
pub mod attachment;
pub mod audit;
pub mod base_path;
pub mod brand;
pub mod calendar;
pub mod domain;
pub mod embed;
pub mod evaluation;
pub mod export;
pub mod funnel;
pub mod geometry;
pub mod health;
pub mod ics;
pub mod id;
pub mod import;
pub mod list;
pub mod locale;
pub mod money;
pub mod org_chart;
pub mod permission;
pub mod records;
pub mod scope;
pub mod storage;
pub mod store_day;
pub mod sync;
pub mod targets;
pub mod theme;
pub mod time;
pub mod views;

/// The product version, the same for the web app and the server built from one commit.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
