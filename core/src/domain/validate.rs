//! Checks a record's JSON fields against its collection's table: at create, in a patch, after a merge.
//!
//! Every check returns the first broken rule; fields are checked in table order so the error points at
//! the first wrong field of the form.

use std::collections::HashSet;

pub(crate) use crate::id::is_record_id as is_id;

use serde_json::{Map, Value};

use super::error::*;
use super::{Collection, FieldAccess, FieldDef, FieldKind, MAX_LIST_LEN, MAX_MONEY};
use crate::time::{parse_date, parse_instant, DateTime, NaiveDate, Utc};

/// A new record: every key known, every required field present (non-null, non-blank), every value of
/// the right kind, and the collection's cross-field rules. Intent-only fields are allowed here: a new
/// opportunity names its initial stage.
pub fn validate_create(
    collection: Collection,
    fields: &Map<String, Value>,
) -> Result<(), ValidationError> {
    check_whole(collection, fields)
}

/// A `set_fields` patch: only the given keys are checked. `null` clears an optional field and is
/// `MissingField` on a required one; intent-only fields are refused. Cross-field rules need the whole
/// record, so they run in `validate_record` after the merge.
pub fn validate_patch(
    collection: Collection,
    fields: &Map<String, Value>,
) -> Result<(), ValidationError> {
    let table = collection.table();
    reject_unknown(table.fields, fields, "")?;
    for def in table.fields {
        let Some(value) = fields.get(def.name) else {
            continue;
        };
        if def.access == FieldAccess::IntentOnly {
            return Err(ValidationError::IntentOnly {
                field: def.name.to_owned(),
            });
        }
        check_present(collection, def, value)?;
    }
    Ok(())
}

/// The values a named mutation is about to write (e.g. `move_opportunity_stage`'s stage and lost
/// reason): only the given keys, each checked as at create, intent-only fields allowed. `null` is
/// `MissingField` on a required field. No cross-field rules: run `validate_record` after the merge.
pub fn validate_fields(
    collection: Collection,
    fields: &Map<String, Value>,
) -> Result<(), ValidationError> {
    let table = collection.table();
    reject_unknown(table.fields, fields, "")?;
    for def in table.fields {
        if let Some(value) = fields.get(def.name) {
            check_present(collection, def, value)?;
        }
    }
    Ok(())
}

/// A whole record after a merge: the same checks as `validate_create` (required fields present, every
/// value of its kind, cross-field rules), so the server re-checks the invariants a patch cannot see.
/// Kinds are checked again because named mutations write fields that `validate_patch` never saw.
pub fn validate_record(
    collection: Collection,
    fields: &Map<String, Value>,
) -> Result<(), ValidationError> {
    check_whole(collection, fields)
}

fn check_whole(collection: Collection, fields: &Map<String, Value>) -> Result<(), ValidationError> {
    let table = collection.table();
    check_row(table.fields, fields, "")?;
    for def in table.fields {
        if let Some(value) = fields.get(def.name).filter(|v| !v.is_null()) {
            (table.check_value)(def.name, value)?;
        }
    }
    (table.check_record)(fields)
}

