//! Builds the demo company in memory, pure and deterministic in its options: the tools every part
//! uses (seeded ids, picks, names, phones, addresses), what one run builds up, and the order of the
//! parts.

mod customers;
mod field_work;
mod funnel;
mod organisation;
mod promotions;
mod sell_in;

use std::collections::{BTreeMap, HashSet};

use rand::{
    distributions::{Distribution, WeightedIndex},
    Rng, SeedableRng,
};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use yingxiao_core::domain::Collection;

use super::{
    day::Day,
    facts::{City, GIVEN, ROADS, SURNAMES},
    DemoCompany, DemoLogin, DemoOptions, DemoRecord, DemoSize, DEMO_LOGINS,
};

/// Builds the demo company in memory; pure and deterministic in `options`.
pub fn generate(options: &DemoOptions) -> DemoCompany {
    let mut gen = Generator {
        rng: ChaCha8Rng::seed_from_u64(options.seed),
        as_of: options.as_of,
        size: options.size.normalized(),
        out: Vec::new(),
        logins: Vec::new(),
        taken_logins: HashSet::new(),
        taken_names: HashSet::new(),
        seq: 0,
    };
    gen.run();
    gen.logins
        .sort_by_key(|l| DEMO_LOGINS.iter().position(|name| *name == l.login));
    DemoCompany {
        records: gen.out,
        logins: gen.logins,
    }
}

struct Area {
    id: String,
    region: usize,
    city: &'static City,
    name: String,
    supervisor: String,
    reps: Vec<String>,
    stores: Vec<usize>,
    dealers: Vec<usize>,
}

struct Store {
    unit_id: String,
    customer_id: String,
    area: usize,
    name: String,
    promoters: Vec<String>,
}

struct Region {
    id: String,
    manager: String,
    service_agent: String,
}

struct Customer {
    id: String,
    area: usize,
    owner: String,
    kind: &'static str,
    tier: &'static str,
    word: &'static str,
    is_store: bool,
}

#[derive(Clone)]
struct Line {
    product: usize,
    quantity: i64,
    unit_price: i64,
}

struct Promotion {
    id: String,
    area: usize,
    stores: Vec<usize>,
    products: Vec<usize>,
    starts_on: Day,
    ends_on: Day,
    status: &'static str,
    budget: i64,
    baseline: i64,
}

struct Generator {
    rng: ChaCha8Rng,
    as_of: Day,
    size: DemoSize,
    out: Vec<DemoRecord>,
    logins: Vec<DemoLogin>,
    taken_logins: HashSet<String>,
    taken_names: HashSet<String>,
    /// A running number for order, contract and receipt numbers.
    seq: u64,
}

/// What one run builds up and later steps read.
struct World {
    company: String,
    regions: Vec<Region>,
    areas: Vec<Area>,
    stores: Vec<Store>,
    products: Vec<String>,
    customers: Vec<Customer>,
    /// What each rep sold (分) over the last 365 days, won deals and stores' orders, for targets.
    sold_last_year: BTreeMap<String, i64>,
    promotions: Vec<Promotion>,
}

impl Generator {
    /// A UUID from the seeded stream: version 7, RFC 4122 variant, lowercase hyphenated.
    fn id(&mut self) -> String {
        let mut bytes: [u8; 16] = self.rng.gen();
        bytes[6] = (bytes[6] & 0x0f) | 0x70;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
    }

    fn add(&mut self, collection: Collection, id: &str, fields: Value) {
        let Value::Object(mut fields) = fields else {
            unreachable!("record fields are a JSON object")
        };
        fields.retain(|_, value| !value.is_null());
        self.out.push(DemoRecord {
            collection,
            id: id.to_owned(),
            fields,
        });
    }

    fn range(&mut self, low: i64, high: i64) -> i64 {
        self.rng.gen_range(low..=high)
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.gen_range(0..100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.gen_range(0..items.len())]
    }

    fn weighted(&mut self, weights: &[u32]) -> usize {
        WeightedIndex::new(weights)
            .expect("weights are positive")
            .sample(&mut self.rng)
    }

    /// A moment during office hours in China (09:00–18:00 CST is 01:00–10:00 UTC).
    fn office_hours(&mut self) -> i64 {
        self.range(3_600, 36_000)
    }

    fn mobile(&mut self) -> String {
        let second = self.pick(&[3, 5, 7, 8, 9]);
        format!("1{second}{:09}", self.range(0, 999_999_999))
    }

    fn landline(&mut self, city: &City) -> String {
        format!(
            "{}-{:08}",
            city.phone_prefix,
            self.range(20_000_000, 89_999_999)
        )
    }

    fn address(&mut self, city: &City) -> (String, &'static str) {
        let district = self.pick(city.districts);
        let road = self.pick(ROADS);
        let number = self.range(1, 999);
        (
            format!("{}市{district}{road}{number}号", city.name),
            district,
        )
    }

    /// A person's Chinese name and a unique ASCII login made from its pinyin.
    fn person(&mut self) -> (String, String) {
        let (surname, surname_py) = self.pick(SURNAMES);
        let (first, first_py) = self.pick(GIVEN);
        let (name, pinyin) = if self.chance(55) {
            let (second, second_py) = self.pick(GIVEN);
            (
                format!("{surname}{first}{second}"),
                format!("{surname_py}.{first_py}{second_py}"),
            )
        } else {
            (
                format!("{surname}{first}"),
                format!("{surname_py}.{first_py}"),
            )
        };
        let mut login = pinyin.clone();
        let mut n = 1;
        while !self.taken_logins.insert(login.clone()) {
            n += 1;
            login = format!("{pinyin}{n}");
        }
        (name, login)
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn run(&mut self) {
        let mut world = self.organisation();
        self.products(&mut world);
        self.customers(&mut world);
        self.contacts(&world);
        self.opportunities(&mut world);
        self.promotions(&mut world);
        self.promotion_reports(&world);
        self.budgets_and_expenses(&world);
        self.visits(&world);
        self.daily_reports(&world);
        self.tickets(&world);
        // Last, so what came before is drawn as it always was; the targets follow what was sold.
        self.store_orders(&mut world);
        self.targets(&world);
    }
}

/// The season or festival a month sells for.
fn festival(month: u32) -> &'static str {
    match month {
        1 | 2 => "春节",
        3 | 4 => "春季",
        5 | 6 => "端午",
        7 | 8 => "夏季",
        9 => "中秋",
        10 => "国庆",
        11 => "双十一",
        _ => "元旦",
    }
}
