//! The key form (new and edit), its validation with PrestaShop's messages, the reveal page,
//! and rotation.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::grid;
use super::guard::{self, AdminPost, Auth, Page};
use super::pages::*;
use super::web::*;
use super::BackOffice;
use crate::accounts::{self, key, Account, KeyUpdate, NewKey, Permissions, Policy};

/// What the form says, as typed (re-shown on error).
struct Typed {
    key_mode: String,
    custom_key: String,
    description: String,
    active: bool,
    expires_in: String,
    expires: String,
    ip_allowlist: String,
    rate: String,
    burst: String,
    perms: Permissions,
    shops: Vec<i64>,
}

impl Typed {
    fn from_form(f: &[(String, String)]) -> Self {
        let expires = field(f, "expires").trim().to_string();
        // A form without the preset list (scripts) means "the date given, if any".
        let expires_in = if f.iter().any(|(k, _)| k == "expires_in") {
            field(f, "expires_in").to_string()
        } else if expires.is_empty() {
            String::new()
        } else {
            "date".into()
        };
        Typed {
            key_mode: field(f, "key_mode").to_string(),
            custom_key: field(f, "custom_key").trim().to_string(),
            description: field(f, "description").to_string(),
            active: field(f, "active") != "0",
            expires_in,
            expires,
            ip_allowlist: field(f, "ip_allowlist").trim().to_string(),
            rate: field(f, "rate").trim().to_string(),
            burst: field(f, "burst").trim().to_string(),
            perms: grid::from_form(f),
            shops: fields(f, "shop").filter_map(|v| v.parse().ok()).collect(),
        }
    }

    fn from_account(a: &Account) -> Self {
        let list: Vec<String> = a
            .policy
            .ip_allowlist
            .iter()
            .map(|n| n.to_string())
            .collect();
        Typed {
            key_mode: String::new(),
            custom_key: String::new(),
            description: a.description.clone(),
            active: a.active,
            expires_in: if a.expires_at.is_some() {
                "date".into()
            } else {
                String::new()
            },
            expires: a.expires_at.clone().unwrap_or_default(),
            ip_allowlist: list.join(", "),
            rate: a
                .policy
                .rate_per_sec
                .map(|r| r.to_string())
                .unwrap_or_default(),
            burst: a.policy.burst.map(|b| b.to_string()).unwrap_or_default(),
            perms: a.permissions.clone(),
            shops: a.shops.clone(),
        }
    }

    fn blank() -> Self {
        Typed {
            key_mode: String::new(),
            custom_key: String::new(),
            description: String::new(),
            active: true,
            expires_in: String::new(),
            expires: String::new(),
            ip_allowlist: String::new(),
            rate: String::new(),
            burst: String::new(),
            perms: Permissions::new(),
            shops: Vec::new(),
        }
    }

    fn custom(&self) -> Option<&str> {
        (self.key_mode == "custom").then_some(self.custom_key.as_str())
    }

    /// The expiry to store, or the message explaining why it cannot be.
    fn expiry(&self) -> Result<Option<String>, String> {
        match self.expires_in.as_str() {
            "" => Ok(None),
            "date" => {
                let e = &self.expires;
                let full = if e.len() == 10 {
                    format!("{e} 23:59:59")
                } else {
                    e.clone()
                };
                let f = time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                );
                if time::PrimitiveDateTime::parse(&full, &f).is_err() {
                    return Err(
                        "The expiry date must read YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.".into(),
                    );
                }
                Ok(Some(full))
            }
            days => match days.parse::<i64>() {
                Ok(d) if (1..=3660).contains(&d) => Ok(Some(crate::clock::now_plus(d * 86_400))),
                _ => Err("Choose an expiry from the list.".into()),
            },
        }
    }

    fn policy(&self) -> Result<Policy, String> {
        let ip_allowlist = accounts::parse_allowlist(&self.ip_allowlist)?;
        let number = |s: &str, what: &str| -> Result<Option<u32>, String> {
            if s.is_empty() {
                return Ok(None);
            }
            match s.parse::<u32>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!("The {what} must be a whole number above 0.")),
            }
        };
        let rate_per_sec = number(&self.rate, "rate limit")?;
        let burst = number(&self.burst, "burst")?;
        if burst.is_some() && rate_per_sec.is_none() {
            return Err("A burst needs a rate limit.".into());
        }
        Ok(Policy {
            ip_allowlist,
            rate_per_sec,
            burst,
        })
    }
}

