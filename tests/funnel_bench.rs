//! Funnel figures in headless Chromium (issue 5, "Figures"): the funnel analytics over 100,000 generated
//! deals in wasm, beside the same plain passes as the native bench, and with 100,000 opportunities in a
//! device store the time from a filter change to the funnel and the board being ready to draw, beside
//! the one-frame goal (16 ms). Not part of `cargo test` (`test = false` in Cargo.toml);
//! `scripts/bench.sh` runs it. Prints figures, asserts nothing about time.
//!
//! The filter-change figure runs the in-memory steps the pages run, through their own functions: the
//! funnel page's selection, `DealTable::report_of` over the pass the page keeps, `chart_data` and
//! core's layout (as `FunnelChart` asks it, for the main funnel and the team members' funnels), and
//! the board's `columns`. The DOM update that follows is not measured here: the chart component is
//! private to the app crate.
#![cfg(target_arch = "wasm32")]

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use yingxiao::{
    components::charts::funnel::chart_data,
    data::{
        deals::{deal_list, read_deals},
        store::Store,
    },
    i18n::{I18n, Key},
    pages::{
        board::{columns, BoardFacts},
        funnel::Selection,
    },
};
use yingxiao_core::{
    domain::Collection,
    funnel::*,
    locale::Locale,
    money::Rates,
    sync::{client::settle_page, protocol::PullResponse},
    time::format_instant,
};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/clock.rs"]
mod clock;
use clock::clock;

#[path = "../core/benches/support/synthetic_deals.rs"]
mod synthetic_deals;
use synthetic_deals::{generate, DEALS, NOW, OWNERS, UNITS};

const RUNS: usize = 11;
const PAGE: usize = 2_000;
const GOAL_MS: f64 = 16.0;
/// Team members' funnels the page draws side by side (its `TEAM_FUNNELS`).
const TEAM_FUNNELS: usize = 12;

/// The layout `FunnelChart` asks of core for the page's chart data (sized by count, drawn 640 px wide
/// before the container is measured; the team's funnels are compact). A macro because the chart data's
/// type is private to the app crate.
macro_rules! lay_out {
    ($chart:expr, $compact:expr) => {{
        let chart = &$chart;
        let bands: Vec<BandInput> = chart
            .bands
            .iter()
            .map(|b| BandInput {
                value: b.count,
                lines: b.lines.clone(),
            })
            .collect();
        let (per_band, font_px) = if $compact { (52.0, 12.0) } else { (86.0, 14.0) };
        let spec = LayoutSpec {
            width: 640.0,
            height: per_band * bands.len() as f64,
            font_px,
        };
        layout_funnel(&bands, &chart.steps, &spec)
    }};
}

/// The median of `RUNS` timed runs, in milliseconds.
fn time<T>(now: &impl Fn() -> f64, mut f: impl FnMut() -> T) -> f64 {
    let mut runs: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = now();
            std::hint::black_box(f());
            now() - start
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[RUNS / 2]
}

fn line(name: &str, ms: f64) {
    console_log!("{name:<62} {ms:>8.3} ms");
}

fn query() -> FunnelQuery {
    FunnelQuery {
        period: Period::new(NOW - 91 * DAY_MS, NOW),
        now_ms: NOW,
        settings: FunnelSettings::default(),
    }
}

