//! Turns `locales/*.json` into a `Key` enum and one string table per language, so a missing or misspelt
//! translation key is a compile error and the strings cost nothing at run time.

use std::{
    collections::{BTreeMap, BTreeSet},
    env, fs,
    path::Path,
};

/// Every language's file; the first is the reference the others must match key for key.
const LOCALES: [(&str, &str); 2] = [("ZH_CN", "locales/zh-CN.json"), ("EN", "locales/en.json")];

fn main() {
    let mut tables = Vec::new();
    for (name, path) in LOCALES {
        println!("cargo:rerun-if-changed={path}");
        tables.push((name, path, load(path)));
    }
    let (_, reference_path, reference) = &tables[0];
    let mut problems = Vec::new();
    for (_, path, table) in &tables[1..] {
        for key in reference.keys().filter(|k| !table.contains_key(*k)) {
            problems.push(format!(
                "{path}: missing key {key:?} (present in {reference_path})"
            ));
        }
        for key in table.keys().filter(|k| !reference.contains_key(*k)) {
            problems.push(format!("{path}: key {key:?} is not in {reference_path}"));
        }
        for (key, text) in table {
            if let Some(reference_text) = reference.get(key) {
                if placeholders(text) != placeholders(reference_text) {
                    problems.push(format!(
                        "{path}: {key:?} uses placeholders {:?} but {reference_path} uses {:?}",
                        placeholders(text),
                        placeholders(reference_text)
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        panic!("translation files disagree:\n  {}", problems.join("\n  "));
    }

    let mut out =
        String::from("/// A translatable text; one variant per key of `locales/*.json`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for key in reference.keys() {
        out.push_str(&format!("    {},\n", variant(key)));
    }
    out.push_str("}\n\n");
    for (name, _, table) in &tables {
        out.push_str(&format!("const {name}: [&str; {}] = [\n", table.len()));
        for text in table.values() {
            out.push_str(&format!("    {text:?},\n"));
        }
        out.push_str("];\n\n");
    }
    let out_path = Path::new(&env::var("OUT_DIR").unwrap()).join("translations.rs");
    fs::write(out_path, out).unwrap();
}

fn load(path: &str) -> BTreeMap<String, String> {
    let raw = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let value: serde_json::Value =
        serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{path} is not valid JSON: {e}"));
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("{path} must be one JSON object of key → text"));
    object
        .iter()
        .map(|(key, text)| {
            assert!(
                !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{path}: key {key:?} must be snake_case"
            );
            let text = text
                .as_str()
                .unwrap_or_else(|| panic!("{path}: {key:?} must be a string"));
            (key.clone(), text.to_owned())
        })
        .collect()
}

/// The `{name}` placeholders a text uses.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

fn variant(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
