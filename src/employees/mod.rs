//! Back-office employees: Argon2id password hashes (re-hashed at login when the parameters
//! change, at most four computed at once), a NIST SP 800-63B style password policy, e-mails
//! compared case-insensitively, and two roles.

use std::collections::HashSet;
use std::sync::{Condvar, LazyLock, Mutex, PoisonError};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::{RngCore, TryRngCore};

use crate::storage::{Select, StorageError, StorageResult, Store, Value};

/// Every back-office right.
pub const ROLE_ADMIN: &str = "admin";
/// Read-only in the back office.
pub const ROLE_VIEWER: &str = "viewer";

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("the e-mail address is not valid")]
    Email,
    #[error("the password must have at least 12 characters")]
    WeakPassword,
    #[error("the password must have at most 128 characters")]
    LongPassword,
    #[error("this password is too common; choose another one")]
    CommonPassword,
    #[error("the password must not be the e-mail address")]
    PasswordIsEmail,
    #[error("unknown role (expected admin or viewer)")]
    Role,
    #[error("an employee with this e-mail already exists")]
    Exists,
    #[error("no employee has this e-mail address")]
    NotFound,
    #[error("password hashing failed")]
    Hash,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: String,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == ROLE_ADMIN
    }
}

/// One line of `shopws admin list`.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub last_login_at: Option<String>,
}

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
const MAX_HASHING: usize = 4;

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

pub fn hash_password(password: &str) -> Result<String, UserError> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|_| UserError::Hash)?;
    let _permit = GATE.enter();
    argon()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| UserError::Hash)
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

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// The password policy (NIST SP 800-63B style): 12 to 128 characters of any kind, no
/// composition rules; refused when it is a common password (case-insensitively), one
/// character repeated, or the e-mail address or its local part.
pub fn check_password(password: &str, email: &str) -> Result<(), UserError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(UserError::WeakPassword);
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(UserError::LongPassword);
    }
    let lower = password.trim().to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) || COMMON.contains(&lower) {
        return Err(UserError::CommonPassword);
    }
    let email = normalise(email);
    let local = email.rsplit_once('@').map(|(l, _)| l).unwrap_or(&email);
    if !email.is_empty() && (lower == email || lower == local) {
        return Err(UserError::PasswordIsEmail);
    }
    Ok(())
}

fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

fn valid_email(email: &str) -> bool {
    email.contains('@') && email.len() >= 3 && !email.chars().any(char::is_whitespace)
}

pub fn create(
    store: &dyn Store,
    email: &str,
    password: &str,
    role: &str,
) -> Result<i64, UserError> {
    let email = normalise(email);
    if !valid_email(&email) {
        return Err(UserError::Email);
    }
    if role != ROLE_ADMIN && role != ROLE_VIEWER {
        return Err(UserError::Role);
    }
    check_password(password, &email)?;
    let phc = hash_password(password)?;
    let mut id = 0;
    let mut exists = false;
    store.write(&mut |tx| {
        let found = tx.select(&Select {
            table: "shopws_admin_user",
            columns: &["id"],
            key: vec![("email", Value::from(email.as_str()))],
            order: &[],
        })?;
        if !found.is_empty() {
            exists = true;
            return Ok(());
        }
        id = tx.insert(
            "shopws_admin_user",
            &[
                ("email", Value::from(email.as_str())),
                ("password_phc", Value::from(phc.as_str())),
                ("role", Value::from(role)),
                ("created_at", Value::from(crate::clock::now())),
            ],
        )?;
        crate::audit::employee(tx, "admin.create", id, &email, role)
    })?;
    if exists {
        return Err(UserError::Exists);
    }
    Ok(id)
}

