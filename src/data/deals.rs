//! The deals read model: every opportunity the user sees, read once per change as list rows (the
//! opportunity list, the stage board) and as core's `Deal`s (the funnel, the dashboard).

use std::{collections::HashSet, sync::Arc};

use leptos::prelude::*;
use yingxiao_core::{
    domain::Collection,
    funnel::{self, Deal, DealTable, FunnelQuery, FunnelSettings, Period, DAY_MS},
    list::ListIndex,
    locale::Locale,
    money::Rates,
    scope::ScopeFacts,
    sync::apply::StoredRecord,
};

use super::{
    records::{names_by_id, text, watch_collection, Loaded, Shared},
    settings::use_funnel_settings,
    sync::Data,
};
use crate::{collation, i18n::use_i18n};

/// How far back the list looks for its stalled marks: dwell limits come from a year of history.
const STALL_LOOKBACK_MS: i64 = 365 * DAY_MS;

/// One opportunity as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DealRow {
    pub id: String,
    pub name: String,
    pub customer: String,
    pub owner_id: String,
    pub owner: String,
    /// The deal's org unit and customer: with the owner, the facts its rights are judged by.
    pub unit_id: String,
    pub customer_id: String,
    pub stage: String,
    /// In the deal's currency (minor units); `None` when no amount was given.
    pub amount: Option<i64>,
    /// The deal's currency; `None` is the company's.
    pub currency: Option<String>,
    /// The amount in 分 for the board's totals (`money::Rates`); `None` without an amount or
    /// without a rate for its currency.
    pub company_amount: Option<i64>,
    pub expected_close: String,
    /// Whole days since the deal entered its stage.
    pub days_in_stage: Option<i64>,
    pub stalled: bool,
}

impl DealRow {
    /// The deal's scope facts, as `scope_facts` makes them from its owner, unit and customer.
    pub fn facts(&self) -> ScopeFacts {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        ScopeFacts {
            unit_id: some(&self.unit_id),
            user_ids: some(&self.owner_id).into_iter().collect(),
            customer_id: some(&self.customer_id),
            store_units: Vec::new(),
        }
    }
}

/// The deals in name order, with customer and owner names, days in stage and stalled marks (by the
/// company's `settings`) as of `now_ms`; searchable by deal name, customer and owner.
pub fn deal_list(
    records: &[(String, StoredRecord)],
    customer_names: &std::collections::HashMap<String, String>,
    owner_names: &std::collections::HashMap<String, String>,
    now_ms: i64,
    locale: Locale,
    settings: FunnelSettings,
) -> ListIndex<DealRow> {
    let deals: Vec<Option<Deal>> = records
        .iter()
        .map(|(id, r)| Deal::from_fields(id, &r.fields).ok())
        .collect();
    let readable: Vec<Deal> = deals.iter().flatten().cloned().collect();
    let stalled = stalled_ids(&readable, now_ms, settings);
    let places = collation::ranks(records.iter().map(|(_, r)| text(&r.fields, "name")), locale);
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let key = |i: usize| (places[text(&records[i].1.fields, "name")], &records[i].0);
        key(a).cmp(&key(b))
    });
    let rows = order
        .into_iter()
        .map(|i| {
            let (id, record) = &records[i];
            let f = &record.fields;
            let name_of = |names: &std::collections::HashMap<String, String>, field: &str| {
                names.get(text(f, field)).cloned().unwrap_or_default()
            };
            let entered = deals[i]
                .as_ref()
                .and_then(|d| d.history.last())
                .map(|e| e.entered_at);
            DealRow {
                id: id.clone(),
                name: text(f, "name").to_owned(),
                customer: name_of(customer_names, "customer_id"),
                owner_id: text(f, "owner_id").to_owned(),
                owner: name_of(owner_names, "owner_id"),
                unit_id: text(f, "unit_id").to_owned(),
                customer_id: text(f, "customer_id").to_owned(),
                stage: text(f, "stage").to_owned(),
                amount: f.get("amount").and_then(|v| v.as_i64()),
                currency: f
                    .get("currency")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                company_amount: f.get("amount").and_then(|v| v.as_i64()).and_then(|a| {
                    settings
                        .rates
                        .to_company(a, f.get("currency").and_then(|v| v.as_str()))
                }),
                expected_close: text(f, "expected_close").to_owned(),
                days_in_stage: entered.map(|at| ((now_ms - at) / DAY_MS).max(0)),
                stalled: stalled.contains(id),
            }
        })
        .collect();
    ListIndex::new(rows, |r: &DealRow| {
        [r.name.as_str(), r.customer.as_str(), r.owner.as_str()]
    })
}

