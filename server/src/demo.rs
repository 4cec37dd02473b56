//! The demo company (示例公司): a realistic Chinese consumer-goods company — HQ, four regions, a dozen
//! areas, stores, reps, promoters, customers, a funnel with history, promotions, orders and targets —
//! made deterministically from a seed and written through the same push path as every other change.

use std::collections::{BTreeMap, HashSet};

use rand::{
    distributions::{Distribution, WeightedIndex},
    Rng, SeedableRng,
};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use sqlx::Row;
use yingxiao_core::{
    domain::Collection,
    locale::Locale,
    scope::Role,
    sync::protocol::{CreateArgs, Intent, MAX_MUTATIONS_PER_PUSH},
    time::{civil_from_days, days_from_civil},
};

use crate::{
    admin,
    auth::{self, now_millis},
    http::ApiError,
    storage::Storage,
};

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "yingxiao-demo";

/// The demo logins, one per role, in the order the table prints them.
pub const DEMO_LOGINS: [&str; 8] = [
    "admin",
    "hq",
    "east_manager",
    "sh_supervisor",
    "sh_rep",
    "sh_promoter",
    "finance",
    "service",
];

/// How many of each the demo company has. Contacts, visits, orders, reports, tickets, budgets and
/// targets follow from these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSize {
    /// Sales areas (区域), at most 12, spread over the four regions; 上海 is always the first.
    pub areas: usize,
    pub reps: usize,
    pub promoters: usize,
    /// Stores: org units of kind `store`, each with its `retail_store` customer.
    pub stores: usize,
    /// Customers and dealers besides the stores.
    pub customers: usize,
    /// Catalogue entries, at most 20.
    pub products: usize,
    pub opportunities: usize,
    pub promotions: usize,
}

impl DemoSize {
    /// The standard demo company.
    pub const STANDARD: DemoSize = DemoSize {
        areas: 12,
        reps: 60,
        promoters: 200,
        stores: 300,
        customers: 2_000,
        products: 20,
        opportunities: 5_000,
        promotions: 400,
    };

    /// A company small enough for tests to seed in a moment, still with several regions and areas.
    pub const SMALL: DemoSize = DemoSize {
        areas: 6,
        reps: 12,
        promoters: 12,
        stores: 12,
        customers: 60,
        products: 8,
        opportunities: 120,
        promotions: 16,
    };

    /// The standard company with customers, opportunities, promotions (and so orders), reps, promoters
    /// and stores multiplied by `scale`, for benchmarks.
    pub fn scaled(scale: u32) -> Self {
        let n = scale.max(1) as usize;
        let s = Self::STANDARD;
        DemoSize {
            reps: s.reps * n,
            promoters: s.promoters * n,
            stores: s.stores * n,
            customers: s.customers * n,
            opportunities: s.opportunities * n,
            promotions: s.promotions * n,
            ..s
        }
    }

    /// The smallest company that still has every demo login: a 上海 rep, store and promoter.
    fn normalized(self) -> Self {
        let areas = self.areas.clamp(1, CITIES.len());
        DemoSize {
            areas,
            reps: self.reps.max(areas),
            promoters: self.promoters.max(1),
            stores: self.stores.max(1),
            customers: self.customers.max(1),
            products: self.products.clamp(1, PRODUCTS.len()),
            opportunities: self.opportunities.max(1),
            promotions: self.promotions,
        }
    }
}

/// What `seed --demo` was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    pub size: DemoSize,
    /// The same seed, size and as-of day give the same company, ids included.
    pub seed: u64,
    /// The day the data is "as of": history lies before it, plans after it.
    pub as_of: Day,
    /// Do nothing (successfully) when the database already has org units.
    pub if_empty: bool,
}

/// One demo sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoLogin {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub user_id: String,
    pub unit_id: String,
    pub unit_name: String,
}

impl DemoLogin {
    /// The role's name for people: 大区经理 / Regional manager.
    pub fn role_label(&self, locale: Locale) -> &'static str {
        Collection::User
            .field("role")
            .and_then(|field| field.choice_label(self.role.as_str(), locale))
            .unwrap_or(self.role.as_str())
    }
}

