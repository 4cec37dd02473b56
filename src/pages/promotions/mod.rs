//! Promotions (促销): the promotion calendar, a month or a week of promotions drawn from Rust over
//! core's week rows, with filters, colours by kind or status, the budget of what is in view, the
//! conflicts among them, and an iCalendar export; the generated list is its third view. A bar is
//! dragged to other days or by either edge with a mouse, a finger or a pen, or moved with the
//! keyboard; each drop is one `reschedule_promotion` change, kept on the device and synced.

mod bar;
mod calendar;
mod decision;
mod evaluation;
mod import;
mod mover;
mod photos;
mod subscribe;
mod timeline;

pub use evaluation::EvaluationPage;

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{
    calendar::{month_grid_start, week_rows, week_start, Filter, Places, Span},
    domain::Collection,
    ics,
    locale::Locale,
};

use crate::{
    components::record::{detail::RecordDetail, list::RecordList},
    data::{
        promotions::{use_places, use_promotions, use_stores, PromoRow, Promotions},
        records::{use_titles, Loaded, Shared},
        sync::use_data,
    },
    format::{format_yuan, local_today},
    i18n::{use_i18n, Key},
};
use calendar::{CalendarGrid, GridWeek, PlacedBar};
use mover::{Mover, MoverNotes};
use timeline::{RowsBy, Timeline};

/// Most stores the store filter lists before a region or area is chosen.
const MAX_UNNARROWED_STORES: usize = 60;

/// Lanes a month's week draws before "+N more"; a week view draws many more.
const MONTH_LANES: u32 = 3;
const WEEK_LANES: u32 = 16;

/// Which view of the promotions is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Month,
    Week,
    Timeline,
    List,
}

impl Mode {
    fn parse(wire: Option<&str>) -> Mode {
        match wire {
            Some("week") => Mode::Week,
            Some("timeline") => Mode::Timeline,
            Some("list") => Mode::List,
            _ => Mode::Month,
        }
    }

    fn wire(self) -> &'static str {
        match self {
            Mode::Month => "month",
            Mode::Week => "week",
            Mode::Timeline => "timeline",
            Mode::List => "list",
        }
    }
}

/// What colours the bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColourBy {
    Kind,
    Status,
}

impl ColourBy {
    fn field(self) -> &'static str {
        match self {
            ColourBy::Kind => "kind",
            ColourBy::Status => "status",
        }
    }
}

/// Where promotions run, read only while the filter names a region or area: loading the org tree
/// and the stores then does not lay the calendar out again.
pub(crate) fn places_in_use(
    filter: RwSignal<Filter>,
    places: Memo<Shared<Places>>,
) -> Shared<Places> {
    if filter.with(|f| f.unit.is_empty()) {
        Shared(std::sync::Arc::new(Places::default()))
    } else {
        places.get()
    }
}

/// The last day of `weeks` weeks from `first`.
fn last_of(first: NaiveDate, weeks: u32) -> NaiveDate {
    first + chrono::Duration::days(i64::from(weeks) * 7 - 1)
}

/// The days a view shows: its first day (a Monday) and how many weeks.
fn range(mode: Mode, anchor: NaiveDate) -> (NaiveDate, u32) {
    match mode {
        Mode::Week => (week_start(anchor), 1),
        // The timeline shows the anchor's year.
        Mode::Timeline => {
            let first = NaiveDate::from_ymd_opt(anchor.year(), 1, 1).unwrap_or(anchor);
            (week_start(first), 54)
        }
        _ => (month_grid_start(anchor), 6),
    }
}

/// The view's title: "2026年12月" or "December 2026", or the week's first and last day.
fn title(mode: Mode, anchor: NaiveDate, locale: Locale) -> String {
    match (mode, locale) {
        (Mode::Week, _) => {
            let first = week_start(anchor);
            format!("{first} – {}", first + chrono::Duration::days(6))
        }
        (_, Locale::ZhCn) => format!("{}年{}月", anchor.year(), anchor.month()),
        (_, Locale::En) => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            format!("{} {}", MONTHS[anchor.month0() as usize], anchor.year())
        }
    }
}

