//! Entry point of the wasm bundle trunk builds: mounts the app and removes the boot splash.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(yingxiao::App);
    if let Some(splash) = leptos::prelude::document().get_element_by_id("boot") {
        splash.remove();
    }
}
