//! Funnel analytics against small sets of deals whose answers were worked out by hand.
//!
//! The main fixture: days count from 2026-01-01 00:00 UTC; the period is days [10, 40) and now is
//! day 30, so the cut is day 30. Deals (owner, unit, amount in 分, history by day):
//!
//! | deal | owner | unit | amount  | history                            | note                          |
//! |------|-------|------|---------|------------------------------------|-------------------------------|
//! | a    | o1    | u1   | 100 000 | aware 12, compare 15, negotiate 20 | open, closes 2026-03-15       |
//! | b    | o1    | u1   | 200 000 | aware 5, compare 8, won 25         | skips 谈判 and 确定           |
//! | c    | o2    | u2   | 300 000 | aware 11, lost 18                  | lost on price                 |
//! | d    | o2    | u1   | 400 000 | aware 2, commit 14                 | skips 比较 and 谈判, no date  |
//! | e    | o1    | u2   | 500 000 | aware 28                           | open, closes 2026-02-10       |
//! | f    | o2    | u2   | 600 000 | aware 1, compare 3, lost 9         | lost before the period        |
//! | g    | o1    | u1   | 700 000 | aware 32                           | after the cut                 |

use serde_json::{json, Map, Value};
use yingxiao_core::domain::Collection;
use yingxiao_core::funnel::*;
use yingxiao_core::time::{format_instant, NaiveDate};

const BASE: i64 = 20_454 * DAY_MS; // 2026-01-01

fn day(n: i64) -> i64 {
    BASE + n * DAY_MS
}

fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

fn deal(id: &str, owner: &str, unit: &str, amount: i64, history: &[(Stage, i64)]) -> Deal {
    Deal {
        id: id.into(),
        owner_id: owner.into(),
        unit_id: unit.into(),
        customer_id: format!("customer-{id}"),
        amount,
        history: history
            .iter()
            .map(|&(stage, n)| StageEntry {
                stage,
                entered_at: day(n),
            })
            .collect(),
        expected_close: None,
        lost_reason: None,
        product_ids: Vec::new(),
    }
}

fn fixture() -> Vec<Deal> {
    use Stage::*;
    let mut a = deal(
        "a",
        "o1",
        "u1",
        100_000,
        &[(Aware, 12), (Compare, 15), (Negotiate, 20)],
    );
    a.expected_close = date(2026, 3, 15);
    let b = deal(
        "b",
        "o1",
        "u1",
        200_000,
        &[(Aware, 5), (Compare, 8), (Won, 25)],
    );
    let mut c = deal("c", "o2", "u2", 300_000, &[(Aware, 11), (Lost, 18)]);
    c.lost_reason = Some(LostReason::Price);
    let d = deal("d", "o2", "u1", 400_000, &[(Aware, 2), (Commit, 14)]);
    let mut e = deal("e", "o1", "u2", 500_000, &[(Aware, 28)]);
    e.expected_close = date(2026, 2, 10);
    let mut f = deal(
        "f",
        "o2",
        "u2",
        600_000,
        &[(Aware, 1), (Compare, 3), (Lost, 9)],
    );
    f.lost_reason = Some(LostReason::Competitor);
    let g = deal("g", "o1", "u1", 700_000, &[(Aware, 32)]);
    vec![a, b, c, d, e, f, g]
}

fn settings() -> FunnelSettings {
    FunnelSettings {
        stall_limit_days: PerStage {
            aware: Some(1),
            compare: None,
            negotiate: Some(7),
            commit: None,
        },
        ..FunnelSettings::default()
    }
}

fn query() -> FunnelQuery {
    FunnelQuery {
        period: Period::new(day(10), day(40)),
        now_ms: day(30),
        settings: settings(),
    }
}

fn all(_: &Deal) -> bool {
    true
}

fn tally(count: u32, amount: i64) -> Tally {
    Tally { count, amount }
}

fn ratio(part: u32, whole: u32) -> Ratio {
    Ratio { part, whole }
}

fn assert_days(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a figure");
    assert!((actual - expected).abs() < 1e-9, "{actual} ≠ {expected}");
}

