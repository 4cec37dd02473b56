use proptest::prelude::*;

use super::attainment::*;
use super::split::*;
use crate::time::parse_date;

fn date(text: &str) -> crate::time::NaiveDate {
    parse_date(text).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever the method, the parts add up to the whole exactly, and each is within one unit of
    /// its exact proportional share.
    #[test]
    fn a_split_adds_up_exactly_and_stays_within_a_unit_of_the_exact_share(
        total in 0i64..=crate::domain::MAX_MONEY,
        weights in prop::collection::vec(0u64..1_000_000_000_000, 1..40),
        method in 0u8..3,
    ) {
        let n = weights.len();
        let method = match method {
            0 => Method::Equal,
            1 => Method::LastYear(weights.iter().map(|&w| w as i64).collect()),
            _ => Method::Weights(weights.clone()),
        };
        let parts = split(total, n, &method).unwrap();
        prop_assert_eq!(parts.len(), n);
        prop_assert_eq!(parts.iter().sum::<i64>(), total);
        prop_assert!(parts.iter().all(|&p| p >= 0));
        let used: Vec<u128> = match &method {
            Method::Equal => vec![1; n],
            _ if weights.iter().all(|&w| w == 0) => vec![1; n],
            _ => weights.iter().map(|&w| u128::from(w)).collect(),
        };
        let sum: u128 = used.iter().sum();
        for (part, w) in parts.iter().zip(&used) {
            let exact_floor = (total as u128 * w / sum) as i64;
            prop_assert!(*part == exact_floor || *part == exact_floor + 1);
        }
        prop_assert_eq!(split(total, n, &method).unwrap(), parts, "deterministic");
    }

    /// A re-spread keeps every hand-set child and still adds up to the new parent.
    #[test]
    fn a_respread_keeps_hand_set_children_and_adds_up(
        children in prop::collection::vec((0i64..1_000_000, any::<bool>(), 0u64..100), 1..30),
        extra in 0i64..10_000_000,
    ) {
        let children: Vec<Child> = children
            .into_iter()
            .map(|(value, fixed, weight)| Child { value, fixed, weight })
            .collect();
        let fixed: i64 = children.iter().filter(|c| c.fixed).map(|c| c.value).sum();
        let total = fixed + extra;
        match respread(total, &children) {
            Ok(values) => {
                prop_assert_eq!(values.iter().sum::<i64>(), total);
                for (c, v) in children.iter().zip(&values) {
                    if c.fixed {
                        prop_assert_eq!(c.value, *v);
                    }
                }
            }
            Err(SplitError::NothingToSpread(left)) => {
                prop_assert!(children.iter().all(|c| c.fixed));
                prop_assert_eq!(left, extra);
                prop_assert!(extra > 0);
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }
}

#[test]
fn remainders_go_to_the_largest_fractions_then_to_the_earlier_child() {
    // 100 分 in three: 33.33 each; the one left over goes to the first.
    assert_eq!(split(100, 3, &Method::Equal), Ok(vec![34, 33, 33]));
    // By last year's 1 : 2 : 2 of 10: 2, 4, 4 exactly.
    assert_eq!(
        split(10, 3, &Method::LastYear(vec![100, 200, 200])),
        Ok(vec![2, 4, 4])
    );
    // 7 by 1 : 1 : 1 : 1 = 1.75 each: three get the units left, the earlier ones first.
    assert_eq!(
        split(7, 4, &Method::Weights(vec![1, 1, 1, 1])),
        Ok(vec![2, 2, 2, 1])
    );
    // 10 by 3 : 1 = 7.5 and 2.5: the remainders tie, the first child takes the unit.
    assert_eq!(split(10, 2, &Method::Weights(vec![3, 1])), Ok(vec![8, 2]));
    // A new region with no sales last year: equal.
    assert_eq!(
        split(9, 3, &Method::LastYear(vec![0, 0, 0])),
        Ok(vec![3, 3, 3])
    );
    assert_eq!(
        split(9, 3, &Method::Weights(vec![1, 2])),
        Err(SplitError::WrongCount {
            children: 3,
            figures: 2
        })
    );
    assert_eq!(split(9, 0, &Method::Equal), Err(SplitError::NoChildren));
    assert_eq!(split(-1, 2, &Method::Equal), Err(SplitError::Negative));
    assert_eq!(
        split(9, 2, &Method::LastYear(vec![1, -1])),
        Err(SplitError::Negative)
    );
}

#[test]
fn a_respread_fails_when_the_hand_set_children_exceed_the_parent() {
    let child = |value, fixed| Child {
        value,
        fixed,
        weight: 1,
    };
    assert_eq!(
        respread(100, &[child(60, true), child(10, false), child(10, false)]),
        Ok(vec![60, 20, 20])
    );
    assert_eq!(
        respread(50, &[child(60, true), child(10, false)]),
        Err(SplitError::FixedExceed(10))
    );
    assert_eq!(
        respread(70, &[child(60, true), child(10, true)]),
        Ok(vec![60, 10])
    );
    assert_eq!(
        respread(80, &[child(60, true), child(10, true)]),
        Err(SplitError::NothingToSpread(10))
    );
}

#[test]
fn a_year_follows_last_years_seasonality_or_is_even() {
    let last = [5, 5, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5];
    let months = phase_year(1_000, Some(&last)).unwrap();
    assert_eq!(
        months,
        [50, 50, 100, 100, 100, 100, 100, 100, 100, 100, 50, 50]
    );
    assert_eq!(quarters(&months), [200, 300, 300, 200]);
    let even = phase_year(1_000, None).unwrap();
    assert_eq!(even.iter().sum::<i64>(), 1_000);
    assert_eq!(even[0], 84);
    assert_eq!(even[11], 83);
    assert_eq!(difference(1_000, &months), 0);
    assert_eq!(difference(1_000, &months[..11]), 50);
}

#[test]
fn the_light_compares_what_is_attained_with_the_time_gone() {
    // The example: 60% of the year gone and 45% attained is red.
    assert_eq!(light(0.45, 0.60), Light::Red);
    assert_eq!(light(0.60, 0.60), Light::Green);
    // 85% of the pace or more is amber: 51% at 60%.
    assert_eq!(light(0.51, 0.60), Light::Amber);
    assert_eq!(light(0.50, 0.60), Light::Red);
    assert_eq!(light(0.0, 0.0), Light::Green, "before the period starts");
    assert_eq!(light(1.2, 0.3), Light::Green);
    assert_eq!(
        light(0.9, 1.0),
        Light::Amber,
        "the period over, 90% attained"
    );
}

#[test]
fn time_gone_counts_whole_days_including_today() {
    let start = date("2026-01-01");
    let end = period_end("year", start).unwrap();
    assert_eq!(end, date("2027-01-01"));
    assert_eq!(elapsed(start, end, date("2025-12-31")), 0.0);
    assert!((elapsed(start, end, date("2026-01-01")) - 1.0 / 365.0).abs() < 1e-12);
    assert_eq!(elapsed(start, end, date("2026-12-31")), 1.0);
    assert_eq!(elapsed(start, end, date("2027-03-01")), 1.0);
    assert_eq!(
        period_end("quarter", date("2026-10-01")),
        Some(date("2027-01-01"))
    );
    assert_eq!(
        period_end("month", date("2026-02-01")),
        Some(date("2026-03-01"))
    );
    assert_eq!(period_end("week", start), None);
    // November 2026: 30 days, the 15th is half of it.
    let nov = date("2026-11-01");
    let dec = period_end("month", nov).unwrap();
    assert_eq!(elapsed(nov, dec, date("2026-11-15")), 0.5);
}

#[test]
fn attainment_forecast_and_gap() {
    assert_eq!(attained(450, 1_000), Some(0.45));
    assert_eq!(attained(450, 0), None);
    // 450 with half the period gone runs to 900; 100 still missing from 1,000 at the end.
    assert_eq!(forecast(450, 0.5), Some(900));
    assert_eq!(forecast(450, 0.0), None);
    assert_eq!(gap(1_000, 450), 550);
    assert_eq!(gap(1_000, 1_200), 0);
}

#[test]
fn weighted_scores_and_ranks_by_hand() {
    // Sales 60% weight at 90% attained, visits 40% at 120%: 54 + 48 = 102 points.
    let score = weighted_score(&[(60, Some(0.9)), (40, Some(1.2))]);
    assert!((score - 102.0).abs() < 1e-9);
    // A metric without a target counts nothing: 50 × 1.0 + 50 × 0 = 50.
    assert_eq!(weighted_score(&[(50, Some(1.0)), (50, None)]), 50.0);
    assert_eq!(ranks(&[80.0, 95.5, 80.0, 60.0]), vec![2, 1, 2, 4]);
    assert_eq!(ranks(&[]), Vec::<usize>::new());
    assert_eq!(ranks(&[1.0, 1.0, 1.0]), vec![1, 1, 1]);
}

mod actuals {
    use serde_json::{json, Map, Value};

    use super::super::actuals::*;
    use super::date;
    use crate::{domain::Collection, scope::OrgTree};

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn org() -> OrgTree {
        OrgTree::new([
            ("east".to_owned(), "hq".to_owned()),
            ("shanghai".to_owned(), "east".to_owned()),
        ])
    }

    #[test]
    fn a_sold_order_counts_for_its_owner_dealer_unit_and_the_units_above() {
        let order = map(
            json!({"status": "delivered", "ordered_on": "2026-11-30", "total": 120_000,
            "owner_id": "rep", "unit_id": "shanghai", "customer_id": "dealer"}),
        );
        let found = contributions(Collection::Order, &order, None);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].metric, Metric::SalesAmount);
        assert_eq!(found[0].amount, 120_000);
        assert_eq!(found[1].metric, Metric::OrderCount);
        let mut actuals = Actuals::default();
        for c in &found {
            actuals.add(c, &org(), |_| None, 1);
        }
        let nov = month_of(date("2026-11-01"));
        for (kind, id) in [
            (SubjectKind::User, "rep"),
            (SubjectKind::Dealer, "dealer"),
            (SubjectKind::Unit, "shanghai"),
            (SubjectKind::Unit, "east"),
            (SubjectKind::Unit, "hq"),
        ] {
            assert_eq!(
                actuals.sum(Metric::SalesAmount, kind, id, nov, nov + 1),
                120_000,
                "{id}"
            );
            assert_eq!(
                actuals.sum(Metric::OrderCount, kind, id, nov, nov + 1),
                1,
                "{id}"
            );
        }
        assert_eq!(
            actuals.sum(
                Metric::SalesAmount,
                SubjectKind::Unit,
                "east",
                nov + 1,
                nov + 2
            ),
            0
        );
        // Taken away again (the order was cancelled): back to nothing.
        for c in &found {
            actuals.add(c, &org(), |_| None, -1);
        }
        assert_eq!(
            actuals.sum(Metric::SalesAmount, SubjectKind::Unit, "hq", nov, nov + 1),
            0
        );
    }

    #[test]
    fn a_past_actual_counts_for_its_subject_and_the_units_above_it() {
        let rep = map(
            json!({"subject_kind": "user", "subject_id": "rep", "metric": "visits",
            "month": "2025-03-01", "value": 40, "unit_id": "shanghai"}),
        );
        let dealer = map(json!({"subject_kind": "dealer", "subject_id": "dealer",
            "metric": "sales_amount", "month": "2025-03-01", "value": 900_000,
            "unit_id": "east"}));
        let mut actuals = Actuals::default();
        for fields in [&rep, &dealer] {
            for c in contributions(Collection::PastActual, fields, None) {
                actuals.add(&c, &org(), |_| None, 1);
            }
        }
        let march = month_of(date("2025-03-01"));
        let sum = |metric, kind, id| actuals.sum(metric, kind, id, march, march + 1);
        assert_eq!(sum(Metric::Visits, SubjectKind::User, "rep"), 40);
        assert_eq!(sum(Metric::Visits, SubjectKind::Unit, "shanghai"), 40);
        assert_eq!(sum(Metric::Visits, SubjectKind::Unit, "hq"), 40);
        assert_eq!(
            sum(Metric::SalesAmount, SubjectKind::Dealer, "dealer"),
            900_000
        );
        assert_eq!(sum(Metric::SalesAmount, SubjectKind::Unit, "east"), 900_000);
        assert_eq!(sum(Metric::SalesAmount, SubjectKind::Unit, "shanghai"), 0);
        assert_eq!(sum(Metric::SalesAmount, SubjectKind::User, "rep"), 0);
        let unreadable = map(json!({"subject_kind": "unit", "metric": "visits", "value": 1}));
        assert!(contributions(Collection::PastActual, &unreadable, None).is_empty());
    }

    #[test]
    fn drafts_and_cancelled_orders_do_not_count_and_lines_stand_in_for_a_missing_total() {
        let draft = map(json!({"status": "draft", "ordered_on": "2026-11-30", "total": 1}));
        assert!(contributions(Collection::Order, &draft, None).is_empty());
        let lines = map(json!({"status": "confirmed", "ordered_on": "2026-11-30",
            "lines": [{"quantity": 3, "unit_price": 1_000, "discount_percent": 10}]}));
        assert_eq!(
            contributions(Collection::Order, &lines, None)[0].amount,
            2_700
        );
    }

    #[test]
    fn customers_visits_and_opportunities_count_in_their_own_month() {
        let customer = map(json!({"owner_id": "rep", "region_unit_id": "shanghai"}));
        let new = contributions(Collection::Customer, &customer, Some(date("2026-03-05")));
        assert_eq!(new[0].metric, Metric::NewCustomers);
        assert_eq!(new[0].month, month_of(date("2026-03-01")));
        // 23:30 UTC on 31 March is 1 April in China.
        let visit = map(json!({"owner_id": "rep", "visited_at": "2026-03-31T23:30:00Z"}));
        let visits = contributions(Collection::Visit, &visit, None);
        assert_eq!(visits[0].month, month_of(date("2026-04-01")));
        let mut actuals = Actuals::default();
        actuals.add(
            &visits[0],
            &org(),
            |user| (user == "rep").then(|| "shanghai".into()),
            1,
        );
        let april = month_of(date("2026-04-01"));
        assert_eq!(
            actuals.sum(Metric::Visits, SubjectKind::Unit, "east", april, april + 1),
            1
        );
        let deal = map(
            json!({"owner_id": "rep", "unit_id": "shanghai", "amount": 5_000_000,
            "stage_history": [{"stage": "aware", "entered_at": "2026-02-10T02:00:00Z"}]}),
        );
        let opened = contributions(Collection::Opportunity, &deal, None);
        assert_eq!(opened[0].metric, Metric::OpportunityAmount);
        assert_eq!(opened[0].month, month_of(date("2026-02-01")));
        assert_eq!(month_start(opened[0].month), Some(date("2026-02-01")));
        assert!(contributions(Collection::Contact, &customer, None).is_empty());
        for metric in Metric::ALL {
            assert_eq!(Metric::parse(metric.as_str()), Some(metric));
            assert!(
                crate::domain::Collection::Target
                    .field("metric")
                    .and_then(|f| f.choice_label(metric.as_str(), crate::locale::Locale::En))
                    .is_some(),
                "{metric:?} is one of the field's choices"
            );
        }
    }
}

