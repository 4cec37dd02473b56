//! `/org` (组织架构): the units and people the user sees as one chart (core's `org_chart`): unit cards
//! with their level, manager and headcount, people cards with their role and unit. Cards open and
//! close one by one or down to a level; a search by name, pinyin initials or unit opens the path to a
//! hit and centres it; the focused card's managers show as a breadcrumb and its details beside the
//! chart. Admins and HQ see the whole organisation, everyone else their unit and below.
//! `?level=all` opens every card (what the benchmark compares with the peers). Who may move people
//! or units drags their cards onto another unit, or uses "move to…" on the details (`moving`).

mod chart;
mod moving;

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};
use yingxiao_core::{
    domain::Collection,
    locale::Locale,
    org_chart::{
        export::{chart_svg, CardLabel},
        layout::Orientation,
        search,
        viewport::{View, READABLE_SCALE},
        Subject,
    },
    permission::Action,
    targets::{actuals::Metric, sheet::units_attainment},
};

use self::chart::{lay_out, layout_from, split_style, CardText, Laid, OrgViewport, SPLIT_COLOURS};
use self::moving::{may_move, Moving};
use crate::{
    components::charts::export::download_png_markup,
    data::{
        org::{use_org, OrgData},
        records::{watch_collection, Loaded, Shared},
        sync::use_data,
        targets::use_actuals,
    },
    format::local_today,
    i18n::{use_i18n, I18n, Key},
    mount::use_mount,
    permissions::use_access,
    routes::Page,
    session::use_session,
};

/// Levels open when the page opens without `?level`: the company, its regions and their areas.
const DEFAULT_LEVELS: u32 = 2;
/// Search hits listed.
const HITS: usize = 8;
/// Zoom a found card is shown at, at least.
const FOUND_SCALE: f64 = 0.9;

fn choice(collection: Collection, field: &str, value: &str, i18n: I18n) -> String {
    collection
        .field(field)
        .and_then(|f| f.choice_label(value, i18n.locale()))
        .unwrap_or(value)
        .to_owned()
}

/// What a card shows.
fn card_text(org: &OrgData, closed: &HashSet<usize>, at: usize, i18n: I18n) -> CardText {
    let node = &org.chart.nodes[at];
    let open = (!node.children.is_empty()).then(|| !closed.contains(&at));
    match node.subject {
        Subject::Unit(u) => {
            let unit = &org.units[u];
            let manager = org.person_name(&unit.manager_id);
            let count = i18n.format(Key::OrgHeadcount, &[("count", &node.headcount.to_string())]);
            CardText {
                id: unit.id.clone(),
                unit: true,
                level: choice(Collection::OrgUnit, "kind", &unit.kind, i18n),
                name: unit.name.clone(),
                sub: if manager.is_empty() {
                    count
                } else {
                    format!("{manager} · {count}")
                },
                open,
                children: node.children.len(),
                split: shares(org, org.person_role(&unit.manager_id)),
            }
        }
        Subject::Person(p) => {
            let person = &org.people[p];
            let title = &org.extra[p].title;
            let role = if title.is_empty() {
                choice(Collection::User, "role", &person.role, i18n)
            } else {
                title.clone()
            };
            let unit = org.unit_name(&person.unit_id);
            CardText {
                id: person.id.clone(),
                unit: false,
                level: String::new(),
                name: person.name.clone(),
                sub: if unit.is_empty() {
                    role
                } else {
                    format!("{role} · {unit}")
                },
                open,
                children: node.children.len(),
                split: shares(org, &person.role),
            }
        }
    }
}

fn shares(org: &OrgData, role: &str) -> Vec<u8> {
    org.duties(role).iter().map(|d| d.share).collect()
}

