//! The calendar grid: week rows of day cells with the promotions as bars in lanes, "+N" for those a
//! row leaves out (nothing is drawn for them but the count), and moving a bar. A bar is held and
//! dragged to other days (whole, or by its first or last day's grip) with pointer events, so a
//! finger, a mouse and a pen all work; the days it would cover light up meanwhile. With the
//! keyboard, ← → move it a day, ↑ ↓ a week, and Shift+← → shorten or lengthen it.

use chrono::NaiveDate;
use leptos::{ev, prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use yingxiao_core::{
    calendar::{moved, Bar, Grip},
    domain::Collection,
    permission::Action,
    sync::protocol::{Intent, RescheduleArgs},
    time::parse_date,
};

use super::ColourBy;
use crate::{
    data::{
        promotions::{PromoRow, Promotions},
        records::{Loaded, Shared},
        sync::use_data,
    },
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// How far a pointer moves before a press becomes a drag (a tap still opens the promotion).
const DRAG_THRESHOLD_PX: f64 = 6.0;

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

/// A bar being pressed or dragged.
#[derive(Clone, Debug, PartialEq)]
struct Drag {
    id: String,
    grip: Grip,
    pointer: i32,
    start: (f64, f64),
    moving: bool,
    from_day: NaiveDate,
    over_day: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
}

impl Drag {
    /// The days the promotion would cover if dropped now.
    fn preview(&self) -> (NaiveDate, NaiveDate) {
        moved(
            self.first,
            self.last,
            self.grip,
            (self.over_day - self.from_day).num_days(),
        )
    }
}

/// The day cell under a point of the viewport, from the cells' boxes (the pointer is over the bar,
/// so hit-testing elements would find the bar).
fn day_at(x: f64, y: f64) -> Option<NaiveDate> {
    let cells = document().query_selector_all("[data-day]").ok()?;
    (0..cells.length()).find_map(|i| {
        let cell: web_sys::Element = cells.item(i)?.dyn_into().ok()?;
        let rect = cell.get_bounding_client_rect();
        let inside = x >= rect.left() && x < rect.right() && y >= rect.top() && y < rect.bottom();
        inside
            .then(|| cell.get_attribute("data-day"))
            .flatten()
            .and_then(|day| parse_date(&day))
    })
}

/// Which grip a press began on: the element pressed, or one of its parents up to the bar.
fn grip_of(ev: &ev::PointerEvent) -> Grip {
    let grip = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("[data-grip]").ok().flatten())
        .and_then(|e| e.get_attribute("data-grip"));
    match grip.as_deref() {
        Some("start") => Grip::Start,
        Some("end") => Grip::End,
        _ => Grip::Whole,
    }
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
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let mount = StoredValue::new(use_mount());
    let drag = RwSignal::new(None::<Drag>);
    let swallow_click = StoredValue::new(false);
    let announcement = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let open_day = RwSignal::new(None::<NaiveDate>);
    // A bar moved by keyboard, to focus again once drawn in its new place.
    let refocus = StoredValue::new(None::<String>);

    let reschedule = move |id: String, name: String, first: NaiveDate, last: NaiveDate| {
        error.set(None);
        let intent = Intent::ReschedulePromotion(RescheduleArgs {
            id: id.clone(),
            starts_on: first.to_string(),
            ends_on: last.to_string(),
            move_store: None,
        });
        // Set before the change: the grid is drawn anew while `mutate` is still being awaited.
        refocus.set_value(Some(id));
        spawn_local(async move {
            match data.mutate(intent).await {
                Ok(()) => {
                    announcement.set(i18n.format(
                        Key::PromotionsMoved,
                        &[
                            ("name", &name),
                            ("first", &first.to_string()),
                            ("last", &last.to_string()),
                        ],
                    ));
                }
                Err(failure) => {
                    refocus.set_value(None);
                    error.set(Some(failure.to_string()));
                }
            }
        });
    };

    Effect::new(move |_| {
        grid.track();
        let Some(id) = refocus.get_value() else {
            return;
        };
        request_animation_frame(move || {
            let selector = format!("[data-testid=calendar-bar][data-id=\"{id}\"]");
            if let Some(bar) = document()
                .query_selector(&selector)
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                refocus.set_value(None);
                let _ = bar.focus();
            }
        });
    });

    let on_pointer_down = move |ev: ev::PointerEvent, row: &PromoRow| {
        if !ev.is_primary() || ev.button() != 0 {
            return;
        }
        swallow_click.set_value(false);
        let at = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let Some(day) = day_at(at.0, at.1) else {
            return;
        };
        if let Some(target) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drag.set(Some(Drag {
            id: row.id.clone(),
            grip: grip_of(&ev),
            pointer: ev.pointer_id(),
            start: at,
            moving: false,
            from_day: day,
            over_day: day,
            first: row.first,
            last: row.last,
        }));
    };
    let on_pointer_move = move |ev: ev::PointerEvent| {
        let at = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let held = drag.with_untracked(|d| {
            d.as_ref()
                .filter(|d| d.pointer == ev.pointer_id())
                .map(|d| (d.moving, d.start, d.over_day))
        });
        let Some((moving, start, over)) = held else {
            return;
        };
        ev.prevent_default();
        let now_moving = moving || (at.0 - start.0).hypot(at.1 - start.1) > DRAG_THRESHOLD_PX;
        let day = day_at(at.0, at.1).unwrap_or(over);
        if now_moving != moving || day != over {
            drag.update(|d| {
                if let Some(d) = d.as_mut() {
                    d.moving = now_moving;
                    d.over_day = day;
                }
            });
        }
    };
    let on_pointer_up = move |ev: ev::PointerEvent, name: String| {
        let Some(d) = drag
            .get_untracked()
            .filter(|d| d.pointer == ev.pointer_id())
        else {
            return;
        };
        drag.set(None);
        if !d.moving {
            return;
        }
        swallow_click.set_value(true);
        let (first, last) = d.preview();
        if (first, last) != (d.first, d.last) {
            reschedule(d.id, name, first, last);
        }
    };
    let on_key = move |ev: ev::KeyboardEvent, row: &PromoRow| {
        let (grip, days) = match (ev.key().as_str(), ev.shift_key()) {
            ("ArrowLeft", false) => (Grip::Whole, -1),
            ("ArrowRight", false) => (Grip::Whole, 1),
            ("ArrowUp", false) => (Grip::Whole, -7),
            ("ArrowDown", false) => (Grip::Whole, 7),
            ("ArrowLeft", true) => (Grip::End, -1),
            ("ArrowRight", true) => (Grip::End, 1),
            _ => return,
        };
        ev.prevent_default();
        let (first, last) = moved(row.first, row.last, grip, days);
        if (first, last) != (row.first, row.last) {
            reschedule(row.id.clone(), row.name.clone(), first, last);
        }
    };

    // Whether a day lights up as where the held bar would land.
    let targeted = move |day: NaiveDate| {
        drag.with(|d| {
            d.as_ref().filter(|d| d.moving).is_some_and(|d| {
                let (first, last) = d.preview();
                first <= day && day <= last
            })
        })
    };

    let bar_view = move |placed: PlacedBar| {
        let PlacedBar {
            row,
            bar,
            conflicted,
        } = placed;
        let href = mount.with_value(|m| m.href(&format!("/promotions/{}", row.id)));
        let movable = row.open && access.can(Collection::Promotion, Action::Edit, Some(&row.facts));
        let colour = {
            let (kind, status) = (row.kind.clone(), row.status.clone());
            move || match colour_by.get() {
                ColourBy::Kind => format!("kind-{kind}"),
                ColourBy::Status => format!("status-{status}"),
            }
        };
        let dragging = {
            let id = row.id.clone();
            move || drag.with(|d| d.as_ref().is_some_and(|d| d.moving && d.id == id))
        };
        let style = format!(
            "grid-column: {} / span {}; grid-row: {};",
            bar.column + 1,
            bar.columns,
            bar.lane + 2
        );
        let dates = format!("{} – {}", row.first, row.last);
        let label = {
            let (name, dates) = (row.name.clone(), dates.clone());
            move || {
                let mut label = format!("{name}, {dates}");
                if conflicted {
                    label.push_str(", ");
                    label.push_str(i18n.t(Key::PromotionsConflictMark));
                }
                label
            }
        };
        let (row_down, row_key, name_up) = (row.clone(), row.clone(), row.name.clone());
        view! {
            <a href=href
                class="calendar-bar"
                class:calendar-bar-dragging=dragging
                class:calendar-bar-continued=bar.continued
                class:calendar-bar-continues=bar.continues
                class:calendar-bar-conflict=conflicted
                data-testid="calendar-bar"
                data-id=row.id.clone()
                data-colour=colour
                data-movable=movable.to_string()
                data-first=row.first.to_string()
                data-last=row.last.to_string()
                style=style
                draggable="false"
                aria-label=label
                aria-describedby=movable.then_some("calendar-keys")
                on:pointerdown=move |ev| if movable { on_pointer_down(ev, &row_down) }
                on:pointermove=on_pointer_move
                on:pointerup=move |ev| on_pointer_up(ev, name_up.clone())
                on:pointercancel=move |_| drag.set(None)
                on:keydown=move |ev| if movable { on_key(ev, &row_key) }
                on:click=move |ev: ev::MouseEvent| {
                    if swallow_click.get_value() {
                        swallow_click.set_value(false);
                        ev.prevent_default();
                    }
                }
            >
                {(movable && !bar.continued).then(|| view! { <span class="calendar-grip calendar-grip-start" data-grip="start" aria-hidden="true"></span> })}
                {conflicted.then(|| view! { <span class="calendar-conflict-mark" data-testid="conflict-mark" aria-hidden="true">"!"</span> })}
                <span class="calendar-bar-name">{row.name.clone()}</span>
                {move || tall.get().then(|| view! {
                    <span class="calendar-bar-meta">{dates.clone()}</span>
                })}
                {(movable && !bar.continues).then(|| view! { <span class="calendar-grip calendar-grip-end" data-grip="end" aria-hidden="true"></span> })}
            </a>
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
                    let outside = move || anchor_month.get().is_some_and(|m| chrono::Datelike::month(&day) != m);
                    let is_today = day == crate::data::promotions::today();
                    view! {
                        <div class="calendar-day" role="gridcell"
                            data-day=day.to_string()
                            class:calendar-day-outside=outside
                            class:calendar-day-today=is_today
                            class:calendar-day-target=move || targeted(day)
                            style=format!("grid-column: {}; grid-row: 1 / -1;", i + 1)>
                            <span class="calendar-day-number">{chrono::Datelike::day(&day)}</span>
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
        <p class="hint" id="calendar-keys">{move || i18n.t(Key::PromotionsKeys)}</p>
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="calendar-status">{move || announcement.get()}</p>
        {move || error.get().map(|error| view! {
            <p class="form-error" role="alert">{move || i18n.format(Key::FormSaveFailed, &[("error", &error)])}</p>
        })}
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
            class:calendar-dragging=move || drag.with(|d| d.as_ref().is_some_and(|d| d.moving))>
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
