//! Server-side sessions shared through the database: a 256-bit random id in the cookie, only
//! its SHA-256 stored; a per-session CSRF secret; idle and absolute timeouts.

use rand::{RngCore, TryRngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::storage::{Select, StorageResult, Store, Value};

/// Cookie base names (prefixed with `__Host-` over HTTPS).
pub const COOKIE: &str = "shopws_session";
pub const PRE_COOKIE: &str = "shopws_login";
pub const IDLE_SECS: i64 = 30 * 60;
pub const ABSOLUTE_SECS: i64 = 12 * 60 * 60;

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut b);
    hex::encode(b)
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Re-authentication ("sudo mode") lasts this long.
pub const SUDO_SECS: i64 = 10 * 60;

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub csrf: String,
    /// SHA-256 of the cookie value: the handle used to list and revoke sessions.
    pub digest: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub reauth_at: i64,
    pub ip: String,
    pub user_agent: String,
}

impl Session {
    /// The password was typed within the last ten minutes (logging in counts).
    pub fn sudo(&self) -> bool {
        crate::clock::unix() - self.reauth_at < SUDO_SECS
    }
}

const COLUMNS: &[&str] = &[
    "user_id",
    "csrf_secret",
    "created_at",
    "last_seen_at",
    "reauth_at",
    "ip",
    "user_agent",
    "id_digest",
];

fn from_row(row: &[Value]) -> Session {
    Session {
        user_id: row[0].as_i64().unwrap_or(0),
        csrf: row[1].to_text(),
        created_at: row[2].as_i64().unwrap_or(0),
        last_seen_at: row[3].as_i64().unwrap_or(0),
        reauth_at: row[4].as_i64().unwrap_or(0),
        ip: row[5].to_text(),
        user_agent: row[6].to_text(),
        digest: row[7].to_text(),
    }
}

fn live(s: &Session, now: i64) -> bool {
    now - s.last_seen_at <= IDLE_SECS && now - s.created_at <= ABSOLUTE_SECS
}

/// Starts a session; returns the cookie value (never stored). Logging in is an
/// authentication, so the session starts in sudo mode.
pub fn create(
    store: &dyn Store,
    user_id: i64,
    ip: &str,
    user_agent: &str,
) -> StorageResult<String> {
    let token = random_token();
    let now = crate::clock::unix();
    let ua: String = user_agent.chars().take(200).collect();
    store.write(&mut |tx| {
        tx.insert(
            "shopws_admin_session",
            &[
                ("id_digest", Value::from(digest(&token))),
                ("user_id", Value::Int(user_id)),
                ("csrf_secret", Value::from(random_token())),
                ("created_at", Value::Int(now)),
                ("last_seen_at", Value::Int(now)),
                ("reauth_at", Value::Int(now)),
                ("ip", Value::from(ip)),
                ("user_agent", Value::from(ua.as_str())),
            ],
        )?;
        tx.update(
            "shopws_admin_user",
            &[("last_login_at", Value::from(crate::clock::now()))],
            &[("id", Value::Int(user_id))],
        )?;
        Ok(())
    })?;
    Ok(token)
}

/// The live session for a cookie value; expired ones are deleted on sight.
pub fn load(store: &dyn Store, token: &str) -> StorageResult<Option<Session>> {
    let d = digest(token);
    let row = store.first_row(&Select {
        table: "shopws_admin_session",
        columns: COLUMNS,
        key: vec![("id_digest", Value::from(d.as_str()))],
        order: &[],
        ..Default::default()
    })?;
    let Some(row) = row else { return Ok(None) };
    let s = from_row(&row);
    let now = crate::clock::unix();
    if !live(&s, now) {
        destroy(store, token)?;
        let who = format!("employee #{}", s.user_id);
        let _ = store.write(&mut |tx| {
            crate::audit::record(
                tx,
                &crate::audit::Entry {
                    actor: crate::audit::Actor {
                        name: &who,
                        ip: &s.ip,
                        user_agent: &s.user_agent,
                    },
                    action: "session.expired",
                    target_type: "",
                    target_id: 0,
                    target_hint: "",
                    details: "",
                    result: "ok",
                },
            )
        });
        return Ok(None);
    }
    if now - s.last_seen_at > 30 {
        store.write(&mut |tx| {
            tx.update(
                "shopws_admin_session",
                &[("last_seen_at", Value::Int(now))],
                &[("id_digest", Value::from(d.as_str()))],
            )?;
            Ok(())
        })?;
    }
    Ok(Some(s))
}

/// After the password was typed again: a new session id (the old cookie stops working) with
/// the same CSRF secret, in sudo mode. Returns the new cookie value.
pub fn reauthenticate(store: &dyn Store, token: &str) -> StorageResult<Option<String>> {
    let Some(s) = load(store, token)? else {
        return Ok(None);
    };
    let fresh = random_token();
    let now = crate::clock::unix();
    store.write(&mut |tx| {
        tx.delete(
            "shopws_admin_session",
            &[("id_digest", Value::from(s.digest.as_str()))],
        )?;
        tx.insert(
            "shopws_admin_session",
            &[
                ("id_digest", Value::from(digest(&fresh))),
                ("user_id", Value::Int(s.user_id)),
                ("csrf_secret", Value::from(s.csrf.as_str())),
                ("created_at", Value::Int(s.created_at)),
                ("last_seen_at", Value::Int(now)),
                ("reauth_at", Value::Int(now)),
                ("ip", Value::from(s.ip.as_str())),
                ("user_agent", Value::from(s.user_agent.as_str())),
            ],
        )?;
        Ok(())
    })?;
    Ok(Some(fresh))
}

