//! The device's data: the IndexedDB store, and (built on it) the sync loop and the collections the
//! pages read. The rules live in `yingxiao_core::sync::client`; this module only keeps their state.

pub mod store;
pub mod sync;

/// A new id for a record or a device: a lowercase UUID (version 4) made here. `crypto.randomUUID`
/// exists only in secure contexts; an intranet page on plain HTTP still has `getRandomValues`.
pub fn new_record_id() -> String {
    let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) else {
        return String::new();
    };
    let has_random_uuid =
        js_sys::Reflect::get(&crypto, &"randomUUID".into()).is_ok_and(|f| f.is_function());
    if has_random_uuid {
        return crypto.random_uuid().to_lowercase();
    }
    let mut bytes = [0u8; 16];
    let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    // Version 4, RFC 4122 variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
