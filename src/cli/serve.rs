//! `shopws serve`: prepare the database, then serve the webservice.

use std::sync::Arc;

use clap::Args;

use super::{open_store_with, pepper, seed_if_empty, Global};
use crate::accounts::{self, NewKey};
use crate::app::{self, App, AppConfig, ServerOptions};
use crate::catalog::Catalog;
use crate::engine::{shop, Engine, Settings};
use crate::storage::{Select, Store, Value};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "SHOPWS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// On an empty database, also load the demo shop; enable the webservice and create
    /// (once) a key with every permission, printed with a ready curl line.
    #[arg(long, env = "SHOPWS_DEMO")]
    pub demo: bool,
    /// Public base URL used in xlink:href (default: http://LISTEN/).
    #[arg(long, env = "SHOPWS_BASE_URL")]
    pub base_url: Option<String>,
    /// PSWS-Version advertised after authentication. The official PHP client refuses
    /// versions above 8.2.0.
    #[arg(long, env = "SHOPWS_PSWS_VERSION", default_value = "8.2.0")]
    pub psws_version: String,
    /// Largest accepted request body, in bytes (413 beyond).
    #[arg(long, env = "SHOPWS_MAX_BODY", default_value_t = 8 * 1024 * 1024)]
    pub max_body: usize,
    /// Keep PrestaShop's JSON quirks (empty list as [], falsy values dropped from single
    /// entities). `--json-ps-quirks false` emits clean JSON.
    #[arg(long, env = "SHOPWS_JSON_PS_QUIRKS", default_value_t = true, action = clap::ArgAction::Set)]
    pub json_ps_quirks: bool,
    /// JSON integer columns as numbers (`"quantity":2400`), as PrestaShop 9.0 on PHP 8.1
    /// sends them. Default: strings (`"quantity":"2400"`), as PrestaShop 1.7 and 8.2+ do;
    /// the entity's `id` is a number either way.
    #[arg(long, env = "SHOPWS_JSON_NUMBERS")]
    pub json_numbers: bool,
    /// Path of the back office.
    #[arg(long, env = "SHOPWS_ADMIN_PATH", default_value = "/admin")]
    pub admin_path: String,
    /// Serve the back office over plain HTTP on a non-loopback address (its cookies are
    /// `Secure`: only do this behind a TLS-terminating proxy that sets --base-url https://…).
    #[arg(long, env = "SHOPWS_ADMIN_INSECURE")]
    pub admin_insecure: bool,
    /// Failed key authentications allowed per client address and minute (burst and refill);
    /// beyond, the address gets 429 (code 1005) before any key lookup. 0 disables.
    #[arg(long, env = "SHOPWS_AUTH_FAILURES", default_value_t = 60)]
    pub auth_failures: u32,
    /// Reverse proxies (addresses or CIDR networks) whose `Forwarded` / `X-Forwarded-For`
    /// headers give the client's address for IP allowlists, throttles and the audit log.
    /// Nobody else's are believed.
    #[arg(long, env = "SHOPWS_TRUSTED_PROXIES", value_name = "CIDRS")]
    pub trusted_proxies: Option<String>,
    /// Seconds a client may take to send a request head; also how long an idle keep-alive
    /// connection is kept open.
    #[arg(long, env = "SHOPWS_HEADER_TIMEOUT", default_value_t = 30)]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request body (408, code 1006, beyond).
    #[arg(long, env = "SHOPWS_BODY_TIMEOUT", default_value_t = 60)]
    pub body_timeout: u64,
    /// Open connections at most; more get a 503 and are closed at once.
    /// Default: three quarters of the open-file limit.
    #[arg(long, env = "SHOPWS_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds in-flight requests may run after SIGTERM or SIGINT before they are cut.
    #[arg(long, env = "SHOPWS_SHUTDOWN_GRACE", default_value_t = 10)]
    pub shutdown_grace: u64,
    /// Megabytes of finished single-entity answers (`GET /api/products/1`…) kept and reused
    /// while nothing they were read from has changed: on an embedded SQLite file only, at
    /// most one second old, dropped by any write of this process. 0 turns it off.
    #[arg(
        long,
        env = "SHOPWS_REPLY_CACHE",
        value_name = "MB",
        default_value_t = 32
    )]
    pub reply_cache: u64,
    /// Read connections to the database (SQLite; MySQL: reads and writes share a pool of
    /// twice this many).
    #[arg(long, env = "SHOPWS_READERS", default_value_t = 4)]
    pub readers: usize,
    /// Directory of attachment files (PrestaShop's `download/`). Default: `download` beside
    /// the SQLite file; with MySQL, `download` in the working directory.
    #[arg(long, env = "SHOPWS_DOWNLOAD_DIR")]
    pub download_dir: Option<std::path::PathBuf>,
    /// The pictures' folder, laid out as PrestaShop's `img/` (`p/1/2/3/123.jpg`,
    /// `c/4.jpg`…): point it at a PrestaShop shop's own `img/` folder and both serve the
    /// same pictures. Default: `img` beside the SQLite file; with MySQL, `img` in the
    /// current directory.
    #[arg(long, env = "SHOPWS_IMAGES_DIR", value_name = "DIR")]
    pub images_dir: Option<std::path::PathBuf>,
    /// With --demo, draw pictures for the demo shop's products and categories when the
    /// database is created.
    #[arg(long, env = "SHOPWS_DEMO_PICTURES", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_pictures: bool,
    /// Serve Prometheus metrics (`/metrics`, with `/health` and `/ready`) on this address,
    /// a listener of their own, never the public port. Off by default.
    #[arg(long, env = "SHOPWS_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Record the API activity of each key (requests and errors per hour, latest requests)
    /// for the back office's activity page: `on` or `off`.
    #[arg(long, env = "SHOPWS_ACTIVITY", value_enum, default_value_t = OnOff::On)]
    pub activity: OnOff,
    /// Seconds between two writes of the activity counted in memory (one transaction each;
    /// a last one at shutdown).
    #[arg(
        long,
        env = "SHOPWS_ACTIVITY_FLUSH",
        value_name = "SECS",
        default_value_t = 5
    )]
    pub activity_flush: u64,
    /// Latest requests kept per key for the activity page.
    #[arg(long, env = "SHOPWS_ACTIVITY_RECENT", value_name = "N", default_value_t = crate::activity::DEFAULT_KEEP)]
    pub activity_recent: usize,
    /// The log's format, access lines included: `text` or `json` (one object a line).
    #[arg(long, env = "SHOPWS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub mail: super::mail::MailArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnOff {
    On,
    Off,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

