//! 门店模式 (`/store`): a promoter's day on a store's floor, on a tablet held in one hand. Today's
//! promotions in the promoter's stores (core's `store_day::assignments`), a switch between stores,
//! and for the chosen promotion the day's report: check-in and out, sales counted per product,
//! the day's counts, display photos, competitor activity and the submission. Everything is written
//! to the device first and synced, so a whole day works without a network.

mod competitors;
mod counter;
mod day;
mod photos;

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{
    domain::Collection,
    records::Promotion,
    store_day::{assignments, stores_of, Assignment},
    theme::ThemePreference,
};

use crate::{
    components::install::InstallHint,
    data::{
        records::{text, watch_collection},
        sync::use_data,
    },
    format::local_today,
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
    prefs::use_theme,
};

use day::DayPanel;

/// What the page knows of a promotion to show it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PromotionCard {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub notes: String,
    pub product_ids: Vec<String>,
    /// Cost items of its budget lines with their notes (物料, 赠品…): what should be in the store.
    pub materials: Vec<(String, String)>,
    pub ends_on: String,
}

fn card_of(id: &str, promotion: &Promotion) -> PromotionCard {
    PromotionCard {
        id: id.to_owned(),
        name: promotion.name.clone(),
        kind: promotion.kind.clone(),
        notes: promotion.notes.clone().unwrap_or_default(),
        product_ids: promotion.product_ids.clone().unwrap_or_default(),
        materials: promotion
            .budget_lines
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|l| matches!(l.cost_item.as_str(), "materials" | "gifts"))
            .map(|l| (l.cost_item.clone(), l.note.clone().unwrap_or_default()))
            .collect(),
        ends_on: promotion.ends_on.to_string(),
    }
}