#[test]
fn the_snapshot_is_the_pipeline_at_the_cut_plus_deals_closed_within_the_period() {
    let snapshot = snapshot(&fixture(), all, &query());
    assert_eq!(
        snapshot.open,
        [
            tally(1, 500_000), // e
            tally(0, 0),
            tally(1, 100_000), // a
            tally(1, 400_000), // d
        ]
    );
    assert_eq!(snapshot.won, tally(1, 200_000)); // b; f was lost before the period
    assert_eq!(snapshot.lost, tally(1, 300_000)); // c
    assert_eq!(snapshot.stage(Stage::Negotiate), tally(1, 100_000));
    assert_eq!(snapshot.pipeline(), tally(3, 1_000_000));
    assert_eq!(snapshot.total(), tally(5, 1_500_000)); // g has not entered by the cut
}

#[test]
fn a_past_period_is_seen_as_it_stood_at_its_end() {
    let previous = FunnelQuery {
        period: query().period.previous(),
        ..query()
    };
    assert_eq!(previous.period, Period::new(day(-20), day(10)));
    let snapshot = snapshot(&fixture(), all, &previous);
    assert_eq!(snapshot.open[0], tally(1, 400_000)); // d, still in 了解 on day 10
    assert_eq!(snapshot.open[1], tally(1, 200_000)); // b, in 比较 until day 25
    assert_eq!(snapshot.won, tally(0, 0));
    assert_eq!(snapshot.lost, tally(1, 600_000)); // f
}

#[test]
fn step_conversion_follows_the_deals_that_reached_a_stage_within_the_period() {
    let conversion = conversion(&fixture(), all, &query());
    let steps: Vec<_> = conversion.iter().map(|c| (c.from, c.to, c.step)).collect();
    assert_eq!(
        steps,
        [
            // a, c, e entered 了解 in the period; only a went on.
            (Stage::Aware, Stage::Compare, ratio(1, 3)),
            // a and d (skipping 比较 on day 14) reached 比较; both went on.
            (Stage::Compare, Stage::Negotiate, ratio(2, 2)),
            // a, b (skipping on day 25) and d reached 谈判; b and d went on.
            (Stage::Negotiate, Stage::Commit, ratio(2, 3)),
            // b and d reached 确定; b was won.
            (Stage::Commit, Stage::Won, ratio(1, 2)),
        ]
    );
}

#[test]
fn a_deal_that_skips_a_stage_still_counts_as_passing_it() {
    let skipper = [deal(
        "d",
        "o",
        "u",
        1,
        &[(Stage::Aware, 12), (Stage::Commit, 14)],
    )];
    let conversion = conversion(&skipper, all, &query());
    for c in conversion.iter().take(3) {
        assert_eq!(c.step, ratio(1, 1), "{:?} → {:?}", c.from, c.to);
    }
    assert_eq!(conversion[3].step, ratio(0, 1));
}

#[test]
fn conversion_from_the_first_stage_follows_the_deals_that_entered_the_funnel_within_the_period() {
    let conversion = conversion(&fixture(), all, &query());
    let from_first: Vec<_> = conversion.iter().map(|c| c.from_first).collect();
    // a, c, e entered; a reached 比较 and 谈判.
    assert_eq!(
        from_first,
        [ratio(1, 3), ratio(1, 3), ratio(0, 3), ratio(0, 3)]
    );
}

#[test]
fn a_cohort_keeps_converting_after_its_period_has_ended() {
    let previous = FunnelQuery {
        period: query().period.previous(),
        ..query()
    };
    let conversion = conversion(&fixture(), all, &previous);
    // b, d, f entered in the previous period; d reached 比较 (by skipping) only on day 14.
    assert_eq!(conversion[0].step, ratio(3, 3));
    // b (day 8) and f (day 3) reached 比较 then; b went on to win on day 25.
    assert_eq!(conversion[1].step, ratio(1, 2));
    assert_eq!(conversion[3].from_first, ratio(1, 3));
}

