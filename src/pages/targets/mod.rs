//! `/targets` (目标): one metric's year as a sheet that follows the organisation (core's
//! `targets::sheet`) — a row per unit and per rep or promoter, the year and its twelve months with
//! quarter totals, edited in place — with what the months and the rows below leave of each year
//! shown live and in colour, each row's attainment to date against the time gone, and each row's
//! breakdown: decomposed in one step (`decompose`), submitted, approved, sent back or reopened
//! (`decide`). Every change is a mutation kept on the device, so the sheet works offline; what the
//! user may not set is shown but not editable, by the same rules the server applies.

mod decide;
mod decompose;
mod ranking;

use std::collections::HashSet;
use std::sync::Arc;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_query_map;
use wasm_bindgen::JsCast;
use yingxiao_core::{
    domain::Collection,
    locale::Locale,
    scope::Reach,
    targets::{
        actuals::Metric,
        approval::Breakdown,
        attainment::attained,
        attainment::Light,
        sheet::{intents, month_actuals, standing, write_cell, Rights, Sheet, Write},
    },
};

use self::{decide::DecidePanel, decompose::DecomposePanel, ranking::Ranking};
use crate::{
    components::record::{focus_later, list::RecordList},
    data::{
        new_record_id,
        org::use_org,
        records::watch_collection,
        records::{Loaded, Shared},
        sync::{use_data, Data},
        targets::use_actuals,
    },
    format::{local_today, parse_yuan, percent, yuan_input},
    i18n::{use_i18n, I18n, Key},
    permissions::use_access,
    session::use_session,
};

/// The metrics in the order the picker offers them.
const METRICS: [Metric; 5] = [
    Metric::SalesAmount,
    Metric::OrderCount,
    Metric::NewCustomers,
    Metric::Visits,
    Metric::OpportunityAmount,
];

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_label(m: usize, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{}月", m + 1),
        Locale::En => MONTHS_EN[m].to_owned(),
    }
}

fn metric_label(metric: Metric, locale: Locale) -> String {
    Collection::Target
        .field("metric")
        .and_then(|f| f.choice_label(metric.as_str(), locale))
        .unwrap_or(metric.as_str())
        .to_owned()
}

pub(crate) fn status_label(status: Breakdown, locale: Locale) -> String {
    Collection::Target
        .field("breakdown_status")
        .and_then(|f| f.choice_label(status.as_str(), locale))
        .unwrap_or(status.as_str())
        .to_owned()
}

/// A value of the metric for reading: yuan (rounded) for amounts, else the count.
pub(crate) fn figure(metric: Metric, value: i64) -> String {
    yingxiao_core::targets::export::figure(metric, value).csv_text()
}

/// A value as typed into a cell: 分 from yuan for amounts, else a whole count.
fn parse_figure(metric: Metric, text: &str) -> Option<i64> {
    let text = text.trim();
    if metric.is_money() {
        parse_yuan(text)
    } else {
        text.replace([',', '，'], "").parse::<i64>().ok()
    }
    .filter(|v| *v >= 0)
}

/// A value as the text of a cell's input.
fn input_text(metric: Metric, value: i64) -> String {
    if metric.is_money() {
        yuan_input(value)
    } else {
        value.to_string()
    }
}

/// What the rest leave of a whole, in words and a colour class: short of it, over it, or even.
fn gap_text(metric: Metric, gap: i64, i18n: I18n, short: Key, over: Key) -> (String, &'static str) {
    let amount = figure(metric, gap.abs());
    match gap.signum() {
        1 => (
            i18n.format(short, &[("amount", &amount)]),
            "target-gap target-gap-short",
        ),
        -1 => (
            i18n.format(over, &[("amount", &amount)]),
            "target-gap target-gap-over",
        ),
        _ => (
            i18n.t(Key::TargetsAddsUp).to_owned(),
            "target-gap target-gap-even",
        ),
    }
}

