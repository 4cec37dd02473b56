//! What competitors do in the store today: brand, product, price, their promotion and a photo,
//! each entry a line of the report's `competitor_activity`.

use leptos::{prelude::*, task::spawn_local};
use serde_json::{json, Value};

use yingxiao_core::domain::Collection;

use super::{
    day::Draft,
    photos::{take, CameraButton},
};
use crate::{
    components::photo::PhotoTile,
    format::{format_yuan, parse_yuan},
    i18n::{use_i18n, Key},
};

/// Most characters of a short text of the entry (the field table's limit).
const SHORT: &str = "200";

#[component]
pub(crate) fn Competitors(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let (brand, product, price, promotion) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let photo = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let entries = Memo::new(move |_| {
        draft
            .report()
            .and_then(|r| r.competitor_activity)
            .unwrap_or_default()
    });
    let record = Signal::derive(move || {
        draft.fields.track();
        draft.id()
    });
    let write = move |lines: Vec<Value>| draft.set("competitor_activity", Value::Array(lines));
    let reset = move || {
        for s in [brand, product, price, promotion] {
            s.set(String::new());
        }
        photo.set(None);
        error.set(None);
        adding.set(false);
    };
    let save = move || {
        let name = brand.get_untracked().trim().to_owned();
        if name.is_empty() {
            error.set(Some(i18n.t(Key::StoreCompetitorBrandNeeded).to_owned()));
            return;
        }
        let typed_price = price.get_untracked().trim().to_owned();
        let amount = if typed_price.is_empty() {
            None
        } else {
            match parse_yuan(&typed_price) {
                Some(fen) if fen >= 0 => Some(fen),
                _ => {
                    error.set(Some(i18n.t(Key::StoreCompetitorPriceInvalid).to_owned()));
                    return;
                }
            }
        };
        let mut line = json!({"brand": name});
        for (key, value) in [("product", product), ("promotion", promotion)] {
            let text = value.get_untracked().trim().to_owned();
            if !text.is_empty() {
                line[key] = json!(text);
            }
        }
        if let Some(fen) = amount {
            line["price"] = json!(fen);
        }
        if let Some(hash) = photo.get_untracked() {
            line["photo"] = json!(hash);
        }
        let mut lines = draft.lines("competitor_activity");
        lines.push(line);
        write(lines);
        reset();
    };
    let on_files = Callback::new(move |input: web_sys::HtmlInputElement| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match take(input, draft).await {
                Ok(hashes) => {
                    if let Some(hash) = hashes.into_iter().next() {
                        photo.set(Some(hash));
                    }
                }
                Err(e) => error.set(Some(i18n.format(Key::StorePhotoFailed, &[("reason", &e)]))),
            }
            busy.set(false);
        });
    });
    let remove = move |index: usize| {
        let mut lines = draft.lines("competitor_activity");
        if index < lines.len() {
            lines.remove(index);
            write(lines);
        }
    };
    let confirm_remove = RwSignal::new(None::<usize>);
    let text_input = move |key: Key,
                           value: RwSignal<String>,
                           testid: &'static str,
                           mode: &'static str| {
        view! {
            <label class="field">
                <span>{move || i18n.t(key)}</span>
                <input class="input" type="text" maxlength=SHORT inputmode=mode data-testid=testid
                    prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) />
            </label>
        }
    };

    view! {
        <section class="card" aria-labelledby="competitors-heading" data-testid="competitors">
            <div class="card-header">
                <h2 id="competitors-heading">{move || i18n.t(Key::StoreCompetitors)}</h2>
                <Show when=move || draft.editable.get() && !adding.get()>
                    <button type="button" class="button touch" data-testid="competitor-add" on:click=move |_| adding.set(true)>
                        {move || i18n.t(Key::StoreCompetitorAdd)}
                    </button>
                </Show>
            </div>
            <Show when=move || adding.get()>
                <form class="competitor-form" on:submit=move |e| { e.prevent_default(); save(); }>
                    {text_input(Key::StoreCompetitorBrand, brand, "competitor-brand", "text")}
                    {text_input(Key::StoreCompetitorProduct, product, "competitor-product", "text")}
                    {text_input(Key::StoreCompetitorPrice, price, "competitor-price", "decimal")}
                    {text_input(Key::StoreCompetitorPromotion, promotion, "competitor-promotion", "text")}
                    <div class="form-actions">
                        <CameraButton testid="competitor-photo-input"
                            label=Signal::derive(move || if busy.get() { i18n.t(Key::StorePhotoWorking).to_owned() }
                                else if photo.with(Option::is_some) { i18n.t(Key::StorePhotoRetake).to_owned() }
                                else { i18n.t(Key::StoreTakePhoto).to_owned() })
                            disabled=Signal::derive(move || busy.get())
                            on_files />
                        {move || photo.get().map(|hash| view! { <PhotoTile hash collection=Collection::PromotionReport record /> })}
                    </div>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="competitor-error">{e}</p> })}
                    <div class="form-actions">
                        <button type="button" class="button touch" on:click=move |_| reset()>{move || i18n.t(Key::FormCancel)}</button>
                        <button type="submit" class="button button-primary touch" data-testid="competitor-save" disabled=move || busy.get()>
                            {move || i18n.t(Key::StoreCompetitorSave)}
                        </button>
                    </div>
                </form>
            </Show>
            <Show when=move || !entries.with(Vec::is_empty)
                fallback=move || view! { <p class="muted">{i18n.t(Key::StoreNoCompetitors)}</p> }>
                <ul class="competitor-list">
                    {move || entries.get().into_iter().enumerate().map(|(i, c)| {
                        let detail: Vec<String> = [
                            c.product.clone(),
                            c.price.map(format_yuan),
                            c.promotion.clone(),
                        ].into_iter().flatten().collect();
                        view! {
                            <li class="competitor" data-testid="competitor-entry">
                                <div>
                                    <strong>{c.brand.clone()}</strong>
                                    <p class="muted">{detail.join(" · ")}</p>
                                </div>
                                {c.photo.clone().map(|hash| view! { <PhotoTile hash collection=Collection::PromotionReport record /> })}
                                <Show when=move || draft.editable.get()>
                                    {move || if confirm_remove.get() == Some(i) {
                                        view! {
                                            <div class="form-actions">
                                                <button type="button" class="button touch" on:click=move |_| confirm_remove.set(None)>{i18n.t(Key::FormCancel)}</button>
                                                <button type="button" class="button button-danger touch" on:click=move |_| { confirm_remove.set(None); remove(i); }>{i18n.t(Key::StoreCompetitorRemoveConfirm)}</button>
                                            </div>
                                        }.into_any()
                                    } else {
                                        view! { <button type="button" class="button button-ghost touch" on:click=move |_| confirm_remove.set(Some(i))>{i18n.t(Key::StoreCompetitorRemove)}</button> }.into_any()
                                    }}
                                </Show>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}
