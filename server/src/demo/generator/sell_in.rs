//! The stores' replenishment orders (门店补货订单): the sales history that promotion evaluation reads.
//!
//! Each store orders its usual products once a week over the last [`SELL_IN_WEEKS`] weeks, as if the
//! company began recording store orders then; promotions that ran before that have no history and
//! show how evaluation falls back. A promoted product outside a store's usual range is ordered only
//! from eight weeks before its promotion there to two weeks after. For each running or finished
//! promotion, each of its stores also orders stock for it (备货) on its first day: its products, for
//! as many days as it runs, at a lift that depends on the store; and for two weeks after, its weekly
//! orders of those products dip while the stock left over sells.

use std::collections::HashMap;

use rand::Rng;
use serde_json::json;
use yingxiao_core::domain::Collection;

use super::{Day, Generator, World};
use crate::demo::facts::PRODUCTS;

/// Weeks of store orders before the as-of day.
pub(super) const SELL_IN_WEEKS: i64 = 26;
/// Products and quantities of one order.
type Lines = Vec<(usize, i64)>;

/// Days before a promotion in which its products are stocked: its baseline's eight weeks.
const BASELINE_DAYS: i64 = 56;
/// Days after a promotion in which its products' weekly orders dip.
const DIP_DAYS: i64 = 14;

impl Generator {
    pub(super) fn store_orders(&mut self, world: &mut World) {
        let mut sold: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
        let owners: HashMap<&str, &str> = world
            .customers
            .iter()
            .filter(|c| c.is_store)
            .map(|c| (c.id.as_str(), c.owner.as_str()))
            .collect();
        let first_day = self.as_of.plus(-SELL_IN_WEEKS * 7);
        let mut orders: Vec<(usize, Day, Lines)> = Vec::new();
        for s in 0..world.stores.len() {
            // Its range: two or three products all year, with a usual weekly quantity each; then
            // each promoted product, stocked only from eight weeks before its promotion to the end
            // of its dip.
            let mut range: Vec<(usize, i64)> = Vec::new();
            for _ in 0..self.range(2, 3) {
                let p = self.rng.gen_range(0..world.products.len());
                if !range.iter().any(|(q, _)| *q == p) {
                    range.push((p, self.range(20, 120)));
                }
            }
            let promotions: Vec<_> = world
                .promotions
                .iter()
                .filter(|p| p.stores.contains(&s) && matches!(p.status, "running" | "finished"))
                .collect();
            for promotion in &promotions {
                for &p in &promotion.products {
                    if !range.iter().any(|(q, _)| *q == p) {
                        range.push((p, self.range(20, 120)));
                    }
                }
            }
            let weekday = (s % 5) as i64;
            let regular = range.len();
            let mut day = first_day.plus((weekday - first_day.weekday()).rem_euclid(7));
            while day < self.as_of {
                let stocked = |at: usize, p: usize| {
                    at < regular
                        || promotions.iter().any(|promotion| {
                            promotion.products.contains(&p)
                                && day >= promotion.starts_on.plus(-BASELINE_DAYS)
                                && day <= promotion.ends_on.plus(DIP_DAYS)
                        })
                };
                let lines: Vec<(usize, i64)> = range
                    .iter()
                    .enumerate()
                    .filter(|&(at, &(p, _))| stocked(at, p))
                    .map(|(_, &(p, usual))| {
                        let dip = promotions.iter().any(|promotion| {
                            promotion.products.contains(&p)
                                && day > promotion.ends_on
                                && day.days_since(promotion.ends_on) <= DIP_DAYS
                        });
                        let percent = if dip { 75 } else { self.range(85, 115) };
                        (p, (usual * percent / 100).max(1))
                    })
                    .collect();
                orders.push((s, day, lines));
                day = day.plus(7);
            }
            for promotion in &promotions {
                if promotion.starts_on < first_day || promotion.starts_on >= self.as_of {
                    continue;
                }
                let days = promotion.ends_on.days_since(promotion.starts_on) + 1;
                let lift = self.range(40, 260);
                let lines: Vec<(usize, i64)> = promotion
                    .products
                    .iter()
                    .map(|&p| {
                        let usual = range.iter().find(|(q, _)| *q == p).map_or(10, |r| r.1);
                        (p, (usual * days * lift / 700).max(1))
                    })
                    .collect();
                orders.push((s, promotion.starts_on, lines));
            }
        }
        for (s, day, lines) in orders {
            let store = &world.stores[s];
            let age = self.as_of.days_since(day);
            let status = if age > 7 { "delivered" } else { "confirmed" };
            let mut total = 0;
            let order_lines: Vec<serde_json::Value> = lines
                .iter()
                .map(|&(p, quantity)| {
                    // Stores buy at 80% of list price.
                    let unit_price = PRODUCTS[p].list_price * 80 / 100;
                    total += quantity * unit_price;
                    json!({"product_id": world.products[p], "quantity": quantity,
                        "unit_price": unit_price})
                })
                .collect();
            let owner = owners
                .get(store.customer_id.as_str())
                .copied()
                .unwrap_or_default();
            if age <= 365 && !owner.is_empty() {
                *sold.entry(owner.to_owned()).or_insert(0) += total;
            }
            let order_no = format!("BH-{}-{:06}", day.year(), self.next_seq());
            let id = self.id();
            self.add(
                Collection::Order,
                &id,
                json!({"customer_id": store.customer_id,
                    "owner_id": owner,
                    "unit_id": world.areas[store.area].id, "order_no": order_no,
                    "ordered_on": day.to_string(), "status": status, "currency": "CNY",
                    "lines": order_lines, "total": total}),
            );
        }
        for (owner, amount) in sold {
            *world.sold_last_year.entry(owner).or_insert(0) += amount;
        }
    }
}
