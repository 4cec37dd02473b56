//! Reassigning on the chart (调动): a card dropped on a unit's card, or a unit chosen in the
//! "move to…" picker (the keyboard's way), becomes a proposal spelled out for confirmation: who
//! moves where, whom they report to, which of their records go along and which stay (core's
//! `org_chart::reassign`). Confirmed, it is one `set_fields` change, kept on the device and synced
//! like any other (offline too); the bar after it offers undo, which is the move back. The server
//! decides again, and refuses what the user may not do; a refusal shows with the sync's others.

use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    org_chart::{
        reassign::{count_followers, person_move, person_place, unit_move, MoveProblem},
        search, Subject,
    },
    permission::Action,
    scope::{OrgTree, ScopeFacts},
    sync::protocol::{Intent, SetFieldsArgs},
};

use super::HitList;
use crate::{
    components::record::focus_later,
    data::{
        org::OrgData,
        records::Shared,
        sync::{use_data, Data},
    },
    i18n::{use_i18n, I18n, Key},
    permissions::{use_access, Access},
};

/// Units listed by the picker.
const PICKS: usize = 12;

/// A move spelled out, waiting for the user's yes.
#[derive(Clone, Debug, PartialEq)]
struct Proposal {
    collection: Collection,
    id: String,
    name: String,
    fields: Map<String, Value>,
    /// The change that puts it back.
    undo: Map<String, Value>,
    title: String,
    lines: Vec<String>,
    from: String,
    to: String,
}

/// A move made, which the bar offers to undo.
#[derive(Clone, Debug, PartialEq)]
struct Made {
    proposal: Proposal,
    undone: bool,
}

fn facts(unit: &str) -> ScopeFacts {
    ScopeFacts {
        unit_id: Some(unit.to_owned()),
        ..ScopeFacts::default()
    }
}

/// May the user move the record on card `at` at all (from where it is)?
pub fn may_move(org: &OrgData, access: &Access, at: usize) -> bool {
    match org.chart.nodes.get(at).map(|n| n.subject) {
        Some(Subject::Person(p)) => access.can(
            Collection::User,
            Action::Reassign,
            Some(&facts(&org.people[p].unit_id)),
        ),
        Some(Subject::Unit(u)) => {
            let unit = &org.units[u];
            !unit.parent_id.is_empty()
                && access.can(
                    Collection::OrgUnit,
                    Action::Reassign,
                    Some(&facts(&unit.parent_id)),
                )
        }
        None => false,
    }
}

fn problem_text(problem: &MoveProblem, name: &str, to: &str, org: &OrgData, i18n: I18n) -> String {
    match problem {
        MoveProblem::AlreadyThere => {
            i18n.format(Key::OrgMoveAlready, &[("name", name), ("to", to)])
        }
        MoveProblem::ManagesUnit(unit) => i18n.format(
            Key::OrgMoveManages,
            &[("name", name), ("unit", org.unit_name(unit))],
        ),
        MoveProblem::IntoItself => i18n.t(Key::OrgMoveIntoItself).to_owned(),
        MoveProblem::CompanyStays => i18n.t(Key::OrgMoveCompany).to_owned(),
    }
}

