//! The second factor of employees: RFC 6238 time-based one-time passwords (30-second steps,
//! six digits, HMAC-SHA-1 — what every authenticator app reads from an `otpauth://` URI),
//! one step of clock skew either way, a code refused once its step was used, and ten
//! single-use recovery codes kept only as SHA-256 digests.
//!
//! The secret is sealed at rest (`seal`), under a key derived from the server pepper. A
//! database dump without the pepper does not yield it. Nothing here ever logs a secret or a
//! code.

use rand::{Rng, RngCore, TryRngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

pub use super::seal::SealKey;
use super::seal::{seal, unseal};
use crate::storage::{Select, StorageResult, Store, Tx, Value};

const TABLE: &str = "shopws_admin_totp";
const CODES: &str = "shopws_admin_recovery_code";
/// Seconds per step (RFC 6238's default, what authenticator apps assume).
pub const STEP: i64 = 30;
/// How many recovery codes an enrolment (or a regeneration) gives.
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown in authenticator apps.
const ISSUER: &str = "shopws";
const SECRET_BYTES: usize = 20;

/// Where an employee stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct State {
    /// A code is asked at every login.
    pub enabled: bool,
    /// An administrator requires the second factor: the employee enrols at the next login.
    pub required: bool,
    /// Unused recovery codes.
    pub recovery_left: i64,
}

/// What a code typed at login turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A current code of the authenticator app.
    Code,
    /// One of the recovery codes (now spent); how many are left.
    Recovery(i64),
    /// A right code whose step was already used (replay).
    Replayed,
    /// Neither.
    Wrong,
}

/// The authenticator for a secret (the label is the employee's e-mail).
pub fn authenticator(secret: &[u8], email: &str) -> TOTP {
    let label = email.replace(':', "_");
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP as u64,
        secret.to_vec(),
        Some(ISSUER.to_string()),
        label.clone(),
    )
    .unwrap_or_else(|_| {
        TOTP::new_unchecked(
            Algorithm::SHA1,
            6,
            1,
            STEP as u64,
            secret.to_vec(),
            Some(ISSUER.to_string()),
            label,
        )
    })
}

/// The `otpauth://` URI and the base32 secret for manual entry.
pub fn uri_and_base32(secret: &[u8], email: &str) -> (String, String) {
    let t = authenticator(secret, email);
    (t.get_url(), t.get_secret_base32())
}

