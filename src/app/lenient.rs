//! What Apache accepts in a request line and hyper does not.
//!
//! PrestaShop's own documentation writes filters as `filter[id]=>[5]`, and curl users type
//! them so: raw `<`, `>` and `"` in the query, which Apache passes to PHP and hyper's parser
//! refuses with an empty 400. This reader sits between the socket and hyper and
//! percent-encodes those bytes in request lines only (PHP decodes them back, so do we). It
//! follows the connection's framing to know where request lines are: heads up to the blank
//! line, then `Content-Length` bytes of body. A request with `Transfer-Encoding` (or a
//! framing it cannot follow) ends the rewriting for the rest of that connection: bytes then
//! pass unchanged, so a body is never altered.
//!
//! Requests still refused (a request line over 64 KiB, more than 100 header lines or 64 KiB
//! of headers, a request line that is not `METHOD TARGET VERSION`) get PrestaShop's error
//! document instead of hyper's empty answer.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::engine::{ApiError, Format};

/// Longest request line taken (Apache: 8 KiB; hyper's URI type: 64 KiB).
const MAX_LINE: usize = 64 * 1024;
/// Header lines (Apache's LimitRequestFields) and header bytes per request.
pub const MAX_HEADERS: usize = 100;
const MAX_HEAD_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In a request line (or the empty lines allowed before one).
    Line,
    Headers,
    /// This many body bytes to pass unchanged.
    Body(u64),
    /// Rewriting is over for this connection.
    Passthrough,
    /// The request was answered here; hyper sees the end of the stream.
    Refused,
}

/// Follows request framing and rewrites request lines; independent of any socket.
#[derive(Debug)]
pub struct Framing {
    state: State,
    line_len: usize,
    spaces: usize,
    headers: usize,
    head_bytes: usize,
    /// The current header line, up to what is needed to read its name and value.
    header: Vec<u8>,
    content_length: Option<u64>,
    other_framing: bool,
}

impl Default for Framing {
    fn default() -> Self {
        Framing {
            state: State::Line,
            line_len: 0,
            spaces: 0,
            headers: 0,
            head_bytes: 0,
            header: Vec::new(),
            content_length: None,
            other_framing: false,
        }
    }
}

/// Why a request is answered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    LineTooLong,
    TooManyHeaders,
    BadLine,
}

impl Refusal {
    fn error(self) -> ApiError {
        match self {
            Refusal::LineTooLong => ApiError::new(
                414,
                1007,
                format!("The request line is longer than {MAX_LINE} bytes"),
            ),
            Refusal::TooManyHeaders => ApiError::new(
                431,
                1008,
                format!(
                    "More than {MAX_HEADERS} header lines or {MAX_HEAD_BYTES} bytes of headers"
                ),
            ),
            Refusal::BadLine => ApiError::new(
                400,
                1009,
                "The request line is not METHOD TARGET HTTP-VERSION",
            ),
        }
    }

    /// A complete HTTP answer with PrestaShop's XML error document.
    pub fn response(self) -> Vec<u8> {
        let e = self.error();
        let body = crate::http::error::document(&e, Format::Xml);
        let reason = match e.status {
            414 => "URI Too Long",
            431 => "Request Header Fields Too Large",
            _ => "Bad Request",
        };
        let mut out = format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            e.status,
            Format::Xml.content_type(),
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        out
    }
}

/// What [`Framing::scan`] found.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// Every byte passes unchanged.
    Clean,
    /// Bytes from this index on need rewriting (the framing stopped just before it).
    RewriteFrom(usize),
    Refused(Refusal),
}

impl Framing {
    /// Advances over `input` as long as no byte needs rewriting: the common case, where the
    /// bytes can stay where they were read.
    fn scan(&mut self, input: &[u8]) -> Scan {
        let mut i = 0;
        while i < input.len() {
            match self.state {
                State::Passthrough | State::Refused => return Scan::Clean,
                State::Body(n) => i += self.body(n, input.len() - i),
                State::Line => {
                    if matches!(input[i], b'<' | b'>' | b'"' | 0x7f) {
                        return Scan::RewriteFrom(i);
                    }
                    if let Some(r) = self.line_state(input[i]) {
                        self.state = State::Refused;
                        return Scan::Refused(r);
                    }
                    i += 1;
                }
                State::Headers => match self.header_run(&input[i..]) {
                    Ok(n) => i += n,
                    Err(r) => {
                        self.state = State::Refused;
                        return Scan::Refused(r);
                    }
                },
            }
        }
        Scan::Clean
    }

