//! The portals allowed to frame Yingxiao (企业门户): one allow-list of origins, read from the server's
//! configuration, that becomes the `frame-ancestors` of the app's Content-Security-Policy, so a
//! browser refuses to draw the app inside any other page. The same list says which pages the app
//! answers when they talk to it (`allows`).

use std::fmt;

/// Origins that may frame the app, besides its own: `https://portal.example.com`,
/// `http://oa.example.cn:8080`, or every subdomain of a host, `https://*.example.com`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameAncestors {
    origins: Vec<Origin>,
}

/// One allowed origin, normalised: lower-case scheme and host, the port only when not the default.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    /// Without the `*.` of a wildcard.
    host: String,
    any_subdomain: bool,
    port: Option<u16>,
}

/// Why an entry of the allow-list was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameAncestorsError {
    /// Not `http://` or `https://` followed by a host.
    NotAnOrigin(String),
    /// An origin has no path, query or fragment: `https://portal.example.com`, not `…/home`.
    HasPath(String),
    /// The host is not a name or an address (`*` alone, an empty label, a character a host has not).
    BadHost(String),
    BadPort(String),
}

impl fmt::Display for FrameAncestorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnOrigin(entry) => write!(
                f,
                "{entry:?} is not an origin: write the portal's scheme and host, such as \
                 https://portal.example.com"
            ),
            Self::HasPath(entry) => write!(
                f,
                "{entry:?} has a path; an origin is only the scheme, host and port, such as \
                 https://portal.example.com"
            ),
            Self::BadHost(entry) => write!(
                f,
                "{entry:?} has no valid host name (letters, digits, '-' and '.', or '*.' before a \
                 domain for its subdomains)"
            ),
            Self::BadPort(entry) => write!(f, "{entry:?} has a port that is not 1–65535"),
        }
    }
}

impl std::error::Error for FrameAncestorsError {}

impl FrameAncestors {
    /// Only the app's own origin (the default).
    pub fn same_origin() -> Self {
        Self::default()
    }

