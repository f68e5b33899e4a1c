//! Keys, the enable switch and the permission matrix (protocol §3–§4).

use crate::support::TestShop;

#[test]
fn key_transports_and_failures() {
    let shop = TestShop::start();
    let ok = shop.get("/api/customers");
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.header("psws-version"), Some("8.2.0"));
    assert_eq!(ok.header("x-powered-by"), Some("PrestaShop Webservice"));

    let by_query = shop.req(
        "GET",
        &format!("/api/customers?ws_key={}", shop.key.to_lowercase()),
        None,
        None,
        &[],
    );
    assert_eq!(by_query.status, 200, "ws_key, case-insensitive");

    let none = shop.req("GET", "/api/customers", None, None, &[]);
    assert_eq!(none.status, 401);
    assert!(none
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Basic realm=")));
    assert_eq!(none.body, "401 Unauthorized");
    assert!(
        none.header("psws-version").is_none(),
        "no version before authentication"
    );

    let short = shop.req("GET", "/api/customers?ws_key=ABC", None, None, &[]);
    assert_eq!((short.status, short.codes()), (401, vec![18]));
    let empty = shop.req("GET", "/api/customers?ws_key=", None, None, &[]);
    assert_eq!((empty.status, empty.codes()), (401, vec![17]));
    let unknown = shop.req("GET", "/api/customers", Some(&"Z".repeat(32)), None, &[]);
    assert_eq!((unknown.status, unknown.codes()), (401, vec![20, 21]));
    assert!(unknown.header("content-sha1").is_none());

    let pre = shop.req("OPTIONS", "/api/customers", None, None, &[]);
    assert_eq!(pre.status, 200);
    assert_eq!(
        pre.header("access-control-allow-headers"),
        Some("Authorization, Content-Type")
    );
}

