//! The employees' second factor over HTTP: enrolment on the account page, the code step of
//! the login (wrong, right, replayed, recovery codes), enforcement by the CLI; then the audit
//! log's CSV export and its retention.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::backoffice::{client, create_admin, hidden};
use crate::support::{SqlValue, TestShop};

const PASSWORD: &str = "a long enough password";

/// A browser: keeps the cookies it is given, sends same-origin POSTs.
struct Browser<'a> {
    shop: &'a TestShop,
    http: reqwest::blocking::Client,
    jar: RefCell<BTreeMap<String, String>>,
}

struct Page {
    status: u16,
    location: String,
    content_type: String,
    disposition: String,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(shop: &'a TestShop) -> Self {
        Browser {
            shop,
            http: client(),
            jar: RefCell::new(BTreeMap::new()),
        }
    }

    fn cookies(&self) -> String {
        self.jar
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn has(&self, name: &str) -> bool {
        self.jar.borrow().contains_key(name)
    }

    fn take(&self, r: reqwest::blocking::Response) -> Page {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap_or((pair, ""));
            if attrs.contains("Max-Age=0") || val.is_empty() {
                self.jar.borrow_mut().remove(k);
            } else {
                self.jar.borrow_mut().insert(k.to_string(), val.to_string());
            }
        }
        let h = |n: &str| {
            r.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        Page {
            status: r.status().as_u16(),
            location: h("location"),
            content_type: h("content-type"),
            disposition: h("content-disposition"),
            body: r.text().unwrap_or_default(),
        }
    }

    fn get(&self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.shop.url))
            .header("Cookie", self.cookies())
            .send()
            .expect("get");
        self.take(r)
    }

    fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(format!("{}{path}", self.shop.url))
            .header("Origin", &self.shop.url)
            .header("Cookie", self.cookies())
            .form(fields)
            .send()
            .expect("post");
        self.take(r)
    }

    /// The password step: where it sends the browser.
    fn password(&self, email: &str) -> Page {
        let page = self.get("/admin/");
        let csrf = hidden(&page.body, "csrf");
        self.post(
            "/admin/login",
            &[("csrf", &csrf), ("email", email), ("password", PASSWORD)],
        )
    }

    /// The code step of a login.
    fn code(&self, code: &str) -> Page {
        let page = self.get("/admin/login/code");
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = hidden(&page.body, "csrf");
        self.post("/admin/login/code", &[("csrf", &csrf), ("code", code)])
    }

    fn csrf(&self) -> String {
        hidden(&self.get("/admin/account").body, "csrf")
    }

    fn logout(&self) {
        let csrf = self.csrf();
        let r = self.post("/admin/logout", &[("csrf", &csrf)]);
        assert_eq!(r.status, 303);
        self.jar.borrow_mut().clear();
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The code of the authenticator app for a base32 secret, `steps` steps from now.
fn code_at(secret_b32: &str, steps: i64) -> String {
    let secret = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .expect("base32");
    let t = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        None,
        "x".to_string(),
    );
    t.generate((now() as i64 + steps * 30) as u64)
}

fn between<'b>(body: &'b str, start: &str, end: &str) -> &'b str {
    body.split(start)
        .nth(1)
        .and_then(|s| s.split(end).next())
        .unwrap_or_default()
}

fn recovery_codes(body: &str) -> Vec<String> {
    between(body, "id=\"recovery-codes\"", "</ul>")
        .split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_string)
        .collect()
}

fn audit_actions(shop: &TestShop) -> Vec<String> {
    shop.sql_strings("SELECT action FROM {shopws_audit} ORDER BY id", &[])
}

