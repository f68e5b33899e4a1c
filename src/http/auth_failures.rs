//! Failed API-key authentications per client address (code 1005): each failure takes a token
//! from the address's bucket (N per minute, burst N); once the bucket is empty the address is
//! refused at once, before any key lookup, until a token comes back. State is per node.
//!
//! IPv6 clients are counted per /64 (one host usually holds a whole /64), IPv4-mapped IPv6
//! addresses as the IPv4 address.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use moka::sync::Cache;

use crate::client_ip::network;
use crate::engine::error::ApiError;

/// A bucket full again after this long without failures; idle entries are dropped then.
const WINDOW: Duration = Duration::from_secs(60);

pub struct AuthFailures {
    per_minute: u32,
    /// Time for one token to come back.
    interval: Duration,
    /// How far ahead of now the theoretical arrival time may be while a token remains.
    tolerance: Duration,
    /// Theoretical arrival time of the next failure (GCRA), per address.
    tats: Cache<IpAddr, Arc<Mutex<Instant>>>,
}

impl AuthFailures {
    /// `per_minute` failures allowed per address (burst and refill per minute); 0 disables.
    pub fn new(per_minute: u32) -> Self {
        let interval = WINDOW / per_minute.max(1);
        AuthFailures {
            per_minute,
            interval,
            tolerance: interval * per_minute.saturating_sub(1),
            tats: Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(WINDOW)
                .build(),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// `Err(seconds)` to wait when the address is blocked.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let Some(tat) = self.tats.get(&network(ip)) else {
            return Ok(());
        };
        let tat = *tat.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let open_at = tat.checked_sub(self.tolerance).unwrap_or(now);
        if open_at <= now {
            return Ok(());
        }
        let wait = open_at - now;
        Err((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1))
    }

    /// Counts one failure; true when this failure is the one that blocks the address.
    pub fn fail(&self, ip: IpAddr) -> bool {
        if self.per_minute == 0 {
            return false;
        }
        let now = Instant::now();
        let cell = self
            .tats
            .get_with(network(ip), || Arc::new(Mutex::new(now)));
        let mut tat = cell.lock().unwrap_or_else(PoisonError::into_inner);
        let limit = now + self.tolerance;
        let was_blocked = *tat > limit;
        // Failures that raced past the check do not push the end of the block further.
        *tat = ((*tat).max(now) + self.interval).min(limit + self.interval);
        !was_blocked && *tat > limit
    }
}

/// The failures counted: an empty key (#17), a malformed one (#18), an unknown, inactive or
/// expired one (#20 + #21). Not the bare challenge sent when no key is given, nor the
/// refusals of a valid key.
pub fn is_key_failure(e: &ApiError) -> bool {
    e.status == 401 && matches!(e.errors.first().and_then(|x| x.code), Some(17 | 18 | 20))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_n_failures_and_only_reports_it_once() {
        let f = AuthFailures::new(3);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(f.check(ip), Ok(()));
        assert!(!f.fail(ip));
        assert!(!f.fail(ip));
        assert_eq!(f.check(ip), Ok(()));
        assert!(f.fail(ip), "the third failure blocks");
        let wait = f.check(ip).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(!f.fail(ip), "already blocked");
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        assert_eq!(f.check(other), Ok(()));
    }

    #[test]
    fn zero_disables_and_ipv6_counts_per_64() {
        let off = AuthFailures::new(0);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..100 {
            assert!(!off.fail(ip));
        }
        assert_eq!(off.check(ip), Ok(()));

        let f = AuthFailures::new(1);
        assert!(f.fail("2001:db8:1:2::1".parse().unwrap()));
        assert!(f.check("2001:db8:1:2::99".parse().unwrap()).is_err());
        assert!(f.check("2001:db8:1:3::1".parse().unwrap()).is_ok());
        assert!(f.fail("::ffff:192.0.2.9".parse().unwrap()));
        assert!(f.check("192.0.2.9".parse().unwrap()).is_err());
    }

    #[test]
    fn which_errors_count() {
        assert!(is_key_failure(&ApiError::key_empty()));
        assert!(is_key_failure(&ApiError::key_format()));
        assert!(is_key_failure(&ApiError::key_inactive()));
        assert!(!is_key_failure(&ApiError::key_no_permission()));
        assert!(!is_key_failure(&ApiError::resource_not_allowed("products")));
        assert!(!is_key_failure(&ApiError::internal()));
    }
}
