//! A MySQL database that goes away while shopws serves it: a MariaDB of the test's own
//! (`scripts/mariadb.sh`), killed as in a crash and started again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{bin, command_on, id_of, TestShop};

/// A throw-away MariaDB, removed when dropped.
struct MariaDb {
    port: String,
    dir: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/mariadb.sh")
}

/// Runs `cmd`, fails the test with its standard error unless it succeeds; its standard
/// output.
fn succeed(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

impl MariaDb {
    /// `None` (with a line saying so) where MariaDB cannot run.
    fn up() -> Option<MariaDb> {
        // These run in the MySQL column of the suite (scripts/test.sh sets the variable),
        // once, not again with the SQLite column.
        match std::env::var("SHOPWS_TEST_MYSQL").as_deref() {
            Ok("off") | Ok("") | Err(_) => {
                eprintln!("skipped: runs with SHOPWS_TEST_MYSQL set (the MySQL column)");
                return None;
            }
            Ok(_) => {}
        }
        let found = Command::new("sh")
            .args(["-c", "command -v mariadbd || test -x /usr/sbin/mariadbd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            println!("skipped: mariadbd is not installed (scripts/mariadb.sh install)");
            return None;
        }
        let line = succeed(Command::new(script()).arg("up"), "mariadb.sh up");
        let mut parts = line.split_whitespace();
        Some(MariaDb {
            port: parts.next().expect("port").to_string(),
            dir: parts.next().expect("dir").to_string(),
        })
    }

    fn run(&self, what: &str) -> String {
        succeed(
            Command::new(script()).args([what, &self.dir]),
            &format!("mariadb.sh {what}"),
        )
    }

    /// Runs SQL as the server's administrator (as PrestaShop's back office or an operator
    /// would, beside shopws), in database `db` (none: ""); returns the tab-separated output.
    fn sql(&self, db: &str, text: &str) -> String {
        succeed(
            Command::new("mariadb")
                .args([
                    "--no-defaults",
                    &format!("--socket={}/mysqld.sock", self.dir),
                    "-uroot",
                    "-N",
                    "-B",
                ])
                .args((!db.is_empty()).then_some(db))
                .args(["-e", text]),
            text,
        )
        .trim()
        .to_string()
    }

    /// An existing PrestaShop 9 shop in database `db`, built as PrestaShop's installer and back
    /// office leave it (scripts/ps-fixture.py), with `key` made as its back office makes keys.
    fn prestashop(&self, db: &str, key: &str) {
        succeed(
            Command::new("python3")
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ps-fixture.py"))
                .args([
                    "--socket",
                    &format!("{}/mysqld.sock", self.dir),
                    "--user",
                    "root",
                    "--database",
                    db,
                    "--key",
                    key,
                ]),
            "ps-fixture",
        );
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

/// Runs the CLI on `db` (with the pepper every test server on MySQL is given); returns its
/// standard output.
fn cli(db: &str, args: &[&str]) -> String {
    succeed(
        command_on(db).args(args).env("SHOPWS_LOG", "warn"),
        &format!("shopws {args:?}"),
    )
}

#[test]
fn a_database_that_dies_gives_503_then_service_resumes_without_losing_a_write() {
    let Some(mdb) = MariaDb::up() else { return };
    mdb.sql("", "CREATE DATABASE shop");
    let db = mdb.url("shop");
    cli(&db, &["webservice", "enable"]);
    let key = cli(&db, &["key", "add", "--all"])
        .trim()
        .lines()
        .last()
        .expect("key")
        .to_string();
    let shop = TestShop::start_on(&db, &key, &[]);

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
    mdb.sql(
        "",
        "CREATE DATABASE other; CREATE TABLE other.wp_posts (id INT)",
    );
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

/// Polls `path` on every shop until each answers `status`; returns the slowest time.
fn until_all(shops: &[&TestShop], key: &str, path: &str, status: u16, limit: Duration) -> Duration {
    let t0 = Instant::now();
    let mut slowest = Duration::ZERO;
    for shop in shops {
        loop {
            let r = shop.req("GET", path, Some(key), None, &[]);
            if r.status == status {
                slowest = slowest.max(t0.elapsed());
                break;
            }
            assert!(
                t0.elapsed() < limit,
                "{path} still {} after {limit:?}: {}",
                r.status,
                r.body
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    slowest
}

const PS_KEY: &str = "PsBackOfficeKey00000000000000001";

#[test]
fn two_nodes_serve_an_existing_prestashop_shop_with_its_own_keys() {
    let Some(mdb) = MariaDb::up() else { return };
    mdb.prestashop("shop", PS_KEY);
    let db = mdb.url("shop");
    // Polling with a refused key counts as failed authentications: no budget here.
    let extra = ["--auth-failures", "0"];
    let a = TestShop::start_on(&db, PS_KEY, &extra);
    let b = TestShop::start_on(&db, PS_KEY, &extra);

    // The key PrestaShop's back office wrote works on both, in any case, as in PrestaShop.
    for shop in [&a, &b] {
        let r = shop.req(
            "GET",
            "/api/products/1",
            Some(&PS_KEY.to_lowercase()),
            None,
            &[],
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(
        mdb.sql(
            "shop",
            "SELECT COUNT(*) FROM ps_shopws_meta WHERE value = 'attached'"
        ),
        "1"
    );

    // A key made by shopws is written where PrestaShop's back office lists it.
    let made = cli(&db, &["key", "add", "--allow", "customers=GET,HEAD"]);
    let made = made.trim().lines().last().expect("key").to_string();
    let row = mdb.sql(
        "shop",
        &format!(
            "SELECT a.active, COUNT(p.id_webservice_permission), \
             (SELECT COUNT(*) FROM ps_webservice_account_shop s WHERE s.id_webservice_account = a.id_webservice_account) \
             FROM ps_webservice_account a JOIN ps_webservice_permission p USING (id_webservice_account) \
             WHERE a.`key` = '{made}' GROUP BY a.id_webservice_account"
        ),
    );
    assert_eq!(row, "1\t2\t1", "active, GET+HEAD on customers, one shop");
    assert_eq!(
        b.req("GET", "/api/customers", Some(&made), None, &[])
            .status,
        200
    );
    assert_eq!(
        b.req("GET", "/api/products", Some(&made), None, &[]).status,
        401
    );

    // Sealed: PrestaShop's table no longer holds the key, shopws still takes it, on both nodes.
    assert!(cli(&db, &["key", "seal", &made]).contains("sealed"));
    let stored = mdb.sql(
        "shop",
        &format!("SELECT COUNT(*) FROM ps_webservice_account WHERE `key` = '{made}'"),
    );
    assert_eq!(stored, "0", "the clear key is gone from PrestaShop's table");
    for shop in [&a, &b] {
        until_all(
            &[shop],
            &made,
            "/api/customers",
            200,
            Duration::from_millis(1250),
        );
    }
    assert!(cli(&db, &["key", "seal", &made]).contains("already sealed"));

    // A customer posted through one node is read through the other at once.
    let posted = a.send(
        "POST",
        "/api/customers",
        "<prestashop><customer><firstname>Ada</firstname><lastname>Lovelace</lastname>\
         <email>ada.two.nodes@example.com</email><passwd>correct-horse-9</passwd></customer></prestashop>",
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let id = id_of(&posted.body);
    let read = b.get(&format!("/api/customers/{id}"));
    assert_eq!(read.status, 200);
    assert!(read.body.contains("ada.two.nodes@example.com"));

    // A product posted through /api/ leaves what PrestaShop's PHP reads.
    let posted = b.send(
        "POST",
        "/api/products",
        "<prestashop><product><price>12.5</price><id_category_default>2</id_category_default>\
         <name><language id=\"1\">Attached</language></name>\
         <associations><categories><category><id>2</id></category></categories></associations>\
         </product></prestashop>",
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let p = id_of(&posted.body);
    let langs = mdb.sql("shop", "SELECT COUNT(*) FROM ps_lang");
    let facts = mdb.sql(
        "shop",
        &format!(
            "SELECT (SELECT indexed FROM ps_product WHERE id_product = {p}), \
             (SELECT COUNT(*) FROM ps_product_shop WHERE id_product = {p}), \
             (SELECT COUNT(*) FROM ps_product_lang WHERE id_product = {p}), \
             (SELECT COUNT(*) FROM ps_category_product WHERE id_product = {p} AND id_category = 2), \
             (SELECT COUNT(*) FROM ps_stock_available WHERE id_product = {p} AND id_product_attribute = 0)"
        ),
    );
    assert_eq!(
        facts,
        format!("0\t1\t{langs}\t1\t1"),
        "indexed, _shop, _lang, category, stock"
    );

    // Disabled directly in PrestaShop's table, as its back office does: refused by both
    // nodes within a second.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        mdb.sql(
            "shop",
            &format!("UPDATE ps_webservice_account SET active = 0 WHERE `key` = '{PS_KEY}'"),
        );
        slowest = slowest.max(until_all(
            &[&a, &b],
            PS_KEY,
            "/api/taxes/1",
            401,
            Duration::from_millis(1250),
        ));
        mdb.sql(
            "shop",
            &format!("UPDATE ps_webservice_account SET active = 1 WHERE `key` = '{PS_KEY}'"),
        );
        until_all(
            &[&a, &b],
            PS_KEY,
            "/api/taxes/1",
            200,
            Duration::from_millis(1250),
        );
    }
    println!("key disabled in PrestaShop's table: refused by both nodes after at most {slowest:?}");
    // The webservice switched off in PrestaShop's configuration.
    mdb.sql(
        "shop",
        "UPDATE ps_configuration SET value = '0' WHERE name = 'PS_WEBSERVICE'",
    );
    until_all(
        &[&a, &b],
        PS_KEY,
        "/api/taxes/1",
        503,
        Duration::from_millis(1250),
    );
    mdb.sql(
        "shop",
        "UPDATE ps_configuration SET value = '1' WHERE name = 'PS_WEBSERVICE'",
    );
    until_all(
        &[&a, &b],
        PS_KEY,
        "/api/taxes/1",
        200,
        Duration::from_millis(1250),
    );
    // A permission removed in PrestaShop's table.
    mdb.sql(
        "shop",
        "DELETE p FROM ps_webservice_permission p JOIN ps_webservice_account a USING (id_webservice_account) \
         WHERE a.`key` = 'PsBackOfficeKey00000000000000001' AND p.resource = 'taxes'",
    );
    until_all(
        &[&a, &b],
        PS_KEY,
        "/api/taxes/1",
        401,
        Duration::from_millis(1250),
    );
}

#[test]
fn module_columns_are_filled_and_old_prestashop_databases_refused() {
    let Some(mdb) = MariaDb::up() else { return };
    mdb.prestashop("shop", PS_KEY);
    // What modules do to PrestaShop's tables: NOT NULL columns without a default.
    mdb.sql(
        "shop",
        "ALTER TABLE ps_product ADD COLUMN mymodule_flag INT NOT NULL; \
         ALTER TABLE ps_customer ADD COLUMN mymodule_note VARCHAR(32) NOT NULL",
    );
    let shop = TestShop::start_on(&mdb.url("shop"), PS_KEY, &[]);
    let product = shop.send(
        "POST",
        "/api/products",
        "<prestashop><product><price>3</price><name><language id=\"1\">Module</language></name></product></prestashop>",
    );
    assert_eq!(product.status, 201, "{}", product.body);
    let customer = shop.send(
        "POST",
        "/api/customers",
        "<prestashop><customer><firstname>Mo</firstname><lastname>Dule</lastname>\
         <email>module@example.com</email><passwd>correct-horse-9</passwd></customer></prestashop>",
    );
    assert_eq!(customer.status, 201, "{}", customer.body);
    let p = id_of(&product.body);
    assert_eq!(
        mdb.sql(
            "shop",
            &format!("SELECT mymodule_flag FROM ps_product WHERE id_product = {p}")
        ),
        "0"
    );
    drop(shop);

    mdb.sql(
        "shop",
        "UPDATE ps_configuration SET value = '1.7.8.11' WHERE name = 'PS_VERSION_DB'",
    );
    let out = command_on(&mdb.url("shop"))
        .args(["webservice", "status"])
        .output()
        .expect("shopws");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("PrestaShop 1.7.8.11"), "{err}");
}

/// Once shopws's own tables exist, a database user with read and write rights only serves an
/// attached shop; before, it is refused with what to do.
#[test]
fn read_and_write_rights_suffice_once_shopws_tables_exist() {
    let Some(mdb) = MariaDb::up() else { return };
    mdb.prestashop("shop", PS_KEY);
    mdb.sql(
        "",
        "CREATE USER 'rw'@'127.0.0.1' IDENTIFIED BY 'rw'; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO 'rw'@'127.0.0.1'",
    );
    let limited = format!("mysql://rw:rw@127.0.0.1:{}/shop", mdb.port);
    let first = command_on(&limited)
        .args(["webservice", "status"])
        .output()
        .expect("shopws");
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(!first.status.success());
    assert!(err.contains("allowed to CREATE"), "{err}");
    cli(&mdb.url("shop"), &["webservice", "status"]);
    let shop = TestShop::start_on(&limited, PS_KEY, &[]);
    assert_eq!(shop.get("/api/products/1").status, 200);
    let posted = shop.send(
        "POST",
        "/api/tags",
        "<prestashop><tag><id_lang>1</id_lang><name>rights</name></tag></prestashop>",
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
}
