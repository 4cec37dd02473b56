//! The stage board (`/pipeline`, 阶段看板): a column per funnel stage with its count, amount and weighted
//! amount, and the deals as cards. A card is dragged to another stage with a mouse, a finger or a
//! pen (pointer events), or moved with the arrow keys; the drop is a `move_opportunity_stage` change,
//! kept on the device and synced like any other, so the board and the funnel follow at once, offline.
//! Held near the board's left or right edge, a dragged card scrolls the board (and stays under the
//! pointer), so the far columns (赢单, 输单) are reached on a narrow screen too.

use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::components::A;
use wasm_bindgen::JsCast;
use yingxiao_core::{
    domain::Collection,
    funnel::{FunnelSettings, Stage},
    list::{ListIndex, SearchQuery},
    money::format_money,
    permission::Action,
    sync::protocol::{Intent, MoveStageArgs},
};

use crate::{
    components::{owner_filter::OwnerFilter, record::focus_later},
    data::sync::use_data,
    data::{
        deals::{use_deal_list, Built, DealRow},
        records::Loaded,
        settings::use_funnel_settings,
    },
    format::{format_yuan, stage_label},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// Cards drawn per column; the column's figures always count every deal.
const CARDS_PER_COLUMN: usize = 60;
/// How far a pointer moves before a press becomes a drag (a tap still opens the deal).
const DRAG_THRESHOLD_PX: f64 = 6.0;
/// How near the board's visible edge a dragged card starts scrolling it; wider than a fingertip.
const EDGE_ZONE_PX: f64 = 64.0;
/// The fastest the board scrolls, per animation frame (about 1,100 px a second at 60 Hz).
const EDGE_SPEED_PX: f64 = 18.0;
/// The board's columns: the open stages, then the two ways a deal closes.
const COLUMNS: [Stage; 6] = [
    Stage::Aware,
    Stage::Compare,
    Stage::Negotiate,
    Stage::Commit,
    Stage::Won,
    Stage::Lost,
];

/// One column as drawn: its stage, figures, and the cards to draw (largest amount first).
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    stage: Stage,
    count: usize,
    amount: i64,
    weighted: i64,
    cards: Vec<DealRow>,
}

/// What the columns read of each deal of a list, laid out apart from its rows and made once per
/// change of the deals: a filter change then reads two small arrays instead of every row (a row is
/// hundreds of bytes, so reading 100,000 of them for two facts was most of a filter change).
#[derive(Debug, Default, PartialEq)]
pub struct BoardFacts {
    /// Each deal's column (an index into `COLUMNS`), or `NO_COLUMN`.
    column: Box<[u8]>,
    /// Each deal's amount in 分 at the company's rates (`DealRow::company_amount`), 0 without one.
    amount: Box<[i64]>,
}

/// A deal whose stage is no column's.
const NO_COLUMN: u8 = u8::MAX;

impl BoardFacts {
    pub fn of(list: &ListIndex<DealRow>) -> Self {
        let (column, amount): (Vec<u8>, Vec<i64>) = (0..list.len() as u32)
            .map(|p| {
                let row = list.row(p);
                let column = COLUMNS
                    .iter()
                    .position(|s| s.as_str() == row.stage)
                    .map_or(NO_COLUMN, |at| at as u8);
                (column, row.company_amount.unwrap_or(0))
            })
            .unzip();
        Self {
            column: column.into(),
            amount: amount.into(),
        }
    }
}

