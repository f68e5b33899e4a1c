//! Accounts on a real SQLite database in a temporary directory, set up as the command line sets
//! up a new one: schema on open, then PrestaShop's reference data (one shop, id 1).

use super::{create, lookup, KeyInfo, NewKey, Pepper, Permissions};
use crate::audit::Actor;
use crate::catalog::MethodSet;
use crate::storage::{self, SeedMode, Select, Store, Value};

pub struct TestDb {
    pub store: Box<dyn Store>,
    pub pepper: Pepper,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("shop.db");
        let store = storage::open(&format!("sqlite:{}", path.display()), 1).expect("database");
        let seeded = store.seed(SeedMode::Reference).expect("reference data");
        assert!(seeded, "a new database gets the reference data");
        TestDb {
            store,
            pepper: Pepper::from_bytes([7; 32]),
            _dir: dir,
        }
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Another handle on the same database file (a second node, say).
    pub fn reopen(&self) -> Box<dyn Store> {
        let path = self._dir.path().join("shop.db");
        storage::open(&format!("sqlite:{}", path.display()), 1).expect("database")
    }

    /// A generated key, active, on every shop, never expiring: (account id, key).
    pub fn add(&self, permissions: &Permissions) -> (i64, String) {
        self.add_with(permissions, None, true)
    }

    pub fn add_with(
        &self,
        permissions: &Permissions,
        expires_at: Option<&str>,
        active: bool,
    ) -> (i64, String) {
        create(
            self.store(),
            &self.pepper,
            &NewKey {
                key: None,
                description: "test key",
                active,
                permissions,
                expires_at,
                shops: None,
                actor: &Actor::CLI,
            },
        )
        .expect("key created")
    }

    /// What authentication learns about a presented key.
    pub fn info(&self, key: &str) -> Option<KeyInfo> {
        lookup(self.store(), key, &self.pepper.digest(key)).expect("lookup")
    }

    /// (action, details) of the audit rows about one key, oldest first.
    pub fn audit(&self, id: i64) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        self.store()
            .read(&mut |r| {
                rows = r.select(&Select {
                    table: "shopws_audit",
                    columns: &["action", "details"],
                    key: vec![
                        ("target_type", Value::from("key")),
                        ("target_id", Value::from(id.to_string())),
                    ],
                    order: &["id"],
                    ..Default::default()
                })?;
                Ok(())
            })
            .expect("audit rows");
        rows.iter()
            .map(|r| (r[0].to_text(), r[1].to_text()))
            .collect()
    }
}

/// `resource → methods` from pairs, for short test fixtures.
pub fn perms(pairs: &[(&str, MethodSet)]) -> Permissions {
    pairs.iter().map(|(r, m)| (r.to_string(), *m)).collect()
}
