//! The key page's tools over HTTP: "Test this key" against what `/api/` really answers the
//! key (active, disabled, expired, IP allowlist, no permission, webservice off), and the
//! permission export and import — into another key, which then answers exactly as the first;
//! refused documents and roles change nothing.

use crate::backoffice::{create_admin, form_key, hidden, sql, Admin};
use crate::support::TestShop;

const EMAIL: &str = "boss@example.com";
const PASSWORD: &str = "a long enough password";

/// Askama's escapes back to text (for values read out of the page).
fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What the test page says: the root answer, then (resource, answer) per row, per shop.
struct Probe {
    root: Vec<String>,
    rows: Vec<(String, String)>,
    html: String,
}

fn probe(admin: &Admin, id: i64, ip: &str) -> Probe {
    let r = admin.get(&format!("/admin/webservice/keys/{id}/test?ip={ip}"));
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().unwrap_or_default();
    let root = html
        .split("<strong class=\"answer\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_string)
        .collect();
    let rows = html
        .split("<tr data-resource=\"")
        .skip(1)
        .filter(|s| s.contains("<td class=\""))
        .map(|s| {
            let res = s.split('"').next().unwrap_or_default().to_string();
            let answer = s
                .split("<td class=\"")
                .nth(1)
                .and_then(|t| t.split('>').nth(1))
                .and_then(|t| t.split('<').next())
                .unwrap_or_default()
                .to_string();
            (res, answer)
        })
        .collect();
    Probe { root, rows, html }
}

/// What `/api/…` answers `key`, written as the test page writes it (`200`, `401 #20/#21`).
fn api(shop: &TestShop, method: &str, path: &str, key: &str) -> String {
    let r = shop.req(method, path, Some(key), None, &[]);
    let codes = r.codes();
    if codes.is_empty() {
        return r.status.to_string();
    }
    let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    format!("{} #{}", r.status, codes.join("/#"))
}

/// The page and the API agree on `GET /api/` and on every resource row.
fn agrees(shop: &TestShop, p: &Probe, key: &str) {
    assert_eq!(p.root.len(), 1, "one shop");
    assert_eq!(p.root[0], api(shop, "GET", "/api/", key), "GET /api/");
    for (res, answer) in &p.rows {
        assert_eq!(
            *answer,
            api(shop, "GET", &format!("/api/{res}"), key),
            "GET /api/{res}"
        );
    }
}

/// The edit form as saved with these policies (the first value of a field wins).
fn save(admin: &Admin, id: i64, perms: &[&str], extra: &[(&str, &str)]) -> u16 {
    let mut f = extra.to_vec();
    f.extend_from_slice(&[
        ("description", "tested"),
        ("active", "1"),
        ("expires_in", ""),
    ]);
    f.extend(perms.iter().map(|p| ("perm", *p)));
    admin
        .post(&format!("/admin/webservice/keys/{id}"), &f, true)
        .status()
        .as_u16()
}

#[test]
fn test_this_key_says_what_the_api_answers() {
    let shop = TestShop::start();
    create_admin(&shop, EMAIL, PASSWORD);
    let admin = Admin::login(&shop, EMAIL, PASSWORD).expect("login");
    let perms = [
        "customers:GET",
        "customers:HEAD",
        "products:HEAD",
        "taxes:GET",
    ];
    let (id, key) = form_key(&admin, "tested", &perms);

    // Active, with some permissions: 200 on what GET is granted on, 405 #25 where it is not.
    let p = probe(&admin, id, "");
    assert_eq!(p.root, ["200"]);
    assert_eq!(
        p.rows,
        [
            ("customers".to_string(), "200".to_string()),
            ("products".to_string(), "405 #25".to_string()),
            ("taxes".to_string(), "200".to_string()),
        ]
    );
    assert!(p.html.contains("GET, HEAD") && p.html.contains("Addresses: any"));
    agrees(&shop, &p, &key);
    assert!(!p.html.contains(&key), "the secret is never shown");

    // Disabled.
    let r = admin.post(
        &format!("/admin/webservice/keys/{id}/status"),
        &[("active", "0")],
        true,
    );
    assert_eq!(r.status().as_u16(), 303);
    let p = probe(&admin, id, "");
    assert_eq!(p.root, ["401 #20/#21"]);
    assert!(p.html.contains("The key is disabled"), "{}", p.html);
    assert!(p.rows.iter().all(|(_, a)| a == "401 #20/#21"));
    agrees(&shop, &p, &key);

    // Expired.
    let expired = [("expires_in", "date"), ("expires", "2001-01-01")];
    assert_eq!(save(&admin, id, &perms, &expired), 303);
    let p = probe(&admin, id, "");
    assert_eq!(p.root, ["401 #20/#21"]);
    assert!(p.html.contains("The key expired on 2001-01-01 23:59:59"));
    agrees(&shop, &p, &key);

    // An IP allowlist: the addresses it names, and an address tested against it.
    let only = [("ip_allowlist", "10.0.0.0/8")];
    assert_eq!(save(&admin, id, &perms, &only), 303);
    let p = probe(&admin, id, "");
    assert_eq!(p.root, ["200"], "no address given: the key itself is fine");
    assert!(p.html.contains("Addresses: only 10.0.0.0/8"), "{}", p.html);
    let p = probe(&admin, id, "10.1.2.3");
    assert_eq!(p.root, ["200"]);
    let p = probe(&admin, id, "127.0.0.1");
    assert_eq!(p.root, ["403 #1001"]);
    assert!(
        unescape(&p.html).contains("127.0.0.1 is not in the key's IP allowlist (10.0.0.0/8)"),
        "{}",
        p.html
    );
    agrees(&shop, &p, &key);
    let p = probe(&admin, id, "not-an-address");
    assert!(p.html.contains("Not an IP address: not-an-address"));

    // A rate limit is a condition the page states.
    let limited = [("rate", "50"), ("burst", "80")];
    assert_eq!(save(&admin, id, &perms, &limited), 303);
    let p = probe(&admin, id, "127.0.0.1");
    assert!(p
        .html
        .contains("Rate limit: 50 requests per second (burst 80)"));
    agrees(&shop, &p, &key);

    // The webservice switched off: 503 #22 before anything about the key.
    let r = admin.post("/admin/webservice/settings", &[("enabled", "0")], true);
    assert_eq!(r.status().as_u16(), 303);
    let p = probe(&admin, id, "");
    assert_eq!(p.root, ["503 #22"]);
    assert!(p.html.contains("switched off"));
    agrees(&shop, &p, &key);
    admin.post("/admin/webservice/settings", &[("enabled", "1")], true);

    // No permission at all: 401 #21.
    let (none, none_key) = form_key(&admin, "empty key", &[]);
    let p = probe(&admin, none, "");
    assert_eq!(p.root, ["401 #21"]);
    assert!(p.html.contains("no permission at all") && p.rows.is_empty());
    agrees(&shop, &p, &none_key);

    // Several shops: one answer each; where the key is not associated, 403 #132.
    sql(
        &shop,
        "INSERT INTO {shop} (id_shop_group, name, color, id_category, theme_name, active, deleted) \
         VALUES (1, 'Outlet', '', 2, 'classic', 1, 0)",
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let p = probe(&admin, id, "");
    assert_eq!(p.root, ["200", "403 #132"]);
    assert!(p.html.contains("GET /api/?id_shop=2") && p.html.contains("Outlet (#2)"));
    assert!(p.html.contains("not associated with this shop"));
    assert_eq!(api(&shop, "GET", "/api/?id_shop=1", &key), "200");
    assert_eq!(api(&shop, "GET", "/api/?id_shop=2", &key), "403 #132");
    assert_eq!(api(&shop, "GET", "/api/taxes?id_shop=2", &key), "403 #132");

    // Unknown key: 404, like the edit page.
    assert_eq!(
        admin
            .get("/admin/webservice/keys/99999/test")
            .status()
            .as_u16(),
        404
    );
}

/// The export of key `id` (checks the download's headers).
fn export(admin: &Admin, id: i64) -> String {
    let r = admin.get(&format!("/admin/webservice/keys/{id}/export"));
    assert_eq!(r.status().as_u16(), 200);
    let h = |k: &str| {
        r.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        h("content-disposition"),
        format!("attachment; filename=\"shopws-key-{id}-permissions.json\"")
    );
    assert!(h("content-type").starts_with("application/json"));
    assert_eq!(h("cache-control"), "no-store");
    r.text().unwrap_or_default()
}

/// Posts an import; `step` "preview" or "apply" (with the preview's `expect`).
fn import(
    admin: &Admin,
    id: i64,
    json: &str,
    with_settings: bool,
    step: &str,
    expect: &str,
    extra: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let mut f = vec![("json", json), ("step", step), ("expect", expect)];
    if with_settings {
        f.push(("with_settings", "1"));
    }
    f.extend_from_slice(extra);
    admin.post(&format!("/admin/webservice/keys/{id}/import"), &f, true)
}

/// Preview, then apply what the preview showed; returns the preview page.
fn import_applied(admin: &Admin, id: i64, json: &str, with_settings: bool) -> String {
    let r = import(admin, id, json, with_settings, "preview", "", &[]);
    assert_eq!(r.status().as_u16(), 200);
    let preview = r.text().unwrap_or_default();
    let expect = unescape(&hidden(&preview, "expect"));
    assert!(!expect.is_empty(), "{preview}");
    let r = import(admin, id, json, with_settings, "apply", &expect, &[]);
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().unwrap_or_default());
    preview
}

/// What `/api/` answers a key on a set of requests.
fn answers(shop: &TestShop, key: &str) -> Vec<String> {
    let mut out = vec![shop.req("GET", "/api/", Some(key), None, &[]).body];
    for res in [
        "customers",
        "products",
        "stocks",
        "taxes",
        "orders",
        "zones",
    ] {
        for m in ["GET", "HEAD"] {
            out.push(format!(
                "{m} {res}: {}",
                api(shop, m, &format!("/api/{res}"), key)
            ));
        }
    }
    out.push(api(shop, "DELETE", "/api/zones/999999", key));
    out
}

#[test]
fn export_then_import_into_another_key_answers_alike() {
    let shop = TestShop::start();
    create_admin(&shop, EMAIL, PASSWORD);
    let mut admin = Admin::login(&shop, EMAIL, PASSWORD).expect("login");
    let source = [
        "customers:GET",
        "customers:HEAD",
        "products:GET",
        "products:PUT",
        "products:HEAD",
        "stocks:GET",
        "zones:DELETE",
    ];
    let (a, key_a) = form_key(&admin, "source key", &source);
    let mut f = vec![
        ("description", "source key"),
        ("active", "1"),
        ("expires_in", "date"),
        ("expires", "2099-12-31 23:00:00"),
        ("ip_allowlist", "127.0.0.1, ::1"),
        ("rate", "1000"),
        ("burst", "2000"),
    ];
    f.extend(source.iter().map(|p| ("perm", *p)));
    assert_eq!(
        admin
            .post(&format!("/admin/webservice/keys/{a}"), &f, true)
            .status()
            .as_u16(),
        303
    );

    let json = export(&admin, a);
    assert_eq!(export(&admin, a), json, "the same bytes every time");
    assert!(
        !json.contains(&key_a) && !json.contains(&key_a[..4]),
        "no secret"
    );
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["format"], "shopws-key-permissions/1");
    assert_eq!(doc["description"], "source key");
    assert_eq!(doc["active"], true);
    assert_eq!(
        doc["permissions"],
        serde_json::json!({
            "customers": ["GET", "HEAD"],
            "products": ["GET", "PUT", "HEAD"],
            "stocks": ["GET"],
            "zones": ["DELETE"],
        })
    );
    assert_eq!(
        doc["policies"],
        serde_json::json!({
            "expires_at": "2099-12-31 23:00:00",
            "ip_allowlist": ["127.0.0.1/32", "::1/128"],
            "rate_per_sec": 1000,
            "burst": 2000,
        })
    );
    let keys: Vec<&str> = json
        .lines()
        .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
        .filter_map(|l| l.trim().split('"').nth(1))
        .collect();
    assert_eq!(
        keys,
        ["format", "description", "active", "permissions", "policies"]
    );

    // Another key, other permissions: the preview shows the diff and changes nothing.
    let (b, key_b) = form_key(&admin, "target key", &["taxes:GET"]);
    let r = import(&admin, b, &json, false, "preview", "", &[]);
    assert_eq!(r.status().as_u16(), 200);
    let preview = r.text().unwrap_or_default();
    for change in [
        "+customers:GET",
        "+products:PUT",
        "+zones:DELETE",
        "-taxes:GET",
    ] {
        assert!(preview.contains(change), "{change}: {preview}");
    }
    assert!(preview.contains("replaces"));
    assert_eq!(api(&shop, "GET", "/api/customers", &key_b), "401 #26");

    // Applied: B answers exactly as A on /api/.
    import_applied(&admin, b, &json, false);
    let edit = admin
        .get(&format!("/admin/webservice/keys/{b}?done=imported"))
        .text()
        .unwrap_or_default();
    assert!(edit.contains("Permissions imported."));
    assert!(edit.contains(">target key</textarea>"), "description kept");
    assert_eq!(answers(&shop, &key_a), answers(&shop, &key_b));
    let audit = admin
        .get("/admin/audit?action=key.import-permissions")
        .text()
        .unwrap_or_default();
    assert!(
        audit.contains("-taxes:GET") && audit.contains("+zones:DELETE"),
        "{audit}"
    );
    assert!(!audit.contains(&key_a) && !audit.contains(&key_b));
    // B's policies are its own: none.
    assert!(!export(&admin, b).contains("policies"));

    // With "also apply description and policies": the whole configuration.
    let (c, key_c) = form_key(&admin, "third key", &["taxes:GET"]);
    let preview = import_applied(&admin, c, &json, true);
    assert!(unescape(&preview).contains("description \"source key\""));
    assert_eq!(export(&admin, c), json, "the same document");
    assert_eq!(answers(&shop, &key_a), answers(&shop, &key_c));

    // Granting write access again later asks for the password, as the key form does.
    let (d, key_d) = form_key(&admin, "fourth key", &["taxes:GET"]);
    sql(&shop, "UPDATE {shopws_admin_session} SET reauth_at = 0");
    let r = import(&admin, d, &json, false, "preview", "", &[]);
    let preview = r.text().unwrap_or_default();
    assert!(preview.contains("import_sudo_password"), "{preview}");
    let expect = unescape(&hidden(&preview, "expect"));
    let r = import(&admin, d, &json, false, "apply", &expect, &[]);
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().unwrap_or_default().contains("needs your password"));
    assert_eq!(api(&shop, "GET", "/api/customers", &key_d), "401 #26");
    let r = import(
        &admin,
        d,
        &json,
        false,
        "apply",
        &expect,
        &[("sudo_password", PASSWORD)],
    );
    assert_eq!(r.status().as_u16(), 303);
    assert!(admin.adopt(&r), "a new session id after re-authentication");
    assert_eq!(answers(&shop, &key_a), answers(&shop, &key_d));

    // The command line: the same document, and an import from standard input.
    assert_eq!(shop.cli(&["key", "export", &a.to_string()]), json);
    let (e, key_e) = form_key(&admin, "fifth key", &["taxes:GET"]);
    let mut child = shop
        .command()
        .args(["key", "import-permissions", &e.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("shopws key import-permissions");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(json.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("-taxes:GET"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(answers(&shop, &key_a), answers(&shop, &key_e));
}

#[test]
fn refused_imports_change_nothing_and_viewers_cannot_import() {
    let shop = TestShop::start();
    create_admin(&shop, EMAIL, PASSWORD);
    let admin = Admin::login(&shop, EMAIL, PASSWORD).expect("login");
    let (id, key) = form_key(&admin, "kept as it is", &["taxes:GET", "zones:GET"]);
    let before = export(&admin, id);
    let doc = |perms: &str| {
        format!(r#"{{"format": "shopws-key-permissions/1", "permissions": {perms}}}"#)
    };
    let cases = [
        (
            "{\"format\": \"shopws-key-permissions/1\",".to_string(),
            "The file is not valid JSON",
        ),
        ("not json at all".to_string(), "The file is not valid JSON"),
        (
            r#"{"format": "prestashop-webservice/9", "permissions": {}}"#.to_string(),
            "Unknown format",
        ),
        (
            r#"{"permissions": {}}"#.to_string(),
            "No &quot;format&quot; field",
        ),
        (doc(r#"{"dragons": ["GET"]}"#), "unknown resource"),
        (
            doc(r#"{"stocks": ["GET", "POST"]}"#),
            "stocks does not allow POST; it allows GET, HEAD",
        ),
        (
            doc(r#"{"search": ["DELETE"]}"#),
            "search does not allow DELETE",
        ),
        (doc(r#"{"taxes": ["FETCH"]}"#), "unknown method FETCH"),
        (
            doc(r#"{"taxes": ["GET"]}, "key": "UCCLLQ9N2ARSHWCXLT74KUKSSK34BFKX""#),
            "unknown field",
        ),
    ];
    for (json, message) in &cases {
        for step in ["preview", "apply"] {
            let r = import(&admin, id, json, true, step, "", &[]);
            assert_eq!(r.status().as_u16(), 400, "{step} {json}");
            let body = r.text().unwrap_or_default();
            let shown = body.replace("&#34;", "&quot;").replace("&#x22;", "&quot;");
            assert!(shown.contains(message), "{message}: {body}");
            assert!(body.contains("Nothing was changed."));
        }
    }
    // An apply that does not match its preview (the file edited in between) is not applied.
    let r = import(
        &admin,
        id,
        &doc(r#"{"orders": ["GET"]}"#),
        false,
        "apply",
        "+customers:GET",
        &[],
    );
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().unwrap_or_default();
    assert!(body.contains("changed since the preview") && body.contains("+orders:GET"));
    assert_eq!(export(&admin, id), before, "nothing changed");
    assert_eq!(api(&shop, "GET", "/api/taxes", &key), "200");
    assert_eq!(api(&shop, "GET", "/api/orders", &key), "401 #26");
    let imports = shop.sql_i64(
        "SELECT COUNT(*) FROM {shopws_audit} WHERE action = ?",
        &["key.import-permissions".into()],
    );
    assert_eq!(imports, 0, "no import was audited");

    // The new-key page: an import only fills the form.
    let r = admin.post(
        "/admin/webservice/keys/new/import",
        &[("json", before.as_str()), ("with_settings", "1")],
        true,
    );
    assert_eq!(r.status().as_u16(), 200);
    let form = r.text().unwrap_or_default();
    assert!(
        form.contains("value=\"zones:GET\" aria-label=\"zones GET\" data-method=\"GET\" checked")
    );
    assert!(!form
        .contains("value=\"orders:GET\" aria-label=\"orders GET\" data-method=\"GET\" checked"));
    assert!(form.contains(">kept as it is</textarea>"));
    let r = admin.post("/admin/webservice/keys/new/import", &[("json", "{")], true);
    assert_eq!(r.status().as_u16(), 400);

    // A viewer may test and export a key, not import into one.
    create_admin(&shop, "viewer@example.com", PASSWORD);
    sql(
        &shop,
        "UPDATE {shopws_admin_user} SET role = 'viewer' WHERE email = 'viewer@example.com'",
    );
    let viewer = Admin::login(&shop, "viewer@example.com", PASSWORD).expect("login");
    assert_eq!(export(&viewer, id), before);
    assert_eq!(probe(&viewer, id, "").root, ["200"]);
    let page = viewer
        .get(&format!("/admin/webservice/keys/{id}"))
        .text()
        .unwrap_or_default();
    assert!(page.contains("Export permissions (JSON)") && !page.contains("Apply import"));
    assert!(
        !page.contains("name=\"json\""),
        "no import box for a viewer"
    );
    let everything = doc(r#"{"orders": ["GET", "POST"]}"#);
    for step in ["preview", "apply"] {
        let r = import(
            &viewer,
            id,
            &everything,
            false,
            step,
            "+orders:GET +orders:POST -taxes:GET -zones:GET",
            &[],
        );
        assert_eq!(r.status().as_u16(), 403, "{step}");
    }
    let r = viewer.post(
        "/admin/webservice/keys/new/import",
        &[("json", everything.as_str())],
        true,
    );
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(export(&admin, id), before, "nothing changed");
}
