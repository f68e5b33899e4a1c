//! Keyed statements: the plain select, insert, update, delete, increment and upsert of the
//! `Reader` and `Tx` traits.

use super::{push_marks, Dialect, Kind, Sql};
use crate::storage::plan::Select;
use crate::storage::{Existing, StorageError, StorageResult, Value};

fn where_key(d: &Dialect, out: &mut String, key: &[(&str, Value)]) {
    if key.is_empty() {
        // Never write a whole table by accident.
        out.push_str(" WHERE 0");
        return;
    }
    for (i, (c, _)) in key.iter().enumerate() {
        out.push_str(if i == 0 { " WHERE " } else { " AND " });
        d.push_ident(out, c);
        out.push_str(" = ?");
    }
}

fn values_of<'a>(pairs: impl Iterator<Item = &'a (&'a str, Value)>) -> Vec<Value> {
    pairs.map(|(_, v)| v.clone()).collect()
}

/// `SELECT columns FROM table WHERE k = ? … AND n IS NULL … AND a IN (?, …) ORDER BY … LIMIT n`.
pub fn select(d: &Dialect, q: &Select) -> Sql {
    let mut out = String::from("SELECT ");
    for (i, c) in q.columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        d.push_ident(&mut out, c);
    }
    out.push_str(" FROM ");
    d.push_table(&mut out, q.table);
    let mut params = values_of(q.key.iter());
    let mut first = true;
    let mut and = |out: &mut String| {
        out.push_str(if first { " WHERE " } else { " AND " });
        first = false;
    };
    for (k, _) in &q.key {
        and(&mut out);
        d.push_ident(&mut out, k);
        out.push_str(" = ?");
    }
    for n in q.null {
        and(&mut out);
        d.push_ident(&mut out, n);
        out.push_str(" IS NULL");
    }
    for (col, vals) in q.any.iter().chain(&q.any_also) {
        and(&mut out);
        if vals.is_empty() {
            out.push('0');
        } else {
            d.push_ident(&mut out, col);
            out.push_str(" IN (");
            push_marks(&mut out, vals.len());
            out.push(')');
            params.extend(vals.iter().cloned());
        }
    }
    for (i, c) in q.order.iter().enumerate() {
        out.push_str(if i == 0 { " ORDER BY " } else { ", " });
        d.push_ident(&mut out, c);
    }
    if let Some(n) = q.limit {
        out.push_str(" LIMIT ?");
        params.push(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)));
    }
    Sql { text: out, params }
}

fn insert_text(d: &Dialect, verb: &str, table: &str, values: &[(&str, Value)]) -> String {
    let mut out = format!("{verb} INTO ");
    d.push_table(&mut out, table);
    if values.is_empty() {
        out.push_str(match d.kind {
            Kind::Sqlite => " DEFAULT VALUES",
            Kind::Mysql => " () VALUES ()",
        });
        return out;
    }
    out.push_str(" (");
    for (i, (c, _)) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        d.push_ident(&mut out, c);
    }
    out.push_str(") VALUES (");
    push_marks(&mut out, values.len());
    out.push(')');
    out
}

pub fn insert(d: &Dialect, table: &str, values: &[(&str, Value)]) -> Sql {
    Sql {
        text: insert_text(d, "INSERT", table, values),
        params: values_of(values.iter()),
    }
}

/// Rows per multi-row insert: few statements for a bulk load, well under every backend's
/// limit on bound values (SQLite's 32,766, MySQL's 65,535) for tables of a few columns.
pub const ROWS_PER_INSERT: usize = 256;

/// `INSERT INTO table (columns) VALUES (?,…),(?,…)…` for `rows` rows; the values are bound
/// row after row.
pub fn insert_rows(
    d: &Dialect,
    table: &str,
    columns: &[&str],
    rows: usize,
    existing: Existing,
) -> String {
    let verb = match (existing, d.kind) {
        (Existing::Keep, Kind::Sqlite) => "INSERT OR IGNORE INTO ",
        _ => "INSERT INTO ",
    };
    let mut out = String::from(verb);
    d.push_table(&mut out, table);
    out.push_str(" (");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        d.push_ident(&mut out, c);
    }
    out.push_str(") VALUES ");
    for r in 0..rows.max(1) {
        if r > 0 {
            out.push(',');
        }
        out.push('(');
        push_marks(&mut out, columns.len());
        out.push(')');
    }
    if let (Existing::Keep, Kind::Mysql, Some(first)) = (existing, d.kind, columns.first()) {
        // As insert_ignore: a no-op update, so that other errors still fail.
        out.push_str(" ON DUPLICATE KEY UPDATE ");
        d.push_ident(&mut out, first);
        out.push_str(" = ");
        d.push_ident(&mut out, first);
    }
    out
}

