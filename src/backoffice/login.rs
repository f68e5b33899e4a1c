//! Logging in and out. The login form carries a pre-session token (login CSRF); attempts are
//! throttled per e-mail and address, per address and per e-mail ([`super::throttle`]).

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};

use super::guard::{self, EmployeePost};
use super::pages::{Chrome, Flash, Login, TotpCode, TotpCodes, TotpEnrol};
use super::session;
use super::throttle::{Attempt, Refusal, Reservation};
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
    /// The password was right; the second factor is awaited (`false`) or must be set up
    /// first (`true`). The pending login's cookie value.
    Second(String, bool),
    Refused,
    Held(Refusal),
}

/// Counts a login attempt before anything is checked, so that parallel guesses cannot
/// overtake the count: the reservation, or the lock-out (audited); `None` when the throttle
/// cannot be read.
fn reserve(
    store: &dyn crate::storage::Store,
    who: (&str, &str, &str),
    addr: std::net::IpAddr,
) -> Option<Result<Reservation, Refusal>> {
    match Attempt::login(who.0, addr).reserve(store) {
        Ok(Ok(r)) => Some(Ok(r)),
        Ok(Err(refusal)) => {
            note(
                store,
                who,
                "login.locked",
                refusal.limit.describe(),
                "denied",
            );
            Some(Err(refusal))
        }
        Err(e) => {
            tracing::error!(error = %e, "login throttle unavailable");
            None
        }
    }
}