/// The deals stalled in their stage as of `now_ms`, by the company's dwell limits (from a year of
/// history): the 停滞 marks of the list and the board.
pub fn stalled_ids(readable: &[Deal], now_ms: i64, settings: FunnelSettings) -> HashSet<String> {
    let query = FunnelQuery {
        period: Period::new(now_ms - STALL_LOOKBACK_MS, now_ms + 1),
        now_ms,
        settings,
    };
    funnel::stalled(readable, |_| true, &query)
        .iter()
        .map(|s| readable[s.deal].id.clone())
        .collect()
}

/// The ids of the stalled opportunities the user sees, kept as the deals and settings change.
pub(crate) fn use_stalled(data: Data) -> Memo<HashSet<String>> {
    data.model("stalled", || {
        let deals = use_deals(data);
        let settings = use_funnel_settings(data);
        Memo::new(move |_| {
            deals.with(|d| match d {
                Loaded::Ready(d) => {
                    stalled_ids(d.deals.deals(), js_sys::Date::now() as i64, settings.get())
                }
                _ => HashSet::new(),
            })
        })
    })
}

/// The list as built, compared by identity: rebuilding it is what counts as a change.
#[derive(Clone, Debug)]
pub struct Built(pub Arc<ListIndex<DealRow>>);

impl PartialEq for Built {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Every opportunity the user sees as list rows, rebuilt when the deals, the names they show or the
/// company's funnel settings change; the list page and the stage board read the same.
pub(crate) fn use_deal_list(data: Data) -> Memo<Loaded<Built>> {
    data.model("deal-list", || {
        let i18n = use_i18n();
        let opportunities = watch_collection(data, Collection::Opportunity);
        let customers = watch_collection(data, Collection::Customer);
        let users = watch_collection(data, Collection::User);
        let settings = use_funnel_settings(data);
        let owners = Memo::new(move |_| names_by_id(&users));
        let customer_names = Memo::new(move |_| names_by_id(&customers));
        Memo::new(move |_| {
            let read = opportunities.with(|read| {
                read.as_ref().map(|r| {
                    r.as_ref().map_err(Clone::clone).map(|records| {
                        let list = customer_names.with(|customers| {
                            owners.with(|owners| {
                                deal_list(
                                    records,
                                    customers,
                                    owners,
                                    js_sys::Date::now() as i64,
                                    i18n.locale(),
                                    settings.get(),
                                )
                            })
                        });
                        Built(Arc::new(list))
                    })
                })
            });
            Loaded::from_read(read, || data.status.get())
        })
    })
}

/// Every opportunity the user sees read as deals, once per change of the opportunities, for the
/// funnel, the dashboard and the 停滞 marks.
pub(crate) fn use_deals(data: Data) -> Memo<Loaded<Shared<Deals>>> {
    data.model("deals", || {
        let opportunities = watch_collection(data, Collection::Opportunity);
        let rates = use_funnel_settings(data);
        Memo::new(move |_| {
            let rates = rates.get().rates;
            let read = opportunities.with(|read| {
                read.as_ref().map(|r| {
                    r.as_ref()
                        .map_err(Clone::clone)
                        .map(|records| Shared(Arc::new(read_deals(records, rates))))
                })
            });
            Loaded::from_read(read, || data.status.get())
        })
    })
}

/// The opportunities on the device read as deals, with what the lists show of each.
#[derive(Debug, Default)]
pub struct Deals {
    /// Laid out once per read of the device; every filter change asks it again.
    pub deals: DealTable,
    pub names: Vec<String>,
    /// Opportunities whose stage history could not be read; they take part in no figure.
    pub unreadable: usize,
    /// Deals with an amount in a currency the company sets no rate for: counted, but not in the
    /// amounts.
    pub unconverted: usize,
}

/// The opportunities as deals, their amounts in 分 at the company's `rates`.
pub fn read_deals(records: &[(String, StoredRecord)], rates: Rates) -> Deals {
    let mut out = Deals::default();
    let mut deals = Vec::new();
    for (id, record) in records {
        match Deal::from_fields(id, &record.fields) {
            Ok(mut deal) => {
                let currency = record.fields.get("currency").and_then(|v| v.as_str());
                match rates.to_company(deal.amount, currency) {
                    Some(amount) => deal.amount = amount,
                    None => {
                        deal.amount = 0;
                        out.unconverted += 1;
                    }
                }
                out.names.push(text(&record.fields, "name").to_owned());
                deals.push(deal);
            }
            Err(_) => out.unreadable += 1,
        }
    }
    out.deals = DealTable::new(deals);
    out
}