#[wasm_bindgen_test]
fn analytics_figures() {
    let now = clock();
    let deals = generate();
    let deals = deals.as_slice();
    let q = &query();
    let all = |_: &Deal| true;
    console_log!(
        "funnel analytics in wasm over {DEALS} deals ({OWNERS} owners, {UNITS} units), median of {RUNS} runs"
    );
    line(
        "reference: one pass summing the amounts",
        time(&now, || deals.iter().map(|d| d.amount).sum::<i64>()),
    );
    line(
        "reference: one pass summing amounts and history times",
        time(&now, || {
            deals
                .iter()
                .map(|d| d.amount + d.history.iter().map(|e| e.entered_at).sum::<i64>())
                .sum::<i64>()
        }),
    );
    let started = now();
    let table = DealTable::new(deals.to_vec());
    line(
        "lay the deals out in columns (once per change; with the copy)",
        now() - started,
    );
    let t = &table;
    line(
        "snapshot (count and amount per stage)",
        time(&now, || t.snapshot(all, q)),
    );
    line(
        "win rate and lost reasons",
        time(&now, || t.win_loss(all, q)),
    );
    line(
        "conversion (step and from the first stage)",
        time(&now, || t.conversion(all, q)),
    );
    line(
        "dwell (median and p90 per stage)",
        time(&now, || t.dwell(all, q)),
    );
    line(
        "sales cycle (median and p90)",
        time(&now, || t.sales_cycle(all, q)),
    );
    line(
        "stalled deals (with the p90 it needs)",
        time(&now, || t.stalled(all, q)),
    );
    line(
        "weighted forecast by month",
        time(&now, || t.forecast(all, q)),
    );
    line(
        "every figure, whole selection",
        time(&now, || t.figures(all, q)),
    );
    line("every figure per owner", time(&now, || t.by_owner(all, q)));
    line("every figure per unit", time(&now, || t.by_unit(all, q)));
    line(
        "whole report (figures, previous period, owners, units)",
        time(&now, || t.report(all, q)),
    );
    line(
        "  its first half: read the histories (a pass; per change of deals or period)",
        time(&now, || t.pass(q)),
    );
    let pass = t.pass(q);
    line(
        "  its second half: sum the pass (per filter change)",
        time(&now, || t.report_of(&pass, all)),
    );
    let one_owner = deals[0].owner_id.as_str();
    line(
        "whole report, one owner selected by closure",
        time(&now, || t.report(|d: &Deal| d.owner_id == one_owner, q)),
    );
    line(
        "whole report from the plain slice (laid out in the call)",
        time(&now, || report(deals, all, q)),
    );
    line("goal: one frame", GOAL_MS);
}

/// A generated deal as the server sends the opportunity, with a stamp per field.
fn record(n: usize, deal: &Deal) -> Value {
    let stamp = format!(
        "{:015}-00000-0000000a-0000-4000-8000-000000000001",
        1_800_000_000_000u64 + n as u64
    );
    let history: Vec<Value> = deal
        .history
        .iter()
        .map(|e| json!({"stage": e.stage.as_str(), "entered_at": format_instant(e.entered_at as u64)}))
        .collect();
    let mut fields = json!({
        "name": format!("商机{n:06}"), "customer_id": deal.customer_id, "owner_id": deal.owner_id,
        "unit_id": deal.unit_id, "amount": deal.amount,
        "stage": deal.stage().unwrap().as_str(), "stage_history": history,
    });
    if let Some(close) = deal.expected_close {
        fields["expected_close"] = json!(close.to_string());
    }
    if let Some(reason) = deal.lost_reason {
        fields["lost_reason"] = json!(reason.as_str());
    }
    let stamps: serde_json::Map<String, Value> = fields
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.clone(), json!(stamp)))
        .collect();
    json!({"collection": Collection::Opportunity.as_str(), "id": deal.id,
        "version": n as i64 + 1, "fields": fields, "stamps": stamps})
}

