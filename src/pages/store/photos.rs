//! Photos on the store floor: taken with the tablet's camera (`<input capture>`), shrunk and
//! compressed on the device (JPEG, at most `FULL_PX` on the long side, and a `THUMB_PX` thumbnail),
//! kept in IndexedDB by their SHA-256 and named from the report; the sync sends them once the
//! report has reached the server. Each photo shows whether it waits, was sent or was refused.

use leptos::{prelude::*, task::spawn_local};
use serde_json::{json, Value};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use yingxiao_core::{attachment, domain::Collection};

use super::day::{now_instant, Draft};
use crate::{
    components::photo::PhotoTile,
    data::files::LocalFile,
    format::local_today,
    i18n::{use_i18n, Key},
};

/// The long side of a kept photo, in pixels: sharp on a tablet, about 200–400 KB as JPEG.
const FULL_PX: f64 = 1600.0;
const FULL_QUALITY: f64 = 0.8;
const THUMB_PX: f64 = 320.0;
const THUMB_QUALITY: f64 = 0.7;

/// A photo as the device keeps it.
pub(crate) struct Shot {
    pub hash: String,
    pub bytes: Vec<u8>,
    pub thumb: Vec<u8>,
}

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Draws `bitmap` at most `max_px` on its long side and encodes it as JPEG.
async fn encode(
    bitmap: &web_sys::ImageBitmap,
    max_px: f64,
    quality: f64,
) -> Result<Vec<u8>, String> {
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let scale = (max_px / w.max(h).max(1.0)).min(1.0);
    let (dw, dh) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let canvas: web_sys::HtmlCanvasElement = document()
        .create_element("canvas")
        .map_err(js_error)?
        .unchecked_into();
    canvas.set_width(dw as u32);
    canvas.set_height(dh as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js_error)?
        .ok_or("no 2d canvas")?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, dw, dh)
        .map_err(js_error)?;
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            "image/jpeg",
            &JsValue::from_f64(quality),
        );
    });
    let blob: web_sys::Blob = JsFuture::from(promise)
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "the photo could not be encoded".to_owned())?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(js_error)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads a picked or taken image and makes the photo the device keeps.
pub(crate) async fn shrink(file: &web_sys::File) -> Result<Shot, String> {
    let window = web_sys::window().ok_or("no window")?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(file)
            .map_err(js_error)?,
    )
    .await
    .map_err(js_error)?
    .dyn_into()
    .map_err(|_| "not an image".to_owned())?;
    let bytes = encode(&bitmap, FULL_PX, FULL_QUALITY).await;
    let thumb = encode(&bitmap, THUMB_PX, THUMB_QUALITY).await;
    bitmap.close();
    let bytes = bytes?;
    Ok(Shot {
        hash: attachment::hash(&bytes),
        thumb: thumb?,
        bytes,
    })
}

/// Takes the photos of an `<input type=file>` change: each shrunk and kept on the device for the
/// report; their hashes, for the report to name. Says what failed.
pub(crate) async fn take(
    input: web_sys::HtmlInputElement,
    draft: Draft,
) -> Result<Vec<String>, String> {
    let data = draft.data;
    let files = input.files();
    let mut hashes = Vec::new();
    for i in 0..files.as_ref().map_or(0, web_sys::FileList::length) {
        let Some(file) = files.as_ref().and_then(|f| f.get(i)) else {
            continue;
        };
        let shot = shrink(&file).await?;
        data.keep_file(LocalFile {
            hash: shot.hash.clone(),
            content_type: "image/jpeg".into(),
            day: local_today().to_string(),
            collection: Collection::PromotionReport,
            record_id: draft.id(),
            full: Some(shot.bytes),
            thumb: shot.thumb,
            uploaded: false,
            refused: None,
        })
        .await
        .map_err(|e| e.to_string())?;
        hashes.push(shot.hash);
    }
    input.set_value("");
    Ok(hashes)
}

