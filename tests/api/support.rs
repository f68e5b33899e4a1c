//! A real shopws server on a free port with its own database, and helpers to talk to it.
//!
//! The database is a SQLite file in a temporary directory, or, when SHOPWS_TEST_MYSQL holds
//! the URL of a MySQL/MariaDB server without a database (`mysql://USER:PASSWORD@HOST:PORT`),
//! a fresh database `t_<pid>_<n>` on that server, dropped with the shop. Tests reach the
//! database only through the helpers here (`sql_exec`, `sql_rows`, `table`, `ident`, …), so
//! every test runs unchanged on both backends.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use mysql::prelude::Queryable as _;

/// The pepper every process serving a test's MySQL database shares (there is no database
/// file to keep a `.pepper` file beside).
const MYSQL_PEPPER: &str = "7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de";

/// The table prefix shopws gives a MySQL database it creates.
const MYSQL_PREFIX: &str = "ps_";

/// Tests whose subject exists on one backend only, skipped on MySQL: (test, reason).
/// Everything else runs on both.
const SKIPPED_ON_MYSQL: &[(&str, &str)] = &[];

/// The MySQL server the tests run on (SHOPWS_TEST_MYSQL), or `None` for SQLite.
fn mysql_server() -> Option<String> {
    std::env::var("SHOPWS_TEST_MYSQL")
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty() && u != "off")
}

/// Call first in a test listed in [`SKIPPED_ON_MYSQL`] (`if skip_on_mysql("name") { return; }`):
/// `true` when the tests run on MySQL, after a line saying so on standard error, written past
/// the test harness's capture so that it shows even when the test passes.
#[allow(dead_code)] // the table is empty: every test runs on both backends
pub fn skip_on_mysql(test: &str) -> bool {
    use std::io::Write as _;
    let reason = SKIPPED_ON_MYSQL
        .iter()
        .find(|(name, _)| *name == test)
        .map(|(_, reason)| *reason)
        .unwrap_or_else(|| panic!("{test} is not listed in SKIPPED_ON_MYSQL"));
    if mysql_server().is_none() {
        return false;
    }
    let _ = writeln!(std::io::stderr(), "skipped on mysql: {test}: {reason}");
    true
}

/// `base` (a server URL, maybe with `?options`) naming database `db`.
fn with_database(base: &str, db: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    format!("{}/{db}{query}", head.trim_end_matches('/'))
}

fn mysql_conn(url: &str) -> mysql::Conn {
    let opts = mysql::Opts::from_url(url).unwrap_or_else(|e| panic!("MySQL URL: {e}"));
    let opts = mysql::OptsBuilder::from_opts(opts).init(vec![
        // As PrestaShop connects.
        "SET NAMES utf8mb4",
        "SET SESSION sql_mode = ''",
    ]);
    mysql::Conn::new(opts).unwrap_or_else(|e| panic!("connect to MySQL: {e}"))
}

/// A MySQL database created for one shop on the tests' server, dropped with it.
struct MysqlDb {
    server: String,
    name: String,
}

