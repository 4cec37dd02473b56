//! The opportunity list (`/opportunities`): every deal the user may see, searched, filtered by stage
//! and owner, sorted, and drawn only where the user is looking, so tens of thousands stay smooth.

use std::collections::HashSet;

use leptos::{ev, prelude::*};
use leptos_router::components::A;
use yingxiao_core::{
    domain::Collection,
    export::csv_for_excel,
    funnel::Stage,
    list::{visible_window, ListIndex, SearchQuery},
    permission::Action,
};

use crate::format::stage_label;
use crate::{
    components::owner_filter::OwnerFilter,
    data::sync::use_data,
    data::{
        deals::{use_deal_list, Built, DealRow},
        records::{waiting_ids, Loaded},
    },
    download,
    format::format_yuan,
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// Height of one row in px (the style sheet's `.deal-row`); rows never wrap, so the list can skip
/// drawing what is out of view.
const ROW_HEIGHT: f64 = 72.0;
/// Rows drawn beyond the view on each side.
const OVERSCAN: usize = 8;

/// How the list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DealOrder {
    /// By name as the language sorts words.
    Name,
    /// Earliest expected close first; deals without a date last.
    ExpectedClose,
    /// Largest amount first.
    Amount,
    /// Longest in its stage first.
    DaysInStage,
}

impl DealOrder {
    const ALL: [DealOrder; 4] = [
        DealOrder::ExpectedClose,
        DealOrder::Amount,
        DealOrder::DaysInStage,
        DealOrder::Name,
    ];

    fn wire(self) -> &'static str {
        match self {
            DealOrder::Name => "name",
            DealOrder::ExpectedClose => "close",
            DealOrder::Amount => "amount",
            DealOrder::DaysInStage => "dwell",
        }
    }

    fn key(self) -> Key {
        match self {
            DealOrder::Name => Key::OpportunitiesSortName,
            DealOrder::ExpectedClose => Key::OpportunitiesSortClose,
            DealOrder::Amount => Key::OpportunitiesSortAmount,
            DealOrder::DaysInStage => Key::OpportunitiesSortDwell,
        }
    }
}

/// Which stages the list keeps: the open ones (the default), one stage, or every deal.
pub const OPEN: &str = "open";
pub const ALL: &str = "all";

/// Positions of the deals the search and filters keep, in `order`.
pub fn matching_deals(
    list: &ListIndex<DealRow>,
    search: &str,
    stage: &str,
    owner_id: &str,
    order: DealOrder,
) -> Vec<u32> {
    let open = |s: &str| Stage::parse(s).is_some_and(|s| s.open_index().is_some());
    let mut positions = list.filter(
        &SearchQuery::parse(search),
        |r| {
            let stage_kept = match stage {
                ALL => true,
                OPEN => open(&r.stage),
                one => r.stage == one,
            };
            stage_kept && (owner_id.is_empty() || r.owner_id == owner_id)
        },
        false,
    );
    // The filter keeps name order; the others re-sort only what it kept (stable: ties by name).
    match order {
        DealOrder::Name => {}
        DealOrder::ExpectedClose => positions.sort_by(|&a, &b| {
            let close = |p: u32| {
                let date = &list.row(p).expected_close;
                (date.is_empty(), date.clone())
            };
            close(a).cmp(&close(b))
        }),
        DealOrder::Amount => {
            positions.sort_by_key(|&p| std::cmp::Reverse(list.row(p).amount.unwrap_or(0)))
        }
        DealOrder::DaysInStage => {
            positions.sort_by_key(|&p| std::cmp::Reverse(list.row(p).days_in_stage.unwrap_or(-1)))
        }
    }
    positions
}

/// An amount for reading: ¥ and thousands, or a dash.
fn amount_text(amount: Option<i64>) -> String {
    amount.map(format_yuan).unwrap_or_else(|| "—".to_owned())
}

/// One drawn row, placed at its position in the whole list.
fn deal_row(
    at: usize,
    row: DealRow,
    mount: StoredValue<crate::mount::Mount>,
    waiting: Memo<HashSet<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = mount.with_value(|m| m.href(&format!("/opportunities/{}", row.id)));
    let id = row.id.clone();
    let stage = row.stage.clone();
    let stage_chip = row.stage.clone();
    let stage_text = row.stage.clone();
    let (close, days, owner) = (
        row.expected_close.clone(),
        row.days_in_stage,
        row.owner.clone(),
    );
    let facts = move || {
        let mut parts = vec![owner.clone()];
        if !close.is_empty() {
            parts.push(i18n.format(Key::OpportunitiesCloses, &[("date", &close)]));
        }
        if let Some(days) = days {
            parts.push(i18n.format(
                Key::OpportunitiesDaysInStage,
                &[("days", &days.to_string())],
            ));
        }
        parts.join(" · ")
    };
    view! {
        <li class="deal-row" style:top=format!("{}px", at as f64 * ROW_HEIGHT) data-stage=stage>
            <A href=href attr:class="record-row">
                <span class="record-title">
                    {row.name}
                    {move || waiting.with(|w| w.contains(&id)).then(|| view! {
                        <span class="chip chip-waiting" data-testid="waiting" title=move || i18n.t(Key::RecordWaitingTitle)>
                            {move || i18n.t(Key::RecordWaiting)}
                        </span>
                    })}
                </span>
                <span class="record-meta">
                    <span class="chip stage-chip" data-stage=stage_chip>
                        {move || stage_label(&stage_text, i18n.locale()).to_owned()}
                    </span>
                    <span>{row.customer}</span>
                    {row.stalled.then(|| view! {
                        <span class="chip chip-stalled" data-testid="stalled">{move || i18n.t(Key::OpportunityStalled)}</span>
                    })}
                </span>
                <span class="record-meta record-meta-end">
                    <span class="deal-amount">{amount_text(row.amount)}</span>
                    <span>{facts}</span>
                </span>
            </A>
        </li>
    }
}

