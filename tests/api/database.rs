//! A MySQL database that goes away while shopws serves it: a MariaDB of the test's own
//! (`scripts/mariadb.sh`), killed as in a crash and started again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{bin, id_of, TestShop};

/// A throw-away MariaDB, removed when dropped.
struct MariaDb {
    port: String,
    dir: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/mariadb.sh")
}

impl MariaDb {
    /// `None` (with a line saying so) where MariaDB cannot run.
    fn up() -> Option<MariaDb> {
        if std::env::var("SHOPWS_TEST_MYSQL").as_deref() == Ok("off") {
            println!("skipped: SHOPWS_TEST_MYSQL=off");
            return None;
        }
        let found = Command::new("sh")
            .args(["-c", "command -v mariadbd || test -x /usr/sbin/mariadbd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            println!("skipped: mariadbd is not installed (scripts/mariadb.sh install)");
            return None;
        }
        let out = Command::new(script())
            .arg("up")
            .output()
            .expect("mariadb.sh");
        assert!(
            out.status.success(),
            "mariadb.sh up: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8_lossy(&out.stdout).to_string();
        let mut parts = line.split_whitespace();
        Some(MariaDb {
            port: parts.next().expect("port").to_string(),
            dir: parts.next().expect("dir").to_string(),
        })
    }

    fn run(&self, what: &str) -> String {
        let out = Command::new(script())
            .args([what, &self.dir])
            .output()
            .expect("mariadb.sh");
        assert!(
            out.status.success(),
            "mariadb.sh {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn url(&self, db: &str) -> String {
        format!("mysql://shopws:shopws@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["down", &self.dir]).output();
    }
}

/// Runs the CLI on `db`; returns its standard output.
fn cli(db: &str, pepper: &Path, args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(["--database", db, "--pepper-file"])
        .arg(pepper)
        .args(args)
        .env("SHOPWS_LOG", "warn")
        .output()
        .expect("shopws");
    assert!(
        out.status.success(),
        "shopws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn a_database_that_dies_gives_503_then_service_resumes_without_losing_a_write() {
    let Some(mdb) = MariaDb::up() else { return };
    let pepper = tempfile::tempdir().expect("tempdir");
    let pepper = pepper.path().join("pepper");
    let created = Command::new("mariadb")
        .args([
            "--no-defaults",
            &format!("--socket={}/mysqld.sock", mdb.dir),
            "-uroot",
            "-e",
            "CREATE DATABASE shop",
        ])
        .status()
        .expect("mariadb client");
    assert!(created.success());
    let db = mdb.url("shop");
    cli(&db, &pepper, &["webservice", "enable"]);
    let key = cli(&db, &pepper, &["key", "add", "--all"])
        .trim()
        .lines()
        .last()
        .expect("key")
        .to_string();
    let pepper_arg = pepper.to_string_lossy().to_string();
    let shop = TestShop::start_on(&db, &key, &["--pepper-file", &pepper_arg]);

    let posted = shop.send(
        "POST",
        "/api/tags",
        "<prestashop><tag><id_lang>1</id_lang><name>before the crash</name></tag></prestashop>",
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let tag = id_of(&posted.body);

    mdb.run("kill");
    for path in [
        "/api/taxes/1",
        "/api/languages/1",
        &format!("/api/tags/{tag}"),
    ] {
        let t = Instant::now();
        let r = shop.get(path);
        assert_eq!(r.status, 503, "{path} without a database: {}", r.body);
        assert_eq!(r.codes(), vec![1004], "{}", r.body);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert!(t.elapsed() < Duration::from_secs(6), "answered at once");
    }
    let refused = shop.send(
        "POST",
        "/api/tags",
        "<prestashop><tag><id_lang>1</id_lang><name>while down</name></tag></prestashop>",
    );
    assert_eq!(refused.status, 503, "{}", refused.body);

    mdb.run("start");
    // Every pooled connection died with the server: the first reads after its return must
    // not fail on them.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = shop.get(&format!("/api/tags/{tag}"));
        if r.status == 200 {
            assert!(r.body.contains("before the crash"), "{}", r.body);
            break;
        }
        assert!(Instant::now() < deadline, "not back after 10 s: {}", r.body);
        std::thread::sleep(Duration::from_millis(100));
    }
    for i in 0..20 {
        let path = if i % 2 == 0 {
            "/api/taxes/1".to_string()
        } else {
            format!("/api/tags/{tag}")
        };
        let r = shop.get(&path);
        assert_eq!(r.status, 200, "request {i} after the restart: {}", r.body);
    }
    let again = shop.send(
        "POST",
        "/api/tags",
        "<prestashop><tag><id_lang>1</id_lang><name>after the restart</name></tag></prestashop>",
    );
    assert_eq!(again.status, 201, "{}", again.body);
}

#[test]
fn wrong_credentials_or_a_database_that_is_not_prestashop_are_refused_at_start() {
    let Some(mdb) = MariaDb::up() else { return };
    let mysql = |args: &str| {
        Command::new("mariadb")
            .args([
                "--no-defaults",
                &format!("--socket={}/mysqld.sock", mdb.dir),
                "-uroot",
                "-e",
                args,
            ])
            .status()
            .expect("mariadb client")
    };
    assert!(mysql("CREATE DATABASE other; CREATE TABLE other.wp_posts (id INT)").success());
    let cases = [
        (
            format!("mysql://shopws:wrong@127.0.0.1:{}/other", mdb.port),
            "Access denied",
        ),
        (mdb.url("nosuchdb"), "Unknown database"),
        (mdb.url("other"), "no PrestaShop shop"),
        (
            "mysql://shopws:shopws@127.0.0.1:1/shop".to_string(),
            "cannot connect",
        ),
    ];
    for (url, says) in cases {
        let out = Command::new(bin())
            .args(["--database", &url, "webservice", "status"])
            .env("SHOPWS_PEPPER", "7".repeat(64))
            .output()
            .expect("shopws");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{url} accepted");
        assert!(err.contains(says), "{url}: {err}");
        assert!(
            !err.contains(":wrong@"),
            "the password is never printed: {err}"
        );
    }
}
