//! Account types, permission sets, policies, and the reads and writes of accounts.

use std::collections::BTreeMap;

use super::key::{self, KeyError, Pepper};
use crate::audit;
use crate::catalog::{Catalog, Method, MethodSet};
use crate::storage::{Select, StorageError, StorageResult, Store, Tx, Value};

/// Permissions of one key: resource name → methods.
pub type Permissions = BTreeMap<String, MethodSet>;

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub description: String,
    pub active: bool,
    pub hint: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    pub created_by: String,
    pub permissions: Permissions,
    pub shops: Vec<i64>,
    /// Oldest first; more than one while a rotated key's old secret is still valid.
    pub credentials: Vec<Credential>,
    pub policy: Policy,
}

/// One secret of an account (a rotated key has two while the old one is retiring).
#[derive(Debug, Clone)]
pub struct Credential {
    pub id: i64,
    pub hint: String,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: Option<String>,
    /// When a rotated-out secret stops working.
    pub retires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    pub use_count: i64,
}

impl Credential {
    /// Still accepted at `now` (UTC, `YYYY-MM-DD HH:MM:SS`)?
    pub fn valid_at(&self, now: &str) -> bool {
        self.expires_at.as_deref().is_none_or(|e| e > now)
            && self.retires_at.as_deref().is_none_or(|r| r > now)
    }
}

impl Account {
    /// The current secret: the newest that is not retiring.
    pub fn current(&self) -> Option<&Credential> {
        self.credentials
            .iter()
            .rev()
            .find(|c| c.retires_at.is_none())
            .or(self.credentials.last())
    }

    /// Expired: no secret of the key is accepted any more.
    pub fn expired(&self) -> bool {
        let now = crate::clock::now();
        !self.credentials.is_empty() && !self.credentials.iter().any(|c| c.valid_at(&now))
    }
}

/// What authentication learns about a presented key.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub account_id: i64,
    pub credential_id: i64,
    pub active: bool,
    pub expired: bool,
    pub permissions: Permissions,
    pub shops: Vec<i64>,
    pub policy: Policy,
}

/// shopws's own limits on a key (PrestaShop has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// Client networks allowed to use the key; empty: any.
    pub ip_allowlist: Vec<ipnet::IpNet>,
    /// Requests per second (token bucket) and the burst allowed above it.
    pub rate_per_sec: Option<u32>,
    pub burst: Option<u32>,
}

impl Policy {
    pub fn allows(&self, ip: std::net::IpAddr) -> bool {
        self.ip_allowlist.is_empty() || self.ip_allowlist.iter().any(|n| n.contains(&ip))
    }
}

/// Parses "10.0.0.0/8, 192.168.1.7" (single addresses are /32 or /128).
pub fn parse_allowlist(s: &str) -> Result<Vec<ipnet::IpNet>, String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.parse::<ipnet::IpNet>()
                .or_else(|_| x.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("not an IP address or network: {x}"))
        })
        .collect()
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

impl Policy {
    /// For the audit log: `ip [10.0.0.0/8] rate Some(5) burst None`.
    pub fn describe(&self) -> String {
        let list: Vec<String> = self.ip_allowlist.iter().map(|n| n.to_string()).collect();
        format!(
            "ip [{}] rate {:?} burst {:?}",
            list.join(","),
            self.rate_per_sec,
            self.burst
        )
    }
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

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("unknown resource \"{0}\"")]
    UnknownResource(String),
    #[error("no key matches")]
    NotFound,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// 31 random characters: never a valid key (PrestaShop requires 32), unique per row.
fn placeholder() -> String {
    key::generate()[..31].to_string()
}

pub struct NewKey<'a> {
    pub key: Option<&'a str>,
    pub description: &'a str,
    pub active: bool,
    pub permissions: &'a Permissions,
    pub expires_at: Option<&'a str>,
    /// Shops the key may be used on; `None`: every shop (PrestaShop's default).
    pub shops: Option<&'a [i64]>,
    pub actor: &'a audit::Actor<'a>,
}

/// Checks resource names against the catalog and drops methods the resource forbids.
pub fn clean_permissions(catalog: &Catalog, p: &Permissions) -> Result<Permissions, AccountError> {
    let mut out = Permissions::new();
    for (res, methods) in p {
        let r = catalog
            .get(res)
            .ok_or_else(|| AccountError::UnknownResource(res.clone()))?;
        let m = methods.minus(r.forbidden);
        if !m.is_empty() {
            out.insert(res.clone(), m);
        }
    }
    Ok(out)
}

/// Every method the resource allows, on every resource.
pub fn all_permissions(catalog: &Catalog) -> Permissions {
    catalog
        .resources()
        .map(|r| (r.api.clone(), MethodSet::ALL.minus(r.forbidden)))
        .collect()
}

/// GET and HEAD on every resource.
pub fn read_only_permissions(catalog: &Catalog) -> Permissions {
    catalog
        .resources()
        .map(|r| (r.api.clone(), MethodSet::READ))
        .collect()
}

