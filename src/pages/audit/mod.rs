//! 操作日志 (`/audit`): the audit trail, newest first, filtered by collection, person and days. An
//! administrator reads every change; anyone else the history of the records they see (the server
//! applies the scope rule). The trail lives on the server, so the page needs a connection.

use leptos::prelude::*;
use yingxiao_core::domain::Collection;

use crate::{
    components::record::history::{read_trail, Trail, TrailEntries},
    data::{
        records::{live_fields, text, watch_collection},
        sync::use_data,
    },
    i18n::{use_i18n, Key},
};

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let people = watch_collection(data, Collection::User);
    let collection = RwSignal::new(String::new());
    let person = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let trail = RwSignal::new(Trail::Loading);

    let query = move || {
        let params = web_sys::UrlSearchParams::new().expect("an empty query");
        for (name, value) in [
            ("collection", collection.get_untracked()),
            ("user", person.get_untracked()),
            ("from", from.get_untracked()),
            ("until", until.get_untracked()),
        ] {
            if !value.is_empty() {
                params.append(name, &value);
            }
        }
        String::from(params.to_string())
    };
    let search = move || read_trail(trail, query(), false);
    search();
    let more = Callback::new(move |()| {
        if let Trail::Ready(_, Some(next)) = trail.get_untracked() {
            read_trail(trail, format!("{}&before={next}", query()), true);
        }
    });

    let people_options = move || {
        let mut named: Vec<(String, String)> = match people.get() {
            Some(Ok(rows)) => live_fields(&rows)
                .into_iter()
                .map(|(id, fields)| (id, text(fields, "name").to_owned()))
                .collect(),
            _ => Vec::new(),
        };
        named.sort_by(|a, b| a.1.cmp(&b.1));
        named
            .into_iter()
            .map(|(id, name)| view! { <option value=id>{name}</option> })
            .collect_view()
    };
    let collection_options = move || {
        let locale = i18n.locale();
        Collection::ALL
            .iter()
            .map(|c| view! { <option value=c.as_str()>{c.label(locale)}</option> })
            .collect_view()
    };

    view! {
        <section class="page audit-page" data-testid="audit-page">
            <header class="page-header">
                <h1 class="page-title">{move || i18n.t(Key::AuditTitle)}</h1>
            </header>
            <p class="hint">{move || i18n.t(Key::AuditIntro)}</p>
            <form class="card audit-filters" on:submit=move |ev| { ev.prevent_default(); search(); }>
                <label class="field">
                    <span>{move || i18n.t(Key::AuditCollection)}</span>
                    <select name="collection" on:change=move |ev| collection.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t(Key::AuditAll)}</option>
                        {collection_options}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(Key::AuditPerson)}</span>
                    <select name="user" on:change=move |ev| person.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t(Key::AuditAll)}</option>
                        {people_options}
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(Key::AuditFrom)}</span>
                    <input type="date" name="from" on:change=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>{move || i18n.t(Key::AuditUntil)}</span>
                    <input type="date" name="until" on:change=move |ev| until.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="button button-primary">{move || i18n.t(Key::AuditSearch)}</button>
            </form>
            <div class="card">
                <TrailEntries trail show_record=true on_more=more />
            </div>
        </section>
    }
}
