//! The OpenAPI 3.1 document, generated from the handlers' annotations and the shared wire types,
//! served at `/api/v1/openapi.json`.

use axum::{extract::State, Json};
use utoipa::{
    openapi::{
        security::{Http, HttpAuthScheme, SecurityScheme},
        RefOr, Schema, Server,
    },
    Modify, OpenApi,
};

use super::{auth, error::ErrorBody, health, sync, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Yingxiao 营销 API",
        description = "Sign-in and the sync endpoint of the Yingxiao marketing management system. \
            Every path lives under the server's base path."
    ),
    paths(
        health::health,
        auth::login,
        auth::logout,
        auth::current_user,
        sync::push,
        sync::pull,
        document,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth, &LoginLimits),
    tags((name = "sync", description = "Server-authoritative push and pull"), (name = "auth"), (name = "system"))
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

/// The sign-in limits the handler enforces, written into core's `LoginRequest` schema here: core
/// stays free of server rules, and fuzzers and clients still see them.
struct LoginLimits;

impl Modify for LoginLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(RefOr::T(Schema::Object(request))) = openapi
            .components
            .as_mut()
            .and_then(|components| components.schemas.get_mut("LoginRequest"))
        else {
            return;
        };
        for (field, max) in [
            ("login", auth::MAX_LOGIN_CHARS),
            ("password", auth::MAX_PASSWORD_CHARS),
        ] {
            if let Some(RefOr::T(Schema::Object(property))) = request.properties.get_mut(field) {
                property.max_length = Some(max);
            }
        }
        if let Some(RefOr::T(Schema::Object(login))) = request.properties.get_mut("login") {
            login.min_length = Some(1);
        }
    }
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
