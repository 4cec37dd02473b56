//! The dashboard on the home page (工作台): the user's funnel this quarter, the deals that have
//! stalled, and this quarter's weighted forecast, all from the device, so it shows offline too.

use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{
    domain::Collection,
    funnel::{self, Deal, FunnelFigures, FunnelQuery, FunnelSettings, Period},
    permission::Action,
};

use crate::{
    components::charts::funnel::{win_rate_caveat, FunnelChart},
    data::sync::{use_data, SyncStatus},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};
use crate::{
    components::{
        charts::funnel::chart_data,
        period::{chosen_period, PeriodChoice},
    },
    data::{
        deals::use_deals,
        records::{Loaded, Shared},
        settings::use_funnel_settings,
    },
    format::{compact_yuan, format_yuan, percent},
};

/// Stalled deals listed on the dashboard; the funnel page lists all of them.
const STALLED_SHOWN: usize = 5;

/// What the dashboard shows, worked out once per change of the device's data.
#[derive(Clone, Debug, PartialEq)]
struct Snapshot {
    figures: FunnelFigures,
    /// (id, name) of the stalled deals, longest overdue first, with their stage and days.
    stalled: Vec<(String, String, funnel::Stage, f64)>,
    /// Weighted forecast of the open deals expected to close within the quarter.
    quarter_weighted: i64,
    quarter_amount: i64,
    quarter_count: u32,
}

