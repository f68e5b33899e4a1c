//! One MySQL connection (or transaction on it) seen through the storage traits.

use std::time::Instant;

use mysql::consts::ColumnType;
use mysql::prelude::Queryable;
use mysql::{Params, Row};

use crate::catalog::AssocStorage;
use crate::storage::plan::{Col, Cond, Context, ListPlan, Op, Select};
use crate::storage::search::SearchRead;
use crate::storage::sql::{self, Dialect, Sql};
use crate::storage::{AssocRows, Existing, Reader, StorageError, StorageResult, Tx, Value, Visit};

use super::map_err;

/// Rows fetched per statement of a list. A list's rows are read to the end before the
/// visitor runs (MySQL cannot run a statement on a connection whose result is still being
/// read), so this bounds the memory a long list holds at once.
const CHUNK: u64 = 1000;

/// Owners whose associations are asked for in one statement at most (see `assocs`): a
/// list's chunk of 256 owners included (its 1,000-product page measured 37 → 35 ms).
const UNION_OWNERS: usize = 300;

/// Statements slower than this are logged.
const SLOW: std::time::Duration = std::time::Duration::from_millis(500);

pub(super) struct My<'a, Q: Queryable> {
    pub q: &'a mut Q,
    pub d: &'a Dialect,
    /// Set when a statement failed on a deadlock or lock wait: the whole transaction may be
    /// run again.
    pub retry: bool,
    /// Set when the connection itself failed (server gone, network): it is not given back
    /// to the pool.
    pub broken: bool,
    /// Statements sent so far.
    pub statements: u32,
}

fn to_my(v: &Value) -> mysql::Value {
    match v {
        Value::Null => mysql::Value::NULL,
        Value::Int(i) => mysql::Value::Int(*i),
        Value::Real(f) => mysql::Value::Double(*f),
        Value::Text(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
    }
}

fn params(vals: &[Value]) -> Params {
    if vals.is_empty() {
        Params::Empty
    } else {
        Params::Positional(vals.iter().map(to_my).collect())
    }
}

/// A column value as the engine sees it: dates as PrestaShop prints them (the zero date
/// included), decimals as their text (already at the column's scale).
fn from_my(v: mysql::Value, kind: ColumnType) -> Value {
    match v {
        mysql::Value::NULL => Value::Null,
        mysql::Value::Int(i) => Value::Int(i),
        mysql::Value::UInt(u) => Value::Int(i64::try_from(u).unwrap_or(i64::MAX)),
        mysql::Value::Float(f) => Value::Real(f64::from(f)),
        mysql::Value::Double(f) => Value::Real(f),
        mysql::Value::Bytes(b) => Value::Text(match String::from_utf8(b) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }),
        mysql::Value::Date(y, mo, d, h, mi, s, _) => Value::Text(
            if matches!(
                kind,
                ColumnType::MYSQL_TYPE_DATE | ColumnType::MYSQL_TYPE_NEWDATE
            ) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            },
        ),
        mysql::Value::Time(neg, days, h, mi, s, _) => {
            let hours = u64::from(days) * 24 + u64::from(h);
            let sign = if neg { "-" } else { "" };
            Value::Text(format!("{sign}{hours:02}:{mi:02}:{s:02}"))
        }
    }
}

fn row_values(row: Row) -> Vec<Value> {
    let kinds: Vec<(ColumnType, u8)> = row
        .columns_ref()
        .iter()
        .map(|c| (c.column_type(), c.decimals()))
        .collect();
    row.unwrap()
        .into_iter()
        .zip(kinds)
        .map(|(v, (k, scale))| match from_my(v, k) {
            // A DECIMAL without decimals is an integer: what a UNION of an integer column
            // with NULLs reports (see `assocs`).
            Value::Text(t) if scale == 0 && is_decimal(k) => match t.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Text(t),
            },
            v => v,
        })
        .collect()
}

fn is_decimal(k: ColumnType) -> bool {
    matches!(
        k,
        ColumnType::MYSQL_TYPE_NEWDECIMAL | ColumnType::MYSQL_TYPE_DECIMAL
    )
}

impl<'a, Q: Queryable> My<'a, Q> {
    pub fn new(q: &'a mut Q, d: &'a Dialect) -> Self {
        My {
            q,
            d,
            retry: false,
            broken: false,
            statements: 0,
        }
    }

    fn failed(&mut self, e: mysql::Error) -> StorageError {
        match &e {
            // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
            mysql::Error::MySqlError(m) if m.code == 1213 || m.code == 1205 => self.retry = true,
            mysql::Error::IoError(_)
            | mysql::Error::DriverError(_)
            | mysql::Error::CodecError(_) => self.broken = true,
            _ => {}
        }
        map_err(e)
    }

