//! The org chart's viewport. Connectors, block frames and (zoomed out) the cards themselves are
//! painted on one canvas; zoomed in far enough to read, only the cards inside the screen are elements
//! (a few hundred at most), placed in a layer that moves and scales as a whole. So a chart of ten
//! thousand people pans, zooms and pinches at the cost of one screen. Pointer events give mouse,
//! pen and touch the same gestures: drag to pan, wheel or two fingers to zoom; the keyboard pans with
//! the arrows and zooms with + and −. A card the user may move is dragged onto a unit's card: with a
//! mouse or pen straight away, with a finger after holding it still for a moment (a quick swipe over
//! cards still pans).

use std::collections::{HashMap, HashSet};

use leptos::{ev, html, prelude::*, tachys::html::element::ElementExt};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yingxiao_core::{
    org_chart::{
        layout::{layout, Layout, Orientation, Rect, Shape, Size, Spacing},
        viewport::{link_boxes, Grid, View, READABLE_SCALE},
        Chart, Subject,
    },
    targets::attainment::Light,
};

use crate::data::{org::OrgData, records::Shared};

pub const UNIT_CARD: Size = Size { w: 208.0, h: 76.0 };
pub const PERSON_CARD: Size = Size { w: 172.0, h: 56.0 };
/// More cards than this in view are painted, not made elements.
const MAX_ELEMENT_CARDS: usize = 320;
/// Cards just outside the screen are made too, so a short pan shows no gap, screen px.
const OVERSCAN_PX: f64 = 120.0;
/// Buckets of the grids, chart px.
const GRID_CELL: f64 = 512.0;
/// A press that moves further than this pans instead of clicking, px.
const DRAG_SLOP: f64 = 5.0;
/// One arrow key press pans this far, screen px.
const KEY_PAN: f64 = 96.0;
/// How long a finger holds a card still before it lifts for moving, ms.
const HOLD_MS: i32 = 450;

/// A card being moved: which, where the pointer is on the viewport, and the unit card under it.
#[derive(Clone, Debug, PartialEq)]
struct Drag {
    node: usize,
    pointer: i32,
    x: f64,
    y: f64,
    target: Option<usize>,
}

/// A press on a card that may become a move: the card, pointer, where it went down, and whether it
/// is a finger (which must hold still first).
#[derive(Clone, Copy, Debug)]
struct Press {
    node: usize,
    pointer: i32,
    x: f64,
    y: f64,
    touch: bool,
}

/// The chart laid out for what is open, with grids to find what a screen shows.
#[derive(Debug)]
pub struct Laid {
    pub layout: Layout,
    cards: Grid,
    links: Grid,
}

/// Lays out the open part of the chart below `roots`.
pub fn layout_from(
    chart: &Chart,
    closed: &HashSet<usize>,
    orientation: Orientation,
    roots: &[usize],
) -> Layout {
    let sizes: Vec<Size> = chart
        .nodes
        .iter()
        .map(|n| match n.subject {
            Subject::Unit(_) => UNIT_CARD,
            Subject::Person(_) => PERSON_CARD,
        })
        .collect();
    let children = chart.open_children(closed);
    let packable = chart.packable();
    layout(
        &Shape {
            children: &children,
            sizes: &sizes,
            roots,
            packable: &packable,
        },
        &Spacing {
            orientation,
            ..Spacing::default()
        },
    )
}

/// Lays out the open part of the chart.
pub fn lay_out(chart: &Chart, closed: &HashSet<usize>, orientation: Orientation) -> Laid {
    let layout = layout_from(chart, closed, orientation, &chart.roots);
    let cards = Grid::new(layout.cards.clone(), &layout.bounds, GRID_CELL);
    let links = Grid::new(link_boxes(&layout), &layout.bounds, GRID_CELL);
    Laid {
        layout,
        cards,
        links,
    }
}

impl Laid {
    /// The cards inside `area` (chart px).
    pub fn cards_in(&self, area: &Rect) -> Vec<usize> {
        self.cards.find(area)
    }

