//! The evaluation's inputs read from records, and what its pages show: which promotions are judged,
//! their sales, their cost, the daily chart and the sheet its CSV and .xlsx files are written from.
//!
//! **Where sales come from.** A store's daily sales are its orders (门店补货订单, sell-in): each
//! confirmed, shipped or delivered order of a `retail_store` customer counts its lines on the day it
//! was ordered, at their price after discount. Drafts and cancelled orders do not count. The
//! promoters' reported sales (sell-out, from promotion reports) cover only promotion days, so they
//! cannot give a baseline; the pages show them beside the evaluation, not in it.
//!
//! **Which promotions are judged.** Those that ran (approved, running or finished) and ended before
//! today; only those mark other promotions' baseline weeks as busy. A promotion none of whose
//! stores has a baseline of its own (no whole recorded week with sales of its products before it)
//! is listed apart ("no sales history"), not ranked: a zero baseline would count all its sales as
//! uplift.
//!
//! **Cost.** Its expenses (`promotion_id`) that were not rejected; a promotion without any has a
//! cost of zero and no ROI.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use chrono::{Duration, NaiveDate};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use super::{
    evaluate, rank, Amounts, Basis, Busy, BusyIndex, Evaluated, Evaluation, Sale, SalesIndex,
};
use crate::{
    domain::{id_list, SOLD},
    export::{Cell, Sheet},
    time::parse_date,
    views::line_amount,
};

/// Days before a promotion its chart shows.
pub const CHART_DAYS_BEFORE: i64 = 14;

/// One day's sales of one product in one store, holding its ids (shared: a store's or product's id
/// is allocated once however many rows name it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleRow {
    pub store: Arc<str>,
    pub product: Arc<str>,
    pub day: NaiveDate,
    pub units: i64,
    /// 分.
    pub amount: i64,
}

fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The sales in `orders` (their fields): a row per line of each sold order, on its day.
pub fn sales_from_orders<'a>(
    orders: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> Vec<SaleRow> {
    let mut out = Vec::new();
    let mut ids: FxHashMap<&str, Arc<str>> = FxHashMap::default();
    let mut shared = |id: &'a str| ids.entry(id).or_insert_with(|| Arc::from(id)).clone();
    for order in orders {
        if !SOLD.contains(&text(order, "status")) {
            continue;
        }
        let (store, Some(day)) = (
            text(order, "customer_id"),
            parse_date(text(order, "ordered_on")),
        ) else {
            continue;
        };
        let Some(Value::Array(lines)) = order.get("lines") else {
            continue;
        };
        let store = shared(store);
        for line in lines.iter().filter_map(Value::as_object) {
            let number = |name: &str| line.get(name).and_then(Value::as_i64);
            let (Some(units), Some(price)) = (number("quantity"), number("unit_price")) else {
                continue;
            };
            let Some(amount) = line_amount(units, price, number("discount_percent").unwrap_or(0))
            else {
                continue;
            };
            out.push(SaleRow {
                store: Arc::clone(&store),
                product: shared(text(line, "product_id")),
                day,
                units,
                amount,
            });
        }
    }
    out
}

/// A promotion as its evaluation reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromotionFacts {
    pub id: String,
    pub name: String,
    pub status: String,
    pub stores: Vec<String>,
    pub products: Vec<String>,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl PromotionFacts {
    /// A promotion's fields; `None` without readable dates.
    pub fn read(id: &str, fields: &Map<String, Value>) -> Option<PromotionFacts> {
        let owned = |name| {
            id_list(fields, name)
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        Some(PromotionFacts {
            id: id.to_owned(),
            name: text(fields, "name").to_owned(),
            status: text(fields, "status").to_owned(),
            stores: owned("store_ids"),
            products: owned("product_ids"),
            first: parse_date(text(fields, "starts_on"))?,
            last: parse_date(text(fields, "ends_on"))?,
        })
    }

    /// Ran (approved, running or finished) and ended before `today`: a promotion still planned
    /// when its days passed never ran, and a cancelled one stopped.
    pub fn is_finished(&self, today: NaiveDate) -> bool {
        self.ran() && self.last < today
    }

    /// Approved, running or finished.
    fn ran(&self) -> bool {
        matches!(self.status.as_str(), "approved" | "running" | "finished")
    }

    /// The days after it that its dip is measured over.
    pub fn dip_days(&self) -> i64 {
        super::dip_days((self.last - self.first).num_days() + 1)
    }

    fn evaluated(&self, cost: i64) -> Evaluated<'_> {
        Evaluated {
            id: &self.id,
            stores: self.stores.iter().map(String::as_str).collect(),
            products: self.products.iter().map(String::as_str).collect(),
            first: self.first,
            last: self.last,
            cost,
        }
    }
}

