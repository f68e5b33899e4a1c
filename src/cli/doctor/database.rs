//! What the doctor checks in the database: reachable, PrestaShop's schema, the webservice
//! switch, the pepper, the keys, the database server's clock and the mail outbox.

use jiff::{SignedDuration, Timestamp};

use super::{Finding, Level};
use crate::accounts::{self, Account};
use crate::cli::Global;
use crate::engine::shop::{self, ShopInfo};
use crate::storage::{self, Select, Store, Value};

/// The database server's clock may be this far off before it matters: key expiry, sessions
/// and throttles compare its times with the nodes'.
const CLOCK_WARN: f64 = 2.0;
const CLOCK_FAIL: f64 = 60.0;

pub fn check(g: &Global, expiry_warning_days: i64) -> Vec<Finding> {
    let mysql = !g.database.starts_with("sqlite:");
    let opened = storage::open_with(&storage::OpenOptions {
        url: &g.database,
        connections: 1,
        table_prefix: g.table_prefix.as_deref(),
        existing_only: true,
    });
    let store = match opened {
        Ok(s) => s,
        Err(e) => {
            return vec![
                Finding::new(Level::Fail, "database", format!("cannot open: {e}")).fix(
                    "check --database (SHOPWS_DATABASE); `shopws serve` creates a new database",
                ),
            ]
        }
    };
    let store = store.as_ref();
    let info = match shop::load(store) {
        Ok(i) => i,
        Err(e) => {
            return vec![Finding::new(
                Level::Fail,
                "database",
                format!(
                    "{} answers, but its shop cannot be read: {e}",
                    store.describe()
                ),
            )]
        }
    };
    let mut out = vec![schema(store)];
    out.extend(webservice(&info));
    let keys = accounts::list(store);
    out.push(pepper(
        g,
        mysql,
        keys.as_ref().map(|k| k.len()).unwrap_or(0),
    ));
    match keys {
        Ok(keys) => out.extend(key_findings(&keys, expiry_warning_days)),
        Err(e) => out.push(Finding::new(
            Level::Fail,
            "keys",
            format!("cannot be read: {e}"),
        )),
    }
    out.push(clock(store));
    out.extend(outbox(store));
    out
}

fn schema(store: &dyn Store) -> Finding {
    let version = store
        .first_row(&Select {
            table: "configuration",
            columns: &["value"],
            key: vec![("name", Value::from("PS_VERSION_DB"))],
            limit: Some(1),
            ..Default::default()
        })
        .ok()
        .flatten()
        .and_then(|row| row.into_iter().next())
        .map(|v| v.to_text())
        .unwrap_or_default();
    let how = if store.shared_with_prestashop() {
        "attached to a PrestaShop shop"
    } else {
        "a database shopws created"
    };
    let known = version.starts_with("8.") || version.starts_with("9.");
    if known {
        Finding::new(
            Level::Ok,
            "database",
            format!(
                "{} reachable, {how}, PrestaShop schema {version}",
                store.describe()
            ),
        )
    } else {
        Finding::new(
            Level::Warn,
            "database",
            format!(
                "{} reachable, PrestaShop schema {version:?}",
                store.describe()
            ),
        )
        .fix("shopws knows the schemas of PrestaShop 8 and 9; upgrade the shop first")
    }
}

fn webservice(info: &ShopInfo) -> Vec<Finding> {
    let shops: Vec<(i64, String, bool)> = if info.shops.is_empty() {
        vec![(1, info.shop_name.clone(), info.webservice_enabled)]
    } else {
        info.shops
            .iter()
            .map(|s| (s.id, s.name.clone(), s.webservice))
            .collect()
    };
    let off: Vec<String> = shops
        .iter()
        .filter(|s| !s.2)
        .map(|s| format!("{} (#{})", s.1, s.0))
        .collect();
    if off.is_empty() {
        return vec![Finding::new(
            Level::Ok,
            "webservice",
            format!("enabled for {} shop(s)", shops.len()),
        )];
    }
    let level = if off.len() == shops.len() {
        Level::Fail
    } else {
        Level::Warn
    };
    vec![Finding::new(
        level,
        "webservice",
        format!(
            "disabled for {}: /api/ answers 503 (#22) there",
            off.join(", ")
        ),
    )
    .fix("`shopws webservice enable`, or Advanced Parameters > Webservice in the back office")]
}

