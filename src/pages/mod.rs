//! One folder per feature. A feature's `mod.rs` holds its pages (components named `…Page`, which the
//! route table in `crate::routes` names); other files in the folder are pieces only that feature uses.
//! A page imports no other page: what two features share lives in `crate::components` (pieces of
//! interface) or `crate::data` (read models).

pub mod audit;
pub mod board;
pub mod changes;
pub mod funnel;
pub mod home;
pub mod import;
pub mod login;
pub mod not_found;
pub mod opportunities;
pub mod org;
pub mod promotions;
pub mod records;
pub mod reports;
pub mod settings;
pub mod store;
pub mod targets;
