//! The customer form, for a new customer (`/customers/new`) and for editing one on its page. A new
//! customer belongs to the signed-in user and their unit unless they choose otherwise; an edit sends
//! only the fields that changed. Fields the user may not set are shown as text (an edit) or left out
//! (a new customer), and owners and regions are offered only where the user may put the customer.

use leptos::{ev, prelude::*};
use leptos_router::{components::A, hooks::use_navigate};
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    permission::Action,
    scope::{scope_facts, ScopeFacts},
    sync::protocol::{CreateArgs, Intent, SetFieldsArgs},
};

use crate::components::record::{
    form::{FieldMode, FormField, FormProblemNote, RecordForm, SaveButton, VisibleAfterNote},
    NotAllowed,
};
use crate::data::records::{names_by_id, text, watch_collection};
use crate::{
    data::new_record_id,
    data::sync::use_data,
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
    session::use_session,
};

/// The customer's fields the form shows, in the domain table's order.
pub const FIELDS: [&str; 11] = [
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

/// The facts of a customer with this owner and region.
fn placement(owner: &str, unit: &str) -> ScopeFacts {
    let mut fields = Map::new();
    for (name, value) in [("owner_id", owner), ("region_unit_id", unit)] {
        if !value.is_empty() {
            fields.insert(name.into(), Value::from(value));
        }
    }
    scope_facts(Collection::Customer, &fields, None)
}

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
    let data = use_data();
    let access = use_access();
    let me = use_session().get_untracked().map(|s| s.user);

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
    let current_unit = text(&initial, "region_unit_id").to_owned();
    let current_owner = text(&initial, "owner_id").to_owned();
    // An edit is judged on the customer as it is; a new customer on what the form would create.
    let before: Option<ScopeFacts> = existing
        .as_ref()
        .map(|(_, fields)| scope_facts(Collection::Customer, fields, None));
    let is_new = before.is_none();
    let form = RecordForm::new(Collection::Customer, &FIELDS, &initial);
    let form = {
        let before = before.clone();
        form.with_modes(move |name| match &before {
            Some(facts) if access.can_set_field(Collection::Customer, name, Some(facts)) => {
                FieldMode::Edit
            }
            Some(_) => FieldMode::ReadOnly,
            None => {
                let facts = placement(&form.get("owner_id"), &form.get("region_unit_id"));
                if access.can_set_on_create(Collection::Customer, name, &facts) {
                    FieldMode::Edit
                } else {
                    FieldMode::Hidden
                }
            }
        })
    };
    // May the customer be put with this owner and region: created there, or (an edit) still seen
    // by the user afterwards?
    let allowed = move |owner: &str, unit: &str| {
        let facts = placement(owner, unit);
        if is_new {
            access.can(Collection::Customer, Action::Create, Some(&facts))
        } else {
            access.sees(Collection::Customer, &facts)
        }
    };

    let units = watch_collection(data, Collection::OrgUnit, || None);
    let users = watch_collection(data, Collection::User, || None);
    // New customers belong to a company, region or area unit; stores are offered only when the
    // customer already belongs to one (the demo's retail stores do).
    let unit_options = {
        let current_unit = current_unit.clone();
        Signal::derive(move || {
            let locale = i18n.locale();
            let level = Collection::OrgUnit.field("kind");
            let owner = form.get("owner_id");
            let mut options: Vec<(String, String)> = units
                .with(|read| read.as_ref().and_then(|r| r.as_ref().ok()).cloned())
                .unwrap_or_default()
                .into_iter()
                .filter(|(id, unit)| {
                    *id == current_unit
                        || (text(&unit.fields, "kind") != "store" && allowed(&owner, id))
                })
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
        })
    };
    let owner_options = {
        let current_owner = current_owner.clone();
        Signal::derive(move || {
            let unit = form.get("region_unit_id");
            let mut options: Vec<(String, String)> = users
                .with(|read| read.as_ref().and_then(|r| r.as_ref().ok()).cloned())
                .unwrap_or_default()
                .into_iter()
                .filter(|(id, user)| {
                    let active = user.fields.get("active") != Some(&Value::Bool(false));
                    *id == current_owner || (active && allowed(id, &unit))
                })
                .map(|(id, user)| (id, text(&user.fields, "name").to_owned()))
                .collect();
            options.sort_by(|a, b| a.1.cmp(&b.1));
            options
        })
    };
    let names = Signal::derive(move || {
        let mut names = names_by_id(&users);
        names.extend(names_by_id(&units));
        names
    });
    // Saying who will see the customer is for those who may hand it on.
    let reassigning = before
        .as_ref()
        .is_some_and(|facts| access.can(Collection::Customer, Action::Reassign, Some(facts)));

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
            {reassigning.then(|| view! {
                <VisibleAfterNote
                    form
                    owner_field="owner_id"
                    unit_field="region_unit_id"
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

/// `/customers/new`: the form, then the new customer's page.
#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let navigate = use_navigate();
    let access = use_access();
    let on_saved = move |id: String| navigate(&format!("/customers/{id}"), Default::default());
    let may_create = Memo::new(move |_| access.can(Collection::Customer, Action::Create, None));
    view! {
        <section class="page">
            <p class="breadcrumb">
                <A href=mount.href("/customers")>{move || i18n.t(Key::CustomerBackToList)}</A>
            </p>
            <h1 class="page-title">{move || i18n.t(Key::CustomerNewTitle)}</h1>
            <Show
                when=move || may_create.get()
                fallback=move || view! { <NotAllowed collection=Collection::Customer action=Action::Create /> }
            >
                <CustomerForm on_saved=on_saved.clone() />
            </Show>
        </section>
    }
}
