//! A list of references picked in groups of the org tree (`views::group_field`): a promotion's
//! stores by region and area, its promoters by unit. Each group says how many of its records are
//! chosen and ticks or clears them all at once; a search narrows every group; a region opens to
//! its areas. No map: a plain list that works by finger, keyboard and screen reader.

use std::collections::{BTreeMap, HashSet};

use leptos::prelude::*;
use serde_json::Value;
use yingxiao_core::{domain::Collection, scope::OrgTree, views::group_field};

use super::form::{ids_raw, Options, RecordForm};
use crate::{
    collation::ranks,
    data::{
        records::{names_by_id, text, watch_collection},
        sync::use_data,
    },
    i18n::{use_i18n, Key},
};

/// A region open from the start when the whole list is no longer than this.
const OPEN_ALL_UP_TO: usize = 40;

/// One group of choices: an area (or a region without areas) with its records.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    key: String,
    name: String,
    items: Vec<(String, String)>,
}

/// A region with its groups.
#[derive(Clone, Debug, PartialEq)]
struct Region {
    key: String,
    name: String,
    groups: Vec<Group>,
}

impl Region {
    fn ids(&self) -> impl Iterator<Item = &String> {
        self.groups
            .iter()
            .flat_map(|g| g.items.iter().map(|(id, _)| id))
    }
}