const DEMO_MARK: &str = "SHOPWS_DEMO_KEY_HINT";

fn demo_key(store: &dyn Store, g: &Global, base: &str) -> anyhow::Result<()> {
    let hint = store
        .first_row(&Select {
            table: "configuration",
            columns: &["value"],
            key: vec![("name", Value::from(DEMO_MARK))],
            order: &[],
            ..Default::default()
        })?
        .map(|r| r[0].to_text());
    if let Some(h) = hint {
        println!("demo key {h} was printed when it was created; create another with: shopws key add --all");
        return Ok(());
    }
    let catalog = Catalog::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let perms = accounts::all_permissions(catalog);
    let (_, key) = accounts::create(
        store,
        &pepper(g)?,
        &NewKey {
            key: None,
            description: "Demo key with every permission (created by serve --demo)",
            active: true,
            permissions: &perms,
            expires_at: None,
            shops: None,
            actor: &crate::audit::Actor {
                name: "system",
                ip: "",
                user_agent: "",
            },
        },
    )?;
    shop::set_setting(store, DEMO_MARK, &accounts::key::hint(&key))?;
    println!("Webservice key with every permission (shown once, store it now):");
    println!();
    println!("    {key}");
    println!();
    println!("Try it:  curl -u {key}: {base}api/customers");
    Ok(())
}

