//! Label values as `&'static str`, so recording a metric allocates nothing.

use std::sync::OnceLock;

use axum::http::Method;

/// `GET`, `POST`… (`OTHER` for methods PrestaShop does not know).
pub fn method(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// `"200"`, `"404"`…: the 500 texts are made once.
pub fn status(code: u16) -> &'static str {
    static TEXTS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        (100u16..600)
            .map(|c| &*Box::leak(c.to_string().into_boxed_str()))
            .collect()
    });
    code.checked_sub(100)
        .and_then(|i| texts.get(usize::from(i)))
        .copied()
        .unwrap_or("other")
}

/// Why a request was refused before the engine, as counted in `shopws_refusals_total`.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    /// A missing, malformed, unknown, inactive or expired key.
    BadKey,
    /// The address is over its failed-authentication budget.
    AuthThrottled,
    /// The key's rate limit.
    RateLimited,
    /// The key's IP allowlist.
    IpNotAllowed,
}

impl Refusal {
    pub fn count(self) {
        let reason = match self {
            Refusal::BadKey => "bad_key",
            Refusal::AuthThrottled => "auth_failures",
            Refusal::RateLimited => "rate_limit",
            Refusal::IpNotAllowed => "ip_allowlist",
        };
        metrics::counter!("shopws_refusals_total", "reason" => reason).increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_texts() {
        assert_eq!(status(200), "200");
        assert_eq!(status(503), "503");
        assert_eq!(status(599), "599");
        assert_eq!(status(42), "other");
        assert_eq!(status(600), "other");
        assert_eq!(method(&Method::PATCH), "PATCH");
    }
}
