//! Reading a request body within `--max-body` and the body timeout.
//!
//! A body over the limit is refused with 413 at once. Many HTTP libraries (reqwest,
//! some PHP and Python stacks) write the whole body before they read the answer: if the
//! connection were closed with their body unread, their writes would fail with a broken
//! pipe or a reset and they would never see the 413. So what the client still sends is
//! read and thrown away behind the answer, within bounds of bytes and time — the
//! "lingering close" of nginx and Apache. A client that asked `Expect: 100-continue`
//! sends nothing more once answered, so nothing is waited for.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::http::request::Parts;
use bytes::BytesMut;
use futures_util::StreamExt;

use super::ApiState;
use crate::engine::error::ApiError;

/// At most this much of a refused body is read and thrown away.
const DRAIN_BYTES: usize = 64 * 1024 * 1024;
/// And for at most this long.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// The body, within `--max-body` bytes and the body timeout.
pub async fn read(st: &ApiState, parts: &Parts, body: Body) -> Result<Bytes, ApiError> {
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let waits_for_answer = parts
        .headers
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let mut stream = body.into_data_stream();
    if let Some(n) = declared.filter(|n| *n > st.max_body) {
        // Refused from the header alone: nothing of the body is kept.
        if !waits_for_answer && n <= DRAIN_BYTES {
            linger(stream, st.body_timeout.min(DRAIN_TIME));
        }
        return Err(ApiError::body_too_large(st.max_body));
    }
    let limit = st.max_body;
    let gather = async {
        let mut buf = BytesMut::with_capacity(declared.unwrap_or(0));
        while let Some(chunk) = stream.next().await {
            // A body that breaks off is answered like one too large: the client is gone
            // or lied about the length, and nothing of it is used.
            let chunk = chunk.map_err(|_| Over)?;
            if buf.len() + chunk.len() > limit {
                return Err(Over);
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    };
    match tokio::time::timeout(st.body_timeout, gather).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(Over)) => {
            if !waits_for_answer {
                linger(stream, st.body_timeout.min(DRAIN_TIME));
            }
            Err(ApiError::body_too_large(st.max_body))
        }
        Err(_) => Err(ApiError::body_timeout(st.body_timeout.as_secs())),
    }
}

/// The body went over the limit (or broke off).
struct Over;

/// Reads and throws away what is left of a body, up to [`DRAIN_BYTES`] and `time`,
/// while the answer goes out: the connection serves the body as long as it is polled.
fn linger(mut stream: axum::body::BodyDataStream, time: Duration) {
    let discard = async move {
        let mut seen = 0usize;
        while let Some(Ok(chunk)) = stream.next().await {
            seen += chunk.len();
            if seen > DRAIN_BYTES {
                break;
            }
        }
    };
    // Whatever is left unread when time runs out closes the connection.
    tokio::spawn(async move {
        let _ = tokio::time::timeout(time, discard).await;
    });
}
