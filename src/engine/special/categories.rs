//! Categories form a tree: `level_depth` follows the parent, and the nested set
//! (`nleft`/`nright`) is rebuilt after every change, as PrestaShop's regenerateEntireNtree.

use crate::catalog::Resource;
use crate::engine::behaviour::{Behaviour, Save};
use std::collections::{HashMap, HashSet};

use crate::engine::{ApiError, ApiResult};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::{int, Staged};

const ROOT: i64 = 1;

fn parent_of(tx: &mut dyn Tx, id: i64) -> StorageResult<Option<i64>> {
    Ok(tx
        .select(&Select {
            table: "category",
            columns: &["id_parent"],
            key: vec![("id_category", Value::Int(id))],
            order: &[],
            ..Default::default()
        })?
        .first()
        .map(|r| int(&r[0])))
}

fn refuse(message: &str) -> ApiError {
    ApiError::bad_request(85, format!("Validation error: \"{message}\""))
}

/// `level_depth` follows the parent. A parent must exist and must not be the category itself
/// or one of its descendants (PrestaShop answers 500 for the first and breaks its tree on the
/// second).
pub fn before_save(tx: &mut dyn Tx, st: &mut Staged) -> ApiResult<()> {
    let Some(parent) = st.get("id_parent").and_then(Value::as_i64) else {
        return Ok(());
    };
    if parent == 0 {
        st.set("level_depth", Value::Int(0));
        return Ok(());
    }
    if st.id > 0 && parent == st.id {
        return Err(refuse("A category cannot be its own parent."));
    }
    let rows = tx.select(&Select {
        table: "category",
        columns: &["level_depth"],
        key: vec![("id_category", Value::Int(parent))],
        order: &[],
        ..Default::default()
    })?;
    let Some(depth) = rows.first().map(|r| int(&r[0]) + 1) else {
        return Err(refuse(&format!(
            "The parent category {parent} does not exist."
        )));
    };
    if st.id > 0 {
        // Walk up from the new parent; meeting the category means a cycle.
        let mut seen = HashSet::new();
        let mut at = parent;
        while at != 0 && seen.insert(at) {
            if at == st.id {
                return Err(refuse(
                    "A category cannot be moved under one of its own descendants.",
                ));
            }
            at = parent_of(tx, at)?.unwrap_or(0);
        }
    }
    st.set("level_depth", Value::Int(depth));
    Ok(())
}

/// The root (1) and the shops' home categories are never deleted (PrestaShop refuses the
/// root; deleting a home category would leave a shop without a catalogue).
pub fn deletable(tx: &mut dyn Tx, id: i64) -> StorageResult<bool> {
    if id <= 0 || id == ROOT {
        return Ok(false);
    }
    let own = tx.select(&Select {
        table: "category",
        columns: &["is_root_category"],
        key: vec![("id_category", Value::Int(id))],
        order: &[],
        ..Default::default()
    })?;
    if own.first().is_some_and(|r| int(&r[0]) == 1) {
        return Ok(false);
    }
    let homes = tx.select(&Select {
        table: "shop",
        columns: &["id_shop"],
        key: vec![("id_category", Value::Int(id))],
        order: &[],
        ..Default::default()
    })?;
    Ok(homes.is_empty())
}

/// `id` and every category below it, parents first.
pub fn with_descendants(tx: &mut dyn Tx, id: i64) -> StorageResult<Vec<i64>> {
    let mut all = vec![id];
    let mut seen: HashSet<i64> = HashSet::from([id]);
    let mut i = 0;
    while i < all.len() {
        for r in tx.select(&Select {
            table: "category",
            columns: &["id_category"],
            key: vec![("id_parent", Value::Int(all[i]))],
            order: &[],
            ..Default::default()
        })? {
            let child = int(&r[0]);
            if seen.insert(child) {
                all.push(child);
            }
        }
        i += 1;
    }
    Ok(all)
}

/// Before a category goes: its descendants go with it (PrestaShop's Category::delete), and
/// products whose default category disappears are moved to the deleted category's parent
/// (PrestaShop leaves the id dangling; its back office moves them).
pub fn before_delete(tx: &mut dyn Tx, id: i64) -> StorageResult<()> {
    let parent = parent_of(tx, id)?.unwrap_or(0);
    clean_positions(tx, parent, id)?;
    let gone = with_descendants(tx, id)?;
    for c in &gone {
        let key = [("id_category", Value::Int(*c))];
        for p in tx.select(&Select {
            table: "product",
            columns: &["id_product"],
            key: vec![("id_category_default", Value::Int(*c))],
            order: &[],
            ..Default::default()
        })? {
            move_default(tx, int(&p[0]), parent)?;
        }
        for table in ["category_group", "category_product", "group_reduction"] {
            tx.delete(table, &key)?;
        }
        // The category itself is removed by the generic delete; its descendants here.
        if *c != id {
            for table in ["category", "category_lang", "category_shop"] {
                tx.delete(table, &key)?;
            }
        }
    }
    Ok(())
}

fn move_default(tx: &mut dyn Tx, product: i64, to: i64) -> StorageResult<()> {
    let key = [("id_product", Value::Int(product))];
    let set = [("id_category_default", Value::Int(to))];
    tx.update("product", &set, &key)?;
    tx.update("product_shop", &set, &key)?;
    if to <= 0 {
        return Ok(());
    }
    super::products::link_last(tx, to, product)
}

