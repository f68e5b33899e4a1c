//! The clock: one place that says what time it is and how shopws writes it down.
//!
//! Stored times are text in PrestaShop's format (`YYYY-MM-DD HH:MM:SS`, UTC); session and
//! throttle arithmetic uses Unix seconds.

/// The current UTC time as PrestaShop stores dates. Every request asks for it: the text is
/// formatted once per second per thread.
pub fn now() -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    let t = time::OffsetDateTime::now_utc();
    let secs = t.unix_timestamp();
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != secs {
            last.1 = format(t);
            last.0 = secs;
        }
        last.1.clone()
    })
}

/// `now` plus some seconds (negative: in the past), in the format of every stored time.
pub fn now_plus(secs: i64) -> String {
    format(time::OffsetDateTime::now_utc() + time::Duration::seconds(secs))
}

/// Seconds since the Unix epoch.
pub fn unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn format(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.format(&f)
        .unwrap_or_else(|_| "1970-01-01 00:00:00".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_format_and_offsets() {
        let n = now();
        assert_eq!(n.len(), 19);
        assert_eq!(&n[4..5], "-");
        assert_eq!(&n[10..11], " ");
        // Text order is time order in this format.
        assert!(now_plus(-60) < now_plus(60));
        assert!(unix() > 1_600_000_000);
    }
}