/// The columns of the deals the search and owner filter keep; `facts` are `list`'s.
pub fn columns(
    list: &ListIndex<DealRow>,
    facts: &BoardFacts,
    search: &str,
    owner_id: &str,
    settings: &FunnelSettings,
) -> Vec<Column> {
    let kept = list.filter(
        &SearchQuery::parse(search),
        |r| owner_id.is_empty() || r.owner_id == owner_id,
        false,
    );
    // One pass sorts the kept deals into their columns.
    let mut buckets: [Vec<u32>; COLUMNS.len()] = Default::default();
    for &p in &kept {
        if let Some(bucket) = buckets.get_mut(usize::from(facts.column[p as usize])) {
            bucket.push(p);
        }
    }
    COLUMNS
        .iter()
        .zip(buckets)
        .map(|(&stage, mut positions)| {
            // Totals in 分, at the company's rates (`DealRow::company_amount`).
            let amount_of = |p: u32| facts.amount[p as usize];
            let amount: i64 = positions.iter().map(|&p| amount_of(p)).sum();
            let percent = match stage {
                Stage::Won => 100,
                Stage::Lost => 0,
                open => i64::from(settings.probability_percent.get(open).unwrap_or(0)),
            };
            let count = positions.len();
            // Only the cards drawn need ordering: pick the largest, then sort just those.
            let largest_first =
                |&a: &u32, &b: &u32| amount_of(b).cmp(&amount_of(a)).then(a.cmp(&b));
            if positions.len() > CARDS_PER_COLUMN {
                positions.select_nth_unstable_by(CARDS_PER_COLUMN, largest_first);
                positions.truncate(CARDS_PER_COLUMN);
            }
            positions.sort_unstable_by(largest_first);
            Column {
                stage,
                count,
                amount,
                weighted: amount * percent / 100,
                cards: positions.iter().map(|&p| list.row(p).clone()).collect(),
            }
        })
        .collect()
}

/// The stage beside `stage` on the board (`step` −1 left, +1 right), if any.
fn neighbour(stage: Stage, step: i32) -> Option<Stage> {
    let at = COLUMNS.iter().position(|&s| s == stage)? as i32 + step;
    usize::try_from(at)
        .ok()
        .and_then(|i| COLUMNS.get(i).copied())
}

/// A card being pressed or dragged.
#[derive(Clone, Debug, PartialEq)]
struct Drag {
    id: String,
    from: Stage,
    pointer: i32,
    start: (f64, f64),
    now: (f64, f64),
    /// The board's and the page's scroll offsets when the press began, and now: the card's place in
    /// the layout moves with them, so its offset makes up for them to stay under the pointer.
    scroll_start: (f64, f64),
    scroll_now: (f64, f64),
    moving: bool,
    over: Option<Stage>,
}

impl Drag {
    /// How far the card is drawn from its place in the layout.
    fn offset(&self) -> (f64, f64) {
        (
            self.now.0 - self.start.0 + self.scroll_now.0 - self.scroll_start.0,
            self.now.1 - self.start.1 + self.scroll_now.1 - self.scroll_start.1,
        )
    }
}

/// The board element (the columns' scrolling row).
fn board_element() -> Option<web_sys::Element> {
    document().query_selector("[data-testid=board]").ok()?
}

/// The board's sideways scroll and the page's vertical scroll.
fn scroll_offsets() -> (f64, f64) {
    let board = board_element().map_or(0.0, |b| f64::from(b.scroll_left()));
    (board, window().scroll_y().unwrap_or(0.0))
}

/// The width of the viewport (the page's, without a scroll bar).
fn viewport_width() -> f64 {
    f64::from(
        document()
            .document_element()
            .map_or(0, |e| e.client_width()),
    )
}

/// The part of the board the user sees, as (left, right) in viewport coordinates.
fn visible_span(board: &web_sys::Element) -> (f64, f64) {
    let rect = board.get_bounding_client_rect();
    (rect.left().max(0.0), rect.right().min(viewport_width()))
}

/// How far to scroll the board this frame for a pointer at `x`: towards the edge it is near (or past,
/// over the navigation or the page's margin), faster the nearer; nothing in the middle, on a board
/// too narrow to have two zones, or for a pointer outside the window (a mouse taken off the page).
fn edge_step((left, right): (f64, f64), x: f64) -> f64 {
    if right - left < 3.0 * EDGE_ZONE_PX || x < 0.0 || x > viewport_width() {
        return 0.0;
    }
    let nearness = |distance: f64| ((EDGE_ZONE_PX - distance) / EDGE_ZONE_PX).clamp(0.0, 1.0);
    if x < left + EDGE_ZONE_PX {
        -EDGE_SPEED_PX * nearness(x - left).max(0.2)
    } else if x > right - EDGE_ZONE_PX {
        EDGE_SPEED_PX * nearness(right - x).max(0.2)
    } else {
        0.0
    }
}

/// The furthest the board scrolls sideways: to its last column's edge. The dragged card, drawn past
/// it, widens the scrollable area too, and must not lead the board on for ever.
fn max_scroll(board: &web_sys::Element) -> f64 {
    let Ok(Some(last)) = board.query_selector(".board-column:last-of-type") else {
        return 0.0;
    };
    let left = board.get_bounding_client_rect().left() + f64::from(board.client_left());
    let end = last.get_bounding_client_rect().right() - left + f64::from(board.scroll_left());
    (end - f64::from(board.client_width())).max(0.0)
}

