//! One module per route.

pub mod board;
pub mod changes;
pub mod customers;
pub mod dashboard;
pub mod funnel;
pub mod funnel_settings;
pub mod home;
pub mod login;
pub mod not_found;
pub mod opportunities;
pub mod permissions;
pub mod record_form;
pub mod records;
pub mod settings;