    /// The card at a point of the chart (chart px), if any.
    pub fn card_at(&self, x: f64, y: f64) -> Option<usize> {
        let point = Rect {
            x,
            y,
            w: 0.0,
            h: 0.0,
        };
        self.cards_in(&point)
            .into_iter()
            .find(|&at| self.layout.cards[at].is_some_and(|r| r.contains(&point)))
    }

    /// How many cards are laid out.
    pub fn count(&self) -> usize {
        self.layout.cards.iter().flatten().count()
    }
}

/// The area a screen of `width` × `height` shows, with the overscan.
fn shown_area(view: &View, width: f64, height: f64) -> Rect {
    let area = view.visible(width, height);
    let pad = OVERSCAN_PX / view.scale;
    Rect {
        x: area.x - pad,
        y: area.y - pad,
        w: area.w + 2.0 * pad,
        h: area.h + 2.0 * pad,
    }
}

/// The cards to make elements of: those in view when they are readable and few enough.
pub fn element_cards(laid: &Laid, view: &View, width: f64, height: f64) -> Option<Vec<usize>> {
    if view.scale < READABLE_SCALE {
        return None;
    }
    let cards = laid.cards_in(&shown_area(view, width, height));
    (cards.len() <= MAX_ELEMENT_CARDS).then_some(cards)
}

/// What one card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CardText {
    pub id: String,
    pub unit: bool,
    /// 大区, 区域… for a unit.
    pub level: String,
    pub name: String,
    pub sub: String,
    /// Children hidden (closed) or shown; `None` without children.
    pub open: Option<bool>,
    pub children: usize,
    /// The shares of the person's (a unit's manager's) time by duty, %, in order.
    pub split: Vec<u8>,
}

/// Colours of a time split's parts, in turn.
pub const SPLIT_COLOURS: [&str; 5] = ["#3b7dd8", "#e0a23b", "#4caf7a", "#c2417a", "#7b68c9"];

/// A time split as one element's background: a bar in parts (`SPLIT_COLOURS`).
pub fn split_style(shares: &[u8]) -> String {
    let mut at = 0u32;
    let stops: Vec<String> = shares
        .iter()
        .enumerate()
        .map(|(i, &share)| {
            let from = at;
            at += u32::from(share);
            let colour = SPLIT_COLOURS[i % SPLIT_COLOURS.len()];
            format!("{colour} {from}% {at}%")
        })
        .collect();
    format!("background:linear-gradient(to right,{})", stops.join(","))
}

/// The colours the canvas paints with, from the style sheet so they follow the theme: the canvas
/// element's own `color` and border colours (resolved by the browser, `light-dark()` included; the
/// canvas has no border to show them).
struct Palette {
    line: String,
    unit: String,
    person: String,
    block: String,
}

fn palette(el: &web_sys::Element) -> Palette {
    let style = window().get_computed_style(el).ok().flatten();
    let read = |name: &str, fallback: &str| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_owned())
    };
    Palette {
        line: read("color", "#9aa4b2"),
        unit: read("border-top-color", "#dbe7ff"),
        person: read("border-right-color", "#eef1f5"),
        block: read("border-bottom-color", "rgba(120,130,150,0.08)"),
    }
}

