//! The address a request came from: the socket's peer, or — when that peer is a trusted reverse
//! proxy (`crate::proxies`) — the client its `X-Forwarded-For` names.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{request::Parts, HeaderName},
};

use super::AppState;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Where a request came from, for per-address sign-in limits; `None` without a socket (router tests
/// that insert no `ConnectInfo`).
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(Self(None));
        };
        let proxies = &state.trusted_proxies;
        if !proxies.contains(peer.ip()) {
            return Ok(Self(Some(peer.ip().to_canonical())));
        }
        // Several header lines are one list, in order; a line that is not text counts as a bad entry.
        let entries: Vec<&str> = parts
            .headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .flat_map(|line| line.to_str().unwrap_or("?").split(','))
            .collect();
        Ok(Self(Some(
            proxies.client_address(peer.ip(), entries.into_iter()),
        )))
    }
}