#[test]
fn a_whole_tree_is_broken_down_so_every_parent_adds_up_and_every_year_is_its_months() {
    // 0 → 1, 2; 1 → 3, 4, 5; 2 → 6; node 7 is outside the root's tree.
    let children = vec![
        vec![1, 2],
        vec![3, 4, 5],
        vec![6],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    ];
    let weight = |node: usize| [0, 3, 1, 1, 1, 0, 5, 9][node];
    let season = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2];
    let out = decompose_tree(&children, 0, 1_000_003, weight, Some(&season)).unwrap();
    let value = |n: usize| out[n].unwrap().0;
    assert_eq!(value(0), 1_000_003);
    for (parent, kids) in children.iter().enumerate().take(3) {
        assert_eq!(kids.iter().map(|&k| value(k)).sum::<i64>(), value(parent));
    }
    // 3 : 1 is 750,002.25 and 250,000.75: the unit left goes to the larger remainder.
    assert_eq!((value(1), value(2)), (750_002, 250_001));
    // 1 : 1 : 0 of 750,002.
    assert_eq!((value(3), value(4), value(5)), (375_001, 375_001, 0));
    assert_eq!(value(6), 250_001);
    for share in out.iter().take(7) {
        let (year, months) = share.unwrap();
        assert_eq!(months.iter().sum::<i64>(), year);
    }
    assert!(out[7].is_none());
}

