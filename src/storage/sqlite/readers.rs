//! The read connections: a pool kept open and lent out one read at a time. A read that finds
//! them all busy waits a moment for one to come back; if none does (a streamed list holds its
//! connection for as long as its client takes to read), it opens a connection of its own,
//! closed after use. So clients reading large answers slowly never stall everyone else's
//! reads, and the pool's warm statement caches serve the ordinary short reads.

use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How long a read waits for a pooled connection before opening one of its own.
const WAIT: Duration = Duration::from_millis(25);
/// Connections of their own open at once, at most; beyond, reads wait for the pool.
const MAX_EXTRA: usize = 64;

pub(super) struct Readers {
    free: Mutex<Vec<Connection>>,
    returned: Condvar,
    /// Reads waiting for a connection: a returned one wakes a waiter only when there is
    /// one (a wake is a futex call, two per request when made unconditionally).
    waiting: AtomicUsize,
    extra: AtomicUsize,
    path: String,
    size: usize,
}

/// A read connection, given back (pooled) or closed (extra) when dropped.
pub(super) struct Lent<'a> {
    conn: Option<Connection>,
    pool: &'a Readers,
    extra: bool,
}

impl Readers {
    pub(super) fn new(pool: Vec<Connection>, path: &str) -> Self {
        Readers {
            size: pool.len(),
            free: Mutex::new(pool),
            returned: Condvar::new(),
            waiting: AtomicUsize::new(0),
            extra: AtomicUsize::new(0),
            path: path.to_string(),
        }
    }

    /// The pool's state now (one short lock).
    pub(super) fn stats(&self) -> crate::storage::PoolStats {
        crate::storage::PoolStats {
            size: self.size,
            idle: self.free().len(),
            waiting: self.waiting.load(Ordering::Relaxed),
            extra: self.extra.load(Ordering::Relaxed),
        }
    }

    fn free(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.free.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn get(&self) -> Lent<'_> {
        let deadline = Instant::now() + WAIT;
        let mut free = self.free();
        loop {
            if let Some(conn) = free.pop() {
                return self.lend(conn, false);
            }
            let now = Instant::now();
            if now < deadline {
                self.waiting.fetch_add(1, Ordering::AcqRel);
                free = match self.returned.wait_timeout(free, deadline - now) {
                    Ok((g, _)) => g,
                    Err(p) => p.into_inner().0,
                };
                self.waiting.fetch_sub(1, Ordering::AcqRel);
                crate::storage::record_pool_wait(now.elapsed());
                continue;
            }
            if self.extra.fetch_add(1, Ordering::AcqRel) < MAX_EXTRA {
                drop(free);
                match super::open_reader(&self.path) {
                    Ok(conn) => return self.lend(conn, true),
                    Err(_) => {
                        self.extra.fetch_sub(1, Ordering::AcqRel);
                        free = self.free();
                    }
                }
            } else {
                self.extra.fetch_sub(1, Ordering::AcqRel);
            }
            // No connection of its own either: wait for the pool as long as it takes.
            while free.is_empty() {
                self.waiting.fetch_add(1, Ordering::AcqRel);
                free = self.returned.wait(free).unwrap_or_else(|p| p.into_inner());
                self.waiting.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    fn lend(&self, conn: Connection, extra: bool) -> Lent<'_> {
        Lent {
            conn: Some(conn),
            pool: self,
            extra,
        }
    }
}

impl Deref for Lent<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("a lent connection is taken only on drop"))
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if self.extra {
            drop(conn);
            self.pool.extra.fetch_sub(1, Ordering::AcqRel);
            return;
        }
        self.pool.free().push(conn);
        // The waiter registers under the lock before it sleeps, and the connection was
        // pushed under the same lock: a waiter counted here is asleep or about to re-check.
        if self.pool.waiting.load(Ordering::Acquire) > 0 {
            self.pool.returned.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(dir: &tempfile::TempDir, n: usize) -> Readers {
        let path = dir.path().join("r.db").to_string_lossy().into_owned();
        Connection::open(&path)
            .and_then(|c| c.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (x);"))
            .expect("create");
        let conns = (0..n)
            .map(|_| super::super::open_reader(&path).expect("open"))
            .collect();
        Readers::new(conns, &path)
    }

    #[test]
    fn a_busy_pool_lends_a_connection_of_its_own() {
        let dir = tempfile::tempdir().expect("dir");
        let readers = pool(&dir, 2);
        let a = readers.get();
        let b = readers.get();
        assert!(!a.extra && !b.extra);
        // Both held (as by two slow clients): the third read does not wait for them.
        let c = readers.get();
        assert!(c.extra);
        let n: i64 = c
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .expect("query");
        assert_eq!(n, 0);
        drop(c);
        assert_eq!(readers.extra.load(Ordering::Acquire), 0);
        drop(a);
        // A connection given back is lent again.
        let d = readers.get();
        assert!(!d.extra);
    }

    #[test]
    fn a_waiting_read_takes_the_connection_given_back() {
        let dir = tempfile::tempdir().expect("dir");
        let readers = pool(&dir, 1);
        let held = readers.get();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| readers.get().extra);
            std::thread::sleep(Duration::from_millis(5));
            drop(held);
            assert!(!waiter.join().expect("waiter"), "took the pooled one");
        });
    }
}
