//! The back office over HTTP: login, sessions, CSRF, security headers, the webservice switch
//! and key creation, each checked against the real server.

use std::process::{Command, Stdio};

use crate::support::{bin, TestShop};

struct Admin<'a> {
    shop: &'a TestShop,
    http: reqwest::blocking::Client,
    cookie: String,
    csrf: String,
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn create_admin(shop: &TestShop, email: &str, password: &str) {
    let mut child = Command::new(bin())
        .args(["admin", "create", "--email", email])
        .env("SHOPWS_DATABASE", &shop.db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("admin create");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write");
    assert!(child.wait().expect("wait").success());
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split(&marker)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

fn set_cookie(r: &reqwest::blocking::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

impl<'a> Admin<'a> {
    fn login(shop: &'a TestShop, email: &str, password: &str) -> Result<Admin<'a>, u16> {
        let http = client();
        let page = http
            .get(format!("{}/admin/", shop.url))
            .send()
            .expect("login page");
        let pre = set_cookie(&page, "shopws_login").expect("pre-session cookie");
        let pre_val = pre.split(';').next().unwrap_or_default().to_string();
        let csrf = hidden(&page.text().unwrap_or_default(), "csrf");
        let r = http
            .post(format!("{}/admin/login", shop.url))
            .header("Origin", &shop.url)
            .header("Cookie", &pre_val)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .expect("login");
        if r.status().as_u16() != 303 {
            return Err(r.status().as_u16());
        }
        let cookie = set_cookie(&r, "shopws_session").expect("session cookie");
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("Secure")
                && cookie.contains("SameSite=Strict")
                && cookie.contains("Path=/")
        );
        let cookie = cookie.split(';').next().unwrap_or_default().to_string();
        let page = http
            .get(format!("{}/admin/webservice", shop.url))
            .header("Cookie", &cookie)
            .send()
            .expect("page");
        let csrf = hidden(&page.text().unwrap_or_default(), "csrf");
        Ok(Admin {
            shop,
            http,
            cookie,
            csrf,
        })
    }

    fn get(&self, path: &str) -> reqwest::blocking::Response {
        self.http
            .get(format!("{}{path}", self.shop.url))
            .header("Cookie", &self.cookie)
            .send()
            .expect("get")
    }

    fn post(&self, path: &str, fields: &[(&str, &str)], csrf: bool) -> reqwest::blocking::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if csrf {
            all.push(("csrf", &self.csrf));
        }
        self.http
            .post(format!("{}{path}", self.shop.url))
            .header("Origin", &self.shop.url)
            .header("Cookie", &self.cookie)
            .form(&all)
            .send()
            .expect("post")
    }
}

#[test]
fn journey_enable_create_key_use_it() {
    let shop = TestShop::start();
    create_admin(&shop, "Boss@Example.com", "a long enough password");
    let admin = Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");
    let page = admin.get("/admin/webservice");
    for h in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert!(page.headers().contains_key(h), "{h}");
    }
    assert_eq!(
        page.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body = page.text().unwrap_or_default();
    assert!(
        body.contains("Enable PrestaShop&#x27;s webservice")
            || body.contains("Enable PrestaShop's webservice"),
        "{body}"
    );
    assert!(body.contains("Add new webservice key"));

    let form = admin
        .get("/admin/webservice/keys/new")
        .text()
        .unwrap_or_default();
    assert!(
        form.contains("aria-label=\"customers GET\"")
            && form.contains("aria-label=\"customers all\"")
            && form.contains("aria-label=\"all GET\"")
    );
    assert!(
        form.contains("aria-label=\"search POST\"") && form.contains("disabled"),
        "forbidden methods are disabled"
    );

    let r = admin.post(
        "/admin/webservice/keys",
        &[
            ("key_mode", "generate"),
            ("description", "<b>mobile app</b>"),
            ("active", "1"),
            ("perm", "customers:GET"),
            ("perm", "customers:HEAD"),
        ],
        true,
    );
    assert_eq!(r.status().as_u16(), 200);
    let reveal = r.text().unwrap_or_default();
    let key = reveal
        .split("readonly value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string();
    assert_eq!(key.len(), 32, "{reveal}");
    let api = shop.req("GET", "/api/customers", Some(&key), None, &[]);
    assert_eq!(api.status, 200, "the key works at once");
    let denied = shop.req("GET", "/api/orders", Some(&key), None, &[]);
    assert_eq!(denied.codes(), vec![26]);
    let list = admin.get("/admin/webservice").text().unwrap_or_default();
    assert!(
        list.contains("mobile app") && !list.contains("<b>"),
        "descriptions are shown as text, escaped"
    );
    assert!(!list.contains(&key), "the key is never shown again");

    // Switch the webservice off: /api/ answers 503 #22 at once.
    assert_eq!(
        admin
            .post("/admin/webservice/settings", &[("enabled", "0")], true)
            .status()
            .as_u16(),
        303
    );
    let off = shop.req("GET", "/api/customers", Some(&key), None, &[]);
    assert_eq!((off.status, off.codes()), (503, vec![22]));
    admin.post("/admin/webservice/settings", &[("enabled", "1")], true);

    // A custom key with PrestaShop's rules and messages.
    for (k, msg) in [
        ("short", "Key length must be 32 characters long."),
        ("é".repeat(32).as_str(), "Only non-accented characters"),
    ] {
        let r = admin.post(
            "/admin/webservice/keys",
            &[
                ("key_mode", "custom"),
                ("custom_key", k),
                ("perm", "taxes:GET"),
            ],
            true,
        );
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().unwrap_or_default().contains(msg), "{msg}");
    }
    let custom = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456";
    let r = admin.post(
        "/admin/webservice/keys",
        &[
            ("key_mode", "custom"),
            ("custom_key", custom),
            ("perm", "taxes:GET"),
        ],
        true,
    );
    assert_eq!(r.status().as_u16(), 303);
    let dup = admin.post(
        "/admin/webservice/keys",
        &[
            ("key_mode", "custom"),
            ("custom_key", custom),
            ("perm", "taxes:GET"),
        ],
        true,
    );
    assert!(dup
        .text()
        .unwrap_or_default()
        .contains("This key already exists."));
    assert_eq!(
        shop.req("GET", "/api/taxes", Some(custom), None, &[])
            .status,
        200
    );

    // Secrets never reach the audit log.
    let audit = admin.get("/admin/audit").text().unwrap_or_default();
    assert!(audit.contains("key.create") && !audit.contains(&key) && !audit.contains(custom));

    // Logout ends the session server-side.
    let old = admin.cookie.clone();
    admin.post("/admin/logout", &[], true);
    let after = admin
        .http
        .get(format!("{}/admin/webservice", shop.url))
        .header("Cookie", &old)
        .send()
        .expect("get");
    assert_eq!(after.status().as_u16(), 303, "logged out");
}

#[test]
fn csrf_origin_wrong_password_and_lockout() {
    let shop = TestShop::start();
    create_admin(&shop, "ops@example.com", "another long password");
    let admin = Admin::login(&shop, "ops@example.com", "another long password").expect("login");
    assert_eq!(
        admin
            .post("/admin/webservice/settings", &[("enabled", "0")], false)
            .status()
            .as_u16(),
        403,
        "no CSRF token"
    );
    let foreign = admin
        .http
        .post(format!("{}/admin/webservice/settings", shop.url))
        .header("Origin", "http://evil.example")
        .header("Cookie", &admin.cookie)
        .form(&[("enabled", "0"), ("csrf", admin.csrf.as_str())])
        .send()
        .expect("post");
    assert_eq!(foreign.status().as_u16(), 403, "foreign origin");
    assert_eq!(shop.get("/api/customers").status, 200, "nothing changed");
    assert_eq!(
        client()
            .get(format!("{}/admin/webservice", shop.url))
            .send()
            .expect("get")
            .status()
            .as_u16(),
        303,
        "login required"
    );

    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            Admin::login(&shop, "ops@example.com", "wrong password!!")
                .err()
                .unwrap_or(0),
        );
    }
    assert_eq!(&statuses[..5], &[401, 401, 401, 401, 401]);
    assert_eq!(statuses[5], 429, "locked after five failures");
    assert_eq!(
        Admin::login(&shop, "ops@example.com", "another long password").err(),
        Some(429),
        "even with the right password"
    );
}

