//! Numeric rules: PHP's int, float and numeric-string semantics (`isInt`, `isFloat`,
//! `isUnsignedInt` and its relatives, `isPercentage`, `isPriceDisplayMethod`) and the
//! number-shaped patterns (`isBool`, `isCoordinate`, `isIp2Long`, `isPrice`,
//! `isNegativePrice`).

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;

use super::byte_regex;

/// isBool: `/^(0|1)$/`
pub(super) static BOOL: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^(?:0|1)\n?\z"));
/// isCoordinate: `/^\-?[0-9]{1,8}\.[0-9]{1,8}$/s`
pub(super) static COORDINATE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^-?[0-9]{1,8}\.[0-9]{1,8}\n?\z"));
/// isIp2Long: `#^-?[0-9]+$#`
pub(super) static IP2LONG: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^-?[0-9]+\n?\z"));
/// isNegativePrice: `/^[-]?[0-9]{1,10}(\.[0-9]{1,9})?$/`
pub(super) static NEGATIVE_PRICE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^-?[0-9]{1,10}(?:\.[0-9]{1,9})?\n?\z"));
/// isPrice: `/^[0-9]{1,10}(\.[0-9]{1,9})?$/`
pub(super) static PRICE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[0-9]{1,10}(?:\.[0-9]{1,9})?\n?\z"));

/// isInt: `(string)(int)$v === (string)$v`, i.e. the canonical decimal form of a 64-bit PHP
/// int: optional `-`, no `+`, no leading zeros, no spaces, `-0` rejected. Out-of-range values
/// are clamped or zeroed by the cast, so they never round-trip either.
pub(super) fn is_php_int(value: &str) -> bool {
    value.parse::<i64>().is_ok_and(|n| n.to_string() == value)
}

/// isUnsignedInt / isUnsignedId: canonical decimal integer in `0..=4294967295`.
pub(super) fn unsigned_int(value: &str) -> Option<u64> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= u64::from(u32::MAX) && n.to_string() == value)
}

/// Value of a PHP 8 numeric string (`is_numeric()`): optional leading and trailing whitespace
/// (space, `\t`, `\n`, `\r`, `\v`, `\f`), optional sign, digits with an optional `.` (`"1."` and
/// `".5"` count), optional exponent. Hexadecimal, `INF`, `NAN`, `1,5` and the like are not
/// numeric.
fn php_numeric_value(value: &str) -> Option<f64> {
    const WS: &[u8] = b" \t\n\r\x0b\x0c";
    let trimmed = value.trim_matches(|c: char| c.is_ascii() && WS.contains(&(c as u8)));
    let b = trimmed.as_bytes();
    let digits_from = |start: usize| b[start..].iter().take_while(|c| c.is_ascii_digit()).count();

    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = digits_from(i);
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        frac_digits = digits_from(i + 1);
        i += 1 + frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits = digits_from(j);
        if exp_digits == 0 {
            return None; // "1e" / "1e+" leave non-whitespace trailing data
        }
        i = j + exp_digits;
    }
    if i != b.len() {
        return None;
    }
    // Same grammar as Rust's float syntax (including "1." and ".5"), correctly rounded like
    // zend_strtod.
    trimmed.parse::<f64>().ok()
}

/// isFloat: `(string)((float)$v) == (string)$v`.
///
/// The right side must be a numeric string (otherwise PHP compares the strings byte-wise, and
/// no non-numeric string equals a float's string form). Both sides are then compared as
/// numbers; `(string)` of a float keeps 14 significant digits (`precision` = 14), so the value
/// must survive rounding to 14 significant digits. Infinite values print as "INF", which is
/// not numeric, so they fail. Returns the value when valid.
pub(super) fn php_float(value: &str) -> Option<f64> {
    let f = php_numeric_value(value)?;
    if !f.is_finite() {
        return None;
    }
    // `{:.13e}` = 14 significant digits, correctly rounded like zend_gcvt(precision = 14).
    let printed: f64 = format!("{f:.13e}").parse().ok()?;
    (printed == f).then_some(f)
}

