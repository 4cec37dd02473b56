//! Preferences kept on this device (language, theme) in `localStorage`, and applying them to the page.

use leptos::prelude::*;
use yingxiao_core::{locale::Locale, theme::ThemePreference};

const LOCALE_KEY: &str = "yingxiao.locale";
const THEME_KEY: &str = "yingxiao.theme";
const STORE_CHOICE_KEY: &str = "yingxiao.store-choice";
const PROMOTIONS_VIEW_KEY: &str = "yingxiao.promotions.view";
/// The targets page's view last used (sheet, ranking or list).
const TARGETS_VIEW_KEY: &str = "yingxiao.targets.view";

fn storage() -> Option<web_sys::Storage> {
    // Storage can be unavailable (privacy modes, sandboxed portal frames): preferences then last a session.
    window().local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn write(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

/// The remembered language, or on a first visit the browser's preferred one we speak.
pub fn initial_locale() -> Locale {
    if let Some(locale) = read(LOCALE_KEY).as_deref().and_then(Locale::from_tag) {
        return locale;
    }
    let navigator = window().navigator();
    let languages: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|value| value.as_string())
        .chain(navigator.language())
        .collect();
    Locale::negotiate(languages.iter().map(String::as_str))
}

pub fn save_locale(locale: Locale) {
    write(LOCALE_KEY, locale.tag());
}

pub fn initial_theme() -> ThemePreference {
    read(THEME_KEY)
        .map(|stored| ThemePreference::parse(&stored))
        .unwrap_or_default()
}

pub fn save_theme(theme: ThemePreference) {
    write(THEME_KEY, theme.as_str());
}

/// Sets `<html lang>` so fonts, screen readers and line breaking follow the language.
pub fn apply_locale(locale: Locale) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.tag());
    }
}

/// Sets `<html data-theme>`; without it the style sheet follows `prefers-color-scheme`.
pub fn apply_theme(theme: ThemePreference) {
    if let Some(root) = document().document_element() {
        let _ = match theme {
            ThemePreference::System => root.remove_attribute("data-theme"),
            chosen => root.set_attribute("data-theme", chosen.as_str()),
        };
    }
}

/// The user's theme choice, shared through context like `I18n`.
#[derive(Clone, Copy)]
pub struct ThemeChoice(pub RwSignal<ThemePreference>);

pub fn use_theme() -> ThemeChoice {
    expect_context::<ThemeChoice>()
}

/// The promotions page's view last chosen on this device (`month`, `week`, `timeline`, `list`), so
/// coming back to the page from a record shows what the user left.
pub fn promotions_view() -> Option<String> {
    read(PROMOTIONS_VIEW_KEY)
}

/// The store and promotion the promoter last had open in store mode (`store_id promotion_id`), so a
/// reload or the next visit opens the same day.
pub fn store_choice() -> Option<(String, String)> {
    let text = read(STORE_CHOICE_KEY)?;
    let (store, promotion) = text.split_once(' ')?;
    Some((store.to_owned(), promotion.to_owned()))
}

pub fn save_store_choice(store: &str, promotion: &str) {
    write(STORE_CHOICE_KEY, &format!("{store} {promotion}"));
}

pub fn save_promotions_view(view: &str) {
    write(PROMOTIONS_VIEW_KEY, view);
}

/// The targets page's view last used, so coming back (from a record's page) opens it again.
pub fn targets_view() -> Option<String> {
    read(TARGETS_VIEW_KEY)
}

pub fn save_targets_view(view: &str) {
    write(TARGETS_VIEW_KEY, view);
}
