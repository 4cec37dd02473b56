//! A company's brand (品牌) over the app's own look: an accent colour, a corner radius, a font and a
//! logo, set in the server's configuration or sent by the intranet portal that frames the app. The
//! brand reaches the style sheet as custom properties (`--brand-*`) that the sheet prefers to its
//! own, in the light and the dark theme alike; the high-contrast theme keeps its own colours.
//!
//! A brand colour is a company's, not chosen for reading: the accent used on a light page is
//! darkened until text in it is readable on white (WCAG's 4.5:1), and the dark theme's is the
//! company's dark colour or the same colour lightened until readable on the dark surface. Text on
//! the accent (a button's label) is white or near-black, whichever reads better.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The brand as written in configuration or a portal's message: every part optional, unchecked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrandSpec {
    /// `#rrggbb` or `#rgb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    /// The accent in the dark theme; derived from `accent` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accent_dark: Option<String>,
    /// Corner radius in CSS pixels, 0–24.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius: Option<u32>,
    /// A CSS font-family list, such as `"HarmonyOS Sans SC", sans-serif`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// The logo as a `data:image/…;base64,` URL (PNG, JPEG, WebP or SVG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

/// A checked brand, ready to apply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Brand {
    accent: Option<(Colour, Colour)>,
    radius: Option<u32>,
    font: Option<String>,
    logo: Option<String>,
}

/// The largest logo accepted, as its data URL: it travels in every page and message.
pub const MAX_LOGO_BYTES: usize = 96 * 1024;
const MAX_RADIUS: u32 = 24;
const MAX_FONT_CHARS: usize = 200;
const LOGO_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "image/svg+xml"];

/// The surfaces the accent is read against: the light theme's white, the dark theme's surface.
const LIGHT_SURFACE: Colour = Colour(0xff, 0xff, 0xff);
const DARK_SURFACE: Colour = Colour(0x1b, 0x1e, 0x25);
/// Text on the accent: the style sheet's white and its dark background.
const ON_DARK: Colour = Colour(0xff, 0xff, 0xff);
const ON_LIGHT: Colour = Colour(0x11, 0x13, 0x18);
/// WCAG 2's contrast for normal text.
const READABLE: f64 = 4.5;

/// What is wrong with a brand, in words for the one who configured it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrandError {
    /// Not `#rrggbb` or `#rgb`.
    Colour {
        field: &'static str,
        value: String,
    },
    Radius(u32),
    /// Empty, too long, or with a character a font-family list has not (`;`, `{`, `(`…).
    Font(String),
    /// Not a `data:` URL of an accepted image type in base64.
    LogoType,
    LogoTooLarge(usize),
}

impl fmt::Display for BrandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Colour { field, value } => {
                write!(
                    f,
                    "{field} {value:?} is not a colour; write it as #rrggbb, such as #1f4e79"
                )
            }
            Self::Radius(r) => write!(
                f,
                "radius {r} is out of range; use 0 to {MAX_RADIUS} pixels"
            ),
            Self::Font(font) => write!(
                f,
                "font {font:?} is not a font-family list; write names separated by commas, such as \
                 \"HarmonyOS Sans SC\", sans-serif"
            ),
            Self::LogoType => f.write_str(
                "the logo must be a PNG, JPEG, WebP or SVG image (as a data:image/…;base64, URL)",
            ),
            Self::LogoTooLarge(bytes) => write!(
                f,
                "the logo is {} KiB; at most {} KiB is accepted",
                bytes.div_ceil(1024),
                MAX_LOGO_BYTES / 1024
            ),
        }
    }
}

impl std::error::Error for BrandError {}

impl BrandSpec {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks every part; the first wrong one is the error.
    pub fn check(&self) -> Result<Brand, BrandError> {
        let light = self
            .accent
            .as_deref()
            .map(|value| Colour::parse(value).ok_or_else(|| colour_error("accent", value)))
            .transpose()?;
        let dark = self
            .accent_dark
            .as_deref()
            .map(|value| Colour::parse(value).ok_or_else(|| colour_error("accent_dark", value)))
            .transpose()?;
        let accent = match (light, dark) {
            (None, None) => None,
            (light, dark) => {
                let light = light.or(dark).expect("one of them is set");
                let dark = dark.unwrap_or(light);
                Some((
                    light.readable_on(LIGHT_SURFACE),
                    dark.readable_on(DARK_SURFACE),
                ))
            }
        };
        if let Some(radius) = self.radius.filter(|&r| r > MAX_RADIUS) {
            return Err(BrandError::Radius(radius));
        }
        let font = self.font.as_deref().map(str::trim);
        if let Some(font) = font.filter(|f| !is_font_list(f)) {
            return Err(BrandError::Font(font.to_owned()));
        }
        if let Some(logo) = &self.logo {
            check_logo(logo)?;
        }
        Ok(Brand {
            accent,
            radius: self.radius,
            font: font.map(str::to_owned),
            logo: self.logo.clone(),
        })
    }
}

