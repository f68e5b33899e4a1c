//! One `/api/…` request, in PrestaShop's order: the address's throttle, the switch, the key
//! and its policies, then — only for a client whose key may call the resource — the body,
//! the method override, and the engine (on this thread for bounded reads, on the blocking
//! pool for lists and writes, streaming when a list outgrows the buffer).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method as HttpMethod, Request as HttpRequest, Response};
use tokio::sync::oneshot;

use super::ops::labels::Refusal;
use super::ops::Facts;
use super::replies::Replies;
use super::respond::{
    base_headers, error_response, format_of, kept_response, plain, reply_response, Common,
};
use super::{auth, auth_failures, body as request_body, error, stream, upload, ApiState};
use crate::accounts::KeyInfo;
use crate::catalog::{Catalog, Method};
use crate::engine::error::ApiError;
use crate::engine::params::query::{self, Params};
use crate::engine::{Reply, Request};

type Answer = Response<Body>;

pub(super) async fn handle(
    st: Arc<ApiState>,
    peer: SocketAddr,
    req: HttpRequest<Body>,
    path: String,
) -> Answer {
    let mut facts = Facts::default();
    let mut answer = answer(st, peer, req, path, &mut facts).await;
    answer.extensions_mut().insert(facts);
    answer
}

async fn answer(
    st: Arc<ApiState>,
    peer: SocketAddr,
    req: HttpRequest<Body>,
    path: String,
    facts: &mut Facts,
) -> Answer {
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
        started: Instant::now(),
        format: format_of(&parts.headers, &params),
        version: None,
    };
    let segments: Vec<String> = rest
        .trim_start_matches('/')
        .split('/')
        .map(str::to_string)
        .collect();
    let catalog = st.engine.catalog;
    facts.resource = match segments.first().map(String::as_str) {
        None | Some("") => "",
        Some(name) => catalog.get(name).map_or("unknown", |r| r.api.as_str()),
    };
    facts.id = segments.get(1).and_then(|s| s.parse().ok());

    let client = st.proxies.client(&peer, &parts.headers);
    let key = match authenticate(&st, &parts, &params, client, facts).await {
        Ok(k) => {
            facts.key_id = Some(k.account_id);
            k
        }
        Err(Refused::Error(e)) => return error_response(&e, &common),
        Err(Refused::Answer(a)) => return a,
    };
    common.version = Some(st.psws_version.clone());

    let real = parts.method.clone();
    if super::openapi::is_document(&segments)
        && (real == HttpMethod::GET || real == HttpMethod::HEAD)
    {
        let head = real == HttpMethod::HEAD;
        return super::openapi::answer(st.engine.catalog, &key.permissions, head, &common);
    }
    let reads_body =
        real == HttpMethod::POST || real == HttpMethod::PUT || real == HttpMethod::PATCH;
    let body = if reads_body {
        // A key that may not write this resource is refused before the body is read.
        if let Err(e) = may_send_body(catalog, &key, &segments, &real, &params, &parts) {
            return error_response(&e, &common);
        }
        match request_body::read(&st, &parts, body).await {
            Ok(b) => b,
            // An upload beyond the server's limit is PrestaShop's "too large" picture.
            Err(e) if e.status == 413 && segments.first().is_some_and(|s| s == "images") => {
                return error_response(
                    &crate::engine::special::images::too_large(st.max_body as u64),
                    &common,
                );
            }
            Err(e) => return error_response(&e, &common),
        }
    } else {
        Bytes::new()
    };

    let content_type = upload::content_type(&parts.headers);
    let parts_of_form = match upload::form_parts(content_type.as_deref(), &body).await {
        Ok(p) => p,
        Err(e) => return error_response(&e, &common),
    };
    let form = if real != HttpMethod::POST {
        None
    } else if parts_of_form.is_empty() {
        form_params(&parts.headers, &body)
    } else {
        Some(multipart_fields(&parts_of_form))
    };
    let method = match method_of(&real, &mut params, form.as_ref()) {
        Ok(m) => m,
        Err(e) => return error_response(&e, &common),
    };
    let request = Request {
        method,
        segments,
        params,
        body,
        content_type,
        form: parts_of_form,
        conditional: upload::conditional(&parts.headers),
        format: common.format,
        key,
    };
    let local_sha1 = parts
        .headers
        .get("local-content-sha1")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let reuse = (real == HttpMethod::GET && st.replies.enabled()).then(|| {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        let query = parts.uri.query().unwrap_or("");
        Replies::name(&request.key, common.format, host, &path, query)
    });
    run(st, request, common, local_sha1, reuse).await
}

