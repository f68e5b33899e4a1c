//! "My sessions": an employee sees where they are logged in and ends the sessions they do
//! not recognise.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use super::guard::{self, EmployeePost, Page};
use super::pages::{AccountPage, SessionRow};
use super::session;
use super::web::*;
use super::BackOffice;

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
    let (st2, uid) = (st.clone(), auth.user.id);
    let Some(Ok(list)) = blocking(move || session::list(st2.engine.store.as_ref(), uid)).await
    else {
        return internal();
    };
    let flashes = match uri.query() {
        Some("done=revoked") => vec![("success", "The session has been ended.".to_string())],
        _ => Vec::new(),
    };
    let page = AccountPage {
        c: auth.chrome(&st, flashes),
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
    };
    html(StatusCode::OK, page.render())
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
