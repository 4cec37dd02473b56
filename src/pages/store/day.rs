//! One promotion's day in one store: the promoter's report, drawn from a draft that every tap
//! changes at once and that is written to the device in order (a tap while a write is under way
//! joins the next write), so fast counting never loses a tap and the page never waits for storage.

use leptos::{prelude::*, task::spawn_local};
use serde_json::{json, Map, Value};
use wasm_bindgen::{prelude::*, JsCast};
use yingxiao_core::{
    domain::Collection,
    permission::Action,
    records::PromotionReport,
    scope::scope_facts,
    store_day::{
        attendance_line, new_report, on_floor, report_of, sales_patch, set_units, totals, units_of,
        DayState, Position,
    },
    sync::protocol::{CreateArgs, Intent, SetFieldsArgs},
    time::{format_instant, NaiveDate},
};

use super::{competitors::Competitors, counter::CountRow, photos::DisplayPhotos, PromotionCard};
use crate::{
    data::{
        new_record_id,
        records::{names_by_id, use_list_prices, watch_collection},
        sync::{use_data, Data},
    },
    format::{format_yuan, local_date_time},
    i18n::{use_i18n, Key},
    permissions::use_access,
};

/// How long check-in waits for a position before recording that there is none.
const LOCATE_MS: i32 = 8_000;

/// The report being recorded: what the page shows and how a change reaches the device.
#[derive(Clone, Copy)]
pub(crate) struct Draft {
    pub data: Data,
    pub fields: RwSignal<Map<String, Value>>,
    id: StoredValue<Option<String>>,
    /// The report is on the device (found there, or this page's creation of it was written).
    created: StoredValue<bool>,
    queued: StoredValue<Map<String, Value>>,
    /// What is being written now: still shown over a stored report that arrives meanwhile.
    in_flight: StoredValue<Map<String, Value>>,
    writing: StoredValue<bool>,
    start: StoredValue<Map<String, Value>>,
    pub error: RwSignal<Option<String>>,
    pub editable: Memo<bool>,
}

impl Draft {
    /// The report as typed, when its fields read (they always do once started).
    pub fn report(&self) -> Option<PromotionReport> {
        self.fields.with(|f| PromotionReport::from_fields(f).ok())
    }

    /// The report's id, chosen now if it has none yet (a photo names its record before the first
    /// write of it is done).
    pub fn id(self) -> String {
        if let Some(id) = self.id.get_value() {
            return id;
        }
        let id = new_record_id();
        self.id.set_value(Some(id.clone()));
        id
    }

