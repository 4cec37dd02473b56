//! The web app's HTTP calls. URLs are relative so they resolve under the `<base href>` the server sets,
//! which keeps the app working when a portal mounts it under a sub-path.

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use wasm_bindgen::JsCast;
use yingxiao_core::{
    account::{AccountState, LoginRequest, LoginResponse},
    audit::AuditPage,
    health::Health,
    sync::protocol::{PullRequest, PullResponse, PushRequest, PushResponse},
};

/// Why a request failed, in terms the page can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached (offline, DNS, refused, CORS).
    Network(String),
    /// The server answered something we could not read.
    BadResponse(String),
    /// The server refused the request: its status, error code and message.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network(detail) | Self::BadResponse(detail) => f.write_str(detail),
            Self::Refused { message, .. } => f.write_str(message),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// Reads a JSON answer, or turns a refusal into `ApiError::Refused` with the server's message.
async fn read<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiError::BadResponse(format!("HTTP {status}: {e}")));
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Refused {
            status,
            code: body.error.code,
            message: body.error.message,
        }),
        Err(e) => Err(ApiError::BadResponse(format!("HTTP {status}: {e}"))),
    }
}

/// `POST api/v1/auth/login`.
pub async fn login(login: &str, password: &str) -> Result<LoginResponse, ApiError> {
    let body = LoginRequest {
        login: login.to_owned(),
        password: password.to_owned(),
    };
    let response = Request::post("api/v1/auth/login")
        .json(&body)
        .map_err(|e| ApiError::BadResponse(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(response).await
}

/// `POST api/v1/auth/sso/header`: the session of the user the portal's proxy names, if any.
pub async fn sign_on_by_header() -> Result<LoginResponse, ApiError> {
    let response = Request::post("api/v1/auth/sso/header")
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(response).await
}

/// `POST api/v1/auth/oidc/session`: the session for the one-time code the identity provider's
/// callback gave the sign-in page.
pub async fn redeem_oidc(code: &str) -> Result<LoginResponse, ApiError> {
    let response = Request::post("api/v1/auth/oidc/session")
        .json(&serde_json::json!({ "code": code }))
        .map_err(|e| ApiError::BadResponse(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(response).await
}

/// `POST api/v1/auth/logout`: ends the session on the server, waiting at most `timeout_ms` for the
/// answer (a timeout is a `Network` error). A 401 means the session was already gone.
pub async fn logout(token: &str, timeout_ms: i32) -> Result<(), ApiError> {
    // `keepalive`: the request outlives the page, so the token is revoked even when the user
    // closes the tab right after signing out. gloo-net cannot set it, hence plain fetch.
    let network = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(network)?;
    headers
        .set("Authorization", &format!("Bearer {token}"))
        .map_err(network)?;
    init.set_headers(&headers);
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    let request = window.fetch_with_str_and_init("api/v1/auth/logout", &init);
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, timeout_ms);
    });
    let first = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(
        &request, &timer,
    )))
    .await
    .map_err(network)?;
    let response: web_sys::Response = first
        .dyn_into()
        .map_err(|_| ApiError::Network("no answer in time".into()))?;
    let response = Response::from(response);
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(drop)
    }
}

