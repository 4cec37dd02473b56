//! The sales funnel page (`/funnel`, 销售漏斗): filters, the interactive funnel, headline figures with
//! the change from the previous period, the deals of the chosen band, stalled deals, and for managers
//! the team members' funnels side by side. Every figure comes from core's funnel analytics.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{
    domain::Collection,
    funnel::{snapshot, Deal, FunnelPass, FunnelQuery, PeriodComparison, Ratio, Stage, DAY_MS},
    scope::{Reach, Role},
    sync::apply::StoredRecord,
};

use crate::{
    components::charts::funnel::{chart_data, win_rate_caveat, BANDS},
    components::period::{chosen_period, PeriodChoice},
    data::records::Shared,
    data::{
        deals::{use_deals, Deals},
        records::{text, use_titles, watch_collection, Loaded},
        settings::use_funnel_settings,
    },
    format::{format_yuan, percent},
};
use crate::{
    components::charts::{
        export::{download_png, download_svg},
        funnel::{ChartData, FunnelChart},
    },
    data::sync::{use_data, SyncStatus},
    i18n::{use_i18n, I18n, Key},
    mount::use_mount,
    session::use_session,
};

/// Rows of a band's deal list drawn at once.
const LIST_ROWS: usize = 100;
/// Stalled deals listed until the user asks for all, so the team comparison below stays in reach.
const STALLED_SHOWN: usize = 10;
/// From this many units the org filter gets a search box: a company has hundreds.
const UNIT_SEARCH_FROM: usize = 12;
/// Team members' funnels shown side by side.
const TEAM_FUNNELS: usize = 12;
const SVG_ID: &str = "funnel-svg";

/// One org unit of the tree picker, in tree order.
#[derive(Clone, Debug, PartialEq)]
struct UnitOption {
    id: String,
    name: String,
    depth: usize,
}

/// The units under `roots` (each with its subtree), depth first, children by name.
fn unit_tree(records: &[(String, StoredRecord)], roots: &[String]) -> Vec<UnitOption> {
    let mut children: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (id, record) in records {
        let parent = text(&record.fields, "parent_id");
        children
            .entry(parent)
            .or_default()
            .push((text(&record.fields, "name"), id.as_str()));
    }
    children.values_mut().for_each(|c| c.sort());
    let names: HashMap<&str, &str> = records
        .iter()
        .map(|(id, r)| (id.as_str(), text(&r.fields, "name")))
        .collect();
    let mut out = Vec::new();
    let mut stack: Vec<(&str, usize)> = roots.iter().rev().map(|r| (r.as_str(), 0)).collect();
    let mut seen = HashSet::new();
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id) || !names.contains_key(id) {
            continue;
        }
        out.push(UnitOption {
            id: id.to_owned(),
            name: names[id].to_owned(),
            depth,
        });
        if let Some(kids) = children.get(id) {
            stack.extend(kids.iter().rev().map(|(_, kid)| (*kid, depth + 1)));
        }
    }
    out
}

/// The units whose name contains `query` (any case), each with the units above it so the tree still
/// reads, in tree order; `keep` (the unit chosen) stays whatever the query.
fn matching_units(tree: &[UnitOption], query: &str, keep: &str) -> Vec<UnitOption> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return tree.to_vec();
    }
    let mut shown = vec![false; tree.len()];
    // Positions of the current unit's ancestors, by depth (the tree is depth first).
    let mut above: Vec<usize> = Vec::new();
    for (at, unit) in tree.iter().enumerate() {
        above.truncate(unit.depth);
        if unit.id == keep || unit.name.to_lowercase().contains(&query) {
            shown[at] = true;
            above.iter().for_each(|&a| shown[a] = true);
        }
        above.push(at);
    }
    tree.iter()
        .zip(shown)
        .filter(|(_, shown)| *shown)
        .map(|(unit, _)| unit.clone())
        .collect()
}

/// The ids of a unit and every unit below it.
fn subtree(records: &[(String, StoredRecord)], root: &str) -> HashSet<String> {
    unit_tree(records, &[root.to_owned()])
        .into_iter()
        .map(|u| u.id)
        .collect()
}

