//! `serve`'s e-mail options: whether this node sends customers' e-mails, and the pace of its
//! background sender (see [`crate::mail`]).

use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::mail::{Options, Sender};
use crate::storage::Store;

#[derive(Args, Debug, Clone)]
pub struct MailArgs {
    /// Send the e-mails of order events (`on` or `off`). Default: on for a database shopws
    /// created, off beside a PrestaShop shop it is attached to (PrestaShop sends its own).
    #[arg(long = "mail", env = "SHOPWS_MAIL", value_name = "on|off", value_parser = parse_switch)]
    pub mail: Option<bool>,
    /// Time between two looks at the outbox (`500ms`, `2s`, `1m`).
    #[arg(long, env = "SHOPWS_MAIL_POLL", default_value = "2s", value_parser = parse_duration)]
    pub mail_poll: Duration,
    /// Delay before a failed e-mail is tried again; doubled after each failure.
    #[arg(long, env = "SHOPWS_MAIL_RETRY", default_value = "1m", value_parser = parse_duration)]
    pub mail_retry: Duration,
    /// Longest delay between two attempts.
    #[arg(long, env = "SHOPWS_MAIL_RETRY_MAX", default_value = "6h", value_parser = parse_duration)]
    pub mail_retry_max: Duration,
    /// Attempts before an e-mail is marked failed (its last error kept).
    #[arg(long, env = "SHOPWS_MAIL_ATTEMPTS", default_value_t = 10)]
    pub mail_attempts: u32,
    /// How long an e-mail being sent is this node's; after it, another node (or this one,
    /// restarted) sends it again. Longer than an SMTP conversation can take.
    #[arg(long, env = "SHOPWS_MAIL_LEASE", default_value = "5m", value_parser = parse_duration)]
    pub mail_lease: Duration,
    /// E-mails still unsent this long after they were queued are not sent (marked expired).
    #[arg(long, env = "SHOPWS_MAIL_MAX_AGE", default_value = "2d", value_parser = parse_duration)]
    pub mail_max_age: Duration,
    /// Timeout of each SMTP command.
    #[arg(long, env = "SHOPWS_MAIL_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub mail_timeout: Duration,
}

impl MailArgs {
    /// Starts the sender when this node sends e-mails; `None` otherwise.
    pub fn start(&self, store: Arc<dyn Store>) -> anyhow::Result<Option<Sender>> {
        let attached = store.shared_with_prestashop();
        if !sends(self.mail, attached) {
            tracing::info!(
                attached,
                "e-mails are not sent by this node (--mail on sends them)"
            );
            return Ok(None);
        }
        if self.mail_lease <= self.mail_timeout {
            anyhow::bail!("--mail-lease must be longer than --mail-timeout");
        }
        let opts = Options {
            poll: self.mail_poll.max(Duration::from_millis(10)),
            retry_base: self.mail_retry,
            retry_cap: self.mail_retry_max.max(self.mail_retry),
            max_attempts: i64::from(self.mail_attempts.max(1)),
            lease: self.mail_lease,
            smtp_timeout: self.mail_timeout,
            max_age: self.mail_max_age,
            ..Options::default()
        };
        Ok(Some(Sender::start(store, opts)?))
    }
}

/// Whether this node sends e-mails: as `--mail` says, else unless PrestaShop serves the same
/// database (it sends its own e-mails there; both would send every one twice).
fn sends(flag: Option<bool>, attached: bool) -> bool {
    flag.unwrap_or(!attached)
}

fn parse_switch(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(format!("{s}: expected on or off")),
    }
}

/// `500ms`, `90` or `90s`, `15m`, `6h`, `7d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("not a duration: {s} (e.g. 500ms, 30s, 1m, 6h)"))?;
    let ms = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("unknown unit in {s} (ms, s, m, h or d)")),
    };
    n.checked_mul(ms)
        .filter(|v| *v <= 366 * 86_400_000)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{s}: too long (at most 366 days)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_switches() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(21_600)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("999999d").is_err());
        assert_eq!(parse_switch("ON"), Ok(true));
        assert_eq!(parse_switch("off"), Ok(false));
        assert!(parse_switch("maybe").is_err());
        assert!(sends(None, false));
        assert!(!sends(None, true));
        assert!(sends(Some(true), true));
        assert!(!sends(Some(false), false));
    }
}
