//! The back office over HTTP: login, sessions, CSRF, security headers, the webservice switch
//! and key creation, each checked against the real server.

use std::process::Stdio;

use crate::support::TestShop;

pub(crate) struct Admin<'a> {
    pub(crate) shop: &'a TestShop,
    pub(crate) http: reqwest::blocking::Client,
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

pub(crate) fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub(crate) fn create_admin(shop: &TestShop, email: &str, password: &str) {
    let mut child = shop
        .command()
        .args(["admin", "create", "--email", email])
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

/// Direct access to the test database, to age sessions the way time would (`{name}` stands
/// for the table `name`).
pub(crate) fn sql(shop: &TestShop, statement: &str) {
    shop.sql_exec(statement, &[]);
}

pub(crate) fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split(&marker)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn set_cookie(r: &reqwest::blocking::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

impl<'a> Admin<'a> {
    pub(crate) fn login(shop: &'a TestShop, email: &str, password: &str) -> Result<Admin<'a>, u16> {
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

    pub(crate) fn get(&self, path: &str) -> reqwest::blocking::Response {
        self.http
            .get(format!("{}{path}", self.shop.url))
            .header("Cookie", &self.cookie)
            .send()
            .expect("get")
    }

    pub(crate) fn post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> reqwest::blocking::Response {
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
        ("", "This field is required."),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ123456", "too easy to guess"),
        ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "too easy to guess"),
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
    let custom = "UCCLLQ9N2ARSHWCXLT74KUKSSK34BFKX";
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

impl Admin<'_> {
    /// Takes the new session cookie a re-authentication hands out.
    pub(crate) fn adopt(&mut self, r: &reqwest::blocking::Response) -> bool {
        match set_cookie(r, "shopws_session") {
            Some(c) => {
                self.cookie = c.split(';').next().unwrap_or_default().to_string();
                true
            }
            None => false,
        }
    }

    fn logged_in(&self) -> bool {
        self.get("/admin/webservice").status().as_u16() == 200
    }
}

fn reveal_key(body: &str) -> String {
    body.split("readonly value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn viewer_role_is_refused_every_change() {
    let shop = TestShop::start();
    create_admin(&shop, "viewer@example.com", "a long enough password");
    sql(
        &shop,
        "UPDATE {shopws_admin_user} SET role = 'viewer' WHERE email = 'viewer@example.com'",
    );
    let viewer =
        Admin::login(&shop, "viewer@example.com", "a long enough password").expect("login");
    let list = viewer.get("/admin/webservice");
    assert_eq!(list.status().as_u16(), 200);
    let body = list.text().unwrap_or_default();
    assert!(body.contains("Webservice keys") && !body.contains("Add new webservice key"));
    assert_eq!(
        viewer.get("/admin/webservice/keys/new").status().as_u16(),
        403
    );
    assert_eq!(viewer.get("/admin/audit").status().as_u16(), 200);
    assert_eq!(
        viewer.get("/admin/webservice/keys/1").status().as_u16(),
        200,
        "read-only view"
    );
    for (path, fields) in [
        ("/admin/webservice/settings", vec![("enabled", "0")]),
        ("/admin/webservice/keys", vec![("perm", "taxes:GET")]),
        ("/admin/webservice/keys/1", vec![("perm", "taxes:GET")]),
        ("/admin/webservice/keys/1/rotate", vec![("overlap", "0")]),
        ("/admin/webservice/keys/1/status", vec![("active", "0")]),
        ("/admin/webservice/keys/1/delete", vec![]),
        (
            "/admin/webservice/keys/bulk",
            vec![("ids", "1"), ("action", "delete")],
        ),
    ] {
        let r = viewer.post(path, &fields, true);
        assert_eq!(r.status().as_u16(), 403, "{path}");
        assert!(r.text().unwrap_or_default().contains("role"), "{path}");
    }
    assert_eq!(shop.get("/api/customers").status, 200, "nothing changed");
    let audit = viewer.get("/admin/audit").text().unwrap_or_default();
    assert!(audit.contains("role.refused"));
    // Logging out is every employee's right.
    assert_eq!(
        viewer.post("/admin/logout", &[], true).status().as_u16(),
        303
    );
    assert!(!viewer.logged_in());
}

#[test]
fn sudo_mode_sessions_and_timeouts() {
    let shop = TestShop::start();
    create_admin(&shop, "boss@example.com", "a long enough password");
    let mut admin =
        Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");

    // Right after logging in, the password is fresh: a powerful key needs nothing more.
    let r = admin.post(
        "/admin/webservice/keys",
        &[("perm", "customers:GET"), ("description", "fresh")],
        true,
    );
    assert_eq!(r.status().as_u16(), 200);

    // Ten minutes later it asks again.
    sql(&shop, "UPDATE {shopws_admin_session} SET reauth_at = 0");
    let r = admin.post("/admin/webservice/keys", &[("perm", "customers:GET")], true);
    assert_eq!(r.status().as_u16(), 403);
    let body = r.text().unwrap_or_default();
    assert!(body.contains("needs your password") && body.contains("sudo_password"));
    let r = admin.post(
        "/admin/webservice/keys",
        &[
            ("perm", "orders:POST"),
            ("sudo_password", "not my password"),
        ],
        true,
    );
    assert_eq!(r.status().as_u16(), 403);
    assert!(r
        .text()
        .unwrap_or_default()
        .contains("The password is not correct."));
    // A harmless key (read-only, not sensitive) does not ask.
    let r = admin.post("/admin/webservice/keys", &[("perm", "products:GET")], true);
    assert_eq!(r.status().as_u16(), 200);
    // Disabling the webservice asks too.
    let r = admin.post("/admin/webservice/settings", &[("enabled", "0")], true);
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(shop.get("/api/customers").status, 200, "still on");

    let before = admin.cookie.clone();
    let r = admin.post(
        "/admin/webservice/keys",
        &[
            ("perm", "customers:GET"),
            ("sudo_password", "a long enough password"),
        ],
        true,
    );
    assert_eq!(r.status().as_u16(), 200);
    assert!(admin.adopt(&r), "a new session id after re-authentication");
    assert_eq!(reveal_key(&r.text().unwrap_or_default()).len(), 32);
    let stale = Admin {
        shop: &shop,
        http: client(),
        cookie: before,
        csrf: admin.csrf.clone(),
    };
    assert!(!stale.logged_in(), "the old session id is dead");
    assert!(admin.logged_in());
    // Within the next ten minutes no password is asked again.
    let r = admin.post("/admin/webservice/keys", &[("perm", "employees:GET")], true);
    assert_eq!(r.status().as_u16(), 200);

    // Sessions: a second login is listed and can be ended from the first.
    let other = Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");
    let page = admin.get("/admin/account").text().unwrap_or_default();
    assert_eq!(page.matches("name=\"session\"").count(), 1, "{page}");
    let handle = hidden(&page, "session");
    let r = admin.post(
        "/admin/account/sessions/revoke",
        &[("session", &handle)],
        true,
    );
    assert_eq!(r.status().as_u16(), 303);
    assert!(!other.logged_in(), "revoked");
    assert!(admin.logged_in());

    // Idle timeout (30 minutes) and absolute timeout (12 hours).
    sql(
        &shop,
        "UPDATE {shopws_admin_session} SET last_seen_at = last_seen_at - 31 * 60",
    );
    assert!(!admin.logged_in(), "idle timeout");
    let admin = Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");
    sql(
        &shop,
        "UPDATE {shopws_admin_session} SET created_at = created_at - 13 * 3600",
    );
    assert!(!admin.logged_in(), "absolute timeout");
    let expired = shop.sql_i64(
        "SELECT COUNT(*) FROM {shopws_audit} WHERE action = ?",
        &["session.expired".into()],
    );
    assert_eq!(expired, 2, "both expiries are audited");
}

/// Creates a key through the form; returns (id, key).
pub(crate) fn form_key(admin: &Admin, description: &str, perms: &[&str]) -> (i64, String) {
    let mut fields = vec![("description", description)];
    fields.extend(perms.iter().map(|p| ("perm", *p)));
    let r = admin.post("/admin/webservice/keys", &fields, true);
    assert_eq!(r.status().as_u16(), 200);
    let key = reveal_key(&r.text().unwrap_or_default());
    assert_eq!(key.len(), 32);
    let list = admin
        .get(&format!(
            "/admin/webservice?description={}&sort=-id",
            description.replace(' ', "+")
        ))
        .text()
        .unwrap_or_default();
    let id = hidden(&list, "ids").parse().unwrap_or(0);
    assert!(id > 0, "{list}");
    (id, key)
}

#[test]
fn edit_policies_rotation_and_bulk_actions() {
    let shop = TestShop::start();
    create_admin(&shop, "boss@example.com", "a long enough password");
    let admin = Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");
    let (id, key) = form_key(&admin, "erp sync", &["customers:GET", "customers:HEAD"]);
    let edit = admin
        .get(&format!("/admin/webservice/keys/{id}"))
        .text()
        .unwrap_or_default();
    assert!(edit.contains("Editing webservice key") && !edit.contains(&key));
    assert!(edit.contains(&format!("{}…{}", &key[..4], &key[28..])));
    let path = format!("/admin/webservice/keys/{id}");
    let save = |extra: &[(&str, &str)]| {
        // The first value of a field wins: the test's own come first.
        let mut f = extra.to_vec();
        f.extend_from_slice(&[
            ("description", "erp sync"),
            ("active", "1"),
            ("perm", "customers:GET"),
            ("expires_in", ""),
        ]);
        admin.post(&path, &f, true)
    };

    // Bad values answer with a message and change nothing.
    for (extra, msg) in [
        (vec![("ip_allowlist", "10.0.0.300")], "not an IP address"),
        (vec![("rate", "fast")], "whole number"),
        (vec![("burst", "5")], "A burst needs a rate limit."),
        (
            vec![("expires_in", "date"), ("expires", "next week")],
            "YYYY-MM-DD",
        ),
        (vec![("perm", "nonsense:GET")], "unknown resource"),
    ] {
        let r = save(&extra);
        assert_eq!(r.status().as_u16(), 400, "{msg}");
        assert!(r.text().unwrap_or_default().contains(msg), "{msg}");
    }
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&key), None, &[])
            .status,
        200
    );

    // IP allowlist: not from here → 403 code 1001; loopback allowed → 200.
    assert_eq!(
        save(&[("ip_allowlist", "10.0.0.0/8")]).status().as_u16(),
        303
    );
    let r = shop.req("GET", "/api/customers", Some(&key), None, &[]);
    assert_eq!((r.status, r.codes()), (403, vec![1001]));
    assert_eq!(
        save(&[("ip_allowlist", "127.0.0.1, ::1")])
            .status()
            .as_u16(),
        303
    );
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&key), None, &[])
            .status,
        200
    );

    // Rate limit: 1 per second, burst 1 → the second request at once gets 429.
    assert_eq!(
        save(&[("rate", "1"), ("burst", "1")]).status().as_u16(),
        303
    );
    let first = shop.req("GET", "/api/customers", Some(&key), None, &[]);
    let second = shop.req("GET", "/api/customers", Some(&key), None, &[]);
    assert_eq!(first.status, 200);
    assert_eq!((second.status, second.codes()), (429, vec![1002]));
    assert!(second.header("retry-after").is_some());

    // HEAD was removed by the edit: 405 #25 now; the audit row carries the diff.
    assert_eq!(save(&[]).status().as_u16(), 303);
    let head = shop.req("HEAD", "/api/customers", Some(&key), None, &[]);
    assert_eq!(head.status, 405);
    let audit = admin
        .get("/admin/audit?action=key.edit")
        .text()
        .unwrap_or_default();
    assert!(audit.contains("-customers:HEAD"), "{audit}");

    // Expiry in the past: 401 #20 + #21, and the list says "Expired".
    assert_eq!(
        save(&[("expires_in", "date"), ("expires", "2001-01-01")])
            .status()
            .as_u16(),
        303
    );
    let r = shop.req("GET", "/api/customers", Some(&key), None, &[]);
    assert_eq!((r.status, r.codes()), (401, vec![20, 21]));
    let list = admin
        .get("/admin/webservice?status=expired")
        .text()
        .unwrap_or_default();
    assert!(list.contains("Expired") && list.contains("erp sync"));
    assert_eq!(save(&[("expires_in", "90")]).status().as_u16(), 303);
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&key), None, &[])
            .status,
        200
    );

    // A reloaded reveal page re-posts its form: the nonce makes it do nothing the second time.
    let nonce = [("overlap", "3600"), ("nonce", "reload-test")];
    let once = admin.post(&format!("{path}/rotate"), &nonce, true);
    assert_eq!(once.status().as_u16(), 200);
    let kept = reveal_key(&once.text().unwrap_or_default());
    let twice = admin.post(&format!("{path}/rotate"), &nonce, true);
    assert_eq!(twice.status().as_u16(), 303);
    assert!(twice
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|l| l.ends_with("done=already")));
    let edit = admin.get(&path).text().unwrap_or_default();
    assert_eq!(
        edit.matches("old secret, works until").count(),
        1,
        "rotated once"
    );
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&kept), None, &[])
            .status,
        200
    );
    let key = kept;

    // Rotation with a one-hour overlap: old and new both work; then rotate again with no
    // overlap: only the newest works.
    let r = admin.post(&format!("{path}/rotate"), &[("overlap", "3600")], true);
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().unwrap_or_default();
    assert!(body.contains("keeps working until"));
    let second = reveal_key(&body);
    assert_eq!(second.len(), 32);
    assert_ne!(second, key);
    for k in [&key, &second] {
        assert_eq!(
            shop.req("GET", "/api/customers", Some(k), None, &[]).status,
            200
        );
    }
    let edit = admin.get(&path).text().unwrap_or_default();
    assert!(edit.contains("old secret, works until") && edit.contains("current"));
    let r = admin.post(&format!("{path}/rotate"), &[("overlap", "0")], true);
    let third = reveal_key(&r.text().unwrap_or_default());
    for (k, status) in [(&key, 401), (&second, 401), (&third, 200)] {
        assert_eq!(
            shop.req("GET", "/api/customers", Some(k), None, &[]).status,
            status
        );
    }
    let rotate_audit = admin
        .get("/admin/audit?action=key.rotate")
        .text()
        .unwrap_or_default();
    assert!(!rotate_audit.contains(&second) && !rotate_audit.contains(&third));

    // List: 55 more keys → two pages; filters; sort.
    for n in 0..55 {
        let r = admin.post(
            "/admin/webservice/keys",
            &[
                ("description", &format!("bulk key {n:02}")),
                ("perm", "taxes:GET"),
            ],
            true,
        );
        assert_eq!(r.status().as_u16(), 200);
    }
    let page1 = admin.get("/admin/webservice").text().unwrap_or_default();
    assert_eq!(page1.matches("name=\"ids\"").count(), 50);
    assert!(page1.contains("page=2"));
    let page2 = admin
        .get("/admin/webservice?page=2")
        .text()
        .unwrap_or_default();
    assert_eq!(page2.matches("name=\"ids\"").count(), 7);
    let only = admin
        .get("/admin/webservice?description=bulk+key+0")
        .text()
        .unwrap_or_default();
    assert_eq!(only.matches("name=\"ids\"").count(), 10);
    let desc = admin
        .get("/admin/webservice?sort=-id")
        .text()
        .unwrap_or_default();
    let first_desc = desc.find("bulk key 54").unwrap_or(usize::MAX);
    assert!(first_desc < desc.find("bulk key 10").unwrap_or(0));
    assert!(!desc.contains("bulk key 00"), "page 1 of the newest first");

    // Bulk: nothing selected → PrestaShop's message; disable two; delete them.
    let r = admin.post("/admin/webservice/keys/bulk", &[("action", "delete")], true);
    assert_eq!(r.status().as_u16(), 400);
    assert!(r
        .text()
        .unwrap_or_default()
        .contains("You must select at least one element to delete."));
    let id_s = id.to_string();
    let r = admin.post(
        "/admin/webservice/keys/bulk",
        &[("ids", &id_s), ("action", "disable")],
        true,
    );
    assert_eq!(r.status().as_u16(), 303);
    let r = shop.req("GET", "/api/customers", Some(&third), None, &[]);
    assert_eq!((r.status, r.codes()), (401, vec![20, 21]));
    let r = admin.post(
        "/admin/webservice/keys/bulk",
        &[("ids", &id_s), ("action", "delete")],
        true,
    );
    assert_eq!(r.status().as_u16(), 303);
    assert!(admin
        .get("/admin/webservice?done=bulk-deleted")
        .text()
        .unwrap_or_default()
        .contains("The selection has been successfully deleted."));
    assert_eq!(admin.get(&path).status().as_u16(), 404);

    // The same key again (deleted meanwhile, e.g. from another tab): said, not hidden.
    let r = admin.post(
        "/admin/webservice/keys/bulk",
        &[("ids", &id_s), ("action", "delete")],
        true,
    );
    assert_eq!(r.status().as_u16(), 303);
    let to = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(to.ends_with("done=failed"), "{to}");
    assert!(admin
        .get("/admin/webservice?done=failed")
        .text()
        .unwrap_or_default()
        .contains("could not be applied to every selected key"));
}

