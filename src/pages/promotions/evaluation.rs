//! Promotion evaluation (促销评估), part of the promotions feature: the overview ranking every
//! finished promotion the user sees (`/evaluation`), and the evaluation section on a promotion's page with its figures, how each
//! was computed, the chart of daily sales against the baseline and its stores. Every figure comes
//! from core's `evaluation`; the read model is `data::evaluation`.

use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{
    domain::Collection,
    evaluation::{
        read::{chart, ranking_sheet, stores_sheet, PromotionFacts},
        Basis, Evaluation, Figures,
    },
};

use crate::{
    components::charts::{export::download_png, sales::SalesChart},
    data::{
        evaluation::{use_evaluation, EvaluationModel},
        records::{use_titles, Loaded, Shared},
        sync::use_data,
    },
    download::{save_table, TableFile},
    format::{format_yuan, local_today},
    i18n::{use_i18n, I18n, Key},
    mount::use_mount,
    routes::Page,
};

const CHART_ID: &str = "evaluation-chart-svg";
/// Rows of the ranking drawn before 显示全部.
const FIRST_ROWS: usize = 50;

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

fn signed_percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:+.1}%"))
}

/// The column headings of the ranking, as the table and the CSV name them.
fn ranking_header(i18n: I18n) -> [&'static str; 13] {
    [
        Key::EvaluationRank,
        Key::EvaluationPromotion,
        Key::EvaluationStores,
        Key::EvaluationUnits,
        Key::EvaluationActual,
        Key::EvaluationBaseline,
        Key::EvaluationUplift,
        Key::EvaluationUpliftPercent,
        Key::EvaluationProfit,
        Key::EvaluationCost,
        Key::EvaluationRoi,
        Key::EvaluationCostRatio,
        Key::EvaluationDip,
    ]
    .map(|k| i18n.t(k))
}

/// How the figures are computed, in words: the same on the overview and each promotion.
#[component]
fn Method() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="evaluation-method" data-testid="evaluation-method">
            <summary>{move || i18n.t(Key::EvaluationHow)}</summary>
            <ul>
                {[
                    Key::EvaluationMethodSales,
                    Key::EvaluationMethodBaseline,
                    Key::EvaluationMethodUplift,
                    Key::EvaluationMethodProfit,
                    Key::EvaluationMethodCost,
                    Key::EvaluationMethodRatio,
                    Key::EvaluationMethodDip,
                    Key::EvaluationMethodSellout,
                ]
                .map(|k| view! { <li>{move || i18n.t(k)}</li> })
                .into_iter()
                .collect_view()}
            </ul>
        </details>
    }
}

