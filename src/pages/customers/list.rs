//! The customer list (`/customers`): search, filters by tier and kind, sorted by name, shown a page at a
//! time so thousands of customers stay quick on a tablet.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};
use yingxiao_core::{
    domain::Collection,
    list::{ListIndex, SearchQuery},
    locale::Locale,
    permission::Action,
    sync::apply::StoredRecord,
};

use crate::data::records::{names_by_id, text, waiting_ids, watch_collection, Loaded};
use crate::{
    collation,
    data::sync::{use_data, SyncStatus},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// Rows drawn at first, and added by each "show more".
const PAGE_ROWS: usize = 100;

/// One customer as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub tier: String,
    pub city: String,
    pub phone: String,
    pub owner_id: String,
}

/// The customers in the list's order, by name as the language sorts words (pinyin order for
/// Chinese), then by id; searchable by name, city and phone.
pub fn customer_list(records: &[(String, StoredRecord)], locale: Locale) -> ListIndex<CustomerRow> {
    let places = collation::ranks(records.iter().map(|(_, r)| text(&r.fields, "name")), locale);
    let mut keyed: Vec<(u32, &str, &StoredRecord)> = records
        .iter()
        .map(|(id, r)| (places[text(&r.fields, "name")], id.as_str(), r))
        .collect();
    keyed.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let rows = keyed
        .into_iter()
        .map(|(_, id, record)| {
            let f = &record.fields;
            CustomerRow {
                id: id.to_owned(),
                name: text(f, "name").to_owned(),
                kind: text(f, "kind").to_owned(),
                tier: text(f, "tier").to_owned(),
                city: text(f, "city").to_owned(),
                phone: text(f, "phone").to_owned(),
                owner_id: text(f, "owner_id").to_owned(),
            }
        })
        .collect();
    ListIndex::new(rows, |r: &CustomerRow| {
        [r.name.as_str(), r.city.as_str(), r.phone.as_str()]
    })
}

/// Positions in the list that the search and filters keep.
pub fn matching_rows(
    list: &ListIndex<CustomerRow>,
    search: &str,
    tier: &str,
    kind: &str,
    descending: bool,
) -> Vec<u32> {
    list.filter(
        &SearchQuery::parse(search),
        |r| (tier.is_empty() || r.tier == tier) && (kind.is_empty() || r.kind == kind),
        descending,
    )
}

/// The list as built, compared by identity: rebuilding it is what counts as a change.
#[derive(Clone, Debug)]
struct Built(Arc<ListIndex<CustomerRow>>);

impl PartialEq for Built {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What the body of the page shows.
#[derive(Clone, Debug, PartialEq)]
enum ListState {
    Loading,
    Failed(String),
    /// No customers yet, and the device is still fetching them.
    Waiting,
    Empty,
    Rows,
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let access = use_access();
    let may_create = Memo::new(move |_| access.can(Collection::Customer, Action::Create, None));
    let customers = watch_collection(data, Collection::Customer, || None);
    let users = watch_collection(data, Collection::User, || None);

    let search = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let descending = RwSignal::new(false);
    let limit = RwSignal::new(PAGE_ROWS);

    // Sorted once per change of the data or the language; filtering runs over this on each keystroke.
    let sorted = Memo::new(move |_| {
        let read = customers.with(|read| {
            read.as_ref().map(|r| {
                r.as_ref()
                    .map_err(Clone::clone)
                    .map(|records| Built(Arc::new(customer_list(records, i18n.locale()))))
            })
        });
        Loaded::from_read(read, || data.status.get())
    });
    let owners = Memo::new(move |_| names_by_id(&users));
    let waiting = waiting_ids(data, Collection::Customer);
    // Said once after a customer's page deleted it and came back here.
    let query = use_query_map();
    let deleted = move || {
        query
            .with(|q| q.get("deleted"))
            .filter(|name| !name.is_empty())
    };