#[test]
fn win_rate_counts_deals_won_or_lost_within_the_period() {
    let win_loss = win_loss(&fixture(), all, &query());
    assert_eq!(win_loss.win_rate, ratio(1, 2));
    assert_eq!(win_loss.win_rate.rate(), Some(0.5));
    assert_eq!(win_loss.won, tally(1, 200_000));
    assert_eq!(win_loss.lost, tally(1, 300_000));
    assert_days(win_loss.amount_win_rate(), 0.4);
}

#[test]
fn losses_are_counted_by_reason() {
    let mut deals = fixture();
    let mut late = deal(
        "h",
        "o3",
        "u3",
        50_000,
        &[(Stage::Aware, 12), (Stage::Lost, 20)],
    );
    late.lost_reason = Some(LostReason::Competitor);
    deals.push(late);
    deals.push(deal(
        "i",
        "o3",
        "u3",
        7,
        &[(Stage::Aware, 12), (Stage::Lost, 21)],
    ));
    let mut again = deal(
        "j",
        "o3",
        "u3",
        1_000,
        &[(Stage::Aware, 12), (Stage::Lost, 22)],
    );
    again.lost_reason = Some(LostReason::Price);
    deals.push(again);
    let reasons = win_loss(&deals, all, &query()).by_reason;
    assert_eq!(
        reasons,
        [
            ReasonTally {
                reason: Some(LostReason::Price),
                count: 2,
                amount: 301_000
            },
            ReasonTally {
                reason: Some(LostReason::Competitor),
                count: 1,
                amount: 50_000
            },
            ReasonTally {
                reason: None,
                count: 1,
                amount: 7
            },
        ]
    );
}

#[test]
fn dwell_counts_stays_that_ended_in_the_period_and_open_stays_up_to_the_cut() {
    let dwell = dwell(&fixture(), all, &query());
    // 了解: a 3 (12→15), c 7 (11→18), d 12 (2→14), e 2 (28→cut); b and f left before day 10.
    assert_eq!(dwell[0].stage, Stage::Aware);
    assert_eq!(dwell[0].stays, 4);
    assert_days(dwell[0].median_days, 5.0);
    assert_days(dwell[0].p90_days, 10.5); // 7 + 0.7 × (12 − 7)
                                          // 比较: a 5 (15→20), b 17 (8→25).
    assert_eq!(dwell[1].stays, 2);
    assert_days(dwell[1].median_days, 11.0);
    assert_days(dwell[1].p90_days, 15.8);
    // 谈判: a, still there, 10 days at the cut.
    assert_days(dwell[2].median_days, 10.0);
    assert_days(dwell[2].p90_days, 10.0);
    // 确定: d, still there, 16 days at the cut.
    assert_days(dwell[3].median_days, 16.0);
}

#[test]
fn a_stage_nobody_stayed_in_has_no_dwell() {
    let dwell = dwell(&[], all, &query());
    assert_eq!(dwell[1].stays, 0);
    assert_eq!(dwell[1].median_days, None);
    assert_eq!(dwell[1].p90_days, None);
}

#[test]
fn a_deal_that_comes_back_to_a_stage_has_one_stay_per_visit() {
    use Stage::*;
    let back = [deal(
        "x",
        "o",
        "u",
        1,
        &[(Aware, 10), (Compare, 12), (Aware, 13), (Compare, 17)],
    )];
    let dwell = dwell(&back, all, &query());
    assert_eq!(dwell[0].stays, 2); // 2 and 4 days
    assert_days(dwell[0].median_days, 3.0);
    assert_eq!(dwell[1].stays, 2); // 1 day, then 13 days up to the cut
    assert_days(dwell[1].p90_days, 11.8);
    // It reached 比较 once, on day 12.
    assert_eq!(conversion(&back, all, &query())[0].step, ratio(1, 1));
}

