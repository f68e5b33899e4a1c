//! `shopws doctor`: looks at a deployment as an operator would and says what to fix. It
//! only reads: a database that does not exist is reported, never created.
//!
//! Each check gives findings of four levels; the command exits 1 when any is a failure, so
//! it can gate a deployment script.

mod database;
mod public;

use clap::Args;
use serde::Serialize;

use super::Global;

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// The public base URL clients use (https://shop.example/), checked from here as a
    /// client would reach it; the same setting as `serve --base-url`.
    #[arg(long, env = "SHOPWS_BASE_URL")]
    pub base_url: Option<String>,
    /// Findings as a JSON array instead of text.
    #[arg(long)]
    pub json: bool,
    /// Keys expiring within this many days are reported.
    #[arg(long, default_value_t = 14)]
    pub expiry_warning_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Note,
    Warn,
    Fail,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

/// One thing the doctor found, and what to do about it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub level: Level,
    pub area: &'static str,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    fn new(level: Level, area: &'static str, what: impl Into<String>) -> Finding {
        Finding {
            level,
            area,
            what: what.into(),
            fix: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

pub fn run(g: &Global, a: DoctorArgs) -> anyhow::Result<()> {
    let mut found = database::check(g, a.expiry_warning_days);
    found.extend(public::check(a.base_url.as_deref()));
    if a.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        print(&found);
    }
    let failures = found.iter().filter(|f| f.level == Level::Fail).count();
    if failures > 0 {
        // The findings say what; the exit status lets a script stop.
        std::process::exit(1);
    }
    Ok(())
}

/// Written without panicking when the reader goes away (`shopws doctor | head`).
fn print(found: &[Finding]) {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    for f in found {
        let _ = writeln!(o, "[{:>4}] {:<13} {}", f.level.label(), f.area, f.what);
        if let Some(fix) = &f.fix {
            let _ = writeln!(o, "{:>21}{fix}", "fix: ");
        }
    }
    let count = |l: Level| found.iter().filter(|f| f.level == l).count();
    let _ = writeln!(
        o,
        "{} failed, {} to look at, {} fine",
        count(Level::Fail),
        count(Level::Warn),
        count(Level::Ok) + count(Level::Note)
    );
}
