//! Storage backends behind one interface.
//!
//! The engine hands a backend *plans* (tables and columns named by the catalog, values kept
//! apart) and gets rows back; SQL dialects live only inside the backends. Calls are blocking:
//! the HTTP layer runs them on blocking threads, which is what lets a list stream rows straight
//! from the cursor into the response.

mod error;
pub mod mysql;
mod plan;
pub mod search;
pub mod seed;
pub mod sql;
pub mod sqlite;

pub use crate::catalog::Value;
pub use error::{StorageError, StorageResult};
pub use plan::{Col, Cond, Context, LangSpec, ListPlan, Op, OrderBy, Select, ShopFilter, Target};
pub use seed::SeedMode;

use crate::catalog::AssocStorage;

/// Receives each row of a list, with a reader for follow-up queries.
pub type Visit<'a> = dyn FnMut(&mut dyn Reader, Vec<Value>) -> StorageResult<()> + 'a;

/// Rows of one association for a set of owners: (owner id, sub-field values in column order).
pub type AssocRows = Vec<(i64, Vec<Value>)>;

/// Reads, available both outside and inside a transaction.
pub trait Reader {
    /// Streams the rows of `plan` (values in `plan.select` order) into `visit`, which may run
    /// further reads (associations of the rows seen so far) through the reader it is given.
    fn list(&mut self, plan: &ListPlan, ctx: &Context, visit: &mut Visit) -> StorageResult<()>;

    /// Number of rows `plan` matches, ignoring its limit.
    fn count(&mut self, plan: &ListPlan, ctx: &Context) -> StorageResult<u64>;

    /// The association rows of every owner in `owners`.
    fn assoc(
        &mut self,
        assoc: &AssocStorage,
        owners: &[i64],
        ctx: &Context,
    ) -> StorageResult<AssocRows>;

    /// The rows of several associations for the same owners, one `AssocRows` per association
    /// in the order given. A backend where a round trip costs more than a statement may answer
    /// it at once; for SQLite one indexed statement each is faster than a `UNION ALL`, whose
    /// sort cost products/1 9% and a 1,000-product list 17% when it was measured.
    fn assocs(
        &mut self,
        assocs: &[&AssocStorage],
        owners: &[i64],
        ctx: &Context,
    ) -> StorageResult<Vec<AssocRows>> {
        assocs.iter().map(|a| self.assoc(a, owners, ctx)).collect()
    }

    /// A plain keyed select on any table (configuration, accounts, link tables).
    fn select(&mut self, q: &Select) -> StorageResult<Vec<Vec<Value>>>;

    /// The largest `column` among the rows of `table` matching `key` (every pair equal),
    /// `None` when no row matches. With an index on the key columns followed by `column`
    /// (`category_product (id_category, position)`) a backend answers it with one index probe,
    /// however many rows match: the way to find a last position, never reading the rows to
    /// take their maximum. Names come from the catalog or shopws's schema, as for writes.
    fn max(
        &mut self,
        table: &str,
        column: &str,
        key: &[(&str, Value)],
    ) -> StorageResult<Option<Value>>;

    /// A read of the product search index (see [`search::SearchRead`]); rows as it says.
    fn search(&mut self, q: &search::SearchRead) -> StorageResult<Vec<Vec<Value>>>;
}

/// Writes inside one transaction. Table and column names must come from the catalog or from
/// shopws's own schema, never from a request.
pub trait Tx: Reader {
    /// Inserts a row and returns the new auto-increment id (0 when the table has none).
    fn insert(&mut self, table: &str, values: &[(&str, Value)]) -> StorageResult<i64>;
    /// Inserts unless a row with the same key exists.
    fn insert_ignore(&mut self, table: &str, values: &[(&str, Value)]) -> StorageResult<()>;
    fn update(
        &mut self,
        table: &str,
        set: &[(&str, Value)],
        key: &[(&str, Value)],
    ) -> StorageResult<u64>;
    fn delete(&mut self, table: &str, key: &[(&str, Value)]) -> StorageResult<u64>;

    /// Adds each `set` amount to its column and writes the `also` values, in one statement,
    /// on the rows matching `key` (every pair equal; an empty key matches nothing); returns the
    /// rows changed. The database does the addition, so writers on several nodes never lose
    /// one another's counts, which reading the value and writing it back would.
    fn increment(
        &mut self,
        table: &str,
        set: &[(&str, i64)],
        also: &[(&str, Value)],
        key: &[(&str, Value)],
    ) -> StorageResult<u64>;

