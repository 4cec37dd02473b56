//! Attachments in storage (core::attachment has the rules): a file is staged chunk by chunk as a device
//! uploads it, resumes where the last chunk ended, and becomes complete only when its bytes hash to its
//! name. Every upload and read goes through a record that names the file: the caller must see that
//! record (the one scope rule) and, to upload, may change the field naming the file (the permission
//! table). A missing record, a hidden one and one that does not name the file get the same answer.

use std::collections::HashSet;

use serde_json::{Map, Value};
use sqlx::{Acquire, AnyConnection, Row};
use yingxiao_core::{
    attachment::{self, Hasher, CHUNK_BYTES, MAX_BYTES, TYPES},
    domain::Collection,
    id::is_record_id,
    locale::Locale,
    permission::{Denial, Permissions},
    scope::{OrgTree, ScopeFacts, Viewer},
    sync::protocol::{Intent, SetFieldsArgs},
};

use crate::{
    auth::{now_millis, Caller},
    storage::Storage,
    sync::{self, SyncError},
};

/// How long an upload may stay incomplete before housekeeping deletes what it staged.
pub const STALE_UPLOAD_MILLIS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Why an attachment request was not answered with the file or its upload's state.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("not a file name: expected the file's SHA-256 as 64 lowercase hex digits")]
    BadHash,
    #[error(
        "collection must name a collection whose records name files: {}",
        naming_collections()
    )]
    BadCollection,
    #[error("record must be the id of a record: a lowercase hyphenated UUID")]
    BadRecord,
    #[error("{0} must be given as a whole number of bytes")]
    BadNumber(&'static str),
    #[error("total must be at least 1 byte")]
    EmptyFile,
    #[error("a chunk carries at least one byte")]
    EmptyChunk,
    /// No record of that id, one the caller may not see, or one that does not name the file; for a
    /// read, also a file not uploaded in full yet.
    #[error("no such file through this record")]
    NotFound,
    /// The caller sees the record but may not change the field that names the file.
    #[error("{}", .0.message(Locale::En))]
    Denied(Denial),
    #[error("a file may have at most {MAX_BYTES} bytes")]
    TooLarge,
    #[error("a chunk carries at most {CHUNK_BYTES} bytes")]
    ChunkTooLarge,
    #[error("only these image types are taken: {}", TYPES.join(", "))]
    UnsupportedType,
    #[error("the file's first bytes are not a {declared} image")]
    NotThatType { declared: String },
    #[error("this upload was started as {staged}")]
    OtherType { staged: String },
    /// The chunk does not start where the staged bytes end; the device resumes at `received`.
    #[error("the server holds {received} bytes of this file; send the chunk that starts there")]
    WrongOffset { received: u64 },
    #[error("this upload was started with a total of {staged} bytes")]
    WrongTotal { staged: u64, received: u64 },
    #[error("the chunk ends at byte {end}, past the file's total of {total}")]
    PastEnd { end: u64, total: u64 },
    /// Every byte arrived but they are not the file the name says; nothing of it was kept.
    #[error("the file's SHA-256 does not match its name")]
    HashMismatch,
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Something this server stored does not read back: a fault of ours.
    #[error("{0}")]
    Corrupt(String),
}

fn naming_collections() -> String {
    Collection::ALL
        .into_iter()
        .filter(|c| attachment::names_files(*c))
        .map(Collection::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A file as a request names it: its hash, and the record it is reached through.
#[derive(Clone, Debug)]
pub struct FileRef {
    pub hash: String,
    pub collection: Collection,
    pub record: String,
}

impl FileRef {
    /// Checks the names a request gives; `None` is a parameter it left out.
    pub fn parse(
        hash: &str,
        collection: Option<&str>,
        record: Option<&str>,
    ) -> Result<Self, AttachmentError> {
        if !attachment::is_hash(hash) {
            return Err(AttachmentError::BadHash);
        }
        let collection = collection
            .and_then(Collection::parse)
            .filter(|c| attachment::names_files(*c))
            .ok_or(AttachmentError::BadCollection)?;
        let record = record
            .filter(|id| is_record_id(id))
            .ok_or(AttachmentError::BadRecord)?;
        Ok(Self {
            hash: hash.to_owned(),
            collection,
            record: record.to_owned(),
        })
    }
}

/// One chunk of an upload as a request carries it.
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    /// Where in the file the chunk starts.
    pub offset: u64,
    /// The file's size.
    pub total: u64,
    /// The declared `Content-Type`.
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

impl<'a> Chunk<'a> {
    /// Checks what can be checked from the request alone (numbers, size): `offset` and `total` as
    /// given, `None` when left out.
    pub fn parse(
        offset: Option<&str>,
        total: Option<&str>,
        content_type: &'a str,
        bytes: &'a [u8],
    ) -> Result<Self, AttachmentError> {
        let number = |text: Option<&str>, name| {
            text.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse::<u64>().ok())
                .ok_or(AttachmentError::BadNumber(name))
        };
        let offset = number(offset, "offset")?;
        let total = number(total, "total")?;
        if total == 0 {
            return Err(AttachmentError::EmptyFile);
        }
        if total > MAX_BYTES {
            return Err(AttachmentError::TooLarge);
        }
        Ok(Self {
            offset,
            total,
            content_type,
            bytes,
        })
    }
}

/// Where an upload stands: what a device resumes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub received: u64,
    /// The file's size, once its first chunk arrived.
    pub total: Option<u64>,
    pub complete: bool,
}

