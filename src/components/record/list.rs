//! A collection's list from its view spec: column headers that sort, search, filters on choice,
//! yes/no, reference and date fields, the `待同步` mark, CSV and .xlsx export of what is shown, and
//! rows drawn only where the user looks, so tens of thousands stay smooth on a tablet.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_query_map};
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::{Collection, FieldKind},
    export::{field_cell, Cell, Sheet, CURRENCY_FIELD},
    list::{visible_window, ListIndex, SearchQuery},
    locale::Locale,
    permission::Action,
    sync::{apply::StoredRecord, written::Saved},
    views::{self, FilterKind, ViewSpec},
};

use super::display_value;
use crate::{
    collation,
    data::{
        records::{title_of, use_titles, waiting_ids, watch_collection, Loaded},
        sync::{use_data, Data, SyncStatus},
    },
    download::{self, TableFile},
    format::local_wall_time,
    i18n::{use_i18n, I18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// Height of a row in px (the style sheet's `.list-row`); rows never wrap, so the list can skip
/// drawing what is out of view.
const ROW_HEIGHT: f64 = 64.0;
/// Rows drawn beyond the view on each side.
const OVERSCAN: usize = 8;

/// One record as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub id: String,
    pub title: String,
    /// One text per column of the spec.
    pub cells: Vec<String>,
    /// The record's fields the list filters, sorts and exports by (not the others).
    pub fields: Arc<Map<String, Value>>,
    /// Search text beyond the title: the spec's search fields and the cells.
    haystack: String,
}

/// How many rows of a list are saved for its next cold start: more than the tallest screen shows.
pub const FIRST_ROWS: usize = 50;

/// A list's first rows in its first order, as saved for the next cold start of the app, so the
/// list shows them at once while it reads all its records (`core::sync::written::Saved` says when
/// they are still what the list would show).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FirstRows {
    /// How many records the whole list has.
    pub total: usize,
    /// Each row's id, title and cells.
    pub rows: Vec<(String, String, Vec<String>)>,
}

impl FirstRows {
    /// The first rows of `list` in the spec's first order, with no search or filter.
    pub fn of(collection: Collection, list: &ListIndex<Row>) -> Self {
        let spec = views::spec(collection);
        let none = vec![FilterValue::default(); spec.filters.len()];
        let order = (spec.sort.field, spec.sort.descending);
        let rows = matching_rows(collection, list, "", &none, order)
            .iter()
            .take(FIRST_ROWS)
            .map(|&p| {
                let row = list.row(p);
                (row.id.clone(), row.title.clone(), row.cells.clone())
            })
            .collect();
        Self {
            total: list.len(),
            rows,
        }
    }

    /// The name they are saved under: per list and language (titles and order follow it).
    pub fn name(collection: Collection, locale: Locale) -> String {
        format!("list:{}:{}", collection.as_str(), locale.tag())
    }

    /// As rows the list draws.
    pub fn rows(&self) -> Vec<Row> {
        self.rows
            .iter()
            .map(|(id, title, cells)| Row {
                id: id.clone(),
                title: title.clone(),
                cells: cells.clone(),
                fields: Arc::default(),
                haystack: String::new(),
            })
            .collect()
    }
}

/// The rows in title order, as built, compared by identity: rebuilding is what counts as a change.
#[derive(Clone)]
struct Built(Arc<ListIndex<Row>>);

impl PartialEq for Built {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The value a filter keeps; empty keeps everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterValue {
    /// A choice, `true`/`false`, or a record id.
    pub equals: String,
    /// Dates `YYYY-MM-DD`, either open.
    pub from: String,
    pub to: String,
}

impl FilterValue {
    fn is_empty(&self) -> bool {
        self.equals.is_empty() && self.from.is_empty() && self.to.is_empty()
    }

