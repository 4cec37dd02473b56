//! A 10,000-person organisation for the targets figures (issue 14): a company, 10 regions of 10
//! areas, and 100 reps in each area; each rep sold something every month of last year, more in the
//! second half. Shared by the native bench and the Chromium one, so both measure the same work.

use serde_json::{json, Map, Value};
use yingxiao_core::{
    org_chart::{PersonRow, UnitRow},
    scope::OrgTree,
    targets::{
        actuals::{Actuals, Contribution, Metric, SubjectKind},
        split::Share,
    },
};

pub const REGIONS: usize = 10;
pub const AREAS_PER_REGION: usize = 10;
pub const REPS_PER_AREA: usize = 100;
/// This year; last year's sales weigh the shares and the months.
pub const YEAR: i32 = 2027;
/// The company's year target: ¥1.2 billion, in 分.
pub const TOTAL: i64 = 120_000_000_000;

pub fn unit_id(n: usize) -> String {
    format!("0190a000-0000-7000-8000-{n:012x}")
}

pub fn person_id(n: usize) -> String {
    format!("0190a000-0000-7000-9000-{n:012x}")
}

/// The organisation: units (company first) and reps, and the tree the decomposition walks, with
/// units first (by index) and then the reps, as nodes.
pub struct Org {
    pub units: Vec<UnitRow>,
    pub people: Vec<PersonRow>,
    pub tree: OrgTree,
    /// Node → its children (units, then reps); node i < units.len() is unit i, else rep i − units.
    pub children: Vec<Vec<usize>>,
}

pub fn org() -> Org {
    let mut units = vec![UnitRow {
        id: unit_id(0),
        name: "公司".into(),
        kind: "company".into(),
        parent_id: String::new(),
        manager_id: String::new(),
    }];
    let mut people = Vec::new();
    let mut parents = Vec::new();
    for r in 0..REGIONS {
        let region = units.len();
        units.push(UnitRow {
            id: unit_id(region),
            name: format!("大区{r:02}"),
            kind: "region".into(),
            parent_id: unit_id(0),
            manager_id: String::new(),
        });
        parents.push((unit_id(region), unit_id(0)));
        for a in 0..AREAS_PER_REGION {
            let area = units.len();
            units.push(UnitRow {
                id: unit_id(area),
                name: format!("区域{r:02}{a:02}"),
                kind: "area".into(),
                parent_id: unit_id(region),
                manager_id: String::new(),
            });
            parents.push((unit_id(area), unit_id(region)));
        }
    }
    for area in units.iter().filter(|u| u.kind == "area") {
        for p in 0..REPS_PER_AREA {
            let n = people.len();
            people.push(PersonRow {
                id: person_id(n),
                name: format!("业务{n:05}{p}"),
                role: "sales_rep".into(),
                unit_id: area.id.clone(),
                manager_id: String::new(),
            });
        }
    }
    let mut children = vec![Vec::new(); units.len() + people.len()];
    for (i, u) in units.iter().enumerate().skip(1) {
        let parent = units.iter().position(|p| p.id == u.parent_id).unwrap_or(0);
        children[parent].push(i);
    }
    let area_at: std::collections::HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    for (n, p) in people.iter().enumerate() {
        children[area_at[p.unit_id.as_str()]].push(units.len() + n);
    }
    Org {
        units,
        people,
        tree: OrgTree::new(parents),
        children,
    }
}

/// A rep's sale in a month of last year, in 分: some more than others, more late in the year.
pub fn sold(rep: usize, month: usize) -> i64 {
    let base = 200_000 + (rep as i64 * 7_919) % 800_000;
    base * (8 + month as i64) / 10
}

/// Last year's actuals, indexed as the page indexes them: each rep's months, their area, region and
/// company above.
pub fn last_year(org: &Org) -> Actuals {
    let mut actuals = Actuals::default();
    for (n, p) in org.people.iter().enumerate() {
        for m in 0..12 {
            actuals.add(
                &Contribution {
                    metric: Metric::SalesAmount,
                    month: (YEAR - 1) * 12 + m as i32,
                    amount: sold(n, m),
                    user: Some(p.id.clone()),
                    unit: Some(p.unit_id.clone()),
                    dealer: None,
                },
                &org.tree,
                |_| None,
                1,
            );
        }
    }
    actuals
}

/// The decomposition as target records: each node's year and its twelve months.
pub fn target_records(org: &Org, shares: &[Option<Share>]) -> Vec<(String, Map<String, Value>)> {
    let mut out = Vec::with_capacity(shares.len() * 13);
    for (node, share) in shares.iter().enumerate() {
        let Some((year, months)) = share else {
            continue;
        };
        let (kind, subject, unit) = if node < org.units.len() {
            let u = &org.units[node];
            ("unit", u.id.clone(), u.id.clone())
        } else {
            let p = &org.people[node - org.units.len()];
            ("user", p.id.clone(), p.unit_id.clone())
        };
        let year_id = format!("y{node}");
        let record = |period: &str, start: String, value: i64, parent: Option<&str>| {
            let mut fields = json!({"period": period, "period_start": start, "subject_kind": kind,
                "subject_id": subject, "metric": "sales_amount", "value": value, "unit_id": unit});
            if let Some(parent) = parent {
                fields["parent_id"] = json!(parent);
            }
            fields.as_object().cloned().unwrap_or_default()
        };
        out.push((
            year_id.clone(),
            record("year", format!("{YEAR}-01-01"), *year, None),
        ));
        for (m, value) in months.iter().enumerate() {
            out.push((
                format!("m{node}-{m}"),
                record(
                    "month",
                    format!("{YEAR}-{:02}-01", m + 1),
                    *value,
                    Some(&year_id),
                ),
            ));
        }
    }
    out
}

/// What the decomposition weighs by: each node's sales of last year, and the company's months.
pub fn weights(org: &Org, actuals: &Actuals) -> (Vec<u64>, [i64; 12]) {
    let last = (YEAR - 1) * 12;
    let of = |kind, id: &str, from, to| actuals.sum(Metric::SalesAmount, kind, id, from, to);
    let weights = (0..org.children.len())
        .map(|node| {
            let sold = if node < org.units.len() {
                of(SubjectKind::Unit, &org.units[node].id, last, last + 12)
            } else {
                let person = &org.people[node - org.units.len()];
                of(SubjectKind::User, &person.id, last, last + 12)
            };
            sold.max(0) as u64
        })
        .collect();
    let mut seasonality = [0i64; 12];
    for (m, s) in seasonality.iter_mut().enumerate() {
        let month = last + m as i32;
        *s = of(SubjectKind::Unit, &org.units[0].id, month, month + 1);
    }
    (weights, seasonality)
}

/// The `run`th new order of the figures: ¥10,000 in August for the `run`th rep.
pub fn new_order(org: &Org, run: usize) -> Contribution {
    let rep = &org.people[run];
    Contribution {
        metric: Metric::SalesAmount,
        month: YEAR * 12 + 7,
        amount: 1_000_000 + run as i64,
        user: Some(rep.id.clone()),
        unit: Some(rep.unit_id.clone()),
        dealer: None,
    }
}
