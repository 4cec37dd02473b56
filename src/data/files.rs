//! Files taken on this device (photos), kept in IndexedDB by their SHA-256 until the server has
//! them, then sent in chunks that resume where the server stopped (`core::attachment`). A file is
//! sent only once its record has reached the server (no change of it waits), because the server
//! takes a file only through a record that names it. Once the server has a photo of an earlier day,
//! the device keeps only its thumbnail; today's stay whole. Files from the server are read through
//! the record that names them, once per session.

use std::{cell::RefCell, collections::HashMap};

use idb::{Query, TransactionMode};
use js_sys::{Object, Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use yingxiao_core::{attachment::CHUNK_BYTES, domain::Collection};

use super::{
    store::{DataError, Store, FILES},
    sync::Data,
};
use crate::api::{self, ApiError, FileOf};

/// A file taken on this device.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalFile {
    pub hash: String,
    pub content_type: String,
    /// The business day it was taken (`YYYY-MM-DD`).
    pub day: String,
    /// The record that names it.
    pub collection: Collection,
    pub record_id: String,
    /// The whole file, until the server has it and its day is over.
    pub full: Option<Vec<u8>>,
    /// A small JPEG for lists, kept for good.
    pub thumb: Vec<u8>,
    pub uploaded: bool,
    /// Why the server refused it (shown on the photo); it is not sent again.
    pub refused: Option<String>,
}

fn set(row: &Object, key: &str, value: &JsValue) -> Result<(), DataError> {
    Reflect::set(row, &key.into(), value)
        .map(drop)
        .map_err(|e| DataError::Storage(format!("{e:?}")))
}

fn to_row(file: &LocalFile) -> Result<JsValue, DataError> {
    let row = Object::new();
    set(&row, "h", &file.hash.as_str().into())?;
    set(&row, "t", &file.content_type.as_str().into())?;
    set(&row, "d", &file.day.as_str().into())?;
    set(&row, "c", &file.collection.as_str().into())?;
    set(&row, "r", &file.record_id.as_str().into())?;
    if let Some(full) = &file.full {
        set(&row, "f", &Uint8Array::from(full.as_slice()).into())?;
    }
    set(&row, "s", &Uint8Array::from(file.thumb.as_slice()).into())?;
    set(&row, "u", &file.uploaded.into())?;
    if let Some(reason) = &file.refused {
        set(&row, "e", &reason.as_str().into())?;
    }
    Ok(row.into())
}

