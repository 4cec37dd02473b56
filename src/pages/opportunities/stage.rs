//! An opportunity's own parts, drawn on its generated page below its fields: the stage with buttons
//! to move the deal along the funnel or close it (won, or lost with the reason the funnel's figures
//! need), and the stage history with the days spent in each stage.

use leptos::{prelude::*, task::spawn_local};
use serde_json::Value;
use yingxiao_core::{
    domain::Collection,
    funnel::{Deal, Stage, DAY_MS},
    permission::Action,
    scope::scope_facts,
    sync::protocol::{Intent, MoveStageArgs},
    time::format_instant,
};

use crate::{
    components::record::focus_later,
    data::{
        records::{fields_of, text, use_one_record, OneRecord},
        sync::use_data,
    },
    format::{local_date_time, stage_label},
    i18n::{use_i18n, Key},
    permissions::use_access,
};

/// The deal's stage: where it is, the moves the user may make, and how it got there.
#[component]
pub fn DealStage(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let id = Memo::new(move |_| id.clone());
    let deal = use_one_record(data, Collection::Opportunity, id);
    let may_move = Memo::new(move |_| {
        let facts = scope_facts(Collection::Opportunity, &fields_of(&deal), None);
        access.can(Collection::Opportunity, Action::MoveStage, Some(&facts))
    });
    let note = RwSignal::new(None::<String>);
    let stage = move || text(&fields_of(&deal), "stage").to_owned();
    view! {
        <section class="card stage-card" aria-labelledby="stage-heading">
        <h2 id="stage-heading">
            {move || i18n.t(Key::OpportunityStageHeading)}
            " "
            <span class="chip stage-chip" data-stage=stage data-testid="opportunity-stage">
                {move || stage_label(&stage(), i18n.locale()).to_owned()}
            </span>
        </h2>
        {move || {
            let fields = fields_of(&deal);
            (text(&fields, "stage") == "lost").then(|| {
                let row = |name: &'static str| {
                    let value = fields.get(name).and_then(Value::as_str).filter(|v| !v.is_empty())?;
                    let def = Collection::Opportunity.field(name)?;
                    let shown = def.choice_label(value, i18n.locale()).unwrap_or(value).to_owned();
                    Some(view! {
                        <div class="detail-field" data-field=name>
                            <dt>{def.label(i18n.locale())}</dt>
                            <dd>{shown}</dd>
                        </div>
                    })
                };
                view! { <dl class="detail-fields deal-lost">{row("lost_reason")}{row("lost_note")}</dl> }
            })
        }}
        {move || note.get().map(|text| view! { <p class="notice notice-ok" role="status" data-testid="opportunity-note">{text}</p> })}
        <Show when=move || may_move.get()>
            <StageCard id deal note />
        </Show>
        </section>
        <StageHistory deal />
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
fn StageCard(id: Memo<String>, deal: OneRecord, note: RwSignal<Option<String>>) -> impl IntoView {
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
        <div class="stage-moves" data-testid="stage-card">
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
        </div>
    }
}

/// Every stage the deal entered, when, and how long it stayed.
#[component]
fn StageHistory(deal: OneRecord) -> impl IntoView {
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
