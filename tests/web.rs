//! The web app in a real headless Chromium (wasm-bindgen-test): the shell mounts, switching language
//! changes the visible text, and the home page tells an administrator the truth when the server's API
//! is not there.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Lets effects, timers and fetches run.
async fn wait(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                duration.as_millis() as i32,
            )
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Polls until `probe` holds, for at most two seconds; the browser decides when rendering happens.
async fn eventually(what: &str, probe: impl Fn() -> bool) {
    for _ in 0..100 {
        if probe() {
            return;
        }
        wait(Duration::from_millis(20)).await;
    }
    panic!(
        "timed out waiting until {what}; page text: {}",
        text_of("body")
    );
}

fn text_of(selector: &str) -> String {
    document()
        .query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// A session as the sign-in page leaves it on the device.
const SESSION: &str = r#"{"token":"test-token","expires_at":"2027-01-01T00:00:00.000Z",
  "user":{"user_id":"0193b3c4-7a1e-7000-8000-000000000001","login":"wang","name":"王伟",
  "role":"sales_rep","unit_id":"0193b3c4-7a1e-7000-8000-000000000002"}}"#;

/// The same person as an administrator, who alone sees the server's diagnostics on the home page.
const ADMIN_SESSION: &str = r#"{"token":"test-token","expires_at":"2027-01-01T00:00:00.000Z",
  "user":{"user_id":"0193b3c4-7a1e-7000-8000-000000000001","login":"wang","name":"王伟",
  "role":"admin","unit_id":"0193b3c4-7a1e-7000-8000-000000000002"}}"#;

/// Mounts a fresh app with the given stored language, signed in or not; the handle unmounts it
/// when dropped.
fn mount(
    stored_locale: &str,
    signed_in: bool,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    mount_as(stored_locale, signed_in.then_some(SESSION))
}

/// As `mount`, signed in with `session` when there is one.
fn mount_as(
    stored_locale: &str,
    session: Option<&str>,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    storage.set_item("yingxiao.locale", stored_locale).unwrap();
    if let Some(session) = session {
        storage.set_item("yingxiao.session", session).unwrap();
    }
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host, yingxiao::App)
}

#[wasm_bindgen_test]
async fn shell_mounts_with_navigation_and_the_home_page() {
    let _app = mount("zh-CN", true);
    eventually("the home heading shows", || text_of("h1") == "概览").await;
    let nav = text_of("nav");
    assert!(
        nav.contains("首页") && nav.contains("设置"),
        "nav was {nav:?}"
    );
    // A sales rep's home has no server diagnostics.
    assert!(document()
        .query_selector("[data-testid=server-card]")
        .unwrap()
        .is_none());
    assert_eq!(
        document()
            .document_element()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("zh-CN")
    );
}

#[wasm_bindgen_test]
async fn switching_language_changes_visible_text_and_is_stored() {
    let _app = mount("zh-CN", true);
    eventually("the home heading shows", || text_of("h1") == "概览").await;
    let toggle: HtmlElement = document()
        .query_selector("button.language-toggle")
        .unwrap()
        .expect("a language toggle in the top bar")
        .unchecked_into();
    toggle.click();
    eventually("the heading is in English", || text_of("h1") == "Overview").await;
    assert!(text_of("nav").contains("Settings"));
    assert_eq!(document().title(), "Yingxiao Marketing");
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("yingxiao.locale")
        .unwrap();
    assert_eq!(stored.as_deref(), Some("en"));
}

#[wasm_bindgen_test]
async fn home_says_the_server_is_unreachable_when_the_api_is_missing() {
    // The test runner's web server has no /api/v1/health: the page must not pretend to be connected.
    let _app = mount_as("en", Some(ADMIN_SESSION));
    eventually("the connection check finishes", || {
        let status = text_of("[data-testid=server-status]");
        !status.is_empty() && status != "Checking…"
    })
    .await;
    assert_eq!(
        text_of("[data-testid=server-status]"),
        "Cannot reach the server"
    );
    assert_eq!(text_of("[data-testid=server-version]"), "—");
    assert_eq!(
        text_of("[data-testid=signed-in-as]"),
        "王伟 · Administrator"
    );
}

#[wasm_bindgen_test]
async fn without_a_session_the_app_asks_for_sign_in_without_navigation() {
    let _app = mount("zh-CN", false);
    eventually("the sign-in form shows", || {
        document()
            .query_selector("input[name=password]")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(text_of("h1"), "登录营销管理系统");
    assert!(document().query_selector("nav").unwrap().is_none());
}
