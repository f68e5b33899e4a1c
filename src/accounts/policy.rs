//! shopws's own limits on a key: the networks it may be used from and its rate limit.

/// shopws's own limits on a key (PrestaShop has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// Client networks allowed to use the key; empty: any.
    pub ip_allowlist: Vec<ipnet::IpNet>,
    /// Requests per second (token bucket) and the burst allowed above it.
    pub rate_per_sec: Option<u32>,
    pub burst: Option<u32>,
}

impl Policy {
    /// May a client at `ip` use the key?
    pub fn allows(&self, ip: std::net::IpAddr) -> bool {
        self.ip_allowlist.is_empty() || self.ip_allowlist.iter().any(|n| n.contains(&ip))
    }

    /// For the audit log: `ip [10.0.0.0/8] rate Some(5) burst None`.
    pub fn describe(&self) -> String {
        let list: Vec<String> = self.ip_allowlist.iter().map(|n| n.to_string()).collect();
        format!(
            "ip [{}] rate {:?} burst {:?}",
            list.join(","),
            self.rate_per_sec,
            self.burst
        )
    }
}

/// Parses "10.0.0.0/8, 192.168.1.7" (single addresses are /32 or /128).
pub fn parse_allowlist(s: &str) -> Result<Vec<ipnet::IpNet>, String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.parse::<ipnet::IpNet>()
                .or_else(|_| x.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("not an IP address or network: {x}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn policy(allowlist: &str) -> Policy {
        Policy {
            ip_allowlist: parse_allowlist(allowlist).unwrap(),
            ..Policy::default()
        }
    }

    #[test]
    fn allowlists_take_networks_and_single_addresses() {
        let list = parse_allowlist("10.0.0.0/8, 192.168.1.7\n2001:db8::/32 ::1").unwrap();
        let text: Vec<String> = list.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            text,
            ["10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "::1/128"]
        );
        assert!(parse_allowlist("").unwrap().is_empty());
        assert!(parse_allowlist(" ,\n ").unwrap().is_empty());
        assert_eq!(
            parse_allowlist("10.0.0.0/8,intranet").unwrap_err(),
            "not an IP address or network: intranet"
        );
        assert!(parse_allowlist("10.0.0.0/33").is_err());
        assert!(parse_allowlist("256.1.1.1").is_err());
    }

    #[test]
    fn an_empty_allowlist_allows_every_address() {
        let p = Policy::default();
        assert!(p.allows(ip("203.0.113.7")));
        assert!(p.allows(ip("2001:db8::1")));
    }

    #[test]
    fn ipv4_networks_and_addresses() {
        let p = policy("10.0.0.0/8,192.168.1.7");
        assert!(p.allows(ip("10.0.0.0")));
        assert!(p.allows(ip("10.255.255.255")));
        assert!(p.allows(ip("192.168.1.7")));
        assert!(!p.allows(ip("192.168.1.8")));
        assert!(!p.allows(ip("11.0.0.1")));
        assert!(!p.allows(ip("9.255.255.255")));
        assert!(!p.allows(ip("2001:db8::1")), "no IPv6 address is listed");
    }

    #[test]
    fn ipv6_networks_and_addresses() {
        let p = policy("2001:db8::/32 ::1");
        assert!(p.allows(ip("2001:db8::1")));
        assert!(p.allows(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!p.allows(ip("2001:db9::1")));
        assert!(p.allows(ip("::1")));
        assert!(!p.allows(ip("::2")));
        assert!(!p.allows(ip("127.0.0.1")), "no IPv4 address is listed");
    }

    #[test]
    fn description_for_the_audit_log() {
        let p = Policy {
            rate_per_sec: Some(5),
            ..policy("10.0.0.0/8 ::1")
        };
        assert_eq!(
            p.describe(),
            "ip [10.0.0.0/8,::1/128] rate Some(5) burst None"
        );
        assert_eq!(Policy::default().describe(), "ip [] rate None burst None");
    }
}
