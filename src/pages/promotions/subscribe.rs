//! Subscribing a calendar app (Outlook, Apple, Google) to one's promotions: the server makes a secret
//! address, shown once here to copy; making a new one or ending it stops the old address at once.
//! It needs the network; a refusal or an offline device is said, not hidden.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    data::server::{end_calendar_feed, start_calendar_feed},
    i18n::{use_i18n, Key},
    session::use_session,
};

#[component]
pub fn Subscribe() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let open = RwSignal::new(false);
    let address = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let start = move |_| {
        let Some(token) = session.get_untracked().map(|s| s.token) else {
            return;
        };
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            match start_calendar_feed(&token).await {
                // The calendar app shows the promotions' kind and status in the user's language.
                Ok(url) => address.set(Some(match i18n.locale_untracked() {
                    yingxiao_core::locale::Locale::En => format!("{url}?lang=en"),
                    yingxiao_core::locale::Locale::ZhCn => url,
                })),
                Err(error) => message.set(Some(
                    i18n.format(Key::PromotionsFeedFailed, &[("error", &error.to_string())]),
                )),
            }
            busy.set(false);
        });
    };
    let end = move |_| {
        let Some(token) = session.get_untracked().map(|s| s.token) else {
            return;
        };
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            match end_calendar_feed(&token).await {
                Ok(()) => {
                    address.set(None);
                    message.set(Some(i18n.t(Key::PromotionsFeedEnded).to_owned()));
                }
                Err(error) => message.set(Some(
                    i18n.format(Key::PromotionsFeedFailed, &[("error", &error.to_string())]),
                )),
            }
            busy.set(false);
        });
    };
    let copy = move |_| {
        if let (Some(url), Some(window)) = (address.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&url);
            message.set(Some(i18n.t(Key::PromotionsFeedCopied).to_owned()));
        }
    };

    view! {
        <button type="button" class="button" data-testid="calendar-subscribe"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>
            {move || i18n.t(Key::PromotionsFeed)}
        </button>
        <Show when=move || open.get()>
            <div class="card calendar-feed" data-testid="calendar-feed" role="region" aria-labelledby="calendar-feed-title">
                <h2 id="calendar-feed-title">{move || i18n.t(Key::PromotionsFeedTitle)}</h2>
                <p class="hint">{move || i18n.t(Key::PromotionsFeedHelp)}</p>
                {move || address.get().map(|url| view! {
                    <div class="field">
                        <label for="calendar-feed-url">{move || i18n.t(Key::PromotionsFeedAddress)}</label>
                        <input id="calendar-feed-url" type="text" readonly prop:value=url data-testid="calendar-feed-url"
                            on:focus=move |ev| { event_target::<web_sys::HtmlInputElement>(&ev).select(); } />
                    </div>
                })}
                <div class="form-actions">
                    <button type="button" class="button button-primary" data-testid="calendar-feed-start"
                        disabled=move || busy.get() on:click=start>
                        {move || if address.with(Option::is_some) { i18n.t(Key::PromotionsFeedRenew) } else { i18n.t(Key::PromotionsFeedStart) }}
                    </button>
                    <Show when=move || address.with(Option::is_some)>
                        <button type="button" class="button" on:click=copy>{move || i18n.t(Key::PromotionsFeedCopy)}</button>
                    </Show>
                    <button type="button" class="button button-danger" data-testid="calendar-feed-end"
                        disabled=move || busy.get() on:click=end>
                        {move || i18n.t(Key::PromotionsFeedEnd)}
                    </button>
                </div>
                {move || message.get().map(|m| view! { <p class="hint" role="status" data-testid="calendar-feed-message">{m}</p> })}
            </div>
        </Show>
    }
}
