//! Pushes as a device would send them, made from the field tables: every kind of mutation, values
//! each field accepts and now and then one at or past its edge, references to the records a store
//! holds (`Pool`) and now and then to none.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use yingxiao_core::{
    domain::{Collection, FieldDef, FieldKind, MAX_LIST_LEN, MAX_MONEY},
    sync::hlc::{Hlc, MAX_MILLIS},
    time::{add_days, format_instant, NaiveDate},
};

use super::{odd_string, odd_value, random_char, Rng};

/// A record id numbered `n`, the same for every case, so references meet records.
pub fn id(n: u64) -> String {
    format!("0190a000-0000-7000-8000-{n:012x}")
}

/// The ids of the records a store holds, by collection: what a device could refer to.
pub type Pool = BTreeMap<Collection, Vec<String>>;

/// An id of `collection` for a case to refer to: mostly one the store holds, now and then a new,
/// another collection's or a malformed one.
pub fn some_id(rng: &mut Rng, pool: &Pool, collection: Collection) -> String {
    let held = pool.get(&collection).filter(|ids| !ids.is_empty());
    match (rng.below(40), held) {
        (0, _) => odd_string(rng),
        (1 | 2, _) | (_, None) => id(rng.next_u64() & 0xffff_ffff_ffff),
        (3, _) => id(rng.between(1, 5) as u64),
        (_, Some(ids)) => rng.pick(ids).clone(),
    }
}

pub fn choices(collection: Collection, field: &str) -> &'static [&'static str] {
    match collection.field(field).map(|f| f.kind) {
        Some(FieldKind::Enum(values)) => values,
        _ => &[],
    }
}

/// A value for a field of this kind: usually one it accepts, sometimes one at or past its edges.
pub fn field_value(rng: &mut Rng, field: &FieldDef, depth: usize, pool: &Pool) -> Value {
    if rng.one_in(40) {
        return odd_value(rng);
    }
    match field.kind {
        FieldKind::Text { max_chars } => {
            let len = if rng.one_in(30) {
                max_chars as usize + rng.below(2)
            } else {
                rng.length(40)
            };
            Value::from(
                (0..len.max(1))
                    .map(|_| random_char(rng))
                    .collect::<String>(),
            )
        }
        FieldKind::Integer { min, max } => Value::from(match rng.below(4) {
            0 => min,
            1 => max,
            _ => min.saturating_add((rng.next_u64() % 1000) as i64).min(max),
        }),
        FieldKind::Money => Value::from(match rng.below(4) {
            0 => MAX_MONEY,
            1 => MAX_MONEY + 1,
            _ => (rng.next_u64() % 100_000_000) as i64,
        }),
        FieldKind::Percent => Value::from(rng.between(0, 101)),
        FieldKind::Date => Value::from(a_date(rng).to_string()),
        FieldKind::Instant => Value::from(format_instant(rng.next_u64() % (MAX_MILLIS + 1))),
        FieldKind::Bool => Value::from(rng.one_in(2)),
        FieldKind::Enum(values) => Value::from(*rng.pick(values)),
        FieldKind::Ref(to) => Value::from(some_id(rng, pool, to)),
        FieldKind::RefList(to) => {
            let len = if rng.one_in(20) {
                MAX_LIST_LEN + 1
            } else {
                rng.length(5)
            };
            Value::from((0..len).map(|_| some_id(rng, pool, to)).collect::<Vec<_>>())
        }
        FieldKind::Lines(defs) if depth < 2 => Value::from(
            (0..rng.length(4))
                .map(|_| Value::Object(fields_of(rng, defs, depth + 1, pool)))
                .collect::<Vec<_>>(),
        ),
        FieldKind::Lines(_) => Value::Array(Vec::new()),
        FieldKind::Attachment => Value::from(format!("{:064x}", rng.next_u64())),
    }
}

/// The required fields of a record and some of its optional ones.
pub fn fields_of(
    rng: &mut Rng,
    defs: &[FieldDef],
    depth: usize,
    pool: &Pool,
) -> Map<String, Value> {
    let mut fields = Map::new();
    for def in defs {
        if def.required || rng.one_in(3) {
            fields.insert(def.name.to_owned(), field_value(rng, def, depth, pool));
        }
    }
    fields
}

