//! A promotion report's page (`/promotion-reports/:id`): the generated record page (with the
//! day's photos in its tables) and, for those who may review reports, the review: the problems
//! found and a comment, one `review_report` change kept on the device and synced. The promoter
//! sees the review in store mode.

mod day;

pub use day::ReviewDayPage;

use leptos::{prelude::*, task::spawn_local};
use serde_json::Value;
use yingxiao_core::{
    domain::Collection,
    permission::Action,
    records::PromotionReport,
    store_day::DayState,
    sync::protocol::{Intent, ReviewArgs},
};

use crate::{
    components::record::detail::RecordDetail,
    data::{
        records::{fields_of, use_one_record, use_record_facts},
        sync::use_data,
    },
    format::local_date_time,
    i18n::{use_i18n, Key},
    permissions::use_access,
};

/// `/promotion-reports/:id`.
#[component]
pub fn ReportDetailPage(id: String) -> impl IntoView {
    let own = id.clone();
    view! {
        <RecordDetail collection=Collection::PromotionReport id>
            <ReviewPanel id=own.clone() />
        </RecordDetail>
    }
}

#[component]
fn ReviewPanel(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let id = Memo::new(move |_| id.clone());
    let record = use_one_record(data, Collection::PromotionReport, id);
    let report = Memo::new(move |_| PromotionReport::from_fields(&fields_of(&record)).ok());
    let facts = use_record_facts(data, Collection::PromotionReport, record);
    let may_review = Memo::new(move |_| {
        facts.with(|facts| access.can(Collection::PromotionReport, Action::Approve, Some(facts)))
    });
    let state = Memo::new(move |_| report.get().map(|r| DayState::of(&r)));
    let flags = RwSignal::new(Vec::<String>::new());
    let comment = RwSignal::new(String::new());
    // The form starts from the review there is (once per report read, not under the user's typing).
    Effect::new(move |seen: Option<bool>| {
        let Some(r) = report.get() else {
            return seen.unwrap_or(false);
        };
        if seen != Some(true) {
            flags.set(
                r.review_flags
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| f.flag)
                    .collect(),
            );
            comment.set(r.review_comment.unwrap_or_default());
        }
        true
    });
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let save = move || {
        let Some(me) = access.viewer().map(|v| v.user_id) else {
            return;
        };
        busy.set(true);
        error.set(None);
        note.set(None);
        let text = comment.get_untracked().trim().to_owned();
        let intent = Intent::ReviewReport(ReviewArgs {
            id: id.get_untracked(),
            reviewer_id: me,
            flags: flags.get_untracked(),
            comment: (!text.is_empty()).then_some(text),
        });
        spawn_local(async move {
            match data.mutate(intent).await {
                Ok(()) => note.set(Some(i18n.t(Key::ReportReviewSaved).to_owned())),
                Err(failure) => error.set(Some(failure.to_string())),
            }
            busy.set(false);
        });
    };
    let choices = Collection::PromotionReport
        .line_field("review_flags", "flag")
        .and_then(|f| f.choices())
        .unwrap_or_default();
    let state_text = move || match state.get() {
        Some(DayState::Reviewed) => {
            let at = record.with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|r| r.as_ref())
                    .and_then(|r| {
                        r.fields
                            .get("reviewed_at")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
            });
            i18n.format(
                Key::ReportReviewed,
                &[(
                    "time",
                    &at.map(|t| local_date_time(&t, i18n.locale()))
                        .unwrap_or_default(),
                )],
            )
        }
        Some(DayState::Submitted) => i18n.t(Key::ReportSubmitted).to_owned(),
        _ => i18n.t(Key::ReportNotSubmitted).to_owned(),
    };

    view! {
        <section class="card review-panel" aria-labelledby="review-panel-heading" data-testid="review-panel">
            <h2 id="review-panel-heading">{move || i18n.t(Key::ReportReviewHeading)}</h2>
            <p class="muted" data-testid="review-state">{state_text}</p>
            {move || note.get().map(|text| view! { <p class="notice notice-ok" role="status" data-testid="review-note">{text}</p> })}
            {move || error.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
            <Show when=move || may_review.get() && state.get().is_some_and(|s| s != DayState::Open)
                fallback=move || view! {
                    {move || report.get().and_then(|r| r.review_comment).map(|c| view! { <blockquote>{c}</blockquote> })}
                }>
                <fieldset class="review-flags">
                    <legend>{move || i18n.t(Key::ReportReviewFlags)}</legend>
                    <div class="choices">
                        {choices.iter().map(|choice| {
                            let value = choice.value;
                            view! {
                                <label class="choice">
                                    <input type="checkbox" value=value
                                        prop:checked=move || flags.with(|f| f.iter().any(|x| x == value))
                                        on:change=move |e| {
                                            let on = event_target_checked(&e);
                                            flags.update(|f| {
                                                f.retain(|x| x != value);
                                                if on { f.push(value.to_owned()); }
                                            });
                                        } />
                                    <span>{move || choice.label(i18n.locale())}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <label class="field">
                    <span>{move || i18n.t(Key::ReportReviewComment)}</span>
                    <textarea rows="3" maxlength="4000" data-testid="review-comment-input"
                        prop:value=move || comment.get()
                        on:input=move |e| comment.set(event_target_value(&e))></textarea>
                </label>
                <div class="form-actions">
                    <button type="button" class="button button-primary" data-testid="review-save"
                        disabled=move || busy.get() on:click=move |_| save()>
                        {move || i18n.t(Key::ReportReviewSave)}
                    </button>
                </div>
            </Show>
        </section>
    }
}