/// Runs `shopws admin …` on the shop's database with `input` on standard input.
fn admin_cli(shop: &TestShop, args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(bin())
        .arg("admin")
        .args(args)
        .env("SHOPWS_DATABASE", &shop.db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shopws admin");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

#[test]
fn admin_create_refuses_weak_passwords() {
    let shop = TestShop::start();
    let long = "x".repeat(60) + &"y".repeat(69);
    let cases = [
        ("eleven char", "at least 12 characters"),
        (long.as_str(), "at most 128 characters"),
        ("Password1234", "too common"),
        ("qwertyuiopas", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("someone@example.com", "must not be the e-mail address"),
    ];
    for (password, message) in cases {
        let out = admin_cli(
            &shop,
            &["create", "--email", "someone@example.com"],
            &format!("{password}\n"),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{password} accepted");
        assert!(err.contains(message), "{password}: {err}");
        assert!(!err.contains(password), "the password is not echoed");
    }
    let listed = String::from_utf8_lossy(&admin_cli(&shop, &["list"], "").stdout).into_owned();
    assert!(!listed.contains("someone@example.com"), "{listed}");

    let unknown_role = admin_cli(
        &shop,
        &["create", "--email", "r@example.com", "--role", "root"],
        "a long enough password\n",
    );
    assert!(!unknown_role.status.success());
}

#[test]
fn viewer_role_is_read_only() {
    let shop = TestShop::start();
    let out = admin_cli(
        &shop,
        &["create", "--email", "Look@Example.com", "--role", "viewer"],
        "a long enough password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("viewer"));
    create_admin(&shop, "boss@example.com", "another long password");

    let list = String::from_utf8_lossy(&admin_cli(&shop, &["list"], "").stdout).into_owned();
    let row = |email: &str| {
        list.lines()
            .find(|l| l.contains(email))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("look@example.com").contains(" viewer "), "{list}");
    assert!(row("look@example.com").contains("never"), "{list}");
    assert!(row("boss@example.com").contains(" admin "), "{list}");
    assert!(row("boss@example.com").contains("enabled"), "{list}");

    let viewer = Admin::login(&shop, "look@example.com", "a long enough password").expect("login");
    assert_eq!(viewer.get("/admin/webservice").status().as_u16(), 200);
    assert_eq!(viewer.get("/admin/audit").status().as_u16(), 200);
    let refused = viewer.post("/admin/webservice/settings", &[("enabled", "0")], true);
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(shop.get("/api/customers").status, 200, "nothing changed");
    let key = viewer.post(
        "/admin/webservice/keys",
        &[("description", "nope"), ("generate", "1"), ("active", "1")],
        true,
    );
    assert_eq!(key.status().as_u16(), 403);
    assert_eq!(
        viewer.post("/admin/logout", &[], true).status().as_u16(),
        303,
        "a viewer can still log out"
    );
    let list = String::from_utf8_lossy(&admin_cli(&shop, &["list"], "").stdout).into_owned();
    assert!(
        !list
            .lines()
            .find(|l| l.contains("look@example.com"))
            .unwrap_or_default()
            .contains("never"),
        "last login shown: {list}"
    );
}

#[test]
fn admin_passwd_changes_the_password_and_ends_sessions() {
    let shop = TestShop::start();
    create_admin(&shop, "ops@example.com", "the first long password");
    let admin = Admin::login(&shop, "ops@example.com", "the first long password").expect("login");
    assert_eq!(admin.get("/admin/webservice").status().as_u16(), 200);

    let weak = admin_cli(
        &shop,
        &["passwd", "--email", "ops@example.com"],
        "letmein12345\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("too common"));
    assert_eq!(
        admin.get("/admin/webservice").status().as_u16(),
        200,
        "a refused change keeps the session"
    );
    let nobody = admin_cli(
        &shop,
        &["passwd", "--email", "nobody@example.com"],
        "a second long password\n",
    );
    assert!(!nobody.status.success());

    let out = admin_cli(
        &shop,
        &["passwd", "--email", "OPS@example.com"],
        "a second long password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        admin.get("/admin/webservice").status().as_u16(),
        303,
        "the old session is gone"
    );
    assert_eq!(
        Admin::login(&shop, "ops@example.com", "the first long password").err(),
        Some(401)
    );
    assert!(Admin::login(&shop, "ops@example.com", "a second long password").is_ok());
}
