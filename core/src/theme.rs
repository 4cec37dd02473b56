//! Light and dark themes: the user's choice, or the system's (`prefers-color-scheme`) when they have not
//! chosen. The style sheet does the drawing through `light-dark()`; this is only the stored choice.

/// What the user picked in settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThemePreference {
    /// Follow `prefers-color-scheme`.
    #[default]
    System,
    Light,
    Dark,
}

impl ThemePreference {
    pub const ALL: [ThemePreference; 3] = [Self::System, Self::Light, Self::Dark];

    /// The stored form of the preference, also the value of `<html data-theme>` (absent for `System`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// Reads a stored preference; anything unknown means "follow the system".
    pub fn parse(stored: &str) -> Self {
        match stored {
            "light" => Self::Light,
            "dark" => Self::Dark,
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
