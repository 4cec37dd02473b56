//! The OpenAPI 3.1 document, generated from the handlers' annotations and the shared wire types,
//! served at `/api/v1/openapi.json`.

use std::collections::BTreeMap;

use axum::{extract::State, Json};
use utoipa::{
    openapi::{
        security::{Http, HttpAuthScheme, SecurityScheme},
        Object, RefOr, Schema, Server,
    },
    Modify, Number, OpenApi,
};
use yingxiao_core::{
    account::MAX_LOGIN_CHARS,
    attachment,
    domain::Collection,
    sync::protocol::{MAX_MUTATIONS_PER_PUSH, MAX_PULL_LIMIT},
};

use super::{accounts, attachments, auth, calendar, error::ErrorBody, health, sync, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Yingxiao 营销 API",
        description = "Sign-in, the sync endpoint and attachments of the Yingxiao marketing management system. \
            Every path lives under the server's base path."
    ),
    paths(
        health::health,
        auth::login,
        auth::sso_header,
        auth::oidc_start,
        auth::oidc_callback,
        auth::oidc_session,
        accounts::trail,
        accounts::account,
        accounts::give_account,
        accounts::disable,
        accounts::enable,
        accounts::reset_password,
        auth::logout,
        auth::current_user,
        sync::push,
        sync::pull,
        calendar::start_feed,
        calendar::end_feed,
        calendar::read_feed,
        attachments::put_chunk,
        attachments::upload_status,
        attachments::read,
        document,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth, &ServerLimits),
    tags((name = "sync", description = "Server-authoritative push and pull"), (name = "auth"), (name = "calendar", description = "Subscribing a calendar app to one's promotions"), (name = "attachments", description = "Files named from records by their SHA-256: chunked, resumable uploads and reads"), (name = "system"), (name = "audit", description = "Who changed what, when and from which device"), (name = "accounts", description = "People's sign-in accounts, for administrators"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Limits the server enforces on core's wire types, written into their schemas here: core stays free
/// of server rules, and fuzzers and clients still see what is refused (a schema-valid request must
/// not be answered 422).
struct ServerLimits;

impl Modify for ServerLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let schemas = &mut components.schemas;
        if let Some(login) = property(schemas, "LoginRequest", "login") {
            login.min_length = Some(1);
            login.max_length = Some(MAX_LOGIN_CHARS);
            // Something besides white space, and no NUL (which PostgreSQL text cannot hold).
            login.pattern = Some(r"^[^\u0000]*[^\s\u0000][^\u0000]*$".into());
        }
        if let Some(password) = property(schemas, "LoginRequest", "password") {
            password.max_length = Some(auth::MAX_PASSWORD_CHARS);
        }
        if let Some(limit) = property(schemas, "PullRequest", "limit") {
            limit.minimum = Some(Number::UInt(1));
            limit.maximum = Some(Number::UInt(MAX_PULL_LIMIT as usize));
        }
        if let Some(id) = property(schemas, "Mutation", "id") {
            id.minimum = Some(Number::UInt(1));
        }
        if let Some(hlc) = property(schemas, "Mutation", "hlc") {
            // `Hlc`'s wire form: 15 digits of time up to `MAX_MILLIS`, 5 of counter, the node.
            hlc.pattern = Some("^00[0-9]{13}-[0-9]{5}-[A-Za-z0-9_-]{1,64}$".into());
        }
        // Record and client ids are lowercase hyphenated UUIDs (`id::is_record_id`).
        for (schema, field) in [
            ("CreateArgs", "id"),
            ("SetFieldsArgs", "id"),
            ("RecordRef", "id"),
            ("MoveStageArgs", "id"),
            ("RescheduleArgs", "id"),
            ("DecideArgs", "id"),
            ("ReviewArgs", "id"),
            ("ReviewArgs", "reviewer_id"),
            ("StoreMove", "from"),
            ("StoreMove", "to"),
            ("PushRequest", "client_id"),
            ("PullRequest", "client_id"),
        ] {
            if let Some(id) = property(schemas, schema, field) {
                id.pattern = Some(RECORD_ID_PATTERN.into());
            }
        }
        for field in ["starts_on", "ends_on"] {
            if let Some(day) = property(schemas, "RescheduleArgs", field) {
                day.pattern = Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$".into());
            }
        }
        // A cursor is only ever one this server issued: `epoch.version.rejections`.
        if let Some(cursor) = property(schemas, "PullRequest", "cursor") {
            cursor.pattern = Some(r"^[0-9]{1,18}\.[0-9]{1,18}\.[0-9]{1,18}$".into());
        }
        if let Some(status) = property(schemas, "DecideArgs", "status") {
            // Promotions' statuses, and target breakdowns' (`decide_breakdown`).
            let mut values = choice_values(Collection::Promotion, "status");
            for value in choice_values(Collection::Target, "breakdown_status") {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            status.enum_values = Some(values);
        }
        for (field, values) in [
            ("stage", choice_values(Collection::Opportunity, "stage")),
            ("lost_reason", {
                let mut values = choice_values(Collection::Opportunity, "lost_reason");
                values.push(serde_json::Value::Null);
                values
            }),
        ] {
            if let Some(property) = property(schemas, "MoveStageArgs", field) {
                property.enum_values = Some(values);
            }
        }
        if let Some(RefOr::T(Schema::Object(push))) = schemas.get_mut("PushRequest") {
            if let Some(RefOr::T(Schema::Array(mutations))) = push.properties.get_mut("mutations") {
                mutations.max_items = Some(MAX_MUTATIONS_PER_PUSH);
            }
        }
        // A file is reached through a record of a collection that names files.
        let naming: Vec<serde_json::Value> = Collection::ALL
            .into_iter()
            .filter(|c| attachment::names_files(*c))
            .map(|c| serde_json::Value::from(c.as_str()))
            .collect();
        for (_, item) in openapi
            .paths
            .paths
            .iter_mut()
            .filter(|(path, _)| path.starts_with("/api/v1/attachments/"))
        {
            for operation in [item.get.as_mut(), item.put.as_mut()].into_iter().flatten() {
                let parameters = operation.parameters.iter_mut().flatten();
                for parameter in parameters.filter(|p| p.name == "collection") {
                    if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                        schema.enum_values = Some(naming.clone());
                    }
                }
            }
        }
    }
}