/// What a seed did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// False when `--if-empty` found data and left it alone.
    pub seeded: bool,
    /// Records created per collection.
    pub counts: BTreeMap<Collection, usize>,
    /// The demo logins that work (all of them after a seed; after a skipped seed, those that still
    /// have the demo password, provided the `admin` one does).
    pub logins: Vec<DemoLogin>,
}

impl DemoSummary {
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// One record of the demo company, as it is created.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoRecord {
    pub collection: Collection,
    pub id: String,
    pub fields: Map<String, Value>,
}

/// The whole demo company before it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoCompany {
    /// In creation order: units, users, products, customers, then what hangs from them.
    pub records: Vec<DemoRecord>,
    pub logins: Vec<DemoLogin>,
}

/// Seeds the demo company into an empty database. Refuses (nothing written) when org units exist,
/// unless `if_empty`, which then does nothing and reports the demo logins still usable.
///
/// Records go through `admin::apply_as_system` in pushes of at most 500, each its own transaction:
/// a failure part-way (a full disk, a lost connection) leaves the pushes before it in place.
pub async fn seed_demo(storage: &Storage, options: &DemoOptions) -> Result<DemoSummary, ApiError> {
    let units: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE collection = 'org_units' AND deleted = 0",
    )
    .fetch_one(&storage.pool)
    .await?;
    if units > 0 {
        if options.if_empty {
            return Ok(DemoSummary {
                seeded: false,
                counts: BTreeMap::new(),
                logins: existing_demo_logins(storage).await?,
            });
        }
        return Err(ApiError::Conflict(format!(
            "the database already has {units} org units; the demo company is seeded only into an \
             empty database (add --if-empty to skip seeding when data exists)"
        )));
    }
    auth::check_password_policy(DEMO_PASSWORD).map_err(ApiError::Internal)?;
    let DemoCompany {
        mut records,
        logins,
    } = generate(options);
    let mut counts = BTreeMap::new();
    for record in &records {
        *counts.entry(record.collection).or_insert(0) += 1;
    }
    while !records.is_empty() {
        let batch = records
            .drain(..records.len().min(MAX_MUTATIONS_PER_PUSH))
            .map(|record| {
                Intent::Create(CreateArgs {
                    collection: record.collection,
                    id: record.id,
                    fields: record.fields,
                })
            })
            .collect();
        admin::apply_as_system(storage, batch).await?;
    }
    // The user records exist with ids from the seed; only their credentials are added here (see
    // `admin::add_user`, which would make its own random id).
    for login in &logins {
        let hash = auth::hash_password(DEMO_PASSWORD)?;
        admin::insert_account(storage, &login.user_id, &login.login, &hash).await?;
    }
    Ok(DemoSummary {
        seeded: true,
        counts,
        logins,
    })
}

