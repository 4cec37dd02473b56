//! The timeline: a row per store (in order of its unit, then its name) across a year of days, each
//! store's promotions packed in lanes. Only the rows and days in view are drawn, so 300 stores over a
//! year scroll as fast as one screen: the scroll position picks the rows (core's `rows_in_view`) and
//! the days, and everything else is empty space of the right size. A bar is dragged along its row to
//! other days, by an edge, or to another store's row, which moves the promotion from one store to
//! the other.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use leptos::{html, prelude::*};
use yingxiao_core::calendar::{row_offsets, rows_in_view, timeline_rows, Span, TimelineRow};

use super::{
    bar::{Dragging, Place, PromoBar},
    mover::Mover,
    ColourBy, Filter,
};
use crate::{
    data::{
        promotions::{PromoRow, Promotions, StoreRow},
        records::{Loaded, Shared},
    },
    i18n::{use_i18n, Key},
};

const DAY_PX: f64 = 32.0;
const LANE_PX: f64 = 26.0;
const ROW_PADDING_PX: f64 = 6.0;
const LABEL_PX: f64 = 168.0;
const HEADER_PX: f64 = 44.0;
/// Rows and days drawn beyond the viewport on each side, so a fast flick never shows a blank.
const OVERSCAN_ROWS: usize = 4;
const OVERSCAN_DAYS: i64 = 7;

/// The timeline of a year as laid out for the filter.
#[derive(Debug, PartialEq)]
struct Layout {
    first: NaiveDate,
    /// The stores drawn, as positions in the store list.
    shown: Vec<usize>,
    days: i64,
    /// The promotions the filter keeps in the year.
    kept: Vec<PromoRow>,
    conflicted: Vec<bool>,
    rows: Vec<TimelineRow>,
    offsets: Vec<f64>,
}

fn layout(promotions: &Promotions, stores: &[StoreRow], filter: &Filter, year: i32) -> Layout {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let kept: Vec<PromoRow> = promotions
        .rows
        .iter()
        .filter(|r| filter.keeps_within(r, first, last))
        .cloned()
        .collect();
    let conflicted = kept
        .iter()
        .map(|r| promotions.conflicted.contains_key(&r.id))
        .collect();
    let row_of: HashMap<&str, usize> = stores
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); stores.len()];
    for (i, promotion) in kept.iter().enumerate() {
        for store in &promotion.stores {
            if let Some(&row) = row_of.get(store.as_str()) {
                members[row].push(i);
            }
        }
    }
    // Lanes over the days each promotion has in the year.
    let spans: Vec<Span> = kept
        .iter()
        .map(|r| Span {
            id: &r.id,
            first: r.first.max(first),
            last: r.last.min(last),
        })
        .collect();
    // With a filter on, only the stores it leaves a promotion in.
    let filtered = *filter != Filter::default();
    let shown: Vec<usize> = (0..stores.len())
        .filter(|&r| !filtered || !members[r].is_empty())
        .collect();
    let members: Vec<Vec<usize>> = shown
        .iter()
        .map(|&r| std::mem::take(&mut members[r]))
        .collect();
    let rows = timeline_rows(&spans, &members);
    let offsets = row_offsets(&rows, LANE_PX, ROW_PADDING_PX);
    Layout {
        first,
        shown,
        days: (last - first).num_days() + 1,
        kept,
        conflicted,
        rows,
        offsets,
    }
}

/// A store row in view as drawn: where it sits, and its bars (promotion, placement, in conflict).
#[derive(Clone, Debug, PartialEq)]
struct DrawnRow {
    store: StoreRow,
    top: f64,
    height: f64,
    bars: Vec<(PromoRow, String, bool)>,
}

/// Where the timeline is scrolled to, and how much of it is seen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Viewport {
    top: f64,
    left: f64,
    width: f64,
    height: f64,
}

