//! The company's settings kept on the company org unit, so they sync to every device; whoever the
//! permission table lets change them changes them, everyone else reads them. One card draws each:
//! - 漏斗设置 (`field:funnel_settings`: admins and HQ marketing by default): win probability per
//!   stage for the weighted forecast, how many days in a stage make a deal stalled, and the
//!   exchange rates at which deals in other currencies count in the funnel's amounts;
//! - 岗位职责 (`field:role_duties`: admins): each role's duties and the share of its time each takes,
//!   adding up to 100% per role; the org chart shows them on people's cards;
//! - 考核权重 (`field:score_weights`: admins and HQ marketing): the metrics each role is assessed on
//!   and their weights, adding up to 100% per role; the targets page ranks by them.

use leptos::{ev, prelude::*};
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::{
        Collection, ROLE_DUTIES_FIELD, SCORE_WEIGHTS_FIELD, STALL_DAYS_FIELDS,
        WIN_PROBABILITY_FIELDS,
    },
    funnel::{FunnelSettings, Stage},
    org_chart::duties::default_lines,
    permission::{Action, FUNNEL_SETTINGS},
    sync::protocol::{Intent, SetFieldsArgs},
};

use crate::components::record::form::{FormField, FormProblemNote, RecordForm, SaveButton};
use crate::data::records::{watch_collection, Loaded};
use crate::{
    data::sync::use_data,
    i18n::{use_i18n, Key},
    permissions::{company_of, use_access},
};

/// One card: its texts, the permission field that lets a user change it, its groups of fields (title,
/// hint, field names) and what the form shows where the company has set nothing.
pub struct CompanyFields {
    pub testid: &'static str,
    pub title: Key,
    pub hint: Key,
    pub read_only: Key,
    pub saved: Key,
    pub permission: &'static str,
    pub groups: &'static [(Key, Key, &'static [&'static str])],
    pub with_defaults: fn(&Map<String, Value>) -> Map<String, Value>,
}

pub const FUNNEL: CompanyFields = CompanyFields {
    testid: "funnel-settings",
    title: Key::FunnelSettingsTitle,
    hint: Key::FunnelSettingsHint,
    read_only: Key::FunnelSettingsReadOnly,
    saved: Key::FunnelSettingsSaved,
    permission: FUNNEL_SETTINGS,
    groups: &[
        (
            Key::FunnelSettingsProbabilities,
            Key::FunnelSettingsProbabilitiesHint,
            &WIN_PROBABILITY_FIELDS,
        ),
        (
            Key::FunnelSettingsStallDays,
            Key::FunnelSettingsStallDaysHint,
            &STALL_DAYS_FIELDS,
        ),
        (
            Key::FunnelSettingsRates,
            Key::FunnelSettingsRatesHint,
            &["rate_usd", "rate_eur"],
        ),
    ],
    with_defaults: funnel_defaults,
};

pub const DUTIES: CompanyFields = CompanyFields {
    testid: "role-duties",
    title: Key::DutiesTitle,
    hint: Key::DutiesHint,
    read_only: Key::DutiesReadOnly,
    saved: Key::FunnelSettingsSaved,
    permission: ROLE_DUTIES_FIELD,
    groups: &[(Key::DutiesLines, Key::DutiesLinesHint, &[ROLE_DUTIES_FIELD])],
    with_defaults: duties_defaults,
};

pub const WEIGHTS: CompanyFields = CompanyFields {
    testid: "score-weights",
    title: Key::WeightsTitle,
    hint: Key::WeightsHint,
    read_only: Key::WeightsReadOnly,
    saved: Key::FunnelSettingsSaved,
    permission: SCORE_WEIGHTS_FIELD,
    groups: &[(
        Key::WeightsLines,
        Key::WeightsLinesHint,
        &[SCORE_WEIGHTS_FIELD],
    )],
    with_defaults: weights_defaults,
};

/// Until the company sets its own, the form shows the default weights, so saving writes them.
fn weights_defaults(fields: &Map<String, Value>) -> Map<String, Value> {
    let mut shown = fields.clone();
    if shown
        .get(SCORE_WEIGHTS_FIELD)
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        shown.insert(
            SCORE_WEIGHTS_FIELD.to_owned(),
            yingxiao_core::targets::score::default_lines(),
        );
    }
    shown
}

/// Until the company sets its own, the form shows the seed documents' duties, so saving writes them.
fn duties_defaults(fields: &Map<String, Value>) -> Map<String, Value> {
    let mut shown = fields.clone();
    if shown
        .get(ROLE_DUTIES_FIELD)
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        shown.insert(ROLE_DUTIES_FIELD.to_owned(), default_lines());
    }
    shown
}

