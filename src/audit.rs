//! The audit trail: who changed what, when, from where — keys, employees, logins, the
//! switch, and API refusals. Written in the same transaction as the change it records.

use crate::storage::{Select, StorageResult, Store, Tx, Value};

/// Who made a change, and from where (the CLI has no address).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

impl Actor<'static> {
    pub const CLI: Actor<'static> = Actor {
        name: "cli",
        ip: "",
        user_agent: "",
    };
}

/// One row of the audit log. Never a secret: keys appear by their hint.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub actor: Actor<'a>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: i64,
    pub target_hint: &'a str,
    pub details: &'a str,
    pub result: &'a str,
}

/// Appends one row to the audit log, inside the caller's transaction.
pub fn record(tx: &mut dyn Tx, e: &Entry) -> StorageResult<()> {
    let opt = |s: &str| {
        if s.is_empty() {
            Value::Null
        } else {
            Value::from(s)
        }
    };
    tx.insert(
        "shopws_audit",
        &[
            ("at", Value::from(crate::clock::now())),
            ("actor_type", Value::from(e.actor.name)),
            ("ip", opt(e.actor.ip)),
            ("user_agent", opt(e.actor.user_agent)),
            ("action", Value::from(e.action)),
            ("target_type", opt(e.target_type)),
            (
                "target_id",
                if e.target_id > 0 {
                    Value::from(e.target_id.to_string())
                } else {
                    Value::Null
                },
            ),
            ("target_hint", opt(e.target_hint)),
            ("details", opt(e.details)),
            ("result", Value::from(e.result)),
        ],
    )?;
    Ok(())
}

/// An audit row by the command line about an employee.
pub fn employee(
    tx: &mut dyn Tx,
    action: &str,
    id: i64,
    email: &str,
    details: &str,
) -> StorageResult<()> {
    record(
        tx,
        &Entry {
            actor: Actor::CLI,
            action,
            target_type: "employee",
            target_id: id,
            target_hint: email,
            details,
            result: "ok",
        },
    )
}

/// The `configuration` entry holding how many days audit rows are kept (0: forever). In the
/// database, so every node prunes with the same value.
pub const RETENTION_SETTING: &str = "SHOPWS_AUDIT_RETENTION_DAYS";
/// Kept a year unless set otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;
/// The longest retention the setting accepts (100 years).
pub const MAX_RETENTION_DAYS: i64 = 36_500;

/// Days audit rows are kept (0: forever).
pub fn retention_days(store: &dyn Store) -> StorageResult<i64> {
    let row = store.first_row(&Select {
        table: "configuration",
        columns: &["value"],
        key: vec![("name", Value::from(RETENTION_SETTING))],
        null: &["id_shop", "id_shop_group"],
        order: &["id_configuration"],
        ..Default::default()
    })?;
    Ok(row
        .and_then(|r| r[0].to_text().trim().parse::<i64>().ok())
        .filter(|d| *d >= 0)
        .unwrap_or(DEFAULT_RETENTION_DAYS))
}

/// Deletes the rows older than the retention; returns how many. Idempotent: nodes pruning at
/// once delete the same rows, the later ones none.
pub fn prune(store: &dyn Store) -> StorageResult<u64> {
    let days = retention_days(store)?;
    if days == 0 {
        return Ok(0);
    }
    let cutoff = crate::clock::now_plus(-days.min(MAX_RETENTION_DAYS) * 86_400);
    let mut n = 0;
    store.write(&mut |tx| {
        n = tx.delete_below("shopws_audit", &[], "at", Value::from(cutoff.as_str()))?;
        Ok(())
    })?;
    if n > 0 {
        tracing::info!(rows = n, days, "audit log pruned");
    }
    Ok(n)
}
