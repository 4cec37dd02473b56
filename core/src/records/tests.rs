use serde_json::{json, Map, Value};

use super::*;
use crate::domain::{Collection, FieldDef, FieldKind, MAX_MONEY};

type Reader = fn(&Map<String, Value>) -> Result<(), UnreadableField>;

/// The typed view of each collection; the match is exhaustive, so a new collection needs one.
fn view(collection: Collection) -> (&'static [&'static str], Reader) {
    macro_rules! view {
        ($view:ident) => {
            ($view::FIELDS, |fields| $view::from_fields(fields).map(drop))
        };
    }
    match collection {
        Collection::OrgUnit => view!(OrgUnit),
        Collection::User => view!(User),
        Collection::Customer => view!(Customer),
        Collection::Contact => view!(Contact),
        Collection::Visit => view!(Visit),
        Collection::Product => view!(Product),
        Collection::Opportunity => view!(Opportunity),
        Collection::Order => view!(Order),
        Collection::Contract => view!(Contract),
        Collection::Target => view!(Target),
        Collection::PastActual => view!(PastActual),
        Collection::Budget => view!(Budget),
        Collection::Expense => view!(Expense),
        Collection::Promotion => view!(Promotion),
        Collection::PromotionReport => view!(PromotionReport),
        Collection::DailyReport => view!(DailyReport),
        Collection::Ticket => view!(Ticket),
        Collection::Survey => view!(Survey),
    }
}

/// The typed line of each `Lines` field.
fn line_fields(collection: Collection, field: &str) -> &'static [&'static str] {
    match (collection, field) {
        (Collection::OrgUnit, "permission_overrides") => PermissionOverride::FIELDS,
        (Collection::OrgUnit, "role_duties") => RoleDuty::FIELDS,
        (Collection::OrgUnit, "score_weights") => ScoreWeight::FIELDS,
        (Collection::OrgUnit, "import_mappings") => ImportMapping::FIELDS,
        (Collection::Opportunity, "stage_history") => StageHistoryEntry::FIELDS,
        (Collection::Opportunity, "product_lines") => ProductLine::FIELDS,
        (Collection::Order, "lines") => OrderLine::FIELDS,
        (Collection::Promotion, "budget_lines") => BudgetLine::FIELDS,
        (Collection::Promotion, "promoter_shifts") => Shift::FIELDS,
        (Collection::PromotionReport, "attendance") => Attendance::FIELDS,
        (Collection::PromotionReport, "sales_lines") => SalesLine::FIELDS,
        (Collection::PromotionReport, "display_photos") => DisplayPhoto::FIELDS,
        (Collection::PromotionReport, "competitor_activity") => CompetitorActivity::FIELDS,
        (Collection::PromotionReport, "review_flags") => ReviewFlag::FIELDS,
        _ => panic!("{collection}.{field} has no typed line"),
    }
}

fn names(defs: &[FieldDef]) -> Vec<&'static str> {
    defs.iter().map(|def| def.name).collect()
}

const ID: &str = "0193b3c4-7a1e-7000-8000-000000000001";

/// A value of the kind at the edge of its range, so the Rust type must hold all of it.
fn sample(kind: FieldKind) -> Value {
    match kind {
        FieldKind::Text { .. } => json!("华南区"),
        FieldKind::Integer { max, .. } => json!(max),
        FieldKind::Money => json!(MAX_MONEY),
        FieldKind::Percent => json!(100),
        FieldKind::Date => json!("9999-12-31"),
        FieldKind::Instant => json!("2026-11-27T08:30:00.123Z"),
        FieldKind::Bool => json!(true),
        FieldKind::Enum(values) => json!(values[values.len() - 1]),
        FieldKind::Ref(_) => json!(ID),
        FieldKind::RefList(_) => json!([ID]),
        FieldKind::Lines(defs) => json!([sample_row(defs, |_| true)]),
        FieldKind::Attachment => json!(crate::attachment::hash(b"photo")),
    }
}

fn sample_row(defs: &[FieldDef], keep: impl Fn(&FieldDef) -> bool) -> Map<String, Value> {
    defs.iter()
        .filter(|def| keep(def))
        .map(|def| (def.name.to_owned(), sample(def.kind)))
        .collect()
}

