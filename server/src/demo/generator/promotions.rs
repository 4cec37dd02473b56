//! The demo company's promotions with their reports and orders, budgets with expenses, and targets decomposed down to reps.

use std::collections::BTreeMap;

use rand::Rng;
use serde_json::json;
use yingxiao_core::{domain::Collection, targets::split::phase_year};

use super::{festival, Generator, Promotion, World};
use crate::demo::{
    day::Day,
    facts::{HISTORY_DAYS, PRODUCTS, REGIONS},
};

impl Generator {
    pub(super) fn promotions(&mut self, world: &mut World) {
        let kinds = [
            "discount", "gift", "tasting", "display", "bundle", "coupon", "other",
        ];
        let kind_labels = [
            "特价",
            "买赠",
            "试吃试饮",
            "堆头陈列",
            "组合装",
            "满减券",
            "联合推广",
        ];
        let area_weights: Vec<u32> = world
            .areas
            .iter()
            .map(|a| {
                if a.stores.is_empty() {
                    0
                } else {
                    a.city.weight
                }
            })
            .collect();
        for i in 0..self.size.promotions {
            // The first two run now at sh_promoter's store, so the demo promoter has work to report.
            let forced = i < 2;
            let area = if forced {
                0
            } else {
                self.weighted(&area_weights)
            };
            let area_stores = world.areas[area].stores.clone();
            let mut stores = if forced { vec![0] } else { Vec::new() };
            let wanted = self.range(1, 6).min(area_stores.len() as i64) as usize;
            while stores.len() < wanted {
                let store = area_stores[self.rng.gen_range(0..area_stores.len())];
                if !stores.contains(&store) {
                    stores.push(store);
                }
            }
            let kind = self.weighted(&[25, 25, 15, 15, 8, 8, 4]);
            let length = if kinds[kind] == "tasting" {
                self.range(2, 7)
            } else {
                self.range(5, 28)
            };
            let starts_on = if forced {
                self.as_of.plus(-self.range(1, 4))
            } else if self.chance(85) {
                self.as_of.plus(-self.range(1, HISTORY_DAYS))
            } else {
                self.as_of.plus(self.range(1, 60))
            };
            let ends_on = if forced {
                self.as_of.plus(self.range(5, 14))
            } else {
                starts_on.plus(length)
            };
            let status = if ends_on < self.as_of {
                if self.chance(5) {
                    "cancelled"
                } else {
                    "finished"
                }
            } else if starts_on <= self.as_of {
                "running"
            } else if starts_on.days_since(self.as_of) <= 21 {
                "approved"
            } else {
                "planned"
            };
            let mut products = Vec::new();
            for _ in 0..self.range(1, 3) {
                let p = self.rng.gen_range(0..world.products.len());
                if !products.contains(&p) {
                    products.push(p);
                }
            }
            let promoters: Vec<String> = stores
                .iter()
                .flat_map(|&s| world.stores[s].promoters.iter().cloned())
                .take(20)
                .collect();
            let days = ends_on.days_since(starts_on) + 1;
            let budget = stores.len() as i64 * days * self.range(3, 15) * 10_000;
            let baseline = self.range(20, 150) * 10_000;
            let (_, month, _) = starts_on.ymd();
            let name = format!(
                "{}{}{}{}",
                starts_on.year(),
                festival(month),
                PRODUCTS[products[0]].short,
                kind_labels[kind]
            );
            let notes = self.chance(20).then(|| {
                self.pick(&[
                    "堆头位置需提前与门店确认。",
                    "赠品随货配送，门店签收后拍照回传。",
                    "试吃物料由区域仓统一发放。",
                ])
            });
            let id = self.id();
            let store_ids: Vec<&str> = stores
                .iter()
                .map(|&s| world.stores[s].customer_id.as_str())
                .collect();
            let product_ids: Vec<&str> = products
                .iter()
                .map(|&p| world.products[p].as_str())
                .collect();
            // The budget by cost item: staff where promoters work, materials, and the rest in what
            // the kind gives away. Derived, not drawn, so the rest of the data stays as it was.
            let staff = if promoters.is_empty() {
                0
            } else {
                budget * 4 / 10
            };
            let materials = budget * 3 / 10;
            let rest_item = match kinds[kind] {
                "gift" | "tasting" => "gifts",
                "discount" | "bundle" | "coupon" => "price_support",
                _ => "venue",
            };
            let budget_lines: Vec<serde_json::Value> = [
                ("materials", materials),
                ("staff", staff),
                (rest_item, budget - materials - staff),
            ]
            .into_iter()
            .filter(|(_, amount)| *amount > 0)
            .map(|(item, amount)| json!({"cost_item": item, "amount": amount}))
            .collect();
            let goal_uplift = 10 + budget / 10_000 % 50;
            // Each store's first promoter on every day, where that stays a short roster.
            let mut shifts = Vec::new();
            if stores.len() as i64 * days <= 60 {
                for &s in &stores {
                    let Some(promoter) = world.stores[s].promoters.first() else {
                        continue;
                    };
                    if !promoters.contains(promoter) {
                        continue;
                    }
                    for day in 0..days {
                        shifts.push(json!({"day": starts_on.plus(day).to_string(),
                            "store_id": world.stores[s].customer_id, "promoter_id": promoter}));
                    }
                }
            }
            let fields = json!({"name": name, "kind": kinds[kind], "unit_id": world.areas[area].id,
                "store_ids": store_ids, "product_ids": product_ids,
                "starts_on": starts_on.to_string(), "ends_on": ends_on.to_string(), "budget": budget,
                "budget_lines": budget_lines, "goal_uplift_percent": goal_uplift,
                "status": status, "promoter_ids": promoters, "promoter_shifts": shifts,
                "baseline_daily_sales": baseline, "notes": notes});
            self.add(Collection::Promotion, &id, fields);
            world.promotions.push(Promotion {
                id,
                area,
                stores,
                products,
                starts_on,
                ends_on,
                status,
                budget,
                baseline,
            });
        }
    }

