//! Installing the app to a tablet's home screen: Safari may clear a site's storage after seven days
//! without use unless the app is installed, and an installed app opens like any other on the tablet.
//! Where the browser offers its own install prompt (`beforeinstallprompt`, Chromium), the hint has a
//! button for it; elsewhere it says where the browser keeps the command. Shown until installed or
//! put away on this device.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::{prelude::*, JsCast};

use crate::i18n::{use_i18n, Key};

/// Whether the hint was put away on this device.
const DISMISSED_KEY: &str = "yingxiao.install-hint-dismissed";

thread_local! {
    /// The browser's deferred install prompt, once it offered one.
    static PROMPT: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Keeps the browser's install prompt for later (call once at start).
pub fn listen_for_install_prompt() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let keep = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        event.prevent_default();
        PROMPT.with(|p| *p.borrow_mut() = Some(event.into()));
    });
    let _ = window
        .add_event_listener_with_callback("beforeinstallprompt", keep.as_ref().unchecked_ref());
    keep.forget();
}

fn installed() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(display-mode: standalone)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[component]
pub fn InstallHint() -> impl IntoView {
    let i18n = use_i18n();
    let dismissed = storage()
        .and_then(|s| s.get_item(DISMISSED_KEY).ok().flatten())
        .is_some();
    let shown = RwSignal::new(!dismissed && !installed());
    let can_prompt = PROMPT.with(|p| p.borrow().is_some());
    let dismiss = move || {
        if let Some(s) = storage() {
            let _ = s.set_item(DISMISSED_KEY, "1");
        }
        shown.set(false);
    };
    let install = move || {
        let Some(prompt) = PROMPT.with(|p| p.borrow_mut().take()) else {
            return;
        };
        if let Ok(show) = js_sys::Reflect::get(&prompt, &"prompt".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = show.call0(&prompt);
        }
        shown.set(false);
    };
    view! {
        <Show when=move || shown.get()>
            <aside class="card install-hint" data-testid="install-hint" aria-labelledby="install-heading">
                <h2 id="install-heading">{move || i18n.t(Key::InstallHeading)}</h2>
                <p>{move || i18n.t(Key::InstallWhy)}</p>
                {if can_prompt {
                    view! {
                        <div class="form-actions">
                            <button type="button" class="button button-primary touch" on:click=move |_| install()>{move || i18n.t(Key::InstallButton)}</button>
                            <button type="button" class="button touch" on:click=move |_| dismiss()>{move || i18n.t(Key::InstallLater)}</button>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <ul class="install-steps">
                            <li>{move || i18n.t(Key::InstallSafari)}</li>
                            <li>{move || i18n.t(Key::InstallChrome)}</li>
                        </ul>
                        <div class="form-actions">
                            <button type="button" class="button touch" on:click=move |_| dismiss()>{move || i18n.t(Key::InstallDone)}</button>
                        </div>
                    }.into_any()
                }}
            </aside>
        </Show>
    }
}