/// Makes `writes` on the device, in order; the first refusal is returned in the user's words.
pub(crate) async fn make_writes(
    data: Data,
    sheet: &Sheet,
    metric: Metric,
    writes: &[Write],
) -> Result<(), String> {
    for intent in intents(sheet, metric, writes, new_record_id) {
        data.mutate(intent).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The sheet as drawn, and its metric.
#[derive(Clone)]
pub(crate) struct Drawn {
    pub sheet: Shared<Sheet>,
    pub metric: Metric,
}

impl PartialEq for Drawn {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.sheet.0, &other.sheet.0)
    }
}

/// What the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Sheet,
    Ranking,
    List,
}

/// A cell being edited: its row's subject and its month (`None`: the year).
type Editing = Option<(String, Option<usize>)>;

/// A panel open over the sheet for one row (by subject).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Panel {
    Decompose(String),
    Decide(String, Breakdown),
}

#[component]
pub fn TargetsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let session = use_session();
    let query = use_query_map();
    let org = use_org(data, session);
    let targets = watch_collection(data, Collection::Target);
    let actuals = use_actuals(data);
    let today = local_today();
    let this_year = chrono::Datelike::year(&today);

    let metric = RwSignal::new(
        query
            .with_untracked(|q| q.get("metric"))
            .and_then(|m| Metric::parse(&m))
            .unwrap_or(Metric::SalesAmount),
    );
    let year = RwSignal::new(
        query
            .with_untracked(|q| q.get("year"))
            .and_then(|y| y.parse::<i32>().ok())
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or(this_year),
    );
    // The breakdown sheet, the ranking and scorecards (`?view=ranking`), or the targets as the
    // generated list of records (`?view=list`: search, filters, export, a new one from the form).
    let asked_view = query
        .with_untracked(|q| q.get("view"))
        .or_else(crate::prefs::targets_view);
    let shown_view = RwSignal::new(match asked_view.as_deref() {
        Some("ranking") => View::Ranking,
        Some("list") => View::List,
        _ => View::Sheet,
    });
    Effect::new(move |_| {
        crate::prefs::save_targets_view(match shown_view.get() {
            View::Sheet => "sheet",
            View::Ranking => "ranking",
            View::List => "list",
        })
    });
    let ranking = Signal::derive(move || shown_view.get() == View::Ranking);
    let listed = Signal::derive(move || shown_view.get() == View::List);
    // A person who sees only their own records sees their own row.
    let me = Memo::new(move |_| {
        session
            .get()
            .filter(|s| {
                matches!(
                    s.user.role.reach(),
                    Reach::OwnAndCustomers | Reach::OwnAndStore
                )
            })
            .map(|s| s.user.user_id)
    });
    let drawn = Memo::new(move |_| -> Loaded<Drawn> {
        let org = match org.get() {
            Loaded::Ready(org) => org,
            Loaded::Failed(e) => return Loaded::Failed(e),
            Loaded::Loading => return Loaded::Loading,
        };
        let rows = match targets.get() {
            Some(Ok(rows)) => rows,
            read => {
                return match Loaded::from_read(read, || data.status.get()) {
                    Loaded::Failed(e) => Loaded::Failed(e),
                    _ => Loaded::Loading,
                }
            }
        };
        let metric = metric.get();
        let targets = crate::data::records::live_fields(&rows);
        let sheet = Sheet::build(&org.units, &org.people, &targets, metric, year.get());
        let sheet = match me.get() {
            Some(user) => sheet.only(&user),
            None => sheet,
        };
        Loaded::Ready(Drawn {
            sheet: Shared(Arc::new(sheet)),
            metric,
        })
    });
    let rights = Memo::new(move |_| -> Vec<Rights> {
        let Loaded::Ready(d) = drawn.get() else {
            return Vec::new();
        };
        access.with(|state| {
            (0..d.sheet.rows.len())
                .map(|row| {
                    d.sheet.rights(row, &state.org, |action, facts| {
                        state.can(Collection::Target, action, Some(facts))
                    })
                })
                .collect()
        })
    });
    // Rows whose children show: the top rows unless closed, the others once opened.
    let toggled = RwSignal::new(HashSet::<String>::new());
    let editing = RwSignal::new(None as Editing);
    let draft = RwSignal::new(String::new());
    let cell_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let panel = RwSignal::new(None::<Panel>);
    let busy = RwSignal::new(false);

    let is_open = move |sheet: &Sheet, row: usize| {
        let r = &sheet.rows[row];
        (r.depth == 0) != toggled.with(|t| t.contains(&r.subject_id))
    };
    let visible = Memo::new(move |_| -> Vec<usize> {
        let Loaded::Ready(d) = drawn.get() else {
            return Vec::new();
        };
        let sheet = &d.sheet;
        let mut shown = vec![false; sheet.rows.len()];
        let mut out = Vec::new();
        for (at, r) in sheet.rows.iter().enumerate() {
            let show = match r.parent {
                None => true,
                Some(p) => shown[p] && is_open(sheet, p),
            };
            shown[at] = show;
            if show {
                out.push(at);
            }
        }
        out
    });

    let start_edit = move |subject: String, month: Option<usize>, value: Option<i64>| {
        let m = metric.get_untracked();
        draft.set(value.map(|v| input_text(m, v)).unwrap_or_default());
        cell_error.set(None);
        editing.set(Some((subject, month)));
        focus_later("target-edit");
    };
    // Ends the edit of one cell with this text, writing it if it changes the figure. The editor is
    // closed only while it still edits that cell: the user may have moved on to another one.
    let commit_cell = move |here: (String, Option<usize>), text: String| {
        let still_here = {
            let here = here.clone();
            move || editing.with_untracked(|e| e.as_ref() == Some(&here))
        };
        let close = {
            let still_here = still_here.clone();
            move || {
                if still_here() {
                    editing.set(None);
                }
            }
        };
        let (subject, month) = here;
        let Loaded::Ready(d) = drawn.get_untracked() else {
            return;
        };
        let Some(row) = d.sheet.rows.iter().position(|r| r.subject_id == subject) else {
            close();
            return;
        };
        let r = &d.sheet.rows[row];
        let current = match month {
            None => r.year.as_ref(),
            Some(m) => r.months[m].as_ref(),
        }
        .map(|c| c.value);
        if text.trim().is_empty() && current.is_none() {
            close();
            return;
        }
        let Some(value) = parse_figure(d.metric, &text) else {
            if still_here() {
                let key = if d.metric.is_money() {
                    Key::TargetsInvalidMoney
                } else {
                    Key::TargetsInvalidCount
                };
                cell_error.set(Some(i18n.t(key).to_owned()));
                focus_later("target-edit");
            }
            return;
        };
        close();
        if current == Some(value) {
            return;
        }
        let Some(write) = write_cell(&d.sheet, row, month, value) else {
            return;
        };
        spawn_local(async move {
            if let Err(message) = make_writes(data, &d.sheet, d.metric, &[write]).await {
                error.set(Some(message));
            }
        });
    };
    let commit = move || {
        if let Some(here) = editing.get_untracked() {
            commit_cell(here, draft.get_untracked());
        }
    };
    // The editor lost the focus. Chromium also says so when a redraw (new data arriving from a sync
    // or the actuals) replaces the input: then the edit goes on in the new input, with its text.
    let left_cell = move |here: (String, Option<usize>), input: Option<web_sys::Node>| {
        let text = draft.get_untracked();
        request_animation_frame(move || {
            let replaced = input.is_some_and(|node| !node.is_connected());
            let now = editing.get_untracked();
            match now {
                Some(now) if replaced && now == here => focus_later("target-edit"),
                // Closed by Enter, Escape or a change of view: dealt with there.
                None if replaced => {}
                // Left for another cell, or for anywhere else.
                _ => commit_cell(here, text),
            }
        });
    };

    let header = move || {
        let locale = i18n.locale();
        let mut cells = vec![
            view! { <th scope="col" class="target-name-col">{i18n.t(Key::TargetsColName)}</th> }
                .into_any(),
            view! { <th scope="col" class="target-year-col">{i18n.t(Key::TargetsColYear)}</th> }
                .into_any(),
        ];
        for m in 0..12 {
            cells.push(view! { <th scope="col">{month_label(m, locale)}</th> }.into_any());
            if m % 3 == 2 {
                let q = format!("Q{}", m / 3 + 1);
                cells.push(view! { <th scope="col" class="target-quarter">{q}</th> }.into_any());
            }
        }
        for key in [
            Key::TargetsColMonthsGap,
            Key::TargetsColActual,
            Key::TargetsColAttained,
            Key::TargetsColForecast,
            Key::TargetsColBreakdown,
        ] {
            cells.push(view! { <th scope="col">{i18n.t(key)}</th> }.into_any());
        }
        view! { <tr>{cells}</tr> }
    };

    let row_view = move |row: usize| {
        let Loaded::Ready(d) = drawn.get() else {
            return None;
        };
        let sheet = d.sheet.clone();
        let m = d.metric;
        let r = sheet.rows[row].clone();
        let right = rights.with(|all| all.get(row).copied().unwrap_or_default());
        let locale = i18n.locale();
        let open = is_open(&sheet, row);
        let subject = r.subject_id.clone();
        let has_children = !r.children.is_empty();
        let toggle = {
            let subject = subject.clone();
            move |_| {
                toggled.update(|t| {
                    if !t.remove(&subject) {
                        t.insert(subject.clone());
                    }
                })
            }
        };
        let status = r.year.as_ref().map(|c| c.status);
        let comment = r.year.as_ref().and_then(|c| c.comment.clone());

        // One editable figure: the year (`None`) or a month.
        let cell = {
            let subject = subject.clone();
            let r = r.clone();
            move |month: Option<usize>| {
                let value = match month {
                    None => r.year.as_ref(),
                    Some(k) => r.months[k].as_ref(),
                }
                .map(|c| c.value);
                let editable = match month {
                    None => right.set_year,
                    Some(_) => right.break_down,
                };
                let here = (subject.clone(), month);
                let is_editing = editing.with(|e| e.as_ref() == Some(&here));
                let period = match month {
                    None => i18n.t(Key::TargetsColYear).to_owned(),
                    Some(k) => month_label(k, locale),
                };
                let label = format!("{} {period}", r.name);
                let shown = value.map_or_else(|| "—".to_owned(), |v| figure(m, v));
                if is_editing {
                    view! {
                        <td class="target-cell target-editing">
                            <input id="target-edit" class="input target-input" inputmode="decimal"
                                aria-label=label.clone() data-testid="target-input"
                                aria-invalid=move || cell_error.with(Option::is_some).to_string()
                                aria-describedby="target-cell-error"
                                prop:value=move || draft.get()
                                on:input=move |e| draft.set(event_target_value(&e))
                                on:keydown=move |e: leptos::ev::KeyboardEvent| match e.key().as_str() {
                                    "Enter" => { e.prevent_default(); commit(); }
                                    "Escape" => { editing.set(None); cell_error.set(None); }
                                    _ => {}
                                }
                                on:blur={
                                    let here = here.clone();
                                    move |e: leptos::ev::FocusEvent| {
                                        let input = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                                        left_cell(here.clone(), input)
                                    }
                                } />
                            {move || cell_error.get().map(|t| view! {
                                <span id="target-cell-error" class="field-error" role="alert">{t}</span>
                            })}
                        </td>
                    }
                    .into_any()
                } else if editable {
                    let subject = subject.clone();
                    view! {
                        <td class="target-cell">
                            <button type="button" class="target-figure" data-testid="target-cell"
                                data-month=month.map(|k| k.to_string()).unwrap_or_else(|| "year".into())
                                aria-label=format!("{label}: {shown}")
                                on:click=move |_| start_edit(subject.clone(), month, value)>
                                {shown.clone()}
                            </button>
                        </td>
                    }
                    .into_any()
                } else {
                    view! {
                        <td class="target-cell target-readonly" data-testid="target-cell"
                            data-month=month.map(|k| k.to_string()).unwrap_or_else(|| "year".into())>
                            {shown}
                        </td>
                    }
                    .into_any()
                }
            }
        };

        let mut cells = Vec::new();
        let name = view! {
            <th scope="row" class="target-name" style=format!("padding-inline-start: {}rem", 0.5 + r.depth as f64 * 1.1)>
                {has_children.then(|| {
                    let key = if open { Key::TargetsCollapse } else { Key::TargetsExpand };
                    view! {
                        <button type="button" class="target-toggle" aria-expanded=open.to_string()
                            aria-label=i18n.format(key, &[("name", &r.name)]) on:click=toggle>
                            {if open { "▾" } else { "▸" }}
                        </button>
                    }
                })}
                <span class="target-subject">{r.name.clone()}</span>
                {status.map(|s| view! {
                    <span class="chip target-status" data-status=s.as_str() data-testid="target-status">
                        {status_label(s, locale)}
                    </span>
                })}
                {comment.filter(|_| status == Some(Breakdown::Draft)).map(|c| view! {
                    <span class="target-comment" data-testid="target-comment">
                        {i18n.format(Key::TargetsComment, &[("comment", &c)])}
                    </span>
                })}
            </th>
        };
        cells.push(name.into_any());
        // The year, with what the rows below leave of it.
        let below = sheet
            .children_gap(row)
            .map(|g| gap_text(m, g, i18n, Key::TargetsBelowShort, Key::TargetsBelowOver));
        let year_cell = cell(None);
        cells.push(
            view! {
                {year_cell}
            }
            .into_any(),
        );
        let months = r.month_values();
        for k in 0..12 {
            cells.push(cell(Some(k)).into_any());
            if k % 3 == 2 {
                let q: i64 = months[k - 2..=k].iter().sum();
                let text = if r.phased() {
                    figure(m, q)
                } else {
                    "—".into()
                };
                cells.push(view! { <td class="target-quarter">{text}</td> }.into_any());
            }
        }
        let phasing = sheet
            .phasing_gap(row)
            .map(|g| gap_text(m, g, i18n, Key::TargetsMonthsShort, Key::TargetsMonthsOver));
        cells.push(
            view! {
                <td class="target-gaps" data-testid="target-gaps">
                    {phasing.map(|(t, class)| view! { <span class=class data-testid="target-months-gap">{t}</span> })}
                    {below.map(|(t, class)| view! { <span class=class data-testid="target-below-gap">{t}</span> })}
                </td>
            }
            .into_any(),
        );
        let s = actuals.with(|a| standing(&sheet, row, a, m, today));
        let light = s.as_ref().and_then(|s| s.light).map(|l| match l {
            Light::Green => ("green", Key::TargetsLightGreen),
            Light::Amber => ("amber", Key::TargetsLightAmber),
            Light::Red => ("red", Key::TargetsLightRed),
        });
        cells.push(view! { <td class="target-actual" data-testid="target-actual">{s.as_ref().map_or_else(|| "…".to_owned(), |s| figure(m, s.year_actual))}</td> }.into_any());
        cells.push(
            view! {
                <td class="target-attained" data-testid="target-attained">
                    {light.map(|(l, key)| view! {
                        <span class="target-light" data-light=l role="img" aria-label=i18n.t(key) title=i18n.t(key)></span>
                    })}
                    {percent(s.as_ref().and_then(|s| s.attained))}
                </td>
            }
            .into_any(),
        );
        cells.push(
            view! { <td>{s.as_ref().and_then(|s| s.forecast).map_or_else(|| "—".to_owned(), |f| figure(m, f))}</td> }
                .into_any(),
        );
        // The breakdown's steps this user may take.
        let mut steps = Vec::new();
        let has_parts = has_children || r.year.is_some();
        if right.break_down && has_parts {
            let subject = subject.clone();
            steps.push(
                view! {
                    <button type="button" class="button button-small" data-testid="target-decompose"
                        on:click=move |_| panel.set(Some(Panel::Decompose(subject.clone())))>
                        {i18n.t(Key::TargetsDecompose)}
                    </button>
                }
                .into_any(),
            );
        }
        let mut step = |to: Breakdown, key: Key, testid: &'static str| {
            let subject = subject.clone();
            steps.push(
                view! {
                    <button type="button" class="button button-small" data-testid=testid
                        on:click=move |_| panel.set(Some(Panel::Decide(subject.clone(), to)))>
                        {i18n.t(key)}
                    </button>
                }
                .into_any(),
            );
        };
        if right.submit {
            step(Breakdown::Submitted, Key::TargetsSubmit, "target-submit");
        }
        if right.decide {
            match status {
                Some(Breakdown::Submitted) => {
                    step(Breakdown::Approved, Key::TargetsApprove, "target-approve");
                    step(Breakdown::Draft, Key::TargetsSendBack, "target-send-back");
                }
                Some(Breakdown::Approved) => {
                    step(Breakdown::Draft, Key::TargetsReopen, "target-reopen");
                }
                _ => {}
            }
        }
        cells.push(view! { <td class="target-steps">{steps}</td> }.into_any());

        Some(view! {
            <tr data-testid="target-row" data-subject=subject.clone()
                data-kind=if r.kind == yingxiao_core::targets::actuals::SubjectKind::Unit { "unit" } else { "user" }
                data-depth=r.depth.to_string()>
                {cells}
            </tr>
        })
    };

    let body = move || {
        match drawn.get() {
        Loaded::Loading => view! { <p class="hint" role="status">{i18n.t(Key::ListLoading)}</p> }.into_any(),
        Loaded::Failed(e) => view! { <p class="form-error" role="alert">{e}</p> }.into_any(),
        Loaded::Ready(d) if d.sheet.rows.is_empty() => {
            view! { <p class="empty-state" data-testid="targets-empty">{i18n.t(Key::TargetsEmpty)}</p> }.into_any()
        }
        Loaded::Ready(d) => {
            let nothing_set = d.sheet.rows.iter().all(|r| r.year.is_none());
            // One's own row (a rep's, a promoter's) also as a list of months, which a phone shows
            // whole where the sheet scrolls sideways.
            let own = (d.sheet.rows.len() == 1).then(|| {
                let sheet = d.sheet.clone();
                let m = d.metric;
                move || {
                    let locale = i18n.locale();
                    let r = &sheet.rows[0];
                    let done = actuals.with(|a| month_actuals(&sheet, 0, a, m));
                    let months = r.month_values();
                    let items: Vec<_> = (0..12)
                        .map(|k| {
                            let target = r.months[k].as_ref().map(|_| months[k]);
                            let actual = done.map(|d| d[k]);
                            let share = match (actual, target) {
                                (Some(a), Some(t)) => attained(a, t),
                                _ => None,
                            };
                            view! {
                                <li data-testid="own-month">
                                    <span class="own-month-name">{month_label(k, locale)}</span>
                                    <span>{target.map_or_else(|| "—".to_owned(), |t| figure(m, t))}</span>
                                    <span>{actual.map_or_else(|| "…".to_owned(), |a| figure(m, a))}</span>
                                    <span>{percent(share)}</span>
                                </li>
                            }
                        })
                        .collect();
                    view! {
                        <section class="card own-months" aria-labelledby="own-months-title" data-testid="own-months">
                            <h2 id="own-months-title">{i18n.t(Key::TargetsOwnMonths)}</h2>
                            <ul>
                                <li class="own-month-head" aria-hidden="true">
                                    <span></span>
                                    <span>{i18n.t(Key::TargetsOwnTarget)}</span>
                                    <span>{i18n.t(Key::TargetsOwnActual)}</span>
                                    <span>{i18n.t(Key::TargetsColAttained)}</span>
                                </li>
                                {items}
                            </ul>
                        </section>
                    }
                }
            });
            view! {
                {nothing_set.then(|| view! { <p class="hint" data-testid="targets-start">{i18n.t(Key::TargetsStartHint)}</p> })}
                {own}
                <div class="target-scroller">
                    <table class="target-sheet" data-testid="target-sheet">
                        <thead>{header}</thead>
                        <tbody>
                            {move || visible.get().into_iter().filter_map(row_view).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    }
    };

    let view_button = move |v: View, key: Key, testid: &'static str| {
        view! {
            <button type="button" class="button segmented-button" data-testid=testid
                aria-pressed=move || (shown_view.get() == v).to_string()
                on:click=move |_| { shown_view.set(v); editing.set(None); }>
                {move || i18n.t(key)}
            </button>
        }
    };

    view! {
        <section class="page targets-page" data-testid="targets-page"
            aria-busy=move || matches!(drawn.get(), Loaded::Loading).to_string()>
            <header class="page-header">
                // The list draws its own heading (with its 新建).
                <Show when=move || !listed.get()>
                    <h1 class="page-title">{move || Collection::Target.label(i18n.locale())}</h1>
                </Show>
                <div class="segmented" role="group" aria-label=move || i18n.t(Key::RankingViews)>
                    {view_button(View::Sheet, Key::RankingSheet, "targets-view-sheet")}
                    {view_button(View::Ranking, Key::RankingTitle, "targets-view-ranking")}
                    {view_button(View::List, Key::TargetsList, "targets-view-list")}
                </div>
                <div class="targets-controls" class:hidden=move || listed.get()>
                    <label class="inline-field" class:hidden=move || ranking.get()>
                        <span>{move || i18n.t(Key::TargetsMetric)}</span>
                        <select data-testid="targets-metric" on:change=move |ev| {
                            if let Some(m) = Metric::parse(&event_target_value(&ev)) {
                                metric.set(m);
                                editing.set(None);
                            }
                        }>
                            {METRICS.iter().map(|&m| view! {
                                <option value=m.as_str() selected=move || metric.get() == m>
                                    {move || metric_label(m, i18n.locale())}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="inline-field">
                        <span>{move || i18n.t(Key::TargetsYear)}</span>
                        <select data-testid="targets-year" on:change=move |ev| {
                            if let Ok(y) = event_target_value(&ev).parse::<i32>() {
                                year.set(y);
                                editing.set(None);
                            }
                        }>
                            {(this_year - 1..=this_year + 1).map(|y| view! {
                                <option value=y.to_string() selected=move || year.get() == y>{y.to_string()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
            </header>
            <Show when=move || ranking.get()>
                <Ranking org targets actuals year me />
            </Show>
            <Show when=move || listed.get()>
                <RecordList collection=Collection::Target />
            </Show>
            <Show when=move || shown_view.get() == View::Sheet>
            <p class="hint targets-unit">{move || {
                if metric.get().is_money() { i18n.t(Key::TargetsUnitMoney) } else { i18n.t(Key::TargetsUnitCount) }
            }}</p>
            {move || error.get().map(|e| view! {
                <p class="form-error" role="alert" data-testid="targets-error">
                    {e}" "
                    <button type="button" class="link-button" on:click=move |_| error.set(None)>{i18n.t(Key::OrgMoveDismiss)}</button>
                </p>
            })}
            {move || panel.get().and_then(|p| {
                let Loaded::Ready(d) = drawn.get() else { return None };
                Some(match p {
                    Panel::Decompose(subject) => view! {
                        <DecomposePanel drawn=d subject panel busy actuals />
                    }.into_any(),
                    Panel::Decide(subject, to) => view! {
                        <DecidePanel drawn=d subject to panel busy />
                    }.into_any(),
                })
            })}
            {body}
            </Show>
        </section>
    }
}
