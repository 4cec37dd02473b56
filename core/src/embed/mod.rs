//! Yingxiao inside a company's intranet portal (企业门户): which portals may frame it
//! (`ancestors`), what the server tells the page about that (`PageConfig`), when the app draws
//! only its page content (embed mode), and the messages the app and the portal exchange
//! (`messages`, the documented `postMessage` API).

mod ancestors;
pub mod messages;

pub use ancestors::{FrameAncestors, FrameAncestorsError};

use serde::{Deserialize, Serialize};

use crate::brand::BrandSpec;

/// What the server writes into the page (`<meta name="yingxiao-config">`) for the app to read at
/// start: the portals it may talk to, whether it always runs embedded, and the company's brand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageConfig {
    /// The configured portals, as `--frame-ancestors` lists them (read with `FrameAncestors::parse`).
    pub portals: String,
    /// Embed mode whatever the address says (`--embed`).
    pub embed: bool,
    #[serde(skip_serializing_if = "BrandSpec::is_empty")]
    pub brand: BrandSpec,
    /// The portal's proxy may sign the user in by a header (`--sso-header`): the sign-in page asks
    /// the server for that session before it shows the password form.
    pub header_sign_on: bool,
    /// The company's identity provider signs users in (`--oidc-issuer`): the sign-in page offers it.
    pub oidc_sign_on: bool,
}

/// The name of the `<meta>` element that carries the `PageConfig` as JSON.
pub const PAGE_CONFIG_META: &str = "yingxiao-config";

/// The query parameter that turns embed mode on (`1`) or off (`0`) for the tab.
pub const EMBED_PARAM: &str = "embed";

/// Whether the app draws only its page content, and what the tab should remember of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbedMode {
    pub on: bool,
    /// A new value for the tab to remember (`?embed=` was in the address), or `None` to leave it.
    pub remember: Option<bool>,
}

impl EmbedMode {
    /// Decides from the address's query (`?embed=1`), what the tab remembers from an earlier
    /// address, and the server's setting, which wins. `?embed=0` turns a remembered mode off.
    pub fn decide(query: &str, remembered: Option<bool>, forced: bool) -> EmbedMode {
        let asked = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .filter(|(name, _)| *name == EMBED_PARAM)
            .map(|(_, value)| !matches!(value, "0" | "false" | "no"))
            .next_back();
        EmbedMode {
            on: forced || asked.or(remembered).unwrap_or(false),
            remember: asked,
        }
    }
}

/// The app path and query the portal is told, without the `embed` parameter (which is the
/// frame's business, not the page's): `/customers?embed=1&q=x` → `/customers?q=x`.
pub fn route_for_portal(app_path: &str, query: &str) -> String {
    let kept: Vec<&str> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(EMBED_PARAM))
        .collect();
    if kept.is_empty() {
        app_path.to_owned()
    } else {
        format!("{app_path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_mode_comes_from_the_address_then_the_tab_and_the_server_wins() {
        let on = |query, remembered, forced| EmbedMode::decide(query, remembered, forced);
        assert_eq!(
            on("?embed=1", None, false),
            EmbedMode {
                on: true,
                remember: Some(true)
            }
        );
        assert_eq!(
            on("?next=%2Ffunnel&embed", None, false),
            EmbedMode {
                on: true,
                remember: Some(true)
            }
        );
        // Remembered for the tab: later addresses (deep links inside the frame) need not repeat it.
        assert_eq!(
            on("", Some(true), false),
            EmbedMode {
                on: true,
                remember: None
            }
        );
        assert_eq!(
            on("?embed=0", Some(true), false),
            EmbedMode {
                on: false,
                remember: Some(false)
            }
        );
        assert!(!on("?embedded=1", None, false).on);
        assert!(on("?embed=0", None, true).on);
    }

    #[test]
    fn the_route_told_to_the_portal_leaves_out_the_embed_parameter() {
        assert_eq!(route_for_portal("/customers", "?embed=1"), "/customers");
        assert_eq!(
            route_for_portal("/login", "?next=%2Ffunnel&embed=1"),
            "/login?next=%2Ffunnel"
        );
        assert_eq!(
            route_for_portal("/targets", "?embed&view=ranking"),
            "/targets?view=ranking"
        );
        assert_eq!(route_for_portal("/", ""), "/");
        assert_eq!(route_for_portal("/x", "?embedded=1"), "/x?embedded=1");
    }

    #[test]
    fn the_page_config_round_trips_and_tolerates_what_it_does_not_know() {
        let config = PageConfig {
            portals: "https://oa.example.cn".into(),
            embed: true,
            brand: BrandSpec {
                accent: Some("#1f4e79".into()),
                ..BrandSpec::default()
            },
            header_sign_on: true,
            oidc_sign_on: true,
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(serde_json::from_str::<PageConfig>(&json).unwrap(), config);
        let older: PageConfig = serde_json::from_str(r#"{"portals":"","later":1}"#).unwrap();
        assert_eq!(older, PageConfig::default());
    }
}
