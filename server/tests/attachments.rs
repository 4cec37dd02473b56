//! Attachments through the real router on the demo company: a promoter's report names two photos by
//! their SHA-256 and is pushed through sync; the photos follow in chunks that resume after a dropped
//! connection, are kept only whole and true to their name, and are read only through a record that
//! names them and that the reader sees (uploaded only by those who may edit it).

mod common;
#[path = "common/world.rs"]
mod world;

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use common::Backend;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::Row;
use tower::ServiceExt;
use yingxiao_core::{
    attachment::{hash, CHUNK_BYTES, MAX_BYTES},
    base_path::BasePath,
};
use yingxiao_server::{
    admin::{self, new_id},
    app,
    attachments::{forget_stale_uploads, STALE_UPLOAD_MILLIS},
    auth::hash_password,
    demo::DEMO_PASSWORD,
    http::WebApp,
    storage::{Storage, StorageArgs},
    AppState,
};

use world::{demo_world, text, Company, Device, World};

/// An answer: status, headers and body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, String::from_utf8_lossy(&self.body))
    }
}

async fn send(
    router: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(kind) = content_type {
        request = request.header(header::CONTENT_TYPE, kind);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

/// `len` bytes that start as a JPEG does, then deterministic noise (every byte value occurs).
fn jpeg(len: usize, seed: u64) -> Vec<u8> {
    with_head(
        &[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F'],
        len,
        seed,
    )
}

fn png(len: usize, seed: u64) -> Vec<u8> {
    with_head(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", len, seed)
}

fn with_head(head: &[u8], len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut bytes = head.to_vec();
    while bytes.len() < len {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.push((state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8);
    }
    bytes.truncate(len);
    bytes
}

fn file_path(file: &str, record: &str) -> String {
    format!("/api/v1/attachments/{file}?collection=promotion_reports&record={record}")
}

fn status_path(file: &str, record: &str) -> String {
    format!("/api/v1/attachments/{file}/upload?collection=promotion_reports&record={record}")
}

fn chunk_path(file: &str, record: &str, offset: usize, total: usize) -> String {
    format!("{}&offset={offset}&total={total}", file_path(file, record))
}

/// A signed-in device's attachment calls.
trait Files {
    fn token(&self) -> &str;

    async fn put(
        &self,
        router: &Router,
        file: &str,
        record: &str,
        (offset, total): (usize, usize),
        kind: &str,
        chunk: &[u8],
    ) -> Answer {
        let path = chunk_path(file, record, offset, total);
        send(
            router,
            "PUT",
            &path,
            Some(self.token()),
            Some(kind),
            chunk.to_vec(),
        )
        .await
    }

    async fn status(&self, router: &Router, file: &str, record: &str) -> Answer {
        let path = status_path(file, record);
        send(router, "GET", &path, Some(self.token()), None, Vec::new()).await
    }

    async fn read(&self, router: &Router, file: &str, record: &str) -> Answer {
        let path = file_path(file, record);
        send(router, "GET", &path, Some(self.token()), None, Vec::new()).await
    }

    /// Uploads a whole file chunk by chunk; the last answer.
    async fn upload(&self, router: &Router, record: &str, kind: &str, bytes: &[u8]) -> Answer {
        let name = hash(bytes);
        let mut last = None;
        for (i, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
            let answer = self
                .put(
                    router,
                    &name,
                    record,
                    (i * CHUNK_BYTES, bytes.len()),
                    kind,
                    chunk,
                )
                .await;
            if answer.status != StatusCode::OK {
                return answer;
            }
            last = Some(answer);
        }
        last.expect("a file of at least one byte")
    }
}

impl Files for Device {
    fn token(&self) -> &str {
        &self.token
    }
}

/// The demo company with a promoter's report that names two photos: a ~600 KB JPEG of the display
/// (three chunks) and a small PNG of a competitor's stand.
struct Scene {
    world: World,
    company: Company,
    promoter: Device,
    admin: Device,
    promotion: String,
    store: String,
    report: String,
    photo: Vec<u8>,
    competitor: Vec<u8>,
}

impl Scene {
    async fn new(backend: Backend) -> Self {
        let world = demo_world(backend).await;
        let company = Company::load(&world.storage).await;
        let router = &world.router;
        let promoter_id = company.user_id("sh_promoter");
        let (_, store_unit) = company.role_and_unit(&promoter_id);
        let store = company
            .all("customers")
            .find(|(_, c)| {
                text(c, "kind") == Some("retail_store")
                    && text(c, "region_unit_id") == Some(store_unit.as_str())
            })
            .map(|(id, _)| id.to_owned())
            .expect("the promoter's store is a customer");
        let admin = Device::sign_in(router, "admin").await;
        let promotion = new_id();
        admin
            .push_applied(
                router,
                vec![admin.create(
                    "promotions",
                    &promotion,
                    json!({"name": "门店陈列月", "kind": "display", "unit_id": store_unit,
                        "store_ids": [store], "promoter_ids": [promoter_id],
                        "starts_on": "2026-03-01", "ends_on": "2026-03-31", "status": "planned"}),
                )],
            )
            .await;
        let promoter = Device::sign_in(router, "sh_promoter").await;
        let photo = jpeg(600_000, 1);
        let competitor = png(40_000, 2);
        let mut scene = Self {
            world,
            company,
            promoter,
            admin,
            promotion,
            store,
            report: String::new(),
            photo,
            competitor,
        };
        scene.report = scene
            .report_naming(&[&hash(&scene.photo)], Some(&hash(&scene.competitor)))
            .await;
        scene
    }

    fn router(&self) -> &Router {
        &self.world.router
    }

    /// A new report of the promoter's that names these display photos and competitor photo.
    async fn report_naming(&self, display: &[&str], competitor: Option<&str>) -> String {
        let id = new_id();
        let photos: Vec<Value> = display
            .iter()
            .map(|h| json!({"photo": h, "caption": "端架陈列"}))
            .collect();
        let mut fields = json!({"promotion_id": self.promotion, "store_id": self.store,
            "promoter_id": self.company.user_id("sh_promoter"), "report_date": "2026-03-10",
            "sales_amount": 120_000, "display_photos": photos});
        if let Some(h) = competitor {
            fields["competitor_activity"] = json!([{"brand": "某品牌", "photo": h}]);
        }
        self.promoter
            .push_applied(
                self.router(),
                vec![self.promoter.create("promotion_reports", &id, fields)],
            )
            .await;
        id
    }

    /// A device for a user of the demo company without a demo login (given one here).
    async fn sign_in_as(&self, user_id: &str, login: &str) -> Device {
        let password_hash = hash_password(DEMO_PASSWORD).unwrap();
        admin::insert_account(&self.world.storage, user_id, login, &password_hash)
            .await
            .unwrap();
        Device::sign_in(self.router(), login).await
    }

    async fn stored_chunks(&self) -> i64 {
        sqlx::query("SELECT COUNT(*) FROM attachment_chunks")
            .fetch_one(&self.world.storage.pool)
            .await
            .unwrap()
            .get(0)
    }
}

fn assert_status(answer: &Answer, received: u64, total: Option<usize>, complete: bool) {
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    let body = answer.json();
    assert_eq!(body["received"], received, "{answer:?}");
    assert_eq!(body["total"], json!(total), "{answer:?}");
    assert_eq!(body["complete"], complete, "{answer:?}");
}

async fn a_photo_uploaded_in_chunks_resumes_where_the_connection_dropped(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (router, device, report) = (scene.router(), &scene.promoter, &scene.report);
    let (photo, name) = (&scene.photo, hash(&scene.photo));
    let total = photo.len();
    let chunks: Vec<&[u8]> = photo.chunks(CHUNK_BYTES).collect();
    assert_eq!(chunks.len(), 3);

    assert_status(&device.status(router, &name, report).await, 0, None, false);
    let first = device
        .put(router, &name, report, (0, total), "image/jpeg", chunks[0])
        .await;
    assert_status(&first, CHUNK_BYTES as u64, Some(total), false);
    assert_eq!(first.json()["hash"], name);
    // The connection drops here; the device asks where the upload stands.
    let status = device.status(router, &name, report).await;
    assert_status(&status, CHUNK_BYTES as u64, Some(total), false);
    // Nothing is readable before the last byte.
    assert_eq!(
        device.read(router, &name, report).await.status,
        StatusCode::NOT_FOUND
    );

    // A chunk at another offset (skipped ahead, or sent again) is refused with where to resume.
    for (offset, chunk) in [(2 * CHUNK_BYTES, chunks[2]), (0, chunks[0])] {
        let wrong = device
            .put(router, &name, report, (offset, total), "image/jpeg", chunk)
            .await;
        assert_eq!(wrong.status, StatusCode::CONFLICT, "{wrong:?}");
        assert_eq!(wrong.json()["received"], CHUNK_BYTES, "{wrong:?}");
        assert_eq!(wrong.json()["error"]["code"], "conflict");
    }
    // So is another size than the upload was started with.
    let resized = device
        .put(
            router,
            &name,
            report,
            (CHUNK_BYTES, total + 1),
            "image/jpeg",
            chunks[1],
        )
        .await;
    assert_eq!(resized.status, StatusCode::CONFLICT, "{resized:?}");
    assert_eq!(resized.json()["received"], CHUNK_BYTES);

    let second = device
        .put(
            router,
            &name,
            report,
            (CHUNK_BYTES, total),
            "image/jpeg",
            chunks[1],
        )
        .await;
    assert_status(&second, 2 * CHUNK_BYTES as u64, Some(total), false);
    let last = device
        .put(
            router,
            &name,
            report,
            (2 * CHUNK_BYTES, total),
            "image/jpeg",
            chunks[2],
        )
        .await;
    assert_status(&last, total as u64, Some(total), true);
    assert_status(
        &device.status(router, &name, report).await,
        total as u64,
        Some(total),
        true,
    );

    let read = device.read(router, &name, report).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body.len(), total);
    assert_eq!(hash(&read.body), name, "the same bytes come back");
    assert_eq!(read.header(header::CONTENT_TYPE), "image/jpeg");
    assert_eq!(
        read.header(header::CACHE_CONTROL),
        "private, max-age=31536000, immutable"
    );
    assert_eq!(read.header(header::ETAG), format!("\"{name}\""));
    assert_eq!(read.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(
        read.header(header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; frame-ancestors 'none'"
    );

    // The competitor photo is one chunk, a PNG.
    let answer = device
        .upload(router, report, "image/png", &scene.competitor)
        .await;
    assert_status(
        &answer,
        scene.competitor.len() as u64,
        Some(scene.competitor.len()),
        true,
    );
    let read = device.read(router, &hash(&scene.competitor), report).await;
    assert_eq!(read.header(header::CONTENT_TYPE), "image/png");
    assert_eq!(&read.body[..], &scene.competitor[..]);
}

async fn bytes_that_do_not_match_their_name_are_refused_and_nothing_is_kept(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (router, device, report) = (scene.router(), &scene.promoter, &scene.report);
    let name = hash(&scene.photo);
    // Another picture of the same size under the photo's name, in three chunks.
    let other = jpeg(scene.photo.len(), 99);
    let mut last = None;
    for (i, chunk) in other.chunks(CHUNK_BYTES).enumerate() {
        last = Some(
            device
                .put(
                    router,
                    &name,
                    report,
                    (i * CHUNK_BYTES, other.len()),
                    "image/jpeg",
                    chunk,
                )
                .await,
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY, "{last:?}");
    assert_eq!(
        last.json()["error"]["message"],
        "the file's SHA-256 does not match its name"
    );
    assert_status(&device.status(router, &name, report).await, 0, None, false);
    assert_eq!(
        device.read(router, &name, report).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(scene.stored_chunks().await, 0, "nothing is stored half");

    // The true bytes are taken afterwards, from the first byte.
    let answer = device
        .upload(router, report, "image/jpeg", &scene.photo)
        .await;
    assert_eq!(answer.json()["complete"], true, "{answer:?}");
    assert_eq!(scene.stored_chunks().await, 3);
}

async fn only_images_within_the_limits_are_taken(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (router, device, report) = (scene.router(), &scene.promoter, &scene.report);
    let name = hash(&scene.photo);
    let head = &scene.photo[..1000];

    let over = MAX_BYTES as usize + 1;
    let answer = device
        .put(router, &name, report, (0, over), "image/jpeg", head)
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "too_large");

    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec();
    for (kind, body) in [
        ("application/pdf", pdf.clone()),
        ("image/jpeg", pdf),
        ("text/plain", b"just some words".to_vec()),
        ("image/png", head.to_vec()),
        ("image/gif", b"GIF89a\x01\x00\x01\x00".to_vec()),
    ] {
        let answer = device
            .put(router, &name, report, (0, scene.photo.len()), kind, &body)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{kind}: {answer:?}"
        );
        assert_eq!(answer.json()["error"]["code"], "unsupported_media_type");
    }
    let path = chunk_path(&name, report, 0, scene.photo.len());
    let untyped = send(
        router,
        "PUT",
        &path,
        Some(&device.token),
        None,
        head.to_vec(),
    )
    .await;
    assert_eq!(untyped.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // A chunk over the limit is a JSON 413, not a dropped connection.
    let big = device
        .put(
            router,
            &name,
            report,
            (0, scene.photo.len()),
            "image/jpeg",
            &scene.photo[..CHUNK_BYTES + 1],
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE, "{big:?}");
    assert_eq!(big.json()["error"]["code"], "too_large");
    assert_eq!(
        big.json()["error"]["message"],
        format!("a chunk carries at most {CHUNK_BYTES} bytes")
    );

    // A chunk that runs past the declared total.
    let past = device
        .put(router, &name, report, (0, 100), "image/jpeg", head)
        .await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST, "{past:?}");
    assert_eq!(scene.stored_chunks().await, 0);

    // Malformed names and numbers are 400s; no session is a 401 before anything else.
    let bad = [
        format!(
            "/api/v1/attachments/{}?collection=promotion_reports&record={report}&offset=0&total=9",
            name.to_uppercase()
        ),
        format!("/api/v1/attachments/{name}?collection=customers&record={report}&offset=0&total=9"),
        format!("/api/v1/attachments/{name}?collection=promotion_reports&record=nope&offset=0&total=9"),
        format!("/api/v1/attachments/{name}?record={report}&offset=0&total=9"),
        format!("/api/v1/attachments/{name}?collection=promotion_reports&record={report}&total=9"),
        format!("/api/v1/attachments/{name}?collection=promotion_reports&record={report}&offset=x&total=9"),
        format!("/api/v1/attachments/{name}?collection=promotion_reports&record={report}&offset=0&total=-9"),
        format!("/api/v1/attachments/{name}?collection=promotion_reports&record={report}&offset=0&total=0"),
    ];
    for path in &bad {
        let answer = send(
            router,
            "PUT",
            path,
            Some(&device.token),
            Some("image/jpeg"),
            head.to_vec(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}: {answer:?}");
        assert_eq!(answer.json()["error"]["code"], "bad_request");
        let anonymous = send(router, "PUT", path, None, Some("image/jpeg"), head.to_vec()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in [
        format!(
            "/api/v1/attachments/{}/upload?collection=promotion_reports&record={report}",
            &name[1..]
        ),
        format!("/api/v1/attachments/{name}?collection=promotion_reports"),
    ] {
        let answer = send(router, "GET", &path, Some(&device.token), None, Vec::new()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}: {answer:?}");
    }
    for path in [
        file_path(&name, report),
        status_path(&name, report),
        chunk_path(&name, report, 0, scene.photo.len()),
    ] {
        for method in ["GET", "PUT"] {
            let answer = send(
                router,
                method,
                &path,
                None,
                Some("image/jpeg"),
                head.to_vec(),
            )
            .await;
            if answer.status != StatusCode::METHOD_NOT_ALLOWED {
                assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
                assert_eq!(answer.json()["error"]["code"], "unauthorized");
            }
        }
    }
}

async fn a_file_is_reached_only_through_a_record_its_caller_sees_that_names_it(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (router, promoter, report) = (scene.router(), &scene.promoter, &scene.report);
    let name = hash(&scene.photo);
    let done = promoter
        .upload(router, report, "image/jpeg", &scene.photo)
        .await;
    assert_eq!(done.json()["complete"], true, "{done:?}");
    let company = &scene.company;

    // A promoter of another store does not see the report: the file is not there for them.
    let (_, store_unit) = company.role_and_unit(&company.user_id("sh_promoter"));
    let stranger = company
        .all("users")
        .find(|(_, u)| {
            text(u, "role") == Some("promoter")
                && !company.within(text(u, "unit_id").unwrap_or(""), &store_unit)
        })
        .map(|(id, _)| id.to_owned())
        .expect("a promoter of another store");
    let stranger = scene.sign_in_as(&stranger, "other_store_promoter").await;
    let head = &scene.photo[..CHUNK_BYTES];
    for answer in [
        stranger.read(router, &name, report).await,
        stranger.status(router, &name, report).await,
        stranger
            .put(
                router,
                &name,
                report,
                (0, scene.photo.len()),
                "image/jpeg",
                head,
            )
            .await,
    ] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{answer:?}");
    }
    // The same answer as for a record that does not exist, or that does not name the file.
    let missing = promoter.read(router, &name, &new_id()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let elsewhere = scene.report_naming(&[], None).await;
    let unnamed = promoter.read(router, &name, &elsewhere).await;
    assert_eq!(unnamed.status, StatusCode::NOT_FOUND);
    assert_eq!(unnamed.body, missing.body);
    let status = promoter.status(router, &name, &elsewhere).await;
    assert_eq!(status.status, StatusCode::NOT_FOUND);

    // Finance sees every report but has no grant on them: reads the photo, may not upload.
    let finance = Device::sign_in(router, "finance").await;
    let seen = finance.pull_everything(router).await;
    assert!(seen.contains_key(&("promotion_reports".to_owned(), report.clone())));
    let read = finance.read(router, &name, report).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(hash(&read.body), name);
    for answer in [
        finance.status(router, &name, report).await,
        finance
            .put(
                router,
                &name,
                report,
                (0, scene.photo.len()),
                "image/jpeg",
                head,
            )
            .await,
    ] {
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{answer:?}");
        assert_eq!(answer.json()["error"]["code"], "forbidden");
        assert!(
            answer.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("may not edit promotion reports"),
            "{answer:?}"
        );
    }

    // The store's supervisor reads it too.
    let supervisor_unit = company.role_and_unit(&company.user_id("sh_supervisor")).1;
    assert!(company.within(&store_unit, &supervisor_unit));
    let supervisor = Device::sign_in(router, "sh_supervisor").await;
    let read = supervisor.read(router, &name, report).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, scene.photo);
}

async fn a_file_named_again_by_another_record_is_not_uploaded_again(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (router, promoter) = (scene.router(), &scene.promoter);
    let name = hash(&scene.photo);
    promoter
        .upload(router, &scene.report, "image/jpeg", &scene.photo)
        .await;
    assert_eq!(scene.stored_chunks().await, 3);

    // The next day's report shows the same display photo.
    let next = scene.report_naming(&[&name], None).await;
    let total = scene.photo.len();
    assert_status(
        &promoter.status(router, &name, &next).await,
        total as u64,
        Some(total),
        true,
    );
    let again = promoter
        .put(
            router,
            &name,
            &next,
            (0, total),
            "image/jpeg",
            &scene.photo[..CHUNK_BYTES],
        )
        .await;
    assert_status(&again, total as u64, Some(total), true);
    assert_eq!(scene.stored_chunks().await, 3, "nothing new is stored");
    let read = promoter.read(router, &name, &next).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, scene.photo);

    // A deleted record names nothing; the other one still does.
    scene
        .admin
        .push_applied(
            router,
            vec![scene.admin.mutation(
                "delete",
                json!({"collection": "promotion_reports", "id": next}),
            )],
        )
        .await;
    assert_eq!(
        promoter.read(router, &name, &next).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        promoter.read(router, &name, &scene.report).await.status,
        StatusCode::OK
    );
}

async fn two_devices_sending_the_same_first_chunk_at_once_store_it_once(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (router, report) = (scene.router(), &scene.report);
    let tablet = &scene.promoter;
    let phone = Device::sign_in(router, "sh_promoter").await;
    let name = hash(&scene.photo);
    let total = scene.photo.len();
    let chunk = &scene.photo[..CHUNK_BYTES];
    let (a, b) = tokio::join!(
        tablet.put(router, &name, report, (0, total), "image/jpeg", chunk),
        phone.put(router, &name, report, (0, total), "image/jpeg", chunk),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let refused = if a.status == StatusCode::CONFLICT {
        &a
    } else {
        &b
    };
    assert_eq!(refused.json()["received"], CHUNK_BYTES);
    assert_eq!(scene.stored_chunks().await, 1);
    // Either device finishes it from where it stands.
    let rest = &scene.photo[CHUNK_BYTES..];
    for (i, chunk) in rest.chunks(CHUNK_BYTES).enumerate() {
        let answer = phone
            .put(
                router,
                &name,
                report,
                ((i + 1) * CHUNK_BYTES, total),
                "image/jpeg",
                chunk,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    }
    let read = tablet.read(router, &name, report).await;
    assert_eq!(hash(&read.body), name);
}

async fn uploads_abandoned_for_a_week_are_deleted(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (router, device, report) = (scene.router(), &scene.promoter, &scene.report);
    let name = hash(&scene.photo);
    device
        .put(
            router,
            &name,
            report,
            (0, scene.photo.len()),
            "image/jpeg",
            &scene.photo[..CHUNK_BYTES],
        )
        .await;
    device
        .upload(router, report, "image/png", &scene.competitor)
        .await;
    assert_eq!(scene.stored_chunks().await, 2);

    let now = world::now_millis() as i64;
    let mut conn = scene.world.storage.writer().await.unwrap();
    assert_eq!(forget_stale_uploads(&mut conn, now).await.unwrap(), 0);
    let a_week_on = now + STALE_UPLOAD_MILLIS + 60_000;
    assert_eq!(forget_stale_uploads(&mut conn, a_week_on).await.unwrap(), 1);
    drop(conn);

    assert_status(&device.status(router, &name, report).await, 0, None, false);
    assert_eq!(scene.stored_chunks().await, 1, "complete files stay");
    let read = device.read(router, &hash(&scene.competitor), report).await;
    assert_eq!(read.status, StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_states_the_attachment_operations_and_their_limits() {
    let (_dir, router) = empty_router().await;
    let answer = send(
        &router,
        "GET",
        "/api/v1/openapi.json",
        None,
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc = answer.json();
    let file = &doc["paths"]["/api/v1/attachments/{hash}"];
    let upload = &doc["paths"]["/api/v1/attachments/{hash}/upload"]["get"];
    for (operation, statuses) in [
        (
            &file["put"],
            &[
                "200", "400", "401", "403", "404", "409", "413", "415", "422",
            ][..],
        ),
        (&file["get"], &["200", "400", "401", "404"][..]),
        (upload, &["200", "400", "401", "403", "404"][..]),
    ] {
        for status in statuses {
            assert!(
                operation["responses"][status].is_object(),
                "{status} missing: {operation}"
            );
        }
        let collection = operation["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "collection")
            .unwrap();
        assert_eq!(collection["schema"]["enum"], json!(["promotion_reports"]));
    }
    let total = file["put"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "total")
        .unwrap();
    assert_eq!(total["schema"]["maximum"], MAX_BYTES);
    let kinds: Vec<&String> = file["put"]["requestBody"]["content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(kinds, ["image/jpeg", "image/png", "image/webp"]);

    // Other methods are a JSON 405 that says which are allowed.
    let path = format!("/api/v1/attachments/{}", hash(b"x"));
    let answer = send(&router, "DELETE", &path, None, None, Vec::new()).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "method_not_allowed");
    let allowed = answer.header(header::ALLOW);
    assert!(
        allowed.contains("GET") && allowed.contains("PUT"),
        "{allowed}"
    );
}

/// The router over an empty SQLite database, for what needs no company.
async fn empty_router() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), r#"<head><base href="/" /></head>"#).unwrap();
    let storage = Storage::open(&StorageArgs {
        data_dir: dir.path().join("data"),
        database_url: None,
    })
    .await
    .unwrap();
    let router = app(AppState::new(
        storage,
        WebApp::load(&dist, BasePath::root()).unwrap(),
    ));
    (dir, router)
}

on_both_backends!(
    a_photo_uploaded_in_chunks_resumes_where_the_connection_dropped,
    bytes_that_do_not_match_their_name_are_refused_and_nothing_is_kept,
    only_images_within_the_limits_are_taken,
    a_file_is_reached_only_through_a_record_its_caller_sees_that_names_it,
    a_file_named_again_by_another_record_is_not_uploaded_again,
    two_devices_sending_the_same_first_chunk_at_once_store_it_once,
    uploads_abandoned_for_a_week_are_deleted,
);
