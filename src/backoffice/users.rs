//! Back-office employees: Argon2id password hashes, e-mails compared case-insensitively.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::{RngCore, TryRngCore};

use crate::storage::{Select, StorageError, StorageResult, Store, Value};

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("the e-mail address is not valid")]
    Email,
    #[error("the password must have at least 12 characters")]
    WeakPassword,
    #[error("an employee with this e-mail already exists")]
    Exists,
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

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane (cheaper only in unit tests).
fn argon() -> Argon2<'static> {
    let params = if cfg!(test) {
        Params::new(1024, 1, 1, None)
    } else {
        Params::new(19_456, 2, 1, None)
    };
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        params.unwrap_or_default(),
    )
}

pub fn hash_password(password: &str) -> Result<String, UserError> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|_| UserError::Hash)?;
    argon()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| UserError::Hash)
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn create(store: &dyn Store, email: &str, password: &str) -> Result<i64, UserError> {
    let email = normalise(email);
    if !email.contains('@') || email.len() < 3 || email.chars().any(char::is_whitespace) {
        return Err(UserError::Email);
    }
    if password.chars().count() < 12 {
        return Err(UserError::WeakPassword);
    }
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
                ("role", Value::from("admin")),
                ("created_at", Value::from(crate::accounts::now())),
            ],
        )?;
        crate::accounts::audit(tx, "cli", "admin.create", id, &email, "")
    })?;
    if exists {
        return Err(UserError::Exists);
    }
    Ok(id)
}

/// The employee whose e-mail and password match, if any (the hash is checked even for an
/// unknown e-mail, so timing does not tell which part was wrong).
pub fn authenticate(store: &dyn Store, email: &str, password: &str) -> StorageResult<Option<User>> {
    let email = normalise(email);
    let mut row = None;
    store.read(&mut |r| {
        row = r
            .select(&Select {
                table: "shopws_admin_user",
                columns: &["id", "password_phc", "role", "disabled"],
                key: vec![("email", Value::from(email.as_str()))],
                order: &[],
            })?
            .into_iter()
            .next();
        Ok(())
    })?;
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hvcHdzZHVtbXlzYWx0$0Yk3ZBv8Tbsl0nRkqOqf+ViRrqJQKXyz9Hq4dYQlC3s";
    let Some(row) = row else {
        let _ = verify_password(password, DUMMY);
        return Ok(None);
    };
    let ok = verify_password(password, &row[1].to_text()) && row[3].as_i64() == Some(0);
    Ok(ok.then(|| User {
        id: row[0].as_i64().unwrap_or(0),
        email: email.clone(),
        role: row[2].to_text(),
    }))
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
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