    /// Runs a statement and returns every row.
    fn rows(&mut self, s: &Sql) -> StorageResult<Vec<Vec<Value>>> {
        tracing::trace!(target: "shopws::sql", "{}", s.text);
        self.statements += 1;
        let t = Instant::now();
        let got = (|| -> mysql::Result<Vec<Vec<Value>>> {
            let mut res = self.q.exec_iter(s.text.as_str(), params(&s.params))?;
            let mut out = Vec::new();
            if let Some(set) = res.iter() {
                for row in set {
                    out.push(row_values(row?));
                }
            }
            Ok(out)
        })();
        slow(&s.text, t);
        got.map_err(|e| self.failed(e))
    }

    /// Runs a write statement: (rows matched, new auto-increment id).
    fn exec(&mut self, s: &Sql) -> StorageResult<(u64, u64)> {
        tracing::trace!(target: "shopws::sql", "{}", s.text);
        self.statements += 1;
        let t = Instant::now();
        let got = (|| -> mysql::Result<(u64, u64, u16)> {
            let res = self.q.exec_iter(s.text.as_str(), params(&s.params))?;
            Ok((
                res.affected_rows(),
                res.last_insert_id().unwrap_or(0),
                res.warnings(),
            ))
        })();
        slow(&s.text, t);
        let (n, id, warnings) = got.map_err(|e| self.failed(e))?;
        if warnings > 0 {
            // Values are validated before they get here: a warning means MySQL changed one
            // (or filled a column a module added without a default).
            let said: Vec<(String, u32, String)> =
                self.q.query("SHOW WARNINGS").unwrap_or_default();
            let said: Vec<String> = said
                .into_iter()
                .map(|(_, code, m)| format!("{code}: {m}"))
                .collect();
            tracing::warn!(target: "shopws::sql", warnings = %said.join("; "), statement = %s.text, "MySQL adjusted a written value");
        }
        Ok((n, id))
    }
}

fn slow(text: &str, t: Instant) {
    let took = t.elapsed();
    if took > SLOW {
        tracing::warn!(target: "shopws::sql", ms = took.as_millis() as u64, statement = %text, "slow statement");
    }
}

impl<Q: Queryable> Reader for My<'_, Q> {
    /// Chunks of `CHUNK` rows. In the default order (by primary key) each chunk continues
    /// after the last key seen, so a long list costs one index seek per chunk, never an
    /// offset scan; in other orders chunks are offsets within the transaction's snapshot.
    fn list(&mut self, plan: &ListPlan, ctx: &Context, visit: &mut Visit) -> StorageResult<()> {
        let (mut offset, mut remaining) = plan.limit.unwrap_or((0, u64::MAX));
        let keyset = plan.order.is_empty();
        let mut chunk_plan = plan.clone();
        if keyset {
            chunk_plan.select.push(Col::Main(plan.primary.clone()));
        }
        let width = plan.select.len();
        let mut after: Option<i64> = None;
        while remaining > 0 {
            let n = remaining.min(CHUNK);
            chunk_plan.limit = Some((offset, n));
            if let (true, Some(last)) = (keyset, after) {
                chunk_plan.conds = plan.conds.clone();
                chunk_plan.conds.push(Cond {
                    target: crate::storage::plan::Target::Main(plan.primary.clone()),
                    op: Op::Gt(last.to_string()),
                    text: false,
                });
                chunk_plan.limit = Some((0, n));
            }
            let rows = self.rows(&sql::list(self.d, &chunk_plan, ctx))?;
            let got = rows.len() as u64;
            for mut row in rows {
                if keyset {
                    after = row.pop().and_then(|v| v.as_i64());
                    row.truncate(width);
                }
                visit(self, row)?;
            }
            if got < n {
                break;
            }
            remaining -= n;
            offset += n;
        }
        Ok(())
    }

    fn count(&mut self, plan: &ListPlan, ctx: &Context) -> StorageResult<u64> {
        let rows = self.rows(&sql::count(self.d, plan, ctx))?;
        Ok(rows
            .first()
            .and_then(|r| r.first())
            .and_then(|v| v.as_i64())
            .unwrap_or(0)
            .max(0) as u64)
    }

    fn assoc(
        &mut self,
        assoc: &AssocStorage,
        owners: &[i64],
        ctx: &Context,
    ) -> StorageResult<AssocRows> {
        let mut out = Vec::new();
        for chunk in owners.chunks(500) {
            for mut row in self.rows(&sql::assoc(self.d, assoc, chunk, ctx))? {
                if row.is_empty() {
                    continue;
                }
                let owner = row.remove(0).as_i64().unwrap_or(0);
                out.push((owner, row));
            }
        }
        Ok(out)
    }

    /// A round trip costs more than a statement here: a few owners' associations come in one
    /// statement. Many owners (a list's chunk) keep one indexed statement per association, which
    /// spares the database sorting their union.
    fn assocs(
        &mut self,
        assocs: &[&AssocStorage],
        owners: &[i64],
        ctx: &Context,
    ) -> StorageResult<Vec<AssocRows>> {
        if assocs.len() < 2 || owners.len() > UNION_OWNERS {
            return assocs.iter().map(|a| self.assoc(a, owners, ctx)).collect();
        }
        let (s, layout) = sql::assoc_union(self.d, assocs, owners, ctx);
        let mut out: Vec<AssocRows> = vec![Vec::new(); assocs.len()];
        for row in self.rows(&s)? {
            if row.len() != layout.width {
                continue;
            }
            let Some(i) = row[0].as_i64().and_then(|i| usize::try_from(i).ok()) else {
                continue;
            };
            let (Some(slot), Some(&(start, n))) = (out.get_mut(i), layout.values.get(i)) else {
                continue;
            };
            let owner = row[1].as_i64().unwrap_or(0);
            slot.push((owner, row[start..start + n].to_vec()));
        }
        Ok(out)
    }

    fn select(&mut self, q: &Select) -> StorageResult<Vec<Vec<Value>>> {
        if q.finds_nothing() {
            return Ok(Vec::new());
        }
        self.rows(&sql::select(self.d, q))
    }

    fn max(
        &mut self,
        table: &str,
        column: &str,
        key: &[(&str, Value)],
    ) -> StorageResult<Option<Value>> {
        let names: Vec<&str> = key.iter().map(|(k, _)| *k).collect();
        let s = Sql {
            text: sql::max(self.d, table, column, &names),
            params: key.iter().map(|(_, v)| v.clone()).collect(),
        };
        let rows = self.rows(&s)?;
        Ok(
            match rows.into_iter().next().and_then(|r| r.into_iter().next()) {
                None | Some(Value::Null) => None,
                Some(v) => Some(v),
            },
        )
    }

    fn search(&mut self, q: &SearchRead) -> StorageResult<Vec<Vec<Value>>> {
        self.rows(&sql::search(self.d, q))
    }
}

