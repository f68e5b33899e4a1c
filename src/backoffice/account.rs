//! "My account": an employee sees where they are logged in and ends the sessions they do
//! not recognise, and sets up (or turns off) their second factor and its recovery codes.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use super::guard::{self, EmployeePost, Page};
use super::pages::{AccountPage, SessionRow, TotpCodes};
use super::session;
use super::web::*;
use super::BackOffice;
use crate::employees;

fn when(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

pub async fn page(
    State(st): State<Arc<BackOffice>>,
    uri: axum::http::Uri,
    Page(auth): Page,
) -> Resp {
    let flashes = match uri.query() {
        Some("done=revoked") => vec![("success", "The session has been ended.".to_string())],
        Some("done=totp-off") => vec![("success", "Two-step verification is off.".to_string())],
        _ => Vec::new(),
    };
    render(&st, &auth, flashes, StatusCode::OK).await
}

/// The password again (sudo mode) before a change of the second factor; refused: the
/// account page with the reason, 403.
async fn sudo_or_refuse(
    st: &Arc<BackOffice>,
    auth: &guard::Auth,
    f: &[(String, String)],
) -> Result<Option<String>, Resp> {
    match guard::sudo(st, auth, f).await {
        Ok(fresh) => Ok(fresh),
        Err(refusal) => Err(render(
            st,
            auth,
            vec![("error", refusal.message())],
            StatusCode::FORBIDDEN,
        )
        .await),
    }
}

/// The account page (sessions and second factor).
async fn render(
    st: &Arc<BackOffice>,
    auth: &guard::Auth,
    flashes: Vec<super::pages::Flash>,
    status: StatusCode,
) -> Resp {
    let (st2, uid) = (st.clone(), auth.user.id);
    let Some(Ok((list, second))) = blocking(move || {
        let store = st2.engine.store.as_ref();
        Ok::<_, crate::storage::StorageError>((
            session::list(store, uid)?,
            employees::totp::state(store, uid)?,
        ))
    })
    .await
    else {
        return internal();
    };
    let page = AccountPage {
        c: auth.chrome(st, flashes),
        role: auth.user.role.clone(),
        sessions: list
            .into_iter()
            .map(|s| SessionRow {
                current: s.digest == auth.session.digest,
                handle: s.digest,
                created: when(s.created_at),
                last_seen: when(s.last_seen_at),
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
        totp_enabled: second.enabled,
        totp_required: second.required,
        recovery_left: second.recovery_left,
        sudo_needed: !auth.session.sudo(),
    };
    html(status, page.render())
}

fn with_cookie(st: &BackOffice, mut r: Resp, fresh: Option<String>) -> Resp {
    if let Some(token) = fresh {
        set_cookie(&mut r, &cookie_name(st, session::COOKIE), &token, None);
    }
    r
}

fn codes_page(st: &BackOffice, auth: &guard::Auth, codes: Vec<String>, msg: &str) -> Resp {
    let page = TotpCodes {
        c: auth.chrome(st, vec![("success", msg.to_string())]),
        codes,
        next: format!("{}/account", prefix(st)),
    };
    html(StatusCode::OK, page.render())
}

/// Starts setting up the second factor (needs the password within the last ten minutes).
pub async fn totp_start(
    State(st): State<Arc<BackOffice>>,
    EmployeePost { form: f, auth }: EmployeePost,
) -> Resp {
    let fresh = match sudo_or_refuse(&st, &auth, &f).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let r = enrol_page(&st, &auth, Vec::new(), StatusCode::OK).await;
    with_cookie(&st, r, fresh)
}

async fn enrol_page(
    st: &Arc<BackOffice>,
    auth: &guard::Auth,
    flashes: Vec<super::pages::Flash>,
    status: StatusCode,
) -> Resp {
    let (st2, uid) = (st.clone(), auth.user.id);
    let secret = blocking(move || {
        employees::totp::start_enrolment(st2.engine.store.as_ref(), &super::totp_seal(&st2), uid)
    })
    .await;
    match secret {
        Some(Ok(Some(secret))) => super::login::enrol_form(
            auth.chrome(st, flashes),
            format!("{}/account/totp/confirm", prefix(st)),
            &secret,
            &auth.user.email,
            false,
            status,
        ),
        Some(Ok(None)) => redirect(&format!("{}/account", prefix(st))),
        _ => internal(),
    }
}

/// The first code of the authenticator app: the second factor is on; the recovery codes
/// are shown once.
pub async fn totp_confirm(
    State(st): State<Arc<BackOffice>>,
    EmployeePost { form: f, auth }: EmployeePost,
) -> Resp {
    let (st2, uid, code) = (st.clone(), auth.user.id, field(&f, "code").to_string());
    let done = blocking(move || {
        employees::totp::confirm(
            st2.engine.store.as_ref(),
            &super::totp_seal(&st2),
            uid,
            &code,
        )
    })
    .await;
    match done {
        Some(Ok(Some(codes))) => {
            guard::audit(&st, &auth.actor(), "totp.enrolled", "ok").await;
            codes_page(&st, &auth, codes, "Two-step verification is on.")
        }
        Some(Ok(None)) => {
            guard::audit_detail(
                &st,
                &auth.actor(),
                "totp.refused",
                "wrong code at enrolment",
                "denied",
            )
            .await;
            enrol_page(
                &st,
                &auth,
                vec![("error", "The code is not correct.".to_string())],
                StatusCode::UNAUTHORIZED,
            )
            .await
        }
        _ => internal(),
    }
}

/// Turns the second factor off (password again; not when an administrator requires it).
pub async fn totp_disable(
    State(st): State<Arc<BackOffice>>,
    EmployeePost { form: f, auth }: EmployeePost,
) -> Resp {
    let fresh = match sudo_or_refuse(&st, &auth, &f).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let (st2, uid) = (st.clone(), auth.user.id);
    let state = blocking(move || employees::totp::state(st2.engine.store.as_ref(), uid))
        .await
        .and_then(Result::ok)
        .unwrap_or_default();
    if state.required {
        let r = render(
            &st,
            &auth,
            vec![(
                "error",
                "An administrator requires two-step verification for your account.".to_string(),
            )],
            StatusCode::FORBIDDEN,
        )
        .await;
        return with_cookie(&st, r, fresh);
    }
    let (st2, uid) = (st.clone(), auth.user.id);
    let was = blocking(move || employees::totp::disable(st2.engine.store.as_ref(), uid))
        .await
        .and_then(Result::ok)
        .unwrap_or(false);
    if was {
        guard::audit(&st, &auth.actor(), "totp.disabled", "ok").await;
    }
    with_cookie(
        &st,
        redirect(&format!("{}/account?done=totp-off", prefix(&st))),
        fresh,
    )
}

/// New recovery codes (password again); the old ones stop working.
pub async fn totp_recovery(
    State(st): State<Arc<BackOffice>>,
    EmployeePost { form: f, auth }: EmployeePost,
) -> Resp {
    let fresh = match sudo_or_refuse(&st, &auth, &f).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let (st2, uid) = (st.clone(), auth.user.id);
    let codes = blocking(move || employees::totp::regenerate(st2.engine.store.as_ref(), uid)).await;
    let r = match codes {
        Some(Ok(Some(codes))) => {
            guard::audit(&st, &auth.actor(), "totp.recovery_regenerated", "ok").await;
            codes_page(
                &st,
                &auth,
                codes,
                "New recovery codes: the previous ones no longer work.",
            )
        }
        Some(Ok(None)) => redirect(&format!("{}/account", prefix(&st))),
        _ => internal(),
    };
    with_cookie(&st, r, fresh)
}

pub async fn revoke(
    State(st): State<Arc<BackOffice>>,
    EmployeePost { form: f, auth }: EmployeePost,
) -> Resp {
    let (st2, uid, handle) = (st.clone(), auth.user.id, field(&f, "session").to_string());
    let ended = blocking(move || session::revoke(st2.engine.store.as_ref(), uid, &handle))
        .await
        .and_then(Result::ok)
        .unwrap_or(false);
    guard::audit(
        &st,
        &auth.actor(),
        "session.revoke",
        if ended { "ok" } else { "denied" },
    )
    .await;
    redirect(&format!("{}/account?done=revoked", prefix(&st)))
}
