//! The demo company's funnel: opportunities with their products and stage history.

use rand::{
    distributions::{Distribution, WeightedIndex},
    Rng,
};
use serde_json::{json, Value};
use yingxiao_core::domain::Collection;

use super::{festival, Customer, Generator, Line, World};
use crate::demo::facts::{HISTORY_DAYS, PRODUCTS};

impl Generator {
    fn product_lines(&mut self, world: &World, customer: &Customer) -> Vec<Line> {
        let count = self.weighted(&[50, 35, 15]) + 1;
        let big = matches!(customer.kind, "dealer" | "distributor");
        let mut lines: Vec<Line> = Vec::new();
        for _ in 0..count {
            let product = self.rng.gen_range(0..world.products.len());
            if lines.iter().any(|l| l.product == product) {
                continue;
            }
            let quantity = if big {
                self.range(10, 200) * 10
            } else {
                self.range(2, 60) * 5
            };
            let discount = self.range(0, 15);
            let list = PRODUCTS[product].list_price;
            let unit_price = (list * (100 - discount) / 100) / 10 * 10;
            lines.push(Line {
                product,
                quantity,
                unit_price,
            });
        }
        lines
    }

    pub(super) fn opportunities(&mut self, world: &mut World) {
        const FUNNEL: [&str; 4] = ["aware", "compare", "negotiate", "commit"];
        // Dwell in each open stage, in days: 了解 and 比较 are quick, 谈判 takes longest.
        const DWELL: [(i64, i64); 4] = [(2, 21), (4, 28), (5, 35), (2, 21)];
        let candidates: Vec<usize> = (0..world.customers.len())
            .filter(|&i| !world.customers[i].is_store)
            .collect();
        let weights: Vec<u32> = candidates
            .iter()
            .map(
                |&i| match (world.customers[i].kind, world.customers[i].tier) {
                    ("dealer", _) => 5,
                    ("distributor", _) => 4,
                    (_, "A") => 3,
                    (_, "B") => 2,
                    _ => 1,
                },
            )
            .collect();
        let chooser = WeightedIndex::new(&weights).expect("customers have weights");
        let sources = [
            "referral",
            "exhibition",
            "website",
            "cold_call",
            "dealer",
            "campaign",
            "existing_customer",
            "other",
        ];
        let lost_reasons = [
            "price",
            "competitor",
            "no_budget",
            "no_decision",
            "product_fit",
            "timing",
            "other",
        ];
        let mut won = Vec::new();
        for i in 0..self.size.opportunities {
            let customer_index = if i == 0 {
                0
            } else {
                candidates[chooser.sample(&mut self.rng)]
            };
            let customer = &world.customers[customer_index];
            // Decide the outcome first: ~25% won, ~20% lost, the rest open across the four stages.
            let outcome = self.weighted(&[25, 20, 55]);
            let mut path: Vec<&str> = Vec::new();
            match outcome {
                0 => {
                    path.extend(FUNNEL);
                    if self.chance(20) {
                        path.remove(1);
                    }
                    path.push("won");
                }
                1 => {
                    let reached = self.weighted(&[25, 30, 30, 15]);
                    path.extend(&FUNNEL[..=reached]);
                    path.push("lost");
                }
                _ => {
                    let reached = self.weighted(&[30, 28, 24, 18]);
                    path.extend(&FUNNEL[..=reached]);
                }
            }
            let dwell: Vec<i64> = path
                .windows(2)
                .map(|pair| {
                    let stage = FUNNEL.iter().position(|s| *s == pair[0]).unwrap_or(0);
                    let (low, high) = DWELL[stage];
                    self.range(low, high)
                })
                .collect();
            let total: i64 = dwell.iter().sum();
            // Closed deals spread over the 18 months; open ones are mostly recent, a few stalled.
            let since_last = if outcome < 2 {
                self.range(1, (HISTORY_DAYS - total).max(1))
            } else if self.chance(75) {
                self.range(1, 45)
            } else {
                self.range(46, (HISTORY_DAYS - total).max(46))
            };
            let created = self.as_of.plus(-(total + since_last));
            let mut day = created;
            let mut history = Vec::new();
            let mut last_instant = String::new();
            for (n, stage) in path.iter().enumerate() {
                if n > 0 {
                    day = day.plus(dwell[n - 1]);
                }
                let secs = self.office_hours();
                last_instant = day.at(secs);
                history.push(json!({"stage": stage, "entered_at": last_instant}));
            }
            let last_day = day;
            let stage = *path.last().expect("a path has a stage");
            let lines = self.product_lines(world, customer);
            let amount: i64 = lines.iter().map(|l| l.quantity * l.unit_price).sum();
            let expected_close = match stage {
                "won" => last_day.plus(self.range(-10, 10)),
                "lost" => created.plus(self.range(30, 90)),
                "commit" => last_day.plus(self.range(3, 20)),
                "negotiate" => last_day.plus(self.range(10, 45)),
                "compare" => last_day.plus(self.range(20, 75)),
                _ => last_day.plus(self.range(30, 120)),
            };
            let (year, month, _) = expected_close.ymd();
            let category = PRODUCTS[lines[0].product].category;
            let theme = self.deal_theme(category, month);
            let name = if customer.word.is_empty() {
                format!("{year}年{theme}")
            } else {
                format!("{} {year}年{theme}", customer.word)
            };
            let source = self.pick(&sources);
            let (lost_reason, lost_note) = if stage == "lost" {
                let reason = lost_reasons[self.weighted(&[30, 25, 12, 12, 8, 8, 5])];
                let note = self.chance(50).then(|| lost_note(reason));
                (Some(reason), note)
            } else {
                (None, None)
            };
            let closed_at = matches!(stage, "won" | "lost").then(|| last_instant.clone());
            let won_at = (stage == "won").then(|| last_instant.clone());
            let product_lines: Vec<Value> = lines
                .iter()
                .map(|l| {
                    json!({"product_id": world.products[l.product], "quantity": l.quantity,
                                "unit_price": l.unit_price})
                })
                .collect();
            let id = self.id();
            let fields = json!({"customer_id": customer.id, "owner_id": customer.owner,
                "unit_id": world.areas[customer.area].id, "name": name, "amount": amount,
                "currency": "CNY", "stage": stage, "stage_history": history,
                "expected_close": expected_close.to_string(), "lost_reason": lost_reason,
                "lost_note": lost_note, "won_at": won_at, "closed_at": closed_at,
                "product_lines": product_lines, "source": source});
            self.add(Collection::Opportunity, &id, fields);
            if stage == "won" {
                if self.as_of.days_since(last_day) <= 365 {
                    *world
                        .sold_last_year
                        .entry(customer.owner.clone())
                        .or_insert(0) += amount;
                }
                won.push((id, customer_index, last_day, lines));
            }
        }
        // Every won deal became an order.
        for (opportunity, customer_index, won_on, lines) in won {
            let customer = &world.customers[customer_index];
            let ordered_on = won_on.plus(self.range(0, 3)).min(self.as_of);
            let age = self.as_of.days_since(ordered_on);
            let status = if age >= 10 {
                if self.chance(4) {
                    "cancelled"
                } else {
                    "delivered"
                }
            } else if age >= 3 {
                "shipped"
            } else {
                "confirmed"
            };
            let mut total = 0;
            let mut order_lines = Vec::new();
            for line in &lines {
                let discount = self.pick(&[0, 0, 0, 2, 5]);
                total += line.quantity * line.unit_price * (100 - discount) / 100;
                let mut order_line = json!({"product_id": world.products[line.product],
                    "quantity": line.quantity, "unit_price": line.unit_price});
                if discount > 0 {
                    order_line["discount_percent"] = json!(discount);
                }
                order_lines.push(order_line);
            }
            let order_no = format!("SO-{}-{:06}", ordered_on.year(), self.next_seq());
            let id = self.id();
            self.add(
                Collection::Order,
                &id,
                json!({"customer_id": customer.id, "owner_id": customer.owner,
                    "unit_id": world.areas[customer.area].id, "opportunity_id": opportunity,
                    "order_no": order_no, "ordered_on": ordered_on.to_string(), "status": status,
                    "currency": "CNY", "lines": order_lines, "total": total}),
            );
        }
    }

    fn deal_theme(&mut self, category: &str, month: u32) -> String {
        let season = festival(month);
        let themes: &[&str] = match category {
            "饮料" => &["{}饮料备货", "冰饮进场", "饮料年度供货", "{}饮品团购"],
            "零食" => &["{}零食礼包", "休闲零食进场", "坚果礼盒团购", "{}零食备货"],
            _ => &[
                "日化品类引进",
                "{}洗护备货",
                "清洁用品年度采购",
                "{}日化团购",
            ],
        };
        self.pick(themes).replace("{}", season)
    }
}

fn lost_note(reason: &str) -> &'static str {
    match reason {
        "price" => "对方要求再降 8%，低于我方底价。",
        "competitor" => "竞品给出更高的进场费和陈列支持。",
        "no_budget" => "客户本季度预算冻结，明年再议。",
        "no_decision" => "客户内部迟迟未决策，项目搁置。",
        "product_fit" => "客户需要的规格我们暂无供应。",
        "timing" => "错过了客户的年度招标时间。",
        _ => "客户调整经营方向。",
    }
}
