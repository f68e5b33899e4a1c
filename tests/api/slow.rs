//! Slow clients: one that sends its request head a byte at a time (slowloris) and one that
//! reads a large answer a little at a time must not hold up anybody else.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{basic, bulk_rows, TestShop};

/// Normal clients for `span`: each request must be answered, and in a few seconds at most.
fn normal_clients_are_served(shop: &TestShop, span: Duration) -> usize {
    let end = Instant::now() + span;
    let mut n = 0;
    while Instant::now() < end {
        for path in ["/api/taxes/1", "/api/taxes?display=full", "/api/"] {
            let t = Instant::now();
            let r = shop.get(path);
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            assert!(
                t.elapsed() < Duration::from_secs(4),
                "{path} took {:?} beside the slow clients",
                t.elapsed()
            );
            n += 1;
        }
        let t = Instant::now();
        let r = shop.send(
            "POST",
            "/api/tags",
            &format!(
                "<prestashop><tag><id_lang>1</id_lang><name>slow {n}</name></tag></prestashop>"
            ),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(
            t.elapsed() < Duration::from_secs(4),
            "POST took {:?}",
            t.elapsed()
        );
        n += 1;
    }
    n
}

#[test]
fn a_slowloris_is_dropped_while_others_are_served() {
    let shop = TestShop::start_with(&["--header-timeout", "2"]);
    let head = format!(
        "GET /api/taxes/1 HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\n\r\n",
        basic(&shop.key)
    );
    // A byte every 100 ms: the whole head would take about 9 s.
    let drips: Vec<_> = (0..16)
        .map(|_| {
            let mut s = shop.connect();
            let head = head.clone().into_bytes();
            std::thread::spawn(move || {
                let t = Instant::now();
                for (i, b) in head.iter().enumerate() {
                    if s.write_all(&[*b]).is_err() {
                        return (i, t.elapsed(), Vec::new());
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                let mut answer = Vec::new();
                let _ = s.read_to_end(&mut answer);
                (head.len(), t.elapsed(), answer)
            })
        })
        .collect();
    // A client that takes its time but stays within the limit is answered.
    let mut s = shop.connect();
    let (a, b) = head.as_bytes().split_at(head.len() / 2);
    s.write_all(a).expect("send part");
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(b).expect("send the rest");
    let mut first = [0u8; 12];
    s.read_exact(&mut first).expect("answer");
    assert_eq!(&first, b"HTTP/1.1 200");
    let served = normal_clients_are_served(&shop, Duration::from_secs(3));
    assert!(served > 4);
    for d in drips {
        let (sent, took, answer) = d.join().expect("slowloris");
        assert!(
            sent < head.len(),
            "the slowloris sent its whole head ({took:?}): {}",
            String::from_utf8_lossy(&answer)
        );
        assert!(took < Duration::from_secs(8), "dropped only after {took:?}");
    }
}

#[test]
fn slow_readers_of_a_large_list_do_not_block_others() {
    let shop = TestShop::start();
    bulk_rows(&shop, 60_000);
    let stop = Arc::new(AtomicBool::new(false));
    // More slow readers than the server has database readers (4 by default).
    let readers: Vec<_> = (0..6)
        .map(|_| {
            let mut s = shop.connect();
            let stop = stop.clone();
            write!(
                s,
                "GET /api/configurations?display=full&filter[name]=[BULK]%25 HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\nconnection: close\r\n\r\n",
                basic(&shop.key)
            )
            .expect("send");
            std::thread::spawn(move || {
                let mut got = 0;
                let mut buf = [0u8; 1024];
                while !stop.load(Ordering::Relaxed) {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => got += n,
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                got
            })
        })
        .collect();
    // Every slow reader has its answer started (and the server is waiting on it).
    std::thread::sleep(Duration::from_millis(1500));
    let served = normal_clients_are_served(&shop, Duration::from_secs(3));
    assert!(served > 4);
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        let got = r.join().expect("slow reader");
        assert!(got > 0, "a slow reader got nothing");
        assert!(got < 1 << 20, "the slow reader read {got} bytes: not slow");
    }
}

/// A client that writes its whole body before reading (curl, PHP, requests, reqwest)
/// must be able to finish writing a body over `--max-body` and read the 413: answering
/// and closing at once makes its writes fail with a broken pipe or a reset instead.
#[test]
fn a_body_over_the_limit_is_answered_after_the_client_has_written_it() {
    let shop = TestShop::start_with(&["--max-body", "100000"]);
    let size = 4_000_000usize;
    let mut s = shop.connect();
    let head = format!(
        "POST /api/attachments/file HTTP/1.1\r\nhost: x\r\nauthorization: Basic {}\r\n\
         content-length: {size}\r\n\r\n",
        basic(&shop.key)
    );
    s.write_all(head.as_bytes()).expect("head");
    // Written in pieces with pauses, so that the answer is ready long before the end.
    let piece = vec![b'x'; 64 * 1024];
    let mut sent = 0;
    while sent < size {
        let n = piece.len().min(size - sent);
        if let Err(e) = s.write_all(&piece[..n]) {
            panic!("write failed after {sent} of {size} bytes: {e}");
        }
        sent += n;
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut answer = [0u8; 64];
    let n = s.read(&mut answer).expect("answer");
    let line = String::from_utf8_lossy(&answer[..n]);
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
}