    /// [`Framing::header_byte`] over the bytes up to and including the next line feed (or
    /// all of `input` without one), a line at a time rather than a byte at a time: header
    /// bytes are most of a request head. Returns how many bytes it took.
    fn header_run(&mut self, input: &[u8]) -> Result<usize, Refusal> {
        let end = input.iter().position(|&b| b == b'\n');
        let text = &input[..end.unwrap_or(input.len())];
        self.head_bytes += text.len();
        if self.head_bytes > MAX_HEAD_BYTES {
            return Err(Refusal::TooManyHeaders);
        }
        let keep = text.len().min(256usize.saturating_sub(self.header.len()));
        self.header.extend_from_slice(&text[..keep]);
        match end {
            None => Ok(input.len()),
            Some(at) => match self.header_byte(b'\n') {
                Some(r) => Err(r),
                None => Ok(at + 1),
            },
        }
    }

    /// Appends `input`, rewritten, to `out`. Stops at a refusal, which it returns.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Option<Refusal> {
        let mut i = 0;
        while i < input.len() {
            match self.state {
                State::Passthrough => {
                    out.extend_from_slice(&input[i..]);
                    return None;
                }
                State::Refused => return None,
                State::Body(n) => {
                    let k = self.body(n, input.len() - i);
                    out.extend_from_slice(&input[i..i + k]);
                    i += k;
                }
                State::Line => {
                    let b = input[i];
                    i += 1;
                    if let Some(r) = self.line_byte(b, out) {
                        self.state = State::Refused;
                        return Some(r);
                    }
                }
                State::Headers => {
                    let b = input[i];
                    i += 1;
                    out.push(b);
                    if let Some(r) = self.header_byte(b) {
                        self.state = State::Refused;
                        return Some(r);
                    }
                }
            }
        }
        None
    }

    /// Passes up to `available` bytes of a body with `n` left; returns how many.
    fn body(&mut self, n: u64, available: usize) -> usize {
        let k = available.min(usize::try_from(n).unwrap_or(usize::MAX));
        let left = n - k as u64;
        self.state = if left == 0 {
            State::Line
        } else {
            State::Body(left)
        };
        k
    }

    fn line_byte(&mut self, b: u8, out: &mut Vec<u8>) -> Option<Refusal> {
        let refused = self.line_state(b);
        if refused.is_none() {
            match b {
                b'<' => out.extend_from_slice(b"%3C"),
                b'>' => out.extend_from_slice(b"%3E"),
                b'"' => out.extend_from_slice(b"%22"),
                0x7f => out.extend_from_slice(b"%7F"),
                _ => out.push(b),
            }
        }
        refused
    }

    /// The request line's bookkeeping for one byte (output aside).
    fn line_state(&mut self, b: u8) -> Option<Refusal> {
        match b {
            // Empty lines before a request are allowed (RFC 9112 §2.2).
            b'\n' if self.line_len == 0 => None,
            b'\n' if self.spaces != 2 => Some(Refusal::BadLine),
            b'\n' => {
                self.start_headers();
                None
            }
            b'\r' => None,
            // Control characters: refused, as Apache's strict parsing does.
            0..0x20 => Some(Refusal::BadLine),
            _ => {
                self.line_len += 1;
                if b == b' ' {
                    self.spaces += 1;
                }
                (self.line_len > MAX_LINE).then_some(Refusal::LineTooLong)
            }
        }
    }

    fn start_headers(&mut self) {
        self.state = State::Headers;
        self.line_len = 0;
        self.spaces = 0;
        self.headers = 0;
        self.head_bytes = 0;
        self.header.clear();
        self.content_length = None;
        self.other_framing = false;
    }

    fn header_byte(&mut self, b: u8) -> Option<Refusal> {
        self.head_bytes += 1;
        if self.head_bytes > MAX_HEAD_BYTES {
            return Some(Refusal::TooManyHeaders);
        }
        if b != b'\n' {
            if self.header.len() < 256 {
                self.header.push(b);
            }
            return None;
        }
        // Taken out to be read beside `self`, then put back emptied: its capacity serves the
        // next line instead of being allocated again.
        let mut taken = std::mem::take(&mut self.header);
        let line = taken.strip_suffix(b"\r").unwrap_or(&taken);
        let nonempty = !line.is_empty();
        if nonempty {
            self.headers += 1;
            if self.headers <= MAX_HEADERS {
                self.header_line(line);
            }
        }
        taken.clear();
        self.header = taken;
        if nonempty {
            return (self.headers > MAX_HEADERS).then_some(Refusal::TooManyHeaders);
        }
        // End of the head: where does the next request line start?
        self.state = match (self.other_framing, self.content_length) {
            (true, _) => State::Passthrough,
            (false, Some(n)) if n > 0 => State::Body(n),
            (false, _) => State::Line,
        };
        None
    }

    fn header_line(&mut self, line: &[u8]) {
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            return;
        };
        let name = &line[..colon];
        let value = std::str::from_utf8(&line[colon + 1..]).map(str::trim);
        // Lines are kept up to 256 bytes: a longer length cannot be read back.
        let cut = line.len() >= 256;
        if name.eq_ignore_ascii_case(b"content-length") && cut {
            self.other_framing = true;
        } else if name.eq_ignore_ascii_case(b"content-length") {
            match value.ok().and_then(|v| {
                (!v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| v.parse::<u64>().ok())
                    .flatten()
            }) {
                // A second, different length or one cut short: hyper refuses the request
                // or frames it its own way; stop rewriting rather than guess.
                Some(n) if self.content_length.is_none_or(|c| c == n) => {
                    self.content_length = Some(n)
                }
                _ => self.other_framing = true,
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding")
            || name.eq_ignore_ascii_case(b"upgrade")
        {
            self.other_framing = true;
        }
    }
}

