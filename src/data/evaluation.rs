//! The promotion evaluation's read model (促销评估): every finished promotion the user sees, judged
//! over the stores' orders it sees (core's `evaluation::read`), once per change of the promotions,
//! orders, expenses, products or promotion reports, kept for the session.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use leptos::prelude::*;
use yingxiao_core::{
    domain::Collection,
    evaluation::{
        read::{
            costs_by_promotion, reported_sales, sales_from_orders, unit_costs, Books, Judged,
            PromotionFacts, SaleRow,
        },
        Amounts,
    },
};

use crate::format::local_today;

use super::{
    cache::Rows,
    records::{watch_collection, Loaded, Shared},
    sync::Data,
};

/// What the evaluation pages read.
#[derive(Debug)]
pub struct EvaluationModel {
    pub promotions: Vec<PromotionFacts>,
    pub sales: Vec<SaleRow>,
    pub costs: HashMap<String, i64>,
    pub unit_costs: HashMap<String, i64>,
    /// The promoters' reported sales (sell-out) by promotion.
    pub reported: BTreeMap<String, Amounts>,
    pub judged: Judged,
    /// How long reading the records and judging every promotion took, in ms; and the judging alone
    /// (from sales rows to the ranking).
    pub compute_ms: f64,
    pub judge_ms: f64,
}

impl EvaluationModel {
    pub fn books(&self) -> Books<'_> {
        Books::new(&self.promotions, &self.sales, &self.costs, &self.unit_costs)
    }

    pub fn promotion(&self, id: &str) -> Option<&PromotionFacts> {
        self.promotions.iter().find(|p| p.id == id)
    }
}

pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The evaluation of every finished promotion, once per change of what it reads.
pub(crate) fn use_evaluation(data: Data) -> Memo<Loaded<Shared<EvaluationModel>>> {
    data.model("evaluation", || {
        let watched = [
            Collection::Promotion,
            Collection::Order,
            Collection::Expense,
            Collection::Product,
            Collection::PromotionReport,
        ]
        .map(|c| watch_collection(data, c));
        Memo::new(move |_| {
            // Not judged on what a first sync has brought so far: it would be judged again with
            // every batch, and show figures that are not yet the user's.
            if data.first_sync.get().is_some() {
                return Loaded::Loading;
            }
            // Every collection read (or the first failure), in the order above.
            let mut rows: Vec<Rows> = Vec::with_capacity(watched.len());
            for w in &watched {
                match w.get() {
                    None => return Loaded::Loading,
                    Some(Ok(r)) => rows.push(r),
                    Some(Err(error)) => {
                        return Loaded::from_read(Some(Err(error)), || data.status.get());
                    }
                }
            }
            let started = now_ms();
            let fields = |at: usize| rows[at].iter().map(|(_, r)| &r.fields);
            let promotions: Vec<PromotionFacts> = rows[0]
                .iter()
                .filter_map(|(id, r)| PromotionFacts::read(id, &r.fields))
                .collect();
            let sales = sales_from_orders(fields(1));
            let costs = costs_by_promotion(fields(2));
            let unit_costs = unit_costs(rows[3].iter().map(|(id, r)| (id.as_str(), &r.fields)));
            let reported = reported_sales(fields(4));
            let mut model = EvaluationModel {
                promotions,
                sales,
                costs,
                unit_costs,
                reported,
                judged: Judged::default(),
                compute_ms: 0.0,
                judge_ms: 0.0,
            };
            let judging = now_ms();
            model.judged = model.books().judge(local_today());
            let done = now_ms();
            model.compute_ms = done - started;
            model.judge_ms = done - judging;
            Loaded::Ready(Shared(Arc::new(model)))
        })
    })
}
