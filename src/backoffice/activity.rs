//! A key's API activity: requests and errors per hour over the last 24 hours and per day over
//! the last 7 (inline SVG drawn here, no script), the totals, and the latest requests. Read
//! from the database, so every node shows the same page.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use quick_xml::escape::escape;

use super::guard::Page;
use super::web::*;
use super::BackOffice;
use crate::accounts;
use crate::activity::{self, Activity, Counts};

/// The latest requests shown at most (the table keeps each key's latest N anyway).
const SHOWN: usize = 500;

pub struct Totals {
    pub requests: i64,
    pub errors: i64,
    /// Errors as a share of the requests, e.g. "4.2 %".
    pub error_rate: String,
    /// Mean time to the answer, e.g. "0.35 ms".
    pub mean: String,
    pub bytes: String,
}

pub struct RecentLine {
    pub at: String,
    pub method: String,
    pub path: String,
    pub status: i64,
    pub error: bool,
    pub duration: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "admin/activity.html")]
pub struct ActivityPage {
    pub c: super::pages::Chrome,
    pub id: i64,
    pub hint: String,
    pub description: String,
    pub day: Totals,
    pub week: Totals,
    /// The two charts, SVG made by [`chart`] (numbers and labels of our own only).
    pub hourly_svg: String,
    pub daily_svg: String,
    pub recent: Vec<RecentLine>,
    pub keep: usize,
    pub recording: bool,
    pub pending: usize,
    pub now: String,
}

pub async fn page(
    State(st): State<Arc<BackOffice>>,
    Path(id): Path<i64>,
    Page(auth): Page,
) -> Resp {
    let st2 = st.clone();
    let keep = st.activity.keep().max(1);
    let found = blocking(move || {
        let store = st2.engine.store.as_ref();
        let account = accounts::get(store, id).ok()?;
        let act = activity::read(store, id, keep.min(SHOWN)).unwrap_or_default();
        Some((account, act))
    })
    .await
    .flatten();
    let Some((account, act)) = found else {
        return plain(StatusCode::NOT_FOUND, "404 Not Found: no such key");
    };
    let now_hour = crate::clock::unix().div_euclid(3600);
    let hourly = hourly_bars(&act, now_hour);
    let daily = daily_bars(&act, now_hour);
    let sum = |bars: &[Bar]| {
        bars.iter().fold(Counts::default(), |mut t, b| {
            t.requests += b.counts.requests;
            t.errors += b.counts.errors;
            t.duration_us += b.counts.duration_us;
            t.bytes += b.counts.bytes;
            t
        })
    };
    let (day, week) = (sum(&hourly), sum(&daily));
    let page = ActivityPage {
        c: auth.chrome(&st, Vec::new()),
        id,
        hint: account.hint.clone(),
        description: account.description.clone(),
        hourly_svg: chart(
            "hourly",
            "Requests per hour, last 24 hours (UTC)",
            &hourly,
            &day,
            3,
        ),
        daily_svg: chart(
            "daily",
            "Requests per day, last 7 days (UTC)",
            &daily,
            &week,
            1,
        ),
        day: totals(&day),
        week: totals(&week),
        recent: act
            .recent
            .into_iter()
            .map(|r| RecentLine {
                error: r.status >= 400,
                at: r.at,
                method: r.method,
                path: r.path,
                status: r.status,
                duration: format!("{:.2} ms", r.duration_us as f64 / 1000.0),
                ip: r.ip,
            })
            .collect(),
        keep,
        recording: st.activity.is_on(),
        pending: st.activity.pending(),
        now: crate::clock::now(),
    };
    html(StatusCode::OK, page.render())
}

fn totals(c: &Counts) -> Totals {
    let rate = if c.requests > 0 {
        format!("{:.1} %", c.errors as f64 * 100.0 / c.requests as f64)
    } else {
        "–".into()
    };
    let mean = if c.requests > 0 {
        format!(
            "{:.2} ms",
            c.duration_us as f64 / c.requests as f64 / 1000.0
        )
    } else {
        "–".into()
    };
    Totals {
        requests: c.requests,
        errors: c.errors,
        error_rate: rate,
        mean,
        bytes: human_bytes(c.bytes),
    }
}

fn human_bytes(b: i64) -> String {
    let b = b.max(0) as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b} B")
    }
}

/// One bar of a chart: its label under the axis, its tooltip, what it counts.
pub struct Bar {
    pub label: String,
    pub title: String,
    pub counts: Counts,
}

fn counts_at(act: &Activity, from_hour: i64, to_hour: i64) -> Counts {
    act.hours
        .iter()
        .filter(|(h, _)| *h >= from_hour && *h < to_hour)
        .fold(Counts::default(), |mut t, (_, c)| {
            t.requests += c.requests;
            t.errors += c.errors;
            t.duration_us += c.duration_us;
            t.bytes += c.bytes;
            t
        })
}

/// The 24 hours ending with the current one.
fn hourly_bars(act: &Activity, now_hour: i64) -> Vec<Bar> {
    (now_hour - 23..=now_hour)
        .map(|h| {
            let c = counts_at(act, h, h + 1);
            let start = crate::clock::at_unix(h * 3600);
            Bar {
                label: start[11..13].to_string(),
                title: format!(
                    "{}–{:02}:00 UTC: {} requests, {} errors",
                    &start[..16],
                    (h + 1).rem_euclid(24),
                    c.requests,
                    c.errors
                ),
                counts: c,
            }
        })
        .collect()
}

