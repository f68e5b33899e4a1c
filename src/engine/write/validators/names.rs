//! Rules on names and other free text: the character-class patterns (`isName`,
//! `isGenericName`, `isCatalogName`, `isCityName`, `isAddress`, `isReference`, `isMessage`)
//! and the two that need code, `isCustomerName` (a look-ahead and a byte-level dot rule) and
//! `isThemeName` (a length bound).

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;
use regex::Regex;

use super::{byte_regex, bytes_match, unicode_regex};

/// isAddress: `/^[^!<>?=+@{}_$%]*$/u`
pub(super) static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| unicode_regex(r"^[^!<>?=+@{}_$%]*\n?\z"));
/// isCatalogName and isCarrierName: `/^[^<>;=#{}]*$/u`
pub(super) static CATALOG_NAME: LazyLock<Regex> =
    LazyLock::new(|| unicode_regex(r"^[^<>;=#{}]*\n?\z"));
/// isCityName: `/^[^!<>;?=+@#"°{}_$%]*$/u`
pub(super) static CITY_NAME: LazyLock<Regex> =
    LazyLock::new(|| unicode_regex(r#"^[^!<>;?=+@#"°{}_$%]*\n?\z"#));
/// isGenericName: `/^[^<>={}]*$/u`
pub(super) static GENERIC_NAME: LazyLock<Regex> =
    LazyLock::new(|| unicode_regex(r"^[^<>={}]*\n?\z"));
/// isMessage fails when `/[<>{}]/i` is found.
pub(super) static MESSAGE_FORBIDDEN: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"[<>{}]"));
/// isName: `/^[^0-9!<>,;?=+()@#"°{}_$%:¤|]*$/u`
pub(super) static NAME: LazyLock<Regex> =
    LazyLock::new(|| unicode_regex(r#"^[^0-9!<>,;?=+()@#"°{}_$%:¤|]*\n?\z"#));
/// isReference: `/^[^<>;={}]*$/u`
pub(super) static REFERENCE: LazyLock<Regex> = LazyLock::new(|| unicode_regex(r"^[^<>;={}]*\n?\z"));

// ---------------------------------------------------------------------------------------------
// isCustomerName
// ---------------------------------------------------------------------------------------------

/// `\s` of PCRE with the `u` flag (PHP sets UCP with it): Unicode separators plus horizontal and
/// vertical whitespace. That is Rust's White_Space set plus U+180E (MONGOLIAN VOWEL SEPARATOR),
/// still listed in PCRE's `\h`.
fn is_pcre_ucp_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{180E}'
}

/// Characters excluded by CustomerNameValidator::PATTERN_NAME's class, except the two dots which
/// have their own rule.
fn is_customer_name_forbidden(c: char) -> bool {
    c.is_ascii_digit() || "!<>,;?=+()/\\@#\"°*`{}_^$%:¤[]|".contains(c)
}

/// PATTERN_DOT_SPACED = `/[\.。](\s{1}[^\ ]|$)/`, which has no `u` flag: the class is really the
/// byte set { '.', 0xE3, 0x80, 0x82 } (the UTF-8 bytes of '。'), `\s` is ASCII whitespace and
/// `[^\ ]` any byte but a space. Kept byte-level on purpose.
static CUSTOMER_NAME_DOT_SPACED: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"[.\xE3\x80\x82](?:\s[^ ]|\n?\z)"));

/// isCustomerName (Symfony constraint CustomerName / CustomerNameValidator):
///
/// 1. PATTERN_NAME =
///    `/^(?!\s*$)(?:[^0-9!<>,;?=+()\/\\@#"°*`{}_^$%:¤\[\]|\.。]|[。\.](?:\s|$))*$/u`, which needs
///    a negative look-ahead and is therefore checked in three parts: not whitespace only (the
///    look-ahead; the empty string fails too), no forbidden character, and every '.' or '。'
///    followed by a whitespace character or ending the string.
/// 2. If the name contains '.' or '。', PATTERN_DOT_SPACED must also be found somewhere.
pub(super) fn is_customer_name(value: &str) -> bool {
    if value.chars().all(is_pcre_ucp_space) {
        return false;
    }
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '.' || c == '。' {
            if !chars.peek().is_none_or(|next| is_pcre_ucp_space(*next)) {
                return false;
            }
        } else if is_customer_name_forbidden(c) {
            return false;
        }
    }
    if value.contains(['.', '。']) {
        return bytes_match(&CUSTOMER_NAME_DOT_SPACED, value);
    }
    true
}

// ---------------------------------------------------------------------------------------------
// isThemeName
// ---------------------------------------------------------------------------------------------

