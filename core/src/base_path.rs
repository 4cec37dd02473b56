//! The URL prefix Yingxiao is mounted under: `/` on its own host, `/yingxiao` inside an intranet portal.

use std::fmt;

/// A normalised mount point: empty for the root, otherwise `/seg[/seg…]` without a trailing slash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BasePath(String);

/// Why a configured base path was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BasePathError {
    /// The path must begin with `/` so it cannot be mistaken for a host.
    NotAbsolute,
    /// A segment is empty (`//`), `.` or `..`.
    BadSegment(String),
    /// A character outside letters, digits and `-._~` was used.
    BadCharacter(char),
}

impl fmt::Display for BasePathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAbsolute => write!(f, "base path must start with '/', e.g. /yingxiao"),
            Self::BadSegment(s) => write!(f, "base path has an invalid segment {s:?}"),
            Self::BadCharacter(c) => write!(
                f,
                "base path may only use letters, digits and -._~ between slashes, found {c:?}"
            ),
        }
    }
}

impl std::error::Error for BasePathError {}

impl BasePath {
    /// The root mount point.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses a configured base path; `/`, `` and `/yingxiao/` are all accepted and normalised.
    pub fn parse(raw: &str) -> Result<Self, BasePathError> {
        let raw = raw.trim();
        if raw.is_empty() || raw == "/" {
            return Ok(Self::root());
        }
        if !raw.starts_with('/') {
            return Err(BasePathError::NotAbsolute);
        }
        let trimmed = raw.strip_suffix('/').unwrap_or(raw);
        let mut normalised = String::with_capacity(trimmed.len());
        for segment in trimmed[1..].split('/') {
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err(BasePathError::BadSegment(segment.to_owned()));
            }
            if let Some(c) = segment
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
            {
                return Err(BasePathError::BadCharacter(c));
            }
            normalised.push('/');
            normalised.push_str(segment);
        }
        Ok(Self(normalised))
    }

    /// The prefix without a trailing slash: `` for the root, `/yingxiao` otherwise.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The app's own URL, always ending in `/`: what a `<base href>` holds.
    pub fn root_href(&self) -> String {
        format!("{}/", self.0)
    }

    /// Joins an app-absolute path such as `/settings` onto the mount point.
    pub fn join(&self, app_path: &str) -> String {
        let app_path = app_path.trim_start_matches('/');
        format!("{}/{}", self.0, app_path)
    }

    /// The app-absolute path of a request path under this mount point, or `None` if it is outside.
    /// `/yingxiao/funnel` → `/funnel`; `/yingxiao` → `` (the caller redirects to add the slash).
    pub fn strip<'a>(&self, request_path: &'a str) -> Option<&'a str> {
        let rest = request_path.strip_prefix(self.0.as_str())?;
        if rest.is_empty() || rest.starts_with('/') {
            Some(rest)
        } else {
            None
        }
    }
}

impl fmt::Display for BasePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "/" } else { &self.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_accepted_in_every_spelling() {
        for raw in ["", "/", "  /  "] {
            assert_eq!(BasePath::parse(raw).unwrap(), BasePath::root());
        }
        assert_eq!(BasePath::root().root_href(), "/");
        assert_eq!(BasePath::root().to_string(), "/");
    }

    #[test]
    fn sub_path_is_normalised_without_trailing_slash() {
        let base = BasePath::parse("/yingxiao/").unwrap();
        assert_eq!(base.as_str(), "/yingxiao");
        assert_eq!(base.root_href(), "/yingxiao/");
        assert_eq!(
            BasePath::parse("/portal/apps/yx").unwrap().as_str(),
            "/portal/apps/yx"
        );
    }

    #[test]
    fn unsafe_base_paths_are_refused_with_a_reason() {
        assert_eq!(BasePath::parse("yingxiao"), Err(BasePathError::NotAbsolute));
        assert!(matches!(
            BasePath::parse("/a//b"),
            Err(BasePathError::BadSegment(_))
        ));
        assert!(matches!(
            BasePath::parse("/a/../b"),
            Err(BasePathError::BadSegment(_))
        ));
        assert_eq!(
            BasePath::parse("/a b"),
            Err(BasePathError::BadCharacter(' '))
        );
        assert_eq!(
            BasePath::parse("/a\"><script>"),
            Err(BasePathError::BadCharacter('"'))
        );
    }

    #[test]
    fn join_puts_app_paths_under_the_mount_point() {
        let base = BasePath::parse("/yingxiao").unwrap();
        assert_eq!(base.join("/settings"), "/yingxiao/settings");
        assert_eq!(base.join("/"), "/yingxiao/");
        assert_eq!(BasePath::root().join("/funnel"), "/funnel");
        assert_eq!(BasePath::root().join("/"), "/");
    }

    #[test]
    fn strip_only_accepts_paths_inside_the_mount_point() {
        let base = BasePath::parse("/yingxiao").unwrap();
        assert_eq!(base.strip("/yingxiao/funnel"), Some("/funnel"));
        assert_eq!(base.strip("/yingxiao/"), Some("/"));
        assert_eq!(base.strip("/yingxiao"), Some(""));
        assert_eq!(base.strip("/yingxiaox/funnel"), None);
        assert_eq!(base.strip("/funnel"), None);
        assert_eq!(BasePath::root().strip("/funnel"), Some("/funnel"));
    }
}