/// Sets a new password (same policy as [`create`]) and deletes every session of the
/// employee, so a password change logs everyone out. Returns the employee's id.
pub fn set_password(store: &dyn Store, email: &str, password: &str) -> Result<i64, UserError> {
    let email = normalise(email);
    check_password(password, &email)?;
    let phc = hash_password(password)?;
    let mut id = 0;
    store.write(&mut |tx| {
        let found = tx.select(&Select {
            table: "shopws_admin_user",
            columns: &["id"],
            key: vec![("email", Value::from(email.as_str()))],
            order: &[],
        })?;
        let Some(row) = found.first() else {
            return Ok(());
        };
        id = row[0].as_i64().unwrap_or(0);
        tx.update(
            "shopws_admin_user",
            &[("password_phc", Value::from(phc.as_str()))],
            &[("id", Value::Int(id))],
        )?;
        tx.delete("shopws_admin_session", &[("user_id", Value::Int(id))])?;
        crate::audit::employee(tx, "admin.password", id, &email, "")
    })?;
    if id == 0 {
        return Err(UserError::NotFound);
    }
    Ok(id)
}

/// Every employee, by id.
pub fn list(store: &dyn Store) -> StorageResult<Vec<Listed>> {
    let mut out = Vec::new();
    store.read(&mut |r| {
        out = r
            .select(&Select {
                table: "shopws_admin_user",
                columns: &["id", "email", "role", "disabled", "last_login_at"],
                key: Vec::new(),
                order: &["id"],
            })?
            .into_iter()
            .map(|row| Listed {
                id: row[0].as_i64().unwrap_or(0),
                email: row[1].to_text(),
                role: row[2].to_text(),
                disabled: row[3].as_i64() != Some(0),
                last_login_at: (!row[4].is_null()).then(|| row[4].to_text()),
            })
            .collect();
        Ok(())
    })?;
    Ok(out)
}

/// A hash with the production parameters, verified when there is no stored one so that
/// timing does not tell an unknown e-mail from a wrong password.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hvcHdzZHVtbXlzYWx0$0Yk3ZBv8Tbsl0nRkqOqf+ViRrqJQKXyz9Hq4dYQlC3s";

/// Verifies `password` against a stored row (`id`, `password_phc`, `disabled`) and, on
/// success with outdated parameters, stores a fresh hash.
fn verify_row(store: &dyn Store, id: i64, phc: &str, disabled: bool, password: &str) -> bool {
    if !verify_password(password, phc) || disabled {
        return false;
    }
    if needs_rehash(phc) {
        if let Ok(fresh) = hash_password(password) {
            let updated = store.write(&mut |tx| {
                // Only if nobody changed the password meanwhile.
                tx.update(
                    "shopws_admin_user",
                    &[("password_phc", Value::from(fresh.as_str()))],
                    &[("id", Value::Int(id)), ("password_phc", Value::from(phc))],
                )?;
                Ok(())
            });
            if let Err(e) = updated {
                tracing::warn!(error = %e, user = id, "could not store the re-hashed password");
            }
        }
    }
    true
}

/// The employee whose e-mail and password match, if any (the hash is checked even for an
/// unknown e-mail, so timing does not tell which part was wrong).
pub fn authenticate(store: &dyn Store, email: &str, password: &str) -> StorageResult<Option<User>> {
    let email = normalise(email);
    let row = store.first_row(&Select {
        table: "shopws_admin_user",
        columns: &["id", "password_phc", "role", "disabled"],
        key: vec![("email", Value::from(email.as_str()))],
        order: &[],
    })?;
    let Some(row) = row else {
        let _ = verify_password(password, DUMMY);
        return Ok(None);
    };
    let id = row[0].as_i64().unwrap_or(0);
    let ok = verify_row(
        store,
        id,
        &row[1].to_text(),
        row[3].as_i64() != Some(0),
        password,
    );
    Ok(ok.then(|| User {
        id,
        email: email.clone(),
        role: row[2].to_text(),
    }))
}