#[test]
fn disabled_and_deleted_keys_stop_within_a_second() {
    let shop = TestShop::start();
    let k = shop.key(&["--allow", "customers=GET"]);
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&k), None, &[])
            .status,
        200
    );
    shop.cli(&["key", "disable", &k]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = shop.req("GET", "/api/customers", Some(&k), None, &[]);
    assert_eq!((r.status, r.codes()), (401, vec![20, 21]));
    shop.cli(&["key", "enable", &k]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&k), None, &[])
            .status,
        200
    );
    shop.cli(&["webservice", "disable"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let off = shop.req("GET", "/api/customers", Some(&k), None, &[]);
    assert_eq!((off.status, off.codes()), (503, vec![22]));
}

#[test]
fn permission_matrix_one_key_per_method() {
    let shop = TestShop::start();
    let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
    for granted in methods {
        let k = shop.key(&["--allow", &format!("taxes={granted}")]);
        for tried in methods {
            let body = match tried {
                "POST" => Some("<prestashop><tax><rate>1</rate><name>x</name></tax></prestashop>"),
                "PUT" | "PATCH" => {
                    Some("<prestashop><tax><id>1</id><rate>20</rate></tax></prestashop>")
                }
                _ => None,
            };
            let path = if tried == "DELETE" {
                "/api/taxes/987654"
            } else {
                "/api/taxes"
            };
            let r = shop.req(tried, path, Some(&k), body, &[]);
            if tried == granted {
                assert_ne!(r.status, 405, "{granted} key, {tried}: {}", r.body);
                assert_ne!(r.status, 401, "{granted} key, {tried}: {}", r.body);
            } else {
                assert_eq!(r.status, 405, "{granted} key, {tried}");
                if tried != "HEAD" {
                    assert_eq!(r.codes(), vec![25], "{granted} key, {tried}");
                }
            }
        }
        let other = shop.req("GET", "/api/products", Some(&k), None, &[]);
        assert_eq!((other.status, other.codes()), (401, vec![26]));
        let root = shop.req("GET", "/api/", Some(&k), None, &[]);
        assert_eq!(root.status, 200);
        let doc = root.xml();
        let names: Vec<&str> = doc
            .descendants()
            .filter(|n| n.is_element() && n.parent().is_some_and(|p| p.has_tag_name("api")))
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(names, vec!["taxes"]);
    }
    let forbidden = shop.send(
        "POST",
        "/api/stock_availables",
        "<prestashop><stock_available/></prestashop>",
    );
    assert_eq!((forbidden.status, forbidden.codes()), (405, vec![101]));
    let bad = shop.req(
        "PURGE",
        "/api/customers",
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!((bad.status, bad.codes()), (405, vec![23]));
    let lower = shop.get("/api/customers?ps_method=put");
    assert_eq!((lower.status, lower.codes()), (405, vec![23]));
}

#[test]
fn grants_a_resource_cannot_honour_are_refused() {
    let shop = TestShop::start();
    let keys = || shop.cli(&["key", "list"]).lines().count();
    let before = keys();
    for (grant, message) in [
        (
            "stocks=POST",
            "stocks does not allow POST; it allows GET, HEAD",
        ),
        (
            "search=GET,PUT,DELETE",
            "search does not allow PUT, DELETE; it allows GET, HEAD",
        ),
        (
            "stock_availables=post",
            "stock_availables does not allow POST; it allows GET, PUT, PATCH, HEAD",
        ),
        (
            "warehouses=DELETE",
            "warehouses does not allow DELETE; it allows GET, PUT, POST, PATCH, HEAD",
        ),
    ] {
        let err = shop.cli_fails(&["key", "add", "--allow", "customers=GET", "--allow", grant]);
        assert!(err.contains(message), "{grant}: {err}");
    }
    assert_eq!(keys(), before, "no key was created");

    let k = shop.key(&["--allow", "stocks=GET"]);
    let err = shop.cli_fails(&["key", "set-permissions", &k, "--allow", "stocks=GET,PUT"]);
    assert!(
        err.contains("stocks does not allow PUT; it allows GET, HEAD"),
        "{err}"
    );
    let shown = shop.cli(&["key", "show", &k]);
    assert!(shown.contains("permissions: stocks=GET\n"), "{shown}");
    // ALL is every method the resource allows.
    shop.cli(&["key", "set-permissions", &k, "--allow", "stocks=ALL"]);
    let shown = shop.cli(&["key", "show", &k]);
    assert!(shown.contains("permissions: stocks=GET,HEAD\n"), "{shown}");
}

#[test]
fn expired_keys_answer_like_inactive_ones() {
    let shop = TestShop::start();
    let expired = shop.key(&[
        "--allow",
        "customers=GET",
        "--expires",
        "2000-01-01 00:00:00",
    ]);
    let r = shop.req("GET", "/api/customers", Some(&expired), None, &[]);
    assert_eq!((r.status, r.codes()), (401, vec![20, 21]));
    let later = shop.key(&[
        "--allow",
        "customers=GET",
        "--expires",
        "2999-01-01 00:00:00",
    ]);
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&later), None, &[])
            .status,
        200
    );
    let listed = shop.cli(&["key", "list"]);
    assert!(
        !listed.contains(&expired) && !listed.contains(&later),
        "keys are never printed again"
    );
}

