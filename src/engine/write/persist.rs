//! Staged values into rows: the main table, `_lang` rows for every language (and shop),
//! `_shop` rows, and association link tables; and the current values an update starts from.

use std::collections::HashMap;

use crate::catalog::{Resource, ShopScope, Storage};
use crate::engine::behaviour::Save;
use crate::engine::{ApiResult, Ctx, Engine};
use crate::storage::{Col, Cond, ListPlan, Op, Reader, Select, StorageError, Target, Tx, Value};

use super::staging::Staged;

/// Existing values of an entity: main columns and every language.
pub(super) struct Current {
    pub main: HashMap<String, Value>,
    pub langs: HashMap<String, HashMap<i64, String>>,
}

pub(super) fn load_current(
    rd: &mut dyn Reader,
    r: &Resource,
    id: i64,
    langs: &[i64],
    ctx: &Ctx,
) -> Result<Option<Current>, StorageError> {
    let mut plan = ListPlan::new(&r.table, &r.primary);
    let mains: Vec<&str> = r
        .fields
        .iter()
        .filter_map(|f| match &f.storage {
            Storage::Main(c) => Some(c.as_str()),
            _ => None,
        })
        .collect();
    plan.select = std::iter::once(r.primary.as_str())
        .chain(mains.iter().copied())
        .map(|c| Col::Main(c.to_string()))
        .collect();
    plan.conds.push(Cond {
        target: Target::Main(r.primary.clone()),
        op: Op::In(vec![id.to_string()]),
        text: false,
    });
    let mut row = None;
    rd.list(&plan, &ctx.db, &mut |_, v| {
        row = Some(v);
        Ok(())
    })?;
    let Some(row) = row else { return Ok(None) };
    let main = std::iter::once(r.primary.clone())
        .chain(mains.iter().map(|c| c.to_string()))
        .zip(row)
        .collect();
    let mut lang_vals: HashMap<String, HashMap<i64, String>> = HashMap::new();
    if let Some(lt) = &r.lang {
        let cols: Vec<&str> = r
            .fields
            .iter()
            .filter_map(|f| match &f.storage {
                Storage::Lang(c) => Some(c.as_str()),
                _ => None,
            })
            .collect();
        let mut select_cols = vec!["id_lang"];
        select_cols.extend(cols.iter().copied());
        let mut key = vec![(r.primary.as_str(), Value::Int(id))];
        if lt.has_id_shop {
            key.push(("id_shop", Value::Int(ctx.db.shop)));
        }
        let rows = rd.select(&Select {
            table: &lt.table,
            columns: &select_cols,
            key,
            order: &[],
            ..Default::default()
        })?;
        for row in rows {
            let lang = row[0].as_i64().unwrap_or(0);
            if !langs.contains(&lang) {
                continue;
            }
            for (i, c) in cols.iter().enumerate() {
                lang_vals
                    .entry(c.to_string())
                    .or_default()
                    .insert(lang, row[i + 1].to_text());
            }
        }
    }
    Ok(Some(Current {
        main,
        langs: lang_vals,
    }))
}