#[test]
fn the_sales_cycle_runs_from_entering_the_funnel_to_winning() {
    let mut deals = fixture();
    deals.push(deal(
        "k",
        "o1",
        "u1",
        9,
        &[(Stage::Aware, 0), (Stage::Won, 12)],
    ));
    deals.push(deal(
        "l",
        "o1",
        "u1",
        9,
        &[(Stage::Aware, 15), (Stage::Won, 16)],
    ));
    let cycle = sales_cycle(&deals, all, &query());
    // b 20 days (5 → 25), k 12 days, l 1 day.
    assert_eq!(cycle.won, 3);
    assert_days(cycle.median_days, 12.0);
    assert_days(cycle.p90_days, 18.4); // 12 + 0.8 × 8
}

#[test]
fn a_deal_stalls_beyond_the_company_limit_for_its_stage() {
    let stalled = stalled(&fixture(), all, &query());
    let seen: Vec<_> = stalled
        .iter()
        .map(|s| (s.deal, s.stage, s.dwell_days, s.limit_days, s.limit))
        .collect();
    assert_eq!(
        seen,
        [
            // a: 10 days in 谈判 against 7: three days over, listed first.
            (0, Stage::Negotiate, 10.0, 7.0, StallLimit::Company),
            // e: 2 days in 了解 against 1.
            (4, Stage::Aware, 2.0, 1.0, StallLimit::Company),
        ]
    );
    // d: 16 days in 确定 is that stage's own 90th percentile, not beyond it.
}

#[test]
fn without_a_company_limit_a_deal_stalls_beyond_the_stages_90th_percentile() {
    // Ten deals in 比较 since 1 … 10 days before the cut: the 90th percentile is 9.1 days.
    let deals: Vec<Deal> = (1..=10)
        .map(|n| {
            deal(
                &format!("x{n}"),
                "o",
                "u",
                n,
                &[(Stage::Aware, 12), (Stage::Compare, 30 - n)],
            )
        })
        .collect();
    let stalled = stalled(&deals, all, &query());
    assert_eq!(stalled.len(), 1);
    assert_eq!(stalled[0].deal, 9);
    assert_eq!(stalled[0].limit, StallLimit::Percentile90);
    assert!((stalled[0].limit_days - 9.1).abs() < 1e-9);
}

#[test]
fn the_weighted_forecast_sums_open_deals_by_expected_close_month() {
    let forecast = forecast(&fixture(), all, &query());
    assert_eq!(
        forecast.months,
        [
            ForecastMonth {
                year: 2026,
                month: 2,
                count: 1,
                amount: 500_000,
                weighted: 50_000 // e: 10% in 了解
            },
            ForecastMonth {
                year: 2026,
                month: 3,
                count: 1,
                amount: 100_000,
                weighted: 50_000 // a: 50% in 谈判
            },
        ]
    );
    assert_eq!(
        forecast.undated,
        ForecastMonth {
            year: 0,
            month: 0,
            count: 1,
            amount: 400_000,
            weighted: 320_000 // d: 80% in 确定
        }
    );
    assert_eq!(forecast.weighted, 420_000);
    assert_eq!(forecast.amount, 1_000_000);
}

#[test]
fn weighted_amounts_round_half_up_to_the_fen_per_deal() {
    let mut deals = vec![
        deal("x", "o", "u", 333, &[(Stage::Compare, 12)]), // 83.25
        deal("y", "o", "u", 2, &[(Stage::Compare, 12)]),   // 0.5
    ];
    for d in &mut deals {
        d.expected_close = date(2025, 12, 31);
    }
    let forecast = forecast(&deals, all, &query());
    assert_eq!(forecast.months.len(), 1);
    assert_eq!(
        (forecast.months[0].year, forecast.months[0].month),
        (2025, 12)
    );
    assert_eq!(forecast.weighted, 84);
}

#[test]
fn the_company_sets_the_probabilities_of_the_forecast() {
    let mut settings = settings();
    settings.probability_percent.negotiate = 100;
    settings.probability_percent.commit = 0;
    let query = FunnelQuery {
        settings,
        ..query()
    };
    let forecast = forecast(&fixture(), all, &query);
    assert_eq!(forecast.weighted, 50_000 + 100_000);
}

