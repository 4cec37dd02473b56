//! `{base}/api/v1/attachments/{hash}`: a file named from a record, uploaded in chunks that resume
//! after a dropped connection (PUT, and GET `…/upload` for where it stands) and read back whole (GET).
//! Thin handlers over `crate::attachments`, which decides who may and what is stored.

use axum::{
    body::Bytes,
    extract::{
        rejection::{BytesRejection, PathRejection, QueryRejection},
        Path, Query, State,
    },
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{error::ErrorBody, ApiError, ApiJson, AppState};
use crate::{
    attachments::{self, AttachmentError, Chunk, FileRef, Upload},
    auth::Caller,
};

/// Where an upload stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadStatus {
    /// The file's name: the SHA-256 of its bytes.
    pub hash: String,
    /// Bytes the server holds: the offset of the next chunk.
    pub received: u64,
    /// The file's size in bytes; `null` until its first chunk arrived.
    pub total: Option<u64>,
    /// Every byte arrived and they hash to the name: the file may be read.
    pub complete: bool,
}

impl UploadStatus {
    fn of(file: &FileRef, upload: Upload) -> Self {
        Self {
            hash: file.hash.clone(),
            received: upload.received,
            total: upload.total,
            complete: upload.complete,
        }
    }
}

/// The query of every attachment request; numbers are checked by `attachments`, so each missing or
/// malformed one gets its own message.
#[derive(Debug, Deserialize)]
pub(super) struct FileQuery {
    collection: Option<String>,
    record: Option<String>,
    offset: Option<String>,
    total: Option<String>,
}

/// How long a client may keep a file: forever, since its name is its content; only for this user.
const CACHE_FOREVER: &str = "private, max-age=31536000, immutable";

/// The file a request names, and the rest of its query.
fn file_ref(
    hash: Result<Path<String>, PathRejection>,
    query: Result<Query<FileQuery>, QueryRejection>,
) -> Result<(FileRef, FileQuery), ApiError> {
    let Path(hash) = hash.map_err(|_| ApiError::from(AttachmentError::BadHash))?;
    let Query(query) = query.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let file = FileRef::parse(&hash, query.collection.as_deref(), query.record.as_deref())?;
    Ok((file, query))
}

/// The media type of a request, without parameters, in lowercase.
fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn chunk_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if crate::serve::is_body_timeout(&rejection) {
            ApiError::RequestTimeout("the chunk did not arrive in time; send it again".into())
        } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AttachmentError::ChunkTooLarge.into()
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })
}