impl MysqlDb {
    fn create() -> Option<MysqlDb> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let server = mysql_server()?;
        let name = format!(
            "t_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = mysql_conn(&server);
        // A database left behind by an earlier run whose process had the same id.
        c.query_drop(format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop stale database");
        c.query_drop(format!(
            "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
        ))
        .expect("create database");
        Some(MysqlDb { server, name })
    }

    fn url(&self) -> String {
        with_database(&self.server, &self.name)
    }
}

impl Drop for MysqlDb {
    /// Best effort: a database left behind is not a failure (the server is thrown away).
    fn drop(&mut self) {
        let Ok(opts) = mysql::Opts::from_url(&self.server) else {
            return;
        };
        let opts =
            mysql::OptsBuilder::from_opts(opts).init(vec!["SET SESSION lock_wait_timeout = 10"]);
        if let Ok(mut c) = mysql::Conn::new(opts) {
            let _ = c.query_drop(format!("DROP DATABASE IF EXISTS {}", self.name));
        }
    }
}

pub struct TestShop {
    pub url: String,
    pub key: String,
    /// The database URL (`sqlite:PATH` or `mysql://…/DATABASE`).
    pub db: String,
    /// The server's log (standard error), when started with [`TestShop::start_logged`].
    pub log: Option<PathBuf>,
    /// `http://ADDR/metrics` when started with `--metrics-listen`.
    pub metrics_url: Option<String>,
    child: Child,
    /// The directory of the log and of a SQLite database this shop created (`None` on a
    /// database it was given).
    _dir: Option<tempfile::TempDir>,
    /// A MySQL database this shop created (`None` on a database it was given).
    mysql_db: Option<MysqlDb>,
    http: reqwest::blocking::Client,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Error codes of a PrestaShop XML or JSON error document.
    pub fn codes(&self) -> Vec<u32> {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&self.body) {
            return v["errors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e["code"].as_u64().map(|c| c as u32))
                        .collect()
                })
                .unwrap_or_default();
        }
        let Ok(doc) = roxmltree::Document::parse(&self.body) else {
            return Vec::new();
        };
        doc.descendants()
            .filter(|n| n.has_tag_name("code"))
            .filter_map(|n| n.text().and_then(|t| t.trim().parse().ok()))
            .collect()
    }
    pub fn xml(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.body)
            .unwrap_or_else(|e| panic!("not XML ({e}): {}", &self.body[..self.body.len().min(300)]))
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// `id` attributes of list items.
    pub fn ids(&self) -> Vec<i64> {
        self.xml()
            .descendants()
            .filter_map(|n| n.attribute("id").and_then(|v| v.parse().ok()))
            .filter(|_| true)
            .collect()
    }
}

/// A JSON column value in PrestaShop's string form (`"2400"`) as a number; `None` for anything
/// else, a JSON number included.
pub fn int_str(v: &serde_json::Value) -> Option<i64> {
    v.as_str().and_then(|s| s.parse().ok())
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_shopws"))
}