/// Paints connectors, block frames and, when `cards_too`, every card in view.
fn paint(
    canvas: &HtmlCanvasElement,
    laid: &Laid,
    chart: &Chart,
    view: &View,
    (width, height): (f64, f64),
    cards_too: bool,
) {
    let ratio = window().device_pixel_ratio().max(1.0);
    let (pw, ph) = (
        (width * ratio).round() as u32,
        (height * ratio).round() as u32,
    );
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let colours = palette(canvas);
    let s = view.scale * ratio;
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
    let _ = ctx.set_transform(s, 0.0, 0.0, s, -view.left * s, -view.top * s);
    let area = shown_area(view, width, height);

    ctx.set_fill_style_str(&colours.block);
    ctx.set_stroke_style_str(&colours.line);
    ctx.set_line_width(1.0 / view.scale);
    for block in &laid.layout.blocks {
        let r = block.rect;
        if r.x <= area.right()
            && area.x <= r.right()
            && r.y <= area.bottom()
            && area.y <= r.bottom()
        {
            let pad = 6.0;
            ctx.fill_rect(r.x - pad, r.y - pad, r.w + 2.0 * pad, r.h + 2.0 * pad);
        }
    }
    ctx.begin_path();
    for at in laid.links.find(&area) {
        if let Some(points) = laid.layout.elbow(&laid.layout.links[at]) {
            ctx.move_to(points[0].0, points[0].1);
            for (x, y) in &points[1..] {
                ctx.line_to(*x, *y);
            }
        }
    }
    ctx.set_line_width(1.25 / view.scale);
    ctx.stroke();

    if cards_too {
        let cards = laid.cards_in(&area);
        for (is_unit, colour) in [(true, &colours.unit), (false, &colours.person)] {
            ctx.set_fill_style_str(colour);
            for &at in &cards {
                let unit = matches!(chart.nodes[at].subject, Subject::Unit(_));
                if unit == is_unit {
                    if let Some(r) = laid.layout.cards[at] {
                        ctx.fill_rect(r.x, r.y, r.w, r.h);
                    }
                }
            }
        }
    }
}