/// The figures of this quarter over `deals`, and the forecast for deals closing within it.
fn snapshot(
    deals: &[Deal],
    names: &[String],
    period: Period,
    quarter: (i32, u32),
    now_ms: i64,
    settings: FunnelSettings,
) -> Snapshot {
    let query = FunnelQuery {
        period,
        now_ms,
        settings,
    };
    let figures = funnel::figures(deals, |_| true, &query);
    let (year, first_month) = quarter;
    let in_quarter = figures
        .forecast
        .months
        .iter()
        .filter(|m| m.year == year && (first_month..first_month + 3).contains(&m.month));
    let (mut weighted, mut amount, mut count) = (0, 0, 0);
    for month in in_quarter {
        weighted += month.weighted;
        amount += month.amount;
        count += month.count;
    }
    let stalled = figures
        .stalled
        .iter()
        .take(STALLED_SHOWN)
        .map(|s| {
            (
                deals[s.deal].id.clone(),
                names[s.deal].clone(),
                s.stage,
                s.dwell_days,
            )
        })
        .collect();
    Snapshot {
        figures,
        stalled,
        quarter_weighted: weighted,
        quarter_amount: amount,
        quarter_count: count,
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    let mount = StoredValue::new(use_mount());
    let data = use_data();
    let deals = use_deals(data);
    let settings = use_funnel_settings(data);
    let shown = Memo::new(move |_| {
        deals.with(|read| {
            read.map_ref(|Shared(d)| {
                let today = js_sys::Date::new_0();
                let quarter = (today.get_full_year() as i32, today.get_month() / 3 * 3 + 1);
                chosen_period(PeriodChoice::Quarter, "", "").map(|(period, _)| {
                    snapshot(
                        d.deals.deals(),
                        &d.names,
                        period,
                        quarter,
                        js_sys::Date::now() as i64,
                        settings.get(),
                    )
                })
            })
        })
    });
    let chart = Signal::derive(move || {
        shown.with(|s| match s {
            Loaded::Ready(Some(s)) => chart_data(
                &s.figures,
                i18n.t(Key::DashboardFunnelTitle).to_owned(),
                i18n,
            ),
            _ => Default::default(),
        })
    });
    let figure = move |pick: fn(&Snapshot, I18nRef) -> String| {
        move || {
            shown.with(|s| match s {
                Loaded::Ready(Some(s)) => pick(s, I18nRef(i18n)),
                _ => "—".to_owned(),
            })
        }
    };
    let access = use_access();
    let may_create = Memo::new(move |_| access.can(Collection::Opportunity, Action::Create, None));
    let has_deals = move || {
        shown.with(|s| matches!(s, Loaded::Ready(Some(s)) if s.figures.snapshot.total().count > 0))
    };
    // No deals may only mean "not downloaded yet": until the first sync is done, or one sync has ended
    // since the page opened, the dashboard says it is downloading instead of offering a first deal.
    let sync_busy = move || {
        data.first_sync.get().is_some()
            || matches!(
                data.status.get(),
                SyncStatus::Starting | SyncStatus::Syncing
            )
    };
    let sync_ended = RwSignal::new(!untrack(sync_busy));
    Effect::new(move |_| {
        if !sync_busy() {
            sync_ended.set(true);
        }
    });
    let waiting = move || data.first_sync.get().is_some() || !sync_ended.get();

    view! {
        <article class="card dashboard" aria-labelledby="dashboard-title" data-testid="dashboard">
            <header class="card-header">
                <h2 id="dashboard-title">{move || i18n.t(Key::DashboardTitle)}</h2>
                <A href=mount.with_value(|m| m.href("/funnel")) attr:class="button">{move || i18n.t(Key::DashboardOpenFunnel)}</A>
            </header>
            {move || match shown.with(|s| matches!(s, Loaded::Loading)) {
                true => view! { <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p> }.into_any(),
                false if !has_deals() && waiting() => view! {
                    <p class="hint" role="status" data-testid="dashboard-waiting">{move || match data.first_sync.get() {
                        Some(count) => i18n.format(Key::SyncFirstProgress, &[("count", &count.to_string())]),
                        None => i18n.t(Key::CustomersLoading).to_owned(),
                    }}</p>
                }.into_any(),
                false if !has_deals() => view! {
                    <div class="empty-state">
                        <p>{move || i18n.t(Key::DashboardEmpty)}</p>
                        <Show when=move || may_create.get()>
                            <A href=mount.with_value(|m| m.href("/opportunities/new")) attr:class="button button-primary">{move || i18n.t(Key::OpportunitiesNew)}</A>
                        </Show>
                    </div>
                }.into_any(),
                false => view! {
                    <dl class="facts dashboard-figures">
                        <div class="fact" data-figure="pipeline">
                            <dt>{move || i18n.t(Key::DashboardPipeline)}</dt>
                            <dd>{figure(|s, r| compact_yuan(s.figures.snapshot.pipeline().amount, r.0.locale()))}</dd>
                        </div>
                        <div class="fact" data-figure="forecast">
                            <dt>{move || i18n.t(Key::DashboardQuarterForecast)}</dt>
                            <dd>
                                {figure(|s, _| format_yuan(s.quarter_weighted))}
                                <span class="fact-detail">{figure(|s, r| r.0.format(Key::DashboardQuarterForecastDetail, &[("count", &s.quarter_count.to_string()), ("amount", &format_yuan(s.quarter_amount))]))}</span>
                            </dd>
                        </div>
                        <div class="fact" data-figure="win-rate">
                            <dt>{move || i18n.t(Key::DashboardWinRate)}</dt>
                            <dd>
                                {figure(|s, _| percent(s.figures.win_loss.win_rate.rate()))}
                                {move || shown.with(|s| match s {
                                    Loaded::Ready(Some(s)) => win_rate_caveat(s.figures.win_loss.win_rate, i18n),
                                    _ => None,
                                }).map(|caveat| view! { <span class="fact-detail win-rate-caveat">{caveat}</span> })}
                            </dd>
                        </div>
                    </dl>
                    <FunnelChart data=chart by_amount=Signal::stored(false) compact=true />
                    <section class="dashboard-stalled" aria-labelledby="dashboard-stalled-title" data-testid="dashboard-stalled">
                        <h3 id="dashboard-stalled-title">{move || i18n.t(Key::DashboardStalledTitle)}</h3>
                        {move || {
                            let stalled = shown.with(|s| match s {
                                Loaded::Ready(Some(s)) => s.stalled.clone(),
                                _ => Vec::new(),
                            });
                            if stalled.is_empty() {
                                view! { <p class="hint">{move || i18n.t(Key::DashboardStalledNone)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="related-list">
                                        {stalled.into_iter().map(|(id, name, stage, days)| {
                                            let href = mount.with_value(|m| m.href(&format!("/opportunities/{id}")));
                                            let stage = crate::format::stage_label(stage.as_str(), i18n.locale()).to_owned();
                                            view! {
                                                <li class="related-item">
                                                    <p class="related-title">
                                                        <A href=href>{name}</A>
                                                        <span class="related-sub">{move || i18n.format(Key::DashboardStalledDays, &[("stage", &stage), ("days", &format!("{days:.0}"))])}</span>
                                                    </p>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                        }}
                    </section>
                }.into_any(),
            }}
        </article>
    }
}

/// The translator, passed to the figure pickers (plain `fn`s, so each figure is one line).
#[derive(Clone, Copy)]
struct I18nRef(crate::i18n::I18n);