enum Refused {
    Error(ApiError),
    /// PrestaShop's bare answers: the `401` challenge without a key, `OPTIONS`.
    Answer(Answer),
}

/// The address's failure budget, the shop's switch, the key, its IP allowlist and rate. A
/// valid key refused by its own policies is named in `facts` (its activity shows the refusal).
async fn authenticate(
    st: &Arc<ApiState>,
    parts: &Parts,
    params: &Params,
    client: IpAddr,
    facts: &mut Facts,
) -> Result<Arc<KeyInfo>, Refused> {
    // A blocked address is answered before anything else: no body read, no key lookup.
    if let Err(wait) = st.auth_failures.check(client) {
        Refusal::AuthThrottled.count();
        return Err(Refused::Error(ApiError::auth_failures(wait)));
    }
    let ws_key = params.get_str("ws_key").map(str::to_string);
    let Some(key) = auth::presented(&parts.headers, ws_key.as_deref()) else {
        if parts.method != HttpMethod::OPTIONS {
            Refusal::BadKey.count();
        }
        return Err(Refused::Answer(no_key(&parts.method)));
    };
    let engine = st.engine.clone();
    // Cached shop facts and keys are answered on this thread; only misses touch the database.
    let info = match engine.cached_shop_info() {
        Some(i) => i,
        None => tokio::task::spawn_blocking(move || engine.shop_info())
            .await
            .unwrap_or_else(|_| Err(ApiError::internal()))
            .map_err(Refused::Error)?,
    };
    // The switch of the shop the request is served under (by its domain), as PrestaShop
    // reads it before any parameter.
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    if !info.webservice_enabled_for(info.shop_for_host(host)) {
        return Err(Refused::Error(ApiError::disabled()));
    }
    let checked = match st.keys.cached(&key) {
        Some(v) => v.map_err(ApiError::from),
        None => {
            let ip = client.to_string();
            let st = st.clone();
            tokio::task::spawn_blocking(move || {
                st.keys
                    .check(st.engine.store.as_ref(), &key, &ip)
                    .map_err(ApiError::from)
            })
            .await
            .unwrap_or_else(|_| Err(ApiError::internal()))
        }
    };
    let key = match checked {
        Ok(k) => k,
        Err(e) => {
            if auth_failures::is_key_failure(&e) {
                Refusal::BadKey.count();
            }
            if auth_failures::is_key_failure(&e) && st.auth_failures.fail(client) {
                tracing::warn!(
                    ip = %client,
                    per_minute = st.auth_failures.per_minute(),
                    "address blocked: too many failed authentications"
                );
                st.signal("api.auth_failures.blocked", client.to_string(), 0, client);
            }
            return Err(Refused::Error(e));
        }
    };
    if !key.policy.allows(client) {
        let id = key.account_id;
        facts.key_id = Some(id);
        Refusal::IpNotAllowed.count();
        st.signal("api.ip_refused", format!("{id} {client}"), id, client);
        return Err(Refused::Error(ApiError::ip_not_allowed()));
    }
    if let Err(wait) = st.limits.check(key.account_id, &key.policy) {
        let id = key.account_id;
        facts.key_id = Some(id);
        Refusal::RateLimited.count();
        st.signal("api.rate_limited", id.to_string(), id, client);
        return Err(Refused::Error(ApiError::rate_limited(wait.max(1))));
    }
    Ok(key)
}

