//! One record's page from its collection's view spec: its fields labelled by section, references as
//! links to their records, lists and lines as tables, the records related to it, and editing and
//! deleting as the permission table allows. A collection with parts of its own (an opportunity's
//! stage buttons) passes them as `children`, drawn after the fields.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::{Collection, FieldKind},
    permission::Action,
    scope::scope_facts,
    sync::{apply::StoredRecord, protocol::RecordRef},
    views::{self, LineMoney, Related},
};

use super::{display_value, editor::RecordEditor, focus_later, DeleteRecord, WaitingNote};
use crate::{
    components::{photo::PhotoTile, record::history::RecordHistory},
    data::{
        records::{title_of, use_list_prices, use_titles, watch_collection, Loaded},
        store::DataError,
        sync::use_data,
    },
    format::format_yuan,
    i18n::{use_i18n, I18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// Related records listed on a page before "show all".
const RELATED_SHOWN: usize = 20;

/// The record's page. `children` are the collection's own parts.
#[component]
pub fn RecordDetail(
    collection: Collection,
    id: String,
    #[prop(optional)] children: Option<ChildrenFn>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let access = use_access();
    let spec = views::spec(collection);
    let list_path = format!("/{}", spec.slug);
    let record_id = StoredValue::new(id.clone());
    let record = LocalResource::new(move || {
        data.revision.get();
        let target = RecordRef {
            collection,
            id: record_id.get_value(),
        };
        async move { data.view_one(&target).await }
    });
    let loaded = Memo::new(move |_| {
        let read: Option<Result<Option<StoredRecord>, DataError>> = record.with(|r| r.clone());
        Loaded::from_read(read, || data.status.get())
    });
    let referenced: Vec<Collection> = collection
        .fields()
        .iter()
        .flat_map(|d| match d.kind {
            FieldKind::Lines(lines) => lines
                .iter()
                .filter_map(|l| match l.kind {
                    FieldKind::Ref(t) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => yingxiao_core::domain::named_by(collection, d.name),
        })
        .collect();
    let names = use_titles(data, referenced);
    let prices = list_prices(collection);
    let editing = RwSignal::new(false);
    let saved = RwSignal::new(false);
    // After an edit the keyboard goes back to 编辑, also once the saved record is drawn again.
    let refocus = RwSignal::new(false);
    Effect::new(move |_| {
        loaded.track();
        if refocus.get_untracked() {
            refocus.set(false);
            focus_later("record-edit");
        }
    });
    // Records that hang from a customer (contacts, visits, a report's store) take the unit and
    // owner they lack from it, as the server computes their facts.
    let parent = LocalResource::new(move || {
        let customer = loaded.with(|l| match l {
            Loaded::Ready(Some(r)) if collection != Collection::Customer => {
                scope_facts(collection, &r.fields, None).customer_id
            }
            _ => None,
        });
        async move {
            let id = customer?;
            let target = RecordRef {
                collection: Collection::Customer,
                id,
            };
            data.view_one(&target).await.ok().flatten()
        }
    });

    // What the page is drawing: changes only when the record appears, goes or fails to load, so a
    // reload after each change redraws the fields, not the page (nor a part's own state).
    let shape = Memo::new(move |_| loaded.with(|l| l.map_ref(Option::is_some)));
    let fields = Memo::new(move |_| {
        loaded.with(|l| match l {
            Loaded::Ready(Some(r)) => r.fields.clone(),
            _ => Map::new(),
        })
    });
    let facts = Memo::new(move |_| {
        let parent_facts = parent.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref())
                .map(|c| scope_facts(Collection::Customer, &c.fields, None))
        });
        fields.with(|f| scope_facts(collection, f, parent_facts.as_ref()))
    });
    let title = Memo::new(move |_| {
        fields.with(|f| names.with(|n| title_of(collection, f, Some(n), i18n.locale())))
    });
    let may_edit = Memo::new(move |_| {
        let editable: Vec<&str> = spec.form_fields().collect();
        facts.with(|facts| access.can_edit_any(collection, &editable, facts))
    });
    let may_delete =
        Memo::new(move |_| facts.with(|facts| access.can(collection, Action::Delete, Some(facts))));
    let sections = move || {
        spec.sections
            .iter()
            .map(|section| {
                let rows = fields.with(|fields| {
                    section
                        .fields
                        .iter()
                        .map(|&name| {
                            field_row(
                                collection,
                                &record_id.get_value(),
                                name,
                                fields,
                                names,
                                prices,
                                i18n,
                            )
                        })
                        .collect_view()
                });
                view! {
                    <section class="card detail-section">
                        <h2>{move || section.label(i18n.locale())}</h2>
                        <dl class="detail-fields">{rows}</dl>
                    </section>
                }
            })
            .collect_view()
    };

    let body = move || {
        match shape.get() {
        Loaded::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::ListLoading)}</p> }.into_any(),
        Loaded::Failed(error) => view! {
            <p class="form-error" role="alert">{move || i18n.format(Key::ListLoadFailed, &[("error", &error)])}</p>
        }
        .into_any(),
        Loaded::Ready(false) => {
            let list_path = list_path.clone();
            view! {
                <div class="card empty-state" data-testid="record-not-found">
                    <h1 class="page-title">{move || i18n.t(Key::RecordNotFoundTitle)}</h1>
                    <p>{move || i18n.t(Key::RecordNotFoundBody)}</p>
                    <A href=use_mount().href(&list_path) attr:class="button">
                        {move || i18n.format(Key::RecordBackTo, &[("collection", collection.label(i18n.locale()))])}
                    </A>
                </div>
            }
            .into_any()
        }
        Loaded::Ready(true) => {
            let list_path = list_path.clone();
            view! {
                <header class="page-header detail-header">
                    <h1 class="page-title" data-testid="record-title">{move || title.get()}</h1>
                    <Show when=move || !editing.get()>
                        <div class="page-actions">
                            <Show when=move || may_edit.get()>
                                <button type="button" class="button" id="record-edit" on:click=move |_| {
                                    saved.set(false);
                                    refocus.set(false);
                                    editing.set(true);
                                    focus_first_input();
                                }>{move || i18n.t(Key::RecordEdit)}</button>
                            </Show>
                        </div>
                    </Show>
                </header>
                <Show when=move || saved.get()>
                    <p class="notice notice-ok" role="status" data-testid="record-saved">{move || i18n.t(Key::RecordSaved)}</p>
                </Show>
                <Show
                    when=move || editing.get()
                    fallback=move || view! { <div class="detail-sections">{sections}</div> }
                >
                    <RecordEditor
                        collection
                        existing=(record_id.get_value(), fields.get_untracked())
                        on_saved=move |_| {
                            editing.set(false);
                            saved.set(true);
                            refocus.set(true);
                            focus_later("record-edit");
                        }
                        on_cancel=move |()| {
                            editing.set(false);
                            focus_later("record-edit");
                        }
                    />
                </Show>
                // The collection's own parts step aside while its fields are edited.
                {children.clone().map(|c| view! { <Show when=move || !editing.get()>{c()}</Show> })}
                {spec.related.iter().map(|related| view! {
                    <RelatedList related=*related parent=collection parent_id=record_id.get_value() />
                }).collect_view()}
                <Show when=move || !editing.get()>
                    <RecordHistory collection id=record_id.get_value() />
                </Show>
                <Show when=move || may_delete.get()>
                    <div class="detail-danger">
                        <DeleteRecord
                            collection
                            id=record_id.get_value()
                            name=Signal::derive(move || title.get())
                            title=Key::RecordDeleteTitle
                            body=Key::RecordDeleteBody
                            list_path=list_path.clone()
                            hidden=Signal::derive(move || editing.get())
                        />
                    </div>
                </Show>
            }
            .into_any()
        }
    }
    };

    view! {
        <section class="page record-page" data-testid=format!("{}-detail", spec.slug)>
            <p class="breadcrumb">
                <A href=mount.href(&format!("/{}", spec.slug))>{move || collection.label(i18n.locale())}</A>
            </p>
            // Outside the part drawn again on every reload of the record, so it never blinks out
            // while its changes still wait.
            <WaitingNote collection id=record_id.get_value() note=Key::RecordWaitingNote />
            {body}
        </section>
    }
}