/// One given top-level value: `null` only on optional fields, then its kind and the table's value rules.
fn check_present(
    collection: Collection,
    def: &FieldDef,
    value: &Value,
) -> Result<(), ValidationError> {
    if value.is_null() {
        return if def.required {
            Err(ValidationError::MissingField {
                field: def.name.to_owned(),
            })
        } else {
            Ok(())
        };
    }
    check_value(def, value, def.name)?;
    (collection.table().check_value)(def.name, value)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn reject_unknown(
    defs: &[FieldDef],
    fields: &Map<String, Value>,
    prefix: &str,
) -> Result<(), ValidationError> {
    match fields
        .keys()
        .find(|k| !defs.iter().any(|d| d.name == k.as_str()))
    {
        Some(key) => Err(ValidationError::UnknownField {
            field: join(prefix, key),
        }),
        None => Ok(()),
    }
}

/// A whole object (a record or one line) against its defs, naming fields under `prefix`.
fn check_row(
    defs: &[FieldDef],
    fields: &Map<String, Value>,
    prefix: &str,
) -> Result<(), ValidationError> {
    reject_unknown(defs, fields, prefix)?;
    for def in defs {
        match fields.get(def.name) {
            None | Some(Value::Null) if def.required => {
                return Err(ValidationError::MissingField {
                    field: join(prefix, def.name),
                })
            }
            None | Some(Value::Null) => {}
            Some(value) => check_value(def, value, &join(prefix, def.name))?,
        }
    }
    Ok(())
}

fn wrong(path: &str, expected: &'static str) -> ValidationError {
    ValidationError::WrongType {
        field: path.to_owned(),
        expected,
    }
}

/// One non-null value against its def's kind; `path` names it in errors.
pub(crate) fn check_value(
    def: &FieldDef,
    value: &Value,
    path: &str,
) -> Result<(), ValidationError> {
    match def.kind {
        FieldKind::Text { max_chars } => {
            let text = value.as_str().ok_or_else(|| wrong(path, EXPECT_TEXT))?;
            check_text(text, max_chars, def.required, path)
        }
        FieldKind::Integer { min, max } => check_integer(value, min, max, path, EXPECT_INTEGER),
        FieldKind::Money => check_integer(value, 0, MAX_MONEY, path, EXPECT_MONEY),
        FieldKind::Percent => check_integer(value, 0, 100, path, EXPECT_PERCENT),
        FieldKind::Date => match value.as_str() {
            None => Err(wrong(path, EXPECT_DATE)),
            Some(text) if parse_date(text).is_none() => Err(ValidationError::InvalidDate {
                field: path.to_owned(),
            }),
            Some(_) => Ok(()),
        },
        FieldKind::Instant => match value.as_str() {
            None => Err(wrong(path, EXPECT_INSTANT)),
            Some(text) if parse_instant(text).is_none() => Err(ValidationError::InvalidInstant {
                field: path.to_owned(),
            }),
            Some(_) => Ok(()),
        },
        FieldKind::Bool => match value {
            Value::Bool(_) => Ok(()),
            _ => Err(wrong(path, EXPECT_BOOL)),
        },
        FieldKind::Enum(allowed) => {
            let text = value.as_str().ok_or_else(|| wrong(path, EXPECT_CHOICE))?;
            if allowed.contains(&text) {
                Ok(())
            } else {
                Err(ValidationError::NotAllowed {
                    field: path.to_owned(),
                    value: text.chars().take(50).collect(),
                    allowed: allowed.to_vec(),
                })
            }
        }
        FieldKind::Ref(_) => check_id(value, path),
        FieldKind::RefList(_) => {
            let ids = list(value, path, EXPECT_ID_LIST)?;
            let mut seen = HashSet::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                let item = format!("{path}[{i}]");
                check_id(id, &item)?;
                if !seen.insert(id.as_str().unwrap_or_default()) {
                    return Err(ValidationError::Duplicate { field: item });
                }
            }
            Ok(())
        }
        FieldKind::Attachment => match value.as_str() {
            Some(text) if crate::attachment::is_hash(text) => Ok(()),
            _ => Err(wrong(path, EXPECT_ATTACHMENT)),
        },
        FieldKind::Lines(defs) => {
            let rows = list(value, path, EXPECT_LINES)?;
            for (i, row) in rows.iter().enumerate() {
                let item = format!("{path}[{i}]");
                let row = row.as_object().ok_or_else(|| wrong(&item, EXPECT_ROW))?;
                check_row(defs, row, &item)?;
            }
            Ok(())
        }
    }
}

fn list<'a>(
    value: &'a Value,
    path: &str,
    expected: &'static str,
) -> Result<&'a Vec<Value>, ValidationError> {
    let items = value.as_array().ok_or_else(|| wrong(path, expected))?;
    if items.len() > MAX_LIST_LEN {
        return Err(ValidationError::TooMany {
            field: path.to_owned(),
            max: MAX_LIST_LEN,
        });
    }
    Ok(items)
}

fn check_text(
    text: &str,
    max_chars: u32,
    required: bool,
    path: &str,
) -> Result<(), ValidationError> {
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ValidationError::ControlCharacter {
            field: path.to_owned(),
        });
    }
    if text.chars().count() > max_chars as usize {
        return Err(ValidationError::TooLong {
            field: path.to_owned(),
            max_chars,
        });
    }
    if required && text.trim().is_empty() {
        return Err(ValidationError::MissingField {
            field: path.to_owned(),
        });
    }
    Ok(())
}

