//! Entry point of the wasm bundle trunk builds: mounts the app and removes the boot splash.

fn main() {
    console_error_panic_hook::set_once();
    // The same module runs the import's worker (`data::import`), where there is no page to draw.
    if yingxiao::data::import::in_worker() {
        yingxiao::data::import::serve();
        return;
    }
    leptos::mount::mount_to_body(yingxiao::App);
    if let Some(splash) = leptos::prelude::document().get_element_by_id("boot") {
        splash.remove();
    }
}
