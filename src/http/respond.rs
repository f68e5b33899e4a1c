//! Answers in PrestaShop's shape: the headers every webservice response carries, error
//! documents, and finished bodies with `Content-Sha1` (and 304 for `Local-Content-Sha1`).

use std::time::Instant;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use sha1::{Digest, Sha1};

use super::error;
use crate::engine::binary::Conditional;
use crate::engine::error::ApiError;
use crate::engine::params::Params;
use crate::engine::{Format, Reply};

pub(super) fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

pub(super) fn format_of(headers: &HeaderMap, params: &Params) -> Format {
    let pick = headers
        .get("io-format")
        .or_else(|| headers.get("output-format"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| params.get_str("output_format").map(str::to_string))
        .or_else(|| params.get_str("io_format").map(str::to_string));
    match pick {
        // PrestaShop wants exactly "JSON"; any case is accepted here.
        Some(v) if v.trim().eq_ignore_ascii_case("json") => Format::Json,
        _ => Format::Xml,
    }
}

pub(super) struct Common {
    pub started: Instant,
    pub format: Format,
    pub version: Option<HeaderValue>,
}

// Parsed once: a name given as &str is parsed and hashed again on every insert.
const ACCESS_TIME: HeaderName = HeaderName::from_static("access-time");
const X_POWERED_BY: HeaderName = HeaderName::from_static("x-powered-by");
const PSWS_VERSION: HeaderName = HeaderName::from_static("psws-version");
const EXECUTION_TIME: HeaderName = HeaderName::from_static("execution-time");
const CONTENT_SHA1: HeaderName = HeaderName::from_static("content-sha1");
pub(super) const X_TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

pub(super) fn base_headers(h: &mut HeaderMap, c: &Common) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    h.insert(ACCESS_TIME, HeaderValue::from(now));
    h.insert(
        X_POWERED_BY,
        HeaderValue::from_static("PrestaShop Webservice"),
    );
    if let Some(v) = c.version.as_ref().filter(|v| !v.is_empty()) {
        h.insert(PSWS_VERSION, v.clone());
    }
    // Seconds with three decimals, as PrestaShop prints them; integer arithmetic (a float's
    // exact formatting showed in a small request's profile).
    let ms = c.started.elapsed().as_millis();
    if let Ok(v) = HeaderValue::from_str(&format!("{}.{:03}", ms / 1000, ms % 1000)) {
        h.insert(EXECUTION_TIME, v);
    }
}

pub(super) fn error_response(e: &ApiError, c: &Common) -> Response<Body> {
    let mut r = if e.empty_body {
        Response::new(Body::empty())
    } else {
        let mut r = Response::new(Body::from(error::document(e, c.format)));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(c.format.content_type()),
        );
        r
    };
    *r.status_mut() = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if e.challenge {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(error::REALM),
        );
    }
    if let Some(s) = e.retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    base_headers(r.headers_mut(), c);
    r
}

pub(super) fn reply_response(
    reply: Reply,
    c: &Common,
    local_sha1: Option<&str>,
    cond: &Conditional,
) -> Response<Body> {
    if reply.binary.is_some() {
        return binary_response(reply, c, cond);
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut r;
    if reply.has_body {
        let sha = hex::encode(Sha1::digest(&reply.body));
        if local_sha1.is_some_and(|l| l.trim().eq_ignore_ascii_case(&sha)) {
            r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
        } else {
            r = Response::new(Body::from(reply.body));
            *r.status_mut() = status;
        }
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(c.format.content_type()),
        );
        if let Ok(v) = HeaderValue::from_str(&sha) {
            r.headers_mut().insert(CONTENT_SHA1, v);
        }
    } else {
        r = Response::new(Body::empty());
        *r.status_mut() = status;
    }
    if let Some(n) = reply.total_count {
        r.headers_mut().insert(X_TOTAL_COUNT, HeaderValue::from(n));
    }
    base_headers(r.headers_mut(), c);
    r
}

/// A kept answer (see `replies`), as `reply_response` would have made it.
pub(super) fn kept_response(
    kept: &super::replies::Kept,
    c: &Common,
    local_sha1: Option<&str>,
) -> Response<Body> {
    let current = local_sha1.is_some_and(|l| {
        kept.sha1
            .to_str()
            .is_ok_and(|s| l.trim().eq_ignore_ascii_case(s))
    });
    let mut r = if current {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(kept.body.clone()));
        *r.status_mut() = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
        r
    };
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(c.format.content_type()),
    );
    r.headers_mut().insert(CONTENT_SHA1, kept.sha1.clone());
    base_headers(r.headers_mut(), c);
    r
}

/// File bytes (pictures, attachments): their own type, validators and caching, `304` when
/// the client's copy is current, and `Content-Sha1` as PrestaShop sends it.
fn binary_response(reply: Reply, c: &Common, cond: &Conditional) -> Response<Body> {
    let Reply { body, binary, .. } = reply;
    let Some(meta) = binary else {
        return Response::new(Body::from(body));
    };
    let fresh = cond.not_modified(&meta);
    let mut r = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let sha = match meta.sha1.as_deref() {
            Some(known) => known.to_string(),
            None => hex::encode(Sha1::digest(&body)),
        };
        let mut r = Response::new(Body::from(body));
        if let Ok(v) = HeaderValue::from_str(&sha) {
            r.headers_mut().insert(CONTENT_SHA1, v);
        }
        if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        if let Some(v) = meta
            .disposition
            .as_deref()
            .and_then(|d| HeaderValue::from_str(d).ok())
        {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        r
    };
    let h = r.headers_mut();
    if let Some(v) = meta
        .etag
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        h.insert(header::ETAG, v);
    }
    if let Some(v) = meta
        .last_modified
        .and_then(|t| HeaderValue::from_str(&super::upload::http_date(t)).ok())
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Some(cc) = meta.cache_control {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    }
    base_headers(h, c);
    r
}