/// `/evaluation`: every finished promotion in scope, best first, and those without sales data apart.
#[component]
pub fn EvaluationPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let mount = use_mount();
    let model = use_evaluation(data);
    let titles = use_titles(data, vec![Collection::Promotion]);
    let name = move |id: &str| titles.with(|t| t.get(id).cloned().unwrap_or_default());
    let export_failed = RwSignal::new(false);
    // The ranking's first rows, and all on asking (the CSV always has all).
    let show_all = RwSignal::new(false);
    let ready = move || match model.get() {
        Loaded::Ready(m) => Some(m),
        _ => None,
    };
    // The whole ranking as CSV or .xlsx, from the same cells.
    let export = move |file: TableFile| {
        let Some(Shared(m)) = ready() else { return };
        let header = ranking_header(i18n);
        let sheet = titles.with_untracked(|t| {
            ranking_sheet(
                i18n.t(Key::EvaluationTitle),
                &header,
                &m.judged.ranked,
                &|id| t.get(id).cloned().unwrap_or_default(),
            )
        });
        let stem = format!("{}-{}", i18n.t(Key::EvaluationFileName), local_today());
        export_failed.set(save_table(&stem, &sheet, file).is_err());
    };
    let promotion_base = StoredValue::new(mount.href(&Page::List(Collection::Promotion).path()));
    let promotion_href = move |id: &str| promotion_base.with_value(|base| format!("{base}/{id}"));
    let dates = move |m: &EvaluationModel, id: &str| {
        m.promotion(id)
            .map(|p| format!("{} – {}", p.first, p.last))
            .unwrap_or_default()
    };

    let body = move || {
        match model.get() {
        Loaded::Loading => view! {
            <p class="muted" role="status">{move || i18n.t(Key::EvaluationLoading)}</p>
        }
        .into_any(),
        Loaded::Failed(error) => view! { <p class="form-error" role="alert">{error}</p> }.into_any(),
        Loaded::Ready(Shared(m)) if m.judged.ranked.is_empty() && m.judged.no_data.is_empty() => {
            view! { <p class="empty-state" data-testid="evaluation-empty">{move || i18n.t(Key::EvaluationEmpty)}</p> }
                .into_any()
        }
        Loaded::Ready(Shared(m)) => {
            let cost: i64 = m.judged.ranked.iter().map(|e| e.cost).sum();
            let uplift: i64 = m.judged.ranked.iter().map(|e| e.total.uplift().amount).sum();
            let overall = (uplift > 0).then(|| cost as f64 / uplift as f64);
            let header = ranking_header(i18n);
            let total = m.judged.ranked.len();
            let limit = if show_all.get() { total } else { total.min(FIRST_ROWS) };
            let rows = m
                .judged
                .ranked
                .iter()
                .take(limit)
                .enumerate()
                .map(|(at, e)| {
                    let t = &e.total;
                    let href = promotion_href(&e.id);
                    let title = name(&e.id);
                    let period = dates(&m, &e.id);
                    let uplift_class = if t.uplift().amount < 0 { "num negative" } else { "num" };
                    view! {
                        <tr data-testid="evaluation-row" data-id=e.id.clone()>
                            <td class="num">{at + 1}</td>
                            <th scope="row"><A href=href>{title}</A><div class="muted small">{period}</div></th>
                            <td class="num">{e.stores.len()}</td>
                            <td class="num">{t.actual.units}</td>
                            <td class="num">{format_yuan(t.actual.amount)}</td>
                            <td class="num">{format_yuan(t.baseline.amount)}</td>
                            <td class=uplift_class>{format_yuan(t.uplift().amount)}</td>
                            <td class="num">{signed_percent(t.uplift_percent())}</td>
                            <td class="num">{format_yuan(t.incremental_profit)}</td>
                            <td class="num">{format_yuan(e.cost)}</td>
                            <td class="num" data-testid="evaluation-roi">{ratio(e.roi())}</td>
                            <td class="num">{ratio(e.cost_ratio())}</td>
                            <td class="num">{format_yuan(t.dip().amount)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let no_data: Vec<String> = m.judged.no_data.clone();
            let no_data_items = no_data
                .iter()
                .map(|id| {
                    let (href, title, period) = (promotion_href(id), name(id), dates(&m, id));
                    view! { <li><A href=href>{title}</A>" "<span class="muted small">{period}</span></li> }
                })
                .collect_view();
            let count = m.judged.ranked.len().to_string();
            view! {
                <div class="evaluation-summary" data-testid="evaluation-summary">
                    <div class="figure"><span class="figure-label">{i18n.format(Key::EvaluationCount, &[("count", &count)])}</span></div>
                    <div class="figure"><span class="figure-label">{i18n.t(Key::EvaluationTotalCost)}</span><span class="figure-value">{format_yuan(cost)}</span></div>
                    <div class="figure"><span class="figure-label">{i18n.t(Key::EvaluationTotalUplift)}</span><span class="figure-value">{format_yuan(uplift)}</span></div>
                    <div class="figure"><span class="figure-label">{i18n.t(Key::EvaluationTotalRatio)}</span><span class="figure-value">{ratio(overall)}</span></div>
                </div>
                <div class="table-scroll" tabindex="0">
                    <table class="data-table evaluation-table" data-testid="evaluation-ranking">
                        <thead><tr>{header.map(|h| view! { <th scope="col">{h}</th> }).into_iter().collect_view()}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {(limit < total).then(|| view! {
                    <button type="button" class="button evaluation-show-all" data-testid="evaluation-show-all"
                        on:click=move |_| show_all.set(true)>
                        {i18n.format(Key::EvaluationShowAll, &[("count", &total.to_string())])}
                    </button>
                })}
                {(!no_data.is_empty()).then(|| view! {
                    <details class="card evaluation-no-data" data-testid="evaluation-no-data">
                        <summary>{format!("{} ({})", i18n.t(Key::EvaluationNoData), no_data.len())}</summary>
                        <p class="muted">{i18n.t(Key::EvaluationNoDataHint)}</p>
                        <ul>{no_data_items}</ul>
                    </details>
                })}
            }
            .into_any()
        }
    }
    };
    let timing = move |what: fn(&EvaluationModel) -> f64| {
        move || match model.get() {
            Loaded::Ready(Shared(m)) => format!("{:.1}", what(&m)),
            _ => String::new(),
        }
    };
    let busy = move || !matches!(model.get(), Loaded::Ready(_) | Loaded::Failed(_));
    // What the figures were computed from, for checking them against the device's data.
    let counted = move |what: fn(&EvaluationModel) -> usize| {
        move || match model.get() {
            Loaded::Ready(Shared(m)) => what(&m).to_string(),
            _ => String::new(),
        }
    };

    view! {
        <section class="page evaluation-page" data-testid="evaluation-page"
            aria-busy=move || busy().to_string() data-compute-ms=timing(|m| m.compute_ms)
            data-judge-ms=timing(|m| m.judge_ms)
            data-sales=counted(|m| m.sales.len()) data-unit-costs=counted(|m| m.unit_costs.len())>
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::EvaluationTitle)}</h1>
                <div class="page-actions">
                    <button type="button" class="button" data-testid="evaluation-export-csv"
                        disabled=busy on:click=move |_| export(TableFile::Csv)>{move || i18n.t(Key::EvaluationExportCsv)}</button>
                    <button type="button" class="button" data-testid="evaluation-export-xlsx"
                        disabled=busy on:click=move |_| export(TableFile::Xlsx)>{move || i18n.t(Key::EvaluationExportXlsx)}</button>
                </div>
            </header>
            <p class="muted">{move || i18n.t(Key::EvaluationIntro)}</p>
            <Method />
            <Show when=move || export_failed.get()>
                <p class="form-error" role="alert">{move || i18n.t(Key::EvaluationExportFailed)}</p>
            </Show>
            {body}
        </section>
    }
}

/// A figure with how it was computed.
fn figure(label: String, value: String, how: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="figure" data-testid=testid>
            <dt class="figure-label">{label}</dt>
            <dd class="figure-value">{value}</dd>
            <dd class="figure-how muted small">{how}</dd>
        </div>
    }
}

