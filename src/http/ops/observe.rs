//! Around every request on the public port: `/health` and `/ready`, the request id
//! (`X-Request-Id`), the metrics, and one access-log line.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Response};
use axum::middleware::Next;

use super::labels;
use crate::http::ApiState;

/// What the webservice learnt about a request, left in the response's extensions for the
/// log and the metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    /// The catalog's name of the resource (`""` for the list of resources).
    pub resource: &'static str,
    pub id: Option<i64>,
    /// The key's database id (never the key).
    pub key_id: Option<i64>,
}

const REQUEST_ID: &str = "x-request-id";

pub async fn observe(State(st): State<Arc<ApiState>>, req: Request, next: Next) -> Response<Body> {
    let path = req.uri().path();
    if path == "/health" {
        return super::health();
    }
    if path == "/ready" {
        return super::ready(&st).await;
    }
    let started = Instant::now();
    let method = labels::method(req.method());
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| st.proxies.client(&c.0, req.headers()));
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .filter(|v| sane(v.as_bytes()))
        .cloned()
        .unwrap_or_else(new_id);
    // Only what a request made with a key needs, and only when activity is recorded.
    let uri = st.ops.activity.is_on().then(|| req.uri().clone());
    let mut resp = next.run(req).await;
    let elapsed = started.elapsed();
    let facts = resp.extensions().get::<Facts>().copied();
    let resource = match facts {
        Some(f) if f.resource.is_empty() => "api",
        Some(f) => f.resource,
        None => "other",
    };
    let status = resp.status().as_u16();
    let bytes = resp.body().size_hint().exact();
    if st.ops.metrics.is_some() {
        st.ops
            .series
            .record(resource, method, status, elapsed, bytes);
        if bytes.is_none() {
            resp = counted(resp, resource);
        }
    }
    let f = facts.unwrap_or_default();
    if let (Some(key_id), Some(uri)) = (f.key_id, uri) {
        st.ops.activity.record(crate::activity::Request {
            key_id,
            at: crate::clock::unix(),
            method,
            // As sent: cleaned (the key taken out) when written, off the request path, and
            // only for the requests still among the latest.
            raw_path: crate::activity::raw_path(uri.path_and_query().map_or("", |p| p.as_str())),
            status,
            duration_us: i64::try_from(elapsed.as_micros()).unwrap_or(i64::MAX),
            bytes,
            ip: client,
        });
    }
    let rid = request_id.to_str().unwrap_or("");
    tracing::info!(
        target: "shopws::access",
        method,
        resource,
        id = f.id,
        status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        bytes,
        key_id = f.key_id,
        client = client.map(tracing::field::display),
        request_id = rid,
        "request"
    );
    resp.headers_mut().insert(REQUEST_ID, request_id);
    resp
}

/// A request id worth keeping: 1 to 128 characters of letters, digits and `-_.:`.
fn sane(v: &[u8]) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A new id: this process's random prefix and a counter.
fn new_id() -> HeaderValue {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = *PREFIX.get_or_init(rand::random::<u32>);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // `{prefix:08x}-{n:x}`, written by hand: the formatting machinery showed in a small
    // request's profile.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = [0u8; 8 + 1 + 16];
    for (i, b) in id[..8].iter_mut().enumerate() {
        *b = HEX[((prefix >> (28 - 4 * i)) & 0xf) as usize];
    }
    id[8] = b'-';
    let digits = (16 - n.leading_zeros() as usize / 4).max(1);
    for i in 0..digits {
        id[9 + i] = HEX[((n >> (4 * (digits - 1 - i))) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&id[..9 + digits]).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// A streamed answer (a list larger than the buffer) counted as its chunks go out, in
/// `shopws_response_bytes_total` with the others and in `shopws_streamed_bytes_total`.
fn counted(resp: Response<Body>, resource: &'static str) -> Response<Body> {
    use futures_util::StreamExt as _;
    let all = metrics::counter!("shopws_response_bytes_total", "resource" => resource);
    let streamed = metrics::counter!("shopws_streamed_bytes_total", "resource" => resource);
    let (parts, body) = resp.into_parts();
    let chunks = body.into_data_stream().inspect(move |chunk| {
        if let Ok(b) = chunk {
            all.increment(b.len() as u64);
            streamed.increment(b.len() as u64);
        }
    });
    Response::from_parts(parts, Body::from_stream(chunks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids() {
        assert!(sane(b"abc-123_x.y:z"));
        assert!(!sane(b""));
        assert!(!sane(b"a b"));
        assert!(!sane(b"a\"b"));
        assert!(!sane(&[b'a'; 129]));
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        assert!(sane(a.as_bytes()));
        // This process's prefix (8 hex digits), then the counter in hex.
        let split = |v: &HeaderValue| {
            let t = v.to_str().unwrap_or_default().to_string();
            let (p, n) = t.split_once('-').unwrap_or_default();
            (p.to_string(), u64::from_str_radix(n, 16).unwrap_or(0))
        };
        let ((pa, na), (pb, nb)) = (split(&a), split(&b));
        assert_eq!(pa.len(), 8);
        assert!(u32::from_str_radix(&pa, 16).is_ok());
        assert_eq!(pa, pb);
        assert_eq!(nb, na + 1);
    }
}
