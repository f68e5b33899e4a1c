//! The outbox table (`shopws_mail_outbox`): e-mails are queued in the write transaction of the
//! change that causes them, claimed by one sender at a time with a lease, then marked sent,
//! retried later or failed.
//!
//! Claiming needs nothing but keyed updates, so it works the same on SQLite and MySQL: a
//! sender reads the due rows, then takes each with an update keyed on the row's id *and* the
//! `claim` and `next_at` it read. Only one of two senders racing for a row changes it (the
//! other's key no longer matches); the winner's `next_at` becomes the end of its lease, so no
//! one else sees the row as due until then — and if the winner dies mid-send, the row is due
//! again once the lease is over.

use crate::storage::{Select, StorageResult, Store, Tx, Value};

pub const TABLE: &str = "shopws_mail_outbox";

pub const QUEUED: &str = "queued";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
/// Sending e-mails is switched off in the shop's settings ("Never send e-mails").
pub const DROPPED: &str = "dropped";
/// Still unsent past the sender's maximum age: news that old is not sent (a node that sends
/// e-mails started after a long time without one never sends last week's "in transit").
pub const EXPIRED: &str = "expired";

/// An e-mail to queue, already rendered.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub id_order: i64,
    pub id_shop: i64,
    pub id_lang: i64,
    pub template: &'a str,
    pub recipient: &'a str,
    pub recipient_name: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queues `m` inside the caller's transaction: it exists if and only if that transaction
/// commits. Due at once. Returns the row's id.
pub fn queue(tx: &mut dyn Tx, m: &NewMail, now_ms: i64) -> StorageResult<i64> {
    tx.insert(
        TABLE,
        &[
            ("id_order", Value::Int(m.id_order)),
            ("id_shop", Value::Int(m.id_shop)),
            ("id_lang", Value::Int(m.id_lang)),
            ("template", Value::from(m.template)),
            ("recipient", Value::from(m.recipient)),
            ("recipient_name", Value::from(m.recipient_name)),
            ("subject", Value::from(m.subject)),
            ("body_text", Value::from(m.text)),
            ("body_html", Value::from(m.html)),
            ("state", Value::from(QUEUED)),
            ("attempts", Value::Int(0)),
            ("next_at", Value::Int(now_ms)),
            ("queued_ms", Value::Int(now_ms)),
            ("claim", Value::from("")),
            ("last_error", Value::from("")),
            ("created_at", Value::from(crate::clock::now())),
        ],
    )
}

/// A row this sender holds the lease of.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub id_shop: i64,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Attempts made, this one included.
    pub attempts: i64,
    /// The lease's token: every later change of the row is keyed on it.
    pub claim: String,
}

/// How a sender claims.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRule {
    pub now_ms: i64,
    pub lease_ms: i64,
    pub limit: u64,
    /// Rows queued longer ago than this are marked expired instead.
    pub max_age_ms: i64,
}