/// The figures of a whole promotion, each with its computation.
fn figures_view(i18n: I18n, e: &Evaluation, sell_out: Option<i64>) -> impl IntoView {
    let t: &Figures = &e.total;
    let y = format_yuan;
    let daily: f64 = e.stores.iter().map(|s| s.daily.1).sum();
    let goods_cost = t.uplift().amount - t.incremental_profit;
    let dip_days = t.after_days().to_string();
    let items = vec![
        figure(
            i18n.t(Key::EvaluationActual).into(),
            y(t.actual.amount),
            format!("{} {}", t.actual.units, i18n.t(Key::EvaluationUnits)),
            "figure-actual",
        ),
        figure(
            i18n.t(Key::EvaluationBaseline).into(),
            y(t.baseline.amount),
            i18n.format(
                Key::EvaluationFormulaBaseline,
                &[
                    ("daily", &y(daily.round() as i64)),
                    ("days", &t.days.to_string()),
                ],
            ),
            "figure-baseline",
        ),
        figure(
            i18n.t(Key::EvaluationUplift).into(),
            format!(
                "{} ({})",
                y(t.uplift().amount),
                signed_percent(t.uplift_percent())
            ),
            i18n.format(
                Key::EvaluationFormulaUplift,
                &[
                    ("actual", &y(t.actual.amount)),
                    ("baseline", &y(t.baseline.amount)),
                ],
            ),
            "figure-uplift",
        ),
        figure(
            i18n.t(Key::EvaluationProfit).into(),
            y(t.incremental_profit),
            i18n.format(
                Key::EvaluationFormulaProfit,
                &[("uplift", &y(t.uplift().amount)), ("cost", &y(goods_cost))],
            ),
            "figure-profit",
        ),
        figure(
            i18n.t(Key::EvaluationCost).into(),
            y(e.cost),
            i18n.t(Key::EvaluationMethodCost).into(),
            "figure-cost",
        ),
        figure(
            i18n.t(Key::EvaluationRoi).into(),
            ratio(e.roi()),
            i18n.format(
                Key::EvaluationFormulaRoi,
                &[("profit", &y(t.incremental_profit)), ("cost", &y(e.cost))],
            ),
            "figure-roi",
        ),
        figure(
            i18n.t(Key::EvaluationCostRatio).into(),
            ratio(e.cost_ratio()),
            i18n.format(
                Key::EvaluationFormulaRatio,
                &[("cost", &y(e.cost)), ("uplift", &y(t.uplift().amount))],
            ),
            "figure-ratio",
        ),
        figure(
            i18n.t(Key::EvaluationDip).into(),
            y(t.dip().amount),
            i18n.format(
                Key::EvaluationFormulaDip,
                &[
                    ("days", &dip_days),
                    ("expected", &y(t.after_baseline.amount)),
                    ("after", &y(t.after.amount)),
                ],
            ),
            "figure-dip",
        ),
        figure(
            i18n.t(Key::EvaluationSellOut).into(),
            sell_out.map_or_else(|| "—".to_owned(), y),
            i18n.t(Key::EvaluationMethodSellout).into(),
            "figure-sell-out",
        ),
    ];
    view! { <dl class="evaluation-figures">{items.into_iter().collect_view()}</dl> }
}

