//! The `postMessage` API between the app and the portal that frames it. Every message is a JSON
//! object whose `type` starts with `yingxiao:`; the app reads only messages from its parent window
//! whose origin is its own or a configured portal (`FrameAncestors::allows`), and speaks only to
//! that origin.
//!
//! The app says:
//! - `{"type":"yingxiao:ready","route":"/funnel","title":"销售漏斗","locale":"zh-CN","version":"0.1.0"}`
//!   once it has started, and again when asked (`yingxiao:state`);
//! - `{"type":"yingxiao:route","route":…,"title":…}` after each navigation;
//! - `{"type":"yingxiao:height","height":812}` whenever its content's height changes, so the portal
//!   can size the frame;
//! - `{"type":"yingxiao:refused","request":"yingxiao:navigate","reason":…}` for a request it will not
//!   carry out.
//!
//! The portal may ask:
//! - `{"type":"yingxiao:navigate","path":"/customers?q=华东"}`: an app path, under the app's base path;
//! - `{"type":"yingxiao:locale","locale":"en"}` (`zh-CN` or `en`);
//! - `{"type":"yingxiao:theme","theme":"dark","brand":{"accent":"#1f4e79","radius":4}}`: either part;
//!   the theme is `light`, `dark`, `contrast` or `system`, the brand as in `BrandSpec`;
//! - `{"type":"yingxiao:state"}`: to be told `ready` again.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::{
    brand::{Brand, BrandError, BrandSpec},
    locale::Locale,
    theme::ThemePreference,
};

/// Every message type of the API starts with this.
pub const PREFIX: &str = "yingxiao:";
const MAX_PATH: usize = 2048;

/// A portal's request, checked.
#[derive(Clone, Debug, PartialEq)]
pub enum PortalRequest {
    /// Go to this app path (with its query), as a link inside the app would.
    Navigate(String),
    Locale(Locale),
    Theme {
        theme: Option<ThemePreference>,
        brand: Option<Brand>,
    },
    /// Say `ready` again, for a portal that listened late.
    State,
}

/// A message the app sends to its portal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum AppMessage {
    #[serde(rename = "yingxiao:ready")]
    Ready {
        route: String,
        title: String,
        locale: String,
        version: String,
    },
    #[serde(rename = "yingxiao:route")]
    Route { route: String, title: String },
    #[serde(rename = "yingxiao:height")]
    Height { height: u32 },
    #[serde(rename = "yingxiao:refused")]
    Refused { request: String, reason: String },
}

/// Why a portal's request was not carried out; said back to the portal in `yingxiao:refused`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageError {
    /// A `yingxiao:` type the API does not have.
    UnknownType(String),
    /// The message's fields are not what its type needs.
    Malformed {
        kind: String,
        detail: String,
    },
    /// Not a path of this app: absolute URLs, `//host`, control characters.
    NotAnAppPath(String),
    UnknownLocale(String),
    UnknownTheme(String),
    Brand(BrandError),
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownType(kind) => write!(
                f,
                "{kind} is not a message of the Yingxiao API (navigate, locale, theme, state)"
            ),
            Self::Malformed { kind, detail } => write!(f, "{kind}: {detail}"),
            Self::NotAnAppPath(path) => write!(
                f,
                "{path:?} is not a path of the app; give a path such as /customers, without the \
                 scheme, host or base path"
            ),
            Self::UnknownLocale(locale) => {
                write!(f, "{locale:?} is not a language of the app (zh-CN, en)")
            }
            Self::UnknownTheme(theme) => write!(
                f,
                "{theme:?} is not a theme (light, dark, contrast, system)"
            ),
            Self::Brand(error) => write!(f, "brand: {error}"),
        }
    }
}

impl std::error::Error for MessageError {}

#[derive(Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
enum Wire {
    #[serde(rename = "yingxiao:navigate")]
    Navigate { path: String },
    #[serde(rename = "yingxiao:locale")]
    Locale { locale: String },
    #[serde(rename = "yingxiao:theme")]
    Theme {
        #[serde(default)]
        theme: Option<String>,
        #[serde(default)]
        brand: Option<BrandSpec>,
    },
    #[serde(rename = "yingxiao:state")]
    State {},
}