#[component]
pub fn Timeline(
    promotions: Memo<Loaded<Shared<Promotions>>>,
    stores: Memo<Vec<StoreRow>>,
    filter: RwSignal<Filter>,
    anchor: RwSignal<NaiveDate>,
    colour_by: RwSignal<ColourBy>,
    mover: Mover,
) -> impl IntoView {
    let i18n = use_i18n();
    let scroller = NodeRef::<html::Div>::new();
    let viewport = RwSignal::new(Viewport::default());
    let year = Memo::new(move |_| anchor.get().year());
    let model = Memo::new(move |_| {
        let year = year.get();
        promotions.with(|p| match p {
            Loaded::Ready(p) => {
                stores.with(|stores| filter.with(|f| Some(layout(p, stores, f, year))))
            }
            _ => None,
        })
    });
    mover.keep_focus(move || model.track());

    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            viewport.set(Viewport {
                top: f64::from(el.scroll_top()),
                left: f64::from(el.scroll_left()),
                width: f64::from(el.client_width()),
                height: f64::from(el.client_height()),
            });
        }
    };
    // The anchor's month is scrolled into view (on opening, and by ‹ › and 今天).
    Effect::new(move |_| {
        let day = anchor.get();
        let Some(el) = scroller.get() else {
            return;
        };
        let month = day.with_day(1).unwrap_or(day);
        let first = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
        let x = (month - first).num_days() as f64 * DAY_PX;
        el.set_scroll_left(x as i32);
        request_animation_frame(measure);
    });
    let on_resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || on_resize.remove());

    // Where a point of the screen falls: the day under it, and the store row.
    let locate = move |x: f64, y: f64| -> Option<Place> {
        let el = scroller.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        let inside_x = x - rect.left() + f64::from(el.scroll_left()) - LABEL_PX;
        let inside_y = y - rect.top() + f64::from(el.scroll_top()) - HEADER_PX;
        model.with_untracked(|m| {
            let m = m.as_ref()?;
            let day = (inside_x / DAY_PX).floor() as i64;
            if !(0..m.days).contains(&day) {
                return None;
            }
            let row = m.offsets[1..].partition_point(|&end| end <= inside_y);
            let store = m
                .shown
                .get(row)
                .and_then(|&at| stores.with_untracked(|s| s.get(at).map(|s| s.id.clone())));
            Some(Place {
                day: m.first + chrono::Duration::days(day),
                store,
            })
        })
    };
    let dragging = Dragging::new(mover, locate);

    let header = move || {
        let view_port = viewport.get();
        model.with(|m| {
            let Some(m) = m else {
                return Vec::new();
            };
            let from = ((view_port.left / DAY_PX).floor() as i64 - OVERSCAN_DAYS).max(0);
            let to = (((view_port.left + view_port.width) / DAY_PX).ceil() as i64 + OVERSCAN_DAYS)
                .min(m.days);
            (from..to)
                .map(|d| {
                    let day = m.first + chrono::Duration::days(d);
                    let weekend = day.weekday().num_days_from_monday() >= 5;
                    let month_start = day.day() == 1;
                    view! {
                        <span class="timeline-day" class:timeline-weekend=weekend
                            style=format!("left: {}px;", LABEL_PX + d as f64 * DAY_PX)>
                            {month_start.then(|| view! { <b class="timeline-month">{format!("{}/{}", day.year(), day.month())}</b> })}
                            <span>{day.day()}</span>
                        </span>
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    // The rows in view, each with its bars in the days in view: what is drawn, and (its bar count)
    // what tells a benchmark or a test that the picture on screen is complete.
    let visible = Memo::new(move |_| {
        let view_port = viewport.get();
        model.with(|m| {
            let Some(m) = m else {
                return Vec::new();
            };
            let rows = rows_in_view(
                &m.offsets,
                view_port.top - HEADER_PX,
                view_port.height,
                OVERSCAN_ROWS,
            );
            let day_from = m.first
                + chrono::Duration::days((view_port.left / DAY_PX).floor() as i64 - OVERSCAN_DAYS);
            let day_to = m.first
                + chrono::Duration::days(
                    ((view_port.left + view_port.width) / DAY_PX).ceil() as i64 + OVERSCAN_DAYS,
                );
            stores.with(|stores| {
                rows.map(|r| DrawnRow {
                    store: stores[m.shown[r]].clone(),
                    top: HEADER_PX + m.offsets[r],
                    height: m.offsets[r + 1] - m.offsets[r],
                    bars: m.rows[r]
                        .bars
                        .iter()
                        .filter(|&&(i, _)| m.kept[i].first <= day_to && m.kept[i].last >= day_from)
                        .map(|&(i, lane)| {
                            let row = m.kept[i].clone();
                            let start = (row.first.max(m.first) - m.first).num_days() as f64;
                            let days = (row.last - row.first.max(m.first)).num_days() as f64 + 1.0;
                            let style = format!(
                                "position: absolute; left: {}px; width: {}px; top: {}px; height: {}px;",
                                LABEL_PX + start * DAY_PX,
                                days * DAY_PX - 2.0,
                                f64::from(lane) * LANE_PX + ROW_PADDING_PX / 2.0,
                                LANE_PX - 3.0
                            );
                            (row, style, m.conflicted[i])
                        })
                        .collect(),
                })
                .collect()
            })
        })
    });
    let rows = move || {
        visible
            .get()
            .into_iter()
            .map(|drawn| {
                let bars = drawn
                    .bars
                    .into_iter()
                    .map(|(row, style, conflicted)| {
                        view! {
                            <PromoBar row style continued=false continues=false conflicted
                                tall=Signal::stored(false) colour_by dragging />
                        }
                    })
                    .collect::<Vec<_>>();
                let (top, height) = (drawn.top, drawn.height);
                view! {
                    <div class="timeline-row" data-store=drawn.store.id.clone() role="row"
                        style=format!("top: {top}px; height: {height}px;")>
                        <div class="timeline-label" role="rowheader">
                            <span class="timeline-store">{drawn.store.name}</span>
                            <span class="timeline-unit">{drawn.store.unit}</span>
                        </div>
                        {bars}
                    </div>
                }
            })
            .collect::<Vec<_>>()
    };

    // Where the held bar would land, drawn as an outline in its row.
    let ghost = move || {
        let landing = dragging.landing()?;
        model.with(|m| {
            let m = m.as_ref()?;
            let store = match &landing.store {
                Some(moved) => moved.to.clone(),
                None => return None,
            };
            let row = stores.with(|s| m.shown.iter().position(|&at| s[at].id == store))?;
            let start = (landing.first - m.first).num_days() as f64;
            let days = (landing.last - landing.first).num_days() as f64 + 1.0;
            Some(view! {
                <div class="timeline-ghost" data-testid="timeline-ghost" style=format!(
                    "left: {}px; width: {}px; top: {}px; height: {}px;",
                    LABEL_PX + start * DAY_PX,
                    days * DAY_PX - 2.0,
                    HEADER_PX + m.offsets[row] + ROW_PADDING_PX / 2.0,
                    LANE_PX - 3.0
                )></div>
            })
        })
    };

    let size = move || {
        model.with(|m| match m {
            Some(m) => format!(
                "width: {}px; height: {}px;",
                LABEL_PX + m.days as f64 * DAY_PX,
                HEADER_PX + m.offsets.last().copied().unwrap_or_default()
            ),
            None => String::new(),
        })
    };
    let drawn_stores = move || model.with(|m| m.as_ref().map_or(0, |m| m.shown.len()));
    let any_store = move || drawn_stores() > 0;
    view! {
        <Show when=any_store fallback=move || view! {
            <div class="card empty-state"><p>{move || i18n.t(Key::PromotionsNoStores)}</p></div>
        }>
            <div class="timeline" node_ref=scroller role="grid" data-testid="timeline"
                aria-label=move || i18n.t(Key::PromotionsTimeline)
                data-rows=move || drawn_stores().to_string()
                data-bars=move || visible.with(|rows| rows.iter().map(|r| r.bars.len()).sum::<usize>().to_string())
                data-scroll-top=move || viewport.get().top.to_string()
                data-scroll-left=move || viewport.get().left.to_string()
                data-measured=move || (viewport.get().height > 0.0).to_string()
                on:scroll=move |_| measure()>
                <div class="timeline-canvas" style=size>
                    <div class="timeline-header" role="row">
                        <span class="timeline-corner">{move || i18n.t(Key::PromotionsStore)}</span>
                        {header}
                    </div>
                    {rows}
                    {ghost}
                </div>
            </div>
        </Show>
    }
}
