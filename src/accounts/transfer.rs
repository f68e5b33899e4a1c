//! A key's configuration as a JSON document without any secret, format
//! `shopws-key-permissions/1`: written by "Export permissions" and `shopws key export`, read
//! back — strictly — by "Import permissions" and `shopws key import-permissions`, into the
//! same key, another key or another shop's key.
//!
//! ```json
//! {
//!   "format": "shopws-key-permissions/1",
//!   "description": "ERP sync",
//!   "active": true,
//!   "permissions": { "customers": ["GET", "HEAD"], "products": ["GET", "PUT", "HEAD"] },
//!   "policies": { "expires_at": "2027-12-31 23:59:59", "ip_allowlist": ["10.0.0.0/8"],
//!                 "rate_per_sec": 5, "burst": 10 }
//! }
//! ```
//!
//! Resources are sorted by name, methods in PrestaShop's order (GET, PUT, POST, PATCH,
//! DELETE, HEAD); `policies` and each of its fields appear only when set. Shops are not part
//! of it (their ids belong to one database). An import replaces the key's permissions; the
//! description and policies only when asked; the `active` flag is never applied (an import
//! does not switch a key on or off).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::commands::{audit_key, write_permissions};
use super::edit::write_policy;
use super::queries::get_in;
use super::{parse_allowlist, permission_diff, Account, AccountError, Permissions, Policy};
use crate::audit;
use crate::catalog::{Catalog, Method, MethodSet};
use crate::storage::{Store, Value};

/// The format marker of the document.
pub const FORMAT: &str = "shopws-key-permissions/1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    #[serde(default)]
    description: String,
    #[serde(default = "enabled")]
    active: bool,
    permissions: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Policies::is_empty")]
    policies: Policies,
}

fn enabled() -> bool {
    true
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Policies {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ip_allowlist: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rate_per_sec: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    burst: Option<u32>,
}

impl Policies {
    fn is_empty(&self) -> bool {
        self.expires_at.is_none()
            && self.ip_allowlist.is_empty()
            && self.rate_per_sec.is_none()
            && self.burst.is_none()
    }
}

/// A document read and checked: everything in it is valid for this catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    pub description: String,
    pub active: bool,
    pub permissions: Permissions,
    pub expires_at: Option<String>,
    pub policy: Policy,
}

/// Why a document is refused; nothing is changed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TransferError {
    #[error("The file is not valid JSON: {0}")]
    Json(String),
    #[error(
        "No \"format\" field: this is not a file written by \"Export permissions\" ({FORMAT})."
    )]
    NoFormat,
    #[error("Unknown format \"{0}\": only {FORMAT} files can be imported.")]
    Format(String),
    #[error("The file does not follow {FORMAT}: {0}")]
    Shape(String),
    #[error("{0}")]
    Permission(String),
    #[error("{0}")]
    Policy(String),
}

/// The document for `a`, indented, ending with a newline; the same key always gives the same
/// bytes.
pub fn export(a: &Account) -> String {
    let permissions = a
        .permissions
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .map(|(r, m)| {
            (
                r.clone(),
                m.iter().map(|m| m.as_str().to_string()).collect(),
            )
        })
        .collect();
    let doc = Document {
        format: FORMAT.to_string(),
        description: a.description.clone(),
        active: a.active,
        permissions,
        policies: Policies {
            expires_at: a.expires_at.clone(),
            ip_allowlist: a
                .policy
                .ip_allowlist
                .iter()
                .map(|n| n.to_string())
                .collect(),
            rate_per_sec: a.policy.rate_per_sec,
            burst: a.policy.burst,
        },
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads a document: valid JSON, the format marker, only known fields, resources the catalog
/// has, PrestaShop's method names (exactly), no method the resource forbids, valid policies.
pub fn parse(catalog: &Catalog, text: &str) -> Result<Transfer, TransferError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| TransferError::Json(e.to_string()))?;
    match value.get("format") {
        None => return Err(TransferError::NoFormat),
        Some(serde_json::Value::String(f)) if f == FORMAT => {}
        Some(serde_json::Value::String(f)) => return Err(TransferError::Format(f.clone())),
        Some(other) => return Err(TransferError::Format(other.to_string())),
    }
    let doc: Document =
        serde_json::from_value(value).map_err(|e| TransferError::Shape(e.to_string()))?;
    let permissions = permissions(catalog, &doc.permissions)?;
    let p = &doc.policies;
    let expires_at = match &p.expires_at {
        None => None,
        Some(e) => Some(expiry(e)?),
    };
    let ip_allowlist = parse_allowlist(&p.ip_allowlist.join(",")).map_err(TransferError::Policy)?;
    let positive = |n: Option<u32>, what: &str| match n {
        Some(0) => Err(TransferError::Policy(format!(
            "policies.{what} must be a whole number above 0"
        ))),
        n => Ok(n),
    };
    let rate_per_sec = positive(p.rate_per_sec, "rate_per_sec")?;
    let burst = positive(p.burst, "burst")?;
    if burst.is_some() && rate_per_sec.is_none() {
        return Err(TransferError::Policy(
            "policies.burst needs policies.rate_per_sec".into(),
        ));
    }
    Ok(Transfer {
        description: doc.description,
        active: doc.active,
        permissions,
        expires_at,
        policy: Policy {
            ip_allowlist,
            rate_per_sec,
            burst,
        },
    })
}

