//! The key form's pages and the changes it posts: create, update, rotate. Every change takes
//! the same steps ([`KeyPage::carry_out`]); a refusal re-shows the form with one message.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::super::grid;
use super::super::guard::{self, AdminPost, Auth, Page};
use super::super::pages::*;
use super::super::web::*;
use super::super::BackOffice;
use super::input::{self, Typed};
use crate::accounts::{self, key, Account, KeyUpdate, NewKey, Policy};
use crate::audit::Actor;

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

/// Why a key change did not happen.
pub(super) enum Failed {
    /// Shown above the form, which is re-shown as typed.
    Refused(String),
    /// Answered with a bare 500.
    Internal,
}

/// What a key change needs beyond a valid session, token and role.
pub(super) struct Change {
    /// The password again (sudo mode) unless typed within the last ten minutes.
    pub password: bool,
    /// Carried out once per form: a reload of the answer must not do it again.
    pub once: bool,
}

/// A key form as shown to one employee: the shops to choose from and, when editing, the key.
pub(super) struct KeyPage<'a> {
    pub st: &'a Arc<BackOffice>,
    pub auth: &'a Auth,
    pub shops: Vec<(i64, String)>,
    pub account: Option<Account>,
    /// "Test this key" and the import box, as far as this answer uses them.
    pub tools: KeyTools,
}