/// The proposal for moving card `moved` onto unit card `onto`, or why it cannot be made. Counts
/// what follows a person from the records on the device.
async fn propose(
    org: Shared<OrgData>,
    access: Access,
    data: Data,
    (moved, onto): (usize, usize),
    i18n: I18n,
) -> Result<Proposal, String> {
    let (Some(node), Some(Subject::Unit(to))) = (
        org.chart.nodes.get(moved),
        org.chart.nodes.get(onto).map(|n| n.subject),
    ) else {
        return Err(i18n.t(Key::OrgMoveOntoUnit).to_owned());
    };
    let target = &org.units[to];
    let denied = || i18n.format(Key::OrgMoveDenied, &[("to", &target.name)]);
    match node.subject {
        Subject::Person(p) => {
            let person = &org.people[p];
            let fields = person_move(person, target, &org.units)
                .map_err(|e| problem_text(&e, &person.name, &target.name, &org, i18n))?;
            if !access.can(Collection::User, Action::Reassign, Some(&facts(&target.id))) {
                return Err(denied());
            }
            let from = org.unit_name(&person.unit_id).to_owned();
            let mut owned = Vec::new();
            for collection in [Collection::Customer, Collection::Opportunity] {
                let records = data
                    .view(collection, Some(("owner", &person.id)))
                    .await
                    .map_err(|e| e.to_string())?;
                owned.extend(records.into_iter().map(|(_, r)| (collection, r.fields)));
            }
            let count = count_followers(
                owned.iter().map(|(c, f)| (*c, f)),
                &person.unit_id,
                &target.id,
            );
            let manager = org.person_name(&target.manager_id);
            let mut lines = vec![if manager.is_empty() || target.manager_id == person.id {
                i18n.format(
                    Key::OrgMovePersonNoManager,
                    &[
                        ("name", &person.name),
                        ("from", &from),
                        ("to", &target.name),
                    ],
                )
            } else {
                i18n.format(
                    Key::OrgMovePerson,
                    &[
                        ("name", &person.name),
                        ("from", &from),
                        ("to", &target.name),
                        ("manager", manager),
                    ],
                )
            }];
            lines.push(i18n.format(
                Key::OrgMoveFollow,
                &[
                    ("to", &target.name),
                    ("customers", &count.customers.to_string()),
                    ("deals", &count.opportunities.to_string()),
                ],
            ));
            lines.push(i18n.format(
                Key::OrgMoveStay,
                &[
                    ("from", &from),
                    ("stores", &count.customers_staying.to_string()),
                ],
            ));
            lines.push(i18n.format(Key::OrgMoveScope, &[("from", &from), ("to", &target.name)]));
            Ok(Proposal {
                collection: Collection::User,
                id: person.id.clone(),
                name: person.name.clone(),
                fields,
                undo: person_place(person),
                title: i18n.format(Key::OrgMoveTitle, &[("name", &person.name)]),
                lines,
                from,
                to: target.name.clone(),
            })
        }
        Subject::Unit(u) => {
            let unit = &org.units[u];
            let tree = OrgTree::new(
                org.units
                    .iter()
                    .filter(|u| !u.parent_id.is_empty())
                    .map(|u| (u.id.clone(), u.parent_id.clone())),
            );
            let fields = unit_move(unit, target, &tree)
                .map_err(|e| problem_text(&e, &unit.name, &target.name, &org, i18n))?;
            if !access.can(
                Collection::OrgUnit,
                Action::Reassign,
                Some(&facts(&target.id)),
            ) {
                return Err(denied());
            }
            let from = org.unit_name(&unit.parent_id).to_owned();
            let mut undo = Map::new();
            undo.insert("parent_id".into(), Value::String(unit.parent_id.clone()));
            Ok(Proposal {
                collection: Collection::OrgUnit,
                id: unit.id.clone(),
                name: unit.name.clone(),
                fields,
                undo,
                title: i18n.format(Key::OrgMoveTitle, &[("name", &unit.name)]),
                lines: vec![
                    i18n.format(
                        Key::OrgMoveUnit,
                        &[
                            ("name", &unit.name),
                            ("count", &node.headcount.to_string()),
                            ("from", &from),
                            ("to", &target.name),
                        ],
                    ),
                    i18n.t(Key::OrgMoveUnitScope).to_owned(),
                ],
                from,
                to: target.name.clone(),
            })
        }
    }
}

