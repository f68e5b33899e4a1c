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
