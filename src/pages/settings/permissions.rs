//! Settings → 权限 (`/settings/permissions`): the permission table in force, one role at a time — a
//! row per collection, a column per action and the collection's sensitive fields, each cell how far
//! the role may go. Whoever may set the company's overrides (administrators) changes cells or sets a
//! role back to the defaults, and saves after confirming: the company unit's `permission_overrides`
//! changes like any record, offline too, and reaches every device with the next sync.

use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::components::A;
use serde_json::{Map, Value};
use yingxiao_core::{
    domain::Collection,
    permission::{
        role_label, table_roles, Action, Draft, Extent, Override, FUNNEL_SETTINGS, OVERRIDES_FIELD,
    },
    scope::Role,
    sync::protocol::{Intent, SetFieldsArgs},
};

use crate::{
    components::record::focus_later,
    data::sync::use_data,
    i18n::{use_i18n, I18n, Key},
    mount::use_mount,
    permissions::use_access,
};

/// The record-level columns, in the README's order, with their headings.
const COLUMNS: [(Action, Key); 6] = [
    (Action::Create, Key::PermissionsCreate),
    (Action::Edit, Key::PermissionsEdit),
    (Action::Delete, Key::PermissionsDelete),
    (Action::MoveStage, Key::PermissionsMoveStage),
    (Action::Approve, Key::PermissionsApprove),
    (Action::Reassign, Key::PermissionsReassign),
];

/// The choices of a cell: not allowed, then the extents from narrow to wide.
const CHOICES: [(Option<Extent>, &str, Key); 4] = [
    (None, "none", Key::PermissionsNone),
    (Some(Extent::Own), "own", Key::PermissionsOwn),
    (Some(Extent::Subtree), "subtree", Key::PermissionsSubtree),
    (Some(Extent::All), "all", Key::PermissionsAll),
];

/// A sensitive field's name for people.
fn field_name(collection: Collection, action: Action, i18n: I18n) -> String {
    match action {
        Action::Field(FUNNEL_SETTINGS) => i18n.t(Key::FunnelSettingsTitle).to_owned(),
        Action::Field(name) => collection
            .field(name)
            .map_or(name, |f| f.label(i18n.locale()))
            .to_owned(),
        other => other.as_string(),
    }
}

fn choice_key(extent: Option<Extent>) -> Key {
    CHOICES
        .iter()
        .find(|(e, _, _)| *e == extent)
        .map_or(Key::PermissionsNone, |(_, _, key)| *key)
}

