//! API activity per key: what the back office's activity page shows (requests and errors per
//! hour, the latest requests), counted on each node in memory and written behind the
//! requests.
//!
//! The HTTP layer hands every request made with a valid key to the node's [`Recorder`]: one
//! short lock, a counter added to, and the request kept in a bounded list. A background task
//! calls [`Recorder::flush`] every few seconds (and once more at shutdown): one transaction
//! adds the counts to hourly rows that every node adds to, appends the requests, and prunes —
//! hourly rows older than [`RETENTION_HOURS`], each key's requests beyond the latest N — so
//! the tables never grow without limit and every node shows the same page. Never a key: the
//! recorded path has `ws_key` taken out ([`clean_path`]).

mod path;
mod store;

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub use path::{clean_path, MAX_PATH};
pub use store::{forget, read, Activity, RecentRow, RETENTION_HOURS};

use crate::storage::{StorageResult, Store};

/// Pending (key, hour) counters at most, and pending requests at most: beyond, a request is
/// not counted (and counted in [`Recorder::dropped`]). Reached only when the database stays
/// unreachable for a long time with many keys in use.
const MAX_BUCKETS: usize = 10_000;
const MAX_RECENT: usize = 10_000;

/// Latest requests kept per key, by default.
pub const DEFAULT_KEEP: usize = 50;

/// What is added up per key and hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub requests: i64,
    /// Answers with a status of 400 or more.
    pub errors: i64,
    /// Time to the answer's head, in microseconds, summed.
    pub duration_us: i64,
    /// Bytes of answers of known length, summed.
    pub bytes: i64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.requests += o.requests;
        self.errors += o.errors;
        self.duration_us += o.duration_us;
        self.bytes += o.bytes;
    }
}

/// Bytes of a path as sent kept at most: enough for [`MAX_PATH`] characters however encoded
/// (a parameter cut at the end is dropped or cut in the cleaned path).
const MAX_RAW: usize = 12 * MAX_PATH;

/// A path and query as sent, kept for [`Request::raw_path`] (bounded).
pub fn raw_path(p: &str) -> String {
    let mut end = p.len().min(MAX_RAW);
    while !p.is_char_boundary(end) {
        end -= 1;
    }
    p[..end].to_owned()
}

/// One request made with a key, as the HTTP layer saw it. No `Debug`: its path may hold the
/// key until it is cleaned.
#[derive(Clone)]
pub struct Request {
    /// The key's database id (never the key).
    pub key_id: i64,
    /// Unix seconds.
    pub at: i64,
    pub method: &'static str,
    /// The path and query as sent, key included: only ever written through [`clean_path`].
    pub raw_path: String,
    pub status: u16,
    pub duration_us: i64,
    pub bytes: Option<u64>,
    pub ip: Option<IpAddr>,
}

/// What a node has counted and not yet written.
#[derive(Default)]
pub struct Pending {
    /// (key id, hour) → counts; `hour` is Unix seconds / 3600.
    pub buckets: HashMap<(i64, i64), Counts>,
    /// Per key, its latest requests (at most the recorder's `keep`), oldest first.
    pub recent: HashMap<i64, VecDeque<Request>>,
    recent_len: usize,
}

impl Pending {
    /// Entries waiting: counters plus requests.
    pub fn len(&self) -> usize {
        self.buckets.len() + self.recent_len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one request; false when the caps left it out.
    fn add(&mut self, r: Request, keep: usize) -> bool {
        let c = Counts {
            requests: 1,
            errors: i64::from(r.status >= 400),
            duration_us: r.duration_us,
            bytes: r.bytes.map_or(0, |b| i64::try_from(b).unwrap_or(i64::MAX)),
        };
        self.add_counts((r.key_id, r.at.div_euclid(3600)), &c) && self.add_recent(r, keep)
    }

    fn add_counts(&mut self, bucket: (i64, i64), c: &Counts) -> bool {
        let full = self.buckets.len() >= MAX_BUCKETS;
        match self.buckets.get_mut(&bucket) {
            Some(known) => known.add(c),
            None if full => return false,
            None => {
                self.buckets.insert(bucket, *c);
            }
        }
        true
    }

    fn add_recent(&mut self, r: Request, keep: usize) -> bool {
        if keep == 0 {
            return true;
        }
        let full = self.recent_len >= MAX_RECENT;
        let list = self.recent.entry(r.key_id).or_default();
        if list.len() >= keep {
            // Superseded: only the latest `keep` are kept anyway.
            list.pop_front();
            list.push_back(r);
            return true;
        }
        if full {
            if list.is_empty() {
                self.recent.remove(&r.key_id);
            }
            return false;
        }
        list.push_back(r);
        self.recent_len += 1;
        true
    }

    /// Puts back what a failed write took (newer entries win over older ones).
    fn merge(&mut self, older: Pending, keep: usize) -> u64 {
        let mut lost = 0;
        for (bucket, c) in older.buckets {
            if !self.add_counts(bucket, &c) {
                lost += c.requests.max(0) as u64;
            }
        }
        for (key, list) in older.recent {
            let newer = self.recent.remove(&key).unwrap_or_default();
            self.recent_len -= newer.len();
            for r in list.into_iter().chain(newer) {
                self.add_recent(r, keep);
            }
        }
        lost
    }
}

/// A node's activity counters, between two flushes.
pub struct Recorder {
    on: bool,
    keep: usize,
    pending: Mutex<Pending>,
    dropped: AtomicU64,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new(true, DEFAULT_KEEP)
    }
}

