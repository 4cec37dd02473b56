//! The HTTP layer's error type: every failure a handler meets — a bad request, or another module's
//! error (`SyncError`, `AuthError`, `AttachmentError`, a database error) — becomes a status code and
//! a JSON message a client can show, here and nowhere else.

use axum::{
    extract::rejection::{JsonRejection, PathRejection},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use sqlx::error::DatabaseError;
use yingxiao_core::sync::push::PushRefusal;

use crate::{
    accounts::AccountError, admin::AdminError, attachments::AttachmentError, auth::AuthError,
    oidc::OidcError, sign_on::SignOnError, sync::SyncError,
};

/// An error answered to an API caller as `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// The request was well-formed JSON but broke a rule (a field value, a mutation's shape).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// The request conflicts with the server's state (a gap in mutation ids).
    #[error("{0}")]
    Conflict(String),
    /// A chunk that does not fit the upload the server holds; `received` says where it stands.
    #[error("{message}")]
    UploadConflict { message: String, received: u64 },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Asked too often; `Retry-After` tells when to try again.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// The request body did not arrive in time; the connection is closed after the answer.
    #[error("{0}")]
    RequestTimeout(String),
    /// Overloaded for a moment (the database's write queue is full); worth retrying soon.
    #[error("{0}")]
    Unavailable(String),
    /// A server this one depends on (the company's identity provider) did not answer as it should.
    #[error("{0}")]
    BadGateway(String),
    /// A fault of ours; the details go to the log, not to the caller.
    #[error("internal error")]
    Internal(String),
}

/// Every error answer: `{"error": {"code": ..., "message": ...}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// Only for an attachment chunk refused with 409: the bytes of the file the server holds, where
    /// the upload resumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid`, `unauthorized`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::Conflict(_) | Self::UploadConflict { .. } => (StatusCode::CONFLICT, "conflict"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Self::RequestTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::BadGateway(_) => (StatusCode::BAD_GATEWAY, "bad_gateway"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// Seconds a client is asked to wait after a 503 for a busy database.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        // A full write queue or a lock held too long by another process is load, not a fault: the
        // client retries (the app's sync loop backs off), and nothing was written.
        let busy = match &error {
            sqlx::Error::PoolTimedOut => true,
            // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
            sqlx::Error::Database(db) => db
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .and_then(|e| e.code()?.parse::<i32>().ok())
                .is_some_and(|code| matches!(code & 0xff, 5 | 6)),
            _ => false,
        };
        if busy {
            tracing::warn!(%error, "database busy; answered 503");
            return Self::Unavailable("the server is busy; try again in a few seconds".into());
        }
        Self::Internal(format!("database: {error}"))
    }
}

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        let message = error.to_string();
        match error {
            SyncError::Push(refusal) => match refusal {
                PushRefusal::TooManyMutations => Self::PayloadTooLarge(message),
                PushRefusal::ForeignClient => Self::Forbidden(message),
                PushRefusal::Gap { .. } => Self::Conflict(message),
                PushRefusal::InvalidClientId
                | PushRefusal::NotConsecutive { .. }
                | PushRefusal::IdOutOfRange
                | PushRefusal::Invalid { .. } => Self::Unprocessable(message),
            },
            SyncError::PullClientId | SyncError::PullLimit | SyncError::PullClaim => {
                Self::Unprocessable(message)
            }
            SyncError::UnknownCursor => Self::BadRequest(message),
            SyncError::ForeignClient => Self::Forbidden(message),
            SyncError::Database(error) => error.into(),
            SyncError::Corrupt(detail) => Self::Internal(detail),
        }
    }
}

