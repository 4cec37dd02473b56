//! The funnel chart (漏斗图) as SVG drawn from Rust: one band per stage from core's layout, labels that
//! never overlap, hover/tap/keyboard details, and the same figures as a table for screen readers.

use leptos::{ev, prelude::*};
use yingxiao_core::{
    domain::Collection,
    funnel::{
        layout_funnel, BandInput, FunnelFigures, FunnelLayout, LabelOf, LayoutSpec, Ratio, Stage,
    },
};

use crate::{
    format::{compact_yuan, days_text, format_yuan, percent},
    i18n::{I18n, Key},
};

/// One band as the page describes it: values to size it by, the text drawn on it, and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartBand {
    /// A stable name for tests and styles (`aware`, `won`…).
    pub key: &'static str,
    pub count: f64,
    pub amount: f64,
    /// Drawn on or beside the band, first line first.
    pub lines: Vec<String>,
    /// What the band says to assistive technology (its name and figures in words).
    pub aria_label: String,
    /// The band's row of the table and details panel, one cell per column; the first is its name.
    pub cells: Vec<String>,
}

/// Everything the chart shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartData {
    pub bands: Vec<ChartBand>,
    /// `steps[i]`: the step conversion from band `i` to `i + 1`, as drawn between them.
    pub steps: Vec<String>,
    /// Column headings of the table and details panel, the first over the band names.
    pub columns: Vec<String>,
    /// The chart's name, for the figure and the table's caption.
    pub caption: String,
}

/// Closed deals below which a win rate carries a caveat: two won of two closed is no "100%".
pub const SMALL_SAMPLE_CLOSED: u32 = 10;

/// The note beside a win rate drawn from fewer than `SMALL_SAMPLE_CLOSED` closed deals; none when
/// nothing closed (the rate is "—" then) or the sample is large enough.
pub fn win_rate_caveat(rate: Ratio, i18n: I18n) -> Option<String> {
    (rate.whole > 0 && rate.whole < SMALL_SAMPLE_CLOSED).then(|| {
        i18n.format(
            Key::FunnelSmallSample,
            &[
                ("count", &rate.whole.to_string()),
                ("min", &SMALL_SAMPLE_CLOSED.to_string()),
            ],
        )
    })
}

/// Fallback drawing width before the container is measured.
const DEFAULT_WIDTH: f64 = 640.0;