    /// Promoters' store-day reports for the last days of recent and running promotions.
    pub(super) fn promotion_reports(&mut self, world: &World) {
        for promotion in &world.promotions {
            if !matches!(promotion.status, "running" | "finished")
                || self.as_of.days_since(promotion.ends_on) > 60
            {
                continue;
            }
            let last = promotion.ends_on.min(self.as_of.plus(-1));
            for &store in &promotion.stores {
                for promoter in &world.stores[store].promoters {
                    let mut day = last;
                    for _ in 0..3 {
                        if day < promotion.starts_on {
                            break;
                        }
                        let uplift = self.range(105, 180);
                        let sales = promotion.baseline * uplift / 100;
                        let units = sales / self.range(800, 3_000);
                        let competitor = self.chance(20).then(|| {
                            self.pick(&[
                                "竞品同期买一赠一，客流被分流。",
                                "竞品新上堆头，位置比我们好。",
                                "竞品价格下调约 10%。",
                            ])
                        });
                        let id = self.id();
                        let fields = json!({"promotion_id": promotion.id,
                            "store_id": world.stores[store].customer_id, "promoter_id": promoter,
                            "report_date": day.to_string(), "sales_amount": sales, "units_sold": units,
                            "customer_count": self.range(40, 260), "stock_issue": self.chance(10),
                            "competitor_notes": competitor, "photos_count": self.range(0, 8),
                            // Submitted at the day's end (19:00 in Shanghai), so supervisors have
                            // days to review.
                            "submitted_at": day.at(11 * 3600)});
                        self.add(Collection::PromotionReport, &id, fields);
                        day = day.plus(-1);
                    }
                }
            }
        }
    }

    /// Quarterly budgets per region (promotion and advertising) and an expense per finished promotion.
    pub(super) fn budgets_and_expenses(&mut self, world: &World) {
        let first = self.as_of.plus(-HISTORY_DAYS).quarter_start();
        let last = self.as_of.quarter_start();
        let mut quarters = vec![first];
        while *quarters.last().expect("one quarter") < last {
            let next = quarters.last().expect("one quarter").next_quarter_start();
            quarters.push(next);
        }
        let mut budget_ids = BTreeMap::new();
        for region in 0..world.regions.len() {
            for &quarter in &quarters {
                budget_ids.insert((region, quarter), (self.id(), self.id()));
            }
        }
        let mut spent: BTreeMap<(usize, Day), i64> = BTreeMap::new();
        let mut expenses = Vec::new();
        for promotion in &world.promotions {
            if promotion.status != "finished" {
                continue;
            }
            let area = &world.areas[promotion.area];
            let spent_on = promotion
                .ends_on
                .plus(self.range(0, 5))
                .min(self.as_of.plus(-1));
            let quarter = spent_on.quarter_start().max(first);
            let amount = promotion.budget * self.range(70, 100) / 100;
            *spent.entry((area.region, quarter)).or_insert(0) += amount;
            let receipt = format!("FP{:08}", self.next_seq());
            // Finance has approved what is older than a month; the rest waits for it.
            let status = if spent_on < self.as_of.plus(-30) {
                "approved"
            } else {
                "submitted"
            };
            expenses.push((
                budget_ids[&(area.region, quarter)].0.clone(),
                json!({"unit_id": area.id, "owner_id": area.supervisor,
                    "spent_on": spent_on.to_string(), "amount": amount, "cost_item": "promotion",
                    "description": "促销活动执行费用（赠品、物料、促销员补贴）",
                    "promotion_id": promotion.id, "receipt_no": receipt, "status": status}),
            ));
        }
        for (&(region, quarter), (promotion_budget, advertising_budget)) in &budget_ids {
            let end = quarter.next_quarter_start().plus(-1);
            let (year, month, _) = quarter.ymd();
            let plan = format!(
                "{year}年第{}季度{}营销计划",
                (month - 1) / 3 + 1,
                REGIONS[region].0
            );
            let used = spent.get(&(region, quarter)).copied().unwrap_or(0);
            // Budgets leave some headroom over what was spent; rounded up to 万元.
            let promotion_amount = ((used * 115 / 100) / 1_000_000 + 1).max(20) * 1_000_000;
            let advertising_amount = self.range(30, 120) * 1_000_000;
            let region_id = world.regions[region].id.clone();
            // Budgets of quarters begun are approved; the next quarter's wait for finance.
            let status = if quarter <= self.as_of {
                "approved"
            } else {
                "submitted"
            };
            for (id, item, amount) in [
                (promotion_budget, "promotion", promotion_amount),
                (advertising_budget, "advertising", advertising_amount),
            ] {
                self.add(
                    Collection::Budget,
                    id,
                    json!({"unit_id": region_id, "period_start": quarter.to_string(),
                        "period_end": end.to_string(), "cost_item": item, "amount": amount,
                        "plan_name": plan, "status": status}),
                );
            }
        }
        for (budget, mut fields) in expenses {
            fields["budget_id"] = json!(budget);
            let id = self.id();
            self.add(Collection::Expense, &id, fields);
        }
    }

