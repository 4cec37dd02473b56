//! The promotions read model of the calendar: every promotion the user sees, read once per change
//! as rows with their dates parsed, and the conflicts among them and against the units' promotion
//! budgets (core's `calendar::conflicts`), kept for the session.

use std::{collections::HashMap, sync::Arc};

use chrono::NaiveDate;
use leptos::prelude::*;
use serde_json::Value;
use yingxiao_core::{
    calendar::{conflicts, Conflict, Facts, Places, Planned, PromotionBudget, Span},
    domain::{id_list, may_reschedule, Collection},
    scope::{scope_facts, OrgTree, ScopeFacts},
    sync::apply::StoredRecord,
    time::parse_date,
};

use crate::format::local_today;

use super::{
    records::{names_by_id, text, use_titles, watch_collection, Loaded, Shared},
    sync::Data,
};

/// One promotion as the calendar draws and checks it.
#[derive(Clone, Debug, PartialEq)]
pub struct PromoRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub unit_id: String,
    pub stores: Vec<String>,
    pub products: Vec<String>,
    pub promoters: Vec<String>,
    /// The promoters' days: (day, store, promoter).
    pub shifts: Vec<(NaiveDate, String, String)>,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// 分.
    pub budget: Option<i64>,
    /// What its rights are judged by.
    pub facts: ScopeFacts,
    /// Not finished, cancelled or past (as of the read): it may still be moved.
    pub open: bool,
}

impl PromoRow {
    pub fn span(&self) -> Span<'_> {
        Span {
            id: &self.id,
            first: self.first,
            last: self.last,
        }
    }

    /// What the calendar's filter reads.
    pub fn facts(&self) -> Facts<'_> {
        Facts {
            name: &self.name,
            kind: &self.kind,
            status: &self.status,
            unit_id: &self.unit_id,
            stores: &self.stores,
            products: &self.products,
            promoters: &self.promoters,
            first: self.first,
            last: self.last,
        }
    }

    fn planned(&self) -> Planned<'_> {
        Planned {
            id: &self.id,
            kind: &self.kind,
            cancelled: self.status == "cancelled",
            unit_id: &self.unit_id,
            stores: self.stores.iter().map(String::as_str).collect(),
            products: self.products.iter().map(String::as_str).collect(),
            promoters: self.promoters.iter().map(String::as_str).collect(),
            shifts: self
                .shifts
                .iter()
                .map(|(day, store, promoter)| (*day, store.as_str(), promoter.as_str()))
                .collect(),
            first: self.first,
            last: self.last,
            budget: self.budget,
        }
    }
}

