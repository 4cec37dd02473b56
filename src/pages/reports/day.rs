//! `/reviews` (每日审阅): a supervisor's day of promotion reports in their stores, those waiting for
//! review first (core's `store_day::review_queue`), each with its store, promotion, promoter, sales,
//! the problems already flagged and the display photos, and a link to its page to review it.

use chrono::Duration;
use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{
    domain::Collection,
    records::PromotionReport,
    store_day::{review_queue, DayState},
    time::parse_date,
};

use crate::{
    components::photo::PhotoTile,
    data::{
        records::{use_titles, watch_collection},
        sync::use_data,
    },
    format::{format_yuan, local_today},
    i18n::{use_i18n, Key},
    mount::use_mount,
    routes::Page,
};

/// Photos shown per report before its page.
const PHOTOS_SHOWN: usize = 4;

/// One report as its card shows it.
#[derive(Clone, Debug, PartialEq)]
struct Card {
    id: String,
    state: DayState,
    store: String,
    promotion: String,
    promoter: String,
    units: i64,
    amount: i64,
    flags: Vec<String>,
    photos: Vec<String>,
    more_photos: usize,
}

#[component]
pub fn ReviewDayPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let mount = use_mount();
    let reports = watch_collection(data, Collection::PromotionReport);
    let titles = use_titles(
        data,
        vec![
            Collection::Customer,
            Collection::Promotion,
            Collection::User,
        ],
    );
    let day = RwSignal::new(local_today());
    let flag_field = Collection::PromotionReport.line_field("review_flags", "flag");
    let cards = Memo::new(move |_| {
        let day = day.get();
        reports.with(|read| {
            let Some(Ok(rows)) = read else { return None };
            let typed: Vec<(&str, PromotionReport)> = rows
                .iter()
                .filter_map(|(id, r)| {
                    Some((id.as_str(), PromotionReport::from_fields(&r.fields).ok()?))
                })
                .collect();
            let locale = i18n.locale();
            let cards = titles.with(|t| {
                let name = |id: &str| t.get(id).cloned().unwrap_or_default();
                review_queue(typed.iter().map(|(id, r)| (*id, r)), day)
                    .into_iter()
                    .map(|(id, r)| {
                        let photos: Vec<String> = r
                            .display_photos
                            .iter()
                            .flatten()
                            .map(|p| p.photo.clone())
                            .collect();
                        Card {
                            id: id.to_owned(),
                            state: DayState::of(r),
                            store: name(&r.store_id),
                            promotion: name(&r.promotion_id),
                            promoter: name(&r.promoter_id),
                            units: r.units_sold.unwrap_or(0),
                            amount: r.sales_amount.unwrap_or(0),
                            flags: r
                                .review_flags
                                .iter()
                                .flatten()
                                .map(|f| {
                                    flag_field
                                        .and_then(|field| field.choice_label(&f.flag, locale))
                                        .unwrap_or(&f.flag)
                                        .to_owned()
                                })
                                .collect(),
                            more_photos: photos.len().saturating_sub(PHOTOS_SHOWN),
                            photos: photos.into_iter().take(PHOTOS_SHOWN).collect(),
                        }
                    })
                    .collect::<Vec<_>>()
            });
            Some(cards)
        })
    });
    let report_base = StoredValue::new(mount.href(&Page::List(Collection::PromotionReport).path()));
    let counts = move || {
        cards.with(|c| {
            let c = c.as_deref().unwrap_or_default();
            let of = |s: DayState| c.iter().filter(|x| x.state == s).count().to_string();
            i18n.format(
                Key::ReviewsCounts,
                &[
                    ("total", &c.len().to_string()),
                    ("waiting", &of(DayState::Submitted)),
                    ("reviewed", &of(DayState::Reviewed)),
                ],
            )
        })
    };
    let shift = move |days: i64| day.update(|d| *d += Duration::days(days));

    let list = move || {
        match cards.get() {
        None => view! { <p class="muted" role="status">{move || i18n.t(Key::ListLoading)}</p> }.into_any(),
        Some(cards) if cards.is_empty() => view! {
            <p class="empty-state" data-testid="reviews-empty">{move || i18n.t(Key::ReviewsEmpty)}</p>
        }
        .into_any(),
        Some(cards) => view! {
            <ul class="review-cards">
                {cards.into_iter().map(|card| {
                    let href = report_base.with_value(|base| format!("{base}/{}", card.id));
                    let (state_key, state_class) = match card.state {
                        DayState::Submitted => (Key::ReviewsStateSubmitted, "state-waiting"),
                        DayState::Open => (Key::ReviewsStateOpen, "state-open"),
                        DayState::Reviewed => (Key::ReviewsStateReviewed, "state-done"),
                    };
                    let record = card.id.clone();
                    let more = card.more_photos;
                    view! {
                        <li class="card review-card" data-testid="day-report" data-id=card.id.clone()>
                            <div class="review-card-head">
                                <div>
                                    <h2 class="review-card-title">{card.store.clone()}</h2>
                                    <p class="muted">{format!("{} · {}", card.promotion, card.promoter)}</p>
                                </div>
                                <span class=format!("chip {state_class}") data-testid="day-report-state">{i18n.t(state_key)}</span>
                            </div>
                            <p>{i18n.format(Key::ReviewsTotals, &[("units", &card.units.to_string()), ("amount", &format_yuan(card.amount))])}</p>
                            {(!card.flags.is_empty()).then(|| view! {
                                <p class="review-card-flags">{card.flags.join(" · ")}</p>
                            })}
                            {(!card.photos.is_empty()).then(|| view! {
                                <div class="photo-grid">
                                    {card.photos.into_iter().map(|hash| view! {
                                        <PhotoTile hash collection=Collection::PromotionReport record=record.clone() />
                                    }).collect_view()}
                                    {(more > 0).then(|| view! { <span class="muted">{format!("+{more}")}</span> })}
                                </div>
                            })}
                            <A href=href attr:class="button" attr:data-testid="day-report-open">
                                {i18n.t(Key::ReviewsOpen)}
                            </A>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };

    view! {
        <section class="page reviews-page" data-testid="reviews-page">
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::ReviewsTitle)}</h1>
            </header>
            <p class="muted">{move || i18n.t(Key::ReviewsIntro)}</p>
            <div class="reviews-day" role="group" aria-label=move || i18n.t(Key::ReviewsDay)>
                <button type="button" class="button" data-testid="reviews-prev" on:click=move |_| shift(-1)>
                    {move || i18n.t(Key::ReviewsPrev)}</button>
                <input type="date" class="input" data-testid="reviews-date" aria-label=move || i18n.t(Key::ReviewsDay)
                    prop:value=move || day.get().to_string()
                    on:change=move |e| {
                        if let Some(d) = parse_date(&event_target_value(&e)) { day.set(d) }
                    } />
                <button type="button" class="button" data-testid="reviews-next" on:click=move |_| shift(1)>
                    {move || i18n.t(Key::ReviewsNext)}</button>
            </div>
            <p class="muted" data-testid="reviews-counts" role="status">{counts}</p>
            {list}
        </section>
    }
}
