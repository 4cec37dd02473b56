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
    for (place, text) in sorted(distinct, locale.tag()).iter().enumerate() {
        if let Some(slot) = text.as_string().and_then(|t| places.get_mut(t.as_str())) {
            *slot = place as u32;
        }
    }
    places
}

/// `texts` in the order of the language `tag`: `Array.prototype.sort` with the collator's own
/// compare function, so sorting never crosses into wasm per comparison (a Rust comparator made 50,000
/// names take most of a second).
fn sorted(texts: Array, tag: &str) -> Array {
    let collator =
        Intl::Collator::new(&Array::of1(&JsValue::from_str(tag)), &js_sys::Object::new());
    Reflect::get(&texts, &JsValue::from_str("sort"))
        .ok()
        .and_then(|sort| sort.dyn_into::<Function>().ok())
        .and_then(|sort| sort.call1(&texts, &collator.compare()).ok())
        .map(JsCast::unchecked_into)
        .unwrap_or(texts)
}

/// The first character of each initial in Chinese pinyin order (`a`, `b`, … without i, u, v): a
/// Han character's initial is that of the last of these that sorts at or before it.
const INITIAL_BOUNDARIES: [(char, char); 23] = [
    ('吖', 'a'),
    ('八', 'b'),
    ('嚓', 'c'),
    ('咑', 'd'),
    ('妸', 'e'),
    ('发', 'f'),
    ('旮', 'g'),
    ('铪', 'h'),
    ('丌', 'j'),
    ('咔', 'k'),
    ('垃', 'l'),
    ('呣', 'm'),
    ('拏', 'n'),
    ('噢', 'o'),
    ('妑', 'p'),
    ('七', 'q'),
    ('呥', 'r'),
    ('仨', 's'),
    ('他', 't'),
    ('屲', 'w'),
    ('夕', 'x'),
    ('丫', 'y'),
    ('帀', 'z'),
];

/// Surnames read differently from the character's first reading in the collation.
const SURNAME_INITIALS: [(char, char); 10] = [
    ('曾', 'z'),
    ('覃', 'q'),
    ('单', 's'),
    ('区', 'o'),
    ('仇', 'q'),
    ('查', 'z'),
    ('翟', 'z'),
    ('解', 'x'),
    ('朴', 'p'),
    ('长', 'c'),
];

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Each text's pinyin initials, as people type them to find a name: "石国佳" → "sgj". Latin letters
/// and digits stay (lower case); other characters are skipped. One collator sort for all the Han
/// characters of all the texts.
pub fn initials<'a>(texts: impl IntoIterator<Item = &'a str> + Clone) -> Vec<String> {
    let mut letter_of: HashMap<char, char> = HashMap::new();
    for text in texts.clone() {
        for c in text.chars().filter(|&c| is_han(c)) {
            letter_of.insert(c, ' ');
        }
    }
    if !letter_of.is_empty() {
        let boundaries: HashMap<char, char> = INITIAL_BOUNDARIES.into_iter().collect();
        let all: Array = letter_of
            .keys()
            .chain(boundaries.keys().filter(|b| !letter_of.contains_key(b)))
            .map(|c| JsValue::from_str(c.encode_utf8(&mut [0; 4])))
            .collect();
        let mut current = ' ';
        for text in sorted(all, "zh-CN").iter() {
            let Some(c) = text.as_string().and_then(|t| t.chars().next()) else {
                continue;
            };
            if let Some(&letter) = boundaries.get(&c) {
                current = letter;
            }
            if let Some(slot) = letter_of.get_mut(&c) {
                *slot = current;
            }
        }
    }
    texts
        .into_iter()
        .map(|text| {
            text.chars()
                .enumerate()
                .filter_map(|(at, c)| {
                    if c.is_ascii_alphanumeric() {
                        return Some(c.to_ascii_lowercase());
                    }
                    let surname = (at == 0)
                        .then(|| SURNAME_INITIALS.iter().find(|(s, _)| *s == c))
                        .flatten();
                    surname
                        .map(|(_, l)| *l)
                        .or_else(|| letter_of.get(&c).copied().filter(|&l| l != ' '))
                })
                .collect()
        })
        .collect()
}
