//! Customers and employees: passwords are hashed (never stored or echoed in clear), customers
//! get a generated `secure_key`, a default group, and unique e-mails (#140/#141).

use std::collections::HashMap;

use rand::Rng;

use crate::catalog::Resource;
use crate::engine::{ApiError, ApiResult, Ctx, Engine};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::{InputEntity, Staged};

/// bcrypt, as PrestaShop's hashing service (cost 10).
const BCRYPT_COST: u32 = 10;

fn random_hex32() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill(&mut b);
    hex::encode(b)
}

pub fn before_save(
    _e: &Engine,
    r: &Resource,
    tx: &mut dyn Tx,
    st: &mut Staged,
    current: Option<&HashMap<String, Value>>,
    ctx: &Ctx,
) -> ApiResult<()> {
    let stored_hash = current.and_then(|c| c.get("passwd")).map(|v| v.to_text());
    if let Some(pos) = st.setters.iter().position(|(n, _)| n == "passwd") {
        let plain = st.setters.remove(pos).1;
        if stored_hash.as_deref() == Some(plain.as_str()) {
            // The client sent back the hash it read: the password stays.
        } else {
            if plain.is_empty() {
                return Err(ApiError::bad_request(
                    85,
                    format!(
                        "Validation error: \"Property {}->passwd is empty.\"",
                        r.class_name
                    ),
                ));
            }
            let hash = bcrypt::hash(&plain, BCRYPT_COST).map_err(|_| ApiError::internal())?;
            st.set("passwd", Value::Text(hash));
            st.set("last_passwd_gen", Value::Text(ctx.db.now.clone()));
        }
    } else if current.is_none() {
        return Err(ApiError::bad_request(41, "parameter \"passwd\" required"));
    }
    if r.api != "customers" {
        return Ok(());
    }
    if current.is_none() {
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
    if let Some(email) = st.get("email").map(|v| v.to_text()) {
        if !is_guest {
            let rows = tx
                .select(&Select {
                    table: "customer",
                    columns: &["id_customer", "is_guest", "deleted"],
                    key: vec![("email", Value::Text(email))],
                    order: &[],
                })
                .map_err(ApiError::from)?;
            let clash = rows.iter().any(|row| {
                row[0].as_i64() != Some(st.id)
                    && row[1].as_i64() == Some(0)
                    && row[2].as_i64() == Some(0)
            });
            if clash {
                let code = if current.is_none() { 140 } else { 141 };
                // PrestaShop answers 500; a duplicate is the client's mistake: 400, same codes.
                return Err(ApiError::bad_request(
                    code,
                    "The email is already used, please choose another one",
                ));
            }
        }
    }
    Ok(())
}

pub fn after_save(
    tx: &mut dyn Tx,
    st: &Staged,
    ent: &InputEntity,
    created: bool,
) -> StorageResult<()> {
    let groups_given = ent.associations.iter().flatten().any(|a| {
        a.name == "groups"
            && a.items
                .iter()
                .any(|i| i.iter().any(|(n, v)| n == "id" && !v.trim().is_empty()))
    });
    if created && !groups_given {
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
