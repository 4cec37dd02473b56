//! 导入数据 (`/import`): an administrator or HQ brings a company's spreadsheets in. Drop a CSV or
//! .xlsx file, pick what it holds, check the mapping the import suggests (headers in Chinese or
//! English, and what the company chose last time), see the first rows as they will be stored and
//! every problem by line, then apply: the rows go into the device's outbox in batches and reach the
//! server by the one sync path, which resumes after a dropped connection. Importing the same file
//! again updates what changed and creates nothing twice.
//!
//! The reading and checking run in a worker (`data::import`); this page only draws.

use std::{collections::HashMap, rc::Rc};

use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};
use wasm_bindgen_futures::JsFuture;
use yingxiao_core::{
    domain::{Collection, IMPORT_MAPPINGS_FIELD},
    import::{
        describe, remember, remembered, ColumnMap, Delimiter, Encoding, FieldDescription,
        ImportKind, Source,
    },
    locale::Locale,
    permission::Action,
    sync::protocol::{Intent, SetFieldsArgs},
    time::format_instant,
};

use crate::{
    components::record::display_value,
    data::{
        import::{Analysis, ImportWorker, Reply, Request, Settings},
        records::{names_by_id, watch_collection},
        sync::use_data,
    },
    download::save_file,
    i18n::{use_i18n, I18n, Key},
    permissions::use_access,
};

/// Where the import stands.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// The worker is loading.
    Starting,
    /// Waiting for a file, or showing the last check.
    Idle,
    Checking,
    /// Writing into the outbox: `done` of `total`.
    Writing {
        done: usize,
        total: usize,
    },
    Failed(String),
}

/// An import written to the device: its counts and its mutations `first..=last` in the outbox.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Applied {
    total: usize,
    created: usize,
    updated: usize,
    first: u64,
    last: u64,
    /// The worker's time writing them (ms), for the benchmark.
    write_ms: f64,
}

/// The kinds this user may import: those whose records the role may create.
fn kinds_for(access: &crate::permissions::Access) -> Vec<ImportKind> {
    if !access
        .viewer()
        .is_some_and(|v| yingxiao_core::import::may_import(v.role))
    {
        return Vec::new();
    }
    ImportKind::ALL
        .into_iter()
        .filter(|k| access.can(k.collection(), Action::Create, None))
        .collect()
}

fn delimiter_key(delimiter: Delimiter) -> Key {
    match delimiter {
        Delimiter::Auto => Key::ImportAuto,
        Delimiter::Comma => Key::ImportComma,
        Delimiter::Tab => Key::ImportTab,
        Delimiter::Semicolon => Key::ImportSemicolon,
        Delimiter::Pipe => Key::ImportPipe,
    }
}

