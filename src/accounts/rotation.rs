//! Rotation: a key gets a new secret while the old one keeps working for a while, so that
//! clients can be switched over without an outage.

use super::commands::insert_credential;
use super::key::{self, Pepper};
use super::queries::get_in;
use super::{audit_key, AccountError};
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
    let clear = store.shared_with_prestashop();
    if clear && overlap_secs > 0 {
        // PrestaShop's table holds one key per account: the old one cannot stay valid beside
        // the new one without a second account.
        return Err(AccountError::Unsupported(
            "keys kept in PrestaShop's table (an attached shop) rotate without overlap: use --overlap 0",
        ));
    }
    let key = key::generate();
    let digest = pepper.digest(&key);
    let hint = key::hint(&key);
    let now = crate::clock::now();
    let retire = crate::clock::now_plus(overlap_secs.max(0));
    let mut missing = false;
    store.write(&mut |tx| {
        // The secrets are read inside the transaction, with the account's row held: a
        // rotation running at the same time, here or on another
        // node, has either finished, and its new secret is retired with the others, or waits.
        let account = [("id_webservice_account", Value::Int(id))];
        tx.lock_rows("webservice_account", &account)?;
        let Some(old) = get_in(tx, id)? else {
            missing = true;
            return Ok(());
        };
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
        if clear {
            tx.update(
                "webservice_account",
                &[("key", Value::from(key.as_str()))],
                &account,
            )?;
        }
        insert_credential(
            tx,
            id,
            &digest,
            &hint,
            actor.name,
            old.expires_at.as_deref(),
            &now,
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
    if missing {
        return Err(AccountError::NotFound);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::get;
    use crate::accounts::testing::{perms, TestDb};
    use crate::accounts::Permissions;
    use crate::catalog::MethodSet;

    fn rotate_cli(db: &TestDb, id: i64, overlap: i64) -> String {
        rotate(db.store(), &db.pepper, id, overlap, &audit::Actor::CLI).unwrap()
    }

    #[test]
    fn the_old_secret_works_until_its_overlap_ends() {
        let db = TestDb::new();
        let p = perms(&[("customers", MethodSet::READ)]);
        let (id, old) = db.add(&p);
        let new = rotate_cli(&db, id, 3600);
        assert_ne!(new, old);
        assert_eq!(key::validate(&new), Ok(()));
        for k in [&old, &new] {
            let info = db.info(k).expect("both secrets are found");
            assert_eq!(info.account_id, id);
            assert!(!info.expired);
            assert_eq!(info.permissions, p);
            assert_eq!(info.shops, vec![1]);
        }
        let a = get(db.store(), id).unwrap();
        assert_eq!(a.credentials.len(), 2);
        assert_eq!(a.hint, key::hint(&new), "the new secret is the current one");
        let retiring = &a.credentials[0];
        assert_eq!(retiring.hint, key::hint(&old));
        let until = retiring.retires_at.clone().expect("the old secret retires");
        assert!(until > crate::clock::now_plus(3590) && until <= crate::clock::now_plus(3600));
        assert!(retiring.valid_at(&crate::clock::now_plus(3500)));
        assert!(!retiring.valid_at(&until), "not once the overlap has ended");
        assert!(a.credentials[1].valid_at(&crate::clock::now_plus(86_400 * 365)));
        let (action, details) = db.audit(id).pop().unwrap();
        assert_eq!(action, "key.rotate");
        assert_eq!(
            details,
            format!("old secret {} valid until {until}", key::hint(&old))
        );
    }

    #[test]
    fn without_overlap_the_old_secret_stops_at_once() {
        let db = TestDb::new();
        let (id, old) = db.add(&perms(&[("customers", MethodSet::READ)]));
        let new = rotate_cli(&db, id, 0);
        assert!(db.info(&old).expect("still known").expired);
        assert!(!db.info(&new).unwrap().expired);
        assert!(!get(db.store(), id).unwrap().expired(), "the key lives on");
    }

    #[test]
    fn rotating_again_never_extends_an_overlap_and_drops_dead_secrets() {
        let db = TestDb::new();
        let (id, a) = db.add_with(&Permissions::new(), Some("2999-01-01 00:00:00"), true);
        let b = rotate_cli(&db, id, 3600);
        let c = rotate_cli(&db, id, 60);
        let retires = |k: &str| {
            let acc = get(db.store(), id).unwrap();
            acc.credentials
                .iter()
                .find(|c| c.hint == key::hint(k))
                .map(|c| c.retires_at.clone())
        };
        let soon = retires(&a).flatten().expect("a retires");
        assert!(soon <= crate::clock::now_plus(60), "shortened from an hour");
        assert_eq!(retires(&b).flatten(), Some(soon.clone()));
        let d = rotate_cli(&db, id, 7200);
        assert_eq!(retires(&a).flatten(), Some(soon), "not extended");
        assert!(retires(&c)
            .flatten()
            .is_some_and(|r| r > crate::clock::now_plus(3600)));
        assert_eq!(retires(&d), Some(None));
        // The expiry is the key's: new secrets keep it.
        let acc = get(db.store(), id).unwrap();
        assert_eq!(acc.credentials.len(), 4);
        assert!(acc
            .credentials
            .iter()
            .all(|c| c.expires_at.as_deref() == Some("2999-01-01 00:00:00")));

        rotate_cli(&db, id, 0);
        let f = rotate_cli(&db, id, 0);
        let acc = get(db.store(), id).unwrap();
        let hints: Vec<&str> = acc.credentials.iter().map(|c| c.hint.as_str()).collect();
        assert_eq!(
            hints.len(),
            2,
            "secrets already retired are deleted: {hints:?}"
        );
        assert_eq!(acc.hint, key::hint(&f));
        for k in [&a, &b, &c, &d] {
            assert!(db.info(k).is_none_or(|i| i.expired), "{k}");
        }
    }

    #[test]
    fn an_unknown_key_cannot_be_rotated() {
        let db = TestDb::new();
        let r = rotate(db.store(), &db.pepper, 42, 60, &audit::Actor::CLI);
        assert!(matches!(r, Err(AccountError::NotFound)));
    }

    #[test]
    fn two_rotations_at_once_leave_one_current_secret() {
        let db = TestDb::new();
        let (id, old) = db.add(&perms(&[("customers", MethodSet::READ)]));
        let other = db.reopen();
        let keys: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = [db.store(), other.as_ref()]
                .into_iter()
                .map(|store| {
                    let pepper = &db.pepper;
                    s.spawn(move || rotate(store, pepper, id, 0, &audit::Actor::CLI).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let a = get(db.store(), id).unwrap();
        let later = crate::clock::now_plus(1);
        let valid: Vec<&str> = a
            .credentials
            .iter()
            .filter(|c| c.valid_at(&later))
            .map(|c| c.hint.as_str())
            .collect();
        assert_eq!(valid, vec![a.hint.as_str()], "{:?}", a.credentials);
        assert!(keys.iter().any(|k| key::hint(k) == a.hint));
        assert_ne!(key::hint(&old), a.hint);
    }
}
