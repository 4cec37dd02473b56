//! Settings (`/settings`): the interface language and the theme, remembered on this device, the
//! company's funnel settings and its roles' duties, kept on the company unit and synced, and the way
//! to the permission table.

use leptos::prelude::*;
use yingxiao_core::{locale::Locale, theme::ThemePreference};

mod company_fields;
mod permissions;

pub use permissions::PermissionsPage;
use {
    company_fields::{CompanyFieldsCard, DUTIES, FUNNEL, WEIGHTS},
    permissions::PermissionsCard,
};

use crate::{
    i18n::{use_i18n, Key},
    prefs::use_theme,
};

fn theme_label(theme: ThemePreference) -> Key {
    match theme {
        ThemePreference::System => Key::ThemeSystem,
        ThemePreference::Light => Key::ThemeLight,
        ThemePreference::Dark => Key::ThemeDark,
        ThemePreference::Contrast => Key::ThemeContrast,
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let theme = use_theme();

    let languages = Locale::ALL
        .into_iter()
        .map(|locale| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="language"
                        value=locale.tag()
                        prop:checked=move || i18n.locale() == locale
                        on:change=move |_| i18n.set_locale(locale)
                    />
                    <span lang=locale.tag()>{locale.native_name()}</span>
                </label>
            }
        })
        .collect_view();
    let themes = ThemePreference::ALL
        .into_iter()
        .map(|choice| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="theme"
                        value=choice.as_str()
                        prop:checked=move || theme.0.get() == choice
                        on:change=move |_| theme.0.set(choice)
                    />
                    <span>{move || i18n.t(theme_label(choice))}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        <section class="page">
            <h1 class="page-title">{move || i18n.t(Key::SettingsTitle)}</h1>
            <fieldset class="card setting">
                <legend>{move || i18n.t(Key::SettingsLanguage)}</legend>
                <p class="hint">{move || i18n.t(Key::SettingsLanguageHint)}</p>
                <div class="choices">{languages}</div>
            </fieldset>
            <fieldset class="card setting">
                <legend>{move || i18n.t(Key::SettingsTheme)}</legend>
                <p class="hint">{move || i18n.t(Key::SettingsThemeHint)}</p>
                <div class="choices">{themes}</div>
            </fieldset>
            <CompanyFieldsCard card=&FUNNEL />
            <CompanyFieldsCard card=&DUTIES />
            <CompanyFieldsCard card=&WEIGHTS />
            <PermissionsCard />
        </section>
    }
}
