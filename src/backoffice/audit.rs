//! The audit log page: who did what, when, from where; never a secret.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;

use super::guard::Page;
use super::pages::{Audit, AuditRow};
use super::web::*;
use super::BackOffice;
use crate::storage::Select;

const SHOWN: usize = 500;

pub async fn page(
    State(st): State<Arc<BackOffice>>,
    RawQuery(raw): RawQuery,
    Page(auth): Page,
) -> Resp {
    let action = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let st2 = st.clone();
    let rows = blocking(move || {
        let mut rows = Vec::new();
        let _ = st2.engine.store.read(&mut |r| {
            rows = r.select(&Select {
                table: "shopws_audit",
                columns: &[
                    "at",
                    "actor_type",
                    "ip",
                    "action",
                    "target_type",
                    "target_id",
                    "target_hint",
                    "details",
                    "result",
                    "id",
                ],
                key: vec![],
                order: &["id"],
                ..Default::default()
            })?;
            Ok(())
        });
        rows
    })
    .await
    .unwrap_or_default();
    let entries = rows
        .into_iter()
        .rev()
        .filter(|r| action.is_empty() || r[3].to_text().starts_with(&action))
        .take(SHOWN)
        .map(|r| AuditRow {
            at: r[0].to_text(),
            actor: r[1].to_text(),
            ip: r[2].to_text(),
            action: r[3].to_text(),
            target: format!("{} {} {}", r[4].to_text(), r[5].to_text(), r[6].to_text())
                .trim()
                .to_string(),
            details_short: if r[7].to_text().chars().count() > 120 {
                r[7].to_text().chars().take(100).collect::<String>() + "…"
            } else {
                String::new()
            },
            details: r[7].to_text(),
            result: r[8].to_text(),
        })
        .collect();
    let page = Audit {
        c: auth.chrome(&st, Vec::new()),
        entries,
        action,
    };
    html(StatusCode::OK, page.render())
}