    let matching = Memo::new(move |_| {
        let (tier, kind, descending) = (tier.get(), kind.get(), descending.get());
        search.with(|search| {
            sorted.with(|loaded| match loaded {
                Loaded::Ready(Built(list)) => matching_rows(list, search, &tier, &kind, descending),
                _ => Vec::new(),
            })
        })
    });
    let total = move || {
        sorted.with(|l| match l {
            Loaded::Ready(Built(list)) => list.len(),
            _ => 0,
        })
    };
    let filtered = move || {
        !search.with(|s| s.trim().is_empty())
            || !tier.with(String::is_empty)
            || !kind.with(String::is_empty)
    };
    // Until one sync attempt has ended since the page opened, an empty list may just mean "not yet".
    let sync_ended = RwSignal::new(false);
    Effect::new(move |_| {
        if !matches!(
            data.status.get(),
            SyncStatus::Starting | SyncStatus::Syncing
        ) {
            sync_ended.set(true);
        }
    });
    let busy = move || {
        sorted.with(|l| matches!(l, Loaded::Loading))
            || data.first_sync.get().is_some()
            || (total() == 0 && !sync_ended.get())
    };
    // What the page body is; the list itself is kept (not rebuilt) while the data changes under it.
    let state = Memo::new(move |_| {
        let loaded = sorted.with(|l| match l {
            Loaded::Ready(Built(list)) => Loaded::Ready(list.len()),
            Loaded::Loading => Loaded::Loading,
            Loaded::Failed(error) => Loaded::Failed(error.clone()),
        });
        match loaded {
            Loaded::Ready(0) if busy() => ListState::Waiting,
            Loaded::Ready(0) => ListState::Empty,
            Loaded::Ready(_) => ListState::Rows,
            Loaded::Loading => ListState::Loading,
            Loaded::Failed(error) => ListState::Failed(error),
        }
    });
    // Only the rows drawn are copied out of the list.
    let shown = move || {
        let limit = limit.get();
        sorted.with(|loaded| match loaded {
            Loaded::Ready(Built(list)) => matching.with(|positions| {
                positions
                    .iter()
                    .take(limit)
                    .map(|&p| list.row(p).clone())
                    .collect::<Vec<_>>()
            }),
            _ => Vec::new(),
        })
    };
    let reset_window = move || limit.set(PAGE_ROWS);

