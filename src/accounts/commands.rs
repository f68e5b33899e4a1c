//! Writes: creating, editing, switching and deleting keys, and recording their use. Every
//! change leaves an audit row.

use super::key::{self, KeyError, Pepper};
use super::queries::{get, shop_list};
use super::{
    permission_diff, permission_summary, AccountError, KeyUpdate, NewKey, Permissions, Policy,
};
use crate::audit;
use crate::storage::{Select, StorageResult, Store, Tx, Value};

/// Creates a key; returns (account id, the key in clear — to be shown once).
pub fn create(
    store: &dyn Store,
    pepper: &Pepper,
    new: &NewKey,
) -> Result<(i64, String), AccountError> {
    let key = match new.key {
        Some(k) => {
            key::validate(k)?;
            k.to_string()
        }
        None => key::generate(),
    };
    let digest = pepper.digest(&key);
    let hint = key::hint(&key);
    let mut id = 0;
    let mut duplicate = false;
    store.write(&mut |tx| {
        let exists = tx.select(&Select {
            table: "shopws_key_credential",
            columns: &["id"],
            key: vec![("digest", Value::from(digest.as_str()))],
            order: &[],
        })?;
        if !exists.is_empty() {
            duplicate = true;
            return Ok(());
        }
        id = tx.insert(
            "webservice_account",
            &[
                ("key", Value::from(placeholder())),
                ("description", Value::from(new.description)),
                ("class_name", Value::from("WebserviceRequest")),
                ("is_module", Value::Int(0)),
                ("active", Value::Int(i64::from(new.active))),
            ],
        )?;
        tx.insert(
            "shopws_key_credential",
            &[
                ("id_webservice_account", Value::Int(id)),
                ("digest", Value::from(digest.as_str())),
                ("hint", Value::from(hint.as_str())),
                ("created_at", Value::from(crate::clock::now())),
                ("created_by", Value::from(new.actor.name)),
                (
                    "expires_at",
                    new.expires_at.map(Value::from).unwrap_or(Value::Null),
                ),
            ],
        )?;
        let all: Vec<i64>;
        let shops = match new.shops {
            Some(s) => s,
            None => {
                all = shop_list(tx)?.into_iter().map(|(id, _)| id).collect();
                &all
            }
        };
        write_shops(tx, id, shops)?;
        write_permissions(tx, id, new.permissions)?;
        audit_key(
            tx,
            new.actor,
            if new.key.is_some() {
                "key.import"
            } else {
                "key.create"
            },
            id,
            &hint,
            &permission_summary(new.permissions),
        )?;
        Ok(())
    })?;
    if duplicate {
        return Err(KeyError::Duplicate.into());
    }
    Ok((id, key))
}

/// Saves the edit form; the audit row carries the permission diff.
pub fn update(store: &dyn Store, id: i64, u: &KeyUpdate) -> Result<(), AccountError> {
    let old = get(store, id)?;
    let hint = old.hint.clone();
    let diff = permission_diff(&old.permissions, u.permissions);
    store.write(&mut |tx| {
        let key = [("id_webservice_account", Value::Int(id))];
        tx.update(
            "webservice_account",
            &[
                ("description", Value::from(u.description)),
                ("active", Value::Int(i64::from(u.active))),
            ],
            &key,
        )?;
        if old.permissions != *u.permissions {
            write_permissions(tx, id, u.permissions)?;
        }
        // The expiry is the key's: every secret of it shares it.
        tx.update(
            "shopws_key_credential",
            &[(
                "expires_at",
                u.expires_at.map(Value::from).unwrap_or(Value::Null),
            )],
            &key,
        )?;
        write_policy(tx, id, u.policy, u.actor)?;
        if let Some(shops) = u.shops {
            if shops != old.shops.as_slice() {
                write_shops(tx, id, shops)?;
            }
        }
        let mut details = Vec::new();
        if old.description != u.description {
            details.push("description changed".to_string());
        }
        if old.active != u.active {
            details.push(format!("status {}", if u.active { "on" } else { "off" }));
        }
        if old.expires_at.as_deref() != u.expires_at {
            details.push(format!("expires {}", u.expires_at.unwrap_or("never")));
        }
        if old.policy != *u.policy {
            details.push(u.policy.describe());
        }
        if let Some(shops) = u.shops.filter(|s| *s != old.shops.as_slice()) {
            details.push(format!("shops {shops:?}"));
        }
        if !diff.is_empty() {
            details.push(diff.clone());
        }
        audit_key(tx, u.actor, "key.edit", id, &hint, &details.join("; "))
    })?;
    Ok(())
}

pub fn set_active(
    store: &dyn Store,
    id: i64,
    active: bool,
    actor: &audit::Actor,
) -> Result<(), AccountError> {
    let hint = get(store, id)?.hint;
    let mut n = 0;
    store.write(&mut |tx| {
        n = tx.update(
            "webservice_account",
            &[("active", Value::Int(i64::from(active)))],
            &[("id_webservice_account", Value::Int(id))],
        )?;
        let action = if active { "key.enable" } else { "key.disable" };
        audit_key(tx, actor, action, id, &hint, "")
    })?;
    if n == 0 {
        return Err(AccountError::NotFound);
    }
    Ok(())
}

