//! Inside the company's portal: what the server says about it (`PageConfig`, read once from the
//! page), embed mode, the brand on the page, and the bridge that carries core's `postMessage` API
//! between the app and the portal that frames it (`PortalBridge`). Core decides every rule; this
//! reads the browser and acts.

use leptos::{ev, prelude::*};
use leptos_router::hooks::{use_location, use_navigate};
use wasm_bindgen::{JsCast, JsValue};
use yingxiao_core::{
    brand::Brand,
    embed::{
        messages::{AppMessage, PortalRequest},
        route_for_portal, EmbedMode, FrameAncestors, PageConfig, PAGE_CONFIG_META,
    },
};

use crate::{
    i18n::{use_i18n, Key},
    mount::use_mount,
    prefs::use_theme,
    routes::page_title,
};

/// The tab remembers `?embed=1` here, so deep links inside the frame need not repeat it.
const EMBED_KEY: &str = "yingxiao.embed";

/// How the app sits in its page: embedded or not, the portals it talks to, and the brand shown.
#[derive(Clone, Copy)]
pub struct Embedding {
    /// Only the page content, without the app's navigation and top bar.
    pub on: bool,
    portals: StoredValue<FrameAncestors>,
    /// The configured brand with whatever the portal sent laid over it.
    pub brand: RwSignal<Brand>,
    /// The portal's origin, once known: every message goes to it and no other.
    portal: RwSignal<Option<String>>,
    /// The portal's proxy can sign the user in (`--sso-header`).
    pub header_sign_on: bool,
    /// The company's identity provider can (`--oidc-issuer`).
    pub oidc_sign_on: bool,
}

impl Embedding {
    /// Reads the page's configuration and the address, and remembers embed mode for the tab.
    pub fn start() -> Embedding {
        let config = page_config();
        let session = window().session_storage().ok().flatten();
        let remembered = session
            .as_ref()
            .and_then(|s| s.get_item(EMBED_KEY).ok().flatten())
            .map(|v| v == "1");
        let search = window().location().search().unwrap_or_default();
        let mode = EmbedMode::decide(&search, remembered, config.embed);
        if let (Some(remember), Some(session)) = (mode.remember, &session) {
            let _ = session.set_item(EMBED_KEY, if remember { "1" } else { "0" });
        }
        let portals = FrameAncestors::parse(&config.portals).unwrap_or_default();
        // The server checked its brand at start; one that does not check is not drawn.
        let brand = config.brand.check().unwrap_or_default();
        Embedding {
            on: mode.on,
            portals: StoredValue::new(portals),
            brand: RwSignal::new(brand),
            portal: RwSignal::new(None),
            header_sign_on: config.header_sign_on,
            oidc_sign_on: config.oidc_sign_on,
        }
    }

    /// Whether a page of `origin` may talk to the app: its own origin or a configured portal.
    fn may_talk(&self, origin: &str) -> bool {
        window().location().origin().ok().as_deref() == Some(origin)
            || self.portals.with_value(|p| p.allows(origin))
    }

    /// The origin of the page framing the app, when it is one the app may talk to.
    fn portal_origin(&self) -> Option<String> {
        if let Some(known) = self.portal.get_untracked() {
            return Some(known);
        }
        let location = window().location();
        let ancestor = js_sys::Reflect::get(&location, &JsValue::from_str("ancestorOrigins"))
            .ok()
            .filter(|list| !list.is_undefined())
            .and_then(|list| js_sys::Reflect::get(&list, &JsValue::from_f64(0.0)).ok())
            .and_then(|first| first.as_string());
        let referrer = || {
            let referrer = document().referrer();
            web_sys::Url::new(&referrer).ok().map(|url| url.origin())
        };
        ancestor
            .or_else(referrer)
            .filter(|origin| self.may_talk(origin))
    }

    /// Posts a message to the portal, if the app is framed by one it may talk to.
    fn send(&self, message: &AppMessage) {
        let Some(parent) = framing_parent() else {
            return;
        };
        let Some(origin) = self.portal_origin() else {
            return;
        };
        if let Ok(data) = js_sys::JSON::parse(&message.to_json()) {
            let _ = parent.post_message(&data, &origin);
        }
    }
}

pub fn use_embedding() -> Embedding {
    expect_context::<Embedding>()
}

/// The window framing this one, if any.
fn framing_parent() -> Option<web_sys::Window> {
    let parent = window().parent().ok().flatten()?;
    (JsValue::from(parent.clone()) != JsValue::from(window())).then_some(parent)
}

