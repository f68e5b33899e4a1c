//! The clock: one place that says what time it is and how shopws writes it down.
//!
//! Stored times are text in PrestaShop's format (`YYYY-MM-DD HH:MM:SS`): shopws's own tables
//! hold UTC; PrestaShop's tables hold the shop's wall-clock time in its `PS_TIMEZONE`, as
//! PrestaShop writes them (a database PrestaShop and shopws both write must not mix the two).
//! Session and throttle arithmetic uses Unix seconds.

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

/// A shop's time zone, by its IANA name (`Europe/Paris`); UTC when the name is unknown.
pub fn zone(name: &str) -> jiff::tz::TimeZone {
    match jiff::tz::TimeZone::get(name.trim()) {
        Ok(tz) => tz,
        Err(e) => {
            if !name.trim().is_empty() {
                tracing::warn!(zone = name, error = %e, "unknown time zone: dates are written in UTC");
            }
            jiff::tz::TimeZone::UTC
        }
    }
}

/// The current wall-clock time in `tz`, as PrestaShop stores dates in its own tables. Every
/// request asks for it: a zone known by name is converted and formatted once per second per
/// thread.
pub fn now_in(tz: &jiff::tz::TimeZone) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(i64, String, String)> =
            const { std::cell::RefCell::new((i64::MIN, String::new(), String::new())) };
    }
    let now = jiff::Timestamp::now();
    let Some(name) = tz.iana_name() else {
        return wall_clock(tz, now);
    };
    let secs = now.as_second();
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != secs || last.1 != name {
            last.2 = wall_clock(tz, now);
            last.1 = name.to_string();
            last.0 = secs;
        }
        last.2.clone()
    })
}

fn wall_clock(tz: &jiff::tz::TimeZone, at: jiff::Timestamp) -> String {
    let z = tz.to_datetime(at);
    let mut out = String::with_capacity(19);
    use std::fmt::Write;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute(),
        z.second()
    );
    out
}

/// `now` plus some seconds (negative: in the past), in the format of every stored time.
pub fn now_plus(secs: i64) -> String {
    format(time::OffsetDateTime::now_utc() + time::Duration::seconds(secs))
}

/// A moment given in Unix seconds, in the format of every stored time (UTC).
pub fn at_unix(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(format)
        .unwrap_or_else(|_| "1970-01-01 00:00:00".to_string())
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
    fn shop_times_follow_the_shop_zone() {
        let utc = now_in(&zone("UTC"));
        assert_eq!(utc.len(), 19);
        let kiritimati = now_in(&zone("Pacific/Kiritimati"));
        // UTC+14 all year: a different wall clock, never the same text (barring the second
        // changing in between, which moves both the same way).
        assert_ne!(utc[11..13], kiritimati[11..13]);
        assert_eq!(now_in(&zone("No/Such_Zone")).len(), 19);
    }

    #[test]
    fn stored_format_and_offsets() {
        let n = now();
        assert_eq!(n.len(), 19);
        assert_eq!(&n[4..5], "-");
        assert_eq!(&n[10..11], " ");
        // Text order is time order in this format.
        assert!(now_plus(-60) < now_plus(60));
        assert!(unix() > 1_600_000_000);
        assert_eq!(at_unix(86_400 + 3_661), "1970-01-02 01:01:01");
    }
}
