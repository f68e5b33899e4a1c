//! Login throttling, counted in the database so that every node sees the same counts.
//!
//! Three limits, each counted on a subject:
//! - **e-mail and address** (`user:EMAIL|NET`): 5 failures in 15 minutes lock the pair for 15
//!   minutes, each repeated lock-out twice as long (up to a day). Wrong re-authentication
//!   passwords count here too.
//! - **address** (`ip:NET`): 20 failures in 15 minutes, whatever the e-mail, lock the address
//!   the same way.
//! - **e-mail**, from every address together (`account:EMAIL`): past 10 failures, each further
//!   one makes the next attempt wait twice as long as the last (1 s, 2 s, 4 s… at most a
//!   minute), until 15 minutes pass without a failure. A slowdown, never a lock-out: the right
//!   password passes after the wait, and addresses the employee logged in from during the last
//!   30 days are exempt, so guessing from elsewhere cannot keep the employee out.
//!
//! `NET` is the client's address, an IPv6 one by its /64 ([`crate::client_ip::network`]).
//!
//! An attempt is counted *before* the password is checked, in the same transaction as the
//! check that it is allowed ([`Attempt::reserve`]), and forgiven when the password was right
//! ([`Reservation::succeeded`]): parallel requests get no more guesses than the limits allow.

use std::net::IpAddr;

use crate::client_ip::network_label;
use crate::storage::{Select, StorageResult, Store, Tx, Value};

/// Failures per e-mail and address before the pair is locked.
pub const PAIR_LIMIT: i64 = 5;
/// Failures per address, whatever the e-mail, before the address is locked.
pub const ADDRESS_LIMIT: i64 = 20;
/// Failures per e-mail, from every address, before attempts are slowed down.
pub const ACCOUNT_FREE: i64 = 10;

/// Failures are counted over this long.
const WINDOW: i64 = 15 * 60;
/// A repeated lock-out lasts twice as long as the previous one, up to a day; a day without a
/// lock-out forgives the earlier ones.
const MAX_LOCK: i64 = 24 * 60 * 60;
/// The per-account slowdown never makes anyone wait longer than this.
const MAX_DELAY: i64 = 60;
/// How long an address the employee logged in from stays exempt from the slowdown.
const KNOWN_FOR: i64 = 30 * 24 * 60 * 60;

const TABLE: &str = "shopws_login_throttle";
const KNOWN: &str = "shopws_login_known";

/// Which limit a subject is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Pair,
    Address,
    Account,
}

impl Limit {
    /// For the audit log.
    pub fn describe(self) -> &'static str {
        match self {
            Limit::Pair => "e-mail and address",
            Limit::Address => "address",
            Limit::Account => "e-mail, all addresses",
        }
    }
}

/// An attempt that may not be made yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The limit that holds it back (the one with the longest wait).
    pub limit: Limit,
    /// Seconds to wait (at least 1).
    pub wait: i64,
}

impl Refusal {
    pub fn message(&self) -> String {
        let when = if self.wait < 60 {
            let s = self.wait.max(1);
            format!("{s} second{}", if s == 1 { "" } else { "s" })
        } else {
            format!("{} minutes", (self.wait + 59) / 60)
        };
        format!("Too many failed attempts. Try again in {when}.")
    }
}

/// One subject's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Row {
    failures: i64,
    /// Pair and address: when the window began. Account: the last failure.
    start: i64,
    /// Pair and address: the end of the last lock-out. Account: the next attempt's time.
    until: i64,
    lockouts: i64,
}

fn cap(limit: Limit) -> i64 {
    match limit {
        Limit::Pair => PAIR_LIMIT,
        Limit::Address => ADDRESS_LIMIT,
        Limit::Account => ACCOUNT_FREE,
    }
}

fn lock_secs(lockouts: i64) -> i64 {
    (WINDOW << (lockouts - 1).clamp(0, 10)).min(MAX_LOCK)
}

fn delay_secs(over: i64) -> i64 {
    (1_i64 << over.clamp(0, 10)).min(MAX_DELAY)
}