/// isPriceDisplayMethod: `$v == PS_TAX_EXC (1) || $v == PS_TAX_INC (0)`. Comparing a string
/// with an int in PHP 8 is numeric when the string is numeric, otherwise it compares strings
/// ("abc" != "0").
pub(super) fn is_price_display_method(value: &str) -> bool {
    php_numeric_value(value).is_some_and(|f| f == 0.0 || f == 1.0)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};
    use super::*;

    #[test]
    fn is_bool() {
        valid("isBool", "1");
        valid("isBool", "0");
        invalid("isBool", "true");
        invalid("isBool", "false");
        invalid("isBool", "2");
        invalid("isBool", "01");
        invalid("isBool", "");
    }

    #[test]
    fn is_coordinate() {
        valid("isCoordinate", "48.8566");
        valid("isCoordinate", "-122.41941550");
        invalid("isCoordinate", "48");
        invalid("isCoordinate", "48.");
        invalid("isCoordinate", ".5");
        invalid("isCoordinate", "123456789.1");
        invalid("isCoordinate", "1.123456789");
        invalid("isCoordinate", "+48.1");
        invalid("isCoordinate", "48,85");
    }

    #[test]
    fn is_float() {
        for ok in [
            "1.5",
            "1.50",
            "+1",
            " 1",
            "1 ",
            ".5",
            "1.",
            "1e3",
            "-2",
            "0.1",
            "-0",
            "007",
            "1E-5",
            "\t3.25\n",
            "99999999999999999999",
            "100000000000000",
            "12345678901234",
        ] {
            valid("isFloat", ok);
        }
        for bad in [
            "1,5",
            "abc",
            "0x1A",
            "",
            ".",
            "1e",
            "1e+",
            "1.5.2",
            "1 000",
            "- 1",
            "INF",
            "NAN",
            "1e999",
            "12345678901234567890",
            "123456789012345",
            "0.123456789012345",
            "1.5a",
        ] {
            invalid("isFloat", bad);
        }
    }

    #[test]
    fn php_float_to_string_rounding() {
        // 12345678901234567 prints as 1.2345678901235E+16, which differs from its value.
        assert_eq!(php_float("12345678901234567"), None);
        assert_eq!(php_float("1.2345678901234"), Some(1.2345678901234));
        assert_eq!(php_float("1e22"), Some(1e22));
    }

    #[test]
    fn is_int() {
        for ok in [
            "0",
            "1",
            "-1",
            "42",
            "9223372036854775807",
            "-9223372036854775808",
        ] {
            valid("isInt", ok);
        }
        for bad in [
            "007",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "-0",
            "1e3",
            "9223372036854775808",
            "",
            "a",
        ] {
            invalid("isInt", bad);
        }
    }

    #[test]
    fn is_ip2long() {
        valid("isIp2Long", "3232235777");
        valid("isIp2Long", "-1062731519");
        invalid("isIp2Long", "192.168.1.1");
        invalid("isIp2Long", "");
        invalid("isIp2Long", "+1");
    }

    #[test]
    fn is_price_and_negative_price() {
        valid("isPrice", "0");
        valid("isPrice", "19.99");
        valid("isPrice", "1234567890.123456789");
        invalid("isPrice", "-1");
        invalid("isPrice", "12345678901");
        invalid("isPrice", "1.1234567890");
        invalid("isPrice", "1,5");
        invalid("isPrice", ".5");
        invalid("isPrice", "1.");
        valid("isNegativePrice", "-19.99");
        valid("isNegativePrice", "5");
        invalid("isNegativePrice", "+5");
        invalid("isNegativePrice", "--5");
    }

    #[test]
    fn is_unsigned_int_family() {
        for rule in ["isUnsignedInt", "isUnsignedId", "isNullOrUnsignedId"] {
            valid(rule, "0");
            valid(rule, "42");
            valid(rule, "4294967295");
            invalid(rule, "4294967296");
            invalid(rule, "007");
            invalid(rule, "-1");
            invalid(rule, "+1");
            invalid(rule, " 1");
            invalid(rule, "1.0");
            invalid(rule, "");
        }
        valid("isPositiveInt", "1");
        valid("isPositiveInt", "4294967295");
        invalid("isPositiveInt", "0");
        invalid("isPositiveInt", "01");
        invalid("isPositiveInt", "-3");
    }

    #[test]
    fn is_percentage_and_unsigned_float() {
        valid("isPercentage", "0");
        valid("isPercentage", "12.5");
        valid("isPercentage", "100");
        invalid("isPercentage", "100.01");
        invalid("isPercentage", "-1");
        invalid("isPercentage", "50%");
        valid("isUnsignedFloat", "0.5");
        valid("isUnsignedFloat", "1e3");
        valid("isUnsignedFloat", "-0");
        invalid("isUnsignedFloat", "-0.5");
        invalid("isUnsignedFloat", "1,5");
    }

    #[test]
    fn is_price_display_method() {
        for ok in ["0", "1", "1.0", " 1", "0.0", "1e0"] {
            valid("isPriceDisplayMethod", ok);
        }
        for bad in ["2", "-1", "abc", "", "true", "0.5"] {
            invalid("isPriceDisplayMethod", bad);
        }
    }

    #[test]
    fn php_numeric_strings() {
        assert_eq!(php_numeric_value(" 1.5 "), Some(1.5));
        assert_eq!(php_numeric_value("\x0b-.5e1\x0c"), Some(-5.0));
        assert_eq!(php_numeric_value("1."), Some(1.0));
        assert_eq!(php_numeric_value(" "), None);
        assert_eq!(php_numeric_value("0x10"), None);
        assert_eq!(php_numeric_value("1e5x"), None);
        assert_eq!(php_numeric_value("\u{a0}1"), None);
    }
}
