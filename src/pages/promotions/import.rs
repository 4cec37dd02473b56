//! Importing a retailer's iCalendar file as planned promotions: the file is read on the device by
//! core's `ics::read`, the user sees what will come in and every event left out with its reason,
//! picks the kind, and confirms; each promotion is then one `create`, kept on the device and synced.
//! An event already planned (same name and days) is not planned twice.

use chrono::{Days, NaiveDate};
use leptos::{ev, prelude::*, task::spawn_local};
use serde_json::{json, Map};
use wasm_bindgen::JsCast;
use yingxiao_core::{
    domain::{self, Collection, FieldKind},
    ics::{self, Imported, Skipped},
    sync::protocol::{CreateArgs, Intent},
};

use crate::{
    data::{
        new_record_id,
        promotions::Promotions,
        records::{Loaded, Shared},
        sync::use_data,
    },
    format::local_today,
    i18n::{use_i18n, Key},
    permissions::use_access,
};

/// How far ahead a repeating event without an end is planned.
const HORIZON_DAYS: u64 = 2 * 366;

/// A file read and waiting for the user's go.
#[derive(Clone, Debug, PartialEq)]
struct Reading {
    file: String,
    new: Vec<Imported>,
    already: usize,
    skipped: Vec<Skipped>,
}

/// `text` cut to what the promotion's text `field` holds, by core's field table.
fn fit(field: &str, text: &str) -> String {
    let max = match Collection::Promotion.field(field).map(|d| d.kind) {
        Some(FieldKind::Text { max_chars }) => max_chars as usize,
        _ => usize::MAX,
    };
    text.chars().take(max).collect()
}

#[component]
pub fn IcsImport(promotions: Memo<Loaded<Shared<Promotions>>>) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let reading = RwSignal::new(None::<Reading>);
    let kind = RwSignal::new("other".to_owned());
    let outcome = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_file = move |ev: ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        outcome.set(None);
        let name = file.name();
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => {
                    outcome.set(Some(i18n.t(Key::PromotionsImportUnreadable).to_owned()));
                    return;
                }
            };
            let horizon = local_today()
                .checked_add_days(Days::new(HORIZON_DAYS))
                .unwrap_or(NaiveDate::MAX);
            let (found, skipped) = ics::read(&text, horizon);
            // Those already planned under the same name and days are left out.
            let (new, already): (Vec<Imported>, Vec<Imported>) =
                promotions.with_untracked(|p| match p {
                    Loaded::Ready(p) => found.into_iter().partition(|e| {
                        !p.rows.iter().any(|r| {
                            r.name == e.summary.trim() && r.first == e.first && r.last == e.last
                        })
                    }),
                    _ => (found, Vec::new()),
                });
            reading.set(Some(Reading {
                file: name,
                new,
                already: already.len(),
                skipped,
            }));
        });
    };

    let confirm = move |_| {
        let Some(r) = reading.get_untracked() else {
            return;
        };
        let Some(unit) = access.viewer().map(|v| v.unit_id) else {
            return;
        };
        busy.set(true);
        let kind = kind.get_untracked();
        spawn_local(async move {
            let mut made = 0;
            let mut failed = Vec::new();
            for event in &r.new {
                let mut fields = Map::new();
                let name = match event.summary.trim() {
                    "" => i18n.t(Key::PromotionsImportUntitled).to_owned(),
                    name => fit("name", name),
                };
                fields.insert("name".into(), json!(name));
                fields.insert("kind".into(), json!(kind));
                fields.insert("unit_id".into(), json!(unit));
                fields.insert("starts_on".into(), json!(event.first.to_string()));
                fields.insert("ends_on".into(), json!(event.last.to_string()));
                fields.insert("status".into(), json!("planned"));
                let notes: Vec<&str> = [event.description.as_deref(), event.location.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                if !notes.is_empty() {
                    fields.insert("notes".into(), json!(fit("notes", &notes.join("\n"))));
                }
                domain::complete_new(
                    Collection::Promotion,
                    &mut fields,
                    &yingxiao_core::time::format_instant(js_sys::Date::now() as u64),
                );
                let intent = Intent::Create(CreateArgs {
                    collection: Collection::Promotion,
                    id: new_record_id(),
                    fields,
                });
                match data.mutate(intent).await {
                    Ok(()) => made += 1,
                    Err(error) => failed.push(format!("{name}: {error}")),
                }
            }
            busy.set(false);
            reading.set(None);
            let mut text = i18n.format(Key::PromotionsImported, &[("count", &made.to_string())]);
            for line in failed {
                text.push('\n');
                text.push_str(&line);
            }
            outcome.set(Some(text));
        });
    };

    let may_import = move || {
        access.can(
            Collection::Promotion,
            yingxiao_core::permission::Action::Create,
            None,
        )
    };
    view! {
        <Show when=may_import>
            <label class="button" data-testid="calendar-import">
                {move || i18n.t(Key::PromotionsImportIcs)}
                <input type="file" accept=".ics,text/calendar" class="visually-hidden" on:change=on_file />
            </label>
        </Show>
        {move || outcome.get().map(|text| view! {
            <p class="hint calendar-import-outcome" role="status" data-testid="calendar-import-outcome">{text}</p>
        })}
        {move || reading.get().map(|r| {
            let span = r.new.iter().map(|e| e.first).min().zip(r.new.iter().map(|e| e.last).max());
            let kinds = Collection::Promotion.field("kind").and_then(|d| d.choices()).unwrap_or_default();
            view! {
                <div class="card confirm-panel calendar-import" role="alertdialog" aria-labelledby="calendar-import-title"
                    data-testid="calendar-import-panel"
                    on:keydown=move |ev: ev::KeyboardEvent| if ev.key() == "Escape" { reading.set(None); }>
                    <h2 id="calendar-import-title">{i18n.format(Key::PromotionsImportTitle, &[("file", &r.file)])}</h2>
                    <p data-testid="calendar-import-summary">{i18n.format(Key::PromotionsImportSummary, &[
                        ("count", &r.new.len().to_string()),
                        ("from", &span.map(|s| s.0.to_string()).unwrap_or_default()),
                        ("to", &span.map(|s| s.1.to_string()).unwrap_or_default()),
                        ("already", &r.already.to_string()),
                        ("skipped", &r.skipped.len().to_string()),
                    ])}</p>
                    {(!r.skipped.is_empty()).then(|| view! {
                        <ul class="calendar-import-skipped" data-testid="calendar-import-skipped">
                            {r.skipped.iter().map(|s| view! {
                                <li>{i18n.format(Key::PromotionsImportSkippedLine, &[
                                    ("line", &s.line.to_string()),
                                    ("name", s.summary.as_deref().unwrap_or("—")),
                                    ("reason", &s.reason.message(i18n.locale_untracked())),
                                ])}</li>
                            }).collect_view()}
                        </ul>
                    })}
                    <div class="field">
                        <label for="calendar-import-kind">{move || i18n.t(Key::PromotionsKind)}</label>
                        <select id="calendar-import-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                            {kinds.iter().map(|c| view! {
                                <option value=c.value selected=c.value == "other">{move || c.label(i18n.locale())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="form-actions">
                        <button type="button" class="button button-primary" data-testid="calendar-import-confirm"
                            disabled=move || busy.get() || r.new.is_empty() on:click=confirm>
                            {move || i18n.t(Key::PromotionsImportConfirm)}
                        </button>
                        <button type="button" class="button" on:click=move |_| reading.set(None)>{move || i18n.t(Key::FormCancel)}</button>
                    </div>
                </div>
            }
        })}
    }
}
