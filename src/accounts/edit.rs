//! Changes to an existing key: the edit form, the switch, permissions and policy. Each leaves
//! an audit row with what changed.

use super::commands::{audit_key, write_permissions, write_shops};
use super::{get, permission_diff, AccountError, KeyUpdate, Permissions, Policy};
use crate::audit;
use crate::storage::{StorageResult, Store, Tx, Value};

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

pub(super) fn write_policy(
    tx: &mut dyn Tx,
    id: i64,
    p: &Policy,
    actor: &audit::Actor,
) -> StorageResult<()> {
    let list: Vec<String> = p.ip_allowlist.iter().map(|n| n.to_string()).collect();
    let key = [("id_webservice_account", Value::Int(id))];
    let number = |n: Option<u32>| n.map(|v| Value::Int(i64::from(v))).unwrap_or(Value::Null);
    tx.upsert(
        "shopws_key_policy",
        &key,
        &[
            ("ip_allowlist", Value::from(list.join(","))),
            ("rate_per_sec", number(p.rate_per_sec)),
            ("burst", number(p.burst)),
            ("updated_at", Value::from(crate::clock::now())),
            ("updated_by", Value::from(actor.name)),
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::parse_allowlist;
    use crate::accounts::testing::{perms, TestDb};
    use crate::audit::Actor;
    use crate::catalog::{Method, MethodSet};

    fn customers_read() -> Permissions {
        perms(&[("customers", MethodSet::READ)])
    }

    #[test]
    fn the_edit_form_changes_everything_but_the_secret() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        let p = perms(&[("products", MethodSet::ALL)]);
        let policy = Policy {
            ip_allowlist: parse_allowlist("192.0.2.0/24").unwrap(),
            rate_per_sec: Some(2),
            burst: None,
        };
        let no_shop: &[i64] = &[];
        update(
            db.store(),
            id,
            &KeyUpdate {
                description: "ERP",
                active: false,
                permissions: &p,
                expires_at: Some("2999-01-01 00:00:00"),
                policy: &policy,
                shops: Some(no_shop),
                actor: &Actor::CLI,
            },
        )
        .unwrap();
        let a = get(db.store(), id).unwrap();
        assert_eq!(a.description, "ERP");
        assert!(!a.active);
        assert_eq!(a.permissions, p);
        assert_eq!(a.expires_at.as_deref(), Some("2999-01-01 00:00:00"));
        assert_eq!(a.policy, policy);
        assert!(a.shops.is_empty());
        assert_eq!(db.info(&k).map(|i| i.account_id), Some(id), "same secret");
        let (action, details) = db.audit(id).pop().unwrap();
        assert_eq!(action, "key.edit");
        assert_eq!(
            details,
            "description changed; status off; expires 2999-01-01 00:00:00; \
             ip [192.0.2.0/24] rate Some(2) burst None; shops []; \
             +products:DELETE +products:GET +products:HEAD +products:PATCH +products:POST \
             +products:PUT -customers:GET -customers:HEAD"
        );
    }

    #[test]
    fn switching_and_replacing_permissions_leave_audit_rows() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        set_active(db.store(), id, false, &Actor::CLI).unwrap();
        assert!(!get(db.store(), id).unwrap().active);
        set_active(db.store(), id, true, &Actor::CLI).unwrap();
        let p = perms(&[("customers", [Method::Get].into_iter().collect())]);
        set_permissions(db.store(), id, &p, &Actor::CLI).unwrap();
        assert_eq!(db.info(&k).unwrap().permissions, p);
        let actions: Vec<(String, String)> = db.audit(id).into_iter().skip(1).collect();
        let expected = [
            ("key.disable", ""),
            ("key.enable", ""),
            ("key.permissions", "-customers:HEAD"),
        ];
        assert_eq!(
            actions,
            expected.map(|(a, d)| (a.to_string(), d.to_string()))
        );
    }

    #[test]
    fn a_policy_written_again_replaces_the_last_one_even_from_two_handles_at_once() {
        let db = TestDb::new();
        let (id, _) = db.add(&customers_read());
        let other = db.reopen();
        let policy = |n: u32| Policy {
            ip_allowlist: parse_allowlist("192.0.2.0/24").unwrap(),
            rate_per_sec: Some(n),
            burst: None,
        };
        std::thread::scope(|s| {
            for (store, base) in [(db.store(), 100), (other.as_ref(), 200)] {
                s.spawn(move || {
                    for n in 0..30 {
                        set_policy(store, id, &policy(base + n), &Actor::CLI).unwrap();
                    }
                });
            }
        });
        let rows = db
            .store()
            .reading(|rd| {
                rd.select(&crate::storage::Select {
                    table: "shopws_key_policy",
                    columns: &["rate_per_sec"],
                    key: vec![("id_webservice_account", Value::Int(id))],
                    order: &[],
                    ..Default::default()
                })
            })
            .unwrap();
        assert_eq!(rows.len(), 1);
        let last = crate::accounts::get(db.store(), id).unwrap().policy;
        assert!([policy(129), policy(229)].contains(&last), "{last:?}");
    }
}
