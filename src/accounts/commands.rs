//! Writes: creating and deleting keys, recording their use, and the rows every change of a
//! key writes (permissions, shops, audit).

use super::key::{self, KeyError, Pepper};
use super::queries::{get, shop_list};
use super::{permission_summary, AccountError, NewKey, Permissions};
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
    // On a shop shopws is attached to, the key is written where PrestaShop's back office and
    // `/api/` read it; elsewhere only its digest is kept.
    let clear = store.shared_with_prestashop();
    let stored = if clear { key.clone() } else { placeholder() };
    let mut id = 0;
    let mut duplicate = false;
    store.write(&mut |tx| {
        let exists = tx.select(&Select {
            table: "shopws_key_credential",
            columns: &["id"],
            key: vec![("digest", Value::from(digest.as_str()))],
            order: &[],
            ..Default::default()
        })?;
        let taken = clear
            && !tx
                .select(&Select {
                    table: "webservice_account",
                    columns: &["id_webservice_account"],
                    key: vec![("key", Value::from(key.as_str()))],
                    order: &[],
                    ..Default::default()
                })?
                .is_empty();
        if !exists.is_empty() || taken {
            duplicate = true;
            return Ok(());
        }
        id = tx.insert(
            "webservice_account",
            &[
                ("key", Value::from(stored.as_str())),
                ("description", Value::from(new.description)),
                ("class_name", Value::from("WebserviceRequest")),
                ("is_module", Value::Int(0)),
                ("active", Value::Int(i64::from(new.active))),
            ],
        )?;
        insert_credential(
            tx,
            id,
            &digest,
            &hint,
            new.actor.name,
            new.expires_at,
            &crate::clock::now(),
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
        crate::activity::forget(tx, id)?;
        audit_key(tx, actor, "key.delete", id, &hint, "")
    })?;
    if n == 0 {
        return Err(AccountError::NotFound);
    }
    Ok(())
}