    /// Yearly sales targets decomposed company → region → area → rep, each split into quarters, for
    /// last year and this year; the parts add up exactly.
    pub(super) fn targets(&mut self, world: &World) {
        let this_year = self.as_of.year();
        for year in [this_year - 1, this_year] {
            let growth = if year == this_year {
                (110, 130)
            } else {
                (95, 115)
            };
            let mut area_totals = vec![0i64; world.areas.len()];
            let mut rep_values = Vec::new();
            for (a, area) in world.areas.iter().enumerate() {
                for rep in &area.reps {
                    let base = world.sold_last_year.get(rep).copied().unwrap_or(0);
                    let value = (base * self.range(growth.0, growth.1) / 100 / 1_000_000 + 1)
                        .max(20)
                        * 1_000_000;
                    area_totals[a] += value;
                    rep_values.push((a, rep.clone(), value));
                }
            }
            let mut region_totals = vec![0i64; world.regions.len()];
            for (a, area) in world.areas.iter().enumerate() {
                region_totals[area.region] += area_totals[a];
            }
            let company_total: i64 = region_totals.iter().sum();
            let company = world.company.clone();
            // Last year's breakdowns are all approved; this year's down to the regions, while the
            // areas' wait for their regional managers.
            let this = year == this_year;
            let approved = Some("approved");
            let area_status = if this { Some("submitted") } else { approved };
            let company_target = self.target(
                year,
                ("unit", &company),
                company_total,
                None,
                &company,
                approved,
            );
            let mut region_targets = Vec::new();
            for (r, region) in world.regions.iter().enumerate() {
                let id = region.id.clone();
                region_targets.push(self.target(
                    year,
                    ("unit", &id),
                    region_totals[r],
                    Some(&company_target),
                    &id,
                    approved,
                ));
            }
            let mut area_targets = Vec::new();
            for (a, area) in world.areas.iter().enumerate() {
                let id = area.id.clone();
                let parent = region_targets[area.region].clone();
                area_targets.push(self.target(
                    year,
                    ("unit", &id),
                    area_totals[a],
                    Some(&parent),
                    &id,
                    area_status,
                ));
            }
            for (a, rep, value) in rep_values {
                let parent = area_targets[a].clone();
                let unit = world.areas[a].id.clone();
                self.target(year, ("user", &rep), value, Some(&parent), &unit, None);
            }
        }
    }

    /// One year target and its twelve months; returns the year target's id. Every breakdown of
    /// last year is approved; this year's are approved down to the regions, and the areas' are
    /// submitted, waiting for their regional managers.
    fn target(
        &mut self,
        year: i64,
        (subject_kind, subject): (&str, &str),
        value: i64,
        parent: Option<&str>,
        unit: &str,
        status: Option<&str>,
    ) -> String {
        let id = self.id();
        let start = Day::from_ymd(year, 1, 1).expect("a real year");
        self.add(
            Collection::Target,
            &id,
            json!({"period": "year", "period_start": start.to_string(), "subject_kind": subject_kind,
                "subject_id": subject, "metric": "sales_amount", "value": value, "parent_id": parent,
                "unit_id": unit, "breakdown_status": status}),
        );
        // Sales lean to the second half (中秋, 国庆, 双十一, 春节备货).
        let seasonality = [7, 6, 8, 8, 8, 8, 8, 8, 9, 10, 10, 10];
        let months = phase_year(value, Some(&seasonality)).expect("a target is not negative");
        for (month, part) in (1..=12u32).zip(months) {
            let start = Day::from_ymd(year, month, 1).expect("a real month");
            let month_id = self.id();
            self.add(
                Collection::Target,
                &month_id,
                json!({"period": "month", "period_start": start.to_string(),
                    "subject_kind": subject_kind, "subject_id": subject, "metric": "sales_amount",
                    "value": part, "parent_id": id, "unit_id": unit}),
            );
        }
        id
    }
}
