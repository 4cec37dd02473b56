//! The timeline: a row per store (in order of its unit, then its name) across a year of days, each
//! store's promotions packed in lanes. Only the rows and days in view are drawn, so 300 stores over a
//! year scroll as fast as one screen: the scroll position picks the rows (core's `rows_in_view`) and
//! the days, and everything else is empty space of the right size. A bar is dragged along its row to
//! other days, by an edge, or to another store's row, which moves the promotion from one store to
//! the other.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use leptos::{html, prelude::*};
use yingxiao_core::calendar::{
    row_offsets, rows_in_view, timeline_rows, Filter, Places, Span, TimelineRow,
};

use super::{
    bar::{Dragging, Place, PromoBar},
    mover::Mover,
    places_in_use, ColourBy,
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
/// The store names' column, narrower on a phone so the days keep most of the screen.
const LABEL_PX: f64 = 168.0;
const NARROW_LABEL_PX: f64 = 104.0;

fn label_px() -> f64 {
    let width = window()
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .unwrap_or(1024.0);
    if width < 600.0 {
        NARROW_LABEL_PX
    } else {
        LABEL_PX
    }
}
const HEADER_PX: f64 = 44.0;
/// Rows and days drawn beyond the viewport on each side, so a fast flick never shows a blank.
const OVERSCAN_ROWS: usize = 4;
const OVERSCAN_DAYS: i64 = 7;

/// What the timeline's rows are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowsBy {
    Store,
    Product,
}

/// One row of the timeline: a region's or an area's heading over its stores, a store (its position
/// in the store list), or a product (its id; empty for the promotions that name none).
#[derive(Clone, Debug, PartialEq)]
enum Line {
    Heading { name: String, area: bool },
    Store(usize),
    Product(String),
}

/// The timeline of a year as laid out for the filter.
#[derive(Debug, PartialEq)]
struct Layout {
    first: NaiveDate,
    /// The rows drawn.
    shown: Vec<Line>,
    days: i64,
    /// The promotions the filter keeps in the year.
    kept: Vec<PromoRow>,
    conflicted: Vec<bool>,
    rows: Vec<TimelineRow>,
    offsets: Vec<f64>,
}

fn layout(
    promotions: &Promotions,
    stores: &[StoreRow],
    filter: &Filter,
    places: &Places,
    year: i32,
    by: RowsBy,
    names: &HashMap<String, String>,
) -> Layout {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let kept: Vec<PromoRow> = promotions
        .rows
        .iter()
        .filter(|r| filter.keeps_within(&r.facts(), places, first, last))
        .cloned()
        .collect();
    let conflicted = kept
        .iter()
        .map(|r| promotions.conflicted.contains_key(&r.id))
        .collect();
    // Lanes over the days each promotion has in the year.
    let spans: Vec<Span> = kept
        .iter()
        .map(|r| Span {
            id: &r.id,
            first: r.first.max(first),
            last: r.last.min(last),
        })
        .collect();
    let (shown, members) = match by {
        RowsBy::Store => store_lines(stores, &kept, filter),
        RowsBy::Product => product_lines(&kept, names),
    };
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

/// A row per store, under a heading for each region and area, with the promotions (positions in
/// `kept`) of each row. A place filter leaves the stores in that place; any other filter, the
/// stores it leaves a promotion in.
fn store_lines(
    stores: &[StoreRow],
    kept: &[PromoRow],
    filter: &Filter,
) -> (Vec<Line>, Vec<Vec<usize>>) {
    let row_of: HashMap<&str, usize> = stores
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut of_store: Vec<Vec<usize>> = vec![Vec::new(); stores.len()];
    for (i, promotion) in kept.iter().enumerate() {
        for store in &promotion.stores {
            if let Some(&row) = row_of.get(store.as_str()) {
                of_store[row].push(i);
            }
        }
    }
    let in_place = |s: &StoreRow| {
        (filter.unit.is_empty() || s.region == filter.unit || s.area == filter.unit)
            && (filter.store.is_empty() || s.id == filter.store)
    };
    let only_place = Filter {
        unit: filter.unit.clone(),
        store: filter.store.clone(),
        ..Filter::default()
    } == *filter;
    let mut lines = Vec::new();
    let mut members = Vec::new();
    let (mut region, mut area) = (None::<&str>, None::<&str>);
    for (at, store) in stores.iter().enumerate() {
        if !in_place(store) || (!only_place && of_store[at].is_empty()) {
            continue;
        }
        if region != Some(store.region.as_str()) {
            region = Some(&store.region);
            area = None;
            if !store.region.is_empty() {
                lines.push(Line::Heading {
                    name: store.region_name.clone(),
                    area: false,
                });
                members.push(Vec::new());
            }
        }
        if area != Some(store.area.as_str()) {
            area = Some(&store.area);
            if !store.area.is_empty() {
                lines.push(Line::Heading {
                    name: store.area_name.clone(),
                    area: true,
                });
                members.push(Vec::new());
            }
        }
        lines.push(Line::Store(at));
        members.push(std::mem::take(&mut of_store[at]));
    }
    (lines, members)
}

/// A row per product the kept promotions name, by name, then one for those that name none.
fn product_lines(
    kept: &[PromoRow],
    names: &HashMap<String, String>,
) -> (Vec<Line>, Vec<Vec<usize>>) {
    let mut of_product: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, promotion) in kept.iter().enumerate() {
        if promotion.products.is_empty() {
            of_product.entry("").or_default().push(i);
        }
        for product in &promotion.products {
            of_product.entry(product.as_str()).or_default().push(i);
        }
    }
    let mut products: Vec<(&str, Vec<usize>)> = of_product.into_iter().collect();
    let name = |id: &str| names.get(id).map_or("", String::as_str);
    products
        .sort_by(|a, b| (a.0.is_empty(), name(a.0), a.0).cmp(&(b.0.is_empty(), name(b.0), b.0)));
    products
        .into_iter()
        .map(|(id, members)| (Line::Product(id.to_owned()), members))
        .unzip()
}