impl Row {
    fn wait(&self, now: i64) -> Option<i64> {
        (self.until > now).then(|| self.until - now)
    }

    /// The counts after one more failure (the attempt is allowed: [`Row::wait`] was `None`).
    fn counted(&self, limit: Limit, now: i64) -> Row {
        let cap = cap(limit);
        if limit == Limit::Account {
            let failures = if now - self.start > WINDOW {
                1
            } else {
                self.failures + 1
            };
            let until = if failures >= cap {
                now + delay_secs(failures - cap)
            } else {
                0
            };
            return Row {
                failures,
                start: now,
                until,
                lockouts: 0,
            };
        }
        // A new window after 15 minutes, or once a lock-out has run out.
        let ended = self.until > 0 && self.until <= now && self.failures >= cap;
        let (mut failures, start) = if now - self.start > WINDOW || ended {
            (1, now)
        } else {
            (self.failures + 1, self.start)
        };
        let mut lockouts = if self.until > 0 && now - self.until > MAX_LOCK {
            0
        } else {
            self.lockouts
        };
        let mut until = self.until;
        if failures >= cap {
            lockouts += 1;
            until = now + lock_secs(lockouts);
            failures = cap;
        }
        Row {
            failures,
            start,
            until,
            lockouts,
        }
    }

    /// The counts once an attempt counted as a failure turned out to be the right password.
    fn forgiven(&self, limit: Limit, now: i64) -> Row {
        let mut r = *self;
        r.failures = (r.failures - 1).max(0);
        if r.until > now && r.failures < cap(limit) {
            // The lock (or delay) was set by counting this attempt: lift it.
            r.until = now;
            if limit != Limit::Account {
                r.lockouts = (r.lockouts - 1).max(0);
            }
        }
        r
    }
}

/// A subject's counts, read for writing: the row is made to exist (zero counts, which read
/// as no row) and locked before it is read. On SQLite the single writer already runs the
/// transaction alone; on a server database the row lock makes another node counting the same subject wait for this transaction and then read what
/// it wrote, instead of both reading the same counts and one overwriting the other's failure.
fn claim(tx: &mut dyn Tx, subject: &str) -> StorageResult<Row> {
    let key = [("subject", Value::from(subject))];
    tx.insert_ignore(
        TABLE,
        &[
            ("subject", Value::from(subject)),
            ("failures", Value::Int(0)),
            ("window_start", Value::Int(0)),
            ("locked_until", Value::Int(0)),
            ("lockouts", Value::Int(0)),
        ],
    )?;
    tx.lock_rows(TABLE, &key)?;
    let rows = tx.select(&Select {
        table: TABLE,
        columns: &["failures", "window_start", "locked_until", "lockouts"],
        key: key.to_vec(),
        order: &[],
        ..Default::default()
    })?;
    Ok(rows
        .first()
        .map(|row| Row {
            failures: row[0].as_i64().unwrap_or(0),
            start: row[1].as_i64().unwrap_or(0),
            until: row[2].as_i64().unwrap_or(0),
            lockouts: row[3].as_i64().unwrap_or(0),
        })
        .unwrap_or_default())
}

fn write(tx: &mut dyn Tx, subject: &str, r: &Row) -> StorageResult<()> {
    tx.upsert(
        TABLE,
        &[("subject", Value::from(subject))],
        &[
            ("failures", Value::Int(r.failures)),
            ("window_start", Value::Int(r.start)),
            ("locked_until", Value::Int(r.until)),
            ("lockouts", Value::Int(r.lockouts)),
        ],
    )
}

/// A password about to be checked for an e-mail, from an address.
pub struct Attempt {
    subjects: Vec<(Limit, String)>,
    /// Names the address for the e-mail, to exempt it from the slowdown once logged in from.
    known: String,
}

impl Attempt {
    /// Logging in: every limit.
    pub fn login(email: &str, ip: IpAddr) -> Attempt {
        let net = network_label(ip);
        Attempt {
            subjects: vec![
                (Limit::Pair, format!("user:{email}|{net}")),
                (Limit::Address, format!("ip:{net}")),
                (Limit::Account, format!("account:{email}")),
            ],
            known: format!("{email}|{net}"),
        }
    }

