//! A promotion's own part on its generated page: its status, and for those who may approve it the
//! next steps core allows (approve, start, finish, send back, cancel), each confirmed with a comment
//! (required to send back or cancel). A step is one `decide_promotion` change, kept on the device
//! and synced; a refusal (another decision got there first) is shown, not swallowed.

use leptos::{prelude::*, task::spawn_local};
use yingxiao_core::{
    domain::{decision_needs_comment, next_statuses, Collection},
    permission::Action,
    scope::scope_facts,
    sync::protocol::{DecideArgs, Intent},
};

use crate::{
    components::record::focus_later,
    data::{
        records::{fields_of, text, use_one_record},
        sync::use_data,
    },
    i18n::{use_i18n, Key},
    permissions::use_access,
};

/// Most characters of a comment (the field table's limit).
const COMMENT_CHARS: &str = "4000";

/// The words of the button that moves a promotion to `status`.
fn step_key(status: &str) -> Key {
    match status {
        "approved" => Key::PromotionApprove,
        "running" => Key::PromotionStart,
        "finished" => Key::PromotionFinish,
        "planned" => Key::PromotionSendBack,
        _ => Key::PromotionCancel,
    }
}

fn status_label(status: &str, locale: yingxiao_core::locale::Locale) -> String {
    Collection::Promotion
        .field("status")
        .and_then(|f| f.choice_label(status, locale))
        .unwrap_or(status)
        .to_owned()
}

/// The promotion's status card.
#[component]
pub fn PromotionDecision(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let id = Memo::new(move |_| id.clone());
    let promotion = use_one_record(data, Collection::Promotion, id);
    let status = Memo::new(move |_| text(&fields_of(&promotion), "status").to_owned());
    let may_decide = Memo::new(move |_| {
        let facts = scope_facts(Collection::Promotion, &fields_of(&promotion), None);
        access.can(Collection::Promotion, Action::Approve, Some(&facts))
    });
    let steps = move || {
        if may_decide.get() {
            next_statuses(&status.get())
        } else {
            &[]
        }
    };
    let choosing = RwSignal::new(None::<&'static str>);
    let comment = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<String>);

    let decide = move |to: &'static str| {
        let text = comment.get_untracked().trim().to_owned();
        if text.is_empty() && decision_needs_comment(to) {
            missing.set(true);
            focus_later("decision-comment");
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let intent = Intent::DecidePromotion(DecideArgs {
            id: id.get_untracked(),
            status: to.to_owned(),
            comment: (!text.is_empty()).then_some(text),
        });
        spawn_local(async move {
            match data.mutate(intent).await {
                Ok(()) => {
                    choosing.set(None);
                    comment.set(String::new());
                    let label = status_label(to, i18n.locale_untracked());
                    note.set(Some(
                        i18n.format(Key::PromotionDecided, &[("status", &label)]),
                    ));
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="card stage-card" aria-labelledby="decision-heading" data-testid="promotion-decision">
            <h2 id="decision-heading">
                {move || i18n.t(Key::PromotionStatusHeading)}
                " "
                <span class="chip status-chip" data-status=move || status.get() data-testid="promotion-status">
                    {move || status_label(&status.get(), i18n.locale())}
                </span>
            </h2>
            {move || note.get().map(|text| view! { <p class="notice notice-ok" role="status" data-testid="decision-note">{text}</p> })}
            <Show when=move || !steps().is_empty()>
                <div class="form-actions">
                    {move || steps().iter().map(|&to| {
                        let danger = to == "cancelled";
                        view! {
                            <button
                                type="button"
                                class=if danger { "button button-danger" } else { "button" }
                                data-decision=to
                                aria-expanded=move || (choosing.get() == Some(to)).to_string()
                                disabled=move || busy.get()
                                on:click=move |_| {
                                    choosing.set(Some(to));
                                    missing.set(false);
                                    focus_later("decision-comment");
                                }
                            >
                                {move || i18n.t(step_key(to))}
                            </button>
                        }
                    }).collect_view()}
                </div>
            </Show>
            {move || choosing.get().map(|to| {
                let required = decision_needs_comment(to);
                view! {
                    <div
                        class="confirm-panel"
                        role="group"
                        aria-labelledby="decision-title"
                        data-testid="decision-panel"
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Escape" {
                                choosing.set(None);
                            }
                        }
                    >
                        <h3 id="decision-title">
                            {move || i18n.format(Key::PromotionDecisionTitle, &[("status", &status_label(to, i18n.locale()))])}
                        </h3>
                        <div class="field">
                            <label for="decision-comment">
                                {move || Collection::Promotion.field("decision_comment").map(|d| d.label(i18n.locale())).unwrap_or("")}
                                {required.then(|| view! { <span class="required-mark" aria-hidden="true">"*"</span> })}
                            </label>
                            <textarea
                                id="decision-comment"
                                maxlength=COMMENT_CHARS
                                aria-required=required.to_string()
                                aria-invalid=move || missing.get().to_string()
                                aria-describedby="decision-comment-error"
                                prop:value=move || comment.get()
                                on:input=move |ev| { comment.set(event_target_value(&ev)); missing.set(false); }
                            ></textarea>
                            <Show when=move || missing.get()>
                                <p class="field-error" id="decision-comment-error">{move || i18n.t(Key::PromotionCommentRequired)}</p>
                            </Show>
                        </div>
                        <div class="form-actions">
                            <button
                                type="button"
                                class=if to == "cancelled" { "button button-danger" } else { "button button-primary" }
                                data-testid="decision-confirm"
                                disabled=move || busy.get()
                                on:click=move |_| decide(to)
                            >
                                {move || i18n.t(step_key(to))}
                            </button>
                            <button type="button" class="button" on:click=move |_| choosing.set(None)>
                                {move || i18n.t(Key::FormCancel)}
                            </button>
                        </div>
                    </div>
                }
            })}
            {move || error.get().map(|error| view! {
                <p class="form-error" role="alert" data-testid="decision-error">{move || i18n.format(Key::FormSaveFailed, &[("error", &error)])}</p>
            })}
        </section>
    }
}