/// Runs `shopws admin …` on the shop's database with `input` on standard input.
fn admin_cli(shop: &TestShop, args: &[&str], input: &str) -> std::process::Output {
    let mut child = shop
        .command()
        .arg("admin")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shopws admin");
    use std::io::Write;
    // A command refused at argument parsing exits before reading: a broken pipe is fine.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes());
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

#[test]
fn security_headers_on_every_admin_route() {
    let shop = TestShop::start();
    create_admin(&shop, "boss@example.com", "a long enough password");
    let admin = Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");
    let check = |r: reqwest::blocking::Response, path: &str, authenticated: bool| {
        let h = r.headers();
        let get = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(
            get("content-security-policy").contains("script-src 'self'"),
            "{path}"
        );
        assert!(
            get("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !get("content-security-policy").contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert_eq!(get("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{path}");
        assert!(
            h.get("access-control-allow-origin").is_none(),
            "no CORS on {path}"
        );
        assert!(
            h.get("strict-transport-security").is_none(),
            "plain HTTP: {path}"
        );
        if authenticated {
            assert_eq!(get("cache-control"), "no-store", "{path}");
        }
    };
    for path in [
        "/admin/",
        "/admin/webservice",
        "/admin/webservice/keys/new",
        "/admin/webservice/keys/1",
        "/admin/webservice/diagnose",
        "/admin/audit",
        "/admin/account",
        "/admin/static/admin.js",
        "/admin/static/nothing.js",
    ] {
        check(admin.get(path), path, !path.contains("static"));
        let anonymous = client()
            .get(format!("{}{path}", shop.url))
            .send()
            .expect("get");
        if !path.contains("static") && path != "/admin/" {
            assert_eq!(anonymous.status().as_u16(), 303, "login first: {path}");
        }
        check(anonymous, path, false);
    }

    // Behind TLS (public base URL in https): HSTS and __Host- cookies.
    let tls = TestShop::start_with(&["--base-url", "https://shop.example/"]);
    let r = client()
        .get(format!("{}/admin/", tls.url))
        .send()
        .expect("get");
    assert_eq!(
        r.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    let cookie = set_cookie(&r, "__Host-shopws_login").expect("__Host- cookie");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"));
    // A POST from the server's own address but not the public origin is refused.
    let r = client()
        .post(format!("{}/admin/login", tls.url))
        .header("Origin", &tls.url)
        .form(&[("email", "boss@example.com")])
        .send()
        .expect("post");
    assert_eq!(r.status().as_u16(), 403);
}

#[test]
fn unknown_admin_paths_are_404_with_security_headers() {
    let shop = TestShop::start();
    create_admin(&shop, "boss@example.com", "a long enough password");
    let admin = Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");
    let anonymous = client();
    for (method, path) in [
        ("GET", "/admin/nope"),
        ("GET", "/admin/webservice/keys/1/nope"),
        ("GET", "/admin/static/"),
        ("POST", "/admin/nope"),
        ("HEAD", "/admin/nope/"),
    ] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        for (who, r) in [
            (
                "anonymous",
                anonymous
                    .request(m.clone(), format!("{}{path}", shop.url))
                    .send()
                    .expect("request"),
            ),
            (
                "employee",
                admin
                    .http
                    .request(m.clone(), format!("{}{path}", shop.url))
                    .header("Cookie", &admin.cookie)
                    .send()
                    .expect("request"),
            ),
        ] {
            let at = format!("{method} {path} ({who})");
            assert_eq!(r.status().as_u16(), 404, "{at}");
            let get = |k: &str| {
                r.headers()
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            assert!(
                get("content-security-policy").starts_with("default-src 'none'"),
                "{at}"
            );
            assert!(
                get("content-security-policy").contains("frame-ancestors 'none'"),
                "{at}"
            );
            assert_eq!(get("x-frame-options"), "DENY", "{at}");
            assert_eq!(get("x-content-type-options"), "nosniff", "{at}");
            assert_eq!(get("referrer-policy"), "no-referrer", "{at}");
            assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{at}");
            assert_eq!(get("cross-origin-resource-policy"), "same-origin", "{at}");
            assert!(get("permissions-policy").contains("camera=()"), "{at}");
            assert_eq!(get("cache-control"), "no-store", "{at}");
            assert!(get("access-control-allow-origin").is_empty(), "{at}");
        }
    }
    // A known path with another method: 405, with the same headers.
    let r = anonymous
        .get(format!("{}/admin/login", shop.url))
        .send()
        .expect("get");
    assert_eq!(r.status().as_u16(), 405);
    assert!(r.headers().contains_key("content-security-policy"));
    // The webservice still answers everything outside the prefix.
    assert_eq!(shop.get("/api/customers").status, 200);
    let outside = shop.get("/administration");
    assert!(
        outside.header("x-frame-options").is_none(),
        "not the back office's: {} {}",
        outside.status,
        outside.body
    );
}

#[test]
fn store_association_when_there_are_several_shops() {
    let shop = TestShop::start();
    create_admin(&shop, "boss@example.com", "a long enough password");
    let admin = Admin::login(&shop, "boss@example.com", "a long enough password").expect("login");
    let single = admin
        .get("/admin/webservice/keys/new")
        .text()
        .unwrap_or_default();
    assert!(!single.contains("Store association"), "one shop: no tree");
    sql(
        &shop,
        "INSERT INTO {shop} (id_shop_group, name, color, id_category, theme_name, active, deleted) \
         VALUES (1, 'Outlet', '', 2, 'classic', 1, 0)",
    );
    let form = admin
        .get("/admin/webservice/keys/new")
        .text()
        .unwrap_or_default();
    assert!(form.contains("Store association") && form.contains("Outlet"));
    assert_eq!(form.matches("name=\"shop\"").count(), 2);
    let r = admin.post("/admin/webservice/keys", &[("perm", "taxes:GET")], true);
    assert_eq!(r.status().as_u16(), 400, "no shop ticked");
    assert!(r
        .text()
        .unwrap_or_default()
        .contains("Choose at least one shop"));
    let r = admin.post(
        "/admin/webservice/keys",
        &[("perm", "taxes:GET"), ("shop", "1")],
        true,
    );
    assert_eq!(r.status().as_u16(), 200);
    let key = reveal_key(&r.text().unwrap_or_default());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        shop.req("GET", "/api/taxes?id_shop=1", Some(&key), None, &[])
            .status,
        200
    );
    let other = shop.req("GET", "/api/taxes?id_shop=2", Some(&key), None, &[]);
    assert_eq!((other.status, other.codes()), (403, vec![132]));

    // The switch per shop: off for the outlet only, which answers on its own domain.
    sql(
        &shop,
        "INSERT INTO {shop_url} (id_shop, domain, domain_ssl, physical_uri, virtual_uri, main, active) \
         VALUES (2, 'outlet.example', 'outlet.example', '/', '', 1, 1)",
    );
    let page = admin.get("/admin/webservice").text().unwrap_or_default();
    assert!(page.contains("Apply to") && page.contains("Shop: Outlet (#2)"));
    let r = admin.post(
        "/admin/webservice/settings",
        &[("enabled", "0"), ("scope", "shop-2")],
        true,
    );
    assert_eq!(r.status().as_u16(), 303);
    let outlet = [("Host", "outlet.example")];
    let off = shop.req("GET", "/api/taxes", Some(&shop.key), None, &outlet);
    assert_eq!((off.status, off.codes()), (503, vec![22]));
    assert_eq!(
        shop.req("GET", "/api/taxes", Some(&shop.key), None, &[])
            .status,
        200
    );
    let page = admin.get("/admin/webservice").text().unwrap_or_default();
    assert!(page.contains("its own setting"));
    // Saving for all shops removes the shop's own value.
    admin.post(
        "/admin/webservice/settings",
        &[("enabled", "1"), ("scope", "all")],
        true,
    );
    assert_eq!(
        shop.req("GET", "/api/taxes", Some(&shop.key), None, &outlet)
            .status,
        200
    );
    let r = admin.post(
        "/admin/webservice/settings",
        &[("enabled", "1"), ("scope", "shop-99")],
        true,
    );
    assert_eq!(r.status().as_u16(), 400, "unknown shop");
}