#[test]
fn totp_enrol_then_login_needs_a_code_once_and_recovery_codes_work_once() {
    let shop = TestShop::start();
    let email = "second@example.com";
    create_admin(&shop, email, PASSWORD);
    let b = Browser::new(&shop);
    let r = b.password(email);
    assert_eq!((r.status, r.location.as_str()), (303, "/admin/webservice"));
    assert!(b.has("shopws_session"));

    // Enrol from the account page (logging in just now counts as the password).
    let account = b.get("/admin/account");
    assert!(account.body.contains("Set up two-step verification"));
    let csrf = hidden(&account.body, "csrf");
    let enrol = b.post("/admin/account/totp/start", &[("csrf", &csrf)]);
    assert_eq!(enrol.status, 200, "{}", enrol.body);
    let secret = between(&enrol.body, "id=\"totp-secret\" class=\"secret\">", "<").to_string();
    assert!(secret.len() >= 32, "{secret}");
    assert!(enrol.body.contains("otpauth://totp/"));
    assert!(enrol.body.contains("data:image/png;base64,"));
    let wrong = b.post(
        "/admin/account/totp/confirm",
        &[("csrf", &csrf), ("code", &code_at(&secret, 5))],
    );
    assert_eq!(wrong.status, 401);
    let done = b.post(
        "/admin/account/totp/confirm",
        &[("csrf", &csrf), ("code", &code_at(&secret, 0))],
    );
    assert_eq!(done.status, 200, "{}", done.body);
    let codes = recovery_codes(&done.body);
    assert_eq!(codes.len(), 10, "{}", done.body);
    assert!(b
        .get("/admin/account")
        .body
        .contains("id=\"recovery-left\">10<"));
    b.logout();

    // The password alone opens no session.
    let r = b.password(email);
    assert_eq!((r.status, r.location.as_str()), (303, "/admin/login/code"));
    assert!(!b.has("shopws_session") && b.has("shopws_2fa"));
    let blocked = b.get("/admin/webservice");
    assert_eq!(
        (blocked.status, blocked.location.as_str()),
        (303, "/admin/")
    );

    // A wrong code is refused and counted as a failed login.
    let r = b.code(&code_at(&secret, 5));
    assert_eq!(r.status, 401);
    assert!(r.body.contains("not correct"));
    let failures = shop.sql_i64(
        "SELECT COALESCE(SUM(failures), 0) FROM {shopws_login_throttle} WHERE subject LIKE ?",
        &[SqlValue::from("user:second@example.com|%")],
    );
    assert_eq!(failures, 1, "a wrong code counts as a failure");

    // The next step's code (the enrolment spent this one) opens the session.
    let next = code_at(&secret, 1);
    let r = b.code(&next);
    assert_eq!((r.status, r.location.as_str()), (303, "/admin/webservice"));
    assert!(b.has("shopws_session") && !b.has("shopws_2fa"));
    assert_eq!(b.get("/admin/webservice").status, 200);
    b.logout();

    // The same code again: a replay.
    b.password(email);
    let r = b.code(&next);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("already used"), "{}", r.body);

    // A recovery code works once (typed in upper case, with spaces around).
    let r = b.code(&format!(" {} ", codes[0].to_uppercase()));
    assert_eq!((r.status, r.location.as_str()), (303, "/admin/webservice"));
    b.logout();
    b.password(email);
    assert_eq!(b.code(&codes[0]).status, 401);
    assert_eq!(b.code(&codes[1]).status, 303);
    assert!(b
        .get("/admin/account")
        .body
        .contains("id=\"recovery-left\">8<"));

    // Regenerating: the old codes stop working.
    let csrf = b.csrf();
    let fresh = b.post("/admin/account/totp/recovery", &[("csrf", &csrf)]);
    assert_eq!(fresh.status, 200);
    let fresh = recovery_codes(&fresh.body);
    assert_eq!(fresh.len(), 10);
    b.logout();
    b.password(email);
    assert_eq!(b.code(&codes[2]).status, 401);
    assert_eq!(b.code(&fresh[0]).status, 303);

    let actions = audit_actions(&shop);
    for a in [
        "totp.enrolled",
        "totp.refused",
        "totp.recovery_used",
        "totp.recovery_regenerated",
        "login.password_ok",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    // Never a secret or a code in the audit log, nor the secret in clear in the database.
    let everything = shop
        .sql_rows("SELECT * FROM {shopws_audit}", &[])
        .into_iter()
        .flatten()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!everything.contains(&secret));
    assert!(!everything.contains(&next));
    for c in codes.iter().chain(fresh.iter()) {
        assert!(!everything.to_lowercase().contains(c.as_str()));
    }
    let stored = shop.sql_strings("SELECT secret FROM {shopws_admin_totp}", &[]);
    assert_eq!(stored.len(), 1);
    let raw = totp_rs::Secret::Encoded(secret.clone())
        .to_bytes()
        .expect("base32");
    assert!(!stored[0].contains(&secret) && !stored[0].contains(&hex(&raw)));

    // Turning it off (the session is in sudo mode: just logged in).
    let csrf = b.csrf();
    let r = b.post("/admin/account/totp/disable", &[("csrf", &csrf)]);
    assert_eq!(r.status, 303);
    b.logout();
    assert_eq!(b.password(email).location, "/admin/webservice");
    assert!(audit_actions(&shop).iter().any(|a| a == "totp.disabled"));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn an_employee_required_to_use_totp_is_sent_to_enrolment() {
    let shop = TestShop::start();
    let email = "forced@example.com";
    create_admin(&shop, email, PASSWORD);
    let before = Browser::new(&shop);
    assert_eq!(before.password(email).location, "/admin/webservice");
    shop.cli(&["admin", "totp-require", "--email", email]);
    assert!(shop.cli(&["admin", "list"]).contains("pending"));
    // A session opened before the requirement is closed.
    assert_eq!(before.get("/admin/webservice").status, 303);
    let b = Browser::new(&shop);
    let r = b.password(email);
    assert_eq!((r.status, r.location.as_str()), (303, "/admin/login/enrol"));
    assert!(!b.has("shopws_session"));
    // Nothing else is reachable before enrolment.
    for path in ["/admin/webservice", "/admin/account", "/admin/audit"] {
        assert_eq!(b.get(path).status, 303, "{path}");
    }
    assert_eq!(b.get("/admin/login/code").status, 303);
    let enrol = b.get("/admin/login/enrol");
    assert_eq!(enrol.status, 200);
    let secret = between(&enrol.body, "id=\"totp-secret\" class=\"secret\">", "<").to_string();
    let csrf = hidden(&enrol.body, "csrf");
    // Reloading keeps the same secret.
    assert!(b.get("/admin/login/enrol").body.contains(&secret));
    let wrong = b.post(
        "/admin/login/enrol",
        &[("csrf", &csrf), ("code", &code_at(&secret, 6))],
    );
    assert_eq!(wrong.status, 401);
    let done = b.post(
        "/admin/login/enrol",
        &[("csrf", &csrf), ("code", &code_at(&secret, 0))],
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(recovery_codes(&done.body).len(), 10);
    assert!(b.has("shopws_session"));
    assert_eq!(b.get("/admin/webservice").status, 200);
    // Required: it cannot be turned off from the account page.
    let csrf = b.csrf();
    assert_eq!(
        b.post("/admin/account/totp/disable", &[("csrf", &csrf)])
            .status,
        403
    );
    b.logout();
    assert_eq!(b.password(email).location, "/admin/login/code");

    // Lost device: the CLI resets it; the next login enrols again.
    shop.cli(&["admin", "totp-reset", "--email", email]);
    let b = Browser::new(&shop);
    assert_eq!(b.password(email).location, "/admin/login/enrol");
    let actions = audit_actions(&shop);
    assert!(actions.iter().any(|a| a == "totp.required"));
    assert!(actions.iter().any(|a| a == "totp.reset"));
}

#[test]
fn the_audit_log_exports_as_csv_with_formulas_defused() {
    let shop = TestShop::start();
    create_admin(&shop, "boss@example.com", PASSWORD);
    let mut child = shop
        .command()
        .args([
            "admin",
            "create",
            "--email",
            "viewer@example.com",
            "--role",
            "viewer",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("viewer");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .expect("write");
    }
    assert!(child.wait().expect("wait").success());
    shop.sql_exec(
        "INSERT INTO {shopws_audit} (at, actor_type, action, details, result) VALUES (?, ?, ?, ?, ?)",
        &[
            SqlValue::from("2026-01-02 03:04:05"),
            SqlValue::from("@evil"),
            SqlValue::from("test.formula"),
            SqlValue::from("=HYPERLINK(\"http://x\",\"y\")"),
            SqlValue::from("ok"),
        ],
    );
    let b = Browser::new(&shop);
    assert_eq!(b.password("viewer@example.com").status, 303);
    let page = b.get("/admin/audit?action=test.");
    assert!(
        page.body.contains("/admin/audit.csv?action=test."),
        "export link keeps the filter"
    );
    let csv = b.get("/admin/audit.csv");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    assert!(csv.disposition.starts_with("attachment"));
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some("id,when_utc,who,from,user_agent,what,target,details,result")
    );
    assert!(csv.body.contains("login.ok"));
    assert!(csv.body.contains("'@evil"), "{}", csv.body);
    assert!(
        csv.body
            .contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains(",=HYPERLINK"));
    let filtered = b.get("/admin/audit.csv?action=test.");
    assert_eq!(filtered.body.lines().count(), 2, "{}", filtered.body);
    assert!(filtered.body.contains("test.formula"));
    assert!(!csv.body.contains(PASSWORD));
    assert!(audit_actions(&shop).iter().any(|a| a == "audit.export"));
    // Not for strangers.
    let stranger = Browser::new(&shop).get("/admin/audit.csv");
    assert_eq!(stranger.status, 303);
}

#[test]
fn audit_retention_prunes_old_rows_at_start_up_and_when_saved() {
    let shop = TestShop::start();
    let insert = |at: &str, action: &str| {
        shop.sql_exec(
            "INSERT INTO {shopws_audit} (at, actor_type, action, result) VALUES (?, 'test', ?, 'ok')",
            &[SqlValue::from(at), SqlValue::from(action)],
        );
    };
    let count = |action: &str| {
        shop.sql_i64(
            "SELECT COUNT(*) FROM {shopws_audit} WHERE action = ?",
            &[SqlValue::from(action)],
        )
    };
    // The shop's own start-up prune runs beside its first requests: let it pass first.
    std::thread::sleep(Duration::from_secs(2));
    insert("2001-01-01 00:00:00", "test.ancient");
    let recent = {
        let t = now() - 10 * 86_400;
        let days = t / 86_400;
        // Civil date from days since the epoch (Howard Hinnant's algorithm).
        let z = days as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02} 00:00:00")
    };
    insert(&recent, "test.recent");
    assert_eq!(count("test.ancient"), 1);
    // A second node starting on the same database prunes at start-up (default: 365 days).
    let _node = TestShop::start_on(&shop.db, &shop.key, &[]);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count("test.ancient") > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(count("test.ancient"), 0);
    assert_eq!(count("test.recent"), 1);

    // Saving a shorter retention prunes at once, and is audited.
    create_admin(&shop, "boss@example.com", PASSWORD);
    let b = Browser::new(&shop);
    assert_eq!(b.password("boss@example.com").status, 303);
    let page = b.get("/admin/audit");
    assert!(page.body.contains("name=\"retention_days\""));
    assert!(page.body.contains("value=\"365\""));
    let csrf = hidden(&page.body, "csrf");
    let bad = b.post(
        "/admin/audit/retention",
        &[("csrf", &csrf), ("retention_days", "-3")],
    );
    assert_eq!(bad.status, 400);
    let r = b.post(
        "/admin/audit/retention",
        &[("csrf", &csrf), ("retention_days", "7")],
    );
    assert_eq!(
        (r.status, r.location.as_str()),
        (303, "/admin/audit?done=retention")
    );
    assert_eq!(count("test.recent"), 0);
    assert_eq!(
        shop.sql_strings(
            "SELECT value FROM {configuration} WHERE name = 'SHOPWS_AUDIT_RETENTION_DAYS'",
            &[]
        ),
        vec!["7".to_string()]
    );
    assert!(audit_actions(&shop)
        .iter()
        .any(|a| a == "settings.audit_retention"));
    assert!(b.get("/admin/audit").body.contains("value=\"7\""));
    // 0 keeps everything.
    let r = b.post(
        "/admin/audit/retention",
        &[("csrf", &csrf), ("retention_days", "0")],
    );
    assert_eq!(r.status, 303);
    insert("2001-01-01 00:00:00", "test.kept");
    let _again = TestShop::start_on(&shop.db, &shop.key, &[]);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(count("test.kept"), 1);
}