    fn keeps(&self, kind: FilterKind, value: Option<&Value>) -> bool {
        if self.is_empty() {
            return true;
        }
        match kind {
            FilterKind::Choice | FilterKind::Reference(_) => {
                value.and_then(Value::as_str) == Some(self.equals.as_str())
            }
            FilterKind::YesNo => {
                value.and_then(Value::as_bool).unwrap_or(false) == (self.equals == "true")
            }
            FilterKind::DateRange => {
                let Some(text) = value.and_then(Value::as_str) else {
                    return false;
                };
                let day = text.get(..10).unwrap_or(text);
                (self.from.is_empty() || day >= self.from.as_str())
                    && (self.to.is_empty() || day <= self.to.as_str())
            }
        }
    }
}

/// How two values of a field compare for sorting: numbers as numbers, the rest as text; empty last.
fn compare_field(
    kind: FieldKind,
    a: Option<&Value>,
    b: Option<&Value>,
    shown: (&str, &str),
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let empty = |v: Option<&Value>| v.is_none_or(Value::is_null);
    match (empty(a), empty(b)) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    match kind {
        FieldKind::Money | FieldKind::Integer { .. } | FieldKind::Percent => {
            let n = |v: Option<&Value>| v.and_then(Value::as_i64).unwrap_or(0);
            n(a).cmp(&n(b))
        }
        FieldKind::Date | FieldKind::Instant => {
            fn text(v: Option<&Value>) -> &str {
                v.and_then(Value::as_str).unwrap_or("")
            }
            text(a).cmp(text(b))
        }
        _ => shown.0.cmp(shown.1),
    }
}

/// A collection's records as list rows, in the order the language sorts their titles (pinyin for
/// Chinese), then by id; searchable by title, the shown cells and the spec's search fields.
pub fn list_rows(
    collection: Collection,
    records: &[(String, StoredRecord)],
    names: &HashMap<String, String>,
    i18n: I18n,
) -> ListIndex<Row> {
    let spec = views::spec(collection);
    let locale = i18n.locale_untracked();
    let mut titles: Vec<String> = records
        .iter()
        .map(|(_, r)| title_of(collection, &r.fields, Some(names), locale))
        .collect();
    let places = collation::ranks(titles.iter().map(String::as_str), locale);
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&i| (places[titles[i].as_str()], &records[i].0));
    drop(places);
    // A row keeps only the fields the list filters, sorts and exports by (amounts with their
    // currency), not the whole record: the records themselves stay in the session's read model once.
    let kept: Vec<&str> = spec
        .filters
        .iter()
        .chain(spec.columns)
        .chain(spec.title)
        .chain(std::iter::once(&spec.sort.field))
        .chain(collection.field(CURRENCY_FIELD).map(|_| &CURRENCY_FIELD))
        .copied()
        .collect();
    let rows = order
        .into_iter()
        .map(|i| {
            let (id, record) = &records[i];
            let f = &record.fields;
            let cells: Vec<String> = spec
                .columns
                .iter()
                .map(|c| display_value(collection, c, f, names, i18n).unwrap_or_default())
                .collect();
            let mut haystack = cells.join(" ");
            for s in spec.search {
                if let Some(Value::String(t)) = f.get(*s) {
                    haystack.push(' ');
                    haystack.push_str(t);
                }
            }
            let fields: Map<String, Value> = f
                .iter()
                .filter(|(name, _)| kept.contains(&name.as_str()))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            Row {
                id: id.clone(),
                title: std::mem::take(&mut titles[i]),
                cells,
                fields: Arc::new(fields),
                haystack,
            }
        })
        .collect();
    ListIndex::new(rows, |r: &Row| [r.title.as_str(), r.haystack.as_str()])
}

/// Positions of the rows the search and filters keep (one value per filter of the spec), in the
/// chosen order: by title as built, or re-sorted by another field (numbers as numbers; stable).
pub fn matching_rows(
    collection: Collection,
    list: &ListIndex<Row>,
    search: &str,
    chosen: &[FilterValue],
    (field, descending): (&'static str, bool),
) -> Vec<u32> {
    let spec = views::spec(collection);
    let query = SearchQuery::parse(search);
    let mut positions = list.filter(
        &query,
        |row| {
            spec.filters.iter().zip(chosen).all(|(name, value)| {
                spec.filter_kind(name)
                    .is_none_or(|kind| value.keeps(kind, row.fields.get(*name)))
            })
        },
        false,
    );
    if !spec.title.contains(&field) || spec.title.len() > 1 {
        if let Some(def) = collection.field(field) {
            let column = spec.columns.iter().position(|c| *c == field);
            positions.sort_by(|&a, &b| {
                let (ra, rb) = (list.row(a), list.row(b));
                let shown = match column {
                    Some(i) => (ra.cells[i].as_str(), rb.cells[i].as_str()),
                    None => (ra.title.as_str(), rb.title.as_str()),
                };
                let order =
                    compare_field(def.kind, ra.fields.get(field), rb.fields.get(field), shown);
                if descending {
                    order.reverse()
                } else {
                    order
                }
            });
        }
    } else if descending {
        positions.reverse();
    }
    positions
}

/// The list of a collection. `marks` adds a chip to the rows whose ids it holds (an opportunity's
/// 停滞), with its label.
/// Whether a loaded list has rows to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rows {
    /// None yet, and the first sync is still bringing them.
    FirstSync,
    None,
    Some,
    /// The saved first rows, while the whole list is read.
    Preview,
}