#[test]
fn owners_and_units_get_the_same_figures_ranked_by_won_amount() {
    let owners = by_owner(&fixture(), all, &query());
    let keys: Vec<_> = owners.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["o1", "o2"]);
    let o1 = &owners[0].figures;
    assert_eq!(o1.snapshot.won, tally(1, 200_000));
    assert_eq!(o1.snapshot.pipeline(), tally(2, 600_000)); // a, e
    assert_eq!(o1.stalled.len(), 2); // a and e, by the company's limits
    assert_eq!(o1.forecast.weighted, 100_000);
    let o2 = &owners[1].figures;
    assert_eq!(o2.snapshot.pipeline(), tally(1, 400_000)); // d
    assert_eq!(o2.win_loss.win_rate, ratio(0, 1)); // c
    assert_eq!(o2.conversion[0].step, ratio(0, 1)); // c entered and was lost

    let units = by_unit(&fixture(), all, &query());
    let keys: Vec<_> = units.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["u1", "u2"]);
    assert_eq!(units[0].figures.snapshot.total(), tally(3, 700_000)); // a, b, d
    assert_eq!(units[1].figures.dwell[0].stays, 2); // c, e
}

#[test]
fn the_report_compares_with_the_previous_period_of_the_same_length() {
    let report = report(&fixture(), all, &query());
    assert_eq!(report.current, figures(&fixture(), all, &query()));
    assert_eq!(report.previous.period, Period::new(day(-20), day(10)));
    assert_eq!(report.previous.cut_ms, day(10));
    let PeriodComparison { current, previous } = report.comparison;
    assert_eq!(current.pipeline, tally(3, 1_000_000));
    assert_eq!(previous.pipeline, tally(2, 600_000));
    assert_eq!(current.won, tally(1, 200_000));
    assert_eq!(previous.lost, tally(1, 600_000));
    assert_eq!(previous.win_rate, ratio(0, 1));
    assert_eq!(current.stalled, 2);
    assert_eq!(
        PeriodComparison::change(1_000_000, 600_000),
        Some(2.0 / 3.0)
    );
    assert_eq!(PeriodComparison::change(5, 0), None);
    assert_eq!(report.by_owner.len(), 2);
    assert_eq!(report.by_unit.len(), 2);
}

#[test]
fn the_selection_closure_chooses_the_deals() {
    let only_o2 = |d: &Deal| d.owner_id == "o2";
    let figures = figures(&fixture(), only_o2, &query());
    assert_eq!(figures.snapshot.total(), tally(2, 700_000)); // c, d
                                                             // Stalled deals still point into the whole slice.
    let stalled = stalled(&fixture(), |d: &Deal| d.id == "e", &query());
    assert_eq!(stalled[0].deal, 4);
}

fn record(stage: &str) -> Map<String, Value> {
    json!({
        "customer_id": "0193b3c4-7a1e-7000-8000-000000000001",
        "owner_id": "0193b3c4-7a1e-7000-8000-000000000002",
        "unit_id": "0193b3c4-7a1e-7000-8000-000000000003",
        "name": "华南区 200 家门店冷柜更新",
        "amount": 36_000_000,
        "stage": stage,
        "stage_history": [
            {"stage": stage, "entered_at": "2026-11-27T08:30:00.123Z"},
            {"stage": "aware", "entered_at": "2026-09-01T01:00:00Z"},
        ],
        "expected_close": "2026-12-20",
        "product_lines": [
            {"product_id": "0193b3c4-7a1e-7000-8000-0000000000aa", "quantity": 200},
            {"product_id": "0193b3c4-7a1e-7000-8000-0000000000bb", "quantity": 1}
        ],
    })
    .as_object()
    .unwrap()
    .clone()
}