fn encoding_label(encoding: Encoding, i18n: I18n) -> String {
    match encoding {
        Encoding::Auto => i18n.t(Key::ImportAuto).to_owned(),
        Encoding::Gb18030 => "GBK / GB18030".to_owned(),
        other => other.name().to_owned(),
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let kinds = Memo::new(move |_| kinds_for(&access));
    let kind = RwSignal::new(None::<ImportKind>);
    Effect::new(move |_| {
        if kind.get_untracked().is_none() {
            let first = kinds.with(|k| {
                k.iter()
                    .copied()
                    .find(|k| *k == ImportKind::Customers)
                    .or(k.first().copied())
            });
            kind.set(first);
        }
    });
    let file = StoredValue::new_local(None::<Rc<Vec<u8>>>);
    let file_name = RwSignal::new(None::<String>);
    let columns = RwSignal::new(Vec::<(String, String)>::new());
    let defaults = RwSignal::new(Vec::<(String, String)>::new());
    let sheet = RwSignal::new(None::<String>);
    let delimiter = RwSignal::new(Delimiter::Auto);
    let encoding = RwSignal::new(Encoding::Auto);
    let analysis = RwSignal::new(None::<Analysis>);
    let phase = RwSignal::new(Phase::Starting);
    // The last import applied.
    let applied = RwSignal::new(None::<Applied>);
    let only_valid = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    // The remembered choices were merged for this file (once per file and kind).
    let merged = RwSignal::new(false);
    let worker = StoredValue::new_local(None::<ImportWorker>);
    let worker_ready = RwSignal::new(false);
    // The latest check asked for: replies to earlier ones are dropped.
    let seq = StoredValue::new(0u64);
    let company = Memo::new(move |_| access.company());
    // `?bench` on the address: the benchmark (`scripts/bench-import-browser.sh`) reads the worker's
    // timings from the summary, with a plain reader's beside them.
    let bench = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.contains("bench"));

    let check = move || {
        if !worker_ready.get_untracked() {
            return;
        }
        let Some(bytes) = file.get_value() else {
            return;
        };
        let Some(user_id) = access.viewer().map(|v| v.user_id) else {
            return;
        };
        seq.update_value(|n| *n += 1);
        let settings = Settings {
            seq: seq.get_value(),
            user_id,
            kind: kind.get_untracked(),
            columns: columns.get_untracked(),
            defaults: defaults.get_untracked(),
            sheet: sheet.get_untracked(),
            delimiter: delimiter.get_untracked(),
            encoding: encoding.get_untracked(),
            now: format_instant(js_sys::Date::now() as u64),
            locale: i18n.locale_untracked(),
            bench,
        };
        phase.set(Phase::Checking);
        worker.with_value(|w| {
            if let Some(w) = w {
                w.send(&Request::Analyse(settings), Some(&bytes));
            }
        });
    };

    let on_reply = move |reply: Reply| match reply {
        Reply::Ready => {
            worker_ready.set(true);
            phase.set(Phase::Idle);
            check();
        }
        Reply::Analysed(found) if found.seq != seq.get_value() => {}
        Reply::Analysed(found) => {
            // The company's remembered choices for this file's headers, once, then check again.
            if !merged.get_untracked() && !found.headers.is_empty() {
                merged.set(true);
                if let (Some((_, fields)), Some(k)) =
                    (company.get_untracked(), kind.get_untracked())
                {
                    let known = remembered(&fields, k, &found.headers);
                    if !known.entries().is_empty() {
                        columns.set(known.entries().to_vec());
                        check();
                        return;
                    }
                }
            }
            analysis.set(Some(*found));
            phase.set(Phase::Idle);
        }
        Reply::Written { done, total } => {
            phase.set(Phase::Writing { done, total });
        }
        Reply::Applied {
            total,
            first,
            last,
            write_ms,
        } => {
            let (created, updated) = analysis
                .get_untracked()
                .map(|a| (a.created, a.updated))
                .unwrap_or_default();
            spawn_local(async move {
                // The counts first, so the progress never says "sent" before the changes are pending.
                data.changed_elsewhere().await;
                applied.set(Some(Applied {
                    total,
                    created,
                    updated,
                    first,
                    last,
                    write_ms,
                }));
                phase.set(Phase::Idle);
                // Checked again against what is now on the device: the same file has nothing left
                // to create.
                check();
            });
        }
        Reply::Failed { message } => phase.set(Phase::Failed(message)),
    };
    match ImportWorker::start(on_reply) {
        Ok(started) => worker.set_value(Some(started)),
        Err(message) => phase.set(Phase::Failed(message)),
    }

    let take_file = move |picked: web_sys::File| {
        let name = picked.name();
        spawn_local(async move {
            let Ok(buffer) = JsFuture::from(picked.array_buffer()).await else {
                phase.set(Phase::Failed(i18n.t(Key::ImportUnreadable).to_owned()));
                return;
            };
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            file.set_value(Some(Rc::new(bytes)));
            file_name.set(Some(name));
            columns.set(Vec::new());
            defaults.set(Vec::new());
            sheet.set(None);
            merged.set(false);
            analysis.set(None);
            only_valid.set(false);
            check();
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(picked) = input.files().and_then(|f| f.get(0)) {
            take_file(picked);
        }
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(picked) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            take_file(picked);
        }
    };

    let set_column = move |header: String, field: String| {
        columns.update(|all| {
            all.retain(|(h, _)| *h != header);
            all.push((header, field));
        });
        check();
    };
    let set_default = move |field: String, value: String| {
        defaults.update(|all| {
            all.retain(|(f, _)| *f != field);
            all.push((field, value));
        });
        check();
    };

    let apply = move || {
        let Some(found) = analysis.get_untracked() else {
            return;
        };
        applied.set(None);
        // The person's choices are remembered for the company's next file of this kind.
        if let (Some((id, fields)), Some(k)) = (company.get_untracked(), kind.get_untracked()) {
            let chosen = columns
                .get_untracked()
                .into_iter()
                .filter(|(h, _)| found.headers.contains(h))
                .fold(ColumnMap::new(), |map, (h, f)| map.with(h, f));
            if !chosen.entries().is_empty()
                && access.can_on_company(Action::Field(IMPORT_MAPPINGS_FIELD))
            {
                let mut patch = Map::new();
                patch.insert(IMPORT_MAPPINGS_FIELD.into(), remember(&fields, k, &chosen));
                let intent = Intent::SetFields(SetFieldsArgs {
                    collection: Collection::OrgUnit,
                    id,
                    fields: patch,
                });
                spawn_local(async move {
                    let _ = data.mutate(intent).await;
                });
            }
        }
        phase.set(Phase::Writing {
            done: 0,
            total: found.created + found.updated,
        });
        worker.with_value(|w| {
            if let Some(w) = w {
                w.send(&Request::Apply { seq: found.seq }, None);
            }
        });
    };

    let busy = move || {
        matches!(
            phase.get(),
            Phase::Starting | Phase::Checking | Phase::Writing { .. }
        )
    };
    let kind_options = move || {
        let locale = i18n.locale();
        kinds
            .get()
            .into_iter()
            .map(|k| {
                view! {
                    <option value=k.as_str() selected=move || kind.get() == Some(k)>
                        {k.collection().label(locale)}
                    </option>
                }
            })
            .collect_view()
    };

    view! {
        <section class="page import-page" data-testid="import-page">
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::ImportTitle)}</h1>
            </header>
            <p class="hint">{move || i18n.t(Key::ImportIntro)}</p>
            <Show
                when=move || !kinds.get().is_empty()
                fallback=move || view! { <p class="notice" role="status" data-testid="not-allowed">{move || i18n.t(Key::ImportNotAllowed)}</p> }
            >
                <div class="card import-source">
                    <label class="field">
                        <span>{move || i18n.t(Key::ImportKind)}</span>
                        <select
                            name="kind"
                            data-testid="import-kind"
                            prop:disabled=busy
                            on:change=move |ev| {
                                kind.set(ImportKind::parse(&event_target_value(&ev)));
                                columns.set(Vec::new());
                                defaults.set(Vec::new());
                                merged.set(false);
                                analysis.set(None);
                                check();
                            }
                        >
                            {kind_options}
                        </select>
                    </label>
                    <label
                        class="drop-zone"
                        class:dragging=move || dragging.get()
                        data-testid="import-drop"
                        on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=on_drop
                    >
                        <input
                            type="file"
                            name="file"
                            accept=".csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            data-testid="import-file"
                            prop:disabled=busy
                            on:change=on_pick
                        />
                        <span class="drop-zone-text">
                            {move || match file_name.get() {
                                Some(name) => i18n.format(Key::ImportChosen, &[("name", &name)]),
                                None => i18n.t(Key::ImportDrop).to_owned(),
                            }}
                        </span>
                    </label>
                    <ReadChoices analysis sheet delimiter encoding busy=Signal::derive(busy) on_change=Callback::new(move |()| check()) />
                </div>
                <PhaseLine phase applied />
                {move || analysis.get().map(|found| {
                    let k = kind.get()?;
                    Some(view! {
                        <Mapping kind=k found=found.clone() columns defaults set_column set_default busy=Signal::derive(busy) />
                        <Checked kind=k found only_valid />
                    })
                })}
                <ApplyBar analysis only_valid busy=Signal::derive(busy) on_apply=Callback::new(move |()| apply()) />
            </Show>
        </section>
    }
}