/// The interactive funnel. `selected` is the band whose deals the page lists; `on_select` is called
/// when the user picks a band by pointer, tap or keyboard (Enter/Space). `compact` draws a small,
/// read-only funnel (team comparisons): no details panel, bands not focusable.
#[component]
pub fn FunnelChart(
    #[prop(into)] data: Signal<ChartData>,
    #[prop(into)] by_amount: Signal<bool>,
    #[prop(into, optional)] selected: Signal<Option<usize>>,
    #[prop(optional)] on_select: Option<Callback<usize>>,
    #[prop(optional)] compact: bool,
    /// The `id` of the `<svg>`, for exporting it.
    #[prop(into, optional)]
    svg_id: Option<String>,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    let width = RwSignal::new(0.0_f64);
    let measure = move || {
        if let Some(div) = container.get_untracked() {
            let w = f64::from(div.client_width());
            if w > 0.0 && (w - width.get_untracked()).abs() >= 1.0 {
                width.set(w);
            }
        }
    };
    Effect::new(move |_| {
        if container.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let font_px = if compact { 12.0 } else { 14.0 };
    let layout = Memo::new(move |_| {
        let by_amount = by_amount.get();
        let w = match width.get() {
            w if w > 0.0 => w,
            _ => DEFAULT_WIDTH,
        };
        data.with(|d| {
            let bands: Vec<BandInput> = d
                .bands
                .iter()
                .map(|b| BandInput {
                    value: if by_amount { b.amount } else { b.count },
                    lines: b.lines.clone(),
                })
                .collect();
            let per_band = if compact { 52.0 } else { 86.0 };
            let spec = LayoutSpec {
                width: w,
                height: per_band * bands.len() as f64,
                font_px,
            };
            layout_funnel(&bands, &d.steps, &spec)
        })
    });

    // The band the details panel shows: under the pointer or keyboard, else the selected one.
    let hovered = RwSignal::new(None::<usize>);
    let shown = move || hovered.get().or(selected.get());
    let select = move |i: usize| {
        if let Some(on_select) = on_select {
            on_select.run(i);
        }
    };

    let band_view = move |i: usize, layout: &FunnelLayout| {
        let shape = layout.bands[i];
        let points = shape
            .points()
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ");
        let (key, aria) = data.with_untracked(|d| {
            d.bands
                .get(i)
                .map(|b| (b.key, b.aria_label.clone()))
                .unwrap_or_default()
        });
        if compact {
            return view! {
                <g class="funnel-band" data-stage=key data-band=i.to_string()>
                    <polygon points=points />
                </g>
            }
            .into_any();
        }
        view! {
            <g
                class="funnel-band"
                data-stage=key
                data-band=i.to_string()
                role="button"
                tabindex="0"
                aria-label=aria
                aria-pressed=move || (selected.get() == Some(i)).to_string()
                on:pointerenter=move |_| hovered.set(Some(i))
                on:pointerleave=move |_| hovered.set(None)
                on:focus=move |_| hovered.set(Some(i))
                on:blur=move |_| hovered.set(None)
                on:click=move |_| select(i)
                on:keydown=move |ev: ev::KeyboardEvent| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        select(i);
                    }
                }
            >
                <polygon points=points />
            </g>
        }
        .into_any()
    };

    let drawing = move || {
        let layout = layout.get();
        let view_box = format!("0 0 {:.0} {:.0}", layout.width, layout.height);
        let line_height = layout.line_height;
        let bands = (0..layout.bands.len())
            .map(|i| band_view(i, &layout))
            .collect_view();
        let leaders = layout
            .labels
            .iter()
            .filter(|l| !l.leader.is_empty())
            .map(|l| {
                let points = l
                    .leader
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                view! { <polyline class="funnel-leader" points=points /> }
            })
            .collect_view();
        let labels = layout
            .labels
            .iter()
            .map(|label| {
                let class = match (label.of, label.inside) {
                    (LabelOf::Step(_), _) => "funnel-label funnel-step",
                    (LabelOf::Band(_), true) => "funnel-label funnel-inside",
                    (LabelOf::Band(_), false) => "funnel-label funnel-beside",
                };
                let anchor = if label.inside { "middle" } else { "start" };
                let lines = label
                    .lines
                    .iter()
                    .zip(label.line_anchors(line_height))
                    .enumerate()
                    .map(|(n, (text, (x, y)))| {
                        view! {
                            <text
                                x=format!("{x:.1}")
                                y=format!("{y:.1}")
                                text-anchor=anchor
                                dominant-baseline="central"
                                class:funnel-label-head=n == 0 && matches!(label.of, LabelOf::Band(_))
                            >
                                {text.clone()}
                            </text>
                        }
                    })
                    .collect_view();
                view! { <g class=class>{lines}</g> }
            })
            .collect_view();
        view! {
            <svg
                id=svg_id.clone()
                class="funnel-svg"
                xmlns="http://www.w3.org/2000/svg"
                viewBox=view_box
                width=format!("{:.0}", layout.width)
                height=format!("{:.0}", layout.height)
                role="group"
                aria-label=move || data.with(|d| d.caption.clone())
                font-size=format!("{font_px}")
            >
                <g class="funnel-bands">{bands}</g>
                <g class="funnel-leaders" aria-hidden="true">{leaders}</g>
                <g class="funnel-labels" aria-hidden="true">{labels}</g>
            </svg>
        }
    };

    let details = move || {
        let i = shown()?;
        data.with(|d| {
            let band = d.bands.get(i)?;
            let rows = d
                .columns
                .iter()
                .zip(&band.cells)
                .skip(1)
                .map(|(column, cell)| {
                    view! {
                        <div>
                            <dt>{column.clone()}</dt>
                            <dd>{cell.clone()}</dd>
                        </div>
                    }
                })
                .collect_view();
            Some(view! {
                <h3 class="funnel-details-title">{band.cells.first().cloned().unwrap_or_default()}</h3>
                <dl class="funnel-details-facts">{rows}</dl>
            })
        })
    };

    // A table is never narrower than its content, so the box around it is what hides it.
    let table = move || {
        data.with(|d| {
            let head = d
                .columns
                .iter()
                .map(|c| view! { <th scope="col">{c.clone()}</th> })
                .collect_view();
            let rows = d
                .bands
                .iter()
                .map(|b| {
                    let mut cells = b.cells.iter();
                    let name = cells.next().cloned().unwrap_or_default();
                    let rest = cells.map(|c| view! { <td>{c.clone()}</td> }).collect_view();
                    view! { <tr><th scope="row">{name}</th>{rest}</tr> }
                })
                .collect_view();
            view! {
                <div class="funnel-sr-only">
                    <table>
                        <caption>{d.caption.clone()}</caption>
                        <thead><tr>{head}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
    };

    view! {
        <div class="funnel-chart" class:funnel-compact=compact>
            <div class="funnel-drawing" node_ref=container>{drawing}</div>
            {(!compact).then(|| view! {
                // Without a band to tell about, the panel takes no room (it stays, to announce).
                <div class="funnel-details" class:funnel-details-empty=move || shown().is_none()
                    data-testid="funnel-details" aria-live="polite">{details}</div>
            })}
            {table}
        </div>
    }
}

/// The stages drawn as bands: the open pipeline, then the deals won.
pub const BANDS: [Stage; 5] = [
    Stage::Aware,
    Stage::Compare,
    Stage::Negotiate,
    Stage::Commit,
    Stage::Won,
];
fn stage_label(stage: Stage, i18n: I18n) -> String {
    Collection::Opportunity
        .field("stage")
        .and_then(|f| f.choice_label(stage.as_str(), i18n.locale()))
        .unwrap_or(stage.as_str())
        .to_owned()
}

/// The chart's bands, steps, table and captions for one set of figures.
pub fn chart_data(figures: &FunnelFigures, caption: String, i18n: I18n) -> ChartData {
    let bands = BANDS
        .iter()
        .enumerate()
        .map(|(i, &stage)| {
            let tally = figures.snapshot.stage(stage);
            let name = stage_label(stage, i18n);
            let count = tally.count.to_string();
            let days = match stage.open_index() {
                Some(s) => figures.dwell[s].median_days,
                None => figures.cycle.median_days,
            };
            let days_line = days.map(|d| {
                let key = if stage == Stage::Won {
                    Key::FunnelBandCycle
                } else {
                    Key::FunnelBandDwell
                };
                i18n.format(key, &[("days", &format!("{d:.1}"))])
            });
            let step = figures
                .conversion
                .get(i)
                .map_or_else(|| "—".to_owned(), |c| percent(c.step.rate()));
            let mut lines = vec![
                format!(
                    "{name} · {}",
                    i18n.format(Key::FunnelBandCount, &[("count", &count)])
                ),
                compact_yuan(tally.amount, i18n.locale()),
            ];
            lines.extend(days_line.clone());
            let amount = format_yuan(tally.amount);
            ChartBand {
                key: stage.as_str(),
                count: f64::from(tally.count),
                amount: tally.amount as f64,
                lines,
                aria_label: i18n.format(
                    Key::FunnelBandAria,
                    &[
                        ("stage", &name),
                        ("count", &count),
                        ("amount", &amount),
                        ("days", &days_text(days)),
                    ],
                ),
                cells: vec![name, count, amount, step, days_text(days)],
            }
        })
        .collect();
    let steps = figures
        .conversion
        .iter()
        .map(|c| i18n.format(Key::FunnelStepLabel, &[("rate", &percent(c.step.rate()))]))
        .collect();
    ChartData {
        bands,
        steps,
        columns: [
            Key::FunnelColumnStage,
            Key::FunnelColumnCount,
            Key::FunnelColumnAmount,
            Key::FunnelColumnStep,
            Key::FunnelColumnDwell,
        ]
        .iter()
        .map(|k| i18n.t(*k).to_owned())
        .collect(),
        caption,
    }
}