/// An employee's live sessions, newest first.
pub fn list(store: &dyn Store, user_id: i64) -> StorageResult<Vec<Session>> {
    let mut rows = Vec::new();
    store.read(&mut |r| {
        rows = r.select(&Select {
            table: "shopws_admin_session",
            columns: COLUMNS,
            key: vec![("user_id", Value::Int(user_id))],
            order: &["created_at"],
            ..Default::default()
        })?;
        Ok(())
    })?;
    let now = crate::clock::unix();
    Ok(rows
        .iter()
        .map(|r| from_row(r))
        .filter(|s| live(s, now))
        .rev()
        .collect())
}

/// Ends one of an employee's sessions by its handle; false if it was not theirs.
pub fn revoke(store: &dyn Store, user_id: i64, handle: &str) -> StorageResult<bool> {
    let mut n = 0;
    store.write(&mut |tx| {
        let owned = tx.select(&Select {
            table: "shopws_admin_session",
            columns: &["user_id"],
            key: vec![("id_digest", Value::from(handle))],
            order: &[],
            ..Default::default()
        })?;
        if owned.first().and_then(|r| r[0].as_i64()) == Some(user_id) {
            n = tx.delete(
                "shopws_admin_session",
                &[("id_digest", Value::from(handle))],
            )?;
        }
        Ok(())
    })?;
    Ok(n > 0)
}

/// The handle (digest) of a cookie value.
pub fn handle(token: &str) -> String {
    digest(token)
}

pub fn destroy(store: &dyn Store, token: &str) -> StorageResult<()> {
    let d = digest(token);
    store.write(&mut |tx| {
        tx.delete(
            "shopws_admin_session",
            &[("id_digest", Value::from(d.as_str()))],
        )?;
        Ok(())
    })
}

/// Cookie of a login waiting for its second factor.
pub const PENDING_COOKIE: &str = "shopws_2fa";
/// A password-checked login waits this long for its code (or its enrolment).
pub const PENDING_SECS: i64 = 5 * 60;

/// A login whose password was right, waiting for the second factor: not a session (no page
/// but the code form accepts it), bound to the browser that typed the password by a cookie of
/// its own, and only for five minutes.
#[derive(Debug, Clone)]
pub struct Pending {
    pub user_id: i64,
    pub csrf: String,
    pub created_at: i64,
}

/// Starts a pending login; returns the cookie value (only its SHA-256 is stored).
pub fn create_pending(
    store: &dyn Store,
    user_id: i64,
    ip: &str,
    user_agent: &str,
) -> StorageResult<String> {
    let token = random_token();
    let now = crate::clock::unix();
    let ua: String = user_agent.chars().take(200).collect();
    store.write(&mut |tx| {
        // Earlier attempts of the same employee are over.
        tx.delete(
            "shopws_admin_pending_login",
            &[("user_id", Value::Int(user_id))],
        )?;
        tx.insert(
            "shopws_admin_pending_login",
            &[
                ("id_digest", Value::from(digest(&token))),
                ("user_id", Value::Int(user_id)),
                ("csrf_secret", Value::from(random_token())),
                ("created_at", Value::Int(now)),
                ("ip", Value::from(ip)),
                ("user_agent", Value::from(ua.as_str())),
            ],
        )?;
        Ok(())
    })?;
    Ok(token)
}

/// The live pending login of a cookie value; an expired one is deleted.
pub fn load_pending(store: &dyn Store, token: &str) -> StorageResult<Option<Pending>> {
    if token.is_empty() {
        return Ok(None);
    }
    let row = store.first_row(&Select {
        table: "shopws_admin_pending_login",
        columns: &["user_id", "csrf_secret", "created_at"],
        key: vec![("id_digest", Value::from(digest(token)))],
        order: &[],
        ..Default::default()
    })?;
    let Some(row) = row else { return Ok(None) };
    let p = Pending {
        user_id: row[0].as_i64().unwrap_or(0),
        csrf: row[1].to_text(),
        created_at: row[2].as_i64().unwrap_or(0),
    };
    if crate::clock::unix() - p.created_at > PENDING_SECS {
        destroy_pending(store, token)?;
        return Ok(None);
    }
    Ok(Some(p))
}

pub fn destroy_pending(store: &dyn Store, token: &str) -> StorageResult<()> {
    let d = digest(token);
    store.write(&mut |tx| {
        tx.delete(
            "shopws_admin_pending_login",
            &[("id_digest", Value::from(d.as_str()))],
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_records_the_login() {
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
        assert!(crate::employees::list(&s).expect("list")[0]
            .last_login_at
            .is_none());
        let token = create(&s, id, "127.0.0.1", "test").expect("session");
        assert!(crate::employees::list(&s).expect("list")[0]
            .last_login_at
            .is_some());
        let loaded = load(&s, &token).expect("load").expect("live");
        assert_eq!(loaded.user_id, id);
        assert!(loaded.sudo(), "logging in counts as typing the password");
        destroy(&s, &token).expect("destroy");
        assert!(load(&s, &token).expect("load").is_none());
    }
}