/// What each promotion cost: the sum of its expenses that were not rejected, by promotion id.
pub fn costs_by_promotion<'a>(
    expenses: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> HashMap<String, i64> {
    let mut out: HashMap<String, i64> = HashMap::new();
    for e in expenses {
        let promotion = text(e, "promotion_id");
        if promotion.is_empty() || text(e, "status") == "rejected" {
            continue;
        }
        let amount = e.get("amount").and_then(Value::as_i64).unwrap_or(0);
        *out.entry(promotion.to_owned()).or_default() += amount;
    }
    out
}

/// Each product's cost per unit (分), by product id, where it has one.
pub fn unit_costs<'a>(
    products: impl IntoIterator<Item = (&'a str, &'a Map<String, Value>)>,
) -> HashMap<String, i64> {
    products
        .into_iter()
        .filter_map(|(id, f)| Some((id.to_owned(), f.get("cost").and_then(Value::as_i64)?)))
        .collect()
}

/// Every finished promotion evaluated over the same sales: ranked best first, and apart those
/// without sales data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Judged {
    pub ranked: Vec<Evaluation>,
    /// Promotions without a baseline: none of their stores has a whole recorded week with sales of
    /// their products before them (ids).
    pub no_data: Vec<String>,
}

/// The evaluation's read model: the sales indexed once, the promotions, costs and unit costs.
pub struct Books<'a> {
    pub promotions: &'a [PromotionFacts],
    index: SalesIndex<'a>,
    costs: &'a HashMap<String, i64>,
    unit_costs: &'a HashMap<String, i64>,
    busy: BusyIndex<'a>,
}

impl<'a> Books<'a> {
    pub fn new(
        promotions: &'a [PromotionFacts],
        sales: &'a [SaleRow],
        costs: &'a HashMap<String, i64>,
        unit_costs: &'a HashMap<String, i64>,
    ) -> Books<'a> {
        let sales = sales.iter().map(|s| Sale {
            store: &s.store,
            product: &s.product,
            day: s.day,
            units: s.units,
            amount: s.amount,
        });
        let busy: Vec<Busy<'a>> = promotions
            .iter()
            .filter(|p| p.ran())
            .flat_map(|p| {
                p.stores.iter().map(move |store| Busy {
                    id: &p.id,
                    store,
                    first: p.first,
                    last: p.last,
                })
            })
            .collect();
        Books {
            promotions,
            index: SalesIndex::from_sales(sales),
            costs,
            unit_costs,
            busy: BusyIndex::new(&busy),
        }
    }

    /// One promotion's evaluation.
    pub fn evaluate(&self, promotion: &PromotionFacts) -> Evaluation {
        let cost = self.costs.get(&promotion.id).copied().unwrap_or(0);
        evaluate(
            &promotion.evaluated(cost),
            &self.index,
            &self.busy,
            &|product| self.unit_costs.get(product).copied(),
        )
    }

    /// Every promotion finished before `today`, evaluated and ranked.
    pub fn judge(&self, today: NaiveDate) -> Judged {
        let mut judged = Judged::default();
        for p in self.promotions.iter().filter(|p| p.is_finished(today)) {
            let evaluation = self.evaluate(p);
            if has_baseline(&evaluation) {
                judged.ranked.push(evaluation);
            } else {
                judged.no_data.push(p.id.clone());
            }
        }
        rank(&mut judged.ranked);
        judged
    }
}

