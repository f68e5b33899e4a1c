//! Operations: `/health` and `/ready` for load balancers, the Prometheus metrics (served on
//! their own listener, never on the public port), and one access-log line per request.

pub mod labels;
mod observe;
mod series;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Response, StatusCode};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub use observe::{observe, Facts};

use super::ApiState;
use crate::storage::{Select, Value};

/// Operational state shared by both listeners.
#[derive(Default)]
pub struct Ops {
    /// Set when a stop signal arrives: `/ready` answers 503 from then on.
    pub draining: Arc<AtomicBool>,
    /// The Prometheus recorder's handle, when `--metrics-listen` is given.
    pub metrics: Option<PrometheusHandle>,
    /// The request series' handles, registered once each.
    pub series: series::Series,
    /// API activity per key, counted here and written behind the requests.
    pub activity: Arc<crate::activity::Recorder>,
}

/// Latency buckets, in seconds: sub-millisecond reads up to slow writes.
const BUCKETS: &[f64] = &[
    0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Installs the process's Prometheus recorder; without it every metric is a no-op.
pub fn install_metrics() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets(BUCKETS)?
        .install_recorder()?;
    metrics::gauge!(
        "shopws_build_info",
        "version" => env!("CARGO_PKG_VERSION"),
    )
    .set(1.0);
    Ok(handle)
}

/// The metrics listener: `/metrics`, `/health`, `/ready`; nothing else.
pub fn metrics_router(st: Arc<ApiState>) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/health", get(|| async { health() }))
        .route("/ready", get(ready_handler))
        .with_state(st)
}

async fn ready_handler(State(st): State<Arc<ApiState>>) -> Response<Body> {
    ready(&st).await
}

/// The process is alive.
pub fn health() -> Response<Body> {
    text(StatusCode::OK, "ok\n")
}

/// Serving: not stopping, the database reachable and its schema present.
pub async fn ready(st: &Arc<ApiState>) -> Response<Body> {
    if st.ops.draining.load(Ordering::Relaxed) {
        return text(StatusCode::SERVICE_UNAVAILABLE, "stopping\n");
    }
    let store = st.engine.store.clone();
    let checked = tokio::task::spawn_blocking(move || {
        store.first_row(&Select {
            table: "configuration",
            columns: &["value"],
            key: vec![("name", Value::from("PS_VERSION_DB"))],
            limit: Some(1),
            ..Default::default()
        })
    })
    .await;
    match checked {
        Ok(Ok(Some(_))) => text(StatusCode::OK, "ready\n"),
        Ok(Ok(None)) => text(StatusCode::SERVICE_UNAVAILABLE, "schema missing\n"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: database unreachable");
            text(StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
        Err(_) => text(StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n"),
    }
}

/// The exposition: gauges read now (pool, outbox), then everything recorded.
async fn scrape(State(st): State<Arc<ApiState>>) -> Response<Body> {
    let Some(handle) = st.ops.metrics.clone() else {
        return text(StatusCode::NOT_FOUND, "Not Found\n");
    };
    // What is counted in memory and not written yet (written every few seconds).
    metrics::gauge!("shopws_activity_pending").set(st.ops.activity.pending() as f64);
    metrics::counter!("shopws_activity_dropped_total").absolute(st.ops.activity.dropped());
    metrics::gauge!("shopws_key_uses_pending").set(st.keys.pending() as f64);
    let store = st.engine.store.clone();
    let _ = tokio::task::spawn_blocking(move || {
        if let Some(p) = store.pool_stats() {
            metrics::gauge!("shopws_db_pool_connections").set(p.size as f64);
            metrics::gauge!("shopws_db_pool_idle").set(p.idle as f64);
            metrics::gauge!("shopws_db_pool_waiting").set(p.waiting as f64);
            metrics::gauge!("shopws_db_pool_extra").set(p.extra as f64);
        }
        let queued = store.reading(|r| {
            r.select(&Select {
                table: "shopws_mail_outbox",
                columns: &["id"],
                key: vec![("state", Value::from("queued"))],
                ..Default::default()
            })
            .map(|rows| rows.len())
        });
        if let Ok(n) = queued {
            metrics::gauge!("shopws_mail_outbox").set(n as f64);
        }
    })
    .await;
    let mut r = Response::new(Body::from(handle.render()));
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain"),
    );
    r
}
