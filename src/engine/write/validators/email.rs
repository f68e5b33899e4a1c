//! `isEmail`: Symfony's loose pattern plus an approximation of egulias' RFC 5322 validation,
//! with an ASCII local part.

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;

use super::{byte_regex, bytes_match, php_empty};

/// Symfony Email constraint, loose mode: `/^.+\@\S+\.\S+$/` (no `u`).
static EMAIL_LOOSE: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^.+@\S+\.\S+\n?\z"));

/// RFC 5322 `atext`.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// Parses the local part at the start of `email` and returns the index of the '@' ending it.
/// Accepts a dot-atom of ASCII `atext` (no leading, trailing or doubled dot) or a quoted string
/// of printable ASCII with backslash escapes. Non-ASCII characters are refused, as PrestaShop's
/// extra validation refuses them in the local part.
fn email_local_part_end(email: &str) -> Option<usize> {
    let b = email.as_bytes();
    if b.first() == Some(&b'"') {
        let mut i = 1;
        loop {
            match *b.get(i)? {
                b'\\' if matches!(b.get(i + 1), Some(0x20..=0x7e | b'\t')) => i += 2,
                b'"' => return (b.get(i + 1) == Some(&b'@')).then_some(i + 1),
                0x20..=0x7e => i += 1,
                _ => return None,
            }
        }
    }
    let at = b.iter().position(|c| *c == b'@')?;
    let local = &email[..at];
    let well_formed = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.bytes().all(|c| c == b'.' || is_atext(c));
    well_formed.then_some(at)
}

/// One DNS label of an email domain: 1 to 63 bytes of letters/digits (internationalised letters
/// allowed) and inner hyphens.
fn is_email_domain_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| {
            c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
        })
}

/// The domain part: a domain name of at most 253 bytes with at least two labels, or an address
/// literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`).
fn is_email_domain(domain: &str) -> bool {
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return match literal.strip_prefix("IPv6:") {
            Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
            None => literal.parse::<std::net::Ipv4Addr>().is_ok(),
        };
    }
    domain.len() <= 253 && domain.contains('.') && domain.split('.').all(is_email_domain_label)
}

/// isEmail: non-empty, Symfony's loose pattern, and an approximation of egulias' RFCValidation
/// (RFC 5322 addr-spec without comments, folding whitespace or obsolete syntax) with an ASCII
/// local part.
pub(super) fn is_email(value: &str) -> bool {
    if php_empty(value) || !bytes_match(&EMAIL_LOOSE, value) {
        return false;
    }
    email_local_part_end(value).is_some_and(|at| is_email_domain(&value[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};

    #[test]
    fn is_email() {
        valid("isEmail", "pub@prestashop.com");
        valid("isEmail", "john.doe+shop@mail.example.co.uk");
        valid("isEmail", "o'brien@example.ie");
        valid("isEmail", "user@xn--bcher-kva.example");
        valid("isEmail", "user@bücher.example");
        valid("isEmail", "\"john doe\"@example.com");
        valid("isEmail", "user@[192.168.0.1]");
        invalid("isEmail", "");
        invalid("isEmail", "0");
        invalid("isEmail", "plainaddress");
        invalid("isEmail", "user@localhost");
        invalid("isEmail", "user@example.com\n");
        invalid("isEmail", "us er@example.com");
        invalid("isEmail", " user@example.com");
        invalid("isEmail", "user@exa mple.com");
        invalid("isEmail", ".user@example.com");
        invalid("isEmail", "user.@example.com");
        invalid("isEmail", "us..er@example.com");
        invalid("isEmail", "user@@example.com");
        invalid("isEmail", "a@b@example.com");
        invalid("isEmail", "иван@example.com");
        invalid("isEmail", "josé@example.com");
        invalid("isEmail", "user@-example.com");
        invalid("isEmail", "user@example-.com");
        invalid("isEmail", "user@example..com");
        invalid("isEmail", "user@example.com.");
        invalid("isEmail", "user@.example.com");
        invalid("isEmail", "user(comment)@example.com");
        invalid("isEmail", "user@ex_ample.com");
        invalid("isEmail", &format!("user@{}.com", "a".repeat(64)));
        invalid("isEmail", &format!("user@{}com", "abcdefghi.".repeat(26)));
    }
}