fn credential_rows(a: &Account) -> Vec<CredentialRow> {
    let now = crate::clock::now();
    a.credentials
        .iter()
        .rev()
        .map(|c| CredentialRow {
            hint: c.hint.clone(),
            created: c.created_at.clone(),
            last_used: c.last_used_at.clone().unwrap_or_else(|| "never".into()),
            last_ip: c.last_used_ip.clone().unwrap_or_default(),
            state: match (&c.retires_at, c.valid_at(&now)) {
                (Some(r), true) => format!("old secret, works until {r}"),
                (Some(_), false) => "retired".into(),
                (None, true) => "current".into(),
                (None, false) => "expired".into(),
            },
        })
        .collect()
}

fn render(
    st: &BackOffice,
    auth: &Auth,
    shops: &[(i64, String)],
    account: Option<&Account>,
    t: &Typed,
    flashes: Vec<Flash>,
    status: StatusCode,
) -> Resp {
    let page = KeyForm {
        c: auth.chrome(st, flashes),
        head: account.map(|a| KeyHead {
            id: a.id,
            hint: a.hint.clone(),
            created: a.created_at.clone(),
            created_by: a.created_by.clone(),
            last_used: a.last_used_at.clone().unwrap_or_else(|| "never".into()),
            expired: a.expired(),
            credentials: credential_rows(a),
        }),
        key_mode: t.key_mode.clone(),
        custom_key: t.custom_key.clone(),
        description: t.description.clone(),
        active: t.active,
        expires_in: t.expires_in.clone(),
        expires: t.expires.clone(),
        ip_allowlist: t.ip_allowlist.clone(),
        rate: t.rate.clone(),
        burst: t.burst.clone(),
        methods: grid::METHODS.to_vec(),
        groups: grid::build(st.engine.catalog, &t.perms),
        // Like PrestaShop, the shop tree only shows when there is more than one shop.
        shops: if shops.len() > 1 {
            shops
                .iter()
                .map(|(id, name)| ShopChoice {
                    id: *id,
                    name: name.clone(),
                    checked: t.shops.contains(id),
                })
                .collect()
        } else {
            Vec::new()
        },
        sudo_needed: !auth.session.sudo(),
        nonce: super::session::random_token(),
    };
    html(status, page.render())
}

/// Nonces of key forms already carried out on this node (a browser reload re-posts the form;
/// it must not create or rotate again).
static SPENT: std::sync::LazyLock<moka::sync::Cache<String, ()>> = std::sync::LazyLock::new(|| {
    moka::sync::Cache::builder()
        .max_capacity(100_000)
        .time_to_live(std::time::Duration::from_secs(12 * 3600))
        .build()
});

/// `true` the first time a form's nonce is seen (forms without one, from scripts, always pass).
fn first_submission(f: &[(String, String)]) -> bool {
    let nonce = field(f, "nonce");
    if nonce.is_empty() {
        return true;
    }
    let entry = SPENT.entry(nonce.to_string()).or_insert(());
    entry.is_fresh()
}

fn already_done(st: &BackOffice) -> Resp {
    redirect(&format!("{}/webservice?done=already", prefix(st)))
}

async fn shop_list(st: &Arc<BackOffice>) -> Vec<(i64, String)> {
    let st2 = st.clone();
    blocking(move || accounts::shops(st2.engine.store.as_ref()).unwrap_or_default())
        .await
        .unwrap_or_default()
}

/// The shops to store: every shop when there is only one, else the ones ticked.
fn chosen_shops(t: &Typed, shops: &[(i64, String)]) -> Result<Option<Vec<i64>>, String> {
    if shops.len() <= 1 {
        return Ok(None);
    }
    let picked: Vec<i64> = shops
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| t.shops.contains(id))
        .collect();
    if picked.is_empty() {
        return Err(
            "Choose at least one shop: a key without a shop is refused everywhere (error 132)."
                .into(),
        );
    }
    Ok(Some(picked))
}

