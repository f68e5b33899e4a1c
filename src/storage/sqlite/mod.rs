//! The embedded SQLite backend: a few read connections used concurrently (`readers`:
//! more are opened while slow streams hold them all) and one writer connection that
//! serialises every write transaction (so writers never see "database is locked"). WAL mode
//! lets readers run while a write commits.

pub mod collation;
mod readers;
mod setup;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params_from_iter, CachedStatement, Connection, ToSql};

use super::plan::{Context, ListPlan, Select};
use super::search::SearchRead;
use super::sql::{self, Dialect, Kind, Sql};
use super::{AssocRows, Existing, Reader, StorageError, StorageResult, Store, Tx, Value, Visit};
use crate::catalog::AssocStorage;

/// SQLite's spelling: double-quoted identifiers, no table prefix.
static LITE: Dialect = Dialect {
    kind: Kind::Sqlite,
    prefix: String::new(),
};

pub struct SqliteStore {
    readers: readers::Readers,
    writer: Mutex<Connection>,
    path: String,
    /// Write transactions committed by this process (see `Store::write_generation`).
    commits: std::sync::atomic::AtomicU64,
    /// The write-ahead log beside the database file, its last looked-at state and when
    /// (microseconds since `opened`).
    wal: std::path::PathBuf,
    wal_state: std::sync::atomic::AtomicU64,
    wal_at: std::sync::atomic::AtomicU64,
    opened: std::time::Instant,
}

/// How often `write_generation` looks at the write-ahead log, in microseconds: a busy
/// server answers dozens of requests meanwhile, and each look is a system call.
const WAL_LOOK_EVERY_US: u64 = 250;

/// A digest of the write-ahead log's size, modification time and inode.
fn wal_state(wal: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(wal).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (m.size(), m.mtime(), m.mtime_nsec(), m.ino()).hash(&mut h);
    Some(h.finish())
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn from_ref(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            Value::Text(String::from_utf8_lossy(t).into_owned())
        }
    }
}

fn map_err(e: rusqlite::Error) -> StorageError {
    use rusqlite::ErrorCode;
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        match f.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => return StorageError::Busy,
            ErrorCode::ConstraintViolation => {
                return StorageError::Conflict(msg.clone().unwrap_or_else(|| e.to_string()))
            }
            _ => {}
        }
    }
    if let rusqlite::Error::QueryReturnedNoRows = e {
        return StorageError::NotFound;
    }
    StorageError::Other(e.to_string())
}

/// A cached prepared statement. Its text (placeholders only: values are bound, never part of
/// it) is logged at `trace` level: `SHOPWS_LOG=shopws::sql=trace` shows every statement a
/// request runs, ready for `EXPLAIN QUERY PLAN`.
fn prepare<'c>(c: &'c Connection, sql: &str) -> StorageResult<CachedStatement<'c>> {
    tracing::trace!(target: "shopws::sql", "{sql}");
    c.prepare_cached(sql).map_err(map_err)
}

fn run_cached(c: &Connection, sql: &str) -> StorageResult<()> {
    prepare(c, sql)?.execute([]).map(|_| ()).map_err(map_err)
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding a connection leaves it usable: SQLite rolls back on its own.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Page cache is per connection (8 MiB each): memory stays flat however many readers run,
/// and the operating system's file cache does the rest.
fn configure(conn: &Connection, read_only: bool) -> StorageResult<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(map_err)?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; \
         PRAGMA temp_store=MEMORY; PRAGMA cache_size=-8192;",
    )
    .map_err(map_err)?;
    if read_only {
        conn.execute_batch("PRAGMA query_only=ON;")
            .map_err(map_err)?;
    }
    conn.set_prepared_statement_cache_capacity(256);
    collation::register(conn).map_err(map_err)?;
    Ok(())
}

impl SqliteStore {
    pub fn open(path: &str, readers: usize) -> StorageResult<SqliteStore> {
        if let Some(dir) = Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StorageError::Other(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
        }
        let writer = Connection::open(path).map_err(map_err)?;
        configure(&writer, false)?;
        setup::ensure_schema(&writer)?;
        let wal = std::path::PathBuf::from(format!("{path}-wal"));
        let mut pool = Vec::new();
        for _ in 0..readers.max(1) {
            pool.push(open_reader(path)?);
        }
        Ok(SqliteStore {
            readers: readers::Readers::new(pool, path),
            writer: Mutex::new(writer),
            path: path.to_string(),
            commits: Default::default(),
            wal_state: wal_state(&wal).unwrap_or(0).into(),
            wal,
            wal_at: Default::default(),
            opened: std::time::Instant::now(),
        })
    }
}

