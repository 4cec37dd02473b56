//! The demo company's catalogue, customers (dealers and stores) and their contacts.

use rand::Rng;
use serde_json::json;
use yingxiao_core::domain::Collection;

use super::{Customer, Generator, World};
use crate::demo::facts::{BRAND_WORDS, CUSTOMER_NOTES, CUSTOMER_TYPES, PRODUCTS};

impl Generator {
    pub(super) fn products(&mut self, world: &mut World) {
        for def in PRODUCTS.iter().take(self.size.products) {
            let id = self.id();
            self.add(
                Collection::Product,
                &id,
                json!({"sku": def.sku, "name": def.name, "category": def.category, "unit": def.unit,
                       "list_price": def.list_price, "cost": def.cost, "active": true}),
            );
            world.products.push(id);
        }
    }

    pub(super) fn customers(&mut self, world: &mut World) {
        let area_weights: Vec<u32> = world.areas.iter().map(|a| a.city.weight).collect();
        let type_weights: Vec<u32> = CUSTOMER_TYPES.iter().map(|t| t.3).collect();
        let mut fields_of = Vec::new();
        for i in 0..self.size.customers {
            // The first customer belongs to sh_rep, so the demo rep always has something of their own.
            let area = if i == 0 {
                0
            } else {
                self.weighted(&area_weights)
            };
            let owner = if i == 0 {
                world.areas[0].reps[0].clone()
            } else {
                let reps = &world.areas[area].reps;
                reps[self.rng.gen_range(0..reps.len())].clone()
            };
            let (kind, suffix, segment, _) = CUSTOMER_TYPES[self.weighted(&type_weights)];
            let city = world.areas[area].city;
            let word = self.pick(BRAND_WORDS);
            let (address, district) = self.address(city);
            let mut name = format!("{}{word}{suffix}", city.name);
            if !self.taken_names.insert(name.clone()) {
                let short = district.trim_end_matches("新区").trim_end_matches('区');
                name = format!("{}{short}{word}{suffix}", city.name);
                let mut n = 1;
                while !self.taken_names.insert(name.clone()) {
                    n += 1;
                    name = format!("{}{short}{word}{suffix}（{n}）", city.name);
                }
            }
            let tier = ["A", "B", "C"][self.weighted(&[15, 35, 50])];
            let credit_limit = match (kind, tier) {
                ("dealer", _) => Some(self.range(50, 500) * 1_000_000),
                ("distributor", _) => Some(self.range(30, 200) * 1_000_000),
                (_, "A") => Some(self.range(10, 50) * 1_000_000),
                _ => None,
            };
            let notes = self.chance(15).then(|| self.pick(CUSTOMER_NOTES));
            let phone = self.landline(city);
            let id = self.id();
            if kind == "dealer" {
                world.areas[area].dealers.push(world.customers.len());
            }
            fields_of.push(
                json!({"name": name, "kind": kind, "tier": tier, "segment": segment,
                "region_unit_id": world.areas[area].id, "owner_id": owner, "address": address,
                "city": city.name, "phone": phone, "credit_limit": credit_limit, "notes": notes}),
            );
            world.customers.push(Customer {
                id,
                area,
                owner,
                kind,
                tier,
                word,
                is_store: false,
            });
        }
        // The dealer network: many end customers buy through a dealer of their area.
        for (i, fields) in fields_of.iter_mut().enumerate() {
            let customer = &world.customers[i];
            let dealers = &world.areas[customer.area].dealers;
            if customer.kind == "end_customer" && !dealers.is_empty() && self.chance(40) {
                let dealer = dealers[self.rng.gen_range(0..dealers.len())];
                fields["parent_dealer_id"] = json!(world.customers[dealer].id);
            }
        }
        for (customer, fields) in world.customers.iter().zip(fields_of) {
            let id = customer.id.clone();
            self.add(Collection::Customer, &id, fields);
        }
        // Each store is also a retail_store customer, in the store's own unit so its promoters see it.
        for store in &world.stores {
            let area = &world.areas[store.area];
            let owner = area.reps[self.rng.gen_range(0..area.reps.len())].clone();
            let parent_dealer = (!area.dealers.is_empty() && self.chance(60)).then(|| {
                world.customers[area.dealers[self.rng.gen_range(0..area.dealers.len())]]
                    .id
                    .clone()
            });
            let tier = ["A", "B", "C"][self.weighted(&[30, 50, 20])];
            let (address, _) = self.address(area.city);
            let phone = self.landline(area.city);
            self.add(
                Collection::Customer,
                &store.customer_id,
                json!({"name": store.name, "kind": "retail_store", "tier": tier, "segment": "商超",
                    "region_unit_id": store.unit_id, "owner_id": owner, "address": address,
                    "city": area.city.name, "phone": phone, "parent_dealer_id": parent_dealer}),
            );
            world.customers.push(Customer {
                id: store.customer_id.clone(),
                area: store.area,
                owner,
                kind: "retail_store",
                tier,
                word: "",
                is_store: true,
            });
        }
    }

    pub(super) fn contacts(&mut self, world: &World) {
        for customer in &world.customers {
            let share = if customer.is_store { 80 } else { 65 };
            if !self.chance(share) {
                continue;
            }
            let titles: &[&str] = match customer.kind {
                "dealer" | "distributor" => {
                    &["总经理", "采购经理", "财务主管", "业务经理", "仓储主管"]
                }
                "retail_store" => &["店长", "副店长", "收货主管", "品类主管"],
                _ => &["采购主管", "品类经理", "行政经理", "总经理", "门店运营经理"],
            };
            let count = self.range(1, 3);
            for n in 0..count {
                let (name, login) = self.person();
                let title = self.pick(titles);
                let phone = self.mobile();
                let email = self
                    .chance(30)
                    .then(|| format!("{}@{}", login.replace('.', ""), "mail.example.cn"));
                let wechat = self
                    .chance(50)
                    .then(|| format!("wx_{}{}", login.replace('.', "_"), self.range(10, 99)));
                let notes = self.chance(10).then(|| {
                    self.pick(&[
                        "只在上午接电话。",
                        "决策人，重要事项需当面沟通。",
                        "喜欢微信沟通，回复及时。",
                    ])
                });
                let id = self.id();
                self.add(
                    Collection::Contact,
                    &id,
                    json!({"customer_id": customer.id, "name": name, "title": title, "phone": phone,
                        "email": email, "wechat": wechat, "is_primary": n == 0, "notes": notes}),
                );
            }
        }
    }
}
