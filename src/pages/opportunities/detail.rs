//! One opportunity (`/opportunities/:id`): its fields (editable in place), its stage with buttons to
//! move it along the funnel or close it (won, or lost with a reason), and its stage history with the
//! days spent in each stage.

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    funnel::{Deal, Stage, DAY_MS},
    permission::Action,
    scope::{scope_facts, ScopeFacts},
    sync::{
        apply::StoredRecord,
        protocol::{Intent, MoveStageArgs, RecordRef},
    },
    time::format_instant,
};

use super::form::{OpportunityForm, FIELDS};
use crate::{
    components::record::{display_value, focus_later, DeleteRecord, WaitingNote},
    data::records::{names_by_id, text, watch_collection, Loaded},
    data::{store::DataError, sync::use_data},
    format::stage_label,
    format::{format_yuan, local_date_time},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// The deal's fields shown under its name, in the domain table's order.
const SHOWN: [&str; 8] = [
    "customer_id",
    "amount",
    "expected_close",
    "owner_id",
    "unit_id",
    "source",
    "lost_reason",
    "notes",
];

type Record = LocalResource<Result<Option<StoredRecord>, DataError>>;

/// The fields of the deal as shown now (empty while loading or when it is gone).
fn fields_of(deal: &Record) -> Map<String, Value> {
    deal.with(|read| {
        read.as_ref()
            .and_then(|r| r.as_ref().ok())
            .and_then(|r| r.as_ref())
            .map(|record| record.fields.clone())
    })
    .unwrap_or_default()
}

#[component]
pub fn OpportunityDetailPage(
    /// The record's id, from the address.
    id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let list_href = StoredValue::new(use_mount().href("/opportunities"));
    let data = use_data();
    let id = Memo::new(move |_| id.clone());
    let deal: Record = LocalResource::new(move || {
        data.revision.get();
        let target = RecordRef {
            collection: Collection::Opportunity,
            id: id.get(),
        };
        async move { data.view_one(&target).await }
    });
    let users = watch_collection(data, Collection::User, || None);
    let units = watch_collection(data, Collection::OrgUnit, || None);
    let customer: Record = LocalResource::new(move || {
        data.revision.get();
        let target = RecordRef {
            collection: Collection::Customer,
            id: text(&fields_of(&deal), "customer_id").to_owned(),
        };
        async move { data.view_one(&target).await }
    });
    let names = Memo::new(move |_| {
        let mut names = names_by_id(&users);
        names.extend(names_by_id(&units));
        let deal_fields = fields_of(&deal);
        let customer_name = text(&fields_of(&customer), "name").to_owned();
        if !customer_name.is_empty() {
            names.insert(text(&deal_fields, "customer_id").to_owned(), customer_name);
        }
        names
    });
    // The deal's facts, by which the page offers what the user may do to it.
    let facts = Memo::new(move |_| scope_facts(Collection::Opportunity, &fields_of(&deal), None));
    let access = use_access();
    let may_move = Memo::new(move |_| {
        facts.with(|facts| access.can(Collection::Opportunity, Action::MoveStage, Some(facts)))
    });
    let editing = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        id.track();
        editing.set(false);
        note.set(None);
    });
    let loaded = Memo::new(move |_| {
        let found = deal.with(|read| {
            read.as_ref()
                .map(|r| r.as_ref().map(Option::is_some).map_err(Clone::clone))
        });
        Loaded::from_read(found, || data.status.get())
    });

    let body = move || match loaded.get() {
        Loaded::Loading => view! {
            <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p>
        }
        .into_any(),
        Loaded::Failed(error) => view! {
            <p class="form-error" role="alert">
                {move || i18n.format(Key::CustomersLoadFailed, &[("error", &error)])}
            </p>
        }
        .into_any(),
        Loaded::Ready(false) => view! {
            <h1 class="page-title">{move || i18n.t(Key::OpportunityNotFoundTitle)}</h1>
            <p>{move || i18n.t(Key::OpportunityNotFoundBody)}</p>
            <p>
                <A href=list_href.get_value() attr:class="button">
                    {move || i18n.t(Key::OpportunityBackToList)}
                </A>
            </p>
        }
        .into_any(),
        Loaded::Ready(true) => view! {
            <DealView id deal facts editing note names />
            <Show when=move || !editing.get() && may_move.get()>
                <StageCard id deal note />
            </Show>
            <Show when=move || !editing.get()>
                <ProductLines deal />
                <StageHistory deal />
            </Show>
        }
        .into_any(),
    };

    view! {
        <section class="page opportunity-page" data-testid="opportunity-page">
            <p class="breadcrumb">
                <A href=list_href.get_value()>{move || i18n.t(Key::OpportunityBackToList)}</A>
            </p>
            {body}
        </section>
    }
}

