//! A record's history (变更记录) on its page, and the entries of the audit trail as both that
//! section and the audit page show them: when (on the device, and when it arrived if it was made
//! offline), who, from which device, what was done and the fields it set. History lives on the
//! server: it is read when online and says so when not.

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use serde_json::Map;
use yingxiao_core::{
    audit::{AuditEntry, AuditPage},
    domain::{Collection, FieldKind},
    views,
};

use crate::{
    api::ApiError,
    components::record::display_value,
    data::{records::use_titles, sync::use_data},
    format::local_date_time,
    i18n::{use_i18n, Key},
    mount::use_mount,
    session::use_session,
};

/// Where a list of entries stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Trail {
    Loading,
    Offline,
    Failed(String),
    Ready(Vec<AuditEntry>, Option<String>),
}

/// Reads a page of the trail (`query` without `?`), appending to what `trail` holds when `more`.
pub(crate) fn read_trail(trail: RwSignal<Trail>, query: String, more: bool) {
    let Some(session) = use_session().get_untracked() else {
        return;
    };
    if !window().navigator().on_line() {
        trail.set(Trail::Offline);
        return;
    }
    if !more {
        trail.set(Trail::Loading);
    }
    spawn_local(async move {
        let result = crate::data::server::audit(&session.token, &query).await;
        trail.try_update(|trail| match result {
            Ok(AuditPage { entries, next }) => match trail {
                Trail::Ready(shown, _) if more => {
                    shown.extend(entries);
                    *trail = Trail::Ready(std::mem::take(shown), next);
                }
                _ => *trail = Trail::Ready(entries, next),
            },
            Err(ApiError::Network(_)) => *trail = Trail::Offline,
            Err(error) => *trail = Trail::Failed(error.to_string()),
        });
    });
}

/// The history section of a record's page.
#[component]
pub fn RecordHistory(collection: Collection, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let trail = RwSignal::new(Trail::Loading);
    let query = format!("collection={}&record={id}&limit=50", collection.as_str());
    let open = RwSignal::new(false);
    // Read when first opened, so a record's page costs no request until its history is wanted.
    let toggle = {
        let query = query.clone();
        move |_| {
            let now = !open.get_untracked();
            open.set(now);
            if now {
                read_trail(trail, query.clone(), false);
            }
        }
    };
    let more = Callback::new(move |()| {
        if let Trail::Ready(_, Some(next)) = trail.get_untracked() {
            read_trail(trail, format!("{query}&before={next}"), true);
        }
    });
    view! {
        <section class="card detail-section record-history" data-testid="record-history">
            <h2>
                <button
                    type="button"
                    class="button button-ghost history-toggle"
                    aria-expanded=move || open.get().to_string()
                    on:click=toggle
                >
                    {move || i18n.t(Key::HistoryTitle)}
                </button>
            </h2>
            <Show when=move || open.get()>
                <TrailEntries trail show_record=false on_more=more />
            </Show>
        </section>
    }
}

/// The entries of a trail, with its states and a "more" button.
#[component]
pub fn TrailEntries(
    trail: RwSignal<Trail>,
    /// Name the record of each entry, with a link (the audit page); a record's own page does not.
    show_record: bool,
    on_more: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let names = use_titles(
        data,
        vec![Collection::User, Collection::OrgUnit, Collection::Customer],
    );
    move || {
        match trail.get() {
        Trail::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::ListLoading)}</p> }.into_any(),
        Trail::Offline => view! { <p class="hint" role="status">{move || i18n.t(Key::HistoryOffline)}</p> }.into_any(),
        Trail::Failed(error) => view! {
            <p class="form-error" role="alert">{move || i18n.format(Key::ListLoadFailed, &[("error", &error)])}</p>
        }
        .into_any(),
        Trail::Ready(entries, _) if entries.is_empty() => view! {
            <p class="hint empty-state">{move || i18n.t(Key::HistoryEmpty)}</p>
        }
        .into_any(),
        Trail::Ready(entries, next) => {
            view! {
                <ol class="history-list">
                    {entries
                        .into_iter()
                        .map(|entry| view! { <TrailEntry entry show_record names /> })
                        .collect_view()}
                </ol>
                {next.map(|_| view! {
                    <button type="button" class="button" on:click=move |_| on_more.run(())>
                        {move || i18n.t(Key::HistoryMore)}
                    </button>
                })}
            }
            .into_any()
        }
    }
    }
}

#[component]
fn TrailEntry(
    entry: AuditEntry,
    show_record: bool,
    names: Memo<HashMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let collection = Collection::parse(&entry.collection);
    let late = entry.arrived_late();
    let who = entry
        .user_name
        .clone()
        .unwrap_or_else(|| entry.user_id.chars().take(8).collect());
    let device = if entry.device.is_empty() {
        entry.client_id.chars().take(8).collect()
    } else {
        entry.device.clone()
    };
    let record = show_record.then(|| {
        let label = entry
            .record_name
            .clone()
            .unwrap_or_else(|| entry.record_id.chars().take(8).collect());
        let kind = collection
            .map(|c| c.label(i18n.locale_untracked()))
            .unwrap_or_default();
        match collection {
            Some(c) if entry.action != "delete" => {
                let href = mount.href(&format!("/{}/{}", views::spec(c).slug, entry.record_id));
                view! { <span class="history-record">{kind}" · "<A href=href>{label}</A></span> }
                    .into_any()
            }
            _ => view! { <span class="history-record">{kind}" · "{label}</span> }.into_any(),
        }
    });
    let changes = entry.changes.clone();
    let change_list = move || {
        let locale = i18n.locale();
        changes
            .iter()
            .filter_map(|change| {
                let collection = collection?;
                let def = collection.field(&change.field)?;
                let mut one = Map::new();
                one.insert(change.field.clone(), change.value.clone());
                let shown = match def.kind {
                    FieldKind::Ref(_) => {
                        names.with(|n| display_value(collection, &change.field, &one, n, i18n))
                    }
                    _ => display_value(collection, &change.field, &one, &HashMap::new(), i18n),
                };
                let value = shown.unwrap_or_else(|| i18n.t(Key::HistoryCleared).to_owned());
                Some(view! {
                    <li><span class="history-field">{def.label(locale)}</span>": "{value}</li>
                })
            })
            .collect_view()
    };
    let made = entry.made_at.clone();
    let made_attr = made.clone();
    let received = entry.received_at.clone();
    let client_id = entry.client_id.clone();
    view! {
        <li class="history-entry" data-testid="history-entry">
            <div class="history-head">
                <time datetime=made_attr>{move || local_date_time(&made, i18n.locale())}</time>
                <span class="history-who">{who}</span>
                <span class="history-device" title=client_id>{device}</span>
                <span class="history-action">{move || entry.action_label(i18n.locale())}</span>
                {record}
            </div>
            {late.then(|| view! {
                <p class="hint history-late">
                    {move || i18n.format(Key::HistoryArrivedLate, &[("time", &local_date_time(&received, i18n.locale()))])}
                </p>
            })}
            <ul class="history-changes">{change_list}</ul>
        </li>
    }
}
