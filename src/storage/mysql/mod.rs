//! The MySQL/MariaDB backend: PrestaShop's own database (`ps_` tables), either one shopws
//! created or a live shop it attaches to (see `setup`). A pool of connections, each set up
//! as PrestaShop sets up its own (`utf8mb4`, `sql_mode=''`): reads run in autocommit as
//! PrestaShop's do, writes in a READ COMMITTED transaction retried on deadlocks, so several
//! nodes can write to one database at once.
//!
//! The driver is the blocking sibling of `mysql_async` (same author, same protocol code):
//! the storage traits are blocking by design and run on blocking threads, which is what lets
//! a list stream from the database into the response without an async bridge per row.

mod conn;
mod setup;

use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{IsolationLevel, Opts, OptsBuilder, Pool, PoolConstraints, PoolOpts, TxOpts};

use super::sql::Dialect;
use super::{Reader, StorageError, StorageResult, Store, Tx};
use conn::My;

pub use setup::Origin;

/// Attempts of a write transaction that met a deadlock or a lock-wait time-out.
const ATTEMPTS: u32 = 3;
/// How long a request waits for a pooled connection before answering "busy".
const POOL_WAIT: Duration = Duration::from_secs(5);

pub struct MysqlStore {
    pool: Pool,
    dialect: Dialect,
    origin: Origin,
    version: String,
    describe: String,
    max_connections: usize,
    /// The pool's state for metrics: the driver keeps its own to itself.
    lent: AtomicUsize,
    waiting: AtomicUsize,
}

/// What `--database mysql://…` and `--table-prefix` ask for.
pub struct MysqlOptions<'a> {
    pub url: &'a str,
    pub prefix: Option<&'a str>,
    pub max_connections: usize,
    /// Refuse a database without a shop instead of creating PrestaShop's tables.
    pub existing_only: bool,
}

pub(crate) fn map_err(e: mysql::Error) -> StorageError {
    match e {
        mysql::Error::MySqlError(m) => match m.code {
            // ER_DUP_ENTRY, ER_DUP_KEY, foreign keys
            1062 | 1022 | 1451 | 1452 => StorageError::Conflict(m.message),
            1213 | 1205 => StorageError::Busy,
            // Server shutting down, too many connections, out of resources
            1053 | 1040 | 1041 | 1203 => StorageError::Unavailable(m.message),
            _ => StorageError::Other(format!("MySQL error {}: {}", m.code, m.message)),
        },
        mysql::Error::IoError(e) => StorageError::Unavailable(e.to_string()),
        mysql::Error::CodecError(e) => StorageError::Unavailable(e.to_string()),
        mysql::Error::DriverError(e) => StorageError::Unavailable(e.to_string()),
        other => StorageError::Other(other.to_string()),
    }
}

/// `mariadb://` is the same protocol; the driver only knows the `mysql` scheme.
fn driver_url(url: &str) -> String {
    match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_string(),
    }
}

/// The URL without its password, for logs.
fn redacted(opts: &Opts) -> String {
    let host = match opts.get_socket() {
        Some(s) => format!("socket {s}"),
        None => format!("{}:{}", opts.get_ip_or_hostname(), opts.get_tcp_port()),
    };
    format!(
        "mysql://{}@{host}/{}",
        opts.get_user().unwrap_or(""),
        opts.get_db_name().unwrap_or("")
    )
}

impl MysqlStore {
    pub fn open(o: &MysqlOptions) -> StorageResult<MysqlStore> {
        let opts = Opts::from_url(&driver_url(o.url))
            .map_err(|e| StorageError::Refused(format!("database URL: {e}")))?;
        if opts.get_db_name().unwrap_or("").is_empty() {
            return Err(StorageError::Refused(
                "the database URL names no database (mysql://USER:PASSWORD@HOST:PORT/DATABASE)"
                    .into(),
            ));
        }
        let describe = redacted(&opts);
        let max = o.max_connections.max(2);
        let constraints = PoolConstraints::new(1, max)
            .ok_or_else(|| StorageError::Invalid("connection pool size".into()))?;
        let builder = OptsBuilder::from_opts(opts)
            .init(vec![
                // PrestaShop's own session settings (its data is not strict-clean: zero
                // dates, '' in enums); the engine validates every value before writing.
                "SET NAMES utf8mb4",
                "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'",
                "SET SESSION innodb_lock_wait_timeout = 5",
                "SET SESSION group_concat_max_len = 1048576",
            ])
            .stmt_cache_size(256)
            .tcp_connect_timeout(Some(Duration::from_secs(5)))
            .additional_capabilities(mysql::consts::CapabilityFlags::CLIENT_FOUND_ROWS)
            .pool_opts(
                PoolOpts::default()
                    .with_constraints(constraints)
                    // Resetting a returned connection would drop its prepared statements.
                    .with_reset_connection(false)
                    // No ping before every use (a round trip per request): a connection
                    // that fails is discarded instead (`discard_if`).
                    .with_check_health(false),
            );
        let pool = Pool::new(builder).map_err(|e| match map_err(e) {
            StorageError::Unavailable(m) | StorageError::Other(m) => {
                StorageError::Refused(format!("cannot connect to {describe}: {m}"))
            }
            other => other,
        })?;
        let mut conn = pool.try_get_conn(POOL_WAIT).map_err(map_err)?;
        let found = setup::prepare(&mut conn, o.prefix, o.existing_only)?;
        drop(conn);
        Ok(MysqlStore {
            pool,
            describe: format!("{describe} (tables {}*)", found.prefix),
            dialect: Dialect::mysql(&found.prefix),
            origin: found.origin,
            version: found.version,
            max_connections: max,
            lent: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
        })
    }

