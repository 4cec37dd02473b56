//! Actuals (实际完成): what each record adds to the targets it counts toward, and an index of the sums
//! by metric, subject and month that one new record updates in a handful of steps (its owner, its
//! dealer, its unit and the units above it), so attainment follows an order at once.
//!
//! - Sales amount and order count: sold orders (`domain::SOLD`) in the month they were ordered.
//! - New customers: customers in the month they were first written.
//! - Visits: visits in the month they were made (China time).
//! - Opportunity amount: opportunities' amounts in the month they were opened.
//! - Any metric: past actuals (`past_actuals`, imported from the company's books) in their month.
//!
//! A record counts for its owner, its unit and every unit above it, and (sales) for the customer it
//! was sold to, which is how a dealer's target is followed.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::{
    domain::{Collection, SOLD},
    scope::OrgTree,
    time::{parse_date, parse_instant, Datelike, NaiveDate},
    views::lines_total,
};

/// China has one time zone and no daylight saving: an instant's business day is its UTC+8 date.
const BUSINESS_OFFSET_HOURS: i64 = 8;

/// What a target measures (the `metric` field's choices).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    SalesAmount,
    OrderCount,
    NewCustomers,
    Visits,
    OpportunityAmount,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::SalesAmount,
        Metric::OrderCount,
        Metric::NewCustomers,
        Metric::Visits,
        Metric::OpportunityAmount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::SalesAmount => "sales_amount",
            Metric::OrderCount => "order_count",
            Metric::NewCustomers => "new_customers",
            Metric::Visits => "visits",
            Metric::OpportunityAmount => "opportunity_amount",
        }
    }

    pub fn parse(text: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// Money in 分 (else a count).
    pub fn is_money(self) -> bool {
        matches!(self, Metric::SalesAmount | Metric::OpportunityAmount)
    }
}

/// A calendar month as one number (year × 12 + month − 1), so months order and subtract.
pub type Month = i32;

pub fn month_of(date: NaiveDate) -> Month {
    date.year() * 12 + date.month0() as i32
}

/// The first day of a month.
pub fn month_start(month: Month) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
}

/// Whom a target is set for (the `subject_kind` field's choices).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    Unit,
    User,
    Dealer,
}

impl SubjectKind {
    pub fn parse(text: &str) -> Option<SubjectKind> {
        match text {
            "unit" => Some(SubjectKind::Unit),
            "user" => Some(SubjectKind::User),
            "dealer" => Some(SubjectKind::Dealer),
            _ => None,
        }
    }
}

/// What one record adds to one metric in one month, and whom it counts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub metric: Metric,
    pub month: Month,
    pub amount: i64,
    pub user: Option<String>,
    pub unit: Option<String>,
    pub dealer: Option<String>,
}

fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn business_day(instant: &str) -> Option<NaiveDate> {
    let at = parse_instant(instant)?;
    Some((at + chrono::TimeDelta::hours(BUSINESS_OFFSET_HOURS)).date_naive())
}

