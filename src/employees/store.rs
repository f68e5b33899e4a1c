//! Employees in the database (`shopws_admin_user`): create, change password, list, and check
//! a password at login or re-authentication.

use super::hashing::{hash_password, needs_rehash, verify_password, DUMMY};
use super::policy::{check_password, normalise_email, valid_email};
use super::{Employee, EmployeeError, Listed, ROLE_ADMIN, ROLE_VIEWER};
use crate::storage::{Select, StorageResult, Store, Tx, Value};

pub fn create(
    store: &dyn Store,
    email: &str,
    password: &str,
    role: &str,
) -> Result<i64, EmployeeError> {
    let email = normalise_email(email);
    if !valid_email(&email) {
        return Err(EmployeeError::Email);
    }
    if role != ROLE_ADMIN && role != ROLE_VIEWER {
        return Err(EmployeeError::Role);
    }
    check_password(password, &email)?;
    let phc = hash_password(password)?;
    store.transaction(|tx| -> Result<i64, EmployeeError> {
        if id_by_email(tx, &email)?.is_some() {
            return Err(EmployeeError::Exists);
        }
        let id = tx.insert(
            "shopws_admin_user",
            &[
                ("email", Value::from(email.as_str())),
                ("password_phc", Value::from(phc.as_str())),
                ("role", Value::from(role)),
                ("created_at", Value::from(crate::clock::now())),
            ],
        )?;
        crate::audit::employee(tx, "admin.create", id, &email, role)?;
        Ok(id)
    })
}

/// The employee with this (normalised) e-mail, inside a transaction.
fn id_by_email(tx: &mut dyn Tx, email: &str) -> StorageResult<Option<i64>> {
    Ok(tx
        .select(&Select {
            table: "shopws_admin_user",
            columns: &["id"],
            key: vec![("email", Value::from(email))],
            order: &[],
            ..Default::default()
        })?
        .first()
        .map(|row| row[0].as_i64().unwrap_or(0)))
}

