//! The device's data: the IndexedDB store, and (built on it) the sync loop and the collections the
//! pages read. The rules live in `yingxiao_core::sync::client`; this module only keeps their state.

pub mod store;
pub mod sync;
