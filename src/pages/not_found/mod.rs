//! Shown for any client route that does not exist (yet): says so plainly and offers the way home.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{
    i18n::{use_i18n, Key},
    mount::use_mount,
};

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let pathname = use_location().pathname;
    view! {
        <section class="page">
            <h1 class="page-title">{move || i18n.t(Key::NotFoundTitle)}</h1>
            <p>{move || i18n.format(Key::NotFoundBody, &[("path", &pathname.get())])}</p>
            <p><A href=mount.href("/") attr:class="button">{move || i18n.t(Key::NotFoundHome)}</A></p>
        </section>
    }
}
