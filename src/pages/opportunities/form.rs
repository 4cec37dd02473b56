//! The opportunity form, for a new deal (`/opportunities/new`) and for editing one on its page. A new
//! deal belongs to the signed-in user and their unit and starts in the stage chosen (了解 unless the
//! user says otherwise); an edit sends only what changed. Stages change on the deal's page, never here.
//! Fields the user may not set are shown as text (an edit) or left out (a new deal), and owners and
//! units are offered only where the user may put the deal.

use leptos::{ev, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};
use serde_json::{json, Map, Value};
use yingxiao_core::{
    domain::Collection,
    funnel::Stage,
    permission::Action,
    scope::{scope_facts, ScopeFacts},
    sync::protocol::{CreateArgs, Intent, SetFieldsArgs},
    time::format_instant,
};

use crate::format::stage_label;
use crate::{
    components::record::{
        form::{
            FieldMode, FormField, FormProblemNote, Options, RecordForm, SaveButton,
            VisibleAfterNote,
        },
        NotAllowed,
    },
    data::records::{names_by_id, text, watch_collection},
    data::{new_record_id, sync::use_data},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
    session::use_session,
};

/// The deal's fields the form shows, in the domain table's order.
pub const FIELDS: [&str; 8] = [
    "name",
    "customer_id",
    "owner_id",
    "unit_id",
    "amount",
    "expected_close",
    "source",
    "notes",
];

/// The records of a collection as choices (id, name), sorted by name, optionally filtered.
fn choices(
    records: &[(String, yingxiao_core::sync::apply::StoredRecord)],
    keep: impl Fn(&str, &Map<String, Value>) -> bool,
) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = records
        .iter()
        .filter(|(id, r)| keep(id, &r.fields))
        .map(|(id, r)| (id.clone(), text(&r.fields, "name").to_owned()))
        .collect();
    options.sort_by(|a, b| a.1.cmp(&b.1));
    options
}

/// The facts of a deal with this owner, unit and customer.
fn placement(owner: &str, unit: &str, customer: &str) -> ScopeFacts {
    let mut fields = Map::new();
    for (name, value) in [
        ("owner_id", owner),
        ("unit_id", unit),
        ("customer_id", customer),
    ] {
        if !value.is_empty() {
            fields.insert(name.into(), Value::from(value));
        }
    }
    scope_facts(Collection::Opportunity, &fields, None)
}

