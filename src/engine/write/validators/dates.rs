//! Date rules: `isDate` (pattern plus PHP's `checkdate()`), `isDateFormat`, `isBirthDate`
//! (PHP's lenient `Y-m-d` parsing and its 200-year window) and `isPhpDateFormat`.

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;
use time::{Date, Month, OffsetDateTime};

use super::{byte_regex, php_empty};

/// isDate / isDateFormat:
/// `/^([0-9]{4})-((?:0?[0-9])|(?:1[0-2]))-((?:0?[0-9])|(?:[1-2][0-9])|(?:3[01]))( [0-9]{2}:[0-9]{2}:[0-9]{2})?$/`
/// (isDateFormat's variant only differs by capturing groups).
pub(super) static DATE: LazyLock<BytesRegex> = LazyLock::new(|| {
    byte_regex(
        r"^([0-9]{4})-(0?[0-9]|1[0-2])-(0?[0-9]|[1-2][0-9]|3[01])(?: [0-9]{2}:[0-9]{2}:[0-9]{2})?\n?\z",
    )
});
/// isPhpDateFormat: `/^[^<>]+$/`
pub(super) static PHP_DATE_FORMAT: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[^<>]+\n?\z"));

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// isDate: the DATE pattern, then PHP `checkdate(month, day, year)` (year 1..=32767), which
/// rejects month 0 and day 0 — so "0000-00-00" fails.
pub(super) fn is_date(value: &str) -> bool {
    let Some(caps) = DATE.captures(value.as_bytes()) else {
        return false;
    };
    let number = |i: usize| -> Option<u32> {
        std::str::from_utf8(caps.get(i)?.as_bytes())
            .ok()?
            .parse()
            .ok()
    };
    let (Some(year), Some(month), Some(day)) = (number(1), number(2), number(3)) else {
        return false;
    };
    let Ok(year) = i32::try_from(year) else {
        return false;
    };
    (1..=32767).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
}

/// Reads 1 to `max` ASCII digits at the start of `s` (timelib_get_nr), returning the number
/// and the rest.
fn leading_number(s: &str, max: usize) -> Option<(u32, &str)> {
    let len = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    Some((s[..len].parse().ok()?, &s[len..]))
}

/// `DateTime::createFromFormat('Y-m-d', $v)` without errors nor warnings: `Y` reads up to 4
/// digits, `m` and `d` up to 2 (so "2000-1-5" parses), the separators are literal, nothing may
/// follow, and the date must exist (an impossible date like 2001-02-29 is only a warning for
/// PHP, but isBirthDate rejects warnings).
fn parse_ymd_lenient(value: &str) -> Option<Date> {
    let (year, rest) = leading_number(value, 4)?;
    let rest = rest.strip_prefix('-')?;
    let (month, rest) = leading_number(rest, 2)?;
    let rest = rest.strip_prefix('-')?;
    let (day, rest) = leading_number(rest, 2)?;
    if !rest.is_empty() {
        return None; // "Trailing data"
    }
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// `$date - P200Y`, with PHP's overflow of Feb 29 onto Mar 1 in a non-leap year.
fn years_before(date: Date, years: i32) -> Date {
    let year = date.year() - years;
    date.replace_year(year)
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(Date::MIN)
}

/// isBirthDate: empty or "0000-00-00" is valid; otherwise a `Y-m-d` date not in the future and
/// not more than 200 years ago (today's UTC date).
pub(super) fn is_birth_date(value: &str) -> bool {
    if php_empty(value) || value == "0000-00-00" {
        return true;
    }
    parse_ymd_lenient(value)
        .is_some_and(|date| birth_date_in_range(date, OffsetDateTime::now_utc().date()))
}

/// PHP compares the date at midnight with `new DateTime()` (now, time of day included) and with
/// `now - 200 years` (same time of day): today is accepted, and the day exactly 200 years ago
/// is not (its midnight is earlier than that instant).
fn birth_date_in_range(date: Date, today: Date) -> bool {
    date <= today && date > years_before(today, 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    use super::super::tests::{invalid, valid};

    #[test]
    fn is_birth_date() {
        valid("isBirthDate", "1990-05-15");
        valid("isBirthDate", "2000-1-5");
        valid("isBirthDate", "0000-00-00");
        valid("isBirthDate", "");
        valid("isBirthDate", "0");
        invalid("isBirthDate", "3000-01-01");
        invalid("isBirthDate", "1800-01-01");
        invalid("isBirthDate", "2001-02-29");
        invalid("isBirthDate", "2000-13-01");
        invalid("isBirthDate", "2000-01-01 ");
        invalid("isBirthDate", "2000-01-01 10:00:00");
        invalid("isBirthDate", "02000-01-01");
        invalid("isBirthDate", "2000/01/01");
        invalid("isBirthDate", "15-05-1990x");
        invalid("isBirthDate", "abc");
    }

    #[test]
    fn birth_date_bounds() {
        let today = date!(2025 - 06 - 15);
        assert!(birth_date_in_range(today, today));
        assert!(!birth_date_in_range(date!(2025 - 06 - 16), today));
        assert!(birth_date_in_range(date!(1825 - 06 - 16), today));
        assert!(!birth_date_in_range(date!(1825 - 06 - 15), today));
        assert_eq!(
            years_before(date!(2024 - 02 - 29), 1),
            date!(2023 - 03 - 01)
        );
        assert_eq!(parse_ymd_lenient("2000-1-5"), Some(date!(2000 - 01 - 05)));
    }

    #[test]
    fn is_date() {
        valid("isDate", "2023-01-31");
        valid("isDate", "2024-02-29 23:59:59");
        valid("isDate", "2023-1-5");
        valid("isDate", "2023-01-01 99:99:99");
        invalid("isDate", "0000-00-00");
        invalid("isDate", "0000-01-01");
        invalid("isDate", "2023-02-29");
        invalid("isDate", "2023-02-31");
        invalid("isDate", "2023-13-01");
        invalid("isDate", "2023-01-00");
        invalid("isDate", "23-01-01");
        invalid("isDate", "2023-01-01T10:00:00");
        invalid("isDate", "2023-01-01 1:00:00");
        invalid("isDate", "");
    }

    #[test]
    fn is_date_format() {
        valid("isDateFormat", "0000-00-00");
        valid("isDateFormat", "2023-02-31");
        valid("isDateFormat", "2023-02-28 12:00:00");
        invalid("isDateFormat", "2023-13-01");
        invalid("isDateFormat", "2023/01/01");
        invalid("isDateFormat", "");
    }

    #[test]
    fn is_date_or_null() {
        valid("isDateOrNull", "0000-00-00 00:00:00");
        valid("isDateOrNull", "0000-00-00");
        valid("isDateOrNull", "2023-06-01 10:00:00");
        invalid("isDateOrNull", "2023-02-31");
        invalid("isDateOrNull", "0000-00-00 00:00");
        invalid("isDateOrNull", "");
    }

    #[test]
    fn is_php_date_format() {
        valid("isPhpDateFormat", "Y-m-d H:i:s");
        valid("isPhpDateFormat", "d/m/Y");
        invalid("isPhpDateFormat", "<b>Y</b>");
        invalid("isPhpDateFormat", "");
    }
}
