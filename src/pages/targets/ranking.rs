//! Ranking and scorecards (销售考核) on the targets page: the people, areas or regions the user
//! sees, scored over this month, quarter or year by their role's weights (core's
//! `targets::score`), ranked by the score or by one metric's attainment. A row opens its scorecard:
//! every metric's target, actual, attainment, weight and points, so each number can be checked.
//! Managers export the table as CSV or .xlsx; a rep or promoter sees their own scorecard.

use leptos::prelude::*;
use yingxiao_core::{
    export,
    targets::{
        actuals::Metric,
        export::ranking_row,
        score::{rank, role_of, scorecard, weights_of, Scorecard, Span},
        sheet::Sheet,
    },
};

use super::{figure, metric_label, METRICS};
use crate::{
    data::{
        cache::Watched,
        org::OrgData,
        records::{Loaded, Shared},
        targets::ActualsHandle,
    },
    download::{self, TableFile},
    format::{local_today, percent},
    i18n::{use_i18n, Key},
    permissions::use_access,
};

/// Whom the table ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    People,
    Areas,
    Regions,
}

impl Level {
    fn takes(self, level: &str) -> bool {
        match self {
            Level::People => matches!(level, "sales_rep" | "promoter"),
            Level::Areas => matches!(level, "area" | "team"),
            Level::Regions => level == "region",
        }
    }
}

/// One ranked row: its card, rank, name and the unit it sits in.
#[derive(Clone, Debug, PartialEq)]
struct Ranked {
    card: Scorecard,
    rank: usize,
    name: String,
    place: String,
}

