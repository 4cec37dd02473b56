//! The languages Yingxiao speaks and how a first visit picks one: zh-CN by default, English complete.

use serde::{Deserialize, Serialize};

/// A user interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// 简体中文, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as used for `<html lang>` and stored preferences.
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// The language's own name, shown in the language picker whatever the current language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::ZhCn => "中文",
            Self::En => "English",
        }
    }

    /// Reads a stored tag back; anything unknown is `None` so the caller falls back to negotiation.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Self::ZhCn),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks the language for a first visit from the browser's preferences (`navigator.languages`),
    /// in order; zh-CN when none of them is one we speak.
    pub fn negotiate<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Self {
        preferences
            .into_iter()
            .find_map(Self::from_tag)
            .unwrap_or_default()
    }

    /// The other language, for a one-tap switch.
    pub fn toggled(self) -> Self {
        match self {
            Self::ZhCn => Self::En,
            Self::En => Self::ZhCn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_supported_browser_language_wins() {
        assert_eq!(Locale::negotiate(["fr-FR", "en-US", "zh-CN"]), Locale::En);
        assert_eq!(Locale::negotiate(["zh-TW", "en"]), Locale::ZhCn);
        assert_eq!(Locale::negotiate(["EN_gb"]), Locale::En);
    }

    #[test]
    fn unknown_or_missing_languages_fall_back_to_chinese() {
        assert_eq!(Locale::negotiate(["fr", "de-DE"]), Locale::ZhCn);
        assert_eq!(Locale::negotiate([]), Locale::ZhCn);
        assert_eq!(Locale::negotiate([""]), Locale::ZhCn);
    }

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
            assert_eq!(locale.toggled().toggled(), locale);
        }
    }
}
