//! Argon2id password hashes in PHC strings, their verification, and a gate that lets only a
//! few be computed at once.

use std::sync::{Condvar, Mutex, PoisonError};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::{RngCore, TryRngCore};

use super::EmployeeError;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane (cheaper only in unit tests).
fn params() -> Params {
    let p = if cfg!(test) {
        Params::new(1024, 1, 1, None)
    } else {
        Params::new(19_456, 2, 1, None)
    };
    p.unwrap_or_default()
}

fn argon() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// Argon2 computations allowed at once: each takes its memory cost (19 MiB), so a login
/// flood queues here instead of exhausting memory.
pub const MAX_HASHING: usize = 4;

struct Gate {
    busy: Mutex<usize>,
    free: Condvar,
}

struct Permit;

static GATE: Gate = Gate {
    busy: Mutex::new(0),
    free: Condvar::new(),
};

impl Gate {
    fn enter(&self) -> Permit {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy >= MAX_HASHING {
            busy = self.free.wait(busy).unwrap_or_else(PoisonError::into_inner);
        }
        *busy += 1;
        Permit
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut busy = GATE.busy.lock().unwrap_or_else(PoisonError::into_inner);
        *busy = busy.saturating_sub(1);
        GATE.free.notify_one();
    }
}

pub fn hash_password(password: &str) -> Result<String, EmployeeError> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|_| EmployeeError::Hash)?;
    let _permit = GATE.enter();
    argon()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| EmployeeError::Hash)
}

/// Checks a password against a PHC string (with the parameters the string names).
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let _permit = GATE.enter();
    argon().verify_password(password.as_bytes(), &h).is_ok()
}

/// True when a stored hash was made with another algorithm, version or cost (m, t, p) than
/// the current ones: it is re-hashed at the next successful login.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    if h.algorithm != Algorithm::Argon2id.ident() || h.version != Some(Version::V0x13.into()) {
        return true;
    }
    let Ok(p) = Params::try_from(&h) else {
        return true;
    };
    let cur = params();
    (p.m_cost(), p.t_cost(), p.p_cost()) != (cur.m_cost(), cur.t_cost(), cur.p_cost())
}

/// A hash with the production parameters, verified when there is no stored one so that
/// timing does not tell an unknown e-mail from a wrong password.
pub(super) const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hvcHdzZHVtbXlzYWx0$0Yk3ZBv8Tbsl0nRkqOqf+ViRrqJQKXyz9Hq4dYQlC3s";

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A PHC string for `password` made with other parameters or another algorithm.
    fn made_with(alg: Algorithm, version: Version, m: u32, t: u32, password: &str) -> String {
        let p = Params::new(m, t, 1, None).expect("params");
        Argon2::new(alg, version, p)
            .hash_password(
                password.as_bytes(),
                &SaltString::encode_b64(b"0123456789abcdef").expect("salt"),
            )
            .expect("hash")
            .to_string()
    }

    #[test]
    fn the_dummy_hash_costs_as_much_as_a_real_one() {
        // An unknown e-mail is verified against it: it must parse, with the same parameters,
        // or the answer would come back faster and tell that the e-mail does not exist.
        // (Unit tests hash with cheap parameters; the server uses 19 MiB, 2 passes, 1 lane.)
        let dummy = PasswordHash::new(DUMMY).expect("valid PHC string");
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        let p = Params::try_from(&dummy).expect("params");
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (19_456, 2, 1));
        assert!(dummy.hash.is_some_and(|h| h.len() == 32));
    }

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("correct horse battery ", &h), "exact");
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("", ""));
    }

    #[test]
    fn every_hash_has_its_own_salt() {
        let a = hash_password("the same password").expect("hash");
        let b = hash_password("the same password").expect("hash");
        assert_ne!(a, b);
        let salt = |phc: &str| {
            PasswordHash::new(phc)
                .expect("phc")
                .salt
                .map(|s| s.to_string())
        };
        assert_ne!(salt(&a), salt(&b));
        // 16 random bytes, unpadded base64: 22 characters.
        assert_eq!(salt(&a).map(|s| s.len()), Some(22));
        assert!(
            verify_password("the same password", &a) && verify_password("the same password", &b)
        );
    }

    #[test]
    fn hashes_with_other_parameters_are_still_verified_and_flagged_for_rehash() {
        let pw = "a long enough password";
        let current = hash_password(pw).expect("hash");
        assert!(!needs_rehash(&current));
        for (what, old) in [
            (
                "memory",
                made_with(Algorithm::Argon2id, Version::V0x13, 2048, 1, pw),
            ),
            (
                "passes",
                made_with(Algorithm::Argon2id, Version::V0x13, 1024, 2, pw),
            ),
            (
                "argon2i",
                made_with(Algorithm::Argon2i, Version::V0x13, 1024, 1, pw),
            ),
            (
                "version",
                made_with(Algorithm::Argon2id, Version::V0x10, 1024, 1, pw),
            ),
        ] {
            assert!(needs_rehash(&old), "{what}");
            assert!(
                verify_password(pw, &old),
                "{what}: the old hash still logs in"
            );
        }
        assert!(!needs_rehash("not a hash"), "nothing to re-hash");
    }

    #[test]
    fn no_more_than_four_hashes_at_once() {
        let (inside, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..3 * MAX_HASHING)
            .map(|_| {
                let (inside, peak) = (inside.clone(), peak.clone());
                std::thread::spawn(move || {
                    let _permit = GATE.enter();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=MAX_HASHING).contains(&peak), "{peak}");
        // Every permit was given back: four more enter without waiting.
        let permits: Vec<Permit> = (0..MAX_HASHING).map(|_| GATE.enter()).collect();
        drop(permits);
    }
}
