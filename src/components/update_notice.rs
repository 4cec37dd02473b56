//! The notice that a new version of the app is ready, with a button to reload into it. Non-blocking:
//! it floats above the content, and the user may also put it off.

use leptos::prelude::*;

use crate::{
    i18n::{use_i18n, Key},
    sw::AppUpdate,
};

#[component]
pub fn UpdateNotice() -> impl IntoView {
    let i18n = use_i18n();
    let update = expect_context::<AppUpdate>();
    // Shown and hidden rather than inserted (cheaper in the bundle than `Show`); the live region is
    // always in the page, so screen readers announce the notice when it appears.
    view! {
        <div class="update-region" role="status" aria-live="polite">
            <div class="update-notice" data-testid="update-notice" hidden=move || !update.is_ready()>
                <span class="update-text">{move || i18n.t(Key::UpdateReady)}</span>
                <button
                    type="button"
                    class="button button-primary"
                    on:click=move |_| update.reload_into_new_version()
                >
                    {move || i18n.t(Key::UpdateReload)}
                </button>
                <button type="button" class="button button-ghost" on:click=move |_| update.dismiss()>
                    {move || i18n.t(Key::UpdateLater)}
                </button>
            </div>
        </div>
    }
}
