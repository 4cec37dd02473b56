//! Breaking a row's year down in one step (目标分解): shared among the units and people below
//! equally or by last year's actuals, and phased into the row's months evenly or by last year's
//! seasonality — previewed exactly as it will be written (core's `sheet::decompose`), then applied as
//! one change per cell.

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use yingxiao_core::targets::{
    actuals::Actuals,
    sheet::{decompose, Phasing, ShareBy, Write},
    split::SplitError,
};

use super::{figure, make_writes, month_label, Drawn, Panel};
use crate::{
    components::record::focus_later,
    data::{sync::use_data, targets::ActualsHandle},
    i18n::{use_i18n, Key},
};

#[component]
pub(super) fn DecomposePanel(
    drawn: Drawn,
    subject: String,
    panel: RwSignal<Option<Panel>>,
    busy: RwSignal<bool>,
    actuals: ActualsHandle,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sheet = drawn.sheet.clone();
    let row = sheet.rows.iter().position(|r| r.subject_id == subject)?;
    let has_children = !sheet.rows[row].children.is_empty();
    let share = RwSignal::new(ShareBy::LastYear);
    let phasing = RwSignal::new(Phasing::LastYear);
    let error = RwSignal::new(None::<String>);
    let metric = drawn.metric;
    // Where each existing target sits: (row, month).
    let mut at: HashMap<String, (usize, Option<usize>)> = HashMap::new();
    for (i, r) in sheet.rows.iter().enumerate() {
        if let Some(c) = &r.year {
            at.insert(c.id.clone(), (i, None));
        }
        for (k, c) in r.months.iter().enumerate() {
            if let Some(c) = c {
                at.insert(c.id.clone(), (i, Some(k)));
            }
        }
    }
    let plan = {
        let sheet = sheet.clone();
        Memo::new(move |_| {
            let (share, phasing) = (share.get(), phasing.get());
            actuals
                .with(|by| decompose(&sheet, row, share, phasing, by, metric))
                // Before the actuals are indexed, last year's shares are not known: equal.
                .unwrap_or_else(|| {
                    decompose(&sheet, row, share, phasing, &Actuals::default(), metric)
                })
        })
    };
    // The plan as (row, month, value) for the preview.
    let placed = {
        let at = at.clone();
        move |writes: &[Write]| -> Vec<(usize, Option<usize>, i64)> {
            writes
                .iter()
                .filter_map(|w| match w {
                    Write::Set { id, value } => at.get(id).map(|&(r, m)| (r, m, *value)),
                    Write::NewYear { row, value, .. } => Some((*row, None, *value)),
                    Write::NewMonth {
                        row, month, value, ..
                    } => Some((*row, Some(*month), *value)),
                })
                .collect()
        }
    };
    let name = sheet.rows[row].name.clone();
    let year = sheet.year;
    let apply = {
        let sheet = sheet.clone();
        move |_| {
            let Ok(writes) = plan.get_untracked() else {
                return;
            };
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            let sheet = sheet.clone();
            spawn_local(async move {
                match make_writes(data, &sheet, metric, &writes).await {
                    Ok(()) => panel.set(None),
                    Err(message) => error.set(Some(message)),
                }
                busy.set(false);
            });
        }
    };
    focus_later("target-decompose-first");
    let preview = {
        let sheet = sheet.clone();
        move || {
            match plan.get() {
            Err(SplitError::NoChildren) | Err(_) => view! {
                <p class="form-error" role="alert">{i18n.t(Key::TargetsDecomposeCannot)}</p>
            }
            .into_any(),
            Ok(writes) if writes.is_empty() => view! {
                <p class="hint" data-testid="target-decompose-same">{i18n.t(Key::TargetsDecomposeSame)}</p>
            }
            .into_any(),
            Ok(writes) => {
                let placed = placed(&writes);
                let locale = i18n.locale();
                let children: Vec<_> = placed
                    .iter()
                    .filter(|(r, m, _)| *r != row && m.is_none())
                    .map(|&(r, _, v)| view! {
                        <li data-testid="target-decompose-child">
                            <span>{sheet.rows[r].name.clone()}</span>
                            <strong>{figure(metric, v)}</strong>
                        </li>
                    })
                    .collect();
                let months: Vec<_> = placed
                    .iter()
                    .filter(|(r, m, _)| *r == row && m.is_some())
                    .map(|&(_, m, v)| view! {
                        <li><span>{month_label(m.unwrap_or(0), locale)}</span><strong>{figure(metric, v)}</strong></li>
                    })
                    .collect();
                view! {
                    {(!children.is_empty()).then(|| view! {
                        <h3>{i18n.t(Key::TargetsShare)}</h3>
                        <ul class="target-preview">{children}</ul>
                    })}
                    {(!months.is_empty()).then(|| view! {
                        <h3>{i18n.t(Key::TargetsPhasing)}</h3>
                        <ul class="target-preview target-preview-months">{months}</ul>
                    })}
                }
                .into_any()
            }
        }
        }
    };
    let choice =
        move |checked: bool, label: Key, id: &'static str, pick: Box<dyn Fn() + Send + Sync>| {
            view! {
                <label class="choice">
                    <input type="radio" id=id name=id.rsplit_once('-').map_or(id, |(n, _)| n)
                        checked=checked on:change=move |_| pick() />
                    <span>{i18n.t(label)}</span>
                </label>
            }
        };
    Some(view! {
        <div class="card confirm-panel target-panel" role="dialog" aria-labelledby="target-decompose-title"
            data-testid="target-decompose-panel"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { panel.set(None); }>
            <h2 id="target-decompose-title">
                {i18n.format(Key::TargetsDecomposeTitle, &[("name", &name), ("year", &year.to_string())])}
            </h2>
            {has_children.then(|| view! {
                <fieldset class="choices">
                    <legend>{i18n.t(Key::TargetsShare)}</legend>
                    {choice(true, Key::TargetsShareLastYear, "target-share-last",
                        Box::new(move || share.set(ShareBy::LastYear)))}
                    {choice(false, Key::TargetsShareEqual, "target-share-equal",
                        Box::new(move || share.set(ShareBy::Equal)))}
                </fieldset>
            })}
            <fieldset class="choices">
                <legend>{i18n.t(Key::TargetsPhasing)}</legend>
                {choice(true, Key::TargetsPhasingLastYear, "target-phasing-last",
                    Box::new(move || phasing.set(Phasing::LastYear)))}
                {choice(false, Key::TargetsPhasingEven, "target-phasing-even",
                    Box::new(move || phasing.set(Phasing::Even)))}
            </fieldset>
            <p class="hint">{i18n.t(Key::TargetsDecomposeHint)}</p>
            {preview}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="form-actions">
                <button type="button" id="target-decompose-first" class="button button-primary"
                    data-testid="target-decompose-apply"
                    disabled=move || busy.get() || plan.with(|p| p.as_ref().map_or(true, Vec::is_empty))
                    on:click=apply>
                    {i18n.t(Key::TargetsDecomposeApply)}
                </button>
                <button type="button" class="button" on:click=move |_| panel.set(None)>{i18n.t(Key::FormCancel)}</button>
            </div>
        </div>
    })
}
