//! The month and week grid: week rows of day cells with the promotions as bars in lanes, and "+N"
//! for those a row leaves out (nothing is drawn for them but the count). A held bar lights up the
//! days it would cover.

use chrono::{Datelike, NaiveDate};
use leptos::{ev, prelude::*};
use wasm_bindgen::JsCast;
use yingxiao_core::{calendar::Bar, time::parse_date};

use super::{
    bar::{Dragging, Place, PromoBar},
    mover::Mover,
    ColourBy,
};
use crate::{
    data::{
        promotions::{PromoRow, Promotions},
        records::{Loaded, Shared},
    },
    format::local_today,
    i18n::{use_i18n, Key},
    mount::use_mount,
};

/// The grid as laid out for the view.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarGrid {
    pub weeks: Vec<GridWeek>,
    /// The promotions the view covers (drawn or counted).
    pub in_view: Vec<String>,
    /// Their budgets, 分.
    pub budget: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GridWeek {
    pub first: NaiveDate,
    /// Lanes drawn.
    pub lanes: u32,
    pub hidden: [u32; 7],
    pub bars: Vec<PlacedBar>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlacedBar {
    pub row: PromoRow,
    pub bar: Bar,
    pub conflicted: bool,
}

/// The day cell under a point of the viewport, from the cells' boxes (the pointer is over the bar,
/// so hit-testing elements would find the bar).
fn day_at(x: f64, y: f64) -> Option<Place> {
    let cells = document().query_selector_all("[data-day]").ok()?;
    (0..cells.length()).find_map(|i| {
        let cell: web_sys::Element = cells.item(i)?.dyn_into().ok()?;
        let rect = cell.get_bounding_client_rect();
        let inside = x >= rect.left() && x < rect.right() && y >= rect.top() && y < rect.bottom();
        inside
            .then(|| cell.get_attribute("data-day"))
            .flatten()
            .and_then(|day| parse_date(&day))
            .map(|day| Place { day, store: None })
    })
}

#[component]
pub fn Calendar(
    grid: Memo<Loaded<CalendarGrid>>,
    /// The month the view is about (days of other months are dimmed); `None` for a week.
    anchor_month: Signal<Option<u32>>,
    colour_by: RwSignal<ColourBy>,
    /// Bars with their dates and stores (the week view).
    tall: Signal<bool>,
    promotions: Memo<Loaded<Shared<Promotions>>>,
    mover: Mover,
) -> impl IntoView {
    let i18n = use_i18n();
    let mount = StoredValue::new(use_mount());
    let dragging = Dragging::new(mover, day_at);
    let open_day = RwSignal::new(None::<NaiveDate>);
    mover.keep_focus(move || grid.track());

    // Whether a day lights up as where the held bar would land.
    let targeted = move |day: NaiveDate| {
        dragging
            .landing()
            .is_some_and(|l| l.first <= day && day <= l.last)
    };
    let bar_view = move |placed: PlacedBar| {
        let PlacedBar {
            row,
            bar,
            conflicted,
        } = placed;
        let style = format!(
            "grid-column: {} / span {}; grid-row: {};",
            bar.column + 1,
            bar.columns,
            bar.lane + 2
        );
        view! {
            <PromoBar row style continued=bar.continued continues=bar.continues conflicted tall colour_by dragging />
        }
    };

    // The promotions on one day, for the "+N" panel.
    let on_day = move |day: NaiveDate| -> Vec<PromoRow> {
        promotions.with(|p| match p {
            Loaded::Ready(p) => {
                let ids: std::collections::HashSet<String> = grid.with(|g| match g {
                    Loaded::Ready(g) => g.in_view.iter().cloned().collect(),
                    _ => Default::default(),
                });
                p.rows
                    .iter()
                    .filter(|r| r.first <= day && day <= r.last && ids.contains(&r.id))
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        })
    };

    let week_view = move |week: GridWeek| {
        let rows = week.lanes.max(1);
        let style = format!(
            "grid-template-rows: 1.75rem repeat({rows}, var(--bar-height)) minmax(1.5rem, auto);"
        );
        let days: Vec<NaiveDate> = (0..7)
            .map(|i| week.first + chrono::Duration::days(i))
            .collect();
        view! {
            <div class="calendar-week" role="row" style=style data-week=week.first.to_string()>
                {days.iter().enumerate().map(|(i, &day)| {
                    let hidden = week.hidden[i];
                    let outside = move || anchor_month.get().is_some_and(|m| day.month() != m);
                    let is_today = day == local_today();
                    view! {
                        <div class="calendar-day" role="gridcell"
                            data-day=day.to_string()
                            class:calendar-day-outside=outside
                            class:calendar-day-today=is_today
                            class:calendar-day-target=move || targeted(day)
                            style=format!("grid-column: {}; grid-row: 1 / -1;", i + 1)>
                            <span class="calendar-day-number">{day.day()}</span>
                        </div>
                        {(hidden > 0).then(|| view! {
                            <button type="button" class="calendar-more" data-testid="calendar-more"
                                style=format!("grid-column: {}; grid-row: -2;", i + 1)
                                on:click=move |_| open_day.set(Some(day))>
                                {move || i18n.format(Key::PromotionsMore, &[("count", &hidden.to_string())])}
                            </button>
                        })}
                    }
                }).collect_view()}
                {week.bars.into_iter().map(bar_view).collect_view()}
            </div>
        }
    };

    let weekdays = [
        Key::WeekdayMon,
        Key::WeekdayTue,
        Key::WeekdayWed,
        Key::WeekdayThu,
        Key::WeekdayFri,
        Key::WeekdaySat,
        Key::WeekdaySun,
    ];
    view! {
        <div class="calendar" role="grid" data-testid="calendar"
            data-first=move || grid.with(|g| match g {
                Loaded::Ready(g) => g.weeks.first().map(|w| w.first.to_string()),
                _ => None,
            })
            data-bars=move || grid.with(|g| match g {
                Loaded::Ready(g) => g.weeks.iter().map(|w| w.bars.len()).sum::<usize>().to_string(),
                _ => String::new(),
            })
            class:calendar-tall=move || tall.get()
            class:calendar-dragging=move || dragging.active()>
            <div class="calendar-weekdays" role="row">
                {weekdays.into_iter().map(|key| view! { <span role="columnheader">{move || i18n.t(key)}</span> }).collect_view()}
            </div>
            {move || grid.with(|g| match g {
                Loaded::Ready(g) => g.weeks.clone(),
                _ => Vec::new(),
            }).into_iter().map(week_view).collect_view()}
        </div>
        {move || open_day.get().map(|day| {
            let rows = on_day(day);
            view! {
                <div class="card calendar-day-panel" role="dialog" aria-labelledby="calendar-day-title" data-testid="calendar-day-panel"
                    on:keydown=move |ev: ev::KeyboardEvent| if ev.key() == "Escape" { open_day.set(None); }>
                    <h2 id="calendar-day-title">{i18n.format(Key::PromotionsOnDay, &[("day", &day.to_string()), ("count", &rows.len().to_string())])}</h2>
                    <ul>
                        {rows.into_iter().map(|r| {
                            let href = mount.with_value(|m| m.href(&format!("/promotions/{}", r.id)));
                            view! { <li><a href=href>{r.name.clone()}</a>" "<span class="hint">{format!("{} – {}", r.first, r.last)}</span></li> }
                        }).collect_view()}
                    </ul>
                    <button type="button" class="button" on:click=move |_| open_day.set(None)>{move || i18n.t(Key::PromotionsClose)}</button>
                </div>
            }
        })}
    }
}
