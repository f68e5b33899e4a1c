//! Finding the webservice key (protocol §3): Basic auth user name (password ignored), the
//! CGI-style `Authorization` fallback, then `ws_key`.

use axum::http::HeaderMap;
use base64::Engine as _;

/// The key as presented, before any check.
pub fn presented(headers: &HeaderMap, ws_key: Option<&str>) -> Option<String> {
    if let Some(h) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let h = h.trim();
        if h.len() > 6 && h[..6].eq_ignore_ascii_case("basic ") {
            let raw = h[6..].trim();
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(raw) {
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let user = s.split(':').next().unwrap_or_default().to_string();
                return Some(user);
            }
            return Some(String::new());
        }
    }
    ws_key.map(str::to_string)
}
