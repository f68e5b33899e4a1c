//! `isIsbn`: Isbn::VALID_PATTERN relies on look-aheads, which the `regex` crate lacks, so it
//! is rebuilt here from look-around-free pieces combined in code.

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;

use super::{byte_regex, php_empty};

// Isbn::VALID_PATTERN (flag `i`, no `u`):
//   /^(?:ISBN(?:-1[03])?:? )?(?=[0-9X]{10}$|(?=(?:[0-9]+[- ]){3})[- 0-9X]{13}$|97[89][0-9]{10}$
//     |(?=(?:[0-9]+[- ]){4})[- 0-9]{17}$)(?:97[89][- ]?)?[0-9]{1,5}[- ]?[0-9]+[- ]?[0-9]+[- ]?[0-9X]$/i
// The look-aheads all start at the same position (right after the optional prefix) as the main
// body, so each one is an independent, anchored condition on that remainder.

/// The optional "ISBN", "ISBN-10", "ISBN-13" prefix (with optional ':') and its space.
static ISBN_PREFIX: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"(?i)^ISBN(?:-1[03])?:? "));
/// Look-ahead 1: ten ISBN-10 characters.
static ISBN_10: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"(?i)^[0-9X]{10}\n?\z"));
/// Look-ahead 2, inner look-ahead: at least three digit groups each followed by a separator.
static ISBN_THREE_GROUPS: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^(?:[0-9]+[- ]){3}"));
/// Look-ahead 2: thirteen characters of a separated ISBN-10.
static ISBN_10_SEPARATED: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"(?i)^[- 0-9X]{13}\n?\z"));
/// Look-ahead 3: a compact ISBN-13.
static ISBN_13: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^97[89][0-9]{10}\n?\z"));
/// Look-ahead 4, inner look-ahead: at least four digit groups each followed by a separator.
static ISBN_FOUR_GROUPS: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^(?:[0-9]+[- ]){4}"));
/// Look-ahead 4: seventeen characters of a separated ISBN-13.
static ISBN_13_SEPARATED: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^[- 0-9]{17}\n?\z"));
/// The consuming body of the pattern.
static ISBN_BODY: LazyLock<BytesRegex> = LazyLock::new(|| {
    byte_regex(r"(?i)^(?:97[89][- ]?)?[0-9]{1,5}[- ]?[0-9]+[- ]?[0-9]+[- ]?[0-9X]\n?\z")
});

/// Isbn::VALID_PATTERN applied to what follows the optional prefix.
fn isbn_body_matches(rest: &[u8]) -> bool {
    let shape = ISBN_10.is_match(rest)
        || (ISBN_THREE_GROUPS.is_match(rest) && ISBN_10_SEPARATED.is_match(rest))
        || ISBN_13.is_match(rest)
        || (ISBN_FOUR_GROUPS.is_match(rest) && ISBN_13_SEPARATED.is_match(rest));
    shape && ISBN_BODY.is_match(rest)
}

/// isIsbn: falsy, or Isbn::VALID_PATTERN. The prefix group is optional, so PCRE tries the body
/// both after the prefix (when present) and from the start.
pub(super) fn is_isbn(value: &str) -> bool {
    if php_empty(value) {
        return true;
    }
    let bytes = value.as_bytes();
    let after_prefix = ISBN_PREFIX.find(bytes).map(|m| m.end());
    after_prefix.is_some_and(|end| isbn_body_matches(&bytes[end..])) || isbn_body_matches(bytes)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};

    #[test]
    fn is_isbn() {
        for ok in [
            "0306406152",
            "080442957X",
            "080442957x",
            "9780306406157",
            "978-0-306-40615-7",
            "978 0 306 40615 7",
            "0-306-40615-2",
            "ISBN 0306406152",
            "ISBN-13: 978-0-306-40615-7",
            "isbn-10: 0-306-40615-2",
            "ISBN: 9780306406157",
            "0",
            "",
        ] {
            valid("isIsbn", ok);
        }
        for bad in [
            "030640615",
            "03064061521",
            "978-0-306-40615",
            "9770306406157",
            "978-0-306-40615-X",
            "0-306-406152",
            "ISBN-11: 0306406152",
            "ISBN0306406152",
            "abcdefghij",
            "0-306-40615--2",
        ] {
            invalid("isIsbn", bad);
        }
    }
}