fn permissions(
    catalog: &Catalog,
    doc: &BTreeMap<String, Vec<String>>,
) -> Result<Permissions, TransferError> {
    let refused = |e: AccountError| TransferError::Permission(e.to_string());
    let mut out = Permissions::new();
    for (res, methods) in doc {
        let r = catalog
            .get(res)
            .ok_or_else(|| refused(AccountError::UnknownResource(res.clone())))?;
        let mut set = MethodSet::EMPTY;
        for m in methods {
            let method =
                Method::parse(m).ok_or_else(|| refused(AccountError::UnknownMethod(m.clone())))?;
            set.insert(method);
        }
        let allowed = MethodSet::ALL.minus(r.forbidden);
        let forbidden = set.minus(allowed);
        if !forbidden.is_empty() {
            return Err(refused(AccountError::MethodNotAllowed {
                resource: res.clone(),
                refused: forbidden,
                allowed,
            }));
        }
        if !set.is_empty() {
            out.insert(res.clone(), set);
        }
    }
    Ok(out)
}

/// `YYYY-MM-DD HH:MM:SS` (UTC), as exported.
fn expiry(e: &str) -> Result<String, TransferError> {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(e, &f)
        .map(|_| e.to_string())
        .map_err(|_| {
            TransferError::Policy(format!(
                "policies.expires_at must read YYYY-MM-DD HH:MM:SS (UTC), not \"{e}\""
            ))
        })
}

/// What importing `t` into `a` changes, in the audit log's words: the permission diff
/// (`+products:POST -customers:DELETE`), then, `with_settings`, the description and policies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    pub permissions: String,
    pub settings: Vec<String>,
}

impl Changes {
    pub fn of(a: &Account, t: &Transfer, with_settings: bool) -> Changes {
        let mut settings = Vec::new();
        if with_settings {
            if a.description != t.description {
                settings.push(format!("description \"{}\"", t.description));
            }
            if a.expires_at != t.expires_at {
                settings.push(format!(
                    "expires {}",
                    t.expires_at.as_deref().unwrap_or("never")
                ));
            }
            if a.policy != t.policy {
                settings.push(t.policy.describe());
            }
        }
        Changes {
            permissions: permission_diff(&a.permissions, &t.permissions),
            settings,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.permissions.is_empty() && self.settings.is_empty()
    }

    /// One line for the audit log and the pages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.permissions.is_empty() {
            parts.push(self.permissions.clone());
        }
        parts.extend(self.settings.iter().cloned());
        if parts.is_empty() {
            "no change".into()
        } else {
            parts.join("; ")
        }
    }
}