/// The move's dialogs and bar. `asked` is a drop (moved card, unit card) waiting to be spelled
/// out; `picking` the card whose "move to…" picker is open. `on_moved` gets the moved record's id.
#[component]
pub fn Moving(
    org: Memo<Option<Shared<OrgData>>>,
    asked: RwSignal<Option<(usize, usize)>>,
    picking: RwSignal<Option<usize>>,
    on_moved: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let proposal: RwSignal<Option<Proposal>> = RwSignal::new(None);
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let counting = RwSignal::new(false);
    let made: RwSignal<Option<Made>> = RwSignal::new(None);

    // A drop or a pick: spell it out.
    Effect::new(move |_| {
        let Some((moved, onto)) = asked.get() else {
            return;
        };
        asked.set(None);
        let Some(org) = org.get_untracked() else {
            return;
        };
        problem.set(None);
        counting.set(true);
        spawn_local(async move {
            let spelled = propose(org, access, data, (moved, onto), i18n).await;
            counting.set(false);
            match spelled {
                Ok(p) => {
                    proposal.set(Some(p));
                    focus_later("org-move-confirm");
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    });

    let write = move |p: &Proposal, fields: Map<String, Value>| {
        let intent = Intent::SetFields(SetFieldsArgs {
            collection: p.collection,
            id: p.id.clone(),
            fields,
        });
        async move { data.mutate(intent).await.map_err(|e| e.to_string()) }
    };
    let confirm = move |_| {
        let Some(p) = proposal.get_untracked() else {
            return;
        };
        proposal.set(None);
        spawn_local(async move {
            match write(&p, p.fields.clone()).await {
                Ok(()) => {
                    on_moved.run(p.id.clone());
                    made.set(Some(Made {
                        proposal: p,
                        undone: false,
                    }));
                    focus_later("org-move-undo");
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    let undo = move |_| {
        let Some(m) = made.get_untracked().filter(|m| !m.undone) else {
            return;
        };
        spawn_local(async move {
            match write(&m.proposal, m.proposal.undo.clone()).await {
                Ok(()) => {
                    on_moved.run(m.proposal.id.clone());
                    made.set(Some(Made { undone: true, ..m }));
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    };

    // The picker: units by name, pinyin initials or their parent's name.
    let query = RwSignal::new(String::new());
    let picks = Memo::new(move |_| {
        let Some(moved) = picking.get() else {
            return Vec::new();
        };
        let text = query.get();
        org.with(|o| {
            let Some(o) = o else { return Vec::new() };
            let units = &o.searchable[o.people.len()..];
            let found: Vec<usize> = if text.trim().is_empty() {
                (0..units.len()).take(PICKS * 4).collect()
            } else {
                search(units, &text, PICKS)
            };
            found
                .into_iter()
                .filter_map(|u| {
                    let node = *o.chart.unit_node.get(u)?;
                    (node != moved).then(|| (node, units[u].name.clone(), units[u].unit.clone()))
                })
                .take(PICKS)
                .collect::<Vec<_>>()
        })
    });
    let pick = move |onto: usize| {
        if let Some(moved) = picking.get_untracked() {
            picking.set(None);
            query.set(String::new());
            asked.set(Some((moved, onto)));
        }
    };
    Effect::new(move |_| {
        if picking.with(Option::is_some) {
            focus_later("org-move-search");
        }
    });
    let moved_name = move || {
        let at = picking.get()?;
        org.with(|o| {
            let o = o.as_ref()?;
            let id = o.record_id(at);
            let person = o.person_name(id);
            Some(
                if person.is_empty() {
                    o.unit_name(id)
                } else {
                    person
                }
                .to_owned(),
            )
        })
    };

    view! {
        {move || picking.get().is_some().then(|| view! {
            <div class="card org-move-picker" role="dialog" aria-labelledby="org-move-pick-title" data-testid="org-move-picker"
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { picking.set(None); }>
                <h2 id="org-move-pick-title">{move || i18n.format(Key::OrgMovePickTitle, &[("name", &moved_name().unwrap_or_default())])}</h2>
                <input id="org-move-search" type="search" class="input" data-testid="org-move-search"
                    placeholder=move || i18n.t(Key::OrgMovePickSearch)
                    aria-label=move || i18n.t(Key::OrgMovePickSearch)
                    prop:value=move || query.get()
                    on:input=move |e| query.set(event_target_value(&e))
                    on:keydown=move |e: leptos::ev::KeyboardEvent| if e.key() == "Enter" {
                        if let Some((node, _, _)) = picks.with_untracked(|p| p.first().cloned()) { pick(node); }
                    } />
                <HitList hits=picks on_pick=Callback::new(pick) class="org-hits org-move-picks" />
                <div class="form-actions">
                    <button type="button" class="button" on:click=move |_| picking.set(None)>{move || i18n.t(Key::FormCancel)}</button>
                </div>
            </div>
        })}
        <Show when=move || counting.get()>
            <p class="muted" role="status">{move || i18n.t(Key::OrgMoveCounting)}</p>
        </Show>
        {move || problem.get().map(|text| view! {
            <p class="form-error org-move-problem" role="alert" data-testid="org-move-problem">
                {text}" "
                <button type="button" class="link-button" on:click=move |_| problem.set(None)>{move || i18n.t(Key::OrgMoveDismiss)}</button>
            </p>
        })}
        {move || proposal.get().map(|p| view! {
            <div class="card confirm-panel org-move-confirm" role="alertdialog" aria-labelledby="org-move-title"
                aria-describedby="org-move-lines" data-testid="org-move-confirm"
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { proposal.set(None); }>
                <h2 id="org-move-title">{p.title.clone()}</h2>
                <ul id="org-move-lines" class="org-move-lines">
                    {p.lines.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}
                </ul>
                <div class="form-actions">
                    <button type="button" id="org-move-confirm" class="button button-primary" data-testid="org-move-yes"
                        on:click=confirm>{move || i18n.t(Key::OrgMoveConfirm)}</button>
                    <button type="button" class="button" on:click=move |_| proposal.set(None)>{move || i18n.t(Key::FormCancel)}</button>
                </div>
            </div>
        })}
        {move || made.get().map(|m| {
            let p = &m.proposal;
            let text = if m.undone {
                i18n.format(Key::OrgMoveUndone, &[("name", &p.name), ("from", &p.from)])
            } else {
                i18n.format(Key::OrgMoveDone, &[("name", &p.name), ("to", &p.to)])
            };
            view! {
                <div class="org-move-done" role="status" data-testid="org-move-done">
                    <span>{text}</span>
                    {(!m.undone).then(|| view! {
                        <button type="button" id="org-move-undo" class="button" data-testid="org-move-undo" on:click=undo>
                            {move || i18n.t(Key::OrgMoveUndo)}</button>
                    })}
                    <button type="button" class="link-button" on:click=move |_| made.set(None)>{move || i18n.t(Key::OrgMoveDismiss)}</button>
                </div>
            }
        })}
    }
}
