//! The customer form, for a new customer (`/customers/new`) and for editing one on its page. A new
//! customer belongs to the signed-in user and their unit unless they choose otherwise; an edit sends
//! only the fields that changed.

use leptos::{ev, prelude::*};
use leptos_router::{components::A, hooks::use_navigate};
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    scope::Reach,
    sync::protocol::{CreateArgs, Intent, SetFieldsArgs},
};

use crate::pages::{
    record_form::{FormField, FormProblemNote, RecordForm, SaveButton},
    records::{text, watch_collection},
};
use crate::{
    app::use_mount,
    data::new_record_id,
    data::sync::use_data,
    i18n::{use_i18n, Key},
    session::use_session,
};

/// The customer's fields the form shows, in the domain table's order.
const FIELDS: [&str; 11] = [
    "name",
    "kind",
    "tier",
    "segment",
    "region_unit_id",
    "owner_id",
    "address",
    "city",
    "phone",
    "credit_limit",
    "notes",
];

/// The form for a new customer (`existing` is `None`) or for one customer's fields.
#[component]
pub fn CustomerForm(
    /// The customer being edited: its id and fields as the user sees them now.
    #[prop(optional)]
    existing: Option<(String, Map<String, Value>)>,
    /// Runs with the customer's id once the change is stored on the device.
    #[prop(into)]
    on_saved: Callback<String>,
    /// Leaves an edit without saving; a new customer's form links back to the list instead.
    #[prop(optional, into)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let session = use_session();
    let data = use_data();
    let me = session.get_untracked().map(|s| s.user);
    let my_id = me.as_ref().map(|m| m.user_id.clone()).unwrap_or_default();
    let sees_only_own = me
        .as_ref()
        .is_some_and(|m| m.role.reach() == Reach::OwnAndCustomers);

    let initial = match &existing {
        Some((_, fields)) => fields.clone(),
        None => {
            let mut defaults = Map::new();
            if let Some(me) = &me {
                defaults.insert("owner_id".into(), Value::from(me.user_id.clone()));
                defaults.insert("region_unit_id".into(), Value::from(me.unit_id.clone()));
            }
            defaults
        }
    };
    let form = RecordForm::new(Collection::Customer, &FIELDS, &initial);
    let current_unit = text(&initial, "region_unit_id").to_owned();

    let units = watch_collection(data, Collection::OrgUnit, || None);
    let users = watch_collection(data, Collection::User, || None);
    // New customers belong to a company, region or area unit; stores are offered only when the
    // customer already belongs to one (the demo's retail stores do).
    let unit_options = Signal::derive(move || {
        let locale = i18n.locale();
        let level = Collection::OrgUnit.field("kind");
        let mut options: Vec<(String, String)> = units
            .with(|read| read.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_default()
            .into_iter()
            .filter(|(id, unit)| text(&unit.fields, "kind") != "store" || *id == current_unit)
            .map(|(id, unit)| {
                let kind = text(&unit.fields, "kind");
                let kind = level
                    .and_then(|d| d.choice_label(kind, locale))
                    .unwrap_or(kind);
                (id, format!("{} · {kind}", text(&unit.fields, "name")))
            })
            .collect();
        options.sort_by(|a, b| a.1.cmp(&b.1));
        options
    });
    // A sales rep sees only their own customers, so they can only own what they create.
    let owner_options = Signal::derive(move || {
        let mut options: Vec<(String, String)> = users
            .with(|read| read.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_default()
            .into_iter()
            .filter(|(id, user)| {
                let active = user.fields.get("active") != Some(&Value::Bool(false));
                (active && !sees_only_own) || *id == my_id
            })
            .map(|(id, user)| (id, text(&user.fields, "name").to_owned()))
            .collect();
        options.sort_by(|a, b| a.1.cmp(&b.1));
        options
    });

    let existing = StoredValue::new(existing);
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        let intent = existing.with_value(|existing| match existing {
            None => form.for_create(Map::new()).map(|fields| {
                Intent::Create(CreateArgs {
                    collection: Collection::Customer,
                    id: new_record_id(),
                    fields,
                })
            }),
            Some((id, before)) => form.for_patch(before).map(|fields| {
                Intent::SetFields(SetFieldsArgs {
                    collection: Collection::Customer,
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

    let save_label = Signal::derive(move || {
        if existing.with_value(Option::is_some) {
            i18n.t(Key::CustomerSave)
        } else {
            i18n.t(Key::CustomerCreate)
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
            <A href=mount.href("/customers") attr:class="button">{move || i18n.t(Key::FormCancel)}</A>
        }
        .into_any(),
    };

    view! {
        <form class="card record-form" on:submit=submit novalidate data-testid="customer-form">
            <p class="hint">{move || i18n.t(Key::CustomerRequiredHint)}</p>
            <div class="form-grid">
                <FormField form name="name" />
                <FormField form name="kind" />
                <FormField form name="tier" />
                <FormField form name="segment" />
                <FormField form name="region_unit_id" options=unit_options />
                <FormField form name="owner_id" options=owner_options />
                <FormField form name="city" />
                <FormField form name="phone" />
                <FormField form name="credit_limit" />
                <FormField form name="address" />
                <FormField form name="notes" />
            </div>
            <FormProblemNote form />
            <div class="form-actions">
                <SaveButton form label=save_label />
                {cancel}
            </div>
        </form>
    }
}

/// `/customers/new`: the form, then the new customer's page.
#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let navigate = use_navigate();
    let on_saved = move |id: String| navigate(&format!("/customers/{id}"), Default::default());
    view! {
        <section class="page">
            <p class="breadcrumb">
                <A href=mount.href("/customers")>{move || i18n.t(Key::CustomerBackToList)}</A>
            </p>
            <h1 class="page-title">{move || i18n.t(Key::CustomerNewTitle)}</h1>
            <CustomerForm on_saved=on_saved />
        </section>
    }
}