#[component]
pub fn PermissionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let data = use_data();
    let access = use_access();
    let may_change = Memo::new(move |_| access.can_on_company(Action::Field(OVERRIDES_FIELD)));
    let table = Memo::new(move |_| access.with(|state| state.table.clone()));
    let company_id = Memo::new(move |_| access.company().map(|(id, _)| id));

    let role = RwSignal::new(Role::SalesRep);
    let draft = RwSignal::new(Draft::new());
    let confirming = RwSignal::new(false);
    let note = RwSignal::new(None::<Key>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // What a cell shows: the draft's choice, else the table in force.
    let wanted = move |role: Role, collection: Collection, action: Action| -> Option<Extent> {
        draft
            .with(|d| d.get(&(role, collection, action)).copied())
            .unwrap_or_else(|| table.with(|t| t.extent(role, collection, action)))
    };
    let choose =
        move |role: Role, collection: Collection, action: Action, extent: Option<Extent>| {
            let in_force = table.with_untracked(|t| t.extent(role, collection, action));
            draft.update(|d| {
                if extent == in_force {
                    d.remove(&(role, collection, action));
                } else {
                    d.insert((role, collection, action), extent);
                }
            });
            note.set(None);
        };

    let cell = move |role: Role, collection: Collection, action: Action, label: String| {
        let changed = move || draft.with(|d| d.contains_key(&(role, collection, action)));
        if may_change.get() {
            let aria = format!("{} · {label}", collection.label(i18n.locale()));
            view! {
                <select
                    class="permission-choice"
                    class:permission-changed=changed
                    aria-label=aria
                    data-action=action.as_string()
                    data-extent=move || wanted(role, collection, action).map_or("none", Extent::as_str)
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some((extent, _, _)) = CHOICES.iter().find(|(_, wire, _)| *wire == value) {
                            choose(role, collection, action, *extent);
                        }
                    }
                >
                    {CHOICES.iter().map(|&(extent, wire, key)| view! {
                        <option value=wire prop:selected=move || wanted(role, collection, action) == extent>
                            {move || i18n.t(key)}
                        </option>
                    }).collect_view()}
                </select>
            }
            .into_any()
        } else {
            let extent = move || wanted(role, collection, action);
            view! {
                <span
                    class="permission-extent"
                    data-action=action.as_string()
                    data-extent=move || extent().map_or("none", Extent::as_str)
                >
                    {move || match extent() {
                        Some(extent) => i18n.t(choice_key(Some(extent))),
                        None => i18n.t(Key::NotAvailable),
                    }}
                </span>
            }
            .into_any()
        }
    };

    let rows = move || {
        let role = role.get();
        Collection::ALL
            .into_iter()
            .map(|collection| {
                let record_cells = COLUMNS
                    .iter()
                    .map(|&(action, key)| {
                        if action.applies_to(collection) {
                            view! { <td>{cell(role, collection, action, i18n.t(key).to_owned())}</td> }.into_any()
                        } else {
                            view! {
                                <td class="permission-na">
                                    <span class="visually-hidden">{move || i18n.t(Key::PermissionsNotApplicable)}</span>
                                </td>
                            }
                            .into_any()
                        }
                    })
                    .collect_view();
                let fields = Action::fields_of(collection)
                    .map(|action| {
                        let name = field_name(collection, action, i18n);
                        view! {
                            <div class="permission-field">
                                <span class="permission-field-name">{name.clone()}</span>
                                {cell(role, collection, action, name)}
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <tr data-collection=collection.as_str()>
                        <th scope="row">{move || collection.label(i18n.locale())}</th>
                        {record_cells}
                        <td class="permission-fields">{fields}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    let changes = move || draft.with(|d| d.len());
    let save = move || {
        let Some(id) = company_id.get_untracked() else {
            return;
        };
        let lines: Vec<Value> = draft.with_untracked(|d| {
            table.with_untracked(|t| t.override_lines(d).iter().map(Override::to_line).collect())
        });
        let mut fields = Map::new();
        fields.insert(OVERRIDES_FIELD.into(), Value::Array(lines));
        let intent = Intent::SetFields(SetFieldsArgs {
            collection: Collection::OrgUnit,
            id,
            fields,
        });
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match data.mutate(intent).await {
                Ok(()) => {
                    draft.set(Draft::new());
                    confirming.set(false);
                    note.set(Some(Key::PermissionsSaved));
                    focus_later("permissions-role");
                }
                Err(failure) => error.set(Some(failure.to_string())),
            }
            busy.set(false);
        });
    };
    let reset = move |_| {
        let role = role.get_untracked();
        let back = table.with_untracked(|t| t.reset_role(role));
        draft.update(|d| {
            d.retain(|(r, _, _), _| *r != role);
            d.extend(back);
        });
        note.set(draft.with_untracked(|d| {
            (!d.keys().any(|(r, _, _)| *r == role)).then_some(Key::PermissionsAlreadyDefault)
        }));
    };
    let close_confirm = move || {
        confirming.set(false);
        focus_later("permissions-save");
    };

    let body = move || {
        if company_id.with(Option::is_none) {
            return view! { <p class="hint">{move || i18n.t(Key::FunnelSettingsNoCompany)}</p> }
                .into_any();
        }
        view! {
            <div class="card permissions-toolbar">
                <div class="field">
                    <label for="permissions-role">{move || i18n.t(Key::PermissionsRole)}</label>
                    <select id="permissions-role" on:change=move |ev| {
                        if let Some(chosen) = Role::parse(&event_target_value(&ev)) {
                            role.set(chosen);
                        }
                    }>
                        {table_roles().map(|r| view! {
                            <option value=r.as_str() prop:selected=move || role.get() == r>
                                {move || role_label(r, i18n.locale())}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <Show when=move || may_change.get()>
                    <div class="form-actions">
                        <button type="button" class="button button-primary" id="permissions-save"
                            disabled=move || changes() == 0 || busy.get()
                            on:click=move |_| { confirming.set(true); focus_later("permissions-confirm-cancel"); }>
                            {move || i18n.format(Key::PermissionsSave, &[("count", &changes().to_string())])}
                        </button>
                        <button type="button" class="button" disabled=move || changes() == 0 || busy.get()
                            on:click=move |_| { draft.set(Draft::new()); note.set(None); }>
                            {move || i18n.t(Key::PermissionsDiscard)}
                        </button>
                        <button type="button" class="button" disabled=move || busy.get() on:click=reset>
                            {move || i18n.format(Key::PermissionsReset, &[("role", role_label(role.get(), i18n.locale()))])}
                        </button>
                    </div>
                </Show>
            </div>
            {move || note.get().map(|key| view! { <p class="notice notice-ok" role="status" data-testid="permissions-note">{move || i18n.t(key)}</p> })}
            {move || error.get().map(|error| view! {
                <p class="form-error" role="alert">{move || i18n.format(Key::FormSaveFailed, &[("error", &error)])}</p>
            })}
            <Show when=move || confirming.get()>
                <div
                    class="card confirm-panel"
                    role="alertdialog"
                    aria-labelledby="permissions-confirm-title"
                    aria-describedby="permissions-confirm-body"
                    data-testid="permissions-confirm"
                    on:keydown=move |ev: ev::KeyboardEvent| if ev.key() == "Escape" { close_confirm(); }
                >
                    <h2 id="permissions-confirm-title">{move || i18n.t(Key::PermissionsConfirmTitle)}</h2>
                    <p id="permissions-confirm-body">{move || i18n.format(Key::PermissionsConfirmBody, &[("count", &changes().to_string())])}</p>
                    <div class="form-actions">
                        <button type="button" class="button button-primary" disabled=move || busy.get() on:click=move |_| save()>
                            {move || i18n.t(Key::PermissionsConfirm)}
                        </button>
                        <button type="button" class="button" id="permissions-confirm-cancel" on:click=move |_| close_confirm()>
                            {move || i18n.t(Key::FormCancel)}
                        </button>
                    </div>
                </div>
            </Show>
            <div class="card table-scroll" role="region" aria-labelledby="permissions-caption" tabindex="0">
                <table class="permissions-table" data-testid="permissions-table" data-role=move || role.get().as_str()>
                    <caption id="permissions-caption">
                        {move || i18n.format(Key::PermissionsCaption, &[("role", role_label(role.get(), i18n.locale()))])}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(Key::PermissionsCollection)}</th>
                            {COLUMNS.iter().map(|&(_, key)| view! { <th scope="col">{move || i18n.t(key)}</th> }).collect_view()}
                            <th scope="col">{move || i18n.t(Key::PermissionsFields)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="page permissions-page" data-testid="permissions-page">
            <p class="breadcrumb">
                <A href=mount.href("/settings")>{move || i18n.t(Key::PermissionsBackToSettings)}</A>
            </p>
            <h1 class="page-title">{move || i18n.t(Key::PermissionsTitle)}</h1>
            <p class="page-intro">{move || i18n.t(if may_change.get() { Key::PermissionsIntroAdmin } else { Key::PermissionsIntro })}</p>
            {body}
        </section>
    }
}

/// The settings page's way in: what the table is, and a link to it.
#[component]
pub fn PermissionsCard() -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    view! {
        <fieldset class="card setting" data-testid="permissions-card">
            <legend>{move || i18n.t(Key::PermissionsTitle)}</legend>
            <p class="hint">{move || i18n.t(Key::PermissionsCardHint)}</p>
            <A href=mount.href("/settings/permissions") attr:class="button">{move || i18n.t(Key::PermissionsOpen)}</A>
        </fieldset>
    }
}
