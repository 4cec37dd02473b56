//! Funnel analytics properties over random deals: rates stay rates, and every breakdown adds up.

use proptest::prelude::*;
use yingxiao_core::funnel::*;
use yingxiao_core::time::NaiveDate;

fn arb_deal() -> impl Strategy<Value = Deal> {
    (
        0usize..4,
        0usize..3,
        0i64..1_000_000_000,
        0i64..120 * DAY_MS,
        prop::collection::vec((0usize..6, 0i64..25 * DAY_MS), 1..7),
        prop::option::of((2025i32..2028, 1u32..=12)),
        prop::option::of(0usize..7),
    )
        .prop_map(|(owner, unit, amount, start, steps, close, reason)| {
            let mut at = start;
            let history = steps
                .into_iter()
                .map(|(stage, gap)| {
                    at += gap;
                    StageEntry {
                        stage: Stage::ALL[stage],
                        entered_at: at,
                    }
                })
                .collect();
            Deal {
                id: String::new(),
                owner_id: format!("owner-{owner}"),
                unit_id: format!("unit-{unit}"),
                customer_id: String::new(),
                amount,
                history,
                expected_close: close.and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1)),
                lost_reason: reason.map(|r| LostReason::ALL[r]),
                product_ids: Vec::new(),
            }
        })
}

fn arb_query() -> impl Strategy<Value = FunnelQuery> {
    (
        0i64..150 * DAY_MS,
        1i64..90 * DAY_MS,
        0i64..200 * DAY_MS,
        prop::array::uniform4(0u8..=100),
        prop::array::uniform4(prop::option::of(0u32..30)),
    )
        .prop_map(|(start, length, now, p, limits)| FunnelQuery {
            period: Period::new(start, start + length),
            now_ms: now,
            settings: FunnelSettings {
                probability_percent: PerStage {
                    aware: p[0],
                    compare: p[1],
                    negotiate: p[2],
                    commit: p[3],
                },
                stall_limit_days: PerStage {
                    aware: limits[0],
                    compare: limits[1],
                    negotiate: limits[2],
                    commit: limits[3],
                },
                ..FunnelSettings::default()
            },
        })
}

fn all(_: &Deal) -> bool {
    true
}

fn sum_tallies<'a>(tallies: impl Iterator<Item = &'a Tally>) -> Tally {
    tallies.fold(Tally::default(), |t, x| Tally {
        count: t.count + x.count,
        amount: t.amount + x.amount,
    })
}

/// The counts and amounts of a selection, flattened so that groups can be summed and compared.
fn additive(f: &FunnelFigures) -> Vec<i64> {
    let mut out = Vec::new();
    let mut tally = |t: Tally| out.extend([i64::from(t.count), t.amount]);
    f.snapshot.open.iter().for_each(|t| tally(*t));
    tally(f.snapshot.won);
    tally(f.snapshot.lost);
    for c in &f.conversion {
        out.extend(
            [
                c.step.part,
                c.step.whole,
                c.from_first.part,
                c.from_first.whole,
            ]
            .map(i64::from),
        );
    }
    out.extend(f.dwell.iter().map(|d| i64::from(d.stays)));
    out.push(i64::from(f.cycle.won));
    out.push(f.stalled.len() as i64);
    out.extend([f.forecast.weighted, f.forecast.amount]);
    out.extend([f.win_loss.win_rate.part, f.win_loss.win_rate.whole].map(i64::from));
    out
}