#[component]
pub fn RecordList(
    collection: Collection,
    #[prop(optional)] marks: Option<(Memo<HashSet<String>>, Key)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let access = use_access();
    let spec: &'static ViewSpec = views::spec(collection);
    let may_create = Memo::new(move |_| access.can(collection, Action::Create, None));
    let (built, references, preview) = use_list_rows(data, collection);
    let waiting = waiting_ids(data, collection);

    let search = RwSignal::new(String::new());
    let filters = RwSignal::new(vec![FilterValue::default(); spec.filters.len()]);
    let filters_open = RwSignal::new(false);
    let sort = RwSignal::new((spec.sort.field, spec.sort.descending));
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(640.0_f64);

    let matching = Memo::new(move |_| {
        let Loaded::Ready(Built(list)) = built.get() else {
            return Vec::new();
        };
        let chosen = filters.get();
        search.with(|search| matching_rows(collection, &list, search, &chosen, sort.get()))
    });

    let total = move || {
        built.with(|b| match b {
            Loaded::Ready(Built(list)) => list.len(),
            _ => 0,
        })
    };
    let filtered = move || {
        !search.with(|s| s.trim().is_empty()) || filters.with(|f| f.iter().any(|v| !v.is_empty()))
    };
    // Until the first sync is done, an empty list may just mean "not yet".
    let waiting_first_sync =
        move || data.first_sync.get().is_some() || data.status.get() == SyncStatus::Starting;

    let scroller = NodeRef::<leptos::html::Div>::new();
    let to_top = move || {
        if let Some(element) = scroller.get_untracked() {
            element.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    };
    let on_scroll = move |_: ev::Event| {
        if let Some(element) = scroller.get_untracked() {
            scroll_top.set(element.scroll_top() as f64);
            viewport.set(element.client_height() as f64);
        }
    };
    Effect::new(move || {
        matching.track();
        if let Some(element) = scroller.get() {
            viewport.set(element.client_height() as f64);
        }
    });
    let shown = move || {
        let Loaded::Ready(Built(list)) = built.get() else {
            return Vec::new();
        };
        matching.with(|positions| {
            let window = visible_window(
                scroll_top.get(),
                viewport.get(),
                ROW_HEIGHT,
                positions.len(),
                OVERSCAN,
            );
            window
                .map(|at| (at, list.row(positions[at]).clone()))
                .collect::<Vec<_>>()
        })
    };

    // What is shown, in the order shown, as CSV or .xlsx from the same cells.
    let export = move |file: TableFile| {
        let Loaded::Ready(Built(list)) = built.get_untracked() else {
            return;
        };
        let locale = i18n.locale_untracked();
        let mut header = vec![title_label(collection, i18n)];
        // Amounts go out as plain yuan, so the spreadsheet can add them up.
        let money = |c: &str| matches!(collection.field(c).map(|d| d.kind), Some(FieldKind::Money));
        header.extend(spec.columns.iter().map(|c| {
            let label = label_of(collection, c, i18n);
            if money(c) {
                i18n.format(Key::ListExportMoney, &[("field", &label)])
            } else {
                label
            }
        }));
        let rows = matching.with_untracked(|positions| {
            positions
                .iter()
                .map(|&p| {
                    let row = list.row(p);
                    let cells = spec.columns.iter().zip(&row.cells).map(|(c, shown)| {
                        field_cell(collection, c, &row.fields, shown, &local_wall_time)
                    });
                    std::iter::once(Cell::text(row.title.clone()))
                        .chain(cells)
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        });
        let title = collection.label(locale);
        let sheet = Sheet {
            name: title.to_owned(),
            header,
            rows,
        };
        let today = String::from(js_sys::Date::new_0().to_iso_string());
        let _ = download::save_table(&format!("{title}-{}", &today[..10]), &sheet, file);
    };

    // Said once after a record's page deleted it and came back here.
    let query = use_query_map();
    let deleted = move || {
        query
            .with(|q| q.get("deleted"))
            .filter(|name| !name.is_empty())
    };
    let base = format!("/{}", spec.slug);
    let new_href = mount.href(&format!("{base}/new"));
    // The saved first rows stand in while the whole list is read, as long as nothing asks for
    // another order or a part of it.
    let previewing = Memo::new(move |_| {
        preview.with(Option::is_some)
            && !filtered()
            && sort.get() == (spec.sort.field, spec.sort.descending)
    });
    let state = Memo::new(
        move |_| match built.with(|b| b.map_ref(|Built(list)| list.len())) {
            Loaded::Loading if previewing.get() => Loaded::Ready(Rows::Preview),
            Loaded::Loading => Loaded::Loading,
            Loaded::Failed(error) => Loaded::Failed(error),
            Loaded::Ready(0) if waiting_first_sync() => Loaded::Ready(Rows::FirstSync),
            Loaded::Ready(0) => Loaded::Ready(Rows::None),
            Loaded::Ready(_) => Loaded::Ready(Rows::Some),
        },
    );
    let count = move || {
        if state.with(|s| matches!(s, Loaded::Ready(Rows::Preview))) {
            let all = preview.with(|p| p.as_ref().map_or(0, |p| p.0));
            return i18n.format(Key::ListCountPreview, &[("count", &all.to_string())]);
        }
        let (all, matched) = (total(), matching.with(Vec::len));
        if filtered() {
            i18n.format(
                Key::ListCountFiltered,
                &[("count", &matched.to_string()), ("total", &all.to_string())],
            )
        } else {
            i18n.format(Key::ListCount, &[("count", &all.to_string())])
        }
    };
    let grid = format!(
        "minmax(12rem, 2fr) repeat({}, minmax(7rem, 1fr))",
        spec.columns.len()
    );
    let header_cell = move |field: &'static str, title: bool| {
        let label = move || {
            if title {
                title_label(collection, i18n)
            } else {
                label_of(collection, field, i18n)
            }
        };
        let state = move || {
            let (by, descending) = sort.get();
            (by == field).then_some(if descending {
                "descending"
            } else {
                "ascending"
            })
        };
        view! {
            <span role="columnheader" class="list-head-cell" aria-sort=move || state().unwrap_or("none")>
                <button type="button" class="list-sort" on:click=move |_| {
                    sort.update(|(by, descending)| {
                        if *by == field {
                            *descending = !*descending;
                        } else {
                            *by = field;
                            *descending = false;
                        }
                    });
                    to_top();
                }>
                    {label}
                    <span class="sort-mark" aria-hidden="true">{move || match state() {
                        Some("descending") => "↓",
                        Some(_) => "↑",
                        None => "",
                    }}</span>
                </button>
            </span>
        }
    };

    let list_head = move || {
        view! {
            <div class="list-head" role="rowgroup">
                <div class="list-head-row" role="row">
                    {header_cell(spec.title[0], true)}
                    {spec.columns.iter().map(|c| header_cell(c, false)).collect_view()}
                </div>
            </div>
        }
    };

    // What the body shows: only a change of this draws it anew. A sync that adds a record to a list
    // already shown must not replace the scroller (and lose where the user had scrolled to).
    let body = {
        let new_href = new_href.clone();
        let grid = grid.clone();
        let base = base.clone();
        move || {
            match state.get() {
            Loaded::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::ListLoading)}</p> }.into_any(),
            Loaded::Failed(error) => view! {
                <p class="form-error" role="alert">{move || i18n.format(Key::ListLoadFailed, &[("error", &error)])}</p>
            }
            .into_any(),
            Loaded::Ready(Rows::FirstSync) => view! {
                <p class="hint" role="status" data-testid="list-first-sync">{move || match data.first_sync.get() {
                    Some(count) => i18n.format(Key::ListFirstSync, &[("count", &count.to_string())]),
                    None => i18n.t(Key::ListLoading).to_owned(),
                }}</p>
            }
            .into_any(),
            Loaded::Ready(Rows::None) => {
                let new_href = new_href.clone();
                view! {
                    <div class="card empty-state" data-testid="list-empty">
                        <h2>{move || i18n.format(Key::ListEmptyTitle, &[("collection", collection.label(i18n.locale()))])}</h2>
                        {move || may_create.get().then(|| view! {
                            <A href=new_href.clone() attr:class="button button-primary">{move || i18n.t(Key::ListCreateFirst)}</A>
                        })}
                    </div>
                }
                .into_any()
            }
            Loaded::Ready(Rows::Preview) => {
                let rows = preview.get_untracked().map(|p| p.1.clone()).unwrap_or_default();
                let height = format!("{}px", rows.len() as f64 * ROW_HEIGHT);
                let base = StoredValue::new(base.clone());
                view! {
                    <div class="card list-table" role="table" aria-label=move || collection.label(i18n.locale()) style:--list-columns=grid.clone()>
                        {list_head()}
                        <div class="list-scroller" role="rowgroup" tabindex="0" aria-label=move || collection.label(i18n.locale())>
                            <div class="list-body" data-testid="record-list-preview" style:height=height>
                                {rows.into_iter().enumerate().map(|(at, row)| list_row(at, row, base, waiting, marks, i18n)).collect_view()}
                            </div>
                        </div>
                    </div>
                }
                .into_any()
            }
            Loaded::Ready(Rows::Some) => {
                let grid = grid.clone();
                let base = StoredValue::new(base.clone());
                view! {
                    <Show
                        when=move || matching.with(|m| !m.is_empty())
                        fallback=move || view! {
                            <div class="card empty-state">
                                <p>{move || i18n.t(Key::ListNoMatch)}</p>
                                <button type="button" class="button" on:click=move |_| {
                                    search.set(String::new());
                                    filters.set(vec![FilterValue::default(); spec.filters.len()]);
                                }>{move || i18n.t(Key::ListClearFilters)}</button>
                            </div>
                        }
                    >
                        <div class="card list-table" role="table" aria-label=move || collection.label(i18n.locale()) style:--list-columns=grid.clone()>
                            {list_head()}
                            <div class="list-scroller" node_ref=scroller on:scroll=on_scroll role="rowgroup" tabindex="0"
                                aria-label=move || collection.label(i18n.locale())>
                                <div class="list-body" data-testid="record-list"
                                    style:height=move || format!("{}px", matching.with(Vec::len) as f64 * ROW_HEIGHT)>
                                    // Keyed by what a row shows too: a row whose record changed, or whose
                                    // references' names arrived after it was drawn, is drawn again.
                                    <For each=shown key=|(at, row)| (*at, row.id.clone(), row.title.clone(), row.cells.clone()) let:item>
                                        {list_row(item.0, item.1, base, waiting, marks, i18n)}
                                    </For>
                                </div>
                            </div>
                        </div>
                    </Show>
                }
                .into_any()
            }
        }
        }
    };

    view! {
        <section class="page record-list-page" data-testid=format!("{}-list", spec.slug)
            aria-busy=move || (built.with(|b| matches!(b, Loaded::Loading)) || waiting_first_sync()).to_string()>
            <header class="page-header">
                <h1 class="page-title">{move || collection.label(i18n.locale())}</h1>
                <div class="page-actions">
                    <button type="button" class="button" on:click=move |_| export(TableFile::Csv) data-testid="list-export"
                        disabled=move || matching.with(Vec::is_empty)>
                        {move || i18n.t(Key::ListExport)}
                    </button>
                    <button type="button" class="button" on:click=move |_| export(TableFile::Xlsx) data-testid="list-export-xlsx"
                        disabled=move || matching.with(Vec::is_empty)>
                        {move || i18n.t(Key::ListExportXlsx)}
                    </button>
                    {move || may_create.get().then(|| view! {
                        <A href=new_href.clone() attr:class="button button-primary" attr:data-testid="list-new">{move || i18n.t(Key::ListNew)}</A>
                    })}
                </div>
            </header>
            {move || deleted().map(|name| view! {
                <p class="notice notice-ok" role="status" data-testid="record-deleted">
                    {move || i18n.format(Key::RecordDeleted, &[("name", &name)])}
                </p>
            })}
            <div class="card list-toolbar" role="search" class:filters-open=move || filters_open.get()>
                <div class="field field-search">
                    <label for="list-search">{move || i18n.t(Key::ListSearch)}</label>
                    <input id="list-search" type="search" autocomplete="off"
                        prop:value=move || search.get()
                        on:input=move |ev| { search.set(event_target_value(&ev)); to_top(); } />
                </div>
                // On a phone the filters fold away behind this, so the rows are on the first screen.
                <button type="button" class="button filters-toggle"
                    aria-expanded=move || filters_open.get().to_string()
                    on:click=move |_| filters_open.update(|o| *o = !*o)>
                    {move || {
                        let active = filters.with(|f| f.iter().filter(|v| !v.is_empty()).count());
                        if active == 0 {
                            i18n.t(Key::ListFilters).to_owned()
                        } else {
                            i18n.format(Key::ListFiltersActive, &[("count", &active.to_string())])
                        }
                    }}
                </button>
                // Phones have no column headers; the order is chosen here instead.
                <div class="field list-filter list-sort-select">
                    <label for="list-sort">{move || i18n.t(Key::ListSort)}</label>
                    <select id="list-sort" on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some((field, way)) = chosen.split_once(':') {
                            if let Some(&field) = std::iter::once(&spec.title[0]).chain(spec.columns).find(|f| **f == field) {
                                sort.set((field, way == "desc"));
                                to_top();
                            }
                        }
                    }>
                        {std::iter::once(spec.title[0]).chain(spec.columns.iter().copied()).flat_map(|field| {
                            [false, true].map(|descending| {
                                let value = format!("{field}:{}", if descending { "desc" } else { "asc" });
                                let text = move || {
                                    let label = if field == spec.title[0] {
                                        title_label(collection, i18n)
                                    } else {
                                        label_of(collection, field, i18n)
                                    };
                                    let key = if descending { Key::ListSortDescending } else { Key::ListSortAscending };
                                    i18n.format(key, &[("field", &label)])
                                };
                                view! { <option value=value prop:selected=move || sort.get() == (field, descending)>{text}</option> }
                            })
                        }).collect_view()}
                    </select>
                </div>
                {spec.filters.iter().enumerate().map(|(i, name)| {
                    filter_control(collection, name, i, filters, references, i18n, to_top)
                }).collect_view()}
            </div>
            <p class="list-count" role="status" data-testid="list-count">{count}</p>
            {body}
        </section>
    }
}

