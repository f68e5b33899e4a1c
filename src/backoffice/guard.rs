//! Who is asking: the session behind the cookie, the role it grants, and the checks every
//! state change passes (same origin, CSRF token, role, and for the riskiest changes a recent
//! password).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;

use super::pages::{Chrome, Flash};
use super::session;
use super::throttle::{Attempt, Refusal};
use super::web::*;
use super::BackOffice;
use crate::audit::{Actor, Entry as AuditEntry};
use crate::employees;

pub struct Auth {
    pub user: employees::Employee,
    pub session: session::Session,
    /// The cookie value (only ever compared or replaced, never logged).
    pub token: String,
    /// The client's address, and as text for the audit log.
    pub addr: IpAddr,
    pub ip: String,
    pub user_agent: String,
}

impl Auth {
    pub fn is_admin(&self) -> bool {
        self.user.is_admin()
    }

    pub fn actor(&self) -> Actor<'_> {
        Actor {
            name: &self.user.email,
            ip: &self.ip,
            user_agent: &self.user_agent,
        }
    }

    /// The actor, owned, for work moved off the I/O threads.
    pub fn owned_actor(&self) -> OwnedActor {
        OwnedActor {
            name: self.user.email.clone(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }

    pub fn chrome(&self, st: &BackOffice, flashes: Vec<Flash>) -> Chrome {
        Chrome {
            prefix: prefix(st).to_string(),
            user: self.user.email.clone(),
            admin: self.is_admin(),
            csrf: self.session.csrf.clone(),
            flashes,
        }
    }
}

pub async fn current(st: &Arc<BackOffice>, headers: &HeaderMap, peer: &SocketAddr) -> Option<Auth> {
    let token = cookie(headers, &cookie_name(st, session::COOKIE))?.to_string();
    let st = st.clone();
    let addr = client_addr(st.as_ref(), peer, headers);
    let (ip, user_agent) = (addr.to_string(), user_agent(headers));
    blocking(move || {
        let store = st.engine.store.as_ref();
        let s = session::load(store, &token).ok()??;
        let u = employees::get(store, s.user_id).ok()??;
        Some(Auth {
            user: u,
            session: s,
            token,
            addr,
            ip,
            user_agent,
        })
    })
    .await
    .flatten()
}

pub struct OwnedActor {
    name: String,
    ip: String,
    user_agent: String,
}

impl OwnedActor {
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            name: &self.name,
            ip: &self.ip,
            user_agent: &self.user_agent,
        }
    }
}

/// A page: any logged-in employee may read it; others go to the login page.
pub async fn page(
    st: &Arc<BackOffice>,
    headers: &HeaderMap,
    peer: &SocketAddr,
) -> Result<Auth, Resp> {
    current(st, headers, peer)
        .await
        .ok_or_else(|| redirect(&format!("{}/", prefix(st))))
}

/// What a POST needs beyond a valid session and token.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any logged-in employee (log out, end one's own sessions).
    Employee,
    /// The administrator role: every change to the webservice and its keys.
    Admin,
}

/// Checks origin, CSRF token and role of a POST from a logged-in page; refusals are audited.
pub async fn post(
    st: &Arc<BackOffice>,
    headers: &HeaderMap,
    peer: &SocketAddr,
    f: &[(String, String)],
    need: Need,
) -> Result<Auth, Resp> {
    let Some(auth) = current(st, headers, peer).await else {
        if !same_origin(st, headers) {
            return Err(forbidden_token());
        }
        return Err(redirect(&format!("{}/", prefix(st))));
    };
    if !same_origin(st, headers) || !session::equal(field(f, "csrf"), &auth.session.csrf) {
        audit(st, &auth.actor(), "csrf.refused", "denied").await;
        return Err(forbidden_token());
    }
    if need == Need::Admin && !auth.is_admin() {
        audit(st, &auth.actor(), "role.refused", "denied").await;
        return Err(forbidden_role());
    }
    Ok(auth)
}

/// Why a change that needs a recent password was refused.
pub enum SudoRefusal {
    Missing,
    Wrong,
    Locked(Refusal),
}

impl SudoRefusal {
    pub fn message(&self) -> String {
        match self {
            SudoRefusal::Missing => {
                "This change needs your password: type it in \"Your password\" and save again."
                    .into()
            }
            SudoRefusal::Wrong => "The password is not correct.".into(),
            SudoRefusal::Locked(refusal) => refusal.message(),
        }
    }
}

/// Re-authentication ("sudo mode"): passes when the password was typed within the last ten
/// minutes, or is in the form's `sudo_password` now. A fresh password gives a new session id,
/// returned so the caller can set the cookie.
/// `sudo` only when the change `needs` it; `Ok(None)` otherwise.
pub async fn sudo_if(
    needs: bool,
    st: &Arc<BackOffice>,
    auth: &Auth,
    f: &[(String, String)],
) -> Result<Option<String>, SudoRefusal> {
    if needs {
        sudo(st, auth, f).await
    } else {
        Ok(None)
    }
}