    /// The rows of a `Lines` field as shown now (none when it is empty).
    pub fn lines(self, field: &str) -> Vec<Value> {
        self.fields.with_untracked(|f| {
            f.get(field)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
    }

    /// Changes one field (`null` clears it).
    pub fn set(self, field: &str, value: Value) {
        let mut patch = Map::new();
        patch.insert(field.to_owned(), value);
        self.change(patch);
    }

    /// Changes fields: shown at once, written in order.
    pub fn change(self, patch: Map<String, Value>) {
        if !self.editable.get_untracked() || patch.is_empty() {
            return;
        }
        self.fields.update(|f| f.extend(patch.clone()));
        self.queued.update_value(|q| q.extend(patch));
        if !self.writing.get_value() {
            self.writing.set_value(true);
            spawn_local(self.write());
        }
    }

    async fn write(self) {
        let data = self.data;
        loop {
            let patch = std::mem::take(&mut *self.queued.write_value());
            if patch.is_empty() {
                break;
            }
            self.in_flight.set_value(patch.clone());
            let creating = !self.created.get_value();
            let id = self.id();
            let intent = if !creating {
                Intent::SetFields(SetFieldsArgs {
                    collection: Collection::PromotionReport,
                    id,
                    fields: patch.clone(),
                })
            } else {
                {
                    let mut fields = self.start.get_value();
                    fields.extend(patch.clone());
                    fields.retain(|_, v| !v.is_null());
                    Intent::Create(CreateArgs {
                        collection: Collection::PromotionReport,
                        id,
                        fields,
                    })
                }
            };
            let written = data.mutate(intent).await;
            // Written (the read models have it now) or given back to the queue below.
            self.in_flight.set_value(Map::new());
            match written {
                Ok(()) => {
                    self.created.set_value(true);
                    self.error.set(None);
                }
                Err(failure) => {
                    // Kept for the next try; what was typed since wins over it.
                    self.queued.update_value(|q| {
                        for (k, v) in patch {
                            q.entry(k).or_insert(v);
                        }
                    });
                    self.error.set(Some(failure.to_string()));
                    break;
                }
            }
        }
        self.writing.set_value(false);
    }
}

/// Now as a UTC instant for a record.
pub(crate) fn now_instant() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// Where the device is, if the browser tells within `LOCATE_MS`; a refusal or silence is recorded
/// as such (and never stops the check-in).
async fn locate() -> Position {
    let Some(window) = web_sys::window() else {
        return Position::Unavailable;
    };
    let Ok(geolocation) = window.navigator().geolocation() else {
        return Position::Unavailable;
    };
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
        let (ok, err, late) = (resolve.clone(), resolve.clone(), resolve);
        let on_ok = Closure::once_into_js(move |p: JsValue| {
            let _ = ok.call1(&JsValue::NULL, &p);
        });
        let on_err = Closure::once_into_js(move |e: JsValue| {
            let _ = err.call1(&JsValue::NULL, &e);
        });
        let options = web_sys::PositionOptions::new();
        options.set_timeout(LOCATE_MS as u32);
        options.set_maximum_age(60_000);
        let _ = geolocation.get_current_position_with_error_callback_and_options(
            on_ok.unchecked_ref(),
            Some(on_err.unchecked_ref()),
            &options,
        );
        let on_late = Closure::once_into_js(move || {
            let _ = late.call0(&JsValue::NULL);
        });
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            on_late.unchecked_ref(),
            LOCATE_MS + 500,
        );
    });
    let answer = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .unwrap_or(JsValue::UNDEFINED);
    let get = |from: &JsValue, key: &str| js_sys::Reflect::get(from, &key.into()).ok();
    if let Some(coords) = get(&answer, "coords").filter(|c| c.is_object()) {
        let number = |key| get(&coords, key).and_then(|v| v.as_f64());
        if let (Some(latitude), Some(longitude)) = (number("latitude"), number("longitude")) {
            return Position::Located {
                latitude,
                longitude,
                accuracy_m: number("accuracy").unwrap_or(0.0),
            };
        }
    }
    // GeolocationPositionError.PERMISSION_DENIED is 1.
    match get(&answer, "code").and_then(|c| c.as_f64()) {
        Some(1.0) => Position::Refused,
        _ => Position::Unavailable,
    }
}

