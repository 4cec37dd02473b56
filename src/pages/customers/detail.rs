//! One customer (`/customers/:id`): its fields (editable in place), its contacts with a form to add
//! one, and its visits, newest first, with a form to log a visit.

use std::collections::HashMap;

use leptos::{ev, prelude::*};
use leptos_router::components::A;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    permission::Action,
    scope::{scope_facts, ScopeFacts},
    sync::{
        apply::StoredRecord,
        protocol::{CreateArgs, Intent, RecordRef},
    },
};

use super::edit::{CustomerForm, FIELDS};
use crate::components::record::{
    display_value, focus_later,
    form::{FormField, FormProblemNote, RecordForm, SaveButton},
    DeleteRecord, WaitingNote,
};
use crate::data::records::{names_by_id, text, watch_collection, Loaded};
use crate::pages::opportunities::CustomerOpportunities;
use crate::{
    data::new_record_id,
    data::{store::DataError, sync::use_data},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
    session::use_session,
};

/// The customer's fields shown under its name, in the domain table's order.
const SHOWN: [&str; 10] = [
    "kind",
    "tier",
    "segment",
    "region_unit_id",
    "owner_id",
    "city",
    "phone",
    "credit_limit",
    "address",
    "notes",
];

type Rows = LocalResource<Result<Vec<(String, StoredRecord)>, DataError>>;

#[component]
pub fn CustomerDetailPage(
    /// The record's id, from the address.
    id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let list_href = StoredValue::new(use_mount().href("/customers"));
    let data = use_data();
    let id = Memo::new(move |_| id.clone());

    let customer = LocalResource::new(move || {
        data.revision.get();
        let target = RecordRef {
            collection: Collection::Customer,
            id: id.get(),
        };
        async move { data.view_one(&target).await }
    });
    let by_customer = move || Some(("customer", id.get()));
    let contacts = watch_collection(data, Collection::Contact, by_customer);
    let visits = watch_collection(data, Collection::Visit, by_customer);
    let users = watch_collection(data, Collection::User, || None);
    let units = watch_collection(data, Collection::OrgUnit, || None);
    // Names of the people, units and contacts this page refers to.
    let names = Memo::new(move |_| {
        let mut names = names_by_id(&users);
        names.extend(names_by_id(&units));
        names.extend(names_by_id(&contacts));
        names
    });

    // The customer's facts, by which the page offers what the user may do to it and its records.
    let facts = Memo::new(move |_| {
        customer.with(|read| {
            read.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.as_ref())
                .map(|record| scope_facts(Collection::Customer, &record.fields, None))
                .unwrap_or_default()
        })
    });

    let editing = RwSignal::new(false);
    let saved_note = RwSignal::new(None::<Key>);
    // Another customer's page: start reading, not editing.
    Effect::new(move |_| {
        id.track();
        editing.set(false);
        saved_note.set(None);
    });

    // Only whether there is a customer to show: a change to it must not rebuild the open forms.
    let loaded = Memo::new(move |_| {
        let found = customer.with(|read| {
            read.as_ref()
                .map(|r| r.as_ref().map(Option::is_some).map_err(Clone::clone))
        });
        Loaded::from_read(found, || data.status.get())
    });

    let body = move || match loaded.get() {
        Loaded::Loading => view! {
            <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p>
        }
        .into_any(),
        Loaded::Failed(error) => view! {
            <p class="form-error" role="alert">
                {move || i18n.format(Key::CustomersLoadFailed, &[("error", &error)])}
            </p>
        }
        .into_any(),
        Loaded::Ready(false) => view! {
            <h1 class="page-title">{move || i18n.t(Key::CustomerNotFoundTitle)}</h1>
            <p>{move || i18n.t(Key::CustomerNotFoundBody)}</p>
            <p>
                <A href=list_href.get_value() attr:class="button">
                    {move || i18n.t(Key::CustomerBackToList)}
                </A>
            </p>
        }
        .into_any(),
        Loaded::Ready(true) => view! {
            <CustomerView id customer facts editing saved_note names />
            <CustomerOpportunities customer_id=id />
            <ContactsSection customer_id=id customer_facts=facts contacts />
            <VisitsSection customer_id=id customer_facts=facts visits contacts names />
        }
        .into_any(),
    };

    view! {
        <section class="page customer-page" data-testid="customer-page">
            <p class="breadcrumb">
                <A href=list_href.get_value()>{move || i18n.t(Key::CustomerBackToList)}</A>
            </p>
            {body}
        </section>
    }
}