/// What a row in view is drawn as.
#[derive(Clone, Debug, PartialEq)]
enum Head {
    Heading { name: String, area: bool },
    Store(StoreRow),
    Product { id: String, name: String },
}

/// A row in view as drawn: where it sits, and its bars (promotion, placement, in conflict).
#[derive(Clone, Debug, PartialEq)]
struct DrawnRow {
    head: Head,
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
    places: Memo<Shared<Places>>,
    anchor: RwSignal<NaiveDate>,
    colour_by: RwSignal<ColourBy>,
    mover: Mover,
    /// Stores (under their regions and areas) or products.
    rows_by: RwSignal<RowsBy>,
    /// Names of units and products.
    names: Memo<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let scroller = NodeRef::<html::Div>::new();
    let viewport = RwSignal::new(Viewport::default());
    let year = Memo::new(move |_| anchor.get().year());
    let model = Memo::new(move |_| {
        let year = year.get();
        promotions.with(|p| match p {
            Loaded::Ready(p) => stores.with(|stores| {
                let places = places_in_use(filter, places);
                let by = rows_by.get();
                // Names are read only for product rows, so titles loading do not lay stores out again.
                let no_names = HashMap::new();
                filter.with(|f| {
                    let lay = |names: &HashMap<String, String>| {
                        layout(p, stores, f, &places, year, by, names)
                    };
                    Some(match by {
                        RowsBy::Product => names.with(|names| lay(names)),
                        RowsBy::Store => lay(&no_names),
                    })
                })
            }),
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
    let label = RwSignal::new(label_px());
    let on_resize = window_event_listener(leptos::ev::resize, move |_| {
        label.set(label_px());
        measure();
    });
    on_cleanup(move || on_resize.remove());

    // Where a point of the screen falls: the day under it, and the store row.
    let locate = move |x: f64, y: f64| -> Option<Place> {
        let el = scroller.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        let inside_x = x - rect.left() + f64::from(el.scroll_left()) - label.get_untracked();
        let inside_y = y - rect.top() + f64::from(el.scroll_top()) - HEADER_PX;
        model.with_untracked(|m| {
            let m = m.as_ref()?;
            let day = (inside_x / DAY_PX).floor() as i64;
            if !(0..m.days).contains(&day) {
                return None;
            }
            let row = m.offsets[1..].partition_point(|&end| end <= inside_y);
            let store = match m.shown.get(row) {
                Some(Line::Store(at)) => {
                    stores.with_untracked(|s| s.get(*at).map(|s| s.id.clone()))
                }
                _ => None,
            };
            Some(Place {
                day: m.first + chrono::Duration::days(day),
                store,
            })
        })
    };
    let dragging = Dragging::new(mover, locate);

    let header = move || {
        let view_port = viewport.get();
        let label_px = label.get();
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
                            style=format!("left: {}px;", label_px + d as f64 * DAY_PX)>
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
        let label_px = label.get();
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
                    head: match &m.shown[r] {
                        Line::Heading { name, area } => Head::Heading { name: name.clone(), area: *area },
                        Line::Store(at) => Head::Store(stores[*at].clone()),
                        Line::Product(id) => Head::Product {
                            id: id.clone(),
                            name: names.with_untracked(|n| n.get(id).cloned()).unwrap_or_default(),
                        },
                    },
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
                                label_px + start * DAY_PX,
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
                let style = format!("top: {top}px; height: {height}px;");
                match drawn.head {
                    Head::Heading { name, area } => view! {
                        <div class="timeline-row timeline-heading" class:timeline-area=area role="row" style=style
                            data-testid="timeline-heading">
                            <div class="timeline-label" role="rowheader">
                                <span class="timeline-store">{name}</span>
                            </div>
                        </div>
                    }.into_any(),
                    Head::Store(store) => view! {
                        <div class="timeline-row" data-store=store.id.clone() role="row" style=style>
                            <div class="timeline-label" role="rowheader">
                                <span class="timeline-store">{store.name}</span>
                                <span class="timeline-unit">{store.unit}</span>
                            </div>
                            {bars}
                        </div>
                    }.into_any(),
                    Head::Product { id, name } => {
                        let empty = id.is_empty();
                        view! {
                            <div class="timeline-row" data-product=id role="row" style=style>
                                <div class="timeline-label" role="rowheader">
                                    <span class="timeline-store">
                                        {move || if empty { i18n.t(Key::PromotionsNoProduct).to_owned() } else { name.clone() }}
                                    </span>
                                </div>
                                {bars}
                            </div>
                        }.into_any()
                    }
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
            let row = stores.with(|s| {
                m.shown
                    .iter()
                    .position(|line| matches!(line, Line::Store(at) if s[*at].id == store))
            })?;
            let start = (landing.first - m.first).num_days() as f64;
            let days = (landing.last - landing.first).num_days() as f64 + 1.0;
            Some(view! {
                <div class="timeline-ghost" data-testid="timeline-ghost" style=format!(
                    "left: {}px; width: {}px; top: {}px; height: {}px;",
                    label.get() + start * DAY_PX,
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
                label.get() + m.days as f64 * DAY_PX,
                HEADER_PX + m.offsets.last().copied().unwrap_or_default()
            ),
            None => String::new(),
        })
    };
    let drawn_stores = move || {
        model.with(|m| {
            m.as_ref().map_or(0, |m| {
                m.shown
                    .iter()
                    .filter(|l| !matches!(l, Line::Heading { .. }))
                    .count()
            })
        })
    };
    let any_store = move || drawn_stores() > 0;
    view! {
        <Show when=any_store fallback=move || view! {
            <div class="card empty-state"><p>{move || i18n.t(Key::PromotionsNoStores)}</p></div>
        }>
            <div class="timeline" node_ref=scroller role="grid" data-testid="timeline"
                style=move || format!("--timeline-label: {}px;", label.get())
                aria-label=move || i18n.t(Key::PromotionsTimeline)
                data-rows=move || drawn_stores().to_string()
                data-bars=move || visible.with(|rows| rows.iter().map(|r| r.bars.len()).sum::<usize>().to_string())
                data-scroll-top=move || viewport.get().top.to_string()
                data-scroll-left=move || viewport.get().left.to_string()
                data-measured=move || (viewport.get().height > 0.0).to_string()
                on:scroll=move |_| measure()>
                <div class="timeline-canvas" style=size>
                    <div class="timeline-header" role="row">
                        <span class="timeline-corner">{move || i18n.t(match rows_by.get() {
                            RowsBy::Store => Key::PromotionsStore,
                            RowsBy::Product => Key::PromotionsProduct,
                        })}</span>
                        {header}
                    </div>
                    {rows}
                    {ghost}
                </div>
            </div>
        </Show>
    }
}