/// The filters as chosen, with the sets they select by.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub owner: String,
    pub units: Option<HashSet<String>>,
    pub products: Option<HashSet<String>>,
    pub customers: Option<HashSet<String>>,
}

impl Selection {
    pub fn keeps(&self, deal: &Deal) -> bool {
        (self.owner.is_empty() || deal.owner_id == self.owner)
            && self
                .units
                .as_ref()
                .is_none_or(|u| u.contains(&deal.unit_id))
            && self
                .customers
                .as_ref()
                .is_none_or(|c| c.contains(&deal.customer_id))
            && self
                .products
                .as_ref()
                .is_none_or(|p| deal.product_ids.iter().any(|id| p.contains(id)))
    }
}

/// "+12%" / "−5%" against the previous period, or that there is nothing to compare with.
fn change_text(current: i64, previous: i64, i18n: I18n) -> String {
    match PeriodComparison::change(current, previous) {
        Some(change) => i18n.format(
            Key::FunnelChange,
            &[("change", &format!("{:+.0}%", change * 100.0))],
        ),
        None => i18n.t(Key::FunnelChangeNone).to_owned(),
    }
}

/// The change of a rate in percentage points.
fn points_text(current: Ratio, previous: Ratio, i18n: I18n) -> String {
    match (current.rate(), previous.rate()) {
        (Some(now), Some(before)) => i18n.format(
            Key::FunnelChangePoints,
            &[("points", &format!("{:+.0}", (now - before) * 100.0))],
        ),
        _ => i18n.t(Key::FunnelChangeNone).to_owned(),
    }
}

fn days_change_text(current: Option<f64>, previous: Option<f64>, i18n: I18n) -> String {
    match (current, previous) {
        (Some(now), Some(before)) => i18n.format(
            Key::FunnelChangeDays,
            &[("days", &format!("{:+.1}", now - before))],
        ),
        _ => i18n.t(Key::FunnelChangeNone).to_owned(),
    }
}

/// One deal in a list under the funnel.
#[derive(Clone, Debug, PartialEq)]
struct DealRow {
    id: String,
    name: String,
    customer: String,
    owner: String,
    stage: Stage,
    amount: i64,
    days: f64,
    stalled: bool,
}

/// Days since the deal entered the stage it stands in at `cut`.
fn days_in_stage(deal: &Deal, cut: i64) -> f64 {
    deal.history
        .iter()
        .rev()
        .find(|e| e.entered_at < cut)
        .map_or(0.0, |e| (cut - e.entered_at) as f64 / DAY_MS as f64)
}

/// What the page body shows.
#[derive(Clone, Debug, PartialEq)]
enum PageState {
    Loading,
    Failed(String),
    Empty,
    /// Custom dates missing or reversed.
    NoPeriod,
    Ready,
}

