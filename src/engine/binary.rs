//! What travels beside XML and JSON documents: uploaded files in, file bytes out.
//!
//! The HTTP layer decodes `multipart/form-data` bodies into [`FormPart`]s and turns a
//! [`Binary`] reply into `Content-Type`, caching headers and `304 Not Modified`; special
//! resources (images, attachment files) only see these types.

use std::time::SystemTime;

use bytes::Bytes;

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct FormPart {
    /// The form field's name (`image` for pictures, `file` for attachments).
    pub name: String,
    /// The file name the client gave, for file parts.
    pub file_name: Option<String>,
    /// The part's declared `Content-Type`; never trusted alone.
    pub content_type: Option<String>,
    pub data: Bytes,
}

impl FormPart {
    pub fn is_file(&self) -> bool {
        self.file_name.is_some()
    }
}

/// The validators a client sent, to answer `304` for a file it already holds.
#[derive(Debug, Clone, Default)]
pub struct Conditional {
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<SystemTime>,
}

/// A reply whose body is file bytes, not a document.
#[derive(Debug, Clone)]
pub struct Binary {
    pub content_type: String,
    /// Strong validator of the bytes (quoted, as sent in `ETag`).
    pub etag: Option<String>,
    pub last_modified: Option<SystemTime>,
    pub cache_control: Option<&'static str>,
    /// `Content-Disposition`, for downloads.
    pub disposition: Option<String>,
    /// The bytes' hex SHA-1 when already known (a file read once and kept), sparing its
    /// computation for `Content-Sha1`.
    pub sha1: Option<String>,
}

impl Conditional {
    /// True when the client's copy is current: `If-None-Match` decides when sent
    /// (RFC 9110 §13.2.2), else `If-Modified-Since` at one-second precision.
    pub fn not_modified(&self, b: &Binary) -> bool {
        if let Some(inm) = &self.if_none_match {
            let Some(etag) = &b.etag else {
                return false;
            };
            return inm
                .split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == etag);
        }
        match (self.if_modified_since, b.last_modified) {
            (Some(since), Some(modified)) => secs(modified) <= secs(since),
            _ => false,
        }
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn bin(etag: &str, at: u64) -> Binary {
        Binary {
            content_type: "image/jpeg".into(),
            etag: Some(etag.into()),
            last_modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(at)),
            cache_control: None,
            disposition: None,
            sha1: None,
        }
    }

    #[test]
    fn etag_decides_before_the_date() {
        let b = bin("\"abc\"", 100);
        let c = Conditional {
            if_none_match: Some("\"x\", W/\"abc\"".into()),
            if_modified_since: None,
        };
        assert!(c.not_modified(&b));
        let c = Conditional {
            if_none_match: Some("\"x\"".into()),
            if_modified_since: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(200)),
        };
        assert!(!c.not_modified(&b));
    }

    #[test]
    fn modified_since_compares_whole_seconds() {
        let b = bin("\"abc\"", 100);
        let at = |s| Conditional {
            if_none_match: None,
            if_modified_since: Some(SystemTime::UNIX_EPOCH + Duration::from_millis(s)),
        };
        assert!(at(100_000).not_modified(&b));
        assert!(at(100_500).not_modified(&b));
        assert!(!at(99_000).not_modified(&b));
        assert!(!Conditional::default().not_modified(&b));
    }
}