#[component]
pub fn GroupedRefList(
    id: String,
    form: RecordForm,
    name: &'static str,
    target: Collection,
    options: Options,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let records = watch_collection(data, target);
    let units = watch_collection(data, Collection::OrgUnit);
    let place = group_field(target).unwrap_or("unit_id");
    let query = RwSignal::new(String::new());
    let chosen = Memo::new(move |_| {
        ids_raw(&form.get(name))
            .into_iter()
            .collect::<HashSet<String>>()
    });
    let write = move |list: HashSet<String>| {
        // The order of the list stays as it was, new ones after.
        let mut ordered: Vec<String> = untrack(|| ids_raw(&form.get(name)))
            .into_iter()
            .filter(|id| list.contains(id))
            .collect();
        let mut added: Vec<&String> = list.iter().filter(|id| !ordered.contains(id)).collect();
        added.sort();
        ordered.extend(added.into_iter().cloned());
        form.set(
            name,
            if ordered.is_empty() {
                String::new()
            } else {
                Value::from(ordered).to_string()
            },
        );
    };
    // Regions and their groups, by the language's order of names.
    let regions = Memo::new(move |_| {
        let locale = i18n.locale();
        let unit_names = names_by_id(&units);
        let tree = units.with(|read| {
            let rows = read.as_ref().and_then(|r| r.as_ref().ok());
            OrgTree::new(rows.into_iter().flatten().filter_map(|(id, unit)| {
                let parent = text(&unit.fields, "parent_id");
                (!parent.is_empty()).then(|| (id.clone(), parent.to_owned()))
            }))
        });
        let unit_of: BTreeMap<String, String> = records.with(|read| {
            read.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|rows| {
                    rows.iter()
                        .map(|(id, r)| (id.clone(), text(&r.fields, place).to_owned()))
                        .collect()
                })
                .unwrap_or_default()
        });
        let other = i18n.t(Key::FormGroupOther).to_owned();
        let mut by_region: BTreeMap<String, BTreeMap<String, Vec<(String, String)>>> =
            BTreeMap::new();
        for (id, title) in options.get() {
            let unit = unit_of.get(&id).map(String::as_str).unwrap_or("");
            let path = tree.path_below_top(unit);
            // A record of the top unit itself is grouped under it.
            let region = path.first().copied().unwrap_or(unit).to_owned();
            let area = path.get(1).copied().unwrap_or("").to_owned();
            by_region
                .entry(region)
                .or_default()
                .entry(area)
                .or_default()
                .push((id, title));
        }
        let name_of = |key: &str| {
            unit_names
                .get(key)
                .cloned()
                .unwrap_or_else(|| other.clone())
        };
        let mut all_names: Vec<String> = by_region
            .iter()
            .flat_map(|(r, areas)| {
                std::iter::once(name_of(r))
                    .chain(areas.keys().map(|a| name_of(a)))
                    .chain(areas.values().flatten().map(|(_, t)| t.clone()))
            })
            .collect();
        all_names.sort();
        all_names.dedup();
        let order = ranks(all_names.iter().map(String::as_str), locale);
        let rank = |text: &str| order.get(text).copied().unwrap_or(u32::MAX);
        let mut regions: Vec<Region> = by_region
            .into_iter()
            .map(|(key, areas)| {
                let mut groups: Vec<Group> = areas
                    .into_iter()
                    .map(|(area, mut items)| {
                        items.sort_by(|a, b| (rank(&a.1), &a.0).cmp(&(rank(&b.1), &b.0)));
                        Group {
                            name: if area.is_empty() {
                                String::new()
                            } else {
                                name_of(&area)
                            },
                            key: area,
                            items,
                        }
                    })
                    .collect();
                groups.sort_by(|a, b| (rank(&a.name), &a.key).cmp(&(rank(&b.name), &b.key)));
                Region {
                    name: name_of(&key),
                    key,
                    groups,
                }
            })
            .collect();
        regions.sort_by(|a, b| (rank(&a.name), &a.key).cmp(&(rank(&b.name), &b.key)));
        regions
    });
    let total =
        Memo::new(move |_| regions.with(|r| r.iter().map(|r| r.ids().count()).sum::<usize>()));
    let opened = RwSignal::new(HashSet::<String>::new());
    let is_open = move |key: &str| {
        !query.with(|q| q.trim().is_empty())
            || total.get() <= OPEN_ALL_UP_TO
            || opened.with(|o| o.contains(key))
    };
    let matches = move |title: &str| {
        query.with(|q| {
            let q = q.trim().to_lowercase();
            q.is_empty() || title.to_lowercase().contains(&q)
        })
    };
    // Ticks or clears every record of `ids`.
    let set_all = move |ids: Vec<String>, on: bool| {
        let mut list = chosen.get_untracked();
        for id in ids {
            if on {
                list.insert(id);
            } else {
                list.remove(&id);
            }
        }
        write(list);
    };
    let count_of =
        move |ids: &[String]| chosen.with(|c| ids.iter().filter(|id| c.contains(*id)).count());
    let search_id = format!("{id}-search");

    view! {
        <div class="grouped-list" id=id.clone() data-testid=format!("grouped-{name}")>
            <div class="grouped-toolbar">
                <input
                    id=search_id
                    type="search"
                    aria-label=move || i18n.t(Key::FormGroupSearch)
                    placeholder=move || i18n.t(Key::FormGroupSearch)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <span class="grouped-count" data-testid="grouped-count" aria-live="polite">
                    {move || i18n.format(Key::FormGroupChosen, &[("chosen", &chosen.with(HashSet::len).to_string()), ("total", &total.get().to_string())])}
                </span>
                <button type="button" class="button button-ghost"
                    disabled=move || chosen.with(HashSet::is_empty)
                    on:click=move |_| write(HashSet::new())
                >{move || i18n.t(Key::FormGroupClear)}</button>
            </div>
            <Show when=move || total.get() == 0>
                <p class="hint">{move || i18n.t(Key::FormGroupEmpty)}</p>
            </Show>
            <ul class="grouped-regions">
                {move || regions.get().into_iter().map(|region| {
                    let region_ids: Vec<String> = region.ids().cloned().collect();
                    let key = region.key.clone();
                    let toggle_key = key.clone();
                    let open = Signal::derive(move || is_open(&key));
                    let all_ids = region_ids.clone();
                    let some_ids = region_ids.clone();
                    let label_ids = region_ids.clone();
                    let region_name = region.name.clone();
                    let check_label = region.name.clone();
                    let visible = region.ids().count();
                    let groups = region.groups.clone();
                    let titles: Vec<String> = region.groups.iter().flat_map(|g| g.items.iter().map(|(_, t)| t.clone())).collect();
                    let region_shown = move || titles.iter().any(|t| matches(t));
                    view! {
                        <li class="grouped-region" data-region=region.name.clone()
                            style:display=move || if region_shown() { "" } else { "none" }>
                            <div class="grouped-head">
                                <input type="checkbox"
                                    aria-label=move || i18n.format(Key::FormGroupAll, &[("group", &check_label)])
                                    prop:checked=move || count_of(&all_ids) == all_ids.len() && !all_ids.is_empty()
                                    prop:indeterminate=move || { let n = count_of(&some_ids); n > 0 && n < some_ids.len() }
                                    on:change=move |ev| set_all(region_ids.clone(), event_target_checked(&ev))
                                />
                                <button type="button" class="grouped-toggle"
                                    aria-expanded=move || open.get().to_string()
                                    on:click=move |_| opened.update(|o| if !o.remove(&toggle_key) { o.insert(toggle_key.clone()); })
                                >
                                    <span class="grouped-name">{region_name}</span>
                                    <span class="grouped-tally" data-testid="region-tally">{move || format!("{}/{}", count_of(&label_ids), visible)}</span>
                                </button>
                            </div>
                            <Show when=move || open.get()>
                                {groups.clone().into_iter().map(|group| {
                                    let group_ids: Vec<String> = group.items.iter().map(|(id, _)| id.clone()).collect();
                                    let all_ids = group_ids.clone();
                                    let some_ids = group_ids.clone();
                                    let label_ids = group_ids.clone();
                                    let size = group_ids.len();
                                    let group_label = group.name.clone();
                                    let named = !group.name.is_empty();
                                    let items = group.items.clone();
                                    let titles: Vec<String> = group.items.iter().map(|(_, t)| t.clone()).collect();
                                    let group_shown = move || titles.iter().any(|t| matches(t));
                                    view! {
                                        <div class="grouped-group" data-group=group.name.clone()
                                            style:display=move || if group_shown() { "" } else { "none" }>
                                            {named.then(|| view! {
                                                <label class="grouped-subhead">
                                                    <input type="checkbox"
                                                        prop:checked=move || count_of(&all_ids) == all_ids.len()
                                                        prop:indeterminate=move || { let n = count_of(&some_ids); n > 0 && n < some_ids.len() }
                                                        on:change=move |ev| set_all(group_ids.clone(), event_target_checked(&ev))
                                                    />
                                                    <span>{group_label}</span>
                                                    <span class="grouped-tally">{move || format!("{}/{}", count_of(&label_ids), size)}</span>
                                                </label>
                                            })}
                                            <ul class="grouped-items">
                                                {items.into_iter().map(|(item, title)| {
                                                    let shown = title.clone();
                                                    let checked_id = item.clone();
                                                    view! {
                                                        <li style:display=move || if matches(&title) { "" } else { "none" }>
                                                            <label class="check">
                                                                <input type="checkbox" value=item.clone()
                                                                    prop:checked=move || chosen.with(|c| c.contains(&checked_id))
                                                                    on:change=move |ev| set_all(vec![item.clone()], event_target_checked(&ev))
                                                                />
                                                                <span>{shown}</span>
                                                            </label>
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                        </div>
                                    }
                                }).collect_view()}
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
