//! The activity tables: `shopws_api_activity` (counts per key and hour, added to by every
//! node) and `shopws_api_recent` (each key's latest requests), kept rolling.

use super::{Counts, Pending};
use crate::storage::{Existing, Select, StorageResult, Store, Tx, Value};

const HOURLY: &str = "shopws_api_activity";
const RECENT: &str = "shopws_api_recent";
const KEY: &str = "id_webservice_account";

/// Hourly rows are kept this long: 8 days, one more than the page's longest chart.
pub const RETENTION_HOURS: i64 = 8 * 24;

/// One transaction: the counts added, the requests appended, then the pruning. Keys deleted
/// meanwhile are skipped. Returns the requests counted.
pub(super) fn write(
    store: &dyn Store,
    batch: &Pending,
    keep: usize,
    now_hour: i64,
) -> StorageResult<i64> {
    // The same order on every node: rows are locked in one order, never in a cycle.
    let mut buckets: Vec<(&(i64, i64), &Counts)> = batch.buckets.iter().collect();
    buckets.sort_by_key(|(k, _)| **k);
    let mut keys: Vec<i64> = batch
        .buckets
        .keys()
        .map(|(k, _)| *k)
        .chain(batch.recent.keys().copied())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut written = 0;
    store.write(&mut |tx| {
        written = 0;
        let mut live = Vec::with_capacity(keys.len());
        for &k in &keys {
            let found = tx.select(&Select {
                table: "webservice_account",
                columns: &[KEY],
                key: vec![(KEY, Value::Int(k))],
                limit: Some(1),
                ..Default::default()
            })?;
            if !found.is_empty() {
                live.push(k);
            }
        }
        for ((k, hour), c) in &buckets {
            if live.binary_search(k).is_err() {
                continue;
            }
            tx.accumulate(
                HOURLY,
                &[(KEY, Value::Int(*k)), ("hour", Value::Int(*hour))],
                &[
                    ("requests", c.requests),
                    ("errors", c.errors),
                    ("duration_us", c.duration_us),
                    ("bytes", c.bytes),
                ],
            )?;
            written += c.requests;
        }
        let mut rows = Vec::new();
        let mut appended = Vec::new();
        for &k in &live {
            let Some(list) = batch.recent.get(&k) else {
                continue;
            };
            appended.push(k);
            for r in list {
                rows.push(vec![
                    Value::Int(k),
                    Value::from(crate::clock::at_unix(r.at)),
                    Value::from(r.method),
                    Value::from(clean_raw(&r.raw_path)),
                    Value::Int(i64::from(r.status)),
                    Value::Int(r.duration_us),
                    Value::from(r.ip.map(|i| i.to_string()).unwrap_or_default()),
                ]);
            }
        }
        if !rows.is_empty() {
            tx.insert_rows(
                RECENT,
                &[KEY, "at", "method", "path", "status", "duration_us", "ip"],
                &rows,
                Existing::Fail,
            )?;
        }
        prune(tx, &appended, keep, now_hour)
    })?;
    Ok(written)
}

/// A path as sent (`/api/…?…`), without the key.
fn clean_raw(raw: &str) -> String {
    match raw.split_once('?') {
        Some((path, query)) => super::clean_path(path, Some(query)),
        None => super::clean_path(raw, None),
    }
}

/// Hourly rows past the retention, and the requests of `keys` beyond the latest `keep`.
fn prune(tx: &mut dyn Tx, keys: &[i64], keep: usize, now_hour: i64) -> StorageResult<()> {
    tx.delete_below(HOURLY, &[], "hour", Value::Int(now_hour - RETENTION_HOURS))?;
    for &k in keys {
        let ids = tx.select(&Select {
            table: RECENT,
            columns: &["id"],
            key: vec![(KEY, Value::Int(k))],
            order: &["id"],
            ..Default::default()
        })?;
        if ids.len() > keep {
            match ids.get(ids.len() - keep) {
                Some(first_kept) => {
                    tx.delete_below(RECENT, &[(KEY, Value::Int(k))], "id", first_kept[0].clone())?;
                }
                None => {
                    tx.delete(RECENT, &[(KEY, Value::Int(k))])?;
                }
            }
        }
    }
    Ok(())
}

/// A key's activity rows go with the key (inside the transaction that deletes it).
pub fn forget(tx: &mut dyn Tx, key_id: i64) -> StorageResult<()> {
    tx.delete(HOURLY, &[(KEY, Value::Int(key_id))])?;
    tx.delete(RECENT, &[(KEY, Value::Int(key_id))])?;
    Ok(())
}

/// One request as stored.
#[derive(Debug, Clone)]
pub struct RecentRow {
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub method: String,
    pub path: String,
    pub status: i64,
    pub duration_us: i64,
    pub ip: String,
}

/// What the database holds about one key's activity.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// (hour, counts) for every hour with requests, oldest first; `hour` is Unix seconds /
    /// 3600.
    pub hours: Vec<(i64, Counts)>,
    /// The latest requests, newest first (at most `keep`).
    pub recent: Vec<RecentRow>,
}

/// A key's stored activity (what every node wrote), its latest `keep` requests.
pub fn read(store: &dyn Store, key_id: i64, keep: usize) -> StorageResult<Activity> {
    let mut out = Activity::default();
    store.read(&mut |r| {
        let hours = r.select(&Select {
            table: HOURLY,
            columns: &["hour", "requests", "errors", "duration_us", "bytes"],
            key: vec![(KEY, Value::Int(key_id))],
            order: &["hour"],
            ..Default::default()
        })?;
        let int = |v: &Value| v.as_i64().unwrap_or(0);
        out.hours = hours
            .iter()
            .map(|h| {
                (
                    int(&h[0]),
                    Counts {
                        requests: int(&h[1]),
                        errors: int(&h[2]),
                        duration_us: int(&h[3]),
                        bytes: int(&h[4]),
                    },
                )
            })
            .collect();
        let recent = r.select(&Select {
            table: RECENT,
            columns: &["at", "method", "path", "status", "duration_us", "ip", "id"],
            key: vec![(KEY, Value::Int(key_id))],
            order: &["id"],
            ..Default::default()
        })?;
        out.recent = recent
            .iter()
            .rev()
            .take(keep)
            .map(|r| RecentRow {
                at: r[0].to_text(),
                method: r[1].to_text(),
                path: r[2].to_text(),
                status: int(&r[3]),
                duration_us: int(&r[4]),
                ip: r[5].to_text(),
            })
            .collect();
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_as_sent_are_written_without_the_key() {
        assert_eq!(
            super::clean_raw("/api/taxes/1?ws_key=SECRET&output_format=JSON"),
            "/api/taxes/1?output_format=JSON"
        );
        assert_eq!(super::clean_raw("/api/taxes&ws_key=SECRET"), "/api/taxes");
        assert_eq!(super::clean_raw("/api/taxes/1"), "/api/taxes/1");
    }
}