impl From<AttachmentError> for ApiError {
    fn from(error: AttachmentError) -> Self {
        let message = error.to_string();
        match error {
            AttachmentError::BadHash
            | AttachmentError::BadCollection
            | AttachmentError::BadRecord
            | AttachmentError::BadNumber(_)
            | AttachmentError::EmptyFile
            | AttachmentError::EmptyChunk
            | AttachmentError::PastEnd { .. } => Self::BadRequest(message),
            AttachmentError::NotFound => Self::NotFound(message),
            AttachmentError::Denied(_) => Self::Forbidden(message),
            AttachmentError::TooLarge | AttachmentError::ChunkTooLarge => {
                Self::PayloadTooLarge(message)
            }
            AttachmentError::UnsupportedType
            | AttachmentError::NotThatType { .. }
            | AttachmentError::OtherType { .. } => Self::UnsupportedMediaType(message),
            AttachmentError::WrongOffset { received }
            | AttachmentError::WrongTotal { received, .. } => {
                Self::UploadConflict { message, received }
            }
            AttachmentError::HashMismatch => Self::Unprocessable(message),
            AttachmentError::Sync(error) => error.into(),
            AttachmentError::Database(error) => error.into(),
            AttachmentError::Corrupt(detail) => Self::Internal(detail),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Database(error) => error.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        let message = error.to_string();
        match error {
            AccountError::NoPerson | AccountError::NoAccount => Self::NotFound(message),
            AccountError::Denied | AccountError::OwnAccount => Self::Forbidden(message),
            AccountError::HasAccount | AccountError::LoginTaken(_) => Self::Conflict(message),
            AccountError::BadLogin(_) | AccountError::Password(_) => Self::Unprocessable(message),
            AccountError::Admin(AdminError::Refused { .. }) => Self::Unprocessable(message),
            AccountError::Admin(AdminError::Database(error)) | AccountError::Database(error) => {
                error.into()
            }
            AccountError::Admin(AdminError::Sync(error)) | AccountError::Sync(error) => {
                error.into()
            }
            AccountError::Admin(AdminError::Auth(error)) | AccountError::Auth(error) => {
                error.into()
            }
            AccountError::Admin(other) => Self::Internal(other.to_string()),
        }
    }
}

impl From<OidcError> for ApiError {
    fn from(error: OidcError) -> Self {
        let message = error.to_string();
        match error {
            OidcError::Provider(_) => Self::BadGateway(message),
            OidcError::BadNext => Self::BadRequest(message),
            OidcError::BadHandoff
            | OidcError::BadState
            | OidcError::Refused(_)
            | OidcError::BadToken(_)
            | OidcError::BadNonce
            | OidcError::NoLogin(_)
            | OidcError::BadLogin { .. } => Self::Unauthorized(message),
            OidcError::Account(error) => error.into(),
            OidcError::Database(error) => error.into(),
        }
    }
}

impl From<SignOnError> for ApiError {
    fn from(error: SignOnError) -> Self {
        let message = error.to_string();
        match error {
            SignOnError::NotConfigured => Self::NotFound(message),
            SignOnError::NotFromProxy | SignOnError::NoHeader(_) | SignOnError::BadLogin(_) => {
                Self::Unauthorized(message)
            }
            SignOnError::NoAccount(_) | SignOnError::Disabled(_) => Self::Forbidden(message),
            SignOnError::Admin(AdminError::NoSuchUnit(_)) => {
                Self::Internal(format!("--sso-create-unit names no unit: {message}"))
            }
            SignOnError::Admin(AdminError::Database(error)) | SignOnError::Database(error) => {
                error.into()
            }
            SignOnError::Admin(AdminError::Auth(error)) | SignOnError::Auth(error) => error.into(),
            SignOnError::Admin(other) => Self::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if crate::serve::is_body_timeout(&rejection) {
            return Self::RequestTimeout(
                "the request body did not arrive in time; send it again".into(),
            );
        }
        let message = rejection.body_text();
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge(message),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType(message),
            StatusCode::UNPROCESSABLE_ENTITY => Self::Unprocessable(message),
            _ => Self::BadRequest(message),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        let message = rejection.body_text();
        if rejection.status().is_server_error() {
            // A route whose handler asks for parameters it does not have: ours, not the caller's.
            return Self::Internal(message);
        }
        Self::BadRequest(message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message: self.to_string(),
            },
            received: match &self {
                Self::UploadConflict { received, .. } => Some(*received),
                _ => None,
            },
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match &self {
            Self::TooManyRequests {
                retry_after_secs, ..
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::Unavailable(_) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(BUSY_RETRY_AFTER_SECS),
                );
            }
            // The rest of the body may still be on its way; this connection cannot carry another request.
            Self::RequestTimeout(_) => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}

/// `Json<T>` whose rejections are `ApiError`s, so malformed bodies get the same JSON error shape.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Path<T>` whose rejections are `ApiError`s, so a segment that is no text once decoded (`%FF`)
/// gets the same JSON error shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

pub(super) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