/// The customer's name and fields, or the form editing them.
#[component]
fn CustomerView(
    id: Memo<String>,
    customer: LocalResource<Result<Option<StoredRecord>, DataError>>,
    facts: Memo<ScopeFacts>,
    editing: RwSignal<bool>,
    saved_note: RwSignal<Option<Key>>,
    names: Memo<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let may_edit = Memo::new(move |_| {
        facts.with(|facts| access.can_edit_any(Collection::Customer, &FIELDS, facts))
    });
    let may_delete = Memo::new(move |_| {
        facts.with(|facts| access.can(Collection::Customer, Action::Delete, Some(facts)))
    });
    let fields = move || {
        customer
            .with(|read| {
                read.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|r| r.as_ref())
                    .map(|record| record.fields.clone())
            })
            .unwrap_or_default()
    };
    let name = move || {
        customer.with(|read| {
            read.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.as_ref())
                .map(|record| text(&record.fields, "name").to_owned())
                .unwrap_or_default()
        })
    };
    let fact_list = move || {
        let fields = fields();
        SHOWN
            .iter()
            .map(|&field| {
                let label = move || {
                    Collection::Customer
                        .field(field)
                        .map(|d| d.label(i18n.locale()))
                        .unwrap_or(field)
                };
                let value = names
                    .with(|names| display_value(Collection::Customer, field, &fields, names, i18n));
                let wide = matches!(field, "address" | "notes");
                view! {
                    <div class="fact" class:fact-wide=wide data-field=field>
                        <dt>{label}</dt>
                        <dd>{value.unwrap_or_else(|| i18n.t(Key::NotAvailable).to_owned())}</dd>
                    </div>
                }
            })
            .collect_view()
    };
    let on_saved = move |_: String| {
        editing.set(false);
        saved_note.set(Some(Key::CustomerSaved));
        focus_later("customer-edit");
    };
    view! {
        <header class="page-header">
            <h1 class="page-title" data-testid="customer-name">{name}</h1>
            <Show when=move || !editing.get() && may_edit.get()>
                <button
                    type="button"
                    class="button"
                    id="customer-edit"
                    on:click=move |_| {
                        saved_note.set(None);
                        editing.set(true);
                        focus_later("customers-name");
                    }
                >
                    {move || i18n.t(Key::CustomerEdit)}
                </button>
            </Show>
        </header>
        <DeleteRecord
            collection=Collection::Customer
            id=id
            name=Signal::derive(name)
            title=Key::CustomerDeleteTitle
            body=Key::CustomerDeleteBody
            list_path="/customers"
            hidden=Signal::derive(move || editing.get() || !may_delete.get())
        />
        <WaitingNote collection=Collection::Customer id=id note=Key::CustomerWaitingNote />
        {move || saved_note.get().map(|key| view! { <p class="notice notice-ok" role="status">{move || i18n.t(key)}</p> })}
        {move || if editing.get() {
            view! {
                <CustomerForm
                    existing=(id.get_untracked(), untrack(fields))
                    on_saved=on_saved
                    on_cancel=move |_| {
                        editing.set(false);
                        focus_later("customer-edit");
                    }
                />
            }
            .into_any()
        } else {
            view! { <dl class="card facts customer-facts">{fact_list}</dl> }.into_any()
        }}
    }
}