/// Inserts unless a row with the same key exists. MySQL's `INSERT IGNORE` would also turn
/// other errors (a bad value, a missing column) into warnings: a no-op update is used instead.
pub fn insert_ignore(d: &Dialect, table: &str, values: &[(&str, Value)]) -> Sql {
    let text = match (d.kind, values.first()) {
        (Kind::Sqlite, _) => insert_text(d, "INSERT OR IGNORE", table, values),
        (Kind::Mysql, None) => insert_text(d, "INSERT IGNORE", table, values),
        (Kind::Mysql, Some((first, _))) => {
            let mut t = insert_text(d, "INSERT", table, values);
            t.push_str(" ON DUPLICATE KEY UPDATE ");
            d.push_ident(&mut t, first);
            t.push_str(" = ");
            d.push_ident(&mut t, first);
            t
        }
    };
    Sql {
        text,
        params: values_of(values.iter()),
    }
}

/// `None` when there is nothing to set: no statement to run.
pub fn update(
    d: &Dialect,
    table: &str,
    set: &[(&str, Value)],
    key: &[(&str, Value)],
) -> Option<Sql> {
    if set.is_empty() {
        return None;
    }
    let mut out = String::from("UPDATE ");
    d.push_table(&mut out, table);
    out.push_str(" SET ");
    for (i, (c, _)) in set.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        d.push_ident(&mut out, c);
        out.push_str(" = ?");
    }
    where_key(d, &mut out, key);
    Some(Sql {
        text: out,
        params: values_of(set.iter().chain(key.iter())),
    })
}

pub fn delete(d: &Dialect, table: &str, key: &[(&str, Value)]) -> Sql {
    let mut out = String::from("DELETE FROM ");
    d.push_table(&mut out, table);
    where_key(d, &mut out, key);
    Sql {
        text: out,
        params: values_of(key.iter()),
    }
}

/// `UPDATE t SET c = c + ?, o = ? WHERE …`; `None` when there is nothing to change.
pub fn increment(
    d: &Dialect,
    table: &str,
    set: &[(&str, i64)],
    also: &[(&str, Value)],
    key: &[(&str, Value)],
) -> Option<Sql> {
    if set.is_empty() && also.is_empty() {
        return None;
    }
    let mut out = String::from("UPDATE ");
    d.push_table(&mut out, table);
    out.push_str(" SET ");
    let mut first = true;
    for (c, _) in set {
        if !first {
            out.push_str(", ");
        }
        first = false;
        d.push_ident(&mut out, c);
        out.push_str(" = ");
        d.push_ident(&mut out, c);
        out.push_str(" + ?");
    }
    for (c, _) in also {
        if !first {
            out.push_str(", ");
        }
        first = false;
        d.push_ident(&mut out, c);
        out.push_str(" = ?");
    }
    where_key(d, &mut out, key);
    let params = set
        .iter()
        .map(|(_, n)| Value::Int(*n))
        .chain(also.iter().chain(key.iter()).map(|(_, v)| v.clone()))
        .collect();
    Some(Sql { text: out, params })
}

/// `SELECT 1 FROM table WHERE key…`, locking the rows until the transaction ends (`FOR
/// UPDATE` on MySQL; SQLite's write transaction holds the whole database already).
pub fn lock_rows(d: &Dialect, table: &str, key: &[(&str, Value)]) -> Sql {
    let mut out = String::from("SELECT 1 FROM ");
    d.push_table(&mut out, table);
    where_key(d, &mut out, key);
    if d.kind == super::Kind::Mysql {
        out.push_str(" FOR UPDATE");
    }
    Sql {
        text: out,
        params: values_of(key.iter()),
    }
}