/// An audit row about a login attempt (the actor is the e-mail typed).
fn note(
    store: &dyn crate::storage::Store,
    who: (&str, &str, &str),
    action: &str,
    details: &str,
    result: &str,
) {
    let _ = store.write(&mut |tx| {
        crate::audit::record(
            tx,
            &AuditEntry {
                actor: Actor {
                    name: who.0,
                    ip: who.1,
                    user_agent: who.2,
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
            note(store, (&email2, &ip, &ua), action, details, result)
        };
        // Counted before the password is checked, so parallel guesses cannot overtake the
        // count; forgiven below when the password is right.
        let reservation = match reserve(store, (&email2, &ip, &ua), addr)? {
            Ok(r) => r,
            Err(refusal) => return Some(Outcome::Held(refusal)),
        };
        match employees::authenticate(store, &email2, &password) {
            Ok(Some(u)) => {
                if let Err(e) = reservation.succeeded(store) {
                    tracing::warn!(error = %e, "could not forgive a successful login");
                }
                let second = employees::totp::state(store, u.id).ok()?;
                if second.enabled || second.required {
                    // No session yet: the code (or the enrolment) comes first.
                    let token = session::create_pending(store, u.id, &ip, &ua).ok()?;
                    note(
                        "login.password_ok",
                        if second.enabled {
                            "second factor asked"
                        } else {
                            "second factor required: enrolment"
                        },
                        "ok",
                    );
                    return Some(Outcome::Second(token, !second.enabled));
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
        Some(Outcome::Second(token, enrol)) => {
            let next = if enrol { "login/enrol" } else { "login/code" };
            let mut r = redirect(&format!("{}/{next}", prefix(&st)));
            set_cookie(
                &mut r,
                &cookie_name(&st, session::PENDING_COOKIE),
                &token,
                None,
            );
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

/// The pending login a form of the code step is posted for, checked like every form (same
/// origin, the pending login's own CSRF token); none: the login page again.
async fn pending_post(
    st: &Arc<BackOffice>,
    headers: &HeaderMap,
    f: &[(String, String)],
) -> Result<(String, session::Pending, employees::Employee), Resp> {
    let Some((token, p, user)) = pending(st, headers).await else {
        if !same_origin(st, headers) {
            return Err(forbidden_token());
        }
        return Err(start_again(st));
    };
    if !same_origin(st, headers) || !session::equal(field(f, "csrf"), &p.csrf) {
        return Err(forbidden_token());
    }
    Ok((token, p, user))
}

/// The pending login behind the cookie, with its employee.
async fn pending(
    st: &Arc<BackOffice>,
    headers: &HeaderMap,
) -> Option<(String, session::Pending, employees::Employee)> {
    let token = cookie(headers, &cookie_name(st, session::PENDING_COOKIE))?.to_string();
    let st = st.clone();
    blocking(move || {
        let store = st.engine.store.as_ref();
        let p = session::load_pending(store, &token).ok()??;
        let u = employees::get(store, p.user_id).ok()??;
        Some((token, p, u))
    })
    .await
    .flatten()
}

fn bare_chrome(st: &BackOffice, csrf: &str, flashes: Vec<Flash>) -> Chrome {
    Chrome {
        prefix: prefix(st).to_string(),
        user: String::new(),
        admin: false,
        csrf: csrf.to_string(),
        flashes,
    }
}

fn code_form(st: &BackOffice, csrf: &str, flashes: Vec<Flash>, status: StatusCode) -> Resp {
    html(
        status,
        TotpCode {
            c: bare_chrome(st, csrf, flashes),
        }
        .render(),
    )
}

/// Back to the password form: the pending login is gone or expired.
fn start_again(st: &BackOffice) -> Resp {
    let mut r = redirect(&format!("{}/", prefix(st)));
    set_cookie(
        &mut r,
        &cookie_name(st, session::PENDING_COOKIE),
        "",
        Some(0),
    );
    r
}

/// The second step of a login: the code form.
pub async fn code_page(State(st): State<Arc<BackOffice>>, headers: HeaderMap) -> Resp {
    let Some((_, p, user)) = pending(&st, &headers).await else {
        return start_again(&st);
    };
    let st2 = st.clone();
    let enabled = blocking(move || employees::totp::state(st2.engine.store.as_ref(), user.id))
        .await
        .and_then(Result::ok)
        .is_some_and(|s| s.enabled);
    if !enabled {
        // Required but not set up yet: enrolment first.
        return redirect(&format!("{}/login/enrol", prefix(&st)));
    }
    code_form(&st, &p.csrf, Vec::new(), StatusCode::OK)
}

enum Second {
    In(String),
    Wrong(&'static str),
    Held(Refusal),
}

/// Opens the session of a pending login whose second factor passed.
fn open_session(
    store: &dyn crate::storage::Store,
    pending_token: &str,
    uid: i64,
    ip: &str,
    ua: &str,
) -> Option<String> {
    let _ = session::destroy_pending(store, pending_token);
    session::create(store, uid, ip, ua).ok()
}

fn session_cookies(st: &BackOffice, r: &mut Resp, token: &str) {
    set_cookie(r, &cookie_name(st, session::COOKIE), token, None);
    set_cookie(r, &cookie_name(st, session::PENDING_COOKIE), "", Some(0));
}

fn held(st: &BackOffice, csrf: &str, refusal: Refusal) -> Resp {
    let mut r = code_form(
        st,
        csrf,
        vec![("error", refusal.message())],
        StatusCode::TOO_MANY_REQUESTS,
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(refusal.wait.max(1)));
    r
}

/// The code (or a recovery code) of a pending login. Wrong codes count as failed logins.
pub async fn code(
    State(st): State<Arc<BackOffice>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    let f = form(&body);
    let (token, p, user) = match pending_post(&st, &headers, &f).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let typed = field(&f, "code").to_string();
    let addr = client_addr(&st, &peer, &headers);
    let (ip, ua) = (addr.to_string(), user_agent(&headers));
    let st2 = st.clone();
    let outcome = blocking(move || {
        let store = st2.engine.store.as_ref();
        let who = (user.email.as_str(), ip.as_str(), ua.as_str());
        let reservation = match reserve(store, who, addr)? {
            Ok(r) => r,
            Err(refusal) => return Some(Second::Held(refusal)),
        };
        let check = employees::totp::check(store, &super::totp_seal(&st2), user.id, &typed).ok()?;
        match check {
            employees::totp::Check::Code | employees::totp::Check::Recovery(_) => {
                if let Err(e) = reservation.succeeded(store) {
                    tracing::warn!(error = %e, "could not forgive a successful login");
                }
                if let employees::totp::Check::Recovery(left) = check {
                    note(
                        store,
                        who,
                        "totp.recovery_used",
                        &format!("{left} recovery codes left"),
                        "ok",
                    );
                }
                let s = open_session(store, &token, user.id, &ip, &ua)?;
                let how = if check == employees::totp::Check::Code {
                    "second factor: authenticator code"
                } else {
                    "second factor: recovery code"
                };
                note(store, who, "login.ok", how, "ok");
                Some(Second::In(s))
            }
            employees::totp::Check::Replayed => {
                note(store, who, "totp.refused", "code already used", "denied");
                Some(Second::Wrong(
                    "This code was already used: wait for the next one.",
                ))
            }
            employees::totp::Check::Wrong => {
                note(store, who, "totp.refused", "wrong code", "denied");
                Some(Second::Wrong("The code is not correct."))
            }
        }
    })
    .await
    .flatten();
    match outcome {
        Some(Second::In(s)) => {
            let mut r = redirect(&format!("{}/webservice", prefix(&st)));
            session_cookies(&st, &mut r, &s);
            r
        }
        Some(Second::Wrong(msg)) => code_form(
            &st,
            &p.csrf,
            vec![("error", msg.to_string())],
            StatusCode::UNAUTHORIZED,
        ),
        Some(Second::Held(refusal)) => held(&st, &p.csrf, refusal),
        None => internal(),
    }
}

/// The enrolment page of an employee who must use a second factor and has none yet.
pub fn enrol_form(
    c: Chrome,
    action: String,
    secret: &[u8],
    email: &str,
    at_login: bool,
    status: StatusCode,
) -> Resp {
    let (uri, b32) = employees::totp::uri_and_base32(secret, email);
    let page = TotpEnrol {
        c,
        action,
        qr: employees::totp::qr_data_url(&uri).unwrap_or_default(),
        uri,
        secret: b32,
        at_login,
    };
    html(status, page.render())
}

async fn enrol_render(
    st: &Arc<BackOffice>,
    p: &session::Pending,
    user: &employees::Employee,
    flashes: Vec<Flash>,
    status: StatusCode,
) -> Resp {
    let (st2, uid) = (st.clone(), user.id);
    let secret = blocking(move || {
        employees::totp::start_enrolment(st2.engine.store.as_ref(), &super::totp_seal(&st2), uid)
    })
    .await;
    match secret {
        Some(Ok(Some(secret))) => enrol_form(
            bare_chrome(st, &p.csrf, flashes),
            format!("{}/login/enrol", prefix(st)),
            &secret,
            &user.email,
            true,
            status,
        ),
        // Enrolled already (another tab): the code is asked instead.
        Some(Ok(None)) => redirect(&format!("{}/login/code", prefix(st))),
        _ => internal(),
    }
}

pub async fn enrol_page(State(st): State<Arc<BackOffice>>, headers: HeaderMap) -> Resp {
    match pending(&st, &headers).await {
        Some((_, p, user)) => enrol_render(&st, &p, &user, Vec::new(), StatusCode::OK).await,
        None => start_again(&st),
    }
}

enum Enrolled {
    In(String, Vec<String>),
    Wrong,
    Held(Refusal),
}

/// The first code of an enrolment forced at login: the second factor is on, the session
/// opens, and the recovery codes are shown once.
pub async fn enrol(
    State(st): State<Arc<BackOffice>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    let f = form(&body);
    let (token, p, user) = match pending_post(&st, &headers, &f).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let typed = field(&f, "code").to_string();
    let addr = client_addr(&st, &peer, &headers);
    let (ip, ua) = (addr.to_string(), user_agent(&headers));
    let (st2, user2) = (st.clone(), user.clone());
    let outcome = blocking(move || {
        let store = st2.engine.store.as_ref();
        let user = user2;
        let who = (user.email.as_str(), ip.as_str(), ua.as_str());
        let reservation = match reserve(store, who, addr)? {
            Ok(r) => r,
            Err(refusal) => return Some(Enrolled::Held(refusal)),
        };
        match employees::totp::confirm(store, &super::totp_seal(&st2), user.id, &typed).ok()? {
            Some(codes) => {
                if let Err(e) = reservation.succeeded(store) {
                    tracing::warn!(error = %e, "could not forgive a successful login");
                }
                note(store, who, "totp.enrolled", "at login (required)", "ok");
                let s = open_session(store, &token, user.id, &ip, &ua)?;
                note(store, who, "login.ok", "second factor: enrolled", "ok");
                let csrf = session::load(store, &s).ok()??.csrf;
                Some(Enrolled::In(s + " " + &csrf, codes))
            }
            None => {
                note(
                    store,
                    who,
                    "totp.refused",
                    "wrong code at enrolment",
                    "denied",
                );
                Some(Enrolled::Wrong)
            }
        }
    })
    .await
    .flatten();
    match outcome {
        Some(Enrolled::In(s, codes)) => {
            let (token, csrf) = s.split_once(' ').unwrap_or((s.as_str(), ""));
            let page = TotpCodes {
                c: Chrome {
                    prefix: prefix(&st).to_string(),
                    user: user.email.clone(),
                    admin: user.is_admin(),
                    csrf: csrf.to_string(),
                    flashes: vec![("success", "Two-step verification is on.".to_string())],
                },
                codes,
                next: format!("{}/webservice", prefix(&st)),
            };
            let mut r = html(StatusCode::OK, page.render());
            session_cookies(&st, &mut r, token);
            r
        }
        Some(Enrolled::Wrong) => {
            enrol_render(
                &st,
                &p,
                &user,
                vec![("error", "The code is not correct.".to_string())],
                StatusCode::UNAUTHORIZED,
            )
            .await
        }
        Some(Enrolled::Held(refusal)) => held(&st, &p.csrf, refusal),
        None => internal(),
    }
}