/// While a card is dragged, scrolls the board each frame the pointer is held near its edge, and keeps
/// the card and the column under it up to date; stops by itself when the drag ends.
fn auto_scroll(drag: RwSignal<Option<Drag>>) {
    request_animation_frame(move || {
        let Some(Some(now)) =
            drag.try_with_untracked(|d| d.as_ref().filter(|d| d.moving).map(|d| d.now))
        else {
            return;
        };
        if let Some(board) = board_element() {
            let step = edge_step(visible_span(&board), now.0);
            let before = board.scroll_left();
            let at = f64::from(before);
            let to = if step > 0.0 {
                (at + step).min(max_scroll(&board).max(at))
            } else {
                (at + step).max(0.0)
            };
            if to != at {
                board.set_scroll_left(to.round() as i32);
            }
            if board.scroll_left() != before {
                let scroll = scroll_offsets();
                drag.update(|d| {
                    if let Some(d) = d.as_mut() {
                        d.scroll_now = scroll;
                        d.over = column_at(d.now.0, d.now.1);
                    }
                });
            }
        }
        auto_scroll(drag);
    });
}

/// The column under a point of the viewport, from the columns' boxes (the dragged card itself is
/// under the pointer, so hit-testing elements would find it instead).
fn column_at(x: f64, y: f64) -> Option<Stage> {
    let found = document().query_selector_all("[data-drop-stage]").ok()?;
    (0..found.length()).find_map(|i| {
        let element: web_sys::Element = found.item(i)?.dyn_into().ok()?;
        let rect = element.get_bounding_client_rect();
        let inside = x >= rect.left() && x <= rect.right() && y >= rect.top() && y <= rect.bottom();
        inside
            .then(|| element.get_attribute("data-drop-stage"))
            .flatten()
            .and_then(|wire| Stage::parse(&wire))
    })
}

/// A deal waiting for its lost reason before it moves to 输单.
#[derive(Clone, Debug, PartialEq)]
struct LostDrop {
    id: String,
    name: String,
    by: MovedBy,
}

/// How a card was moved: the keyboard follows a card it moved to its new column; a pointer's drop
/// leaves the focus (and with it the board's and the page's scroll) where the user left them.
#[derive(Clone, Copy, Debug, PartialEq)]
enum MovedBy {
    Pointer,
    Keyboard,
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = StoredValue::new(use_mount());
    let data = use_data();
    let access = use_access();
    let may_create = Memo::new(move |_| access.can(Collection::Opportunity, Action::Create, None));
    let settings = use_funnel_settings(data);

    let search = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let drag = RwSignal::new(None::<Drag>);
    let lost_drop = RwSignal::new(None::<LostDrop>);
    let lost_reason = RwSignal::new(String::new());
    let announcement = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // A drag ends with a click on the card's link; that click must not open the deal.
    let swallow_click = StoredValue::new(false);
    // A card moved by keyboard, to focus again in its new column.
    let refocus = StoredValue::new(None::<(String, Stage)>);

    let built = use_deal_list(data);
    // Once per change of the deals, with the list they were read from.
    let facts = Memo::new(move |_| {
        built.with(|loaded| match loaded {
            Loaded::Ready(built) => Some((built.clone(), BoardFacts::of(&built.0))),
            _ => None,
        })
    });
    let board = Memo::new(move |_| {
        let owner = owner.get();
        search.with(|search| {
            facts.with(|facts| match facts {
                Some((Built(list), facts)) => columns(list, facts, search, &owner, &settings.get()),
                None => Vec::new(),
            })
        })
    });