fn check_integer(
    value: &Value,
    min: i64,
    max: i64,
    path: &str,
    expected: &'static str,
) -> Result<(), ValidationError> {
    let Value::Number(number) = value else {
        return Err(wrong(path, expected));
    };
    let out_of_range = || ValidationError::OutOfRange {
        field: path.to_owned(),
        min,
        max,
    };
    match number.as_i64() {
        Some(n) if (min..=max).contains(&n) => Ok(()),
        Some(_) => Err(out_of_range()),
        // An integer beyond i64 is still an integer, just far too large.
        None if number.is_u64() => Err(out_of_range()),
        None => Err(wrong(path, expected)),
    }
}

fn check_id(value: &Value, path: &str) -> Result<(), ValidationError> {
    match value.as_str() {
        None => Err(wrong(path, EXPECT_ID)),
        Some(text) if !is_id(text) => Err(ValidationError::InvalidId {
            field: path.to_owned(),
        }),
        Some(_) => Ok(()),
    }
}

/// A field's value if present and not null.
pub(crate) fn present<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|v| !v.is_null())
}

pub(crate) fn text_of<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

pub(crate) fn date_of(fields: &Map<String, Value>, name: &str) -> Option<NaiveDate> {
    text_of(fields, name).and_then(parse_date)
}

pub(crate) fn instant_of(fields: &Map<String, Value>, name: &str) -> Option<DateTime<Utc>> {
    text_of(fields, name).and_then(parse_instant)
}

/// `end` may not be before `start` when both are present (either may be empty).
pub(crate) fn dates_in_order(
    fields: &Map<String, Value>,
    start: &str,
    end: &str,
) -> Result<(), ValidationError> {
    match (date_of(fields, start), date_of(fields, end)) {
        (Some(s), Some(e)) if e < s => Err(END_BEFORE_START.at(end)),
        _ => Ok(()),
    }
}

/// The shape of an email address: something@domain.tld, no spaces. Deliverability is not ours to check.
pub(crate) fn check_email(name: &str, value: &Value) -> Result<(), ValidationError> {
    let Some(text) = value.as_str() else {
        return Ok(());
    };
    if text.is_empty() {
        return Ok(());
    }
    let shaped = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if shaped {
        Ok(())
    } else {
        Err(NOT_AN_EMAIL.at(name))
    }
}