#[wasm_bindgen_test]
async fn filter_change_figures() {
    let now = clock();
    let generated = generate();
    let user = "bench-funnel";
    Store::delete(user).await.unwrap();
    let store = Store::open(user).await.unwrap();
    store
        .sync_state(|| "0000000b-0000-4000-8000-000000000001".to_owned())
        .await
        .unwrap();
    for (page, chunk) in generated.chunks(PAGE).enumerate() {
        let records: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, deal)| record(page * PAGE + i, deal))
            .collect();
        let last = (page + 1) * PAGE >= DEALS;
        let body = json!({"reset": false, "records": records, "deleted": [], "removed": [],
            "cursor": format!("1.{}.0", (page + 1) * PAGE), "has_more": !last,
            "last_mutation_id": 0, "rejections": []});
        let response: PullResponse = serde_json::from_value(body).unwrap();
        store
            .apply_page(&settle_page(&[], response), 1_000)
            .await
            .unwrap();
    }
    console_log!(
        "filter change with {} opportunities in the device store, median of {RUNS} runs",
        store.record_count().await.unwrap()
    );

    // When the data changes (once, not per filter change): read the store, lay the deals out for
    // the funnel, build the board's list.
    let started = now();
    let records = store.view(Collection::Opportunity, None).await.unwrap();
    line(
        "(data change) read the opportunities from the store",
        now() - started,
    );
    let started = now();
    let funnel = read_deals(
        &records,
        Rates {
            usd: None,
            eur: None,
        },
    );
    line(
        "(data change) funnel page: read as deals and lay out in columns",
        now() - started,
    );
    assert_eq!(funnel.deals.deals().len(), DEALS);
    let no_names: HashMap<String, String> = HashMap::new();
    let started = now();
    let list = deal_list(
        &records,
        &no_names,
        &no_names,
        NOW,
        Locale::ZhCn,
        FunnelSettings::default(),
    );
    let facts = BoardFacts::of(&list);
    line(
        "(data change) board: the deal list with stalled marks, and its columns' facts",
        now() - started,
    );
    store.close();

    let i18n = I18n::new(Locale::ZhCn);
    let q = query();
    // As the page: the histories are read once per change of the deals or the period (or after a
    // quarter of an hour), and each filter change sums that pass.
    let started = now();
    let pass = funnel.deals.pass(&q);
    line(
        "(data or period change) funnel page: read the histories (the pass)",
        now() - started,
    );
    let settings = FunnelSettings::default();
    let owner = generated[0].owner_id.clone();
    let unit = generated[0].unit_id.clone();
    let choices = [
        ("no filter", Selection::default()),
        (
            "one owner",
            Selection {
                owner: owner.clone(),
                ..Selection::default()
            },
        ),
        (
            "one org unit",
            Selection {
                units: Some(HashSet::from([unit])),
                ..Selection::default()
            },
        ),
    ];
    for (what, selection) in &choices {
        let board_owner = selection.owner.as_str();
        let mut steps = [0.0; 4];
        let mut totals: Vec<f64> = (0..RUNS)
            .map(|_| {
                let started = now();
                let report = funnel.deals.report_of(&pass, |deal| selection.keeps(deal));
                let reported = now();
                let main = chart_data(
                    &report.current,
                    i18n.t(Key::FunnelChartLabel).to_owned(),
                    i18n,
                );
                let team: Vec<_> = report
                    .by_owner
                    .iter()
                    .take(TEAM_FUNNELS)
                    .map(|group| chart_data(&group.figures, group.key.clone(), i18n))
                    .collect();
                let charted = now();
                let mut laid = vec![lay_out!(main, false)];
                laid.extend(team.iter().map(|chart| lay_out!(chart, true)));
                let drawn = now();
                let board = columns(&list, &facts, "", board_owner, &settings);
                let done = now();
                std::hint::black_box((laid, board));
                steps[0] += reported - started;
                steps[1] += drawn - reported;
                steps[2] += done - drawn;
                steps[3] += charted - reported;
                done - started
            })
            .collect();
        totals.sort_by(f64::total_cmp);
        let runs = RUNS as f64;
        console_log!(
            "filter change ({what}): report {:.3} ms, funnel chart data and layout (with {} team funnels) {:.3} ms (of which the data {:.3} ms), board columns {:.3} ms (means)",
            steps[0] / runs,
            TEAM_FUNNELS,
            steps[1] / runs,
            steps[3] / runs,
            steps[2] / runs
        );
        line(
            &format!("filter change ({what}) to funnel and board ready to draw"),
            totals[RUNS / 2],
        );
        // The funnel and the board are two pages, each with its own filters: a change on one
        // redraws that one.
        line(
            &format!("  of which the funnel page ({what}): report, chart and layout"),
            (steps[0] + steps[1]) / runs,
        );
        line(
            &format!("  of which the board page ({what}): its columns"),
            steps[2] / runs,
        );
    }
    line("goal: one frame", GOAL_MS);
    Store::delete(user).await.unwrap();
}
