//! A customer's opportunities, on the customer's page: each deal with its stage and amount, and a
//! link to start a new one for this customer.

use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::{Map, Value};
use yingxiao_core::{domain::Collection, funnel::Stage, permission::Action, scope::scope_facts};

use crate::format::stage_label;
use crate::{
    data::records::{text, watch_collection, Loaded},
    data::sync::use_data,
    format::format_yuan,
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

#[component]
pub fn CustomerOpportunities(customer_id: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let mount = StoredValue::new(use_mount());
    let data = use_data();
    let access = use_access();
    // A new deal from here is the user's, in their unit, for this customer.
    let may_create = Memo::new(move |_| {
        let mut fields = Map::new();
        fields.insert("customer_id".into(), Value::from(customer_id.get()));
        if let Some(me) = access.viewer() {
            fields.insert("owner_id".into(), Value::from(me.user_id));
            fields.insert("unit_id".into(), Value::from(me.unit_id));
        }
        let facts = scope_facts(Collection::Opportunity, &fields, None);
        access.can(Collection::Opportunity, Action::Create, Some(&facts))
    });
    let deals = watch_collection(data, Collection::Opportunity, move || {
        Some(("customer", customer_id.get()))
    });
    // Open deals first in funnel order, then closed ones; by name within a stage.
    let rows = move || {
        let mut rows = match Loaded::from_read(deals.get(), || data.status.get()) {
            Loaded::Ready(rows) => rows,
            _ => Vec::new(),
        };
        let rank = |wire: &str| Stage::parse(wire).map_or(usize::MAX, |s| s as usize);
        rows.sort_by(|(_, a), (_, b)| {
            rank(text(&a.fields, "stage"))
                .cmp(&rank(text(&b.fields, "stage")))
                .then_with(|| text(&a.fields, "name").cmp(text(&b.fields, "name")))
        });
        rows
    };
    let new_href = move || {
        mount.with_value(|m| {
            m.href(&format!(
                "/opportunities/new?customer={}",
                customer_id.get()
            ))
        })
    };
    view! {
        <section class="card related" aria-labelledby="customer-deals-heading" data-testid="customer-opportunities">
            <header class="card-header">
                <h2 id="customer-deals-heading">{move || Collection::Opportunity.label(i18n.locale())}</h2>
                <Show when=move || may_create.get()>
                    <A href=new_href attr:class="button">{move || i18n.t(Key::CustomerOpportunitiesNew)}</A>
                </Show>
            </header>
            {move || {
                let rows = rows();
                if rows.is_empty() {
                    view! { <p class="hint">{move || i18n.t(Key::CustomerOpportunitiesNone)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="related-list">
                            {rows.into_iter().map(|(id, deal)| {
                                let f = deal.fields;
                                let stage = text(&f, "stage").to_owned();
                                let stage_wire = stage.clone();
                                let href = mount.with_value(|m| m.href(&format!("/opportunities/{id}")));
                                let amount = f.get("amount").and_then(|v| v.as_i64()).map(format_yuan);
                                view! {
                                    <li class="related-item">
                                        <p class="related-title">
                                            <A href=href>{text(&f, "name").to_owned()}</A>
                                            <span class="chip stage-chip" data-stage=stage_wire>
                                                {move || stage_label(&stage, i18n.locale()).to_owned()}
                                            </span>
                                            {amount.map(|a| view! { <span class="related-sub">{a}</span> })}
                                        </p>
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