#[component]
pub(crate) fn DayPanel(
    card: PromotionCard,
    store_id: String,
    store_name: String,
    me: String,
    today: NaiveDate,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let reports = watch_collection(data, Collection::PromotionReport);
    let products = watch_collection(data, Collection::Product);
    let prices = use_list_prices(data);
    let start = new_report(&card.id, &store_id, &me, today);
    let may_write = {
        let facts = scope_facts(Collection::PromotionReport, &start, None);
        Memo::new(move |_| access.can(Collection::PromotionReport, Action::Create, Some(&facts)))
    };
    let fields = RwSignal::new(start.clone());
    let found = {
        let (promotion, store, me) = (card.id.clone(), store_id.clone(), me.clone());
        Memo::new(move |_| {
            reports.with(|read| {
                let rows = read.as_ref()?.as_ref().ok()?;
                let typed: Vec<(&str, PromotionReport)> = rows
                    .iter()
                    .filter_map(|(id, r)| {
                        Some((id.as_str(), PromotionReport::from_fields(&r.fields).ok()?))
                    })
                    .collect();
                let id = report_of(
                    typed.iter().map(|(id, r)| (*id, r)),
                    &promotion,
                    &store,
                    &me,
                    today,
                )?;
                let record = rows.iter().find(|(rid, _)| rid == id)?;
                Some((id.to_owned(), record.1.fields.clone()))
            })
        })
    };
    let state = Memo::new(move |_| {
        fields
            .with(|f| {
                PromotionReport::from_fields(f)
                    .ok()
                    .map(|r| DayState::of(&r))
            })
            .unwrap_or(DayState::Open)
    });
    // Nothing is recorded before the device's reports are read, so an existing report of the day
    // is found and never made twice.
    let ready = Memo::new(move |_| reports.with(Option::is_some));
    let editable = Memo::new(move |_| ready.get() && may_write.get() && state.get().editable());
    let draft = Draft {
        data,
        fields,
        id: StoredValue::new(None),
        created: StoredValue::new(false),
        queued: StoredValue::new(Map::new()),
        in_flight: StoredValue::new(Map::new()),
        writing: StoredValue::new(false),
        start: StoredValue::new(start.clone()),
        error: RwSignal::new(None),
        editable,
    };
    // The stored report (with this device's waiting changes) under what is still being written.
    Effect::new(move |_| {
        if let Some((id, stored)) = found.get() {
            if !draft.created.get_value() {
                draft.id.set_value(Some(id));
                draft.created.set_value(true);
            }
            let mut shown = stored;
            shown.extend(draft.in_flight.get_value());
            shown.extend(draft.queued.get_value());
            fields.set(shown);
        }
    });

    let names = Memo::new(move |_| names_by_id(&products));
    let product_ids = {
        let listed = card.product_ids.clone();
        Memo::new(move |_| {
            if !listed.is_empty() {
                return listed.clone();
            }
            // A promotion that names no products counts any active product of the catalogue.
            products.with(|read| match read {
                Some(Ok(rows)) => rows
                    .iter()
                    .filter(|(_, p)| p.fields.get("active") != Some(&Value::Bool(false)))
                    .map(|(id, _)| id.clone())
                    .collect(),
                _ => Vec::new(),
            })
        })
    };
    let lines = Memo::new(move |_| {
        draft
            .report()
            .and_then(|r| r.sales_lines)
            .unwrap_or_default()
    });
    let day_totals = Memo::new(move |_| lines.with(|l| totals(l)));

    let count_field = move |field: &'static str, key: Key| {
        let value = Signal::derive(move || {
            fields.with(|f| f.get(field).and_then(Value::as_i64).unwrap_or(0))
        });
        view! {
            <CountRow label=i18n.t(key) value disabled=Signal::derive(move || !editable.get())
                testid=format!("count-{field}")
                on_set=Callback::new(move |n: i64| {
                    draft.set(field, json!(n.max(0)));
                }) />
        }
    };

    let locating = RwSignal::new(false);
    let attend = move |check_out: bool| {
        if locating.get_untracked() {
            return;
        }
        let at = now_instant();
        locating.set(true);
        spawn_local(async move {
            let position = locate().await;
            let mut list = draft.lines("attendance");
            list.push(attendance_line(check_out, &at, position));
            draft.set("attendance", Value::Array(list));
            locating.set(false);
        });
    };
    let on_floor_now = Memo::new(move |_| draft.report().is_some_and(|r| on_floor(&r)));

    let confirming = RwSignal::new(false);
    let submit = move || {
        draft.set("submitted_at", json!(now_instant()));
        confirming.set(false);
    };

    let state_label = move || match state.get() {
        DayState::Open => i18n.t(Key::StoreDayOpen).to_owned(),
        DayState::Submitted => i18n.format(
            Key::StoreDaySubmitted,
            &[(
                "time",
                &draft
                    .report()
                    .and_then(|r| r.submitted_at)
                    .map(|t| {
                        local_date_time(
                            &format_instant(t.timestamp_millis().max(0) as u64),
                            i18n.locale(),
                        )
                    })
                    .unwrap_or_default(),
            )],
        ),
        DayState::Reviewed => i18n.t(Key::StoreDayReviewed).to_owned(),
    };
    let kind_label = Collection::Promotion
        .field("kind")
        .and_then(|f| f.choice_label(&card.kind, i18n.locale_untracked()))
        .unwrap_or("")
        .to_owned();
    let materials = card.materials.clone();
    let cost_item_label = move |item: &str| {
        Collection::Promotion
            .line_field("budget_lines", "cost_item")
            .and_then(|f| f.choice_label(item, i18n.locale()))
            .unwrap_or(item)
            .to_owned()
    };

    view! {
        <div class="store-day" data-testid="store-day">
            <section class="card store-day-head">
                <div class="card-header">
                    <h2>{card.name.clone()}</h2>
                    <span class="chip status-chip" data-state=move || format!("{:?}", state.get()).to_lowercase() data-testid="day-state">{state_label}</span>
                </div>
                <p class="muted">{store_name.clone()} " · " {kind_label}</p>
                {(!card.notes.is_empty()).then(|| view! { <p class="store-mechanics">{card.notes.clone()}</p> })}
                {(!materials.is_empty()).then(|| view! {
                    <p class="muted">{move || i18n.t(Key::StoreMaterials)} ": "
                        {materials.iter().map(|(item, note)| {
                            let label = cost_item_label(item);
                            if note.is_empty() { label } else { format!("{label}（{note}）") }
                        }).collect::<Vec<_>>().join("、")}
                    </p>
                })}
                <Show when=move || !may_write.get()>
                    <p class="notice" role="note">{move || i18n.t(Key::StoreReadOnly)}</p>
                </Show>
                {move || draft.error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="day-error">{e}</p> })}
            </section>

            <section class="card" aria-labelledby="attendance-heading">
                <div class="card-header">
                    <h2 id="attendance-heading">{move || i18n.t(Key::StoreAttendance)}</h2>
                    <button type="button" class="button button-primary touch" data-testid="attendance-button"
                        disabled=move || !editable.get() || locating.get()
                        on:click=move |_| attend(on_floor_now.get_untracked())>
                        {move || if locating.get() { i18n.t(Key::StoreLocating) }
                            else if on_floor_now.get() { i18n.t(Key::StoreCheckOut) }
                            else { i18n.t(Key::StoreCheckIn) }}
                    </button>
                </div>
                <ul class="attendance-list" data-testid="attendance-list">
                    {move || draft.report().and_then(|r| r.attendance).unwrap_or_default().into_iter().map(|a| {
                        let event = if a.event == "check_out" { i18n.t(Key::StoreCheckedOut) } else { i18n.t(Key::StoreCheckedIn) };
                        let place = match a.position.as_str() {
                            "located" => i18n.format(Key::StorePositionLocated, &[("metres", &a.accuracy_m.unwrap_or(0).to_string())]),
                            "refused" => i18n.t(Key::StorePositionRefused).to_owned(),
                            _ => i18n.t(Key::StorePositionUnavailable).to_owned(),
                        };
                        view! { <li>{event} " " {local_date_time(&format_instant(a.at.timestamp_millis().max(0) as u64), i18n.locale())} " · " {place}</li> }
                    }).collect_view()}
                </ul>
            </section>

            <section class="card" aria-labelledby="sales-heading">
                <div class="card-header">
                    <h2 id="sales-heading">{move || i18n.t(Key::StoreSales)}</h2>
                    <p class="store-totals" data-testid="sales-totals">
                        {move || {
                            let (units, amount) = day_totals.get();
                            i18n.format(Key::StoreTotals, &[("units", &units.to_string()), ("amount", &format_yuan(amount))])
                        }}
                    </p>
                </div>
                {move || product_ids.get().into_iter().map(|pid| {
                    let name = names.with(|n| n.get(&pid).cloned()).unwrap_or_else(|| pid.clone());
                    let price = prices.with_untracked(|p| p.get(&pid).copied());
                    let value = { let pid = pid.clone(); Signal::derive(move || lines.with(|l| units_of(l, &pid))) };
                    let set = {
                        let pid = pid.clone();
                        Callback::new(move |n: i64| {
                            let mut l = lines.get_untracked();
                            set_units(&mut l, &pid, n, price);
                            draft.change(sales_patch(&l));
                        })
                    };
                    view! {
                        <CountRow label=name detail=price.map(format_yuan).unwrap_or_default() value on_set=set
                            disabled=Signal::derive(move || !editable.get()) testid=format!("sales-{pid}") />
                    }
                }).collect_view()}
            </section>

            <section class="card" aria-labelledby="counts-heading">
                <h2 id="counts-heading">{move || i18n.t(Key::StoreCounts)}</h2>
                {count_field("customer_count", Key::StoreCustomers)}
                {count_field("samples_given", Key::StoreSamples)}
                {count_field("coupons_redeemed", Key::StoreCoupons)}
                <label class="choice touch">
                    <input type="checkbox" data-testid="stock-issue"
                        prop:checked=move || fields.with(|f| f.get("stock_issue") == Some(&Value::Bool(true)))
                        disabled=move || !editable.get()
                        on:change=move |e| {
                            draft.set("stock_issue", json!(event_target_checked(&e)));
                        } />
                    <span>{move || i18n.t(Key::StoreStockIssue)}</span>
                </label>
            </section>

            <DisplayPhotos draft />
            <Competitors draft />

            <section class="card" aria-labelledby="notes-heading">
                <h2 id="notes-heading">{move || i18n.t(Key::StoreNotes)}</h2>
                <textarea class="input" rows="3" maxlength="4000" data-testid="day-notes"
                    aria-labelledby="notes-heading"
                    prop:value=move || fields.with(|f| f.get("notes").and_then(Value::as_str).unwrap_or("").to_owned())
                    disabled=move || !editable.get()
                    on:change=move |e| {
                        let text = event_target_value(&e);
                        draft.set("notes", if text.trim().is_empty() { Value::Null } else { json!(text) });
                    }></textarea>
            </section>

            <ReviewCard draft />

            <section class="card store-submit" aria-labelledby="submit-heading">
                <h2 id="submit-heading">{move || i18n.t(Key::StoreSubmitHeading)}</h2>
                <p class="muted">{move || i18n.t(Key::StoreSubmitHint)}</p>
                <Show when=move || !confirming.get()
                    fallback=move || view! {
                        <div class="confirm-panel" role="group" data-testid="submit-confirm">
                            <p>{move || {
                                let (units, amount) = day_totals.get();
                                i18n.format(Key::StoreSubmitConfirm, &[("units", &units.to_string()), ("amount", &format_yuan(amount))])
                            }}</p>
                            <div class="form-actions">
                                <button type="button" class="button touch" on:click=move |_| confirming.set(false)>{move || i18n.t(Key::FormCancel)}</button>
                                <button type="button" class="button button-primary touch" data-testid="submit-day-confirm" on:click=move |_| submit()>
                                    {move || i18n.t(Key::StoreSubmit)}
                                </button>
                            </div>
                        </div>
                    }>
                    <button type="button" class="button button-primary touch" data-testid="submit-day"
                        disabled=move || !editable.get()
                        on:click=move |_| confirming.set(true)>
                        {move || if state.get() == DayState::Submitted { i18n.t(Key::StoreResubmit) } else { i18n.t(Key::StoreSubmit) }}
                    </button>
                </Show>
            </section>
        </div>
    }
}

