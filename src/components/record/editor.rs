//! A collection's create/edit form from its view spec: the spec's sections with one input per field
//! by its kind, sensible defaults for a new record (the user as owner, their unit, today), only the
//! fields the permission table lets the user set, references offered only where the record would
//! stay within what the user may create or see, and core's validation beside each field.

use std::collections::HashMap;

use leptos::{ev, prelude::*};
use leptos_router::hooks::use_query_map;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::{complete_new, named_by, subject_collection, Collection, FieldAccess, FieldKind},
    permission::Action,
    scope::{scope_facts, ScopeFacts},
    sync::protocol::{CreateArgs, Intent, SetFieldsArgs},
    time::format_instant,
    views,
};

use super::form::{
    FieldMode, FormField, FormProblemNote, Options, RecordForm, SaveButton, VisibleAfterNote,
};
use crate::{
    data::{
        new_record_id,
        records::{use_titles, watch_collection},
        sync::use_data,
    },
    i18n::{use_i18n, Key},
    permissions::use_access,
    session::use_session,
};

/// The fields a new record starts with: the user as its owner, author or promoter, their unit,
/// today for required dates, now for required times, the first choice of required choices, and any
/// field named in the address (`?customer_id=…`, from a related list's "new").
fn defaults(collection: Collection, preset: &Map<String, Value>) -> Map<String, Value> {
    let me = use_session().get_untracked().map(|s| s.user);
    let now_ms = js_sys::Date::now() as u64;
    let mut fields = Map::new();
    for def in collection.fields() {
        let value = match (def.name, def.kind) {
            ("owner_id" | "author_id" | "promoter_id", FieldKind::Ref(Collection::User)) => {
                me.as_ref().map(|m| Value::from(m.user_id.clone()))
            }
            ("unit_id" | "region_unit_id", FieldKind::Ref(Collection::OrgUnit)) => {
                me.as_ref().map(|m| Value::from(m.unit_id.clone()))
            }
            (_, FieldKind::Date) if def.required => {
                Some(Value::from(crate::format::local_today().to_string()))
            }
            (_, FieldKind::Instant) if def.required => Some(Value::from(format_instant(now_ms))),
            (_, FieldKind::Enum(values)) if def.required => values.first().map(|v| Value::from(*v)),
            (_, FieldKind::Bool) if def.name == "active" => Some(Value::Bool(true)),
            _ => None,
        };
        if let Some(value) = value {
            fields.insert(def.name.to_owned(), value);
        }
    }
    for (name, value) in preset {
        if collection.field(name).is_some() {
            fields.insert(name.clone(), value.clone());
        }
    }
    fields
}