/// What a live record of `collection` adds, for every metric it counts toward. `created` is the
/// business day it was first written (new customers count by it).
pub fn contributions(
    collection: Collection,
    fields: &Map<String, Value>,
    created: Option<NaiveDate>,
) -> Vec<Contribution> {
    let user = text(fields, "owner_id");
    let one = |metric, day: Option<NaiveDate>, amount, unit: Option<String>, dealer| {
        day.map(|day| Contribution {
            metric,
            month: month_of(day),
            amount,
            user: user.clone(),
            unit,
            dealer,
        })
    };
    match collection {
        Collection::Order => {
            let sold = fields
                .get("status")
                .and_then(Value::as_str)
                .is_some_and(|s| SOLD.contains(&s));
            if !sold {
                return Vec::new();
            }
            let day = fields
                .get("ordered_on")
                .and_then(Value::as_str)
                .and_then(parse_date);
            let total = fields.get("total").and_then(Value::as_i64).or_else(|| {
                fields
                    .get("lines")
                    .and_then(Value::as_array)
                    .and_then(|lines| lines_total(lines))
            });
            let unit = text(fields, "unit_id");
            let dealer = text(fields, "customer_id");
            [
                one(
                    Metric::SalesAmount,
                    day,
                    total.unwrap_or(0),
                    unit.clone(),
                    dealer.clone(),
                ),
                one(Metric::OrderCount, day, 1, unit, dealer),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
        Collection::Customer => one(
            Metric::NewCustomers,
            created,
            1,
            text(fields, "region_unit_id"),
            None,
        )
        .into_iter()
        .collect(),
        Collection::Visit => {
            let day = fields
                .get("visited_at")
                .and_then(Value::as_str)
                .and_then(business_day);
            // A visit has no unit of its own: its owner's is found by the caller when indexing.
            one(Metric::Visits, day, 1, text(fields, "unit_id"), None)
                .into_iter()
                .collect()
        }
        Collection::Opportunity => {
            let opened = fields
                .get("stage_history")
                .and_then(Value::as_array)
                .and_then(|h| h.first())
                .and_then(|entry| entry.get("entered_at"))
                .and_then(Value::as_str)
                .and_then(business_day)
                .or(created);
            let amount = fields.get("amount").and_then(Value::as_i64).unwrap_or(0);
            one(
                Metric::OpportunityAmount,
                opened,
                amount,
                text(fields, "unit_id"),
                None,
            )
            .into_iter()
            .collect()
        }
        Collection::PastActual => {
            let subject = text(fields, "subject_id");
            let kind = fields.get("subject_kind").and_then(Value::as_str);
            let month = fields
                .get("month")
                .and_then(Value::as_str)
                .and_then(parse_date)
                .map(month_of);
            let metric = fields
                .get("metric")
                .and_then(Value::as_str)
                .and_then(Metric::parse);
            let (Some(month), Some(metric)) = (month, metric) else {
                return Vec::new();
            };
            vec![Contribution {
                metric,
                month,
                amount: fields.get("value").and_then(Value::as_i64).unwrap_or(0),
                user: subject.clone().filter(|_| kind == Some("user")),
                unit: text(fields, "unit_id"),
                dealer: subject.filter(|_| kind == Some("dealer")),
            }]
        }
        _ => Vec::new(),
    }
}

/// The business day a record was made, read from its id: a UUID version 7 begins with the time it
/// was made on the device, in milliseconds (DESIGN.md). `None` for any other id.
pub fn made_on(id: &str) -> Option<NaiveDate> {
    let at = chrono::DateTime::from_timestamp_millis(crate::id::made_at(id)?)?;
    Some((at + chrono::TimeDelta::hours(BUSINESS_OFFSET_HOURS)).date_naive())
}

/// Sums by subject, then metric and month: a subject's figures are found by its id alone (no key
/// to build per lookup), and a span of months is one range of an ordered map.
#[derive(Clone, Debug, Default)]
pub struct Actuals {
    sums: HashMap<String, SubjectSums>,
}

/// One subject's sums: by metric and the kind it counts as, then by month.
type SubjectSums = HashMap<(Metric, SubjectKind), BTreeMap<Month, i64>>;

impl Actuals {
    /// Adds (`sign` 1) or takes away (−1, a record changed or deleted) one contribution: to its
    /// owner, its dealer, its unit and every unit above it. `unit_of_user` gives a unit to a record
    /// that has none of its own (a visit counts for its owner's unit).
    pub fn add(
        &mut self,
        c: &Contribution,
        org: &OrgTree,
        unit_of_user: impl Fn(&str) -> Option<String>,
        sign: i64,
    ) {
        let mut bump = |kind, id: &str| {
            let months = match self.sums.get_mut(id) {
                Some(subject) => subject.entry((c.metric, kind)).or_default(),
                None => self
                    .sums
                    .entry(id.to_owned())
                    .or_default()
                    .entry((c.metric, kind))
                    .or_default(),
            };
            *months.entry(c.month).or_insert(0) += sign * c.amount;
        };
        if let Some(user) = &c.user {
            bump(SubjectKind::User, user);
        }
        if let Some(dealer) = &c.dealer {
            bump(SubjectKind::Dealer, dealer);
        }
        let unit = c
            .unit
            .clone()
            .or_else(|| c.user.as_deref().and_then(&unit_of_user));
        if let Some(unit) = unit {
            for u in org.up_from(&unit) {
                bump(SubjectKind::Unit, u);
            }
        }
    }

    /// The actual of one subject for one metric over the months `from..to`.
    pub fn sum(&self, metric: Metric, kind: SubjectKind, id: &str, from: Month, to: Month) -> i64 {
        if from >= to {
            return 0;
        }
        self.sums
            .get(id)
            .and_then(|subject| subject.get(&(metric, kind)))
            .map_or(0, |months| months.range(from..to).map(|(_, v)| v).sum())
    }
}

/// Actuals kept up to date record by record: what each counted record added is remembered, so a
/// record that changes is taken out and put back, and one new order costs its own few sums, not a
/// pass over every record.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    actuals: Actuals,
    added: HashMap<(Collection, String), Vec<Contribution>>,
}

impl Ledger {
    pub fn actuals(&self) -> &Actuals {
        &self.actuals
    }

    /// Forgets everything (the organisation changed: every unit above a record may differ).
    pub fn clear(&mut self) {
        *self = Ledger::default();
    }

    /// Puts a record of `collection` in as it is now: `None` when it is gone. What it added
    /// before is taken out first.
    pub fn put(
        &mut self,
        collection: Collection,
        id: &str,
        fields: Option<&Map<String, Value>>,
        org: &OrgTree,
        unit_of_user: impl Fn(&str) -> Option<String>,
    ) {
        let key = (collection, id.to_owned());
        if let Some(before) = self.added.remove(&key) {
            for c in &before {
                self.actuals.add(c, org, &unit_of_user, -1);
            }
        }
        let Some(fields) = fields else { return };
        let now = contributions(collection, fields, made_on(id));
        if now.is_empty() {
            return;
        }
        for c in &now {
            self.actuals.add(c, org, &unit_of_user, 1);
        }
        self.added.insert(key, now);
    }
}