fn no_key(method: &HttpMethod) -> Answer {
    if method == HttpMethod::OPTIONS {
        let mut r = Response::new(Body::from("200 OK"));
        r.headers_mut().insert(
            "access-control-allow-headers",
            HeaderValue::from_static("Authorization, Content-Type"),
        );
        return r;
    }
    let mut r = plain(axum::http::StatusCode::UNAUTHORIZED, "401 Unauthorized");
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(error::REALM),
    );
    r
}

/// Before a body is read: the key must hold a method that sends one on the resource named
/// by the path. The engine makes the exact check (and PrestaShop's error) afterwards; this
/// only keeps anonymous or read-only clients from making the server read bodies.
fn may_send_body(
    catalog: &Catalog,
    key: &KeyInfo,
    segments: &[String],
    real: &HttpMethod,
    params: &Params,
    parts: &Parts,
) -> Result<(), ApiError> {
    let resource = segments.first().map(String::as_str).unwrap_or("");
    if resource.is_empty() {
        return Ok(());
    }
    // The engine's own answers, in its order, without reading a body it would not use.
    let Some(r) = catalog.get(resource) else {
        return Err(ApiError::resource_unknown(resource, catalog.names()));
    };
    let granted = key.permissions.get(resource).copied().unwrap_or_default();
    if granted.is_empty() {
        return Err(ApiError::resource_not_allowed(resource));
    }
    // A form POST (encoded or multipart) may carry `ps_method` in its body: any body
    // method will do.
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| {
            c.starts_with("application/x-www-form-urlencoded")
                || c.to_ascii_lowercase().starts_with("multipart/form-data")
        });
    let wanted = params
        .get_str("ps_method")
        .and_then(Method::parse)
        .or_else(|| Method::parse(real.as_str()));
    let Some(wanted) = wanted else {
        // Not a method PrestaShop knows: the engine answers #23 without the body.
        return Ok(());
    };
    // A form-encoded POST may name its method in its body: any writing method may follow.
    let candidates: &[Method] =
        if form && *real == HttpMethod::POST && !params.contains("ps_method") {
            &[Method::Post, Method::Put, Method::Patch, Method::Delete]
        } else {
            std::slice::from_ref(&wanted)
        };
    if candidates
        .iter()
        .any(|m| !r.forbidden.contains(*m) && granted.contains(*m))
    {
        return Ok(());
    }
    // The engine's answer for the method the request names.
    Err(if r.forbidden.contains(wanted) {
        ApiError::method_forbidden(wanted.as_str(), resource)
    } else {
        ApiError::method_not_allowed_for_key(wanted.as_str(), resource)
    })
}

