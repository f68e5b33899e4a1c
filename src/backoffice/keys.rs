//! Advanced Parameters › Webservice: warnings, status, the key list (filters, sort, pages,
//! bulk actions) and the changes made from it.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::grid;
use super::guard::{self, AdminPost, Page};
use super::pages::*;
use super::web::*;
use super::BackOffice;
use crate::accounts::{self, Account};

const PER_PAGE: usize = 50;

fn parse_query(raw: Option<&str>) -> (ListQuery, String) {
    let mut q = ListQuery {
        page: 1,
        ..ListQuery::default()
    };
    let mut done = String::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "hint" => q.hint = v.trim().to_string(),
            "description" => q.description = v.trim().to_string(),
            "status" => q.status = v.to_string(),
            "sort" => q.sort = v.to_string(),
            "page" => q.page = v.parse().unwrap_or(1).max(1),
            "done" => done = v.to_string(),
            _ => {}
        }
    }
    (q, done)
}

fn href(prefix: &str, q: &ListQuery, sort: &str, page: usize) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("hint", q.hint.as_str()),
        ("description", q.description.as_str()),
        ("status", q.status.as_str()),
        ("sort", sort),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    if page > 1 {
        s.append_pair("page", &page.to_string());
    }
    let qs = s.finish();
    if qs.is_empty() {
        format!("{prefix}/webservice")
    } else {
        format!("{prefix}/webservice?{qs}")
    }
}

fn matches(a: &Account, q: &ListQuery) -> bool {
    let has = |hay: &str, needle: &str| {
        needle.is_empty() || hay.to_lowercase().contains(&needle.to_lowercase())
    };
    // A hint is "ABCD…WXYZ": either half may be searched.
    let hint_ok = q.hint.is_empty()
        || a.credentials
            .iter()
            .any(|c| has(&c.hint.replace('…', " "), &q.hint.replace('…', " ")));
    let status_ok = match q.status.as_str() {
        "1" => a.active,
        "0" => !a.active,
        "expired" => a.expired(),
        "never" => a.last_used_at.is_none(),
        _ => true,
    };
    hint_ok && has(&a.description, &q.description) && status_ok
}

fn sort(keys: &mut [Account], by: &str) {
    let (field, desc) = match by.strip_prefix('-') {
        Some(f) => (f, true),
        None => (by, false),
    };
    keys.sort_by(|a, b| {
        let o = match field {
            "hint" => a.hint.cmp(&b.hint),
            "last_used" => a.last_used_at.cmp(&b.last_used_at),
            "expires" => a.expires_at.cmp(&b.expires_at),
            "created" => a.created_at.cmp(&b.created_at),
            _ => a.id.cmp(&b.id),
        };
        if desc {
            o.reverse()
        } else {
            o
        }
    });
}

fn sort_link(prefix: &str, q: &ListQuery, column: &str) -> SortLink {
    let current = q.sort.trim_start_matches('-') == column || (q.sort.is_empty() && column == "id");
    let desc = q.sort.starts_with('-');
    let next = if current && !desc {
        format!("-{column}")
    } else {
        column.to_string()
    };
    SortLink {
        href: href(prefix, q, &next, 1),
        arrow: match (current, desc) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        },
    }
}

/// The warnings box: PrestaShop's HTTPS advice, and what shopws knows about the keys.
fn warnings(st: &BackOffice, enabled: bool, keys: &[Account]) -> Vec<String> {
    let mut w = Vec::new();
    if !st.engine.settings.base_url.starts_with("https://") {
        w.push("It is preferable to use SSL (https:) for webservice calls, as it avoids the \"man in the middle\" type security issues.".to_string());
    }
    if !enabled && !keys.is_empty() {
        w.push(format!(
            "The webservice is disabled while {} key(s) exist: every request answers 503 (error 22) until it is enabled.",
            keys.len()
        ));
    }
    let soon = crate::clock::now_plus(14 * 86_400);
    let now = crate::clock::now();
    let expiring = keys
        .iter()
        .filter(|k| {
            k.expires_at
                .as_deref()
                .is_some_and(|e| e > now.as_str() && e <= soon.as_str())
        })
        .count();
    if expiring > 0 {
        w.push(format!("{expiring} key(s) expire within 14 days."));
    }
    let stale = crate::clock::now_plus(-90 * 86_400);
    let unused = keys
        .iter()
        .filter(|k| k.active && k.created_at < stale)
        .filter(|k| k.last_used_at.as_deref().is_none_or(|u| u < stale.as_str()))
        .count();
    if unused > 0 {
        w.push(format!(
            "{unused} enabled key(s) have not been used for 90 days: disable the ones nobody needs."
        ));
    }
    w
}

