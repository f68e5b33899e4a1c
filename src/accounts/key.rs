//! Webservice keys: generation, PrestaShop's validation rules, and the digest stored instead
//! of the key.

use hmac::{Hmac, Mac};
use rand::{Rng, TryRngCore};
use sha2::Sha256;

/// PrestaShop's "Generate" alphabet: digits without 0, capitals without O (no 0/O confusion).
pub const ALPHABET: &[u8] = b"123456789ABCDEFGHIJKLMNPQRSTUVWXYZ";
pub const KEY_LEN: usize = 32;

/// A fresh key from the operating system's CSPRNG (≈163 bits).
pub fn generate() -> String {
    let mut rng = rand::rngs::OsRng.unwrap_err();
    (0..KEY_LEN)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("This field is required.")]
    Blank,
    #[error("Key length must be 32 characters long.")]
    Length,
    #[error("Only non-accented characters, numbers, and the following special characters are allowed: @ ? # - _")]
    Characters,
    #[error("This key already exists.")]
    Duplicate,
}

/// The back office's rules for a key typed by hand, with its messages.
pub fn validate(key: &str) -> Result<(), KeyError> {
    if key.trim().is_empty() {
        return Err(KeyError::Blank);
    }
    if key.chars().count() != KEY_LEN {
        return Err(KeyError::Length);
    }
    let ok = key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"@#?-_".contains(&b));
    if !ok {
        return Err(KeyError::Characters);
    }
    Ok(())
}

/// A key typed by hand that is too easy to guess: few distinct characters, or long runs of
/// one character or of consecutive ones ("AAAA", "1234", "abcd").
pub fn weak(key: &str) -> bool {
    let distinct: std::collections::BTreeSet<u8> =
        key.bytes().map(|b| b.to_ascii_uppercase()).collect();
    if distinct.len() <= 8 {
        return true;
    }
    let b: Vec<i16> = key
        .bytes()
        .map(|b| i16::from(b.to_ascii_uppercase()))
        .collect();
    let mut run = 1;
    for w in b.windows(2) {
        let step = w[1] - w[0];
        run = if step.abs() <= 1 { run + 1 } else { 1 };
        if run >= 6 {
            return true;
        }
    }
    false
}

/// Characters that must be percent-encoded in `ws_key=` and in `https://KEY@host` URLs.
pub fn needs_encoding(key: &str) -> bool {
    key.contains(['@', '#', '?'])
}

/// First four and last four characters, upper-cased: enough to recognise a key, far from
/// enough to use it.
pub fn hint(key: &str) -> String {
    let k = key.to_ascii_uppercase();
    let n = k.len();
    if n < 8 {
        return "…".to_string();
    }
    format!("{}…{}", &k[..4], &k[n - 4..])
}

/// The server-side secret mixed into key digests. Kept out of the database.
#[derive(Clone)]
pub struct Pepper([u8; 32]);

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper(<redacted>)")
    }
}

impl Pepper {
    pub fn from_bytes(b: [u8; 32]) -> Self {
        Pepper(b)
    }

    pub fn random() -> Self {
        let mut b = [0u8; 32];
        rand::rngs::OsRng.unwrap_err().fill(&mut b);
        Pepper(b)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(s: &str) -> Option<Self> {
        let v = hex::decode(s.trim()).ok()?;
        let b: [u8; 32] = v.try_into().ok()?;
        Some(Pepper(b))
    }

    /// HMAC-SHA-256 of `data` under the pepper: a key derived for one purpose (`data` names
    /// it), such as sealing employees' TOTP secrets at rest.
    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            // HMAC accepts keys of any length; this arm cannot be reached.
            Err(_) => return [0; 32],
        };
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// HMAC-SHA-256 of the upper-cased key: PrestaShop matches keys case-insensitively.
    pub fn digest(&self, key: &str) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            // HMAC accepts keys of any length; this arm cannot be reached.
            Err(_) => return String::new(),
        };
        mac.update(key.trim().to_ascii_uppercase().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_follow_the_alphabet() {
        let k = generate();
        assert_eq!(k.len(), 32);
        assert!(k.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(generate(), k);
        assert_eq!(validate(&k), Ok(()));
    }

    #[test]
    fn validation_messages_are_prestashops() {
        assert_eq!(validate(""), Err(KeyError::Blank));
        assert_eq!(validate("ABC"), Err(KeyError::Length));
        assert_eq!(validate(&"é".repeat(32)), Err(KeyError::Characters));
        assert_eq!(validate(&"A@#?-_".repeat(6)[..32]), Ok(()));
    }

    #[test]
    fn weak_keys_are_spotted() {
        assert!(weak(&"A".repeat(32)));
        assert!(weak("ABCDEFGHABCDEFGHABCDEFGHABCDEFGH"));
        assert!(weak("X7K2P9QZ123456R4T8W3M5N6B1C0V2J9"));
        assert!(!weak("UCCLLQ9N2ARSHWCXLT74KUKSSK34BFKX"));
    }

    #[test]
    fn digest_is_case_insensitive_and_peppered() {
        let p = Pepper::random();
        assert_eq!(p.digest("abcd"), p.digest("ABCD"));
        assert_ne!(p.digest("abcd"), Pepper::random().digest("abcd"));
        assert!(!format!("{p:?}").contains(&p.to_hex()));
    }
}