/// A collection's rows and the names they show, built once per change of the data, the names or
/// the language and kept for the session, so coming back to a list only draws it; every keystroke
/// filters these.
/// Also the rows saved at the end of the last session, while they are still current and the whole
/// list is not read yet (`FirstRows`); each new build saves them again.
#[allow(clippy::type_complexity)]
fn use_list_rows(
    data: Data,
    collection: Collection,
) -> (
    Memo<Loaded<Built>>,
    Memo<Vec<Vec<(String, String)>>>,
    ReadSignal<Option<Arc<(usize, Vec<Row>)>>>,
) {
    let key = format!("list:{}", collection.as_str());
    data.model(&key, || {
        let i18n = use_i18n();
        let spec = views::spec(collection);
        let records = watch_collection(data, collection);
        let referenced: Vec<Collection> = spec
            .columns
            .iter()
            .chain(spec.filters)
            .chain(spec.title)
            .filter(|f| {
                !matches!(
                    collection.field(f).map(|d| d.kind),
                    Some(FieldKind::RefList(_))
                )
            })
            .flat_map(|f| yingxiao_core::domain::named_by(collection, f))
            .collect();
        // A small read beside the whole one: both only read, so the browser runs them together.
        let preview = RwSignal::new(None::<Arc<(usize, Vec<Row>)>>);
        let asked = StoredValue::new(false);
        Effect::new(move |_| {
            // Again once the device's database is open (it may not be yet at the first page).
            data.revision.track();
            if asked.get_value() || records.with_untracked(|r| matches!(r, Some(Ok(_)))) {
                return;
            }
            let name = FirstRows::name(collection, i18n.locale_untracked());
            spawn_local(async move {
                let Ok(saved) = data.saved::<FirstRows>(&name).await else {
                    return;
                };
                asked.set_value(true);
                if let Some(first) = saved {
                    if records.with_untracked(|r| r.is_none() || matches!(r, Some(Err(_)))) {
                        preview.set(Some(Arc::new((first.total, first.rows()))));
                    }
                }
            });
        });
        let names = use_titles(data, referenced.clone());
        let built = Memo::new(move |_| {
            // Followed: a change of language rebuilds the rows (titles, choice labels, order).
            i18n.locale();
            let read = records.with(|read| {
                read.as_ref().map(|r| {
                    r.as_ref().map_err(Clone::clone).map(|records| {
                        names.with(|names| {
                            Built(Arc::new(list_rows(collection, records, names, i18n)))
                        })
                    })
                })
            });
            Loaded::from_read(read, || data.status.get())
        });
        // The whole list is here: the saved rows have done their work.
        Effect::new(move |_| {
            if built.with(|b| matches!(b, Loaded::Ready(_))) {
                preview.set(None);
            }
        });
        // Each build of the rows, and each change of the collections whose names they show, saves
        // the first rows for the next cold start, with the numbers of the writes they hold.
        let sources: Vec<Collection> = std::iter::once(collection).chain(referenced).collect();
        let watched: Vec<_> = sources.iter().map(|c| data.watch(*c)).collect();
        Effect::new(move |_| {
            for source in &watched {
                source.track();
            }
            let Loaded::Ready(Built(list)) = built.get() else {
                return;
            };
            let made_from: Option<Vec<(Collection, u64)>> = sources
                .iter()
                .map(|c| data.followed(*c).map(|number| (*c, number)))
                .collect();
            let Some(made_from) = made_from else {
                return;
            };
            let saved = Saved {
                made_from,
                value: FirstRows::of(collection, &list),
            };
            let name = FirstRows::name(collection, i18n.locale_untracked());
            // Refused (a newer write came first) or failed: the next build saves again.
            spawn_local(async move {
                let _ = data.save(&name, &saved).await;
            });
        });
        // Each filter's choices when it names records: those the rows refer to, by name, in the
        // language's order (one list per filter of the spec; empty for the other kinds).
        let references = Memo::new(move |_| {
            let locale = i18n.locale();
            let Loaded::Ready(Built(list)) = built.get() else {
                return vec![Vec::new(); spec.filters.len()];
            };
            spec.filters
                .iter()
                .map(|&name| {
                    if !matches!(spec.filter_kind(name), Some(FilterKind::Reference(_))) {
                        return Vec::new();
                    }
                    let mut seen = HashSet::new();
                    let mut options: Vec<(String, String)> = names.with(|names| {
                        (0..list.len() as u32)
                            .filter_map(|p| {
                                list.row(p).fields.get(name)?.as_str().map(str::to_owned)
                            })
                            .filter(|id| seen.insert(id.clone()))
                            .map(|id| {
                                let title = names
                                    .get(&id)
                                    .cloned()
                                    .unwrap_or_else(|| i18n.t(Key::RecordUnknownRef).to_owned());
                                (id, title)
                            })
                            .collect()
                    });
                    let places = collation::ranks(options.iter().map(|(_, t)| t.as_str()), locale);
                    let ranks: Vec<u32> = options.iter().map(|(_, t)| places[t.as_str()]).collect();
                    let mut order: Vec<usize> = (0..options.len()).collect();
                    order.sort_by_key(|&i| ranks[i]);
                    order
                        .into_iter()
                        .map(|i| std::mem::take(&mut options[i]))
                        .collect()
                })
                .collect::<Vec<_>>()
        });
        (built, references, preview.read_only())
    })
}