fn open_reader(path: &str) -> StorageResult<Connection> {
    let c = Connection::open(path).map_err(map_err)?;
    configure(&c, true)?;
    Ok(c)
}

/// A connection seen through the storage traits.
struct Conn<'a>(&'a Connection);

fn run_list(
    c: &Connection,
    plan: &ListPlan,
    ctx: &Context,
    visit: &mut Visit,
) -> StorageResult<()> {
    let s = sql::list(&LITE, plan, ctx);
    let mut stmt = prepare(c, &s.text)?;
    let ncols = plan.select.len();
    let mut rows = stmt
        .query(params_from_iter(s.params.iter()))
        .map_err(map_err)?;
    while let Some(row) = rows.next().map_err(map_err)? {
        let mut vals = Vec::with_capacity(ncols);
        for i in 0..ncols {
            vals.push(from_ref(row.get_ref(i).map_err(map_err)?));
        }
        // SQLite runs other statements on the same connection while this cursor is open.
        visit(&mut Conn(c), vals)?;
    }
    Ok(())
}

impl Reader for Conn<'_> {
    fn list(&mut self, plan: &ListPlan, ctx: &Context, visit: &mut Visit) -> StorageResult<()> {
        run_list(self.0, plan, ctx, visit)
    }

    fn count(&mut self, plan: &ListPlan, ctx: &Context) -> StorageResult<u64> {
        let s = sql::count(&LITE, plan, ctx);
        let mut stmt = prepare(self.0, &s.text)?;
        let n: i64 = stmt
            .query_row(params_from_iter(s.params.iter()), |r| r.get(0))
            .map_err(map_err)?;
        Ok(n.max(0) as u64)
    }

    fn assoc(
        &mut self,
        assoc: &AssocStorage,
        owners: &[i64],
        ctx: &Context,
    ) -> StorageResult<AssocRows> {
        let mut out = Vec::new();
        for chunk in owners.chunks(500) {
            let s = sql::assoc(&LITE, assoc, chunk, ctx);
            let mut stmt = prepare(self.0, &s.text)?;
            let n = assoc.columns.0.len();
            let mut rows = stmt
                .query(params_from_iter(s.params.iter()))
                .map_err(map_err)?;
            while let Some(row) = rows.next().map_err(map_err)? {
                let owner: i64 = row.get(0).map_err(map_err)?;
                let mut vals = Vec::with_capacity(n);
                for i in 0..n {
                    vals.push(from_ref(row.get_ref(i + 1).map_err(map_err)?));
                }
                out.push((owner, vals));
            }
        }
        Ok(out)
    }

    fn select(&mut self, q: &Select) -> StorageResult<Vec<Vec<Value>>> {
        if q.finds_nothing() {
            return Ok(Vec::new());
        }
        all_rows(self.0, sql::select(&LITE, q))
    }

    fn max(
        &mut self,
        table: &str,
        column: &str,
        key: &[(&str, Value)],
    ) -> StorageResult<Option<Value>> {
        let names: Vec<&str> = key.iter().map(|(k, _)| *k).collect();
        let mut stmt = prepare(self.0, &sql::max(&LITE, table, column, &names))?;
        let v = stmt
            .query_row(params_from_iter(key.iter().map(|(_, v)| v)), |r| {
                r.get_ref(0).map(from_ref)
            })
            .map_err(map_err)?;
        Ok(match v {
            Value::Null => None,
            v => Some(v),
        })
    }

    fn search(&mut self, q: &SearchRead) -> StorageResult<Vec<Vec<Value>>> {
        all_rows(self.0, sql::search(&LITE, q))
    }
}

/// Every row of a select, each as its statement's columns.
fn all_rows(c: &Connection, s: Sql) -> StorageResult<Vec<Vec<Value>>> {
    let mut stmt = prepare(c, &s.text)?;
    let n = stmt.column_count();
    let mut rows = stmt
        .query(params_from_iter(s.params.iter()))
        .map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(map_err)? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(from_ref(row.get_ref(i).map_err(map_err)?));
        }
        out.push(vals);
    }
    Ok(out)
}

/// Runs a write statement, returning the rows it changed.
fn exec(c: &Connection, s: Sql) -> StorageResult<u64> {
    let mut stmt = prepare(c, &s.text)?;
    let n = stmt
        .execute(params_from_iter(s.params.iter()))
        .map_err(map_err)?;
    Ok(n as u64)
}

