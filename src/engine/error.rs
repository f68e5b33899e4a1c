//! The webservice's error: one or more PrestaShop errors (code + message) and an HTTP status.
//!
//! Every failure the engine reports is built here, through constructors named after
//! PrestaShop's cases, so codes and texts stay exact. The HTTP layer renders it once, as
//! PrestaShop's XML or JSON error document.

use crate::accounts::KeyRefusal;
use crate::storage::StorageError;

#[derive(Debug, Clone, PartialEq)]
pub struct PsError {
    pub code: Option<u32>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub errors: Vec<PsError>,
    /// 401s from authentication carry PrestaShop's `WWW-Authenticate` challenge.
    pub challenge: bool,
    /// `Retry-After` seconds (429).
    pub retry_after: Option<u64>,
    /// PrestaShop answers some cases with a bare status and no document (GET of an unknown id).
    pub empty_body: bool,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.status)?;
        for e in &self.errors {
            write!(f, " [{}] {}", e.code.unwrap_or(0), e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            errors: vec![PsError {
                code: Some(code),
                message: message.into(),
            }],
            challenge: false,
            retry_after: None,
            empty_body: false,
        }
    }

    /// Appends an error; like PrestaShop, the status becomes the last error's.
    pub fn and(mut self, status: u16, code: u32, message: impl Into<String>) -> Self {
        self.status = status;
        self.errors.push(PsError {
            code: Some(code),
            message: message.into(),
        });
        self
    }

    fn challenge(mut self) -> Self {
        self.challenge = true;
        self
    }

    pub fn not_found_empty() -> Self {
        ApiError {
            status: 404,
            errors: Vec::new(),
            challenge: false,
            retry_after: None,
            empty_body: true,
        }
    }

    pub fn disabled() -> Self {
        Self::new(
            503,
            22,
            "The PrestaShop webservice is disabled. Please activate it in the PrestaShop Back Office",
        )
    }
    pub fn key_empty() -> Self {
        Self::new(401, 17, "Authentication key is empty").challenge()
    }
    pub fn key_format() -> Self {
        Self::new(401, 18, "Invalid authentication key format").challenge()
    }
    pub fn key_inactive() -> Self {
        Self::new(401, 20, "Authentification key is not active")
            .and(401, 21, "No permission for this authentication key")
            .challenge()
    }
    pub fn key_no_permission() -> Self {
        Self::new(401, 21, "No permission for this authentication key").challenge()
    }
    pub fn method_invalid(m: &str) -> Self {
        Self::new(405, 23, format!("Method {m} is not valid"))
    }
    pub fn method_not_allowed_for_key(m: &str, res: &str) -> Self {
        Self::new(
            405,
            25,
            format!(
                "Method {m} is not allowed for the resource {res} with this authentication key"
            ),
        )
    }
    pub fn resource_not_allowed(res: &str) -> Self {
        Self::new(
            401,
            26,
            format!("Resource of type \"{res}\" is not allowed with this authentication key"),
        )
    }
    pub fn resource_unknown<'a>(res: &str, all: impl Iterator<Item = &'a str>) -> Self {
        let all: Vec<&str> = all.collect();
        Self::new(
            400,
            27,
            did_you_mean(
                &format!("Resource of type \"{res}\" does not exists"),
                res,
                &all,
            ),
        )
    }
    pub fn method_forbidden(m: &str, res: &str) -> Self {
        Self::new(
            405,
            101,
            format!("Method {m} is not allowed for the resource {res}"),
        )
    }
    pub fn shop_unknown() -> Self {
        Self::new(404, 999, "This shop id does not exist")
    }
    pub fn shop_group_empty() -> Self {
        Self::new(500, 999, "This shop group doesn't have shops")
    }
    pub fn shop_not_allowed() -> Self {
        Self::new(403, 132, "No permission for this key on this shop")
    }
    pub fn bad_request(code: u32, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }
    pub fn ip_not_allowed() -> Self {
        Self::new(403, 1001, "This key cannot be used from this IP address")
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(429, 1002, "Too many requests for this key");
        e.retry_after = Some(retry_after);
        e
    }
    /// Too many failed authentications from the client's address (answered before any key
    /// lookup).
    pub fn auth_failures(retry_after: u64) -> Self {
        let mut e = Self::new(
            429,
            1005,
            "Too many failed authentications from this address",
        );
        e.retry_after = Some(retry_after);
        e
    }
    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            413,
            1003,
            format!("The request body is larger than the allowed {limit} bytes"),
        )
    }
    pub fn body_timeout(secs: u64) -> Self {
        Self::new(
            408,
            1006,
            format!("The request body did not arrive within {secs} seconds"),
        )
    }
    pub fn multipart_invalid(detail: impl std::fmt::Display) -> Self {
        Self::new(
            400,
            1010,
            format!("The multipart/form-data body cannot be read: {detail}"),
        )
    }
    /// A failure of ours, not the client's. Details go to the log, never to the client.
    pub fn internal() -> Self {
        Self::new(500, 1000, "Internal error. The server log has the details.")
    }
}