/// Records `uses` successful uses of one secret (best effort; failures are not the caller's
/// problem). The database adds them to the count: nodes flushing their uses of one key at
/// the same time lose none of them.
pub fn touch(store: &dyn Store, credential_id: i64, ip: &str, uses: i64) {
    let _ = store.write(&mut |tx| {
        tx.increment(
            "shopws_key_credential",
            &[("use_count", uses)],
            &[
                ("last_used_at", Value::from(crate::clock::now())),
                ("last_used_ip", Value::from(ip)),
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

pub(super) fn write_permissions(tx: &mut dyn Tx, id: i64, p: &Permissions) -> StorageResult<()> {
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
pub(super) fn write_shops(tx: &mut dyn Tx, id: i64, shops: &[i64]) -> StorageResult<()> {
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

/// 31 random characters: never a valid key (PrestaShop requires 32), unique per row.
/// A secret of an account, stored as its digest and hint.
pub(super) fn insert_credential(
    tx: &mut dyn Tx,
    account: i64,
    digest: &str,
    hint: &str,
    created_by: &str,
    expires_at: Option<&str>,
    now: &str,
) -> StorageResult<i64> {
    tx.insert(
        "shopws_key_credential",
        &[
            ("id_webservice_account", Value::Int(account)),
            ("digest", Value::from(digest)),
            ("hint", Value::from(hint)),
            ("created_at", Value::from(now)),
            ("created_by", Value::from(created_by)),
            (
                "expires_at",
                expires_at.map(Value::from).unwrap_or(Value::Null),
            ),
        ],
    )
}

pub(super) fn placeholder() -> String {
    key::generate()[..31].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::testing::{perms, TestDb};
    use crate::accounts::{list, lookup, set_active, set_policy, Policy};
    use crate::audit::Actor;
    use crate::catalog::MethodSet;

    fn customers_read() -> Permissions {
        perms(&[("customers", MethodSet::READ)])
    }

    fn new_key<'a>(key: Option<&'a str>, p: &'a Permissions) -> NewKey<'a> {
        NewKey {
            key,
            description: "import",
            active: true,
            permissions: p,
            expires_at: None,
            shops: None,
            actor: &Actor::CLI,
        }
    }

    #[test]
    fn created_keys_are_stored_as_digests_only() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        assert_eq!(key::validate(&k), Ok(()));
        let row = db
            .store()
            .first_row(&Select {
                table: "webservice_account",
                columns: &["key"],
                key: vec![("id_webservice_account", Value::Int(id))],
                order: &[],
                ..Default::default()
            })
            .unwrap()
            .expect("account row");
        let placeholder = row[0].to_text();
        assert_eq!(placeholder.len(), 31, "never a valid PrestaShop key");
        assert_ne!(placeholder, k[..31]);
        let audit = db.audit(id);
        assert_eq!(
            audit,
            vec![("key.create".to_string(), "customers=GET,HEAD".to_string())]
        );
        assert!(!audit[0].1.contains(&k));
    }

    #[test]
    fn imported_keys_are_checked_and_unique() {
        let db = TestDb::new();
        let p = customers_read();
        let k = "Q7W2E9R4T6Y1U8I3O5P0A2S4D6F8G1H3";
        let (id, back) = create(db.store(), &db.pepper, &new_key(Some(k), &p)).unwrap();
        assert_eq!(back, k);
        assert_eq!(db.info(k).map(|i| i.account_id), Some(id));
        assert_eq!(db.audit(id)[0].0, "key.import");
        let again = create(
            db.store(),
            &db.pepper,
            &new_key(Some(&k.to_ascii_lowercase()), &p),
        );
        assert!(matches!(again, Err(AccountError::Key(KeyError::Duplicate))));
        let short = create(db.store(), &db.pepper, &new_key(Some("ABC"), &p));
        assert!(matches!(short, Err(AccountError::Key(KeyError::Length))));
        assert_eq!(list(db.store()).unwrap().len(), 1, "nothing else created");
    }

    #[test]
    fn keys_may_be_limited_to_some_shops() {
        let db = TestDb::new();
        let p = customers_read();
        let none: &[i64] = &[];
        let (id, _) = create(
            db.store(),
            &db.pepper,
            &NewKey {
                shops: Some(none),
                ..new_key(None, &p)
            },
        )
        .unwrap();
        assert!(get(db.store(), id).unwrap().shops.is_empty());
        let (all, _) = db.add(&p);
        assert_eq!(get(db.store(), all).unwrap().shops, vec![1]);
    }

    #[test]
    fn deleted_keys_are_gone_everywhere() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        set_policy(db.store(), id, &Policy::default(), &Actor::CLI).unwrap();
        delete(db.store(), id, &Actor::CLI).unwrap();
        assert!(db.info(&k).is_none());
        assert!(matches!(get(db.store(), id), Err(AccountError::NotFound)));
        assert!(matches!(
            delete(db.store(), id, &Actor::CLI),
            Err(AccountError::NotFound)
        ));
        assert!(matches!(
            set_active(db.store(), id, true, &Actor::CLI),
            Err(AccountError::NotFound)
        ));
        for table in [
            "webservice_permission",
            "webservice_account_shop",
            "shopws_key_credential",
            "shopws_key_policy",
            "shopws_api_activity",
            "shopws_api_recent",
        ] {
            let row = db
                .store()
                .first_row(&Select {
                    table,
                    columns: &["id_webservice_account"],
                    key: vec![("id_webservice_account", Value::Int(id))],
                    order: &[],
                    ..Default::default()
                })
                .unwrap();
            assert!(row.is_none(), "{table}");
        }
        assert_eq!(db.audit(id).pop().unwrap().0, "key.delete");
    }

    #[test]
    fn uses_are_counted_per_secret() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        let credential = db.info(&k).unwrap().credential_id;
        touch(db.store(), credential, "203.0.113.9", 3);
        touch(db.store(), credential, "2001:db8::7", 2);
        let a = get(db.store(), id).unwrap();
        assert_eq!(a.credentials[0].use_count, 5);
        assert_eq!(a.last_used_ip.as_deref(), Some("2001:db8::7"));
        assert!(a.last_used_at.is_some());
        // A secret that no longer exists is not an error.
        touch(db.store(), credential + 100, "203.0.113.9", 1);
        assert!(lookup(db.store(), &k, &db.pepper.digest(&k))
            .unwrap()
            .is_some());
    }

    #[test]
    fn uses_flushed_by_two_nodes_at_once_are_all_counted() {
        const EACH: i64 = 150;
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        let credential = db.info(&k).unwrap().credential_id;
        // Two handles on one database file, as two nodes on one database.
        let other = db.reopen();
        std::thread::scope(|scope| {
            for (store, ip) in [(db.store(), "203.0.113.9"), (other.as_ref(), "2001:db8::7")] {
                scope.spawn(move || {
                    for _ in 0..EACH {
                        touch(store, credential, ip, 2);
                    }
                });
            }
        });
        let a = get(db.store(), id).unwrap();
        assert_eq!(a.credentials[0].use_count, 4 * EACH);
        assert!(a.last_used_at.is_some());
    }
}