/// The step a six-digit code belongs to (now, one before or one after), if any.
fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let t = authenticator(secret, "x");
    let current = now / STEP;
    let mut found = None;
    for step in [current - 1, current, current + 1] {
        let expected = t.generate((step.max(0) * STEP) as u64);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A recovery code as typed: lower case, without spaces and dashes.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn digest(code: &str) -> String {
    hex::encode(Sha256::digest(normalise(code).as_bytes()))
}

/// Twelve characters of an unambiguous alphabet (about 60 bits), shown as `xxxx-xxxx-xxxx`.
fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng.unwrap_err();
    let raw: String = (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
}

/// An employee's row: sealed secret, enabled time, last step used, required.
type Locked = (Option<String>, Option<i64>, i64, bool);

/// The employee's row, locked for the rest of the transaction (a write that changes
/// nothing), so two logins checking codes at once run one after the other.
fn lock(tx: &mut dyn Tx, user_id: i64) -> StorageResult<Option<Locked>> {
    let key = [("user_id", Value::Int(user_id))];
    tx.increment(TABLE, &[("last_step", 0)], &[], &key)?;
    let rows = tx.select(&Select {
        table: TABLE,
        columns: &["secret", "enabled_at", "last_step", "required"],
        key: key.to_vec(),
        ..Default::default()
    })?;
    Ok(rows.first().map(|r| {
        (
            (!r[0].is_null()).then(|| r[0].to_text()),
            r[1].as_i64(),
            r[2].as_i64().unwrap_or(0),
            r[3].as_i64().unwrap_or(0) != 0,
        )
    }))
}

pub fn state(store: &dyn Store, user_id: i64) -> StorageResult<State> {
    let mut out = State::default();
    store.read(&mut |r| {
        let rows = r.select(&Select {
            table: TABLE,
            columns: &["enabled_at", "required", "secret"],
            key: vec![("user_id", Value::Int(user_id))],
            ..Default::default()
        })?;
        if let Some(row) = rows.first() {
            out.enabled = row[0].as_i64().is_some() && !row[2].is_null();
            out.required = row[1].as_i64().unwrap_or(0) != 0;
        }
        out.recovery_left = r
            .select(&Select {
                table: CODES,
                columns: &["digest"],
                key: vec![("user_id", Value::Int(user_id))],
                null: &["used_at"],
                ..Default::default()
            })?
            .len() as i64;
        Ok(())
    })?;
    Ok(out)
}

/// The secret of an enrolment waiting for its first code: a new one unless one is waiting
/// already (reloading the page keeps it). `None` when the second factor is on already.
pub fn start_enrolment(
    store: &dyn Store,
    pepper: &SealKey,
    user_id: i64,
) -> StorageResult<Option<Vec<u8>>> {
    let mut out = None;
    store.write(&mut |tx| {
        out = None;
        tx.insert_ignore(
            TABLE,
            &[
                ("user_id", Value::Int(user_id)),
                ("last_step", Value::Int(0)),
                ("required", Value::Int(0)),
            ],
        )?;
        let Some((secret, enabled_at, _, _)) = lock(tx, user_id)? else {
            return Ok(());
        };
        if let Some(existing) = secret.as_deref().and_then(|s| unseal(pepper, user_id, s)) {
            if enabled_at.is_some() {
                return Ok(());
            }
            out = Some(existing);
            return Ok(());
        }
        let mut fresh = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.unwrap_err().fill_bytes(&mut fresh);
        let Some(sealed) = seal(pepper, user_id, &fresh) else {
            return Err(crate::storage::StorageError::Other(
                "the TOTP secret could not be sealed".into(),
            ));
        };
        tx.update(
            TABLE,
            &[
                ("secret", Value::from(sealed.as_str())),
                ("enabled_at", Value::Null),
            ],
            &[("user_id", Value::Int(user_id))],
        )?;
        out = Some(fresh);
        Ok(())
    })?;
    Ok(out)
}

/// Ends a waiting enrolment with its first code: the second factor is on, and the recovery
/// codes (shown once, stored hashed) are returned. `None` when the code is not right.
pub fn confirm(
    store: &dyn Store,
    pepper: &SealKey,
    user_id: i64,
    code: &str,
) -> StorageResult<Option<Vec<String>>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let now = crate::clock::unix();
    let mut out = None;
    store.write(&mut |tx| {
        out = None;
        let Some((Some(stored), None, _, _)) = lock(tx, user_id)? else {
            return Ok(());
        };
        let Some(secret) = unseal(pepper, user_id, &stored) else {
            return Ok(());
        };
        let Some(step) = matching_step(&secret, &code, now) else {
            return Ok(());
        };
        tx.update(
            TABLE,
            &[
                ("enabled_at", Value::Int(now)),
                ("last_step", Value::Int(step)),
            ],
            &[("user_id", Value::Int(user_id))],
        )?;
        out = Some(replace_codes(tx, user_id)?);
        Ok(())
    })?;
    Ok(out)
}

fn replace_codes(tx: &mut dyn Tx, user_id: i64) -> StorageResult<Vec<String>> {
    tx.delete(CODES, &[("user_id", Value::Int(user_id))])?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    for c in &codes {
        tx.insert(
            CODES,
            &[
                ("user_id", Value::Int(user_id)),
                ("digest", Value::from(digest(c).as_str())),
                ("used_at", Value::Null),
            ],
        )?;
    }
    Ok(codes)
}

