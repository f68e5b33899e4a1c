//! Categories' `nb_products_recursive` (PrestaShop's getWsNbProductsRecursive): the distinct
//! products linked to the category or to any active descendant in the shop — and -1, not 0,
//! when there are none, as PrestaShop answers.

use crate::engine::behaviour::Behaviour;
use crate::engine::params::Params;
use crate::engine::ApiResult;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::int;
use crate::catalog::Resource;
use crate::engine::render::{Cell, Entity, Projection};
use crate::engine::Ctx;
use crate::storage::{Reader, Select, StorageResult, Value};

const FIELD: &str = "nb_products_recursive";

pub fn fill(
    rd: &mut dyn Reader,
    r: &Resource,
    p: &Projection,
    ents: &mut [Entity],
    ctx: &Ctx,
) -> StorageResult<()> {
    let Some(k) = p.fields.iter().position(|&f| r.fields[f].name == FIELD) else {
        return Ok(());
    };
    if ents.is_empty() {
        return Ok(());
    }
    let in_shop: HashSet<i64> = rd
        .select(&Select {
            table: "category_shop",
            columns: &["id_category"],
            key: vec![("id_shop", Value::Int(ctx.db.shop))],
            order: &[],
            ..Default::default()
        })?
        .iter()
        .map(|row| int(&row[0]))
        .collect();
    // (id, nleft, nright, active) of the whole tree: small next to the products.
    let tree: Vec<(i64, i64, i64, bool)> = rd
        .select(&Select {
            table: "category",
            columns: &["id_category", "nleft", "nright", "active"],
            key: vec![],
            order: &["nleft"],
            ..Default::default()
        })?
        .iter()
        .map(|row| (int(&row[0]), int(&row[1]), int(&row[2]), int(&row[3]) == 1))
        .collect();
    let bounds: HashMap<i64, (i64, i64)> = tree.iter().map(|t| (t.0, (t.1, t.2))).collect();
    let mut products_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for ent in ents.iter_mut() {
        let (left, right) = bounds.get(&ent.id).copied().unwrap_or((0, 0));
        let categories = std::iter::once(ent.id).chain(
            tree.iter()
                .filter(|t| t.1 > left && t.2 < right && t.3 && in_shop.contains(&t.0))
                .map(|t| t.0),
        );
        let mut distinct: HashSet<i64> = HashSet::new();
        for c in categories {
            let ids = match products_of.entry(c) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => v.insert(
                    rd.select(&Select {
                        table: "category_product",
                        columns: &["id_product"],
                        key: vec![("id_category", Value::Int(c))],
                        order: &[],
                        ..Default::default()
                    })?
                    .iter()
                    .map(|row| int(&row[0]))
                    .collect(),
                ),
            };
            distinct.extend(ids.iter().copied());
        }
        let n = if distinct.is_empty() {
            -1
        } else {
            distinct.len() as i64
        };
        if let Some(cell) = ent.cells.get_mut(k) {
            *cell = Cell::One(Value::Int(n));
        }
    }
    Ok(())
}

pub struct ProductCounts;

impl Behaviour for ProductCounts {
    fn fill(
        &self,
        rd: &mut dyn Reader,
        r: &Resource,
        p: &Projection,
        ents: &mut [Entity],
        _params: &Params,
        ctx: &Ctx,
    ) -> ApiResult<()> {
        Ok(fill(rd, r, p, ents, ctx)?)
    }
}