/// The company unit's fields with each win probability it leaves empty set to the value in force (the
/// default), so the form shows what the forecast uses; saving then writes what was shown. An empty
/// stall limit stays empty: it means the stage's 90th percentile, which the form's hint says.
fn funnel_defaults(fields: &Map<String, Value>) -> Map<String, Value> {
    let in_force = FunnelSettings::from_company(fields).probability_percent;
    let mut shown = fields.clone();
    for (name, stage) in WIN_PROBABILITY_FIELDS.iter().zip(Stage::OPEN) {
        if shown.get(*name).is_none_or(Value::is_null) {
            if let Some(percent) = in_force.get(stage) {
                shown.insert((*name).to_owned(), Value::from(percent));
            }
        }
    }
    shown
}

#[component]
pub fn CompanyFieldsCard(card: &'static CompanyFields) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let may_change = Memo::new(move |_| access.can_on_company(Action::Field(card.permission)));
    let units = watch_collection(data, Collection::OrgUnit);
    let found = Memo::new(move |_| {
        let read = units.with(|read| {
            read.as_ref().map(|r| {
                r.as_ref()
                    .map(|records| company_of(records))
                    .map_err(Clone::clone)
            })
        });
        Loaded::from_read(read, || data.status.get())
    });
    let saved = RwSignal::new(false);
    // A new form when the company's settings change elsewhere, never while the user types.
    let editing_revision = RwSignal::new(0_u32);

    let body = move || {
        editing_revision.track();
        match found.get() {
            Loaded::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p> }.into_any(),
            Loaded::Failed(error) => view! {
                <p class="form-error" role="alert">{move || i18n.format(Key::CustomersLoadFailed, &[("error", &error)])}</p>
            }
            .into_any(),
            Loaded::Ready(None) => view! { <p class="hint">{move || i18n.t(Key::FunnelSettingsNoCompany)}</p> }.into_any(),
            Loaded::Ready(Some((id, fields))) => {
                let names: Vec<&str> = card.groups.iter().flat_map(|(_, _, names)| names.iter().copied()).collect();
                let form = RecordForm::new(Collection::OrgUnit, &names, &(card.with_defaults)(&fields));
                let before = StoredValue::new(fields);
                let id = StoredValue::new(id);
                let submit = move |event: ev::SubmitEvent| {
                    event.prevent_default();
                    if !may_change.get_untracked() || form.busy.get_untracked() {
                        return;
                    }
                    saved.set(false);
                    let Some(patch) = before.with_value(|before| form.for_patch(before)) else {
                        form.focus_first_problem();
                        return;
                    };
                    if patch.is_empty() {
                        saved.set(true);
                        return;
                    }
                    // The record rules (probabilities never fall) need the whole unit, not the patch.
                    let mut whole = before.get_value();
                    whole.extend(patch.clone());
                    if let Err(rule) = yingxiao_core::domain::validate_record(Collection::OrgUnit, &whole) {
                        form.report(rule);
                        form.focus_first_problem();
                        return;
                    }
                    let intent = Intent::SetFields(SetFieldsArgs {
                        collection: Collection::OrgUnit,
                        id: id.get_value(),
                        fields: patch,
                    });
                    form.save(intent, move || {
                        before.set_value(whole);
                        saved.set(true);
                    });
                };
                view! {
                    <form class="record-form" on:submit=submit novalidate data-testid=format!("{}-form", card.testid)>
                        {card.groups.iter().map(|&(title, hint, names)| view! {
                            <fieldset class="settings-group" disabled=move || !may_change.get()>
                                <legend>{move || i18n.t(title)}</legend>
                                <p class="hint">{move || i18n.t(hint)}</p>
                                <div class="form-grid">
                                    {names.iter().map(|&name| view! { <FormField form name=name /> }).collect_view()}
                                </div>
                            </fieldset>
                        }).collect_view()}
                        <FormProblemNote form />
                        <Show when=move || saved.get()>
                            <p class="notice notice-ok" role="status">{move || i18n.t(card.saved)}</p>
                        </Show>
                        <Show when=move || may_change.get()>
                            <div class="form-actions">
                                <SaveButton form label=Signal::derive(move || i18n.t(Key::CustomerSave)) />
                            </div>
                        </Show>
                    </form>
                }
                .into_any()
            }
        }
    };

    view! {
        <fieldset class="card setting" data-testid=card.testid>
            <legend>{move || i18n.t(card.title)}</legend>
            <p class="hint">{move || i18n.t(if may_change.get() { card.hint } else { card.read_only })}</p>
            {body}
        </fieldset>
    }
}
