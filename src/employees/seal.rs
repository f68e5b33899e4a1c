//! Sealing employees' TOTP secrets at rest: XChaCha20-Poly1305 under a key the server
//! derives from its pepper, with the employee's id bound as associated data. A database dump
//! alone does not give the secrets, and a sealed secret copied to another employee's row
//! does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::{RngCore, TryRngCore};

/// The key sealing TOTP secrets; the server derives it from its pepper (`Pepper::mac`).
pub struct SealKey(pub(super) [u8; 32]);

impl SealKey {
    pub fn new(key: [u8; 32]) -> Self {
        SealKey(key)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }
}

const VERSION: &str = "x1";

/// `x1:<nonce>:<ciphertext and tag>`, hexadecimal; `None` only if the cipher refuses (it
/// takes secrets far larger than a TOTP secret).
pub(super) fn seal(key: &SealKey, user_id: i64, secret: &[u8]) -> Option<String> {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut nonce);
    let aad = user_id.to_be_bytes();
    let sealed = key
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: &aad,
            },
        )
        .ok()?;
    Some(format!(
        "{VERSION}:{}:{}",
        hex::encode(nonce),
        hex::encode(sealed)
    ))
}

/// The secret, if `stored` was sealed under `key` for this employee and not altered.
pub(super) fn unseal(key: &SealKey, user_id: i64, stored: &str) -> Option<Vec<u8>> {
    let mut parts = stored.split(':');
    if parts.next()? != VERSION {
        return None;
    }
    let nonce = hex::decode(parts.next()?).ok()?;
    let sealed = hex::decode(parts.next()?).ok()?;
    if nonce.len() != 24 {
        return None;
    }
    let aad = user_id.to_be_bytes();
    key.cipher()
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &sealed,
                aad: &aad,
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_hides_the_secret() {
        let k = SealKey(rand::random());
        let secret = b"0123456789abcdefghij".to_vec();
        let sealed = seal(&k, 7, &secret).expect("sealed");
        assert!(!sealed.contains(&hex::encode(&secret)));
        assert_eq!(unseal(&k, 7, &sealed), Some(secret.clone()));
        // Another employee's row, another key, or one altered byte: nothing opens.
        assert_eq!(unseal(&k, 8, &sealed), None);
        assert_eq!(unseal(&SealKey(rand::random()), 7, &sealed), None);
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        let altered = String::from_utf8(altered).expect("hex");
        assert_eq!(unseal(&k, 7, &altered), None);
        assert_eq!(unseal(&k, 7, "garbage"), None);
    }
}
