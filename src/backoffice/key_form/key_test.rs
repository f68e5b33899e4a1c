//! "Test this key": what `/api/` would answer the key now, per shop and per resource, worked
//! out on the server from the key's stored record by the API's own checks
//! ([`crate::engine::access::probe`]) — no request is sent and nothing changes, so it is a
//! GET any employee may run. The secret is not needed (and not known).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::handlers::load;
use super::input::Typed;
use crate::accounts::{Account, KeyInfo};
use crate::backoffice::guard::Page;
use crate::backoffice::pages::{Flash, ProbeRow, ProbeShop};
use crate::backoffice::web::{blocking, Resp};
use crate::backoffice::BackOffice;
use crate::catalog::MethodSet;
use crate::engine::access::{self, ShopProbe};
use crate::engine::ApiResult;

pub async fn test(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
    Page(auth): Page,
) -> Resp {
    let mut page = match load(&st, &auth, id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(account) = page.account.clone() else {
        return crate::backoffice::web::internal();
    };
    let typed = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "ip")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let mut flashes: Vec<Flash> = Vec::new();
    let client = if typed.is_empty() {
        None
    } else {
        match typed.parse::<IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                flashes.push(("error", format!("Not an IP address: {typed}")));
                None
            }
        }
    };
    let st2 = st.clone();
    let Some(Ok(info)) = blocking(move || st2.engine.shop_info()).await else {
        return crate::backoffice::web::internal();
    };
    let key = KeyInfo::of(&account);
    let probes = access::probe(st.engine.catalog, &info, &key, client);
    let several = probes.len() > 1;
    page.tools.test = Some(
        probes
            .iter()
            .map(|p| shop_view(p, &account, client, several))
            .collect(),
    );
    page.tools.test_notes = notes(&account, client);
    page.tools.test_ip = typed;
    page.render(&Typed::from_account(&account), flashes, StatusCode::OK)
}

/// `200`, `401 #20/#21`, `405 #25`.
fn answer(r: &ApiResult<()>) -> String {
    match r {
        Ok(()) => "200".into(),
        Err(e) => {
            let codes: Vec<String> = e
                .errors
                .iter()
                .filter_map(|e| e.code)
                .map(|c| c.to_string())
                .collect();
            format!("{} #{}", e.status, codes.join("/#"))
        }
    }
}

fn methods(m: MethodSet) -> String {
    m.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
}

fn shop_view(p: &ShopProbe, a: &Account, client: Option<IpAddr>, several: bool) -> ProbeShop {
    let title = if several {
        format!(
            "Shop {} (#{}){}",
            p.name,
            p.shop,
            if p.default {
                ": the shop of requests without id_shop"
            } else {
                ""
            }
        )
    } else {
        format!("Shop {}", p.name)
    };
    let why = match &p.root {
        Ok(()) => match p.resources.len() {
            1 => "The key is accepted: the resource list shows the 1 resource below.".to_string(),
            n => format!("The key is accepted: the resource list shows the {n} resources below."),
        },
        Err(e) => refusal(e, a, client),
    };
    let rows = p
        .resources
        .iter()
        .map(|(res, m, r)| ProbeRow {
            resource: res.clone(),
            methods: methods(*m),
            answer: answer(r),
            ok: r.is_ok(),
            why: match r {
                Ok(()) => match m.minus([crate::catalog::Method::Get].into_iter().collect()) {
                    others if others.is_empty() => "Readable (GET only).".to_string(),
                    others => format!("Readable; {} granted too.", methods(others)),
                },
                Err(e) if p.root.is_err() => format!("As for the whole key: {}", short(e)),
                Err(e) => refusal(e, a, client),
            },
        })
        .collect();
    ProbeShop {
        title,
        request: format!("GET /api/{}", p.query),
        answer: answer(&p.root),
        ok: p.root.is_ok(),
        why,
        rows,
    }
}

/// The refusal in a word, for rows that share the key's.
fn short(e: &crate::engine::ApiError) -> String {
    let code = e.errors.first().and_then(|e| e.code).unwrap_or(0);
    match code {
        22 => "webservice switched off.",
        20 => "key disabled or expired.",
        21 => "no permission at all.",
        1001 => "address not allowed.",
        132 => "key not associated with this shop.",
        999 => "shop not active.",
        _ => "refused.",
    }
    .to_string()
}

/// Why `/api/` refuses, in one line, from the first error's code.
fn refusal(e: &crate::engine::ApiError, a: &Account, client: Option<IpAddr>) -> String {
    let code = e.errors.first().and_then(|e| e.code).unwrap_or(0);
    match code {
        22 => "The webservice is switched off for this shop (\"Enable PrestaShop's webservice\" is No): every request gets 503, whatever the key.".into(),
        20 if !a.active => "The key is disabled: it answers like an unknown key (401, errors 20 and 21). Enable it above.".into(),
        20 => format!(
            "The key expired on {}: it answers like a disabled key (401, errors 20 and 21). Set a later expiry above.",
            a.expires_at.as_deref().unwrap_or("an earlier date")
        ),
        21 => "The key has no permission at all (401, error 21): tick at least one method below.".into(),
        1001 => format!(
            "{} is not in the key's IP allowlist ({}): 403, error 1001.",
            client.map(|c| c.to_string()).unwrap_or_default(),
            allowlist(a)
        ),
        132 => "The key is not associated with this shop (Store association): 403, error 132.".into(),
        999 => "This shop is not active: 404, error 999.".into(),
        25 => "GET is not granted on this resource: GET answers 405 (error 25); the methods granted work.".into(),
        _ => e
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
    }
}

fn allowlist(a: &Account) -> String {
    a.policy
        .ip_allowlist
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the key's policies decide beyond the test: addresses, traffic, time.
fn notes(a: &Account, client: Option<IpAddr>) -> Vec<String> {
    let mut out = Vec::new();
    if a.policy.ip_allowlist.is_empty() {
        out.push("Addresses: any (no IP allowlist).".into());
    } else {
        match client {
            Some(ip) if a.policy.allows(ip) => out.push(format!(
                "Addresses: only {}; {ip} is one of them.",
                allowlist(a)
            )),
            Some(_) => {}
            None => out.push(format!(
                "Addresses: only {}; from any other address 403, error 1001. Type an address above to test it.",
                allowlist(a)
            )),
        }
    }
    match (a.policy.rate_per_sec, a.policy.burst) {
        (Some(r), b) => out.push(format!(
            "Rate limit: {r} requests per second (burst {}); beyond, 429 with Retry-After (error 1002), counted on each server.",
            b.unwrap_or(r)
        )),
        (None, _) => out.push("Rate limit: none.".into()),
    }
    if let (Some(e), false) = (&a.expires_at, a.expired()) {
        out.push(format!(
            "Expires {e} (UTC): from then on 401, errors 20 and 21."
        ));
    }
    out
}
