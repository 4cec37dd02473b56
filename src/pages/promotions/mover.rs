//! Moving a promotion on the calendar, whichever view it is moved in: one `reschedule_promotion`
//! change per move, its words for screen readers, a refusal shown, the keyboard's moves, and the
//! keyboard's focus kept on the bar once it is drawn in its new place.

use chrono::NaiveDate;
use leptos::{ev, prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use yingxiao_core::{
    calendar::{moved, Grip},
    sync::protocol::{Intent, RescheduleArgs, StoreMove},
};

use crate::{
    data::{
        promotions::PromoRow,
        sync::{use_data, Data},
    },
    i18n::{use_i18n, I18n, Key},
};

#[derive(Clone, Copy)]
pub struct Mover {
    data: Data,
    i18n: I18n,
    announcement: RwSignal<String>,
    error: RwSignal<Option<String>>,
    /// A bar moved, to focus again once drawn in its new place.
    refocus: StoredValue<Option<String>>,
}

impl Mover {
    pub fn new() -> Self {
        Self {
            data: use_data(),
            i18n: use_i18n(),
            announcement: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            refocus: StoredValue::new(None),
        }
    }

    /// Moves `row` to `first`–`last`, and from one of its stores to another when `store` says so.
    pub fn reschedule(
        self,
        row: &PromoRow,
        first: NaiveDate,
        last: NaiveDate,
        store: Option<StoreMove>,
    ) {
        if (first, last) == (row.first, row.last) && store.is_none() {
            return;
        }
        self.error.set(None);
        let intent = Intent::ReschedulePromotion(RescheduleArgs {
            id: row.id.clone(),
            starts_on: first.to_string(),
            ends_on: last.to_string(),
            move_store: store,
        });
        // Set before the change: the view is drawn anew while `mutate` is still being awaited.
        self.refocus.set_value(Some(row.id.clone()));
        let name = row.name.clone();
        spawn_local(async move {
            match self.data.mutate(intent).await {
                Ok(()) => self.announcement.set(self.i18n.format(
                    Key::PromotionsMoved,
                    &[
                        ("name", &name),
                        ("first", &first.to_string()),
                        ("last", &last.to_string()),
                    ],
                )),
                Err(failure) => {
                    self.refocus.set_value(None);
                    self.error.set(Some(failure.to_string()));
                }
            }
        });
    }

    /// The keyboard's moves of a focused bar: ← → a day, ↑ ↓ a week, Shift+← → its last day.
    pub fn on_key(self, ev: &ev::KeyboardEvent, row: &PromoRow) {
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
        self.reschedule(row, first, last, None);
    }

    /// Focuses the moved bar again each time `drawn` changes (the view was drawn anew).
    pub fn keep_focus(self, drawn: impl Fn() + 'static) {
        Effect::new(move |_| {
            drawn();
            let Some(id) = self.refocus.get_value() else {
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
                    self.refocus.set_value(None);
                    let _ = bar.focus();
                }
            });
        });
    }
}

/// How to move a bar, what the last move did (for screen readers), and a refusal.
#[component]
pub fn MoverNotes(mover: Mover) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="hint" id="calendar-keys">{move || i18n.t(Key::PromotionsKeys)}</p>
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="calendar-status">{move || mover.announcement.get()}</p>
        {move || mover.error.get().map(|error| view! {
            <p class="form-error" role="alert">{move || i18n.format(Key::FormSaveFailed, &[("error", &error)])}</p>
        })}
    }
}