pub fn set_permissions(
    store: &dyn Store,
    id: i64,
    p: &Permissions,
    actor: &audit::Actor,
) -> Result<(), AccountError> {
    let old = get(store, id)?;
    let diff = permission_diff(&old.permissions, p);
    store.write(&mut |tx| {
        write_permissions(tx, id, p)?;
        audit_key(tx, actor, "key.permissions", id, &old.hint, &diff)
    })?;
    Ok(())
}

/// Stores a key's policy (replacing the previous one).
pub fn set_policy(
    store: &dyn Store,
    id: i64,
    p: &Policy,
    actor: &audit::Actor,
) -> Result<(), AccountError> {
    store.write(&mut |tx| {
        write_policy(tx, id, p, actor)?;
        audit_key(tx, actor, "key.policy", id, "", &p.describe())
    })?;
    Ok(())
}

pub fn delete(store: &dyn Store, id: i64, actor: &audit::Actor) -> Result<(), AccountError> {
    let hint = get(store, id)?.hint;
    let mut n = 0;
    store.write(&mut |tx| {
        let key = [("id_webservice_account", Value::Int(id))];
        n = tx.delete("webservice_account", &key)?;
        tx.delete("webservice_permission", &key)?;
        tx.delete("webservice_account_shop", &key)?;
        tx.delete("shopws_key_credential", &key)?;
        tx.delete("shopws_key_policy", &key)?;
        audit_key(tx, actor, "key.delete", id, &hint, "")
    })?;
    if n == 0 {
        return Err(AccountError::NotFound);
    }
    Ok(())
}

/// Records a successful use of one secret (best effort; failures are not the caller's
/// problem).
pub fn touch(store: &dyn Store, credential_id: i64, ip: &str, uses: i64) {
    let _ = store.write(&mut |tx| {
        let n = tx
            .select(&Select {
                table: "shopws_key_credential",
                columns: &["use_count"],
                key: vec![("id", Value::Int(credential_id))],
                order: &[],
            })?
            .first()
            .and_then(|r| r[0].as_i64())
            .unwrap_or(0);
        tx.update(
            "shopws_key_credential",
            &[
                ("last_used_at", Value::from(crate::clock::now())),
                ("last_used_ip", Value::from(ip)),
                ("use_count", Value::Int(n + uses)),
            ],
            &[("id", Value::Int(credential_id))],
        )?;
        Ok(())
    });
}

/// An audit row about a key.
pub fn audit_key(
    tx: &mut dyn Tx,
    actor: &audit::Actor,
    action: &str,
    id: i64,
    hint: &str,
    details: &str,
) -> StorageResult<()> {
    audit::record(
        tx,
        &audit::Entry {
            actor: *actor,
            action,
            target_type: "key",
            target_id: id,
            target_hint: hint,
            details,
            result: "ok",
        },
    )
}

fn write_permissions(tx: &mut dyn Tx, id: i64, p: &Permissions) -> StorageResult<()> {
    tx.delete(
        "webservice_permission",
        &[("id_webservice_account", Value::Int(id))],
    )?;
    for (res, methods) in p {
        for m in methods.iter() {
            tx.insert(
                "webservice_permission",
                &[
                    ("resource", Value::from(res.as_str())),
                    ("method", Value::from(m.as_str())),
                    ("id_webservice_account", Value::Int(id)),
                ],
            )?;
        }
    }
    Ok(())
}

/// A key's shops, replaced as PrestaShop does (one row per shop).
fn write_shops(tx: &mut dyn Tx, id: i64, shops: &[i64]) -> StorageResult<()> {
    tx.delete(
        "webservice_account_shop",
        &[("id_webservice_account", Value::Int(id))],
    )?;
    for s in shops {
        tx.insert_ignore(
            "webservice_account_shop",
            &[
                ("id_webservice_account", Value::Int(id)),
                ("id_shop", Value::Int(*s)),
            ],
        )?;
    }
    Ok(())
}

fn write_policy(tx: &mut dyn Tx, id: i64, p: &Policy, actor: &audit::Actor) -> StorageResult<()> {
    let list: Vec<String> = p.ip_allowlist.iter().map(|n| n.to_string()).collect();
    let key = [("id_webservice_account", Value::Int(id))];
    tx.delete("shopws_key_policy", &key)?;
    let number = |n: Option<u32>| n.map(|v| Value::Int(i64::from(v))).unwrap_or(Value::Null);
    tx.insert(
        "shopws_key_policy",
        &[
            ("id_webservice_account", Value::Int(id)),
            ("ip_allowlist", Value::from(list.join(","))),
            ("rate_per_sec", number(p.rate_per_sec)),
            ("burst", number(p.burst)),
            ("updated_at", Value::from(crate::clock::now())),
            ("updated_by", Value::from(actor.name)),
        ],
    )?;
    Ok(())
}

/// 31 random characters: never a valid key (PrestaShop requires 32), unique per row.
fn placeholder() -> String {
    key::generate()[..31].to_string()
}