/// Checks the password of a known employee (re-authentication); false for a disabled or
/// missing one.
pub fn verify(store: &dyn Store, user_id: i64, password: &str) -> StorageResult<bool> {
    let row = store.first_row(&Select {
        table: "shopws_admin_user",
        columns: &["password_phc", "disabled"],
        key: vec![("id", Value::Int(user_id))],
        order: &[],
    })?;
    let Some(row) = row else {
        let _ = verify_password(password, DUMMY);
        return Ok(false);
    };
    Ok(verify_row(
        store,
        user_id,
        &row[0].to_text(),
        row[1].as_i64() != Some(0),
        password,
    ))
}

pub fn get(store: &dyn Store, id: i64) -> StorageResult<Option<User>> {
    let mut out = None;
    store.read(&mut |r| {
        out = r
            .select(&Select {
                table: "shopws_admin_user",
                columns: &["id", "email", "role", "disabled"],
                key: vec![("id", Value::Int(id))],
                order: &[],
            })?
            .into_iter()
            .find(|row| row[3].as_i64() == Some(0))
            .map(|row| User {
                id: row[0].as_i64().unwrap_or(0),
                email: row[1].to_text(),
                role: row[2].to_text(),
            });
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
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

    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn password_policy() {
        let email = "Ada.Lovelace@example.com";
        let check = |p: &str| check_password(p, email);
        assert!(matches!(check("short pass"), Err(UserError::WeakPassword)));
        assert!(matches!(check("ééééé-ééééé"), Err(UserError::WeakPassword)));
        assert!(matches!(
            check(&"ab".repeat(65)),
            Err(UserError::LongPassword)
        ));
        assert!(check(&"ab".repeat(64)).is_ok(), "128 characters are fine");
        // Characters, not bytes: 128 two-byte characters pass.
        assert!(check(&"éà".repeat(64)).is_ok());
        for common in [
            "password1234",
            "PassWord1234",
            "123456789012",
            "qwertyuiopas",
            "iloveyou1234",
            "passwordpassword",
            "administrator",
            "Letmein12345",
            "correct horse battery staple",
        ] {
            assert!(
                matches!(check(common), Err(UserError::CommonPassword)),
                "{common}"
            );
        }
        assert!(matches!(
            check("zzzzzzzzzzzzzz"),
            Err(UserError::CommonPassword)
        ));
        assert!(matches!(
            check("ZZZZZZzzzzzzzz"),
            Err(UserError::CommonPassword)
        ));
        assert!(matches!(
            check("ada.lovelace@EXAMPLE.com"),
            Err(UserError::PasswordIsEmail)
        ));
        assert!(matches!(
            check("Ada.Lovelace"),
            Err(UserError::PasswordIsEmail)
        ));
        for ok in [
            "a long enough password",
            "tr0ub4dor&3-horse",
            "日本語のパスワードです！",
            "Password1234 but longer",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        assert!(
            matches!(check("           x"), Err(UserError::CommonPassword)),
            "surrounding blanks do not count"
        );
        assert_eq!(
            UserError::LongPassword.to_string(),
            "the password must have at most 128 characters"
        );
        assert_eq!(
            UserError::CommonPassword.to_string(),
            "this password is too common; choose another one"
        );
    }

    #[test]
    fn common_list_is_loaded() {
        assert!(COMMON.len() > 300, "{}", COMMON.len());
        assert!(COMMON.iter().all(|p| p == &p.to_lowercase()));
    }

    fn store() -> (tempfile::TempDir, crate::storage::sqlite::SqliteStore) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let s =
            crate::storage::sqlite::SqliteStore::open(&path.to_string_lossy(), 1).expect("open");
        (dir, s)
    }

    fn phc_of(store: &dyn Store, id: i64) -> String {
        let mut out = String::new();
        store
            .read(&mut |r| {
                out = r.select(&Select {
                    table: "shopws_admin_user",
                    columns: &["password_phc"],
                    key: vec![("id", Value::Int(id))],
                    order: &[],
                })?[0][0]
                    .to_text();
                Ok(())
            })
            .expect("read");
        out
    }

    #[test]
    fn roles_verify_and_transparent_rehash() {
        let (_dir, s) = store();
        let admin =
            create(&s, "Boss@Example.com", "a long enough password", ROLE_ADMIN).expect("admin");
        let viewer =
            create(&s, "look@example.com", "another long password", ROLE_VIEWER).expect("viewer");
        assert!(matches!(
            create(&s, "x@example.com", "a long enough password", "root"),
            Err(UserError::Role)
        ));
        assert!(matches!(
            create(&s, "boss@example.com", "a long enough password", ROLE_ADMIN),
            Err(UserError::Exists)
        ));
        let u = authenticate(&s, "boss@example.com", "a long enough password")
            .expect("auth")
            .expect("user");
        assert!(u.is_admin());
        let v = get(&s, viewer).expect("get").expect("viewer");
        assert!(!v.is_admin());
        assert_eq!(v.role, ROLE_VIEWER);

        assert!(verify(&s, admin, "a long enough password").expect("verify"));
        assert!(!verify(&s, admin, "another long password").expect("verify"));
        assert!(!verify(&s, 999, "a long enough password").expect("verify"));

        // A hash made with other parameters is replaced at the next successful login.
        let old_params = Params::new(2048, 1, 1, None).expect("params");
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, old_params)
            .hash_password(
                b"a long enough password",
                &SaltString::encode_b64(b"0123456789abcdef").expect("salt"),
            )
            .expect("hash")
            .to_string();
        assert!(needs_rehash(&old));
        assert!(!needs_rehash(&phc_of(&s, admin)));
        s.write(&mut |tx| {
            tx.update(
                "shopws_admin_user",
                &[("password_phc", Value::from(old.as_str()))],
                &[("id", Value::Int(admin))],
            )?;
            Ok(())
        })
        .expect("store old hash");
        assert!(authenticate(&s, "boss@example.com", "wrong password here")
            .expect("auth")
            .is_none());
        assert_eq!(phc_of(&s, admin), old, "no re-hash on a failed login");
        assert!(
            authenticate(&s, "boss@example.com", "a long enough password")
                .expect("auth")
                .is_some()
        );
        let fresh = phc_of(&s, admin);
        assert_ne!(fresh, old);
        assert!(!needs_rehash(&fresh));
        assert!(verify(&s, admin, "a long enough password").expect("verify"));
    }

    #[test]
    fn password_change_ends_every_session() {
        let (_dir, s) = store();
        let id =
            create(&s, "ops@example.com", "a long enough password", ROLE_ADMIN).expect("create");
        let t1 = crate::backoffice::session::create(&s, id, "127.0.0.1", "test").expect("session");
        let t2 = crate::backoffice::session::create(&s, id, "127.0.0.2", "test").expect("session");
        assert!(matches!(
            set_password(&s, "ops@example.com", "password1234"),
            Err(UserError::CommonPassword)
        ));
        assert!(matches!(
            set_password(&s, "nobody@example.com", "a brand new passphrase"),
            Err(UserError::NotFound)
        ));
        assert!(crate::backoffice::session::load(&s, &t1)
            .expect("load")
            .is_some());
        assert_eq!(
            set_password(&s, "OPS@example.com", "a brand new passphrase").expect("passwd"),
            id
        );
        for t in [&t1, &t2] {
            assert!(crate::backoffice::session::load(&s, t)
                .expect("load")
                .is_none());
        }
        assert!(
            authenticate(&s, "ops@example.com", "a long enough password")
                .expect("auth")
                .is_none()
        );
        assert!(
            authenticate(&s, "ops@example.com", "a brand new passphrase")
                .expect("auth")
                .is_some()
        );
        let all = list(&s).expect("list");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].email, "ops@example.com");
        assert!(all[0].last_login_at.is_some());
    }
}