/// The demo logins that still sign in with the demo password; none unless `admin` does.
pub async fn existing_demo_logins(storage: &Storage) -> Result<Vec<DemoLogin>, ApiError> {
    let mut found = Vec::new();
    for login in DEMO_LOGINS {
        let row = sqlx::query(
            "SELECT a.user_id, a.password_hash, r.fields FROM accounts a
             JOIN records r ON r.collection = 'users' AND r.id = a.user_id AND r.deleted = 0
             WHERE a.login = $1 AND a.disabled = 0",
        )
        .bind(login)
        .fetch_optional(&storage.pool)
        .await?;
        let Some(row) = row else {
            if login == "admin" {
                return Ok(Vec::new());
            }
            continue;
        };
        let user_id: String = row.try_get(0)?;
        let hash: String = row.try_get(1)?;
        if !auth::verify_password(&hash, DEMO_PASSWORD) {
            if login == "admin" {
                return Ok(Vec::new());
            }
            continue;
        }
        let fields: Map<String, Value> = serde_json::from_str(&row.try_get::<String, _>(2)?)
            .map_err(|e| ApiError::Internal(format!("stored user fields: {e}")))?;
        let text = |name: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let Some(role) = Role::parse(&text("role")) else {
            continue;
        };
        let unit_id = text("unit_id");
        let unit: Option<String> = sqlx::query_scalar(
            "SELECT fields FROM records WHERE collection = 'org_units' AND id = $1",
        )
        .bind(&unit_id)
        .fetch_optional(&storage.pool)
        .await?;
        let unit_name = unit
            .and_then(|json| serde_json::from_str::<Map<String, Value>>(&json).ok())
            .and_then(|unit| unit.get("name").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        found.push(DemoLogin {
            login: login.to_owned(),
            name: text("name"),
            role,
            user_id,
            unit_id,
            unit_name,
        });
    }
    Ok(found)
}

/// The demo logins as a table for the terminal: login, role in Chinese and English, unit.
pub fn logins_table(logins: &[DemoLogin]) -> String {
    let rows: Vec<[String; 4]> = logins
        .iter()
        .map(|l| {
            [
                l.login.clone(),
                format!(
                    "{} {}",
                    l.role_label(Locale::ZhCn),
                    l.role_label(Locale::En)
                ),
                l.unit_name.clone(),
                l.name.clone(),
            ]
        })
        .collect();
    let header = [
        "登录名 login".to_owned(),
        "角色 role".to_owned(),
        "组织 unit".to_owned(),
        "姓名 name".to_owned(),
    ];
    let mut widths = [0; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    let line = |row: &[String; 4]| {
        let mut out = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                out.push_str(&" ".repeat(width - display_width(cell) + 2));
            }
        }
        out.trim_end().to_owned()
    };
    let mut table = format!("演示账号 Demo logins — 密码 password: {DEMO_PASSWORD}\n");
    table.push_str(&line(&header));
    table.push('\n');
    for row in &rows {
        table.push_str(&line(row));
        table.push('\n');
    }
    table
}

