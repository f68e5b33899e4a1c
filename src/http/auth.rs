//! Finding and checking the webservice key (protocol §3): Basic auth user name (password
//! ignored), the CGI-style `Authorization` fallback, then `ws_key`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use base64::Engine as _;
use moka::sync::Cache;

use crate::accounts::{self, KeyInfo, Pepper};
use crate::engine::error::{ApiError, ApiResult};
use crate::storage::Store;

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

/// Key lookups by digest, cached for one second so that a disabled key stops within a second
/// on every node while a busy key costs one HMAC and no query.
pub struct KeyCache {
    cache: Cache<String, Option<Arc<KeyInfo>>>,
    /// Secrets whose last use was written within the minute: "last used" is written behind,
    /// at most once a minute per secret and node.
    touched: Cache<i64, ()>,
    pepper: Pepper,
}

impl KeyCache {
    pub fn new(pepper: Pepper) -> Self {
        KeyCache {
            cache: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(1))
                .build(),
            touched: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            pepper,
        }
    }

    /// The answer for a key when no database access is needed (malformed, or cached).
    pub fn cached(&self, key: &str) -> Option<ApiResult<Arc<KeyInfo>>> {
        let key = key.trim();
        if key.is_empty() || key.len() != 32 {
            return Some(self.verdict(key, None));
        }
        let hit = self.cache.get(&self.pepper.digest(key))?;
        Some(self.verdict(key, hit))
    }

    fn verdict(&self, key: &str, info: Option<Arc<KeyInfo>>) -> ApiResult<Arc<KeyInfo>> {
        if key.is_empty() {
            return Err(ApiError::key_empty());
        }
        if key.len() != 32 {
            return Err(ApiError::key_format());
        }
        match info {
            Some(k) if k.active && !k.expired => {
                if k.permissions.values().all(|m| m.is_empty()) {
                    return Err(ApiError::key_no_permission());
                }
                Ok(k)
            }
            _ => Err(ApiError::key_inactive()),
        }
    }

    /// Checks a presented key; the errors are PrestaShop's (#17, #18, #20+#21, #21).
    pub fn check(&self, store: &dyn Store, key: &str, ip: &str) -> ApiResult<Arc<KeyInfo>> {
        let key = key.trim();
        if key.is_empty() {
            return Err(ApiError::key_empty());
        }
        if key.len() != 32 {
            return Err(ApiError::key_format());
        }
        let digest = self.pepper.digest(key);
        let info = match self.cache.get(&digest) {
            Some(hit) => hit,
            None => {
                let found = accounts::lookup(store, &digest)?.map(Arc::new);
                if let Some(k) = &found {
                    if k.active && !k.expired && !self.touched.contains_key(&k.credential_id) {
                        self.touched.insert(k.credential_id, ());
                        accounts::touch(store, k.credential_id, ip);
                    }
                }
                self.cache.insert(digest, found.clone());
                found
            }
        };
        self.verdict(key, info)
    }

    pub fn pepper(&self) -> &Pepper {
        &self.pepper
    }

    pub fn invalidate(&self) {
        self.cache.invalidate_all();
    }
}
