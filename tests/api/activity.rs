//! API activity per key: counted on each node, written behind the requests into rolling
//! tables (hourly counts, the latest requests), never with the key, added up across nodes,
//! shown on the back office's activity page, and gone with the key.

use std::time::{Duration, Instant};

use crate::backoffice::{client, create_admin, sql, Admin};
use crate::support::{SqlValue, TestShop};

/// Flushes every second; 5 latest requests kept per key.
const FAST: &[&str] = &["--activity-flush", "1", "--activity-recent", "5"];

fn demo_key_id(shop: &TestShop) -> i64 {
    shop.sql_i64(
        "SELECT MIN(id_webservice_account) FROM {webservice_account}",
        &[],
    )
}

/// Requests counted for `key` in the database.
fn counted(shop: &TestShop, key: i64) -> i64 {
    shop.sql_i64(
        "SELECT COALESCE(SUM(requests), 0) FROM {shopws_api_activity} WHERE id_webservice_account = ?",
        &[key.into()],
    )
}

/// Waits (at most 20 s) until `want` requests of `key` are in the database.
fn wait_counted(shop: &TestShop, key: i64, want: i64) {
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let n = counted(shop, key);
        if n == want {
            return;
        }
        assert!(
            Instant::now() < end,
            "{n} requests counted, {want} expected"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn recent(shop: &TestShop, key: i64) -> Vec<Vec<Option<String>>> {
    shop.sql_rows(
        "SELECT method, path, status, duration_us, ip, at FROM {shopws_api_recent} \
         WHERE id_webservice_account = ? ORDER BY id",
        &[key.into()],
    )
}

fn now_hour() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 3600
}

#[test]
fn requests_are_counted_per_key_and_hour_without_the_key() {
    let mut args = FAST.to_vec();
    args.extend(["--metrics-listen", "127.0.0.1:0"]);
    let shop = TestShop::start_with(&args);
    let id = demo_key_id(&shop);
    let hour_before = now_hour();
    let mut statuses = Vec::new();
    for path in [
        "/api/taxes/1",
        "/api/taxes/1",
        "/api/taxes/999999",
        "/api/nosuchthing",
    ] {
        statuses.push(shop.get(path).status);
    }
    // No key: 401, nobody's activity.
    assert_eq!(shop.req("GET", "/api/taxes/1", None, None, &[]).status, 401);
    // The key in the query, and in the path after `&`, as PrestaShop reads it too.
    let k = shop.key.clone();
    for path in [
        format!("/api/taxes/1?ws_key={k}&output_format=JSON"),
        format!("/api/taxes&ws_key={k}"),
    ] {
        let r = shop.req("GET", &path, None, None, &[]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        statuses.push(r.status);
    }
    let errors = statuses.iter().filter(|s| **s >= 400).count() as i64;
    assert_eq!(errors, 2, "{statuses:?}");
    wait_counted(&shop, id, 6);

    let hours = shop.sql_rows(
        "SELECT hour, requests, errors, duration_us, bytes FROM {shopws_api_activity} \
         WHERE id_webservice_account = ?",
        &[id.into()],
    );
    assert!(!hours.is_empty() && hours.len() <= 2, "{hours:?}");
    let num = |v: &Option<String>| v.as_deref().unwrap_or("0").parse::<i64>().unwrap();
    for h in &hours {
        let hour = num(&h[0]);
        assert!(hour >= hour_before && hour <= now_hour(), "{h:?}");
    }
    assert_eq!(hours.iter().map(|h| num(&h[2])).sum::<i64>(), 2);
    assert!(
        hours.iter().map(|h| num(&h[3])).sum::<i64>() > 0,
        "durations"
    );
    assert!(hours.iter().map(|h| num(&h[4])).sum::<i64>() > 0, "bytes");

    // The latest 5 of the 6, oldest first; never the key.
    let rows = recent(&shop, id);
    assert_eq!(rows.len(), 5, "{rows:?}");
    for r in &rows {
        let text = format!("{r:?}");
        assert!(!text.contains(&k), "the key is stored: {text}");
        assert_eq!(r[0].as_deref(), Some("GET"));
        assert_eq!(r[4].as_deref(), Some("127.0.0.1"));
        assert!(num(&r[3]) > 0, "{r:?}");
        assert_eq!(r[5].as_deref().map(str::len), Some(19), "{r:?}");
    }
    let paths: Vec<&str> = rows.iter().map(|r| r[1].as_deref().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "/api/taxes/1",
            "/api/taxes/999999",
            "/api/nosuchthing",
            "/api/taxes/1?output_format=JSON",
            "/api/taxes"
        ]
    );
    assert_eq!(rows[1][2].as_deref(), Some("404"));

    // A scrape shows what waits to be written (nothing, once flushed).
    let metrics = shop.metrics_url.clone().expect("metrics address");
    let text = client().get(&metrics).send().unwrap().text().unwrap();
    assert!(text.contains("shopws_activity_pending "), "{text}");
    assert!(text.contains("shopws_key_uses_pending "), "{text}");

    // More requests: still the latest 5 only (pruned in the database across flushes).
    for _ in 0..3 {
        assert_eq!(shop.get("/api/taxes/2").status, 200);
    }
    wait_counted(&shop, id, 9);
    let paths: Vec<String> = recent(&shop, id)
        .into_iter()
        .map(|r| r[1].clone().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/taxes/1?output_format=JSON",
            "/api/taxes",
            "/api/taxes/2",
            "/api/taxes/2",
            "/api/taxes/2"
        ]
    );

    // Deleting the key deletes its activity.
    shop.cli(&["key", "delete", &k]);
    assert_eq!(counted(&shop, id), 0);
    assert!(recent(&shop, id).is_empty());
}

