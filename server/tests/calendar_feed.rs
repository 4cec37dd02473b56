//! The calendar subscription through the real router: a user starts a feed, a calendar app reads it
//! without signing in and gets exactly the promotions that user's pull gets (cancelled ones aside);
//! a new feed ends the old address, ending it answers nothing, a malformed address is a 400. And the
//! start-up fix-up gives promotions stored before the store rule their stores' units.

mod common;
#[path = "common/world.rs"]
mod world;

use std::collections::BTreeSet;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use common::Backend;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use yingxiao_core::scope::ScopeFacts;

use world::{demo_world, Device};

/// A request through the router; the status, the content type and the body as text.
async fn send(
    router: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, String, String) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8_lossy(&bytes).into_owned())
}

/// The record ids of a feed's events (UIDs are `<id>@yingxiao`).
fn uids(file: &str) -> BTreeSet<String> {
    file.lines()
        .filter_map(|l| l.trim_end().strip_prefix("UID:"))
        .map(|uid| uid.trim_end_matches("@yingxiao").to_owned())
        .collect()
}

/// The promotions a user's pull gets, cancelled ones aside.
async fn pulled_promotions(device: &Device, router: &Router) -> BTreeSet<String> {
    device
        .pull_everything(router)
        .await
        .into_iter()
        .filter(|((collection, _), record)| {
            collection == "promotions" && record["fields"]["status"] != "cancelled"
        })
        .map(|((_, id), _)| id)
        .collect()
}

async fn a_feed_shows_what_its_user_sees_until_it_is_ended(backend: Backend) {
    let world = demo_world(backend).await;
    let router = &world.router;
    let (status, _, _) = send(router, "POST", "/api/v1/calendar/feed", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for login in ["hq", "sh_promoter", "sh_rep"] {
        let device = Device::sign_in(router, login).await;
        let (status, _, body) =
            send(router, "POST", "/api/v1/calendar/feed", Some(&device.token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let path = serde_json::from_str::<Value>(&body).unwrap()["path"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, kind, file) = send(router, "GET", &path, None).await;
        assert_eq!(status, StatusCode::OK, "{login}: {file}");
        assert_eq!(kind, "text/calendar; charset=utf-8");
        assert!(file.starts_with("BEGIN:VCALENDAR\r\n"));
        let expected = pulled_promotions(&device, router).await;
        assert_eq!(uids(&file), expected, "{login}");
        // The same events in English when the address asks for it; another language is a 400.
        let (status, _, english) = send(router, "GET", &format!("{path}?lang=en"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(uids(&english), expected, "{login}");
        assert!(
            english.contains("X-WR-CALNAME:Yingxiao promotions"),
            "{english:.300}"
        );
        assert!(file.contains("X-WR-CALNAME:营销促销日历"));
        if !expected.is_empty() {
            assert!(
                english.contains("Budget") || english.contains("Status"),
                "{english:.600}"
            );
        }
        let (status, _, body) = send(router, "GET", &format!("{path}?lang=fr"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        if login == "hq" {
            assert!(!expected.is_empty(), "the demo company has promotions");
        }

        // A new feed ends the old address; ending it answers nothing, twice is a 404.
        let (_, _, again) =
            send(router, "POST", "/api/v1/calendar/feed", Some(&device.token)).await;
        let new_path = serde_json::from_str::<Value>(&again).unwrap()["path"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ne!(new_path, path);
        assert_eq!(
            send(router, "GET", &path, None).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(send(router, "GET", &new_path, None).await.0, StatusCode::OK);
        let (status, _, _) = send(
            router,
            "DELETE",
            "/api/v1/calendar/feed",
            Some(&device.token),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(
            send(router, "GET", &new_path, None).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, _, _) = send(
            router,
            "DELETE",
            "/api/v1/calendar/feed",
            Some(&device.token),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _, body) = send(
        router,
        "GET",
        "/api/v1/calendar/feeds/not-a-token.ics",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let made_up = format!("/api/v1/calendar/feeds/{}.ics", "A".repeat(43));
    assert_eq!(
        send(router, "GET", &made_up, None).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn promotions_stored_before_the_store_rule_get_their_stores_units(backend: Backend) {
    let world = demo_world(backend).await;
    let read = || async {
        let rows = sqlx::query(
            "SELECT id, scope FROM records WHERE collection = 'promotions' AND deleted = 0 ORDER BY id",
        )
        .fetch_all(&world.storage.pool)
        .await
        .unwrap();
        rows.into_iter()
            .map(|row| {
                use sqlx::Row;
                let scope: ScopeFacts =
                    serde_json::from_str(&row.try_get::<String, _>(1).unwrap()).unwrap();
                (row.try_get::<String, _>(0).unwrap(), scope)
            })
            .collect::<Vec<_>>()
    };
    let written = read().await;
    assert!(written
        .iter()
        .any(|(_, scope)| !scope.store_units.is_empty()));
    // As a server before the rule stored them.
    for (id, scope) in &written {
        let old = ScopeFacts {
            store_units: Vec::new(),
            ..scope.clone()
        };
        sqlx::query("UPDATE records SET scope = $1 WHERE collection = 'promotions' AND id = $2")
            .bind(serde_json::to_string(&old).unwrap())
            .bind(id)
            .execute(&world.storage.pool)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM fixups")
        .execute(&world.storage.pool)
        .await
        .unwrap();
    let mut conn = world.storage.writer().await.unwrap();
    yingxiao_server::fixups::run(&mut conn).await.unwrap();
    drop(conn);
    assert_eq!(read().await, written);
}

on_both_backends!(
    a_feed_shows_what_its_user_sees_until_it_is_ended,
    promotions_stored_before_the_store_rule_get_their_stores_units,
);