    let choice_filter = move |field: &'static str, all: Key, signal: RwSignal<String>| {
        let def = Collection::Customer.field(field).expect("customer field");
        let id = format!("customers-filter-{field}");
        view! {
            <div class="field">
                <label for=id.clone()>{move || def.label(i18n.locale())}</label>
                <select id=id on:change=move |ev| { signal.set(event_target_value(&ev)); reset_window(); }>
                    <option value="" prop:selected=move || signal.with(String::is_empty)>{move || i18n.t(all)}</option>
                    {def.choices().unwrap_or_default().iter().map(|choice| {
                        view! {
                            <option value=choice.value prop:selected=move || signal.with(|s| s == choice.value)>
                                {move || choice.label(i18n.locale())}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let label = move |field: &'static str, wire: &str| -> String {
        Collection::Customer
            .field(field)
            .and_then(|d| d.choice_label(wire, i18n.locale()))
            .unwrap_or(wire)
            .to_owned()
    };

    let new_href = mount.href("/customers/new");
    let list = {
        let mount = mount.clone();
        let new_href = new_href.clone();
        move || {
            match state.get() {
            ListState::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p> }.into_any(),
            ListState::Failed(error) => view! {
                <p class="form-error" role="alert">{move || i18n.format(Key::CustomersLoadFailed, &[("error", &error)])}</p>
            }
            .into_any(),
            ListState::Waiting => view! {
                <p class="hint" role="status">{move || match data.first_sync.get() {
                    Some(count) => i18n.format(Key::CustomersFirstSync, &[("count", &count.to_string())]),
                    None => i18n.t(Key::CustomersLoading).to_owned(),
                }}</p>
            }
            .into_any(),
            ListState::Empty => view! {
                <div class="card empty-state">
                    <h2>{move || i18n.t(Key::CustomersEmptyTitle)}</h2>
                    <p>{move || i18n.t(Key::CustomersEmptyBody)}</p>
                    {
                        let new_href = new_href.clone();
                        move || may_create.get().then(|| view! {
                            <A href=new_href.clone() attr:class="button button-primary">{move || i18n.t(Key::CustomersCreateFirst)}</A>
                        })
                    }
                </div>
            }
            .into_any(),
            ListState::Rows => {
                let mount = StoredValue::new(mount.clone());
                view! {
                    <Show
                        when=move || matching.with(|m| !m.is_empty())
                        fallback=move || view! {
                            <div class="card empty-state">
                                <p>{move || i18n.t(Key::CustomersNoMatch)}</p>
                                <button type="button" class="button" on:click=move |_| {
                                    search.set(String::new());
                                    tier.set(String::new());
                                    kind.set(String::new());
                                    reset_window();
                                }>{move || i18n.t(Key::CustomersClearFilters)}</button>
                            </div>
                        }
                    >
                        <ul class="record-list" data-testid="customer-list">
                            <For each=shown key=|row| row.id.clone() let:row>
                                <li>
                                    <A href=mount.with_value(|m| m.href(&format!("/customers/{}", row.id))) attr:class="record-row">
                                        <span class="record-title">
                                            {row.name.clone()}
                                            {
                                                let id = row.id.clone();
                                                move || waiting.with(|w| w.contains(&id)).then(|| view! {
                                                    <span class="chip chip-waiting" data-testid="waiting" title=move || i18n.t(Key::RecordWaitingTitle)>
                                                        {move || i18n.t(Key::RecordWaiting)}
                                                    </span>
                                                })
                                            }
                                        </span>
                                        <span class="record-meta">
                                            {
                                                let kind = row.kind.clone();
                                                move || label("kind", &kind)
                                            }
                                            {(!row.tier.is_empty()).then(|| {
                                                let (tier, wire) = (row.tier.clone(), row.tier.clone());
                                                view! { <span class="chip" data-tier=wire>{move || label("tier", &tier)}</span> }
                                            })}
                                        </span>
                                        <span class="record-meta record-meta-end">
                                            <span>{row.city.clone()}</span>
                                            <span>{
                                                let owner = row.owner_id.clone();
                                                move || owners.with(|names| names.get(&owner).cloned().unwrap_or_default())
                                            }</span>
                                        </span>
                                    </A>
                                </li>
                            </For>
                        </ul>
                        <Show when=move || matching.with(|m| m.len() > limit.get())>
                            <div class="list-more">
                                <button type="button" class="button" on:click=move |_| limit.update(|n| *n += PAGE_ROWS)>
                                    {move || {
                                        let left = matching.with(|m| m.len()).saturating_sub(limit.get());
                                        i18n.format(Key::CustomersShowMore, &[("count", &left.min(PAGE_ROWS).to_string())])
                                    }}
                                </button>
                            </div>
                        </Show>
                    </Show>
                }
                .into_any()
            }
        }
        }
    };

    let count = move || {
        let (all, matched) = (total(), matching.with(Vec::len));
        let shown = matched.min(limit.get());
        let all_text = all.to_string();
        let matched_text = matched.to_string();
        let shown_text = shown.to_string();
        let mut text = if filtered() {
            i18n.format(
                Key::CustomersCountFiltered,
                &[("count", &matched_text), ("total", &all_text)],
            )
        } else {
            i18n.format(Key::CustomersCount, &[("count", &all_text)])
        };
        if shown < matched {
            text.push_str(i18n.t(Key::CustomersListSeparator));
            text.push_str(&i18n.format(Key::CustomersShowing, &[("shown", &shown_text)]));
        }
        text
    };

    view! {
        <section class="page customers-page" data-testid="customers-page" aria-busy=move || busy().to_string()>
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::CustomersTitle)}</h1>
                {move || may_create.get().then(|| view! {
                    <A href=new_href.clone() attr:class="button button-primary">{move || i18n.t(Key::CustomersNew)}</A>
                })}
            </header>
            {move || deleted().map(|name| view! {
                <p class="notice notice-ok" role="status" data-testid="customer-deleted">
                    {move || i18n.format(Key::CustomerDeleted, &[("name", &name)])}
                </p>
            })}
            <div class="card customers-toolbar" role="search">
                <div class="field field-search">
                    <label for="customers-search">{move || i18n.t(Key::CustomersSearch)}</label>
                    <input
                        id="customers-search"
                        type="search"
                        autocomplete="off"
                        placeholder=move || i18n.t(Key::CustomersSearchPlaceholder)
                        prop:value=move || search.get()
                        on:input=move |ev| { search.set(event_target_value(&ev)); reset_window(); }
                    />
                </div>
                {choice_filter("tier", Key::CustomersAllTiers, tier)}
                {choice_filter("kind", Key::CustomersAllKinds, kind)}
                <div class="field">
                    <label for="customers-sort">{move || i18n.t(Key::CustomersSort)}</label>
                    <select id="customers-sort" on:change=move |ev| descending.set(event_target_value(&ev) == "desc")>
                        <option value="asc" prop:selected=move || !descending.get()>{move || i18n.t(Key::CustomersSortNameAsc)}</option>
                        <option value="desc" prop:selected=move || descending.get()>{move || i18n.t(Key::CustomersSortNameDesc)}</option>
                    </select>
                </div>
            </div>
            <Show when=move || state.get() == ListState::Rows>
                <p class="list-count" role="status" data-testid="customers-count">{count}</p>
            </Show>
            {list}
        </section>
    }
}
