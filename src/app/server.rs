//! The accept loop: HTTP/1.1 connections with a header-read deadline, a cap on open
//! connections, `TCP_NODELAY`, and a graceful, bounded shutdown on SIGTERM or SIGINT.
//!
//! `axum::serve` offers none of the limits, so connections are driven by hyper directly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::lenient::{self, LenientIo};

#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// How long a client may take to send a request head, and how long an idle keep-alive
    /// connection is kept.
    pub header_timeout: Duration,
    /// Open connections at most; beyond, a new connection gets a bare 503 and is closed.
    pub max_connections: usize,
    /// After a stop signal, how long in-flight requests may run before they are cut.
    pub shutdown_grace: Duration,
    /// Set when the stop signal arrives (`/ready` then answers 503).
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

/// Serves `router` on `listener` until SIGTERM or SIGINT, then stops accepting, lets
/// in-flight requests finish within the grace period, and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    opts: ServerOptions,
) -> std::io::Result<()> {
    serve_until(listener, router, opts, stop_signal()).await
}

pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    opts: ServerOptions,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(opts.header_timeout)
        // Above the limit `lenient` enforces itself, so the refusal carries a document.
        .max_headers(lenient::MAX_HEADERS + 28)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let (socket, peer) = tokio::select! {
            _ = &mut stop => {
                opts.draining.store(true, std::sync::atomic::Ordering::Relaxed);
                break;
            }
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: wait a little
                    // rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(socket));
            continue;
        };
        configure(&socket);
        let io = TokioIo::new(LenientIo::new(socket));
        let conn = builder.serve_connection(io, service(router.clone(), peer));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(
            connections = open,
            "stopping: letting in-flight requests finish"
        );
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(opts.shutdown_grace) => {
            tracing::warn!(
                grace_secs = opts.shutdown_grace.as_secs_f64(),
                "stopping: requests still running after the grace period were cut"
            );
        }
    }
    Ok(())
}

/// Small responses and the last chunk of a large one go out at once instead of waiting for
/// the client's delayed ACK (Nagle's algorithm: 40 ms stalls on large lists).
fn configure(socket: &TcpStream) {
    if let Err(e) = socket.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
}

fn service(
    router: Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone {
    hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(req.map(axum::body::Body::new))
    })
}

/// A connection over the cap: told so in one write, then closed.
async fn refuse(mut socket: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\
retry-after: 1\r\ncontent-length: 0\r\n\r\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.write_all(BUSY)).await;
}

/// SIGTERM (process managers, containers) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("stop signal received");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[tokio::test]
    async fn accepted_connections_do_not_wait_for_delayed_acks() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(TcpStream::connect(addr));
        let (socket, _) = listener.accept().await.unwrap();
        assert!(
            !socket.nodelay().unwrap(),
            "the default is Nagle's algorithm"
        );
        configure(&socket);
        assert!(socket.nodelay().unwrap());
        drop(client);
    }
}
