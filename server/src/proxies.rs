//! Trusted reverse proxies (`--trusted-proxies`) and the client behind them: the socket's peer, or —
//! when that peer is a trusted proxy — the right-most `X-Forwarded-For` address that is not itself a
//! trusted proxy. The header is never believed from anyone else, since any client can write it.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxies`); none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR blocks, e.g. `10.0.0.5, 10.1.0.0/16, ::1`.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => item.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
                    format!(
                        "{item:?} is not an IP address or CIDR block (e.g. 10.0.0.5 or 10.0.0.0/8)"
                    )
                })?,
            };
            nets.push(net);
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: walking `X-Forwarded-For` from the right (each proxy appends the
    /// address it saw), the first address that is not a trusted proxy. An entry that is not an address
    /// stops the walk at the last trusted hop, which is then taken as the client.
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    ) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        for entry in forwarded_for.rev() {
            let Some(ip) = parse_forwarded_entry(entry) else {
                break;
            };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// `1.2.3.4`, `2001:db8::1`, and the `1.2.3.4:5678` / `[2001:db8::1]:5678` forms a few proxies write.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|addr| addr.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn addresses_and_blocks_parse_and_garbage_is_refused() {
        let proxies = TrustedProxies::parse(" 10.0.0.5, 10.1.0.0/16,::1 ,").unwrap();
        assert!(proxies.contains(ip("10.0.0.5")));
        assert!(!proxies.contains(ip("10.0.0.6")));
        assert!(proxies.contains(ip("10.1.200.7")));
        assert!(proxies.contains(ip("::1")));
        assert!(proxies.contains(ip("::ffff:10.0.0.5")), "IPv4-mapped form");
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        let err = TrustedProxies::parse("10.0.0.5,proxy.local").unwrap_err();
        assert!(err.contains("\"proxy.local\""), "{err}");
    }

    #[test]
    fn forwarded_for_is_ignored_from_an_untrusted_peer() {
        let proxies = TrustedProxies::parse("10.0.0.5").unwrap();
        let client = proxies.client_address(ip("203.0.113.9"), ["198.51.100.1"].into_iter());
        assert_eq!(client, ip("203.0.113.9"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client_and_spoofed_entries_left_of_it_are_not() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let chain = ["1.1.1.1", "198.51.100.7", "10.0.0.9"];
        let client = proxies.client_address(ip("10.0.0.5"), chain.into_iter());
        assert_eq!(client, ip("198.51.100.7"));
    }

    #[test]
    fn a_malformed_entry_stops_at_the_last_trusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let client = proxies.client_address(ip("10.0.0.5"), ["nonsense", "10.0.0.9"].into_iter());
        assert_eq!(client, ip("10.0.0.9"));
        let client = proxies.client_address(ip("10.0.0.5"), std::iter::empty());
        assert_eq!(client, ip("10.0.0.5"));
        let client = proxies.client_address(ip("10.0.0.5"), ["[2001:db8::7]:443"].into_iter());
        assert_eq!(client, ip("2001:db8::7"));
    }
}