    // Focuses the card moved by keyboard once it is drawn in its new column: now, if the device was
    // re-read before the move's answer, or when the board next changes. Never later than that: a
    // focus taken when a sync lands would scroll the board away under a drag in progress.
    let follow_card = move || {
        let Some((id, stage)) = refocus.get_value() else {
            return;
        };
        let moved = board.with_untracked(|columns| {
            columns
                .iter()
                .any(|c| c.stage == stage && c.cards.iter().any(|card| card.id == id))
        });
        if moved {
            refocus.set_value(None);
            request_animation_frame(move || {
                if let Some(element) = document()
                    .get_element_by_id(&format!("card-{id}"))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = element.focus();
                }
            });
        }
    };

    // The one way a card changes stage, whether dropped or moved by keyboard.
    let move_card =
        move |id: String, name: String, to: Stage, reason: Option<String>, by: MovedBy| {
            if to == Stage::Lost && reason.is_none() {
                lost_reason.set(String::new());
                lost_drop.set(Some(LostDrop { id, name, by }));
                focus_later("board-lost-reason");
                return;
            }
            error.set(None);
            let intent = Intent::MoveOpportunityStage(MoveStageArgs {
                id: id.clone(),
                stage: to,
                lost_reason: reason,
                lost_note: None,
            });
            spawn_local(async move {
                match data.mutate(intent).await {
                    Ok(()) => {
                        let stage = stage_label(to.as_str(), i18n.locale()).to_owned();
                        announcement.set(
                            i18n.format(Key::BoardMoved, &[("name", &name), ("stage", &stage)]),
                        );
                        // The card is drawn again in its new column once the device is re-read;
                        // the keyboard follows it there.
                        if by == MovedBy::Keyboard {
                            refocus.set_value(Some((id, to)));
                            follow_card();
                        }
                    }
                    Err(failure) => error.set(Some(failure.to_string())),
                }
            });
        };

    Effect::new(move |_| {
        board.track();
        follow_card();
    });

    let on_pointer_down = move |ev: ev::PointerEvent, id: String, from: Stage| {
        if !ev.is_primary() || ev.button() != 0 {
            return;
        }
        swallow_click.set_value(false);
        if let Some(target) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        let at = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let scroll = scroll_offsets();
        drag.set(Some(Drag {
            id,
            from,
            pointer: ev.pointer_id(),
            start: at,
            now: at,
            scroll_start: scroll,
            scroll_now: scroll,
            moving: false,
            over: None,
        }));
    };
    let on_pointer_move = move |ev: ev::PointerEvent| {
        let at = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let mut started = false;
        drag.update(|drag| {
            let Some(d) = drag.as_mut().filter(|d| d.pointer == ev.pointer_id()) else {
                return;
            };
            d.now = at;
            d.scroll_now = scroll_offsets();
            let moved = (at.0 - d.start.0).hypot(at.1 - d.start.1);
            if moved > DRAG_THRESHOLD_PX && !d.moving {
                d.moving = true;
                started = true;
            }
            if d.moving {
                d.over = column_at(at.0, at.1);
            }
        });
        if started {
            auto_scroll(drag);
        }
        if drag.with_untracked(|d| d.as_ref().is_some_and(|d| d.moving)) {
            ev.prevent_default();
        }
    };
    let on_pointer_up = move |ev: ev::PointerEvent, name: String| {
        let Some(d) = drag
            .get_untracked()
            .filter(|d| d.pointer == ev.pointer_id())
        else {
            return;
        };
        drag.set(None);
        if !d.moving {
            return;
        }
        swallow_click.set_value(true);
        let to = column_at(f64::from(ev.client_x()), f64::from(ev.client_y()));
        if let Some(to) = to.filter(|&to| to != d.from) {
            move_card(d.id, name, to, None, MovedBy::Pointer);
        }
    };
    let on_key = move |ev: ev::KeyboardEvent, id: String, name: String, from: Stage| {
        let step = match ev.key().as_str() {
            "ArrowRight" => 1,
            "ArrowLeft" => -1,
            _ => return,
        };
        ev.prevent_default();
        if let Some(to) = neighbour(from, step) {
            move_card(id, name, to, None, MovedBy::Keyboard);
        }
    };

    let reasons = Collection::Opportunity
        .field("lost_reason")
        .and_then(|d| d.choices())
        .unwrap_or_default();
    let confirm_lost = move || {
        let Some(pending) = lost_drop.get_untracked() else {
            return;
        };
        let reason = lost_reason.get_untracked();
        if reason.is_empty() {
            focus_later("board-lost-reason");
            return;
        }
        lost_drop.set(None);
        move_card(
            pending.id,
            pending.name,
            Stage::Lost,
            Some(reason),
            pending.by,
        );
    };

    let card_view = move |row: DealRow, stage: Stage| {
        let href = mount.with_value(|m| m.href(&format!("/opportunities/{}", row.id)));
        // A deal the user may not move is only a link: no drag, no arrow keys.
        let movable = {
            let facts = row.facts();
            Memo::new(move |_| access.can(Collection::Opportunity, Action::MoveStage, Some(&facts)))
        };
        let (id, id_down, id_key) = (row.id.clone(), row.id.clone(), row.id.clone());
        let (name_up, name_key) = (row.name.clone(), row.name.clone());
        let dragging = {
            let id = row.id.clone();
            move || drag.with(|d| d.as_ref().is_some_and(|d| d.moving && d.id == id))
        };
        let offset = {
            let id = row.id.clone();
            move || {
                drag.with(|d| match d {
                    Some(d) if d.moving && d.id == id => {
                        let (x, y) = d.offset();
                        format!("translate({x}px, {y}px)")
                    }
                    _ => String::new(),
                })
            }
        };
        let facts = {
            let (owner, days) = (row.owner.clone(), row.days_in_stage);
            move || {
                let mut parts = vec![owner.clone()];
                if let Some(days) = days {
                    parts.push(i18n.format(
                        Key::OpportunitiesDaysInStage,
                        &[("days", &days.to_string())],
                    ));
                }
                parts.join(" · ")
            }
        };
        view! {
            <li>
                <A
                    href=href
                    attr:id=format!("card-{id}")
                    attr:class=move || if dragging() { "board-card board-card-dragging" } else { "board-card" }
                    attr:style=move || format!("transform: {}", offset())
                    attr:draggable="false"
                    attr:data-id=id
                    attr:aria-describedby=move || movable.get().then_some("board-keys")
                    attr:data-movable=move || movable.get().to_string()
                    on:pointerdown=move |ev| if movable.get_untracked() { on_pointer_down(ev, id_down.clone(), stage) }
                    on:pointermove=on_pointer_move
                    on:pointerup=move |ev| on_pointer_up(ev, name_up.clone())
                    on:pointercancel=move |_| drag.set(None)
                    on:keydown=move |ev| if movable.get_untracked() { on_key(ev, id_key.clone(), name_key.clone(), stage) }
                    on:click=move |ev: ev::MouseEvent| {
                        if swallow_click.get_value() {
                            swallow_click.set_value(false);
                            ev.prevent_default();
                        }
                    }
                >
                    <span class="board-card-title">{row.name.clone()}</span>
                    <span class="board-card-meta">{row.customer.clone()}</span>
                    <span class="board-card-meta">
                        <span class="deal-amount">{row.amount.map(|a| format_money(a, row.currency.as_deref())).unwrap_or_default()}</span>
                        {row.stalled.then(|| view! {
                            <span class="chip chip-stalled" data-testid="stalled">{move || i18n.t(Key::OpportunityStalled)}</span>
                        })}
                    </span>
                    <span class="board-card-meta">{facts}</span>
                </A>
            </li>
        }
    };

    // What the page body is. The board is kept (not drawn anew) while the deals change under it, so
    // a sync or a drop leaves its scroll, and a drag in progress, alone.
    let state = Memo::new(move |_| built.with(|l| l.map_ref(|Built(list)| !list.is_empty())));
    let body = move || {
        match state.get() {
        Loaded::Loading => view! { <p class="hint" role="status">{move || i18n.t(Key::CustomersLoading)}</p> }.into_any(),
        Loaded::Failed(error) => view! {
            <p class="form-error" role="alert">{move || i18n.format(Key::CustomersLoadFailed, &[("error", &error)])}</p>
        }
        .into_any(),
        Loaded::Ready(false) => view! {
            <div class="card empty-state">
                <h2>{move || i18n.t(Key::OpportunitiesEmptyTitle)}</h2>
                <p>{move || i18n.t(Key::OpportunitiesEmptyBody)}</p>
            </div>
        }
        .into_any(),
        Loaded::Ready(true) => view! {
            <div class="board" data-testid="board"
                class:board-dragging=move || drag.with(|d| d.as_ref().is_some_and(|d| d.moving))>
                <For each=move || board.get() key=|column| column.stage let:column>
                    {
                        let stage = column.stage;
                        let wire = stage.as_str();
                        let column_figures = move || board.with(|b| {
                            b.iter().find(|c| c.stage == stage).map(|c| (c.count, c.amount, c.weighted)).unwrap_or_default()
                        });
                        let cards = move || board.with(|b| {
                            b.iter().find(|c| c.stage == stage).map(|c| c.cards.clone()).unwrap_or_default()
                        });
                        view! {
                            <section
                                class="board-column"
                                data-drop-stage=wire
                                data-testid=format!("column-{wire}")
                                class:board-column-over=move || drag.with(|d| d.as_ref().is_some_and(|d| d.moving && d.over == Some(stage) && d.from != stage))
                                aria-labelledby=format!("column-{wire}-title")
                            >
                                <header class="board-column-header">
                                    <h2 id=format!("column-{wire}-title")>
                                        <span class="chip stage-chip" data-stage=wire>{move || stage_label(wire, i18n.locale()).to_owned()}</span>
                                        <span class="board-count" data-testid="column-count">{move || column_figures().0}</span>
                                    </h2>
                                    <p class="board-figures">
                                        <span data-testid="column-amount">{move || format_yuan(column_figures().1)}</span>
                                        <span title=move || i18n.t(Key::BoardWeightedTitle)>
                                            {move || i18n.format(Key::BoardWeighted, &[("amount", &format_yuan(column_figures().2))])}
                                        </span>
                                    </p>
                                </header>
                                <ul class="board-cards">
                                    <For each=cards key=|row| (row.id.clone(), row.amount, row.days_in_stage, row.stalled) let:row>
                                        {card_view(row, stage)}
                                    </For>
                                </ul>
                                <Show when=move || { column_figures().0 > CARDS_PER_COLUMN }>
                                    <p class="hint board-more">{move || i18n.format(Key::BoardMore, &[("count", &(column_figures().0 - CARDS_PER_COLUMN).to_string())])}</p>
                                </Show>
                            </section>
                        }
                    }
                </For>
            </div>
        }
        .into_any(),
    }
    };

    view! {
        <section class="page board-page" data-testid="board-page">
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::BoardTitle)}</h1>
                <Show when=move || may_create.get()>
                    <A href=mount.with_value(|m| m.href("/opportunities/new")) attr:class="button button-primary">{move || i18n.t(Key::OpportunitiesNew)}</A>
                </Show>
            </header>
            <div class="card customers-toolbar" role="search">
                <div class="field field-search">
                    <label for="board-search">{move || i18n.t(Key::CustomersSearch)}</label>
                    <input id="board-search" type="search" autocomplete="off"
                        placeholder=move || i18n.t(Key::OpportunitiesSearchPlaceholder)
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev)) />
                </div>
                <OwnerFilter id="board-owner" deals=built owner />
            </div>
            <p class="hint" id="board-keys">{move || i18n.t(Key::BoardKeys)}</p>
            <p class="visually-hidden" role="status" aria-live="polite" data-testid="board-status">{move || announcement.get()}</p>
            {move || error.get().map(|error| view! {
                <p class="form-error" role="alert">{move || i18n.format(Key::FormSaveFailed, &[("error", &error)])}</p>
            })}
            {move || lost_drop.get().map(|pending| view! {
                <div class="card confirm-panel" role="alertdialog" aria-labelledby="board-lost-title" data-testid="board-lost"
                    on:keydown=move |ev: ev::KeyboardEvent| if ev.key() == "Escape" { lost_drop.set(None); }>
                    <h2 id="board-lost-title">{move || i18n.format(Key::BoardLostTitle, &[("name", &pending.name)])}</h2>
                    <div class="field">
                        <label for="board-lost-reason">{move || Collection::Opportunity.field("lost_reason").map(|d| d.label(i18n.locale())).unwrap_or("")}</label>
                        <select id="board-lost-reason" aria-required="true" on:change=move |ev| lost_reason.set(event_target_value(&ev))>
                            <option value="">{move || i18n.t(Key::FormChoose)}</option>
                            {reasons.iter().map(|choice| view! {
                                <option value=choice.value>{move || choice.label(i18n.locale())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="form-actions">
                        <button type="button" class="button button-danger" on:click=move |_| confirm_lost()
                            disabled=move || lost_reason.with(String::is_empty)>
                            {move || i18n.t(Key::OpportunityConfirmLost)}
                        </button>
                        <button type="button" class="button" on:click=move |_| lost_drop.set(None)>{move || i18n.t(Key::FormCancel)}</button>
                    </div>
                </div>
            })}
            {body}
        </section>
    }
}