    /// Whether shopws created this database or attached to an existing shop.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// PrestaShop's schema version (`PS_VERSION_DB`).
    pub fn version(&self) -> &str {
        &self.version
    }

    fn conn(&self) -> StorageResult<Lent<'_>> {
        let asked = std::time::Instant::now();
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let conn = self.pool.try_get_conn(POOL_WAIT).map_err(map_err);
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        crate::storage::record_pool_wait(asked.elapsed());
        let conn = conn?;
        self.lent.fetch_add(1, Ordering::Relaxed);
        Ok(Lent {
            conn,
            count: &self.lent,
        })
    }
}

/// A pooled connection, counted as lent out until it goes back.
struct Lent<'a> {
    conn: mysql::PooledConn,
    count: &'a AtomicUsize,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

impl std::ops::Deref for Lent<'_> {
    type Target = mysql::PooledConn;
    fn deref(&self) -> &mysql::PooledConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Lent<'_> {
    fn deref_mut(&mut self) -> &mut mysql::PooledConn {
        &mut self.conn
    }
}

impl Store for MysqlStore {
    fn server_clock(&self) -> StorageResult<Option<String>> {
        let mut c = self.conn()?;
        c.query_first("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')")
            .map_err(map_err)
    }

    fn pool_stats(&self) -> Option<crate::storage::PoolStats> {
        let lent = self.lent.load(Ordering::Relaxed).min(self.max_connections);
        Some(crate::storage::PoolStats {
            size: self.max_connections,
            idle: self.max_connections - lent,
            waiting: self.waiting.load(Ordering::Relaxed),
            extra: 0,
        })
    }

    /// Reads run in autocommit, as PrestaShop's own do: one round trip per statement, where
    /// a read-only transaction would add two to every request. Each statement sees what was
    /// committed when it ran; a list continues after the last key it read, so rows written
    /// meanwhile neither repeat nor go missing (in the default order).
    fn read(&self, f: &mut dyn FnMut(&mut dyn Reader) -> StorageResult<()>) -> StorageResult<()> {
        let mut tries = 0;
        loop {
            let mut c = self.conn()?;
            let mut my = My::new(&mut *c, &self.dialect);
            let done = f(&mut my);
            let (broken, first) = (my.broken, my.statements <= 1);
            discard_if(&mut c, broken);
            // A pooled connection the server closed (a restart, its idle time-out) fails on
            // its first statement, before the caller saw any row: run it again on another.
            if broken && first && tries < self.max_connections {
                tries += 1;
                continue;
            }
            return done;
        }
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<()>) -> StorageResult<()> {
        let opts = TxOpts::default().set_isolation_level(Some(IsolationLevel::ReadCommitted));
        let (mut attempt, mut tries) = (0, 0);
        loop {
            let mut c = self.conn()?;
            let (done, retry, broken) = match c.start_transaction(opts) {
                Ok(mut tx) => {
                    let mut my = My::new(&mut tx, &self.dialect);
                    let done = f(&mut my);
                    let (retry, broken) = (my.retry, my.broken);
                    (
                        done.and_then(|()| tx.commit().map_err(map_err)),
                        retry,
                        Some(broken),
                    )
                }
                Err(e) => (Err(map_err(e)), false, None),
            };
            let Some(broken) = broken else {
                discard_if(&mut c, true);
                tries += 1;
                if tries <= self.max_connections {
                    continue;
                }
                return done;
            };
            discard_if(&mut c, broken);
            attempt += 1;
            match done {
                Err(e) if retry && attempt < ATTEMPTS => {
                    tracing::info!(attempt, error = %e, "write transaction retried after a deadlock or lock wait");
                    std::thread::sleep(Duration::from_millis(
                        5 * u64::from(attempt) + u64::from(rand::random::<u8>() % 10),
                    ));
                }
                other => return other,
            }
        }
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn reads_wait_on_network(&self) -> bool {
        true
    }

    fn shared_with_prestashop(&self) -> bool {
        self.origin == Origin::Attached
    }
}

/// A connection that failed is not given back to the pool: resetting it on return fails,
/// which makes the pool drop it and count it out (so the pool never lends a dead connection
/// twice, without a ping before every use).
fn discard_if(c: &mut mysql::PooledConn, broken: bool) {
    if broken {
        c.reset_connection(true);
    }
}

/// Runs a script of `;`-terminated statements (shopws's own DDL, PrestaShop's structure).
pub(crate) fn run_script(c: &mut impl Queryable, text: &str) -> StorageResult<()> {
    for stmt in statements(text) {
        c.query_drop(stmt).map_err(map_err)?;
    }
    Ok(())
}

/// The statements of a script: split at `;` ending a line, comments dropped.
fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("--") || t.is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if t.ends_with(';') {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_split_into_statements_without_comments() {
        let s = statements("-- c\nCREATE TABLE a (\n  x int\n);\n\nSET NAMES utf8mb4;\n");
        assert_eq!(s.len(), 2);
        assert!(s[0].starts_with("CREATE TABLE a"));
        assert_eq!(s[1].trim(), "SET NAMES utf8mb4;");
    }

    #[test]
    fn urls_are_logged_without_their_password() {
        let o = Opts::from_url("mysql://u:secret@127.0.0.1:3307/shop").expect("url");
        let r = redacted(&o);
        assert!(!r.contains("secret"), "{r}");
        assert!(r.contains("127.0.0.1:3307/shop"), "{r}");
        assert_eq!(driver_url("mariadb://u@h/d"), "mysql://u@h/d");
    }
}