fn from_row(row: &JsValue) -> Result<LocalFile, DataError> {
    let get = |key: &str| Reflect::get(row, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let text = |key: &str| {
        get(key)
            .as_string()
            .ok_or_else(|| DataError::Corrupt(format!("file without “{key}”")))
    };
    let bytes = |key: &str| get(key).dyn_into::<Uint8Array>().ok().map(|a| a.to_vec());
    Ok(LocalFile {
        hash: text("h")?,
        content_type: text("t")?,
        day: text("d")?,
        collection: Collection::parse(&text("c")?)
            .ok_or_else(|| DataError::Corrupt("file of an unknown collection".into()))?,
        record_id: text("r")?,
        full: bytes("f"),
        thumb: bytes("s").unwrap_or_default(),
        uploaded: get("u").as_bool().unwrap_or(false),
        refused: get("e").as_string(),
    })
}

impl Store {
    /// Keeps a file (a new one, or one with its state changed).
    pub async fn put_file(&self, file: &LocalFile) -> Result<(), DataError> {
        let tx = self.transaction(&[FILES], TransactionMode::ReadWrite)?;
        tx.object_store(FILES)?
            .put(&to_row(file)?, Some(&JsValue::from_str(&file.hash)))?;
        tx.commit()?.await?;
        Ok(())
    }

    pub async fn file(&self, hash: &str) -> Result<Option<LocalFile>, DataError> {
        let tx = self.transaction(&[FILES], TransactionMode::ReadOnly)?;
        let row = tx
            .object_store(FILES)?
            .get(Query::Key(JsValue::from_str(hash)))?
            .await?;
        tx.await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn files(&self) -> Result<Vec<LocalFile>, DataError> {
        let tx = self.transaction(&[FILES], TransactionMode::ReadOnly)?;
        let rows = tx.object_store(FILES)?.get_all(None, None)?.await?;
        tx.await?;
        rows.iter().map(from_row).collect()
    }
}

/// Files still to send: not uploaded and not refused.
pub fn waiting(files: &[LocalFile]) -> usize {
    files
        .iter()
        .filter(|f| !f.uploaded && f.refused.is_none())
        .count()
}

/// What became of one upload.
enum Sent {
    Done,
    Refused(String),
}

/// Sends one file from where the server stopped. A network failure is the caller's `Err`.
async fn send(token: &str, file: &LocalFile) -> Result<Sent, ApiError> {
    let Some(bytes) = &file.full else {
        return Ok(Sent::Refused("the file is no longer on this device".into()));
    };
    let total = bytes.len() as u64;
    let of = FileOf {
        hash: &file.hash,
        collection: file.collection.as_str(),
        record: &file.record_id,
    };
    // A refusal of this file stops it for good; a lost session, a busy or failing server does not.
    let refused = |e: ApiError| match e {
        ApiError::Refused {
            status, message, ..
        } if (400..500).contains(&status) && !matches!(status, 401 | 408 | 429) => {
            Ok(Sent::Refused(message))
        }
        other => Err(other),
    };
    let mut offset = match api::upload_state(token, of).await {
        Ok(state) if state.complete => return Ok(Sent::Done),
        Ok(state) if state.total == Some(total) && state.received <= total => state.received,
        Ok(_) => 0,
        Err(e) => return refused(e),
    };
    // Each round sends a chunk or learns where to go on; a server that keeps answering otherwise
    // cannot hold the device here.
    let rounds = total / CHUNK_BYTES as u64 + 8;
    for _ in 0..rounds {
        let end = (offset + CHUNK_BYTES as u64).min(total);
        let chunk = &bytes[offset as usize..end as usize];
        match api::upload_chunk(token, of, &file.content_type, offset, total, chunk).await {
            Ok(state) if state.complete => return Ok(Sent::Done),
            Ok(state) => offset = state.received.min(total),
            // Another device or an earlier try got further (or less far): ask where to go on.
            Err(ApiError::Refused { status: 409, .. }) => {
                match api::upload_state(token, of).await {
                    Ok(state) if state.complete => return Ok(Sent::Done),
                    Ok(state) => offset = state.received.min(total),
                    Err(e) => return refused(e),
                }
            }
            Err(e) => return refused(e),
        }
    }
    Ok(Sent::Refused("the upload did not finish".into()))
}

/// Sends the files whose records have reached the server; `blocked` says which records still have
/// changes waiting; `progress` hears how many still wait after each file. Files of earlier days keep
/// only their thumbnails once sent. Returns how many files still wait.
pub(super) async fn upload_waiting(
    store: &Store,
    token: &str,
    today: &str,
    blocked: impl Fn(Collection, &str) -> bool,
    progress: impl Fn(usize),
) -> Result<usize, SendError> {
    let files = store.files().await?;
    let mut left = waiting(&files);
    for mut file in files {
        if file.uploaded || file.refused.is_some() {
            if file.uploaded && file.full.is_some() && file.day.as_str() < today {
                file.full = None;
                store.put_file(&file).await?;
            }
            continue;
        }
        if blocked(file.collection, &file.record_id) {
            continue;
        }
        match send(token, &file).await? {
            Sent::Done => {
                file.uploaded = true;
                if file.day.as_str() < today {
                    file.full = None;
                }
            }
            Sent::Refused(reason) => file.refused = Some(reason),
        }
        store.put_file(&file).await?;
        left = left.saturating_sub(1);
        progress(left);
    }
    Ok(left)
}

/// Why an upload round stopped.
pub(super) enum SendError {
    Api(ApiError),
    Data(DataError),
}

impl From<ApiError> for SendError {
    fn from(e: ApiError) -> Self {
        SendError::Api(e)
    }
}

impl From<DataError> for SendError {
    fn from(e: DataError) -> Self {
        SendError::Data(e)
    }
}

thread_local! {
    /// Object URLs of files shown this session, by hash.
    static URLS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

fn object_url(bytes: &[u8], content_type: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

impl Data {
    /// Keeps a photo taken on this device; it is sent once its record has reached the server.
    pub async fn keep_file(self, file: LocalFile) -> Result<(), DataError> {
        let engine = self.engine()?;
        engine.store.put_file(&file).await?;
        let files = engine.store.files().await?;
        self.files_waiting.set(waiting(&files));
        engine.soon();
        Ok(())
    }

    /// The photos of this device by hash: whether each waits, was sent or was refused.
    pub async fn local_file(self, hash: &str) -> Result<Option<LocalFile>, DataError> {
        self.engine()?.store.file(hash).await
    }

    /// An address to show a file at: the device's copy (whole, else its thumbnail), or the server's
    /// read through the record that names it. `None` when neither has it (yet).
    pub async fn file_url(
        self,
        hash: &str,
        collection: Collection,
        record: &str,
    ) -> Option<String> {
        if let Some(url) = URLS.with(|u| u.borrow().get(hash).cloned()) {
            return Some(url);
        }
        let engine = self.engine().ok()?;
        let url = match engine.store.file(hash).await.ok().flatten() {
            Some(file) => match &file.full {
                Some(full) => object_url(full, &file.content_type),
                None => object_url(&file.thumb, "image/jpeg"),
            },
            None => {
                let token = engine.token.borrow().clone();
                let (bytes, content_type) = api::fetch_attachment(
                    &token,
                    FileOf {
                        hash,
                        collection: collection.as_str(),
                        record,
                    },
                )
                .await
                .ok()?;
                object_url(&bytes, &content_type)
            }
        }?;
        URLS.with(|u| u.borrow_mut().insert(hash.to_owned(), url.clone()));
        Some(url)
    }
}
