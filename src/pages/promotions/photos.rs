//! A promotion's photo gallery on its page: the display and competitor photos of its reports that
//! the user sees, by store, newest day first, each with its day, its promoter and its caption; a
//! store can be picked. A photo taken on this device shows at once; others come from the server.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{domain::Collection, records::PromotionReport, views};

use crate::{
    components::photo::PhotoTile,
    data::{
        records::{use_titles, watch_collection},
        sync::use_data,
    },
    i18n::{use_i18n, Key},
    mount::use_mount,
};

/// One photo of the gallery.
#[derive(Clone, Debug, PartialEq)]
struct Shot {
    hash: String,
    report: String,
    day: String,
    promoter: String,
    caption: String,
    competitor: bool,
}

#[component]
pub fn PromotionPhotos(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let mount = use_mount();
    let reports = watch_collection(data, Collection::PromotionReport);
    let titles = use_titles(data, vec![Collection::Customer, Collection::User]);
    // Store id → its photos, newest day first.
    let by_store = Memo::new(move |_| {
        let mut stores: BTreeMap<String, Vec<Shot>> = BTreeMap::new();
        reports.with(|read| {
            let Some(Ok(rows)) = read else { return };
            for (report_id, record) in rows.iter() {
                let Ok(report) = PromotionReport::from_fields(&record.fields) else {
                    continue;
                };
                if report.promotion_id != id {
                    continue;
                }
                let shots = stores.entry(report.store_id.clone()).or_default();
                let base = |hash: &str, caption: String, competitor: bool| Shot {
                    hash: hash.to_owned(),
                    report: report_id.clone(),
                    day: report.report_date.to_string(),
                    promoter: report.promoter_id.clone(),
                    caption,
                    competitor,
                };
                for p in report.display_photos.as_deref().unwrap_or_default() {
                    shots.push(base(&p.photo, p.caption.clone().unwrap_or_default(), false));
                }
                for c in report.competitor_activity.as_deref().unwrap_or_default() {
                    if let Some(photo) = &c.photo {
                        shots.push(base(photo, c.brand.clone(), true));
                    }
                }
            }
        });
        stores.retain(|_, shots| !shots.is_empty());
        for shots in stores.values_mut() {
            shots.sort_by(|a, b| b.day.cmp(&a.day).then(a.report.cmp(&b.report)));
        }
        stores
    });
    let picked = RwSignal::new(None::<String>);
    let name = move |id: &str| titles.with(|t| t.get(id).cloned().unwrap_or_default());
    // Each photo links to its report's page.
    let report_base = StoredValue::new(mount.href(&format!(
        "/{}/",
        views::spec(Collection::PromotionReport).slug
    )));

    view! {
        <section class="card promotion-photos" aria-labelledby="photos-heading" data-testid="promotion-photos">
            <h2 id="photos-heading">{move || i18n.t(Key::PromotionPhotos)}</h2>
            <Show when=move || !by_store.with(BTreeMap::is_empty)
                fallback=move || view! { <p class="muted">{move || i18n.t(Key::PromotionNoPhotos)}</p> }>
                <Show when=move || by_store.with(|s| s.len() > 1)>
                    <div class="segmented store-switch" role="group" aria-label=move || i18n.t(Key::StoreSwitch)>
                        <button type="button" class="button segmented-button"
                            aria-pressed=move || picked.with(Option::is_none).to_string()
                            on:click=move |_| picked.set(None)>{move || i18n.t(Key::PromotionPhotosAllStores)}</button>
                        {move || by_store.with(|s| s.keys().cloned().collect::<Vec<_>>()).into_iter().map(|store| {
                            let label = name(&store);
                            let pressed = { let store = store.clone(); move || (picked.get().as_ref() == Some(&store)).to_string() };
                            view! {
                                <button type="button" class="button segmented-button" aria-pressed=pressed
                                    on:click=move |_| picked.set(Some(store.clone()))>{label}</button>
                            }
                        }).collect_view()}
                    </div>
                </Show>
                {move || by_store.get().into_iter()
                    .filter(|(store, _)| picked.with(|p| p.as_ref().is_none_or(|p| p == store)))
                    .map(|(store, shots)| view! {
                        <h3>{name(&store)}</h3>
                        <div class="photo-grid">
                            {shots.into_iter().map(|shot| {
                                let href = report_base.with_value(|base| format!("{base}{}", shot.report));
                                let kind = if shot.competitor { i18n.t(Key::PromotionPhotoCompetitor) } else { i18n.t(Key::PromotionPhotoDisplay) };
                                let caption = [kind.to_owned(), shot.day.clone(), name(&shot.promoter), shot.caption.clone()]
                                    .into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ");
                                view! {
                                    <A href=href attr:class="photo-link">
                                        <PhotoTile hash=shot.hash collection=Collection::PromotionReport record=shot.report caption />
                                    </A>
                                }
                            }).collect_view()}
                        </div>
                    }).collect_view()}
            </Show>
        </section>
    }
}