#[test]
fn keys_never_reach_a_log_or_the_audit_table() {
    let shop = TestShop::start_logged();
    let key = shop.key(&[
        "--allow",
        "customers=GET,HEAD",
        "--description",
        "log check",
    ]);
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&key), None, &[])
            .status,
        200
    );
    let by_query = shop.req(
        "GET",
        &format!("/api/customers?ws_key={key}"),
        None,
        None,
        &[],
    );
    assert_eq!(by_query.status, 200);
    // Another last character: a key already ending in X made this the right key once in 36.
    let last = if key.ends_with('X') { 'Y' } else { 'X' };
    let wrong = format!("{}{last}", &key[..31]);
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&wrong), None, &[])
            .status,
        401
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    let log = std::fs::read_to_string(shop.log.as_ref().expect("log")).expect("read log");
    assert!(!log.is_empty(), "the server logged something to check");
    for secret in [&key, &shop.key, &wrong] {
        assert!(
            !log.contains(secret.as_str()),
            "a key appears in the server log"
        );
        assert!(!log.to_lowercase().contains(&secret.to_lowercase()));
    }
    let rows: Vec<String> = shop
        .sql_rows("SELECT details, target_hint FROM {shopws_audit}", &[])
        .into_iter()
        .map(|r| r.into_iter().flatten().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(!rows.is_empty(), "the audit table has entries");
    for row in &rows {
        assert!(
            !row.contains(&key) && !row.contains(&shop.key),
            "a key appears in the audit table: {row}"
        );
    }
    let stored = shop.sql_strings(
        &format!("SELECT {} FROM {{webservice_account}}", shop.ident("key")),
        &[],
    );
    assert!(!stored.is_empty(), "the accounts table has rows");
    assert!(
        !stored.iter().any(|s| s.contains(&key)),
        "keys are not stored in clear"
    );
}

#[test]
fn ip_allowlist_and_rate_limit() {
    let shop = TestShop::start();
    let elsewhere = shop.key(&["--allow", "customers=GET", "--allow-ip", "10.0.0.0/8"]);
    let r = shop.req("GET", "/api/customers", Some(&elsewhere), None, &[]);
    assert_eq!((r.status, r.codes()), (403, vec![1001]));
    let here = shop.key(&[
        "--allow",
        "customers=GET",
        "--allow-ip",
        "10.0.0.0/8,127.0.0.1",
    ]);
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&here), None, &[])
            .status,
        200
    );

    let slow = shop.key(&["--allow", "customers=GET", "--rate", "1", "--burst", "2"]);
    let statuses: Vec<u16> = (0..3)
        .map(|_| {
            shop.req("GET", "/api/customers", Some(&slow), None, &[])
                .status
        })
        .collect();
    assert_eq!(statuses, vec![200, 200, 429]);
    let limited = shop.req("GET", "/api/customers", Some(&slow), None, &[]);
    assert_eq!(limited.codes(), vec![1002]);
    assert!(limited
        .header("retry-after")
        .is_some_and(|v| v.parse::<u64>().is_ok_and(|s| s >= 1)));
    // Other keys are not slowed down.
    assert_eq!(shop.get("/api/customers").status, 200);
    shop.cli(&["key", "set-policy", &slow]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        shop.req("GET", "/api/customers", Some(&slow), None, &[])
            .status,
        200,
        "policy removed"
    );
}