/// The promotion's chart: each day from [`CHART_DAYS_BEFORE`] days before it to the end of its dip
/// (not past `today`), its stores' sales of its products and the baseline's expectation. One pass
/// over `sales`, so a promotion's page needs no index of them.
pub fn chart(
    sales: &[SaleRow],
    promotion: &PromotionFacts,
    evaluation: &Evaluation,
    today: NaiveDate,
) -> Vec<ChartDay> {
    let from = promotion.first - Duration::days(CHART_DAYS_BEFORE);
    let to = (promotion.last + Duration::days(promotion.dip_days())).min(today);
    if to < from {
        return Vec::new();
    }
    let mut amounts = vec![0i64; ((to - from).num_days() + 1) as usize];
    let counts = |s: &SaleRow| {
        s.day >= from
            && s.day <= to
            && (promotion.products.is_empty()
                || promotion.products.iter().any(|p| **p == *s.product))
            && evaluation.stores.iter().any(|r| *r.store == *s.store)
    };
    for s in sales.iter().filter(|s| counts(s)) {
        amounts[(s.day - from).num_days() as usize] += s.amount;
    }
    let baseline: f64 = evaluation.stores.iter().map(|s| s.daily.1).sum();
    amounts
        .into_iter()
        .enumerate()
        .map(|(at, amount)| {
            let day = from + Duration::days(at as i64);
            ChartDay {
                day,
                amount,
                baseline: baseline.round() as i64,
                during: day >= promotion.first && day <= promotion.last,
            }
        })
        .collect()
}

/// Whether at least one of the promotion's stores has a baseline of its own (a whole recorded week
/// before it with sales of its products): without one, nothing says what it added.
pub fn has_baseline(evaluation: &Evaluation) -> bool {
    evaluation
        .stores
        .iter()
        .any(|s| !matches!(s.basis, Basis::NoHistory | Basis::PeerStores(_)))
}

/// A day of a promotion's chart, in 分.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartDay {
    pub day: NaiveDate,
    pub amount: i64,
    /// The baseline's daily amount (the same every day).
    pub baseline: i64,
    pub during: bool,
}

/// The promoters' reported sales (sell-out) of each promotion, from its reports: units and 分.
pub fn reported_sales<'a>(
    reports: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> BTreeMap<String, Amounts> {
    let mut out: BTreeMap<String, Amounts> = BTreeMap::new();
    for r in reports {
        let number = |name| r.get(name).and_then(Value::as_i64).unwrap_or(0);
        let entry = out.entry(text(r, "promotion_id").to_owned()).or_default();
        *entry = *entry
            + Amounts {
                units: number("units_sold"),
                amount: number("sales_amount"),
            };
    }
    out
}

/// The ranking as a sheet for its CSV and .xlsx files, titled `title`, with `header` in the user's
/// language and a promotion's name from `name`.
pub fn ranking_sheet(
    title: &str,
    header: &[&str; 13],
    judged: &[Evaluation],
    name: &dyn Fn(&str) -> String,
) -> Sheet {
    let rows = judged.iter().enumerate().map(|(at, e)| {
        let t = &e.total;
        vec![
            Cell::integer(at as i64 + 1),
            Cell::text(name(&e.id)),
            Cell::integer(e.stores.len() as i64),
            Cell::integer(t.actual.units),
            Cell::yuan(t.actual.amount),
            Cell::yuan(t.baseline.amount),
            Cell::yuan(t.uplift().amount),
            // Percentage points, as the header says (`增量 %`).
            Cell::decimal(t.uplift_percent(), 1),
            Cell::yuan(t.incremental_profit),
            Cell::yuan(e.cost),
            Cell::decimal(e.roi(), 2),
            Cell::decimal(e.cost_ratio(), 2),
            Cell::yuan(t.dip().amount),
        ]
    });
    sheet(title, header, rows)
}

