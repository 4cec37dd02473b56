//! Remembered mappings (导入映射): how a company's files mapped their columns, kept on the company
//! unit (`IMPORT_MAPPINGS_FIELD`) so the next export from the same CRM or HR system maps itself on
//! any device. Only what a person chose is kept; a header that names its field by itself needs no
//! line.

use serde_json::{json, Map, Value};

use super::{mapping::same, ColumnMap, ImportKind};
use crate::domain::IMPORT_MAPPINGS_FIELD;

/// Most lines kept per kind of import; the oldest go first.
pub const MAX_REMEMBERED: usize = 200;

/// The remembered choices of `kind` for the headers this file has, as a column map (an empty
/// field: the column is not imported).
pub fn remembered(company: &Map<String, Value>, kind: ImportKind, headers: &[String]) -> ColumnMap {
    let mut map = ColumnMap::new();
    for line in lines(company) {
        let (Some(line_kind), Some(header)) = (text(line, "kind"), text(line, "header")) else {
            continue;
        };
        if line_kind != kind.as_str() {
            continue;
        }
        let Some(found) = headers.iter().find(|h| same(h, header)) else {
            continue;
        };
        if map.entries().iter().any(|(h, _)| same(h, found)) {
            continue;
        }
        map = map.with(found.clone(), text(line, "field").unwrap_or(""));
    }
    map
}

/// The company's import mappings with `kind`'s choices for these headers replaced by `chosen`
/// (header → field, empty for not imported); other kinds and other headers stay, newest last.
pub fn remember(company: &Map<String, Value>, kind: ImportKind, chosen: &ColumnMap) -> Value {
    let mut kept: Vec<Value> = lines(company)
        .filter(|line| {
            text(line, "kind") != Some(kind.as_str())
                || !chosen
                    .entries()
                    .iter()
                    .any(|(h, _)| text(line, "header").is_some_and(|l| same(l, h)))
        })
        .cloned()
        .collect();
    for (header, field) in chosen.entries() {
        kept.push(json!({"kind": kind.as_str(), "header": header, "field": field.trim()}));
    }
    let of_kind = |line: &Value| text(line, "kind") == Some(kind.as_str());
    let mut extra = kept
        .iter()
        .filter(|l| of_kind(l))
        .count()
        .saturating_sub(MAX_REMEMBERED);
    kept.retain(|line| {
        if extra > 0 && of_kind(line) {
            extra -= 1;
            return false;
        }
        true
    });
    Value::Array(kept)
}

fn lines(company: &Map<String, Value>) -> impl Iterator<Item = &Value> {
    company
        .get(IMPORT_MAPPINGS_FIELD)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn text<'a>(line: &'a Value, name: &str) -> Option<&'a str> {
    line.get(name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{validate_patch, Collection};

    fn company(lines: Value) -> Map<String, Value> {
        json!({"kind": "company", "name": "示例公司", IMPORT_MAPPINGS_FIELD: lines})
            .as_object()
            .unwrap()
            .clone()
    }

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_remembered_choice_maps_the_same_header_of_the_next_file() {
        let chosen = ColumnMap::new()
            .with("Account Owner", "owner")
            .with("Notes (internal)", "");
        let stored = remember(&Map::new(), ImportKind::Customers, &chosen);
        let company = company(stored);
        // Case, width and spacing of the header may differ; headers the file lacks are left out.
        let next = remembered(
            &company,
            ImportKind::Customers,
            &headers(&["Name", "ACCOUNT OWNER", "Notes (internal)"]),
        );
        assert_eq!(
            next.entries(),
            &[
                ("ACCOUNT OWNER".to_string(), "owner".to_string()),
                ("Notes (internal)".to_string(), String::new()),
            ]
        );
        // Another kind's file with the same header is not touched by it.
        let deals = remembered(
            &company,
            ImportKind::Opportunities,
            &headers(&["Account Owner"]),
        );
        assert!(deals.entries().is_empty());
    }

    #[test]
    fn choosing_again_replaces_the_old_choice_and_keeps_the_rest() {
        let first = remember(
            &Map::new(),
            ImportKind::Customers,
            &ColumnMap::new().with("Owner", "owner").with("Tier", "tier"),
        );
        let second = remember(
            &company(first),
            ImportKind::Customers,
            &ColumnMap::new().with("owner", ""),
        );
        let company = company(second);
        let next = remembered(
            &company,
            ImportKind::Customers,
            &headers(&["Owner", "Tier"]),
        );
        assert_eq!(
            next.entries(),
            &[
                ("Tier".to_string(), "tier".to_string()),
                ("Owner".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn the_oldest_lines_of_a_kind_go_past_the_limit() {
        let mut stored = Value::Array(Vec::new());
        for i in 0..MAX_REMEMBERED + 5 {
            let chosen = ColumnMap::new().with(format!("Column {i}"), "notes");
            stored = remember(&company(stored), ImportKind::Customers, &chosen);
        }
        let lines = stored.as_array().unwrap();
        assert_eq!(lines.len(), MAX_REMEMBERED);
        assert_eq!(lines[0]["header"], "Column 5");
    }

    #[test]
    fn remembered_lines_are_a_valid_company_field() {
        let stored = remember(
            &Map::new(),
            ImportKind::Users,
            &ColumnMap::new().with("Job Title", "role").with("工号", ""),
        );
        let patch = json!({ IMPORT_MAPPINGS_FIELD: stored });
        validate_patch(Collection::OrgUnit, patch.as_object().unwrap()).unwrap();
    }
}
