//! The pages of every collection without parts of its own: its list, a new record, one record — all
//! drawn from core's view specs by `components::record`.

mod account;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};
use yingxiao_core::{domain::Collection, permission::Action, views};

use crate::{
    components::record::{
        detail::RecordDetail, editor::RecordEditor, list::RecordList, NotAllowed,
    },
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
};

use account::AccountPanel;

/// `/<collection>`.
#[component]
pub fn RecordListPage(collection: Collection) -> impl IntoView {
    view! { <RecordList collection /> }
}

/// `/<collection>/<id>`.
#[component]
pub fn RecordDetailPage(collection: Collection, id: String) -> impl IntoView {
    // A person's page also has their sign-in account, for those who manage accounts.
    if collection == Collection::User {
        let user_id = id.clone();
        return view! {
            <RecordDetail collection id>
                <AccountPanel user_id=user_id.clone() />
            </RecordDetail>
        }
        .into_any();
    }
    view! { <RecordDetail collection id /> }.into_any()
}

/// `/<collection>/new`: the form, then the new record's page.
#[component]
pub fn NewRecordPage(collection: Collection) -> impl IntoView {
    let i18n = use_i18n();
    let mount = use_mount();
    let navigate = use_navigate();
    let access = use_access();
    let slug = views::spec(collection).slug;
    let may_create = Memo::new(move |_| access.can(collection, Action::Create, None));
    // From a record's related list (`?return=/customers/<id>`), saving goes back there.
    let back = use_query_map()
        .with_untracked(|q| q.get("return"))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"));
    let on_saved = {
        let navigate = navigate.clone();
        move |id: String| match &back {
            Some(path) => navigate(path, Default::default()),
            None => navigate(&format!("/{slug}/{id}"), Default::default()),
        }
    };
    let on_cancel = move |()| {
        if window()
            .history()
            .map(|h| h.length().unwrap_or(0) > 1)
            .unwrap_or(false)
        {
            let _ = window().history().and_then(|h| h.back());
        } else {
            navigate(&format!("/{slug}"), Default::default());
        }
    };
    view! {
        <section class="page" data-testid=format!("{slug}-new")>
            <p class="breadcrumb">
                <A href=mount.href(&format!("/{slug}"))>{move || collection.label(i18n.locale())}</A>
            </p>
            <h1 class="page-title">{move || i18n.format(Key::RecordNewTitle, &[("collection", collection.label(i18n.locale()))])}</h1>
            <Show
                when=move || may_create.get()
                fallback=move || view! { <NotAllowed collection action=Action::Create /> }
            >
                <RecordEditor collection on_saved=on_saved.clone() on_cancel=on_cancel.clone() />
            </Show>
        </section>
    }
}
