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

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

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

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub csrf: String,
}

/// Starts a session; returns the cookie value (never stored).
pub fn create(store: &dyn Store, user_id: i64, ip: &str) -> StorageResult<String> {
    let token = random_token();
    let now = now_secs();
    store.write(&mut |tx| {
        tx.insert(
            "shopws_admin_session",
            &[
                ("id_digest", Value::from(digest(&token))),
                ("user_id", Value::Int(user_id)),
                ("csrf_secret", Value::from(random_token())),
                ("created_at", Value::Int(now)),
                ("last_seen_at", Value::Int(now)),
                ("ip", Value::from(ip)),
            ],
        )?;
        tx.update(
            "shopws_admin_user",
            &[("last_login_at", Value::from(crate::accounts::now()))],
            &[("id", Value::Int(user_id))],
        )?;
        Ok(())
    })?;
    Ok(token)
}

/// The live session for a cookie value; expired ones are deleted on sight.
pub fn load(store: &dyn Store, token: &str) -> StorageResult<Option<Session>> {
    let d = digest(token);
    let mut row = None;
    store.read(&mut |r| {
        row = r
            .select(&Select {
                table: "shopws_admin_session",
                columns: &["user_id", "csrf_secret", "created_at", "last_seen_at"],
                key: vec![("id_digest", Value::from(d.as_str()))],
                order: &[],
            })?
            .into_iter()
            .next();
        Ok(())
    })?;
    let Some(row) = row else { return Ok(None) };
    let now = now_secs();
    let created = row[2].as_i64().unwrap_or(0);
    let seen = row[3].as_i64().unwrap_or(0);
    if now - seen > IDLE_SECS || now - created > ABSOLUTE_SECS {
        destroy(store, token)?;
        return Ok(None);
    }
    if now - seen > 30 {
        store.write(&mut |tx| {
            tx.update(
                "shopws_admin_session",
                &[("last_seen_at", Value::Int(now))],
                &[("id_digest", Value::from(d.as_str()))],
            )?;
            Ok(())
        })?;
    }
    Ok(Some(Session {
        user_id: row[0].as_i64().unwrap_or(0),
        csrf: row[1].to_text(),
    }))
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

/// Login throttling: 5 failures per e-mail and address in 15 minutes lock for 15 minutes;
/// 20 failures from one address answer 429.
pub mod throttle {
    use super::*;

    const WINDOW: i64 = 15 * 60;
    pub const ACCOUNT_LIMIT: i64 = 5;
    pub const IP_LIMIT: i64 = 20;

    fn get(store: &dyn Store, subject: &str) -> StorageResult<(i64, i64, i64)> {
        let mut out = (0, 0, 0);
        store.read(&mut |r| {
            if let Some(row) = r
                .select(&Select {
                    table: "shopws_login_throttle",
                    columns: &["failures", "window_start", "locked_until"],
                    key: vec![("subject", Value::from(subject))],
                    order: &[],
                })?
                .first()
            {
                out = (
                    row[0].as_i64().unwrap_or(0),
                    row[1].as_i64().unwrap_or(0),
                    row[2].as_i64().unwrap_or(0),
                );
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Seconds to wait before trying again, if the subject is locked.
    pub fn locked(store: &dyn Store, subject: &str, limit: i64) -> StorageResult<Option<i64>> {
        let (failures, start, until) = get(store, subject)?;
        let now = now_secs();
        if until > now {
            return Ok(Some(until - now));
        }
        if failures >= limit && now - start < WINDOW {
            return Ok(Some(WINDOW - (now - start)));
        }
        Ok(None)
    }

    pub fn fail(store: &dyn Store, subject: &str, limit: i64) -> StorageResult<()> {
        let (failures, start, _) = get(store, subject)?;
        let now = now_secs();
        let (failures, start) = if now - start > WINDOW {
            (1, now)
        } else {
            (failures + 1, start)
        };
        let until = if failures >= limit { now + WINDOW } else { 0 };
        store.write(&mut |tx| {
            tx.delete(
                "shopws_login_throttle",
                &[("subject", Value::from(subject))],
            )?;
            tx.insert(
                "shopws_login_throttle",
                &[
                    ("subject", Value::from(subject)),
                    ("failures", Value::Int(failures)),
                    ("window_start", Value::Int(start)),
                    ("locked_until", Value::Int(until)),
                ],
            )?;
            Ok(())
        })
    }

    pub fn clear(store: &dyn Store, subject: &str) -> StorageResult<()> {
        store.write(&mut |tx| {
            tx.delete(
                "shopws_login_throttle",
                &[("subject", Value::from(subject))],
            )?;
            Ok(())
        })
    }
}