/// The viewport. `texts` says what a card shows; `focus` is the focused card's record id.
#[component]
pub fn OrgViewport(
    org: Memo<Option<Shared<OrgData>>>,
    laid: Memo<Option<Shared<Laid>>>,
    view: RwSignal<View>,
    size: RwSignal<(f64, f64)>,
    #[prop(into)] texts: Callback<usize, CardText>,
    #[prop(into)] focus: Signal<Option<String>>,
    on_toggle: Callback<usize>,
    on_pick: Callback<usize>,
    /// Zoom to the whole chart.
    on_fit: Callback<()>,
    /// May the user move this card's record?
    movable: Callback<usize, bool>,
    /// A card dropped onto a unit's card: (moved, onto).
    on_drop: Callback<(usize, usize)>,
    #[prop(into)] label: Signal<String>,
    /// Units' attainment of their year's sales target: the share and its light, by unit id.
    attainment: Memo<HashMap<String, (f64, Light)>>,
) -> impl IntoView {
    let host = NodeRef::<html::Div>::new();
    let canvas = NodeRef::<html::Canvas>::new();
    let measure = move || {
        if let Some(el) = host.get_untracked() {
            let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
            let (w0, h0) = size.get_untracked();
            if (w, h) != (w0, h0) && w > 0.0 && h > 0.0 {
                // What was in the middle stays in the middle.
                if w0 > 0.0 && h0 > 0.0 {
                    view.update(|v| {
                        v.left += (w0 - w) / 2.0 / v.scale;
                        v.top += (h0 - h) / 2.0 / v.scale;
                    });
                }
                size.set((w, h));
            }
        }
    };
    // Measured whenever the viewport's box changes: the window, and the breadcrumb or details
    // appearing beside it.
    Effect::new(move |_| {
        let Some(el) = host.get() else { return };
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
        let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        observer.observe(&el);
        let held = send_wrapper::SendWrapper::new((observer, callback));
        on_cleanup(move || held.0.disconnect());
    });

    let elements = Memo::new(move |_| {
        let (w, h) = size.get();
        let view = view.get();
        laid.with(|laid| {
            laid.as_ref()
                .and_then(|laid| element_cards(laid, &view, w, h))
        })
    });
    // Repaint whenever the layout, the view or the screen changes.
    Effect::new(move |_| {
        let (Some(canvas), Some(laid)) = (canvas.get(), laid.get()) else {
            return;
        };
        let cards_too = elements.with(Option::is_none);
        let view = view.get();
        let size = size.get();
        org.with_untracked(|org| {
            if let Some(org) = org {
                paint(&canvas, &laid, &org.chart, &view, size, cards_too);
            }
        });
        // What a test or benchmark waits for: everything laid out and this screen drawn.
        if let Some(host) = host.get_untracked() {
            let _ = host.set_attribute("data-laid-out", &laid.count().to_string());
        }
    });

    // A layer generation, so cards of an earlier layout are never reused for another.
    let generation = Memo::new(move |_| {
        laid.with(|l| {
            l.as_ref()
                .map_or(0, |l| std::sync::Arc::as_ptr(&l.0) as usize)
        })
    });
    let cards = move || {
        let generation = generation.get();
        elements
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|at| (generation, at))
            .collect::<Vec<_>>()
    };
    let dragging: RwSignal<Option<Drag>> = RwSignal::new(None);
    let card_view = move |(_, at): (usize, usize)| {
        let rect = laid.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.layout.cards.get(at).copied().flatten())
        });
        let Some(rect) = rect else {
            return ().into_any();
        };
        let text = texts.run(at);
        let style = format!(
            "left:{}px;top:{}px;width:{}px;height:{}px",
            rect.x, rect.y, rect.w, rect.h
        );
        let id = text.id.clone();
        let focused = move || focus.with(|f| f.as_deref() == Some(id.as_str()));
        let toggle = text.open.map(|open| {
            let mark = if open {
                "−".to_owned()
            } else {
                format!("+{}", text.children)
            };
            view! {
                <button type="button" class="toggle" aria-expanded=open.to_string()
                    on:click=move |ev| { ev.stop_propagation(); on_toggle.run(at); }>{mark}</button>
            }
        });
        let dragged = move || dragging.with(|d| d.as_ref().is_some_and(|d| d.node == at));
        let targeted = move || dragging.with(|d| d.as_ref().is_some_and(|d| d.target == Some(at)));
        view! {
            <div class="org-card" class:unit=text.unit class:focused=focused class:dragged=dragged
                class:drop-target=targeted data-node-id=text.id.clone() data-node=at.to_string() style=style>
                <button type="button" class="org-card-main" title=format!("{}\n{}", text.name, text.sub)
                    on:click=move |_| on_pick.run(at)>
                    {text.unit.then(|| view! { <span class="org-level">{text.level.clone()}</span> })}
                    <b>{text.name.clone()}</b>
                    <span class="org-sub">{text.sub.clone()}</span>
                    {(!text.split.is_empty()).then(|| view! { <span class="org-split" style=split_style(&text.split)></span> })}
                    {text.unit.then(|| {
                        let id = text.id.clone();
                        move || attainment.with(|a| a.get(&id).copied()).map(|(share, light)| {
                            let label = format!("{:.0}%", share * 100.0);
                            view! {
                                <span class="org-attain" title=label.clone() aria-label=label data-testid="org-attain">
                                    <span data-light=light.as_str() style=format!("width:{:.1}%", share.clamp(0.0, 1.0) * 100.0)></span>
                                </span>
                            }
                        })
                    })}
                </button>
                {toggle}
            </div>
        }
        .into_any()
    };
    let layer_style = move || {
        let v = view.get();
        format!(
            "transform:translate({}px,{}px) scale({})",
            -v.left * v.scale,
            -v.top * v.scale,
            v.scale
        )
    };

    // Gestures: pointers down (id, x, y), and whether this press has become a pan.
    let pointers = StoredValue::new(Vec::<(i32, f64, f64)>::new());
    let panning = StoredValue::new(false);
    let travelled = StoredValue::new(0.0_f64);
    let pressed: StoredValue<Option<Press>> = StoredValue::new(None);
    let origin = move || {
        host.get_untracked()
            .map(|el| {
                let r = el.get_bounding_client_rect();
                (r.left(), r.top())
            })
            .unwrap_or((0.0, 0.0))
    };
    // The unit card under a point of the viewport (px from its corner), other than the moved one.
    let unit_at = move |moved: usize, sx: f64, sy: f64| {
        let v = view.get_untracked();
        let at = laid.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.card_at(v.left + sx / v.scale, v.top + sy / v.scale))
        })?;
        let unit = org.with_untracked(|o| {
            o.as_ref().is_some_and(|o| {
                matches!(
                    o.chart.nodes.get(at).map(|n| n.subject),
                    Some(Subject::Unit(_))
                )
            })
        });
        (unit && at != moved).then_some(at)
    };
    let lift = move |press: Press, x: f64, y: f64| {
        let (ox, oy) = origin();
        panning.set_value(false);
        dragging.set(Some(Drag {
            node: press.node,
            pointer: press.pointer,
            x: x - ox,
            y: y - oy,
            target: unit_at(press.node, x - ox, y - oy),
        }));
        // The drag follows this pointer off the card, and its click lands on the viewport.
        if let Some(el) = host.get_untracked() {
            let _ = el.set_pointer_capture(press.pointer);
        }
    };
    let on_down = move |ev: ev::PointerEvent| {
        if ev.button() > 0 {
            return;
        }
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        pointers.update_value(|p| {
            p.retain(|(id, _, _)| *id != ev.pointer_id());
            p.push((ev.pointer_id(), x, y));
        });
        if pointers.with_value(Vec::len) != 1 {
            // A second finger: a pinch, never a move.
            pressed.set_value(None);
            return;
        }
        travelled.set_value(0.0);
        panning.set_value(false);
        // A press on a card (not its ± button) that the user may move.
        let card = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .filter(|el| el.closest(".toggle").ok().flatten().is_none())
            .and_then(|el| el.closest(".org-card").ok().flatten())
            .and_then(|el| el.get_attribute("data-node"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&at| movable.run(at));
        let press = card.map(|node| Press {
            node,
            pointer: ev.pointer_id(),
            x,
            y,
            touch: ev.pointer_type() == "touch",
        });
        pressed.set_value(press);
        if let Some(press) = press.filter(|p| p.touch) {
            // A finger held still lifts the card.
            set_timeout(
                move || {
                    // The page may have gone meanwhile: then nothing is held.
                    let still = pressed
                        .try_get_value()
                        .flatten()
                        .is_some_and(|p| p.pointer == press.pointer && p.node == press.node);
                    let alone = pointers.try_with_value(Vec::len) == Some(1);
                    if still && alone && panning.try_get_value() == Some(false) {
                        lift(press, press.x, press.y);
                    }
                },
                std::time::Duration::from_millis(HOLD_MS as u64),
            );
        }
    };
    let on_move = move |ev: ev::PointerEvent| {
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        if dragging.with_untracked(|d| d.as_ref().is_some_and(|d| d.pointer == ev.pointer_id())) {
            let (ox, oy) = origin();
            dragging.update(|d| {
                if let Some(d) = d {
                    d.x = x - ox;
                    d.y = y - oy;
                    d.target = unit_at(d.node, d.x, d.y);
                }
            });
            return;
        }
        if let Some(press) = pressed.get_value().filter(|p| p.pointer == ev.pointer_id()) {
            if (x - press.x).hypot(y - press.y) > DRAG_SLOP {
                pressed.set_value(None);
                if !press.touch {
                    lift(press, x, y);
                    return;
                }
            }
        }
        let before = pointers.get_value();
        let Some(at) = before.iter().position(|(id, _, _)| *id == ev.pointer_id()) else {
            return;
        };
        let (_, px, py) = before[at];
        let mut after = before.clone();
        after[at] = (ev.pointer_id(), x, y);
        pointers.set_value(after.clone());
        travelled.update_value(|t| *t += (x - px).hypot(y - py));
        if !panning.get_value() && travelled.get_value() > DRAG_SLOP {
            panning.set_value(true);
            // From now on the viewport follows this pointer even off the cards, and the press is
            // no longer a click on the card it started on.
            if let Some(el) = host.get_untracked() {
                let _ = el.set_pointer_capture(ev.pointer_id());
            }
        }
        let (ox, oy) = origin();
        match (before.as_slice(), after.as_slice()) {
            ([_], [_]) => view.update(|v| *v = v.panned(x - px, y - py)),
            ([a, b, ..], [c, d, ..]) => {
                let gap_before = (a.1 - b.1).hypot(a.2 - b.2).max(1.0);
                let gap_after = (c.1 - d.1).hypot(c.2 - d.2).max(1.0);
                let mid_before = ((a.1 + b.1) / 2.0 - ox, (a.2 + b.2) / 2.0 - oy);
                let mid_after = ((c.1 + d.1) / 2.0 - ox, (c.2 + d.2) / 2.0 - oy);
                view.update(|v| {
                    *v = v
                        .zoomed(gap_after / gap_before, mid_before.0, mid_before.1)
                        .panned(mid_after.0 - mid_before.0, mid_after.1 - mid_before.1);
                });
            }
            _ => {}
        }
    };
    let release = move |ev: &ev::PointerEvent, dropped: bool| {
        pointers.update_value(|p| p.retain(|(id, _, _)| *id != ev.pointer_id()));
        if pressed
            .get_value()
            .is_some_and(|p| p.pointer == ev.pointer_id())
        {
            pressed.set_value(None);
        }
        let drag = dragging.with_untracked(|d| d.clone());
        if let Some(drag) = drag.filter(|d| d.pointer == ev.pointer_id()) {
            dragging.set(None);
            if let (true, Some(target)) = (dropped, drag.target) {
                on_drop.run((drag.node, target));
            }
        }
    };
    let on_up = move |ev: ev::PointerEvent| release(&ev, true);
    let on_cancel = move |ev: ev::PointerEvent| release(&ev, false);
    // A press that became a pan captured the pointer, so its click lands on the viewport, not on a
    // card: no pick.
    let on_wheel = move |ev: ev::WheelEvent| {
        ev.prevent_default();
        let (ox, oy) = origin();
        let lines = if ev.delta_mode() == 1 { 16.0 } else { 1.0 };
        let factor = (-ev.delta_y() * lines * 0.0015).exp();
        let (sx, sy) = (f64::from(ev.client_x()) - ox, f64::from(ev.client_y()) - oy);
        view.update(|v| *v = v.zoomed(factor, sx, sy));
    };
    // The wheel listener is the element's own and not passive, so zooming does not scroll the page
    // (a delegated listener sits on the document, where the browser makes wheel listeners passive).
    Effect::new(move |_| {
        let Some(el) = host.get() else { return };
        let mut wheel = ev::Custom::<ev::WheelEvent>::new("wheel");
        wheel.options_mut().set_passive(false);
        let listening = el.on(wheel, on_wheel);
        on_cleanup(move || drop(listening));
    });
    let on_key = move |ev: ev::KeyboardEvent| {
        let (w, h) = size.get_untracked();
        let pan = |dx: f64, dy: f64| view.update(|v| *v = v.panned(dx, dy));
        match ev.key().as_str() {
            "ArrowLeft" => pan(KEY_PAN, 0.0),
            "ArrowRight" => pan(-KEY_PAN, 0.0),
            "ArrowUp" => pan(0.0, KEY_PAN),
            "ArrowDown" => pan(0.0, -KEY_PAN),
            "+" | "=" => view.update(|v| *v = v.zoomed(1.25, w / 2.0, h / 2.0)),
            "-" | "_" => view.update(|v| *v = v.zoomed(0.8, w / 2.0, h / 2.0)),
            "0" => on_fit.run(()),
            _ => return,
        }
        ev.prevent_default();
    };

    view! {
        <div class="org-viewport" node_ref=host tabindex="0" role="group" aria-label=label
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel
            on:keydown=on_key
            // A held finger would open the context menu instead of lifting the card.
            on:contextmenu=move |ev: ev::MouseEvent| if pressed.get_value().is_some() || dragging.with_untracked(Option::is_some) { ev.prevent_default() }>
            <canvas class="org-canvas" node_ref=canvas aria-hidden="true"></canvas>
            <div class="org-layer" style=layer_style>
                <For each=cards key=|k| *k children=card_view />
            </div>
            {move || dragging.get().map(|d| {
                let moved = texts.run(d.node).name;
                let onto = d.target.map(|t| texts.run(t).name);
                let over = onto.is_some();
                view! {
                    <div class="org-drag-ghost" class:over=over data-testid="org-drag-ghost"
                        style=format!("left:{}px;top:{}px", d.x, d.y)>
                        <b>{moved}</b>
                        {onto.map(|o| view! { " → " <span>{o}</span> })}
                    </div>
                }
            })}
        </div>
    }
}
