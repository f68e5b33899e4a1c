//! A minimal SMTP server on a loopback port that accepts every message and records it, for
//! the e-mail tests: enough of RFC 5321 for a real client (EHLO, AUTH PLAIN/LOGIN, MAIL,
//! RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

/// One message as the sink received it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// Decoded AUTH credentials (`user\0password` pieces joined by spaces), if any.
    pub auth: String,
    pub from: String,
    pub to: Vec<String>,
    /// The raw DATA (headers and MIME body), dot-unstuffed.
    pub data: String,
}

impl Received {
    /// The `Subject` header, unfolded, RFC 2047 words decoded.
    pub fn subject(&self) -> String {
        let mut lines = self.data.split("\r\n");
        let mut raw = String::new();
        while let Some(l) = lines.next() {
            if let Some(v) = l.strip_prefix("Subject: ") {
                raw.push_str(v);
                for cont in lines.by_ref() {
                    if cont.starts_with(' ') || cont.starts_with('\t') {
                        raw.push_str(cont);
                    } else {
                        break;
                    }
                }
                break;
            }
        }
        decode_words(&raw)
    }

    /// The whole message with quoted-printable decoded (what a reader sees of the bodies).
    pub fn text(&self) -> String {
        quoted_printable(&self.data)
    }
}

fn decode_words(raw: &str) -> String {
    let mut out = String::new();
    for word in raw.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        if parts.len() == 5 && parts[0] == "=" && parts[4] == "=" {
            let bytes = match parts[2] {
                "b" | "B" => base64::engine::general_purpose::STANDARD
                    .decode(parts[3])
                    .unwrap_or_default(),
                _ => quoted_printable(&parts[3].replace('_', " ")).into_bytes(),
            };
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

fn quoted_printable(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b[i..].starts_with(b"=\r\n") {
                i += 3;
                continue;
            }
            if let Some(hex) = b.get(i + 1..i + 3) {
                if let Ok(v) = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("zz"), 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct Sink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    /// Connections accepted so far.
    connections: Arc<AtomicUsize>,
    /// How many of the next connections are held open without a word (a server hanging).
    stall: Arc<AtomicUsize>,
}

impl Sink {
    /// A sink on a free loopback port.
    pub fn start() -> Sink {
        Self::listen(TcpListener::bind("127.0.0.1:0").expect("bind sink"))
    }

    /// A sink on `port` (one [`free_port`] reserved before, while no server listened there).
    pub fn start_on(port: u16) -> Sink {
        Self::listen(TcpListener::bind(("127.0.0.1", port)).expect("bind sink port"))
    }

    fn listen(listener: TcpListener) -> Sink {
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let stall = Arc::new(AtomicUsize::new(0));
        let (r, s) = (received.clone(), stop.clone());
        let (count, stalls) = (connections.clone(), stall.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        let stalled = stalls
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok();
                        let (r, s) = (r.clone(), s.clone());
                        std::thread::spawn(move || {
                            if stalled {
                                while !s.load(Ordering::Relaxed) {
                                    std::thread::sleep(Duration::from_millis(50));
                                }
                                drop(conn);
                            } else {
                                let _ = converse(conn, &r);
                            }
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Sink {
            port,
            received,
            stop,
            connections,
            stall,
        }
    }

    /// Holds the next `n` connections open without answering.
    pub fn stall(&self, n: usize) {
        self.stall.store(n, Ordering::SeqCst);
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("sink lock").clone()
    }

    /// Waits until `n` messages arrived, at most `limit`; the messages then.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let end = Instant::now() + limit;
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() > end {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn converse(conn: TcpStream, received: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut w = conn.try_clone()?;
    let mut r = BufReader::new(conn);
    let b64 = |s: &str| {
        String::from_utf8_lossy(
            &base64::engine::general_purpose::STANDARD
                .decode(s.trim())
                .unwrap_or_default(),
        )
        .replace('\0', " ")
    };
    w.write_all(b"220 sink ESMTP\r\n")?;
    let mut msg = Received::default();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            w.write_all(b"250-sink\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO") {
            w.write_all(b"250 sink\r\n")?;
        } else if upper.starts_with("AUTH PLAIN") {
            let rest = cmd[10..].trim().to_string();
            let creds = if rest.is_empty() {
                w.write_all(b"334 \r\n")?;
                line.clear();
                r.read_line(&mut line)?;
                line.clone()
            } else {
                rest
            };
            msg.auth = b64(&creds);
            w.write_all(b"235 2.7.0 ok\r\n")?;
        } else if upper.starts_with("AUTH LOGIN") {
            w.write_all(b"334 VXNlcm5hbWU6\r\n")?;
            line.clear();
            r.read_line(&mut line)?;
            let user = b64(&line);
            w.write_all(b"334 UGFzc3dvcmQ6\r\n")?;
            line.clear();
            r.read_line(&mut line)?;
            msg.auth = format!("{user} {}", b64(&line));
            w.write_all(b"235 2.7.0 ok\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            msg.from = cmd[10..].trim().to_string();
            w.write_all(b"250 ok\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            msg.to.push(cmd[8..].trim().to_string());
            w.write_all(b"250 ok\r\n")?;
        } else if upper == "DATA" {
            w.write_all(b"354 go on\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            msg.data = data;
            received
                .lock()
                .expect("sink lock")
                .push(std::mem::take(&mut msg));
            w.write_all(b"250 queued\r\n")?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            // RSET, NOOP and anything else.
            w.write_all(b"250 ok\r\n")?;
        }
    }
}
