//! Small HTTP helpers of the back office: cookies, responses, forms, origin checks.

use std::net::{IpAddr, SocketAddr};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};

use super::BackOffice;

pub type Resp = Response<Body>;
pub type Form = Vec<(String, String)>;

/// Where the back office lives, without a trailing slash.
pub fn prefix(st: &BackOffice) -> &str {
    st.prefix.trim_end_matches('/')
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Cookie names: `__Host-` over HTTPS. Browsers refuse that prefix on plain-HTTP loopback
/// (the quick start), so there the same cookies go without it — still `Secure`, which
/// browsers honour on loopback.
pub fn cookie_name(st: &BackOffice, base: &'static str) -> String {
    if st.engine.settings.base_url.starts_with("https://") {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

pub fn set_cookie(r: &mut Resp, name: &str, value: &str, max_age: Option<i64>) {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    let v = format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}");
    if let Ok(v) = HeaderValue::from_str(&v) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub fn html(status: StatusCode, body: Result<String, askama::Error>) -> Resp {
    match body {
        Ok(b) => {
            let mut r = Response::new(Body::from(b));
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
        }
    }
}

pub fn plain(status: StatusCode, text: &'static str) -> Resp {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

pub fn internal() -> Resp {
    plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
}

pub fn forbidden_token() -> Resp {
    plain(
        StatusCode::FORBIDDEN,
        "403 Forbidden: invalid or missing security token",
    )
}

pub fn forbidden_role() -> Resp {
    plain(
        StatusCode::FORBIDDEN,
        "403 Forbidden: your role only allows reading",
    )
}

pub fn redirect(to: &str) -> Resp {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

pub fn form(body: &Bytes) -> Form {
    form_urlencoded::parse(body).into_owned().collect()
}

pub fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub fn fields<'a>(f: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    f.iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The public origin (`scheme://host:port`) every POST must come from.
fn origin(st: &BackOffice) -> String {
    let base = st.engine.settings.base_url.trim_end_matches('/');
    // base_url may carry a path; the origin is scheme://authority.
    match base.find("://").map(|i| i + 3) {
        Some(start) => match base[start..].find('/') {
            Some(slash) => base[..start + slash].to_string(),
            None => base.to_string(),
        },
        None => base.to_string(),
    }
}

/// `Origin` must be ours; browsers send `Origin: null` under `Referrer-Policy: no-referrer`,
/// and then `Sec-Fetch-Site: same-origin` decides.
pub fn same_origin(st: &BackOffice, headers: &HeaderMap) -> bool {
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(o) if o != "null" => o == origin(st),
        _ => headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "same-origin"),
    }
}

/// Runs blocking storage work off the I/O threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

/// The client's address (behind a trusted proxy, the one it forwarded).
pub fn client_addr(st: &BackOffice, peer: &SocketAddr, headers: &HeaderMap) -> IpAddr {
    st.proxies.client(peer, headers)
}

pub fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}
