//! Yingxiao 营销, the web app: a Leptos client-side rendered shell over the shared `yingxiao-core` rules.

pub mod api;
mod app;
pub mod collation;
pub mod components;
pub mod data;
pub mod download;
mod embed;
mod format;
pub mod i18n;
mod mount;
pub mod pages;
pub mod permissions;
pub mod prefs;
mod routes;
pub mod session;
mod sw;

pub use app::App;
