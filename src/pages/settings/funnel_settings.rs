//! The company's funnel settings (漏斗设置) on the settings page: win probability per stage for the
//! weighted forecast, and how many days in a stage make a deal stalled. Kept on the company org unit,
//! so they sync to every device; whoever the permission table lets change them (`field:funnel_settings`
//! on the company unit: admins and HQ marketing by default) changes them, everyone else reads them.

use leptos::{ev, prelude::*};
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::{Collection, STALL_DAYS_FIELDS, WIN_PROBABILITY_FIELDS},
    funnel::{FunnelSettings, Stage},
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

/// The company unit's fields with each win probability it leaves empty set to the value in force (the
/// default), so the form shows what the forecast uses; saving then writes what was shown. An empty
/// stall limit stays empty: it means the stage's 90th percentile, which the form's hint says.
fn with_defaults(fields: &Map<String, Value>) -> Map<String, Value> {
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
pub fn FunnelSettingsCard() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let may_change = Memo::new(move |_| access.can_on_company(Action::Field(FUNNEL_SETTINGS)));
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
                let names: Vec<&str> = WIN_PROBABILITY_FIELDS.iter().chain(&STALL_DAYS_FIELDS).copied().collect();
                let form = RecordForm::new(Collection::OrgUnit, &names, &with_defaults(&fields));
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
                    // The record rule (probabilities never fall) needs the whole unit, not the patch.
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
                    <form class="record-form" on:submit=submit novalidate data-testid="funnel-settings-form">
                        {[
                            (Key::FunnelSettingsProbabilities, Key::FunnelSettingsProbabilitiesHint, WIN_PROBABILITY_FIELDS),
                            (Key::FunnelSettingsStallDays, Key::FunnelSettingsStallDaysHint, STALL_DAYS_FIELDS),
                        ].into_iter().map(|(title, hint, names)| view! {
                            <fieldset class="settings-group" disabled=move || !may_change.get()>
                                <legend>{move || i18n.t(title)}</legend>
                                <p class="hint">{move || i18n.t(hint)}</p>
                                <div class="form-grid">
                                    {names.into_iter().map(|name| view! { <FormField form name=name /> }).collect_view()}
                                </div>
                            </fieldset>
                        }).collect_view()}
                        <FormProblemNote form />
                        <Show when=move || saved.get()>
                            <p class="notice notice-ok" role="status">{move || i18n.t(Key::FunnelSettingsSaved)}</p>
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
        <fieldset class="card setting" data-testid="funnel-settings">
            <legend>{move || i18n.t(Key::FunnelSettingsTitle)}</legend>
            <p class="hint">{move || i18n.t(if may_change.get() { Key::FunnelSettingsHint } else { Key::FunnelSettingsReadOnly })}</p>
            {body}
        </fieldset>
    }
}