/// A signed-in JSON POST.
async fn post_json<B: serde::Serialize, T: serde::de::DeserializeOwned>(
    path: &str,
    token: &str,
    body: &B,
) -> Result<T, ApiError> {
    let response = Request::post(path)
        .header("Authorization", &format!("Bearer {token}"))
        .json(body)
        .map_err(|e| ApiError::BadResponse(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(response).await
}

/// A signed-in GET of JSON.
async fn get_json<T: serde::de::DeserializeOwned>(path: &str, token: &str) -> Result<T, ApiError> {
    let response = Request::get(path)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(response).await
}

/// `GET api/v1/audit?…`: a page of the audit trail; `query` is the query string without `?`.
pub async fn audit(token: &str, query: &str) -> Result<AuditPage, ApiError> {
    get_json(&format!("api/v1/audit?{query}"), token).await
}

/// `GET api/v1/accounts/{user_id}`: a person's sign-in account (404 when they have none).
pub async fn account(token: &str, user_id: &str) -> Result<AccountState, ApiError> {
    get_json(&format!("api/v1/accounts/{user_id}"), token).await
}

/// What the admin does to an account.
pub enum AccountChange<'a> {
    Give { login: &'a str, password: &'a str },
    Disable,
    Enable,
    Password(&'a str),
}

/// `POST api/v1/accounts/{user_id}[/disable|/enable|/password]`.
pub async fn change_account(
    token: &str,
    user_id: &str,
    change: AccountChange<'_>,
) -> Result<AccountState, ApiError> {
    let base = format!("api/v1/accounts/{user_id}");
    match change {
        AccountChange::Give { login, password } => {
            let body = serde_json::json!({"login": login, "password": password});
            post_json(&base, token, &body).await
        }
        AccountChange::Disable => {
            post_json(&format!("{base}/disable"), token, &serde_json::json!({})).await
        }
        AccountChange::Enable => {
            post_json(&format!("{base}/enable"), token, &serde_json::json!({})).await
        }
        AccountChange::Password(password) => {
            let body = serde_json::json!({"password": password});
            post_json(&format!("{base}/password"), token, &body).await
        }
    }
}

/// `POST api/v1/sync/push`.
pub async fn push(token: &str, request: &PushRequest) -> Result<PushResponse, ApiError> {
    post_json("api/v1/sync/push", token, request).await
}

/// `POST api/v1/sync/pull`.
pub async fn pull(token: &str, request: &PullRequest) -> Result<PullResponse, ApiError> {
    post_json("api/v1/sync/pull", token, request).await
}

#[derive(Deserialize)]
struct Feed {
    path: String,
}

/// `POST api/v1/calendar/feed`: a new calendar feed for the signed-in user (ending the old one);
/// the feed's path on the server.
pub async fn start_calendar_feed(token: &str) -> Result<String, ApiError> {
    let response = Request::post("api/v1/calendar/feed")
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read::<Feed>(response).await.map(|feed| feed.path)
}

/// `DELETE api/v1/calendar/feed`: ends the user's calendar feed (a 404 when there was none).
pub async fn end_calendar_feed(token: &str) -> Result<(), ApiError> {
    let response = Request::delete("api/v1/calendar/feed")
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(drop)
    }
}

/// `GET api/v1/health`. A 503 still carries a `Health` body (status `degraded`), so it is not an error.
pub async fn fetch_health() -> Result<Health, ApiError> {
    let response = Request::get("api/v1/health")
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    response
        .json::<Health>()
        .await
        .map_err(|e| ApiError::BadResponse(format!("HTTP {status}: {e}")))
}

/// How far an attachment's upload has come (`core::attachment`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct UploadState {
    pub received: u64,
    /// The size the upload was started with; `None` before any of it arrived.
    #[serde(default)]
    pub total: Option<u64>,
    pub complete: bool,
}

/// An attachment and the record it is sent or read through (the server takes a file only
/// through a record that names it).
#[derive(Clone, Copy, Debug)]
pub struct FileOf<'a> {
    pub hash: &'a str,
    pub collection: &'a str,
    pub record: &'a str,
}

impl FileOf<'_> {
    fn path(&self, tail: &str) -> String {
        format!(
            "api/v1/attachments/{}{tail}?collection={}&record={}",
            self.hash, self.collection, self.record
        )
    }
}

/// `GET api/v1/attachments/{hash}/upload`: what the server holds of an upload, to resume it.
pub async fn upload_state(token: &str, file: FileOf<'_>) -> Result<UploadState, ApiError> {
    let response = Request::get(&file.path("/upload"))
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(response).await
}

/// `PUT api/v1/attachments/{hash}`: one chunk of an upload at `offset` of `total` bytes.
pub async fn upload_chunk(
    token: &str,
    file: FileOf<'_>,
    content_type: &str,
    offset: u64,
    total: u64,
    chunk: &[u8],
) -> Result<UploadState, ApiError> {
    let path = format!("{}&offset={offset}&total={total}", file.path(""));
    let body = js_sys::Uint8Array::from(chunk);
    let response = Request::put(&path)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", content_type)
        .body(body)
        .map_err(|e| ApiError::BadResponse(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(response).await
}

/// `GET api/v1/attachments/{hash}`: the file and its type.
pub async fn fetch_attachment(
    token: &str,
    file: FileOf<'_>,
) -> Result<(Vec<u8>, String), ApiError> {
    let response = Request::get(&file.path(""))
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        read::<serde_json::Value>(response).await?;
        return Err(ApiError::BadResponse("no file".into()));
    }
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap_or_else(|| "application/octet-stream".into());
    let bytes = response
        .binary()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    Ok((bytes, content_type))
}
