//! The back office: log in, switch the webservice on or off, manage keys and their
//! permissions, read the audit log. Server-rendered, no inline script, every state change a
//! POST carrying a CSRF token from a same-origin page.

mod pages;
pub mod session;
pub mod users;

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;

use crate::accounts::{self, NewKey, Permissions};
use crate::catalog::{Method, MethodSet};
use crate::http::AppState;
use crate::storage::Select;
use pages::*;

const METHODS: [(&str, &str); 6] = [
    ("GET", "View (GET)"),
    ("PUT", "Modify (PUT)"),
    ("POST", "Add (POST)"),
    ("PATCH", "Patch (PATCH)"),
    ("DELETE", "Delete (DELETE)"),
    ("HEAD", "Fast view (HEAD)"),
];

type Resp = Response<Body>;

/// The back office's routes under `prefix` (e.g. `/admin`), with its security headers.
pub fn router(prefix: &str) -> Router<Arc<AppState>> {
    let p = prefix.trim_end_matches('/');
    Router::new()
        .route(p, get(index))
        .route(&format!("{p}/"), get(index))
        .route(&format!("{p}/login"), post(login))
        .route(&format!("{p}/logout"), post(logout))
        .route(&format!("{p}/webservice"), get(webservice))
        .route(&format!("{p}/webservice/settings"), post(settings))
        .route(&format!("{p}/webservice/keys/new"), get(key_new))
        .route(&format!("{p}/webservice/keys"), post(key_create))
        .route(
            &format!("{p}/webservice/keys/{{id}}/status"),
            post(key_status),
        )
        .route(
            &format!("{p}/webservice/keys/{{id}}/delete"),
            post(key_delete),
        )
        .route(&format!("{p}/audit"), get(audit_page))
        .route(&format!("{p}/static/{{file}}"), get(asset))
        .layer(axum::middleware::map_response(security_headers))
}

