//! The home page (`/`): the dashboard (the user's funnel this quarter, stalled deals, the quarter's
//! forecast), then, for administrators only, the server's diagnostics as `GET /api/v1/health` reports
//! them (connection, versions, database).

use std::time::Duration;

use leptos::{ev, prelude::*, task::spawn_local};
use yingxiao_core::{
    health::{DatabaseKind, Health, HealthStatus},
    scope::Role,
    VERSION,
};

use yingxiao_core::domain::Collection;

mod dashboard;
mod target_card;

use crate::{
    i18n::{use_i18n, Key},
    session::use_session,
};
use dashboard::Dashboard;
use target_card::TargetCard;

/// How often the page re-checks the server while it is open.
const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// The latest health check and when it finished.
#[derive(Clone, Debug, PartialEq)]
enum Check {
    Pending,
    Answered { health: Health, at: f64 },
    Failed { error: String, at: f64 },
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Diagnostics help whoever runs the server; everyone else learns what matters from the sync state.
    let is_admin = move || session.get().is_some_and(|s| s.user.role == Role::Admin);
    view! {
        <section class="page">
            <h1 class="page-title">{move || i18n.t(Key::HomeTitle)}</h1>
            <p class="page-intro">
                {move || i18n.t(if is_admin() { Key::HomeIntro } else { Key::HomeIntroUser })}
            </p>
            <TargetCard />
            <Dashboard />
            <Show when=is_admin>
                <ServerCard />
            </Show>
        </section>
    }
}

/// The server's diagnostics, re-checked every half minute and when the browser comes back online.
#[component]
fn ServerCard() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let check = RwSignal::new(Check::Pending);
    let in_flight = RwSignal::new(false);
    let online = RwSignal::new(window().navigator().on_line());

    let run_check = move || {
        if in_flight.get_untracked() {
            return;
        }
        in_flight.set(true);
        spawn_local(async move {
            let result = crate::data::server::health().await;
            let at = js_sys::Date::now();
            // The page may have been left while the request was out: `try_set` then does nothing.
            check.try_set(match result {
                Ok(health) => Check::Answered { health, at },
                Err(error) => Check::Failed {
                    error: error.to_string(),
                    at,
                },
            });
            in_flight.try_set(false);
        });
    };
    run_check();

    if let Ok(timer) = set_interval_with_handle(run_check, RECHECK_EVERY) {
        on_cleanup(move || timer.clear());
    }
    let on_online = window_event_listener(ev::online, move |_| {
        online.set(true);
        run_check();
    });
    let on_offline = window_event_listener(ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        on_online.remove();
        on_offline.remove();
    });

    let status = move || match check.get() {
        Check::Pending => ("pending", i18n.t(Key::StatusChecking)),
        Check::Answered { health, .. } if health.status == HealthStatus::Ok => {
            ("ok", i18n.t(Key::StatusConnected))
        }
        Check::Answered { .. } => ("warn", i18n.t(Key::StatusDegraded)),
        Check::Failed { .. } => ("error", i18n.t(Key::StatusUnreachable)),
    };
    let health = move || match check.get() {
        Check::Answered { health, .. } => Some(health),
        _ => None,
    };
    let server_version = move || {
        health()
            .map(|h| h.version)
            .unwrap_or_else(|| i18n.t(Key::NotAvailable).to_owned())
    };
    let database = move || match health().map(|h| h.database) {
        Some(DatabaseKind::Sqlite) => i18n.t(Key::DatabaseSqlite),
        Some(DatabaseKind::Postgres) => i18n.t(Key::DatabasePostgres),
        None => i18n.t(Key::NotAvailable),
    };
    let error_detail = move || match check.get() {
        Check::Failed { error, .. } => Some(error),
        _ => None,
    };
    let last_checked = move || match check.get() {
        Check::Answered { at, .. } | Check::Failed { at, .. } => {
            let date = js_sys::Date::new(&at.into());
            String::from(date.to_locale_time_string(i18n.locale().tag()))
        }
        Check::Pending => i18n.t(Key::NotAvailable).to_owned(),
    };
    let version_mismatch = move || {
        health()
            .filter(|h| h.version != VERSION)
            .map(|h| i18n.format(Key::VersionMismatch, &[("server", &h.version)]))
    };

    let signed_in_as = move || {
        session.get().map(|s| {
            let role = Collection::User
                .field("role")
                .and_then(|f| f.choice_label(s.user.role.as_str(), i18n.locale()))
                .unwrap_or(s.user.role.as_str());
            format!("{} · {role}", s.user.name)
        })
    };

    view! {
            <article class="card" aria-labelledby="server-card-title" data-testid="server-card">
                <header class="card-header">
                    <h2 id="server-card-title">{move || i18n.t(Key::ServerCardTitle)}</h2>
                    <button
                        type="button"
                        class="button"
                        disabled=move || in_flight.get()
                        on:click=move |_| run_check()
                    >
                        {move || i18n.t(Key::CheckNow)}
                    </button>
                </header>
                <dl class="facts">
                    <div class="fact">
                        <dt>{move || i18n.t(Key::SignedInAs)}</dt>
                        <dd data-testid="signed-in-as">{signed_in_as}</dd>
                    </div>
                    <div class="fact">
                        <dt>{move || i18n.t(Key::ServerConnection)}</dt>
                        <dd>
                            <span class="status" data-status=move || status().0 data-testid="server-status">
                                <span class="status-dot" aria-hidden="true"></span>
                                {move || status().1}
                            </span>
                            {move || error_detail().map(|e| view! { <span class="fact-detail">{e}</span> })}
                        </dd>
                    </div>
                    <div class="fact">
                        <dt>{move || i18n.t(Key::ServerVersion)}</dt>
                        <dd data-testid="server-version">{server_version}</dd>
                    </div>
                    <div class="fact">
                        <dt>{move || i18n.t(Key::AppVersion)}</dt>
                        <dd>{VERSION}</dd>
                    </div>
                    <div class="fact">
                        <dt>{move || i18n.t(Key::Database)}</dt>
                        <dd>{database}</dd>
                    </div>
                    <div class="fact">
                        <dt>{move || i18n.t(Key::Network)}</dt>
                        <dd>
                            {move || if online.get() { i18n.t(Key::NetworkOnline) } else { i18n.t(Key::NetworkOffline) }}
                        </dd>
                    </div>
                    <div class="fact">
                        <dt>{move || i18n.t(Key::LastChecked)}</dt>
                        <dd>{last_checked}</dd>
                    </div>
                </dl>
                {move || version_mismatch().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            </article>
    }
}