pub fn run(g: &Global, a: ServeArgs) -> anyhow::Result<()> {
    // The back office at the root would shadow the webservice.
    if a.admin_path.trim_matches('/').is_empty() {
        anyhow::bail!("--admin-path must name a path below the root, e.g. /admin");
    }
    let catalog = Catalog::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let trusted = accounts::parse_allowlist(a.trusted_proxies.as_deref().unwrap_or(""))
        .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?;
    let store: Arc<dyn Store> = Arc::from(open_store_with(g, a.readers)?);
    tracing::info!(database = %store.describe(), "database open");
    let seeded = seed_if_empty(store.as_ref(), g, a.demo)?;
    if seeded {
        tracing::info!(
            demo = a.demo,
            "created the database with PrestaShop's reference data"
        );
    }
    if seeded && a.demo && a.demo_pictures {
        super::demo_pictures(store.as_ref(), g, a.images_dir.as_deref());
    }
    // The OpenAPI document is built once, off the start-up path.
    std::thread::spawn(move || {
        let built = crate::openapi::full(catalog);
        tracing::debug!(
            bytes = built.json.len(),
            build_ms = built.took.as_secs_f64() * 1000.0,
            "OpenAPI document built"
        );
    });
    let metrics = match &a.metrics_listen {
        Some(_) => Some(crate::http::ops::install_metrics()?),
        None => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&a.listen).await?;
        let addr = listener.local_addr()?;
        // Links are built on the configured base URL, never on the request's Host header.
        let base = a
            .base_url
            .clone()
            .map(|b| if b.ends_with('/') { b } else { format!("{b}/") })
            .unwrap_or_else(|| format!("http://{addr}/"));
        let exposed = !addr.ip().is_loopback() && !base.starts_with("https://");
        let admin = if exposed && !a.admin_insecure {
            tracing::warn!(
                %addr,
                "back office not served: plain HTTP on a public address (use --base-url https://… behind TLS, or --admin-insecure)"
            );
            None
        } else {
            Some(format!("/{}", a.admin_path.trim_matches('/')))
        };
        if a.demo {
            shop::set_setting(store.as_ref(), "PS_WEBSERVICE", "1")?;
            demo_key(store.as_ref(), g, &base)?;
        }
        let engine = Arc::new(Engine::new(
            catalog,
            store.clone(),
            Settings {
                base_url: base.clone(),
                json_ps_quirks: a.json_ps_quirks,
                json_numbers: a.json_numbers,
                buffer_limit: 1024 * 1024,
                download_dir: download_dir(g, &a),
                images_dir: super::images_dir(g, a.images_dir.as_deref()),
                fragment_cache_mb: a.reply_cache,
            },
        ));
        // Temporary files of uploads a crash interrupted: a walk of every picture folder,
        // off the start-up path.
        std::thread::spawn({
            let settings = engine.settings.clone();
            move || crate::engine::special::leftovers::sweep(&settings)
        });
        let app = App::new(
            engine,
            AppConfig {
                pepper: pepper(g)?,
                psws_version: a.psws_version.clone(),
                max_body: a.max_body,
                body_timeout: std::time::Duration::from_secs(a.body_timeout.max(1)),
                auth_failures: a.auth_failures,
                proxies: crate::client_ip::TrustedProxies::new(trusted),
                admin_prefix: admin,
                reply_cache_mb: a.reply_cache,
                ops: crate::http::ops::Ops {
                    draining: Default::default(),
                    metrics,
                    series: Default::default(),
                    activity: Arc::new(crate::activity::Recorder::new(
                        a.activity == OnOff::On,
                        a.activity_recent,
                    )),
                },
            },
        );
        let metrics_server = match &a.metrics_listen {
            Some(at) => {
                let l = tokio::net::TcpListener::bind(at).await?;
                println!("shopws metrics on http://{}/metrics", l.local_addr()?);
                let opts = server_options(&a, app.api.ops.draining.clone());
                Some(tokio::spawn(app::serve_until(
                    l,
                    app.metrics_router(),
                    opts,
                    std::future::pending(),
                )))
            }
            None => None,
        };
        let local = format!("http://{addr}/");
        if base == local {
            println!("shopws serving {} on {base}api/", store.describe());
        } else {
            println!(
                "shopws serving {} on {base}api/ (listening on {local})",
                store.describe()
            );
        }
        tracing::info!(%addr, "listening");
        let sender = a.mail.start(store.clone())?;
        let app = Arc::new(app);
        let flusher = tokio::spawn({
            let app = app.clone();
            async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    tick.tick().await;
                    let app = app.clone();
                    let _ = tokio::task::spawn_blocking(move || app.flush()).await;
                }
            }
        });
        // The audit log's retention (a setting in the database, the same on every node): at
        // start-up, then hourly. Expired pending logins go too.
        let pruner = tokio::spawn({
            let store = store.clone();
            async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    tick.tick().await;
                    let store = store.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        if let Err(e) = crate::audit::prune(store.as_ref()) {
                            tracing::warn!(error = %e, "audit log prune failed");
                        }
                        let stale = crate::clock::unix()
                            - crate::backoffice::session::PENDING_SECS;
                        let _ = store.write(&mut |tx| {
                            tx.delete_below(
                                "shopws_admin_pending_login",
                                &[],
                                "created_at",
                                crate::storage::Value::Int(stale),
                            )
                            .map(|_| ())
                        });
                    })
                    .await;
                }
            }
        });
        let activity = app.api.ops.activity.clone();
        let activity_flusher = activity.is_on().then(|| {
            let (activity, store) = (activity.clone(), store.clone());
            let every = std::time::Duration::from_secs(a.activity_flush.max(1));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    let (activity, store) = (activity.clone(), store.clone());
                    let _ = tokio::task::spawn_blocking(move || flush_activity(&activity, &store))
                        .await;
                }
            })
        });
        let opts = server_options(&a, app.api.ops.draining.clone());
        let served = app::serve(listener, app.router(), opts).await;
        pruner.abort();
        if let Some(m) = metrics_server {
            m.abort();
        }
        if let Some(sender) = sender {
            let grace = std::time::Duration::from_secs(a.shutdown_grace.min(10));
            let _ = tokio::task::spawn_blocking(move || sender.stop(grace)).await;
        }
        if let Some(f) = activity_flusher {
            f.abort();
        }
        let _ = tokio::task::spawn_blocking({
            let store = store.clone();
            move || flush_activity(&activity, &store)
        })
        .await;
        served?;
        flusher.abort();
        let app2 = app.clone();
        let _ = tokio::task::spawn_blocking(move || app2.flush()).await;
        tracing::info!("stopped");
        Ok::<(), anyhow::Error>(())
    });
    // Blocking jobs still running past the grace period are not waited for.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// Writes the activity counted since the last flush; a failure keeps it for the next one.