#[test]
fn a_record_reads_as_a_deal_with_its_history_in_time_order() {
    let deal = Deal::from_fields("deal-1", &record("negotiate")).unwrap();
    assert_eq!(deal.id, "deal-1");
    assert_eq!(deal.owner_id, "0193b3c4-7a1e-7000-8000-000000000002");
    assert_eq!(deal.unit_id, "0193b3c4-7a1e-7000-8000-000000000003");
    assert_eq!(deal.customer_id, "0193b3c4-7a1e-7000-8000-000000000001");
    assert_eq!(deal.amount, 36_000_000);
    assert_eq!(deal.stage(), Some(Stage::Negotiate));
    let times: Vec<_> = deal
        .history
        .iter()
        .map(|e| (e.stage, format_instant(e.entered_at as u64)))
        .collect();
    assert_eq!(
        times,
        [
            (Stage::Aware, "2026-09-01T01:00:00.000Z".to_owned()),
            (Stage::Negotiate, "2026-11-27T08:30:00.123Z".to_owned()),
        ]
    );
    assert_eq!(
        deal.created_at(),
        date(2026, 9, 1)
            .and_then(|day| day.and_hms_opt(1, 0, 0))
            .map(|at| at.and_utc().timestamp_millis())
    );
    assert_eq!(deal.expected_close, date(2026, 12, 20));
    assert_eq!(deal.lost_reason, None);
    assert_eq!(deal.product_ids.len(), 2);
}

#[test]
fn a_closed_record_without_its_closing_entry_gets_it_at_the_closing_time() {
    let mut lost = record("negotiate");
    lost.insert("stage".into(), json!("lost"));
    lost.insert("lost_reason".into(), json!("no_budget"));
    lost.insert("closed_at".into(), json!("2026-12-01T00:00:00Z"));
    let deal = Deal::from_fields("deal-2", &lost).unwrap();
    assert_eq!(deal.stage(), Some(Stage::Lost));
    assert_eq!(deal.history.len(), 3);
    assert_eq!(
        format_instant(deal.history[2].entered_at as u64),
        "2026-12-01T00:00:00.000Z"
    );
    assert_eq!(deal.lost_reason, Some(LostReason::NoBudget));

    let mut won = record("commit");
    won.insert("stage".into(), json!("won"));
    assert_eq!(
        Deal::from_fields("deal-3", &won),
        Err(DealError::HistoryBehindStage)
    );
    won.insert("won_at".into(), json!("2026-12-02T00:00:00Z"));
    assert_eq!(
        Deal::from_fields("deal-3", &won).unwrap().stage(),
        Some(Stage::Won)
    );
}

#[test]
fn a_record_without_a_readable_stage_or_history_is_refused() {
    let mut no_stage = record("compare");
    no_stage.remove("stage");
    assert_eq!(Deal::from_fields("x", &no_stage), Err(DealError::Stage));
    let mut bad_time = record("compare");
    bad_time["stage_history"][0]["entered_at"] = json!("2026-09-01 09:00");
    assert_eq!(
        Deal::from_fields("x", &bad_time),
        Err(DealError::StageHistory)
    );
    let mut none = record("compare");
    none.remove("stage_history");
    assert_eq!(Deal::from_fields("x", &none), Err(DealError::StageHistory));
}

#[test]
fn stages_and_lost_reasons_match_the_opportunity_table() {
    let values = |field: &str| -> Vec<&str> {
        Collection::Opportunity
            .field(field)
            .and_then(|f| f.choices())
            .unwrap()
            .iter()
            .map(|c| c.value)
            .collect()
    };
    let stages: Vec<_> = Stage::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(values("stage"), stages);
    let reasons: Vec<_> = LostReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(values("lost_reason"), reasons);
}

#[test]
fn settings_read_by_stage_name_and_default_what_is_missing() {
    let settings: FunnelSettings =
        serde_json::from_value(json!({"stall_limit_days": {"aware": null, "compare": 14,
            "negotiate": null, "commit": 5}}))
        .unwrap();
    assert_eq!(settings.probability_percent.get(Stage::Commit), Some(80));
    assert_eq!(
        settings.stall_limit_days.get(Stage::Compare),
        Some(Some(14))
    );
    assert_eq!(settings.stall_limit_days.get(Stage::Won), None);
    let round_trip: FunnelSettings =
        serde_json::from_str(&serde_json::to_string(&settings).unwrap()).unwrap();
    assert_eq!(round_trip, settings);
}
