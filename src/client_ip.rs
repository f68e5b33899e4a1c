//! The client's address: the socket's, or — only when the socket is a configured trusted
//! proxy — the nearest untrusted address in `Forwarded` / `X-Forwarded-For`. Anyone can send
//! those headers, so they are believed only from proxies the operator named.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies(nets)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The address policies apply to (IP allowlists, throttles, audit).
    pub fn client(&self, peer: &SocketAddr, headers: &HeaderMap) -> IpAddr {
        let socket = peer.ip().to_canonical();
        if self.0.is_empty() || !self.trusts(socket) {
            return socket;
        }
        // Hops are appended left to right; walk back from the nearest one.
        let mut hops: Vec<IpAddr> = Vec::new();
        for v in headers.get_all("forwarded").iter() {
            let Ok(v) = v.to_str() else { continue };
            for element in v.split(',') {
                for pair in element.split(';') {
                    if let Some((k, val)) = pair.trim().split_once('=') {
                        if k.trim().eq_ignore_ascii_case("for") {
                            if let Some(ip) = parse_node(val) {
                                hops.push(ip);
                            }
                        }
                    }
                }
            }
        }
        if hops.is_empty() {
            for v in headers.get_all("x-forwarded-for").iter() {
                let Ok(v) = v.to_str() else { continue };
                hops.extend(v.split(',').filter_map(parse_node));
            }
        }
        hops.into_iter()
            .rev()
            .map(|ip| ip.to_canonical())
            .find(|ip| !self.trusts(*ip))
            .unwrap_or(socket)
    }
}

/// What a client is counted by in throttles: its IPv4 address, or the /64 of its IPv6 address
/// (one host usually holds a whole /64, so counting addresses would let it rotate through
/// billions); an IPv4-mapped IPv6 address counts as the IPv4 address.
pub fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// [`network`] as text: `203.0.113.7`, `2001:db8:1:2::/64`.
pub fn network_label(ip: IpAddr) -> String {
    match network(ip) {
        v4 @ IpAddr::V4(_) => v4.to_string(),
        v6 => format!("{v6}/64"),
    }
}

/// `203.0.113.7`, `"[2001:db8::1]:4711"`, `203.0.113.7:80` → the address.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    s.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header"));
        }
        h
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() {
        let peer: SocketAddr = "10.0.0.5:5000".parse().expect("addr");
        let h = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.9")]);
        let none = TrustedProxies::default();
        assert_eq!(none.client(&peer, &h), peer.ip());
        let trusted = TrustedProxies::new(vec!["10.0.0.0/8".parse().expect("net")]);
        assert_eq!(
            trusted.client(&peer, &h).to_string(),
            "203.0.113.7",
            "nearest untrusted hop"
        );
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.2")]);
        assert_eq!(trusted.client(&peer, &spoofed).to_string(), "198.51.100.2");
        let fwd = headers(&[("forwarded", "for=\"[2001:db8::1]:4711\";proto=https")]);
        assert_eq!(trusted.client(&peer, &fwd).to_string(), "2001:db8::1");
        let outsider: SocketAddr = "198.51.100.9:1".parse().expect("addr");
        assert_eq!(trusted.client(&outsider, &h), outsider.ip());
    }

    #[test]
    fn throttles_count_ipv6_per_64() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(network_label(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(network_label(ip("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(
            network_label(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            network(ip("2001:db8:1:2::1")),
            network(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            network(ip("2001:db8:1:2::1")),
            network(ip("2001:db8:1:3::1"))
        );
    }
}