async fn security_headers(mut r: Resp) -> Resp {
    let h = r.headers_mut();
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

fn prefix(st: &AppState) -> &str {
    st.admin_prefix
        .as_deref()
        .unwrap_or("/admin")
        .trim_end_matches('/')
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Cookie names: `__Host-` over HTTPS. Browsers refuse that prefix on plain-HTTP loopback
/// (the quick start), so there the same cookies go without it — still `Secure`, which
/// browsers honour on loopback.
fn cookie_name(st: &AppState, base: &'static str) -> String {
    if st.engine.settings.base_url.starts_with("https://") {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

fn set_cookie(r: &mut Resp, name: &str, value: &str, max_age: Option<i64>) {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    let v = format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}");
    if let Ok(v) = HeaderValue::from_str(&v) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn html(status: StatusCode, body: Result<String, askama::Error>) -> Resp {
    match body {
        Ok(b) => {
            let mut r = Response::new(Body::from(b));
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Resp {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn redirect(to: &str) -> Resp {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn form(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The public origin (`scheme://host:port`) every POST must come from.
fn origin(st: &AppState) -> String {
    st.engine
        .settings
        .base_url
        .trim_end_matches('/')
        .to_string()
}

/// `Origin` must be ours; browsers send `Origin: null` under `Referrer-Policy: no-referrer`,
/// and then `Sec-Fetch-Site: same-origin` decides.
fn same_origin(st: &AppState, headers: &HeaderMap) -> bool {
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(o) if o != "null" => o == origin(st),
        _ => headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "same-origin"),
    }
}

struct Auth {
    user: users::User,
    session: session::Session,
}

/// Runs blocking storage work off the I/O threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

async fn current(st: &Arc<AppState>, headers: &HeaderMap) -> Option<Auth> {
    let token = cookie(headers, &cookie_name(st, session::COOKIE))?.to_string();
    let st = st.clone();
    blocking(move || {
        let store = st.engine.store.as_ref();
        let s = session::load(store, &token).ok()??;
        let u = users::get(store, s.user_id).ok()??;
        Some(Auth {
            user: u,
            session: s,
        })
    })
    .await
    .flatten()
}

/// Checks origin and CSRF token of a POST from a logged-in page.
async fn guarded(
    st: &Arc<AppState>,
    headers: &HeaderMap,
    f: &[(String, String)],
) -> Result<Auth, Resp> {
    let Some(auth) = current(st, headers).await else {
        return Err(redirect(&format!("{}/", prefix(st))));
    };
    if !same_origin(st, headers) || !session::equal(field(f, "csrf"), &auth.session.csrf) {
        audit(st, &auth.user.email, "csrf.refused", "", "").await;
        return Err(plain(
            StatusCode::FORBIDDEN,
            "403 Forbidden: invalid or missing security token",
        ));
    }
    Ok(auth)
}

/// [`guarded`] for changes: read-only employees (viewers) are refused, server-side.
async fn guarded_admin(
    st: &Arc<AppState>,
    headers: &HeaderMap,
    f: &[(String, String)],
) -> Result<Auth, Resp> {
    let auth = guarded(st, headers, f).await?;
    if !auth.user.is_admin() {
        audit(st, &auth.user.email, "role.refused", "", &auth.user.role).await;
        return Err(plain(
            StatusCode::FORBIDDEN,
            "403 Forbidden: this account is read-only",
        ));
    }
    Ok(auth)
}

async fn audit(st: &Arc<AppState>, actor: &str, action: &str, hint: &str, details: &str) {
    let (st, actor, action, hint, details) = (
        st.clone(),
        actor.to_string(),
        action.to_string(),
        hint.to_string(),
        details.to_string(),
    );
    blocking(move || {
        let _ = st
            .engine
            .store
            .write(&mut |tx| accounts::audit(tx, &actor, &action, 0, &hint, &details));
    })
    .await;
}

fn client_ip(peer: &SocketAddr) -> String {
    peer.ip().to_string()
}

async fn index(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Resp {
    if current(&st, &headers).await.is_some() {
        return redirect(&format!("{}/webservice", prefix(&st)));
    }
    login_page(&st, Vec::new(), String::new(), StatusCode::OK)
}

fn login_page(st: &AppState, flashes: Vec<Flash>, email: String, status: StatusCode) -> Resp {
    let token = session::random_token();
    let page = Login {
        prefix: prefix(st),
        user: String::new(),
        csrf: token.clone(),
        flashes,
        email,
    };
    let mut r = html(status, page.render());
    set_cookie(&mut r, &cookie_name(st, session::PRE_COOKIE), &token, None);
    r
}

async fn login(
    State(st): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    let f = form(&body);
    let pre = cookie(&headers, &cookie_name(&st, session::PRE_COOKIE)).unwrap_or("");
    if !same_origin(&st, &headers) || pre.is_empty() || !session::equal(pre, field(&f, "csrf")) {
        return plain(
            StatusCode::FORBIDDEN,
            "403 Forbidden: invalid or missing security token",
        );
    }
    let email = field(&f, "email").trim().to_lowercase();
    let password = field(&f, "password").to_string();
    let ip = client_ip(&peer);
    let (st2, email2, ip2) = (st.clone(), email.clone(), ip.clone());
    let outcome = blocking(move || {
        let store = st2.engine.store.as_ref();
        let ip_subject = format!("ip:{ip2}");
        let acct_subject = format!("user:{email2}|{ip2}");
        if let Ok(Some(wait)) =
            session::throttle::locked(store, &ip_subject, session::throttle::IP_LIMIT)
        {
            return Err(wait);
        }
        if let Ok(Some(wait)) =
            session::throttle::locked(store, &acct_subject, session::throttle::ACCOUNT_LIMIT)
        {
            return Err(wait);
        }
        match users::authenticate(store, &email2, &password) {
            Ok(Some(u)) => {
                let _ = session::throttle::clear(store, &acct_subject);
                let token = session::create(store, u.id, &ip2).map_err(|_| 0)?;
                let _ = store
                    .write(&mut |tx| accounts::audit(tx, &u.email, "login.ok", u.id, "", &ip2));
                Ok(Some(token))
            }
            _ => {
                let _ = session::throttle::fail(store, &ip_subject, session::throttle::IP_LIMIT);
                let _ =
                    session::throttle::fail(store, &acct_subject, session::throttle::ACCOUNT_LIMIT);
                let _ = store
                    .write(&mut |tx| accounts::audit(tx, &email2, "login.failed", 0, "", &ip2));
                Ok(None)
            }
        }
    })
    .await;
    match outcome {
        Some(Ok(Some(token))) => {
            let mut r = redirect(&format!("{}/webservice", prefix(&st)));
            set_cookie(&mut r, &cookie_name(&st, session::COOKIE), &token, None);
            set_cookie(&mut r, &cookie_name(&st, session::PRE_COOKIE), "", Some(0));
            r
        }
        Some(Ok(None)) => login_page(
            &st,
            vec![("error", "Invalid e-mail or password.".into())],
            email,
            StatusCode::UNAUTHORIZED,
        ),
        Some(Err(wait)) => {
            let mut r = login_page(
                &st,
                vec![(
                    "error",
                    format!(
                        "Too many failed attempts. Try again in {} minutes.",
                        wait / 60 + 1
                    ),
                )],
                email,
                StatusCode::TOO_MANY_REQUESTS,
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait.max(1)));
            r
        }
        None => plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error"),
    }
}

async fn logout(State(st): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Resp {
    let f = form(&body);
    let auth = match guarded(&st, &headers, &f).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Some(token) = cookie(&headers, &cookie_name(&st, session::COOKIE)).map(str::to_string) {
        let st2 = st.clone();
        blocking(move || session::destroy(st2.engine.store.as_ref(), &token)).await;
    }
    audit(&st, &auth.user.email, "logout", "", "").await;
    let mut r = redirect(&format!("{}/", prefix(&st)));
    set_cookie(&mut r, &cookie_name(&st, session::COOKIE), "", Some(0));
    r
}

fn summary(p: &Permissions, total: usize) -> String {
    let full = p
        .values()
        .filter(|m| **m == MethodSet::ALL || m.iter().count() >= 4)
        .count();
    let read = p.values().filter(|m| m.contains(Method::Get)).count();
    if p.is_empty() {
        return "none".into();
    }
    format!(
        "{} of {total} resources ({read} readable, {full} writable)",
        p.len()
    )
}

async fn webservice(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Resp {
    let Some(auth) = current(&st, &headers).await else {
        return redirect(&format!("{}/", prefix(&st)));
    };
    let st2 = st.clone();
    let data = blocking(move || {
        let store = st2.engine.store.as_ref();
        let info = crate::engine::shop::load(store).ok()?;
        let keys = accounts::list(store).ok()?;
        Some((info.webservice_enabled, keys))
    })
    .await
    .flatten();
    let Some((enabled, keys)) = data else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error");
    };
    let total = st.engine.catalog.resources().count();
    let mut flashes = Vec::new();
    match uri.query() {
        Some("created") => flashes.push(("success", "Successful creation.".to_string())),
        Some("updated") => flashes.push(("success", "Successful update.".to_string())),
        Some("deleted") => flashes.push(("success", "Successful deletion.".to_string())),
        _ => {}
    }
    let page = Webservice {
        prefix: prefix(&st),
        user: auth.user.email.clone(),
        csrf: auth.session.csrf.clone(),
        flashes,
        enabled,
        endpoint: st.engine.ws_url(),
        keys: keys
            .into_iter()
            .map(|k| KeyRow {
                id: k.id,
                hint: k.hint,
                description: k.description,
                active: k.active,
                summary: summary(&k.permissions, total),
                last_used: k.last_used_at.unwrap_or_else(|| "never".into()),
                expires: k.expires_at.unwrap_or_else(|| "never".into()),
                created: k.created_at,
            })
            .collect(),
    };
    html(StatusCode::OK, page.render())
}

async fn settings(State(st): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Resp {
    let f = form(&body);
    let auth = match guarded_admin(&st, &headers, &f).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let on = field(&f, "enabled") == "1";
    let st2 = st.clone();
    blocking(move || {
        crate::engine::shop::set_setting(
            st2.engine.store.as_ref(),
            "PS_WEBSERVICE",
            if on { "1" } else { "0" },
        )
    })
    .await;
    // Takes effect at once on this node (others within a second).
    st.engine.invalidate();
    audit(
        &st,
        &auth.user.email,
        if on {
            "webservice.enable"
        } else {
            "webservice.disable"
        },
        "",
        "",
    )
    .await;
    redirect(&format!("{}/webservice?updated", prefix(&st)))
}

fn grid(st: &AppState, checked: &Permissions) -> Vec<GridRow> {
    st.engine
        .catalog
        .resources()
        .map(|r| GridRow {
            resource: r.api.clone(),
            cells: METHODS
                .iter()
                .map(|(m, _)| {
                    let method = Method::parse(m).unwrap_or(Method::Get);
                    Cell {
                        method: m,
                        checked: checked.get(&r.api).is_some_and(|s| s.contains(method)),
                        forbidden: r.forbidden.contains(method),
                    }
                })
                .collect(),
        })
        .collect()
}

fn key_form(
    st: &AppState,
    auth: &Auth,
    flashes: Vec<Flash>,
    f: &[(String, String)],
    perms: &Permissions,
) -> KeyNewOwned {
    KeyNewOwned {
        prefix: prefix(st).to_string(),
        user: auth.user.email.clone(),
        csrf: auth.session.csrf.clone(),
        flashes,
        custom_key: if field(f, "key_mode") == "custom" {
            field(f, "custom_key").to_string()
        } else {
            String::new()
        },
        description: field(f, "description").to_string(),
        expires: field(f, "expires").to_string(),
        rows: grid(st, perms),
    }
}

/// The form's data, owned, so it can be rendered after an await.
struct KeyNewOwned {
    prefix: String,
    user: String,
    csrf: String,
    flashes: Vec<Flash>,
    custom_key: String,
    description: String,
    expires: String,
    rows: Vec<GridRow>,
}

impl KeyNewOwned {
    fn render(self, status: StatusCode) -> Resp {
        let page = KeyNew {
            prefix: &self.prefix,
            user: self.user,
            csrf: self.csrf,
            flashes: self.flashes,
            custom_key: self.custom_key,
            description: self.description,
            expires: self.expires,
            methods: METHODS.to_vec(),
            rows: self.rows,
        };
        html(status, page.render())
    }
}

async fn key_new(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Resp {
    let Some(auth) = current(&st, &headers).await else {
        return redirect(&format!("{}/", prefix(&st)));
    };
    key_form(&st, &auth, Vec::new(), &[], &Permissions::new()).render(StatusCode::OK)
}

fn valid_expiry(s: &str) -> bool {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s, &f).is_ok()
}

async fn key_create(State(st): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Resp {
    let f = form(&body);
    let auth = match guarded_admin(&st, &headers, &f).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut perms = Permissions::new();
    for (k, v) in &f {
        if k != "perm" {
            continue;
        }
        if let Some((res, m)) = v.split_once(':') {
            if let Some(m) = Method::parse(m) {
                perms.entry(res.to_string()).or_default().insert(m);
            }
        }
    }
    let perms = match accounts::clean_permissions(st.engine.catalog, &perms) {
        Ok(p) => p,
        Err(e) => {
            return key_form(&st, &auth, vec![("error", e.to_string())], &f, &perms)
                .render(StatusCode::BAD_REQUEST)
        }
    };
    let custom = (field(&f, "key_mode") == "custom").then(|| field(&f, "custom_key").to_string());
    let expires = field(&f, "expires").trim().to_string();
    if !expires.is_empty() && !valid_expiry(&expires) {
        return key_form(
            &st,
            &auth,
            vec![("error", "The expiry must read YYYY-MM-DD HH:MM:SS.".into())],
            &f,
            &perms,
        )
        .render(StatusCode::BAD_REQUEST);
    }
    let (st2, perms2, desc, active, actor) = (
        st.clone(),
        perms.clone(),
        field(&f, "description").to_string(),
        field(&f, "active") != "0",
        auth.user.email.clone(),
    );
    let custom2 = custom.clone();
    let created = blocking(move || {
        let pepper = st2.keys.pepper();
        accounts::create(
            st2.engine.store.as_ref(),
            pepper,
            &NewKey {
                key: custom2.as_deref(),
                description: &desc,
                active,
                permissions: &perms2,
                expires_at: (!expires.is_empty()).then_some(expires.as_str()),
                actor: &actor,
            },
        )
        .map_err(|e| e.to_string())
    })
    .await;
    match created {
        Some(Ok((_, key))) => {
            st.keys.invalidate();
            if custom.is_some() {
                // An existing key is already known to its holder: no reveal page.
                return redirect(&format!("{}/webservice?created", prefix(&st)));
            }
            let page = KeyReveal {
                prefix: prefix(&st),
                user: auth.user.email.clone(),
                csrf: auth.session.csrf.clone(),
                flashes: vec![("success", "Successful creation.".into())],
                key,
                endpoint: st.engine.ws_url(),
            };
            html(StatusCode::OK, page.render())
        }
        Some(Err(msg)) => {
            key_form(&st, &auth, vec![("error", msg)], &f, &perms).render(StatusCode::BAD_REQUEST)
        }
        None => plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error"),
    }
}

/// A change to one key from the list: guarded, run off the I/O thread, caches dropped, back
/// to the list.
async fn key_change(
    st: Arc<AppState>,
    headers: HeaderMap,
    body: Bytes,
    flash: &str,
    change: impl FnOnce(&dyn crate::storage::Store, &[(String, String)], &str) + Send + 'static,
) -> Resp {
    let f = form(&body);
    let auth = match guarded_admin(&st, &headers, &f).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let st2 = st.clone();
    blocking(move || change(st2.engine.store.as_ref(), &f, &auth.user.email)).await;
    st.keys.invalidate();
    redirect(&format!("{}/webservice?{flash}", prefix(&st)))
}

async fn key_status(
    State(st): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    key_change(st, headers, body, "updated", move |store, f, actor| {
        let _ = accounts::set_active(store, id, field(f, "active") == "1", actor);
    })
    .await
}

async fn key_delete(
    State(st): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    key_change(st, headers, body, "deleted", move |store, _, actor| {
        let _ = accounts::delete(store, id, actor);
    })
    .await
}

async fn audit_page(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Resp {
    let Some(auth) = current(&st, &headers).await else {
        return redirect(&format!("{}/", prefix(&st)));
    };
    let st2 = st.clone();
    let rows = blocking(move || {
        let mut rows = Vec::new();
        let _ = st2.engine.store.read(&mut |r| {
            rows = r.select(&Select {
                table: "shopws_audit",
                columns: &[
                    "at",
                    "actor_type",
                    "ip",
                    "action",
                    "target_type",
                    "target_id",
                    "target_hint",
                    "details",
                    "result",
                    "id",
                ],
                key: vec![],
                order: &["id"],
            })?;
            Ok(())
        });
        rows
    })
    .await
    .unwrap_or_default();
    let entries = rows
        .into_iter()
        .rev()
        .take(500)
        .map(|r| AuditRow {
            at: r[0].to_text(),
            actor: r[1].to_text(),
            ip: r[2].to_text(),
            action: r[3].to_text(),
            target: format!("{} {} {}", r[4].to_text(), r[5].to_text(), r[6].to_text())
                .trim()
                .to_string(),
            details: r[7].to_text(),
            result: r[8].to_text(),
        })
        .collect();
    let page = Audit {
        prefix: prefix(&st),
        user: auth.user.email.clone(),
        csrf: auth.session.csrf.clone(),
        flashes: Vec::new(),
        entries,
    };
    html(StatusCode::OK, page.render())
}

const CSS: &str = include_str!("../../assets/admin/admin.css");
const JS: &str = include_str!("../../assets/admin/admin.js");

async fn asset(Path(file): Path<String>) -> Resp {
    let (body, ctype) = match file.as_str() {
        "admin.css" => (CSS, "text/css; charset=utf-8"),
        "admin.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return plain(StatusCode::NOT_FOUND, "Not Found"),
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