#[component]
pub(super) fn Ranking(
    org: Memo<Loaded<Shared<OrgData>>>,
    targets: Watched,
    actuals: ActualsHandle,
    year: RwSignal<i32>,
    me: Memo<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let today = local_today();
    let level = RwSignal::new(Level::People);
    let span = RwSignal::new(Span::Quarter);
    let by = RwSignal::new(None::<Metric>);
    let open = RwSignal::new(None::<usize>);

    // One sheet per metric, from the same organisation: row i is the same subject in each.
    let sheets = Memo::new(move |_| -> Option<Shared<Vec<(Metric, Sheet)>>> {
        let Loaded::Ready(org) = org.get() else {
            return None;
        };
        targets.with(|read| {
            let Some(Ok(rows)) = read else { return None };
            let list = crate::data::records::live_fields(rows);
            let me = me.get();
            let sheets = METRICS
                .iter()
                .map(|&m| {
                    let sheet = Sheet::build(&org.units, &org.people, &list, m, year.get());
                    let sheet = match &me {
                        Some(user) => sheet.only(user),
                        None => sheet,
                    };
                    (m, sheet)
                })
                .collect();
            Some(Shared(std::sync::Arc::new(sheets)))
        })
    });
    let ranked = Memo::new(move |_| -> Option<Vec<Ranked>> {
        let sheets = sheets.get()?;
        let company = access.company().map(|(_, fields)| fields);
        let list: Vec<(Metric, &Sheet)> = sheets.iter().map(|(m, s)| (*m, s)).collect();
        let first = list.first()?.1;
        let (span, level, me) = (span.get(), level.get(), me.get());
        let cards: Vec<Scorecard> = actuals.with(|a| {
            (0..first.rows.len())
                .filter(|&row| me.is_some() || level.takes(&first.rows[row].level))
                .filter_map(|row| {
                    let weights = weights_of(company.as_ref(), role_of(&first.rows[row]));
                    (!weights.is_empty())
                        .then(|| scorecard(&list, row, &weights, a, span, today))
                        .flatten()
                        // Someone with no target for the period is not assessed on it.
                        .filter(|card| card.parts.iter().any(|p| p.target > 0))
                })
                .collect()
        })?;
        let ranks = rank(&cards, by.get());
        let mut out: Vec<Ranked> = cards
            .into_iter()
            .zip(ranks)
            .map(|(card, rank)| {
                let r = &first.rows[card.row];
                let place = r
                    .parent
                    .map(|p| first.rows[p].name.clone())
                    .unwrap_or_default();
                Ranked {
                    name: r.name.clone(),
                    card,
                    rank,
                    place,
                }
            })
            .collect();
        out.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.name.cmp(&b.name)));
        Some(out)
    });
    // The metrics any ranked row is weighted on, in the picker's order: the table's columns.
    let columns = Memo::new(move |_| {
        ranked.with(|r| {
            METRICS
                .iter()
                .copied()
                .filter(|m| {
                    r.iter()
                        .flatten()
                        .any(|row| row.card.parts.iter().any(|p| p.metric == *m))
                })
                .collect::<Vec<_>>()
        })
    });

    // The table as CSV or .xlsx, from the same cells.
    let export = move |file: TableFile| {
        let locale = i18n.locale_untracked();
        let Some(rows) = ranked.get_untracked() else {
            return;
        };
        let metrics = columns.get_untracked();
        let mut header: Vec<String> = [
            Key::RankingRank,
            Key::RankingName,
            Key::RankingPlace,
            Key::RankingScore,
        ]
        .iter()
        .map(|k| crate::i18n::text(locale, *k).to_owned())
        .collect();
        for m in &metrics {
            let name = metric_label(*m, locale);
            for key in [
                Key::RankingTarget,
                Key::RankingActual,
                Key::RankingAttained,
                Key::RankingWeight,
                Key::RankingPoints,
            ] {
                header.push(format!("{name} {}", crate::i18n::text(locale, key)));
            }
        }
        let title = crate::i18n::text(locale, Key::RankingTitle);
        let sheet = export::Sheet {
            name: title.to_owned(),
            header,
            rows: rows
                .iter()
                .map(|r| ranking_row(r.rank, &r.name, &r.place, &r.card, &metrics))
                .collect(),
        };
        let today = String::from(js_sys::Date::new_0().to_iso_string());
        let _ = download::save_table(&format!("{title}-{}", &today[..10]), &sheet, file);
    };

    let pick = move |current: RwSignal<Level>, value: Level, key: Key, testid: &'static str| {
        view! {
            <button type="button" class="button segmented-button" data-testid=testid
                aria-pressed=move || (current.get() == value).to_string()
                on:click=move |_| current.set(value)>{move || i18n.t(key)}</button>
        }
    };
    let span_button = move |value: Span, key: Key, testid: &'static str| {
        view! {
            <button type="button" class="button segmented-button" data-testid=testid
                aria-pressed=move || (span.get() == value).to_string()
                on:click=move |_| span.set(value)>{move || i18n.t(key)}</button>
        }
    };

    let details = move |r: &Ranked| {
        let locale = i18n.locale();
        let lines: Vec<_> = r
            .card
            .parts
            .iter()
            .map(|p| {
                let text = match p.attained {
                    Some(_) => i18n.format(
                        Key::RankingPart,
                        &[
                            ("metric", &metric_label(p.metric, locale)),
                            ("actual", &figure(p.metric, p.actual)),
                            ("target", &figure(p.metric, p.target)),
                            ("attained", &percent(p.attained)),
                            ("weight", &p.weight.to_string()),
                            ("points", &format!("{:.1}", p.points)),
                        ],
                    ),
                    None => i18n.format(
                        Key::RankingPartNoTarget,
                        &[
                            ("metric", &metric_label(p.metric, locale)),
                            ("actual", &figure(p.metric, p.actual)),
                            ("weight", &p.weight.to_string()),
                        ],
                    ),
                };
                view! { <li data-testid="scorecard-part">{text}</li> }
            })
            .collect();
        view! {
            <div class="scorecard" data-testid="scorecard">
                <ul>{lines}</ul>
                <p class="scorecard-total">{i18n.format(Key::RankingTotal, &[("score", &format!("{:.1}", r.card.score))])}</p>
            </div>
        }
    };

    view! {
        <section class="ranking" aria-labelledby="ranking-title" data-testid="ranking">
            <h2 id="ranking-title" class="visually-hidden">{move || i18n.t(Key::RankingTitle)}</h2>
            <div class="ranking-controls">
                <Show when=move || me.get().is_none()>
                    <div class="segmented" role="group" aria-label=move || i18n.t(Key::RankingLevel)>
                        {pick(level, Level::People, Key::RankingPeople, "ranking-people")}
                        {pick(level, Level::Areas, Key::RankingAreas, "ranking-areas")}
                        {pick(level, Level::Regions, Key::RankingRegions, "ranking-regions")}
                    </div>
                </Show>
                <div class="segmented" role="group" aria-label=move || i18n.t(Key::RankingSpan)>
                    {span_button(Span::Month, Key::RankingMonth, "ranking-month")}
                    {span_button(Span::Quarter, Key::RankingQuarter, "ranking-quarter")}
                    {span_button(Span::Year, Key::RankingYear, "ranking-year")}
                </div>
                <Show when=move || me.get().is_none()>
                    <label class="inline-field">
                        <span>{move || i18n.t(Key::RankingBy)}</span>
                        <select data-testid="ranking-by" on:change=move |ev| {
                            by.set(Metric::parse(&event_target_value(&ev)));
                        }>
                            <option value="" selected=move || by.get().is_none()>{move || i18n.t(Key::RankingByScore)}</option>
                            {METRICS.iter().map(|&m| view! {
                                <option value=m.as_str() selected=move || by.get() == Some(m)>{move || metric_label(m, i18n.locale())}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="button" data-testid="ranking-export"
                        on:click=move |_| export(TableFile::Csv)
                        disabled=move || ranked.with(|r| r.as_ref().is_none_or(Vec::is_empty))>
                        {move || i18n.t(Key::RankingExport)}
                    </button>
                    <button type="button" class="button" data-testid="ranking-export-xlsx"
                        on:click=move |_| export(TableFile::Xlsx)
                        disabled=move || ranked.with(|r| r.as_ref().is_none_or(Vec::is_empty))>
                        {move || i18n.t(Key::RankingExportXlsx)}
                    </button>
                </Show>
            </div>
            <p class="hint">{move || i18n.t(Key::RankingHint)}</p>
            {move || match ranked.get() {
                None => view! { <p class="hint" role="status">{i18n.t(Key::ListLoading)}</p> }.into_any(),
                Some(rows) if rows.is_empty() => view! {
                    <p class="empty-state" data-testid="ranking-empty">{i18n.t(Key::RankingEmpty)}</p>
                }.into_any(),
                Some(rows) => {
                    let metrics = columns.get();
                    let locale = i18n.locale();
                    let single = rows.len() == 1;
                    view! {
                        <div class="target-scroller ranking-scroller">
                            <table class="target-sheet ranking-table" data-testid="ranking-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{i18n.t(Key::RankingRank)}</th>
                                        <th scope="col" class="target-name-col">{i18n.t(Key::RankingName)}</th>
                                        <th scope="col">{i18n.t(Key::RankingPlace)}</th>
                                        <th scope="col">{i18n.t(Key::RankingScore)}</th>
                                        {metrics.iter().map(|m| view! { <th scope="col">{metric_label(*m, locale)}</th> }).collect_view()}
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let row = r.card.row;
                                        let shown = move || single || open.get() == Some(row);
                                        let cells: Vec<_> = metrics.iter().map(|m| {
                                            let part = r.card.parts.iter().find(|p| p.metric == *m);
                                            view! { <td>{part.map_or_else(|| "—".to_owned(), |p| percent(p.attained))}</td> }
                                        }).collect();
                                        let name = r.name.clone();
                                        let kept = r.clone();
                                        let more = move || details(&kept);
                                        let span_cols = (4 + metrics.len()).to_string();
                                        view! {
                                            <tr data-testid="ranking-row" data-subject=r.card.row.to_string()>
                                                <td data-testid="ranking-rank">{r.rank}</td>
                                                <th scope="row" class="target-name">
                                                    <button type="button" class="link-button" aria-expanded=move || shown().to_string()
                                                        on:click=move |_| open.update(|o| *o = if *o == Some(row) { None } else { Some(row) })>
                                                        {name}
                                                    </button>
                                                </th>
                                                <td class="ranking-place">{r.place.clone()}</td>
                                                <td data-testid="ranking-score"><strong>{format!("{:.1}", r.card.score)}</strong></td>
                                                {cells}
                                            </tr>
                                            <Show when=shown>
                                                <tr class="scorecard-row"><td colspan=span_cols.clone()>{more.clone()}</td></tr>
                                            </Show>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