/// A promotion's stores as a sheet for its CSV and .xlsx files, titled `title`, with `header` in the
/// user's language, a store's name from `name` and its baseline's basis in words from `basis`.
pub fn stores_sheet(
    title: &str,
    header: &[&str; 9],
    evaluation: &Evaluation,
    name: &dyn Fn(&str) -> String,
    basis: &dyn Fn(&Basis) -> String,
) -> Sheet {
    let rows = evaluation.stores.iter().map(|s| {
        let f = &s.figures;
        vec![
            Cell::text(name(&s.store)),
            Cell::text(basis(&s.basis)),
            Cell::yuan(s.daily.1.round() as i64),
            Cell::integer(f.actual.units),
            Cell::yuan(f.actual.amount),
            Cell::yuan(f.baseline.amount),
            Cell::yuan(f.uplift().amount),
            Cell::yuan(f.incremental_profit),
            Cell::yuan(f.dip().amount),
        ]
    });
    sheet(title, header, rows)
}

fn sheet(title: &str, header: &[&str], rows: impl Iterator<Item = Vec<Cell>>) -> Sheet {
    Sheet {
        name: title.to_owned(),
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows: rows.collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::export::csv_for_excel;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn sold_orders_count_their_lines_after_discount_and_drafts_do_not() {
        let orders = [
            fields(
                json!({"customer_id": "s1", "ordered_on": "2026-03-02", "status": "delivered",
                "lines": [{"product_id": "p1", "quantity": 3, "unit_price": 1000},
                          {"product_id": "p2", "quantity": 2, "unit_price": 500, "discount_percent": 10}]}),
            ),
            fields(
                json!({"customer_id": "s1", "ordered_on": "2026-03-03", "status": "draft",
                "lines": [{"product_id": "p1", "quantity": 9, "unit_price": 1000}]}),
            ),
            fields(
                json!({"customer_id": "s1", "ordered_on": "2026-03-04", "status": "cancelled",
                "lines": [{"product_id": "p1", "quantity": 9, "unit_price": 1000}]}),
            ),
            fields(
                json!({"customer_id": "s1", "ordered_on": "bad", "status": "confirmed",
                "lines": [{"product_id": "p1", "quantity": 9, "unit_price": 1000}]}),
            ),
        ];
        let sales = sales_from_orders(&orders);
        assert_eq!(
            sales,
            vec![
                SaleRow {
                    store: "s1".into(),
                    product: "p1".into(),
                    day: day(3, 2),
                    units: 3,
                    amount: 3000
                },
                SaleRow {
                    store: "s1".into(),
                    product: "p2".into(),
                    day: day(3, 2),
                    units: 2,
                    amount: 900
                },
            ]
        );
    }

    #[test]
    fn costs_leave_out_rejected_expenses_and_those_of_no_promotion() {
        let expenses = [
            fields(json!({"promotion_id": "a", "amount": 100, "status": "approved"})),
            fields(json!({"promotion_id": "a", "amount": 50})),
            fields(json!({"promotion_id": "a", "amount": 999, "status": "rejected"})),
            fields(json!({"amount": 7})),
        ];
        let costs = costs_by_promotion(&expenses);
        assert_eq!(costs.get("a"), Some(&150));
        assert_eq!(costs.len(), 1);
    }

    fn promotion(id: &str, status: &str, first: NaiveDate, last: NaiveDate) -> PromotionFacts {
        PromotionFacts {
            id: id.into(),
            name: format!("促销{id}"),
            status: status.into(),
            stores: vec!["s1".into()],
            products: vec!["p1".into()],
            first,
            last,
        }
    }

    /// s1 sells 10 units (1000 分 each) of p1 a day from 1 Feb, 20 a day from 2 to 8 March.
    fn sales() -> Vec<SaleRow> {
        let mut out = Vec::new();
        let mut d = day(2, 1);
        while d <= day(3, 31) {
            let units = if d >= day(3, 2) && d <= day(3, 8) {
                20
            } else {
                10
            };
            out.push(SaleRow {
                store: "s1".into(),
                product: "p1".into(),
                day: d,
                units,
                amount: units * 1000,
            });
            d += Duration::days(1);
        }
        out
    }

    #[test]
    fn finished_promotions_are_judged_and_those_without_sales_data_set_apart() {
        let promotions = vec![
            promotion("a", "finished", day(3, 2), day(3, 8)),
            promotion("cancelled", "cancelled", day(3, 2), day(3, 8)),
            promotion("running", "running", day(3, 25), day(4, 5)),
            promotion("never approved", "planned", day(3, 9), day(3, 12)),
            PromotionFacts {
                stores: vec!["elsewhere".into()],
                ..promotion("b", "finished", day(3, 2), day(3, 8))
            },
            // Its store's records begin 1 February: no whole week before 5 February.
            promotion("early", "finished", day(2, 5), day(2, 6)),
        ];
        let sales = sales();
        let costs = HashMap::from([("a".to_owned(), 35_000)]);
        let unit_costs = HashMap::from([("p1".to_owned(), 600)]);
        let books = Books::new(&promotions, &sales, &costs, &unit_costs);
        let judged = books.judge(day(4, 1));
        assert_eq!(judged.no_data, vec!["b".to_owned(), "early".to_owned()]);
        assert_eq!(judged.ranked.len(), 1);
        let a = &judged.ranked[0];
        // Four whole recorded weeks before 2 March (from 2 Feb), less the week "early" ran in, at
        // 10 a day: 70 expected over 7 days, 140 sold; 70 × 1000 分 more, of which 70 × 600 cost:
        // 28,000 分 profit.
        assert!(matches!(&a.stores[0].basis, super::super::Basis::CleanWeeks(w) if w.len() == 3));
        assert_eq!(
            a.total.baseline,
            Amounts {
                units: 70,
                amount: 70_000
            }
        );
        assert_eq!(
            a.total.uplift(),
            Amounts {
                units: 70,
                amount: 70_000
            }
        );
        assert_eq!(a.total.incremental_profit, 28_000);
        assert_eq!(a.cost_ratio(), Some(0.5));
        assert_eq!(a.roi(), Some((28_000.0 - 35_000.0) / 35_000.0));

        let chart = chart(&sales, &promotions[0], a, day(4, 1));
        assert_eq!(chart.first().unwrap().day, day(2, 16));
        assert_eq!(chart.last().unwrap().day, day(3, 15));
        assert!(chart.iter().all(|d| d.baseline == 10_000));
        assert_eq!(
            chart
                .iter()
                .filter(|d| d.during)
                .map(|d| d.amount)
                .sum::<i64>(),
            140_000
        );

        let csv = csv_for_excel(&ranking_sheet(
            "促销评估",
            &[
                "#", "n", "s", "u", "a", "b", "up", "%", "gp", "c", "roi", "r", "dip",
            ],
            &judged.ranked,
            &|id| format!("促销{id}"),
        ));
        let text = String::from_utf8(csv).unwrap();
        assert!(
            text.contains(
                "1,促销a,1,140,1400.00,700.00,700.00,100.0,280.00,350.00,-0.20,0.50,0.00"
            ),
            "{text}"
        );
        let csv = csv_for_excel(&stores_sheet(
            "门店",
            &["s", "b", "d", "u", "a", "bl", "up", "gp", "dip"],
            a,
            &|id| format!("门店{id}"),
            &|_| "4 周".into(),
        ));
        let text = String::from_utf8(csv).unwrap();
        assert!(
            text.contains("门店s1,4 周,100.00,140,1400.00,700.00,700.00,280.00,0.00"),
            "{text}"
        );
    }
}