const RECORD_ID_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// The wire values of one of a collection's choice fields.
fn choice_values(collection: Collection, field: &str) -> Vec<serde_json::Value> {
    collection
        .field(field)
        .and_then(|f| f.choices())
        .unwrap_or_default()
        .iter()
        .map(|choice| serde_json::Value::from(choice.value))
        .collect()
}

/// A scalar property of a component schema, looking inside `allOf` (flattened structs).
fn property<'a>(
    schemas: &'a mut BTreeMap<String, RefOr<Schema>>,
    schema: &str,
    field: &str,
) -> Option<&'a mut Object> {
    let parts: Vec<&'a mut RefOr<Schema>> = match schemas.get_mut(schema)? {
        RefOr::T(Schema::AllOf(all)) => all.items.iter_mut().collect(),
        other => vec![other],
    };
    parts.into_iter().find_map(|part| match part {
        RefOr::T(Schema::Object(object)) => match object.properties.get_mut(field)? {
            RefOr::T(Schema::Object(property)) => Some(property),
            _ => None,
        },
        _ => None,
    })
}

/// The document, with the base path as its server so clients resolve paths under the mount point.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "system",
    responses((status = 200, description = "This OpenAPI document", content_type = "application/json"))
)]
pub(super) async fn document(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.info.version = yingxiao_core::VERSION.to_owned();
    doc.servers = Some(vec![Server::new(state.base_path().root_href())]);
    Json(doc)
}