#[component]
pub fn FunnelPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let session = use_session();
    let units = watch_collection(data, Collection::OrgUnit);
    let customers = watch_collection(data, Collection::Customer);
    let products = watch_collection(data, Collection::Product);

    let period_choice = RwSignal::new(PeriodChoice::Month);
    let custom_from = RwSignal::new(String::new());
    let custom_to = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let by_amount = RwSignal::new(false);
    let selected = RwSignal::new(None::<usize>);
    let list_limit = RwSignal::new(LIST_ROWS);
    let stalled_limit = RwSignal::new(STALLED_SHOWN);
    let unit_query = RwSignal::new(String::new());
    let export_failed = RwSignal::new(false);

    let role = move || session.get().map(|s| s.user.role);
    let is_manager = move || role().is_some_and(|r| !matches!(r, Role::SalesRep | Role::Promoter));

    let deals = use_deals(data);
    let user_names = use_titles(data, vec![Collection::User]);
    let customer_names = use_titles(data, vec![Collection::Customer]);

    // The units the user may pick: the whole company for company-wide roles, else their own unit's
    // subtree (where their sight reaches).
    let unit_options = Memo::new(move |_| {
        let me = session.get().map(|s| (s.user.role, s.user.unit_id));
        units.with(|read| {
            let Some(Ok(records)) = read.as_ref() else {
                return Vec::new();
            };
            let roots: Vec<String> = match me {
                Some((role, _)) if role.reach() == Reach::Company => {
                    let ids: HashSet<&str> = records.iter().map(|(id, _)| id.as_str()).collect();
                    records
                        .iter()
                        .filter(|(_, r)| !ids.contains(text(&r.fields, "parent_id")))
                        .map(|(id, _)| id.clone())
                        .collect()
                }
                Some((_, unit)) => vec![unit],
                None => Vec::new(),
            };
            unit_tree(records, &roots)
        })
    });
    let owner_options = Memo::new(move |_| {
        let names = user_names.get();
        let mut owners: Vec<(String, String)> = deals.with(|d| match d {
            Loaded::Ready(Shared(d)) => d
                .deals
                .deals()
                .iter()
                .map(|deal| deal.owner_id.clone())
                .collect::<HashSet<_>>()
                .into_iter()
                .map(|id| (names.get(&id).cloned().unwrap_or_else(|| id.clone()), id))
                .collect(),
            _ => Vec::new(),
        });
        owners.sort();
        owners
    });
    let categories = Memo::new(move |_| {
        products.with(|read| {
            let mut all: Vec<String> = read
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|rows| {
                    rows.iter()
                        .map(|(_, r)| text(&r.fields, "category").trim().to_owned())
                        .filter(|c| !c.is_empty())
                        .collect::<HashSet<_>>()
                        .into_iter()
                        .collect()
                })
                .unwrap_or_default();
            all.sort();
            all
        })
    });

    let selection = Memo::new(move |_| {
        let unit = unit.get();
        let category = category.get();
        let tier = tier.get();
        Selection {
            owner: owner.get(),
            units: (!unit.is_empty()).then(|| {
                units.with(|read| match read.as_ref() {
                    Some(Ok(records)) => subtree(records, &unit),
                    _ => HashSet::new(),
                })
            }),
            products: (!category.is_empty()).then(|| {
                products.with(|read| match read.as_ref() {
                    Some(Ok(records)) => records
                        .iter()
                        .filter(|(_, r)| text(&r.fields, "category").trim() == category)
                        .map(|(id, _)| id.clone())
                        .collect(),
                    _ => HashSet::new(),
                })
            }),
            customers: (!tier.is_empty()).then(|| {
                customers.with(|read| match read.as_ref() {
                    Some(Ok(records)) => records
                        .iter()
                        .filter(|(_, r)| text(&r.fields, "tier") == tier)
                        .map(|(id, _)| id.clone())
                        .collect(),
                    _ => HashSet::new(),
                })
            }),
        }
    });
    let settings = use_funnel_settings(data);
    let period = Memo::new(move |_| {
        custom_from.with(|from| custom_to.with(|to| chosen_period(period_choice.get(), from, to)))
    });
    // The deals' histories read once for the period (core's pass), kept with the deals it read
    // while it serves the query: a filter change only sums it again.
    let pass: StoredValue<Option<(Arc<Deals>, Arc<FunnelPass>)>> = StoredValue::new(None);
    // Every figure of the page, redone when the data, the period or a filter changes; its query is
    // the pass's, whose instant the figures are as of.
    let figures = Memo::new(move |_| {
        let (period, _) = period.get()?;
        let query = FunnelQuery {
            period,
            now_ms: js_sys::Date::now() as i64,
            settings: settings.get(),
        };
        deals.with(|d| match d {
            Loaded::Ready(Shared(d)) => {
                let read = pass.try_update_value(|kept| match kept {
                    Some((of, read)) if Arc::ptr_eq(of, d) && read.serves(&query) => read.clone(),
                    _ => {
                        let read = Arc::new(d.deals.pass(&query));
                        *kept = Some((d.clone(), read.clone()));
                        read
                    }
                })?;
                selection.with(|s| {
                    Some((
                        Shared(Arc::new(d.deals.report_of(&read, |deal| s.keeps(deal)))),
                        *read.query(),
                    ))
                })
            }
            _ => None,
        })
    });
    // Other filters start with no band chosen; new data from a sync keeps the user's choice.
    Effect::new(move |_| {
        selection.track();
        period.track();
        selected.set(None);
        list_limit.set(LIST_ROWS);
        stalled_limit.set(STALLED_SHOWN);
    });

    let busy =
        move || deals.with(|d| matches!(d, Loaded::Loading)) || data.first_sync.get().is_some();
    let state = Memo::new(move |_| {
        let loaded = deals.with(|d| d.map_ref(|Shared(d)| d.deals.deals().len() + d.unreadable));
        match loaded {
            Loaded::Loading => PageState::Loading,
            Loaded::Failed(error) => PageState::Failed(error),
            Loaded::Ready(0) if data.status.get() == SyncStatus::Starting => PageState::Loading,
            Loaded::Ready(0) => PageState::Empty,
            Loaded::Ready(_) if period.with(Option::is_none) => PageState::NoPeriod,
            Loaded::Ready(_) => PageState::Ready,
        }
    });

    let chart = Memo::new(move |_| {
        figures.with(|f| {
            f.as_ref()
                .map(|(Shared(r), _)| {
                    chart_data(&r.current, i18n.t(Key::FunnelChartLabel).to_owned(), i18n)
                })
                .unwrap_or_default()
        })
    });

    // The chosen band's deals: those the snapshot puts in that band, asked of core one deal at a time.
    let band_rows = Memo::new(move |_| {
        let band = selected.get()?;
        let stage = *BANDS.get(band)?;
        let names = user_names.get();
        let customer_names = customer_names.get();
        figures.with(|f| {
            let (Shared(report), query) = f.as_ref()?;
            let cut = query.period.cut(query.now_ms);
            deals.with(|d| {
                let Loaded::Ready(Shared(d)) = d else {
                    return None;
                };
                let stalled: HashSet<usize> =
                    report.current.stalled.iter().map(|s| s.deal).collect();
                let mut rows: Vec<DealRow> = selection.with(|s| {
                    d.deals
                        .deals()
                        .iter()
                        .enumerate()
                        .filter(|(_, deal)| s.keeps(deal))
                        .filter(|(_, deal)| {
                            snapshot(std::slice::from_ref(*deal), |_| true, query)
                                .stage(stage)
                                .count
                                == 1
                        })
                        .map(|(i, deal)| DealRow {
                            id: deal.id.clone(),
                            name: d.names[i].clone(),
                            customer: customer_names
                                .get(&deal.customer_id)
                                .cloned()
                                .unwrap_or_default(),
                            owner: names.get(&deal.owner_id).cloned().unwrap_or_default(),
                            stage,
                            amount: deal.amount,
                            days: days_in_stage(deal, cut),
                            stalled: stalled.contains(&i),
                        })
                        .collect()
                });
                rows.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.name.cmp(&b.name)));
                Some(rows)
            })
        })
    });
    // The first stalled deals (all once asked for), and how many there are.
    let stalled_rows = Memo::new(move |_| {
        let names = user_names.get();
        let customer_names = customer_names.get();
        let limit = stalled_limit.get();
        figures.with(|f| {
            let Some((Shared(report), query)) = f.as_ref() else {
                return (Vec::new(), 0);
            };
            let cut = query.period.cut(query.now_ms);
            deals.with(|d| {
                let Loaded::Ready(Shared(d)) = d else {
                    return (Vec::new(), 0);
                };
                let rows = report
                    .current
                    .stalled
                    .iter()
                    .filter_map(|s| {
                        let deal = d.deals.deals().get(s.deal)?;
                        Some(DealRow {
                            id: deal.id.clone(),
                            name: d.names[s.deal].clone(),
                            customer: customer_names
                                .get(&deal.customer_id)
                                .cloned()
                                .unwrap_or_default(),
                            owner: names.get(&deal.owner_id).cloned().unwrap_or_default(),
                            stage: s.stage,
                            amount: s.amount,
                            days: days_in_stage(deal, cut),
                            stalled: true,
                        })
                    })
                    .take(limit)
                    .collect();
                (rows, report.current.stalled.len())
            })
        })
    });

    let file_name = move |extension: &str| {
        let stamp = period.with(|p| p.as_ref().map(|(_, s)| s.clone()).unwrap_or_default());
        format!(
            "{}.{extension}",
            i18n.format(Key::FunnelFileName, &[("period", &stamp)])
        )
    };
    let svg_element = || document().get_element_by_id(SVG_ID);
    let export_svg = move |_| {
        let ok = svg_element().is_some_and(|svg| download_svg(&svg, &file_name("svg")).is_ok());
        export_failed.set(!ok);
    };
    let export_png = move |_| {
        let started = svg_element().is_some_and(|svg| {
            download_png(&svg, &file_name("png"), move |done| {
                export_failed.set(done.is_err())
            })
            .is_ok()
        });
        export_failed.set(!started);
    };

    let headline = move || {
        figures.with(|f| {
            let (Shared(report), _) = f.as_ref()?;
            let (now, before) = (report.comparison.current, report.comparison.previous);
            let items = [
                (
                    Key::FunnelPipeline,
                    format_yuan(now.pipeline.amount),
                    i18n.format(
                        Key::FunnelDealsCount,
                        &[("count", &now.pipeline.count.to_string())],
                    ),
                    change_text(now.pipeline.amount, before.pipeline.amount, i18n),
                    "pipeline",
                ),
                (
                    Key::FunnelWeighted,
                    format_yuan(now.weighted),
                    String::new(),
                    change_text(now.weighted, before.weighted, i18n),
                    "weighted",
                ),
                (
                    Key::FunnelWinRate,
                    percent(now.win_rate.rate()),
                    i18n.format(
                        Key::FunnelWonOf,
                        &[
                            ("won", &now.win_rate.part.to_string()),
                            ("closed", &now.win_rate.whole.to_string()),
                        ],
                    ),
                    points_text(now.win_rate, before.win_rate, i18n),
                    "win-rate",
                ),
                (
                    Key::FunnelCycle,
                    now.median_cycle_days.map_or_else(
                        || "—".to_owned(),
                        |d| i18n.format(Key::FunnelDays, &[("days", &format!("{d:.1}"))]),
                    ),
                    String::new(),
                    days_change_text(now.median_cycle_days, before.median_cycle_days, i18n),
                    "cycle",
                ),
            ];
            let caveat = win_rate_caveat(now.win_rate, i18n);
            Some(
                items
                    .into_iter()
                    .map(|(label, value, detail, change, key)| {
                        let caveat = caveat.clone().filter(|_| key == "win-rate");
                        view! {
                            <div class="fact funnel-fact" data-figure=key>
                                <dt>{i18n.t(label)}</dt>
                                <dd>
                                    <span class="funnel-fact-value">{value}</span>
                                    {(!detail.is_empty()).then(|| view! { <span class="fact-detail">{detail}</span> })}
                                    {caveat.map(|c| view! { <span class="fact-detail win-rate-caveat" data-testid="win-rate-caveat">{c}</span> })}
                                    <span class="fact-detail">{change}</span>
                                </dd>
                            </div>
                        }
                    })
                    .collect_view(),
            )
        })
    };

    let deal_list = {
        let mount = StoredValue::new(mount.clone());
        move |rows: Vec<DealRow>, testid: &'static str, show_stage: bool| {
            view! {
                <ul class="record-list funnel-deals" data-testid=testid>
                    {rows.into_iter().map(|row| {
                        let href = mount.with_value(|m| m.href(&format!("/opportunities/{}", row.id)));
                        let days = i18n.format(Key::FunnelDaysInStage, &[("days", &format!("{:.0}", row.days.floor()))]);
                        let stage = show_stage.then(|| crate::format::stage_label(row.stage.as_str(), i18n.locale()).to_owned());
                        view! {
                            <li>
                                <A href=href attr:class="record-row">
                                    <span class="record-title">
                                        {row.name}
                                        {row.stalled.then(|| view! {
                                            <span class="chip chip-stalled" data-testid="stalled-mark">{i18n.t(Key::FunnelStalled)}</span>
                                        })}
                                    </span>
                                    <span class="record-meta">
                                        <span>{row.customer}</span>
                                        <span>{row.owner}</span>
                                        {stage.map(|s| view! { <span class="chip">{s}</span> })}
                                    </span>
                                    <span class="record-meta record-meta-end">
                                        <span class="funnel-deal-amount">{format_yuan(row.amount)}</span>
                                        <span>{days}</span>
                                    </span>
                                </A>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        }
    };

    let band_section = move || {
        let band = selected.get()?;
        let rows = band_rows.get()?;
        let name = crate::format::stage_label(BANDS[band].as_str(), i18n.locale()).to_owned();
        let total = rows.len();
        let limit = list_limit.get();
        let shown: Vec<DealRow> = rows.into_iter().take(limit).collect();
        Some(view! {
            <section class="card funnel-band-deals" aria-labelledby="funnel-band-title" data-testid="funnel-band-deals">
                <div class="card-header">
                    <h2 id="funnel-band-title">{i18n.format(Key::FunnelBandDealsTitle, &[("stage", &name), ("count", &total.to_string())])}</h2>
                    <button type="button" class="button button-ghost" on:click=move |_| selected.set(None)>
                        {i18n.t(Key::FunnelBandDealsClose)}
                    </button>
                </div>
                {if total == 0 {
                    view! { <p class="hint">{i18n.t(Key::FunnelBandDealsNone)}</p> }.into_any()
                } else {
                    deal_list(shown, "funnel-band-list", false).into_any()
                }}
                {(total > limit).then(|| view! {
                    <div class="list-more">
                        <button type="button" class="button" on:click=move |_| list_limit.update(|n| *n += LIST_ROWS)>
                            {i18n.format(Key::FunnelShowMore, &[("count", &(total - limit).min(LIST_ROWS).to_string())])}
                        </button>
                    </div>
                })}
            </section>
        })
    };

    let stalled_section = move || {
        let (rows, total) = stalled_rows.get();
        let shown = rows.len();
        view! {
            <section class="card funnel-stalled" aria-labelledby="funnel-stalled-title" data-testid="funnel-stalled">
                <h2 id="funnel-stalled-title">{move || i18n.t(Key::FunnelStalledTitle)}</h2>
                {if rows.is_empty() {
                    view! { <p class="hint">{i18n.t(Key::FunnelStalledNone)}</p> }.into_any()
                } else {
                    deal_list(rows, "funnel-stalled-list", true).into_any()
                }}
                {(total > STALLED_SHOWN).then(|| view! {
                    <div class="list-more">
                        {if shown < total {
                            view! {
                                <button type="button" class="button" on:click=move |_| stalled_limit.set(usize::MAX)>
                                    {i18n.format(Key::FunnelStalledShowAll, &[("count", &total.to_string())])}
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="button" class="button" on:click=move |_| stalled_limit.set(STALLED_SHOWN)>
                                    {i18n.format(Key::FunnelStalledShowFewer, &[("count", &STALLED_SHOWN.to_string())])}
                                </button>
                            }.into_any()
                        }}
                    </div>
                })}
            </section>
        }
    };

    let team_section = move || {
        if !is_manager() {
            return None;
        }
        let names = user_names.get();
        let groups: Vec<(String, ChartData, String, Option<String>)> = figures.with(|f| {
            let (Shared(report), _) = f.as_ref()?;
            Some(
                report
                    .by_owner
                    .iter()
                    .take(TEAM_FUNNELS)
                    .map(|g| {
                        let name = names.get(&g.key).cloned().unwrap_or_else(|| g.key.clone());
                        let caption = i18n.format(Key::FunnelMemberChartLabel, &[("name", &name)]);
                        let headline = g.figures.headline();
                        let summary = i18n.format(
                            Key::FunnelMemberSummary,
                            &[
                                ("count", &headline.pipeline.count.to_string()),
                                ("amount", &format_yuan(headline.pipeline.amount)),
                                ("rate", &percent(headline.win_rate.rate())),
                            ],
                        );
                        let caveat = win_rate_caveat(headline.win_rate, i18n);
                        (name, chart_data(&g.figures, caption, i18n), summary, caveat)
                    })
                    .collect(),
            )
        })?;
        Some(view! {
            <section class="card funnel-team" aria-labelledby="funnel-team-title" data-testid="funnel-team">
                <h2 id="funnel-team-title">{i18n.t(Key::FunnelTeamTitle)}</h2>
                {if groups.is_empty() {
                    view! { <p class="hint">{i18n.t(Key::FunnelTeamNone)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="funnel-team-grid">
                            {groups.into_iter().map(|(name, chart, summary, caveat)| view! {
                                <li class="funnel-member">
                                    <h3>{name}</h3>
                                    <p class="fact-detail">{summary}</p>
                                    {caveat.map(|c| view! { <p class="fact-detail win-rate-caveat">{c}</p> })}
                                    <FunnelChart data=Signal::derive(move || chart.clone()) by_amount=by_amount compact=true />
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        })
    };

    let filters = move || {
        let select_filter =
            move |id: &'static str,
                  label: Key,
                  all: Key,
                  signal: RwSignal<String>,
                  options: Signal<Vec<(String, String)>>| {
                view! {
                    <div class="field">
                        <label for=id>{move || i18n.t(label)}</label>
                        <select id=id on:change=move |ev| signal.set(event_target_value(&ev))>
                            <option value="" prop:selected=move || signal.with(String::is_empty)>{move || i18n.t(all)}</option>
                            {move || options.get().into_iter().map(|(value, text)| {
                                let v = value.clone();
                                view! { <option value=value prop:selected=move || signal.with(|s| *s == v)>{text}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }
            };
        let unit_choices = Signal::derive(move || {
            let chosen = unit.get();
            unit_query
                .with(|query| unit_options.with(|tree| matching_units(tree, query, &chosen)))
                .into_iter()
                .map(|u| (u.id, format!("{}{}", "\u{3000}".repeat(u.depth), u.name)))
                .collect()
        });
        let many_units = move || unit_options.with(Vec::len) >= UNIT_SEARCH_FROM;
        let owner_choices = Signal::derive(move || {
            owner_options
                .get()
                .into_iter()
                .map(|(name, id)| (id, name))
                .collect()
        });
        let category_choices = Signal::derive(move || {
            categories
                .get()
                .into_iter()
                .map(|c| (c.clone(), c))
                .collect()
        });
        let tier_choices = Signal::derive(move || {
            let locale = i18n.locale();
            Collection::Customer
                .field("tier")
                .and_then(|f| f.choices())
                .unwrap_or_default()
                .iter()
                .map(|c| (c.value.to_owned(), c.label(locale).to_owned()))
                .collect()
        });
        view! {
            <div class="card funnel-filters" role="search" aria-label=move || i18n.t(Key::FunnelFiltersLabel)>
                <div class="field">
                    <label for="funnel-period">{move || i18n.t(Key::FunnelPeriod)}</label>
                    <select id="funnel-period" on:change=move |ev| period_choice.set(PeriodChoice::parse(&event_target_value(&ev)))>
                        {PeriodChoice::ALL.iter().map(|&(choice, wire, key)| view! {
                            <option value=wire prop:selected=move || period_choice.get() == choice>{move || i18n.t(key)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Show when=move || period_choice.get() == PeriodChoice::Custom>
                    <div class="field">
                        <label for="funnel-from">{move || i18n.t(Key::FunnelFrom)}</label>
                        <input id="funnel-from" type="date" prop:value=move || custom_from.get()
                            on:change=move |ev| custom_from.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="funnel-to">{move || i18n.t(Key::FunnelTo)}</label>
                        <input id="funnel-to" type="date" prop:value=move || custom_to.get()
                            on:change=move |ev| custom_to.set(event_target_value(&ev)) />
                    </div>
                </Show>
                <Show when=many_units>
                    <div class="field">
                        <label for="funnel-unit-search">{move || i18n.t(Key::FunnelUnitSearch)}</label>
                        <input id="funnel-unit-search" type="search" autocomplete="off" aria-controls="funnel-unit"
                            placeholder=move || i18n.t(Key::FunnelUnitSearchPlaceholder)
                            prop:value=move || unit_query.get()
                            on:input=move |ev| unit_query.set(event_target_value(&ev)) />
                    </div>
                </Show>
                {select_filter("funnel-unit", Key::FunnelUnit, Key::FunnelAllUnits, unit, unit_choices)}
                <Show when=is_manager>
                    {select_filter("funnel-owner", Key::FunnelOwner, Key::FunnelAllOwners, owner, owner_choices)}
                </Show>
                {select_filter("funnel-category", Key::FunnelCategory, Key::FunnelAllCategories, category, category_choices)}
                {select_filter("funnel-tier", Key::FunnelTier, Key::FunnelAllTiers, tier, tier_choices)}
            </div>
        }
    };

    let body = move || {
        match state.get() {
        PageState::Loading => view! {
            <p class="hint" role="status">{move || match data.first_sync.get() {
                Some(count) => i18n.format(Key::CustomersFirstSync, &[("count", &count.to_string())]),
                None => i18n.t(Key::FunnelLoading).to_owned(),
            }}</p>
        }
        .into_any(),
        PageState::Failed(error) => view! {
            <p class="form-error" role="alert">{move || i18n.format(Key::FunnelLoadFailed, &[("error", &error)])}</p>
        }
        .into_any(),
        PageState::Empty => view! {
            <div class="card empty-state" data-testid="funnel-empty">
                <h2>{move || i18n.t(Key::FunnelEmptyTitle)}</h2>
                <p>{move || i18n.t(Key::FunnelEmptyBody)}</p>
            </div>
        }
        .into_any(),
        PageState::NoPeriod => view! {
            <p class="hint" role="status">{move || i18n.t(Key::FunnelChooseDates)}</p>
        }
        .into_any(),
        PageState::Ready => view! {
            <dl class="card facts funnel-headline" data-testid="funnel-headline">{headline}</dl>
            <section class="card funnel-card" aria-labelledby="funnel-chart-title">
                <div class="card-header">
                    <h2 id="funnel-chart-title">{move || i18n.t(Key::FunnelChartLabel)}</h2>
                    <div class="funnel-actions">
                        <div class="funnel-toggle" role="group" aria-label=move || i18n.t(Key::FunnelSizeBy)>
                            <button type="button" class="button" aria-pressed=move || (!by_amount.get()).to_string()
                                on:click=move |_| by_amount.set(false)>{move || i18n.t(Key::FunnelByCount)}</button>
                            <button type="button" class="button" aria-pressed=move || by_amount.get().to_string()
                                on:click=move |_| by_amount.set(true)>{move || i18n.t(Key::FunnelByAmount)}</button>
                        </div>
                        <button type="button" class="button" on:click=export_svg>{move || i18n.t(Key::FunnelExportSvg)}</button>
                        <button type="button" class="button" on:click=export_png>{move || i18n.t(Key::FunnelExportPng)}</button>
                    </div>
                </div>
                <p class="hint">{move || i18n.t(Key::FunnelChartHint)}</p>
                {move || export_failed.get().then(|| view! {
                    <p class="form-error" role="alert">{i18n.t(Key::FunnelExportFailed)}</p>
                })}
                <div data-testid="funnel-chart">
                    <FunnelChart
                        data=chart
                        by_amount=by_amount
                        selected=selected
                        on_select=Callback::new(move |i: usize| {
                            selected.set(Some(i));
                            list_limit.set(LIST_ROWS);
                        })
                        svg_id=SVG_ID
                    />
                </div>
                {move || deals.with(|d| match d {
                    Loaded::Ready(Shared(d)) if d.unreadable > 0 => Some(view! {
                        <p class="hint">{i18n.format(Key::FunnelUnreadable, &[("count", &d.unreadable.to_string())])}</p>
                    }),
                    _ => None,
                })}
                {move || deals.with(|d| match d {
                    Loaded::Ready(Shared(d)) if d.unconverted > 0 => Some(view! {
                        <p class="hint" data-testid="funnel-unconverted">
                            {i18n.format(Key::FunnelUnconverted, &[("count", &d.unconverted.to_string())])}
                        </p>
                    }),
                    _ => None,
                })}
            </section>
            {band_section}
            {stalled_section}
            {team_section}
        }
        .into_any(),
    }
    };

    view! {
        <section class="page funnel-page" data-testid="funnel-page" aria-busy=move || busy().to_string()>
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::FunnelTitle)}</h1>
            </header>
            {filters}
            {body}
        </section>
    }
}