fn assert_groups_add_up(whole: &FunnelFigures, groups: &[GroupFigures]) {
    let mut sum = vec![0; additive(whole).len()];
    for g in groups {
        for (s, x) in sum.iter_mut().zip(additive(&g.figures)) {
            *s += x;
        }
    }
    assert_eq!(sum, additive(whole));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn conversion_never_exceeds_one_hundred_percent(
        deals in prop::collection::vec(arb_deal(), 0..60),
        query in arb_query(),
    ) {
        let conversion = conversion(&deals, all, &query);
        for c in &conversion {
            prop_assert!(c.step.part <= c.step.whole);
            prop_assert!(c.from_first.part <= c.from_first.whole);
            prop_assert!(c.step.rate().is_none_or(|r| (0.0..=1.0).contains(&r)));
        }
        // Reaching a later stage means having reached every one before it.
        for pair in conversion.windows(2) {
            prop_assert!(pair[1].from_first.part <= pair[0].from_first.part);
        }
        let win_rate = win_loss(&deals, all, &query).win_rate;
        prop_assert!(win_rate.part <= win_rate.whole);
    }

    #[test]
    fn counts_per_stage_add_up_to_the_total(
        deals in prop::collection::vec(arb_deal(), 0..60),
        query in arb_query(),
    ) {
        let snapshot = snapshot(&deals, all, &query);
        // Counted independently: the state at the cut, and whether a closed deal closed in the period.
        let cut = query.period.cut(query.now_ms);
        let mut expected = Tally::default();
        for deal in &deals {
            let Some(at) = deal.history.iter().rev().find(|e| e.entered_at < cut) else {
                continue;
            };
            if at.stage.open_index().is_some() || at.entered_at >= query.period.start_ms {
                expected.count += 1;
                expected.amount += deal.amount;
            }
        }
        prop_assert_eq!(snapshot.total(), expected);
        let stages = sum_tallies(Stage::ALL.iter().map(|&s| snapshot.stage(s)).collect::<Vec<_>>().iter());
        prop_assert_eq!(stages, expected);
    }

    #[test]
    fn dwell_and_cycle_are_never_negative(
        deals in prop::collection::vec(arb_deal(), 0..60),
        query in arb_query(),
    ) {
        let figures = figures(&deals, all, &query);
        for d in &figures.dwell {
            prop_assert!(d.median_days.is_none_or(|m| m >= 0.0));
            prop_assert!(d.p90_days.is_none_or(|p| p >= 0.0));
            if let (Some(m), Some(p)) = (d.median_days, d.p90_days) {
                prop_assert!(m <= p);
            }
        }
        prop_assert!(figures.cycle.median_days.is_none_or(|m| m >= 0.0));
        for s in &figures.stalled {
            prop_assert!(s.dwell_days > s.limit_days && s.limit_days >= 0.0);
        }
    }

    #[test]
    fn forecast_months_sum_to_the_weighted_total(
        deals in prop::collection::vec(arb_deal(), 0..60),
        query in arb_query(),
    ) {
        let figures = figures(&deals, all, &query);
        let forecast = &figures.forecast;
        let months: i64 = forecast.months.iter().map(|m| m.weighted).sum::<i64>() + forecast.undated.weighted;
        prop_assert_eq!(months, forecast.weighted);
        let count: u32 = forecast.months.iter().map(|m| m.count).sum::<u32>() + forecast.undated.count;
        let pipeline = figures.snapshot.pipeline();
        prop_assert_eq!(count, pipeline.count);
        prop_assert_eq!(forecast.amount, pipeline.amount);
        prop_assert!(forecast.weighted <= forecast.amount);
        prop_assert!(forecast.months.windows(2).all(|w| (w[0].year, w[0].month) < (w[1].year, w[1].month)));
    }

    #[test]
    fn per_owner_and_per_unit_figures_add_up_to_the_teams(
        deals in prop::collection::vec(arb_deal(), 0..60),
        query in arb_query(),
    ) {
        let report = report(&deals, all, &query);
        assert_groups_add_up(&report.current, &report.by_owner);
        assert_groups_add_up(&report.current, &report.by_unit);
    }

    #[test]
    fn each_measure_alone_agrees_with_the_whole_set(
        deals in prop::collection::vec(arb_deal(), 0..60),
        query in arb_query(),
    ) {
        let whole = figures(&deals, all, &query);
        prop_assert_eq!(snapshot(&deals, all, &query), whole.snapshot);
        prop_assert_eq!(conversion(&deals, all, &query), whole.conversion);
        prop_assert_eq!(dwell(&deals, all, &query), whole.dwell);
        prop_assert_eq!(sales_cycle(&deals, all, &query), whole.cycle);
        prop_assert_eq!(stalled(&deals, all, &query), whole.stalled.clone());
        prop_assert_eq!(forecast(&deals, all, &query), whole.forecast.clone());
        prop_assert_eq!(win_loss(&deals, all, &query), whole.win_loss.clone());
        let previous = FunnelQuery { period: query.period.previous(), ..query };
        let report = report(&deals, all, &query);
        prop_assert_eq!(report.previous, figures(&deals, all, &previous));
        // The report makes the whole from its owners' sums; it must be what one pass adds up.
        prop_assert_eq!(report.current, whole);
    }

    #[test]
    fn a_pass_summed_for_a_selection_is_the_report_of_that_selection(
        deals in prop::collection::vec(arb_deal(), 0..60),
        query in arb_query(),
        owner in 0usize..5,
        unit in 0usize..4,
    ) {
        // What a page does: read the histories once, then sum them after each filter change.
        let table = DealTable::new(deals.clone());
        let pass = table.pass(&query);
        let owner = format!("owner-{owner}");
        let unit = format!("unit-{unit}");
        let selections: [&dyn Fn(&Deal) -> bool; 4] = [
            &all,
            &|d: &Deal| d.owner_id == owner,
            &|d: &Deal| d.unit_id == unit,
            &|d: &Deal| d.amount % 2 == 0,
        ];
        for keep in selections {
            prop_assert_eq!(table.report_of(&pass, keep), report(&deals, keep, &query));
        }
    }
}

#[test]
fn a_pass_serves_its_period_and_settings_for_a_while() {
    let query = FunnelQuery {
        period: Period::new(0, 30 * DAY_MS),
        now_ms: 10 * DAY_MS,
        settings: FunnelSettings::default(),
    };
    let pass = DealTable::new(Vec::new()).pass(&query);
    assert_eq!(pass.query(), &query);
    let at = |now_ms: i64| FunnelQuery { now_ms, ..query };
    assert!(pass.serves(&query));
    assert!(pass.serves(&at(query.now_ms + PASS_STANDS_MS - 1)));
    assert!(!pass.serves(&at(query.now_ms + PASS_STANDS_MS)));
    // A clock set back is a new instant, not an older one to reuse.
    assert!(!pass.serves(&at(query.now_ms - 1)));
    assert!(!pass.serves(&FunnelQuery {
        period: query.period.previous(),
        ..query
    }));
    let mut settings = query.settings;
    settings.probability_percent.aware += 1;
    assert!(!pass.serves(&FunnelQuery { settings, ..query }));
}
