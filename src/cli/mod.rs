//! The `shopws` command line: `serve`, `webservice`, `key`. Every flag can also be set with
//! an environment variable `SHOPWS_*`.

mod admin;
mod demo;
mod doctor;
mod keys;
mod mail;
mod search;
mod serve;
mod stock;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::accounts::Pepper;
use crate::storage::{self, Store};

#[derive(Parser, Debug)]
#[command(
    name = "shopws",
    version,
    about = "A PrestaShop-compatible commerce Webservice"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Database URL: sqlite:PATH, or mysql://USER:PASSWORD@HOST:PORT/DATABASE (also
    /// mariadb://; a unix socket: mysql://USER:PASSWORD@localhost/DATABASE?socket=PATH).
    /// An empty MySQL database gets PrestaShop's tables; an existing PrestaShop 8 or 9
    /// database is served as it is.
    #[arg(
        long,
        global = true,
        env = "SHOPWS_DATABASE",
        default_value = "sqlite:data/shopws.db"
    )]
    pub database: String,
    /// MySQL: the prefix of PrestaShop's tables (found by itself unless the database holds
    /// several installs; `ps_` for a new database).
    #[arg(long, global = true, env = "SHOPWS_TABLE_PREFIX")]
    pub table_prefix: Option<String>,
    /// File holding the secret mixed into stored key digests (created on first use).
    /// Defaults to the database file's path plus `.pepper`. SHOPWS_PEPPER (64 hex digits)
    /// takes precedence; every node serving one database needs the same pepper.
    #[arg(long, global = true, env = "SHOPWS_PEPPER_FILE")]
    pub pepper_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the database if needed, then serve the webservice.
    Serve(Box<serve::ServeArgs>),
    /// Turn the webservice on or off, or show its state.
    Webservice {
        #[command(subcommand)]
        action: WebserviceAction,
    },
    /// Manage webservice keys and their permissions.
    Key {
        #[command(subcommand)]
        action: keys::KeyAction,
    },
    /// Add a deterministic generated catalogue (for benchmarks and load tests).
    Demo(demo::DemoArgs),
    /// Back-office employees.
    Admin {
        #[command(subcommand)]
        action: admin::AdminAction,
    },
    /// The search index of products (PrestaShop's search_word / search_index tables).
    Search {
        #[command(subcommand)]
        action: search::SearchAction,
    },
    /// Stock rows' reserved and physical quantities.
    Stock {
        #[command(subcommand)]
        action: stock::StockAction,
    },
    /// Check this deployment (database, schema, webservice switch, keys, pepper, clocks,
    /// the public URL through its proxy) and say what to fix; exits 1 on a failure.
    Doctor(doctor::DoctorArgs),
    /// Print the OpenAPI 3.1 document of the webservice (every resource and method).
    Openapi {
        /// One line instead of indented JSON.
        #[arg(long)]
        compact: bool,
    },
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum WebserviceAction {
    /// Enable the webservice (PS_WEBSERVICE = 1).
    Enable,
    /// Disable the webservice: every /api/ request answers 503 (#22).
    Disable,
    /// Print "enabled" or "disabled".
    Status,
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("SHOPWS_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    };
    let json = matches!(&cli.command, Command::Serve(a) if a.log_format == serve::LogFormat::Json);
    if json {
        tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init();
    }
    match cli.command {
        Command::Serve(args) => serve::run(&cli.global, *args),
        Command::Webservice { action } => webservice(&cli.global, action),
        Command::Key { action } => keys::run(&cli.global, action),
        Command::Demo(args) => demo::run(&cli.global, args),
        Command::Admin { action } => admin::run(&cli.global, action),
        Command::Search { action } => search::run(&cli.global, action),
        Command::Stock { action } => stock::run(&cli.global, action),
        Command::Doctor(args) => doctor::run(&cli.global, args),
        Command::Openapi { compact } => openapi(compact),
    }
}

/// `shopws openapi`: the whole document on standard output; its size and build time in the
/// log.
fn openapi(compact: bool) -> anyhow::Result<()> {
    let catalog = crate::catalog::Catalog::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let built = crate::openapi::full(catalog);
    tracing::info!(
        bytes = built.json.len(),
        paths = built.doc.paths.paths.len(),
        build_ms = built.took.as_secs_f64() * 1000.0,
        "OpenAPI document built"
    );
    if compact {
        println!("{}", built.json);
    } else {
        println!("{}", built.doc.to_pretty_json()?);
    }
    Ok(())
}

pub fn open_store(g: &Global) -> anyhow::Result<Box<dyn Store>> {
    open_store_with(g, 4)
}

/// Opens the database with `readers` read connections (SQLite) or a pool of twice that
/// (MySQL, where reads and writes share it).
pub fn open_store_with(g: &Global, readers: usize) -> anyhow::Result<Box<dyn Store>> {
    let mysql = !g.database.starts_with("sqlite:");
    Ok(storage::open_with(&storage::OpenOptions {
        url: &g.database,
        connections: if mysql { readers * 2 } else { readers },
        table_prefix: g.table_prefix.as_deref(),
        existing_only: false,
    })?)
}

/// `--images-dir`, or `img` beside the SQLite file, or `img` in the current directory.
pub fn images_dir(g: &Global, given: Option<&std::path::Path>) -> PathBuf {
    if let Some(d) = given {
        return d.to_path_buf();
    }
    sqlite_path(&g.database)
        .and_then(|p| p.parent().map(|d| d.join("img")))
        .unwrap_or_else(|| PathBuf::from("img"))
}

/// Draws the demo shop's pictures where files are missing (a failure only costs pictures).
pub fn demo_pictures(store: &dyn Store, g: &Global, given: Option<&std::path::Path>) {
    let dir = images_dir(g, given);
    let started = std::time::Instant::now();
    match crate::engine::special::images::give_pictures(store, &dir) {
        Ok(n) => tracing::info!(
            pictures = n,
            ms = started.elapsed().as_millis() as u64,
            dir = %dir.display(),
            "demo pictures drawn"
        ),
        Err(e) => tracing::warn!(error = %e, dir = %dir.display(), "demo pictures not drawn"),
    }
}

pub(crate) fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite:")
        .map(|p| PathBuf::from(p.strip_prefix("//").unwrap_or(p)))
}