/// The deal's name, stage and fields, or the form editing them.
#[component]
fn DealView(
    id: Memo<String>,
    deal: Record,
    facts: Memo<ScopeFacts>,
    editing: RwSignal<bool>,
    note: RwSignal<Option<String>>,
    names: Memo<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let may_edit = Memo::new(move |_| {
        facts.with(|facts| access.can_edit_any(Collection::Opportunity, &FIELDS, facts))
    });
    let may_delete = Memo::new(move |_| {
        facts.with(|facts| access.can(Collection::Opportunity, Action::Delete, Some(facts)))
    });
    let mount = StoredValue::new(use_mount());
    let fields = move || fields_of(&deal);
    let name = move || text(&fields(), "name").to_owned();
    let stage = move || text(&fields(), "stage").to_owned();
    let fact_list = move || {
        let fields = fields();
        SHOWN
            .iter()
            .filter(|&&field| field != "lost_reason" || text(&fields, "stage") == "lost")
            .map(|&field| {
                let label = move || {
                    Collection::Opportunity
                        .field(field)
                        .map(|d| d.label(i18n.locale()))
                        .unwrap_or(field)
                };
                let value = names.with(|names| {
                    display_value(Collection::Opportunity, field, &fields, names, i18n)
                });
                let value = value.unwrap_or_else(|| i18n.t(Key::NotAvailable).to_owned());
                let shown = if field == "customer_id" && !text(&fields, field).is_empty() {
                    let href = mount
                        .with_value(|m| m.href(&format!("/customers/{}", text(&fields, field))));
                    view! { <A href=href>{value}</A> }.into_any()
                } else {
                    value.into_any()
                };
                view! {
                    <div class="fact" class:fact-wide=field == "notes" data-field=field>
                        <dt>{label}</dt>
                        <dd>{shown}</dd>
                    </div>
                }
            })
            .collect_view()
    };
    let on_saved = move |_: String| {
        editing.set(false);
        note.set(Some(i18n.t(Key::CustomerSaved).to_owned()));
        focus_later("opportunity-edit");
    };

    view! {
        <header class="page-header">
            <h1 class="page-title">
                <span data-testid="opportunity-name">{name}</span>
                " "
                <span class="chip stage-chip" data-stage=stage data-testid="opportunity-stage">
                    {move || stage_label(&stage(), i18n.locale()).to_owned()}
                </span>
            </h1>
            <Show when=move || !editing.get() && may_edit.get()>
                <button
                    type="button"
                    class="button"
                    id="opportunity-edit"
                    on:click=move |_| {
                        note.set(None);
                        editing.set(true);
                        focus_later("opportunities-name");
                    }
                >
                    {move || i18n.t(Key::CustomerEdit)}
                </button>
            </Show>
            <DeleteRecord
                collection=Collection::Opportunity
                id=id
                name=Signal::derive(name)
                title=Key::OpportunityDeleteTitle
                body=Key::OpportunityDeleteBody
                list_path="/opportunities"
                hidden=Signal::derive(move || editing.get() || !may_delete.get())
            />
        </header>
        <WaitingNote collection=Collection::Opportunity id=id note=Key::OpportunityWaitingNote />
        {move || note.get().map(|text| view! { <p class="notice notice-ok" role="status" data-testid="opportunity-note">{text}</p> })}
        {move || if editing.get() {
            view! {
                <OpportunityForm
                    existing=(id.get_untracked(), untrack(fields))
                    on_saved=on_saved
                    on_cancel=move |_| {
                        editing.set(false);
                        focus_later("opportunity-edit");
                    }
                />
            }
            .into_any()
        } else {
            view! { <dl class="card facts opportunity-facts">{fact_list}</dl> }.into_any()
        }}
    }
}

/// What the user is about to confirm on the stage card.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Closing {
    Won,
    Lost,
}

