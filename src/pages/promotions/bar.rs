//! A promotion's bar, in any view, and dragging it. A bar is held and dragged to other days (whole,
//! or by its first or last day's grip) with pointer events, so a finger, a mouse and a pen all work;
//! on the timeline it may also be dragged to another store's row. Each view says where a point of the
//! screen falls (`locate`); the drop is one move through the `Mover`. With the keyboard, ← → move it
//! a day, ↑ ↓ a week, and Shift+← → shorten or lengthen it.

use chrono::NaiveDate;
use leptos::{ev, prelude::*};
use wasm_bindgen::JsCast;
use yingxiao_core::{
    calendar::{moved, Grip},
    domain::Collection,
    permission::Action,
    sync::protocol::StoreMove,
};

use super::{mover::Mover, ColourBy};
use crate::{
    data::promotions::PromoRow,
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// How far a pointer moves before a press becomes a drag (a tap still opens the promotion).
const DRAG_THRESHOLD_PX: f64 = 6.0;

/// Where a point of a view falls: a day, and on the timeline a store's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub day: NaiveDate,
    pub store: Option<String>,
}

/// A bar being pressed or dragged.
#[derive(Clone, Debug, PartialEq)]
struct Drag {
    row: PromoRow,
    grip: Grip,
    pointer: i32,
    start: (f64, f64),
    moving: bool,
    from: Place,
    over: Place,
}

/// Where the held bar would land if dropped now.
#[derive(Clone, Debug, PartialEq)]
pub struct Landing {
    pub id: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The store row it would move to, when that is not the one it was taken from.
    pub store: Option<StoreMove>,
}

impl Drag {
    fn landing(&self) -> Landing {
        let (first, last) = moved(
            self.row.first,
            self.row.last,
            self.grip,
            (self.over.day - self.from.day).num_days(),
        );
        let store = match (&self.from.store, &self.over.store, self.grip) {
            (Some(from), Some(to), Grip::Whole) if from != to => Some(StoreMove {
                from: from.clone(),
                to: to.clone(),
            }),
            _ => None,
        };
        Landing {
            id: self.row.id.clone(),
            first,
            last,
            store,
        }
    }
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

/// How a view finds the place under a point of the screen.
type Locate = Box<dyn Fn(f64, f64) -> Option<Place>>;

/// The drag state of one view, and how it finds a place under the pointer.
#[derive(Clone, Copy)]
pub struct Dragging {
    drag: RwSignal<Option<Drag>>,
    /// A drag ends with a click on the bar's link; that click must not open the promotion.
    swallow_click: StoredValue<bool>,
    locate: StoredValue<Locate, LocalStorage>,
    pub mover: Mover,
}

impl Dragging {
    pub fn new(mover: Mover, locate: impl Fn(f64, f64) -> Option<Place> + 'static) -> Self {
        Self {
            drag: RwSignal::new(None),
            swallow_click: StoredValue::new(false),
            locate: StoredValue::new_local(Box::new(locate)),
            mover,
        }
    }

    /// Where the bar held now would land (followed); `None` while nothing is dragged.
    pub fn landing(&self) -> Option<Landing> {
        self.drag
            .with(|d| d.as_ref().filter(|d| d.moving).map(Drag::landing))
    }

    pub fn active(&self) -> bool {
        self.drag.with(|d| d.as_ref().is_some_and(|d| d.moving))
    }

    fn locate(&self, x: f64, y: f64) -> Option<Place> {
        self.locate.with_value(|f| f(x, y))
    }

    fn down(self, ev: ev::PointerEvent, row: &PromoRow) {
        if !ev.is_primary() || ev.button() != 0 {
            return;
        }
        self.swallow_click.set_value(false);
        let at = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let Some(place) = self.locate(at.0, at.1) else {
            return;
        };
        if let Some(target) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        self.drag.set(Some(Drag {
            row: row.clone(),
            grip: grip_of(&ev),
            pointer: ev.pointer_id(),
            start: at,
            moving: false,
            from: place.clone(),
            over: place,
        }));
    }