/// Reads `ps_method` (and friends) from a form-encoded POST body, as PHP's `$_REQUEST` does.
fn form_params(headers: &axum::http::HeaderMap, body: &Bytes) -> Option<Params> {
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

/// The text fields of a multipart body, as PHP puts them in `$_POST`.
fn multipart_fields(parts: &[crate::engine::binary::FormPart]) -> Params {
    let mut enc = form_urlencoded::Serializer::new(String::new());
    for p in parts.iter().filter(|p| !p.is_file()) {
        if let Ok(v) = std::str::from_utf8(&p.data) {
            enc.append_pair(&p.name, v);
        }
    }
    Params::parse(&enc.finish())
}

/// The method asked for: `ps_method` from the query or a form body overrides the real one;
/// a form body also gives `sendemail` and `id_shop` when the query does not.
fn method_of(
    real: &HttpMethod,
    params: &mut Params,
    form: Option<&Params>,
) -> Result<Method, ApiError> {
    let override_m = params
        .get_str("ps_method")
        .map(str::to_string)
        .or_else(|| form.and_then(|f| f.get_str("ps_method").map(str::to_string)));
    let name = override_m.unwrap_or_else(|| real.as_str().to_string());
    let method = Method::parse(&name).ok_or_else(|| ApiError::method_invalid(&name))?;
    if let Some(f) = form {
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
    Ok(method)
}

/// Runs the engine. Reading one entity (or the resource list) from an embedded database is a
/// few index lookups: done on this thread, sparing two thread hand-offs. Lists and writes,
/// whose cost grows with the data, and every read that waits on a database server, run on
/// the blocking pool (lists may stream).
async fn run(
    st: Arc<ApiState>,
    request: Request,
    common: Common,
    local_sha1: Option<String>,
    reuse: Option<String>,
) -> Answer {
    let engine = st.engine.clone();
    let cond = request.conditional.clone();
    // A picture (`images/{family}/{id}/…`) is one indexed read and one small file from the
    // page cache: answered here too. Only a size missing on disk, made on its first request,
    // costs more.
    let picture = request.segments[0] == "images"
        && request.segments.len() >= 3
        && request.segments[2]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit());
    let bounded = !engine.store.reads_wait_on_network()
        && matches!(request.method, Method::Get | Method::Head)
        && (request.segments.len() == 1 && request.segments[0].is_empty()
            || picture
            || request.segments.get(1).is_some_and(|s| !s.is_empty())
                && !matches!(request.segments[0].as_str(), "images" | "attachments"));
    // Answers worth keeping: single entities, the resource list and searches (a popular
    // query is asked again and again) read with GET — not with another method named by
    // `ps_method` — never pictures or files. The generation is read
    // before the engine reads: a write committed meanwhile makes the answer stale.
    let search = request.segments.len() == 1 && request.segments[0] == "search";
    let reuse = reuse
        .filter(|_| request.method == Method::Get && !picture && (bounded || search))
        .and_then(|name| Some((name, engine.store.write_generation()?)));
    if let Some((name, generation)) = &reuse {
        if let Some(kept) = st.replies.get(name, *generation, &request.key) {
            return kept_response(&kept, &common, local_sha1.as_deref());
        }
    }
    let key = request.key.clone();
    let finished = move |reply: Reply, common: &Common| match reuse {
        Some((name, generation)) => match st.replies.keep(name, generation, key, reply) {
            Ok(kept) => kept_response(&kept, common, local_sha1.as_deref()),
            Err(reply) => reply_response(reply, common, local_sha1.as_deref(), &cond),
        },
        None => reply_response(reply, common, local_sha1.as_deref(), &cond),
    };
    if bounded {
        let mut sink = stream::Sink::new(usize::MAX, oneshot::channel().0);
        return match engine.handle(&request, &mut sink) {
            Ok(reply) => finished(reply, &common),
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
        Ok(Outcome::Done(reply)) => finished(reply, &common),
        Ok(Outcome::Failed(e)) => error_response(&e, &common),
        _ => error_response(&ApiError::internal(), &common),
    };
    tokio::pin!(job);
    tokio::pin!(start_rx);
    // A list that finished streaming into the channel before this task looked has both
    // branches ready: the start message decides, whichever branch is taken.
    tokio::select! {
        biased;
        started = &mut start_rx => match started {
            Ok(started) => streamed(started, &common),
            Err(_) => finish(job.await),
        },
        done = &mut job => match done {
            Ok(Outcome::Streamed) => match start_rx.await {
                Ok(started) => streamed(started, &common),
                Err(_) => error_response(&ApiError::internal(), &common),
            },
            other => finish(other),
        },
    }
}

/// The answer whose body is the stream of a list that outgrew the buffer.
fn streamed(started: stream::Started, common: &Common) -> Answer {
    let stream = tokio_stream::wrappers::ReceiverStream::new(started.chunks);
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(common.format.content_type()),
    );
    if let Some(n) = started.total {
        r.headers_mut()
            .insert(super::respond::X_TOTAL_COUNT, HeaderValue::from(n));
    }
    base_headers(r.headers_mut(), common);
    r
}

enum Outcome {
    Done(Reply),
    Failed(ApiError),
    /// The body went out as a stream; nothing is left to answer.
    Streamed,
}
