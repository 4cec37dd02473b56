//! The service worker (`sw.js`, written into each build from `web/sw.template.js`): registering it, and
//! noticing when a newer version of the app has been installed and waits to take over this page.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

/// Relative: resolved under `<base href>`, so the worker's scope is the app's base path.
const SCRIPT: &str = "sw.js";
/// The message that lets a waiting worker take over now (`SKIP_WAITING` in `web/sw.template.js`).
const SKIP_WAITING: &str = "skip-waiting";
/// Browsers look for a new `sw.js` on navigation, which a single-page app left open all day on a
/// store's tablet hardly does; so it also asks this often.
const CHECK_FOR_UPDATE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Whether a newer version of the app is installed and waits until this page lets it take over.
#[derive(Clone, Copy)]
pub struct AppUpdate(RwSignal<bool>);

impl AppUpdate {
    pub fn new() -> Self {
        Self(RwSignal::new(false))
    }

    /// Reading it inside a view makes the view follow.
    pub fn is_ready(&self) -> bool {
        self.0.get()
    }

    /// Hides the notice; the new version still takes over once every tab of the app is closed.
    pub fn dismiss(&self) {
        self.0.set(false);
    }

    /// Lets the waiting worker take over, and reloads the page once it controls it.
    pub fn reload_into_new_version(&self) {
        let Some(container) = container() else {
            return reload();
        };
        spawn_local(async move {
            let waiting = JsFuture::from(container.get_registration())
                .await
                .ok()
                .and_then(|found| found.dyn_into::<ServiceWorkerRegistration>().ok())
                .and_then(|registration| registration.waiting());
            // None: another tab has let it take over already, and this page only needs reloading.
            let Some(worker) = waiting else {
                return reload();
            };
            // Listened for only now: the first install also changes the controller, and must not reload.
            let on_controller_change = Closure::<dyn Fn()>::new(reload).into_js_value();
            container.set_oncontrollerchange(Some(on_controller_change.unchecked_ref()));
            if worker
                .post_message(&JsValue::from_str(SKIP_WAITING))
                .is_err()
            {
                reload();
            }
        });
    }
}

impl Default for AppUpdate {
    fn default() -> Self {
        Self::new()
    }
}

fn reload() {
    let _ = window().location().reload();
}

/// `navigator.serviceWorker`, absent in browsers without service workers and on plain-HTTP origins
/// other than localhost (service workers need a secure context).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = window().navigator();
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
        .is_ok_and(|value| !value.is_undefined());
    present.then(|| navigator.service_worker())
}

/// Registers the worker in release builds and watches for new versions. Debug builds (`trunk serve`,
/// the wasm tests) remove a worker left by an earlier release build instead, so a developer never
/// sees a stale cached shell.
pub fn register(update: AppUpdate) {
    let Some(container) = container() else {
        return;
    };
    spawn_local(async move {
        if cfg!(debug_assertions) {
            if let Ok(found) = JsFuture::from(container.get_registration()).await {
                if let Ok(registration) = found.dyn_into::<ServiceWorkerRegistration>() {
                    if let Ok(done) = registration.unregister() {
                        let _ = JsFuture::from(done).await;
                    }
                }
            }
            return;
        }
        // The worker's install takes the wasm from the copy the page's loader keeps (Trunk.toml)
        // rather than downloading it again: registered once that copy is stored (or failed).
        if let Ok(copy) = js_sys::Reflect::get(&window(), &JsValue::from_str("yingxiaoShellCopy")) {
            if let Ok(copy) = copy.dyn_into::<js_sys::Promise>() {
                let _ = JsFuture::from(copy).await;
            }
        }
        // On failure the app works as before, only not offline; the browser's console says why.
        if let Ok(registration) = JsFuture::from(container.register(SCRIPT)).await {
            watch(registration.unchecked_into(), update);
        }
    });
}

fn watch(registration: ServiceWorkerRegistration, update: AppUpdate) {
    // Installed on an earlier visit and still waiting, or found before this page started watching
    // (`updatefound` has fired already and will not again for that worker).
    if registration.waiting().is_some() {
        offer(update);
    } else if let Some(installing) = registration.installing() {
        follow(installing, update);
    }
    let found = registration.clone();
    let on_update_found = Closure::<dyn Fn()>::new(move || {
        if let Some(installing) = found.installing() {
            follow(installing, update);
        }
    })
    .into_js_value();
    registration.set_onupdatefound(Some(on_update_found.unchecked_ref()));
    set_interval(
        move || {
            if let Ok(checked) = registration.update() {
                // Offline the check fails; the next one will do.
                spawn_local(async move {
                    let _ = JsFuture::from(checked).await;
                });
            }
        },
        CHECK_FOR_UPDATE_EVERY,
    );
}

/// Offers a worker being installed once it has installed.
fn follow(installing: ServiceWorker, update: AppUpdate) {
    let worker = installing.clone();
    let on_state_change = Closure::<dyn Fn()>::new(move || {
        if worker.state() == ServiceWorkerState::Installed {
            offer(update);
        }
    })
    .into_js_value();
    installing.set_onstatechange(Some(on_state_change.unchecked_ref()));
}

/// Offers a newly installed version, unless it is the first: with no worker controlling the page there
/// is nothing to replace, and it takes control silently.
fn offer(update: AppUpdate) {
    if container().and_then(|c| c.controller()).is_some() {
        update.0.try_set(true);
    }
}