/// The 7 UTC days ending with today.
fn daily_bars(act: &Activity, now_hour: i64) -> Vec<Bar> {
    let today = now_hour.div_euclid(24);
    (today - 6..=today)
        .map(|d| {
            let c = counts_at(act, d * 24, d * 24 + 24);
            let date = crate::clock::at_unix(d * 86_400);
            Bar {
                label: date[5..10].to_string(),
                title: format!(
                    "{} UTC: {} requests, {} errors",
                    &date[..10],
                    c.requests,
                    c.errors
                ),
                counts: c,
            }
        })
        .collect()
}

const W: f64 = 720.0;
const H: f64 = 200.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 24.0;

/// The smallest of 1, 2, 5 × 10ⁿ at or above `n` (the top of the axis).
fn nice_max(n: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= n.max(1) {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// A bar chart as inline SVG: each bar the requests (errors, from the bottom, in another
/// colour), a tooltip per bar, axis labels, and a title and description that screen readers
/// read (with the totals). A label every `label_every` bars, counted from the last.
pub fn chart(id: &str, title: &str, bars: &[Bar], total: &Counts, label_every: usize) -> String {
    use std::fmt::Write;
    let top = nice_max(bars.iter().map(|b| b.counts.requests).max().unwrap_or(0));
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / bars.len().max(1) as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let y = |v: i64| TOP + plot_h - plot_h * v as f64 / top as f64;
    let mut s = String::with_capacity(8 * 1024);
    let _ = write!(
        s,
        r#"<svg class="chart" id="chart-{id}" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-{id}-title chart-{id}-desc" data-requests="{}" data-errors="{}">"#,
        total.requests, total.errors
    );
    let _ = write!(
        s,
        r#"<title id="chart-{id}-title">{}</title><desc id="chart-{id}-desc">{} requests, {} errors in all.</desc>"#,
        escape(title),
        total.requests,
        total.errors
    );
    // Horizontal grid and the axis's numbers: 0, half, top.
    for v in [0, top / 2, top] {
        if v == top / 2 && top < 2 {
            continue;
        }
        let yy = y(v);
        let _ = write!(
            s,
            r#"<line class="grid-line" x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let c = &b.counts;
        let _ = write!(
            s,
            r#"<g class="bar" data-requests="{}" data-errors="{}"><title>{}</title>"#,
            c.requests,
            c.errors,
            escape(&b.title)
        );
        if c.requests > 0 {
            let yr = y(c.requests);
            let _ = write!(
                s,
                r#"<rect class="req" x="{x:.1}" y="{yr:.1}" width="{bar_w:.1}" height="{:.1}"/>"#,
                (TOP + plot_h - yr).max(1.0)
            );
        }
        if c.errors > 0 {
            let ye = y(c.errors);
            let _ = write!(
                s,
                r#"<rect class="err" x="{x:.1}" y="{ye:.1}" width="{bar_w:.1}" height="{:.1}"/>"#,
                (TOP + plot_h - ye).max(1.0)
            );
        }
        s.push_str("</g>");
        if (bars.len() - 1 - i) % label_every.max(1) == 0 {
            let _ = write!(
                s,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x + bar_w / 2.0,
                H - 6.0,
                escape(&b.label)
            );
        }
    }
    let _ = write!(
        s,
        r#"<line class="axis-line" x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/></svg>"#,
        TOP + plot_h,
        W - RIGHT,
        TOP + plot_h
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(500), 500);
        assert_eq!(nice_max(501), 1000);
    }

    #[test]
    fn bars_cover_the_last_hours_and_days() {
        let now_hour = 490_000;
        let act = Activity {
            hours: vec![
                (
                    now_hour - 30,
                    Counts {
                        requests: 7,
                        errors: 1,
                        ..Default::default()
                    },
                ),
                (
                    now_hour - 1,
                    Counts {
                        requests: 3,
                        errors: 2,
                        ..Default::default()
                    },
                ),
                (
                    now_hour,
                    Counts {
                        requests: 4,
                        ..Default::default()
                    },
                ),
            ],
            recent: Vec::new(),
        };
        let hourly = hourly_bars(&act, now_hour);
        assert_eq!(hourly.len(), 24);
        assert_eq!(hourly[23].counts.requests, 4);
        assert_eq!(hourly[22].counts.errors, 2);
        assert_eq!(hourly.iter().map(|b| b.counts.requests).sum::<i64>(), 7);
        let daily = daily_bars(&act, now_hour);
        assert_eq!(daily.len(), 7);
        assert_eq!(daily.iter().map(|b| b.counts.requests).sum::<i64>(), 14);
        let total = Counts {
            requests: 7,
            errors: 2,
            ..Default::default()
        };
        let svg = chart("t", "Requests <per hour>", &hourly, &total, 3);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Requests &lt;per hour&gt;"));
        assert!(svg.contains("7 requests, 2 errors in all."));
        assert_eq!(svg.matches(r#"<rect class="req""#).count(), 2);
        assert_eq!(svg.matches(r#"<rect class="err""#).count(), 1);
        assert!(!svg.contains("style="));
    }
}