#[test]
fn failed_authentications_block_the_address() {
    let shop = TestShop::start_logged_with(&["--auth-failures", "5"]);
    // The bare challenge (no key at all) is not a failure: browsers send it first.
    for _ in 0..8 {
        assert_eq!(
            shop.req("GET", "/api/customers", None, None, &[]).status,
            401
        );
    }
    // A valid key refused for another reason is not a failure either.
    let narrow = shop.key(&["--allow", "taxes=GET"]);
    for _ in 0..8 {
        let r = shop.req("GET", "/api/customers", Some(&narrow), None, &[]);
        assert_eq!((r.status, r.codes()), (401, vec![26]));
    }
    let bad: Vec<String> = (0..5).map(|i| format!("{i}").repeat(32)).collect();
    for k in &bad {
        let r = shop.req("GET", "/api/customers", Some(k), None, &[]);
        assert_eq!((r.status, r.codes()), (401, vec![20, 21]), "{k}");
    }
    let sixth = shop.req("GET", "/api/customers", Some(&"Q".repeat(32)), None, &[]);
    assert_eq!(sixth.status, 429, "{}", sixth.body);
    assert_eq!(sixth.codes(), vec![1005]);
    assert!(sixth
        .body
        .contains("Too many failed authentications from this address"));
    let wait = sixth
        .header("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .expect("Retry-After");
    assert!((1..=12).contains(&wait), "one token back in 12 s: {wait}");
    assert!(sixth.header("psws-version").is_none());

    // Before the key lookup: a valid key from the blocked address is refused too, as are
    // malformed keys, JSON callers and keyless requests.
    let valid = shop.get("/api/customers");
    assert_eq!((valid.status, valid.codes()), (429, vec![1005]));
    assert!(valid.header("retry-after").is_some());
    let json = shop.req(
        "GET",
        "/api/customers?output_format=JSON",
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!((json.status, json.codes()), (429, vec![1005]));
    let short = shop.req("GET", "/api/customers?ws_key=ABC", None, None, &[]);
    assert_eq!(short.status, 429);

    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = std::fs::read_to_string(shop.log.as_ref().expect("log")).expect("read log");
    let blocked: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("too many failed authentications"))
        .collect();
    assert_eq!(blocked.len(), 1, "logged once: {blocked:?}");
    assert!(blocked[0].contains("127.0.0.1"), "{}", blocked[0]);
    for k in bad.iter().chain([&shop.key]) {
        assert!(!log.contains(k.as_str()), "a key appears in the server log");
    }
}

#[test]
fn default_failure_allowance_leaves_ordinary_mistakes_alone() {
    // 60 failures per minute by default: far more than any test or misconfigured client
    // sends before fixing its key.
    let shop = TestShop::start();
    for i in 0..59 {
        let k = format!("{:0>32}", i);
        let r = shop.req("GET", "/api/customers", Some(&k), None, &[]);
        assert_eq!(r.status, 401, "failure {i}");
    }
    assert_eq!(shop.get("/api/customers").status, 200);

    let off = TestShop::start_with(&["--auth-failures", "0"]);
    for i in 0..100 {
        let k = format!("{:0>32}", i);
        assert_eq!(
            off.req("GET", "/api/customers", Some(&k), None, &[]).status,
            401
        );
    }
    assert_eq!(off.get("/api/customers").status, 200);
}

#[test]
fn forwarded_addresses_count_only_from_trusted_proxies() {
    let direct = TestShop::start();
    let key = direct.key(&["--allow", "customers=GET", "--allow-ip", "203.0.113.0/24"]);
    let spoofed = direct.req(
        "GET",
        "/api/customers",
        Some(&key),
        None,
        &[("X-Forwarded-For", "203.0.113.7")],
    );
    assert_eq!(
        (spoofed.status, spoofed.codes()),
        (403, vec![1001]),
        "a client cannot claim another address"
    );

    let proxied = TestShop::start_with(&["--trusted-proxies", "127.0.0.1,::1"]);
    let key = proxied.key(&["--allow", "customers=GET", "--allow-ip", "203.0.113.0/24"]);
    for (headers, status) in [
        (vec![("X-Forwarded-For", "203.0.113.7")], 200),
        (vec![("X-Forwarded-For", "203.0.113.7, 127.0.0.1")], 200),
        (vec![("Forwarded", "for=203.0.113.9;proto=https")], 200),
        (vec![("X-Forwarded-For", "203.0.113.7, 198.51.100.1")], 403),
        (vec![], 403),
    ] {
        let r = proxied.req("GET", "/api/customers", Some(&key), None, &headers);
        assert_eq!(r.status, status, "{headers:?}");
    }
    // The refusal is in the audit log, once a minute per key and address, with the address.
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Written behind the requests, so not necessarily in their order.
    let mut ips = proxied.sql_strings(
        "SELECT ip FROM {shopws_audit} WHERE action = ? ORDER BY id",
        &["api.ip_refused".into()],
    );
    ips.sort();
    assert_eq!(
        ips,
        vec!["127.0.0.1".to_string(), "198.51.100.1".to_string()]
    );
}