/// New recovery codes in place of the old ones (all of which stop working); `None` when the
/// second factor is off.
pub fn regenerate(store: &dyn Store, user_id: i64) -> StorageResult<Option<Vec<String>>> {
    let mut out = None;
    store.write(&mut |tx| {
        out = None;
        if let Some((Some(_), Some(_), _, _)) = lock(tx, user_id)? {
            out = Some(replace_codes(tx, user_id)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Checks a code typed at login: a code of the app (each step once), or a recovery code
/// (each once).
pub fn check(
    store: &dyn Store,
    pepper: &SealKey,
    user_id: i64,
    typed: &str,
) -> StorageResult<Check> {
    check_at(store, pepper, user_id, typed, crate::clock::unix())
}

fn check_at(
    store: &dyn Store,
    pepper: &SealKey,
    user_id: i64,
    typed: &str,
    now: i64,
) -> StorageResult<Check> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Check::Wrong;
    store.write(&mut |tx| {
        out = Check::Wrong;
        let Some((Some(stored), Some(_), last_step, _)) = lock(tx, user_id)? else {
            return Ok(());
        };
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            let Some(secret) = unseal(pepper, user_id, &stored) else {
                return Ok(());
            };
            if let Some(step) = matching_step(&secret, &code, now) {
                if step <= last_step {
                    out = Check::Replayed;
                } else {
                    tx.update(
                        TABLE,
                        &[("last_step", Value::Int(step))],
                        &[("user_id", Value::Int(user_id))],
                    )?;
                    out = Check::Code;
                }
            }
            return Ok(());
        }
        if normalise(&code).len() != 12 {
            return Ok(());
        }
        let key = [
            ("user_id", Value::Int(user_id)),
            ("digest", Value::from(digest(&code).as_str())),
        ];
        let unused = tx.select(&Select {
            table: CODES,
            columns: &["digest"],
            key: key.to_vec(),
            null: &["used_at"],
            ..Default::default()
        })?;
        if unused.is_empty() {
            return Ok(());
        }
        tx.update(CODES, &[("used_at", Value::Int(now))], &key)?;
        let left = tx
            .select(&Select {
                table: CODES,
                columns: &["digest"],
                key: vec![("user_id", Value::Int(user_id))],
                null: &["used_at"],
                ..Default::default()
            })?
            .len() as i64;
        out = Check::Recovery(left);
        Ok(())
    })?;
    Ok(out)
}

/// Turns the second factor off: the secret and the recovery codes are deleted (whether it is
/// required stays as it was). Also what `shopws admin totp-reset` does. False when it was off.
pub fn disable(store: &dyn Store, user_id: i64) -> StorageResult<bool> {
    let mut was = false;
    store.write(&mut |tx| {
        was = matches!(lock(tx, user_id)?, Some((Some(_), Some(_), _, _)));
        tx.update(
            TABLE,
            &[
                ("secret", Value::Null),
                ("enabled_at", Value::Null),
                ("last_step", Value::Int(0)),
            ],
            &[("user_id", Value::Int(user_id))],
        )?;
        tx.delete(CODES, &[("user_id", Value::Int(user_id))])?;
        Ok(())
    })?;
    Ok(was)
}

/// Requires (or stops requiring) the second factor of an employee. Requiring it of one who
/// has not set it up closes their sessions: they enrol at once, at their next login.
pub fn set_required(store: &dyn Store, user_id: i64, required: bool) -> StorageResult<()> {
    let enabled = state(store, user_id)?.enabled;
    store.write(&mut |tx| {
        if required && !enabled {
            tx.delete("shopws_admin_session", &[("user_id", Value::Int(user_id))])?;
        }
        tx.insert_ignore(
            TABLE,
            &[
                ("user_id", Value::Int(user_id)),
                ("last_step", Value::Int(0)),
                ("required", Value::Int(0)),
            ],
        )?;
        tx.update(
            TABLE,
            &[("required", Value::Int(i64::from(required)))],
            &[("user_id", Value::Int(user_id))],
        )?;
        Ok(())
    })
}

/// A PNG QR code of `text` as a `data:` URL (allowed by the back office's CSP), or `None`
/// when the text does not fit a QR code.
pub fn qr_data_url(text: &str) -> Option<String> {
    use base64::Engine as _;
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let (scale, border) = (5i32, 4i32);
    let side = ((qr.size() + 2 * border) * scale) as u32;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x as i32 / scale - border, y as i32 / scale - border);
        if qr.get_module(mx, my) {
            image::Luma([0u8])
        } else {
            image::Luma([255u8])
        }
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, crate::storage::sqlite::SqliteStore, i64) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let s =
            crate::storage::sqlite::SqliteStore::open(&path.to_string_lossy(), 1).expect("open");
        let id = crate::employees::create(
            &s,
            "ops@example.com",
            "a long enough password",
            crate::employees::ROLE_ADMIN,
        )
        .expect("employee");
        (dir, s, id)
    }

    #[test]
    fn enrol_check_replay_and_recovery() {
        let (_d, s, id) = store();
        let p = SealKey(rand::random());
        let secret = start_enrolment(&s, &p, id).expect("start").expect("secret");
        assert_eq!(
            start_enrolment(&s, &p, id).expect("again"),
            Some(secret.clone()),
            "a reload keeps the waiting secret"
        );
        assert!(!state(&s, id).expect("state").enabled);
        let now = crate::clock::unix();
        let t = authenticator(&secret, "ops@example.com");
        assert!(confirm(&s, &p, id, "12345x").expect("confirm").is_none());
        let codes = confirm(&s, &p, id, &t.generate(now as u64))
            .expect("confirm")
            .expect("codes");
        assert_eq!(codes.len(), RECOVERY_CODES);
        let st = state(&s, id).expect("state");
        assert!(st.enabled);
        assert_eq!(st.recovery_left, 10);
        // The enrolment's step is spent; the next one passes once.
        let next = t.generate((now + STEP) as u64);
        assert_eq!(
            check_at(&s, &p, id, &next, now).expect("check"),
            Check::Code
        );
        assert_eq!(
            check_at(&s, &p, id, &next, now).expect("check"),
            Check::Replayed
        );
        // Two steps ahead is outside the skew.
        let far = t.generate((now + 3 * STEP) as u64);
        assert_eq!(
            check_at(&s, &p, id, &far, now).expect("check"),
            Check::Wrong
        );
        assert_eq!(
            check_at(&s, &p, id, &codes[0].to_uppercase(), now).expect("check"),
            Check::Recovery(9)
        );
        assert_eq!(
            check_at(&s, &p, id, &codes[0], now).expect("check"),
            Check::Wrong
        );
        let fresh = regenerate(&s, id).expect("regen").expect("codes");
        assert_eq!(
            check_at(&s, &p, id, &codes[1], now).expect("check"),
            Check::Wrong,
            "old codes stop working"
        );
        assert_eq!(
            check_at(&s, &p, id, &fresh[1], now).expect("check"),
            Check::Recovery(9)
        );
        assert!(disable(&s, id).expect("disable"));
        assert!(!state(&s, id).expect("state").enabled);
        assert_eq!(
            check_at(&s, &p, id, &fresh[2], now).expect("check"),
            Check::Wrong
        );
    }

    #[test]
    fn required_survives_enrolment_and_reset() {
        let (_d, s, id) = store();
        set_required(&s, id, true).expect("require");
        assert!(state(&s, id).expect("state").required);
        let p = SealKey(rand::random());
        start_enrolment(&s, &p, id).expect("start");
        disable(&s, id).expect("reset");
        assert!(state(&s, id).expect("state").required);
    }

    #[test]
    fn a_qr_code_is_a_png_data_url() {
        let u = qr_data_url("otpauth://totp/shopws:a%40b.c?secret=ABC&issuer=shopws").expect("qr");
        assert!(u.starts_with("data:image/png;base64,"));
    }
}