/// PrestaShop's multistore contexts for the switch: all shops, each group, each shop.
fn scopes(info: &crate::engine::shop::ShopInfo) -> Vec<(String, String)> {
    if info.shops.len() <= 1 {
        return Vec::new();
    }
    let mut out = vec![("all".to_string(), "All shops".to_string())];
    let mut groups: Vec<i64> = info.shops.iter().map(|s| s.group).collect();
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        out.push((format!("group-{g}"), format!("Shop group #{g}")));
    }
    for s in &info.shops {
        out.push((
            format!("shop-{}", s.id),
            format!("Shop: {} (#{})", s.name, s.id),
        ));
    }
    out
}

pub async fn list(
    State(st): State<Arc<BackOffice>>,
    RawQuery(raw): RawQuery,
    Page(auth): Page,
) -> Resp {
    let (q, done) = parse_query(raw.as_deref());
    render(&st, &auth, q, flash(&done), StatusCode::OK).await
}

fn flash(done: &str) -> Vec<Flash> {
    let text = match done {
        "created" => "Successful creation.",
        "created-encode" => "Successful creation. This key contains @, # or ?: clients must percent-encode them in ws_key= and in https://KEY@host URLs.",
        "updated" => "Successful update.",
        "already" => "This form was already sent: nothing was done twice. A key is shown only once; rotate it if it was lost.",
        "settings" => "Update successful",
        "deleted" => "Successful deletion.",
        "bulk-deleted" => "The selection has been successfully deleted.",
        "bulk-status" => "The status has been successfully updated.",
        "failed" => {
            return vec![(
                "error",
                "The change could not be applied to every selected key (one may have been deleted meanwhile). The list below is current.".to_string(),
            )]
        }
        _ => return Vec::new(),
    };
    vec![("success", text.to_string())]
}

