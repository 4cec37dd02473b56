//! Translations: the current language as a signal, and lookups into the tables built from `locales/`.

use leptos::prelude::*;
use yingxiao_core::locale::Locale;

include!(concat!(env!("OUT_DIR"), "/translations.rs"));

/// The reactive current language; `Copy`, so views capture it freely.
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    pub fn new(locale: Locale) -> Self {
        Self {
            locale: RwSignal::new(locale),
        }
    }

    /// The current language; reading it inside a view makes the view follow changes.
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The language now, without following it (in event handlers and tasks).
    pub fn locale_untracked(&self) -> Locale {
        self.locale.get_untracked()
    }

    pub fn set_locale(&self, locale: Locale) {
        self.locale.set(locale);
    }

    /// The text for `key` in the current language.
    pub fn t(&self, key: Key) -> &'static str {
        text(self.locale.get(), key)
    }

    /// The text for `key` with each `{name}` replaced by its value.
    pub fn format(&self, key: Key, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.t(key).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// The text for `key` in `locale`, outside any reactive tracking.
pub fn text(locale: Locale, key: Key) -> &'static str {
    let table = match locale {
        Locale::ZhCn => &ZH_CN,
        Locale::En => &EN,
    };
    table[key as usize]
}

/// The translations of the app, provided once by `App`.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}