/// The pepper from SHOPWS_PEPPER, or its file (created with mode 0600 when missing).
pub fn pepper(g: &Global) -> anyhow::Result<Pepper> {
    if let Ok(hex) = std::env::var("SHOPWS_PEPPER") {
        return Pepper::from_hex(&hex)
            .ok_or_else(|| anyhow::anyhow!("SHOPWS_PEPPER must be 64 hexadecimal digits"));
    }
    let path = match (&g.pepper_file, sqlite_path(&g.database)) {
        (Some(p), _) => p.clone(),
        (None, Some(db)) => {
            let mut s = db.into_os_string();
            s.push(".pepper");
            PathBuf::from(s)
        }
        (None, None) => anyhow::bail!("set SHOPWS_PEPPER or --pepper-file"),
    };
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Pepper::from_hex(&text).ok_or_else(|| {
            anyhow::anyhow!("{} does not hold 64 hexadecimal digits", path.display())
        });
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let p = Pepper::random();
    write_secret(&path, &p.to_hex())?;
    Ok(p)
}

#[cfg(unix)]
fn write_secret(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_secret(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

fn webservice(g: &Global, action: WebserviceAction) -> anyhow::Result<()> {
    let store = open_store(g)?;
    seed_if_empty(store.as_ref(), g, false)?;
    match action {
        WebserviceAction::Enable => {
            crate::engine::shop::set_setting(store.as_ref(), "PS_WEBSERVICE", "1")?;
            println!("enabled");
        }
        WebserviceAction::Disable => {
            crate::engine::shop::set_setting(store.as_ref(), "PS_WEBSERVICE", "0")?;
            println!("disabled");
        }
        WebserviceAction::Status => {
            let info = crate::engine::shop::load(store.as_ref())?;
            println!(
                "{}",
                if info.webservice_enabled {
                    "enabled"
                } else {
                    "disabled"
                }
            );
        }
    }
    Ok(())
}

/// A fresh database gets PrestaShop's reference data (and the demo shop with `demo`).
pub fn seed_if_empty(store: &dyn Store, _g: &Global, demo: bool) -> anyhow::Result<bool> {
    let mode = if demo {
        storage::SeedMode::Demo
    } else {
        storage::SeedMode::Reference
    };
    // The seeded catalogue is searchable at once: its index is built with it. Its stock rows
    // get the quantities its orders reserve (the demo data has none), which state changes then
    // keep up to date.
    Ok(store.seed_then(mode, &mut |tx| {
        crate::engine::special::search::reindex_catalogue(tx, false, true)?;
        crate::engine::special::orders::recount_reserved(tx)
    })?)
}