/// Terminal columns of a text: CJK characters take two.
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A business day (a plain date in the company's time zone), as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then(|| Day(days_from_civil(year, month, day)))
    }

    /// `YYYY-MM-DD`, a real calendar day.
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            b[range.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[range].parse::<u32>().ok())
                .flatten()
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Day::from_ymd(i64::from(digits(0..4)?), digits(5..7)?, digits(8..10)?)
    }

    /// Today in Asia/Shanghai, the company's default time zone (UTC+8, no daylight saving).
    pub fn today_in_shanghai() -> Day {
        Day((now_millis() + 8 * 3_600_000).div_euclid(86_400_000))
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }

    fn plus(self, days: i64) -> Day {
        Day(self.0 + days)
    }

    fn days_since(self, earlier: Day) -> i64 {
        self.0 - earlier.0
    }

    fn year(self) -> i64 {
        self.ymd().0
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    fn weekday(self) -> i64 {
        (self.0 + 3).rem_euclid(7)
    }

    fn quarter_start(self) -> Day {
        let (year, month, _) = self.ymd();
        Day(days_from_civil(year, (month - 1) / 3 * 3 + 1, 1))
    }

    fn next_quarter_start(self) -> Day {
        self.quarter_start().plus(92).quarter_start()
    }

    /// An instant on this day, `secs` after midnight UTC: `2026-03-05T02:30:00Z`.
    fn at(self, secs: i64) -> String {
        let secs = secs.clamp(0, 86_399);
        format!(
            "{self}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl std::str::FromStr for Day {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Day::parse(text).ok_or_else(|| format!("{text:?} is not a date written YYYY-MM-DD"))
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------------------------
// The company's fixed facts: regions, cities, catalogue, names.

/// The demo company's name.
pub const COMPANY_NAME: &str = "华禾消费品集团";
const MAIL_DOMAIN: &str = "huahe.example";
/// History reaches this many days before the as-of day (18 months).
const HISTORY_DAYS: i64 = 540;

/// (name, code)
const REGIONS: [(&str, &str); 4] = [
    ("华东大区", "EAST"),
    ("华南大区", "SOUTH"),
    ("华北大区", "NORTH"),
    ("西南大区", "SW"),
];

struct City {
    name: &'static str,
    code: &'static str,
    region: usize,
    phone_prefix: &'static str,
    districts: &'static [&'static str],
    /// Relative market size: how many customers land here.
    weight: u32,
}

/// In round-robin order over the regions, so a small company still spans them; 上海 first.
const CITIES: [City; 12] = [
    City {
        name: "上海",
        code: "SH",
        region: 0,
        phone_prefix: "021",
        districts: &["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区", "长宁区"],
        weight: 14,
    },
    City {
        name: "广州",
        code: "GZ",
        region: 1,
        phone_prefix: "020",
        districts: &["天河区", "越秀区", "海珠区", "白云区", "番禺区"],
        weight: 11,
    },
    City {
        name: "北京",
        code: "BJ",
        region: 2,
        phone_prefix: "010",
        districts: &["朝阳区", "海淀区", "东城区", "丰台区", "通州区"],
        weight: 13,
    },
    City {
        name: "成都",
        code: "CD",
        region: 3,
        phone_prefix: "028",
        districts: &["锦江区", "武侯区", "青羊区", "成华区", "金牛区"],
        weight: 9,
    },
    City {
        name: "杭州",
        code: "HZ",
        region: 0,
        phone_prefix: "0571",
        districts: &["西湖区", "上城区", "拱墅区", "滨江区", "萧山区"],
        weight: 9,
    },
    City {
        name: "深圳",
        code: "SZ",
        region: 1,
        phone_prefix: "0755",
        districts: &["南山区", "福田区", "罗湖区", "宝安区", "龙岗区"],
        weight: 10,
    },
    City {
        name: "天津",
        code: "TJ",
        region: 2,
        phone_prefix: "022",
        districts: &["和平区", "河西区", "南开区", "河东区", "滨海新区"],
        weight: 7,
    },
    City {
        name: "重庆",
        code: "CQ",
        region: 3,
        phone_prefix: "023",
        districts: &["渝中区", "江北区", "南岸区", "九龙坡区", "沙坪坝区"],
        weight: 8,
    },
    City {
        name: "南京",
        code: "NJ",
        region: 0,
        phone_prefix: "025",
        districts: &["鼓楼区", "玄武区", "秦淮区", "建邺区", "江宁区"],
        weight: 7,
    },
    City {
        name: "福州",
        code: "FZ",
        region: 1,
        phone_prefix: "0591",
        districts: &["鼓楼区", "台江区", "仓山区", "晋安区"],
        weight: 5,
    },
    City {
        name: "济南",
        code: "JN",
        region: 2,
        phone_prefix: "0531",
        districts: &["历下区", "市中区", "槐荫区", "历城区"],
        weight: 5,
    },
    City {
        name: "苏州",
        code: "SU",
        region: 0,
        phone_prefix: "0512",
        districts: &["姑苏区", "吴中区", "相城区", "虎丘区"],
        weight: 6,
    },
];

#[rustfmt::skip]
const ROADS: &[&str] = &[
    "人民路", "中山路", "解放路", "建设路", "和平路", "新华路", "文化路", "学府路", "滨江路", "光明路",
    "振兴路", "青年路", "长江路", "黄河路", "东风路", "迎宾大道",
];

struct ProductDef {
    sku: &'static str,
    name: &'static str,
    short: &'static str,
    category: &'static str,
    unit: &'static str,
    list_price: i64,
    cost: i64,
}

const fn product(
    sku: &'static str,
    name: &'static str,
    short: &'static str,
    category: &'static str,
    unit: &'static str,
    list_price: i64,
    cost: i64,
) -> ProductDef {
    ProductDef {
        sku,
        name,
        short,
        category,
        unit,
        list_price,
        cost,
    }
}

/// The catalogue, categories interleaved so a small company still sells all three. Prices in 分.
#[rustfmt::skip]
const PRODUCTS: [ProductDef; 20] = [
    product("YL-001", "华禾冰红茶 500ml×15瓶", "冰红茶", "饮料", "箱", 4_500, 3_050),
    product("LS-001", "华禾原味薯片 70g×20袋", "原味薯片", "零食", "箱", 9_000, 5_800),
    product("RH-001", "华禾薰衣草洗衣液 2kg", "洗衣液", "日化", "瓶", 3_990, 2_100),
    product("YL-002", "华禾茉莉绿茶 500ml×15瓶", "茉莉绿茶", "饮料", "箱", 4_500, 3_000),
    product("LS-002", "华禾每日坚果 25g×30袋", "每日坚果", "零食", "盒", 12_900, 8_200),
    product("RH-002", "华禾柠檬洗洁精 1.29kg", "洗洁精", "日化", "瓶", 1_590, 780),
    product("YL-003", "华禾鲜橙汁 1L×12瓶", "鲜橙汁", "饮料", "箱", 9_600, 6_500),
    product("LS-003", "华禾五香牛肉干 100g", "牛肉干", "零食", "袋", 3_580, 2_200),
    product("RH-003", "华禾去屑洗发水 400ml", "洗发水", "日化", "瓶", 4_590, 2_400),
    product("YL-004", "华禾苏打水 350ml×24瓶", "苏打水", "饮料", "箱", 7_200, 4_300),
    product("LS-004", "华禾苏打饼干 400g", "苏打饼干", "零食", "袋", 1_290, 760),
    product("RH-004", "华禾清爽沐浴露 750ml", "沐浴露", "日化", "瓶", 3_990, 2_000),
    product("YL-005", "华禾核桃露 240ml×20罐", "核桃露", "饮料", "箱", 7_800, 5_200),
    product("LS-005", "华禾麻辣豆干 200g", "麻辣豆干", "零食", "袋", 990, 520),
    product("RH-005", "华禾清新牙膏 180g", "牙膏", "日化", "支", 1_290, 560),
    product("YL-006", "华禾能量维生素饮料 250ml×24罐", "能量饮料", "饮料", "箱", 11_800, 7_600),
    product("LS-006", "华禾番茄味薯片 70g×20袋", "番茄薯片", "零食", "箱", 9_000, 5_800),
    product("RH-006", "华禾抽纸 3层120抽×10包", "抽纸", "日化", "提", 2_990, 1_900),
    product("YL-007", "华禾天然饮用水 550ml×24瓶", "饮用水", "饮料", "箱", 3_600, 2_100),
    product("LS-007", "华禾海苔脆片 40g×12袋", "海苔脆片", "零食", "盒", 4_680, 2_900),
];

#[rustfmt::skip]
const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
    ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("袁", "yuan"),
    ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"),
];

#[rustfmt::skip]
const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("英", "ying"), ("华", "hua"), ("玲", "ling"),
    ("鹏", "peng"), ("辉", "hui"), ("建", "jian"), ("文", "wen"), ("斌", "bin"), ("宇", "yu"),
    ("浩", "hao"), ("凯", "kai"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("晨", "chen"),
    ("欣", "xin"), ("佳", "jia"), ("怡", "yi"), ("俊", "jun"), ("峰", "feng"), ("亮", "liang"),
    ("倩", "qian"), ("颖", "ying"), ("博", "bo"), ("飞", "fei"), ("志", "zhi"), ("红", "hong"),
];

/// Trade names of customers.
#[rustfmt::skip]
const BRAND_WORDS: &[&str] = &[
    "鑫源", "恒达", "华联", "佳和", "永盛", "金禾", "宏图", "德润", "瑞丰", "富民", "安泰", "盛世",
    "天润", "兴隆", "汇通", "嘉信", "广源", "万顺", "长青", "利民", "和美", "新世纪", "百汇", "聚福",
    "荣昌", "祥和", "东方", "顺发", "旺达", "益康", "同心", "福满多", "乐购", "惠家", "诚信", "四季",
];

/// Store chains of the stores where promoters work.
#[rustfmt::skip]
const STORE_CHAINS: &[&str] = &[
    "万家惠超市", "佳乐福超市", "联发超市", "好邻居便利", "优品汇超市", "鲜丰生活超市", "百佳汇商场", "家家乐超市",
];

/// (kind, name suffix, segment, weight)
#[rustfmt::skip]
const CUSTOMER_TYPES: &[(&str, &str, &str, u32)] = &[
    ("dealer", "商贸有限公司", "批发", 8),
    ("dealer", "食品贸易有限公司", "批发", 6),
    ("dealer", "日用品经销有限公司", "批发", 4),
    ("distributor", "物流配送有限公司", "分销", 4),
    ("distributor", "副食品批发有限公司", "分销", 4),
    ("end_customer", "超市有限公司", "商超", 20),
    ("end_customer", "便利店连锁有限公司", "便利店", 14),
    ("end_customer", "餐饮管理有限公司", "餐饮", 12),
    ("end_customer", "酒店管理有限公司", "酒店", 6),
    ("end_customer", "百货有限公司", "商超", 8),
    ("end_customer", "企业服务有限公司", "企事业团购", 6),
    ("end_customer", "网络科技有限公司", "电商", 8),
];

const CUSTOMER_NOTES: &[&str] = &[
    "月结 30 天，对账日每月 25 日。",
    "送货需提前一天预约，仓库周日不收货。",
    "春节、中秋前备货量大，提前两个月沟通。",
    "老板重视陈列费用，谈判时准备好陈列方案。",
    "对价格敏感，竞品促销时容易流失。",
    "新开门店较多，有扩大合作的空间。",
];

// ---------------------------------------------------------------------------------------------------
// The generator.

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
    /// Won amounts (分) per rep over the last 365 days, for targets.
    won_last_year: BTreeMap<String, i64>,
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
        self.targets(&world);
        self.visits(&world);
        self.daily_reports(&world);
        self.tickets(&world);
    }

    // --- organisation and people -------------------------------------------------------------------

    fn organisation(&mut self) -> World {
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
            won_last_year: BTreeMap::new(),
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

    // --- catalogue and customers ---------------------------------------------------------------------

    fn products(&mut self, world: &mut World) {
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

    fn customers(&mut self, world: &mut World) {
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

    fn contacts(&mut self, world: &World) {
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

    // --- the funnel ---------------------------------------------------------------------------------

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

    fn opportunities(&mut self, world: &mut World) {
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
                        .won_last_year
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

    // --- promotions -----------------------------------------------------------------------------------

    fn promotions(&mut self, world: &mut World) {
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
            let fields = json!({"name": name, "kind": kinds[kind], "unit_id": world.areas[area].id,
                "store_ids": store_ids, "product_ids": product_ids,
                "starts_on": starts_on.to_string(), "ends_on": ends_on.to_string(), "budget": budget,
                "status": status, "promoter_ids": promoters, "baseline_daily_sales": baseline,
                "notes": notes});
            self.add(Collection::Promotion, &id, fields);
            world.promotions.push(Promotion {
                id,
                area,
                stores,
                starts_on,
                ends_on,
                status,
                budget,
                baseline,
            });
        }
    }

    /// Promoters' store-day reports for the last days of recent and running promotions.
    fn promotion_reports(&mut self, world: &World) {
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
                            "competitor_notes": competitor, "photos_count": self.range(0, 8)});
                        self.add(Collection::PromotionReport, &id, fields);
                        day = day.plus(-1);
                    }
                }
            }
        }
    }

    /// Quarterly budgets per region (promotion and advertising) and an expense per finished promotion.
    fn budgets_and_expenses(&mut self, world: &World) {
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
    fn targets(&mut self, world: &World) {
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
                    let base = world.won_last_year.get(rep).copied().unwrap_or(0);
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
            let company_target = self.target(year, "unit", &company, company_total, None, &company);
            let mut region_targets = Vec::new();
            for (r, region) in world.regions.iter().enumerate() {
                let id = region.id.clone();
                region_targets.push(self.target(
                    year,
                    "unit",
                    &id,
                    region_totals[r],
                    Some(&company_target),
                    &id,
                ));
            }
            let mut area_targets = Vec::new();
            for (a, area) in world.areas.iter().enumerate() {
                let id = area.id.clone();
                let parent = region_targets[area.region].clone();
                area_targets.push(self.target(
                    year,
                    "unit",
                    &id,
                    area_totals[a],
                    Some(&parent),
                    &id,
                ));
            }
            for (a, rep, value) in rep_values {
                let parent = area_targets[a].clone();
                let unit = world.areas[a].id.clone();
                self.target(year, "user", &rep, value, Some(&parent), &unit);
            }
        }
    }

    /// One year target and its four quarters; returns the year target's id.
    fn target(
        &mut self,
        year: i64,
        subject_kind: &str,
        subject: &str,
        value: i64,
        parent: Option<&str>,
        unit: &str,
    ) -> String {
        let id = self.id();
        let start = Day::from_ymd(year, 1, 1).expect("a real year");
        self.add(
            Collection::Target,
            &id,
            json!({"period": "year", "period_start": start.to_string(), "subject_kind": subject_kind,
                "subject_id": subject, "metric": "sales_amount", "value": value, "parent_id": parent,
                "unit_id": unit}),
        );
        // Sales lean to the second half (中秋, 国庆, 双十一, 春节备货); the last quarter takes the rest.
        let shares = [22, 24, 26];
        let mut left = value;
        for quarter in 0..4u32 {
            let part = if quarter < 3 {
                value * shares[quarter as usize] / 100 / 100_000 * 100_000
            } else {
                left
            };
            left -= part;
            let start = Day::from_ymd(year, quarter * 3 + 1, 1).expect("a real quarter");
            let quarter_id = self.id();
            self.add(
                Collection::Target,
                &quarter_id,
                json!({"period": "quarter", "period_start": start.to_string(),
                    "subject_kind": subject_kind, "subject_id": subject, "metric": "sales_amount",
                    "value": part, "parent_id": id, "unit_id": unit}),
            );
        }
        id
    }

    // --- field work and service -------------------------------------------------------------------

    fn visits(&mut self, world: &World) {
        let channels = ["visit", "phone", "wechat", "email", "meeting"];
        let summaries = [
            "检查门店陈列和库存，冰红茶缺货，约定本周补货。",
            "与采购沟通下季度订货计划，对方关注返利政策。",
            "介绍新品坚果礼盒，客户愿意先试销两个月。",
            "回访上月促销效果，销量提升明显，客户满意。",
            "处理对账差异，确认上月两笔退货已冲红。",
            "了解竞品动态：竞品本月在该渠道加大了陈列投入。",
        ];
        let next_steps = [
            "发送报价单",
            "安排试吃活动",
            "跟进回款",
            "提交陈列方案",
            "约见老板",
        ];
        for customer in &world.customers {
            if customer.is_store || !self.chance(35) {
                continue;
            }
            for _ in 0..self.range(1, 2) {
                let day = self.as_of.plus(-self.range(1, 60));
                let secs = self.office_hours();
                let channel = channels[self.weighted(&[50, 20, 20, 3, 7])];
                let summary = self.pick(&summaries);
                let next_step = self.chance(60).then(|| self.pick(&next_steps));
                let next_visit = self
                    .chance(50)
                    .then(|| day.plus(self.range(7, 21)).to_string());
                let id = self.id();
                self.add(
                    Collection::Visit,
                    &id,
                    json!({"customer_id": customer.id, "owner_id": customer.owner,
                        "visited_at": day.at(secs), "channel": channel, "summary": summary,
                        "next_step": next_step, "next_visit_on": next_visit}),
                );
            }
        }
    }

    /// Each rep's 日报 for the last five working days.
    fn daily_reports(&mut self, world: &World) {
        let mut days = Vec::new();
        let mut day = self.as_of.plus(-1);
        while days.len() < 5 {
            if day.weekday() < 5 {
                days.push(day);
            }
            day = day.plus(-1);
        }
        let summaries = [
            "上午拜访两家商超，下午跟进经销商订单。",
            "走访片区门店，检查促销执行和陈列。",
            "与经销商核对库存，安排下周补货。",
            "参加区域周会，整理本周机会进展。",
        ];
        for area in &world.areas {
            for rep in &area.reps {
                for &day in &days {
                    let summary = self.pick(&summaries);
                    let problems = self.chance(25).then(|| {
                        self.pick(&[
                            "部分门店堆头被竞品占用。",
                            "经销商回款慢。",
                            "新品铺货率偏低。",
                        ])
                    });
                    let competitor = self
                        .chance(20)
                        .then(|| self.pick(&["竞品推出第二件半价。", "竞品增派促销员。"]));
                    let id = self.id();
                    let fields = json!({"author_id": rep, "unit_id": area.id,
                        "report_date": day.to_string(), "visits_count": self.range(2, 8),
                        "calls_count": self.range(3, 15), "new_opportunities": self.range(0, 2),
                        "summary": summary, "problems": problems,
                        "plan_tomorrow": "继续跟进重点客户，推进谈判中的机会。",
                        "competitor_notes": competitor});
                    self.add(Collection::DailyReport, &id, fields);
                }
            }
        }
    }

    /// Service tickets from the last four months and surveys after the resolved ones.
    fn tickets(&mut self, world: &World) {
        let kinds = ["complaint", "repair", "return", "inquiry", "other"];
        let titles = [
            ["到货外箱破损", "饮料批次口感异常投诉", "送货延迟投诉"],
            ["门店冷柜不制冷", "堆头货架损坏", "冷柜压缩机异响"],
            ["临期产品退货", "错发货物换货", "包装漏液退货"],
            ["咨询返利政策", "咨询新品上市时间", "咨询发票开具"],
            ["门店物料补发", "更改送货地址", "对账单核对"],
        ];
        let count = (world.customers.len() / 25).max(3);
        for _ in 0..count {
            let customer = &world.customers[self.rng.gen_range(0..world.customers.len())];
            let area = &world.areas[customer.area];
            let agent = world.regions[area.region].service_agent.clone();
            let kind = self.weighted(&[30, 20, 20, 25, 5]);
            let age = self.range(1, 120);
            let opened = self.as_of.plus(-age);
            let opened_secs = self.office_hours();
            let status = if age > 20 {
                ["closed", "resolved"][self.weighted(&[70, 30])]
            } else if age >= 5 {
                ["resolved", "in_progress", "waiting_customer"][self.weighted(&[50, 30, 20])]
            } else {
                ["open", "in_progress"][self.weighted(&[50, 50])]
            };
            let resolved = matches!(status, "resolved" | "closed");
            // Resolved tickets are at least five days old, so they were resolved before the as-of day.
            let resolved_day = opened.plus(self.range(1, (age - 1).clamp(1, 10)));
            let resolved_secs = self.office_hours();
            let owner = (status != "open" || self.chance(50)).then_some(agent);
            let title = self.pick(&titles[kind]);
            let priority = ["low", "normal", "high", "urgent"][self.weighted(&[15, 55, 22, 8])];
            let id = self.id();
            self.add(
                Collection::Ticket,
                &id,
                json!({"customer_id": customer.id, "owner_id": owner, "unit_id": area.id,
                    "kind": kinds[kind], "priority": priority, "status": status, "title": title,
                    "description": format!("客户反映：{title}，请尽快处理。"),
                    "opened_at": opened.at(opened_secs),
                    "resolved_at": resolved.then(|| resolved_day.at(resolved_secs)),
                    "resolution": resolved.then_some("已与客户沟通并完成处理，客户确认。")}),
            );
            if resolved && self.chance(70) {
                let score = self.weighted(&[3, 5, 12, 40, 40]) as i64 + 1;
                let nps = (score * 2).min(10) - self.range(0, 1);
                let surveyed = resolved_day.plus(self.range(1, 3)).min(self.as_of);
                let comments = (score <= 3).then_some("处理速度还可以更快一些。");
                let survey = self.id();
                self.add(
                    Collection::Survey,
                    &survey,
                    json!({"customer_id": customer.id, "ticket_id": id, "unit_id": area.id,
                        "surveyed_on": surveyed.to_string(), "score": score, "nps": nps,
                        "comments": comments}),
                );
            }
        }
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