/// Sets a new password (same policy as [`create`]) and deletes every session of the
/// employee, so a password change logs everyone out. Returns the employee's id.
pub fn set_password(store: &dyn Store, email: &str, password: &str) -> Result<i64, EmployeeError> {
    let email = normalise_email(email);
    check_password(password, &email)?;
    let phc = hash_password(password)?;
    store.transaction(|tx| -> Result<i64, EmployeeError> {
        let id = id_by_email(tx, &email)?.ok_or(EmployeeError::NotFound)?;
        tx.update(
            "shopws_admin_user",
            &[("password_phc", Value::from(phc.as_str()))],
            &[("id", Value::Int(id))],
        )?;
        tx.delete("shopws_admin_session", &[("user_id", Value::Int(id))])?;
        crate::audit::employee(tx, "admin.password", id, &email, "")?;
        Ok(id)
    })
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
                ..Default::default()
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
pub fn authenticate(
    store: &dyn Store,
    email: &str,
    password: &str,
) -> StorageResult<Option<Employee>> {
    let email = normalise_email(email);
    let row = store.first_row(&Select {
        table: "shopws_admin_user",
        columns: &["id", "password_phc", "role", "disabled"],
        key: vec![("email", Value::from(email.as_str()))],
        order: &[],
        ..Default::default()
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
    Ok(ok.then(|| Employee {
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
        ..Default::default()
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

pub fn get(store: &dyn Store, id: i64) -> StorageResult<Option<Employee>> {
    let mut out = None;
    store.read(&mut |r| {
        out = r
            .select(&Select {
                table: "shopws_admin_user",
                columns: &["id", "email", "role", "disabled"],
                key: vec![("id", Value::Int(id))],
                order: &[],
                ..Default::default()
            })?
            .into_iter()
            .find(|row| row[3].as_i64() == Some(0))
            .map(|row| Employee {
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

    use argon2::password_hash::{PasswordHasher, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};

    use crate::storage::sqlite::temp_store as store;

    fn phc_of(store: &dyn Store, id: i64) -> String {
        let mut out = String::new();
        store
            .read(&mut |r| {
                out = r.select(&Select {
                    table: "shopws_admin_user",
                    columns: &["password_phc"],
                    key: vec![("id", Value::Int(id))],
                    order: &[],
                    ..Default::default()
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
            Err(EmployeeError::Role)
        ));
        assert!(matches!(
            create(&s, "boss@example.com", "a long enough password", ROLE_ADMIN),
            Err(EmployeeError::Exists)
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

    /// A session row as the back office writes one (only its owner matters here).
    fn open_session(store: &dyn Store, user_id: i64, n: i64) {
        store
            .write(&mut |tx| {
                tx.insert(
                    "shopws_admin_session",
                    &[
                        ("id_digest", Value::from(format!("digest-{user_id}-{n}"))),
                        ("user_id", Value::Int(user_id)),
                        ("csrf_secret", Value::from("csrf")),
                        ("created_at", Value::Int(crate::clock::unix())),
                        ("last_seen_at", Value::Int(crate::clock::unix())),
                        ("reauth_at", Value::Int(crate::clock::unix())),
                        ("ip", Value::from("127.0.0.1")),
                        ("user_agent", Value::from("test")),
                    ],
                )?;
                Ok(())
            })
            .expect("session");
    }

    fn sessions_of(store: &dyn Store, user_id: i64) -> usize {
        let mut n = 0;
        store
            .read(&mut |r| {
                n = r
                    .select(&Select {
                        table: "shopws_admin_session",
                        columns: &["id_digest"],
                        key: vec![("user_id", Value::Int(user_id))],
                        order: &[],
                        ..Default::default()
                    })?
                    .len();
                Ok(())
            })
            .expect("read");
        n
    }

    #[test]
    fn password_change_ends_every_session() {
        let (_dir, s) = store();
        let id =
            create(&s, "ops@example.com", "a long enough password", ROLE_ADMIN).expect("create");
        let other =
            create(&s, "dev@example.com", "another long password", ROLE_VIEWER).expect("create");
        open_session(&s, id, 1);
        open_session(&s, id, 2);
        open_session(&s, other, 1);
        assert!(matches!(
            set_password(&s, "ops@example.com", "password1234"),
            Err(EmployeeError::CommonPassword)
        ));
        assert!(matches!(
            set_password(&s, "nobody@example.com", "a brand new passphrase"),
            Err(EmployeeError::NotFound)
        ));
        assert_eq!(sessions_of(&s, id), 2, "a refused change ends nothing");
        assert_eq!(
            set_password(&s, "OPS@example.com", "a brand new passphrase").expect("passwd"),
            id
        );
        assert_eq!(sessions_of(&s, id), 0);
        assert_eq!(sessions_of(&s, other), 1, "only the employee's own");
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
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].email, "ops@example.com");
        assert!(all[0].last_login_at.is_none(), "never logged in");
        assert!(!all[1].disabled);
    }

    #[test]
    fn unknown_disabled_and_malformed_e_mails() {
        let (_dir, s) = store();
        assert!(matches!(
            create(&s, "not an e-mail", "a long enough password", ROLE_ADMIN),
            Err(EmployeeError::Email)
        ));
        assert!(matches!(
            create(&s, "ops@example.com", "OPS@example.com", ROLE_ADMIN),
            Err(EmployeeError::PasswordIsEmail)
        ));
        let id =
            create(&s, "ops@example.com", "a long enough password", ROLE_ADMIN).expect("create");
        assert!(
            authenticate(&s, "nobody@example.com", "a long enough password")
                .expect("auth")
                .is_none()
        );
        s.write(&mut |tx| {
            tx.update(
                "shopws_admin_user",
                &[("disabled", Value::Int(1))],
                &[("id", Value::Int(id))],
            )?;
            Ok(())
        })
        .expect("disable");
        assert!(
            authenticate(&s, "ops@example.com", "a long enough password")
                .expect("auth")
                .is_none(),
            "a disabled employee cannot log in"
        );
        assert!(!verify(&s, id, "a long enough password").expect("verify"));
        assert!(get(&s, id).expect("get").is_none());
        assert!(list(&s).expect("list")[0].disabled);
    }
}