impl KeyPage<'_> {
    pub fn render(&self, t: &Typed, flashes: Vec<Flash>, status: StatusCode) -> Resp {
        let (st, auth) = (self.st, self.auth);
        let page = KeyForm {
            c: auth.chrome(st, flashes),
            head: self.account.as_ref().map(|a| KeyHead {
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
            shops: if self.shops.len() > 1 {
                self.shops
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
            nonce: super::super::session::random_token(),
            tools: &self.tools,
        };
        html(status, page.render())
    }

    /// The form again, as typed, with why it was refused.
    pub fn refuse(&self, t: &Typed, msg: String, status: StatusCode) -> Resp {
        self.render(t, vec![("error", msg)], status)
    }

    /// The steps every key change takes once its form is checked: the password again when
    /// `change` says so, at most once per form, `work` off the I/O threads, the API's key
    /// cache emptied after a success, and the new session cookie (after a re-authentication)
    /// on whatever is answered.
    pub async fn carry_out<T: Send + 'static>(
        &self,
        t: &Typed,
        f: &[(String, String)],
        change: Change,
        work: impl FnOnce(&BackOffice, &Actor) -> Result<T, Failed> + Send + 'static,
        answer: impl FnOnce(T) -> Resp,
    ) -> Resp {
        let st = self.st;
        let cookie = match guard::sudo_if(change.password, st, self.auth, f).await {
            Ok(c) => c,
            Err(r) => return self.refuse(t, r.message(), StatusCode::FORBIDDEN),
        };
        if change.once && !first_submission(f) {
            return with_cookie(st, already_done(st), cookie);
        }
        let (st2, owned) = (st.clone(), self.auth.owned_actor());
        let done = blocking(move || work(&st2, &owned.actor())).await;
        let r = match done {
            Some(Ok(v)) => {
                st.keys.invalidate();
                answer(v)
            }
            Some(Err(Failed::Refused(msg))) => self.refuse(t, msg, StatusCode::BAD_REQUEST),
            Some(Err(Failed::Internal)) | None => internal(),
        };
        with_cookie(st, r, cookie)
    }
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

pub(super) async fn shop_list(st: &Arc<BackOffice>) -> Vec<(i64, String)> {
    let st2 = st.clone();
    blocking(move || accounts::shops(st2.engine.store.as_ref()).unwrap_or_default())
        .await
        .unwrap_or_default()
}

/// The form for an existing key: the shops and the key, in one trip off the I/O thread; 404
/// when the key does not exist.
pub(super) async fn load<'a>(
    st: &'a Arc<BackOffice>,
    auth: &'a Auth,
    id: i64,
) -> Result<KeyPage<'a>, Resp> {
    let st2 = st.clone();
    let found = blocking(move || {
        let store = st2.engine.store.as_ref();
        let account = accounts::get(store, id).ok()?;
        Some((accounts::shops(store).unwrap_or_default(), account))
    })
    .await
    .flatten();
    match found {
        Some((shops, account)) => Ok(KeyPage {
            st,
            auth,
            shops,
            account: Some(account),
            tools: KeyTools::default(),
        }),
        None => Err(plain(StatusCode::NOT_FOUND, "404 Not Found: no such key")),
    }
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

pub(super) fn with_cookie(st: &BackOffice, mut r: Resp, cookie: Option<String>) -> Resp {
    if let Some(token) = cookie {
        set_cookie(
            &mut r,
            &cookie_name(st, super::super::session::COOKIE),
            &token,
            None,
        );
    }
    r
}

pub async fn new(State(st): State<Arc<BackOffice>>, Page(auth): Page) -> Resp {
    if !auth.is_admin() {
        return forbidden_role();
    }
    let shops = shop_list(&st).await;
    let mut blank = Typed::blank();
    blank.shops = shops.iter().map(|(id, _)| *id).collect();
    let page = KeyPage {
        st: &st,
        auth: &auth,
        shops,
        account: None,
        tools: KeyTools::default(),
    };
    page.render(&blank, Vec::new(), StatusCode::OK)
}

pub async fn edit(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
    Page(auth): Page,
) -> Resp {
    // After an import, its outcome (the change itself is in the audit log).
    let flashes = match raw.as_deref() {
        Some("done=imported") => vec![("success", "Permissions imported.".to_string())],
        _ => Vec::new(),
    };
    match load(&st, &auth, id).await {
        Ok(page) => {
            let t = page.account.as_ref().map(Typed::from_account);
            page.render(&t.unwrap_or_else(Typed::blank), flashes, StatusCode::OK)
        }
        Err(r) => r,
    }
}

pub async fn create(
    State(st): State<Arc<BackOffice>>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let page = KeyPage {
        st: &st,
        auth: &auth,
        shops: shop_list(&st).await,
        account: None,
        tools: KeyTools::default(),
    };
    let t = Typed::from_form(&f);
    let c = match input::check_new(st.engine.catalog, &t, &page.shops) {
        Ok(c) => c,
        Err(msg) => return page.refuse(&t, msg, StatusCode::BAD_REQUEST),
    };
    let change = Change {
        password: grid::powerful(&c.perms),
        once: true,
    };
    let custom = c.custom.clone();
    let (desc, active) = (t.description.clone(), t.active);
    let work = move |st: &BackOffice, actor: &Actor| {
        let store = st.engine.store.as_ref();
        let refused = |e: accounts::AccountError| Failed::Refused(e.to_string());
        let (id, key) = accounts::create(
            store,
            st.keys.pepper(),
            &NewKey {
                key: c.custom.as_deref(),
                description: &desc,
                active,
                permissions: &c.perms,
                expires_at: c.expires.as_deref(),
                shops: c.shops.as_deref(),
                actor,
            },
        )
        .map_err(refused)?;
        if c.policy != Policy::default() {
            accounts::set_policy(store, id, &c.policy, actor).map_err(refused)?;
        }
        Ok(key)
    };
    let done = |key| match custom.as_deref() {
        // An existing key is already known to its holder: no reveal page.
        Some(k) if key::needs_encoding(k) => {
            redirect(&format!("{}/webservice?done=created-encode", prefix(&st)))
        }
        Some(_) => redirect(&format!("{}/webservice?done=created", prefix(&st))),
        None => reveal(&st, &auth, key, None),
    };
    page.carry_out(&t, &f, change, work, done).await
}

pub async fn update(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let page = match load(&st, &auth, id).await {
        Ok(page) => page,
        Err(r) => return r,
    };
    let t = Typed::from_form(&f);
    let c = match input::check(st.engine.catalog, &t, &page.shops) {
        Ok(c) => c,
        Err(msg) => return page.refuse(&t, msg, StatusCode::BAD_REQUEST),
    };
    let granted = page.account.as_ref().map(|a| &a.permissions);
    let change = Change {
        password: granted != Some(&c.perms) && grid::powerful(&c.perms),
        once: false,
    };
    let (desc, active) = (t.description.clone(), t.active);
    let work = move |st: &BackOffice, actor: &Actor| {
        accounts::update(
            st.engine.store.as_ref(),
            id,
            &KeyUpdate {
                description: &desc,
                active,
                permissions: &c.perms,
                expires_at: c.expires.as_deref(),
                shops: c.shops.as_deref(),
                policy: &c.policy,
                actor,
            },
        )
        .map_err(|e| Failed::Refused(e.to_string()))
    };
    let done = |()| redirect(&format!("{}/webservice?done=updated", prefix(&st)));
    page.carry_out(&t, &f, change, work, done).await
}

pub async fn rotate(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    AdminPost { form: f, auth }: AdminPost,
) -> Resp {
    let page = match load(&st, &auth, id).await {
        Ok(page) => page,
        Err(r) => return r,
    };
    let Some(old) = page.account.as_ref() else {
        return internal();
    };
    let t = Typed::from_account(old);
    let overlap = match input::overlap(&f) {
        Ok(secs) => secs,
        Err(msg) => return page.refuse(&t, msg, StatusCode::BAD_REQUEST),
    };
    let change = Change {
        password: grid::powerful(&old.permissions),
        once: true,
    };
    let work = move |st: &BackOffice, actor: &Actor| {
        accounts::rotate(
            st.engine.store.as_ref(),
            st.keys.pepper(),
            id,
            overlap,
            actor,
        )
        .map_err(|_| Failed::Internal)
    };
    let done = |key| {
        let until = if overlap == 0 {
            "now".to_string()
        } else {
            crate::clock::now_plus(overlap)
        };
        reveal(&st, &auth, key, Some(until))
    };
    page.carry_out(&t, &f, change, work, done).await
}
