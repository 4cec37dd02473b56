//! 销售考核: scorecards and ranking. Each role is assessed on a few metrics with weights adding up
//! to 100% (the company's `score_weights`, set by HQ, else `DEFAULT_WEIGHTS`); a person's or a
//! unit's score over a period is each metric's attainment (actual ÷ the period's target) times its
//! weight, in points, so exactly on every target is 100. Every part says how it was computed.

use serde_json::{json, Map, Value};

use super::{
    actuals::{month_of, Actuals, Metric, Month},
    attainment::{attained, ranks},
    sheet::{Sheet, SheetRow},
};
use crate::{domain::SCORE_WEIGHTS_FIELD, time::NaiveDate};

/// The weights each role is assessed by until the company sets its own.
pub const DEFAULT_WEIGHTS: &[(&str, &[(Metric, u8)])] = &[
    (
        "sales_rep",
        &[
            (Metric::SalesAmount, 50),
            (Metric::NewCustomers, 20),
            (Metric::Visits, 20),
            (Metric::OpportunityAmount, 10),
        ],
    ),
    (
        "promoter",
        &[(Metric::SalesAmount, 70), (Metric::OrderCount, 30)],
    ),
    (
        "area_supervisor",
        &[
            (Metric::SalesAmount, 60),
            (Metric::NewCustomers, 20),
            (Metric::Visits, 20),
        ],
    ),
    (
        "regional_manager",
        &[(Metric::SalesAmount, 70), (Metric::NewCustomers, 30)],
    ),
    ("hq_marketing", &[(Metric::SalesAmount, 100)]),
];

/// The role a row is assessed as: a person's own, a unit's by its level (its manager's role).
pub fn role_of(row: &SheetRow) -> &str {
    match row.level.as_str() {
        "region" => "regional_manager",
        "area" | "team" => "area_supervisor",
        "company" => "hq_marketing",
        role => role,
    }
}

/// A role's metrics and weights: the company's lines for it, else the defaults; empty for a role
/// that is not assessed.
pub fn weights_of(company: Option<&Map<String, Value>>, role: &str) -> Vec<(Metric, u8)> {
    let set: Vec<(Metric, u8)> = company
        .and_then(|c| c.get(SCORE_WEIGHTS_FIELD))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|line| line.get("role").and_then(Value::as_str) == Some(role))
        .filter_map(|line| {
            let metric = Metric::parse(line.get("metric")?.as_str()?)?;
            let weight = u8::try_from(line.get("weight")?.as_i64()?).ok()?;
            Some((metric, weight))
        })
        .collect();
    if !set.is_empty() {
        return set;
    }
    DEFAULT_WEIGHTS
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, w)| w.to_vec())
        .unwrap_or_default()
}

/// The defaults as the field's lines, for the settings form to start from.
pub fn default_lines() -> Value {
    Value::Array(
        DEFAULT_WEIGHTS
            .iter()
            .flat_map(|(role, weights)| {
                weights.iter().map(move |(metric, weight)| {
                    json!({"role": role, "metric": metric.as_str(), "weight": weight})
                })
            })
            .collect(),
    )
}

/// The period a scorecard covers: the month, quarter or year of the day it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Month,
    Quarter,
    Year,
}

impl Span {
    /// The months of the period containing `today` (`from..to`), within `year`'s sheet.
    pub fn months(self, year: i32, today: NaiveDate) -> (Month, Month) {
        let first = year * 12;
        let now = month_of(today).clamp(first, first + 11);
        match self {
            Span::Month => (now, now + 1),
            Span::Quarter => {
                let q = first + (now - first) / 3 * 3;
                (q, q + 3)
            }
            Span::Year => (first, first + 12),
        }
    }
}

/// One metric of a scorecard, with what it was computed from.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub metric: Metric,
    pub weight: u8,
    /// The period's target: its months' targets, or the year's share of the period when the year
    /// is not phased; 0 when none is set.
    pub target: i64,
    /// Actual from the period's start to `today`.
    pub actual: i64,
    pub attained: Option<f64>,
    /// weight × attained (a metric without a target gives none).
    pub points: f64,
}

