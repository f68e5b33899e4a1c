//! Sealing a key of an attached shop: PrestaShop's table stops holding it in clear (a
//! 31-character placeholder, which PrestaShop's `/api/` refuses and its back office will not
//! save), shopws keeps only its digest and becomes the key's one manager. One-way: the clear
//! key is not kept anywhere, so it cannot be put back.

use super::commands::{audit_key, insert_credential, placeholder};
use super::key::{self, Pepper};
use super::AccountError;
use crate::audit;
use crate::storage::{Select, Store, Value};

/// Seals account `id`. `Ok(false)` when it was sealed already (its stored key is not a key).
pub fn seal(
    store: &dyn Store,
    pepper: &Pepper,
    id: i64,
    actor: &audit::Actor,
) -> Result<bool, AccountError> {
    let mut found = false;
    let mut sealed = false;
    store.write(&mut |tx| {
        let account = [("id_webservice_account", Value::Int(id))];
        // The account's row held while it is read and changed.
        tx.lock_rows("webservice_account", &account)?;
        let row = tx.select(&Select {
            table: "webservice_account",
            columns: &["key"],
            key: account.to_vec(),
            ..Default::default()
        })?;
        let Some(stored) = row.first().map(|r| r[0].to_text()) else {
            return Ok(());
        };
        found = true;
        let clear = stored.trim();
        if clear.len() != 32 {
            return Ok(());
        }
        let digest = pepper.digest(clear);
        let known = tx.select(&Select {
            table: "shopws_key_credential",
            columns: &["id"],
            key: vec![
                ("digest", Value::from(digest.as_str())),
                ("id_webservice_account", Value::Int(id)),
            ],
            ..Default::default()
        })?;
        let hint = key::hint(clear);
        if known.is_empty() {
            insert_credential(
                tx,
                id,
                &digest,
                &hint,
                actor.name,
                None,
                &crate::clock::now(),
            )?;
        }
        tx.update(
            "webservice_account",
            &[("key", Value::from(placeholder()))],
            &account,
        )?;
        sealed = true;
        audit_key(tx, actor, "key.seal", id, &hint, "")
    })?;
    if !found {
        return Err(AccountError::NotFound);
    }
    Ok(sealed)
}