/// Insert `key` + `amounts`, or add `amounts` to the row with that key: SQLite's
/// `ON CONFLICT(key) DO UPDATE SET a = a + excluded.a`, MySQL's
/// `ON DUPLICATE KEY UPDATE a = a + VALUES(a)`. The database does the addition, so nodes
/// writing the same row at once add up. Refused without a key or amounts.
pub fn accumulate(
    d: &Dialect,
    table: &str,
    key: &[(&str, Value)],
    amounts: &[(&str, i64)],
) -> StorageResult<Sql> {
    if key.is_empty() || amounts.is_empty() {
        return Err(StorageError::Invalid(format!(
            "accumulate into {table} without a key or amounts"
        )));
    }
    let all: Vec<(&str, Value)> = key
        .iter()
        .cloned()
        .chain(amounts.iter().map(|(c, n)| (*c, Value::Int(*n))))
        .collect();
    let mut out = insert_text(d, "INSERT", table, &all);
    match d.kind {
        Kind::Sqlite => {
            out.push_str(" ON CONFLICT(");
            for (i, (c, _)) in key.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                d.push_ident(&mut out, c);
            }
            out.push_str(") DO UPDATE SET ");
        }
        Kind::Mysql => out.push_str(" ON DUPLICATE KEY UPDATE "),
    }
    for (i, (c, _)) in amounts.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        d.push_ident(&mut out, c);
        out.push_str(" = ");
        d.push_ident(&mut out, c);
        match d.kind {
            Kind::Sqlite => {
                out.push_str(" + excluded.");
                d.push_ident(&mut out, c);
            }
            Kind::Mysql => {
                out.push_str(" + VALUES(");
                d.push_ident(&mut out, c);
                out.push(')');
            }
        }
    }
    Ok(Sql {
        text: out,
        params: values_of(all.iter()),
    })
}

/// `DELETE FROM table WHERE k = ? … AND column < ?`: the rows matching `key` (every pair
/// equal; an empty key: every row) whose `column` is below `below`.
pub fn delete_below(
    d: &Dialect,
    table: &str,
    key: &[(&str, Value)],
    column: &str,
    below: Value,
) -> Sql {
    let mut out = String::from("DELETE FROM ");
    d.push_table(&mut out, table);
    for (i, (c, _)) in key.iter().enumerate() {
        out.push_str(if i == 0 { " WHERE " } else { " AND " });
        d.push_ident(&mut out, c);
        out.push_str(" = ?");
    }
    out.push_str(if key.is_empty() { " WHERE " } else { " AND " });
    d.push_ident(&mut out, column);
    out.push_str(" < ?");
    let mut params = values_of(key.iter());
    params.push(below);
    Sql { text: out, params }
}