/// The anchor one step on (`step` −1 back, +1 on): a month or a week.
fn step(mode: Mode, anchor: NaiveDate, step: i32) -> NaiveDate {
    match mode {
        Mode::Week => anchor + chrono::Duration::days(i64::from(step) * 7),
        _ => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            if step > 0 {
                first.checked_add_months(chrono::Months::new(1))
            } else {
                first.checked_sub_months(chrono::Months::new(1))
            }
            .unwrap_or(first)
        }
    }
}

/// The grid of the view: the week rows over the promotions the filter keeps, and what is in view.
fn layout(
    promotions: &Promotions,
    filter: &Filter,
    places: &Places,
    first: NaiveDate,
    weeks: u32,
    shown: u32,
) -> CalendarGrid {
    let last = last_of(first, weeks);
    let kept: Vec<&PromoRow> = promotions
        .rows
        .iter()
        .filter(|r| filter.keeps_within(&r.facts(), places, first, last))
        .collect();
    let spans: Vec<Span> = kept.iter().map(|r| r.span()).collect();
    let weeks = week_rows(&spans, first, weeks, shown)
        .into_iter()
        .map(|week| GridWeek {
            first: week.first,
            lanes: week.lanes.min(shown),
            hidden: week.hidden,
            bars: week
                .bars
                .iter()
                .map(|bar| {
                    let row = kept[bar.index];
                    PlacedBar {
                        row: row.clone(),
                        bar: *bar,
                        conflicted: promotions.conflicted.contains_key(&row.id),
                    }
                })
                .collect(),
        })
        .collect();
    let in_view: Vec<String> = kept.iter().map(|r| r.id.clone()).collect();
    let budget = kept.iter().filter_map(|r| r.budget).sum();
    CalendarGrid {
        weeks,
        in_view,
        budget,
    }
}

/// `/promotions/:id`: the generated record page with the promotion's status steps, its evaluation
/// and its photo gallery below its fields.
#[component]
pub fn PromotionDetailPage(id: String) -> impl IntoView {
    let own = id.clone();
    view! {
        <RecordDetail collection=Collection::Promotion id>
            <decision::PromotionDecision id=own.clone() />
            <evaluation::PromotionEvaluation id=own.clone() />
            <photos::PromotionPhotos id=own.clone() />
        </RecordDetail>
    }
}