fn colour_error(field: &'static str, value: &str) -> BrandError {
    BrandError::Colour {
        field,
        value: value.to_owned(),
    }
}

/// Names (quoted or not) separated by commas, of letters, digits, spaces, `-` and `_`.
fn is_font_list(font: &str) -> bool {
    !font.is_empty()
        && font.chars().count() <= MAX_FONT_CHARS
        && font.split(',').all(|name| {
            let name = name.trim();
            let bare = name
                .strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .or_else(|| name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')))
                .unwrap_or(name);
            !bare.is_empty()
                && bare
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
        })
}

fn check_logo(logo: &str) -> Result<(), BrandError> {
    if logo.len() > MAX_LOGO_BYTES {
        return Err(BrandError::LogoTooLarge(logo.len()));
    }
    let (kind, data) = logo
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(";base64,"))
        .ok_or(BrandError::LogoType)?;
    let base64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    if !LOGO_TYPES.contains(&kind.to_ascii_lowercase().as_str())
        || data.is_empty()
        || !data.bytes().all(base64)
    {
        return Err(BrandError::LogoType);
    }
    Ok(())
}

impl Brand {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The custom properties the style sheet reads, with their values; a part not set is absent
    /// (the page removes it, so the sheet's own value shows).
    pub fn css_properties(&self) -> Vec<(&'static str, Option<String>)> {
        let accent = self.accent.map(|(light, dark)| {
            (
                format!("light-dark({light}, {dark})"),
                format!("light-dark({}, {})", light.text_on_it(), dark.text_on_it()),
            )
        });
        let (accent, on_accent) = match accent {
            Some((a, b)) => (Some(a), Some(b)),
            None => (None, None),
        };
        vec![
            ("--brand-accent", accent),
            ("--brand-accent-contrast", on_accent),
            ("--brand-radius", self.radius.map(|r| format!("{r}px"))),
            ("--brand-font", self.font.clone()),
        ]
    }

    /// The logo's data URL, drawn in place of the app's mark.
    pub fn logo(&self) -> Option<&str> {
        self.logo.as_deref()
    }

    /// This brand with another's parts laid over it: what a portal sends replaces what it names.
    pub fn overlaid(&self, over: &Brand) -> Brand {
        Brand {
            accent: over.accent.or(self.accent),
            radius: over.radius.or(self.radius),
            font: over.font.clone().or_else(|| self.font.clone()),
            logo: over.logo.clone().or_else(|| self.logo.clone()),
        }
    }
}

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Colour(u8, u8, u8);

impl Colour {
    fn parse(text: &str) -> Option<Colour> {
        let hex = text.trim().strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match hex.len() {
            6 => Some(Colour(
                channel(&hex[0..2])?,
                channel(&hex[2..4])?,
                channel(&hex[4..6])?,
            )),
            3 => {
                let twice = |i: usize| channel(&hex[i..=i].repeat(2));
                Some(Colour(twice(0)?, twice(1)?, twice(2)?))
            }
            _ => None,
        }
    }

