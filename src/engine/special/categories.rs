//! Categories form a tree: `level_depth` follows the parent, and the nested set
//! (`nleft`/`nright`) is rebuilt after every change, as PrestaShop's regenerateEntireNtree.

use std::collections::HashMap;

use crate::storage::{Select, StorageResult, Tx, Value};

use super::Staged;

pub fn before_save(tx: &mut dyn Tx, st: &mut Staged) -> StorageResult<()> {
    let Some(parent) = st.get("id_parent").and_then(Value::as_i64) else {
        return Ok(());
    };
    let rows = tx.select(&Select {
        table: "category",
        columns: &["level_depth"],
        key: vec![("id_category", Value::Int(parent))],
        order: &[],
    })?;
    let depth = rows
        .first()
        .and_then(|r| r[0].as_i64())
        .map(|d| d + 1)
        .unwrap_or(0);
    st.set("level_depth", Value::Int(depth));
    Ok(())
}

/// Depth-first numbering of the whole tree, children by position then id.
pub fn rebuild_tree(tx: &mut dyn Tx) -> StorageResult<()> {
    let rows = tx.select(&Select {
        table: "category",
        columns: &["id_category", "id_parent"],
        key: vec![],
        order: &["id_parent", "position", "id_category"],
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