    fn moved(self, ev: ev::PointerEvent) {
        let at = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let held = self.drag.with_untracked(|d| {
            d.as_ref()
                .filter(|d| d.pointer == ev.pointer_id())
                .map(|d| (d.moving, d.start, d.over.clone()))
        });
        let Some((moving, start, over)) = held else {
            return;
        };
        ev.prevent_default();
        let now_moving = moving || (at.0 - start.0).hypot(at.1 - start.1) > DRAG_THRESHOLD_PX;
        // Off the grid (beside it, over a header) the bar stays where it was last over.
        let place = self.locate(at.0, at.1).unwrap_or_else(|| over.clone());
        if now_moving != moving || place != over {
            self.drag.update(|d| {
                if let Some(d) = d.as_mut() {
                    d.moving = now_moving;
                    d.over = place;
                }
            });
        }
    }

    fn up(self, ev: ev::PointerEvent) {
        let Some(d) = self
            .drag
            .get_untracked()
            .filter(|d| d.pointer == ev.pointer_id())
        else {
            return;
        };
        self.drag.set(None);
        if !d.moving {
            return;
        }
        self.swallow_click.set_value(true);
        let landing = d.landing();
        self.mover
            .reschedule(&d.row, landing.first, landing.last, landing.store);
    }
}

/// A promotion's bar: a link to its page, coloured by kind or status, marked when in conflict, with
/// grips at the ends it has in this view when the user may move it.
#[component]
pub fn PromoBar(
    row: PromoRow,
    /// Where the view places it.
    style: String,
    /// It began before what this row shows, or goes on after it (the ends are drawn open).
    #[prop(default = false)]
    continued: bool,
    #[prop(default = false)] continues: bool,
    conflicted: bool,
    /// The bar shows its dates too.
    tall: Signal<bool>,
    colour_by: RwSignal<ColourBy>,
    dragging: Dragging,
) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let href = use_mount().href(&format!("/promotions/{}", row.id));
    let movable = row.open && access.can(Collection::Promotion, Action::Edit, Some(&row.facts));
    let colour = {
        let (kind, status) = (row.kind.clone(), row.status.clone());
        move || match colour_by.get() {
            ColourBy::Kind => format!("kind-{kind}"),
            ColourBy::Status => format!("status-{status}"),
        }
    };
    let held = {
        let id = row.id.clone();
        move || dragging.landing().is_some_and(|l| l.id == id)
    };
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
    let (row_down, row_key) = (row.clone(), row.clone());
    view! {
        <a href=href
            class="calendar-bar"
            class:calendar-bar-dragging=held
            class:calendar-bar-continued=continued
            class:calendar-bar-continues=continues
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
            on:pointerdown=move |ev| if movable { dragging.down(ev, &row_down) }
            on:pointermove=move |ev| dragging.moved(ev)
            on:pointerup=move |ev| dragging.up(ev)
            on:pointercancel=move |_| dragging.drag.set(None)
            on:keydown=move |ev| if movable { dragging.mover.on_key(&ev, &row_key) }
            on:click=move |ev: ev::MouseEvent| {
                if dragging.swallow_click.get_value() {
                    dragging.swallow_click.set_value(false);
                    ev.prevent_default();
                }
            }
        >
            {(movable && !continued).then(|| view! { <span class="calendar-grip calendar-grip-start" data-grip="start" aria-hidden="true"></span> })}
            {conflicted.then(|| view! { <span class="calendar-conflict-mark" data-testid="conflict-mark" aria-hidden="true">"!"</span> })}
            <span class="calendar-bar-name">{row.name.clone()}</span>
            {move || tall.get().then(|| view! {
                <span class="calendar-bar-meta">{dates.clone()}</span>
            })}
            {(movable && !continues).then(|| view! { <span class="calendar-grip calendar-grip-end" data-grip="end" aria-hidden="true"></span> })}
        </a>
    }
}
