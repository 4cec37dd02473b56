//! The device's data: the IndexedDB store, and (built on it) the sync loop and the collections the
//! pages read. The rules live in `yingxiao_core::sync::client`; this module only keeps their state.

pub mod cache;
pub mod deals;
pub mod evaluation;
pub mod files;
pub mod import;
pub mod org;
pub mod promotions;
pub mod records;
pub mod server;
pub mod settings;
pub mod store;
pub mod sync;
pub mod targets;

/// A new id for a record or a device: a lowercase UUID version 7 (DESIGN.md), whose first 48 bits
/// are the creation time in milliseconds, so ids made later sort later and index pages stay local.
/// `getRandomValues` exists in every browser, on plain-HTTP intranet pages too, and in workers (the
/// import's), so the crypto object is taken from the global scope rather than the window.
pub fn new_record_id() -> String {
    use wasm_bindgen::JsCast;
    let mut random = [0u8; 10];
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok());
    if let Some(crypto) = crypto {
        let _ = crypto.get_random_values_with_u8_array(&mut random);
    }
    let millis = js_sys::Date::now() as u64;
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .hyphenated()
        .to_string()
}
