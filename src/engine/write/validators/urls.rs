//! URL rules: `isAbsoluteUrl` (byte-level, ASCII only) and `isUrl` (character-level, letters
//! and symbols of any script).

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;
use regex::Regex;

use super::{byte_regex, unicode_regex};

/// isAbsoluteUrl: `/^(https?:)?\/\/[$~:;#,%&_=\(\)\[\]\.\? \+\-@\/a-zA-Z0-9]+$/`
pub(super) static ABSOLUTE_URL: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^(?:https?:)?//[$~:;#,%&_=()\[\].? +\-@/a-zA-Z0-9]+\n?\z"));
/// isUrl: `/^[~:#,$%&_=\(\)\.\? \+\-@\/a-zA-Z0-9\pL\pS-]+$/u`
pub(super) static URL: LazyLock<Regex> =
    LazyLock::new(|| unicode_regex(r"^[~:#,$%&_=().? +\-@/a-zA-Z0-9\p{L}\p{S}]+\n?\z"));

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};

    #[test]
    fn is_absolute_url() {
        valid("isAbsoluteUrl", "https://example.com/track?id=1&x=[2]");
        valid("isAbsoluteUrl", "//cdn.example.com/@");
        valid("isAbsoluteUrl", "");
        valid("isAbsoluteUrl", "0");
        invalid("isAbsoluteUrl", "example.com");
        invalid("isAbsoluteUrl", "ftp://example.com");
        invalid("isAbsoluteUrl", "http://exämple.com");
        invalid("isAbsoluteUrl", "http://a.com/<script>");
    }

    #[test]
    fn is_url() {
        valid("isUrl", "https://www.example.com/path?x=1&y=2#frag");
        valid("isUrl", "www.exämple.com");
        valid("isUrl", "example.com/€");
        invalid("isUrl", "");
        // '<', '>', '=', '+', '|', '^', '`', '$' and '~' are symbols (\pS): accepted, as in PHP.
        valid("isUrl", "http://example.com/<script>");
        invalid("isUrl", "a{b}");
        invalid("isUrl", "a'b");
        invalid("isUrl", "a*b");
        invalid("isUrl", "a;b");
        invalid("isUrl", "a\"b");
    }
}
