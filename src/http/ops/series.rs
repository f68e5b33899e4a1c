//! The per-request series, registered once per (resource, method, status) and then reused:
//! recording a request allocates nothing (the `metrics` macros build a label vector on
//! every call).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use metrics::{Counter, Histogram};

use super::labels;

#[derive(Clone)]
struct Handles {
    requests: Counter,
    duration: Histogram,
    bytes: Counter,
}

type SeriesKey = (&'static str, &'static str, u16);

#[derive(Default)]
pub struct Series {
    known: RwLock<HashMap<SeriesKey, Handles>>,
}

impl Series {
    /// Counts one request, its duration and the bytes of its answer (when known).
    pub fn record(
        &self,
        resource: &'static str,
        method: &'static str,
        status: u16,
        elapsed: Duration,
        bytes: Option<u64>,
    ) {
        let key = (resource, method, status);
        let found = self.known.read().ok().and_then(|m| m.get(&key).cloned());
        let h = match found {
            Some(h) => h,
            None => {
                let h = Handles {
                    requests: metrics::counter!(
                        "shopws_requests_total",
                        "resource" => resource,
                        "method" => method,
                        "status" => labels::status(status),
                    ),
                    duration: metrics::histogram!(
                        "shopws_request_duration_seconds",
                        "resource" => resource,
                        "method" => method,
                    ),
                    bytes: metrics::counter!(
                        "shopws_response_bytes_total",
                        "resource" => resource,
                    ),
                };
                if let Ok(mut m) = self.known.write() {
                    m.insert(key, h.clone());
                }
                h
            }
        };
        h.requests.increment(1);
        h.duration.record(elapsed.as_secs_f64());
        if let Some(b) = bytes {
            h.bytes.increment(b);
        }
    }
}