/// The shops and the key a form is about, in one trip off the I/O thread; 404 when the key
/// does not exist.
async fn load(st: &Arc<BackOffice>, id: i64) -> Result<(Vec<(i64, String)>, Account), Resp> {
    let st2 = st.clone();
    let found = blocking(move || {
        let store = st2.engine.store.as_ref();
        let account = accounts::get(store, id).ok()?;
        Some((accounts::shops(store).unwrap_or_default(), account))
    })
    .await
    .flatten();
    found.ok_or_else(|| plain(StatusCode::NOT_FOUND, "404 Not Found: no such key"))
}

pub async fn new(State(st): State<Arc<BackOffice>>, Page(auth): Page) -> Resp {
    if !auth.is_admin() {
        return forbidden_role();
    }
    let shops = shop_list(&st).await;
    let mut blank = Typed::blank();
    blank.shops = shops.iter().map(|(id, _)| *id).collect();
    render(&st, &auth, &shops, None, &blank, Vec::new(), StatusCode::OK)
}

pub async fn edit(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    Page(auth): Page,
) -> Resp {
    let (shops, a) = match load(&st, id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    render(
        &st,
        &auth,
        &shops,
        Some(&a),
        &Typed::from_account(&a),
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks the parts the new and edit forms share; `Err` is the message to show.
fn check(st: &BackOffice, t: &Typed) -> Result<(Permissions, Option<String>, Policy), String> {
    let perms =
        accounts::clean_permissions(st.engine.catalog, &t.perms).map_err(|e| e.to_string())?;
    Ok((perms, t.expiry()?, t.policy()?))
}

fn reveal(st: &BackOffice, auth: &Auth, key: String, old_until: Option<String>) -> Resp {
    let endpoint = st.engine.ws_url();
    let page = KeyReveal {
        c: auth.chrome(
            st,
            vec![(
                "success",
                if old_until.is_some() {
                    "The key has been rotated.".into()
                } else {
                    "Successful creation.".into()
                },
            )],
        ),
        key,
        shop_url: st.engine.settings.base_url.clone(),
        endpoint,
        rotated: old_until.is_some(),
        old_valid_until: old_until.unwrap_or_default(),
    };
    html(StatusCode::OK, page.render())
}

fn with_cookie(st: &BackOffice, mut r: Resp, cookie: Option<String>) -> Resp {
    if let Some(token) = cookie {
        set_cookie(
            &mut r,
            &cookie_name(st, super::session::COOKIE),
            &token,
            None,
        );
    }
    r
}

pub async fn create(
    State(st): State<Arc<BackOffice>>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let shops = shop_list(&st).await;
    let t = Typed::from_form(&f);
    let refuse =
        |msg: String, status| render(&st, &auth, &shops, None, &t, vec![("error", msg)], status);
    let (perms, expires, policy) = match check(&st, &t) {
        Ok(v) => v,
        Err(msg) => return refuse(msg, StatusCode::BAD_REQUEST),
    };
    let chosen = match chosen_shops(&t, &shops) {
        Ok(v) => v,
        Err(msg) => return refuse(msg, StatusCode::BAD_REQUEST),
    };
    if let Some(k) = t.custom() {
        if let Err(e) = key::validate(k) {
            return refuse(e.to_string(), StatusCode::BAD_REQUEST);
        }
        if key::weak(k) {
            return refuse(
                "This key is too easy to guess: use at least 9 different characters and no runs like AAAAAA or 123456.".into(),
                StatusCode::BAD_REQUEST,
            );
        }
    }
    let cookie = match guard::sudo_if(grid::powerful(&perms), &st, &auth, &f).await {
        Ok(c) => c,
        Err(r) => return refuse(r.message(), StatusCode::FORBIDDEN),
    };
    if !first_submission(&f) {
        return with_cookie(&st, already_done(&st), cookie);
    }
    let st2 = st.clone();
    let (custom, desc, active, owned) = (
        t.custom().map(str::to_string),
        t.description.clone(),
        t.active,
        auth.owned_actor(),
    );
    let perms2 = perms.clone();
    let created = blocking(move || {
        let actor = owned.actor();
        let store = st2.engine.store.as_ref();
        let (id, key) = accounts::create(
            store,
            st2.keys.pepper(),
            &NewKey {
                key: custom.as_deref(),
                description: &desc,
                active,
                permissions: &perms2,
                expires_at: expires.as_deref(),
                shops: chosen.as_deref(),
                actor: &actor,
            },
        )
        .map_err(|e| e.to_string())?;
        if policy != Policy::default() {
            accounts::set_policy(store, id, &policy, &actor).map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(key)
    })
    .await;
    match created {
        Some(Ok(key)) => {
            st.keys.invalidate();
            let r = match t.custom() {
                // An existing key is already known to its holder: no reveal page.
                Some(k) if key::needs_encoding(k) => {
                    redirect(&format!("{}/webservice?done=created-encode", prefix(&st)))
                }
                Some(_) => redirect(&format!("{}/webservice?done=created", prefix(&st))),
                None => reveal(&st, &auth, key, None),
            };
            with_cookie(&st, r, cookie)
        }
        Some(Err(msg)) => with_cookie(&st, refuse(msg, StatusCode::BAD_REQUEST), cookie),
        None => internal(),
    }
}

pub async fn update(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let (shops, old) = match load(&st, id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let t = Typed::from_form(&f);
    let refuse = |msg: String, status| {
        render(
            &st,
            &auth,
            &shops,
            Some(&old),
            &t,
            vec![("error", msg)],
            status,
        )
    };
    let (perms, expires, policy) = match check(&st, &t) {
        Ok(v) => v,
        Err(msg) => return refuse(msg, StatusCode::BAD_REQUEST),
    };
    let chosen = match chosen_shops(&t, &shops) {
        Ok(v) => v,
        Err(msg) => return refuse(msg, StatusCode::BAD_REQUEST),
    };
    let cookie = match guard::sudo_if(
        perms != old.permissions && grid::powerful(&perms),
        &st,
        &auth,
        &f,
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return refuse(r.message(), StatusCode::FORBIDDEN),
    };
    let st2 = st.clone();
    let (desc, active) = (t.description.clone(), t.active);
    let owned = auth.owned_actor();
    let saved = blocking(move || {
        let actor = owned.actor();
        accounts::update(
            st2.engine.store.as_ref(),
            id,
            &KeyUpdate {
                description: &desc,
                active,
                permissions: &perms,
                expires_at: expires.as_deref(),
                shops: chosen.as_deref(),
                policy: &policy,
                actor: &actor,
            },
        )
        .map_err(|e| e.to_string())
    })
    .await;
    match saved {
        Some(Ok(())) => {
            st.keys.invalidate();
            with_cookie(
                &st,
                redirect(&format!("{}/webservice?done=updated", prefix(&st))),
                cookie,
            )
        }
        Some(Err(msg)) => with_cookie(&st, refuse(msg, StatusCode::BAD_REQUEST), cookie),
        None => internal(),
    }
}

pub async fn rotate(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let (shops, old) = match load(&st, id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let t = Typed::from_account(&old);
    let refuse = |msg: String, status| {
        render(
            &st,
            &auth,
            &shops,
            Some(&old),
            &t,
            vec![("error", msg)],
            status,
        )
    };
    let overlap: i64 = match field(&f, "overlap") {
        "0" => 0,
        "3600" => 3600,
        "86400" => 86_400,
        "604800" => 604_800,
        _ => {
            return refuse(
                "Choose how long the current secret keeps working.".into(),
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let cookie = match guard::sudo_if(grid::powerful(&old.permissions), &st, &auth, &f).await {
        Ok(c) => c,
        Err(r) => return refuse(r.message(), StatusCode::FORBIDDEN),
    };
    if !first_submission(&f) {
        return with_cookie(&st, already_done(&st), cookie);
    }
    let st2 = st.clone();
    let owned = auth.owned_actor();
    let rotated = blocking(move || {
        let actor = owned.actor();
        accounts::rotate(
            st2.engine.store.as_ref(),
            st2.keys.pepper(),
            id,
            overlap,
            &actor,
        )
        .ok()
    })
    .await
    .flatten();
    let Some(key) = rotated else {
        return internal();
    };
    st.keys.invalidate();
    let until = if overlap == 0 {
        "now".to_string()
    } else {
        crate::clock::now_plus(overlap)
    };
    with_cookie(&st, reveal(&st, &auth, key, Some(until)), cookie)
}
