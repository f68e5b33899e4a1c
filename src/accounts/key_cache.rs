//! Checking a presented webservice key: digest lookup with a one-second cache, and the
//! verdict PrestaShop gives (empty, malformed, inactive, no permission).

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

use super::{KeyInfo, Pepper};
use crate::storage::{StorageError, Store};

/// Why a presented key is refused (PrestaShop's #17, #18, #20+#21 and #21).
#[derive(Debug, thiserror::Error)]
pub enum KeyRefusal {
    #[error("empty key")]
    Empty,
    #[error("malformed key")]
    Malformed,
    #[error("inactive, expired or unknown key")]
    Inactive,
    #[error("key without any permission")]
    NoPermission,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub type KeyVerdict = Result<Arc<KeyInfo>, KeyRefusal>;

/// Key lookups by digest, cached for 0.8 s so that a disabled key stops within a second
/// on every node while a busy key costs one HMAC and no query.
pub struct KeyCache {
    cache: Cache<String, Option<Arc<KeyInfo>>>,
    /// Secrets whose last use was written within the minute: "last used" is written behind,
    /// at most once a minute per secret and node.
    touched: Cache<i64, ()>,
    /// Uses recorded but not yet written: credential id → (address, uses).
    pending: std::sync::Mutex<std::collections::HashMap<i64, (String, i64)>>,
    pepper: Pepper,
}

impl KeyCache {
    pub fn new(pepper: Pepper) -> Self {
        KeyCache {
            cache: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_millis(800))
                .build(),
            touched: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            pending: Default::default(),
            pepper,
        }
    }

    /// The answer for a key when no database access is needed (malformed, or cached).
    pub fn cached(&self, key: &str) -> Option<KeyVerdict> {
        let key = key.trim();
        if key.is_empty() || key.len() != 32 {
            return Some(self.verdict(key, None));
        }
        let hit = self.cache.get(&self.pepper.digest(key))?;
        Some(self.verdict(key, hit))
    }

    fn verdict(&self, key: &str, info: Option<Arc<KeyInfo>>) -> KeyVerdict {
        if key.is_empty() {
            return Err(KeyRefusal::Empty);
        }
        if key.len() != 32 {
            return Err(KeyRefusal::Malformed);
        }
        match info {
            Some(k) => k.standing().map(|()| k),
            None => Err(KeyRefusal::Inactive),
        }
    }

    /// Checks a presented key; the errors are PrestaShop's (#17, #18, #20+#21, #21).
    pub fn check(&self, store: &dyn Store, key: &str, ip: &str) -> KeyVerdict {
        let key = key.trim();
        if key.is_empty() {
            return Err(KeyRefusal::Empty);
        }
        if key.len() != 32 {
            return Err(KeyRefusal::Malformed);
        }
        let digest = self.pepper.digest(key);
        let info = match self.cache.get(&digest) {
            Some(hit) => hit,
            None => {
                let found = super::lookup(store, key, &digest)?.map(Arc::new);
                if let Some(k) = &found {
                    // A key PrestaShop's back office made has no secret of shopws's to count.
                    if k.active
                        && !k.expired
                        && k.credential_id > 0
                        && !self.touched.contains_key(&k.credential_id)
                    {
                        self.touched.insert(k.credential_id, ());
                        self.record_use(k.credential_id, ip);
                    }
                }
                self.cache.insert(digest, found.clone());
                found
            }
        };
        self.verdict(key, info)
    }

    fn record_use(&self, credential_id: i64, ip: &str) {
        if let Ok(mut p) = self.pending.lock() {
            let slot = p.entry(credential_id).or_insert_with(|| (String::new(), 0));
            slot.0 = ip.to_string();
            slot.1 += 1;
        }
    }

    /// Writes the recorded uses ("last used", address, count); called every few seconds and
    /// once more at shutdown, so a request never waits for that write.
    pub fn flush(&self, store: &dyn Store) {
        let batch: Vec<(i64, (String, i64))> = match self.pending.lock() {
            Ok(mut p) => p.drain().collect(),
            Err(_) => return,
        };
        for (id, (ip, uses)) in batch {
            super::touch(store, id, &ip, uses);
        }
    }

    /// Keys whose uses are recorded and not written yet.
    pub fn pending(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    pub fn pepper(&self) -> &Pepper {
        &self.pepper
    }

    pub fn invalidate(&self) {
        self.cache.invalidate_all();
    }
}