/// Insert, or write `values` on the row with that key: SQLite's `ON CONFLICT(key) DO UPDATE`
/// (needs a unique index on exactly the key columns), MySQL's `ON DUPLICATE KEY UPDATE`
/// (fires on any unique key: callers name the only one a row could collide on).
/// Refused without a key: it would insert a duplicate instead of updating.
pub fn upsert(
    d: &Dialect,
    table: &str,
    key: &[(&str, Value)],
    values: &[(&str, Value)],
) -> StorageResult<Sql> {
    if key.is_empty() {
        return Err(StorageError::Invalid(format!(
            "upsert into {table} without a key"
        )));
    }
    let all: Vec<(&str, Value)> = key.iter().chain(values).cloned().collect();
    let mut out = insert_text(d, "INSERT", table, &all);
    match d.kind {
        Kind::Sqlite => {
            out.push_str(" ON CONFLICT(");
            for (i, (c, _)) in key.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                d.push_ident(&mut out, c);
            }
            out.push_str(") DO ");
            if values.is_empty() {
                out.push_str("NOTHING");
            } else {
                out.push_str("UPDATE SET ");
                for (i, (c, _)) in values.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    d.push_ident(&mut out, c);
                    out.push_str(" = excluded.");
                    d.push_ident(&mut out, c);
                }
            }
        }
        Kind::Mysql => {
            out.push_str(" ON DUPLICATE KEY UPDATE ");
            // With nothing to write, a no-op assignment of the first key column.
            let targets: Vec<&str> = if values.is_empty() {
                key.iter().take(1).map(|(c, _)| *c).collect()
            } else {
                values.iter().map(|(c, _)| *c).collect()
            };
            for (i, c) in targets.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                d.push_ident(&mut out, c);
                if values.is_empty() {
                    out.push_str(" = ");
                    d.push_ident(&mut out, c);
                } else {
                    out.push_str(" = VALUES(");
                    d.push_ident(&mut out, c);
                    out.push(')');
                }
            }
        }
    }
    Ok(Sql {
        text: out,
        params: values_of(all.iter()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_quote_and_prefix_the_same_statement() {
        let key = [("id", Value::Int(1))];
        let vals = [("n", Value::Int(2))];
        let lite = upsert(&Dialect::sqlite(), "t", &key, &vals).expect("key");
        assert_eq!(
            lite.text,
            r#"INSERT INTO "t" ("id","n") VALUES (?,?) ON CONFLICT("id") DO UPDATE SET "n" = excluded."n""#
        );
        let my = upsert(&Dialect::mysql("ps_"), "t", &key, &vals).expect("key");
        assert_eq!(
            my.text,
            "INSERT INTO `ps_t` (`id`,`n`) VALUES (?,?) ON DUPLICATE KEY UPDATE `n` = VALUES(`n`)"
        );
        assert_eq!(my.params.len(), 2);
        let ig = insert_ignore(&Dialect::mysql("ps_"), "t", &key);
        assert_eq!(
            ig.text,
            "INSERT INTO `ps_t` (`id`) VALUES (?) ON DUPLICATE KEY UPDATE `id` = `id`"
        );
        let del = delete(&Dialect::mysql(""), "t", &[]);
        assert_eq!(del.text, "DELETE FROM `t` WHERE 0");
    }

    #[test]
    fn accumulating_adds_to_the_stored_amounts() {
        let key = [("id", Value::Int(1)), ("hour", Value::Int(7))];
        let lite = accumulate(&Dialect::sqlite(), "t", &key, &[("n", 2), ("e", 1)]).expect("key");
        assert_eq!(
            lite.text,
            r#"INSERT INTO "t" ("id","hour","n","e") VALUES (?,?,?,?) ON CONFLICT("id", "hour") DO UPDATE SET "n" = "n" + excluded."n", "e" = "e" + excluded."e""#
        );
        let my = accumulate(&Dialect::mysql("ps_"), "t", &key, &[("n", 2)]).expect("key");
        assert_eq!(
            my.text,
            "INSERT INTO `ps_t` (`id`,`hour`,`n`) VALUES (?,?,?) ON DUPLICATE KEY UPDATE `n` = `n` + VALUES(`n`)"
        );
        assert_eq!(my.params.len(), 3);
        assert!(accumulate(&Dialect::sqlite(), "t", &[], &[("n", 1)]).is_err());
        assert!(accumulate(&Dialect::sqlite(), "t", &key, &[]).is_err());
        let old = delete_below(&Dialect::sqlite(), "t", &[], "hour", Value::Int(3));
        assert_eq!(old.text, r#"DELETE FROM "t" WHERE "hour" < ?"#);
        let some = delete_below(&Dialect::mysql(""), "t", &key[..1], "id", Value::Int(3));
        assert_eq!(some.text, "DELETE FROM `t` WHERE `id` = ? AND `id` < ?");
        assert_eq!(some.params.len(), 2);
    }

    #[test]
    fn simple_selects_take_nulls_lists_and_limits() {
        let q = Select {
            table: "configuration",
            columns: &["value"],
            key: vec![("name", Value::from("A"))],
            order: &["id_configuration"],
            null: &["id_shop"],
            any: Some(("id_lang", vec![Value::Int(1), Value::Int(2)])),
            any_also: None,
            limit: Some(1),
        };
        let s = select(&Dialect::mysql("ps_"), &q);
        assert_eq!(
            s.text,
            "SELECT `value` FROM `ps_configuration` WHERE `name` = ? AND `id_shop` IS NULL \
             AND `id_lang` IN (?,?) ORDER BY `id_configuration` LIMIT ?"
        );
        assert_eq!(s.params.len(), 4);
        let both = Select {
            any_also: Some(("id_shop", vec![Value::Int(3)])),
            ..q.clone()
        };
        let s = select(&Dialect::sqlite(), &both);
        assert!(
            s.text
                .contains(r#""id_lang" IN (?,?) AND "id_shop" IN (?) ORDER BY"#),
            "{}",
            s.text
        );
        assert_eq!(s.params.len(), 5);
        let none = Select {
            any_also: Some(("id_shop", vec![])),
            ..q.clone()
        };
        assert!(none.finds_nothing());
        let none = Select {
            any: Some(("id_lang", vec![])),
            ..q
        };
        assert!(select(&Dialect::sqlite(), &none)
            .text
            .contains(" AND 0 ORDER BY"));
    }

    #[test]
    fn identifiers_cannot_break_out_of_their_quotes() {
        assert_eq!(Dialect::mysql("").ident("a`b"), "`a``b`");
        assert_eq!(Dialect::sqlite().ident("a\"b"), "\"a\"\"b\"");
    }
}
