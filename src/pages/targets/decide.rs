//! Moving a row's breakdown on (分解审批): submitted by whoever broke it down, then approved, sent
//! back or reopened one unit up, with a comment where the step needs one. Approval is offered only
//! once the parts add up (core's `approval::adds_up`, the rule the server applies again): otherwise
//! the panel says which parts are off and by how much.

use leptos::{prelude::*, task::spawn_local};
use yingxiao_core::{
    sync::protocol::{DecideArgs, Intent},
    targets::approval::{adds_up, transition, Breakdown, Refusal},
};

use super::{figure, status_label, Drawn, Panel};
use crate::{
    components::record::focus_later,
    data::sync::use_data,
    i18n::{use_i18n, Key},
};

#[component]
pub(super) fn DecidePanel(
    drawn: Drawn,
    subject: String,
    to: Breakdown,
    panel: RwSignal<Option<Panel>>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sheet = drawn.sheet.clone();
    let row = sheet.rows.iter().position(|r| r.subject_id == subject)?;
    let r = &sheet.rows[row];
    let year = r.year.clone()?;
    let metric = drawn.metric;
    let from = year.status;
    let needs_comment = transition(from, to, false) == Err(Refusal::CommentNeeded);
    // Approving a set that does not add up is refused here, as the server would.
    let off = (to == Breakdown::Approved)
        .then(|| adds_up(year.value, &sheet.breakdown_values(row)).err())
        .flatten()
        .map(|refusal| match refusal {
            Refusal::DoesNotAddUp(groups) => {
                let lines: Vec<String> = groups
                    .iter()
                    .map(|(period, short)| {
                        let part = if period == "month" {
                            i18n.t(Key::TargetsPartMonths)
                        } else {
                            i18n.t(Key::TargetsPartBelow)
                        };
                        let key = if *short > 0 {
                            Key::TargetsPartShort
                        } else {
                            Key::TargetsPartOver
                        };
                        i18n.format(
                            key,
                            &[("part", part), ("amount", &figure(metric, short.abs()))],
                        )
                    })
                    .collect();
                i18n.format(
                    Key::TargetsNotAddingUp,
                    &[("lines", &lines.join(i18n.t(Key::TargetsListSeparator)))],
                )
            }
            _ => i18n.t(Key::TargetsNothingToApprove).to_owned(),
        });
    let comment = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let (title, button) = match (from, to) {
        (_, Breakdown::Submitted) => (Key::TargetsSubmitTitle, Key::TargetsSubmit),
        (_, Breakdown::Approved) => (Key::TargetsApproveTitle, Key::TargetsApprove),
        (Breakdown::Approved, _) => (Key::TargetsReopenTitle, Key::TargetsReopen),
        _ => (Key::TargetsSendBackTitle, Key::TargetsSendBack),
    };
    let name = r.name.clone();
    let blocked = off.is_some();
    let confirm = move |_| {
        let text = comment.get_untracked().trim().to_owned();
        if needs_comment && text.is_empty() {
            missing.set(true);
            focus_later("target-decide-comment");
            return;
        }
        if busy.get_untracked() || blocked {
            return;
        }
        busy.set(true);
        let intent = Intent::DecideBreakdown(DecideArgs {
            id: year.id.clone(),
            status: to.as_str().to_owned(),
            comment: (!text.is_empty()).then_some(text),
        });
        spawn_local(async move {
            match data.mutate(intent).await {
                Ok(()) => panel.set(None),
                Err(failure) => error.set(Some(failure.to_string())),
            }
            busy.set(false);
        });
    };
    focus_later(if blocked {
        "target-decide-cancel"
    } else {
        "target-decide-comment"
    });
    Some(view! {
        <div class="card confirm-panel target-panel" role="dialog" aria-labelledby="target-decide-title"
            data-testid="target-decide-panel"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { panel.set(None); }>
            <h2 id="target-decide-title">{i18n.format(title, &[("name", &name)])}</h2>
            <p class="hint">{i18n.format(Key::TargetsStatusNow, &[("status", &status_label(from, i18n.locale()))])}</p>
            {off.map(|text| view! { <p class="form-error" role="alert" data-testid="target-not-adding-up">{text}</p> })}
            {(!blocked).then(|| view! {
                <label class="field" for="target-decide-comment">
                    <span class="field-label">
                        {i18n.t(Key::TargetsCommentLabel)}{needs_comment.then_some("*")}
                    </span>
                    <textarea id="target-decide-comment" class="input" rows="2" maxlength="4000"
                        data-testid="target-decide-comment"
                        aria-invalid=move || missing.get().to_string()
                        prop:value=move || comment.get()
                        on:input=move |e| { comment.set(event_target_value(&e)); missing.set(false); }></textarea>
                </label>
                {move || missing.get().then(|| view! {
                    <p class="field-error" role="alert">{i18n.t(Key::TargetsCommentNeeded)}</p>
                })}
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="form-actions">
                {(!blocked).then(|| view! {
                    <button type="button" class="button button-primary" data-testid="target-decide-confirm"
                        disabled=move || busy.get() on:click=confirm>
                        {i18n.t(button)}
                    </button>
                })}
                <button type="button" id="target-decide-cancel" class="button" data-testid="target-decide-cancel"
                    on:click=move |_| panel.set(None)>{i18n.t(Key::FormCancel)}</button>
            </div>
        </div>
    })
}