impl Tx for Conn<'_> {
    fn insert(&mut self, table: &str, values: &[(&str, Value)]) -> StorageResult<i64> {
        exec(self.0, sql::insert(&LITE, table, values))?;
        Ok(self.0.last_insert_rowid())
    }

    fn insert_ignore(&mut self, table: &str, values: &[(&str, Value)]) -> StorageResult<()> {
        exec(self.0, sql::insert_ignore(&LITE, table, values)).map(|_| ())
    }

    fn update(
        &mut self,
        table: &str,
        set: &[(&str, Value)],
        key: &[(&str, Value)],
    ) -> StorageResult<u64> {
        sql::update(&LITE, table, set, key).map_or(Ok(0), |s| exec(self.0, s))
    }

    fn delete(&mut self, table: &str, key: &[(&str, Value)]) -> StorageResult<u64> {
        exec(self.0, sql::delete(&LITE, table, key))
    }

    fn increment(
        &mut self,
        table: &str,
        set: &[(&str, i64)],
        also: &[(&str, Value)],
        key: &[(&str, Value)],
    ) -> StorageResult<u64> {
        sql::increment(&LITE, table, set, also, key).map_or(Ok(0), |s| exec(self.0, s))
    }

    fn lock_rows(&mut self, table: &str, key: &[(&str, Value)]) -> StorageResult<bool> {
        let s = sql::lock_rows(&LITE, table, key);
        let mut stmt = prepare(self.0, &s.text)?;
        stmt.exists(params_from_iter(s.params.iter()))
            .map_err(map_err)
    }

    fn upsert(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        values: &[(&str, Value)],
    ) -> StorageResult<()> {
        exec(self.0, sql::upsert(&LITE, table, key, values)?).map(|_| ())
    }

    fn accumulate(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        amounts: &[(&str, i64)],
    ) -> StorageResult<()> {
        exec(self.0, sql::accumulate(&LITE, table, key, amounts)?).map(|_| ())
    }

    fn delete_below(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        column: &str,
        below: Value,
    ) -> StorageResult<u64> {
        exec(self.0, sql::delete_below(&LITE, table, key, column, below))
    }

    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
        existing: Existing,
    ) -> StorageResult<()> {
        for chunk in rows.chunks(sql::ROWS_PER_INSERT) {
            let text = sql::insert_rows(&LITE, table, columns, chunk.len(), existing);
            let mut stmt = prepare(self.0, &text)?;
            stmt.execute(params_from_iter(chunk.iter().flatten()))
                .map_err(map_err)?;
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    fn pool_stats(&self) -> Option<crate::storage::PoolStats> {
        Some(self.readers.stats())
    }

    fn read(&self, f: &mut dyn FnMut(&mut dyn Reader) -> StorageResult<()>) -> StorageResult<()> {
        let c = self.readers.get();
        // One read transaction for the whole request: every statement sees the same
        // snapshot, and the WAL read lock is taken once instead of once per statement.
        // BEGIN/COMMIT are cached statements: parsing them anew cost 6% of a small request.
        if !c.is_autocommit() {
            // Left open by a panic in an earlier reader of this connection.
            let _ = run_cached(&c, "ROLLBACK");
        }
        run_cached(&c, "BEGIN")?;
        match f(&mut Conn(&c)) {
            Ok(()) => run_cached(&c, "COMMIT"),
            Err(e) => {
                let _ = run_cached(&c, "ROLLBACK");
                Err(e)
            }
        }
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<()>) -> StorageResult<()> {
        let mut c = lock(&self.writer);
        let tx = c
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(map_err)?;
        f(&mut Conn(&tx))?;
        tx.commit().map_err(map_err)?;
        // After the commit: a reader that saw the old rows also saw the old count.
        self.commits
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// This process's commits, and the write-ahead log's size, modification time and inode:
    /// every commit, whichever process makes it, appends to that log (or rewrites it from
    /// the start after a checkpoint), so a change written by the CLI or any other program
    /// shows too. The log is looked at (one `stat`) at most once every 250 µs, so such a
    /// change shows within that; this process's own commits count at once.
    fn write_generation(&self) -> Option<u64> {
        use std::sync::atomic::Ordering::{Acquire, Release};
        let commits = self.commits.load(Acquire);
        let now = u64::try_from(self.opened.elapsed().as_micros()).unwrap_or(u64::MAX);
        let wal = if now.saturating_sub(self.wal_at.load(Acquire)) < WAL_LOOK_EVERY_US {
            self.wal_state.load(Acquire)
        } else {
            let state = wal_state(&self.wal)?;
            self.wal_state.store(state, Release);
            self.wal_at.store(now, Release);
            state
        };
        Some(commits.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ wal)
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path)
    }
}

/// A store on a fresh file in a temporary folder (kept while the folder lives), for tests.
#[cfg(test)]
#[allow(clippy::expect_used)]
pub fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.db");
    let s = SqliteStore::open(&path.to_string_lossy(), 1).expect("open");
    (dir, s)
}

#[cfg(test)]
mod tests;