/// Claims at most `rule.limit` due rows for `rule.lease_ms`, in one transaction; `token` must
/// be new for each call (it names this claim). Due rows past the maximum age are marked
/// expired on the way.
pub fn claim(store: &dyn Store, token: &str, rule: ClaimRule) -> StorageResult<Vec<Claimed>> {
    let ClaimRule {
        now_ms,
        lease_ms,
        limit,
        max_age_ms,
    } = rule;
    // Read first, outside any write: an idle outbox costs one indexed read per poll, never a
    // write transaction.
    let mut due = Vec::new();
    store.read(&mut |rd| {
        due = rd.select(&Select {
            table: TABLE,
            columns: &["id", "next_at", "claim", "attempts", "queued_ms"],
            key: vec![("state", Value::from(QUEUED))],
            order: &["next_at", "id"],
            limit: Some(limit),
            ..Default::default()
        })?;
        Ok(())
    })?;
    due.retain(|r| r.get(1).and_then(Value::as_i64).unwrap_or(0) <= now_ms);
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    store.write(&mut |tx| {
        out.clear();
        for row in &due {
            let [id, next_at, old, attempts, queued] = &row[..] else {
                continue;
            };
            let expired = now_ms.saturating_sub(queued.as_i64().unwrap_or(0)) > max_age_ms;
            let attempts = attempts.as_i64().unwrap_or(0) + 1;
            let set = if expired {
                vec![
                    ("state", Value::from(EXPIRED)),
                    (
                        "last_error",
                        Value::from("not sent in time: older than the sender's maximum age"),
                    ),
                ]
            } else {
                vec![
                    ("claim", Value::from(token)),
                    ("next_at", Value::Int(now_ms + lease_ms)),
                    ("attempts", Value::Int(attempts)),
                ]
            };
            let taken = tx.update(
                TABLE,
                &set,
                &[
                    ("id", id.clone()),
                    ("state", Value::from(QUEUED)),
                    ("claim", old.clone()),
                    ("next_at", next_at.clone()),
                ],
            )?;
            if taken != 1 || expired {
                continue;
            }
            let body = tx.select(&Select {
                table: TABLE,
                columns: &[
                    "id_shop",
                    "recipient",
                    "recipient_name",
                    "subject",
                    "body_text",
                    "body_html",
                ],
                key: vec![("id", id.clone())],
                ..Default::default()
            })?;
            if let Some(b) = body.into_iter().next() {
                out.push(Claimed {
                    id: id.as_i64().unwrap_or(0),
                    id_shop: b[0].as_i64().unwrap_or(1),
                    recipient: b[1].to_text(),
                    recipient_name: b[2].to_text(),
                    subject: b[3].to_text(),
                    text: b[4].to_text(),
                    html: b[5].to_text(),
                    attempts,
                    claim: token.to_string(),
                });
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Marks a claimed row sent. `false` when the lease was lost meanwhile (another sender took
/// the row after it expired).
pub fn mark_sent(store: &dyn Store, c: &Claimed) -> StorageResult<bool> {
    finish_claim(
        store,
        c,
        &[
            ("state", Value::from(SENT)),
            ("claim", Value::from("")),
            ("last_error", Value::from("")),
            ("sent_at", Value::from(crate::clock::now())),
        ],
    )
}

/// After a failed attempt: due again at `retry_at_ms`, or failed for good (`retry_at_ms` is
/// `None`), keeping `error` either way.
pub fn mark_failed_attempt(
    store: &dyn Store,
    c: &Claimed,
    error: &str,
    retry_at_ms: Option<i64>,
) -> StorageResult<bool> {
    let error: String = error.chars().take(2000).collect();
    let next = match retry_at_ms {
        Some(at) => ("next_at", Value::Int(at)),
        None => ("state", Value::from(FAILED)),
    };
    finish_claim(
        store,
        c,
        &[
            ("claim", Value::from("")),
            ("last_error", Value::from(error.as_str())),
            next,
        ],
    )
}

/// Hands a claimed row back unsent (the sender is stopping): due at once, the attempt not
/// counted.
pub fn release(store: &dyn Store, c: &Claimed) -> StorageResult<bool> {
    finish_claim(
        store,
        c,
        &[
            ("claim", Value::from("")),
            ("next_at", Value::Int(now_ms())),
            ("attempts", Value::Int((c.attempts - 1).max(0))),
        ],
    )
}

/// Writes `set` on the claimed row if the claim is still this sender's: a sender whose lease
/// ran out (another took the mail meanwhile) changes nothing and learns it (false).
fn finish_claim(store: &dyn Store, c: &Claimed, set: &[(&str, Value)]) -> StorageResult<bool> {
    let mut changed = 0;
    store.write(&mut |tx| {
        changed = tx.update(
            TABLE,
            set,
            &[
                ("id", Value::Int(c.id)),
                ("claim", Value::from(c.claim.as_str())),
            ],
        )?;
        Ok(())
    })?;
    Ok(changed == 1)
}

/// "Never send e-mails": every queued row is dropped (kept, marked, never sent). Returns how
/// many.
pub fn drop_queued(store: &dyn Store, reason: &str) -> StorageResult<u64> {
    let any = store.first_row(&Select {
        table: TABLE,
        columns: &["id"],
        key: vec![("state", Value::from(QUEUED))],
        limit: Some(1),
        ..Default::default()
    })?;
    if any.is_none() {
        return Ok(0);
    }
    let mut changed = 0;
    store.write(&mut |tx| {
        changed = tx.update(
            TABLE,
            &[
                ("state", Value::from(DROPPED)),
                ("claim", Value::from("")),
                ("last_error", Value::from(reason)),
            ],
            &[("state", Value::from(QUEUED))],
        )?;
        Ok(())
    })?;
    Ok(changed)
}

/// Delay before attempt `attempts + 1`, after `attempts` failed ones (1 or more): `base`
/// doubled at each failure, at most `cap`.
pub fn backoff_ms(attempts: i64, base_ms: i64, cap_ms: i64) -> i64 {
    let shift = attempts.clamp(1, 40) - 1;
    base_ms
        .max(0)
        .saturating_mul(1i64 << shift)
        .min(cap_ms.max(0))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