#[test]
fn hourly_rows_past_the_retention_are_pruned() {
    let shop = TestShop::start_with(FAST);
    let id = demo_key_id(&shop);
    let old = now_hour() - 9 * 24;
    let kept = now_hour() - 7 * 24;
    shop.sql_insert(
        "shopws_api_activity",
        &["id_webservice_account", "hour", "requests", "errors"],
        [
            vec![SqlValue::Int(id), SqlValue::Int(old), 4.into(), 1.into()],
            vec![SqlValue::Int(id), SqlValue::Int(kept), 3.into(), 0.into()],
        ],
    );
    assert_eq!(shop.get("/api/taxes/1").status, 200);
    wait_counted(&shop, id, 3 + 1);
    let hours = shop.sql_strings(
        "SELECT hour FROM {shopws_api_activity} WHERE id_webservice_account = ? ORDER BY hour",
        &[id.into()],
    );
    assert_eq!(hours[0], kept.to_string(), "{hours:?}");
}

#[test]
fn two_nodes_on_one_database_add_up() {
    let first = TestShop::start_with(FAST);
    let second = TestShop::start_on(&first.db, &first.key, FAST);
    let id = demo_key_id(&first);
    // Both nodes write the same hour's row several times.
    for round in 0..3 {
        for _ in 0..4 {
            assert_eq!(first.get("/api/taxes/1").status, 200);
            assert_eq!(second.get("/api/taxes/1").status, 200);
        }
        assert_eq!(second.get("/api/taxes/424242").status, 404);
        wait_counted(&first, id, 9 * (round + 1));
    }
    let errors = first.sql_i64(
        "SELECT SUM(errors) FROM {shopws_api_activity} WHERE id_webservice_account = ?",
        &[id.into()],
    );
    assert_eq!(errors, 3);
    assert!(recent(&first, id).len() <= 5);

    // Either node's page shows the same totals, to an administrator and to a viewer.
    create_admin(&first, "ops@example.com", PASSWORD);
    create_admin(&first, "look@example.com", PASSWORD);
    sql(
        &first,
        "UPDATE {shopws_admin_user} SET role = 'viewer' WHERE email = 'look@example.com'",
    );
    for (node, who) in [(&first, "ops@example.com"), (&second, "look@example.com")] {
        let page = activity_page(node, who, id);
        assert!(
            page.contains(r#"data-requests="27" data-errors="3""#),
            "{page}"
        );
        assert!(page.contains("<svg"), "{page}");
        assert!(!page.contains(&first.key), "the key is on the page");
        assert!(page.contains("/api/taxes/"), "{page}");
    }
}

#[test]
fn activity_off_records_nothing() {
    let shop = TestShop::start_with(&["--activity", "off", "--activity-flush", "1"]);
    let id = demo_key_id(&shop);
    assert_eq!(shop.get("/api/taxes/1").status, 200);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(counted(&shop, id), 0);
    assert!(recent(&shop, id).is_empty());
}

const PASSWORD: &str = "a long enough password";

/// The activity page of key `id`, as the employee `email` sees it.
fn activity_page(shop: &TestShop, email: &str, id: i64) -> String {
    let admin = Admin::login(shop, email, PASSWORD).expect("login");
    let r = admin.get(&format!("/admin/webservice/keys/{id}/activity"));
    assert_eq!(r.status().as_u16(), 200);
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let body = r.text().unwrap_or_default();
    assert!(
        !body.contains("style=") && !body.contains("<script>"),
        "{body}"
    );
    body
}

#[test]
fn what_is_pending_is_written_at_shutdown() {
    let mut shop = TestShop::start_with(&["--activity-flush", "3600"]);
    let id = demo_key_id(&shop);
    for _ in 0..3 {
        assert_eq!(shop.get("/api/taxes/1").status, 200);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(counted(&shop, id), 0, "nothing written before the hour");
    shop.signal("TERM");
    let status = shop.wait_exit(Duration::from_secs(20)).expect("stopped");
    assert!(status.success(), "{status:?}");
    assert_eq!(counted(&shop, id), 3);
    assert_eq!(recent(&shop, id).len(), 3);
}
