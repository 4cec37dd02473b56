//! The browser's import (导入) off the main thread: a dedicated worker runs the app's own wasm,
//! reads the file and checks it against the device's records with core's import, and writes the
//! valid rows into the device's outbox in batches; the page only draws what it reports. A large
//! file (100,000 rows) never freezes the page, and what reaches the outbox is sent by the one sync
//! path like any other change: in rounds, resumed after a dropped connection, never lost.
//!
//! `public/import-worker.js` loads the app's module in the worker; its `main` sees no window and
//! calls `serve` instead of drawing the app.

use std::{cell::RefCell, rc::Rc};

use js_sys::{Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use yingxiao_core::{
    import::{
        column_fields, import_table, read_plain, read_table, ColumnMap, Defaults, Delimiter,
        Encoding, ImportKind, ImportOptions, ImportReport, ReadOptions, RecordIndex, RowError,
        Source, Table,
    },
    locale::Locale,
    sync::protocol::Intent,
};

use super::store::{DataError, Store};

/// Intents written to the outbox per transaction: big enough to be quick, small enough that the
/// page shows progress and a closed tab loses at most one unwritten batch (the file is still there).
const BATCH: usize = 500;

/// Rows of the preview: the first valid rows as they will be stored.
const PREVIEW_ROWS: usize = 10;

/// Row problems sent to the page; the rest are counted (and all are in the refused-rows file).
const SHOWN_ERRORS: usize = 200;

/// What the page asks the worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Read the file (sent beside the message) and check it; the worker keeps what the check makes.
    Analyse(Settings),
    /// Write the valid rows of the check `seq` into the outbox (refused if a later check replaced it).
    Apply { seq: u64 },
}

/// How to read and map a file: the choices of the mapping screen.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Which check this is: the page takes only the reply of its latest, and applies only that.
    pub seq: u64,
    pub user_id: String,
    pub kind: Option<ImportKind>,
    /// Header → field (empty: not imported), the person's and the remembered choices.
    pub columns: Vec<(String, String)>,
    /// Field → one value for every row that has none.
    pub defaults: Vec<(String, String)>,
    pub sheet: Option<String>,
    pub delimiter: Delimiter,
    pub encoding: Encoding,
    /// When the import happens (RFC 3339).
    pub now: String,
    pub locale: Locale,
    /// Also time a plain reader over the same bytes (`read_plain`), for the benchmark.
    pub bench: bool,
}

/// What the worker tells the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The worker has loaded and takes requests.
    Ready,
    Analysed(Box<Analysis>),
    /// `done` of `total` intents are in the outbox.
    Written {
        done: usize,
        total: usize,
    },
    /// Every intent is in the outbox, as the mutations `first..=last`, in `write_ms`.
    Applied {
        total: usize,
        first: u64,
        last: u64,
        write_ms: f64,
    },
    /// Something other than the file went wrong (the device store); in the person's language.
    Failed {
        message: String,
    },
}

/// A checked file, as the mapping screen and the preview show it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The check's `Settings::seq`.
    pub seq: u64,
    pub headers: Vec<String>,
    /// The field each header feeds (`None`: not imported), once the mapping is sound.
    pub fields: Vec<Option<String>>,
    /// How the file was read: the encoding and delimiter, or the sheet (`None`: not read).
    pub read_as: Option<Source>,
    /// Why the file as a whole cannot be imported as mapped (a missing required column, two
    /// columns for one field, not a workbook…), in the person's language.
    pub problem: Option<String>,
    pub rows_read: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows with at least one problem.
    pub bad_rows: usize,
    /// The first problems, in file order.
    pub errors: Vec<RowError>,
    /// All problems.
    pub error_count: usize,
    /// The first valid rows as they will be stored.
    pub preview: Vec<PreviewRow>,
    /// The bad rows as a CSV with their reasons, to fix and import again.
    pub refused: Option<Vec<u8>>,
    /// Time the worker spent reading the file and checking it (ms), for the benchmark.
    pub read_ms: f64,
    /// Time reading the device's records into the index took (ms).
    pub load_ms: f64,
    pub check_ms: f64,
    /// Time a plain reader took over the same bytes (ms), when the benchmark asks.
    pub plain_ms: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: u64,
    /// A new record, or a change to a stored one.
    pub creates: bool,
    pub fields: Map<String, Value>,
}