/// Character class of isThemeName's `/^[\w-]{3,255}$/u`: with the `u` flag PHP enables UCP, so
/// `\w` is `[\p{L}\p{N}_]`. The `{3,255}` count is checked in code: a 255-fold copy of a
/// Unicode class would make a needlessly large automaton.
static THEME_NAME: LazyLock<Regex> = LazyLock::new(|| unicode_regex(r"^[\p{L}\p{N}_-]+\n?\z"));

pub(super) fn is_theme_name(value: &str) -> bool {
    let counted = value.strip_suffix('\n').unwrap_or(value);
    THEME_NAME.is_match(value) && (3..=255).contains(&counted.chars().count())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};

    #[test]
    fn is_address() {
        valid("isAddress", "12 rue de l'Église, Bât. B");
        valid("isAddress", "");
        for bad in [
            "a!", "<b>", "a?", "a=b", "a+b", "a@b", "{x}", "a_b", "$5", "50%",
        ] {
            invalid("isAddress", bad);
        }
    }

    #[test]
    fn is_carrier_and_catalog_name() {
        valid("isCarrierName", "My carrier (express)");
        valid("isCarrierName", "");
        invalid("isCarrierName", "a;b");
        valid("isCatalogName", "T-shirt été — 100% coton");
        valid("isCatalogName", "");
        for bad in ["a<b", "a>b", "a;b", "a=b", "#1", "{x}"] {
            invalid("isCatalogName", bad);
        }
    }

    #[test]
    fn is_city_name() {
        valid("isCityName", "Saint-Étienne");
        valid("isCityName", "Xi'an");
        for bad in [
            "Paris!", "a;b", "a?", "a+b", "a@b", "#1", "\"x\"", "10°", "a_b", "$", "%",
        ] {
            invalid("isCityName", bad);
        }
    }

    #[test]
    fn is_customer_name() {
        valid("isCustomerName", "John");
        valid("isCustomerName", "J. Doe");
        valid("isCustomerName", "Jean-Pierre O'Neil");
        valid("isCustomerName", "Zoë Åström");
        valid("isCustomerName", "Doe Jr.");
        valid("isCustomerName", "山田。 太郎");
        invalid("isCustomerName", "J.Doe");
        invalid("isCustomerName", "John2");
        invalid("isCustomerName", "   ");
        invalid("isCustomerName", "");
        invalid("isCustomerName", "a/b");
        invalid("isCustomerName", "a\\b");
        invalid("isCustomerName", "a*b");
        invalid("isCustomerName", "a[b]");
        invalid("isCustomerName", "a^b");
        invalid("isCustomerName", "a`b");
        invalid("isCustomerName", "a|b");
        invalid("isCustomerName", "a¤b");
        invalid("isCustomerName", "J:D");
        // The dot is followed by whitespace everywhere, but PATTERN_DOT_SPACED (one ASCII
        // whitespace then a non-space byte, or the end) is found nowhere.
        invalid("isCustomerName", "J.  Doe");
        invalid("isCustomerName", "J.\u{A0}Doe");
        // ...unless another byte of its odd byte-level class does: 'Ā' is C4 80, and 0x80 is
        // one of the bytes of '。'.
        valid("isCustomerName", "J.  DoĀ x");
    }

    #[test]
    fn is_generic_name() {
        valid("isGenericName", "Café & Co. (main) #1; 50%");
        valid("isGenericName", "");
        for bad in ["a<b", "a>b", "a=b", "{x}"] {
            invalid("isGenericName", bad);
        }
    }

    #[test]
    fn is_message() {
        valid(
            "isMessage",
            "Please deliver after 6pm, thanks! (door code: 1234#)",
        );
        valid("isMessage", "");
        for bad in ["<b>", "a > b", "{x", "x}"] {
            invalid("isMessage", bad);
        }
    }

    #[test]
    fn is_name() {
        valid("isName", "Jean-François O'Neil");
        valid("isName", "J.Doe");
        valid("isName", "");
        for bad in [
            "John2", "a!", "a<", "a,b", "a;b", "a?", "a=b", "a+b", "(a)", "a@b", "#",
        ] {
            invalid("isName", bad);
        }
        for bad in ["\"a\"", "a°", "{a}", "a_b", "$a", "a%", "a:b", "a¤", "a|b"] {
            invalid("isName", bad);
        }
    }

    #[test]
    fn is_reference() {
        valid("isReference", "demo_1-A/B (x) #2");
        valid("isReference", "");
        for bad in ["a<b", "a>b", "a;b", "a=b", "{x}"] {
            invalid("isReference", bad);
        }
    }

    #[test]
    fn is_theme_name() {
        valid("isThemeName", "classic");
        valid("isThemeName", "hummingbird-2_0");
        valid("isThemeName", "thème");
        valid("isThemeName", &"a".repeat(255));
        invalid("isThemeName", "ab");
        invalid("isThemeName", &"a".repeat(256));
        invalid("isThemeName", "my theme");
        invalid("isThemeName", "my.theme");
    }
}