fn flush_activity(activity: &crate::activity::Recorder, store: &Arc<dyn Store>) {
    if let Err(e) = activity.flush(store.as_ref()) {
        tracing::warn!(error = %e, pending = activity.pending(), "API activity not written; kept for the next flush");
    }
}

/// `--download-dir`, else `download` beside the SQLite file (or in the working directory).
fn download_dir(g: &Global, a: &ServeArgs) -> std::path::PathBuf {
    if let Some(d) = &a.download_dir {
        return d.clone();
    }
    super::sqlite_path(&g.database)
        .and_then(|p| p.parent().map(|d| d.join("download")))
        .unwrap_or_else(|| std::path::PathBuf::from("download"))
}

fn server_options(a: &ServeArgs, draining: Arc<std::sync::atomic::AtomicBool>) -> ServerOptions {
    ServerOptions {
        draining,
        header_timeout: std::time::Duration::from_secs(a.header_timeout.max(1)),
        max_connections: a.max_connections.unwrap_or_else(default_max_connections),
        shutdown_grace: std::time::Duration::from_secs(a.shutdown_grace),
    }
}

/// Three quarters of the descriptor limit: the rest stays for the database, logs and the
/// connections refused with a 503.
fn default_max_connections() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_string))
        })
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1024);
    (soft / 4 * 3).max(16)
}