impl PortalRequest {
    /// Reads a message's data, as JSON. `Ok(None)` for messages that are not the API's (a portal's
    /// other traffic, a browser extension's): they are not answered.
    pub fn read(json: &str) -> Result<Option<PortalRequest>, MessageError> {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
            return Ok(None);
        };
        let Some(kind) = value
            .get("type")
            .and_then(|t| t.as_str())
            .filter(|t| t.starts_with(PREFIX))
            .map(str::to_owned)
        else {
            return Ok(None);
        };
        if !matches!(
            &kind[PREFIX.len()..],
            "navigate" | "locale" | "theme" | "state"
        ) {
            return Err(MessageError::UnknownType(kind));
        }
        let wire: Wire = serde_json::from_value(value).map_err(|e| MessageError::Malformed {
            kind: kind.clone(),
            detail: e.to_string(),
        })?;
        let request = match wire {
            Wire::Navigate { path } => PortalRequest::Navigate(app_path(&path)?),
            Wire::Locale { locale } => PortalRequest::Locale(
                Locale::from_tag(&locale).ok_or(MessageError::UnknownLocale(locale))?,
            ),
            Wire::Theme { theme, brand } => {
                let theme = theme
                    .map(|t| match t.as_str() {
                        "light" | "dark" | "contrast" | "system" => Ok(ThemePreference::parse(&t)),
                        _ => Err(MessageError::UnknownTheme(t)),
                    })
                    .transpose()?;
                let brand = brand
                    .map(|b| b.check().map_err(MessageError::Brand))
                    .transpose()?;
                if theme.is_none() && brand.is_none() {
                    return Err(MessageError::Malformed {
                        kind,
                        detail: "give a theme, a brand or both".to_owned(),
                    });
                }
                PortalRequest::Theme { theme, brand }
            }
            Wire::State {} => PortalRequest::State,
        };
        Ok(Some(request))
    }

    /// The request's type, for a refusal that names it.
    pub fn kind_of(json: &str) -> String {
        serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|v| v.get("type")?.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A path inside the app, as a portal may ask for it: starts with one `/`, no scheme or host, no
/// backslash, whitespace or control character.
pub fn app_path(path: &str) -> Result<String, MessageError> {
    let refused = || MessageError::NotAnAppPath(path.to_owned());
    let inside = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= MAX_PATH
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    if !inside {
        return Err(refused());
    }
    Ok(path.to_owned())
}

impl AppMessage {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain fields serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_and_checked() {
        assert_eq!(
            PortalRequest::read(r#"{"type":"yingxiao:navigate","path":"/customers?q=华东"}"#),
            Ok(Some(PortalRequest::Navigate("/customers?q=华东".into())))
        );
        assert_eq!(
            PortalRequest::read(r#"{"type":"yingxiao:locale","locale":"en"}"#),
            Ok(Some(PortalRequest::Locale(Locale::En)))
        );
        assert_eq!(
            PortalRequest::read(r#"{"type":"yingxiao:state"}"#),
            Ok(Some(PortalRequest::State))
        );
        let Ok(Some(PortalRequest::Theme { theme, brand })) = PortalRequest::read(
            r##"{"type":"yingxiao:theme","theme":"dark","brand":{"accent":"#1f4e79"}}"##,
        ) else {
            panic!("a theme with a brand");
        };
        assert_eq!(theme, Some(ThemePreference::Dark));
        assert!(brand.is_some_and(|b| !b.is_empty()));
    }

    #[test]
    fn other_traffic_is_not_answered_and_bad_requests_say_why() {
        for other in [
            "",
            "42",
            "not json",
            r#"{"type":"portal:resize"}"#,
            r#"{"x":1}"#,
        ] {
            assert_eq!(PortalRequest::read(other), Ok(None), "{other}");
        }
        let read = |json: &str| PortalRequest::read(json).unwrap_err();
        assert_eq!(
            read(r#"{"type":"yingxiao:delete"}"#),
            MessageError::UnknownType("yingxiao:delete".into())
        );
        assert!(matches!(
            read(r#"{"type":"yingxiao:navigate"}"#),
            MessageError::Malformed { .. }
        ));
        assert!(matches!(
            read(r#"{"type":"yingxiao:navigate","path":"/x","extra":1}"#),
            MessageError::Malformed { .. }
        ));
        for path in [
            "https://evil.example/",
            "//evil.example/x",
            "javascript:alert(1)",
            "customers",
            "/\\evil.example",
            "/a b",
            "/a\u{0}",
        ] {
            let json = serde_json::json!({"type": "yingxiao:navigate", "path": path}).to_string();
            assert_eq!(
                read(&json),
                MessageError::NotAnAppPath(path.into()),
                "{path}"
            );
        }
        assert_eq!(
            read(r#"{"type":"yingxiao:locale","locale":"fr"}"#),
            MessageError::UnknownLocale("fr".into())
        );
        assert_eq!(
            read(r#"{"type":"yingxiao:theme","theme":"purple"}"#),
            MessageError::UnknownTheme("purple".into())
        );
        assert!(matches!(
            read(r#"{"type":"yingxiao:theme"}"#),
            MessageError::Malformed { .. }
        ));
        assert!(matches!(
            read(r#"{"type":"yingxiao:theme","brand":{"accent":"red"}}"#),
            MessageError::Brand(_)
        ));
        assert_eq!(
            PortalRequest::kind_of(r#"{"type":"yingxiao:delete"}"#),
            "yingxiao:delete"
        );
    }

    #[test]
    fn app_messages_are_written_as_documented() {
        let json = AppMessage::Height { height: 812 }.to_json();
        assert_eq!(json, r#"{"type":"yingxiao:height","height":812}"#);
        let ready = AppMessage::Ready {
            route: "/".into(),
            title: "首页".into(),
            locale: "zh-CN".into(),
            version: "0.1.0".into(),
        }
        .to_json();
        assert!(
            ready.starts_with(r#"{"type":"yingxiao:ready","route":"/""#),
            "{ready}"
        );
    }
}