/// A complete file as stored.
#[derive(Debug)]
pub struct StoredFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The record a file is reached through, as the rules need it.
struct Sight {
    fields: Map<String, Value>,
    scope: ScopeFacts,
    viewer: Viewer,
    org: OrgTree,
    permissions: Permissions,
}

fn corrupt(context: &str, error: impl std::fmt::Display) -> AttachmentError {
    AttachmentError::Corrupt(format!("{context}: {error}"))
}

/// The live record `file` names, if the caller sees it and it names the file; else `NotFound`.
async fn through_record(
    conn: &mut AnyConnection,
    caller: &Caller,
    file: &FileRef,
) -> Result<Sight, AttachmentError> {
    let row =
        sqlx::query("SELECT deleted, fields, scope FROM records WHERE collection = $1 AND id = $2")
            .bind(file.collection.as_str())
            .bind(&file.record)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else {
        return Err(AttachmentError::NotFound);
    };
    // A deleted record names nothing.
    if row.try_get::<i64, _>(0)? != 0 {
        return Err(AttachmentError::NotFound);
    }
    let scope: ScopeFacts = serde_json::from_str(&row.try_get::<String, _>(2)?)
        .map_err(|e| corrupt("stored scope", e))?;
    let (org, permissions) = sync::load_org(conn).await?;
    let customers: HashSet<String> = scope.customer_id.iter().cloned().collect();
    let viewer = sync::load_viewer(conn, caller, &customers).await?;
    if !viewer.can_see(file.collection, &scope, &org) {
        return Err(AttachmentError::NotFound);
    }
    let fields: Map<String, Value> = serde_json::from_str(&row.try_get::<String, _>(1)?)
        .map_err(|e| corrupt("stored fields", e))?;
    if !attachment::is_named_by(file.collection, &fields, &file.hash) {
        return Err(AttachmentError::NotFound);
    }
    Ok(Sight {
        fields,
        scope,
        viewer,
        org,
        permissions,
    })
}

/// Whether the caller may upload the file: as a push clearing the fields that name it would need
/// (each field's action over the record as it is; `Edit` for a report's photos).
fn may_upload(sight: &Sight, file: &FileRef) -> Result<(), AttachmentError> {
    let naming: Map<String, Value> = file
        .collection
        .fields()
        .iter()
        .filter(|def| {
            sight.fields.get(def.name).is_some_and(|value| {
                let one = Map::from_iter([(def.name.to_owned(), value.clone())]);
                attachment::is_named_by(file.collection, &one, &file.hash)
            })
        })
        .map(|def| (def.name.to_owned(), Value::Null))
        .collect();
    let edit = Intent::SetFields(SetFieldsArgs {
        collection: file.collection,
        id: file.record.clone(),
        fields: naming,
    });
    sight
        .permissions
        .check(
            &sight.viewer,
            &sight.org,
            &edit,
            Some((&sight.fields, &sight.scope)),
            Some(&sight.scope),
        )
        .map_err(AttachmentError::Denied)
}

/// The upload's state, for a device that lost its connection and resumes.
pub async fn upload_status(
    conn: &mut AnyConnection,
    caller: &Caller,
    file: &FileRef,
) -> Result<Upload, AttachmentError> {
    let sight = through_record(conn, caller, file).await?;
    may_upload(&sight, file)?;
    let row = sqlx::query("SELECT size, received, complete FROM attachments WHERE hash = $1")
        .bind(&file.hash)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(row) => Upload {
            total: Some(count(row.try_get(0)?)),
            received: count(row.try_get(1)?),
            complete: row.try_get::<i64, _>(2)? != 0,
        },
        None => Upload {
            received: 0,
            total: None,
            complete: false,
        },
    })
}

/// A stored count of bytes (never negative: this server writes them).
fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// The staged upload's row, locked until the transaction ends.
struct Staged {
    content_type: String,
    size: u64,
    received: u64,
    complete: bool,
}

