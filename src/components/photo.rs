//! A photo named by a record (an attachment): the device's copy when it has one, else the server's,
//! with whether the server has it yet (waiting, uploaded or refused with its reason).

use leptos::prelude::*;
use yingxiao_core::domain::Collection;

use crate::{
    data::sync::use_data,
    i18n::{use_i18n, Key},
};

/// A photo of the report, from the device or the server, with whether the server has it.
#[component]
pub fn PhotoTile(
    hash: String,
    /// The record that names the photo, through which the server hands it out.
    collection: Collection,
    #[prop(into)] record: Signal<String>,
    #[prop(optional, into)] caption: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let src = {
        let hash = hash.clone();
        LocalResource::new(move || {
            let (hash, record) = (hash.clone(), record.get());
            async move { data.file_url(&hash, collection, &record).await }
        })
    };
    let state = {
        let hash = hash.clone();
        LocalResource::new(move || {
            data.files_waiting.get();
            let hash = hash.clone();
            async move { data.local_file(&hash).await.ok().flatten() }
        })
    };
    let alt = caption.clone().unwrap_or_default();
    view! {
        <figure class="photo-tile" data-testid="photo-tile" data-hash=hash.clone()>
            {move || match src.get().flatten() {
                Some(url) => view! { <img src=url alt=alt.clone() loading="lazy" /> }.into_any(),
                None => view! { <div class="photo-missing">{i18n.t(Key::StorePhotoMissing)}</div> }.into_any(),
            }}
            <figcaption>
                {caption.clone()}
                {move || state.get().flatten().map(|f| {
                    let (class, text) = match (&f.refused, f.uploaded) {
                        (Some(reason), _) => ("chip chip-stalled", i18n.format(Key::StorePhotoRefused, &[("reason", reason)])),
                        (None, true) => ("chip", i18n.t(Key::StorePhotoSent).to_owned()),
                        (None, false) => ("chip chip-waiting", i18n.t(Key::StorePhotoWaiting).to_owned()),
                    };
                    view! { <span class=class data-testid="photo-state">{text}</span> }
                })}
            </figcaption>
        </figure>
    }
}