/// The whole page, with `flashes` on top (also used to answer a refused settings change).
pub async fn render(
    st: &Arc<BackOffice>,
    auth: &guard::Auth,
    q: ListQuery,
    flashes: Vec<Flash>,
    status: StatusCode,
) -> Resp {
    let st2 = st.clone();
    let data = blocking(move || {
        let store = st2.engine.store.as_ref();
        let info = crate::engine::shop::load(store).ok()?;
        let keys = accounts::list(store).ok()?;
        Some((info, keys))
    })
    .await
    .flatten();
    let Some((info, mut keys)) = data else {
        return internal();
    };
    let total = keys.len();
    let warnings = warnings(st, info.webservice_enabled, &keys);
    keys.retain(|k| matches(k, &q));
    sort(&mut keys, &q.sort);
    let matching = keys.len();
    let pages = matching.div_ceil(PER_PAGE).max(1);
    let page = q.page.min(pages);
    let p = prefix(st).to_string();
    let now = crate::clock::now();
    let rows = keys
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|k| KeyRow {
            id: k.id,
            hint: k.hint.clone(),
            description: k.description.clone(),
            active: k.active,
            expired: k.expired(),
            rotating: k.credentials.iter().filter(|c| c.valid_at(&now)).count() > 1,
            summary: grid::summary(st.engine.catalog, &k.permissions),
            last_used: k.last_used_at.clone().unwrap_or_else(|| "never".into()),
            last_used_ip: k.last_used_ip.clone().unwrap_or_default(),
            expires: k.expires_at.clone().unwrap_or_else(|| "never".into()),
            created: k.created_at.clone(),
        })
        .collect();
    let page = Webservice {
        c: auth.chrome(st, flashes),
        enabled: info.webservice_enabled,
        cgi: info.setting("PS_WEBSERVICE_CGI_HOST") == Some("1"),
        endpoint: st.engine.ws_url(),
        warnings,
        keys: rows,
        total,
        matching,
        sorts: SortLinks {
            id: sort_link(&p, &q, "id"),
            hint: sort_link(&p, &q, "hint"),
            last_used: sort_link(&p, &q, "last_used"),
            expires: sort_link(&p, &q, "expires"),
            created: sort_link(&p, &q, "created"),
        },
        pages: (1..=pages)
            .map(|n| PageLink {
                number: n,
                href: href(&p, &q, &q.sort, n),
                current: n == page,
            })
            .collect(),
        q,
        sudo_needed: !auth.session.sudo(),
        scopes: scopes(&info),
        shop_states: if info.shops.len() > 1 {
            info.shops
                .iter()
                .map(|s| ShopState {
                    name: format!("{} (#{})", s.name, s.id),
                    enabled: s.webservice,
                    own: s.webservice_overridden,
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    html(status, page.render())
}

/// A change to keys from the list, already guarded by the `AdminPost` extractor: run off
/// the I/O thread, caches dropped, back to the list.
async fn change(
    st: Arc<BackOffice>,
    AdminPost { form: f, auth }: AdminPost,
    change: impl FnOnce(
            &dyn crate::storage::Store,
            &[(String, String)],
            &crate::audit::Actor,
        ) -> &'static str
        + Send
        + 'static,
) -> Resp {
    let st2 = st.clone();
    let done = blocking(move || change(st2.engine.store.as_ref(), &f, &auth.actor()))
        .await
        .unwrap_or("");
    st.keys.invalidate();
    redirect(&format!("{}/webservice?done={done}", prefix(&st)))
}

pub async fn status(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    post: AdminPost,
) -> Resp {
    change(st, post, move |store, f, actor| {
        outcome(
            accounts::set_active(store, id, field(f, "active") == "1", actor),
            "updated",
        )
    })
    .await
}

pub async fn delete(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    post: AdminPost,
) -> Resp {
    change(st, post, move |store, _, actor| {
        outcome(accounts::delete(store, id, actor), "deleted")
    })
    .await
}

/// The flash to show after a change: `ok`, or "failed" (logged) when any part of it failed,
/// e.g. a key deleted meanwhile from another tab or node.
fn outcome(result: Result<(), accounts::AccountError>, ok: &'static str) -> &'static str {
    match result {
        Ok(()) => ok,
        Err(e) => {
            tracing::warn!(error = %e, "back office key change failed");
            "failed"
        }
    }
}

/// Runs `one` on every key (a failure does not stop the others) and keeps the first error.
fn each_key(
    ids: &[i64],
    mut one: impl FnMut(i64) -> Result<(), accounts::AccountError>,
) -> Result<(), accounts::AccountError> {
    ids.iter().map(|id| one(*id)).fold(Ok(()), Result::and)
}

/// "Enable selection", "Disable selection", "Delete selected": one audit row per key.
pub async fn bulk(State(st): State<Arc<BackOffice>>, post: AdminPost) -> Resp {
    let ids: Vec<i64> = fields(&post.form, "ids")
        .filter_map(|v| v.parse().ok())
        .collect();
    if ids.is_empty() {
        let msg = if field(&post.form, "action") == "delete" {
            "You must select at least one element to delete."
        } else {
            "You must select at least one element."
        };
        return render(
            &st,
            &post.auth,
            ListQuery {
                page: 1,
                ..ListQuery::default()
            },
            vec![("error", msg.to_string())],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    change(st, post, move |store, f, actor| match field(f, "action") {
        "delete" => outcome(
            each_key(&ids, |id| accounts::delete(store, id, actor)),
            "bulk-deleted",
        ),
        a @ ("enable" | "disable") => outcome(
            each_key(&ids, |id| {
                accounts::set_active(store, id, a == "enable", actor)
            }),
            "bulk-status",
        ),
        _ => "",
    })
    .await
}