/// Locks the upload's row (PostgreSQL holds the row lock until commit; SQLite's write lock is already
/// ours): concurrent chunks of one file are decided one after the other, each seeing the last.
async fn lock_staged(
    conn: &mut AnyConnection,
    hash: &str,
) -> Result<Option<Staged>, AttachmentError> {
    let row = sqlx::query(
        "UPDATE attachments SET received = received WHERE hash = $1
         RETURNING content_type, size, received, complete",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => Some(Staged {
            content_type: row.try_get(0)?,
            size: count(row.try_get(1)?),
            received: count(row.try_get(2)?),
            complete: row.try_get::<i64, _>(3)? != 0,
        }),
        None => None,
    })
}

/// Takes one chunk of a file: the record checks, the type, then in one transaction the offset against
/// what is staged, the bytes, and — with the last byte — the hash of the whole file.
pub async fn put_chunk(
    storage: &Storage,
    caller: &Caller,
    file: &FileRef,
    chunk: &Chunk<'_>,
) -> Result<Upload, AttachmentError> {
    {
        let mut conn = storage.pool.acquire().await?;
        let sight = through_record(&mut conn, caller, file).await?;
        may_upload(&sight, file)?;
    }
    if !TYPES.contains(&chunk.content_type) {
        return Err(AttachmentError::UnsupportedType);
    }
    // The type is judged by the file's first bytes, never by the name a client gives it.
    if chunk.offset == 0 && attachment::sniff(chunk.bytes) != Some(chunk.content_type) {
        return Err(AttachmentError::NotThatType {
            declared: chunk.content_type.to_owned(),
        });
    }
    if chunk.bytes.len() > CHUNK_BYTES {
        return Err(AttachmentError::ChunkTooLarge);
    }

    let mut conn = storage.writer().await?;
    let mut tx = conn.begin().await?;
    let now = now_millis();
    let staged = match lock_staged(&mut tx, &file.hash).await? {
        Some(staged) => staged,
        None => {
            if chunk.offset != 0 {
                return Err(AttachmentError::WrongOffset { received: 0 });
            }
            let started = sqlx::query(
                "INSERT INTO attachments (hash, content_type, size, received, complete, uploaded_by, created_at)
                 VALUES ($1, $2, $3, 0, 0, $4, $5) ON CONFLICT (hash) DO NOTHING",
            )
            .bind(&file.hash)
            .bind(chunk.content_type)
            .bind(chunk.total as i64)
            .bind(&caller.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if started.rows_affected() == 1 {
                // The row is new and ours; chunks without a row can only be left from a fault.
                sqlx::query("DELETE FROM attachment_chunks WHERE hash = $1")
                    .bind(&file.hash)
                    .execute(&mut *tx)
                    .await?;
            }
            // Another upload of the same file may have started it first: take its row as it is.
            lock_staged(&mut tx, &file.hash)
                .await?
                .ok_or(AttachmentError::WrongOffset { received: 0 })?
        }
    };
    // The same file uploaded again (another record names it, another device took the same photo).
    if staged.complete {
        return Ok(Upload {
            received: staged.size,
            total: Some(staged.size),
            complete: true,
        });
    }
    if staged.size != chunk.total {
        return Err(AttachmentError::WrongTotal {
            staged: staged.size,
            received: staged.received,
        });
    }
    if staged.content_type != chunk.content_type {
        return Err(AttachmentError::OtherType {
            staged: staged.content_type,
        });
    }
    if chunk.offset != staged.received {
        return Err(AttachmentError::WrongOffset {
            received: staged.received,
        });
    }
    let end = chunk.offset + chunk.bytes.len() as u64;
    if end > chunk.total {
        return Err(AttachmentError::PastEnd {
            end,
            total: chunk.total,
        });
    }
    if chunk.bytes.is_empty() {
        return Err(AttachmentError::EmptyChunk);
    }
    sqlx::query("INSERT INTO attachment_chunks (hash, chunk_offset, bytes) VALUES ($1, $2, $3)")
        .bind(&file.hash)
        .bind(chunk.offset as i64)
        .bind(chunk.bytes)
        .execute(&mut *tx)
        .await?;
    let complete = end == chunk.total;
    if complete {
        let chunks: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT bytes FROM attachment_chunks WHERE hash = $1 ORDER BY chunk_offset",
        )
        .bind(&file.hash)
        .fetch_all(&mut *tx)
        .await?;
        let mut hasher = Hasher::default();
        let mut length = 0u64;
        for bytes in &chunks {
            hasher.update(bytes);
            length += bytes.len() as u64;
        }
        if length != chunk.total || hasher.finish() != file.hash {
            // Nothing of a wrong file is kept: the device starts again from the first byte.
            forget(&mut tx, &file.hash).await?;
            tx.commit().await?;
            return Err(AttachmentError::HashMismatch);
        }
        sqlx::query(
            "UPDATE attachments SET received = $2, complete = 1, completed_at = $3 WHERE hash = $1",
        )
        .bind(&file.hash)
        .bind(end as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("UPDATE attachments SET received = $2 WHERE hash = $1")
            .bind(&file.hash)
            .bind(end as i64)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Upload {
        received: end,
        total: Some(chunk.total),
        complete,
    })
}

/// Deletes a file's row and its chunks.
async fn forget(conn: &mut AnyConnection, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attachment_chunks WHERE hash = $1")
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM attachments WHERE hash = $1")
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A complete file, read through a record that names it.
pub async fn read(
    conn: &mut AnyConnection,
    caller: &Caller,
    file: &FileRef,
) -> Result<StoredFile, AttachmentError> {
    through_record(conn, caller, file).await?;
    let row =
        sqlx::query("SELECT content_type, size FROM attachments WHERE hash = $1 AND complete = 1")
            .bind(&file.hash)
            .fetch_optional(&mut *conn)
            .await?;
    let row = row.ok_or(AttachmentError::NotFound)?;
    let (content_type, size): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
    let chunks: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT bytes FROM attachment_chunks WHERE hash = $1 ORDER BY chunk_offset",
    )
    .bind(&file.hash)
    .fetch_all(&mut *conn)
    .await?;
    let bytes = chunks.concat();
    // A complete file was hashed whole when its last chunk arrived and never changes since.
    if bytes.len() as u64 != count(size) {
        return Err(corrupt("stored file", &file.hash));
    }
    Ok(StoredFile {
        content_type,
        bytes,
    })
}

/// Deletes uploads started more than `STALE_UPLOAD_MILLIS` before `now` and still incomplete, with
/// their chunks; returns how many. Each row is deleted first, so an upload of it still in flight
/// (holding its row) finishes before its chunks go, and none is left behind without its row.
pub async fn forget_stale_uploads(conn: &mut AnyConnection, now: i64) -> Result<u64, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let stale: Vec<String> = sqlx::query_scalar(
        "DELETE FROM attachments WHERE complete = 0 AND created_at < $1 RETURNING hash",
    )
    .bind(now - STALE_UPLOAD_MILLIS)
    .fetch_all(&mut *tx)
    .await?;
    for hash in &stale {
        sqlx::query("DELETE FROM attachment_chunks WHERE hash = $1")
            .bind(hash)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(stale.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_named_by_hash_collection_and_record() {
        let hash = attachment::hash(b"photo");
        let id = "0193b3c4-7a1e-7000-8000-000000000001";
        let file = FileRef::parse(&hash, Some("promotion_reports"), Some(id)).unwrap();
        assert_eq!(file.collection, Collection::PromotionReport);
        let refused = |hash: &str, collection: Option<&str>, record: Option<&str>| {
            FileRef::parse(hash, collection, record).unwrap_err()
        };
        assert!(matches!(
            refused(&hash.to_uppercase(), Some("promotion_reports"), Some(id)),
            AttachmentError::BadHash
        ));
        for collection in [None, Some("nope"), Some("customers")] {
            assert!(matches!(
                refused(&hash, collection, Some(id)),
                AttachmentError::BadCollection
            ));
        }
        for record in [None, Some(""), Some("0193B3C4-7A1E-7000-8000-000000000001")] {
            assert!(matches!(
                refused(&hash, Some("promotion_reports"), record),
                AttachmentError::BadRecord
            ));
        }
    }

    #[test]
    fn offsets_and_totals_are_plain_byte_counts_within_the_limit() {
        let chunk = |offset, total| Chunk::parse(offset, total, "image/png", b"");
        assert!(chunk(Some("0"), Some("10")).is_ok());
        for (offset, total) in [
            (None, Some("10")),
            (Some("0"), None),
            (Some("-1"), Some("10")),
            (Some("+1"), Some("10")),
            (Some("1.0"), Some("10")),
            (Some(""), Some("10")),
            (Some("0"), Some("99999999999999999999999")),
        ] {
            assert!(
                matches!(chunk(offset, total), Err(AttachmentError::BadNumber(_))),
                "{offset:?} {total:?}"
            );
        }
        assert!(matches!(
            chunk(Some("0"), Some("0")),
            Err(AttachmentError::EmptyFile)
        ));
        let over = (MAX_BYTES + 1).to_string();
        assert!(matches!(
            chunk(Some("0"), Some(&over)),
            Err(AttachmentError::TooLarge)
        ));
    }
}