#[test]
fn a_record_is_made_on_the_business_day_its_id_says() {
    use crate::targets::actuals::made_on;
    // 0x0193b3c47a1e ms is 2024-12-11T03:30Z, 11:30 in China.
    assert_eq!(
        made_on("0193b3c4-7a1e-7000-8000-000000000001"),
        Some(date("2024-12-11"))
    );
    // 2024-12-01T20:00:00Z is already 2 December in China.
    let late = format!("{:012x}", 1_733_083_200_000_u64);
    let id = format!("{}-{}-7000-8000-000000000001", &late[..8], &late[8..]);
    assert_eq!(made_on(&id), Some(date("2024-12-02")));
    assert_eq!(
        made_on("0193b3c4-7a1e-4000-8000-000000000001"),
        None,
        "not a v7 id"
    );
    assert_eq!(made_on("seed-1"), None);
}

#[test]
fn a_ledger_takes_a_changed_or_deleted_record_out_and_puts_it_back() {
    use crate::domain::Collection;
    use crate::scope::OrgTree;
    use crate::targets::actuals::{Ledger, Metric, SubjectKind};
    let org = OrgTree::new([("area".to_owned(), "region".to_owned())]);
    let order = |total: i64, status: &str| {
        serde_json::json!({"owner_id": "rep", "unit_id": "area", "status": status,
            "ordered_on": "2027-03-15", "total": total})
        .as_object()
        .cloned()
        .unwrap()
    };
    let march = 2027 * 12 + 2;
    let sales = |ledger: &Ledger, kind, id: &str| {
        ledger
            .actuals()
            .sum(Metric::SalesAmount, kind, id, march, march + 1)
    };
    let mut ledger = Ledger::default();
    let no_unit = |_: &str| None;
    ledger.put(
        Collection::Order,
        "o1",
        Some(&order(500, "confirmed")),
        &org,
        no_unit,
    );
    ledger.put(
        Collection::Order,
        "o2",
        Some(&order(300, "delivered")),
        &org,
        no_unit,
    );
    assert_eq!(sales(&ledger, SubjectKind::Unit, "region"), 800);
    // Changed: the old amount leaves, the new one counts.
    ledger.put(
        Collection::Order,
        "o1",
        Some(&order(700, "confirmed")),
        &org,
        no_unit,
    );
    assert_eq!(sales(&ledger, SubjectKind::User, "rep"), 1_000);
    // Cancelled, then deleted: it no longer counts.
    ledger.put(
        Collection::Order,
        "o2",
        Some(&order(300, "cancelled")),
        &org,
        no_unit,
    );
    assert_eq!(sales(&ledger, SubjectKind::Unit, "area"), 700);
    ledger.put(Collection::Order, "o1", None, &org, no_unit);
    assert_eq!(sales(&ledger, SubjectKind::Unit, "region"), 0);
    assert_eq!(
        ledger.actuals().sum(
            Metric::OrderCount,
            SubjectKind::User,
            "rep",
            march,
            march + 1
        ),
        0
    );
}
