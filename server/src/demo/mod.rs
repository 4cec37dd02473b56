//! The demo company (示例公司): a realistic Chinese consumer-goods company — HQ, four regions, a dozen
//! areas, stores, reps, promoters, customers, a funnel with history, promotions, orders and targets —
//! made deterministically from a seed and written through the same push path as every other change.

mod day;
mod facts;
mod generator;
mod seed;

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use yingxiao_core::{domain::Collection, locale::Locale, scope::Role};

pub use day::Day;
pub use facts::COMPANY_NAME;
use facts::{CITIES, PRODUCTS};
pub use generator::generate;
pub use seed::{existing_demo_logins, logins_table, seed_demo};

use crate::{admin::AdminError, auth::AuthError};

/// Why the demo company was not seeded, or not completely (each push of 500 commits on its own).
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already has {units} org units; the demo company is seeded only into an \
         empty database (add --if-empty to skip seeding when data exists)"
    )]
    NotEmpty { units: i64 },
    #[error("the demo password breaks the password policy: {0}")]
    Password(String),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored user fields: {0}")]
    StoredFields(serde_json::Error),
}

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
