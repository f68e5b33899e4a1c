//! Customers and employees: passwords are hashed (never stored or echoed in clear) before the
//! write transaction opens; customers get a generated `secure_key`, a default group, and
//! unique e-mails (#140/#141).

use std::sync::{Condvar, Mutex};

use rand::Rng;

use crate::engine::behaviour::{Behaviour, Prepared, Save};
use crate::engine::{ApiError, ApiResult};
use crate::storage::{Select, Tx, Value};

use super::Staged;

/// bcrypt, as PrestaShop's hashing service (cost 10).
const BCRYPT_COST: u32 = 10;
const HASH: &str = "passwd_hash";

fn random_hex32() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill(&mut b);
    hex::encode(b)
}

/// At most this many bcrypt hashes run at once (one per core): a burst of customer
/// creations queues here instead of starving every other request of CPU.
struct Gate {
    running: Mutex<usize>,
    freed: Condvar,
}

static GATE: Gate = Gate {
    running: Mutex::new(0),
    freed: Condvar::new(),
};

fn hash_password(plain: &str) -> ApiResult<String> {
    let max = std::thread::available_parallelism().map_or(2, |n| n.get());
    {
        let mut running = GATE.running.lock().map_err(|_| ApiError::internal())?;
        while *running >= max {
            running = GATE.freed.wait(running).map_err(|_| ApiError::internal())?;
        }
        *running += 1;
    }
    let hash = bcrypt::hash(plain, BCRYPT_COST);
    if let Ok(mut running) = GATE.running.lock() {
        *running = running.saturating_sub(1);
    }
    GATE.freed.notify_one();
    hash.map_err(|_| ApiError::internal())
}

/// A value a client may have read back from us (bcrypt's `$2y$10$` + 53 characters).
fn looks_hashed(s: &str) -> bool {
    s.len() == 60 && s.starts_with("$2")
}

fn given_password(st: &Staged) -> Option<&str> {
    st.setters
        .iter()
        .find(|(n, _)| n == "passwd")
        .map(|(_, v)| v.as_str())
}

/// `passwd` of customers and employees (PrestaShop's setWsPasswd).
pub struct Passwords;

impl Behaviour for Passwords {
    fn prepare(&self, s: &Save, out: &mut Prepared) -> ApiResult<()> {
        let given = s.input.fields.iter().rev().find(|(n, _)| n == "passwd");
        if let Some((_, crate::engine::write::body::InputValue::Text(plain))) = given {
            // A hash sent back unchanged keeps the password: decided in the transaction,
            // where the stored hash is known.
            if !plain.is_empty() && !looks_hashed(plain) {
                out.insert(HASH, Value::Text(hash_password(plain)?));
            }
        }
        Ok(())
    }

    fn before_save(&self, _tx: &mut dyn Tx, s: &Save, st: &mut Staged) -> ApiResult<()> {
        let stored = s.current.and_then(|c| c.get("passwd")).map(Value::to_text);
        let Some(plain) = given_password(st).map(str::to_string) else {
            if s.created {
                return Err(ApiError::bad_request(41, "parameter \"passwd\" required"));
            }
            return Ok(());
        };
        st.setters.retain(|(n, _)| n != "passwd");
        if stored.as_deref() == Some(plain.as_str()) {
            // The client sent back the hash it read: the password stays.
            return Ok(());
        }
        if plain.is_empty() {
            return Err(ApiError::bad_request(
                85,
                format!(
                    "Validation error: \"Property {}->passwd is empty.\"",
                    s.resource.class_name
                ),
            ));
        }
        let hash = match s.prepared.get(HASH) {
            Some(h) => h.clone(),
            // Only a value shaped like a hash that is not the stored one gets here.
            None => Value::Text(hash_password(&plain)?),
        };
        st.set("passwd", hash);
        st.set("last_passwd_gen", Value::Text(s.ctx.db.now.clone()));
        Ok(())
    }
}

/// Customers' own rules: `secure_key`, default group and language, unique e-mail, and the
/// default group granted when no group is sent.
pub struct Customers;

impl Behaviour for Customers {
    fn before_save(&self, tx: &mut dyn Tx, s: &Save, st: &mut Staged) -> ApiResult<()> {
        let ctx = s.ctx;
        if s.created {
            st.set("secure_key", Value::Text(random_hex32()));
            if st
                .get("id_default_group")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                == 0
            {
                let g = ctx.info.setting_i64("PS_CUSTOMER_GROUP", 3);
                st.set("id_default_group", Value::Int(g));
            }
            if st.get("id_lang").and_then(Value::as_i64).unwrap_or(0) == 0 {
                st.set("id_lang", Value::Int(ctx.info.default_lang));
            }
            if st.get("last_passwd_gen").is_none() {
                st.set("last_passwd_gen", Value::Text(ctx.db.now.clone()));
            }
        }
        let is_guest = st.get("is_guest").and_then(Value::as_i64).unwrap_or(0) == 1;
        let Some(email) = st.get("email").map(Value::to_text) else {
            return Ok(());
        };
        if is_guest {
            return Ok(());
        }
        let rows = tx.select(&Select {
            table: "customer",
            columns: &["id_customer", "is_guest", "deleted"],
            key: vec![("email", Value::Text(email))],
            order: &[],
            ..Default::default()
        })?;
        let clash = rows.iter().any(|row| {
            row[0].as_i64() != Some(st.id)
                && row[1].as_i64() == Some(0)
                && row[2].as_i64() == Some(0)
        });
        if clash {
            let code = if s.created { 140 } else { 141 };
            // PrestaShop answers 500; a duplicate is the client's mistake: 400, same codes.
            return Err(ApiError::bad_request(
                code,
                "The email is already used, please choose another one",
            ));
        }
        Ok(())
    }

    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        let groups_given = s.input.associations.iter().flatten().any(|a| {
            a.name == "groups"
                && a.items
                    .iter()
                    .any(|i| i.iter().any(|(n, v)| n == "id" && !v.trim().is_empty()))
        });
        if s.created && !groups_given {
            if let Some(g) = st.get("id_default_group").and_then(Value::as_i64) {
                tx.insert_ignore(
                    "customer_group",
                    &[
                        ("id_customer", Value::Int(st.id)),
                        ("id_group", Value::Int(g)),
                    ],
                )?;
            }
        }
        Ok(())
    }

    fn after_delete(
        &self,
        tx: &mut dyn Tx,
        _r: &crate::catalog::Resource,
        id: i64,
    ) -> ApiResult<()> {
        tx.delete("customer_group", &[("id_customer", Value::Int(id))])?;
        Ok(())
    }
}
