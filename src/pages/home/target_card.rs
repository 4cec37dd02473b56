//! The home page's target card (目标达成): the user's own year target of sales — a rep's or a
//! promoter's own, a manager's unit's, the company's for those who see all of it — attained to
//! date against the time gone, with this month's figures, the run-rate forecast and the gap, and a
//! way to the targets page.

use leptos::prelude::*;
use leptos_router::components::A;
use yingxiao_core::{
    domain::Collection,
    scope::Reach,
    targets::{
        actuals::{Metric, SubjectKind},
        attainment::Light,
        sheet::{standing, Sheet},
    },
    views::NavGroup,
};

use crate::{
    data::{records::watch_collection, sync::use_data, targets::use_actuals},
    format::{format_yuan, local_today, percent},
    i18n::{use_i18n, Key},
    mount::use_mount,
    permissions::use_access,
    session::use_session,
};

#[component]
pub fn TargetCard() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let access = use_access();
    let session = use_session();
    let mount = StoredValue::new(use_mount());
    let today = local_today();
    let year = chrono::Datelike::year(&today);
    let sees_targets = Memo::new(move |_| {
        access.with(|state| {
            state.viewer.as_ref().is_some_and(|v| {
                NavGroup::TargetsBudgets
                    .collections_for(v.role, &state.table)
                    .any(|c| c == Collection::Target)
            })
        })
    });
    // Whose year the card follows.
    let subject = Memo::new(move |_| {
        let me = session.get()?.user;
        Some(match me.role.reach() {
            Reach::OwnAndCustomers | Reach::OwnAndStore => {
                (SubjectKind::User, me.user_id, me.unit_id)
            }
            Reach::UnitSubtree => (SubjectKind::Unit, me.unit_id.clone(), me.unit_id),
            Reach::Company => {
                let company = access.company().map(|(id, _)| id).unwrap_or(me.unit_id);
                (SubjectKind::Unit, company.clone(), company)
            }
        })
    });
    let targets = watch_collection(data, Collection::Target);
    let actuals = use_actuals(data);
    // Still reading: the first sync, the targets or the actuals.
    let loading = move || {
        data.first_sync.get().is_some()
            || targets.with(Option::is_none)
            || matches!(actuals.state(), crate::data::records::Loaded::Loading)
    };
    let shown = Memo::new(move |_| {
        let (kind, id, unit) = subject.get()?;
        let rows = targets.with(|read| match read {
            Some(Ok(rows)) => Some(rows.clone()),
            _ => None,
        })?;
        let list = crate::data::records::live_fields(&rows);
        let sheet = Sheet::of_subject(kind, &id, &unit, &list, Metric::SalesAmount, year);
        sheet.rows.first()?.year.as_ref()?;
        actuals.with(|a| standing(&sheet, 0, a, Metric::SalesAmount, today))
    });
    let light_key = |light: Option<Light>| match light {
        Some(Light::Green) => Some(("green", Key::TargetsLightGreen)),
        Some(Light::Amber) => Some(("amber", Key::TargetsLightAmber)),
        Some(Light::Red) => Some(("red", Key::TargetsLightRed)),
        None => None,
    };

    view! {
        <Show when=move || sees_targets.get()>
            <article class="card target-card" aria-labelledby="target-card-title" data-testid="target-card">
                <header class="card-header">
                    <h2 id="target-card-title">{move || i18n.format(Key::TargetCardTitle, &[("year", &year.to_string())])}</h2>
                    <A href=mount.with_value(|m| m.href("/targets")) attr:class="button">{move || i18n.t(Key::TargetCardOpen)}</A>
                </header>
                {move || match shown.get() {
                    None if loading() => view! { <p class="hint" role="status">{i18n.t(Key::ListLoading)}</p> }.into_any(),
                    None => view! { <p class="hint" data-testid="target-card-none">{i18n.t(Key::TargetCardNone)}</p> }.into_any(),
                    Some(s) => {
                        let light = light_key(s.light);
                        let share = s.attained.unwrap_or(0.0).clamp(0.0, 1.0) * 100.0;
                        view! {
                            <div class="target-card-bar" role="img"
                                aria-label=format!("{} {}", percent(s.attained), light.map_or("", |(_, k)| i18n.t(k)))>
                                <span data-light=light.map_or("none", |(l, _)| l) style=format!("width:{share:.1}%")></span>
                            </div>
                            <dl class="facts dashboard-figures">
                                <div class="fact" data-figure="year">
                                    <dt>{i18n.t(Key::TargetCardYear)}</dt>
                                    <dd>
                                        <span data-testid="target-card-attained">{percent(s.attained)}</span>
                                        <span class="fact-detail">{i18n.format(Key::TargetCardOf, &[("actual", &format_yuan(s.year_actual)), ("target", &format_yuan(s.year_target))])}</span>
                                        {light.map(|(l, k)| view! {
                                            <span class="fact-detail"><span class="target-light" data-light=l></span>{i18n.t(k)}</span>
                                        })}
                                    </dd>
                                </div>
                                <div class="fact" data-figure="month">
                                    <dt>{i18n.t(Key::TargetCardMonth)}</dt>
                                    <dd>
                                        {format_yuan(s.month_actual)}
                                        <span class="fact-detail">{i18n.format(Key::TargetCardTarget, &[("target", &format_yuan(s.month_target))])}</span>
                                    </dd>
                                </div>
                                <div class="fact" data-figure="forecast">
                                    <dt>{i18n.t(Key::TargetCardForecast)}</dt>
                                    <dd>
                                        {s.forecast.map_or_else(|| "—".to_owned(), format_yuan)}
                                        <span class="fact-detail">{i18n.format(Key::TargetCardGap, &[("gap", &format_yuan(s.gap))])}</span>
                                    </dd>
                                </div>
                            </dl>
                        }.into_any()
                    }
                }}
            </article>
        </Show>
    }
}
