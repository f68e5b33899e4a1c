//! The background sender: a thread of its own that claims due rows of the outbox, sends them by
//! SMTP and marks them, then sleeps until the next poll. Started by `serve`, stopped on
//! shutdown.
//!
//! A plain thread with lettre's blocking transport rather than its async transport on the
//! runtime: the storage calls around each message are blocking too (the `Store` traits),
//! messages go out one at a time, and a dedicated thread never takes an async worker or a
//! blocking-pool slot from the requests, however slow a mail server is.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use lettre::Transport;

use crate::storage::Store;

use super::outbox::{self, Claimed};
use super::smtp::{Method, Settings};

/// How the sender paces itself. Every delay is configurable so tests run in seconds.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time between two looks at the outbox.
    pub poll: Duration,
    /// Delay before the second attempt; doubled after each failure, at most `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Attempts before a message is marked failed.
    pub max_attempts: i64,
    /// How long a claimed message is this node's: longer than one SMTP conversation can take.
    pub lease: Duration,
    /// Timeout of each SMTP command.
    pub smtp_timeout: Duration,
    /// Messages claimed at once.
    pub batch: u64,
    /// Messages still unsent this long after they were queued are marked expired.
    pub max_age: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            poll: Duration::from_secs(2),
            retry_base: Duration::from_secs(60),
            retry_cap: Duration::from_secs(6 * 3600),
            max_attempts: 10,
            lease: Duration::from_secs(300),
            smtp_timeout: Duration::from_secs(30),
            batch: 10,
            max_age: Duration::from_secs(2 * 86_400),
        }
    }
}

/// A running sender.
pub struct Sender {
    stop: Arc<(Mutex<bool>, Condvar)>,
    done: std::sync::mpsc::Receiver<()>,
}

impl Sender {
    pub fn start(store: Arc<dyn Store>, opts: Options) -> std::io::Result<Sender> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (done_tx, done) = std::sync::mpsc::channel();
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("mail-sender".into())
            .spawn(move || {
                run(store.as_ref(), &opts, &flag);
                let _ = done_tx.send(());
            })?;
        tracing::info!("e-mail sender started");
        Ok(Sender { stop, done })
    }

    /// Asks the loop to stop and waits for it at most `grace` (a message being sent then is
    /// finished; one cut off by the process's exit is sent again once its lease is over).
    pub fn stop(self, grace: Duration) {
        let (lock, cv) = &*self.stop;
        if let Ok(mut s) = lock.lock() {
            *s = true;
        }
        cv.notify_all();
        if self.done.recv_timeout(grace).is_err() {
            tracing::warn!("e-mail sender still busy at shutdown; its message is sent again later");
        }
    }
}

fn stopping(flag: &(Mutex<bool>, Condvar)) -> bool {
    flag.0.lock().map(|s| *s).unwrap_or(true)
}

/// Sleeps `d`, or less when asked to stop; returns whether to stop.
fn sleep(flag: &(Mutex<bool>, Condvar), d: Duration) -> bool {
    let (lock, cv) = flag;
    let Ok(guard) = lock.lock() else {
        return true;
    };
    match cv.wait_timeout_while(guard, d, |s| !*s) {
        Ok((s, _)) => *s,
        Err(_) => true,
    }
}

fn run(store: &dyn Store, opts: &Options, flag: &(Mutex<bool>, Condvar)) {
    while !stopping(flag) {
        // A panic in a pass (a library's bug) must not end the sender for the process's life:
        // the rows it held are sent again after their lease.
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pass(store, opts, flag)));
        let busy = match outcome {
            Ok(Ok(full)) => full,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "e-mail outbox not readable");
                false
            }
            Err(_) => {
                tracing::error!("e-mail sender pass failed unexpectedly; going on");
                false
            }
        };
        // A full batch: more may be due at once.
        if !busy && sleep(flag, opts.poll) {
            break;
        }
    }
}

