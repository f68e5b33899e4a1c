//! `shopws key …`: create, list, show, enable, disable, delete keys, set permissions, and
//! export and import them as JSON.

use clap::{Args, Subcommand};

use super::{open_store, pepper, seed_if_empty, Global};
use crate::accounts::{self, NewKey, Permissions};
use crate::catalog::Catalog;

#[derive(Args, Debug, Clone, Default)]
pub struct Grant {
    /// Every method on every resource (what mobile-app builders ask for).
    #[arg(long, env = "SHOPWS_KEY_ALL", conflicts_with_all = ["read_only", "allow"])]
    pub all: bool,
    /// GET and HEAD on every resource.
    #[arg(long, env = "SHOPWS_KEY_READ_ONLY", conflicts_with = "allow")]
    pub read_only: bool,
    /// RESOURCE=METHOD,METHOD (repeatable), e.g. --allow customers=GET,HEAD; ALL: every
    /// method the resource allows (naming one it does not allow is an error).
    #[arg(
        long,
        env = "SHOPWS_KEY_ALLOW",
        value_name = "RESOURCE=METHODS",
        value_delimiter = ' '
    )]
    pub allow: Vec<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Limits {
    /// Networks allowed to use the key, e.g. "10.0.0.0/8,203.0.113.7" (403 code 1001 otherwise).
    #[arg(long, env = "SHOPWS_KEY_ALLOW_IP", value_name = "CIDRS")]
    pub allow_ip: Option<String>,
    /// Requests per second allowed for the key (429 code 1002 with Retry-After beyond).
    #[arg(long, env = "SHOPWS_KEY_RATE")]
    pub rate: Option<u32>,
    /// Requests allowed in a burst above the rate (default: the rate).
    #[arg(long, env = "SHOPWS_KEY_BURST")]
    pub burst: Option<u32>,
}

impl Limits {
    fn is_set(&self) -> bool {
        self.allow_ip.is_some() || self.rate.is_some()
    }

    fn policy(&self) -> anyhow::Result<accounts::Policy> {
        Ok(accounts::Policy {
            ip_allowlist: accounts::parse_allowlist(self.allow_ip.as_deref().unwrap_or(""))
                .map_err(|e| anyhow::anyhow!(e))?,
            rate_per_sec: self.rate,
            burst: self.burst,
        })
    }
}

#[derive(Subcommand, Debug)]
pub enum KeyAction {
    /// Create a key. The key alone is the last line printed.
    Add {
        /// Use this 32-character key instead of generating one.
        #[arg(long, env = "SHOPWS_KEY")]
        key: Option<String>,
        #[arg(long, env = "SHOPWS_KEY_DESCRIPTION", default_value = "")]
        description: String,
        /// Create it disabled.
        #[arg(long, env = "SHOPWS_KEY_DISABLED")]
        disabled: bool,
        /// Expiry, "YYYY-MM-DD HH:MM:SS" (UTC).
        #[arg(long, env = "SHOPWS_KEY_EXPIRES")]
        expires: Option<String>,
        #[command(flatten)]
        grant: Grant,
        #[command(flatten)]
        limits: Limits,
    },
    /// Replace a key's IP allowlist and rate limit.
    SetPolicy {
        key: String,
        #[command(flatten)]
        limits: Limits,
    },
    /// List keys (hints only: keys are never stored in clear).
    List,
    /// Show one key (by key, or by account id).
    Show {
        key: String,
    },
    Enable {
        key: String,
    },
    Disable {
        key: String,
    },
    Delete {
        key: String,
    },
    /// On a shop shopws is attached to: stop keeping the key in clear in PrestaShop's table
    /// (PrestaShop's own /api/ and back office can no longer use it; shopws keeps its digest).
    /// One-way.
    Seal {
        key: String,
    },
    /// Replace a key's permissions.
    SetPermissions {
        key: String,
        #[command(flatten)]
        grant: Grant,
    },
    /// Print a key's configuration (description, status, permissions, policies) as JSON in
    /// the format shopws-key-permissions/1, without its secret.
    Export {
        key: String,
    },
    /// Replace a key's permissions with those of a JSON document on standard input (as `key
    /// export` or the back office's "Export permissions" write it); prints what changed.
    ImportPermissions {
        key: String,
        /// Also apply the document's description and policies (expiry, IP allowlist, rate
        /// limit). The key's status and shops never change.
        #[arg(long)]
        with_settings: bool,
    },
    /// Give a key a new secret (printed once) with the same permissions; the old secret keeps
    /// working for --overlap (e.g. 0, 1h, 24h, 7d).
    Rotate {
        key: String,
        #[arg(long, default_value = "24h", value_parser = parse_overlap)]
        overlap: i64,
    },
}

/// "0", "90" (seconds), "15m", "24h", "7d" → seconds.
fn parse_overlap(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("not a duration: {s} (e.g. 0, 1h, 24h, 7d)"))?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(format!("unknown unit in {s} (s, m, h or d)")),
    };
    if !(0..=366 * 86_400).contains(&(n * mult)) {
        return Err("the overlap must be between 0 and 366 days".into());
    }
    Ok(n * mult)
}

