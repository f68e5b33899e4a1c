//! The audit log page: who did what, when, from where; never a secret. Its CSV export, and
//! the retention setting's card.

use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, Response, StatusCode};

use super::guard::{Auth, Page};
use super::pages::{Audit, AuditRow, Flash};
use super::web::*;
use super::BackOffice;
use crate::storage::{Select, Value};

const SHOWN: usize = 500;
/// The export holds at most this many rows (the newest): it is built in memory, bounded.
pub const EXPORT_LIMIT: usize = 100_000;

const COLUMNS: &[&str] = &[
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
    "user_agent",
];

fn action_filter(raw: Option<&str>) -> String {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// The rows matching the filter, newest first, at most `limit`.
async fn matching(st: &Arc<BackOffice>, action: &str, limit: usize) -> Vec<Vec<Value>> {
    let st2 = st.clone();
    let rows = blocking(move || {
        let mut rows = Vec::new();
        let _ = st2.engine.store.read(&mut |r| {
            rows = r.select(&Select {
                table: "shopws_audit",
                columns: COLUMNS,
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
    rows.into_iter()
        .rev()
        .filter(|r| action.is_empty() || r[3].to_text().starts_with(action))
        .take(limit)
        .collect()
}

fn target(r: &[Value]) -> String {
    format!("{} {} {}", r[4].to_text(), r[5].to_text(), r[6].to_text())
        .trim()
        .to_string()
}

pub async fn page(
    State(st): State<Arc<BackOffice>>,
    RawQuery(raw): RawQuery,
    Page(auth): Page,
) -> Resp {
    let flashes = match raw.as_deref() {
        Some("done=retention") => vec![(
            "success",
            "The retention setting has been saved.".to_string(),
        )],
        _ => Vec::new(),
    };
    render(&st, &auth, raw.as_deref(), flashes, StatusCode::OK).await
}

pub async fn render(
    st: &Arc<BackOffice>,
    auth: &Auth,
    raw: Option<&str>,
    flashes: Vec<Flash>,
    status: StatusCode,
) -> Resp {
    let action = action_filter(raw);
    let rows = matching(st, &action, SHOWN).await;
    let entries = rows
        .into_iter()
        .map(|r| AuditRow {
            at: r[0].to_text(),
            actor: r[1].to_text(),
            ip: r[2].to_text(),
            action: r[3].to_text(),
            target: target(&r),
            details_short: if r[7].to_text().chars().count() > 120 {
                r[7].to_text().chars().take(100).collect::<String>() + "…"
            } else {
                String::new()
            },
            details: r[7].to_text(),
            result: r[8].to_text(),
        })
        .collect();
    let st2 = st.clone();
    let retention_days = blocking(move || crate::audit::retention_days(st2.engine.store.as_ref()))
        .await
        .and_then(Result::ok)
        .unwrap_or(crate::audit::DEFAULT_RETENTION_DAYS);
    let export_href = if action.is_empty() {
        format!("{}/audit.csv", prefix(st))
    } else {
        let q: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("action", &action)
            .finish();
        format!("{}/audit.csv?{q}", prefix(st))
    };
    let page = Audit {
        c: auth.chrome(st, flashes),
        entries,
        action,
        export_href,
        export_limit: EXPORT_LIMIT,
        retention_days,
        sudo_needed: !auth.session.sudo(),
    };
    html(status, page.render())
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
/// leading `'` (OWASP's CSV injection advice).
pub fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// `GET {prefix}/audit.csv`: the entries matching the page's filters, newest first, at most
/// [`EXPORT_LIMIT`]. Any employee may export (viewers included).
pub async fn export(
    State(st): State<Arc<BackOffice>>,
    RawQuery(raw): RawQuery,
    Page(auth): Page,
) -> Resp {
    let action = action_filter(raw.as_deref());
    let rows = matching(&st, &action, EXPORT_LIMIT).await;
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = [
        "id",
        "when_utc",
        "who",
        "from",
        "user_agent",
        "what",
        "target",
        "details",
        "result",
    ];
    if w.write_record(head).is_err() {
        return internal();
    }
    for r in &rows {
        let record = [
            r[9].to_text(),
            r[0].to_text(),
            r[1].to_text(),
            r[2].to_text(),
            r[10].to_text(),
            r[3].to_text(),
            target(r),
            r[7].to_text(),
            r[8].to_text(),
        ];
        if w.write_record(record.iter().map(|c| defuse(c))).is_err() {
            return internal();
        }
    }
    let Ok(body) = w.into_inner() else {
        return internal();
    };
    super::guard::audit_detail(
        &st,
        &auth.actor(),
        "audit.export",
        &format!(
            "{} rows{}",
            rows.len(),
            if action.is_empty() {
                String::new()
            } else {
                format!(", action {action}")
            }
        ),
        "ok",
    )
    .await;
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let name = format!(
        "attachment; filename=\"shopws-audit-{}.csv\"",
        crate::clock::now().replace([' ', ':'], "-")
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse(bad), format!("'{bad}"));
        }
        assert_eq!(defuse("key.create"), "key.create");
        assert_eq!(defuse(""), "");
    }
}
