//! What an account is: its secrets, permissions and shops, what authentication learns about a
//! presented key, and what creating or editing a key takes.

use std::collections::BTreeMap;

use super::key::KeyError;
use super::{KeyRefusal, Policy};
use crate::audit;
use crate::catalog::MethodSet;
use crate::storage::StorageError;

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

impl KeyInfo {
    /// PrestaShop's verdict on a key that exists: disabled or expired → #20 + #21, no
    /// permission at all → #21. The API applies it to every presented key; the back office's
    /// "Test this key" to the stored record.
    pub fn standing(&self) -> Result<(), KeyRefusal> {
        if !self.active || self.expired {
            return Err(KeyRefusal::Inactive);
        }
        if self.permissions.values().all(|m| m.is_empty()) {
            return Err(KeyRefusal::NoPermission);
        }
        Ok(())
    }

    /// What authentication would learn from the key's current secret (the back office knows
    /// the record, never the secret).
    pub fn of(a: &Account) -> KeyInfo {
        KeyInfo {
            account_id: a.id,
            credential_id: a.current().map_or(0, |c| c.id),
            active: a.active,
            expired: a.expired(),
            permissions: a.permissions.clone(),
            shops: a.shops.clone(),
            policy: a.policy.clone(),
        }
    }
}

/// What creating a key takes.
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

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("--allow takes RESOURCE=METHOD,METHOD (got {0})")]
    BadGrant(String),
    #[error("unknown method {0}")]
    UnknownMethod(String),
    #[error("{resource} does not allow {}; it allows {}", names(*refused), names(*allowed))]
    MethodNotAllowed {
        resource: String,
        refused: MethodSet,
        allowed: MethodSet,
    },
    #[error("unknown resource \"{0}\"")]
    UnknownResource(String),
    #[error("no key matches")]
    NotFound,
    #[error("{0}")]
    Unsupported(&'static str),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// `GET, HEAD`.
fn names(methods: MethodSet) -> String {
    let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    names.join(", ")
}