pub fn a_date(rng: &mut Rng) -> NaiveDate {
    match rng.below(6) {
        0 => NaiveDate::from_ymd_opt(rng.between(1, 9999) as i32, 1, 1).unwrap(),
        _ => add_days(
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            rng.below(800) as i64,
        )
        .unwrap(),
    }
}

/// One mutation's `name` and `args`, of any kind, about the records of a case.
pub fn intent_json(rng: &mut Rng, pool: &Pool) -> Value {
    let collection = *rng.pick(&Collection::ALL);
    let promotion_status = choices(Collection::Promotion, "status");
    match rng.below(10) {
        0..=2 => json!({"name": "create", "args": {
            "collection": collection.as_str(),
            "id": if rng.one_in(10) { some_id(rng, pool, collection) } else { id(rng.next_u64() & 0xffff_ffff_ffff) },
            "fields": fields_of(rng, collection.fields(), 0, pool)}}),
        3 | 4 => {
            let all = fields_of(rng, collection.fields(), 0, pool);
            let some: Map<String, Value> = all.into_iter().filter(|_| rng.one_in(2)).collect();
            json!({"name": "set_fields", "args": {
                "collection": collection.as_str(), "id": some_id(rng, pool, collection), "fields": some}})
        }
        5 => {
            json!({"name": "delete", "args": {"collection": collection.as_str(), "id": some_id(rng, pool, collection)}})
        }
        6 => {
            let stage = *rng.pick(choices(Collection::Opportunity, "stage"));
            let mut args =
                json!({"id": some_id(rng, pool, Collection::Opportunity), "stage": stage});
            if stage == "lost" || rng.one_in(4) {
                args["lost_reason"] =
                    Value::from(*rng.pick(choices(Collection::Opportunity, "lost_reason")));
                args["lost_note"] = Value::from(odd_string(rng));
            }
            json!({"name": "move_opportunity_stage", "args": args})
        }
        7 => {
            let first = a_date(rng);
            let last = add_days(first, rng.below(30) as i64).unwrap_or(first);
            let mut args = json!({"id": some_id(rng, pool, Collection::Promotion),
                "starts_on": first.to_string(),
                "ends_on": last.to_string()});
            if rng.one_in(2) {
                args["move_store"] = json!({"from": some_id(rng, pool, Collection::OrgUnit),
                    "to": some_id(rng, pool, Collection::OrgUnit)});
            }
            json!({"name": "reschedule_promotion", "args": args})
        }
        8 => {
            let (name, status, of) = if rng.one_in(2) {
                (
                    "decide_promotion",
                    *rng.pick(promotion_status),
                    Collection::Promotion,
                )
            } else {
                (
                    "decide_breakdown",
                    *rng.pick(&["submitted", "approved", "draft"]),
                    Collection::Target,
                )
            };
            json!({"name": name, "args": {"id": some_id(rng, pool, of), "status": status, "comment": odd_string(rng)}})
        }
        _ => {
            let flags: Vec<&str> = [
                "display_missing",
                "stock_out",
                "price_wrong",
                "promoter_absent",
                "figures_doubtful",
                "other",
            ]
            .into_iter()
            .filter(|_| rng.one_in(3))
            .collect();
            json!({"name": "review_report", "args": {
                "id": some_id(rng, pool, Collection::PromotionReport),
                "reviewer_id": some_id(rng, pool, Collection::User), "flags": flags, "comment": "复核"}})
        }
    }
}

/// A push of `count` mutations from `client`, numbered from `first`, stamped by its clock a minute
/// before `now_millis`.
pub fn push_json(
    rng: &mut Rng,
    client: &str,
    first: u64,
    count: usize,
    pool: &Pool,
    now_millis: u64,
) -> Value {
    let mutations: Vec<Value> = (0..count as u64)
        .map(|i| {
            let mut mutation = intent_json(rng, pool);
            mutation["id"] = Value::from(first + i);
            mutation["hlc"] = Value::from(
                Hlc::new(now_millis - 60_000 + i * 7, rng.below(3) as u32, client).to_string(),
            );
            mutation
        })
        .collect();
    json!({"client_id": client, "mutations": mutations})
}