/// The page's handle on its worker; dropping it stops the worker.
pub struct ImportWorker {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl ImportWorker {
    /// Starts the worker; `on_reply` hears every reply, `Ready` first.
    pub fn start(on_reply: impl Fn(Reply) + 'static) -> Result<Self, String> {
        let (module, wasm) = app_files().ok_or("the app's files are not on the page")?;
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let url = format!(
            "import-worker.js?app={}&wasm={}",
            String::from(js_sys::encode_uri_component(&module)),
            String::from(js_sys::encode_uri_component(&wasm)),
        );
        let worker =
            web_sys::Worker::new_with_options(&url, &options).map_err(|e| format!("{e:?}"))?;
        let on_reply = Rc::new(on_reply);
        let hear = on_reply.clone();
        let on_message = Closure::new(move |event: web_sys::MessageEvent| {
            let reply = event
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<Reply>(&text).ok())
                .unwrap_or_else(|| Reply::Failed {
                    message: "unreadable reply from the import worker".into(),
                });
            hear(reply);
        });
        let on_error = Closure::new(move |event: web_sys::Event| {
            let message = Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "the import worker stopped".into());
            on_reply(Reply::Failed { message });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(ImportWorker {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request, with the file's bytes for `Analyse`.
    pub fn send(&self, request: &Request, file: Option<&[u8]>) {
        let message = Object::new();
        let text = serde_json::to_string(request).expect("requests serialise");
        let _ = Reflect::set(&message, &"request".into(), &text.into());
        if let Some(bytes) = file {
            let _ = Reflect::set(&message, &"file".into(), &Uint8Array::from(bytes).into());
        }
        let _ = self.worker.post_message(&message);
    }
}

impl Drop for ImportWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The URLs of the app's JavaScript module and its wasm, as the page names them.
fn app_files() -> Option<(String, String)> {
    let document = web_sys::window()?.document()?;
    let base = document.base_uri().ok()??;
    let url = |selector: &str, attribute: &str| {
        let href = document
            .query_selector(selector)
            .ok()??
            .get_attribute(attribute)?;
        web_sys::Url::new_with_base(&href, &base)
            .ok()
            .map(|u| u.href())
    };
    // The module's preload, and the loader that downloads the wasm (Trunk.toml).
    Some((
        url("link[rel=modulepreload][href$='.js']", "href")?,
        url("script#yingxiao-loader[data-wasm]", "data-wasm")?,
    ))
}

/// Whether this copy of the app runs in a worker (no window).
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_into::<web_sys::DedicatedWorkerGlobalScope>()
        .is_ok()
}

/// The worker's side: answers the page's requests until the page stops it.
pub fn serve() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let kept: Rc<RefCell<Option<Kept>>> = Rc::new(RefCell::new(None));
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let request = Reflect::get(&data, &"request".into())
                .ok()
                .and_then(|r| r.as_string())
                .and_then(|text| serde_json::from_str::<Request>(&text).ok());
            let file = Reflect::get(&data, &"file".into())
                .ok()
                .and_then(|f| f.dyn_into::<Uint8Array>().ok())
                .map(|f| f.to_vec());
            let kept = kept.clone();
            spawn_local(async move {
                match request {
                    Some(Request::Analyse(settings)) => {
                        let reply =
                            analyse(&settings, file.as_deref().unwrap_or_default(), &kept).await;
                        post(&reply);
                    }
                    Some(Request::Apply { seq }) => apply(&kept, seq).await,
                    None => post(&Reply::Failed {
                        message: "unreadable request".into(),
                    }),
                }
            });
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Reply::Ready);
}

/// What the worker keeps from the last check for `Apply`.
struct Kept {
    seq: u64,
    user_id: String,
    locale: Locale,
    intents: Vec<Intent>,
}

fn post(reply: &Reply) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let text = serde_json::to_string(reply).expect("replies serialise");
    let _ = scope.post_message(&JsValue::from_str(&text));
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

async fn analyse(settings: &Settings, file: &[u8], kept: &RefCell<Option<Kept>>) -> Reply {
    kept.borrow_mut().take();
    let locale = settings.locale;
    let started = now_ms();
    let read = ReadOptions {
        delimiter: settings.delimiter,
        encoding: settings.encoding,
        sheet: settings.sheet.clone(),
    };
    let mut analysis = Analysis {
        seq: settings.seq,
        ..Analysis::default()
    };
    let table = match read_table(file, &read) {
        Ok(table) => table,
        Err(error) => {
            analysis.problem = Some(error.message(locale));
            return Reply::Analysed(Box::new(analysis));
        }
    };
    analysis.read_ms = now_ms() - started;
    if settings.bench {
        let plain = now_ms();
        std::hint::black_box(read_plain(file));
        analysis.plain_ms = Some(now_ms() - plain);
    }
    analysis.headers = table.headers.clone();
    analysis.rows_read = table.rows.len();
    analysis.read_as = Some(table.read_as.clone());
    let Some(kind) = settings.kind else {
        return Reply::Analysed(Box::new(analysis));
    };
    let mut options = ImportOptions::new(kind, settings.now.clone());
    options.columns = settings
        .columns
        .iter()
        .filter(|(header, _)| table.headers.contains(header))
        .fold(ColumnMap::new(), |map, (h, f)| {
            map.with(h.clone(), f.clone())
        });
    options.defaults = settings
        .defaults
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .fold(Defaults::new(), |map, (f, v)| {
            map.with(f.clone(), v.clone())
        });
    options.read = read;
    match column_fields(kind, &table.headers, &options.columns) {
        Ok(fields) => analysis.fields = fields.into_iter().map(|f| f.map(str::to_owned)).collect(),
        Err(error) => {
            analysis.problem = Some(error.message(locale));
            return Reply::Analysed(Box::new(analysis));
        }
    }
    let loading = now_ms();
    let index = match load_index(&settings.user_id, kind).await {
        Ok(index) => index,
        Err(error) => {
            return Reply::Failed {
                message: error.message(locale),
            }
        }
    };
    analysis.load_ms = now_ms() - loading;
    let checked = now_ms();
    let report = match import_table(&table, &options, &index, super::new_record_id) {
        Ok(report) => report,
        Err(error) => {
            analysis.problem = Some(error.message(locale));
            return Reply::Analysed(Box::new(analysis));
        }
    };
    analysis.check_ms = now_ms() - checked;
    fill(&mut analysis, &table, &report, locale);
    *kept.borrow_mut() = Some(Kept {
        seq: settings.seq,
        user_id: settings.user_id.clone(),
        locale,
        intents: report.valid.into_iter().map(|(_, intent)| intent).collect(),
    });
    Reply::Analysed(Box::new(analysis))
}

/// The report's counts, first problems, preview and refused rows.
fn fill(analysis: &mut Analysis, table: &Table, report: &ImportReport, locale: Locale) {
    let bad = report.bad_lines();
    analysis.created = report.created;
    analysis.updated = report.updated;
    analysis.unchanged = report.unchanged;
    analysis.bad_rows = bad.len();
    analysis.error_count = report.errors.len();
    analysis.errors = report.errors.iter().take(SHOWN_ERRORS).cloned().collect();
    let mut preview: Vec<PreviewRow> = Vec::new();
    for (line, intent) in &report.valid {
        let (creates, fields) = match intent {
            Intent::Create(args) => (true, &args.fields),
            Intent::SetFields(args) => (false, &args.fields),
            _ => continue,
        };
        if let Some(row) = preview.iter_mut().find(|r| r.line == *line) {
            row.fields
                .extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
            continue;
        }
        if preview.len() == PREVIEW_ROWS {
            break;
        }
        preview.push(PreviewRow {
            line: *line,
            creates,
            fields: fields.clone(),
        });
    }
    preview.sort_by_key(|row| row.line);
    analysis.preview = preview;
    if !bad.is_empty() {
        analysis.refused = Some(yingxiao_core::import::refused_rows(table, report, locale));
    }
}

/// The records the file is checked against, as this user sees them (pending changes included,
/// so a file imported twice before the first sync creates nothing twice).
async fn load_index(user_id: &str, kind: ImportKind) -> Result<RecordIndex, DataError> {
    let store = Store::open(user_id).await?;
    let mut index = RecordIndex::new();
    for collection in kind.reads() {
        let records = store.view(collection, None).await?;
        for (id, record) in records.iter().filter(|(_, r)| !r.deleted) {
            index.add(collection, id, &record.fields);
        }
    }
    store.close();
    Ok(index)
}

/// Writes the kept intents into the outbox, a batch per transaction, telling the page as it goes.
async fn apply(kept: &RefCell<Option<Kept>>, seq: u64) {
    let taken = kept.borrow_mut().take_if(|k| k.seq == seq);
    let Some(Kept {
        user_id,
        locale,
        intents,
        ..
    }) = taken
    else {
        return post(&Reply::Failed {
            message: "the file was checked again meanwhile; apply the latest check".into(),
        });
    };
    let store = match Store::open(&user_id).await {
        Ok(store) => store,
        Err(error) => {
            return post(&Reply::Failed {
                message: error.message(locale),
            })
        }
    };
    let total = intents.len();
    let started = now_ms();
    let mut done = 0;
    let (mut first, mut last) = (None, 0);
    for batch in intents.chunks(BATCH) {
        match store
            .record_mutations(batch.to_vec(), js_sys::Date::now() as u64)
            .await
        {
            // The page takes the import in as a change of everything (`Data::changed_elsewhere`),
            // reading each collection whole, so the numbers of these writes are not needed.
            Ok((made, _)) => {
                first = first.or(made.first().map(|m| m.id));
                last = made.last().map_or(last, |m| m.id);
            }
            Err(error) => {
                store.close();
                return post(&Reply::Failed {
                    message: error.message(locale),
                });
            }
        }
        done += batch.len();
        post(&Reply::Written { done, total });
    }
    store.close();
    post(&Reply::Applied {
        total,
        first: first.unwrap_or(last),
        last,
        write_ms: now_ms() - started,
    });
}