/// The shops of the database: (id, name).
fn shop_list(r: &mut dyn crate::storage::Reader) -> StorageResult<Vec<(i64, String)>> {
    Ok(r.select(&Select {
        table: "shop",
        columns: &["id_shop", "name"],
        key: vec![],
        order: &["id_shop"],
    })?
    .iter()
    .map(|row| (row[0].as_i64().unwrap_or(0), row[1].to_text()))
    .collect())
}

pub fn shops(store: &dyn Store) -> StorageResult<Vec<(i64, String)>> {
    let mut out = Vec::new();
    store.read(&mut |r| {
        out = shop_list(r)?;
        Ok(())
    })?;
    Ok(out)
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

pub fn permission_summary(p: &Permissions) -> String {
    let parts: Vec<String> = p
        .iter()
        .map(|(r, m)| {
            let ms: Vec<&str> = m.iter().map(|m| m.as_str()).collect();
            format!("{r}={}", ms.join(","))
        })
        .collect();
    parts.join(" ")
}

fn row_str(v: &Value) -> String {
    v.to_text()
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
    store
        .first_row(&Select {
            table: "shopws_key_credential",
            columns: &["id_webservice_account"],
            key: vec![("digest", Value::from(digest.as_str()))],
            order: &[],
        })?
        .and_then(|row| row[0].as_i64())
        .ok_or(AccountError::NotFound)
}

pub fn list(store: &dyn Store) -> Result<Vec<Account>, AccountError> {
    let mut out = Vec::new();
    store.read(&mut |r| {
        out = load_accounts(r, None)?;
        Ok(())
    })?;
    Ok(out)
}

fn policy_from(row: &[Value]) -> Policy {
    let positive = |v: &Value| {
        v.as_i64()
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v > 0)
    };
    Policy {
        ip_allowlist: parse_allowlist(&row[1].to_text()).unwrap_or_default(),
        rate_per_sec: positive(&row[2]),
        burst: positive(&row[3]),
    }
}

/// Every account (or one), with its secrets, permissions, shops and policy: one query per
/// table whatever the number of keys, grouped here.
fn load_accounts(
    r: &mut dyn crate::storage::Reader,
    only: Option<i64>,
) -> StorageResult<Vec<Account>> {
    let key = |col: &'static str| match only {
        Some(id) => vec![(col, Value::Int(id))],
        None => vec![],
    };
    let accounts = r.select(&Select {
        table: "webservice_account",
        columns: &["id_webservice_account", "description", "active"],
        key: key("id_webservice_account"),
        order: &["id_webservice_account"],
    })?;
    let mut by_id: BTreeMap<i64, Account> = accounts
        .iter()
        .map(|a| {
            let id = a[0].as_i64().unwrap_or(0);
            let acc = Account {
                id,
                description: row_str(&a[1]),
                active: a[2].as_i64().unwrap_or(0) != 0,
                hint: "(PrestaShop key)".into(),
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

pub fn get(store: &dyn Store, id: i64) -> Result<Account, AccountError> {
    let mut out = None;
    store.read(&mut |r| {
        out = load_accounts(r, Some(id))?.into_iter().next();
        Ok(())
    })?;
    out.ok_or(AccountError::NotFound)
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

/// Looks a presented key up by digest. `None` when no such key exists.
pub fn lookup(store: &dyn Store, digest: &str) -> StorageResult<Option<KeyInfo>> {
    let mut out = None;
    store.read(&mut |r| {
        let cred = r.select(&Select {
            table: "shopws_key_credential",
            columns: &["id_webservice_account", "id"],
            key: vec![("digest", Value::from(digest))],
            order: &[],
        })?;
        let Some(c) = cred.first() else {
            return Ok(());
        };
        let id = c[0].as_i64().unwrap_or(0);
        let credential_id = c[1].as_i64().unwrap_or(0);
        let Some(acc) = load_accounts(r, Some(id))?.into_iter().next() else {
            return Ok(());
        };
        let now = crate::clock::now();
        let expired = !acc
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

/// The difference between two sets of permissions, e.g. `+products:POST -customers:DELETE`.
pub fn permission_diff(old: &Permissions, new: &Permissions) -> String {
    let flat = |p: &Permissions| -> std::collections::BTreeSet<String> {
        p.iter()
            .flat_map(|(r, ms)| ms.iter().map(move |m| format!("{r}:{}", m.as_str())))
            .collect()
    };
    let (o, n) = (flat(old), flat(new));
    let mut parts: Vec<String> = n.difference(&o).map(|x| format!("+{x}")).collect();
    parts.extend(o.difference(&n).map(|x| format!("-{x}")));
    parts.join(" ")
}

/// What the edit form changes; the secret is not among it (rotate instead).
pub struct KeyUpdate<'a> {
    pub description: &'a str,
    pub active: bool,
    pub permissions: &'a Permissions,
    pub expires_at: Option<&'a str>,
    pub policy: &'a Policy,
    /// `None`: unchanged.
    pub shops: Option<&'a [i64]>,
    pub actor: &'a audit::Actor<'a>,
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
