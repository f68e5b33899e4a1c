//! The HTTP layer: routing, key extraction, content negotiation, PrestaShop's headers, and
//! the one place where engine errors become PrestaShop error documents.

pub mod auth;
pub mod auth_failures;
pub mod error;
pub mod limits;

mod stream;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{
    header, HeaderMap, HeaderName, HeaderValue, Method as HttpMethod, Request as HttpRequest,
    Response, StatusCode,
};
use axum::Router;
use sha1::{Digest, Sha1};
use tokio::sync::oneshot;

use crate::accounts::KeyCache;
use crate::catalog::Method;
use crate::client_ip::TrustedProxies;
use crate::engine::error::ApiError;
use crate::engine::params::query::{self, Params};
use crate::engine::{Engine, Format, Reply, Request};

/// What the webservice's handlers share.
pub struct ApiState {
    pub engine: Arc<Engine>,
    pub keys: Arc<KeyCache>,
    /// Advertised `PSWS-Version` (the official PHP client refuses anything above 8.2.0).
    pub psws_version: String,
    pub max_body: usize,
    pub limits: limits::RateLimits,
    /// Failed authentications per client address (`--auth-failures`).
    pub auth_failures: auth_failures::AuthFailures,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` headers are believed.
    pub proxies: Arc<TrustedProxies>,
    /// API-side events already written to the audit log this minute (kind, subject).
    pub signals: moka::sync::Cache<(&'static str, String), ()>,
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
        return webservice(st, peer, req, trimmed).await;
    }
    plain(StatusCode::NOT_FOUND, "Not Found")
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn format_of(headers: &HeaderMap, params: &Params) -> Format {
    let pick = headers
        .get("io-format")
        .or_else(|| headers.get("output-format"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| params.get_str("output_format").map(str::to_string))
        .or_else(|| params.get_str("io_format").map(str::to_string));
    match pick {
        // PrestaShop wants exactly "JSON"; any case is accepted here.
        Some(v) if v.trim().eq_ignore_ascii_case("json") => Format::Json,
        _ => Format::Xml,
    }
}

struct Common {
    started: Instant,
    format: Format,
    version: Option<String>,
}

// Parsed once: a name given as &str is parsed and hashed again on every insert.
const ACCESS_TIME: HeaderName = HeaderName::from_static("access-time");
const X_POWERED_BY: HeaderName = HeaderName::from_static("x-powered-by");
const PSWS_VERSION: HeaderName = HeaderName::from_static("psws-version");
const EXECUTION_TIME: HeaderName = HeaderName::from_static("execution-time");
const CONTENT_SHA1: HeaderName = HeaderName::from_static("content-sha1");
const X_TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

fn base_headers(h: &mut HeaderMap, c: &Common) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    h.insert(ACCESS_TIME, HeaderValue::from(now));
    h.insert(
        X_POWERED_BY,
        HeaderValue::from_static("PrestaShop Webservice"),
    );
    if let Some(v) = c
        .version
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        h.insert(PSWS_VERSION, v);
    }
    let secs = c.started.elapsed().as_secs_f64();
    if let Ok(v) = HeaderValue::from_str(&format!("{secs:.3}")) {
        h.insert(EXECUTION_TIME, v);
    }
}

fn error_response(e: &ApiError, c: &Common) -> Response<Body> {
    let mut r = if e.empty_body {
        Response::new(Body::empty())
    } else {
        let mut r = Response::new(Body::from(error::document(e, c.format)));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(c.format.content_type()),
        );
        r
    };
    *r.status_mut() = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if e.challenge {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(error::REALM),
        );
    }
    if let Some(s) = e.retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    base_headers(r.headers_mut(), c);
    r
}

fn reply_response(reply: Reply, c: &Common, local_sha1: Option<&str>) -> Response<Body> {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut r;
    if reply.has_body {
        let sha = hex::encode(Sha1::digest(&reply.body));
        if local_sha1.is_some_and(|l| l.trim().eq_ignore_ascii_case(&sha)) {
            r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
        } else {
            r = Response::new(Body::from(reply.body));
            *r.status_mut() = status;
        }
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(c.format.content_type()),
        );
        if let Ok(v) = HeaderValue::from_str(&sha) {
            r.headers_mut().insert(CONTENT_SHA1, v);
        }
    } else {
        r = Response::new(Body::empty());
        *r.status_mut() = status;
    }
    if let Some(n) = reply.total_count {
        r.headers_mut().insert(X_TOTAL_COUNT, HeaderValue::from(n));
    }
    base_headers(r.headers_mut(), c);
    r
}

/// Reads `ps_method` (and friends) from a form-encoded POST body, as PHP's `$_REQUEST` does.
fn form_params(headers: &HeaderMap, body: &Bytes) -> Option<Params> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !ct.starts_with("application/x-www-form-urlencoded") {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    if text.trim_start().starts_with('<') || text.starts_with("xml=") {
        return None;
    }
    Some(Params::parse(text))
}

async fn webservice(
    st: Arc<ApiState>,
    peer: SocketAddr,
    req: HttpRequest<Body>,
    path: String,
) -> Response<Body> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let decoded = percent_encoding::percent_decode_str(&path)
        .decode_utf8_lossy()
        .into_owned();
    let rest = decoded.strip_prefix("/api").unwrap_or("");
    let (rest, tail) = query::split_path_query(rest);
    let mut params = Params::parse(parts.uri.query().unwrap_or(""));
    if let Some(t) = tail {
        params.merge_raw(t);
    }
    params.remove("url");
    let mut common = Common {
        started,
        format: format_of(&parts.headers, &params),
        version: None,
    };

    let client = st.proxies.client(&peer, &parts.headers);
    // A blocked address is answered before anything else: no body read, no key lookup.
    if let Err(wait) = st.auth_failures.check(client) {
        return error_response(&ApiError::auth_failures(wait), &common);
    }

    let real = parts.method.clone();
    let reads_body =
        real == HttpMethod::POST || real == HttpMethod::PUT || real == HttpMethod::PATCH;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if reads_body && declared.is_some_and(|n| n > st.max_body) {
        // Refused from the header alone: the body is never read.
        return error_response(&ApiError::body_too_large(st.max_body), &common);
    }
    let body = if reads_body {
        match axum::body::to_bytes(body, st.max_body).await {
            Ok(b) => b,
            Err(_) => return error_response(&ApiError::body_too_large(st.max_body), &common),
        }
    } else {
        Bytes::new()
    };

    let ws_key = params.get_str("ws_key").map(str::to_string);
    let Some(key) = auth::presented(&parts.headers, ws_key.as_deref()) else {
        if real == HttpMethod::OPTIONS {
            let mut r = Response::new(Body::from("200 OK"));
            r.headers_mut().insert(
                "access-control-allow-headers",
                HeaderValue::from_static("Authorization, Content-Type"),
            );
            return r;
        }
        let mut r = plain(StatusCode::UNAUTHORIZED, "401 Unauthorized");
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(error::REALM),
        );
        return r;
    };

    let engine = st.engine.clone();
    // Cached shop facts and keys are answered on this thread; only misses touch the database.
    let info = match engine.cached_shop_info() {
        Some(i) => i,
        None => match tokio::task::spawn_blocking({
            let engine = engine.clone();
            move || engine.shop_info()
        })
        .await
        {
            Ok(Ok(i)) => i,
            Ok(Err(e)) => return error_response(&e, &common),
            Err(_) => return error_response(&ApiError::internal(), &common),
        },
    };
    // The switch of the shop the request is served under (by its domain), as PrestaShop
    // reads it before any parameter.
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    if !info.webservice_enabled_for(info.shop_for_host(host)) {
        return error_response(&ApiError::disabled(), &common);
    }
    let checked = match st.keys.cached(&key) {
        Some(v) => v.map_err(ApiError::from),
        None => {
            let ip = client.to_string();
            tokio::task::spawn_blocking({
                let st = st.clone();
                move || {
                    st.keys
                        .check(st.engine.store.as_ref(), &key, &ip)
                        .map_err(ApiError::from)
                }
            })
            .await
            .unwrap_or_else(|_| Err(ApiError::internal()))
        }
    };
    let key_info = match checked {
        Ok(k) => k,
        Err(e) => {
            if auth_failures::is_key_failure(&e) && st.auth_failures.fail(client) {
                tracing::warn!(
                    ip = %client,
                    per_minute = st.auth_failures.per_minute(),
                    "address blocked: too many failed authentications"
                );
                st.signal("api.auth_failures.blocked", client.to_string(), 0, client);
            }
            return error_response(&e, &common);
        }
    };
    if !key_info.policy.allows(client) {
        let id = key_info.account_id;
        st.signal("api.ip_refused", format!("{id} {client}"), id, client);
        return error_response(&ApiError::ip_not_allowed(), &common);
    }
    if let Err(wait) = st.limits.check(key_info.account_id, &key_info.policy) {
        let id = key_info.account_id;
        st.signal("api.rate_limited", id.to_string(), id, client);
        return error_response(&ApiError::rate_limited(wait.max(1)), &common);
    }
    common.version = Some(st.psws_version.clone());

    let form = if real == HttpMethod::POST {
        form_params(&parts.headers, &body)
    } else {
        None
    };
    let override_m = params.get_str("ps_method").map(str::to_string).or_else(|| {
        form.as_ref()
            .and_then(|f| f.get_str("ps_method").map(str::to_string))
    });
    let method_name = override_m.unwrap_or_else(|| real.as_str().to_string());
    let Some(method) = Method::parse(&method_name) else {
        return error_response(&ApiError::method_invalid(&method_name), &common);
    };
    if let Some(f) = &form {
        for name in ["sendemail", "id_shop"] {
            if !params.contains(name) {
                if let Some(v) = f.get_str(name) {
                    params.merge_raw(&format!(
                        "{name}={}",
                        percent_encoding::utf8_percent_encode(
                            v,
                            percent_encoding::NON_ALPHANUMERIC
                        )
                    ));
                }
            }
        }
    }

    let segments: Vec<String> = rest
        .trim_start_matches('/')
        .split('/')
        .map(str::to_string)
        .collect();
    let request = Request {
        method,
        segments,
        params,
        body,
        format: common.format,
        key: key_info,
    };
    let local_sha1 = parts
        .headers
        .get("local-content-sha1")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);

    // Reading one entity (or the resource list) is a few index lookups: done on this thread,
    // sparing two thread hand-offs. Lists and writes, whose cost grows with the data, run on
    // the blocking pool.
    let bounded = matches!(request.method, Method::Get | Method::Head)
        && (request.segments.len() == 1 && request.segments[0].is_empty()
            || request.segments.get(1).is_some_and(|s| !s.is_empty())
                && !matches!(request.segments[0].as_str(), "images" | "attachments"));
    if bounded {
        let mut sink = stream::Sink::new(usize::MAX, oneshot::channel().0);
        return match engine.handle(&request, &mut sink) {
            Ok(reply) => reply_response(reply, &common, local_sha1.as_deref()),
            Err(e) => error_response(&e, &common),
        };
    }
    let (start_tx, start_rx) = oneshot::channel();
    let limit = engine.settings.buffer_limit;
    let job = tokio::task::spawn_blocking(move || {
        let mut sink = stream::Sink::new(limit, start_tx);
        let result = engine.handle(&request, &mut sink);
        if sink.streaming() {
            if let Ok(reply) = result {
                let _ = sink.finish(reply.body);
            }
            return Outcome::Streamed;
        }
        let held = sink.into_held();
        match result {
            Ok(mut reply) => {
                if !held.is_empty() {
                    let mut all = held;
                    all.append(&mut reply.body);
                    reply.body = all;
                }
                Outcome::Done(reply)
            }
            Err(e) => Outcome::Failed(e),
        }
    });
    let finish = |o: Result<Outcome, tokio::task::JoinError>| match o {
        Ok(Outcome::Done(reply)) => reply_response(reply, &common, local_sha1.as_deref()),
        Ok(Outcome::Failed(e)) => error_response(&e, &common),
        _ => error_response(&ApiError::internal(), &common),
    };
    tokio::pin!(job);
    tokio::select! {
        done = &mut job => finish(done),
        started = start_rx => match started {
            Ok(started) => {
                let stream = tokio_stream::wrappers::ReceiverStream::new(started.chunks);
                let mut r = Response::new(Body::from_stream(stream));
                r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(common.format.content_type()));
                if let Some(n) = started.total {
                    r.headers_mut().insert(X_TOTAL_COUNT, HeaderValue::from(n));
                }
                base_headers(r.headers_mut(), &common);
                r
            }
            Err(_) => finish(job.await),
        },
    }
}

enum Outcome {
    Done(Reply),
    Failed(ApiError),
    /// The body went out as a stream; nothing is left to answer.
    Streamed,
}
