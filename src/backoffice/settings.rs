//! The Configuration card (enable switch, CGI mode) and the Authorization pass-through check
//! of the status card.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};

use super::guard::{self, AdminPost};
use super::keys;
use super::pages::ListQuery;
use super::web::*;
use super::BackOffice;
use crate::engine::shop::Scope;

/// `all`, `group-N` or `shop-N` from the form (PrestaShop's multistore context).
fn scope_of(f: &[(String, String)]) -> Option<Scope> {
    match field(f, "scope") {
        "" | "all" => Some(Scope::All),
        v => {
            let (kind, id) = v.split_once('-')?;
            let id: i64 = id.parse().ok()?;
            match kind {
                "shop" => Some(Scope::Shop(id)),
                "group" => Some(Scope::Group(id)),
                _ => None,
            }
        }
    }
}

pub async fn save(
    State(st): State<Arc<BackOffice>>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let on = field(&f, "enabled") == "1";
    let cgi = field(&f, "cgi") == "1";
    let refuse = |msg: String, status| {
        let q = ListQuery {
            page: 1,
            ..ListQuery::default()
        };
        keys::render(&st, &auth, q, vec![("error", msg)], status)
    };
    let st2 = st.clone();
    let Some(info) = blocking(move || crate::engine::shop::load(st2.engine.store.as_ref()).ok())
        .await
        .flatten()
    else {
        return internal();
    };
    let scope = match scope_of(&f) {
        Some(Scope::Shop(id)) if !info.shops.iter().any(|s| s.id == id) => None,
        Some(Scope::Group(g)) if !info.shops.iter().any(|s| s.group == g) => None,
        other => other,
    };
    let Some(scope) = scope else {
        return refuse(
            "Choose the shops this applies to.".into(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let concerned = |s: &&crate::engine::shop::ShopRow| match scope {
        Scope::All => true,
        Scope::Group(g) => s.group == g,
        Scope::Shop(id) => s.id == id,
    };
    let was_on = info.shops.iter().filter(concerned).any(|s| s.webservice)
        || (info.shops.is_empty() && info.webservice_enabled);
    // Switching the webservice off stops every integration: it needs the password again.
    let new_cookie = match guard::sudo_if(was_on && !on, &st, &auth, &f).await {
        Ok(c) => c,
        Err(refusal) => return refuse(refusal.message(), StatusCode::FORBIDDEN).await,
    };
    let st2 = st.clone();
    blocking(move || {
        let store = st2.engine.store.as_ref();
        let value = if on { "1" } else { "0" };
        crate::engine::shop::set_setting_in(store, "PS_WEBSERVICE", value, scope)?;
        crate::engine::shop::set_setting(
            store,
            "PS_WEBSERVICE_CGI_HOST",
            if cgi { "1" } else { "0" },
        )
    })
    .await;
    // Takes effect at once on this node (others within a second).
    st.engine.invalidate();
    let action = match (was_on, on) {
        (false, true) => "webservice.enable",
        (true, false) => "webservice.disable",
        _ => "webservice.settings",
    };
    guard::audit_detail(
        &st,
        &auth.actor(),
        action,
        &format!(
            "PS_WEBSERVICE={} PS_WEBSERVICE_CGI_HOST={}",
            u8::from(on),
            u8::from(cgi)
        ),
        "ok",
    )
    .await;
    let mut r = redirect(&format!("{}/webservice?done=settings", prefix(&st)));
    if let Some(token) = new_cookie {
        set_cookie(
            &mut r,
            &cookie_name(&st, super::session::COOKIE),
            &token,
            None,
        );
    }
    r
}

/// Called by the status card's script through the public address with a dummy
/// `Authorization: Basic` header: tells whether the header reached shopws (proxies and
/// PHP-CGI set-ups that drop it make every Basic-auth client fail).
pub async fn diagnose(
    State(st): State<Arc<BackOffice>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Resp {
    if let Err(r) = guard::page(&st, &headers, &peer).await {
        return r;
    }
    let arrived = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Basic "));
    let mut r = Response::new(Body::from(format!("{{\"authorization\":{arrived}}}")));
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// "Keep audit entries for N days" (0: forever): a security setting, so it needs the password
/// within the last ten minutes. Stored in the database (every node prunes with it); the change
/// is audited, and older entries are deleted at once.
pub async fn retention(
    State(st): State<Arc<BackOffice>>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let days = field(&f, "retention_days")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=crate::audit::MAX_RETENTION_DAYS).contains(d));
    let Some(days) = days else {
        return super::audit::render(
            &st,
            &auth,
            None,
            vec![(
                "error",
                format!(
                    "Type a number of days from 0 (keep forever) to {}.",
                    crate::audit::MAX_RETENTION_DAYS
                ),
            )],
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let new_cookie = match guard::sudo(&st, &auth, &f).await {
        Ok(c) => c,
        Err(refusal) => {
            return super::audit::render(
                &st,
                &auth,
                None,
                vec![("error", refusal.message())],
                StatusCode::FORBIDDEN,
            )
            .await
        }
    };
    let st2 = st.clone();
    let before = blocking(move || {
        let store = st2.engine.store.as_ref();
        let before = crate::audit::retention_days(store)?;
        crate::engine::shop::set_setting(
            store,
            crate::audit::RETENTION_SETTING,
            &days.to_string(),
        )?;
        Ok::<_, crate::storage::StorageError>(before)
    })
    .await;
    let Some(Ok(before)) = before else {
        return internal();
    };
    st.engine.invalidate();
    guard::audit_detail(
        &st,
        &auth.actor(),
        "settings.audit_retention",
        &format!(
            "{}={before} -> {days} days",
            crate::audit::RETENTION_SETTING
        ),
        "ok",
    )
    .await;
    let st2 = st.clone();
    blocking(move || crate::audit::prune(st2.engine.store.as_ref())).await;
    let mut r = redirect(&format!("{}/audit?done=retention", prefix(&st)));
    if let Some(token) = new_cookie {
        set_cookie(
            &mut r,
            &cookie_name(&st, super::session::COOKIE),
            &token,
            None,
        );
    }
    r
}