/// A new category goes last among its siblings (PrestaShop's getLastPosition: 0 for an only
/// child) and is visible to every customer group, as PrestaShop's add() grants them when the
/// webservice gives none. The last position is the largest among the parent's other children
/// (PrestaShop indexes categories by parent only, so that is a read of the siblings either
/// way), with the parent held ([`super::products::hold_category`]) so that two categories
/// created at once under one parent, on any node, get one position each.
pub fn after_create(tx: &mut dyn Tx, st: &Staged) -> StorageResult<()> {
    let parent = st.get("id_parent").map(int).unwrap_or(0);
    let key = [("id_category", Value::Int(st.id))];
    super::products::hold_category(tx, parent)?;
    let position = tx
        .select(&Select {
            table: "category",
            columns: &["id_category", "position"],
            key: vec![("id_parent", Value::Int(parent))],
            ..Default::default()
        })?
        .iter()
        .filter(|r| int(&r[0]) != st.id)
        .map(|r| int(&r[1]) + 1)
        .max()
        .unwrap_or(0)
        .max(0);
    let set = [("position", Value::Int(position))];
    tx.update("category", &set, &key)?;
    tx.update("category_shop", &set, &key)?;
    for g in tx.select(&Select {
        table: "group",
        columns: &["id_group"],
        key: vec![],
        order: &["id_group"],
        ..Default::default()
    })? {
        tx.insert_ignore(
            "category_group",
            &[
                ("id_category", Value::Int(st.id)),
                ("id_group", g[0].clone()),
            ],
        )?;
    }
    Ok(())
}

/// Renumbers the children of `parent` 0..n−1 in their current order (PrestaShop's
/// cleanPositions), leaving `without` out (a category about to be deleted).
pub fn clean_positions(tx: &mut dyn Tx, parent: i64, without: i64) -> StorageResult<()> {
    let mut rows: Vec<(i64, i64)> = tx
        .select(&Select {
            table: "category",
            columns: &["id_category", "position"],
            key: vec![("id_parent", Value::Int(parent))],
            order: &["position", "id_category"],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), int(&r[1])))
        .filter(|(id, _)| *id != without)
        .collect();
    rows.sort_by_key(|(id, pos)| (*pos, *id));
    for (n, (id, pos)) in rows.into_iter().enumerate() {
        if pos != n as i64 {
            let key = [("id_category", Value::Int(id))];
            let set = [("position", Value::Int(n as i64))];
            tx.update("category", &set, &key)?;
            tx.update("category_shop", &set, &key)?;
        }
    }
    Ok(())
}

/// Depth-first numbering of the whole tree, children by position then id.
pub fn rebuild_tree(tx: &mut dyn Tx) -> StorageResult<()> {
    let rows = tx.select(&Select {
        table: "category",
        columns: &["id_category", "id_parent"],
        key: vec![],
        order: &["id_parent", "position", "id_category"],
        ..Default::default()
    })?;
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in &rows {
        let (id, parent) = (r[0].as_i64().unwrap_or(0), r[1].as_i64().unwrap_or(0));
        if id != parent {
            children.entry(parent).or_default().push(id);
        }
    }
    let mut counter = 0i64;
    let mut bounds: Vec<(i64, i64, i64)> = Vec::with_capacity(rows.len());
    // Iterative walk: (id, children visited?)
    let mut stack: Vec<(i64, bool, i64)> = children
        .get(&0)
        .map(|c| c.iter().rev().map(|id| (*id, false, 0)).collect())
        .unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    while let Some((id, done, left)) = stack.pop() {
        counter += 1;
        if done {
            bounds.push((id, left, counter));
            continue;
        }
        if !seen.insert(id) {
            counter -= 1;
            continue;
        }
        stack.push((id, true, counter));
        if let Some(c) = children.get(&id) {
            for child in c.iter().rev() {
                stack.push((*child, false, 0));
            }
        }
    }
    for (id, l, r) in bounds {
        tx.update(
            "category",
            &[("nleft", Value::Int(l)), ("nright", Value::Int(r))],
            &[("id_category", Value::Int(id))],
        )?;
    }
    Ok(())
}

pub struct Categories;

impl Behaviour for Categories {
    fn before_save(&self, tx: &mut dyn Tx, _s: &Save, st: &mut Staged) -> ApiResult<()> {
        before_save(tx, st)
    }
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        if s.created {
            after_create(tx, st)?;
        } else if let Some(parent) = st.get("id_parent").and_then(Value::as_i64) {
            clean_positions(tx, parent, 0)?;
        }
        Ok(rebuild_tree(tx)?)
    }
    fn before_delete(&self, tx: &mut dyn Tx, _r: &Resource, id: i64) -> ApiResult<bool> {
        if !deletable(tx, id)? {
            return Ok(false);
        }
        before_delete(tx, id)?;
        Ok(true)
    }
    fn after_delete(&self, tx: &mut dyn Tx, _r: &Resource, _id: i64) -> ApiResult<()> {
        Ok(rebuild_tree(tx)?)
    }
}