/// How a store's baseline was found, in words.
fn basis_text(i18n: I18n, basis: &Basis) -> String {
    match basis {
        Basis::CleanWeeks(weeks) | Basis::AllWeeks(weeks) => {
            let key = if matches!(basis, Basis::CleanWeeks(_)) {
                Key::EvaluationBasisClean
            } else {
                Key::EvaluationBasisAll
            };
            let from = weeks
                .iter()
                .min()
                .map(ToString::to_string)
                .unwrap_or_default();
            i18n.format(key, &[("count", &weeks.len().to_string()), ("from", &from)])
        }
        Basis::PeerStores(stores) => i18n.format(
            Key::EvaluationBasisPeers,
            &[("count", &stores.len().to_string())],
        ),
        Basis::NoHistory => i18n.t(Key::EvaluationBasisNone).to_owned(),
    }
}

/// The header of a promotion's stores table and CSV.
fn stores_header(i18n: I18n) -> [&'static str; 9] {
    [
        Key::EvaluationStores,
        Key::EvaluationBasis,
        Key::EvaluationDaily,
        Key::EvaluationUnits,
        Key::EvaluationActual,
        Key::EvaluationBaseline,
        Key::EvaluationUplift,
        Key::EvaluationProfit,
        Key::EvaluationDip,
    ]
    .map(|k| i18n.t(k))
}