/// A socket whose incoming request lines pass through [`Framing`].
pub struct LenientIo {
    inner: TcpStream,
    framing: Framing,
    /// Rewritten bytes hyper has not taken yet.
    pending: Vec<u8>,
    taken: usize,
}

impl LenientIo {
    pub fn new(inner: TcpStream) -> Self {
        LenientIo {
            inner,
            framing: Framing::default(),
            pending: Vec::new(),
            taken: 0,
        }
    }
}

impl AsyncRead for LenientIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.taken < this.pending.len() {
            let n = buf.remaining().min(this.pending.len() - this.taken);
            buf.put_slice(&this.pending[this.taken..this.taken + n]);
            this.taken += n;
            return Poll::Ready(Ok(()));
        }
        match this.framing.state {
            State::Refused => return Poll::Ready(Ok(())),
            State::Passthrough => return Pin::new(&mut this.inner).poll_read(cx, buf),
            _ => {}
        }
        // Read straight into hyper's buffer; only bytes that need rewriting are moved out.
        let start = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        let got = &buf.filled()[start..];
        match this.framing.scan(got) {
            Scan::Clean => Poll::Ready(Ok(())),
            Scan::RewriteFrom(i) => {
                this.pending.clear();
                this.taken = 0;
                let tail = got[i..].to_vec();
                buf.set_filled(start + i);
                if let Some(refusal) = this.framing.feed(&tail, &mut this.pending) {
                    this.pending.clear();
                    this.refuse(refusal);
                    buf.set_filled(start);
                    return Poll::Ready(Ok(()));
                }
                if i == 0 {
                    // Nothing was left in place: hand over the rewritten bytes now, since
                    // an empty read would mean the end of the stream.
                    let n = buf.remaining().min(this.pending.len());
                    buf.put_slice(&this.pending[..n]);
                    this.taken = n;
                }
                Poll::Ready(Ok(()))
            }
            Scan::Refused(refusal) => {
                this.refuse(refusal);
                buf.set_filled(start);
                Poll::Ready(Ok(()))
            }
        }
    }
}

impl LenientIo {
    /// The head is incomplete for hyper, which then writes nothing: the answer is ours, in
    /// one non-blocking write to an idle socket, and hyper sees the end of the stream.
    fn refuse(&mut self, refusal: Refusal) {
        let _ = self.inner.try_write(&refusal.response());
        tracing::debug!(?refusal, "request refused before parsing");
    }
}

impl AsyncWrite for LenientIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests;