/// Stores one chunk of a file named by a record the caller may edit. The file is complete when its
/// last byte arrived and the bytes hash to its name; a file already complete is not sent again.
#[utoipa::path(
    put,
    path = "/api/v1/attachments/{hash}",
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("hash" = String, Path, description = "The file's SHA-256, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"),
        ("collection" = String, Query, description = "The collection of the record naming the file (the document lists those that name files)"),
        ("record" = String, Query, description = "The id of the record naming the file", pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
        ("offset" = u64, Query, description = "Where in the file this chunk starts: the bytes the server holds", minimum = 0),
        ("total" = u64, Query, description = "The file's size in bytes (at most 5 MiB)", minimum = 1, maximum = 5242880),
    ),
    request_body(
        description = "One chunk of the file, at most 256 KiB; the first one's bytes must be an image of the declared type",
        content(("image/jpeg"), ("image/png"), ("image/webp")),
    ),
    responses(
        (status = 200, description = "The chunk is stored (or the file was already complete)", body = UploadStatus),
        (status = 400, description = "Malformed hash, collection, record, offset or total; an empty chunk, or one past the total", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "The caller sees the record but may not edit it", body = ErrorBody),
        (status = 404, description = "No such record, one the caller may not see, or one that does not name the file", body = ErrorBody),
        (status = 409, description = "The chunk does not start where the stored bytes end (`received` says where), or the total differs from the upload's", body = ErrorBody),
        (status = 413, description = "The total is over 5 MiB, or the chunk over 256 KiB", body = ErrorBody),
        (status = 415, description = "Not one of the image types, or the bytes are not an image of the declared type", body = ErrorBody),
        (status = 422, description = "All bytes arrived but do not hash to the file's name; nothing was kept", body = ErrorBody),
        (status = 503, description = "The database is busy; retry after Retry-After seconds", body = ErrorBody),
    )
)]
pub(super) async fn put_chunk(
    State(state): State<AppState>,
    caller: Caller,
    hash: Result<Path<String>, PathRejection>,
    query: Result<Query<FileQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ApiJson<UploadStatus>, ApiError> {
    let (file, query) = file_ref(hash, query)?;
    let body = chunk_body(body)?;
    let declared = content_type(&headers);
    let chunk = Chunk::parse(
        query.offset.as_deref(),
        query.total.as_deref(),
        &declared,
        &body,
    )?;
    let upload = attachments::put_chunk(&state.storage, &caller, &file, &chunk).await?;
    Ok(ApiJson(UploadStatus::of(&file, upload)))
}

/// Where the upload of a file stands, so a device that lost its connection resumes from `received`.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{hash}/upload",
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("hash" = String, Path, description = "The file's SHA-256, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"),
        ("collection" = String, Query, description = "The collection of the record naming the file (the document lists those that name files)"),
        ("record" = String, Query, description = "The id of the record naming the file", pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
    ),
    responses(
        (status = 200, description = "The upload's state (received 0 when nothing is stored)", body = UploadStatus),
        (status = 400, description = "Malformed hash, collection or record", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "The caller sees the record but may not edit it", body = ErrorBody),
        (status = 404, description = "No such record, one the caller may not see, or one that does not name the file", body = ErrorBody),
    )
)]
pub(super) async fn upload_status(
    State(state): State<AppState>,
    caller: Caller,
    hash: Result<Path<String>, PathRejection>,
    query: Result<Query<FileQuery>, QueryRejection>,
) -> Result<ApiJson<UploadStatus>, ApiError> {
    let (file, _) = file_ref(hash, query)?;
    let mut conn = state.storage.pool.acquire().await?;
    let upload = attachments::upload_status(&mut conn, &caller, &file).await?;
    Ok(ApiJson(UploadStatus::of(&file, upload)))
}

/// The file, once complete, read through a record the caller sees that names it. Kept by the
/// browser for good: a file's name is its content.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{hash}",
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("hash" = String, Path, description = "The file's SHA-256, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"),
        ("collection" = String, Query, description = "The collection of the record naming the file (the document lists those that name files)"),
        ("record" = String, Query, description = "The id of the record naming the file", pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
    ),
    responses(
        (status = 200, description = "The file's bytes, with the type it was uploaded as",
            content(("image/jpeg"), ("image/png"), ("image/webp")),
            headers(
                ("ETag" = String, description = "The file's hash, quoted"),
                ("Cache-Control" = String, description = "private, max-age=31536000, immutable"),
            )),
        (status = 400, description = "Malformed hash, collection or record", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 404, description = "No such record, one the caller may not see, one that does not name the file, or the file is not uploaded in full", body = ErrorBody),
    )
)]
pub(super) async fn read(
    State(state): State<AppState>,
    caller: Caller,
    hash: Result<Path<String>, PathRejection>,
    query: Result<Query<FileQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (file, _) = file_ref(hash, query)?;
    let mut conn = state.storage.pool.acquire().await?;
    let stored = attachments::read(&mut conn, &caller, &file).await?;
    Ok((
        [
            (header::CONTENT_TYPE, stored.content_type),
            (header::CACHE_CONTROL, CACHE_FOREVER.to_owned()),
            (header::ETAG, format!("\"{}\"", file.hash)),
        ],
        stored.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_type_is_read_without_its_parameters() {
        let mut headers = HeaderMap::new();
        assert_eq!(content_type(&headers), "");
        headers.insert(header::CONTENT_TYPE, "Image/JPEG; q=1".parse().unwrap());
        assert_eq!(content_type(&headers), "image/jpeg");
    }
}