/// Moves the keyboard into the form that just opened, at its first input.
fn focus_first_input() {
    request_animation_frame(|| {
        if let Some(element) = document()
            .query_selector(
                ".record-form input:not([type=hidden]), .record-form select, .record-form textarea",
            )
            .ok()
            .flatten()
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = element.focus();
        }
    });
}

/// Records that hang from a customer and have no unit or owner of their own take the customer's.
pub(crate) fn hangs_from_customer(collection: Collection) -> bool {
    collection.field("customer_id").is_some()
        && collection.field("unit_id").is_none()
        && collection.field("owner_id").is_none()
}

/// The catalogue's list prices by product id, for a collection whose lines name products: a line
/// without a unit price of its own is priced at the list price (the domain's rule).
fn list_prices(collection: Collection) -> Option<Memo<HashMap<String, i64>>> {
    let names_products = collection.fields().iter().any(|d| match d.kind {
        FieldKind::Lines(lines) => lines
            .iter()
            .any(|l| l.kind == FieldKind::Ref(Collection::Product)),
        _ => false,
    });
    names_products.then(|| use_list_prices(use_data()))
}

/// One labelled value: references link to their record; lists and lines are drawn as lists/tables.
fn field_row(
    collection: Collection,
    record: &str,
    name: &'static str,
    fields: &Map<String, Value>,
    names: Memo<HashMap<String, String>>,
    prices: Option<Memo<HashMap<String, i64>>>,
    i18n: I18n,
) -> impl IntoView {
    let def = collection
        .field(name)
        .expect("a section names fields (tested in core)");
    let mut value = fields.get(name).filter(|v| !v.is_null()).cloned();
    // Lines without a price of their own take the product's list price.
    if let (Some(Value::Array(lines)), Some(prices)) = (value.as_mut(), prices) {
        prices.with(|prices| {
            for line in lines.iter_mut().filter_map(Value::as_object_mut) {
                if line.contains_key("unit_price") {
                    continue;
                }
                let price = line
                    .get("product_id")
                    .and_then(Value::as_str)
                    .and_then(|p| prices.get(p));
                if let Some(price) = price {
                    line.insert("unit_price".to_owned(), Value::from(*price));
                }
            }
        });
    }
    let fields = fields.clone();
    let record = record.to_owned();
    let shown = move || -> AnyView {
        let mount = use_mount();
        match (def.kind, &value) {
            (_, None) => {
                view! { <span class="muted">{i18n.t(Key::NotAvailable)}</span> }.into_any()
            }
            (FieldKind::Ref(target), Some(Value::String(id))) => {
                let href = mount.href(&format!("/{}/{id}", views::spec(target).slug));
                let id = id.clone();
                view! {
                    <A href=href>{move || names.with(|n| n.get(&id).cloned()).unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned())}</A>
                }
                .into_any()
            }
            (FieldKind::RefList(target), Some(Value::Array(ids))) => {
                let links = ids
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|id| {
                        let href = mount.href(&format!("/{}/{id}", views::spec(target).slug));
                        let id = id.to_owned();
                        view! {
                            <li><A href=href>{move || names.with(|n| n.get(&id).cloned()).unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned())}</A></li>
                        }
                    })
                    .collect_view();
                view! { <ul class="inline-list">{links}</ul> }.into_any()
            }
            (FieldKind::Lines(line_defs), Some(Value::Array(lines))) => {
                let money = LineMoney::of(line_defs);
                let priced = money == LineMoney::Priced;
                let head = line_defs
                    .iter()
                    .map(|d| view! { <th scope="col">{d.label(i18n.locale())}</th> })
                    .collect_view();
                let rows = lines
                    .iter()
                    .map(|line| {
                        let cells = line_defs
                            .iter()
                            .map(|d| {
                                if let (FieldKind::Attachment, Some(Value::String(hash))) =
                                    (d.kind, line.get(d.name))
                                {
                                    let record = record.clone();
                                    return view! {
                                        <td class="photo-cell"><PhotoTile hash=hash.clone() collection record /></td>
                                    }
                                    .into_any();
                                }
                                let cell = match (d.kind, line.get(d.name)) {
                                    (FieldKind::Ref(_), Some(Value::String(id))) => {
                                        names.with(|n| n.get(id).cloned()).unwrap_or_else(|| {
                                            i18n.t(Key::RecordUnknownRef).to_owned()
                                        })
                                    }
                                    (FieldKind::Money, Some(v)) => {
                                        v.as_i64().map(format_yuan).unwrap_or_default()
                                    }
                                    (FieldKind::Enum(_), Some(Value::String(w))) => {
                                        d.choice_label(w, i18n.locale()).unwrap_or(w).to_owned()
                                    }
                                    (FieldKind::Instant, Some(Value::String(at))) => {
                                        crate::format::local_date_time(at, i18n.locale())
                                    }
                                    (_, Some(Value::String(t))) => t.clone(),
                                    (_, Some(other)) => other.to_string(),
                                    (_, None) => String::new(),
                                };
                                view! { <td>{cell}</td> }.into_any()
                            })
                            .collect_view();
                        let amount = priced.then(|| {
                            yingxiao_core::views::line_value(line)
                                .map(format_yuan)
                                .unwrap_or_default()
                        });
                        view! { <tr>{cells}{amount.map(|a| view! { <td class="numeric">{a}</td> })}</tr> }
                    })
                    .collect_view();
                let total = yingxiao_core::views::lines_total(lines).map(format_yuan);
                let label_cols = line_defs.len() - usize::from(money == LineMoney::Own);
                view! {
                    <table class="lines-table lines-read">
                        <thead><tr>{head}{priced.then(|| view! { <th scope="col" class="numeric">{i18n.t(Key::FormLineAmount)}</th> })}</tr></thead>
                        <tbody>{rows}</tbody>
                        {(money != LineMoney::None).then(|| view! {
                            <tfoot><tr><th scope="row" colspan=label_cols>{i18n.t(Key::FormLinesTotal)}</th><td class="numeric" data-testid="lines-total">{total}</td></tr></tfoot>
                        })}
                    </table>
                }
                .into_any()
            }
            _ => {
                let text = names.with(|n| display_value(collection, name, &fields, n, i18n));
                view! { <span>{text.unwrap_or_default()}</span> }.into_any()
            }
        }
    };
    let wide = matches!(def.kind, FieldKind::Lines(_) | FieldKind::RefList(_))
        || matches!(def.kind, FieldKind::Text { max_chars } if max_chars >= 500);
    view! {
        <div class="detail-field" class:detail-wide=wide data-field=name>
            <dt>{move || def.label(i18n.locale())}</dt>
            <dd>{shown}</dd>
        </div>
    }
}