pub(super) fn write_row(
    tx: &mut dyn Tx,
    r: &Resource,
    st: &Staged,
    ctx: &Ctx,
    create: bool,
) -> Result<i64, StorageError> {
    let id = if create {
        let vals: Vec<(&str, Value)> = st
            .main
            .iter()
            .map(|(c, v)| (c.as_str(), v.clone()))
            .collect();
        tx.insert(&r.table, &vals)?
    } else {
        let vals: Vec<(&str, Value)> = st
            .main
            .iter()
            .map(|(c, v)| (c.as_str(), v.clone()))
            .collect();
        tx.update(&r.table, &vals, &[(r.primary.as_str(), Value::Int(st.id))])?;
        st.id
    };
    if let Some(lt) = &r.lang {
        let mut by_lang: HashMap<i64, Vec<(&str, Value)>> = HashMap::new();
        for (col, vals) in &st.langs {
            for (l, v) in vals {
                by_lang
                    .entry(*l)
                    .or_default()
                    .push((col.as_str(), Value::Text(v.clone())));
            }
        }
        let shops: Vec<i64> = if lt.has_id_shop {
            ctx.db.shops.clone()
        } else {
            vec![0]
        };
        for (l, cols) in by_lang {
            for shop in &shops {
                let mut key = vec![
                    (r.primary.as_str(), Value::Int(id)),
                    ("id_lang", Value::Int(l)),
                ];
                if lt.has_id_shop {
                    key.push(("id_shop", Value::Int(*shop)));
                }
                // Not an upsert: a request may change some of a language's columns only, and
                // an insert-or-update statement needs every NOT NULL column even when the row
                // exists (SQLite and MySQL check that first). Two writers of one object do not
                // interleave here: the object's own row, when the request changes it, is written
                // first in the transaction, which then holds it (the writer lock on SQLite, the
                // row lock on a server database).
                let n = if create {
                    0
                } else {
                    tx.update(&lt.table, &cols, &key)?
                };
                if n == 0 {
                    let mut all = key.clone();
                    all.extend(cols.iter().cloned());
                    tx.insert(&lt.table, &all)?;
                }
            }
        }
    }
    if let ShopScope::Linked(shop_table) = &r.shop {
        let copies: Vec<(&str, Value)> = r
            .fields
            .iter()
            .filter(|f| f.shop_copy)
            .filter_map(|f| match &f.storage {
                Storage::Main(c) => st.get(c).map(|v| (c.as_str(), v.clone())),
                _ => None,
            })
            .collect();
        for shop in &ctx.db.shops {
            let key = [
                (r.primary.as_str(), Value::Int(id)),
                ("id_shop", Value::Int(*shop)),
            ];
            let mut all: Vec<(&str, Value)> = key.to_vec();
            all.extend(copies.iter().cloned());
            tx.insert_ignore(shop_table, &all)?;
            // A new entity's id is new (ids are never given twice): the row just inserted
            // holds the values already. An existing entity may already have the row.
            if !create && !copies.is_empty() {
                tx.update(shop_table, &copies, &key)?;
            }
        }
    }
    Ok(id)
}

/// The associations the client sent: a behaviour's own writer where it has one, else the
/// link rows replaced.
pub(super) fn write_assocs(e: &Engine, tx: &mut dyn Tx, s: &Save, id: i64) -> ApiResult<()> {
    let (r, ent, ctx) = (s.resource, s.input, s.ctx);
    'assocs: for a in ent.associations.iter().flatten() {
        let Some(def) = r.association(&a.name) else {
            continue;
        };
        if !def.writable() {
            continue;
        }
        for b in e.behaviours.of(&r.api) {
            if let Some(done) = b.write_association(tx, s, id, &a.name, &a.items) {
                done?;
                continue 'assocs;
            }
        }
        let Some(st) = &def.storage else { continue };
        tx.delete(&st.table, &[(st.owner.as_str(), Value::Int(id))])?;
        for item in &a.items {
            let mut row: Vec<(&str, Value)> = vec![(st.owner.as_str(), Value::Int(id))];
            for (name, col) in &st.columns.0 {
                let v = item
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.trim().to_string());
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    row.push((
                        col.as_str(),
                        v.parse::<i64>().map(Value::Int).unwrap_or(Value::Text(v)),
                    ));
                }
            }
            if row.len() == 1 {
                continue;
            }
            for (col, v) in &st.constants {
                row.push((col.as_str(), ctx.db.symbol(v)));
            }
            tx.insert_ignore(&st.table, &row)?;
        }
    }
    Ok(())
}

pub(super) fn exists(tx: &mut dyn Tx, r: &Resource, id: i64) -> Result<bool, StorageError> {
    Ok(!tx
        .select(&Select {
            table: &r.table,
            columns: &[r.primary.as_str()],
            key: vec![(r.primary.as_str(), Value::Int(id))],
            order: &[],
            ..Default::default()
        })?
        .is_empty())
}

/// An entity's own rows: main, `_lang`, `_shop` and its association links.
pub(super) fn delete_rows(tx: &mut dyn Tx, r: &Resource, id: i64) -> Result<(), StorageError> {
    let key = [(r.primary.as_str(), Value::Int(id))];
    tx.delete(&r.table, &key)?;
    if let Some(lt) = &r.lang {
        tx.delete(&lt.table, &key)?;
    }
    if let ShopScope::Linked(t) = &r.shop {
        tx.delete(t, &key)?;
    }
    for a in r.associations.iter().filter(|a| a.writable()) {
        if let Some(st) = &a.storage {
            tx.delete(&st.table, &[(st.owner.as_str(), Value::Int(id))])?;
        }
    }
    Ok(())
}