/// The form for a new deal (`existing` is `None`) or for one deal's fields.
#[component]
pub fn OpportunityForm(
    /// The deal being edited: its id and fields as the user sees them now.
    #[prop(optional)]
    existing: Option<(String, Map<String, Value>)>,
    /// A new deal's customer, when the user came from that customer's page ("" for none).
    #[prop(optional)]
    customer_id: String,
    /// Runs with the deal's id once the change is stored on the device.
    #[prop(into)]
    on_saved: Callback<String>,
    /// Leaves an edit without saving; a new deal's form links back to the list instead.
    #[prop(optional, into)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let access = use_access();
    let me = use_session().get_untracked().map(|s| s.user);

    let initial = match &existing {
        Some((_, fields)) => fields.clone(),
        None => {
            let mut defaults = Map::new();
            if let Some(me) = &me {
                defaults.insert("owner_id".into(), Value::from(me.user_id.clone()));
                defaults.insert("unit_id".into(), Value::from(me.unit_id.clone()));
            }
            if !customer_id.is_empty() {
                defaults.insert("customer_id".into(), Value::from(customer_id.clone()));
            }
            defaults
        }
    };
    let current_owner = text(&initial, "owner_id").to_owned();
    let current_unit = text(&initial, "unit_id").to_owned();
    // An edit is judged on the deal as it is; a new deal on what the form would create.
    let before: Option<ScopeFacts> = existing
        .as_ref()
        .map(|(_, fields)| scope_facts(Collection::Opportunity, fields, None));
    let is_new = before.is_none();
    let form = RecordForm::new(Collection::Opportunity, &FIELDS, &initial);
    let placed = move || {
        placement(
            &form.get("owner_id"),
            &form.get("unit_id"),
            &form.get("customer_id"),
        )
    };
    let form = {
        let before = before.clone();
        form.with_modes(move |name| match &before {
            Some(facts) if access.can_set_field(Collection::Opportunity, name, Some(facts)) => {
                FieldMode::Edit
            }
            Some(_) => FieldMode::ReadOnly,
            None if access.can_set_on_create(Collection::Opportunity, name, &placed()) => {
                FieldMode::Edit
            }
            None => FieldMode::Hidden,
        })
    };
    // May the deal be put with this owner and unit: created there, or (an edit) still seen by the
    // user afterwards?
    let allowed = move |owner: &str, unit: &str| {
        let facts = placement(owner, unit, &form.get("customer_id"));
        if is_new {
            access.can(Collection::Opportunity, Action::Create, Some(&facts))
        } else {
            access.sees(Collection::Opportunity, &facts)
        }
    };
    let first_stage = RwSignal::new(Stage::Aware.as_str().to_owned());

    let customers = watch_collection(data, Collection::Customer, || None);
    let users = watch_collection(data, Collection::User, || None);
    let units = watch_collection(data, Collection::OrgUnit, || None);
    let read = |resource: &LocalResource<_>| {
        resource
            .with(|read: &Option<Result<Vec<_>, _>>| {
                read.as_ref().and_then(|r| r.as_ref().ok()).cloned()
            })
            .unwrap_or_default()
    };
    let customer_options: Options = Signal::derive(move || choices(&read(&customers), |_, _| true));
    let owner_options: Options = {
        let current_owner = current_owner.clone();
        Signal::derive(move || {
            let unit = form.get("unit_id");
            choices(&read(&users), |id, user| {
                let active = user.get("active") != Some(&Value::Bool(false));
                id == current_owner || (active && allowed(id, &unit))
            })
        })
    };
    let unit_options: Options = {
        let current_unit = current_unit.clone();
        Signal::derive(move || {
            let owner = form.get("owner_id");
            choices(&read(&units), |id, _| {
                id == current_unit || allowed(&owner, id)
            })
        })
    };
    let names = Signal::derive(move || {
        let mut names = names_by_id(&users);
        names.extend(names_by_id(&units));
        names
    });
    // Saying who will see the deal is for those who may hand it on.
    let reassigning = before
        .as_ref()
        .is_some_and(|facts| access.can(Collection::Opportunity, Action::Reassign, Some(facts)));

    let existing = StoredValue::new(existing);
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        let intent = existing.with_value(|existing| match existing {
            None => {
                let stage = first_stage.get_untracked();
                let now = format_instant(js_sys::Date::now() as u64);
                let mut fixed = Map::new();
                fixed.insert("stage".into(), json!(stage));
                fixed.insert(
                    "stage_history".into(),
                    json!([{"stage": stage, "entered_at": now}]),
                );
                fixed.insert("currency".into(), json!("CNY"));
                form.for_create(fixed).map(|fields| {
                    Intent::Create(CreateArgs {
                        collection: Collection::Opportunity,
                        id: new_record_id(),
                        fields,
                    })
                })
            }
            Some((id, before)) => form.for_patch(before).map(|fields| {
                Intent::SetFields(SetFieldsArgs {
                    collection: Collection::Opportunity,
                    id: id.clone(),
                    fields,
                })
            }),
        });
        let Some(intent) = intent else {
            form.focus_first_problem();
            return;
        };
        let id = intent.target().id;
        if let Intent::SetFields(args) = &intent {
            if args.fields.is_empty() {
                on_saved.run(id);
                return;
            }
        }
        form.save(intent, move || on_saved.run(id));
    };

    let is_new = existing.with_value(Option::is_none);
    let save_label = Signal::derive(move || {
        if is_new {
            i18n.t(Key::OpportunityCreate)
        } else {
            i18n.t(Key::CustomerSave)
        }
    });
    let cancel = match on_cancel {
        Some(cancel) => view! {
            <button type="button" class="button" on:click=move |_| cancel.run(())>
                {move || i18n.t(Key::FormCancel)}
            </button>
        }
        .into_any(),
        None => view! {
            <A href=mount.href("/opportunities") attr:class="button">{move || i18n.t(Key::FormCancel)}</A>
        }
        .into_any(),
    };
    let stage_picker = is_new.then(|| {
        view! {
            <div class="field">
                <label for="opportunities-first-stage">{move || i18n.t(Key::OpportunityFirstStage)}</label>
                <select id="opportunities-first-stage" on:change=move |ev| first_stage.set(event_target_value(&ev))>
                    {Stage::OPEN.iter().map(|stage| {
                        let wire = stage.as_str();
                        view! {
                            <option value=wire prop:selected=move || first_stage.with(|s| s == wire)>
                                {move || stage_label(wire, i18n.locale()).to_owned()}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </div>
        }
    });

    view! {
        <form class="card record-form" on:submit=submit novalidate data-testid="opportunity-form">
            <p class="hint">{move || i18n.t(Key::CustomerRequiredHint)}</p>
            <div class="form-grid">
                <FormField form name="name" />
                <FormField form name="customer_id" options=customer_options />
                {stage_picker}
                <FormField form name="amount" />
                <FormField form name="expected_close" />
                <FormField form name="owner_id" options=owner_options />
                <FormField form name="unit_id" options=unit_options />
                <FormField form name="source" />
                <FormField form name="notes" />
            </div>
            {reassigning.then(|| view! {
                <VisibleAfterNote
                    form
                    owner_field="owner_id"
                    unit_field="unit_id"
                    before=(current_owner.clone(), current_unit.clone())
                    names
                />
            })}
            <FormProblemNote form />
            <div class="form-actions">
                <SaveButton form label=save_label />
                {cancel}
            </div>
        </form>
    }
}

/// `/opportunities/new`: the form, then the new deal's page.
#[component]
pub fn NewOpportunityPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let navigate = use_navigate();
    let query = use_query_map();
    let customer_id = query.with_untracked(|q| q.get("customer_id"));
    let access = use_access();
    let customer_id = customer_id.unwrap_or_default();
    let on_saved = move |id: String| navigate(&format!("/opportunities/{id}"), Default::default());
    let may_create = Memo::new(move |_| access.can(Collection::Opportunity, Action::Create, None));
    view! {
        <section class="page">
            <p class="breadcrumb">
                <A href=mount.href("/opportunities")>{move || i18n.t(Key::OpportunityBackToList)}</A>
            </p>
            <h1 class="page-title">{move || i18n.t(Key::OpportunityNewTitle)}</h1>
            <Show
                when=move || may_create.get()
                fallback=move || view! { <NotAllowed collection=Collection::Opportunity action=Action::Create /> }
            >
                <OpportunityForm customer_id=customer_id.clone() on_saved=on_saved.clone() />
            </Show>
        </section>
    }
}