/// The supervisor's review as the promoter sees it: the problems flagged and the comment.
#[component]
fn ReviewCard(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let users = watch_collection(data, Collection::User);
    let reviewed = Memo::new(move |_| {
        draft
            .report()
            .filter(|r| r.reviewed_at.is_some() || r.review_comment.is_some())
    });
    move || {
        reviewed.get().map(|r| {
            let reviewer = r
                .reviewer_id
                .as_ref()
                .and_then(|id| names_by_id(&users).get(id).cloned())
                .unwrap_or_default();
            let flags: Vec<String> = r
                .review_flags
                .unwrap_or_default()
                .iter()
                .map(|f| {
                    Collection::PromotionReport
                        .line_field("review_flags", "flag")
                        .and_then(|d| d.choice_label(&f.flag, i18n.locale()))
                        .unwrap_or(&f.flag)
                        .to_owned()
                })
                .collect();
            view! {
                <section class="card review-card" data-testid="review-card" aria-labelledby="review-heading">
                    <h2 id="review-heading">{i18n.t(Key::StoreReviewHeading)}</h2>
                    <p class="muted">{reviewer} " · " {r.reviewed_at.map(|t| local_date_time(&format_instant(t.timestamp_millis().max(0) as u64), i18n.locale())).unwrap_or_default()}</p>
                    {(!flags.is_empty()).then(|| view! {
                        <ul class="chips">{flags.into_iter().map(|f| view! { <li class="chip chip-stalled">{f}</li> }).collect_view()}</ul>
                    })}
                    {r.review_comment.map(|c| view! { <blockquote data-testid="review-comment">{c}</blockquote> })}
                </section>
            }
        })
    }
}
