//! Per-key rate limits (GCRA token buckets from governor), each key with its own quota.
//! State is per node: on several nodes each enforces the limit on its own share.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::accounts::Policy;

/// One key's bucket and the (rate, burst) it was built for.
type Bucket = (u32, u32, Arc<DefaultDirectRateLimiter>);

#[derive(Default)]
pub struct RateLimits {
    buckets: Mutex<HashMap<i64, Bucket>>,
}

impl RateLimits {
    /// `Err(seconds)` to wait when the key is over its rate.
    pub fn check(&self, account: i64, policy: &Policy) -> Result<(), u64> {
        let Some(rate) = policy.rate_per_sec.and_then(NonZeroU32::new) else {
            return Ok(());
        };
        let burst = policy.burst.and_then(NonZeroU32::new).unwrap_or(rate);
        let limiter = {
            let Ok(mut map) = self.buckets.lock() else {
                return Ok(());
            };
            let entry = map.entry(account).or_insert_with(|| {
                (
                    0,
                    0,
                    Arc::new(RateLimiter::direct(
                        Quota::per_second(rate).allow_burst(burst),
                    )),
                )
            });
            if (entry.0, entry.1) != (rate.get(), burst.get()) {
                *entry = (
                    rate.get(),
                    burst.get(),
                    Arc::new(RateLimiter::direct(
                        Quota::per_second(rate).allow_burst(burst),
                    )),
                );
            }
            entry.2.clone()
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}
