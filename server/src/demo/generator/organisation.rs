//! The demo company's organisation: HQ, regions, areas and stores, and the people in them with their logins.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;
use yingxiao_core::{domain::Collection, scope::Role};

use super::{Area, Generator, Region, Store, World};
use crate::demo::{
    facts::{CITIES, COMPANY_NAME, MAIL_DOMAIN, REGIONS, STORE_CHAINS},
    DemoLogin,
};

impl Generator {
    pub(super) fn organisation(&mut self) -> World {
        let size = self.size;
        let company = self.id();
        let hq_team = self.id();
        let mut regions = Vec::new();
        for _ in REGIONS {
            regions.push(Region {
                id: self.id(),
                manager: self.id(),
                service_agent: self.id(),
            });
        }
        let mut areas = Vec::new();
        for city in CITIES.iter().take(size.areas) {
            areas.push(Area {
                id: self.id(),
                region: city.region,
                city,
                name: format!("{}区域", city.name),
                supervisor: self.id(),
                reps: Vec::new(),
                stores: Vec::new(),
                dealers: Vec::new(),
            });
        }
        let mut stores = Vec::new();
        let mut store_names = HashSet::new();
        for i in 0..size.stores {
            let area = i % areas.len();
            let city = areas[area].city;
            let chain = self.pick(STORE_CHAINS);
            let district = self.pick(city.districts);
            let short = district.trim_end_matches("新区").trim_end_matches('区');
            let mut name = format!("{chain}{}{short}店", city.name);
            if !store_names.insert(name.clone()) {
                // A second store of the chain in that district is told apart by its number.
                name = format!("{chain}{}{short}{}号店", city.name, i + 1);
                store_names.insert(name.clone());
            }
            let unit_id = self.id();
            let customer_id = self.id();
            areas[area].stores.push(i);
            stores.push(Store {
                unit_id,
                customer_id,
                area,
                name,
                promoters: Vec::new(),
            });
        }

        // Org units: the company (总部), HQ marketing, regions, areas, stores.
        let admin_id = self.id();
        let hq_id = self.id();
        let finance_id = self.id();
        self.add(
            Collection::OrgUnit,
            &company,
            json!({"name": format!("{COMPANY_NAME}（总部）"), "kind": "company", "code": "HQ",
                   "address": "上海市浦东新区世纪大道 1888 号", "active": true}),
        );
        self.add(
            Collection::OrgUnit,
            &hq_team,
            json!({"name": "总部市场部", "kind": "team", "parent_id": company, "code": "HQ-MKT",
                   "manager_id": hq_id, "active": true}),
        );
        for (region, (name, code)) in regions.iter().zip(REGIONS) {
            let fields = json!({"name": name, "kind": "region", "parent_id": company, "code": code,
                                "manager_id": region.manager, "active": true});
            self.add(Collection::OrgUnit, &region.id, fields);
        }
        for area in &areas {
            let fields = json!({"name": area.name, "kind": "area", "parent_id": regions[area.region].id,
                "code": format!("{}-{}", REGIONS[area.region].1, area.city.code),
                "manager_id": area.supervisor, "active": true});
            self.add(Collection::OrgUnit, &area.id, fields);
        }
        for (i, store) in stores.iter().enumerate() {
            let city = areas[store.area].city;
            let (address, _) = self.address(city);
            let fields = json!({"name": store.name, "kind": "store", "parent_id": areas[store.area].id,
                "code": format!("ST-{}-{:04}", city.code, i + 1), "address": address, "active": true});
            self.add(Collection::OrgUnit, &store.unit_id, fields);
        }

        // People: the demo logins have fixed logins and names; everyone else is made up.
        let east = 0;
        let shanghai = 0;
        self.user(
            &admin_id,
            Some(("admin", "系统管理员")),
            Role::Admin,
            &company,
            None,
            "系统管理员",
        );
        self.user(
            &hq_id,
            Some(("hq", "林晓雯")),
            Role::HqMarketing,
            &hq_team,
            None,
            "市场总监",
        );
        for title in ["品牌经理", "渠道经理"] {
            let id = self.id();
            self.user(&id, None, Role::HqMarketing, &hq_team, Some(&hq_id), title);
        }
        self.user(
            &finance_id,
            Some(("finance", "赵静")),
            Role::Finance,
            &company,
            None,
            "财务经理",
        );
        for (i, region) in regions.iter().enumerate() {
            let (manager_login, agent_login) = if i == east {
                (Some(("east_manager", "陈建国")), Some(("service", "孙丽")))
            } else {
                (None, None)
            };
            self.user(
                &region.manager,
                manager_login,
                Role::RegionalManager,
                &region.id,
                None,
                "大区经理",
            );
            self.user(
                &region.service_agent,
                agent_login,
                Role::ServiceAgent,
                &region.id,
                None,
                "客服专员",
            );
        }
        for (i, area) in areas.iter().enumerate() {
            let login = (i == shanghai).then_some(("sh_supervisor", "王磊"));
            let manager = regions[area.region].manager.clone();
            self.user(
                &area.supervisor,
                login,
                Role::AreaSupervisor,
                &area.id,
                Some(&manager),
                "区域主管",
            );
        }
        for i in 0..size.reps {
            let area = i % areas.len();
            let id = self.id();
            let login = (i == 0).then_some(("sh_rep", "张伟"));
            let title = if self.chance(30) {
                "高级业务代表"
            } else {
                "业务代表"
            };
            let (unit, supervisor) = (areas[area].id.clone(), areas[area].supervisor.clone());
            self.user(&id, login, Role::SalesRep, &unit, Some(&supervisor), title);
            areas[area].reps.push(id);
        }
        for i in 0..size.promoters {
            let store = i % stores.len();
            let id = self.id();
            let login = (i == 0).then_some(("sh_promoter", "刘芳"));
            let title = if self.chance(25) {
                "理货员"
            } else {
                "促销员"
            };
            let unit = stores[store].unit_id.clone();
            let supervisor = areas[stores[store].area].supervisor.clone();
            self.user(&id, login, Role::Promoter, &unit, Some(&supervisor), title);
            stores[store].promoters.push(id);
        }
        for login in &mut self.logins {
            login.unit_name = if login.unit_id == company {
                format!("{COMPANY_NAME}（总部）")
            } else if login.unit_id == hq_team {
                "总部市场部".into()
            } else if let Some(i) = regions.iter().position(|r| r.id == login.unit_id) {
                REGIONS[i].0.into()
            } else if let Some(area) = areas.iter().find(|a| a.id == login.unit_id) {
                area.name.clone()
            } else if let Some(store) = stores.iter().find(|s| s.unit_id == login.unit_id) {
                store.name.clone()
            } else {
                String::new()
            };
        }
        World {
            company,
            regions,
            areas,
            stores,
            products: Vec::new(),
            customers: Vec::new(),
            sold_last_year: BTreeMap::new(),
            promotions: Vec::new(),
        }
    }

    fn user(
        &mut self,
        id: &str,
        demo: Option<(&str, &str)>,
        role: Role,
        unit_id: &str,
        manager_id: Option<&str>,
        title: &str,
    ) {
        let (name, login) = match demo {
            Some((login, name)) => {
                self.taken_logins.insert(login.to_owned());
                (name.to_owned(), login.to_owned())
            }
            None => self.person(),
        };
        let employee_no = format!("HH{:05}", self.next_seq());
        let phone = self.mobile();
        let fields = json!({"name": name, "login": login, "role": role.as_str(), "unit_id": unit_id,
            "manager_id": manager_id, "title": title, "phone": phone,
            "email": format!("{login}@{MAIL_DOMAIN}"), "employee_no": employee_no, "active": true});
        self.add(Collection::User, id, fields);
        if demo.is_some() {
            self.logins.push(DemoLogin {
                login,
                name,
                role,
                user_id: id.to_owned(),
                unit_id: unit_id.to_owned(),
                unit_name: String::new(),
            });
        }
    }
}