/// The evaluation section of a promotion's page.
#[component]
pub fn PromotionEvaluation(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let model = use_evaluation(data);
    let titles = use_titles(data, vec![Collection::Customer, Collection::Promotion]);
    let name = move |id: &str| titles.with(|t| t.get(id).cloned().unwrap_or_default());
    let export_failed = RwSignal::new(false);
    let id = StoredValue::new(id);
    // The promotion and its evaluation, once per change of the model.
    let judged = Memo::new(move |_| match model.get() {
        Loaded::Ready(Shared(m)) => {
            let promotion = id.with_value(|id| m.promotion(id).cloned())?;
            // Judged with the others (no index built again for one page); its chart in one pass.
            let evaluation = m
                .judged
                .ranked
                .iter()
                .find(|e| e.id == promotion.id)
                .map(|e| (e.clone(), chart(&m.sales, &promotion, e, local_today())));
            let sell_out = m.reported.get(&promotion.id).map(|a| a.amount);
            Some((promotion, evaluation, sell_out))
        }
        _ => None,
    });
    // The promotion's files are named after it (without the extension).
    let file_stem = move || {
        let promotion = id.with_value(|id| name(id));
        format!("{}-{promotion}", i18n.t(Key::EvaluationFileName))
    };
    let export_png = move |_| {
        let started = document().get_element_by_id(CHART_ID).is_some_and(|svg| {
            download_png(&svg, &format!("{}.png", file_stem()), move |done| {
                export_failed.set(done.is_err())
            })
            .is_ok()
        });
        export_failed.set(!started);
    };
    // Its stores as CSV or .xlsx, from the same cells.
    let export_stores = move |file: TableFile| {
        let Some((_, Some((e, _)), _)) = judged.get_untracked() else {
            return;
        };
        let promotion = id.with_value(|id| name(id));
        let sheet = titles.with_untracked(|t| {
            stores_sheet(
                &promotion,
                &stores_header(i18n),
                &e,
                &|store| t.get(store).cloned().unwrap_or_default(),
                &|b| basis_text(i18n, b),
            )
        });
        export_failed.set(save_table(&file_stem(), &sheet, file).is_err());
    };

    let body = move || {
        let Some((promotion, evaluation, sell_out)) = judged.get() else {
            return ().into_any();
        };
        let PromotionFacts {
            status,
            last,
            name: promotion_name,
            ..
        } = promotion.clone();
        match evaluation {
            _ if status == "cancelled" => {
                view! { <p class="muted">{i18n.t(Key::EvaluationCancelled)}</p> }.into_any()
            }
            None if !promotion.is_finished(local_today()) => view! {
                <p class="muted" data-testid="evaluation-not-finished">
                    {i18n.format(Key::EvaluationNotFinished, &[("date", &last.to_string())])}
                </p>
            }
            .into_any(),
            None => view! {
                <p class="muted" data-testid="evaluation-no-data">{i18n.t(Key::EvaluationNoDataHint)}</p>
            }
            .into_any(),
            Some((e, chart)) => {
                let stores = e
                    .stores
                    .iter()
                    .map(|s| {
                        let f = &s.figures;
                        view! {
                            <tr data-testid="evaluation-store">
                                <th scope="row">{name(&s.store)}</th>
                                <td>{basis_text(i18n, &s.basis)}</td>
                                <td class="num">{format_yuan(s.daily.1.round() as i64)}</td>
                                <td class="num">{f.actual.units}</td>
                                <td class="num">{format_yuan(f.actual.amount)}</td>
                                <td class="num">{format_yuan(f.baseline.amount)}</td>
                                <td class="num">{format_yuan(f.uplift().amount)}</td>
                                <td class="num">{format_yuan(f.incremental_profit)}</td>
                                <td class="num">{format_yuan(f.dip().amount)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    {figures_view(i18n, &e, sell_out)}
                    <h3>{i18n.t(Key::EvaluationChartTitle)}</h3>
                    <SalesChart svg_id=CHART_ID days=chart name=promotion_name />
                    <div class="button-row">
                        <button type="button" class="button" data-testid="evaluation-export-png" on:click=export_png>
                            {i18n.t(Key::EvaluationExportPng)}</button>
                        <button type="button" class="button" data-testid="evaluation-export-stores"
                            on:click=move |_| export_stores(TableFile::Csv)>{i18n.t(Key::EvaluationExportCsv)}</button>
                        <button type="button" class="button" data-testid="evaluation-export-stores-xlsx"
                            on:click=move |_| export_stores(TableFile::Xlsx)>{i18n.t(Key::EvaluationExportXlsx)}</button>
                    </div>
                    <h3>{i18n.t(Key::EvaluationPerStore)}</h3>
                    <div class="table-scroll" tabindex="0">
                        <table class="data-table" data-testid="evaluation-stores">
                            <thead><tr>{stores_header(i18n).map(|h| view! { <th scope="col">{h}</th> }).into_iter().collect_view()}</tr></thead>
                            <tbody>{stores}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        }
    };

    view! {
        <section class="card promotion-evaluation" aria-labelledby="evaluation-heading" data-testid="promotion-evaluation">
            <h2 id="evaluation-heading">{move || i18n.t(Key::EvaluationTitle)}</h2>
            <Method />
            <Show when=move || export_failed.get()>
                <p class="form-error" role="alert">{move || i18n.t(Key::EvaluationExportFailed)}</p>
            </Show>
            {body}
        </section>
    }
}
