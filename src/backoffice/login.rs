//! Logging in and out. The login form carries a pre-session token (login CSRF); attempts are
//! throttled per e-mail and address, per address and per e-mail ([`super::throttle`]).

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};

use super::guard::{self, EmployeePost};
use super::pages::{Chrome, Flash, Login};
use super::session;
use super::throttle::{Attempt, Refusal};
use super::web::*;
use super::BackOffice;
use crate::audit::{Actor, Entry as AuditEntry};
use crate::employees;

pub async fn index(
    State(st): State<Arc<BackOffice>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Resp {
    if guard::current(&st, &headers, &peer).await.is_some() {
        return redirect(&format!("{}/webservice", prefix(&st)));
    }
    login_page(&st, Vec::new(), String::new(), StatusCode::OK)
}

fn login_page(st: &BackOffice, flashes: Vec<Flash>, email: String, status: StatusCode) -> Resp {
    let token = session::random_token();
    let page = Login {
        c: Chrome {
            prefix: prefix(st).to_string(),
            user: String::new(),
            admin: false,
            csrf: token.clone(),
            flashes,
        },
        email,
    };
    let mut r = html(status, page.render());
    set_cookie(&mut r, &cookie_name(st, session::PRE_COOKIE), &token, None);
    r
}

enum Outcome {
    In(String),
    Refused,
    Held(Refusal),
}

pub async fn login(
    State(st): State<Arc<BackOffice>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    let f = form(&body);
    let pre = cookie(&headers, &cookie_name(&st, session::PRE_COOKIE)).unwrap_or("");
    if !same_origin(&st, &headers) || pre.is_empty() || !session::equal(pre, field(&f, "csrf")) {
        return forbidden_token();
    }
    let email = field(&f, "email").trim().to_lowercase();
    let password = field(&f, "password").to_string();
    let addr = client_addr(&st, &peer, &headers);
    let (ip, ua) = (addr.to_string(), user_agent(&headers));
    let (st2, email2) = (st.clone(), email.clone());
    let outcome = blocking(move || {
        let store = st2.engine.store.as_ref();
        let note = |action: &str, details: &str, result: &str| {
            let _ = store.write(&mut |tx| {
                crate::audit::record(
                    tx,
                    &AuditEntry {
                        actor: Actor {
                            name: &email2,
                            ip: &ip,
                            user_agent: &ua,
                        },
                        action,
                        target_type: "",
                        target_id: 0,
                        target_hint: "",
                        details,
                        result,
                    },
                )
            });
        };
        // Counted before the password is checked, so parallel guesses cannot overtake the
        // count; forgiven below when the password is right.
        let reservation = match Attempt::login(&email2, addr).reserve(store) {
            Ok(Ok(r)) => r,
            Ok(Err(refusal)) => {
                note("login.locked", refusal.limit.describe(), "denied");
                return Some(Outcome::Held(refusal));
            }
            Err(e) => {
                tracing::error!(error = %e, "login throttle unavailable");
                return None;
            }
        };
        match employees::authenticate(store, &email2, &password) {
            Ok(Some(u)) => {
                if let Err(e) = reservation.succeeded(store) {
                    tracing::warn!(error = %e, "could not forgive a successful login");
                }
                let token = session::create(store, u.id, &ip, &ua).ok()?;
                note("login.ok", "", "ok");
                Some(Outcome::In(token))
            }
            _ => {
                note("login.failed", "", "denied");
                Some(Outcome::Refused)
            }
        }
    })
    .await
    .flatten();
    match outcome {
        Some(Outcome::In(token)) => {
            // A new session id at every login; the pre-session token is spent.
            let mut r = redirect(&format!("{}/webservice", prefix(&st)));
            set_cookie(&mut r, &cookie_name(&st, session::COOKIE), &token, None);
            set_cookie(&mut r, &cookie_name(&st, session::PRE_COOKIE), "", Some(0));
            r
        }
        Some(Outcome::Refused) => login_page(
            &st,
            vec![("error", "Invalid e-mail or password.".into())],
            email,
            StatusCode::UNAUTHORIZED,
        ),
        Some(Outcome::Held(refusal)) => {
            let mut r = login_page(
                &st,
                vec![("error", refusal.message())],
                email,
                StatusCode::TOO_MANY_REQUESTS,
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(refusal.wait.max(1)));
            r
        }
        None => internal(),
    }
}

pub async fn logout(
    State(st): State<Arc<BackOffice>>,
    EmployeePost { form: _f, auth }: EmployeePost,
) -> Resp {
    let (st2, token) = (st.clone(), auth.token.clone());
    blocking(move || session::destroy(st2.engine.store.as_ref(), &token)).await;
    guard::audit(&st, &auth.actor(), "logout", "ok").await;
    let mut r = redirect(&format!("{}/", prefix(&st)));
    set_cookie(&mut r, &cookie_name(&st, session::COOKIE), "", Some(0));
    r
}
