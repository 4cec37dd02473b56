//! Putting names in the order the user's language sorts words: pinyin order for Chinese, dictionary
//! order for English, as the browser's `Intl.Collator` knows them.

use std::collections::HashMap;

use js_sys::{Array, Function, Intl, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use yingxiao_core::locale::Locale;

/// Each distinct text's place in the language's order (0 first). Callers sort by place and then by
/// something stable such as the record's id.
pub fn ranks<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    locale: Locale,
) -> HashMap<&'a str, u32> {
    let mut places: HashMap<&'a str, u32> = HashMap::new();
    for text in texts {
        places.entry(text).or_insert(0);
    }
    let distinct: Array = places.keys().map(|text| JsValue::from_str(text)).collect();
    let collator = Intl::Collator::new(
        &Array::of1(&JsValue::from_str(locale.tag())),
        &js_sys::Object::new(),
    );
    // `Array.prototype.sort` with the collator's own compare function: sorting never crosses into
    // wasm per comparison (a Rust comparator made 50,000 names take most of a second).
    let sorted: Array = Reflect::get(&distinct, &JsValue::from_str("sort"))
        .ok()
        .and_then(|sort| sort.dyn_into::<Function>().ok())
        .and_then(|sort| sort.call1(&distinct, &collator.compare()).ok())
        .map(JsCast::unchecked_into)
        .unwrap_or(distinct);
    for (place, text) in sorted.iter().enumerate() {
        if let Some(slot) = text.as_string().and_then(|t| places.get_mut(t.as_str())) {
            *slot = place as u32;
        }
    }
    places
}