    /// Takes the write lock on the rows matching `key` (every pair equal; an empty key
    /// matches nothing) until the transaction ends, so that what is read next about them
    /// cannot change under this writer; returns whether any exists. Two writers locking rows
    /// of one table must take them in the same order.
    fn lock_rows(&mut self, table: &str, key: &[(&str, Value)]) -> StorageResult<bool>;

    /// Inserts the row `key` + `values`, or, when a row with that key exists, writes `values`
    /// on it, in one statement (no read first: two nodes writing the same key at once leave one
    /// row, never a duplicate or a "not found"). `key` must be exactly the columns of a primary
    /// or unique key of `table`, and the only one a row could collide on. With no `values` an
    /// existing row is left as it is. `key` and `values` must make a whole row (every NOT NULL
    /// column without a default given), even when the row exists: databases check that
    /// before they look for the conflict. To change some columns of a row, use `update`.
    fn upsert(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        values: &[(&str, Value)],
    ) -> StorageResult<()>;

    /// Inserts the row `key` + `amounts`, or, when a row with that key exists, adds each
    /// amount to its column, in one statement: counters that several nodes add to (per-key,
    /// per-hour request counts). `key` must be exactly the columns of the primary or a unique
    /// key of `table`, and the only one a row could collide on; the other columns need
    /// defaults.
    fn accumulate(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        amounts: &[(&str, i64)],
    ) -> StorageResult<()>;

    /// Deletes the rows matching `key` (every pair equal; empty: all rows) whose `column` is
    /// below `below` (rolling tables: buckets past their retention, rows beyond the latest N);
    /// returns the rows deleted.
    fn delete_below(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        column: &str,
        below: Value,
    ) -> StorageResult<u64>;

    /// Inserts many rows of the same `columns` (bulk loads: the search index of a whole
    /// catalogue). Backends send them several rows to a statement.
    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
        existing: Existing,
    ) -> StorageResult<()>;
}

/// What a bulk insert does with a row whose key is already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// The statement fails (and with it the transaction).
    Fail,
    /// The stored row stays, the new one is dropped (as [`Tx::insert_ignore`]).
    Keep,
}

/// A database: short read sessions and serialised write transactions.
/// Time spent waiting for a pooled connection, as the histogram
/// `shopws_db_pool_wait_seconds` (a no-op unless metrics are served). SQLite reports only
/// reads that found its pool empty; MySQL every checkout.
pub fn record_pool_wait(waited: std::time::Duration) {
    metrics::histogram!("shopws_db_pool_wait_seconds").record(waited.as_secs_f64());
}

/// A connection pool's state at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolStats {
    /// Pooled connections.
    pub size: usize,
    /// Pooled connections not lent out.
    pub idle: usize,
    /// Reads waiting for a connection.
    pub waiting: usize,
    /// Connections opened beyond the pool because it was busy.
    pub extra: usize,
}

pub trait Store: Send + Sync + 'static {
    fn read(&self, f: &mut dyn FnMut(&mut dyn Reader) -> StorageResult<()>) -> StorageResult<()>;
    /// Runs `f` in a transaction: committed when it returns Ok, rolled back otherwise.
    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<()>) -> StorageResult<()>;
    /// A short description for logs (never contains credentials).
    fn describe(&self) -> String;

    /// Whether a read waits on another process (a database server over a socket): such
    /// reads never run on an async worker thread, however small. Reads of an embedded file
    /// take microseconds and are cheaper done in place than handed to another thread.
    /// The read pool's state, when the backend can tell it cheaply (for metrics).
    fn pool_stats(&self) -> Option<PoolStats> {
        None
    }

    fn reads_wait_on_network(&self) -> bool {
        false
    }

    /// A number that changes whenever the database is written, by this process or another,
    /// when the backend can tell that cheaply (an embedded file). `None` where it cannot (a
    /// MySQL server, written by PrestaShop and other nodes): nothing read may then be reused
    /// on the strength of it.
    fn write_generation(&self) -> Option<u64> {
        None
    }

    /// The database server's own clock in UTC (`YYYY-MM-DD HH:MM:SS.ffffff`), when it has
    /// one apart from this process's (an embedded file has none).
    fn server_clock(&self) -> StorageResult<Option<String>> {
        Ok(None)
    }

    /// Whether PrestaShop itself serves this database too (a shop shopws attached to): then
    /// its tables stay the truth as PrestaShop reads them — keys live in clear in
    /// `webservice_account.key`, because PrestaShop's back office and its `/api/` keep using
    /// the same keys. Elsewhere that column holds a placeholder and shopws only the key's
    /// digest.
    fn shared_with_prestashop(&self) -> bool {
        false
    }
}