impl From<KeyRefusal> for ApiError {
    fn from(e: KeyRefusal) -> Self {
        match e {
            KeyRefusal::Empty => ApiError::key_empty(),
            KeyRefusal::Malformed => ApiError::key_format(),
            KeyRefusal::Inactive => ApiError::key_inactive(),
            KeyRefusal::NoPermission => ApiError::key_no_permission(),
            KeyRefusal::Storage(e) => e.into(),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                let mut err = Self::new(503, 1004, "The database is busy, retry shortly");
                err.retry_after = Some(1);
                err
            }
            StorageError::Busy => {
                let mut err = Self::new(503, 1004, "The database is busy, retry shortly");
                err.retry_after = Some(1);
                err
            }
            // A unique key or a foreign row refused the write: PrestaShop's "Unable to save
            // resource" (it answers 500; it is the client's data, so 400).
            StorageError::Conflict(m) => Self::new(500, 46, "Unable to save resource").and(
                400,
                46,
                format!("Unable to save resource: {m}"),
            ),
            StorageError::NotFound => Self::new(404, 87, "Id(s) not exists"),
            StorageError::Aborted(b) => match b.downcast::<ApiError>() {
                Ok(e) => *e,
                Err(other) => {
                    tracing::error!(error = %other, "storage failure");
                    Self::internal()
                }
            },
            other => {
                tracing::error!(error = %other, "storage failure");
                Self::internal()
            }
        }
    }
}

/// PrestaShop's "did you mean" message (WebserviceRequest::setErrorDidYouMean).
pub fn did_you_mean(label: &str, value: &str, list: &[&str]) -> String {
    let mut best: Option<(&str, usize)> = None;
    for cand in list {
        let d = levenshtein(value, cand);
        // Ties go to the later entry, as PrestaShop's loop uses `<=`.
        if best.is_none_or(|(_, bd)| d <= bd) {
            best = Some((cand, d));
        }
        if *cand == value {
            best = Some((cand, 0));
            break;
        }
    }
    let mut s = format!(
        "{label}. Did you mean: \"{}\"?",
        best.map(|b| b.0).unwrap_or("")
    );
    if list.len() > 1 {
        let quoted: Vec<String> = list.iter().map(|x| format!("\"{x}\"")).collect();
        s.push_str(&format!(" The full list is: {}", quoted.join(", ")));
    }
    s
}

pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_picks_the_closest() {
        let m = did_you_mean(
            "Resource of type \"prodcts\" does not exists",
            "prodcts",
            &["addresses", "products"],
        );
        assert!(m.contains("Did you mean: \"products\"?"), "{m}");
        assert!(m.ends_with("The full list is: \"addresses\", \"products\""));
    }

    #[test]
    fn unknown_key_reports_20_then_21() {
        let e = ApiError::key_inactive();
        let codes: Vec<_> = e.errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, vec![Some(20), Some(21)]);
        assert!(e.challenge);
        assert_eq!(e.status, 401);
    }
}
