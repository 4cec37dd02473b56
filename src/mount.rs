//! Where the app is mounted: the base path the server wrote into `index.html`, and the hrefs of app
//! routes under it.

use leptos::prelude::*;
use yingxiao_core::base_path::BasePath;

/// Where the app is mounted, read from the `<base href>` the server wrote into `index.html`.
#[derive(Clone)]
pub struct Mount(pub BasePath);

impl Mount {
    /// The full URL path of an app route, e.g. `/settings` → `/yingxiao/settings`.
    pub fn href(&self, app_path: &str) -> String {
        self.0.join(app_path)
    }

    /// The app path of the sign-in page, remembering where the user was going. An app path, not an
    /// href: the router's `navigate` and `Redirect` put the base path in front themselves.
    pub fn login_path(&self) -> String {
        let here = window().location().pathname().unwrap_or_default();
        let search = window().location().search().unwrap_or_default();
        let next = format!("{}{search}", self.0.strip(&here).unwrap_or("/"));
        let next = String::from(js_sys::encode_uri_component(&next));
        format!("/login?next={next}")
    }
}

pub fn use_mount() -> Mount {
    expect_context::<Mount>()
}

pub(crate) fn mount_point() -> BasePath {
    let base_uri = document().base_uri().ok().flatten().unwrap_or_default();
    let path = web_sys::Url::new(&base_uri)
        .map(|url| url.pathname())
        .unwrap_or_default();
    // The server only writes valid base paths; fall back to the root rather than fail to start.
    BasePath::parse(&path).unwrap_or_default()
}
