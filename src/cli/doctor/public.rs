//! What the doctor checks through the public URL, as a client reaches it: TLS, that the
//! proxy forwards to shopws and passes the `Authorization` header on (Apache's CGI setups
//! drop it), and the serving node's clock.

use std::time::Duration;

use base64::Engine as _;
use reqwest::blocking::Client;

use super::{Finding, Level};

/// A key of the right length that no shop has: its refusal says the header arrived.
const PROBE_KEY: &str = "SHOPWSDOCTORPROBE000000000000000";

pub fn check(base: Option<&str>) -> Vec<Finding> {
    let Some(base) = base.map(str::trim).filter(|b| !b.is_empty()) else {
        return vec![Finding::new(
            Level::Warn,
            "public URL",
            "no public base URL (--base-url, SHOPWS_BASE_URL): links in answers name the \
             listen address, and the public checks are skipped",
        )
        .fix("set SHOPWS_BASE_URL to the address clients use, e.g. https://shop.example/")];
    };
    let base = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    let url = match reqwest::Url::parse(&base) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => u,
        _ => {
            return vec![Finding::new(
                Level::Fail,
                "public URL",
                format!("{base:?} is not an http(s) URL"),
            )]
        }
    };
    let client = match Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return vec![Finding::new(
                Level::Fail,
                "public URL",
                format!("no HTTP client: {e}"),
            )]
        }
    };
    let mut out: Vec<Finding> = transport(&url).into_iter().collect();
    match client.get(format!("{base}health")).send() {
        Ok(r) => {
            if url.scheme() == "https" {
                // The client checked the chain, the host name and the dates.
                out.push(Finding::new(
                    Level::Ok,
                    "TLS",
                    format!("{url}: handshake done, certificate trusted for this host"),
                ));
            }
            out.push(health(&base, &r));
            if let Some(f) = node_clock(&r) {
                out.push(f);
            }
        }
        Err(e) => {
            out.push(
                Finding::new(
                    Level::Fail,
                    "public URL",
                    format!("{base} cannot be reached: {}", chain(&e)),
                )
                .fix(if url.scheme() == "https" {
                    "check DNS, the proxy, and its certificate (valid, for this host name, whole chain)"
                } else {
                    "check DNS, the proxy and that shopws listens behind it"
                }),
            );
            return out;
        }
    }
    out.push(authorization(&client, &base));
    out
}

/// Plain HTTP where keys would cross a network; HTTPS is judged by the call itself.
fn transport(url: &reqwest::Url) -> Option<Finding> {
    let host = url.host_str().unwrap_or("").trim_matches(['[', ']']);
    let local = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    Some(match (url.scheme(), local) {
        ("https", _) => return None,
        (_, true) => Finding::new(
            Level::Note,
            "TLS",
            format!("{url} is plain HTTP on this host only"),
        ),
        _ => Finding::new(
            Level::Warn,
            "TLS",
            format!("{url} is plain HTTP: keys cross the network in clear (Basic auth)"),
        )
        .fix("serve it behind a TLS proxy and set SHOPWS_BASE_URL to the https:// address"),
    })
}

fn health(base: &str, r: &reqwest::blocking::Response) -> Finding {
    let status = r.status().as_u16();
    match status {
        200 => Finding::new(
            Level::Ok,
            "public URL",
            format!("{base}health reaches a shopws node"),
        ),
        301 | 302 | 307 | 308 => {
            let to = r
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?");
            Finding::new(
                Level::Warn,
                "public URL",
                format!("{base}health redirects to {to}"),
            )
            .fix("use the address it redirects to as the base URL (clients do not all follow redirects on POST/PUT)")
        }
        _ => Finding::new(
            Level::Note,
            "public URL",
            format!("{base}health answers {status}: the proxy may forward only /api/"),
        ),
    }
}

/// The serving node's clock, from its `Date` header (whole seconds).
fn node_clock(r: &reqwest::blocking::Response) -> Option<Finding> {
    let date = r.headers().get(reqwest::header::DATE)?.to_str().ok()?;
    let theirs = httpdate::parse_http_date(date).ok()?;
    let skew = match std::time::SystemTime::now().duration_since(theirs) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    // The header has whole seconds: up to a second is rounding.
    Some(if skew.abs() > 3.0 {
        Finding::new(
            Level::Warn,
            "clock",
            format!("this host is {skew:+.0} s from the node that answered"),
        )
        .fix("synchronise the clocks (NTP)")
    } else {
        Finding::new(
            Level::Ok,
            "clock",
            "the node that answered agrees with this host (±3 s)",
        )
    })
}

/// Calls `/api/` with a key no shop has: PrestaShop's #20/#21 says the header arrived;
/// "key is empty" (#17) or a login prompt says the proxy dropped it.
fn authorization(client: &Client, base: &str) -> Finding {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{PROBE_KEY}:"));
    let r = client
        .get(format!("{base}api/"))
        .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
        .send();
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            return Finding::new(
                Level::Fail,
                "authorization",
                format!("{base}api/ cannot be reached: {}", chain(&e)),
            )
        }
    };
    let status = r.status().as_u16();
    let body = r.text().unwrap_or_default();
    let codes = codes(&body);
    match (status, codes.as_slice()) {
        (401, [20, 21]) => Finding::new(
            Level::Ok,
            "authorization",
            "the Authorization header reaches shopws through the proxy",
        ),
        (401, c) if c.contains(&17) || c.contains(&16) || c.is_empty() => Finding::new(
            Level::Fail,
            "authorization",
            "the proxy drops the Authorization header: every client key looks empty",
        )
        .fix("Apache: `CGIPassAuth On` (or `SetEnvIf Authorization \"(.*)\" HTTP_AUTHORIZATION=$1`); nginx: do not clear it"),
        (503, [22]) => Finding::new(
            Level::Note,
            "authorization",
            "not checked: the webservice is disabled (503 #22)",
        ),
        _ => Finding::new(
            Level::Fail,
            "authorization",
            format!("{base}api/ answered {status} {codes:?}, not shopws's 401 for an unknown key"),
        )
        .fix("route /api/ to shopws in the proxy"),
    }
}

/// PrestaShop's error codes in an XML error document.
fn codes(body: &str) -> Vec<u32> {
    body.split("<code><![CDATA[")
        .skip(1)
        .filter_map(|rest| rest.split("]]>").next()?.parse().ok())
        .collect()
}

/// An error and its causes on one line (a TLS failure's reason is a few levels down).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
