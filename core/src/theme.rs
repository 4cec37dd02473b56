//! Light and dark themes: the user's choice, or the system's (`prefers-color-scheme`) when they have not
//! chosen, and a high-contrast light theme for a bright store floor. The style sheet does the drawing
//! through `light-dark()`; this is only the stored choice.

/// What the user picked in settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThemePreference {
    /// Follow `prefers-color-scheme`.
    #[default]
    System,
    Light,
    Dark,
    /// Black on white with heavy borders, readable under a store's lights.
    Contrast,
}

impl ThemePreference {
    pub const ALL: [ThemePreference; 4] = [Self::System, Self::Light, Self::Dark, Self::Contrast];

    /// The stored form of the preference, also the value of `<html data-theme>` (absent for `System`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
            Self::Contrast => "contrast",
        }
    }

    /// Reads a stored preference; anything unknown means "follow the system".
    pub fn parse(stored: &str) -> Self {
        match stored {
            "light" => Self::Light,
            "dark" => Self::Dark,
            "contrast" => Self::Contrast,
            _ => Self::System,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_preferences_round_trip_and_junk_means_system() {
        for pref in ThemePreference::ALL {
            assert_eq!(ThemePreference::parse(pref.as_str()), pref);
        }
        assert_eq!(ThemePreference::parse("purple"), ThemePreference::System);
    }
}