/// One look at the outbox; whether it handled a full batch (more may be due at once).
fn pass(
    store: &dyn Store,
    opts: &Options,
    flag: &(Mutex<bool>, Condvar),
) -> crate::storage::StorageResult<bool> {
    let global = load_settings(store, 0)?;
    if global.method == Method::Never {
        let n = outbox::drop_queued(
            store,
            "e-mails are not sent: PS_MAIL_METHOD is 3 (never send e-mails)",
        )?;
        if n > 0 {
            tracing::info!(
                dropped = n,
                "e-mails not sent: the shop never sends e-mails"
            );
        }
        return Ok(false);
    }
    let token = token();
    let lease = i64::try_from(opts.lease.as_millis()).unwrap_or(i64::MAX);
    let rule = outbox::ClaimRule {
        now_ms: outbox::now_ms(),
        lease_ms: lease,
        limit: opts.batch,
        max_age_ms: i64::try_from(opts.max_age.as_millis()).unwrap_or(i64::MAX),
    };
    let claimed = outbox::claim(store, &token, rule)?;
    let n = claimed.len();
    let mut by_shop: Vec<(i64, Settings)> = Vec::new();
    for c in claimed {
        if stopping(flag) {
            // Handed back at once rather than left to its lease.
            outbox::release(store, &c)?;
            continue;
        }
        let settings = match by_shop.iter().find(|(s, _)| *s == c.id_shop) {
            Some((_, s)) => s.clone(),
            None => {
                let s = load_settings(store, c.id_shop)?;
                by_shop.push((c.id_shop, s.clone()));
                s
            }
        };
        send_one(store, opts, &settings, &c)?;
    }
    Ok(n as u64 >= opts.batch)
}

fn load_settings(store: &dyn Store, shop: i64) -> crate::storage::StorageResult<Settings> {
    let mut out = None;
    store.read(&mut |rd| {
        out = Some(Settings::load(rd, shop)?);
        Ok(())
    })?;
    out.ok_or_else(|| crate::storage::StorageError::Other("mail settings not read".into()))
}

fn send_one(
    store: &dyn Store,
    opts: &Options,
    settings: &Settings,
    c: &Claimed,
) -> crate::storage::StorageResult<()> {
    let result = settings.message(c).map_err(|e| (e, false)).and_then(|msg| {
        match settings.transport(opts.smtp_timeout) {
            Ok(Some(t)) => t.send(&msg).map(|_| ()).map_err(|e| {
                // Refusals (5xx) are the server's final word; anything else may pass later.
                let permanent = e.is_permanent();
                (e.to_string(), !permanent)
            }),
            Ok(None) => Err(("sending e-mails is off".to_string(), false)),
            Err(e) => Err((e, true)),
        }
    });
    match result {
        Ok(()) => {
            if outbox::mark_sent(store, c)? {
                tracing::info!(id = c.id, attempts = c.attempts, "e-mail sent");
            } else {
                tracing::warn!(id = c.id, "e-mail sent after its lease was over");
            }
        }
        Err((error, retry)) => {
            let retry_at = (retry && c.attempts < opts.max_attempts).then(|| {
                let base = i64::try_from(opts.retry_base.as_millis()).unwrap_or(i64::MAX);
                let cap = i64::try_from(opts.retry_cap.as_millis()).unwrap_or(i64::MAX);
                outbox::now_ms() + outbox::backoff_ms(c.attempts, base, cap)
            });
            outbox::mark_failed_attempt(store, c, &error, retry_at)?;
            match retry_at {
                Some(_) => {
                    tracing::warn!(id = c.id, attempts = c.attempts, error = %error, "e-mail not sent; retried later")
                }
                None => {
                    tracing::error!(id = c.id, attempts = c.attempts, error = %error, "e-mail not sent; given up")
                }
            }
        }
    }
    Ok(())
}

/// A new claim token: 16 random bytes in hex.
fn token() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}
