//! Association statements: one association's rows for a set of owners, or several
//! associations' rows in one statement.

use super::{push_marks, Dialect, Sql};
use crate::catalog::AssocStorage;
use crate::storage::plan::Context;
use crate::storage::Value;

fn symbol(v: &serde_json::Value, ctx: &Context) -> Value {
    ctx.symbol(v)
}

/// One association's rows for `owners`, ordered by owner then the association's own order.
pub fn assoc(d: &Dialect, a: &AssocStorage, owners: &[i64], ctx: &Context) -> Sql {
    let mut params = Vec::with_capacity(owners.len() + a.r#where.len());
    let mut out = String::with_capacity(160 + 24 * a.columns.0.len() + 2 * owners.len());
    let owner_alias = if a.via.is_some() { "v" } else { "t" };
    let push_owner = |out: &mut String| {
        out.push_str(owner_alias);
        out.push('.');
        d.push_ident(out, &a.owner);
    };
    out.push_str(if a.distinct {
        "SELECT DISTINCT "
    } else {
        "SELECT "
    });
    push_owner(&mut out);
    for (_, c) in &a.columns.0 {
        out.push_str(", t.");
        d.push_ident(&mut out, c);
    }
    from_owners(d, a, owners, ctx, &mut out, &mut params);
    out.push_str(" ORDER BY ");
    push_owner(&mut out);
    for c in &a.order {
        out.push_str(", t.");
        d.push_ident(&mut out, c);
    }
    Sql { text: out, params }
}

/// ` FROM table t [JOIN via v ON …] WHERE owner IN (…) AND +t.col = ?…`: the rows of one
/// association for a set of owners.
fn from_owners(
    d: &Dialect,
    a: &AssocStorage,
    owners: &[i64],
    ctx: &Context,
    out: &mut String,
    params: &mut Vec<Value>,
) {
    out.push_str(" FROM ");
    d.push_table(out, &a.table);
    out.push_str(" t");
    if let Some(via) = &a.via {
        out.push_str(" JOIN ");
        d.push_table(out, &via.table);
        out.push_str(" v ON v.");
        d.push_ident(out, &via.key);
        out.push_str(" = t.");
        d.push_ident(out, &via.key);
    }
    out.push_str(" WHERE ");
    out.push_str(if a.via.is_some() { "v." } else { "t." });
    d.push_ident(out, &a.owner);
    out.push_str(" IN (");
    push_marks(out, owners.len());
    out.push(')');
    if owners.is_empty() {
        params.push(Value::Null);
    }
    params.extend(owners.iter().map(|o| Value::Int(*o)));
    for (col, v) in &a.r#where {
        // Unary plus: filter on it, but let the owner index drive the lookup.
        out.push_str(" AND +t.");
        d.push_ident(out, col);
        out.push_str(" = ?");
        params.push(symbol(v, ctx));
    }
}

/// Where each association's columns sit in a [`assoc_union`] row: after the association's
/// index and the owner, every association has a block of its own (its extra sort columns,
/// then its values), NULL in the other associations' rows, so no column mixes types.
pub struct UnionLayout {
    /// Per association: where its values start and how many there are.
    pub values: Vec<(usize, usize)>,
    pub width: usize,
}

/// Several associations of the same owners in one statement (`(SELECT …) UNION ALL (SELECT …)
/// ORDER BY …`): one round trip instead of one per association, for a backend where a round
/// trip costs more than a statement. Rows come back ordered by association, owner, then the
/// association's own order.
pub fn assoc_union(
    d: &Dialect,
    assocs: &[&AssocStorage],
    owners: &[i64],
    ctx: &Context,
) -> (Sql, UnionLayout) {
    // Block layout first: 0 = association index, 1 = owner.
    let mut blocks = Vec::with_capacity(assocs.len());
    let mut next = 2;
    for a in assocs {
        let extra: Vec<&String> = a
            .order
            .iter()
            .filter(|c| !a.columns.0.iter().any(|(_, v)| v == *c))
            .collect();
        let start = next;
        next += extra.len() + a.columns.0.len();
        blocks.push((start, extra));
    }
    let width = next;
    let mut out = String::with_capacity(256 * assocs.len());
    let mut params = Vec::new();
    let mut sort: Vec<usize> = vec![1, 2];
    for (i, a) in assocs.iter().enumerate() {
        let (start, extra) = &blocks[i];
        let owner_alias = if a.via.is_some() { "v" } else { "t" };
        if i > 0 {
            out.push_str(" UNION ALL ");
        }
        out.push_str(if a.distinct {
            "(SELECT DISTINCT "
        } else {
            "(SELECT "
        });
        out.push_str(&i.to_string());
        out.push_str(", ");
        out.push_str(owner_alias);
        out.push('.');
        d.push_ident(&mut out, &a.owner);
        // This association's block; NULL everywhere else.
        let mut cells: Vec<Option<&str>> = vec![None; width - 2];
        let own = extra
            .iter()
            .map(|c| c.as_str())
            .chain(a.columns.0.iter().map(|(_, c)| c.as_str()));
        for (k, c) in own.enumerate() {
            cells[start - 2 + k] = Some(c);
        }
        for cell in cells {
            out.push_str(", ");
            match cell {
                Some(c) => {
                    out.push_str("t.");
                    d.push_ident(&mut out, c);
                }
                None => out.push_str("NULL"),
            }
        }
        // Sort positions (1-based) of this association's order columns.
        for c in &a.order {
            let pos = match a.columns.0.iter().position(|(_, v)| v == c) {
                Some(p) => start + extra.len() + p,
                None => start + extra.iter().position(|e| *e == c).unwrap_or(0),
            };
            if !sort.contains(&(pos + 1)) {
                sort.push(pos + 1);
            }
        }
        from_owners(d, a, owners, ctx, &mut out, &mut params);
        out.push(')');
    }
    out.push_str(" ORDER BY ");
    let positions: Vec<String> = sort.iter().map(|p| p.to_string()).collect();
    out.push_str(&positions.join(", "));
    let values = assocs
        .iter()
        .zip(&blocks)
        .map(|(a, (start, extra))| (start + extra.len(), a.columns.0.len()))
        .collect();
    (Sql { text: out, params }, UnionLayout { values, width })
}
