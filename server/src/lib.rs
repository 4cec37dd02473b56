//! The Yingxiao server: the sync endpoint's HTTP API, the built web app, storage, and the admin CLI.

pub mod config;
pub mod http;
pub mod storage;

pub use http::{app, AppState};