/// The fields a decision writes over a record of `collection`: `names` are its status, comment and
/// time fields; the comment is cleared when none is given. Checked by the collection's rules.
pub(crate) fn decision_fields(
    collection: Collection,
    names: [&str; 3],
    to: &str,
    comment: Option<&str>,
    decided_at: &str,
) -> Result<Map<String, Value>, ValidationError> {
    let [status, comment_field, at] = names;
    let mut patch = Map::new();
    patch.insert(status.into(), Value::from(to));
    patch.insert(
        comment_field.into(),
        comment.map_or(Value::Null, Value::from),
    );
    patch.insert(at.into(), Value::from(decided_at));
    let mut checked = patch.clone();
    checked.retain(|_, v| !v.is_null());
    validate_fields(collection, &checked)?;
    Ok(patch)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    const A: &str = "0193b3c4-7a1e-7000-8000-000000000001";
    const B: &str = "0193b3c4-7a1e-7000-8000-000000000002";
    const C: &str = "0193b3c4-7a1e-7000-8000-000000000003";

    fn obj(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn customer() -> Map<String, Value> {
        obj(json!({
            "name": "华东食品贸易有限公司",
            "kind": "dealer",
            "tier": "A",
            "region_unit_id": A,
            "owner_id": B,
            "credit_limit": 50_000_000,
        }))
    }

    fn opportunity() -> Map<String, Value> {
        obj(json!({
            "customer_id": A,
            "owner_id": B,
            "unit_id": C,
            "name": "2027 年度冷链设备采购",
            "amount": 120_000_000,
            "currency": "CNY",
            "stage": "aware",
        }))
    }

    fn order() -> Map<String, Value> {
        obj(json!({
            "customer_id": A,
            "owner_id": B,
            "unit_id": C,
            "order_no": "SO-2026-000123",
            "ordered_on": "2026-11-27",
            "status": "confirmed",
            "lines": [
                {"product_id": A, "quantity": 10, "unit_price": 4_500},
                {"product_id": B, "quantity": 2, "unit_price": 12_000, "discount_percent": 5},
                {"product_id": C, "quantity": 1, "unit_price": 800},
            ],
            "total": 70_200,
        }))
    }

    fn with(mut record: Map<String, Value>, key: &str, value: Value) -> Map<String, Value> {
        record.insert(key.to_owned(), value);
        record
    }

    fn patch(value: Value) -> Map<String, Value> {
        obj(value)
    }

    #[test]
    fn a_complete_record_passes() {
        assert_eq!(validate_create(Collection::Customer, &customer()), Ok(()));
        assert_eq!(
            validate_create(Collection::Opportunity, &opportunity()),
            Ok(())
        );
        assert_eq!(validate_create(Collection::Order, &order()), Ok(()));
        assert_eq!(validate_record(Collection::Order, &order()), Ok(()));
    }

    #[test]
    fn unknown_field_is_refused_everywhere() {
        let expected = Err(ValidationError::UnknownField {
            field: "colour".into(),
        });
        let record = with(customer(), "colour", json!("red"));
        assert_eq!(validate_create(Collection::Customer, &record), expected);
        assert_eq!(validate_record(Collection::Customer, &record), expected);
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"colour": "red"}))),
            expected
        );
        assert_eq!(
            validate_fields(Collection::Customer, &patch(json!({"colour": null}))),
            expected
        );
    }

    #[test]
    fn required_field_must_be_present_non_null_and_not_blank() {
        let missing = Err(ValidationError::MissingField {
            field: "owner_id".into(),
        });
        let mut record = customer();
        record.remove("owner_id");
        assert_eq!(validate_create(Collection::Customer, &record), missing);
        assert_eq!(validate_record(Collection::Customer, &record), missing);
        let record = with(customer(), "owner_id", Value::Null);
        assert_eq!(validate_create(Collection::Customer, &record), missing);
        let record = with(customer(), "name", json!("  \n\t "));
        assert_eq!(
            validate_create(Collection::Customer, &record),
            Err(ValidationError::MissingField {
                field: "name".into()
            })
        );
    }

    #[test]
    fn optional_field_may_be_null_at_create() {
        let record = with(customer(), "tier", Value::Null);
        assert_eq!(validate_create(Collection::Customer, &record), Ok(()));
    }

    #[test]
    fn wrong_json_type_names_what_was_expected() {
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"name": 42}))),
            Err(ValidationError::WrongType {
                field: "name".into(),
                expected: EXPECT_TEXT
            })
        );
        assert_eq!(
            validate_patch(Collection::Product, &patch(json!({"active": "yes"}))),
            Err(ValidationError::WrongType {
                field: "active".into(),
                expected: EXPECT_BOOL
            })
        );
        assert_eq!(
            validate_patch(Collection::Promotion, &patch(json!({"store_ids": A}))),
            Err(ValidationError::WrongType {
                field: "store_ids".into(),
                expected: EXPECT_ID_LIST
            })
        );
        assert_eq!(
            validate_patch(Collection::Order, &patch(json!({"lines": [[1, 2]]}))),
            Err(ValidationError::WrongType {
                field: "lines[0]".into(),
                expected: EXPECT_ROW
            })
        );
        assert_eq!(
            validate_patch(Collection::Survey, &patch(json!({"score": "5"}))),
            Err(ValidationError::WrongType {
                field: "score".into(),
                expected: EXPECT_INTEGER
            })
        );
    }

    #[test]
    fn text_length_counts_characters_not_bytes() {
        let chinese = "营".repeat(200);
        assert_eq!(chinese.len(), 600);
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"name": chinese}))),
            Ok(())
        );
        let too_long = "营".repeat(201);
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"name": too_long}))),
            Err(ValidationError::TooLong {
                field: "name".into(),
                max_chars: 200
            })
        );
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_and_tabs_are_kept() {
        for bad in ["a\u{0}b", "a\rb", "a\u{1b}[31m", "a\u{7f}", "a\u{85}"] {
            assert_eq!(
                validate_patch(Collection::Customer, &patch(json!({"notes": bad}))),
                Err(ValidationError::ControlCharacter {
                    field: "notes".into()
                }),
                "{bad:?}"
            );
        }
        let notes = "第一行\n\t第二行";
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"notes": notes}))),
            Ok(())
        );
    }

    #[test]
    fn bad_enum_value_lists_the_allowed_ones() {
        let error = validate_patch(Collection::Customer, &patch(json!({"tier": "D"}))).unwrap_err();
        assert_eq!(
            error,
            ValidationError::NotAllowed {
                field: "tier".into(),
                value: "D".into(),
                allowed: vec!["A", "B", "C"]
            }
        );
        assert!(error.to_string().contains("A, B, C"), "{error}");
    }

    #[test]
    fn enum_values_are_case_sensitive() {
        assert!(validate_patch(Collection::Customer, &patch(json!({"kind": "Dealer"}))).is_err());
        assert!(
            validate_patch(Collection::Opportunity, &patch(json!({"currency": "cny"}))).is_err()
        );
    }

    #[test]
    fn february_29_exists_only_in_leap_years() {
        let on =
            |day: &str| validate_patch(Collection::Visit, &patch(json!({"next_visit_on": day})));
        assert_eq!(
            on("2027-02-29"),
            Err(ValidationError::InvalidDate {
                field: "next_visit_on".into()
            })
        );
        assert_eq!(on("2028-02-29"), Ok(()));
        assert_eq!(on("2000-02-29"), Ok(()), "divisible by 400");
        assert!(on("2100-02-29").is_err(), "divisible by 100 but not 400");
    }

    #[test]
    fn dates_must_be_written_yyyy_mm_dd() {
        let on =
            |day: Value| validate_patch(Collection::Visit, &patch(json!({"next_visit_on": day})));
        for bad in [
            "2026-1-5",
            "2026/01/05",
            "2026-04-31",
            "2026-01-05T00:00:00Z",
            "",
        ] {
            assert_eq!(
                on(json!(bad)),
                Err(ValidationError::InvalidDate {
                    field: "next_visit_on".into()
                }),
                "{bad}"
            );
        }
        assert_eq!(on(json!("2026-12-31")), Ok(()));
        assert_eq!(
            on(json!(20261231)),
            Err(ValidationError::WrongType {
                field: "next_visit_on".into(),
                expected: EXPECT_DATE
            })
        );
    }

    #[test]
    fn instants_are_utc_with_z_and_optional_milliseconds() {
        for good in ["2026-11-27T08:30:00Z", "2026-11-27T08:30:00.123Z"] {
            assert_eq!(
                validate_patch(Collection::Visit, &patch(json!({"visited_at": good}))),
                Ok(()),
                "{good}"
            );
        }
        assert_eq!(
            validate_patch(
                Collection::Visit,
                &patch(json!({"visited_at": "2026-11-27T16:30:00+08:00"}))
            ),
            Err(ValidationError::InvalidInstant {
                field: "visited_at".into()
            })
        );
    }

    #[test]
    fn money_is_an_integer_never_a_float() {
        let set = |v: Value| validate_patch(Collection::Product, &patch(json!({"list_price": v})));
        assert_eq!(set(json!(1999)), Ok(()));
        assert_eq!(
            set(json!(19.99)),
            Err(ValidationError::WrongType {
                field: "list_price".into(),
                expected: EXPECT_MONEY
            })
        );
        assert_eq!(
            set(json!(2000.0)),
            Err(ValidationError::WrongType {
                field: "list_price".into(),
                expected: EXPECT_MONEY
            })
        );
        assert_eq!(
            set(json!("1999")),
            Err(ValidationError::WrongType {
                field: "list_price".into(),
                expected: EXPECT_MONEY
            })
        );
        assert_eq!(
            set(json!(-1)),
            Err(ValidationError::OutOfRange {
                field: "list_price".into(),
                min: 0,
                max: MAX_MONEY
            })
        );
        assert_eq!(
            set(json!(u64::MAX)),
            Err(ValidationError::OutOfRange {
                field: "list_price".into(),
                min: 0,
                max: MAX_MONEY
            })
        );
    }

    #[test]
    fn percent_is_between_0_and_100() {
        let line = |p: Value| {
            patch(
                json!({"lines": [{"product_id": A, "quantity": 1, "unit_price": 100, "discount_percent": p}]}),
            )
        };
        assert_eq!(validate_patch(Collection::Order, &line(json!(100))), Ok(()));
        assert_eq!(
            validate_patch(Collection::Order, &line(json!(101))),
            Err(ValidationError::OutOfRange {
                field: "lines[0].discount_percent".into(),
                min: 0,
                max: 100
            })
        );
    }

    #[test]
    fn ids_are_hyphenated_uuids() {
        assert!(is_id(A));
        assert!(
            !is_id("0193B3C4-7A1E-7000-8000-00000000000F"),
            "one spelling only: lowercase"
        );
        assert!(
            is_id("123e4567-e89b-42d3-a456-426614174000"),
            "a v4 id is fine too"
        );
        for bad in [
            "0193b3c47a1e70008000000000000001",
            "0193b3c4-7a1e-7000-8000-00000000000g",
            "",
            "42",
        ] {
            assert!(!is_id(bad), "{bad}");
        }
        assert_eq!(
            validate_patch(
                Collection::Customer,
                &patch(json!({"owner_id": "wang.wei"}))
            ),
            Err(ValidationError::InvalidId {
                field: "owner_id".into()
            })
        );
    }

    #[test]
    fn ref_list_refuses_duplicates_and_bad_ids() {
        assert_eq!(
            validate_patch(
                Collection::Promotion,
                &patch(json!({"store_ids": [A, B, C]}))
            ),
            Ok(())
        );
        assert_eq!(
            validate_patch(
                Collection::Promotion,
                &patch(json!({"store_ids": [A, B, A]}))
            ),
            Err(ValidationError::Duplicate {
                field: "store_ids[2]".into()
            })
        );
        let upper = A.to_ascii_uppercase();
        assert_eq!(
            validate_patch(
                Collection::Promotion,
                &patch(json!({"store_ids": [A, upper]}))
            ),
            Err(ValidationError::InvalidId {
                field: "store_ids[1]".into()
            }),
            "an upper-case spelling is not an id, so it cannot alias a record"
        );
        assert_eq!(
            validate_patch(
                Collection::Promotion,
                &patch(json!({"product_ids": [A, "x"]}))
            ),
            Err(ValidationError::InvalidId {
                field: "product_ids[1]".into()
            })
        );
        assert_eq!(
            validate_patch(
                Collection::Promotion,
                &patch(json!({"promoter_ids": [A, 7]}))
            ),
            Err(ValidationError::WrongType {
                field: "promoter_ids[1]".into(),
                expected: EXPECT_ID
            })
        );
    }

    #[test]
    fn lists_hold_at_most_500_entries() {
        let ids: Vec<String> = (0..=500)
            .map(|i| format!("0193b3c4-7a1e-7000-8000-{i:012x}"))
            .collect();
        assert_eq!(
            validate_patch(
                Collection::Promotion,
                &patch(json!({"store_ids": ids[..500]}))
            ),
            Ok(())
        );
        assert_eq!(
            validate_patch(Collection::Promotion, &patch(json!({"store_ids": ids}))),
            Err(ValidationError::TooMany {
                field: "store_ids".into(),
                max: 500
            })
        );
        let line = json!({"product_id": A, "quantity": 1, "unit_price": 1});
        let lines = vec![line; 501];
        assert_eq!(
            validate_patch(Collection::Order, &patch(json!({"lines": lines}))),
            Err(ValidationError::TooMany {
                field: "lines".into(),
                max: 500
            })
        );
    }

    #[test]
    fn nested_line_errors_name_the_path() {
        let mut record = order();
        record["lines"][2]["quantity"] = json!(0);
        assert_eq!(
            validate_create(Collection::Order, &record),
            Err(ValidationError::OutOfRange {
                field: "lines[2].quantity".into(),
                min: 1,
                max: 1_000_000_000
            })
        );
        let mut record = order();
        record["lines"][1]
            .as_object_mut()
            .unwrap()
            .remove("unit_price");
        assert_eq!(
            validate_create(Collection::Order, &record),
            Err(ValidationError::MissingField {
                field: "lines[1].unit_price".into()
            })
        );
        let mut record = order();
        record["lines"][0]["colour"] = json!("red");
        assert_eq!(
            validate_create(Collection::Order, &record),
            Err(ValidationError::UnknownField {
                field: "lines[0].colour".into()
            })
        );
        let mut record = order();
        record["lines"][0]["product_id"] = json!("sku-1");
        assert_eq!(
            validate_patch(Collection::Order, &patch(json!({"lines": record["lines"]}))),
            Err(ValidationError::InvalidId {
                field: "lines[0].product_id".into()
            })
        );
    }

    #[test]
    fn intent_only_field_is_refused_in_a_patch_but_accepted_at_create() {
        assert_eq!(
            validate_create(Collection::Opportunity, &opportunity()),
            Ok(())
        );
        for field in [
            "stage",
            "stage_history",
            "lost_reason",
            "lost_note",
            "won_at",
            "closed_at",
        ] {
            assert_eq!(
                validate_patch(Collection::Opportunity, &patch(json!({ field: null }))),
                Err(ValidationError::IntentOnly {
                    field: field.into()
                }),
                "{field}"
            );
        }
        assert_eq!(
            validate_patch(Collection::Opportunity, &patch(json!({"stage": "won"}))),
            Err(ValidationError::IntentOnly {
                field: "stage".into()
            })
        );
    }

    #[test]
    fn named_mutation_values_are_checked_with_intent_only_fields_allowed() {
        let good =
            patch(json!({"stage": "lost", "lost_reason": "price", "lost_note": "对手降价 8%"}));
        assert_eq!(validate_fields(Collection::Opportunity, &good), Ok(()));
        assert!(matches!(
            validate_fields(Collection::Opportunity, &patch(json!({"stage": "dead"}))),
            Err(ValidationError::NotAllowed { .. })
        ));
        assert_eq!(
            validate_fields(Collection::Opportunity, &patch(json!({"stage": null}))),
            Err(ValidationError::MissingField {
                field: "stage".into()
            })
        );
    }

    #[test]
    fn null_in_a_patch_clears_an_optional_field_but_not_a_required_one() {
        assert_eq!(
            validate_patch(
                Collection::Customer,
                &patch(json!({"tier": null, "notes": null}))
            ),
            Ok(())
        );
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"name": null}))),
            Err(ValidationError::MissingField {
                field: "name".into()
            })
        );
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"name": ""}))),
            Err(ValidationError::MissingField {
                field: "name".into()
            })
        );
    }

    #[test]
    fn patch_checks_only_the_given_keys() {
        assert_eq!(validate_patch(Collection::Customer, &Map::new()), Ok(()));
        assert_eq!(
            validate_patch(Collection::Customer, &patch(json!({"tier": "B"}))),
            Ok(())
        );
    }

    #[test]
    fn patch_leaves_cross_field_rules_to_the_merged_record() {
        // Both dates in one patch are out of order, but only the merged record can say so for sure.
        let dates = patch(json!({"starts_on": "2026-12-10", "ends_on": "2026-12-01"}));
        assert_eq!(validate_patch(Collection::Promotion, &dates), Ok(()));
    }

    #[test]
    fn email_must_look_like_one() {
        for good in ["li.na@example.com.cn", "wang+crm@yingxiao.example"] {
            assert_eq!(
                validate_patch(Collection::Contact, &patch(json!({"email": good}))),
                Ok(()),
                "{good}"
            );
        }
        for bad in [
            "li.na",
            "li na@example.com",
            "@example.com",
            "li@example",
            "li@@example.com",
            "li@example..com",
        ] {
            assert_eq!(
                validate_patch(Collection::Contact, &patch(json!({"email": bad}))),
                Err(NOT_AN_EMAIL.at("email")),
                "{bad}"
            );
        }
    }

    /// Any character a Text field accepts: control characters become a middle dot.
    fn text_char() -> impl Strategy<Value = char> {
        any::<char>().prop_map(|c| if c.is_control() { '·' } else { c })
    }

    proptest! {
        #[test]
        fn any_text_within_the_limit_without_control_characters_passes(
            chars in prop::collection::vec(text_char(), 0..=4000)
        ) {
            let notes: String = chars.into_iter().collect();
            prop_assert_eq!(validate_patch(Collection::Customer, &patch(json!({"notes": notes}))), Ok(()));
        }

        #[test]
        fn any_text_over_the_limit_fails(
            chars in prop::collection::vec(text_char(), 101..=300)
        ) {
            let segment: String = chars.into_iter().collect();
            prop_assert_eq!(
                validate_patch(Collection::Customer, &patch(json!({"segment": segment}))),
                Err(ValidationError::TooLong { field: "segment".into(), max_chars: 100 })
            );
        }

        #[test]
        fn any_integer_outside_the_range_fails(n in any::<i64>().prop_filter("outside 1..=5", |n| !(1..=5).contains(n))) {
            prop_assert_eq!(
                validate_patch(Collection::Survey, &patch(json!({"score": n}))),
                Err(ValidationError::OutOfRange { field: "score".into(), min: 1, max: 5 })
            );
        }

        #[test]
        fn any_integer_inside_the_range_passes(n in 0i64..=10) {
            prop_assert_eq!(validate_patch(Collection::Survey, &patch(json!({"nps": n}))), Ok(()));
        }
    }
}
