//! Finished answers to single-entity reads, kept while nothing they were read from can
//! have changed, so a client that reads the same product again costs no query, no
//! rendering and no digest.
//!
//! An answer is reused only when all of these hold:
//! * nothing has been written to the database since it was read (`Store::write_generation`,
//!   taken before the read: an answer read before a commit is never reused after it, and
//!   on SQLite a commit by another process shows within 0.25 ms); a MySQL server, written by
//!   PrestaShop and other nodes, gives no such number, and nothing is kept there;
//! * the key is the very same cached key record it was made for: the key cache reloads a
//!   key at least every 0.8 s, so a key changed by another process (the CLI) is handled as
//!   everywhere else;
//! * it is at most one second old: the shop's settings, read at most once a second, and
//!   the clock (a specific price's dates) change nothing for longer than that;
//! * the request is the same: key, output format, `Host` (which shop), path and query.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::HeaderValue;
use moka::sync::Cache;
use sha1::{Digest, Sha1};

use crate::accounts::KeyInfo;
use crate::engine::fragments::kept_for_a_second;
use crate::engine::{Format, Reply};

/// Answers larger than this are not kept (a large answer is cheap per byte already).
const LARGEST: usize = 256 * 1024;

pub struct Replies {
    cache: Option<Cache<String, Arc<Kept>>>,
}

/// A finished document answer.
pub struct Kept {
    generation: u64,
    key: Arc<KeyInfo>,
    pub status: u16,
    pub body: Bytes,
    pub sha1: HeaderValue,
}

impl Kept {
    /// A finished answer, digested once.
    pub fn new(generation: u64, key: Arc<KeyInfo>, status: u16, body: Vec<u8>) -> Kept {
        let sha1 = HeaderValue::from_str(&hex::encode(Sha1::digest(&body)))
            .unwrap_or_else(|_| HeaderValue::from_static(""));
        Kept {
            generation,
            key,
            status,
            body: Bytes::from(body),
            sha1,
        }
    }
}

impl Replies {
    /// Keeps up to `megabytes` of answers; 0 keeps none.
    pub fn new(megabytes: u64) -> Replies {
        let cache = kept_for_a_second(megabytes, |k: &String, v: &Arc<Kept>| {
            k.len() + v.body.len() + 128
        });
        Replies { cache }
    }

    /// The name of a request's answer: everything the answer depends on besides the data.
    pub fn name(
        key: &KeyInfo,
        format: Format,
        host: Option<&str>,
        path: &str,
        query: &str,
    ) -> String {
        let host = host.unwrap_or("");
        let mut id = itoa::Buffer::new();
        let id = id.format(key.account_id);
        let mut name = String::with_capacity(id.len() + host.len() + path.len() + query.len() + 6);
        for part in [
            id,
            "\0",
            format.content_type(),
            "\0",
            host,
            "\0",
            path,
            "?",
            query,
        ] {
            name.push_str(part);
        }
        name
    }

    /// The kept answer, when it is still the answer.
    pub fn get(&self, name: &str, generation: u64, key: &Arc<KeyInfo>) -> Option<Arc<Kept>> {
        let kept = self
            .cache
            .as_ref()?
            .get(name)
            .filter(|k| k.generation == generation && Arc::ptr_eq(&k.key, key));
        let result = if kept.is_some() { "hit" } else { "miss" };
        metrics::counter!("shopws_reused_total", "kind" => "answer", "result" => result)
            .increment(1);
        kept
    }

    /// Whether answers are kept at all.
    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// Keeps `reply` if it is a plain document worth keeping; returns it finished either way.
    pub fn keep(
        &self,
        name: String,
        generation: u64,
        key: Arc<KeyInfo>,
        reply: Reply,
    ) -> Result<Arc<Kept>, Reply> {
        let Some(cache) = &self.cache else {
            return Err(reply);
        };
        if reply.status != 200
            || !reply.has_body
            || reply.binary.is_some()
            || reply.total_count.is_some()
            || reply.body.len() > LARGEST
        {
            return Err(reply);
        }
        let kept = Arc::new(Kept::new(generation, key, reply.status, reply.body));
        cache.insert(name, kept.clone());
        Ok(kept)
    }
}
