//! The evaluation chart as SVG drawn from Rust: a bar per day of a promotion's sales before, during
//! and after it, the baseline as a dashed line across, and the promotion's days shaded, from core's
//! layout. Each bar tells its day and amount on hover, focus and to screen readers.

use chrono::Datelike;
use leptos::prelude::*;
use yingxiao_core::evaluation::{
    chart::{layout, LEFT},
    read::ChartDay,
};

use crate::{
    format::{compact_yuan, format_yuan},
    i18n::{use_i18n, Key},
};

/// The drawing's size in SVG units (it scales to its box).
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;

#[component]
pub fn SalesChart(
    /// The id of the `<svg>`, for saving it as a file.
    svg_id: &'static str,
    days: Vec<ChartDay>,
    /// What the chart is of, for its accessible name.
    name: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = layout(&days, WIDTH, HEIGHT);
    let locale = i18n.locale_untracked();
    let label = i18n.format(Key::EvaluationChartLabel, &[("name", &name)]);
    let shade = l.shade.map(|(x, width)| {
        view! { <rect class="sales-chart-shade" x=x y="0" width=width height=l.floor /> }
    });
    let ticks = l
        .ticks
        .iter()
        .map(|&(y, amount)| {
            view! {
                <line class="sales-chart-grid" x1=LEFT x2=l.right y1=y y2=y />
                <text class="sales-chart-tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">
                    {compact_yuan(amount, locale)}
                </text>
            }
        })
        .collect_view();
    let bars = l
        .bars
        .iter()
        .map(|bar| {
            let title = format!("{} {}", bar.day, format_yuan(bar.amount));
            let class = if bar.during {
                "sales-chart-bar during"
            } else {
                "sales-chart-bar"
            };
            view! {
                <rect class=class x=bar.x y=bar.y width=bar.width height=bar.height
                    data-day=bar.day.to_string() data-amount=bar.amount.to_string()>
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    let dates = l
        .dates
        .iter()
        .map(|&(x, day)| {
            view! {
                <text class="sales-chart-date" x=x y=l.floor + 18.0 text-anchor="middle">
                    {format!("{:02}-{:02}", day.month(), day.day())}
                </text>
            }
        })
        .collect_view();
    let has_days = !l.bars.is_empty();
    view! {
        <figure class="sales-chart" data-testid="evaluation-chart">
            // The size in units is also the size of a saved picture; the page scales it to its box.
            <svg id=svg_id viewBox=format!("0 0 {WIDTH} {HEIGHT}") width=WIDTH height=HEIGHT role="img" aria-label=label
                xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">
                {shade}
                {ticks}
                {bars}
                <Show when=move || has_days>
                    <line class="sales-chart-baseline" data-testid="evaluation-baseline"
                        x1=LEFT x2=l.right y1=l.baseline_y y2=l.baseline_y />
                </Show>
                <line class="sales-chart-axis" x1=LEFT x2=l.right y1=l.floor y2=l.floor />
                {dates}
            </svg>
            <figcaption class="sales-chart-legend">
                <span class="legend-item"><span class="legend-swatch sales" aria-hidden="true"></span>{move || i18n.t(Key::EvaluationLegendSales)}</span>
                <span class="legend-item"><span class="legend-swatch during" aria-hidden="true"></span>{move || i18n.t(Key::EvaluationLegendDuring)}</span>
                <span class="legend-item"><span class="legend-swatch baseline" aria-hidden="true"></span>
                    {move || format!("{} {}", i18n.t(Key::EvaluationLegendBaseline), format_yuan(l.baseline))}</span>
            </figcaption>
        </figure>
    }
}