impl Recorder {
    /// `on`: false records nothing (`--activity off`). `keep`: latest requests kept per key.
    pub fn new(on: bool, keep: usize) -> Self {
        Recorder {
            on,
            keep,
            pending: Mutex::new(Pending::default()),
            dropped: AtomicU64::new(0),
        }
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Latest requests kept per key.
    pub fn keep(&self) -> usize {
        self.keep
    }

    /// Counts one request; never waits on the database.
    pub fn record(&self, r: Request) {
        if !self.on {
            return;
        }
        let added = match self.pending.lock() {
            Ok(mut p) => p.add(r, self.keep),
            Err(_) => false,
        };
        if !added {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Entries waiting to be written (the `shopws_activity_pending` gauge).
    pub fn pending(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Requests left uncounted because the pending entries were at their cap.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Takes everything pending, leaving nothing.
    pub fn take(&self) -> Pending {
        self.pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }

    /// Writes what is pending in one transaction, then prunes; on failure it stays pending
    /// for the next flush. Blocking: call it off the async threads. Returns the requests
    /// written.
    pub fn flush(&self, store: &dyn Store) -> StorageResult<i64> {
        let batch = self.take();
        if batch.is_empty() {
            return Ok(0);
        }
        let now_hour = crate::clock::unix().div_euclid(3600);
        match store::write(store, &batch, self.keep, now_hour) {
            Ok(n) => Ok(n),
            Err(e) => {
                if let Ok(mut p) = self.pending.lock() {
                    let lost = p.merge(batch, self.keep);
                    self.dropped.fetch_add(lost, Ordering::Relaxed);
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: i64, at: i64, status: u16) -> Request {
        Request {
            key_id: key,
            at,
            method: "GET",
            raw_path: format!("/api/taxes/{at}"),
            status,
            duration_us: 100,
            bytes: Some(10),
            ip: None,
        }
    }

    #[test]
    fn counts_per_key_and_hour_and_keeps_the_latest_requests() {
        let r = Recorder::new(true, 3);
        for i in 0..5 {
            r.record(req(1, 7200 + i, if i == 4 { 404 } else { 200 }));
        }
        r.record(req(2, 3600 * 3, 500));
        let p = r.take();
        assert_eq!(
            p.buckets[&(1, 2)],
            Counts {
                requests: 5,
                errors: 1,
                duration_us: 500,
                bytes: 50
            }
        );
        assert_eq!(p.buckets[&(2, 3)].errors, 1);
        let latest: Vec<i64> = p.recent[&1].iter().map(|r| r.at).collect();
        assert_eq!(latest, vec![7202, 7203, 7204]);
        assert_eq!(p.len(), 2 + 3 + 1);
        assert_eq!(r.pending(), 0);
        assert_eq!(r.dropped(), 0);
    }

    #[test]
    fn off_records_nothing() {
        let r = Recorder::new(false, 3);
        r.record(req(1, 1, 200));
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn pending_entries_are_capped_and_what_is_left_out_counted() {
        let r = Recorder::new(true, 1);
        // Every request a bucket of its own (a new hour), each key one recent request.
        let n = MAX_BUCKETS as i64 + 5;
        for i in 0..n {
            r.record(req(i % 7, i * 3600, 200));
        }
        assert_eq!(r.dropped(), 5);
        let p = r.take();
        assert_eq!(p.buckets.len(), MAX_BUCKETS);
        assert_eq!(p.recent.len(), 7);
    }

    #[test]
    fn a_failed_write_is_put_back() {
        let r = Recorder::new(true, 2);
        r.record(req(1, 10, 200));
        r.record(req(1, 11, 200));
        let older = r.take();
        r.record(req(1, 12, 200));
        let lost = r.pending.lock().unwrap().merge(older, 2);
        assert_eq!(lost, 0);
        let p = r.take();
        assert_eq!(p.buckets[&(1, 0)].requests, 3);
        let latest: Vec<i64> = p.recent[&1].iter().map(|r| r.at).collect();
        assert_eq!(latest, vec![11, 12]);
        assert_eq!(p.len(), 1 + 2);
    }
}