/// The promoter's store page.
#[component]
pub fn StorePage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let mount = use_mount();
    let theme = use_theme();
    let today = local_today();
    let me = Memo::new(move |_| access.viewer().map(|v| v.user_id).unwrap_or_default());
    let promotions = watch_collection(data, Collection::Promotion);
    let customers = watch_collection(data, Collection::Customer);

    let store_names = Memo::new(move |_| {
        customers.with(|read| match read {
            Some(Ok(rows)) => rows
                .iter()
                .filter(|(_, c)| text(&c.fields, "kind") == "retail_store")
                .map(|(id, c)| (id.clone(), text(&c.fields, "name").to_owned()))
                .collect::<HashMap<_, _>>(),
            _ => HashMap::new(),
        })
    });
    let cards = Memo::new(move |_| {
        promotions.with(|read| match read {
            Some(Ok(rows)) => rows
                .iter()
                .filter_map(|(id, r)| Some((id.clone(), Promotion::from_fields(&r.fields).ok()?)))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let loading =
        Memo::new(move |_| promotions.with(Option::is_none) || customers.with(Option::is_none));
    let work = Memo::new(move |_| {
        let names = store_names.get();
        let me = me.get();
        cards.with(|cards| {
            let mut sorted: Vec<&(String, Promotion)> = cards.iter().collect();
            sorted.sort_by(|a, b| {
                a.1.starts_on
                    .cmp(&b.1.starts_on)
                    .then(a.1.name.cmp(&b.1.name))
            });
            assignments(
                sorted.iter().map(|(id, p)| (id.as_str(), p)),
                &me,
                today,
                |store| names.contains_key(store),
            )
        })
    });
    let stores = Memo::new(move |_| {
        work.with(|w| {
            stores_of(w)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    });
    // The store and promotion chosen; the first of each until the promoter picks.
    let remembered = crate::prefs::store_choice();
    let picked_store = RwSignal::new(remembered.as_ref().map(|(s, _)| s.clone()));
    let store = Memo::new(move |_| {
        let stores = stores.get();
        picked_store
            .get()
            .filter(|s| stores.contains(s))
            .or_else(|| stores.first().cloned())
    });
    let here = Memo::new(move |_| {
        let store = store.get();
        work.with(|w| {
            w.iter()
                .filter(|a| Some(&a.store_id) == store.as_ref())
                .cloned()
                .collect::<Vec<Assignment>>()
        })
    });
    let picked_promotion = RwSignal::new(remembered.map(|(_, p)| p));
    let chosen = Memo::new(move |_| {
        let here = here.get();
        let picked = picked_promotion.get();
        here.iter()
            .find(|a| Some(&a.promotion_id) == picked.as_ref())
            .or_else(|| here.first())
            .cloned()
    });
    Effect::new(move |_| {
        if let Some(a) = chosen.get() {
            crate::prefs::save_store_choice(&a.store_id, &a.promotion_id);
        }
    });
    let card_by_id = move |id: &str| {
        cards.with(|cards| {
            cards
                .iter()
                .find(|(pid, _)| pid == id)
                .map(|(pid, p)| card_of(pid, p))
        })
    };
    let high_contrast = move || theme.0.get() == ThemePreference::Contrast;
    let date_label = today.to_string();

    view! {
        <div class="page store-page" data-testid="store-page">
            <header class="page-header">
                <div>
                    <h1>{move || i18n.t(Key::StoreTitle)}</h1>
                    <p class="muted">{date_label}</p>
                </div>
                <button type="button" class="button touch" data-testid="store-contrast"
                    aria-pressed=move || high_contrast().to_string()
                    on:click=move |_| theme.0.update(|t| {
                        *t = if *t == ThemePreference::Contrast { ThemePreference::System } else { ThemePreference::Contrast };
                    })>
                    {move || i18n.t(Key::StoreHighContrast)}
                </button>
            </header>
            <InstallHint />
            {move || {
                if loading.get() {
                    return view! { <p class="muted" role="status">{i18n.t(Key::StoreLoading)}</p> }.into_any();
                }
                if stores.with(Vec::is_empty) {
                    return view! {
                        <section class="card empty-state" data-testid="store-empty">
                            <h2>{i18n.t(Key::StoreNothingToday)}</h2>
                            <p>{i18n.t(Key::StoreNothingTodayHint)}</p>
                            <A href=mount.href("/promotions")>{i18n.t(Key::StoreOpenCalendar)}</A>
                        </section>
                    }.into_any();
                }
                view! {
                    <Show when=move || stores.with(|s| s.len() > 1)>
                        <nav class="segmented store-switch" aria-label=move || i18n.t(Key::StoreSwitch) data-testid="store-switch">
                            {move || stores.get().into_iter().map(|id| {
                                let name = store_names.with(|n| n.get(&id).cloned().unwrap_or_default());
                                let pressed = { let id = id.clone(); move || (store.get().as_ref() == Some(&id)).to_string() };
                                let pick = id.clone();
                                view! {
                                    <button type="button" class="button segmented-button touch" aria-pressed=pressed
                                        on:click=move |_| { picked_store.set(Some(pick.clone())); picked_promotion.set(None); }>
                                        {name}
                                    </button>
                                }
                            }).collect_view()}
                        </nav>
                    </Show>
                    <section class="store-promotions" aria-label=move || i18n.t(Key::StoreTodaysPromotions)>
                        {move || here.get().into_iter().filter_map(|a| {
                            let card = card_by_id(&a.promotion_id)?;
                            let id = a.promotion_id.clone();
                            let selected = { let id = id.clone(); move || chosen.get().is_some_and(|c| c.promotion_id == id) };
                            Some(view! {
                                <button type="button" class="card store-promotion touch" data-testid="store-promotion"
                                    aria-pressed=move || selected().to_string()
                                    on:click=move |_| picked_promotion.set(Some(id.clone()))>
                                    <strong>{card.name.clone()}</strong>
                                    <span class="muted">
                                        {Collection::Promotion.field("kind").and_then(|f| f.choice_label(&card.kind, i18n.locale())).unwrap_or("").to_owned()}
                                        " · "
                                        {i18n.format(Key::StoreUntil, &[("date", &card.ends_on)])}
                                    </span>
                                    {a.on_shift.then(|| view! { <span class="chip">{i18n.t(Key::StoreMyShift)}</span> })}
                                </button>
                            })
                        }).collect_view()}
                    </section>
                    // Drawn again only when the choice changes, not with every synced promotion.
                    {move || chosen.get().and_then(|a| {
                        let card = untrack(|| card_by_id(&a.promotion_id))?;
                        let store_name = store_names.with_untracked(|n| n.get(&a.store_id).cloned().unwrap_or_default());
                        Some(view! { <DayPanel card store_id=a.store_id.clone() store_name me=me.get_untracked() today /> })
                    })}
                }.into_any()
            }}
        </div>
    }
}
