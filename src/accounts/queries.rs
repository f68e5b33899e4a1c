//! Reads: a presented key by digest, a designated key, one account, every account, the shops.

use std::collections::BTreeMap;

use super::{
    parse_allowlist, Account, AccountError, Credential, KeyInfo, Pepper, Permissions, Policy,
};
use crate::catalog::Method;
use crate::storage::{Reader, Select, StorageResult, Store, Value};

/// Looks a presented key up: by digest, or where keys are kept in clear (a shop shopws is
/// attached to) in PrestaShop's own table, which is then the truth: a key PrestaShop's back
/// office created, changed or disabled is seen as such. `None` when no such key exists.
pub fn lookup(store: &dyn Store, key: &str, digest: &str) -> StorageResult<Option<KeyInfo>> {
    let clear = store.shared_with_prestashop();
    let mut out = None;
    store.read(&mut |r| {
        let cred = r.select(&Select {
            table: "shopws_key_credential",
            columns: &["id_webservice_account", "id"],
            key: vec![("digest", Value::from(digest))],
            order: &[],
            ..Default::default()
        })?;
        let by_digest = cred
            .first()
            .map(|c| (c[0].as_i64().unwrap_or(0), c[1].as_i64().unwrap_or(0)));
        let (id, credential_id) = if clear {
            // PrestaShop compares keys without regard to case (its column's collation) and
            // takes the first account holding it.
            let in_clear = r
                .select(&Select {
                    table: "webservice_account",
                    columns: &["id_webservice_account"],
                    key: vec![("key", Value::from(key.trim()))],
                    order: &["id_webservice_account"],
                    ..Default::default()
                })?
                .first()
                .and_then(|row| row[0].as_i64());
            let id = match (in_clear, by_digest) {
                (Some(id), _) => id,
                // A sealed key: PrestaShop's table holds a placeholder, shopws its digest.
                (None, Some((acc, _))) if sealed(r, acc)? => acc,
                _ => return Ok(()),
            };
            // Expiry and last use, when shopws knows this secret of this account.
            let credential = by_digest
                .filter(|(acc, _)| *acc == id)
                .map_or(0, |(_, c)| c);
            (id, credential)
        } else {
            match by_digest {
                Some(found) => found,
                None => return Ok(()),
            }
        };
        let Some(acc) = load_accounts(r, Some(id))?.into_iter().next() else {
            return Ok(());
        };
        let now = crate::clock::now();
        let expired = credential_id > 0
            && !acc
                .credentials
                .iter()
                .any(|c| c.id == credential_id && c.valid_at(&now));
        out = Some(KeyInfo {
            account_id: id,
            credential_id,
            active: acc.active,
            expired,
            permissions: acc.permissions,
            shops: acc.shops,
            policy: acc.policy,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Whether account `id`'s stored key is a sealed placeholder (not a 32-character key).
fn sealed(r: &mut dyn Reader, id: i64) -> StorageResult<bool> {
    let row = r.select(&Select {
        table: "webservice_account",
        columns: &["key"],
        key: vec![("id_webservice_account", Value::Int(id))],
        ..Default::default()
    })?;
    Ok(row
        .first()
        .is_some_and(|r| r[0].to_text().trim().len() != 32))
}

/// Finds the account a clear key (or a hint, or an account id) designates.
pub fn resolve(store: &dyn Store, pepper: &Pepper, designator: &str) -> Result<i64, AccountError> {
    let d = designator.trim();
    if let Ok(id) = d.parse::<i64>() {
        if d.len() < 32 {
            return Ok(id);
        }
    }
    let digest = pepper.digest(d);
    let by = |table: &str, column: &str, value: &str| {
        store.first_row(&Select {
            table,
            columns: &["id_webservice_account"],
            key: vec![(column, Value::from(value))],
            ..Default::default()
        })
    };
    let in_clear = if store.shared_with_prestashop() {
        by("webservice_account", "key", d)?
    } else {
        None
    };
    in_clear
        .or(by("shopws_key_credential", "digest", &digest)?)
        .and_then(|row| row[0].as_i64())
        .ok_or(AccountError::NotFound)
}

pub fn get(store: &dyn Store, id: i64) -> Result<Account, AccountError> {
    let mut out = None;
    store.read(&mut |r| {
        out = load_accounts(r, Some(id))?.into_iter().next();
        Ok(())
    })?;
    out.ok_or(AccountError::NotFound)
}

/// One account read inside a transaction (`None`: no such account).
pub(super) fn get_in(r: &mut dyn Reader, id: i64) -> StorageResult<Option<Account>> {
    Ok(load_accounts(r, Some(id))?.into_iter().next())
}

pub fn list(store: &dyn Store) -> Result<Vec<Account>, AccountError> {
    let mut out = Vec::new();
    store.read(&mut |r| {
        out = load_accounts(r, None)?;
        Ok(())
    })?;
    Ok(out)
}

pub fn shops(store: &dyn Store) -> StorageResult<Vec<(i64, String)>> {
    let mut out = Vec::new();
    store.read(&mut |r| {
        out = shop_list(r)?;
        Ok(())
    })?;
    Ok(out)
}

/// The shops of the database: (id, name).
pub(super) fn shop_list(r: &mut dyn Reader) -> StorageResult<Vec<(i64, String)>> {
    Ok(r.select(&Select {
        table: "shop",
        columns: &["id_shop", "name"],
        key: vec![],
        order: &["id_shop"],
        ..Default::default()
    })?
    .iter()
    .map(|row| (row[0].as_i64().unwrap_or(0), row[1].to_text()))
    .collect())
}

/// Every account (or one), with its secrets, permissions, shops and policy: one query per
/// table whatever the number of keys, grouped here.
fn load_accounts(r: &mut dyn Reader, only: Option<i64>) -> StorageResult<Vec<Account>> {
    let key = |col: &'static str| match only {
        Some(id) => vec![(col, Value::Int(id))],
        None => vec![],
    };
    let accounts = r.select(&Select {
        table: "webservice_account",
        columns: &["id_webservice_account", "description", "active", "key"],
        key: key("id_webservice_account"),
        order: &["id_webservice_account"],
        ..Default::default()
    })?;
    let mut by_id: BTreeMap<i64, Account> = accounts
        .iter()
        .map(|a| {
            let id = a[0].as_i64().unwrap_or(0);
            let acc = Account {
                id,
                description: row_str(&a[1]),
                active: a[2].as_i64().unwrap_or(0) != 0,
                // A key in clear (a shop shopws is attached to): its hint; a placeholder is
                // 31 characters.
                hint: match row_str(&a[3]) {
                    k if k.trim().len() == 32 => super::key::hint(k.trim()),
                    _ => "(PrestaShop key)".into(),
                },
                created_at: String::new(),
                expires_at: None,
                last_used_at: None,
                last_used_ip: None,
                created_by: String::new(),
                permissions: Permissions::new(),
                shops: Vec::new(),
                credentials: Vec::new(),
                policy: Policy::default(),
            };
            (id, acc)
        })
        .collect();
    if by_id.is_empty() {
        return Ok(Vec::new());
    }
    let opt = |v: &Value| (!v.is_null()).then(|| row_str(v));
    for c in r.select(&Select {
        table: "shopws_key_credential",
        columns: &[
            "id_webservice_account",
            "id",
            "hint",
            "created_at",
            "created_by",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "last_used_ip",
            "use_count",
        ],
        key: key("id_webservice_account"),
        order: &["id"],
        ..Default::default()
    })? {
        if let Some(acc) = c[0].as_i64().and_then(|id| by_id.get_mut(&id)) {
            acc.credentials.push(Credential {
                id: c[1].as_i64().unwrap_or(0),
                hint: row_str(&c[2]),
                created_at: row_str(&c[3]),
                created_by: row_str(&c[4]),
                expires_at: opt(&c[5]),
                retires_at: opt(&c[6]),
                last_used_at: opt(&c[7]),
                last_used_ip: opt(&c[8]),
                use_count: c[9].as_i64().unwrap_or(0),
            });
        }
    }
    for p in r.select(&Select {
        table: "webservice_permission",
        columns: &["id_webservice_account", "resource", "method"],
        key: key("id_webservice_account"),
        order: &["resource"],
        ..Default::default()
    })? {
        let acc = p[0].as_i64().and_then(|id| by_id.get_mut(&id));
        if let (Some(acc), Some(m)) = (acc, Method::parse(&row_str(&p[2]))) {
            acc.permissions.entry(row_str(&p[1])).or_default().insert(m);
        }
    }
    for s in r.select(&Select {
        table: "webservice_account_shop",
        columns: &["id_webservice_account", "id_shop"],
        key: key("id_webservice_account"),
        order: &["id_shop"],
        ..Default::default()
    })? {
        if let (Some(acc), Some(shop)) = (
            s[0].as_i64().and_then(|id| by_id.get_mut(&id)),
            s[1].as_i64(),
        ) {
            acc.shops.push(shop);
        }
    }
    for row in r.select(&Select {
        table: "shopws_key_policy",
        columns: &[
            "id_webservice_account",
            "ip_allowlist",
            "rate_per_sec",
            "burst",
        ],
        key: key("id_webservice_account"),
        order: &[],
        ..Default::default()
    })? {
        if let Some(acc) = row[0].as_i64().and_then(|id| by_id.get_mut(&id)) {
            acc.policy = policy_from(&row);
        }
    }
    Ok(by_id.into_values().map(summarise).collect())
}

/// Fills the account's headline fields from its secrets.
fn summarise(mut acc: Account) -> Account {
    if let Some(c) = acc.current().cloned() {
        acc.hint = c.hint;
        acc.expires_at = c.expires_at;
        acc.created_by = c.created_by;
    }
    if let Some(first) = acc.credentials.first() {
        acc.created_at = first.created_at.clone();
    }
    // Last use over every secret of the key.
    if let Some(c) = acc
        .credentials
        .iter()
        .filter(|c| c.last_used_at.is_some())
        .max_by(|x, y| x.last_used_at.cmp(&y.last_used_at))
    {
        acc.last_used_at = c.last_used_at.clone();
        acc.last_used_ip = c.last_used_ip.clone();
    }
    acc
}

fn policy_from(row: &[Value]) -> Policy {
    let positive = |v: &Value| {
        v.as_i64()
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v > 0)
    };
    let stored = row[1].to_text();
    // Fail closed: a stored allowlist that no longer parses must not open the key to every
    // address. 0.0.0.0 is never a client's source address, so nothing matches.
    let ip_allowlist = parse_allowlist(&stored).unwrap_or_else(|e| {
        tracing::error!(error = %e, "unreadable IP allowlist: the key is refused everywhere");
        vec![ipnet::IpNet::from(std::net::IpAddr::from([0, 0, 0, 0]))]
    });
    Policy {
        ip_allowlist,
        rate_per_sec: positive(&row[2]),
        burst: positive(&row[3]),
    }
}

fn row_str(v: &Value) -> String {
    v.to_text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::testing::{perms, TestDb};
    use crate::accounts::{key, set_active, set_policy};
    use crate::audit::Actor;
    use crate::catalog::MethodSet;

    fn customers_read() -> Permissions {
        perms(&[("customers", MethodSet::READ)])
    }

    #[test]
    fn a_key_is_found_by_its_digest() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        let (other, _) = db.add(&Permissions::new());
        assert_ne!(id, other);
        let info = db.info(&k).expect("the key is found");
        assert_eq!(info.account_id, id);
        assert!(info.active);
        assert!(!info.expired);
        assert_eq!(info.permissions, customers_read());
        assert_eq!(info.shops, vec![1], "every shop of the database");
        assert_eq!(info.policy, Policy::default());
        // PrestaShop compares keys case-insensitively.
        let lower = db.info(&k.to_ascii_lowercase()).expect("same key");
        assert_eq!(lower.credential_id, info.credential_id);
        assert!(db.info(&key::generate()).is_none(), "unknown key");
        let elsewhere = Pepper::from_bytes([8; 32]).digest(&k);
        assert!(
            lookup(db.store(), &k, &elsewhere).unwrap().is_none(),
            "the digest depends on the pepper"
        );
    }

    #[test]
    fn disabled_and_expired_keys_are_reported_as_such() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        set_active(db.store(), id, false, &Actor::CLI).unwrap();
        let disabled = db.info(&k).expect("a disabled key is still found");
        assert!(!disabled.active);
        assert!(!disabled.expired);

        let (past, expired) = db.add_with(&customers_read(), Some("2000-01-01 00:00:00"), true);
        let info = db.info(&expired).expect("an expired key is still found");
        assert!(info.active);
        assert!(info.expired);
        assert!(get(db.store(), past).unwrap().expired());

        let (later, valid) = db.add_with(&customers_read(), Some("2999-01-01 00:00:00"), true);
        assert!(!db.info(&valid).unwrap().expired);
        let account = get(db.store(), later).unwrap();
        assert!(!account.expired());
        assert_eq!(account.expires_at.as_deref(), Some("2999-01-01 00:00:00"));

        let (_, off) = db.add_with(&customers_read(), None, false);
        assert!(!db.info(&off).unwrap().active, "created disabled");
    }

    #[test]
    fn keys_are_designated_by_key_or_account_id() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        let p = &db.pepper;
        assert_eq!(resolve(db.store(), p, &k).unwrap(), id);
        assert_eq!(resolve(db.store(), p, &format!(" {k}\n")).unwrap(), id);
        assert_eq!(resolve(db.store(), p, &id.to_string()).unwrap(), id);
        assert!(matches!(
            resolve(db.store(), p, &key::generate()),
            Err(AccountError::NotFound)
        ));
        // A 32-digit key is a key, not an account id.
        assert!(matches!(
            resolve(db.store(), p, &"1".repeat(32)),
            Err(AccountError::NotFound)
        ));
    }

    #[test]
    fn accounts_are_listed_with_their_headline_fields() {
        let db = TestDb::new();
        assert!(list(db.store()).unwrap().is_empty());
        let (a, ka) = db.add(&customers_read());
        let (b, kb) = db.add(&Permissions::new());
        let all = list(db.store()).unwrap();
        let ids: Vec<i64> = all.iter().map(|x| x.id).collect();
        assert_eq!(ids, vec![a, b]);
        assert_eq!(all[0].hint, key::hint(&ka));
        assert_eq!(all[1].hint, key::hint(&kb));
        assert_eq!(all[0].description, "test key");
        assert_eq!(all[0].created_by, "cli");
        assert_eq!(all[0].created_at.len(), 19);
        assert_eq!(all[0].last_used_at, None);
        assert_eq!(all[0].permissions, customers_read());
        assert!(all[1].permissions.is_empty());
        assert_eq!(all[0].credentials.len(), 1);
        assert_eq!(get(db.store(), b).unwrap().hint, key::hint(&kb));
        assert!(matches!(
            get(db.store(), b + 1),
            Err(AccountError::NotFound)
        ));
        assert_eq!(
            shops(db.store()).unwrap(),
            vec![(1, "PrestaShop".to_string())]
        );
    }

    #[test]
    fn rate_limit_fields_read_back_and_non_positive_ones_mean_none() {
        let db = TestDb::new();
        let (id, k) = db.add(&customers_read());
        let p = Policy {
            ip_allowlist: parse_allowlist("10.0.0.0/8 2001:db8::/32").unwrap(),
            rate_per_sec: Some(5),
            burst: Some(10),
        };
        set_policy(db.store(), id, &p, &Actor::CLI).unwrap();
        assert_eq!(get(db.store(), id).unwrap().policy, p);
        assert_eq!(db.info(&k).unwrap().policy, p);

        db.store()
            .write(&mut |tx| {
                tx.update(
                    "shopws_key_policy",
                    &[("rate_per_sec", Value::Int(0)), ("burst", Value::Int(-3))],
                    &[("id_webservice_account", Value::Int(id))],
                )?;
                Ok(())
            })
            .unwrap();
        let read = get(db.store(), id).unwrap().policy;
        assert_eq!((read.rate_per_sec, read.burst), (None, None));
        assert_eq!(read.ip_allowlist, p.ip_allowlist);
    }
}