fn page_config() -> PageConfig {
    document()
        .query_selector(&format!("meta[name=\"{PAGE_CONFIG_META}\"]"))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Sets the brand's custom properties on `<html>` (and removes those it does not set).
pub fn apply_brand(brand: &Brand) {
    let Some(root) = document()
        .document_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = root.style();
    for (name, value) in brand.css_properties() {
        let _ = match value {
            Some(value) => style.set_property(name, &value),
            None => style.remove_property(name).map(|_| ()),
        };
    }
}

/// The address of this page in a tab of its own, outside embed mode.
pub fn own_tab_href() -> String {
    let location = window().location();
    let Ok(url) = web_sys::Url::new(&location.href().unwrap_or_default()) else {
        return String::new();
    };
    url.search_params().set("embed", "0");
    url.href()
}

/// The app's side of the portal API: answers the portal's requests, says when it is ready, where it
/// is and how tall its content is. Drawn once, inside the router (it navigates).
#[component]
pub fn PortalBridge() -> impl IntoView {
    let embedding = use_embedding();
    let i18n = use_i18n();
    let theme = use_theme();
    let mount = use_mount();
    let navigate = use_navigate();
    let location = use_location();
    if framing_parent().is_none() {
        return;
    }
    // Where the app is, as an app path with its query, and that page's title.
    let here = {
        let mount = mount.clone();
        move || {
            let location = window().location();
            let path = location.pathname().unwrap_or_default();
            let app_path = mount.0.strip(&path).unwrap_or("/").to_owned();
            let search = location.search().unwrap_or_default();
            let title = page_title(&app_path, i18n.locale_untracked());
            (route_for_portal(&app_path, &search), title)
        }
    };
    let ready = {
        let here = here.clone();
        move || {
            let (route, title) = here();
            embedding.send(&AppMessage::Ready {
                route,
                title,
                locale: i18n.locale_untracked().tag().to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            });
        }
    };
    ready();
    // Each navigation, and a new language (the title changes), is told.
    Effect::new(move |first: Option<()>| {
        location.pathname.track();
        location.search.track();
        i18n.locale();
        if first.is_some() {
            let (route, title) = here();
            embedding.send(&AppMessage::Route { route, title });
        }
    });
    let handle = window_event_listener(ev::message, move |event: web_sys::MessageEvent| {
        // Only the framing page, from an origin the app may talk to; anything else is not read.
        let Some(parent) = framing_parent() else {
            return;
        };
        let from_parent = event
            .source()
            .is_some_and(|source| JsValue::from(source) == JsValue::from(parent));
        let origin = event.origin();
        if !from_parent || !embedding.may_talk(&origin) {
            return;
        }
        let data = event.data();
        let json = data.as_string().unwrap_or_else(|| {
            js_sys::JSON::stringify(&data)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default()
        });
        let request = match PortalRequest::read(&json) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(error) => {
                embedding.portal.set(Some(origin));
                embedding.send(&AppMessage::Refused {
                    request: PortalRequest::kind_of(&json),
                    reason: error.to_string(),
                });
                return;
            }
        };
        embedding.portal.set(Some(origin));
        match request {
            PortalRequest::Navigate(path) => navigate(&path, Default::default()),
            PortalRequest::Locale(locale) => i18n.set_locale(locale),
            PortalRequest::Theme {
                theme: chosen,
                brand,
            } => {
                if let Some(chosen) = chosen {
                    theme.0.set(chosen);
                }
                if let Some(brand) = brand {
                    embedding
                        .brand
                        .update(|shown| *shown = shown.overlaid(&brand));
                }
            }
            PortalRequest::State => ready(),
        }
    });
    on_cleanup(move || handle.remove());
    watch_height(embedding);
}

/// Tells the portal the content's height whenever it changes, so it can size the frame. Set up once
/// the shell is on the page (effects run after the first render).
fn watch_height(embedding: Embedding) {
    Effect::new(move |_| {
        let Some(shell) = document().query_selector(".shell").ok().flatten() else {
            return;
        };
        let last = StoredValue::new(0u32);
        let measured = shell.clone();
        let measure = move || {
            let height = measured.get_bounding_client_rect().height().ceil() as u32;
            if height != last.get_value() {
                last.set_value(height);
                embedding.send(&AppMessage::Height { height });
            }
        };
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
        let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        observer.observe(&shell);
        let held = send_wrapper::SendWrapper::new((observer, callback));
        on_cleanup(move || held.0.disconnect());
    });
}

/// A link that opens the current page in a tab of its own, outside the portal.
#[component]
pub fn OpenInOwnTab() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let href = move || {
        location.pathname.track();
        location.search.track();
        own_tab_href()
    };
    view! {
        <a
            class="button button-ghost open-own-tab"
            href=href
            target="_blank"
            rel="noopener"
            title=move || i18n.t(Key::EmbedOpenOwnTab)
        >
            {move || i18n.t(Key::EmbedOpenOwnTab)}
        </a>
    }
}
