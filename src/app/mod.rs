//! The application assembled: one engine, the webservice and the back office sharing its key
//! cache and proxy list, and the server that runs them until told to stop.
//!
//! This is the only module that knows both HTTP faces; `http` and `backoffice` never import
//! each other.

mod lenient;
mod server;

use std::sync::Arc;

use axum::Router;

use crate::accounts::{KeyCache, Pepper};
use crate::backoffice::{self, BackOffice};
use crate::client_ip::TrustedProxies;
use crate::engine::Engine;
use crate::http::{self, ApiState};

pub use server::{serve, serve_until, ServerOptions};

/// What `serve` needs beyond the engine.
pub struct AppConfig {
    pub pepper: Pepper,
    /// Advertised `PSWS-Version`.
    pub psws_version: String,
    pub max_body: usize,
    /// How long a client may take to send a request body.
    pub body_timeout: std::time::Duration,
    /// Failed key authentications allowed per address and minute (0: no limit).
    pub auth_failures: u32,
    pub proxies: TrustedProxies,
    /// Where the back office lives, e.g. `/admin`; `None` when it is not served.
    pub admin_prefix: Option<String>,
    /// Readiness, metrics handle and access-log format.
    pub ops: http::ops::Ops,
    /// Megabytes of finished single-entity answers kept for reuse (0: none).
    pub reply_cache_mb: u64,
}

/// The running application's shared parts.
pub struct App {
    pub api: Arc<ApiState>,
    pub backoffice: Option<Arc<BackOffice>>,
}

impl App {
    pub fn new(engine: Arc<Engine>, c: AppConfig) -> App {
        let keys = Arc::new(KeyCache::new(c.pepper));
        let proxies = Arc::new(c.proxies);
        let api = Arc::new(ApiState {
            engine: engine.clone(),
            keys: keys.clone(),
            // Checked by clap's caller only as text: a version a header cannot carry is not sent.
            psws_version: axum::http::HeaderValue::from_str(&c.psws_version)
                .unwrap_or_else(|_| axum::http::HeaderValue::from_static("")),
            max_body: c.max_body,
            body_timeout: c.body_timeout,
            limits: Default::default(),
            auth_failures: http::auth_failures::AuthFailures::new(c.auth_failures),
            proxies: proxies.clone(),
            signals: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(std::time::Duration::from_secs(60))
                .build(),
            ops: c.ops,
            replies: http::replies::Replies::new(c.reply_cache_mb),
        });
        let backoffice = c.admin_prefix.map(|prefix| {
            Arc::new(BackOffice {
                engine,
                keys,
                prefix,
                proxies,
                activity: api.ops.activity.clone(),
            })
        });
        App { api, backoffice }
    }

    /// The back office's routes first; everything else is the webservice's; around both,
    /// `/health`, `/ready`, the request id, the metrics and the access log.
    pub fn router(&self) -> Router {
        let api = http::router(self.api.clone());
        let routes = match &self.backoffice {
            Some(bo) => backoffice::router(bo.clone()).fallback_service(api),
            None => api,
        };
        routes.layer(axum::middleware::from_fn_with_state(
            self.api.clone(),
            http::ops::observe,
        ))
    }

    /// The metrics listener's routes (`/metrics`, `/health`, `/ready`).
    pub fn metrics_router(&self) -> Router {
        http::ops::metrics_router(self.api.clone())
    }

    /// Work that must reach the database before the process ends.
    pub fn flush(&self) {
        self.api.keys.flush(self.api.engine.store.as_ref());
    }
}