/// The stage: a button per open stage to move the deal there, and won / lost to close it (lost asks
/// for the reason the funnel's win/loss figures need).
#[component]
fn StageCard(id: Memo<String>, deal: Record, note: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let current = move || text(&fields_of(&deal), "stage").to_owned();
    let closing = RwSignal::new(None::<Closing>);
    let reason = RwSignal::new(String::new());
    let reason_note = RwSignal::new(String::new());
    let reason_missing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let move_to = move |stage: Stage, lost_reason: Option<String>, lost_note: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let intent = Intent::MoveOpportunityStage(MoveStageArgs {
            id: id.get_untracked(),
            stage,
            lost_reason,
            lost_note,
        });
        spawn_local(async move {
            match data.mutate(intent).await {
                Ok(()) => {
                    closing.set(None);
                    let label = stage_label(stage.as_str(), i18n.locale()).to_owned();
                    note.set(Some(
                        i18n.format(Key::OpportunityMoved, &[("stage", &label)]),
                    ));
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
            busy.set(false);
        });
    };
    let reasons = Collection::Opportunity
        .field("lost_reason")
        .and_then(|d| d.choices())
        .unwrap_or_default();

    view! {
        <section class="card stage-card" aria-labelledby="stage-heading" data-testid="stage-card">
            <h2 id="stage-heading">{move || i18n.t(Key::OpportunityStageHeading)}</h2>
            <ol class="stage-steps">
                {Stage::OPEN.iter().map(|stage| {
                    let wire = stage.as_str();
                    view! {
                        <li>
                            <button
                                type="button"
                                class="stage-step"
                                data-stage=wire
                                aria-pressed=move || (current() == wire).to_string()
                                disabled=move || busy.get()
                                on:click=move |_| {
                                    if current() != wire {
                                        move_to(*stage, None, None);
                                    }
                                }
                            >
                                {move || stage_label(wire, i18n.locale()).to_owned()}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <div class="form-actions stage-close">
                <button
                    type="button"
                    class="button"
                    data-stage="won"
                    aria-pressed=move || (current() == "won").to_string()
                    disabled=move || current() == "won" || busy.get()
                    on:click=move |_| { closing.set(Some(Closing::Won)); focus_later("stage-confirm"); }
                >
                    {move || stage_label("won", i18n.locale()).to_owned()}
                </button>
                <button
                    type="button"
                    class="button button-danger"
                    data-stage="lost"
                    aria-pressed=move || (current() == "lost").to_string()
                    disabled=move || current() == "lost" || busy.get()
                    on:click=move |_| { closing.set(Some(Closing::Lost)); focus_later("lost-reason"); }
                >
                    {move || stage_label("lost", i18n.locale()).to_owned()}
                </button>
            </div>
            {move || closing.get().map(|kind| {
                let lost = kind == Closing::Lost;
                view! {
                    <div
                        class="confirm-panel closing-panel"
                        role="group"
                        aria-labelledby="closing-title"
                        data-testid="closing-panel"
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Escape" {
                                closing.set(None);
                            }
                        }
                    >
                        <h3 id="closing-title">{move || i18n.t(if lost { Key::OpportunityLostTitle } else { Key::OpportunityWonTitle })}</h3>
                        {lost.then(|| view! {
                            <div class="field">
                                <label for="lost-reason">
                                    {move || Collection::Opportunity.field("lost_reason").map(|d| d.label(i18n.locale())).unwrap_or("")}
                                    <span class="required-mark" aria-hidden="true">"*"</span>
                                </label>
                                <select
                                    id="lost-reason"
                                    aria-required="true"
                                    aria-invalid=move || reason_missing.get().to_string()
                                    aria-describedby="lost-reason-error"
                                    on:change=move |ev| { reason.set(event_target_value(&ev)); reason_missing.set(false); }
                                >
                                    <option value="">{move || i18n.t(Key::FormChoose)}</option>
                                    {reasons.iter().map(|choice| view! {
                                        <option value=choice.value prop:selected=move || reason.with(|r| r == choice.value)>
                                            {move || choice.label(i18n.locale())}
                                        </option>
                                    }).collect_view()}
                                </select>
                                <Show when=move || reason_missing.get()>
                                    <p class="field-error" id="lost-reason-error">{move || i18n.t(Key::OpportunityLostReasonRequired)}</p>
                                </Show>
                            </div>
                            <div class="field">
                                <label for="lost-note">{move || Collection::Opportunity.field("lost_note").map(|d| d.label(i18n.locale())).unwrap_or("")}</label>
                                <textarea id="lost-note" maxlength="1000" prop:value=move || reason_note.get()
                                    on:input=move |ev| reason_note.set(event_target_value(&ev))></textarea>
                            </div>
                        })}
                        <div class="form-actions">
                            <button
                                type="button"
                                class="button button-primary"
                                id="stage-confirm"
                                disabled=move || busy.get()
                                on:click=move |_| {
                                    if !lost {
                                        move_to(Stage::Won, None, None);
                                        return;
                                    }
                                    let chosen = reason.get_untracked();
                                    if chosen.is_empty() {
                                        reason_missing.set(true);
                                        focus_later("lost-reason");
                                        return;
                                    }
                                    let text = reason_note.get_untracked().trim().to_owned();
                                    move_to(Stage::Lost, Some(chosen), (!text.is_empty()).then_some(text));
                                }
                            >
                                {move || i18n.t(if lost { Key::OpportunityConfirmLost } else { Key::OpportunityConfirmWon })}
                            </button>
                            <button type="button" class="button" on:click=move |_| closing.set(None)>
                                {move || i18n.t(Key::FormCancel)}
                            </button>
                        </div>
                    </div>
                }
            })}
            {move || error.get().map(|error| view! {
                <p class="form-error" role="alert">{move || i18n.format(Key::FormSaveFailed, &[("error", &error)])}</p>
            })}
        </section>
    }
}

/// The products the deal is about: name, quantity, unit price (the list price when none is given)
/// and the line's amount.
#[component]
fn ProductLines(deal: Record) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let products = watch_collection(data, Collection::Product, || None);
    let lines = move || {
        let fields = fields_of(&deal);
        let catalogue: HashMap<String, (String, Option<i64>)> = products
            .with(|read| {
                read.as_ref().and_then(|r| r.as_ref().ok()).map(|rows| {
                    rows.iter()
                        .map(|(id, p)| {
                            let price = p.fields.get("list_price").and_then(Value::as_i64);
                            (id.clone(), (text(&p.fields, "name").to_owned(), price))
                        })
                        .collect()
                })
            })
            .unwrap_or_default();
        fields
            .get("product_lines")
            .and_then(Value::as_array)
            .map(|lines| {
                lines
                    .iter()
                    .map(|line| {
                        let product = line.get("product_id").and_then(Value::as_str).unwrap_or("");
                        let quantity = line.get("quantity").and_then(Value::as_i64).unwrap_or(0);
                        let (name, list_price) = catalogue
                            .get(product)
                            .cloned()
                            .unwrap_or_else(|| (i18n.t(Key::RecordUnknownRef).to_owned(), None));
                        let price = line
                            .get("unit_price")
                            .and_then(Value::as_i64)
                            .or(list_price);
                        (name, quantity, price)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <Show when=move || !lines().is_empty()>
            <section class="card related" aria-labelledby="lines-heading" data-testid="product-lines">
                <header class="card-header">
                    <h2 id="lines-heading">
                        {move || Collection::Opportunity.field("product_lines").map(|d| d.label(i18n.locale())).unwrap_or("")}
                    </h2>
                </header>
                <ul class="related-list">
                    {move || lines().into_iter().map(|(name, quantity, price)| {
                        let each = price.map(format_yuan).unwrap_or_else(|| "—".to_owned());
                        let total = price.map(|p| format_yuan(p.saturating_mul(quantity))).unwrap_or_default();
                        view! {
                            <li class="related-item">
                                <p class="related-title">
                                    <span>{name}</span>
                                    <span class="related-sub">{format!("× {quantity} · {each}")}</span>
                                    <span class="deal-amount">{total}</span>
                                </p>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// Every stage the deal entered, when, and how long it stayed.
#[component]
fn StageHistory(deal: Record) -> impl IntoView {
    let i18n = use_i18n();
    let entries = move || {
        let fields = fields_of(&deal);
        let now = js_sys::Date::now() as i64;
        let Ok(parsed) = Deal::from_fields("", &fields) else {
            return Vec::new();
        };
        let history = parsed.history;
        let mut rows: Vec<(String, String, Option<i64>)> = history
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let until = history.get(i + 1).map(|next| next.entered_at);
                let closed = matches!(entry.stage, Stage::Won | Stage::Lost);
                let days = match (until, closed) {
                    (Some(until), _) => Some((until - entry.entered_at) / DAY_MS),
                    (None, false) => Some((now - entry.entered_at).max(0) / DAY_MS),
                    (None, true) => None,
                };
                let at = format_instant(entry.entered_at.max(0) as u64);
                (entry.stage.as_str().to_owned(), at, days)
            })
            .collect();
        rows.reverse();
        rows
    };
    view! {
        <section class="card related" aria-labelledby="history-heading" data-testid="stage-history">
            <header class="card-header">
                <h2 id="history-heading">{move || i18n.t(Key::OpportunityHistoryHeading)}</h2>
            </header>
            <ol class="related-list stage-history">
                {move || entries().into_iter().map(|(stage, at, days)| {
                    let locale = i18n.locale();
                    view! {
                        <li class="related-item">
                            <p class="related-title">
                                <span class="chip stage-chip" data-stage=stage.clone()>{stage_label(&stage, locale).to_owned()}</span>
                                <span class="related-sub">{local_date_time(&at, locale)}</span>
                            </p>
                            {days.map(|days| view! {
                                <p class="related-notes">{move || i18n.format(Key::OpportunityStayedDays, &[("days", &days.to_string())])}</p>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