fn permissions(c: &Catalog, g: &Grant) -> anyhow::Result<Permissions> {
    if g.all {
        return Ok(accounts::all_permissions(c));
    }
    if g.read_only {
        return Ok(accounts::read_only_permissions(c));
    }
    if g.allow.is_empty() {
        anyhow::bail!("say which permissions: --all, --read-only or --allow RESOURCE=METHOD,…");
    }
    Ok(accounts::parse_grants(c, &g.allow)?)
}

fn print_account(a: &accounts::Account) {
    println!("id:          {}", a.id);
    println!("key:         {}", a.hint);
    println!(
        "status:      {}",
        if a.active { "enabled" } else { "disabled" }
    );
    println!("description: {}", a.description);
    println!("created:     {}", a.created_at);
    println!(
        "expires:     {}",
        a.expires_at.as_deref().unwrap_or("never")
    );
    println!(
        "last used:   {}",
        a.last_used_at.as_deref().unwrap_or("never")
    );
    println!(
        "permissions: {}",
        accounts::permission_summary(&a.permissions)
    );
}

pub fn run(g: &Global, action: KeyAction) -> anyhow::Result<()> {
    let catalog = Catalog::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = open_store(g)?;
    seed_if_empty(store.as_ref(), g, false)?;
    let pepper = pepper(g)?;
    let s = store.as_ref();
    match action {
        KeyAction::Add {
            key,
            description,
            disabled,
            expires,
            grant,
            limits,
        } => {
            let perms = permissions(catalog, &grant)?;
            let policy = limits.policy()?;
            let (id, key) = accounts::create(
                s,
                &pepper,
                &NewKey {
                    key: key.as_deref(),
                    description: &description,
                    active: !disabled,
                    permissions: &perms,
                    expires_at: expires.as_deref(),
                    shops: None,
                    actor: &crate::audit::Actor::CLI,
                },
            )?;
            if limits.is_set() {
                accounts::set_policy(s, id, &policy, &crate::audit::Actor::CLI)?;
            }
            eprintln!(
                "created key #{id} ({}); it is shown once, store it now:",
                accounts::key::hint(&key)
            );
            println!("{key}");
        }
        KeyAction::List => {
            println!(
                "{:<5} {:<11} {:<9} {:<20} {:<20} DESCRIPTION",
                "ID", "KEY", "STATUS", "CREATED", "LAST USED"
            );
            for a in accounts::list(s)? {
                println!(
                    "{:<5} {:<11} {:<9} {:<20} {:<20} {}",
                    a.id,
                    a.hint,
                    if a.active { "enabled" } else { "disabled" },
                    a.created_at,
                    a.last_used_at.as_deref().unwrap_or("never"),
                    a.description
                );
            }
        }
        KeyAction::Show { key } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            print_account(&accounts::get(s, id)?);
        }
        KeyAction::Enable { key } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            accounts::set_active(s, id, true, &crate::audit::Actor::CLI)?;
            println!("enabled");
        }
        KeyAction::Disable { key } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            accounts::set_active(s, id, false, &crate::audit::Actor::CLI)?;
            println!("disabled");
        }
        KeyAction::Seal { key } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            if accounts::seal(s, &pepper, id, &crate::audit::Actor::CLI)? {
                println!("sealed: PrestaShop's table no longer holds this key");
            } else {
                println!("already sealed");
            }
        }
        KeyAction::Delete { key } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            accounts::delete(s, id, &crate::audit::Actor::CLI)?;
            println!("deleted");
        }
        KeyAction::SetPolicy { key, limits } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            accounts::set_policy(s, id, &limits.policy()?, &crate::audit::Actor::CLI)?;
            println!("policy updated");
        }
        KeyAction::SetPermissions { key, grant } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            let perms = permissions(catalog, &grant)?;
            accounts::set_permissions(s, id, &perms, &crate::audit::Actor::CLI)?;
            println!("{}", accounts::permission_summary(&perms));
        }
        KeyAction::Export { key } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            print!("{}", accounts::transfer::export(&accounts::get(s, id)?));
        }
        KeyAction::ImportPermissions { key, with_settings } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
            let t = accounts::transfer::parse(catalog, &text)?;
            let changes =
                accounts::transfer::import(s, id, &t, with_settings, &crate::audit::Actor::CLI)?;
            println!("{}", changes.describe());
        }
        KeyAction::Rotate { key, overlap } => {
            let id = accounts::resolve(s, &pepper, &key)?;
            let new = accounts::rotate(s, &pepper, id, overlap, &crate::audit::Actor::CLI)?;
            eprintln!(
                "key #{id} rotated; the previous secret works for {overlap} more seconds; the new one is shown once, store it now:"
            );
            println!("{new}");
        }
    }
    Ok(())
}