/// The camera button: a label over a hidden file input, as large as any touch target.
#[component]
pub(crate) fn CameraButton(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] disabled: Signal<bool>,
    #[prop(into)] testid: String,
    on_files: Callback<web_sys::HtmlInputElement>,
) -> impl IntoView {
    view! {
        <label class="button button-primary touch camera-button" class:disabled=move || disabled.get()>
            {move || label.get()}
            <input type="file" accept="image/*" capture="environment" multiple class="visually-hidden"
                data-testid=testid disabled=move || disabled.get()
                on:change=move |e| {
                    if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        on_files.run(input);
                    }
                } />
        </label>
    }
}

/// The display photos of the day.
#[component]
pub(crate) fn DisplayPhotos(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let caption = RwSignal::new(String::new());
    let record = Signal::derive(move || {
        draft.fields.track();
        draft.id()
    });
    let photos = Memo::new(move |_| {
        draft
            .report()
            .and_then(|r| r.display_photos)
            .unwrap_or_default()
    });
    let on_files = Callback::new(move |input: web_sys::HtmlInputElement| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match take(input, draft).await {
                Ok(hashes) if !hashes.is_empty() => {
                    let mut lines: Vec<Value> = draft.lines("display_photos");
                    let text = caption.get_untracked().trim().to_owned();
                    for hash in hashes {
                        let mut line = json!({"photo": hash, "taken_at": now_instant()});
                        if !text.is_empty() {
                            line["caption"] = json!(text);
                        }
                        lines.push(line);
                    }
                    draft.set("display_photos", Value::Array(lines));
                    caption.set(String::new());
                }
                Ok(_) => {}
                Err(e) => error.set(Some(i18n.format(Key::StorePhotoFailed, &[("reason", &e)]))),
            }
            busy.set(false);
        });
    });
    let remove = move |index: usize| {
        let mut lines: Vec<Value> = draft.lines("display_photos");
        if index < lines.len() {
            lines.remove(index);
        }
        draft.set("display_photos", Value::Array(lines));
    };
    let confirm_remove = RwSignal::new(None::<usize>);
    view! {
        <section class="card" aria-labelledby="photos-heading" data-testid="display-photos">
            <div class="card-header">
                <h2 id="photos-heading">{move || i18n.t(Key::StoreDisplayPhotos)}</h2>
                <CameraButton testid="display-photo-input"
                    label=Signal::derive(move || if busy.get() { i18n.t(Key::StorePhotoWorking).to_owned() } else { i18n.t(Key::StoreTakePhoto).to_owned() })
                    disabled=Signal::derive(move || busy.get() || !draft.editable.get())
                    on_files />
            </div>
            <label class="field">
                <span>{move || i18n.t(Key::StorePhotoCaption)}</span>
                <input class="input" type="text" maxlength="200" data-testid="photo-caption"
                    prop:value=move || caption.get() on:input=move |e| caption.set(event_target_value(&e))
                    disabled=move || !draft.editable.get() />
            </label>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Show when=move || !photos.with(Vec::is_empty)
                fallback=move || view! { <p class="muted">{i18n.t(Key::StoreNoPhotos)}</p> }>
                <div class="photo-grid">
                    {move || photos.get().into_iter().enumerate().map(|(i, p)| view! {
                        <div class="photo-cell">
                            <PhotoTile hash=p.photo.clone() collection=Collection::PromotionReport record caption=p.caption.clone().unwrap_or_default() />
                            <Show when=move || draft.editable.get()>
                                {move || if confirm_remove.get() == Some(i) {
                                    view! {
                                        <div class="form-actions">
                                            <button type="button" class="button touch" on:click=move |_| confirm_remove.set(None)>{i18n.t(Key::FormCancel)}</button>
                                            <button type="button" class="button button-danger touch" on:click=move |_| { confirm_remove.set(None); remove(i); }>{i18n.t(Key::StorePhotoRemoveConfirm)}</button>
                                        </div>
                                    }.into_any()
                                } else {
                                    view! {
                                        <button type="button" class="button button-ghost touch" on:click=move |_| confirm_remove.set(Some(i))>{i18n.t(Key::StorePhotoRemove)}</button>
                                    }.into_any()
                                }}
                            </Show>
                        </div>
                    }).collect_view()}
                </div>
            </Show>
        </section>
    }
}