impl TestShop {
    /// Starts `shopws serve --demo` on a fresh database and waits for the printed key.
    pub fn start() -> TestShop {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> TestShop {
        Self::spawn(extra, false)
    }

    /// Starts with the most verbose log, written to a file the test can read.
    pub fn start_logged() -> TestShop {
        Self::spawn(&[], true)
    }

    /// [`TestShop::start_logged`] with extra `serve` arguments.
    pub fn start_logged_with(extra: &[&str]) -> TestShop {
        Self::spawn(extra, true)
    }

    /// Starts `shopws serve` (without `--demo`) on an existing database, e.g. one a killed
    /// shop left behind; `key` is a key already in it (the first shop's demo key).
    pub fn start_on(db: &str, key: &str, extra: &[&str]) -> TestShop {
        let mut shop = Self::launch(db.to_string(), None, false, extra, false);
        shop.key = key.to_string();
        shop
    }

    fn spawn(extra: &[&str], logged: bool) -> TestShop {
        let dir = tempfile::tempdir().expect("tempdir");
        let mysql_db = MysqlDb::create();
        let db = match &mysql_db {
            Some(m) => m.url(),
            None => format!("sqlite:{}", dir.path().join("shop.db").display()),
        };
        let mut shop = Self::launch(db, Some(dir), true, extra, logged);
        shop.mysql_db = mysql_db;
        shop
    }

    fn launch(
        db: String,
        dir: Option<tempfile::TempDir>,
        demo: bool,
        extra: &[&str],
        logged: bool,
    ) -> TestShop {
        let log = dir
            .as_ref()
            .filter(|_| logged)
            .map(|d| d.path().join("server.log"));
        let stderr = match &log {
            Some(p) => Stdio::from(std::fs::File::create(p).expect("log file")),
            None => Stdio::inherit(),
        };
        let mut child = command_on(&db)
            .arg("serve")
            .args(demo.then_some("--demo"))
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("SHOPWS_LOG", if logged { "trace" } else { "warn" })
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start shopws");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut key = String::new();
        let mut url = String::new();
        let mut metrics_url = None;
        while url.is_empty() {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("shopws printed its address");
            let t = line.trim();
            if let Some(m) = t.strip_prefix("shopws metrics on ") {
                metrics_url = Some(m.to_string());
            }
            if t.len() == 32 && t.bytes().all(|b| b.is_ascii_alphanumeric()) {
                key = t.to_string();
            }
            if let Some((_, rest)) = line
                .split_once(" on ")
                .filter(|_| line.starts_with("shopws serving"))
            {
                // Behind a public base URL the line also names the local address.
                let local = rest
                    .split(" (listening on ")
                    .nth(1)
                    .map(|l| l.trim_end_matches(')'));
                url = local
                    .unwrap_or(rest)
                    .trim_end_matches("api/")
                    .trim_end_matches('/')
                    .to_string();
            }
        }
        TestShop {
            url,
            key,
            db,
            log,
            metrics_url,
            child,
            _dir: dir,
            mysql_db: None,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
        }
    }

    /// The shopws binary, set up to work on this shop's database (add the arguments).
    pub fn command(&self) -> Command {
        command_on(&self.db)
    }

    /// Runs the CLI on this shop's database; returns stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().expect("run shopws");
        assert!(
            out.status.success(),
            "shopws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the CLI on this shop's database expecting it to fail; returns stderr.
    pub fn cli_fails(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().expect("run shopws");
        assert!(
            !out.status.success(),
            "shopws {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Creates a key with the given grant flags and returns it.
    pub fn key(&self, grant: &[&str]) -> String {
        let mut args = vec!["key", "add"];
        args.extend_from_slice(grant);
        self.cli(&args)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    pub fn req(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.http.request(m, format!("{}{}", self.url, path));
        if let Some(k) = key {
            rb = rb.basic_auth(k, Some(""));
        }
        for (n, v) in headers {
            rb = rb.header(*n, *v);
        }
        if let Some(b) = body {
            rb = rb.body(b.to_string());
        }
        let r = rb.send().expect("request");
        Resp {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().unwrap_or_default(),
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.req("GET", path, Some(&self.key.clone()), None, &[])
    }

    /// A request whose body is bytes (uploads); the answer's body as bytes too.
    pub fn req_bytes(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> (Resp, Vec<u8>) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.http.request(m, format!("{}{}", self.url, path));
        if let Some(k) = key {
            rb = rb.basic_auth(k, Some(""));
        }
        for (n, v) in headers {
            rb = rb.header(*n, *v);
        }
        let r = rb.body(body).send().expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let bytes = r.bytes().map(|b| b.to_vec()).unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        (
            Resp {
                status,
                headers,
                body,
            },
            bytes,
        )
    }
    pub fn send(&self, method: &str, path: &str, body: &str) -> Resp {
        self.req(method, path, Some(&self.key.clone()), Some(body), &[])
    }
}

impl TestShop {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port` of the server, for raw TCP clients.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    /// A raw connection, for clients that misbehave on purpose.
    pub fn connect(&self) -> std::net::TcpStream {
        let s = std::net::TcpStream::connect(self.addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        s
    }

    /// Sends a signal to the server (`TERM`, `KILL`, `INT`).
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{name}");
    }

    /// Waits for the server to exit, at most `limit`; its status, or `None` if still running.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let end = std::time::Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if std::time::Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The shopws binary set up to work on database `db`: on MySQL with the tests' pepper.
pub fn command_on(db: &str) -> Command {
    let mut c = Command::new(bin());
    c.env("SHOPWS_DATABASE", db);
    // No demo pictures unless a test asks (slow in a debug build; on MySQL they would go to
    // `img` in the working directory).
    c.env("SHOPWS_DEMO_PICTURES", "false");
    if !db.starts_with("sqlite:") {
        c.env("SHOPWS_PEPPER", MYSQL_PEPPER);
    }
    c
}

/// A value bound to a `?` of [`TestShop::sql_exec`] and friends.
#[derive(Debug, Clone)]
pub enum SqlValue {
    Int(i64),
    Text(String),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Int(v)
    }
}

impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_string())
    }
}

impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}

impl rusqlite::ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            SqlValue::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            SqlValue::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

fn mysql_params(params: &[SqlValue]) -> mysql::Params {
    if params.is_empty() {
        return mysql::Params::Empty;
    }
    mysql::Params::Positional(
        params
            .iter()
            .map(|p| match p {
                SqlValue::Int(i) => mysql::Value::Int(*i),
                SqlValue::Text(t) => mysql::Value::Bytes(t.clone().into_bytes()),
            })
            .collect(),
    )
}

fn mysql_text(v: mysql::Value) -> Option<String> {
    use mysql::Value;
    match v {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Double(d) => Some(d.to_string()),
        Value::Date(y, mo, d, h, mi, s, _) => {
            Some(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
        }
        Value::Time(neg, d, h, mi, s, _) => Some(format!(
            "{}{:02}:{mi:02}:{s:02}",
            if neg { "-" } else { "" },
            u32::from(h) + d * 24
        )),
    }
}

fn sqlite_text(v: rusqlite::types::ValueRef<'_>) -> Option<String> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Direct access to the shop's database, in the SQL both backends understand: `?`
/// placeholders, `{name}` for PrestaShop's table `name` (see [`TestShop::table`]), reserved
/// words through [`TestShop::ident`].
impl TestShop {
    /// Whether this shop's database is a MySQL server's.
    pub fn mysql(&self) -> bool {
        !self.db.starts_with("sqlite:")
    }

    fn sqlite(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(self.db.trim_start_matches("sqlite:"))
            .expect("open database");
        c.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        c
    }

    /// The name of PrestaShop's table `name` (`configuration`, `shopws_audit`, …) in this
    /// database: prefixed on MySQL.
    pub fn table(&self, name: &str) -> String {
        if self.mysql() {
            format!("{MYSQL_PREFIX}{name}")
        } else {
            name.to_string()
        }
    }

    /// `sql` with each `{name}` replaced by [`TestShop::table`]`(name)`.
    fn tables_in(&self, sql: &str) -> String {
        let mut out = String::with_capacity(sql.len() + 32);
        let mut rest = sql;
        while let Some(start) = rest.find('{') {
            let len = rest[start..]
                .find('}')
                .unwrap_or_else(|| panic!("{sql}: unclosed {{"));
            out.push_str(&rest[..start]);
            out.push_str(&self.table(&rest[start + 1..start + len]));
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A column name that is a reserved word (`key`), quoted for this database.
    pub fn ident(&self, name: &str) -> String {
        if self.mysql() {
            format!("`{name}`")
        } else {
            format!("\"{name}\"")
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn sql_exec(&self, sql: &str, params: &[SqlValue]) -> u64 {
        let sql = &self.tables_in(sql);
        if self.mysql() {
            let mut c = mysql_conn(&self.db);
            c.exec_drop(sql, mysql_params(params))
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            c.affected_rows()
        } else {
            self.sqlite()
                .execute(sql, rusqlite::params_from_iter(params))
                .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64
        }
    }

    /// The rows of a query, each value as text (`None` for NULL).
    pub fn sql_rows(&self, sql: &str, params: &[SqlValue]) -> Vec<Vec<Option<String>>> {
        let sql = &self.tables_in(sql);
        if self.mysql() {
            let rows: Vec<mysql::Row> = mysql_conn(&self.db)
                .exec(sql, mysql_params(params))
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            rows.into_iter()
                .map(|r| r.unwrap().into_iter().map(mysql_text).collect())
                .collect()
        } else {
            let c = self.sqlite();
            let mut stmt = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            let n = stmt.column_count();
            stmt.query_map(rusqlite::params_from_iter(params), |r| {
                (0..n)
                    .map(|i| r.get_ref(i).map(sqlite_text))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }

    /// The first column of every row of a query (NULLs left out).
    pub fn sql_strings(&self, sql: &str, params: &[SqlValue]) -> Vec<String> {
        self.sql_rows(sql, params)
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect()
    }

    /// The single integer a query answers (`SELECT COUNT(*) …`).
    pub fn sql_i64(&self, sql: &str, params: &[SqlValue]) -> i64 {
        let rows = self.sql_rows(sql, params);
        let v = rows
            .first()
            .and_then(|r| r.first())
            .cloned()
            .flatten()
            .unwrap_or_else(|| panic!("{sql}: no value"));
        v.parse()
            .unwrap_or_else(|e| panic!("{sql}: {v:?} is not an integer ({e})"))
    }

    /// Inserts `rows` into PrestaShop's table `table` in one transaction, many rows per
    /// statement.
    pub fn sql_insert(
        &self,
        table: &str,
        columns: &[&str],
        rows: impl IntoIterator<Item = Vec<SqlValue>>,
    ) {
        const PER_STATEMENT: usize = 1000;
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table(table),
            columns.join(", ")
        );
        let tuple = format!("({})", vec!["?"; columns.len()].join(", "));
        let statement = |n: usize| format!("{head}{}", vec![tuple.as_str(); n].join(", "));
        let mut rows = rows.into_iter().peekable();
        let chunks = std::iter::from_fn(move || {
            rows.peek()?;
            let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(PER_STATEMENT).collect();
            Some(chunk)
        });
        if self.mysql() {
            let mut c = mysql_conn(&self.db);
            let mut tx = c
                .start_transaction(mysql::TxOpts::default())
                .expect("transaction");
            for chunk in chunks {
                let sql = statement(chunk.len());
                let params: Vec<SqlValue> = chunk.into_iter().flatten().collect();
                tx.exec_drop(&sql, mysql_params(&params))
                    .unwrap_or_else(|e| panic!("insert into {table}: {e}"));
            }
            tx.commit().expect("commit");
        } else {
            let mut c = self.sqlite();
            let tx = c.transaction().expect("transaction");
            for chunk in chunks {
                let sql = statement(chunk.len());
                tx.execute(&sql, rusqlite::params_from_iter(chunk.iter().flatten()))
                    .unwrap_or_else(|e| panic!("insert into {table}: {e}"));
            }
            tx.commit().expect("commit");
        }
    }

    /// Asserts the database is sound: SQLite's `integrity_check`, or `CHECK TABLE` of every
    /// table on MySQL.
    pub fn assert_integrity(&self) {
        if self.mysql() {
            let mut c = mysql_conn(&self.db);
            let tables: Vec<String> = c
                .query(
                    "SELECT TABLE_NAME FROM information_schema.TABLES \
                     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
                )
                .expect("tables");
            assert!(!tables.is_empty(), "no tables");
            for chunk in tables.chunks(50) {
                let list: Vec<String> = chunk.iter().map(|t| format!("`{t}`")).collect();
                // (Table, Op, Msg_type, Msg_text)
                let rows: Vec<(String, String, String, String)> = c
                    .query(format!("CHECK TABLE {}", list.join(", ")))
                    .expect("check table");
                for (table, _, kind, text) in rows {
                    assert!(
                        kind != "error" && (kind != "status" || text == "OK"),
                        "CHECK TABLE {table}: {kind}: {text}"
                    );
                }
            }
        } else {
            let c = rusqlite::Connection::open_with_flags(
                self.db.trim_start_matches("sqlite:"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("open");
            let result: Vec<String> = c
                .prepare("PRAGMA integrity_check")
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            assert_eq!(result, vec!["ok".to_string()], "integrity_check");
        }
    }
}

impl Drop for TestShop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Then the database it served, if this shop created it (MysqlDb's drop).
    }
}

/// `n` extra configuration rows, so a full list of them is several megabytes.
pub fn bulk_rows(shop: &TestShop, n: usize) {
    shop.sql_insert(
        "configuration",
        &["name", "value", "date_add", "date_upd"],
        (0..n).map(|i| {
            vec![
                format!("BULK_{i}").into(),
                format!("{i:0>120}").into(),
                "2025-01-01 00:00:00".into(),
                "2025-01-01 00:00:00".into(),
            ]
        }),
    );
}

pub fn basic(key: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
}

/// Reads until the peer closes; what arrived and whether it closed (not timed out).
pub fn read_to_close(s: &mut std::net::TcpStream) -> (Vec<u8>, bool) {
    let mut all = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match std::io::Read::read(s, &mut buf) {
            Ok(0) => return (all, true),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(_) => return (all, false),
        }
    }
}

/// The `id` of the entity in an XML answer (0 when there is none).
pub fn id_of(body: &str) -> i64 {
    let doc = roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    doc.descendants()
        .find(|n| n.has_tag_name("id"))
        .and_then(|n| n.text())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}
