//! The server as a process and a socket: stop signals, time limits, the connection cap, and
//! what is read before a key is checked.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::support::{basic, bulk_rows, read_to_close, TestShop};

#[test]
fn sigterm_lets_a_streamed_list_finish_then_exits_zero() {
    let mut shop = TestShop::start_with(&["--shutdown-grace", "20"]);
    bulk_rows(&shop, 60_000);
    let mut s = shop.connect();
    write!(
        s,
        "GET /api/configurations?display=full&filter[name]=[BULK]%25 HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\nconnection: close\r\n\r\n",
        basic(&shop.key)
    )
    .expect("send");
    // The answer has started; the client is slow, so most of it is still to be written.
    let mut first = [0u8; 4096];
    let n = s.read(&mut first).expect("first bytes");
    assert!(n > 0);
    std::thread::sleep(Duration::from_millis(300));
    shop.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    // No new connection is taken once the signal arrived.
    assert!(
        std::net::TcpStream::connect_timeout(
            &shop.addr().parse().expect("addr"),
            Duration::from_secs(1)
        )
        .is_err(),
        "still accepting after SIGTERM"
    );
    let (rest, closed) = read_to_close(&mut s);
    assert!(closed, "the stream ended");
    let mut body = first[..n].to_vec();
    body.extend_from_slice(&rest);
    let text = String::from_utf8_lossy(&body);
    assert!(text.starts_with("HTTP/1.1 200"), "{}", &text[..80]);
    assert_eq!(
        text.matches("<configuration>").count(),
        60_000,
        "every row arrived"
    );
    assert!(text.trim_end().ends_with("0\r\n\r\n") || text.contains("</prestashop>"));
    assert!(text.contains("</configurations>\n</prestashop>"));
    let status = shop
        .wait_exit(Duration::from_secs(10))
        .expect("exited after the list");
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn shutdown_grace_bounds_a_client_that_stops_reading() {
    let mut shop = TestShop::start_with(&["--shutdown-grace", "1"]);
    bulk_rows(&shop, 60_000);
    let mut s = shop.connect();
    write!(
        s,
        "GET /api/configurations?display=full&filter[name]=[BULK]%25 HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\n\r\n",
        basic(&shop.key)
    )
    .expect("send");
    let mut first = [0u8; 1024];
    assert!(s.read(&mut first).expect("first bytes") > 0);
    // The client never reads again.
    let t = Instant::now();
    shop.signal("TERM");
    let status = shop
        .wait_exit(Duration::from_secs(8))
        .expect("exited despite the stuck client");
    assert!(status.success(), "exit status {status:?}");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn last_use_is_written_at_shutdown() {
    let mut shop = TestShop::start();
    assert_eq!(shop.get("/api/taxes/1").status, 200);
    shop.signal("TERM");
    assert!(shop
        .wait_exit(Duration::from_secs(10))
        .is_some_and(|s| s.success()));
    let used = shop.sql_i64(
        "SELECT COUNT(*) FROM {shopws_key_credential} WHERE last_used_at IS NOT NULL AND use_count > 0",
        &[],
    );
    assert_eq!(used, 1, "the demo key's use was flushed");
}

#[test]
fn a_half_sent_request_head_is_dropped_after_the_header_timeout() {
    let shop = TestShop::start_with(&["--header-timeout", "1"]);
    let mut s = shop.connect();
    s.write_all(b"GET /api/ HTTP/1.1\r\nhost: x\r\n")
        .expect("send part");
    let t = Instant::now();
    let (_, closed) = read_to_close(&mut s);
    assert!(closed, "closed by the server");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    // An idle keep-alive connection goes the same way.
    let mut s = shop.connect();
    write!(
        s,
        "GET /api/ HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\n\r\n",
        basic(&shop.key)
    )
    .expect("send");
    let t = Instant::now();
    let (answer, closed) = read_to_close(&mut s);
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    assert!(
        closed && t.elapsed() < Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn connections_beyond_the_cap_are_refused_at_once() {
    let shop = TestShop::start_with(&["--max-connections", "4"]);
    let idle: Vec<_> = (0..4).map(|_| shop.connect()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = shop.connect();
    let t = Instant::now();
    let (answer, closed) = read_to_close(&mut extra);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(closed && t.elapsed() < Duration::from_secs(3));
    drop(idle);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(shop.get("/api/taxes/1").status, 200, "served again");
}

#[test]
fn no_body_byte_is_read_before_the_key_is_checked() {
    let shop = TestShop::start();
    let read_only = shop.key(&["--read-only"]);
    for auth in [
        String::new(),
        format!(
            "authorization: Basic {}\r\n",
            basic("WRONGWRONGWRONGWRONGWRONGWRONG12")
        ),
        format!("authorization: Basic {}\r\n", basic(&read_only)),
    ] {
        let mut s = shop.connect();
        // Announces a body it never sends: a server reading it first would wait.
        write!(
            s,
            "POST /api/customers HTTP/1.1\r\nhost: x\r\n{auth}content-type: text/xml\r\ncontent-length: 5000000\r\nconnection: close\r\n\r\n"
        )
        .expect("send");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let t = Instant::now();
        let (answer, _) = read_to_close(&mut s);
        let text = String::from_utf8_lossy(&answer);
        assert!(
            text.starts_with("HTTP/1.1 401") || text.starts_with("HTTP/1.1 405"),
            "{auth}: {text}"
        );
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    }
}

#[test]
fn a_body_that_does_not_arrive_gets_408() {
    let shop = TestShop::start_with(&["--body-timeout", "1"]);
    let mut s = shop.connect();
    write!(
        s,
        "POST /api/customers HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\ncontent-type: text/xml\r\ncontent-length: 100\r\nconnection: close\r\n\r\n<prestashop>",
        basic(&shop.key)
    )
    .expect("send");
    let t = Instant::now();
    let (answer, _) = read_to_close(&mut s);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("1006"), "{text}");
    assert!(t.elapsed() < Duration::from_secs(5));
}

/// One request on a fresh connection, raw bytes in; the whole answer out.
fn raw(shop: &TestShop, head: &[u8]) -> String {
    let mut s = shop.connect();
    s.write_all(head).expect("send");
    let (answer, _) = read_to_close(&mut s);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn query_characters_apache_accepts_are_accepted() {
    let shop = TestShop::start();
    let auth = format!("authorization: Basic {}\r\n", basic(&shop.key));
    let get = |target: &str| {
        raw(
            &shop,
            format!("GET {target} HTTP/1.1\r\nhost: x\r\n{auth}connection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    // As PrestaShop's documentation writes filters, typed raw.
    let gt = get("/api/products?filter[id]=>[5]&display=[id]");
    assert!(gt.starts_with("HTTP/1.1 200"), "{gt}");
    let encoded = get("/api/products?filter[id]=%3E[5]&display=[id]");
    assert_eq!(
        gt.split("\r\n\r\n").nth(1),
        encoded.split("\r\n\r\n").nth(1)
    );
    assert!(!gt.contains("<id><![CDATA[5]]>"), "5 is not > 5");
    let quoted = get("/api/products?filter[name]=\"x\"&display=[id]");
    assert!(quoted.starts_with("HTTP/1.1 200"), "{quoted}");
    // What is still refused gets PrestaShop's error document.
    let long = get(&format!("/api/products?x={}", "a".repeat(70_000)));
    assert!(long.starts_with("HTTP/1.1 414"), "{}", &long[..40]);
    assert!(long.contains("<code><![CDATA[1007]]></code>"));
    let mut many = format!("GET /api/ HTTP/1.1\r\nhost: x\r\n{auth}");
    for i in 0..120 {
        many.push_str(&format!("x-h{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let many = raw(&shop, many.as_bytes());
    assert!(many.starts_with("HTTP/1.1 431"), "{}", &many[..40]);
    assert!(many.contains("<code><![CDATA[1008]]></code>"));
    let spaced = get("/api/products?filter[name]=[a b]");
    assert!(spaced.starts_with("HTTP/1.1 400"), "{spaced}");
    assert!(spaced.contains("<code><![CDATA[1009]]></code>"));
    // A keep-alive connection: body bytes are never rewritten, the next line is.
    let mut s = shop.connect();
    // The body's own `<`, `>` and `"` must reach the decoder unchanged.
    let body = "<prestashop><tag><id_lang>1</id_lang><name>a\"b</name></tag></prestashop>";
    write!(
        s,
        "POST /api/tags HTTP/1.1\r\nhost: x\r\n{auth}content-length: {}\r\n\r\n{body}GET /api/tags?filter[name]=[a\"b]&display=[name] HTTP/1.1\r\nhost: x\r\n{auth}connection: close\r\n\r\n",
        body.len()
    )
    .expect("send");
    let (answer, _) = read_to_close(&mut s);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(answer.matches("HTTP/1.1 200").count(), 1, "{answer}");
    assert!(answer.contains("<![CDATA[a\"b]]>"), "{answer}");
}

#[test]
fn refusals_before_the_body_are_the_engines_own() {
    let shop = TestShop::start();
    for ctype in ["text/xml", "application/x-www-form-urlencoded"] {
        // A method the resource forbids: #101 even for a key with every permission.
        let r = shop.req(
            "POST",
            "/api/stock_movements",
            Some(&shop.key.clone()),
            Some("xml=<prestashop/>"),
            &[("content-type", ctype)],
        );
        assert_eq!((r.status, r.codes()), (405, vec![101]), "{ctype}");
        let r = shop.req(
            "POST",
            "/api/productz",
            Some(&shop.key.clone()),
            Some("<prestashop/>"),
            &[("content-type", ctype)],
        );
        assert_eq!(r.status, 400, "{ctype}: unknown resource");
    }
    let reader = shop.key(&["--allow", "customers=GET"]);
    let r = shop.req(
        "PUT",
        "/api/customers",
        Some(&reader),
        Some("<prestashop/>"),
        &[],
    );
    assert_eq!((r.status, r.codes()), (405, vec![25]));
    let r = shop.req(
        "POST",
        "/api/products",
        Some(&reader),
        Some("<prestashop/>"),
        &[],
    );
    assert_eq!((r.status, r.codes()), (401, vec![26]));
}

#[test]
fn a_list_that_fits_the_stream_channel_is_never_a_500() {
    // About 1.2 MB: past the 1 MiB buffer, so it streams, yet small enough to be written into
    // the stream's channel completely — when the I/O threads are busy — before the response
    // task looks: both of its branches are then ready, and one of them used to answer 500.
    let shop = TestShop::start();
    bulk_rows(&shop, 2_800);
    let path = "/api/configurations?display=full&filter[name]=[BULK]%25";
    let size = shop.get(path).body.len();
    assert!(size > 1024 * 1024, "{size} bytes: streamed");
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for _ in 0..300 {
                    assert_eq!(shop.get("/api/taxes/1").status, 200);
                }
            });
        }
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..15 {
                    let r = shop.get(path);
                    assert_eq!(r.status, 200, "{}", &r.body[..r.body.len().min(300)]);
                    assert_eq!(r.body.len(), size);
                }
            });
        }
    });
}