/// A row's scorecard over a period.
#[derive(Clone, Debug, PartialEq)]
pub struct Scorecard {
    pub row: usize,
    pub role: String,
    pub parts: Vec<Part>,
    pub score: f64,
}

/// The period's target of one row of a metric's sheet.
fn period_target(sheet: &Sheet, row: usize, (from, to): (Month, Month)) -> i64 {
    let r = &sheet.rows[row];
    let first = sheet.year * 12;
    if r.phased() {
        let months = r.month_values();
        (from..to)
            .filter_map(|m| usize::try_from(m - first).ok())
            .filter_map(|i| months.get(i))
            .sum()
    } else {
        let year = r.year.as_ref().map_or(0, |c| c.value);
        year * i64::from(to - from) / 12
    }
}

/// The scorecard of `row` (the same row in every metric's sheet: they are built from the same
/// organisation), over `span` as of `today`, by `weights`.
pub fn scorecard(
    sheets: &[(Metric, &Sheet)],
    row: usize,
    weights: &[(Metric, u8)],
    actuals: &Actuals,
    span: Span,
    today: NaiveDate,
) -> Option<Scorecard> {
    let (_, first) = sheets.first()?;
    let r = first.rows.get(row)?;
    let (from, to) = span.months(first.year, today);
    let until = (month_of(today) + 1).clamp(from, to);
    let mut parts = Vec::new();
    for &(metric, weight) in weights {
        let target = sheets
            .iter()
            .find(|(m, _)| *m == metric)
            .map_or(0, |(_, sheet)| period_target(sheet, row, (from, to)));
        let actual = actuals.sum(metric, r.kind, &r.subject_id, from, until);
        let share = attained(actual, target);
        parts.push(Part {
            metric,
            weight,
            target,
            actual,
            attained: share,
            points: f64::from(weight) * share.unwrap_or(0.0),
        });
    }
    let score = parts.iter().map(|p| p.points).sum();
    Some(Scorecard {
        row,
        role: role_of(r).to_owned(),
        parts,
        score,
    })
}