/// The form of a new record (`existing` is `None`) or of one record's fields.
#[component]
pub fn RecordEditor(
    collection: Collection,
    /// The record being edited: its id and fields as the user sees them now.
    #[prop(optional)]
    existing: Option<(String, Map<String, Value>)>,
    /// Runs with the record's id once the change is stored on the device.
    #[prop(into)]
    on_saved: Callback<String>,
    /// Leaves without saving.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let spec = views::spec(collection);
    let query = use_query_map();
    let preset: Map<String, Value> = query.with_untracked(|q| {
        spec.form_fields()
            .filter_map(|name| q.get(name).map(|v| (name.to_owned(), Value::from(v))))
            .collect()
    });
    let initial = match &existing {
        Some((_, fields)) => fields.clone(),
        None => defaults(collection, &preset),
    };
    let names: Vec<&'static str> = spec.form_fields().collect();
    let form = RecordForm::new(collection, &names, &initial);

    // Records hanging from a customer (contacts, visits) are judged with the customer's facts.
    let customers = super::detail::hangs_from_customer(collection)
        .then(|| watch_collection(data, Collection::Customer));
    let parent_facts = move |fields: &Map<String, Value>| -> Option<ScopeFacts> {
        let customers = customers.as_ref()?;
        let id = fields.get("customer_id")?.as_str()?;
        customers.with(|read| {
            let rows = read.as_ref()?.as_ref().ok()?;
            let (_, customer) = rows.iter().find(|(i, _)| i == id)?;
            Some(scope_facts(Collection::Customer, &customer.fields, None))
        })
    };
    let facts_of = move |fields: &Map<String, Value>| {
        let parent = parent_facts(fields);
        scope_facts(collection, fields, parent.as_ref())
    };
    // The record as the form would make it, for judging placement (raw text of references is the id).
    let placed = move |changed: Option<(&str, &str)>| -> Map<String, Value> {
        let mut fields = initial_placement(collection, form);
        if let Some((name, value)) = changed {
            if value.is_empty() {
                fields.remove(name);
            } else {
                fields.insert(name.to_owned(), Value::from(value));
            }
        }
        fields
    };
    let before: Option<ScopeFacts> = existing.as_ref().map(|(_, fields)| facts_of(fields));
    let is_new = before.is_none();
    let form = {
        let before = before.clone();
        form.with_modes(move |name| {
            let intent_only = collection
                .field(name)
                .is_some_and(|d| d.access == FieldAccess::IntentOnly);
            match &before {
                Some(_) if intent_only => FieldMode::ReadOnly,
                Some(facts) if access.can_set_field(collection, name, Some(facts)) => {
                    FieldMode::Edit
                }
                Some(_) => FieldMode::ReadOnly,
                // Set by its own action later (a promotion's decision), unless a new record must
                // start with it (its status).
                None if intent_only && !collection.field(name).is_some_and(|d| d.required) => {
                    FieldMode::Hidden
                }
                None => {
                    let facts = facts_of(&placed(None));
                    if access.can_set_on_create(collection, name, &facts) {
                        FieldMode::Edit
                    } else {
                        FieldMode::Hidden
                    }
                }
            }
        })
    };
    // May the record be put there: created (new) or still seen by the user afterwards (an edit)?
    let allowed = move |name: &str, value: &str| {
        let facts = facts_of(&placed(Some((name, value))));
        if is_new {
            access.can(collection, Action::Create, Some(&facts))
        } else {
            access.sees(collection, &facts)
        }
    };

    // Every referenced collection's titles, read once for all pickers.
    let targets: Vec<Collection> = names
        .iter()
        .flat_map(|n| match collection.field(n).map(|d| d.kind) {
            Some(FieldKind::Lines(lines)) => lines
                .iter()
                .find_map(|d| match d.kind {
                    FieldKind::Ref(t) => Some(t),
                    _ => None,
                })
                .into_iter()
                .collect(),
            // A reference, or a target's subject (a unit, a person or a customer).
            _ => named_by(collection, n),
        })
        .collect();
    let titles = use_titles(data, targets.clone());
    let kinds: HashMap<&'static str, Collection> = names
        .iter()
        .filter_map(|n| {
            let target = match collection.field(n)?.kind {
                FieldKind::Ref(t) | FieldKind::RefList(t) => t,
                FieldKind::Lines(lines) => lines.iter().find_map(|d| match d.kind {
                    FieldKind::Ref(t) => Some(t),
                    _ => None,
                })?,
                _ => return None,
            };
            Some((*n, target))
        })
        .collect();
    let target_ids: HashMap<Collection, _> = targets
        .iter()
        .map(|&t| (t, watch_collection(data, t)))
        .collect();
    let options_for = move |name: &'static str| -> Option<Options> {
        // A target's subject is picked from the collection its kind names, as the kind changes.
        let by_kind = matches!(
            collection.field(name).map(|d| d.kind),
            Some(FieldKind::Text { .. })
        ) && !named_by(collection, name).is_empty();
        let fixed = kinds.get(name).copied();
        if fixed.is_none() && !by_kind {
            return None;
        }
        let reads = target_ids.clone();
        let placement = Action::for_field(collection, name) == Action::Reassign
            && matches!(
                collection.field(name).map(|d| d.kind),
                Some(FieldKind::Ref(_))
            );
        let current = initial_text(form, name);
        Some(Signal::derive(move || {
            let target = match fixed {
                Some(target) => target,
                None => match subject_collection(&form.get("subject_kind")) {
                    Some(target) => target,
                    None => return Vec::new(),
                },
            };
            let Some(read) = reads.get(&target).copied() else {
                return Vec::new();
            };
            // A record that hangs from a customer (a contact, an opportunity, a ticket) is offered
            // only from the customer the form has chosen.
            let same_customer = name != "customer_id"
                && target.field("customer_id").is_some()
                && collection.field("customer_id").is_some();
            let customer = same_customer.then(|| form.get("customer_id"));
            let mut options: Vec<(String, String)> = read.with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map(|rows| {
                        titles.with(|titles| {
                            rows.iter()
                                .filter(|(id, record)| {
                                    let of_customer = customer.as_deref().is_none_or(|c| {
                                        c.is_empty()
                                            || record
                                                .fields
                                                .get("customer_id")
                                                .and_then(Value::as_str)
                                                == Some(c)
                                    });
                                    *id == current
                                        || (record.fields.get("active")
                                            != Some(&Value::Bool(false))
                                            && of_customer
                                            && (!placement || allowed(name, id)))
                                })
                                .map(|(id, _)| {
                                    (id.clone(), titles.get(id).cloned().unwrap_or_default())
                                })
                                .collect()
                        })
                    })
                    .unwrap_or_default()
            });
            options.sort_by(|a, b| a.1.cmp(&b.1));
            options
        }))
    };

    // Who will see the record after a reassignment, for those who may hand it on.
    let owner_field = ["owner_id", "author_id", "promoter_id"]
        .into_iter()
        .find(|f| names.contains(f));
    let unit_field = ["unit_id", "region_unit_id"]
        .into_iter()
        .find(|f| names.contains(f));
    let visible_after = match (&before, owner_field, unit_field) {
        (Some(facts), Some(owner_field), Some(unit_field))
            if access.can(collection, Action::Reassign, Some(facts)) =>
        {
            let before = (
                initial_text(form, owner_field),
                initial_text(form, unit_field),
            );
            Some(view! {
                <VisibleAfterNote form owner_field unit_field before names=titles />
            })
        }
        _ => None,
    };

    let existing = StoredValue::new(existing);
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        let intent = existing.with_value(|existing| match existing {
            None => form.for_create(Map::new()).map(|mut fields| {
                complete_new(
                    collection,
                    &mut fields,
                    &format_instant(js_sys::Date::now() as u64),
                );
                Intent::Create(CreateArgs {
                    collection,
                    id: new_record_id(),
                    fields,
                })
            }),
            Some((id, before)) => form.for_patch(before).map(|fields| {
                Intent::SetFields(SetFieldsArgs {
                    collection,
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
            i18n.t(Key::FormSave)
        } else {
            i18n.t(Key::FormCreate)
        }
    });

    view! {
        <form class="card record-form" on:submit=submit novalidate data-testid=format!("{}-form", spec.slug)>
            <p class="hint">{move || i18n.t(Key::FormRequiredHint)}</p>
            {spec.sections.iter().map(|section| {
                let fields = section.fields.iter().map(|&name| {
                    match options_for(name) {
                        Some(options) => view! { <FormField form name options /> }.into_any(),
                        None => view! { <FormField form name /> }.into_any(),
                    }
                }).collect_view();
                // A section with nothing to show (a new promotion's decision) is left out.
                let shown = move || section.fields.iter().any(|n| form.mode(n) != FieldMode::Hidden);
                view! {
                    <fieldset class="form-section" hidden=move || !shown()>
                        <legend>{move || section.label(i18n.locale())}</legend>
                        <div class="form-grid">{fields}</div>
                    </fieldset>
                }
            }).collect_view()}
            {visible_after}
            <FormProblemNote form />
            <div class="form-actions">
                <SaveButton form label=save_label />
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    {move || i18n.t(Key::FormCancel)}
                </button>
            </div>
        </form>
    }
}

/// The references and choices of the record as the form has them now (tracked), by their raw text:
/// what its placement is judged on.
fn initial_placement(collection: Collection, form: RecordForm) -> Map<String, Value> {
    let mut fields = Map::new();
    for def in collection.fields() {
        if !matches!(
            def.kind,
            FieldKind::Ref(_) | FieldKind::RefList(_) | FieldKind::Enum(_)
        ) {
            continue;
        }
        let text = form.get(def.name);
        if text.is_empty() {
            continue;
        }
        let value = match def.kind {
            FieldKind::RefList(_) => serde_json::from_str(&text).unwrap_or(Value::Null),
            _ => Value::from(text),
        };
        fields.insert(def.name.to_owned(), value);
    }
    fields
}

fn initial_text(form: RecordForm, name: &str) -> String {
    untrack(|| form.get(name))
}
