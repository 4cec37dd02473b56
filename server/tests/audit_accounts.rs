//! The audit trail and sign-in accounts from the browser, through the real router on the demo
//! company, on SQLite and PostgreSQL: an edit's entry names its author, device and fields; a rep
//! sees only the history of records in their scope; filters are checked. The admin gives a person
//! an account, who signs in; disabling it ends their open session; a rep may manage no account. A
//! login in any script signs in whatever case or accent encoding it is typed in.

mod common;
#[path = "common/world.rs"]
mod world;

use common::{post, Backend};
use world::{demo_world, Company, Device, World};

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use yingxiao_server::admin::new_id;

const TABLET: &str = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

async fn get(router: &Router, path: &str, token: &str) -> (StatusCode, Value) {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Pushes from a tablet's browser (its User-Agent names the device).
async fn push_from_tablet(w: &World, device: &Device, mutation: Value) {
    let body = json!({"client_id": device.client_id, "mutations": [mutation]});
    let request = Request::post("/api/v1/sync/push")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, TABLET)
        .header(header::AUTHORIZATION, format!("Bearer {}", device.token))
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = w.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["outcomes"][0]["outcome"], "applied", "{body}");
}

fn own_customer(company: &Company, rep: &str) -> String {
    company
        .all("customers")
        .find(|(_, c)| world::text(c, "owner_id") == Some(rep))
        .map(|(id, _)| id.to_owned())
        .expect("the rep owns a customer")
}