/// The customer's contacts and a form to add one.
#[component]
fn ContactsSection(
    customer_id: Memo<String>,
    customer_facts: Memo<ScopeFacts>,
    contacts: Rows,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let adding = RwSignal::new(false);
    // A new contact hangs from the customer, and takes its unit and owner.
    let may_add = Memo::new(move |_| {
        let mut fields = Map::new();
        fields.insert("customer_id".into(), Value::from(customer_id.get()));
        let facts =
            customer_facts.with(|parent| scope_facts(Collection::Contact, &fields, Some(parent)));
        access.can(Collection::Contact, Action::Create, Some(&facts))
    });
    let rows = move || {
        let mut rows = match Loaded::from_read(contacts.get(), || data.status.get()) {
            Loaded::Ready(rows) => rows,
            _ => Vec::new(),
        };
        // Primary contacts first, then by name.
        rows.sort_by(|(_, a), (_, b)| {
            let secondary =
                |r: &StoredRecord| r.fields.get("is_primary") != Some(&Value::Bool(true));
            secondary(a)
                .cmp(&secondary(b))
                .then_with(|| text(&a.fields, "name").cmp(text(&b.fields, "name")))
        });
        rows
    };
    let label = move |field: &str| {
        Collection::Contact
            .field(field)
            .map(|d| d.label(i18n.locale()))
            .unwrap_or("")
    };

    view! {
        <section class="card related" aria-labelledby="contacts-heading" data-testid="contacts">
            <header class="card-header">
                <h2 id="contacts-heading">{move || Collection::Contact.label(i18n.locale())}</h2>
                <Show when=move || !adding.get() && may_add.get()>
                    <button
                        type="button"
                        class="button"
                        id="contact-add"
                        on:click=move |_| {
                            adding.set(true);
                            focus_later("contacts-name");
                        }
                    >
                        {move || i18n.t(Key::ContactAdd)}
                    </button>
                </Show>
            </header>
            <Show when=move || adding.get()>
                <ContactForm
                    customer_id
                    on_done=move |_| {
                        adding.set(false);
                        focus_later("contact-add");
                    }
                />
            </Show>
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    view! { <p class="hint">{move || i18n.t(Key::ContactNone)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="related-list">
                            {rows.into_iter().map(|(id, contact)| {
                                let f = contact.fields;
                                let primary = f.get("is_primary") == Some(&Value::Bool(true));
                                let details: Vec<(&'static str, String)> = ["phone", "email", "wechat"]
                                    .into_iter()
                                    .filter(|n| !text(&f, n).is_empty())
                                    .map(|n| (n, text(&f, n).to_owned()))
                                    .collect();
                                view! {
                                    <li class="related-item" data-id=id>
                                        <p class="related-title">
                                            <span>{text(&f, "name").to_owned()}</span>
                                            {(!text(&f, "title").is_empty()).then(|| view! {
                                                <span class="related-sub">{text(&f, "title").to_owned()}</span>
                                            })}
                                            {primary.then(|| view! { <span class="chip">{move || label("is_primary")}</span> })}
                                        </p>
                                        <dl class="related-facts">
                                            {details.into_iter().map(|(name, value)| view! {
                                                <div><dt>{move || label(name)}</dt><dd>{value}</dd></div>
                                            }).collect_view()}
                                        </dl>
                                        {(!text(&f, "notes").is_empty()).then(|| view! {
                                            <p class="related-notes">{text(&f, "notes").to_owned()}</p>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// A new contact of the customer.
#[component]
fn ContactForm(customer_id: Memo<String>, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let form = RecordForm::new(
        Collection::Contact,
        &[
            "name",
            "title",
            "phone",
            "email",
            "wechat",
            "is_primary",
            "notes",
        ],
        &Map::new(),
    );
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        let mut fixed = Map::new();
        fixed.insert(
            "customer_id".into(),
            Value::from(customer_id.get_untracked()),
        );
        let Some(fields) = form.for_create(fixed) else {
            form.focus_first_problem();
            return;
        };
        form.save(
            Intent::Create(CreateArgs {
                collection: Collection::Contact,
                id: new_record_id(),
                fields,
            }),
            move || on_done.run(()),
        );
    };
    view! {
        <form class="record-form nested-form" on:submit=submit novalidate data-testid="contact-form">
            <div class="form-grid">
                <FormField form name="name" />
                <FormField form name="title" />
                <FormField form name="phone" />
                <FormField form name="email" />
                <FormField form name="wechat" />
                <FormField form name="is_primary" />
                <FormField form name="notes" />
            </div>
            <FormProblemNote form />
            <div class="form-actions">
                <SaveButton form label=Signal::derive(move || i18n.t(Key::ContactSave)) />
                <button type="button" class="button" on:click=move |_| on_done.run(())>
                    {move || i18n.t(Key::FormCancel)}
                </button>
            </div>
        </form>
    }
}

/// The customer's visits, newest first, and a form to log one.
#[component]
fn VisitsSection(
    customer_id: Memo<String>,
    customer_facts: Memo<ScopeFacts>,
    visits: Rows,
    contacts: Rows,
    names: Memo<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let logging = RwSignal::new(false);
    // A visit the user logs is theirs, at the customer.
    let may_log = Memo::new(move |_| {
        let mut fields = Map::new();
        fields.insert("customer_id".into(), Value::from(customer_id.get()));
        if let Some(me) = access.viewer() {
            fields.insert("owner_id".into(), Value::from(me.user_id));
        }
        let facts =
            customer_facts.with(|parent| scope_facts(Collection::Visit, &fields, Some(parent)));
        access.can(Collection::Visit, Action::Create, Some(&facts))
    });
    let rows = move || {
        let mut rows = match Loaded::from_read(visits.get(), || data.status.get()) {
            Loaded::Ready(rows) => rows,
            _ => Vec::new(),
        };
        let when = |r: &StoredRecord| js_sys::Date::parse(text(&r.fields, "visited_at"));
        rows.sort_by(|(a_id, a), (b_id, b)| {
            when(b)
                .partial_cmp(&when(a))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| b_id.cmp(a_id))
        });
        rows
    };
    let contact_options =
        Signal::derive(
            move || match Loaded::from_read(contacts.get(), || data.status.get()) {
                Loaded::Ready(rows) => rows
                    .into_iter()
                    .map(|(id, c)| (id, text(&c.fields, "name").to_owned()))
                    .collect(),
                _ => Vec::new(),
            },
        );
    let label = move |field: &str| {
        Collection::Visit
            .field(field)
            .map(|d| d.label(i18n.locale()))
            .unwrap_or("")
    };

    view! {
        <section class="card related" aria-labelledby="visits-heading" data-testid="visits">
            <header class="card-header">
                <h2 id="visits-heading">{move || Collection::Visit.label(i18n.locale())}</h2>
                <Show when=move || !logging.get() && may_log.get()>
                    <button
                        type="button"
                        class="button"
                        id="visit-log"
                        on:click=move |_| {
                            logging.set(true);
                            focus_later("visits-visited_at");
                        }
                    >
                        {move || i18n.t(Key::VisitLog)}
                    </button>
                </Show>
            </header>
            <Show when=move || logging.get()>
                <VisitForm
                    customer_id
                    contact_options
                    on_done=move |_| {
                        logging.set(false);
                        focus_later("visit-log");
                    }
                />
            </Show>
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    return view! { <p class="hint">{move || i18n.t(Key::VisitNone)}</p> }.into_any();
                }
                view! {
                    <ol class="related-list">
                        {rows.into_iter().map(|(id, visit)| {
                            let f = visit.fields;
                            let show = |name: &str| names.with(|names| display_value(Collection::Visit, name, &f, names, i18n));
                            let when = show("visited_at").unwrap_or_default();
                            let channel = show("channel");
                            let by = show("owner_id");
                            let extra: Vec<(&'static str, String)> = ["contact_id", "next_step", "next_visit_on"]
                                .into_iter()
                                .filter_map(|n| show(n).map(|v| (n, v)))
                                .collect();
                            view! {
                                <li class="related-item" data-id=id>
                                    <p class="related-title">
                                        <span>{when}</span>
                                        {channel.map(|c| view! { <span class="chip">{c}</span> })}
                                        {by.map(|b| view! { <span class="related-sub">{b}</span> })}
                                    </p>
                                    {(!text(&f, "summary").is_empty()).then(|| view! {
                                        <p class="related-notes">{text(&f, "summary").to_owned()}</p>
                                    })}
                                    <dl class="related-facts">
                                        {extra.into_iter().map(|(name, value)| view! {
                                            <div><dt>{move || label(name)}</dt><dd>{value}</dd></div>
                                        }).collect_view()}
                                    </dl>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </section>
    }
}

/// A visit to the customer, by the signed-in user, at the current time unless changed.
#[component]
fn VisitForm(
    customer_id: Memo<String>,
    contact_options: Signal<Vec<(String, String)>>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let mut defaults = Map::new();
    let now = String::from(js_sys::Date::new_0().to_iso_string());
    defaults.insert("visited_at".into(), Value::from(now));
    defaults.insert("channel".into(), Value::from("visit"));
    let form = RecordForm::new(
        Collection::Visit,
        &[
            "visited_at",
            "channel",
            "contact_id",
            "summary",
            "next_step",
            "next_visit_on",
        ],
        &defaults,
    );
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        let mut fixed = Map::new();
        fixed.insert(
            "customer_id".into(),
            Value::from(customer_id.get_untracked()),
        );
        if let Some(me) = session.get_untracked() {
            fixed.insert("owner_id".into(), Value::from(me.user.user_id));
        }
        let Some(fields) = form.for_create(fixed) else {
            form.focus_first_problem();
            return;
        };
        form.save(
            Intent::Create(CreateArgs {
                collection: Collection::Visit,
                id: new_record_id(),
                fields,
            }),
            move || on_done.run(()),
        );
    };
    view! {
        <form class="record-form nested-form" on:submit=submit novalidate data-testid="visit-form">
            <div class="form-grid">
                <FormField form name="visited_at" />
                <FormField form name="channel" />
                <FormField form name="contact_id" options=contact_options />
                <FormField form name="next_visit_on" />
                <FormField form name="summary" />
                <FormField form name="next_step" />
            </div>
            <FormProblemNote form />
            <div class="form-actions">
                <SaveButton form label=Signal::derive(move || i18n.t(Key::VisitSave)) />
                <button type="button" class="button" on:click=move |_| on_done.run(())>
                    {move || i18n.t(Key::FormCancel)}
                </button>
            </div>
        </form>
    }
}
