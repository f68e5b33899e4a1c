//! A real shopws server on a free port with its own SQLite file, and helpers to talk to it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct TestShop {
    pub url: String,
    pub key: String,
    pub db: String,
    /// The server's log (standard error), when started with [`TestShop::start_logged`].
    pub log: Option<PathBuf>,
    child: Child,
    /// The directory of a database this shop created (`None` on a database it was given).
    _dir: Option<tempfile::TempDir>,
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
        let db = format!("sqlite:{}", dir.path().join("shop.db").display());
        Self::launch(db, Some(dir), true, extra, logged)
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
        let mut child = Command::new(bin())
            .arg("serve")
            .args(demo.then_some("--demo"))
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("SHOPWS_DATABASE", &db)
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
        while url.is_empty() {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("shopws printed its address");
            let t = line.trim();
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
            child,
            _dir: dir,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
        }
    }

    /// Runs the CLI on this shop's database; returns stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(bin())
            .args(args)
            .env("SHOPWS_DATABASE", &self.db)
            .output()
            .expect("run shopws");
        assert!(
            out.status.success(),
            "shopws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the CLI on this shop's database expecting it to fail; returns stderr.
    pub fn cli_fails(&self, args: &[&str]) -> String {
        let out = Command::new(bin())
            .args(args)
            .env("SHOPWS_DATABASE", &self.db)
            .output()
            .expect("run shopws");
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

    /// The database file's path.
    pub fn db_path(&self) -> String {
        self.db.trim_start_matches("sqlite:").to_string()
    }
}

impl Drop for TestShop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` extra configuration rows, so a full list of them is several megabytes.
pub fn bulk_rows(shop: &TestShop, n: usize) {
    let mut conn = rusqlite::Connection::open(shop.db_path()).expect("open");
    let tx = conn.transaction().expect("tx");
    for i in 0..n {
        tx.execute(
            "INSERT INTO configuration (name, value, date_add, date_upd) VALUES (?1, ?2, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
            (format!("BULK_{i}"), format!("{i:0>120}")),
        )
        .expect("insert");
    }
    tx.commit().expect("commit");
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