#[test]
fn every_collection_has_a_view_with_exactly_its_table_fields_in_order() {
    for collection in Collection::ALL {
        let (fields, _) = view(collection);
        assert_eq!(fields, names(collection.fields()), "{collection}");
    }
}

#[test]
fn every_lines_field_has_a_typed_line_with_exactly_its_fields_in_order() {
    for collection in Collection::ALL {
        for def in collection.fields() {
            if let FieldKind::Lines(line) = def.kind {
                assert_eq!(
                    line_fields(collection, def.name),
                    names(line),
                    "{collection}.{}",
                    def.name
                );
            }
        }
    }
}

#[test]
fn every_field_kind_reads_as_its_rust_type_at_the_edge_of_its_range() {
    for collection in Collection::ALL {
        let (_, read) = view(collection);
        let full = sample_row(collection.fields(), |_| true);
        assert_eq!(read(&full), Ok(()), "{collection}: {full:?}");
        let required = sample_row(collection.fields(), |def| def.required);
        assert_eq!(read(&required), Ok(()), "{collection}: {required:?}");
    }
}

#[test]
fn a_missing_required_field_makes_the_record_unreadable_and_names_it() {
    for collection in Collection::ALL {
        let (_, read) = view(collection);
        for def in collection.fields().iter().filter(|def| def.required) {
            let mut fields = sample_row(collection.fields(), |_| true);
            fields.remove(def.name);
            assert_eq!(
                read(&fields),
                Err(UnreadableField(def.name)),
                "{collection}"
            );
            fields.insert(def.name.to_owned(), Value::Null);
            assert_eq!(
                read(&fields),
                Err(UnreadableField(def.name)),
                "{collection}"
            );
        }
    }
}

#[test]
fn an_optional_field_of_the_wrong_kind_is_read_as_absent() {
    for collection in Collection::ALL {
        let (_, read) = view(collection);
        for def in collection.fields().iter().filter(|def| !def.required) {
            let mut fields = sample_row(collection.fields(), |_| true);
            fields.insert(def.name.to_owned(), json!({"not": "a value of any kind"}));
            assert_eq!(read(&fields), Ok(()), "{collection}.{}", def.name);
        }
    }
}

#[test]
fn an_order_reads_with_typed_lines_money_and_its_business_day() {
    let fields = json!({
        "customer_id": ID, "owner_id": ID, "unit_id": ID,
        "order_no": "SO-2026-000042", "ordered_on": "2026-03-05", "status": "confirmed",
        "lines": [
            {"product_id": ID, "quantity": 20, "unit_price": 3_500, "discount_percent": 5},
            {"product_id": ID, "quantity": 1, "unit_price": 120_000},
        ],
        "total": 186_500,
        "notes": null,
    });
    let order = Order::from_fields(fields.as_object().unwrap()).unwrap();
    assert_eq!(
        order.ordered_on,
        NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
    );
    assert_eq!(order.total, Some(186_500));
    assert_eq!(order.notes, None);
    assert_eq!(order.opportunity_id, None);
    assert_eq!(
        order.lines.unwrap(),
        [
            OrderLine {
                product_id: ID.into(),
                quantity: 20,
                unit_price: 3_500,
                discount_percent: Some(5),
            },
            OrderLine {
                product_id: ID.into(),
                quantity: 1,
                unit_price: 120_000,
                discount_percent: None,
            },
        ]
    );
}

#[test]
fn a_list_with_one_unreadable_entry_is_not_half_shown() {
    let mut fields = sample_row(Collection::Opportunity.fields(), |_| true);
    fields.insert(
        "stage_history".into(),
        json!([
            {"stage": "aware", "entered_at": "2026-09-01T01:00:00Z"},
            {"stage": "maybe", "entered_at": "2026-09-02T01:00:00Z"},
        ]),
    );
    let deal = Opportunity::from_fields(&fields).unwrap();
    assert_eq!(deal.stage_history, None);
    assert_eq!(deal.stage, Stage::Lost);
}
