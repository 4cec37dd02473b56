//! The Yingxiao server: the sync endpoint's HTTP API, the built web app, storage, and the admin CLI.

pub mod accounts;
pub mod admin;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod config;
pub mod demo;
pub mod fixups;
pub mod http;
pub mod import;
pub mod maintenance;
pub mod oidc;
pub mod proxies;
pub mod serve;
pub mod sign_in_limits;
pub mod sign_on;
pub mod storage;
pub mod sync;

pub use http::{app, AppState};