/// The sheet, delimiter and encoding: how the file was read, and the way to read it otherwise.
#[component]
fn ReadChoices(
    analysis: RwSignal<Option<Analysis>>,
    sheet: RwSignal<Option<String>>,
    delimiter: RwSignal<Delimiter>,
    encoding: RwSignal<Encoding>,
    busy: Signal<bool>,
    on_change: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let read_as = move || analysis.with(|a| a.as_ref().and_then(|a| a.read_as.clone()));
    move || {
        match read_as() {
        None => ().into_any(),
        Some(Source::Xlsx { sheet: read, sheets }) => view! {
            <label class="field">
                <span>{move || i18n.t(Key::ImportSheet)}</span>
                <select
                    name="sheet"
                    data-testid="import-sheet"
                    prop:disabled=busy
                    on:change=move |ev| { sheet.set(Some(event_target_value(&ev))); on_change.run(()); }
                >
                    {sheets.into_iter().map(|name| {
                        let selected = name == read;
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        Some(Source::Csv { encoding: read_encoding, delimiter: read_delimiter }) => view! {
            <p class="hint" data-testid="import-read-as">
                {move || i18n.format(Key::ImportReadAs, &[
                    ("encoding", &encoding_label(read_encoding, i18n)),
                    ("delimiter", i18n.t(delimiter_key(read_delimiter))),
                ])}
            </p>
            <div class="import-read">
                <label class="field">
                    <span>{move || i18n.t(Key::ImportDelimiter)}</span>
                    <select
                        name="delimiter"
                        prop:disabled=busy
                        on:change=move |ev| {
                            delimiter.set(Delimiter::parse(&event_target_value(&ev)).unwrap_or_default());
                            on_change.run(());
                        }
                    >
                        {Delimiter::ALL.into_iter().map(|d| view! {
                            <option value=d.word() selected=move || delimiter.get() == d>{move || i18n.t(delimiter_key(d))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(Key::ImportEncoding)}</span>
                    <select
                        name="encoding"
                        prop:disabled=busy
                        on:change=move |ev| {
                            encoding.set(Encoding::parse(&event_target_value(&ev)).unwrap_or_default());
                            on_change.run(());
                        }
                    >
                        {Encoding::ALL.into_iter().map(|e| view! {
                            <option value=e.word() selected=move || encoding.get() == e>{move || encoding_label(e, i18n)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
        }
        .into_any(),
    }
    }
}

/// Checking, writing, written, or why not.
#[component]
fn PhaseLine(phase: RwSignal<Phase>, applied: RwSignal<Option<Applied>>) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let done = move || {
        applied.get().map(|Applied { total, created, updated, first, last, write_ms }| {
        // The import's changes below the oldest still waiting have reached the server.
        let sent = move || match data.oldest_pending.get() {
            Some(oldest) if oldest <= last => (oldest.saturating_sub(first) as usize).min(total),
            _ => total,
        };
        view! {
            <div class="card import-progress" role="status" data-testid="import-done" data-write-ms=write_ms>
                <p>{move || i18n.format(Key::ImportApplied, &[("created", &created.to_string()), ("updated", &updated.to_string())])}</p>
                <progress max=total.max(1) value=sent></progress>
                <span data-testid="import-sync">{move || {
                    if sent() == total {
                        i18n.t(Key::ImportSynced).to_owned()
                    } else {
                        i18n.format(Key::ImportSyncing, &[("sent", &sent().to_string()), ("total", &total.to_string())])
                    }
                }}</span>
            </div>
        }
    })
    };
    let now = move || {
        match phase.get() {
        Phase::Starting => view! { <p class="notice" role="status">{i18n.t(Key::ImportStarting)}</p> }.into_any(),
        Phase::Checking => view! { <p class="notice" role="status" data-testid="import-checking">{i18n.t(Key::ImportChecking)}</p> }.into_any(),
        Phase::Idle => ().into_any(),
        Phase::Writing { done, total } => view! {
            <div class="card import-progress" role="status" data-testid="import-progress">
                <progress max=total.max(1) value=done></progress>
                <span>{i18n.format(Key::ImportWriting, &[("done", &done.to_string()), ("total", &total.to_string())])}</span>
            </div>
        }
        .into_any(),
        Phase::Failed(message) => view! {
            <p class="form-error" role="alert" data-testid="import-failed">{i18n.format(Key::ImportFailed, &[("error", &message)])}</p>
        }
        .into_any(),
    }
    };
    view! { {done} {now} }
}

/// The mapping screen: each header of the file and the field it feeds, and one value for required
/// fields the file has no column for.
#[component]
fn Mapping(
    kind: ImportKind,
    found: Analysis,
    columns: RwSignal<Vec<(String, String)>>,
    defaults: RwSignal<Vec<(String, String)>>,
    set_column: impl Fn(String, String) + Copy + Send + Sync + 'static,
    set_default: impl Fn(String, String) + Copy + Send + Sync + 'static,
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let described = describe(kind);
    let fields = Rc::new(described.fields);
    if found.headers.is_empty() {
        return ().into_any();
    }
    let rows = found
        .headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            let chosen = found.fields.get(index).cloned().flatten().unwrap_or_default();
            let header_for_change = header.clone();
            let options = fields
                .iter()
                .map(|f| {
                    let selected = f.name == chosen;
                    let (name, required, zh, en) = (f.name, f.required, f.label_zh, f.label_en);
                    let label = move || {
                        let mark = if required { " *" } else { "" };
                        let label = if i18n.locale() == Locale::ZhCn { zh } else { en };
                        format!("{label}{mark}")
                    };
                    view! { <option value=name selected=selected>{label}</option> }
                })
                .collect_view();
            let explicit = columns.with_untracked(|c| c.iter().any(|(h, _)| h == header));
            view! {
                <tr>
                    <th scope="row">{header.clone()}</th>
                    <td>
                        <select
                            attr:aria-label=header.clone()
                            data-header=header.clone()
                            data-testid="import-column"
                            prop:disabled=busy
                            on:change=move |ev| set_column(header_for_change.clone(), event_target_value(&ev))
                        >
                            <option value="" selected=chosen.is_empty()>{move || i18n.t(Key::ImportSkipColumn)}</option>
                            {options}
                        </select>
                    </td>
                    <td class="hint">{move || if explicit { i18n.t(Key::ImportChosenByYou) } else if chosen.is_empty() { "" } else { i18n.t(Key::ImportChosenByName) }}</td>
                </tr>
            }
        })
        .collect_view();
    let mapped: Vec<String> = found.fields.iter().flatten().cloned().collect();
    let missing: Vec<(&'static str, &'static str, &'static str)> = fields
        .iter()
        .filter(|f| f.required && !mapped.iter().any(|m| m == f.name))
        .map(|f| (f.name, f.label_zh, f.label_en))
        .collect();
    let given = move |name: &str| {
        defaults.with_untracked(|d| d.iter().find(|(f, _)| f == name).map(|(_, v)| v.clone()))
    };
    let default_inputs = missing
        .into_iter()
        .map(|(name, zh, en)| {
            let value = given(name).unwrap_or_default();
            view! {
                <label class="field">
                    <span>{move || i18n.format(Key::ImportDefaultFor, &[("field", if i18n.locale() == Locale::ZhCn { zh } else { en })])}</span>
                    <input
                        type="text"
                        name=format!("default-{name}")
                        data-testid="import-default"
                        data-field=name
                        value=value
                        prop:disabled=busy
                        on:change=move |ev| set_default(name.to_owned(), event_target_value(&ev))
                    />
                </label>
            }
        })
        .collect_view();
    view! {
        <div class="card import-mapping" data-testid="import-mapping">
            <h2>{move || i18n.t(Key::ImportMappingTitle)}</h2>
            <p class="hint">{move || i18n.t(Key::ImportMappingHint)}</p>
            <div class="table-scroll">
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">{move || i18n.t(Key::ImportColumn)}</th>
                        <th scope="col">{move || i18n.t(Key::ImportField)}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {default_inputs}
        </div>
    }
    .into_any()
}

/// A field's label in the description, or its name.
fn field_label(fields: &[FieldDescription], name: &str, locale: Locale) -> String {
    fields
        .iter()
        .find(|f| f.name == name)
        .map_or_else(|| name.to_owned(), |f| f.label(locale).to_owned())
}

/// What the check found: the counts, the first rows as they will be stored, and every problem.
#[component]
fn Checked(kind: ImportKind, found: Analysis, only_valid: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let collection = kind.collection();
    if let Some(problem) = found.problem.clone() {
        return view! { <p class="form-error" role="alert" data-testid="import-problem">{problem}</p> }.into_any();
    }
    let watched = [
        Collection::OrgUnit,
        Collection::User,
        Collection::Customer,
        Collection::Product,
    ]
    .map(|c| watch_collection(data, c));
    let names = Memo::new(move |_| {
        let mut all: HashMap<String, String> = HashMap::new();
        for w in &watched {
            all.extend(names_by_id(w));
        }
        all
    });
    // The preview's columns: the fields the file fills, in the order of the collection's fields.
    let shown: Vec<&'static str> = collection
        .fields()
        .iter()
        .map(|d| d.name)
        .filter(|name| {
            found
                .preview
                .iter()
                .any(|row| row.fields.contains_key(*name))
        })
        .take(8)
        .collect();
    let head = shown
        .iter()
        .map(|name| {
            let name = *name;
            view! { <th scope="col">{move || collection.field(name).map(|d| d.label(i18n.locale())).unwrap_or(name)}</th> }
        })
        .collect_view();
    let body = found
        .preview
        .iter()
        .map(|row| {
            let fields: Map<String, Value> = row.fields.clone();
            let creates = row.creates;
            let cells = shown
                .iter()
                .map(|name| {
                    let fields = fields.clone();
                    let name = *name;
                    view! { <td>{move || names.with(|n| display_value(collection, name, &fields, n, i18n)).unwrap_or_default()}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <td>{row.line}</td>
                    <td>{move || i18n.t(if creates { Key::ImportNew } else { Key::ImportUpdate })}</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let described = describe(kind).fields;
    let errors = found
        .errors
        .iter()
        .map(|e| {
            let locale = i18n.locale_untracked();
            let field = e
                .field
                .as_deref()
                .map(|f| field_label(&described, f, locale))
                .unwrap_or_default();
            view! {
                <tr>
                    <td>{e.line}</td>
                    <td>{field}</td>
                    <td>{e.value.clone().unwrap_or_default()}</td>
                    <td>{e.message(locale).to_owned()}</td>
                </tr>
            }
        })
        .collect_view();
    let more = found.error_count.saturating_sub(found.errors.len());
    let refused = found.refused.clone();
    let has_errors = found.error_count > 0;
    let summary = found.clone();
    view! {
        <div class="card import-check" data-testid="import-check">
            <h2>{move || i18n.t(Key::ImportCheckTitle)}</h2>
            <p
                data-testid="import-summary"
                data-read-ms=found.read_ms
                data-check-ms=found.check_ms
                data-load-ms=found.load_ms
                data-plain-ms=found.plain_ms.map(|ms| ms.to_string())
            >{move || i18n.format(Key::ImportSummary, &[
                ("rows", &summary.rows_read.to_string()),
                ("created", &summary.created.to_string()),
                ("updated", &summary.updated.to_string()),
                ("unchanged", &summary.unchanged.to_string()),
                ("bad", &summary.bad_rows.to_string()),
            ])}</p>
            {(!found.preview.is_empty()).then(|| view! {
                <h3>{move || i18n.t(Key::ImportPreview)}</h3>
                <div class="table-scroll">
                    <table class="data-table" data-testid="import-preview">
                        <thead><tr>
                            <th scope="col">{move || i18n.t(Key::ImportLine)}</th>
                            <th scope="col">{move || i18n.t(Key::ImportWhat)}</th>
                            {head}
                        </tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            })}
        </div>
        {has_errors.then(|| view! {
            <div class="card import-errors" data-testid="import-errors">
                <h2>{move || i18n.t(Key::ImportErrorsTitle)}</h2>
                <div class="table-scroll">
                    <table class="data-table">
                        <thead><tr>
                            <th scope="col">{move || i18n.t(Key::ImportLine)}</th>
                            <th scope="col">{move || i18n.t(Key::ImportField)}</th>
                            <th scope="col">{move || i18n.t(Key::ImportValue)}</th>
                            <th scope="col">{move || i18n.t(Key::ImportReason)}</th>
                        </tr></thead>
                        <tbody>{errors}</tbody>
                    </table>
                </div>
                {(more > 0).then(|| view! {
                    <p class="hint">{move || i18n.format(Key::ImportMoreErrors, &[("count", &more.to_string())])}</p>
                })}
                {refused.map(|bytes| {
                    let bytes = Rc::new(bytes);
                    view! {
                        <button type="button" class="button" data-testid="import-refused"
                            on:click=move |_| { let _ = save_file(i18n.t(Key::ImportRefusedFile), "text/csv;charset=utf-8", &bytes); }>
                            {move || i18n.t(Key::ImportDownloadRefused)}
                        </button>
                    }
                })}
                <label class="choice">
                    <input type="checkbox" data-testid="import-only-valid"
                        prop:checked=move || only_valid.get()
                        on:change=move |ev| only_valid.set(event_target_checked(&ev)) />
                    <span>{move || i18n.t(Key::ImportOnlyValid)}</span>
                </label>
            </div>
        })}
    }
    .into_any()
}

/// The apply button, with what it will do.
#[component]
fn ApplyBar(
    analysis: RwSignal<Option<Analysis>>,
    only_valid: RwSignal<bool>,
    busy: Signal<bool>,
    on_apply: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let changes = move || {
        analysis.with(|a| {
            a.as_ref()
                .filter(|a| a.problem.is_none())
                .map(|a| (a.created + a.updated, a.bad_rows))
        })
    };
    let allowed = move || match changes() {
        Some((n, bad)) => n > 0 && (bad == 0 || only_valid.get()) && !busy.get(),
        None => false,
    };
    view! {
        <Show when=move || changes().is_some()>
            <div class="form-actions import-apply">
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="import-apply"
                    prop:disabled=move || !allowed()
                    on:click=move |_| on_apply.run(())
                >
                    {move || {
                        let n = changes().map(|(n, _)| n).unwrap_or_default();
                        i18n.format(Key::ImportApply, &[("count", &n.to_string())])
                    }}
                </button>
                {move || match changes() {
                    Some((0, _)) => Some(i18n.t(Key::ImportNothing)),
                    Some((_, bad)) if bad > 0 && !only_valid.get() => Some(i18n.t(Key::ImportFixFirst)),
                    _ => None,
                }.map(|text| view! { <span class="hint" data-testid="import-apply-hint">{text}</span> })}
            </div>
        </Show>
    }
}