/// Without the pepper the nodes were given, no stored key digest matches: every key would
/// answer 401.
fn pepper(g: &Global, mysql: bool, keys: usize) -> Finding {
    if std::env::var("SHOPWS_PEPPER").is_ok_and(|v| !v.trim().is_empty()) {
        return Finding::new(Level::Ok, "pepper", "from SHOPWS_PEPPER");
    }
    let path = match (&g.pepper_file, crate::cli::sqlite_path(&g.database)) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(db)) => {
            let mut s = db.into_os_string();
            s.push(".pepper");
            Some(s.into())
        }
        (None, None) => None,
    };
    let Some(path) = path else {
        let level = if mysql && keys > 0 {
            Level::Fail
        } else {
            Level::Warn
        };
        return Finding::new(
            level,
            "pepper",
            "neither SHOPWS_PEPPER nor --pepper-file is set",
        )
        .fix("give this node the pepper every node of this database uses");
    };
    match std::fs::read_to_string(&path) {
        Ok(t) if accounts::Pepper::from_hex(&t).is_some() => {
            Finding::new(Level::Ok, "pepper", format!("in {}", path.display()))
        }
        Ok(_) => Finding::new(
            Level::Fail,
            "pepper",
            format!("{} does not hold 64 hexadecimal digits", path.display()),
        )
        .fix("restore the file from the node that created the keys"),
        Err(e) if keys > 0 => Finding::new(
            Level::Fail,
            "pepper",
            format!(
                "{} cannot be read ({e}) while {keys} key(s) exist: none would be accepted",
                path.display()
            ),
        )
        .fix("restore the pepper file (or SHOPWS_PEPPER) the keys were created with"),
        Err(_) => Finding::new(
            Level::Note,
            "pepper",
            format!("{} will be created with the first key", path.display()),
        ),
    }
}

fn key_findings(keys: &[Account], warn_days: i64) -> Vec<Finding> {
    let now = crate::clock::now();
    let soon = (Timestamp::now() + SignedDuration::from_hours(24 * warn_days.max(0)))
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    let usable: Vec<&Account> = keys
        .iter()
        .filter(|k| k.active && !k.expired() && !k.permissions.is_empty())
        .collect();
    let mut out = Vec::new();
    if usable.is_empty() {
        out.push(
            Finding::new(
                Level::Fail,
                "keys",
                format!(
                    "none of the {} key(s) can call /api/ (active, not expired, some permission)",
                    keys.len()
                ),
            )
            .fix("`shopws key add --read-only`, or \"Add new webservice key\" in the back office"),
        );
    } else {
        out.push(Finding::new(
            Level::Ok,
            "keys",
            format!("{} of {} key(s) can call /api/", usable.len(), keys.len()),
        ));
    }
    for k in keys.iter().filter(|k| k.active && k.expired()) {
        let when = k.current().and_then(|c| c.expires_at.clone());
        out.push(
            Finding::new(
                Level::Warn,
                "keys",
                format!(
                    "key {} ({}) expired {}: it answers 401",
                    k.hint,
                    label(k),
                    when.as_deref().unwrap_or("")
                ),
            )
            .fix(format!(
                "extend it on its edit page, or disable it: `shopws key disable {}`",
                k.id
            )),
        );
    }
    for k in usable.iter() {
        let Some(until) = k.current().and_then(|c| c.expires_at.clone()) else {
            continue;
        };
        if until.as_str() > now.as_str() && until.as_str() <= soon.as_str() {
            out.push(
                Finding::new(
                    Level::Warn,
                    "keys",
                    format!("key {} ({}) expires {until}", k.hint, label(k)),
                )
                .fix("extend it, or rotate it and hand the integrator the new key"),
            );
        }
    }
    for k in keys.iter().filter(|k| k.active && k.permissions.is_empty()) {
        out.push(Finding::new(
            Level::Note,
            "keys",
            format!(
                "key {} ({}) has no permission: it answers 401 (#21)",
                k.hint,
                label(k)
            ),
        ));
    }
    out
}

fn label(k: &Account) -> String {
    if k.description.trim().is_empty() {
        format!("#{}", k.id)
    } else {
        format!("#{}, {}", k.id, k.description.trim())
    }
}

fn clock(store: &dyn Store) -> Finding {
    let theirs = match store.server_clock() {
        Ok(Some(t)) => t,
        Ok(None) => return Finding::new(Level::Ok, "clock", "embedded database: one clock"),
        Err(e) => return Finding::new(Level::Warn, "clock", format!("database time unread: {e}")),
    };
    let Ok(at) = format!("{}Z", theirs.trim().replace(' ', "T")).parse::<Timestamp>() else {
        return Finding::new(
            Level::Warn,
            "clock",
            format!("database time {theirs:?} not understood"),
        );
    };
    let skew = (Timestamp::now().as_duration() - at.as_duration()).as_secs_f64();
    let what = format!("this host is {skew:+.3} s from the database server");
    let level = match skew.abs() {
        s if s >= CLOCK_FAIL => Level::Fail,
        s if s >= CLOCK_WARN => Level::Warn,
        _ => Level::Ok,
    };
    let f = Finding::new(level, "clock", what);
    if level == Level::Ok {
        f
    } else {
        f.fix("synchronise the clocks (NTP): key expiry, sessions and throttles compare them")
    }
}

fn outbox(store: &dyn Store) -> Option<Finding> {
    let failed = store.reading(|r| {
        r.select(&Select {
            table: crate::mail::outbox::TABLE,
            columns: &["id"],
            key: vec![("state", Value::from(crate::mail::outbox::FAILED))],
            ..Default::default()
        })
        .map(|rows| rows.len())
    });
    match failed {
        Ok(0) => None,
        Ok(n) => Some(
            Finding::new(
                Level::Warn,
                "mail",
                format!("{n} e-mail(s) gave up after every attempt"),
            )
            .fix("check the SMTP settings (--smtp-url) and the server's log for the reason"),
        ),
        Err(_) => None,
    }
}