#[component]
pub fn OpportunitiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let access = use_access();
    let may_create = Memo::new(move |_| access.can(Collection::Opportunity, Action::Create, None));
    let waiting = waiting_ids(data, Collection::Opportunity);

    let search = RwSignal::new(String::new());
    let stage = RwSignal::new(OPEN.to_owned());
    let owner = RwSignal::new(String::new());
    let order = RwSignal::new(DealOrder::ExpectedClose);
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(720.0_f64);

    let built = use_deal_list(data);
    let matching = Memo::new(move |_| {
        let (stage, owner, order) = (stage.get(), owner.get(), order.get());
        search.with(|search| {
            built.with(|loaded| match loaded {
                Loaded::Ready(Built(list)) => matching_deals(list, search, &stage, &owner, order),
                _ => Vec::new(),
            })
        })
    });
    let total = move || {
        built.with(|l| match l {
            Loaded::Ready(Built(list)) => list.len(),
            _ => 0,
        })
    };
    // The rows in view; a new filter starts again from the top.
    let visible = move || {
        let window = visible_window(
            scroll_top.get(),
            viewport.get(),
            ROW_HEIGHT,
            matching.with(Vec::len),
            OVERSCAN,
        );
        built.with(|loaded| match loaded {
            Loaded::Ready(Built(list)) => matching.with(|positions| {
                positions[window.clone()]
                    .iter()
                    .enumerate()
                    .map(|(i, &p)| (window.start + i, list.row(p).clone()))
                    .collect::<Vec<_>>()
            }),
            _ => Vec::new(),
        })
    };
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        matching.track();
        if let Some(element) = scroller.get_untracked() {
            element.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });
    let on_scroll = move |_: ev::Event| {
        if let Some(element) = scroller.get_untracked() {
            scroll_top.set(element.scroll_top() as f64);
            viewport.set(element.client_height() as f64);
        }
    };

    let export = move |_| {
        let header = [
            i18n.t(Key::OpportunitiesColumnName),
            i18n.t(Key::OpportunitiesColumnCustomer),
            i18n.t(Key::OpportunitiesColumnOwner),
            i18n.t(Key::OpportunitiesColumnStage),
            i18n.t(Key::OpportunitiesColumnAmount),
            i18n.t(Key::OpportunitiesColumnClose),
            i18n.t(Key::OpportunitiesColumnDays),
            i18n.t(Key::OpportunitiesColumnStalled),
        ];
        let locale = i18n.locale();
        let file = built.with_untracked(|loaded| match loaded {
            Loaded::Ready(Built(list)) => matching.with_untracked(|positions| {
                csv_for_excel(
                    &header,
                    positions.iter().map(|&p| {
                        let row = list.row(p);
                        vec![
                            row.name.clone(),
                            row.customer.clone(),
                            row.owner.clone(),
                            stage_label(&row.stage, locale).to_owned(),
                            // Plain yuan, so a spreadsheet can add them up.
                            row.amount
                                .map(|fen| format!("{}.{:02}", fen / 100, (fen % 100).abs()))
                                .unwrap_or_default(),
                            row.expected_close.clone(),
                            row.days_in_stage.map(|d| d.to_string()).unwrap_or_default(),
                            if row.stalled {
                                i18n.t(Key::RecordYes).to_owned()
                            } else {
                                String::new()
                            },
                        ]
                    }),
                )
            }),
            _ => Vec::new(),
        });
        let today = String::from(js_sys::Date::new_0().to_iso_string());
        let name = format!("{}-{}.csv", i18n.t(Key::OpportunitiesTitle), &today[..10]);
        let _ = download::save_file(&name, "text/csv;charset=utf-8", &file);
    };

    let stage_options = move || {
        let locale = i18n.locale();
        let mut options = vec![
            (
                OPEN.to_owned(),
                i18n.t(Key::OpportunitiesStagesOpen).to_owned(),
            ),
            (
                ALL.to_owned(),
                i18n.t(Key::OpportunitiesStagesAll).to_owned(),
            ),
        ];
        options.extend(Stage::ALL.iter().map(|s| {
            (
                s.as_str().to_owned(),
                stage_label(s.as_str(), locale).to_owned(),
            )
        }));
        options
    };

    let new_href = mount.href("/opportunities/new");
    let body = {
        let mount = mount.clone();
        let new_href = new_href.clone();
        move || {
            match built.with(|l| match l {
            Loaded::Ready(Built(list)) => Loaded::Ready(list.len()),
            Loaded::Loading => Loaded::Loading,
            Loaded::Failed(e) => Loaded::Failed(e.clone()),
        }) {
            Loaded::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p> }.into_any(),
            Loaded::Failed(error) => view! {
                <p class="form-error" role="alert">{move || i18n.format(Key::CustomersLoadFailed, &[("error", &error)])}</p>
            }
            .into_any(),
            Loaded::Ready(0) => view! {
                <div class="card empty-state">
                    <h2>{move || i18n.t(Key::OpportunitiesEmptyTitle)}</h2>
                    <p>{move || i18n.t(Key::OpportunitiesEmptyBody)}</p>
                    {
                        let new_href = new_href.clone();
                        move || may_create.get().then(|| view! {
                            <A href=new_href.clone() attr:class="button button-primary">{move || i18n.t(Key::OpportunitiesNew)}</A>
                        })
                    }
                </div>
            }
            .into_any(),
            Loaded::Ready(_) => {
                let mount = StoredValue::new(mount.clone());
                view! {
                    <Show
                        when=move || matching.with(|m| !m.is_empty())
                        fallback=move || view! {
                            <div class="card empty-state">
                                <p>{move || i18n.t(Key::OpportunitiesNoMatch)}</p>
                                <button type="button" class="button" on:click=move |_| {
                                    search.set(String::new());
                                    stage.set(ALL.to_owned());
                                    owner.set(String::new());
                                }>{move || i18n.t(Key::CustomersClearFilters)}</button>
                            </div>
                        }
                    >
                        <div
                            class="deal-scroller"
                            node_ref=scroller
                            on:scroll=on_scroll
                            tabindex="0"
                            role="region"
                            aria-label=move || i18n.t(Key::OpportunitiesTitle)
                        >
                            <ul
                                class="record-list deal-list"
                                data-testid="deal-list"
                                style:height=move || format!("{}px", matching.with(Vec::len) as f64 * ROW_HEIGHT)
                            >
                                <For
                                    each=visible
                                    key=|(at, row)| (*at, row.id.clone())
                                    children=move |(at, row)| deal_row(at, row, mount, waiting)
                                />
                            </ul>
                        </div>
                    </Show>
                }
                .into_any()
            }
        }
        }
    };

    let count = move || {
        let (all, matched) = (total(), matching.with(Vec::len));
        i18n.format(
            Key::OpportunitiesCount,
            &[("count", &matched.to_string()), ("total", &all.to_string())],
        )
    };

    view! {
        <section class="page opportunities-page" data-testid="opportunities-page">
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::OpportunitiesTitle)}</h1>
                <div class="page-actions">
                    <button type="button" class="button" on:click=export data-testid="deals-export"
                        disabled=move || matching.with(Vec::is_empty)>
                        {move || i18n.t(Key::OpportunitiesExport)}
                    </button>
                    {move || may_create.get().then(|| view! {
                        <A href=new_href.clone() attr:class="button button-primary">{move || i18n.t(Key::OpportunitiesNew)}</A>
                    })}
                </div>
            </header>
            <div class="card customers-toolbar" role="search">
                <div class="field field-search">
                    <label for="deals-search">{move || i18n.t(Key::CustomersSearch)}</label>
                    <input
                        id="deals-search"
                        type="search"
                        autocomplete="off"
                        placeholder=move || i18n.t(Key::OpportunitiesSearchPlaceholder)
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="deals-stage">{move || i18n.t(Key::OpportunitiesStage)}</label>
                    <select id="deals-stage" on:change=move |ev| stage.set(event_target_value(&ev))>
                        {move || stage_options().into_iter().map(|(value, label)| {
                            let selected = stage.with_untracked(|s| *s == value);
                            view! { <option value=value selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <OwnerFilter id="deals-owner" deals=built owner />
                <div class="field">
                    <label for="deals-sort">{move || i18n.t(Key::CustomersSort)}</label>
                    <select id="deals-sort" on:change=move |ev| {
                        let wire = event_target_value(&ev);
                        if let Some(chosen) = DealOrder::ALL.into_iter().find(|o| o.wire() == wire) {
                            order.set(chosen);
                        }
                    }>
                        {DealOrder::ALL.into_iter().map(|o| view! {
                            <option value=o.wire() prop:selected=move || order.get() == o>{move || i18n.t(o.key())}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <p class="list-count" role="status" data-testid="deals-count">{count}</p>
            {body}
        </section>
    }
}
