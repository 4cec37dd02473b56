//! A record's field as a cell of its list's export, typed by the field's kind.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use super::Cell;
use crate::{
    domain::{field_as_measured, Collection, FieldKind, CURRENCIES},
    money::COMPANY_CURRENCY,
    time::{parse_date, parse_instant},
};

/// The field that names an amount's currency (币种) on the records that have one.
pub const CURRENCY_FIELD: &str = "currency";

/// Field `name` of a record of `collection` (its `fields`) as an export cell: amounts in the
/// record's currency (the company's when it names none), counts as numbers, business days as dates, instants at
/// `local` wall-clock time (the zone the list shows them in). `shown` is the list's text for the
/// field (choice labels, names of referenced records, 是/否, the local time in the user's language):
/// the cell keeps it where the list's words are the value, and for yes/no and instants.
///
/// A percent field (0–100, its label says `%`) stays the number it is, as the list shows it.
pub fn field_cell(
    collection: Collection,
    name: &str,
    fields: &Map<String, Value>,
    shown: &str,
    local: &dyn Fn(DateTime<Utc>) -> NaiveDateTime,
) -> Cell {
    let metric = fields.get("metric").and_then(Value::as_str);
    let kind = field_as_measured(collection, name, metric).map(|def| def.kind);
    let value = fields.get(name).filter(|v| !v.is_null());
    let typed = match (kind, value) {
        (Some(FieldKind::Money), Some(v)) => v.as_i64().map(|minor| Cell::Money {
            minor,
            currency: fields
                .get(CURRENCY_FIELD)
                .and_then(Value::as_str)
                .and_then(|code| CURRENCIES.iter().copied().find(|c| *c == code))
                .unwrap_or(COMPANY_CURRENCY),
            whole: false,
        }),
        (Some(FieldKind::Integer { .. } | FieldKind::Percent), Some(v)) => {
            v.as_i64().map(Cell::integer)
        }
        (Some(FieldKind::Date), Some(Value::String(text))) => parse_date(text).map(Cell::Date),
        (Some(FieldKind::Instant), Some(Value::String(text))) => {
            parse_instant(text).map(|at| Cell::Instant {
                local: local(at),
                text: shown.to_owned(),
            })
        }
        (Some(FieldKind::Bool), Some(Value::Bool(value))) => Some(Cell::Bool {
            value: *value,
            text: shown.to_owned(),
        }),
        _ => None,
    };
    typed.unwrap_or_else(|| Cell::text(shown))
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};
    use serde_json::json;

    use super::*;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    /// Asia/Shanghai, as a browser there shows instants.
    fn shanghai(at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + Duration::hours(8)
    }

    fn cell(collection: Collection, name: &str, record: &Map<String, Value>, shown: &str) -> Cell {
        field_cell(collection, name, record, shown, &shanghai)
    }

    #[test]
    fn an_amount_is_money_in_the_records_currency_and_yuan_without_one() {
        let usd = fields(json!({"amount": 12_000_000, "currency": "USD"}));
        assert_eq!(
            cell(Collection::Opportunity, "amount", &usd, "¥120,000.00"),
            Cell::Money {
                minor: 12_000_000,
                currency: "USD",
                whole: false
            }
        );
        let plain = fields(json!({"amount": 500}));
        assert_eq!(
            cell(Collection::Opportunity, "amount", &plain, "¥5.00"),
            Cell::yuan(500)
        );
        assert_eq!(
            cell(Collection::Opportunity, "amount", &plain, "¥5.00").csv_text(),
            "5.00"
        );
    }

    #[test]
    fn a_targets_value_is_money_only_when_its_metric_is_an_amount() {
        let sales = fields(json!({"metric": "sales_amount", "value": 1_000_000}));
        assert_eq!(
            cell(Collection::Target, "value", &sales, "¥10,000.00"),
            Cell::yuan(1_000_000)
        );
        let visits = fields(json!({"metric": "visits", "value": 40}));
        assert_eq!(
            cell(Collection::Target, "value", &visits, "40"),
            Cell::integer(40)
        );
    }

    #[test]
    fn days_are_dates_and_instants_are_the_lists_local_time() {
        let record = fields(json!({
            "expected_close": "2027-03-31",
            "opened_at": "2026-11-27T20:30:00Z",
        }));
        assert_eq!(
            cell(
                Collection::Opportunity,
                "expected_close",
                &record,
                "2027-03-31"
            ),
            Cell::Date(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap())
        );
        assert_eq!(
            cell(
                Collection::Ticket,
                "opened_at",
                &record,
                "2026年11月28日 04:30"
            ),
            Cell::Instant {
                local: NaiveDate::from_ymd_opt(2026, 11, 28)
                    .unwrap()
                    .and_hms_opt(4, 30, 0)
                    .unwrap(),
                text: "2026年11月28日 04:30".into()
            }
        );
    }

    #[test]
    fn labels_names_and_yes_no_keep_the_lists_words() {
        let record = fields(json!({"stage": "lost", "is_primary": true, "customer_id": "c1"}));
        assert_eq!(
            cell(Collection::Opportunity, "stage", &record, "输单"),
            Cell::text("输单")
        );
        assert_eq!(
            cell(Collection::Opportunity, "customer_id", &record, "华联超市"),
            Cell::text("华联超市")
        );
        assert_eq!(
            cell(Collection::Contact, "is_primary", &record, "是"),
            Cell::Bool {
                value: true,
                text: "是".into()
            }
        );
    }

    #[test]
    fn an_empty_or_malformed_value_is_the_lists_text() {
        let record = fields(json!({"amount": null, "expected_close": "soon"}));
        assert_eq!(
            cell(Collection::Opportunity, "amount", &record, ""),
            Cell::Empty
        );
        assert_eq!(
            cell(Collection::Opportunity, "expected_close", &record, "soon"),
            Cell::text("soon")
        );
    }
}
