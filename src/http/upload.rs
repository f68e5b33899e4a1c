//! Request bodies that are not documents: `multipart/form-data` decoded into parts (as PHP
//! fills `$_FILES` and `$_POST`), and the conditional headers that let a client keep a file.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::http::{header, HeaderMap};

use crate::engine::binary::{Conditional, FormPart};
use crate::engine::error::ApiError;

/// More parts than any PrestaShop client sends; a body of thousands of empty parts is refused
/// rather than decoded.
const MAX_PARTS: usize = 64;

pub(super) fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The parts of a `multipart/form-data` body; empty for any other body.
pub(super) async fn form_parts(
    content_type: Option<&str>,
    body: &Bytes,
) -> Result<Vec<FormPart>, ApiError> {
    let Some(ct) = content_type else {
        return Ok(Vec::new());
    };
    if !ct
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Ok(Vec::new());
    }
    let boundary = multer::parse_boundary(ct).map_err(ApiError::multipart_invalid)?;
    let data = body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(data) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(ApiError::multipart_invalid)? {
        if parts.len() == MAX_PARTS {
            return Err(ApiError::multipart_invalid(format!(
                "more than {MAX_PARTS} parts"
            )));
        }
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.essence_str().to_string());
        let data = field.bytes().await.map_err(ApiError::multipart_invalid)?;
        parts.push(FormPart {
            name,
            file_name,
            content_type,
            data,
        });
    }
    Ok(parts)
}

pub(super) fn conditional(headers: &HeaderMap) -> Conditional {
    let text = |h| headers.get(h).and_then(|v| v.to_str().ok());
    Conditional {
        if_none_match: text(header::IF_NONE_MATCH).map(str::to_string),
        if_modified_since: text(header::IF_MODIFIED_SINCE)
            .and_then(|v| httpdate::parse_http_date(v).ok()),
    }
}

pub(super) fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}