fn ids(fields: &serde_json::Map<String, Value>, name: &str) -> Vec<String> {
    id_list(fields, name)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The readable lines of a promotion's `promoter_shifts`.
fn shifts(fields: &serde_json::Map<String, Value>) -> Vec<(NaiveDate, String, String)> {
    let Some(Value::Array(lines)) = fields.get("promoter_shifts") else {
        return Vec::new();
    };
    lines
        .iter()
        .filter_map(|line| {
            let line = line.as_object()?;
            let day = parse_date(text(line, "day"))?;
            Some((
                day,
                text(line, "store_id").to_owned(),
                text(line, "promoter_id").to_owned(),
            ))
        })
        .collect()
}

/// The promotions with readable dates, by first day then name; `today` decides which are open.
pub fn promo_rows(records: &[(String, StoredRecord)], today: NaiveDate) -> Vec<PromoRow> {
    let mut rows: Vec<PromoRow> = records
        .iter()
        .filter_map(|(id, record)| {
            let f = &record.fields;
            let first = parse_date(text(f, "starts_on"))?;
            let last = parse_date(text(f, "ends_on"))?;
            let stores = ids(f, "store_ids");
            Some(PromoRow {
                id: id.clone(),
                name: text(f, "name").to_owned(),
                kind: text(f, "kind").to_owned(),
                status: text(f, "status").to_owned(),
                unit_id: text(f, "unit_id").to_owned(),
                stores,
                products: ids(f, "product_ids"),
                promoters: ids(f, "promoter_ids"),
                shifts: shifts(f),
                first,
                last,
                budget: f.get("budget").and_then(Value::as_i64),
                facts: scope_facts(Collection::Promotion, f, None),
                open: may_reschedule(f, today),
            })
        })
        .collect();
    rows.sort_by(|a, b| (a.first, &a.name, &a.id).cmp(&(b.first, &b.name, &b.id)));
    rows
}

/// The promotions and their conflicts.
#[derive(Debug, Default)]
pub struct Promotions {
    pub rows: Vec<PromoRow>,
    pub conflicts: Vec<Conflict>,
    /// For each promotion id, the positions in `conflicts` that concern it.
    pub conflicted: HashMap<String, Vec<usize>>,
}

/// Reads the promotions and checks them against each other and the promotion budgets.
pub fn read_promotions(
    records: &[(String, StoredRecord)],
    budgets: &[(String, StoredRecord)],
    today: NaiveDate,
) -> Promotions {
    let rows = promo_rows(records, today);
    let planned: Vec<Planned> = rows.iter().map(PromoRow::planned).collect();
    let budget_lines: Vec<PromotionBudget> = budgets
        .iter()
        .filter(|(_, b)| text(&b.fields, "cost_item") == "promotion")
        .filter_map(|(id, b)| {
            let f = &b.fields;
            Some(PromotionBudget {
                id,
                unit_id: text(f, "unit_id"),
                first: parse_date(text(f, "period_start"))?,
                last: parse_date(text(f, "period_end"))?,
                amount: f.get("amount").and_then(Value::as_i64)?,
            })
        })
        .collect();
    let found = conflicts(&planned, &budget_lines);
    let mut conflicted: HashMap<String, Vec<usize>> = HashMap::new();
    for (at, conflict) in found.iter().enumerate() {
        for id in conflict.promotions() {
            conflicted.entry(id.clone()).or_default().push(at);
        }
    }
    Promotions {
        rows,
        conflicts: found,
        conflicted,
    }
}

/// Every promotion the user sees with its conflicts, once per change of the promotions or budgets.
pub(crate) fn use_promotions(data: Data) -> Memo<Loaded<Shared<Promotions>>> {
    data.model("promotions", || {
        let promotions = watch_collection(data, Collection::Promotion);
        let budgets = watch_collection(data, Collection::Budget);
        Memo::new(move |_| {
            let read = promotions.with(|read| {
                read.as_ref().map(|r| {
                    r.as_ref().map_err(Clone::clone).map(|records| {
                        let read = budgets.with(|b| {
                            let none = Vec::new();
                            let budget_rows = match b {
                                Some(Ok(rows)) => rows,
                                _ => &none,
                            };
                            read_promotions(records, budget_rows, local_today())
                        });
                        Shared(Arc::new(read))
                    })
                })
            });
            Loaded::from_read(read, || data.status.get())
        })
    })
}

/// The org tree and each store's unit, once per change of the units or customers, for the session.
pub(crate) fn use_places(data: Data) -> Memo<Shared<Places>> {
    data.model("places", || {
        let customers = watch_collection(data, Collection::Customer);
        let units = watch_collection(data, Collection::OrgUnit);
        Memo::new(move |_| {
            let tree = units.with(|read| match read {
                Some(Ok(rows)) => OrgTree::new(rows.iter().filter_map(|(id, unit)| {
                    let parent = text(&unit.fields, "parent_id");
                    (!parent.is_empty()).then(|| (id.clone(), parent.to_owned()))
                })),
                _ => OrgTree::default(),
            });
            let store_units = customers.with(|read| match read {
                Some(Ok(rows)) => rows
                    .iter()
                    .filter(|(_, c)| text(&c.fields, "kind") == "retail_store")
                    .map(|(id, c)| (id.clone(), text(&c.fields, "region_unit_id").to_owned()))
                    .collect(),
                _ => HashMap::new(),
            });
            Shared(Arc::new(Places { tree, store_units }))
        })
    })
}

/// A store as the calendar's timeline lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreRow {
    pub id: String,
    pub name: String,
    /// Its unit's name, shown under it.
    pub unit: String,
    /// The units it is grouped under on the timeline, its region and area: ids (empty if none)
    /// and names.
    pub region: String,
    pub area: String,
    pub region_name: String,
    pub area_name: String,
}

/// The stores the user sees (customers of kind retail_store), by region, area, then name, kept for
/// the session: the timeline's rows.
pub(crate) fn use_stores(data: Data) -> Memo<Vec<StoreRow>> {
    data.model("stores", || {
        let customers = watch_collection(data, Collection::Customer);
        let unit_records = watch_collection(data, Collection::OrgUnit);
        let units = use_titles(data, vec![Collection::OrgUnit]);
        let places = use_places(data);
        Memo::new(move |_| {
            let places = places.get();
            let names = names_by_id(&unit_records);
            let name = |id: &str| names.get(id).cloned().unwrap_or_default();
            let mut rows: Vec<StoreRow> = customers.with(|read| match read {
                Some(Ok(records)) => units.with(|units| {
                    records
                        .iter()
                        .filter(|(_, c)| text(&c.fields, "kind") == "retail_store")
                        .map(|(id, c)| {
                            let unit = text(&c.fields, "region_unit_id");
                            let path = places.tree.path_below_top(unit);
                            let level = |at: usize| path.get(at).copied().unwrap_or("").to_owned();
                            let (region, area) = (level(0), level(1));
                            StoreRow {
                                id: id.clone(),
                                name: text(&c.fields, "name").to_owned(),
                                unit: units.get(unit).cloned().unwrap_or_default(),
                                region_name: name(&region),
                                area_name: name(&area),
                                region,
                                area,
                            }
                        })
                        .collect()
                }),
                _ => Vec::new(),
            });
            rows.sort_by(|a, b| {
                (
                    &a.region_name,
                    &a.region,
                    &a.area_name,
                    &a.area,
                    &a.name,
                    &a.id,
                )
                    .cmp(&(
                        &b.region_name,
                        &b.region,
                        &b.area_name,
                        &b.area,
                        &b.name,
                        &b.id,
                    ))
            });
            rows
        })
    })
}
