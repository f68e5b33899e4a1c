//! The audit trail: who changed what, when, from where — keys, employees, logins, the
//! switch, and API refusals. Written in the same transaction as the change it records.

use crate::storage::{StorageResult, Tx, Value};

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
