//! `shopws doctor`: what it reports on a sound deployment, a disabled webservice, an expired
//! key, a proxy that drops the Authorization header, and a database that does not exist.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;

use crate::support::{command_on, TestShop};

fn doctor(shop: &TestShop, base_url: &str, extra: &[&str]) -> (bool, String) {
    let out: Output = shop
        .command()
        .args(["doctor", "--base-url", base_url])
        .args(extra)
        .output()
        .expect("run shopws doctor");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The line of `area` at `level` whose text holds `what`.
fn has(report: &str, level: &str, area: &str, what: &str) -> bool {
    report
        .lines()
        .any(|l| l.starts_with(&format!("[{level:>4}] {area} ")) && l.contains(what))
}

#[test]
fn a_sound_deployment_passes_and_problems_are_named() {
    let shop = TestShop::start();
    let (ok, report) = doctor(&shop, &shop.url, &[]);
    assert!(ok, "{report}");
    assert!(
        has(&report, "ok", "database", "PrestaShop schema 9."),
        "{report}"
    );
    assert!(has(&report, "ok", "webservice", "enabled"), "{report}");
    assert!(
        has(&report, "ok", "keys", "1 of 1 key(s) can call /api/"),
        "{report}"
    );
    assert!(
        has(&report, "ok", "public URL", "reaches a shopws node"),
        "{report}"
    );
    assert!(
        has(&report, "ok", "authorization", "reaches shopws"),
        "{report}"
    );
    if shop.db.starts_with("sqlite:") {
        assert!(has(&report, "ok", "clock", "embedded database"), "{report}");
    } else {
        assert!(
            has(&report, "ok", "clock", "from the database server"),
            "{report}"
        );
    }
    assert!(report.contains("0 failed"), "{report}");

    shop.cli(&["webservice", "disable"]);
    shop.key(&[
        "--read-only",
        "--description",
        "old ERP",
        "--expires",
        "2001-01-01 00:00:00",
    ]);
    let (ok, report) = doctor(&shop, &shop.url, &[]);
    assert!(!ok, "a disabled webservice fails the check: {report}");
    assert!(
        has(&report, "FAIL", "webservice", "disabled for"),
        "{report}"
    );
    assert!(
        report.contains("fix: `shopws webservice enable`"),
        "{report}"
    );
    assert!(
        has(&report, "WARN", "keys", "(#2, old ERP) expired 2001-01-01"),
        "{report}"
    );
    // The same findings for a script.
    let (_, json) = doctor(&shop, &shop.url, &["--json"]);
    let found: serde_json::Value = serde_json::from_str(&json).expect("JSON findings");
    let levels: Vec<(String, String)> = found
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["area"].as_str().unwrap_or("").to_string(),
                f["level"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        levels.contains(&("webservice".into(), "fail".into())),
        "{json}"
    );
    assert!(levels.contains(&("keys".into(), "warn".into())), "{json}");
    // No key in the report, ever.
    assert!(!report.contains(&shop.key) && !json.contains(&shop.key));
}

#[test]
fn a_proxy_that_drops_the_authorization_header_is_found() {
    let shop = TestShop::start();
    let proxy = dropping_proxy(shop.addr());
    let (ok, report) = doctor(&shop, &proxy, &[]);
    assert!(!ok, "{report}");
    assert!(
        has(
            &report,
            "FAIL",
            "authorization",
            "drops the Authorization header"
        ),
        "{report}"
    );
    assert!(report.contains("CGIPassAuth On"), "{report}");
    // Plain HTTP off this host would be named; on loopback it is only noted.
    assert!(
        has(&report, "note", "TLS", "plain HTTP on this host only"),
        "{report}"
    );
}

#[test]
fn a_missing_database_is_reported_not_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nothing-here.db");
    let out = command_on(&format!("sqlite:{}", path.display()))
        .args(["doctor", "--base-url", "http://127.0.0.1:9/"])
        .output()
        .expect("run shopws doctor");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{report}");
    assert!(
        has(&report, "FAIL", "database", "no database file"),
        "{report}"
    );
    assert!(!path.exists(), "the doctor created the database");
    // Nothing listens on port 9: named, not a hang.
    assert!(
        has(&report, "FAIL", "public URL", "cannot be reached"),
        "{report}"
    );
}

#[test]
fn a_tls_failure_on_the_public_url_is_named() {
    let shop = TestShop::start();
    // Something answers on the port, but not TLS: the handshake fails.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("https://{}/", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for mut c in listener.incoming().flatten() {
            let _ = c.write_all(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
        }
    });
    let (ok, report) = doctor(&shop, &url, &[]);
    assert!(!ok, "{report}");
    assert!(!report.contains("[  ok] TLS"), "{report}");
    assert!(
        has(&report, "FAIL", "public URL", "cannot be reached"),
        "{report}"
    );
    assert!(
        report.contains("certificate"),
        "the fix names the certificate: {report}"
    );
}

/// A reverse proxy of the kind that loses the header (Apache's CGI setups): forwards each
/// connection's request to `upstream` without its Authorization line. Returns its base URL.
fn dropping_proxy(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let _ = forward(client, &upstream);
            });
        }
    });
    url
}

fn forward(mut client: TcpStream, upstream: &str) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let kept: Vec<&str> = head
        .split("\r\n")
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            !l.starts_with("authorization:") && !l.starts_with("connection:") && !l.is_empty()
        })
        .collect();
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(format!("{}\r\nconnection: close\r\n\r\n", kept.join("\r\n")).as_bytes())?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    client.write_all(&answer)?;
    Ok(())
}