async fn the_trail_names_author_device_and_fields_within_the_readers_scope(backend: Backend) {
    let w = demo_world(backend).await;
    let company = Company::load(&w.storage).await;
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    let admin = Device::sign_in(&w.router, "admin").await;
    let promoter = Device::sign_in(&w.router, "sh_promoter").await;
    let customer = own_customer(&company, &company.user_id("sh_rep"));
    push_from_tablet(
        &w,
        &rep,
        rep.set_fields("customers", &customer, json!({"phone": "13800001111"})),
    )
    .await;

    let path = format!("/api/v1/audit?collection=customers&record={customer}");
    for reader in [&admin, &rep] {
        let (status, page) = get(&w.router, &path, &reader.token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let entry = &page["entries"][0];
        assert_eq!(
            entry["user_id"],
            company.user_id("sh_rep").as_str(),
            "{page}"
        );
        assert_eq!(
            entry["user_name"],
            company.get("users", &company.user_id("sh_rep")).unwrap()["name"]
        );
        assert_eq!(entry["device"], "Chrome · Android");
        assert_eq!(entry["client_id"], rep.client_id.as_str());
        assert_eq!(entry["action"], "set_fields");
        assert_eq!(
            entry["changes"],
            json!([{"field": "phone", "value": "13800001111"}])
        );
        assert!(entry["made_at"].as_str().unwrap().ends_with('Z'));
    }
    // The rep's whole trail holds only records the rep sees; a promoter does not see the rep's
    // customer's history at all.
    let (_, page) = get(&w.router, &path, &promoter.token).await;
    assert_eq!(page["entries"], json!([]), "{page}");
    let (_, everything) = get(&w.router, "/api/v1/audit?limit=200", &rep.token).await;
    let seen = Device::pull_everything(&rep, &w.router).await;
    for entry in everything["entries"].as_array().unwrap() {
        let key = (
            entry["collection"].as_str().unwrap().to_owned(),
            entry["record_id"].as_str().unwrap().to_owned(),
        );
        assert!(seen.contains_key(&key), "the rep was shown {key:?}");
    }
    // Pages follow one another without repeating.
    let (_, first) = get(&w.router, "/api/v1/audit?limit=2", &admin.token).await;
    let next = first["next"].as_str().expect("more than two entries");
    let (_, second) = get(
        &w.router,
        &format!("/api/v1/audit?limit=2&before={next}"),
        &admin.token,
    )
    .await;
    assert_ne!(first["entries"][0], second["entries"][0]);
    assert_eq!(second["entries"].as_array().unwrap().len(), 2);

    for bad in [
        "/api/v1/audit?collection=secrets",
        "/api/v1/audit?from=yesterday",
        "/api/v1/audit?limit=5000",
        "/api/v1/audit?before=nonsense",
    ] {
        let (status, body) = get(&w.router, bad, &admin.token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"]["message"].as_str().is_some());
    }
}

async fn the_admin_gives_an_account_and_disabling_it_ends_the_session(backend: Backend) {
    let w = demo_world(backend).await;
    let company = Company::load(&w.storage).await;
    let admin = Device::sign_in(&w.router, "admin").await;
    let rep = Device::sign_in(&w.router, "sh_rep").await;
    // The admin adds the person (a user record, synced like any record)…
    let person = new_id();
    let unit = company.role_and_unit(&company.user_id("sh_rep")).1;
    admin
        .push_applied(
            &w.router,
            vec![admin.create(
                "users",
                &person,
                json!({"name": "新同事", "login": "xin.tongshi", "role": "sales_rep", "unit_id": unit, "active": true}),
            )],
        )
        .await;
    let account = format!("/api/v1/accounts/{person}");
    let (status, _) = get(&w.router, &account, &admin.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no account yet");
    // …a rep may not give them an account…
    let give = json!({"login": "xin.tongshi", "password": "first-pass-1"});
    let (status, _) = post(&w.router, &account, Some(&rep.token), give.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // …the admin does, with checks on the login and password.
    let (status, _) = post(
        &w.router,
        &account,
        Some(&admin.token),
        json!({"login": "sh_rep", "password": "first-pass-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "the login is taken");
    let (status, _) = post(
        &w.router,
        &account,
        Some(&admin.token),
        json!({"login": "xin.tongshi", "password": "short"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, state) = post(&w.router, &account, Some(&admin.token), give.clone()).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["login"], "xin.tongshi");
    let (status, _) = post(&w.router, &account, Some(&admin.token), give).await;
    assert_eq!(status, StatusCode::CONFLICT, "one account per person");

    // The person signs in; the record now carries the login.
    let newcomer = Device::sign_in_with(&w.router, "xin.tongshi", "first-pass-1").await;
    let (status, _) = get(&w.router, "/api/v1/me", &newcomer.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        world::text(
            Company::load(&w.storage)
                .await
                .get("users", &person)
                .unwrap(),
            "login"
        ),
        Some("xin.tongshi")
    );

    // Disabled: the open session stops working at once, and signing in is refused.
    let (status, state) = post(
        &w.router,
        &format!("{account}/disable"),
        Some(&admin.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(
        (state["disabled"].as_bool(), state["sessions"].as_i64()),
        (Some(true), Some(0))
    );
    let (status, _) = get(&w.router, "/api/v1/me", &newcomer.token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &w.router,
        "/api/v1/auth/login",
        None,
        json!({"login": "xin.tongshi", "password": "first-pass-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        Company::load(&w.storage)
            .await
            .get("users", &person)
            .unwrap()["active"],
        json!(false)
    );

    // Enabled with a new password: the old one no longer works, the new one does.
    let (status, _) = post(
        &w.router,
        &format!("{account}/enable"),
        Some(&admin.token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post(
        &w.router,
        &format!("{account}/password"),
        Some(&admin.token),
        json!({"password": "second-pass-2"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    Device::sign_in_with(&w.router, "xin.tongshi", "second-pass-2").await;

    // The admin may not lock themselves out.
    let own = format!("/api/v1/accounts/{}/disable", company.user_id("admin"));
    let (status, body) = post(&w.router, &own, Some(&admin.token), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = get(
        &w.router,
        &format!("/api/v1/accounts/{}", new_id()),
        &admin.token,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_login_in_any_script_signs_in_whatever_its_case_or_accent_encoding(backend: Backend) {
    let w = demo_world(backend).await;
    let company = Company::load(&w.storage).await;
    let admin = Device::sign_in(&w.router, "admin").await;
    let person = new_id();
    let unit = company.role_and_unit(&company.user_id("sh_rep")).1;
    admin
        .push_applied(
            &w.router,
            vec![admin.create(
                "users",
                &person,
                json!({"name": "José García", "login": "josé", "role": "sales_rep", "unit_id": unit, "active": true}),
            )],
        )
        .await;
    let account = format!("/api/v1/accounts/{person}");
    // A character no login has is named; the admin's capital is stored as sign-in compares it.
    let (status, body) = post(
        &w.router,
        &account,
        Some(&admin.token),
        json!({"login": "jo/sé", "password": "first-pass-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("“/”"),
        "{body}"
    );
    let give = json!({"login": "José", "password": "first-pass-1"});
    let (status, state) = post(&w.router, &account, Some(&admin.token), give).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["login"], "josé");

    // In capitals, or with the accent as a letter of its own (as macOS writes it): the same person.
    for typed in ["JOSÉ", "jose\u{301}", " JOSE\u{301} "] {
        let device = Device::sign_in_with(&w.router, typed, "first-pass-1").await;
        let (status, me) = get(&w.router, "/api/v1/me", &device.token).await;
        assert_eq!(status, StatusCode::OK, "{typed:?}");
        assert_eq!(
            (me["user_id"].as_str(), me["login"].as_str()),
            (Some(person.as_str()), Some("josé")),
            "{typed:?}"
        );
    }
    // Text no login can be is the usual answer, not a different one.
    let (status, _) = post(
        &w.router,
        "/api/v1/auth/login",
        None,
        json!({"login": "jo/sé", "password": "first-pass-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

on_both_backends!(
    the_trail_names_author_device_and_fields_within_the_readers_scope,
    the_admin_gives_an_account_and_disabling_it_ends_the_session,
    a_login_in_any_script_signs_in_whatever_its_case_or_accent_encoding,
);