impl<Q: Queryable> Tx for My<'_, Q> {
    fn insert(&mut self, table: &str, values: &[(&str, Value)]) -> StorageResult<i64> {
        let (_, id) = self.exec(&sql::insert(self.d, table, values))?;
        Ok(i64::try_from(id).unwrap_or(i64::MAX))
    }

    fn insert_ignore(&mut self, table: &str, values: &[(&str, Value)]) -> StorageResult<()> {
        self.exec(&sql::insert_ignore(self.d, table, values))
            .map(|_| ())
    }

    fn update(
        &mut self,
        table: &str,
        set: &[(&str, Value)],
        key: &[(&str, Value)],
    ) -> StorageResult<u64> {
        match sql::update(self.d, table, set, key) {
            Some(s) => Ok(self.exec(&s)?.0),
            None => Ok(0),
        }
    }

    fn delete(&mut self, table: &str, key: &[(&str, Value)]) -> StorageResult<u64> {
        Ok(self.exec(&sql::delete(self.d, table, key))?.0)
    }

    fn increment(
        &mut self,
        table: &str,
        set: &[(&str, i64)],
        also: &[(&str, Value)],
        key: &[(&str, Value)],
    ) -> StorageResult<u64> {
        match sql::increment(self.d, table, set, also, key) {
            Some(s) => Ok(self.exec(&s)?.0),
            None => Ok(0),
        }
    }

    fn lock_rows(&mut self, table: &str, key: &[(&str, Value)]) -> StorageResult<bool> {
        Ok(!self.rows(&sql::lock_rows(self.d, table, key))?.is_empty())
    }

    fn upsert(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        values: &[(&str, Value)],
    ) -> StorageResult<()> {
        let s = sql::upsert(self.d, table, key, values)?;
        self.exec(&s).map(|_| ())
    }

    fn accumulate(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        amounts: &[(&str, i64)],
    ) -> StorageResult<()> {
        let s = sql::accumulate(self.d, table, key, amounts)?;
        self.exec(&s).map(|_| ())
    }

    fn delete_below(
        &mut self,
        table: &str,
        key: &[(&str, Value)],
        column: &str,
        below: Value,
    ) -> StorageResult<u64> {
        Ok(self
            .exec(&sql::delete_below(self.d, table, key, column, below))?
            .0)
    }

    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
        existing: Existing,
    ) -> StorageResult<()> {
        for chunk in rows.chunks(sql::ROWS_PER_INSERT) {
            let s = Sql {
                text: sql::insert_rows(self.d, table, columns, chunk.len(), existing),
                params: chunk.iter().flatten().cloned().collect(),
            };
            self.exec(&s)?;
        }
        Ok(())
    }
}