    /// WCAG 2's relative luminance.
    fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// This colour moved `share` (0–1) of the way to `to`.
    fn mixed(self, to: Colour, share: f64) -> Colour {
        let mix =
            |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * share).round() as u8;
        Colour(mix(self.0, to.0), mix(self.1, to.1), mix(self.2, to.2))
    }

    /// The colour itself when text in it reads on `surface`; otherwise the least mix towards black
    /// (on a light surface) or white (on a dark one) that does, in steps of 5%.
    fn readable_on(self, surface: Colour) -> Colour {
        let away = if surface.luminance() > 0.5 {
            Colour(0, 0, 0)
        } else {
            Colour(0xff, 0xff, 0xff)
        };
        (0..=20)
            .map(|step| self.mixed(away, f64::from(step) / 20.0))
            .find(|c| c.contrast(surface) >= READABLE)
            .unwrap_or(away)
    }

    /// White or near-black, whichever reads better on this colour.
    fn text_on_it(self) -> Colour {
        if self.contrast(ON_DARK) >= self.contrast(ON_LIGHT) {
            ON_DARK
        } else {
            ON_LIGHT
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(accent: &str) -> BrandSpec {
        BrandSpec {
            accent: Some(accent.to_owned()),
            ..BrandSpec::default()
        }
    }

    fn property(brand: &Brand, name: &str) -> Option<String> {
        brand
            .css_properties()
            .into_iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v)
    }

    /// The two colours of a `light-dark(a, b)` value.
    fn sides(value: &str) -> (Colour, Colour) {
        let inner = value
            .strip_prefix("light-dark(")
            .and_then(|v| v.strip_suffix(')'))
            .unwrap();
        let (light, dark) = inner.split_once(", ").unwrap();
        (Colour::parse(light).unwrap(), Colour::parse(dark).unwrap())
    }

    #[test]
    fn a_readable_brand_colour_is_kept_in_light_and_lightened_for_dark() {
        // A portal's navy reads on white as it is; on the dark surface it is lightened.
        let brand = spec("#1F4E79").check().unwrap();
        let accent = property(&brand, "--brand-accent").unwrap();
        assert!(accent.starts_with("light-dark(#1f4e79, #"), "{accent}");
        let (_, dark) = sides(&accent);
        assert!(dark.contrast(DARK_SURFACE) >= READABLE, "{accent}");
        assert_ne!(dark, Colour(0x1f, 0x4e, 0x79));
        // White on navy; near-black on the lightened dark-theme accent.
        assert_eq!(
            property(&brand, "--brand-accent-contrast").unwrap(),
            "light-dark(#ffffff, #111318)"
        );
    }

    #[test]
    fn a_pale_brand_colour_is_darkened_until_text_in_it_reads_on_white() {
        let brand = spec("#ffd100").check().unwrap();
        let accent = property(&brand, "--brand-accent").unwrap();
        let (light, _) = sides(&accent);
        assert!(light.contrast(LIGHT_SURFACE) >= READABLE, "{accent}");
        // As given, it would not read on white.
        let step_back = Colour(0xff, 0xd1, 0x00);
        assert!(step_back.contrast(LIGHT_SURFACE) < READABLE);
        // Yellow stays itself in the dark theme, with dark text on it.
        assert!(accent.ends_with("#ffd100)"), "{accent}");
        assert_eq!(
            property(&brand, "--brand-accent-contrast").unwrap(),
            "light-dark(#ffffff, #111318)"
        );
    }

    #[test]
    fn a_dark_theme_colour_given_is_used_and_short_hex_is_read() {
        let brand = BrandSpec {
            accent: Some("#036".into()),
            accent_dark: Some("#66aaff".into()),
            ..BrandSpec::default()
        }
        .check()
        .unwrap();
        assert_eq!(
            property(&brand, "--brand-accent").unwrap(),
            "light-dark(#003366, #66aaff)"
        );
    }

    #[test]
    fn radius_font_and_logo_are_checked() {
        let good = BrandSpec {
            radius: Some(4),
            font: Some(r#" "HarmonyOS Sans SC", 'Noto Sans', sans-serif "#.into()),
            logo: Some("data:image/png;base64,iVBORw0KGgo=".into()),
            ..BrandSpec::default()
        }
        .check()
        .unwrap();
        assert_eq!(property(&good, "--brand-radius").as_deref(), Some("4px"));
        assert_eq!(
            property(&good, "--brand-font").as_deref(),
            Some(r#""HarmonyOS Sans SC", 'Noto Sans', sans-serif"#)
        );
        assert_eq!(property(&good, "--brand-accent"), None);
        assert!(good.logo().is_some());

        let wrong = |spec: BrandSpec| spec.check().unwrap_err();
        assert_eq!(
            wrong(spec("red")),
            BrandError::Colour {
                field: "accent",
                value: "red".into()
            }
        );
        assert!(matches!(wrong(spec("#12345")), BrandError::Colour { .. }));
        let radius = BrandSpec {
            radius: Some(40),
            ..BrandSpec::default()
        };
        assert_eq!(wrong(radius), BrandError::Radius(40));
        for font in ["x; } body { display:none", "url(evil)", "", "a,,b"] {
            let spec = BrandSpec {
                font: Some(font.into()),
                ..BrandSpec::default()
            };
            assert!(matches!(wrong(spec), BrandError::Font(_)), "{font}");
        }
        for logo in [
            "https://portal.example.com/logo.png",
            "data:text/html;base64,PGgxPg==",
            "data:image/png,rawbytes",
            "data:image/png;base64,not base64!",
        ] {
            let spec = BrandSpec {
                logo: Some(logo.into()),
                ..BrandSpec::default()
            };
            assert_eq!(wrong(spec), BrandError::LogoType, "{logo}");
        }
        let huge = BrandSpec {
            logo: Some(format!(
                "data:image/png;base64,{}",
                "A".repeat(MAX_LOGO_BYTES)
            )),
            ..BrandSpec::default()
        };
        assert!(matches!(wrong(huge), BrandError::LogoTooLarge(_)));
        assert!(wrong(spec("nope")).to_string().contains("#rrggbb"));
    }

    #[test]
    fn a_portals_brand_replaces_only_what_it_names() {
        let configured = BrandSpec {
            accent: Some("#1f4e79".into()),
            radius: Some(2),
            ..BrandSpec::default()
        }
        .check()
        .unwrap();
        let sent = BrandSpec {
            radius: Some(12),
            ..BrandSpec::default()
        }
        .check()
        .unwrap();
        let shown = configured.overlaid(&sent);
        assert_eq!(property(&shown, "--brand-radius").as_deref(), Some("12px"));
        assert_eq!(
            property(&shown, "--brand-accent"),
            property(&configured, "--brand-accent")
        );
        assert!(Brand::default()
            .css_properties()
            .iter()
            .all(|(_, v)| v.is_none()));
    }
}