impl dyn Store {
    /// Runs `f` in a write transaction with its own result and error types: committed when
    /// `f` returns `Ok`; rolled back when it returns `Err` (that error is the answer) or when
    /// the commit fails (a storage error, converted).
    pub fn transaction<T, E>(&self, mut f: impl FnMut(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError> + std::error::Error + Send + Sync + 'static,
    {
        let mut out = None;
        let done = self.write(&mut |tx| {
            out = Some(f(tx).map_err(StorageError::abort)?);
            Ok(())
        });
        finish(done, out)
    }

    /// Runs `f` in one read session (one snapshot), with its own result and error types.
    pub fn reading<T, E>(&self, mut f: impl FnMut(&mut dyn Reader) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError> + std::error::Error + Send + Sync + 'static,
    {
        let mut out = None;
        let done = self.read(&mut |rd| {
            out = Some(f(rd).map_err(StorageError::abort)?);
            Ok(())
        });
        finish(done, out)
    }

    /// Loads PrestaShop's reference data (and the demo shop with `SeedMode::Demo`) when the
    /// database holds none yet. Returns whether it did.
    pub fn seed(&self, mode: SeedMode) -> StorageResult<bool> {
        self.seed_then(mode, &mut |_| Ok(()))
    }

    /// [`seed`](Self::seed), then `then` in the same transaction when it seeded (what is
    /// derived from the rows, such as the search index, is there as soon as they are).
    pub fn seed_then(
        &self,
        mode: SeedMode,
        then: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<()>,
    ) -> StorageResult<bool> {
        let mut done = false;
        self.write(&mut |tx| {
            done = seed::is_empty(tx)?;
            if done {
                seed::load(tx, mode)?;
                then(tx)?;
            }
            Ok(())
        })?;
        Ok(done)
    }

    /// The first row a keyed select finds, in its own read session.
    pub fn first_row(&self, select: &Select) -> StorageResult<Option<Vec<Value>>> {
        let mut row = None;
        self.read(&mut |r| {
            row = r.select(select)?.into_iter().next();
            Ok(())
        })?;
        Ok(row)
    }
}

fn finish<T, E>(done: StorageResult<()>, out: Option<T>) -> Result<T, E>
where
    E: From<StorageError> + std::error::Error + 'static,
{
    match (done, out) {
        (Ok(()), Some(v)) => Ok(v),
        (Ok(()), None) => Err(StorageError::Other("the session ran nothing".into()).into()),
        (Err(e), _) => Err(e.into_caller::<E>().unwrap_or_else(E::from)),
    }
}

/// How to open the database named by `--database`.
pub struct OpenOptions<'a> {
    /// `sqlite:PATH`, `mysql://USER:PASSWORD@HOST:PORT/DB` or `mariadb://…` (a unix socket:
    /// `mysql://USER:PASSWORD@localhost/DB?socket=PATH`).
    pub url: &'a str,
    /// Connections kept for reads (SQLite) or at most in the pool (MySQL).
    pub connections: usize,
    /// MySQL: the table prefix, when the database holds several PrestaShop installs.
    pub table_prefix: Option<&'a str>,
    /// Refuse, rather than create, a database that does not exist or holds no shop yet (for
    /// tools that only look, such as `shopws doctor`).
    pub existing_only: bool,
}

/// Opens the database named by a `--database` URL, creating its tables when it is empty.
pub fn open_with(o: &OpenOptions) -> StorageResult<Box<dyn Store>> {
    if let Some(path) = o.url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if o.existing_only && !std::path::Path::new(path).exists() {
            return Err(StorageError::Refused(format!("no database file at {path}")));
        }
        return Ok(Box::new(sqlite::SqliteStore::open(path, o.connections)?));
    }
    if o.url.starts_with("mysql://") || o.url.starts_with("mariadb://") {
        return Ok(Box::new(mysql::MysqlStore::open(&mysql::MysqlOptions {
            url: o.url,
            prefix: o.table_prefix,
            max_connections: o.connections,
            existing_only: o.existing_only,
        })?));
    }
    Err(StorageError::Invalid(format!(
        "unsupported database URL (expected sqlite:PATH or mysql://USER:PASSWORD@HOST:PORT/DATABASE): {}",
        o.url.split(':').next().unwrap_or_default()
    )))
}

/// Opens a database with default options (tests, tools).
pub fn open(url: &str, connections: usize) -> StorageResult<Box<dyn Store>> {
    open_with(&OpenOptions {
        existing_only: false,
        url,
        connections,
        table_prefix: None,
    })
}
