//! Operations: `/health` and `/ready`, the Prometheus metrics on their own listener, and the
//! access log (one line per request, with its request id, never the key).

use std::io::{Read, Write};
use std::time::Duration;

use crate::support::{basic, bulk_rows, TestShop};

fn fetch(url: &str) -> (u16, String) {
    let r = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
        .get(url)
        .send()
        .expect("request");
    (r.status().as_u16(), r.text().unwrap_or_default())
}

/// The value of one sample (`name{labels}`) in an exposition, 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

#[test]
fn metrics_count_requests_and_refusals_on_their_own_listener() {
    let shop = TestShop::start_with(&["--metrics-listen", "127.0.0.1:0", "--auth-failures", "2"]);
    let metrics = shop.metrics_url.clone().expect("metrics address printed");
    let base = metrics.trim_end_matches("/metrics").to_string();
    let ok = r#"shopws_requests_total{resource="taxes",method="GET",status="200"}"#;
    let bad = r#"shopws_refusals_total{reason="bad_key"}"#;
    let throttled = r#"shopws_refusals_total{reason="auth_failures"}"#;
    let (status, before) = fetch(&metrics);
    assert_eq!(status, 200);
    for _ in 0..3 {
        assert_eq!(shop.get("/api/taxes/1").status, 200);
    }
    // A list larger than the 1 MiB buffer goes out as a stream: its bytes are counted as
    // they leave.
    bulk_rows(&shop, 12_000);
    let big = shop.get("/api/configurations?display=full");
    assert_eq!(big.status, 200);
    assert!(big.header("content-length").is_none(), "streamed");
    let streamed = r#"shopws_streamed_bytes_total{resource="configurations"}"#;
    let wrong = "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";
    assert_eq!(
        shop.req("GET", "/api/taxes/1", Some(wrong), None, &[])
            .status,
        401
    );
    assert_eq!(
        shop.req("GET", "/api/taxes/1", Some(wrong), None, &[])
            .status,
        401
    );
    // The address is now over its failure budget: throttled, but health checks are not.
    assert_eq!(
        shop.req("GET", "/api/taxes/1", Some(wrong), None, &[])
            .status,
        429
    );
    for path in ["/health", "/ready"] {
        assert_eq!(shop.req("GET", path, None, None, &[]).status, 200, "{path}");
        assert_eq!(fetch(&format!("{base}{path}")).0, 200, "{path} on metrics");
    }
    // Never on the public port.
    assert_eq!(shop.req("GET", "/metrics", None, None, &[]).status, 404);

    let (status, after) = fetch(&metrics);
    assert_eq!(status, 200);
    assert_eq!(sample(&after, ok) - sample(&before, ok), 3.0, "{after}");
    assert_eq!(sample(&after, bad) - sample(&before, bad), 2.0, "{after}");
    assert_eq!(sample(&after, throttled) - sample(&before, throttled), 1.0);
    assert!(
        sample(
            &after,
            r#"shopws_request_duration_seconds_count{resource="taxes",method="GET"}"#
        ) >= 6.0,
        "{after}"
    );
    assert!(sample(&after, r#"shopws_response_bytes_total{resource="taxes"}"#) > 0.0);
    assert_eq!(
        sample(&after, streamed) - sample(&before, streamed),
        big.body.len() as f64,
        "{after}"
    );
    assert!(big.body.len() > 1024 * 1024);
    assert!(after.contains("shopws_mail_outbox 0"), "{after}");
    assert!(after.contains("shopws_build_info{version="), "{after}");
    if shop.db.starts_with("sqlite:") {
        // The read pool's gauges (4 connections by default, read at scrape time).
        assert_eq!(sample(&after, "shopws_db_pool_connections"), 4.0, "{after}");
        assert!(after.contains("shopws_db_pool_idle "), "{after}");
    } else {
        // Every checkout from the MySQL pool is timed, and its use is counted.
        assert!(
            sample(&after, "shopws_db_pool_wait_seconds_count") > 0.0,
            "{after}"
        );
        let size = sample(&after, "shopws_db_pool_connections");
        assert!(size >= 1.0, "{after}");
        // Between requests, at most a background task (the mail sender) holds one.
        let idle = sample(&after, "shopws_db_pool_idle");
        assert!(idle >= size - 1.0 && idle <= size, "{after}");
        assert!(after.contains("shopws_db_pool_waiting "), "{after}");
    }
}

#[test]
fn ready_turns_503_on_sigterm_while_a_request_finishes() {
    let mut shop =
        TestShop::start_with(&["--metrics-listen", "127.0.0.1:0", "--shutdown-grace", "20"]);
    let ready = shop
        .metrics_url
        .clone()
        .expect("metrics address printed")
        .replace("/metrics", "/ready");
    assert_eq!(fetch(&ready).0, 200);
    let body = r#"<prestashop><tax><rate>7.5</rate><name><language id="1">Slow</language></name></tax></prestashop>"#;
    let (head, tail) = body.split_at(40);
    let mut s = shop.connect();
    write!(
        s,
        "POST /api/taxes HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{head}",
        basic(&shop.key),
        body.len()
    )
    .expect("send");
    std::thread::sleep(Duration::from_millis(300));
    shop.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    let (status, text) = fetch(&ready);
    assert_eq!(status, 503, "{text}");
    // The request in flight still completes.
    s.write_all(tail.as_bytes()).expect("rest of the body");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let exit = shop.wait_exit(Duration::from_secs(10)).expect("exited");
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn access_log_has_one_json_line_per_request_and_never_the_key() {
    let shop = TestShop::start_logged_with(&["--log-format", "json"]);
    let r = shop.req(
        "GET",
        "/api/taxes/1",
        Some(&shop.key),
        None,
        &[("X-Request-Id", "trace-42.a")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-request-id"), Some("trace-42.a"));
    // An unreasonable id is replaced by one of the server's.
    let r = shop.req(
        "GET",
        "/api/taxes/1",
        Some(&shop.key),
        None,
        &[("X-Request-Id", "a b")],
    );
    let generated = r.header("x-request-id").expect("an id").to_string();
    assert!(!generated.is_empty() && generated != "a b");
    let by_query = shop.req(
        "GET",
        &format!("/api/taxes/2?ws_key={}", shop.key),
        None,
        None,
        &[],
    );
    assert_eq!(by_query.status, 200);
    let by_query_id = by_query.header("x-request-id").expect("an id").to_string();
    std::thread::sleep(Duration::from_millis(300));

    let log = std::fs::read_to_string(shop.log.as_ref().expect("log")).expect("read log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let line = |rid: &str| {
        let found: Vec<_> = lines
            .iter()
            .filter(|l| l["target"] == "shopws::access" && l["request_id"] == rid)
            .collect();
        assert_eq!(found.len(), 1, "one line for {rid}: {log}");
        found[0].clone()
    };
    let l = line("trace-42.a");
    assert_eq!(l["method"], "GET");
    assert_eq!(l["resource"], "taxes");
    assert_eq!(l["id"], 1);
    assert_eq!(l["status"], 200);
    assert!(l["duration_ms"].as_f64().is_some_and(|d| d > 0.0), "{l}");
    assert!(l["bytes"].as_u64().is_some_and(|b| b > 0), "{l}");
    assert!(l["key_id"].as_i64().is_some_and(|k| k > 0), "{l}");
    assert_eq!(l["client"], "127.0.0.1");
    line(&generated);
    assert_eq!(line(&by_query_id)["id"], 2);
    assert!(!log.contains(&shop.key), "the key is in the log");
    assert!(
        !log.contains("ws_key="),
        "the query's key parameter is in the log"
    );
}