    /// Typing the password again while logged in: the e-mail-and-address limit, shared with
    /// logging in.
    pub fn reauth(email: &str, ip: IpAddr) -> Attempt {
        let mut a = Attempt::login(email, ip);
        a.subjects.truncate(1);
        a
    }

    /// Counts the attempt as a failure, unless a limit holds it back (then nothing is
    /// counted). Check the password only with the reservation in hand.
    pub fn reserve(&self, store: &dyn Store) -> StorageResult<Result<Reservation, Refusal>> {
        self.reserve_at(store, crate::clock::unix())
    }

    fn reserve_at(
        &self,
        store: &dyn Store,
        now: i64,
    ) -> StorageResult<Result<Reservation, Refusal>> {
        let mut out = Err(Refusal {
            limit: Limit::Pair,
            wait: 1,
        });
        store.write(&mut |tx| {
            let (rows, refusal) = self.look(tx, now)?;
            if let Some(r) = refusal {
                out = Err(r);
                return Ok(());
            }
            for (limit, subject, row) in &rows {
                write(tx, subject, &row.counted(*limit, now))?;
            }
            out = Ok(Reservation {
                counted: rows.into_iter().map(|(l, s, _)| (l, s)).collect(),
                known: self.known.clone(),
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// The subjects the attempt counts against (the slowdown skipped for a known address)
    /// with their rows, and the longest wait among them.
    #[allow(clippy::type_complexity)]
    fn look(
        &self,
        tx: &mut dyn Tx,
        now: i64,
    ) -> StorageResult<(Vec<(Limit, String, Row)>, Option<Refusal>)> {
        let known = self.known_at(tx, now)?;
        let mut rows = Vec::new();
        let mut refusal: Option<Refusal> = None;
        for (limit, subject) in &self.subjects {
            if *limit == Limit::Account && known {
                continue;
            }
            let row = claim(tx, subject)?;
            if let Some(wait) = row.wait(now) {
                if refusal.is_none_or(|r| wait > r.wait) {
                    refusal = Some(Refusal {
                        limit: *limit,
                        wait,
                    });
                }
            }
            rows.push((*limit, subject.clone(), row));
        }
        Ok((rows, refusal))
    }

    fn known_at(&self, tx: &mut dyn Tx, now: i64) -> StorageResult<bool> {
        if !self.subjects.iter().any(|(l, _)| *l == Limit::Account) {
            return Ok(false);
        }
        let rows = tx.select(&Select {
            table: KNOWN,
            columns: &["last_ok"],
            key: vec![("subject", Value::from(self.known.as_str()))],
            order: &[],
            ..Default::default()
        })?;
        Ok(rows
            .first()
            .and_then(|r| r[0].as_i64())
            .is_some_and(|t| now - t <= KNOWN_FOR))
    }
}

/// An attempt counted as a failure until [`Reservation::succeeded`] says otherwise.
#[must_use = "a right password must be forgiven"]
pub struct Reservation {
    counted: Vec<(Limit, String)>,
    known: String,
}

impl Reservation {
    /// The password was right: the failure counted in advance is taken back, the e-mail and
    /// address pair starts afresh, and after a login the address is exempt from the slowdown.
    pub fn succeeded(self, store: &dyn Store) -> StorageResult<()> {
        self.succeeded_at(store, crate::clock::unix())
    }

    fn succeeded_at(self, store: &dyn Store, now: i64) -> StorageResult<()> {
        let login = self.counted.iter().any(|(l, _)| *l != Limit::Pair);
        store.write(&mut |tx| {
            for (limit, subject) in &self.counted {
                if *limit == Limit::Pair {
                    tx.delete(TABLE, &[("subject", Value::from(subject.as_str()))])?;
                } else {
                    let row = claim(tx, subject)?;
                    write(tx, subject, &row.forgiven(*limit, now))?;
                }
            }
            if login {
                tx.upsert(
                    KNOWN,
                    &[("subject", Value::from(self.known.as_str()))],
                    &[("last_ok", Value::Int(now))],
                )?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