/// The records of another collection that name this one (a customer's visits), newest first by
/// their spec's order, with a link to add one already pointing here.
#[component]
fn RelatedList(related: Related, parent: Collection, parent_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let access = use_access();
    let spec = views::spec(related.collection);
    let rows = watch_collection(data, related.collection);
    // The related records' titles and the names their first columns show (an order's customer).
    let mut shown: Vec<Collection> = spec
        .columns
        .iter()
        .take(3)
        .filter_map(|c| match related.collection.field(c).map(|d| d.kind) {
            Some(FieldKind::Ref(target)) => Some(target),
            _ => None,
        })
        .collect();
    shown.push(related.collection);
    let names = use_titles(data, shown);
    let mine = {
        let parent_id = parent_id.clone();
        Memo::new(move |_| {
            rows.with(|r| {
                let Some(Ok(rows)) = r.as_ref() else {
                    return Vec::new();
                };
                let mut kept: Vec<(String, Map<String, Value>)> = rows
                    .iter()
                    .filter(|(_, record)| match record.fields.get(related.field) {
                        Some(Value::String(id)) => *id == parent_id,
                        Some(Value::Array(ids)) => {
                            ids.iter().any(|v| v.as_str() == Some(&parent_id))
                        }
                        _ => false,
                    })
                    .map(|(id, record)| (id.clone(), record.fields.clone()))
                    .collect();
                let key = spec.sort.field;
                kept.sort_by(|a, b| {
                    let (x, y) = (
                        a.1.get(key).map(Value::to_string),
                        b.1.get(key).map(Value::to_string),
                    );
                    if spec.sort.descending {
                        y.cmp(&x)
                    } else {
                        x.cmp(&y)
                    }
                });
                kept
            })
        })
    };
    let may_create = Memo::new(move |_| access.can(related.collection, Action::Create, None));
    let back = format!("/{}/{parent_id}", views::spec(parent).slug);
    let back = String::from(js_sys::encode_uri_component(&back));
    let new_href = mount.href(&format!(
        "/{}/new?{}={parent_id}&return={back}",
        spec.slug, related.field
    ));
    view! {
        <section class="card related" data-testid=format!("related-{}", spec.slug)>
            <div class="card-header">
                <h2>{move || related.collection.label(i18n.locale())}
                    <span class="count">{move || mine.with(Vec::len)}</span>
                </h2>
                <Show when=move || may_create.get()>
                    <A href=new_href.clone() attr:class="button">{move || i18n.t(Key::ListNew)}</A>
                </Show>
            </div>
            <Show when=move || mine.with(|m| !m.is_empty())
                fallback=move || view! { <p class="hint">{move || i18n.t(Key::RelatedNone)}</p> }>
                <ul class="related-list">
                    {move || mine.get().into_iter().take(RELATED_SHOWN).map(|(id, fields)| {
                        let href = use_mount().href(&format!("/{}/{id}", spec.slug));
                        let title = names.with(|n| title_of(related.collection, &fields, Some(n), i18n.locale()));
                        let meta = spec.columns.iter().take(3)
                            .filter_map(|c| names.with(|n| display_value(related.collection, c, &fields, n, i18n)))
                            .collect::<Vec<_>>().join(" · ");
                        view! {
                            <li><A href=href attr:class="related-row">
                                <span class="record-title">{title}</span>
                                <span class="record-meta">{meta}</span>
                            </A></li>
                        }
                    }).collect_view()}
                </ul>
                <Show when=move || mine.with(|m| m.len() > RELATED_SHOWN)>
                    <p class="hint">{move || i18n.format(Key::RelatedMore, &[("count", &(mine.with(Vec::len) - RELATED_SHOWN).to_string())])}</p>
                </Show>
            </Show>
        </section>
    }
}