/// Imports `t` into key `id` in one transaction: its permissions replaced by the document's,
/// and with `with_settings` its description, expiry, IP allowlist and rate limit too. The audit
/// row (`key.import-permissions`) carries what changed; that is also returned.
pub fn import(
    store: &dyn Store,
    id: i64,
    t: &Transfer,
    with_settings: bool,
    actor: &audit::Actor,
) -> Result<Changes, AccountError> {
    let mut changes = None;
    store.write(&mut |tx| {
        let Some(old) = get_in(tx, id)? else {
            changes = None;
            return Ok(());
        };
        let c = Changes::of(&old, t, with_settings);
        if old.permissions != t.permissions {
            write_permissions(tx, id, &t.permissions)?;
        }
        if with_settings {
            let key = [("id_webservice_account", Value::Int(id))];
            tx.update(
                "webservice_account",
                &[("description", Value::from(t.description.as_str()))],
                &key,
            )?;
            tx.update(
                "shopws_key_credential",
                &[(
                    "expires_at",
                    t.expires_at
                        .as_deref()
                        .map(Value::from)
                        .unwrap_or(Value::Null),
                )],
                &key,
            )?;
            write_policy(tx, id, &t.policy, actor)?;
        }
        audit_key(
            tx,
            actor,
            "key.import-permissions",
            id,
            &old.hint,
            &c.describe(),
        )?;
        changes = Some(c);
        Ok(())
    })?;
    changes.ok_or(AccountError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::testing::{perms, TestDb};
    use crate::accounts::{get, set_policy, update, KeyUpdate};
    use crate::audit::Actor;
    use crate::catalog::Method::{Get, Head, Post, Put};

    fn catalog() -> &'static Catalog {
        Catalog::embedded().expect("catalog")
    }

    fn set(methods: &[Method]) -> MethodSet {
        methods.iter().copied().collect()
    }

    fn doc(permissions: &str) -> String {
        format!(r#"{{"format": "{FORMAT}", "permissions": {permissions}}}"#)
    }

    #[test]
    fn export_is_deterministic_and_reads_back() {
        let db = TestDb::new();
        let p = perms(&[
            ("products", set(&[Head, Put, Get])),
            ("customers", MethodSet::READ),
        ]);
        let (id, key) = db.add(&p);
        let policy = Policy {
            ip_allowlist: parse_allowlist("10.0.0.0/8 2001:db8::1").unwrap(),
            rate_per_sec: Some(5),
            burst: Some(10),
        };
        set_policy(db.store(), id, &policy, &Actor::CLI).unwrap();
        let a = get(db.store(), id).unwrap();
        let text = export(&a);
        assert_eq!(
            text,
            format!(
                r#"{{
  "format": "{FORMAT}",
  "description": "test key",
  "active": true,
  "permissions": {{
    "customers": [
      "GET",
      "HEAD"
    ],
    "products": [
      "GET",
      "PUT",
      "HEAD"
    ]
  }},
  "policies": {{
    "ip_allowlist": [
      "10.0.0.0/8",
      "2001:db8::1/128"
    ],
    "rate_per_sec": 5,
    "burst": 10
  }}
}}
"#
            )
        );
        assert_eq!(export(&get(db.store(), id).unwrap()), text, "same bytes");
        assert!(!text.contains(&key) && !text.contains(&a.hint), "no secret");
        let t = parse(catalog(), &text).unwrap();
        assert_eq!(t.permissions, p);
        assert_eq!(t.policy, policy);
        assert_eq!((t.description.as_str(), t.active), ("test key", true));
        assert_eq!(t.expires_at, None);
    }

    #[test]
    fn a_key_without_policies_has_no_policies_object() {
        let db = TestDb::new();
        let (id, _) = db.add(&perms(&[("taxes", set(&[Get]))]));
        let text = export(&get(db.store(), id).unwrap());
        assert!(!text.contains("policies"), "{text}");
        assert_eq!(parse(catalog(), &text).unwrap().policy, Policy::default());
    }

    #[test]
    fn every_mistake_is_refused_with_its_reason() {
        let err = |text: &str| parse(catalog(), text).unwrap_err().to_string();
        assert!(err("{\"format\": ").starts_with("The file is not valid JSON"));
        assert!(err("").starts_with("The file is not valid JSON"));
        assert!(err("[1, 2]").starts_with("No \"format\" field"));
        assert!(err(r#"{"permissions": {}}"#).starts_with("No \"format\" field"));
        assert_eq!(
            err(r#"{"format": "prestashop/9", "permissions": {}}"#),
            format!("Unknown format \"prestashop/9\": only {FORMAT} files can be imported.")
        );
        assert!(err(r#"{"format": 1}"#).starts_with("Unknown format \"1\""));
        assert!(
            err(&format!(r#"{{"format": "{FORMAT}"}}"#)).contains("missing field `permissions`")
        );
        assert!(err(&doc(r#"{"taxes": ["GET"]}, "key": "X""#)).contains("unknown field `key`"));
        assert!(err(&doc(r#"{"taxes": "GET"}"#)).contains("invalid type"));
        assert_eq!(
            err(&doc(r#"{"dragons": ["GET"]}"#)),
            "unknown resource \"dragons\""
        );
        assert_eq!(err(&doc(r#"{"taxes": ["get"]}"#)), "unknown method get");
        assert_eq!(err(&doc(r#"{"taxes": ["TRACE"]}"#)), "unknown method TRACE");
        assert_eq!(
            err(&doc(r#"{"stocks": ["GET", "POST"]}"#)),
            "stocks does not allow POST; it allows GET, HEAD"
        );
        let with_policies = |p: &str| {
            err(&format!(
                r#"{{"format": "{FORMAT}", "permissions": {{}}, "policies": {p}}}"#
            ))
        };
        assert_eq!(
            with_policies(r#"{"ip_allowlist": ["10.0.0.300"]}"#),
            "not an IP address or network: 10.0.0.300"
        );
        assert!(with_policies(r#"{"expires_at": "2030-01-01"}"#).contains("YYYY-MM-DD HH:MM:SS"));
        assert!(with_policies(r#"{"rate_per_sec": 0}"#).contains("above 0"));
        assert!(with_policies(r#"{"rate_per_sec": -1}"#).contains("does not follow"));
        assert!(with_policies(r#"{"burst": 3}"#).contains("needs policies.rate_per_sec"));
        assert!(with_policies(r#"{"owner": "me"}"#).contains("unknown field `owner`"));
    }

    #[test]
    fn lenient_where_nothing_is_lost() {
        let t = parse(catalog(), &doc(r#"{"taxes": ["GET", "GET"], "zones": []}"#)).unwrap();
        assert_eq!(t.permissions, perms(&[("taxes", set(&[Get]))]));
        assert!(t.active && t.description.is_empty(), "defaults");
    }

    #[test]
    fn import_replaces_permissions_and_audits_the_diff() {
        let db = TestDb::new();
        let (id, key) = db.add(&perms(&[("customers", set(&[Get, Post]))]));
        let t = parse(
            catalog(),
            &format!(
                r#"{{"format": "{FORMAT}", "description": "copied", "active": false,
                    "permissions": {{"customers": ["GET"], "products": ["POST"]}},
                    "policies": {{"expires_at": "2999-01-01 00:00:00", "rate_per_sec": 3}}}}"#
            ),
        )
        .unwrap();
        let c = import(db.store(), id, &t, false, &Actor::CLI).unwrap();
        assert_eq!(c.describe(), "+products:POST -customers:POST");
        let a = get(db.store(), id).unwrap();
        assert_eq!(a.permissions, t.permissions);
        assert_eq!(a.description, "test key", "settings untouched");
        assert!(a.active && a.expires_at.is_none() && a.policy == Policy::default());
        assert_eq!(
            db.audit(id).pop().unwrap(),
            (
                "key.import-permissions".to_string(),
                "+products:POST -customers:POST".to_string()
            )
        );

        let c = import(db.store(), id, &t, true, &Actor::CLI).unwrap();
        assert_eq!(
            c.describe(),
            "description \"copied\"; expires 2999-01-01 00:00:00; ip [] rate Some(3) burst None"
        );
        let a = get(db.store(), id).unwrap();
        assert_eq!(a.description, "copied");
        assert!(a.active, "an import never switches a key on or off");
        assert_eq!(a.expires_at.as_deref(), Some("2999-01-01 00:00:00"));
        assert_eq!(a.policy.rate_per_sec, Some(3));
        assert_eq!(db.info(&key).map(|i| i.account_id), Some(id), "same secret");

        // Back to no policies at all.
        update(
            db.store(),
            id,
            &KeyUpdate {
                description: "x",
                active: true,
                permissions: &t.permissions,
                expires_at: None,
                policy: &Policy::default(),
                shops: None,
                actor: &Actor::CLI,
            },
        )
        .unwrap();
        let same = import(db.store(), id, &t, false, &Actor::CLI).unwrap();
        assert!(same.is_empty() && same.describe() == "no change");
        assert!(matches!(
            import(db.store(), 999, &t, false, &Actor::CLI),
            Err(AccountError::NotFound)
        ));
    }
}