pub async fn sudo(
    st: &Arc<BackOffice>,
    auth: &Auth,
    f: &[(String, String)],
) -> Result<Option<String>, SudoRefusal> {
    if auth.session.sudo() {
        return Ok(None);
    }
    let password = field(f, "sudo_password").to_string();
    if password.is_empty() {
        return Err(SudoRefusal::Missing);
    }
    let st2 = st.clone();
    let (uid, token) = (auth.user.id, auth.token.clone());
    let attempt = Attempt::reauth(&auth.user.email, auth.addr);
    let outcome = blocking(move || {
        let store = st2.engine.store.as_ref();
        // Counted before the password is checked, forgiven when it is right.
        let reservation = match attempt.reserve(store) {
            Ok(Ok(r)) => r,
            Ok(Err(refusal)) => return Err(SudoRefusal::Locked(refusal)),
            Err(e) => {
                tracing::error!(error = %e, "login throttle unavailable");
                return Err(SudoRefusal::Wrong);
            }
        };
        if !employees::verify(store, uid, &password).unwrap_or(false) {
            return Err(SudoRefusal::Wrong);
        }
        if let Err(e) = reservation.succeeded(store) {
            tracing::warn!(error = %e, "could not forgive a re-authentication");
        }
        session::reauthenticate(store, &token)
            .ok()
            .flatten()
            .ok_or(SudoRefusal::Wrong)
    })
    .await
    .unwrap_or(Err(SudoRefusal::Wrong));
    let result = match &outcome {
        Ok(_) => "ok",
        Err(_) => "denied",
    };
    audit(st, &auth.actor(), "reauth", result).await;
    outcome.map(Some)
}

/// An audit row about the employee's own doing (no target).
pub async fn audit(st: &Arc<BackOffice>, actor: &Actor<'_>, action: &str, result: &str) {
    audit_detail(st, actor, action, "", result).await
}

pub async fn audit_detail(
    st: &Arc<BackOffice>,
    actor: &Actor<'_>,
    action: &str,
    details: &str,
    result: &str,
) {
    let st = st.clone();
    let (name, ip, ua) = (
        actor.name.to_string(),
        actor.ip.to_string(),
        actor.user_agent.to_string(),
    );
    let (action, details, result) = (action.to_string(), details.to_string(), result.to_string());
    blocking(move || {
        let _ = st.engine.store.write(&mut |tx| {
            crate::audit::record(
                tx,
                &AuditEntry {
                    actor: Actor {
                        name: &name,
                        ip: &ip,
                        user_agent: &ua,
                    },
                    action: &action,
                    target_type: "",
                    target_id: 0,
                    target_hint: "",
                    details: &details,
                    result: &result,
                },
            )
        });
    })
    .await;
}

/// Extractor for a page: the logged-in employee, or a redirect to the login page.
pub struct Page(pub Auth);

impl axum::extract::FromRequestParts<Arc<BackOffice>> for Page {
    type Rejection = Resp;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &Arc<BackOffice>,
    ) -> Result<Self, Resp> {
        let peer = peer_of(parts).ok_or_else(internal)?;
        page(st, &parts.headers, &peer).await.map(Page)
    }
}

/// Extractor for a change posted by an administrator: the form and who sent it, after the
/// origin, CSRF and role checks.
pub struct AdminPost {
    pub form: Form,
    pub auth: Auth,
}

/// Extractor for a POST any employee may make (log out, end their own sessions).
pub struct EmployeePost {
    pub form: Form,
    pub auth: Auth,
}

fn peer_of(parts: &axum::http::request::Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

async fn posted(
    req: axum::extract::Request,
    st: &Arc<BackOffice>,
    need: Need,
) -> Result<(Form, Auth), Resp> {
    let (parts, body) = req.into_parts();
    let peer = peer_of(&parts).ok_or_else(internal)?;
    // Back-office forms are small; anything larger is not one of ours.
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|_| plain(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "Form too large"))?;
    let f = form(&bytes);
    let auth = post(st, &parts.headers, &peer, &f, need).await?;
    Ok((f, auth))
}

impl axum::extract::FromRequest<Arc<BackOffice>> for AdminPost {
    type Rejection = Resp;

    async fn from_request(req: axum::extract::Request, st: &Arc<BackOffice>) -> Result<Self, Resp> {
        let (form, auth) = posted(req, st, Need::Admin).await?;
        Ok(AdminPost { form, auth })
    }
}

impl axum::extract::FromRequest<Arc<BackOffice>> for EmployeePost {
    type Rejection = Resp;

    async fn from_request(req: axum::extract::Request, st: &Arc<BackOffice>) -> Result<Self, Resp> {
        let (form, auth) = posted(req, st, Need::Employee).await?;
        Ok(EmployeePost { form, auth })
    }
}