/// What the title column is called: its fields' labels, joined as the title joins their values.
fn title_label(collection: Collection, i18n: I18n) -> String {
    views::spec(collection)
        .title
        .iter()
        .map(|f| label_of(collection, f, i18n))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn label_of(collection: Collection, field: &str, i18n: I18n) -> String {
    collection
        .field(field)
        .map(|d| d.label(i18n.locale()).to_owned())
        .unwrap_or_default()
}

/// One drawn row, placed at its position in the whole list.
fn list_row(
    at: usize,
    row: Row,
    base: StoredValue<String>,
    waiting: Memo<HashSet<String>>,
    marks: Option<(Memo<HashSet<String>>, Key)>,
    i18n: I18n,
) -> impl IntoView {
    let mount = use_mount();
    let href = mount.href(&format!("{}/{}", base.get_value(), row.id));
    let id = row.id.clone();
    let mark_id = row.id.clone();
    view! {
        <div class="list-row" role="row" style:top=format!("{}px", at as f64 * ROW_HEIGHT)>
            <span class="list-cell list-title" role="rowheader">
                // The link covers the whole row (style sheet), so a tap anywhere opens the record.
                <A href=href attr:class="list-link">{row.title}</A>
                {move || waiting.with(|w| w.contains(&id)).then(|| view! {
                    <span class="chip chip-waiting" data-testid="waiting" title=move || i18n.t(Key::RecordWaitingTitle)>
                        {move || i18n.t(Key::RecordWaiting)}
                    </span>
                })}
                {marks.and_then(|(ids, key)| ids.with(|m| m.contains(&mark_id)).then(|| view! {
                    <span class="chip chip-stalled" data-testid="marked">{move || i18n.t(key)}</span>
                }))}
            </span>
            {row.cells.into_iter().map(|cell| view! { <span class="list-cell" role="cell">{cell}</span> }).collect_view()}
        </div>
    }
}

/// The control of one filter, by the kind of its field.
#[allow(clippy::too_many_arguments)]
fn filter_control(
    collection: Collection,
    name: &'static str,
    index: usize,
    filters: RwSignal<Vec<FilterValue>>,
    references: Memo<Vec<Vec<(String, String)>>>,
    i18n: I18n,
    to_top: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let spec = views::spec(collection);
    let def = collection
        .field(name)
        .expect("a filter is a field (tested in core)");
    let id = format!("list-filter-{name}");
    let label = move || def.label(i18n.locale());
    let set = move |update: &dyn Fn(&mut FilterValue)| {
        filters.update(|f| update(&mut f[index]));
        to_top();
    };
    match spec.filter_kind(name) {
        Some(FilterKind::DateRange) => view! {
            <fieldset class="field field-range list-filter">
                <legend>{label}</legend>
                <input type="date" id=id.clone() aria-label=move || i18n.format(Key::ListFilterFrom, &[("field", def.label(i18n.locale()))])
                    prop:value=move || filters.with(|f| f[index].from.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); set(&|f| f.from = v.clone()); } />
                <input type="date" aria-label=move || i18n.format(Key::ListFilterTo, &[("field", def.label(i18n.locale()))])
                    prop:value=move || filters.with(|f| f[index].to.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); set(&|f| f.to = v.clone()); } />
            </fieldset>
        }
        .into_any(),
        kind => {
            // Choices: the field's own; yes/no; or the records the listed rows refer to, by name.
            let options = move || -> Vec<(String, String)> {
                let locale = i18n.locale();
                match kind {
                    Some(FilterKind::Choice) => def
                        .choices()
                        .unwrap_or_default()
                        .iter()
                        .map(|c| (c.value.to_owned(), c.label(locale).to_owned()))
                        .collect(),
                    Some(FilterKind::YesNo) => vec![
                        ("true".into(), i18n.t(Key::RecordYes).to_owned()),
                        ("false".into(), i18n.t(Key::RecordNo).to_owned()),
                    ],
                    _ => references.with(|all| all.get(index).cloned().unwrap_or_default()),
                }
            };
            view! {
                <div class="field list-filter">
                    <label for=id.clone()>{label}</label>
                    <select id=id on:change=move |ev| { let v = event_target_value(&ev); set(&|f| f.equals = v.clone()); }>
                        <option value="" prop:selected=move || filters.with(|f| f[index].equals.is_empty())>{move || i18n.t(Key::ListFilterAll)}</option>
                        {move || options().into_iter().map(|(value, text)| {
                            let selected = filters.with_untracked(|f| f[index].equals == value);
                            view! { <option value=value selected=selected>{text}</option> }
                        }).collect_view()}
                    </select>
                </div>
            }
            .into_any()
        }
    }
}