    /// Reads the configured list: origins separated by commas or spaces; empty means the app's own
    /// origin only. Every entry must be an origin; the first that is not is the error.
    pub fn parse(spec: &str) -> Result<Self, FrameAncestorsError> {
        let mut origins: Vec<Origin> = Vec::new();
        for entry in spec.split([',', ' ', '\t', '\n']).filter(|e| !e.is_empty()) {
            let origin = Origin::parse(entry)?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(Self { origins })
    }

    /// No portal besides the app's own origin.
    pub fn is_same_origin_only(&self) -> bool {
        self.origins.is_empty()
    }

    /// The `frame-ancestors` sources: `'self'` and each origin as CSP writes it.
    pub fn csp_sources(&self) -> String {
        std::iter::once("'self'".to_owned())
            .chain(self.origins.iter().map(Origin::to_string))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether a page of `origin` (as a browser reports it, `https://portal.example.com`) is one of
    /// the allowed portals. The app's own origin is the caller's to allow.
    pub fn allows(&self, origin: &str) -> bool {
        let Ok(asked) = Origin::parse(origin) else {
            return false;
        };
        if asked.any_subdomain {
            return false;
        }
        self.origins.iter().any(|allowed| {
            allowed.scheme == asked.scheme
                && allowed.port == asked.port
                && if allowed.any_subdomain {
                    asked
                        .host
                        .strip_suffix(&allowed.host)
                        .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.'))
                } else {
                    allowed.host == asked.host
                }
        })
    }
}

impl Origin {
    fn parse(entry: &str) -> Result<Origin, FrameAncestorsError> {
        let lower = entry.trim().to_ascii_lowercase();
        let (scheme, rest) = lower
            .split_once("://")
            .filter(|(scheme, _)| matches!(*scheme, "http" | "https"))
            .ok_or_else(|| FrameAncestorsError::NotAnOrigin(entry.to_owned()))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(FrameAncestorsError::HasPath(entry.to_owned()));
        }
        let (host, port) = match rest.rsplit_once(':') {
            // An IPv6 address is written in brackets; its colons are not a port.
            Some((host, port)) if !port.contains(']') => (host, Some(port)),
            _ => (rest, None),
        };
        let port = match port {
            None => None,
            Some(port) => {
                let number: u16 = port
                    .parse()
                    .ok()
                    .filter(|&p| p > 0 && port.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| FrameAncestorsError::BadPort(entry.to_owned()))?;
                let default = if scheme == "https" { 443 } else { 80 };
                (number != default).then_some(number)
            }
        };
        let (host, any_subdomain) = match host.strip_prefix("*.") {
            Some(domain) => (domain, true),
            None => (host, false),
        };
        let bracketed = host.starts_with('[') && host.ends_with(']') && host.len() > 2;
        let named = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        let address = bracketed
            && host[1..host.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if !(named || (address && !any_subdomain)) {
            return Err(FrameAncestorsError::BadHost(entry.to_owned()));
        }
        Ok(Origin {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            any_subdomain,
            port,
        })
    }
}

/// The list as configuration writes it (origins separated by commas), read back by `parse`.
impl fmt::Display for FrameAncestors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, origin) in self.origins.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{origin}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme)?;
        if self.any_subdomain {
            f.write_str("*.")?;
        }
        f.write_str(&self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_normalised_and_written_as_csp_sources() {
        let list = FrameAncestors::parse(
            "https://Portal.Example.com/, http://oa.example.cn:8080 https://*.corp.example.com \
             https://portal.example.com:443 http://[::1]:3000",
        )
        .unwrap();
        assert_eq!(
            list.csp_sources(),
            "'self' https://portal.example.com http://oa.example.cn:8080 \
             https://*.corp.example.com http://[::1]:3000"
        );
        assert!(FrameAncestors::parse("").unwrap().is_same_origin_only());
        assert_eq!(FrameAncestors::same_origin().csp_sources(), "'self'");
        // Written for the page as configuration writes it, and read back the same.
        assert_eq!(FrameAncestors::parse(&list.to_string()).unwrap(), list);
        assert_eq!(FrameAncestors::same_origin().to_string(), "");
    }

    #[test]
    fn anything_but_an_origin_is_refused_with_what_to_write() {
        for (entry, error) in [
            (
                "portal.example.com",
                FrameAncestorsError::NotAnOrigin("portal.example.com".into()),
            ),
            ("*", FrameAncestorsError::NotAnOrigin("*".into())),
            (
                "ftp://portal.example.com",
                FrameAncestorsError::NotAnOrigin("ftp://portal.example.com".into()),
            ),
            (
                "https://portal.example.com/home",
                FrameAncestorsError::HasPath("https://portal.example.com/home".into()),
            ),
            (
                "https://user@portal.example.com",
                FrameAncestorsError::HasPath("https://user@portal.example.com".into()),
            ),
            (
                "https://*",
                FrameAncestorsError::BadHost("https://*".into()),
            ),
            (
                "https://*.",
                FrameAncestorsError::BadHost("https://*.".into()),
            ),
            (
                "https://por tal.example.com",
                FrameAncestorsError::NotAnOrigin("tal.example.com".into()),
            ),
            (
                "https://a..b",
                FrameAncestorsError::BadHost("https://a..b".into()),
            ),
            (
                "https://'self'",
                FrameAncestorsError::BadHost("https://'self'".into()),
            ),
            (
                "https://portal.example.com:0",
                FrameAncestorsError::BadPort("https://portal.example.com:0".into()),
            ),
            (
                "https://portal.example.com:70000",
                FrameAncestorsError::BadPort("https://portal.example.com:70000".into()),
            ),
            (
                "https://portal.example.com:+80",
                FrameAncestorsError::BadPort("https://portal.example.com:+80".into()),
            ),
        ] {
            assert_eq!(FrameAncestors::parse(entry), Err(error), "{entry}");
        }
        let message = FrameAncestors::parse("https://portal.example.com; frame-ancestors *")
            .unwrap_err()
            .to_string();
        assert!(message.contains("https://portal.example.com"), "{message}");
    }

    #[test]
    fn a_page_is_a_portal_only_by_its_exact_origin_or_a_listed_domains_subdomain() {
        let list =
            FrameAncestors::parse("https://portal.example.com,https://*.corp.example.com").unwrap();
        assert!(list.allows("https://portal.example.com"));
        assert!(list.allows("https://PORTAL.example.com:443"));
        assert!(list.allows("https://oa.corp.example.com"));
        assert!(list.allows("https://a.b.corp.example.com"));
        for other in [
            "http://portal.example.com",
            "https://portal.example.com:8443",
            "https://evil-portal.example.com",
            "https://portal.example.com.evil.com",
            "https://corp.example.com",
            "https://xcorp.example.com",
            "https://*.corp.example.com",
            "null",
            "",
        ] {
            assert!(!list.allows(other), "{other}");
        }
        assert!(!FrameAncestors::same_origin().allows("https://portal.example.com"));
    }
}
