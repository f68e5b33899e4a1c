//! The HTTP layer: routing, key extraction, content negotiation, PrestaShop's headers, and
//! the one place where engine errors become PrestaShop error documents.

pub mod auth;
pub mod auth_failures;
mod body;
pub mod error;
pub mod limits;
mod openapi;
pub mod ops;
pub mod replies;
mod respond;
mod stream;
mod upload;
mod webservice;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{Request as HttpRequest, Response, StatusCode};
use axum::Router;

use crate::accounts::KeyCache;
use crate::client_ip::TrustedProxies;
use crate::engine::Engine;

/// What the webservice's handlers share.
pub struct ApiState {
    pub engine: Arc<Engine>,
    pub keys: Arc<KeyCache>,
    /// Advertised `PSWS-Version` (the official PHP client refuses anything above 8.2.0).
    pub psws_version: axum::http::HeaderValue,
    pub max_body: usize,
    /// How long a client may take to send a request body (408 beyond).
    pub body_timeout: Duration,
    pub limits: limits::RateLimits,
    /// Failed authentications per client address (`--auth-failures`).
    pub auth_failures: auth_failures::AuthFailures,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` headers are believed.
    pub proxies: Arc<TrustedProxies>,
    /// API-side events already written to the audit log this minute (kind, subject).
    pub signals: moka::sync::Cache<(&'static str, String), ()>,
    /// Readiness, metrics and the access log.
    pub ops: ops::Ops,
    /// Finished single-entity answers, reused while still true (`--reply-cache`).
    pub replies: replies::Replies,
}

impl ApiState {
    /// Writes an API-side event to the audit log at most once a minute per kind and subject,
    /// off the request path.
    pub fn signal(&self, kind: &'static str, subject: String, key_id: i64, ip: IpAddr) {
        if self.signals.contains_key(&(kind, subject.clone())) {
            return;
        }
        self.signals.insert((kind, subject), ());
        let store = self.engine.store.clone();
        tokio::task::spawn_blocking(move || {
            let ip = ip.to_string();
            let _ = store.write(&mut |tx| {
                crate::audit::record(
                    tx,
                    &crate::audit::Entry {
                        actor: crate::audit::Actor {
                            name: "api",
                            ip: &ip,
                            user_agent: "",
                        },
                        action: kind,
                        target_type: if key_id > 0 { "key" } else { "" },
                        target_id: key_id,
                        target_hint: "",
                        details: "",
                        result: "denied",
                    },
                )
            });
        });
    }
}

/// The webservice: every path is tried as `/api…`; anything else is not ours.
pub fn router(state: Arc<ApiState>) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

/// Every request comes here: `/api…` (also `//api…`, as clients with a trailing slash in the
/// shop URL send it) goes to the webservice; anything else is not ours.
async fn dispatch(
    State(st): State<Arc<ApiState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: HttpRequest<Body>,
) -> Response<Body> {
    let path = req.uri().path();
    let trimmed = format!("/{}", path.trim_start_matches('/'));
    if trimmed == "/api" || trimmed.starts_with("/api/") || trimmed.starts_with("/api&") {
        return webservice::handle(st, peer, req, trimmed).await;
    }
    respond::plain(StatusCode::NOT_FOUND, "Not Found")
}
