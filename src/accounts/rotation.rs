//! Rotation: a key gets a new secret while the old one keeps working for a while, so that
//! clients can be switched over without an outage.

use super::key::{self, Pepper};
use super::{audit_key, get, AccountError};
use crate::audit;
use crate::storage::{Store, Value};

/// Gives a key a new secret with the same permissions, shops and policies; the secrets it had
/// keep working for `overlap_secs` more seconds (0: stop now). Returns the new key in clear.
pub fn rotate(
    store: &dyn Store,
    pepper: &Pepper,
    id: i64,
    overlap_secs: i64,
    actor: &audit::Actor,
) -> Result<String, AccountError> {
    let old = get(store, id)?;
    let key = key::generate();
    let digest = pepper.digest(&key);
    let hint = key::hint(&key);
    let now = crate::clock::now();
    let retire = crate::clock::now_plus(overlap_secs.max(0));
    store.write(&mut |tx| {
        for c in &old.credentials {
            if !c.valid_at(&now) {
                // Long dead: nothing to keep.
                tx.delete("shopws_key_credential", &[("id", Value::Int(c.id))])?;
            } else if c.retires_at.as_deref().is_none_or(|r| r > retire.as_str()) {
                tx.update(
                    "shopws_key_credential",
                    &[("revoked_at", Value::from(retire.as_str()))],
                    &[("id", Value::Int(c.id))],
                )?;
            }
        }
        tx.insert(
            "shopws_key_credential",
            &[
                ("id_webservice_account", Value::Int(id)),
                ("digest", Value::from(digest.as_str())),
                ("hint", Value::from(hint.as_str())),
                ("created_at", Value::from(now.as_str())),
                ("created_by", Value::from(actor.name)),
                (
                    "expires_at",
                    old.expires_at
                        .as_deref()
                        .map(Value::from)
                        .unwrap_or(Value::Null),
                ),
            ],
        )?;
        audit_key(
            tx,
            actor,
            "key.rotate",
            id,
            &hint,
            &format!("old secret {} valid until {retire}", old.hint),
        )
    })?;
    Ok(key)
}
