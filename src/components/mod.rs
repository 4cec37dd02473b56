//! Reusable pieces of the interface.

pub mod charts;
pub mod icons;
pub mod install;
pub mod owner_filter;
pub mod period;
pub mod photo;
pub mod record;
pub mod restored_notice;
pub mod shell;
pub mod storage_guard;
pub mod sync_indicator;
pub mod update_notice;