#[component]
pub fn PromotionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let promotions = use_promotions(data);
    let titles = use_titles(
        data,
        vec![
            Collection::Customer,
            Collection::Product,
            Collection::OrgUnit,
            Collection::Promotion,
            Collection::User,
        ],
    );
    let access = crate::permissions::use_access();
    let may_create = Memo::new(move |_| {
        access.can(
            Collection::Promotion,
            yingxiao_core::permission::Action::Create,
            None,
        )
    });
    let new_href = StoredValue::new(crate::mount::use_mount().href("/promotions/new"));
    let mover = Mover::new();
    let stores = use_stores(data);
    // `?date=2026-01-15` opens the calendar on that day's month, `?view=week|timeline|list` in that
    // view (a link from elsewhere, a bookmark).
    let query = leptos_router::hooks::use_query_map();
    let asked_view = query
        .with_untracked(|q| q.get("view"))
        .or_else(crate::prefs::promotions_view);
    let mode = RwSignal::new(Mode::parse(asked_view.as_deref()));
    Effect::new(move |_| crate::prefs::save_promotions_view(mode.get().wire()));
    let asked = query
        .with_untracked(|q| q.get("date"))
        .and_then(|d| yingxiao_core::time::parse_date(&d));
    let anchor = RwSignal::new(asked.unwrap_or_else(local_today));
    let filter = RwSignal::new(Filter::default());
    let places = use_places(data);
    let colour_by = RwSignal::new(ColourBy::Kind);
    let rows_by = RwSignal::new(RowsBy::Store);
    let filters_open = RwSignal::new(false);
    let is_list = Memo::new(move |_| mode.get() == Mode::List);
    let export_error = RwSignal::new(None::<String>);

    let grid = Memo::new(move |_| {
        let (first, weeks) = range(mode.get(), anchor.get());
        let shown = if mode.get() == Mode::Week {
            WEEK_LANES
        } else {
            MONTH_LANES
        };
        let places = places_in_use(filter, places);
        filter.with(|filter| {
            promotions
                .with(|loaded| loaded.map_ref(|p| layout(p, filter, &places, first, weeks, shown)))
        })
    });
    // What the body is; the calendar itself is kept (not drawn anew) while the promotions change.
    let state = Memo::new(move |_| grid.with(|g| g.map_ref(|_| ())));
    let in_view_count = Memo::new(move |_| {
        grid.with(|g| match g {
            Loaded::Ready(g) => Some((g.in_view.len(), g.budget)),
            _ => None,
        })
    });
    // The conflicts that concern a promotion in view, or a unit's budget: in the user's language.
    let conflict_lines = Memo::new(move |_| {
        let locale = i18n.locale();
        let in_view: std::collections::HashSet<String> = grid.with(|g| match g {
            Loaded::Ready(g) => g.in_view.iter().cloned().collect(),
            _ => Default::default(),
        });
        promotions.with(|loaded| match loaded {
            Loaded::Ready(p) => titles.with(|names| {
                p.conflicts
                    .iter()
                    .filter(|c| {
                        c.promotions().is_empty()
                            || c.promotions().iter().any(|id| in_view.contains(id))
                    })
                    .map(|c| {
                        let ids = c.promotions().to_vec();
                        let text = c.message(locale, |id| {
                            names
                                .get(id)
                                .cloned()
                                .unwrap_or_else(|| id.chars().take(8).collect())
                        });
                        (text, ids)
                    })
                    .collect::<Vec<_>>()
            }),
            _ => Vec::new(),
        })
    });

    let export = move |_| {
        export_error.set(None);
        let (first, weeks) = range(mode.get_untracked(), anchor.get_untracked());
        let last = last_of(first, weeks);
        let file = promotions.with_untracked(|loaded| match loaded {
            Loaded::Ready(p) => filter.with_untracked(|filter| {
                let locale = i18n.locale_untracked();
                let kept: Vec<&PromoRow> = p
                    .rows
                    .iter()
                    .filter(|r| {
                        places.with_untracked(|places| {
                            filter.keeps_within(&r.facts(), places, first, last)
                        })
                    })
                    .collect();
                // What a calendar app shows beside the name: kind, status and budget; the stores.
                let details: Vec<(String, String)> = titles.with_untracked(|names| {
                    kept.iter()
                        .map(|r| {
                            let about =
                                ics::promotion_description(&r.kind, &r.status, r.budget, locale);
                            let stores: Vec<&str> = r
                                .stores
                                .iter()
                                .filter_map(|s| names.get(s).map(String::as_str))
                                .collect();
                            (about, stores.join("、"))
                        })
                        .collect()
                });
                let events: Vec<ics::Event> = kept
                    .iter()
                    .zip(&details)
                    .map(|(r, (about, stores))| ics::Event {
                        id: &r.id,
                        summary: &r.name,
                        description: Some(about.as_str()),
                        location: (!stores.is_empty()).then_some(stores.as_str()),
                        first: r.first,
                        last: r.last,
                    })
                    .collect();
                let stamp = ics::stamp(js_sys::Date::now() as u64);
                Some(ics::calendar(
                    i18n.t(Key::PromotionsCalendarTitle),
                    &events,
                    &stamp,
                ))
            }),
            _ => None,
        });
        if let Some(file) = file {
            let name = format!("promotions-{first}.ics");
            if let Err(error) =
                crate::download::save_file(&name, "text/calendar;charset=utf-8", file.as_bytes())
            {
                export_error.set(Some(error));
            }
        }
    };

    let mode_button = move |m: Mode, key: Key, testid: &'static str| {
        view! {
            <button type="button" class="button segmented-button" data-testid=testid
                aria-pressed=move || (mode.get() == m).to_string()
                on:click=move |_| mode.set(m)>
                {move || i18n.t(key)}
            </button>
        }
    };
    let choice_select = move |field: &'static str,
                              id: &'static str,
                              label: Key,
                              set: fn(&mut Filter, String)| {
        let choices = Collection::Promotion
            .field(field)
            .and_then(|d| d.choices())
            .unwrap_or_default();
        view! {
            <div class="field">
                <label for=id>{move || i18n.t(label)}</label>
                <select id=id on:change=move |ev| {
                    let value = event_target_value(&ev);
                    filter.update(|f| set(f, value));
                }>
                    <option value="">{move || i18n.t(Key::ListFilterAll)}</option>
                    {choices.iter().map(|c| view! { <option value=c.value>{move || c.label(i18n.locale())}</option> }).collect_view()}
                </select>
            </div>
        }
    };

    // The choices of the place, product and promoter filters: regions and areas by their path, the
    // stores in the chosen place, and the products and promoters the promotions name.
    let unit_choices = Memo::new(move |_| {
        let mut choices: Vec<(String, String)> = stores.with(|stores| {
            let mut seen = std::collections::BTreeMap::new();
            for s in stores {
                if !s.region.is_empty() {
                    seen.insert(s.region.clone(), s.region_name.clone());
                }
                if !s.area.is_empty() {
                    seen.insert(
                        s.area.clone(),
                        format!("{} › {}", s.region_name, s.area_name),
                    );
                }
            }
            seen.into_iter().collect()
        });
        choices.sort_by(|a, b| a.1.cmp(&b.1));
        choices
    });
    // The stores of the chosen region or area; all of them only while they are few enough to pick
    // from one list (hundreds of stores are narrowed by region first).
    let store_choices = Memo::new(move |_| {
        let unit = filter.with(|f| f.unit.clone());
        stores.with(|stores| {
            if unit.is_empty() && stores.len() > MAX_UNNARROWED_STORES {
                return Vec::new();
            }
            stores
                .iter()
                .filter(|s| unit.is_empty() || s.region == unit || s.area == unit)
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let all = Signal::stored(Key::ListFilterAll);
    // With many stores and no region chosen, the store list says to choose a region first.
    let store_first = Signal::derive(move || {
        let many = stores.with(|s| s.len() > MAX_UNNARROWED_STORES);
        if many && filter.with(|f| f.unit.is_empty()) {
            Key::PromotionsStoreNarrowFirst
        } else {
            Key::ListFilterAll
        }
    });
    let named_in_promotions = move |pick: fn(&PromoRow) -> &[String]| {
        Memo::new(move |_| {
            let names = titles.get();
            let mut ids: Vec<String> = promotions.with(|loaded| match loaded {
                Loaded::Ready(p) => p
                    .rows
                    .iter()
                    .flat_map(|r| pick(r).iter().cloned())
                    .collect(),
                _ => Vec::new(),
            });
            ids.sort();
            ids.dedup();
            let mut choices: Vec<(String, String)> = ids
                .into_iter()
                .map(|id| {
                    let name = names.get(&id).cloned().unwrap_or_default();
                    (id, name)
                })
                .collect();
            choices.sort_by(|a, b| a.1.cmp(&b.1));
            choices
        })
    };
    let product_choices = named_in_promotions(|r| &r.products);
    let promoter_choices = named_in_promotions(|r| &r.promoters);
    let id_select = move |id: &'static str,
                          label: Key,
                          choices: Memo<Vec<(String, String)>>,
                          get: fn(&Filter) -> &String,
                          set: fn(&mut Filter, String),
                          // The words of the first choice, "all".
                          first: Signal<Key>| {
        view! {
            <div class="field">
                <label for=id>{move || i18n.t(label)}</label>
                <select id=id on:change=move |ev| {
                    let value = event_target_value(&ev);
                    filter.update(|f| set(f, value));
                }>
                    <option value="">{move || i18n.t(first.get())}</option>
                    {move || choices.get().into_iter().map(|(value, name)| {
                        let chosen = filter.with_untracked(|f| *get(f) == value);
                        view! { <option value=value selected=chosen>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };

    let calendar = move || {
        view! {
            <div class="card calendar-toolbar" role="search">
                <div class="calendar-nav">
                    <button type="button" class="button" data-testid="calendar-prev"
                        aria-label=move || i18n.t(Key::PromotionsPrevious)
                        on:click=move |_| anchor.update(|a| *a = step(mode.get_untracked(), *a, -1))>"‹"</button>
                    <button type="button" class="button" data-testid="calendar-today"
                        on:click=move |_| anchor.set(local_today())>{move || i18n.t(Key::PromotionsToday)}</button>
                    <button type="button" class="button" data-testid="calendar-next"
                        aria-label=move || i18n.t(Key::PromotionsNext)
                        on:click=move |_| anchor.update(|a| *a = step(mode.get_untracked(), *a, 1))>"›"</button>
                    <h2 class="calendar-title" data-testid="calendar-title" aria-live="polite">
                        {move || title(mode.get(), anchor.get(), i18n.locale())}
                    </h2>
                </div>
                <div class="calendar-filters" class:filters-open=move || filters_open.get()>
                    <div class="field field-search">
                        <label for="calendar-search">{move || i18n.t(Key::CustomersSearch)}</label>
                        <input id="calendar-search" type="search" autocomplete="off"
                            prop:value=move || filter.with(|f| f.search.clone())
                            on:input=move |ev| filter.update(|f| f.search = event_target_value(&ev)) />
                    </div>
                    // On a phone the rest folds away behind this, so the calendar is on the first screen.
                    <button type="button" class="button filters-toggle" data-testid="calendar-filters-toggle"
                        aria-expanded=move || filters_open.get().to_string()
                        on:click=move |_| filters_open.update(|o| *o = !*o)>
                        {move || {
                            let active = filter.with(|f| {
                                [&f.kind, &f.status, &f.unit, &f.store, &f.product, &f.promoter]
                                    .iter()
                                    .filter(|v| !v.is_empty())
                                    .count()
                            });
                            if active == 0 {
                                i18n.t(Key::ListFilters).to_owned()
                            } else {
                                i18n.format(Key::ListFiltersActive, &[("count", &active.to_string())])
                            }
                        }}
                    </button>
                    {choice_select("kind", "calendar-kind", Key::PromotionsKind, |f, v| f.kind = v)}
                    {choice_select("status", "calendar-status", Key::PromotionsStatus, |f, v| f.status = v)}
                    {id_select("calendar-unit", Key::PromotionsPlace, unit_choices, |f| &f.unit, |f, v| {
                        f.unit = v;
                        f.store.clear();
                    }, all)}
                    {id_select("calendar-store", Key::PromotionsStore, store_choices, |f| &f.store, |f, v| f.store = v, store_first)}
                    {id_select("calendar-product", Key::PromotionsProduct, product_choices, |f| &f.product, |f, v| f.product = v, all)}
                    {id_select("calendar-promoter", Key::PromotionsPromoter, promoter_choices, |f| &f.promoter, |f, v| f.promoter = v, all)}
                    <div class="field">
                        <label for="calendar-colour">{move || i18n.t(Key::PromotionsColourBy)}</label>
                        <select id="calendar-colour" on:change=move |ev| {
                            colour_by.set(if event_target_value(&ev) == "status" { ColourBy::Status } else { ColourBy::Kind });
                        }>
                            <option value="kind">{move || i18n.t(Key::PromotionsKind)}</option>
                            <option value="status">{move || i18n.t(Key::PromotionsStatus)}</option>
                        </select>
                    </div>
                    <Show when=move || mode.get() == Mode::Timeline>
                        <div class="field">
                            <label for="timeline-rows">{move || i18n.t(Key::PromotionsRowsBy)}</label>
                            <select id="timeline-rows" on:change=move |ev| {
                                rows_by.set(if event_target_value(&ev) == "product" { RowsBy::Product } else { RowsBy::Store });
                            }>
                                <option value="store" selected=move || rows_by.get_untracked() == RowsBy::Store>{move || i18n.t(Key::PromotionsStore)}</option>
                                <option value="product" selected=move || rows_by.get_untracked() == RowsBy::Product>{move || i18n.t(Key::PromotionsProduct)}</option>
                            </select>
                        </div>
                    </Show>
                    <button type="button" class="button" data-testid="calendar-export" on:click=export>
                        {move || i18n.t(Key::PromotionsExportIcs)}
                    </button>
                    <import::IcsImport promotions />
                    <subscribe::Subscribe />
                </div>
            </div>
            {move || export_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Legend colour_by />
            <p class="hint calendar-summary" data-testid="calendar-summary">
                {move || in_view_count.get().map(|(count, budget)| i18n.format(
                    Key::PromotionsInView,
                    &[("count", &count.to_string()), ("budget", &format_yuan(budget))],
                ))}
            </p>
            {move || match state.get() {
                Loaded::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p> }.into_any(),
                Loaded::Failed(error) => view! {
                    <p class="form-error" role="alert">{move || i18n.format(Key::CustomersLoadFailed, &[("error", &error)])}</p>
                }.into_any(),
                Loaded::Ready(()) if mode.get() == Mode::Timeline => view! {
                    <MoverNotes mover />
                    <Timeline promotions stores filter places anchor colour_by mover rows_by names=titles />
                }.into_any(),
                Loaded::Ready(()) => view! {
                    <MoverNotes mover />
                    <calendar::Calendar grid anchor_month=Signal::derive(move || (mode.get() != Mode::Week).then(|| anchor.get().month())) colour_by
                        tall=Signal::derive(move || mode.get() == Mode::Week) promotions mover />
                }.into_any(),
            }}
            <Show when=move || !conflict_lines.with(Vec::is_empty)>
                <section class="card calendar-conflicts" data-testid="calendar-conflicts" aria-labelledby="calendar-conflicts-title">
                    <h2 id="calendar-conflicts-title">{move || i18n.t(Key::PromotionsConflicts)}</h2>
                    <ul>
                        {move || conflict_lines.get().into_iter().map(|(text, _)| view! {
                            <li data-testid="calendar-conflict">{text}</li>
                        }).collect_view()}
                    </ul>
                </section>
            </Show>
        }
    };

    view! {
        <section class="page promotions-page" data-testid="promotions-page">
            <header class="page-header">
                // The list draws its own heading (with its 新建).
                <Show when=move || mode.get() != Mode::List>
                    <h1 class="page-title">{move || Collection::Promotion.label(i18n.locale())}</h1>
                    <Show when=move || may_create.get()>
                        <A href=new_href.get_value() attr:class="button button-primary" attr:data-testid="calendar-new">{move || i18n.t(Key::ListNew)}</A>
                    </Show>
                </Show>
                <div class="segmented" role="group" aria-label=move || i18n.t(Key::PromotionsViews)>
                    {mode_button(Mode::Month, Key::PromotionsMonth, "view-month")}
                    {mode_button(Mode::Week, Key::PromotionsWeek, "view-week")}
                    {mode_button(Mode::Timeline, Key::PromotionsTimeline, "view-timeline")}
                    {mode_button(Mode::List, Key::PromotionsList, "view-list")}
                </div>
            </header>
            // Only the list and the calendar are drawn anew: turning between month, week and timeline
            // keeps the toolbar and its filters.
            {move || if is_list.get() {
                view! { <RecordList collection=Collection::Promotion /> }.into_any()
            } else {
                calendar().into_any()
            }}
        </section>
    }
}

/// What each colour means.
#[component]
fn Legend(colour_by: RwSignal<ColourBy>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="calendar-legend" aria-label=move || i18n.t(Key::PromotionsLegend)>
            {move || {
                let field = colour_by.get().field();
                Collection::Promotion
                    .field(field)
                    .and_then(|d| d.choices())
                    .unwrap_or_default()
                    .iter()
                    .map(|c| view! {
                        <li><span class="calendar-swatch" data-colour=format!("{field}-{}", c.value)></span>{c.label(i18n.locale())}</li>
                    })
                    .collect_view()
            }}
        </ul>
    }
}