/// Ranks scorecards by score, or by one metric's attainment (one without that metric, or without
/// a target for it, ranks last). Returns each card's rank, in the order given.
pub fn rank(cards: &[Scorecard], by: Option<Metric>) -> Vec<usize> {
    let key: Vec<f64> = cards
        .iter()
        .map(|card| match by {
            None => card.score,
            Some(metric) => card
                .parts
                .iter()
                .find(|p| p.metric == metric)
                .and_then(|p| p.attained)
                .unwrap_or(-1.0),
        })
        .collect();
    ranks(&key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        org_chart::{PersonRow, UnitRow},
        scope::OrgTree,
        targets::actuals::{Contribution, SubjectKind},
    };

    fn target(
        subject: &str,
        metric: &str,
        period: &str,
        start: &str,
        value: i64,
    ) -> Map<String, Value> {
        json!({"period": period, "period_start": start, "subject_kind": "user", "subject_id": subject,
            "metric": metric, "value": value})
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn a_score_is_each_metrics_attainment_times_its_weight() {
        let units = vec![UnitRow {
            id: "area".into(),
            name: "苏州区".into(),
            kind: "area".into(),
            parent_id: String::new(),
            manager_id: String::new(),
        }];
        let person = |id: &str, name: &str| PersonRow {
            id: id.into(),
            name: name.into(),
            role: "sales_rep".into(),
            unit_id: "area".into(),
            manager_id: String::new(),
        };
        let people = vec![person("a", "甲"), person("b", "乙")];
        // 甲: ¥1,200 a year unphased (¥300 a quarter), 10 visits in the third quarter's months.
        let sales_a = target("a", "sales_amount", "year", "2027-01-01", 1_200);
        let sales_b = target("b", "sales_amount", "year", "2027-01-01", 1_200);
        let visits_year = target("a", "visits", "year", "2027-01-01", 40);
        let visit_months: Vec<Map<String, Value>> = (1..=12)
            .map(|m| {
                target(
                    "a",
                    "visits",
                    "month",
                    &format!("2027-{m:02}-01"),
                    if (7..=9).contains(&m) { 4 } else { 3 },
                )
            })
            .collect();
        let mut list = vec![
            ("s1".to_owned(), &sales_a),
            ("s2".to_owned(), &sales_b),
            ("v".to_owned(), &visits_year),
        ];
        list.extend(
            visit_months
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("v{i}"), t)),
        );
        let sales = Sheet::build(&units, &people, &list, Metric::SalesAmount, 2027);
        let visits = Sheet::build(&units, &people, &list, Metric::Visits, 2027);
        let mut actuals = Actuals::default();
        let org = OrgTree::default();
        let mut add = |metric, user: &str, month: i32, amount| {
            actuals.add(
                &Contribution {
                    metric,
                    month: 2027 * 12 + month,
                    amount,
                    user: Some(user.into()),
                    unit: None,
                    dealer: None,
                },
                &org,
                |_| None,
                1,
            )
        };
        add(Metric::SalesAmount, "a", 6, 150); // July
        add(Metric::SalesAmount, "a", 7, 90); // August
        add(Metric::Visits, "a", 7, 6);
        add(Metric::SalesAmount, "b", 6, 300);
        let weights = vec![(Metric::SalesAmount, 70), (Metric::Visits, 30)];
        let today = NaiveDate::from_ymd_opt(2027, 8, 20).unwrap();
        let sheets = [(Metric::SalesAmount, &sales), (Metric::Visits, &visits)];
        let row = |id: &str| sales.rows.iter().position(|r| r.subject_id == id).unwrap();
        let a = scorecard(&sheets, row("a"), &weights, &actuals, Span::Quarter, today).unwrap();
        // Sales: 240 of 300 = 80% × 70 = 56; visits: 6 of 12 (its months) = 50% × 30 = 15.
        assert_eq!(a.parts[0].target, 300);
        assert_eq!(a.parts[0].actual, 240);
        assert!((a.parts[0].points - 56.0).abs() < 1e-9);
        assert_eq!(a.parts[1].target, 12);
        assert!((a.parts[1].points - 15.0).abs() < 1e-9);
        assert!((a.score - 71.0).abs() < 1e-9);
        assert_eq!(a.role, "sales_rep");
        // 乙: sales 100% × 70 = 70, no visits target: 0.
        let b = scorecard(&sheets, row("b"), &weights, &actuals, Span::Quarter, today).unwrap();
        assert!((b.score - 70.0).abs() < 1e-9);
        assert_eq!(b.parts[1].attained, None);
        assert_eq!(rank(&[a.clone(), b.clone()], None), vec![1, 2]);
        assert_eq!(rank(&[a, b], Some(Metric::SalesAmount)), vec![2, 1]);
        let _ = SubjectKind::User;
    }

    #[test]
    fn weights_come_from_the_company_else_the_defaults() {
        let company = json!({SCORE_WEIGHTS_FIELD: [
            {"role": "sales_rep", "metric": "visits", "weight": 100}
        ]});
        let company = company.as_object().unwrap();
        assert_eq!(
            weights_of(Some(company), "sales_rep"),
            vec![(Metric::Visits, 100)]
        );
        assert_eq!(
            weights_of(Some(company), "promoter").len(),
            2,
            "not set: the defaults"
        );
        assert!(weights_of(None, "finance").is_empty());
        for (role, weights) in DEFAULT_WEIGHTS {
            assert_eq!(
                weights.iter().map(|(_, w)| u32::from(*w)).sum::<u32>(),
                100,
                "{role}"
            );
        }
        // The default lines are valid weights for the company unit.
        let mut fields = Map::new();
        fields.insert(SCORE_WEIGHTS_FIELD.into(), default_lines());
        assert_eq!(
            crate::domain::validate_fields(crate::domain::Collection::OrgUnit, &fields),
            Ok(())
        );
        fields.insert(
            SCORE_WEIGHTS_FIELD.into(),
            json!([{"role": "sales_rep", "metric": "visits", "weight": 90}]),
        );
        assert!(
            crate::domain::validate_fields(crate::domain::Collection::OrgUnit, &fields).is_err()
        );
    }
}
