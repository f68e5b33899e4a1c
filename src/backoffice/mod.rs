//! The back office: log in, switch the webservice on or off, manage keys and their
//! permissions, read the audit log. Server-rendered, no inline script, every state change a
//! POST carrying a CSRF token from a same-origin page, checked against the employee's role.

mod account;
mod activity;
mod audit;
mod grid;
mod guard;
mod key_form;
mod keys;
mod login;
mod pages;
mod reference;
pub mod session;
mod settings;
mod throttle;
mod web;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use axum::routing::{any, get, post};
use axum::Router;

use web::Resp;

use crate::accounts::KeyCache;
use crate::client_ip::TrustedProxies;
use crate::engine::Engine;

/// What the back office's handlers share.
pub struct BackOffice {
    pub engine: Arc<Engine>,
    /// The API's key cache: emptied after every key change so the change is in force at once.
    pub keys: Arc<KeyCache>,
    /// Where the back office lives, e.g. `/admin`.
    pub prefix: String,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` headers are believed.
    pub proxies: Arc<TrustedProxies>,
    /// This node's API activity recorder (what the activity page says about recording).
    pub activity: Arc<crate::activity::Recorder>,
}

/// The key sealing employees' TOTP secrets, derived from the server pepper.
fn totp_seal(st: &BackOffice) -> crate::employees::totp::SealKey {
    crate::employees::totp::SealKey::new(st.keys.pepper().mac(b"shopws employee totp seal"))
}

/// The back office's routes under `prefix` (e.g. `/admin`), with its security headers on
/// every answer, unknown paths under the prefix included.
pub fn router(state: Arc<BackOffice>) -> Router {
    let p = state.prefix.trim_end_matches('/').to_string();
    let p = p.as_str();
    Router::new()
        .route(p, get(login::index))
        .route(&format!("{p}/"), get(login::index))
        .route(&format!("{p}/login"), post(login::login))
        .route(&format!("{p}/logout"), post(login::logout))
        .route(
            &format!("{p}/login/code"),
            get(login::code_page).post(login::code),
        )
        .route(
            &format!("{p}/login/enrol"),
            get(login::enrol_page).post(login::enrol),
        )
        .route(&format!("{p}/webservice"), get(keys::list))
        .route(&format!("{p}/webservice/settings"), post(settings::save))
        .route(&format!("{p}/webservice/diagnose"), get(settings::diagnose))
        .route(&format!("{p}/webservice/keys/new"), get(key_form::new))
        .route(&format!("{p}/webservice/keys"), post(key_form::create))
        .route(
            &format!("{p}/webservice/keys/new/import"),
            post(key_form::import_new),
        )
        .route(&format!("{p}/webservice/keys/bulk"), post(keys::bulk))
        .route(
            &format!("{p}/webservice/keys/{{id}}"),
            get(key_form::edit).post(key_form::update),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/activity"),
            get(activity::page),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/rotate"),
            post(key_form::rotate),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/test"),
            get(key_form::test),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/export"),
            get(key_form::export),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/import"),
            post(key_form::import),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/status"),
            post(keys::status),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/delete"),
            post(keys::delete),
        )
        .route(&format!("{p}/audit"), get(audit::page))
        .route(&format!("{p}/audit.csv"), get(audit::export))
        .route(&format!("{p}/audit/retention"), post(settings::retention))
        .route(&format!("{p}/api-reference"), get(reference::page))
        .route(&format!("{p}/account"), get(account::page))
        .route(
            &format!("{p}/account/sessions/revoke"),
            post(account::revoke),
        )
        .route(
            &format!("{p}/account/totp/start"),
            post(account::totp_start),
        )
        .route(
            &format!("{p}/account/totp/confirm"),
            post(account::totp_confirm),
        )
        .route(
            &format!("{p}/account/totp/disable"),
            post(account::totp_disable),
        )
        .route(
            &format!("{p}/account/totp/recovery"),
            post(account::totp_recovery),
        )
        .route(&format!("{p}/static/{{file}}"), get(asset))
        // Anything else under the prefix is ours too: a 404 with the headers above, not the
        // webservice's fallback.
        .route(&format!("{p}/{{*rest}}"), any(not_found))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

async fn security_headers(State(st): State<Arc<BackOffice>>, mut r: Resp) -> Resp {
    let https = st.engine.settings.base_url.starts_with("https://");
    let h = r.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, "content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(h, "x-frame-options", "DENY");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "cross-origin-resource-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    r
}

async fn not_found() -> Resp {
    web::plain(
        StatusCode::NOT_FOUND,
        "404 Not Found: no such back-office page",
    )
}

const CSS: &str = include_str!("../../assets/admin/admin.css");
const JS: &str = include_str!("../../assets/admin/admin.js");

async fn asset(Path(file): Path<String>) -> Resp {
    let (body, ctype) = match file.as_str() {
        "admin.css" => (CSS, "text/css; charset=utf-8"),
        "admin.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return web::plain(StatusCode::NOT_FOUND, "Not Found"),
    };
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}