#[component]
pub fn OrgPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let mount = use_mount();
    let query = use_query_map();
    let access = use_access();
    let org_read = use_org(data, use_session());
    let org = Memo::new(move |_| match org_read.get() {
        Loaded::Ready(org) => Some(org),
        _ => None,
    });
    let start_levels: Option<u32> = query.with_untracked(|q| match q.get("level").as_deref() {
        Some("all") => None,
        Some(n) => n.parse().ok().or(Some(DEFAULT_LEVELS)),
        None => Some(DEFAULT_LEVELS),
    });

    // Closed cards by record id, so they stay closed when the data changes under them; `None` until
    // the chart first loads.
    let closed_ids: RwSignal<Option<HashSet<String>>> = RwSignal::new(None);
    let orientation = RwSignal::new(Orientation::TopDown);
    let view = RwSignal::new(View::default());
    let size = RwSignal::new((0.0_f64, 0.0_f64));
    let focus: RwSignal<Option<String>> = RwSignal::new(None);
    // A card to bring to the middle once it is laid out.
    let centre_on: RwSignal<Option<String>> = RwSignal::new(None);
    // A card to keep where it is on screen while the chart changes around it: (id, x, y).
    let anchor: RwSignal<Option<(String, f64, f64)>> = RwSignal::new(None);
    let placed = RwSignal::new(false);
    // Moving: a drop waiting to be spelled out, and the card whose "move to…" picker is open.
    let asked: RwSignal<Option<(usize, usize)>> = RwSignal::new(None);
    let picking: RwSignal<Option<usize>> = RwSignal::new(None);
    let movable = Callback::new(move |at: usize| {
        org.with_untracked(|o| o.as_ref().is_some_and(|o| may_move(o, &access, at)))
    });
    let may_move_any = move || {
        access.can(Collection::User, Action::Reassign, None)
            || access.can(Collection::OrgUnit, Action::Reassign, None)
    };

    let close_to_level = move |levels: Option<u32>| {
        org.with_untracked(|org| {
            let Some(org) = org else { return };
            let ids = match levels {
                Some(depth) => org
                    .chart
                    .closed_from_depth(depth)
                    .into_iter()
                    .map(|at| org.record_id(at).to_owned())
                    .collect(),
                None => HashSet::new(),
            };
            closed_ids.set(Some(ids));
        });
    };
    Effect::new(move |_| {
        if org.with(Option::is_some) && closed_ids.with_untracked(Option::is_none) {
            close_to_level(start_levels);
        }
    });
    let closed = Memo::new(move |_| {
        org.with(|org| {
            closed_ids.with(|ids| match (org, ids) {
                (Some(org), Some(ids)) => ids.iter().filter_map(|id| org.node_of(id)).collect(),
                _ => HashSet::new(),
            })
        })
    });
    let laid: Memo<Option<Shared<Laid>>> = Memo::new(move |_| {
        if closed_ids.with(Option::is_none) {
            return None;
        }
        let orientation = orientation.get();
        org.with(|org| {
            org.as_ref().map(|org| {
                closed.with(|closed| Shared(Arc::new(lay_out(&org.chart, closed, orientation))))
            })
        })
    });

    let card_rect = move |id: &str| {
        let at = org.with_untracked(|o| o.as_ref().and_then(|o| o.node_of(id)))?;
        laid.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.layout.cards.get(at).copied().flatten())
        })
    };
    // Brings a laid-out card to the middle, at least at `FOUND_SCALE`; false if it is not laid out.
    let centre = move |id: &str| -> bool {
        let Some(r) = card_rect(id) else { return false };
        let (w, h) = size.get_untracked();
        let scale = view.get_untracked().scale.max(FOUND_SCALE);
        view.set(View::centred(r.centre_x(), r.centre_y(), scale, w, h));
        true
    };
    let fit = move || {
        let (w, h) = size.get_untracked();
        if let Some(bounds) = laid.with_untracked(|l| l.as_ref().map(|l| l.layout.bounds)) {
            view.set(View::fit(&bounds, w, h, 24.0));
        }
    };
    // The first picture: the whole chart when every card is open, else the top of the chart at
    // full size (or all of it, if it fits).
    Effect::new(move |_| {
        let (w, h) = size.get();
        let Some(bounds) = laid.with(|l| l.as_ref().map(|l| l.layout.bounds)) else {
            return;
        };
        if placed.get_untracked() || w <= 0.0 {
            return;
        }
        placed.set(true);
        let whole = View::fit(&bounds, w, h, 24.0);
        if start_levels.is_none() || whole.scale >= 1.0 {
            view.set(whole);
        } else {
            let top = org.with_untracked(|o| {
                o.as_ref()
                    .and_then(|o| o.chart.roots.first().map(|&r| o.record_id(r).to_owned()))
            });
            let x = top
                .and_then(|id| card_rect(&id))
                .map_or(bounds.centre_x(), |r| r.centre_x());
            view.set(View {
                left: x - w / 2.0,
                top: -24.0,
                scale: 1.0,
            });
        }
    });
    // Where the focused card was laid out last: (id, x, y) in the layout's own coordinates.
    let held: StoredValue<Option<(String, f64, f64)>> = StoredValue::new(None);
    let hold_focus = move || {
        let at = focus
            .get_untracked()
            .and_then(|id| card_rect(&id).map(|r| (id, r.x, r.y)));
        held.set_value(at);
    };
    Effect::new(move |_| {
        focus.track();
        hold_focus();
    });
    // After a re-layout: bring a found card to the middle, keep the toggled one in place, or else
    // keep the focused card where it was on screen (a sync that brings new units moves the cards
    // around it).
    Effect::new(move |_| {
        laid.track();
        if centre_on.with_untracked(|id| id.as_deref().is_some_and(centre)) {
            centre_on.set(None);
        } else if let Some((id, sx, sy)) = anchor.get_untracked() {
            if let Some(r) = card_rect(&id) {
                view.update(|v| {
                    v.left = r.x - sx / v.scale;
                    v.top = r.y - sy / v.scale;
                });
            }
            anchor.set(None);
        } else if let Some((id, x, y)) = held.get_value() {
            if let Some(r) = card_rect(&id) {
                if (r.x, r.y) != (x, y) {
                    view.update(|v| {
                        v.left += r.x - x;
                        v.top += r.y - y;
                    });
                }
            }
        }
        hold_focus();
    });

    let toggle = Callback::new(move |at: usize| {
        let Some(id) = org.with_untracked(|o| o.as_ref().map(|o| o.record_id(at).to_owned()))
        else {
            return;
        };
        if let Some(r) = card_rect(&id) {
            let v = view.get_untracked();
            anchor.set(Some((
                id.clone(),
                (r.x - v.left) * v.scale,
                (r.y - v.top) * v.scale,
            )));
        }
        closed_ids.update(|ids| {
            let ids = ids.get_or_insert_with(HashSet::new);
            if !ids.remove(&id) {
                ids.insert(id);
            }
        });
    });
    let pick = Callback::new(move |at: usize| {
        focus.set(org.with_untracked(|o| o.as_ref().map(|o| o.record_id(at).to_owned())));
    });
    // Opens every card above `at`, focuses it and brings it to the middle.
    let reveal = move |at: usize| {
        let Some((id, above)) = org.with_untracked(|o| {
            o.as_ref().map(|o| {
                let above: Vec<String> = o
                    .chart
                    .ancestors(at)
                    .into_iter()
                    .map(|a| o.record_id(a).to_owned())
                    .collect();
                (o.record_id(at).to_owned(), above)
            })
        }) else {
            return;
        };
        focus.set(Some(id.clone()));
        centre_on.set(Some(id.clone()));
        let closes_above = closed_ids.with_untracked(|ids| {
            ids.as_ref()
                .is_some_and(|ids| above.iter().any(|a| ids.contains(a)))
        });
        if closes_above {
            closed_ids.update(|ids| {
                if let Some(ids) = ids {
                    for a in &above {
                        ids.remove(a);
                    }
                }
            });
        } else if centre(&id) {
            // Nothing to lay out again: it is in the middle already.
            centre_on.set(None);
        }
    };

    // Each unit's attainment of its year's sales target, for its card.
    let targets = watch_collection(data, Collection::Target);
    let actuals = use_actuals(data);
    let today = local_today();
    let attainment = Memo::new(move |_| {
        targets
            .with(|read| match read {
                Some(Ok(rows)) => {
                    let list = crate::data::records::live_fields(rows);
                    actuals.with(|a| units_attainment(&list, a, Metric::SalesAmount, today))
                }
                _ => None,
            })
            .unwrap_or_default()
    });

    let texts = Callback::new(move |at: usize| {
        org.with_untracked(|o| {
            let o = o.as_ref().expect("cards are drawn only with the chart");
            closed.with_untracked(|closed| card_text(o, closed, at, i18n))
        })
    });

    // Search.
    let search_text = RwSignal::new(String::new());
    let hits = Memo::new(move |_| {
        let text = search_text.get();
        org.with(|o| {
            let Some(o) = o else { return Vec::new() };
            search(&o.searchable, &text, HITS)
                .into_iter()
                .filter_map(|hit| {
                    let node = o.node_of_hit(hit)?;
                    let found = &o.searchable[hit];
                    Some((node, found.name.clone(), found.unit.clone()))
                })
                .collect::<Vec<_>>()
        })
    });
    let searching = move || !search_text.with(|t| t.trim().is_empty());
    let choose = move |node: usize| {
        reveal(node);
        search_text.set(String::new());
    };

    let level_count = Memo::new(move |_| org.with(|o| o.as_ref().map_or(0, |o| o.chart.depth())));
    let level_choice =
        RwSignal::new(start_levels.map_or_else(|| "all".to_owned(), |n| n.to_string()));

    let breadcrumb = move || {
        let id = focus.get()?;
        org.with(|o| {
            let o = o.as_ref()?;
            let at = o.node_of(&id)?;
            let path: Vec<(usize, String)> = o
                .chart
                .ancestors(at)
                .into_iter()
                .map(|a| {
                    let text = card_text(o, &HashSet::new(), a, i18n);
                    (a, text.name)
                })
                .collect();
            Some(view! {
                <nav class="org-breadcrumb" aria-label=move || i18n.t(Key::OrgBreadcrumb) data-testid="org-breadcrumb">
                    {path.into_iter().map(|(a, name)| view! {
                        <button type="button" class="link-button" on:click=move |_| reveal(a)>{name}</button>
                        <span aria-hidden="true">" › "</span>
                    }).collect_view()}
                </nav>
            })
        })
    };
    let details = move || {
        let id = focus.get()?;
        org.with(|o| {
            let o = o.as_ref()?;
            let at = o.node_of(&id)?;
            let text = card_text(o, &HashSet::new(), at, i18n);
            let node = &o.chart.nodes[at];
            let (collection, record) = match node.subject {
                Subject::Unit(u) => (Collection::OrgUnit, o.units[u].id.clone()),
                Subject::Person(p) => (Collection::User, o.people[p].id.clone()),
            };
            let href = mount.href(&Page::Detail(collection, record).path());
            let role = match node.subject {
                Subject::Unit(u) => o.person_role(&o.units[u].manager_id).to_owned(),
                Subject::Person(p) => o.people[p].role.clone(),
            };
            let duties = o.duties(&role);
            let locale = i18n.locale();
            let duties_view = (!role.is_empty()).then(|| {
                let split = split_style(&duties.iter().map(|d| d.share).collect::<Vec<_>>());
                view! {
                    <h3>{i18n.t(Key::OrgDuties)}</h3>
                    {if duties.is_empty() {
                        view! { <p class="muted">{i18n.t(Key::OrgNoDuties)}</p> }.into_any()
                    } else {
                        view! {
                            <span class="org-split wide" style=split></span>
                            <ul class="org-duties" data-testid="org-duties">
                                {duties.iter().enumerate().map(|(i, d)| {
                                    let name = match locale { Locale::ZhCn => d.zh.clone(), Locale::En => d.en.clone() };
                                    view! {
                                        <li><span class="org-swatch" style=format!("background:{}", SPLIT_COLOURS[i % SPLIT_COLOURS.len()])></span>
                                            {name}<b>{format!("{}%", d.share)}</b></li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }
            });
            let reports = match node.subject {
                Subject::Person(_) if node.headcount > 0 => Some(
                    i18n.format(Key::OrgReports, &[("count", &node.headcount.to_string())]),
                ),
                _ => None,
            };
            Some(view! {
                <aside class="card org-details" data-testid="org-details">
                    {text.unit.then(|| view! { <span class="org-level">{text.level.clone()}</span> })}
                    <h2>{text.name.clone()}</h2>
                    <p class="muted">{text.sub.clone()}</p>
                    {reports.map(|r| view! { <p>{r}</p> })}
                    {duties_view}
                    <div class="form-actions">
                        <A href=href attr:class="button">{move || i18n.t(Key::OrgOpenRecord)}</A>
                        {may_move(o, &access, at).then(|| view! {
                            <button type="button" class="button" data-testid="org-move-to"
                                on:click=move |_| picking.set(Some(at))>{move || i18n.t(Key::OrgMoveTo)}</button>
                        })}
                    </div>
                </aside>
            })
        })
    };

    // Export and print: the focused card and what is open below it, or the whole chart as open.
    let export_svg = move || -> Option<(String, f64, f64, String)> {
        let orientation = orientation.get_untracked();
        org.with_untracked(|o| {
            let o = o.as_ref()?;
            let focused = focus.get_untracked().and_then(|id| o.node_of(&id));
            let roots = focused.map_or_else(|| o.chart.roots.clone(), |at| vec![at]);
            closed.with_untracked(|closed| {
                let layout = layout_from(&o.chart, closed, orientation, &roots);
                let title = focused.map_or_else(
                    || i18n.t(Key::OrgTitle).to_owned(),
                    |at| card_text(o, closed, at, i18n).name,
                );
                let svg = chart_svg(&layout, &title, |at| {
                    let text = card_text(o, closed, at, i18n);
                    Some(CardLabel {
                        level: text.level,
                        name: text.name,
                        sub: text.sub,
                        unit: text.unit,
                    })
                });
                // The size the document says it is (the layout and its margins).
                let size = |name: &str| {
                    svg.split_once(&format!(" {name}=\""))
                        .and_then(|(_, rest)| rest.split('"').next())
                        .and_then(|v| v.parse::<f64>().ok())
                        .unwrap_or(0.0)
                };
                let (w, h) = (size("width"), size("height"));
                Some((svg, w, h, title))
            })
        })
    };
    let export_failed = RwSignal::new(false);
    let file_name = |title: &str, ext: &str| format!("{}.{ext}", title.replace(['/', '\\'], "-"));
    let save_svg = move |_| {
        export_failed.set(false);
        if let Some((svg, _, _, title)) = export_svg() {
            let saved = crate::download::save_file(
                &file_name(&title, "svg"),
                "image/svg+xml;charset=utf-8",
                svg.as_bytes(),
            );
            export_failed.set(saved.is_err());
        }
    };
    let save_png = move |_| {
        export_failed.set(false);
        if let Some((svg, w, h, title)) = export_svg() {
            // Within what a canvas can hold: at most 16,000 px a side, at most twice the size.
            let scale = (16_000.0 / w.max(h).max(1.0)).min(2.0);
            let started =
                download_png_markup(&svg, w, h, scale, &file_name(&title, "png"), move |done| {
                    export_failed.set(done.is_err());
                });
            export_failed.set(started.is_err());
        }
    };
    let paper = RwSignal::new("A4".to_owned());
    let print = move |_| {
        let Some((svg, _, _, _)) = export_svg() else {
            return;
        };
        print_svg(&svg, &paper.get_untracked());
    };
    let export_scope = move || {
        let name = focus.get().and_then(|id| {
            org.with(|o| {
                let o = o.as_ref()?;
                let person = o.person_name(&id);
                Some(
                    if person.is_empty() {
                        o.unit_name(&id)
                    } else {
                        person
                    }
                    .to_owned(),
                )
            })
        });
        match name {
            Some(name) if !name.is_empty() => i18n.format(Key::OrgExportFocus, &[("name", &name)]),
            _ => i18n.t(Key::OrgExportAll).to_owned(),
        }
    };

    let zoom = move |factor: f64| {
        let (w, h) = size.get_untracked();
        view.update(|v| *v = v.zoomed(factor, w / 2.0, h / 2.0));
    };
    let shown = move || {
        laid.with(|l| {
            org.with(|o| match (l, o) {
                (Some(l), Some(o)) => i18n.format(
                    Key::OrgShown,
                    &[
                        ("shown", &l.count().to_string()),
                        ("total", &o.chart.nodes.len().to_string()),
                    ],
                ),
                _ => String::new(),
            })
        })
    };

    let body = move || match org_read.with(|o| o.map_ref(|o| o.chart.nodes.is_empty())) {
        Loaded::Loading => {
            view! { <p class="muted" role="status">{move || i18n.t(Key::ListLoading)}</p> }
                .into_any()
        }
        Loaded::Failed(error) => view! { <p class="error" role="alert">{error}</p> }.into_any(),
        Loaded::Ready(true) => view! {
            <p class="empty-state" data-testid="org-empty">{move || i18n.t(Key::OrgEmpty)}</p>
        }
        .into_any(),
        Loaded::Ready(false) => view! {
            <OrgViewport org laid view size texts focus on_toggle=toggle on_pick=pick
                on_fit=Callback::new(move |_| fit())
                movable on_drop=Callback::new(move |pair| asked.set(Some(pair)))
                label=Signal::derive(move || i18n.t(Key::OrgViewportLabel).to_owned()) attainment />
        }
        .into_any(),
    };

    view! {
        <section class="page org-page" data-testid="org-page">
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::OrgTitle)}</h1>
            </header>
            <div class="org-toolbar">
                <div class="org-search">
                    <input type="search" class="input" data-testid="org-search"
                        placeholder=move || i18n.t(Key::OrgSearch)
                        aria-label=move || i18n.t(Key::OrgSearchLabel)
                        prop:value=move || search_text.get()
                        on:input=move |e| search_text.set(event_target_value(&e))
                        on:keydown=move |e: leptos::ev::KeyboardEvent| {
                            if e.key() == "Enter" {
                                if let Some((node, _, _)) = hits.with_untracked(|h| h.first().cloned()) {
                                    choose(node);
                                }
                            } else if e.key() == "Escape" {
                                search_text.set(String::new());
                            }
                        } />
                    <Show when=searching>
                        <HitList hits on_pick=Callback::new(choose) class="org-hits" testid="org-hits" />
                    </Show>
                </div>
                <label class="org-level-choice">
                    {move || i18n.t(Key::OrgLevel)}
                    <select class="input" data-testid="org-level"
                        on:change=move |e| {
                            let value = event_target_value(&e);
                            close_to_level(value.parse().ok());
                            level_choice.set(value);
                        }>
                        {move || (1..=level_count.get()).map(|n| {
                            let value = n.to_string();
                            let chosen = level_choice.with(|c| *c == value);
                            view! {
                                <option value=value selected=chosen>{i18n.format(Key::OrgLevelN, &[("n", &n.to_string())])}</option>
                            }
                        }).collect_view()}
                        <option value="all" selected=move || level_choice.with(|c| c == "all")>{move || i18n.t(Key::OrgLevelAll)}</option>
                    </select>
                </label>
                <div class="org-buttons" role="group">
                    <button type="button" class="button" data-testid="org-zoom-out" aria-label=move || i18n.t(Key::OrgZoomOut)
                        on:click=move |_| zoom(0.8)>"−"</button>
                    <button type="button" class="button" data-testid="org-zoom-in" aria-label=move || i18n.t(Key::OrgZoomIn)
                        on:click=move |_| zoom(1.25)>"+"</button>
                    <button type="button" class="button" data-testid="org-fit" on:click=move |_| fit()>
                        {move || i18n.t(Key::OrgFit)}</button>
                    <button type="button" class="button" data-testid="org-orientation"
                        on:click=move |_| {
                            placed.set(false);
                            orientation.update(|o| *o = match o {
                                Orientation::TopDown => Orientation::LeftRight,
                                Orientation::LeftRight => Orientation::TopDown,
                            });
                        }>
                        {move || i18n.t(match orientation.get() {
                            Orientation::TopDown => Key::OrgLeftRight,
                            Orientation::LeftRight => Key::OrgTopDown,
                        })}</button>
                </div>
            </div>
            {breadcrumb}
            <Moving org asked picking on_moved=Callback::new(move |id: String| {
                focus.set(Some(id.clone()));
                centre_on.set(Some(id));
            }) />
            <div class="org-stage">
                {body}
                {details}
            </div>
            <div class="org-export" role="group" aria-label=move || i18n.t(Key::OrgExportAll)>
                <span class="muted" data-testid="org-export-scope">{export_scope}</span>
                <button type="button" class="button" data-testid="org-export-svg" on:click=save_svg>{move || i18n.t(Key::OrgExportSvg)}</button>
                <button type="button" class="button" data-testid="org-export-png" on:click=save_png>{move || i18n.t(Key::OrgExportPng)}</button>
                <label class="org-level-choice">{move || i18n.t(Key::OrgPaper)}
                    <select class="input" data-testid="org-paper" on:change=move |e| paper.set(event_target_value(&e))>
                        <option value="A4">{move || i18n.t(Key::OrgPaperA4)}</option>
                        <option value="A3">{move || i18n.t(Key::OrgPaperA3)}</option>
                    </select>
                </label>
                <button type="button" class="button" data-testid="org-print" on:click=print>{move || i18n.t(Key::OrgPrint)}</button>
                <Show when=move || export_failed.get()>
                    <p class="form-error" role="alert">{move || i18n.t(Key::EvaluationExportFailed)}</p>
                </Show>
            </div>
            <p class="muted org-status" role="status" data-testid="org-status">
                {shown}
                {move || (view.get().scale < READABLE_SCALE).then(|| format!(" · {}", i18n.t(Key::OrgZoomHint)))}
                {move || may_move_any().then(|| format!(" · {}", i18n.t(Key::OrgMoveHint)))}
            </p>
        </section>
    }
}

/// Cards found (the search's hits, the move picker's units), each a button with its name and where
/// it sits: `(card, name, place)`.
#[component]
fn HitList(
    #[prop(into)] hits: Signal<Vec<(usize, String, String)>>,
    on_pick: Callback<usize>,
    class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class=class role="listbox" data-testid=testid>
            {move || {
                let found = hits.get();
                if found.is_empty() {
                    return view! { <li class="muted">{i18n.t(Key::OrgNoMatch)}</li> }.into_any();
                }
                found.into_iter().map(|(node, name, place)| view! {
                    <li role="option">
                        <button type="button" class="org-hit" on:click=move |_| on_pick.run(node)>
                            <b>{name}</b>" "<span class="muted">{place}</span>
                        </button>
                    </li>
                }).collect_view().into_any()
            }}
        </ul>
    }
}

/// Prints the chart alone, fitted to one landscape page of `paper` (A4 or A3): a print-only copy of
/// its SVG and the page size, which the print style sheet shows instead of the app.
fn print_svg(svg: &str, paper: &str) {
    let document = document();
    let Some(body) = document.body() else { return };
    for id in ["org-print", "org-print-page"] {
        if let Some(old) = document.get_element_by_id(id) {
            old.remove();
        }
    }
    let (Ok(sheet), Ok(page)) = (
        document.create_element("div"),
        document.create_element("style"),
    ) else {
        return;
    };
    sheet.set_id("org-print");
    sheet.set_class_name("org-print");
    sheet.set_inner_html(svg);
    page.set_id("org-print-page");
    // The page's height less its margins bounds the picture, so a tall subtree fits one page.
    let (size, height_mm) = if paper == "A3" {
        ("A3", 277)
    } else {
        ("A4", 190)
    };
    page.set_text_content(Some(&format!(
        "@page {{ size: {size} landscape; margin: 10mm; }} .org-print svg {{ max-height: {height_mm}mm; }}"
    )));
    let _ = body.append_child(&sheet);
    let _ = body.append_child(&page);
    let _ = window().print();
}
