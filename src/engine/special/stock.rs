//! Stock rows (`stock_available`) kept the way PrestaShop keeps them (business rules §3.1):
//! a combination gets its own row when it is created, and the product-level row of a product
//! with combinations is the sum of its combinations' rows in the same shop (or shared shop
//! group) after every change of one of them.

use crate::catalog::Resource;
use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::ApiResult;
use crate::storage::{Select, StorageResult, Tx, Value};

use super::{int, Staged};
use crate::engine::Ctx;

const TABLE: &str = "stock_available";

/// Sets the product-level row of `product` in (shop, group) to the sum of its combination
/// rows there (available and reserved quantities; physical = available + reserved). The
/// product's row is taken first: on a server database that row lock makes a writer of another combination of the product wait, then sum with this
/// transaction's change committed, instead of both summing without the other's change and
/// the last one writing a stale total. (SQLite's single writer already runs them one after
/// the other.)
pub fn recompute(tx: &mut dyn Tx, product: i64, shop: i64, group: i64) -> StorageResult<()> {
    let own = [
        ("id_product", Value::Int(product)),
        ("id_product_attribute", Value::Int(0)),
        ("id_shop", Value::Int(shop)),
        ("id_shop_group", Value::Int(group)),
    ];
    tx.lock_rows(TABLE, &own)?;
    let rows = tx.select(&Select {
        table: TABLE,
        columns: &["id_product_attribute", "quantity", "reserved_quantity"],
        key: vec![
            ("id_product", Value::Int(product)),
            ("id_shop", Value::Int(shop)),
            ("id_shop_group", Value::Int(group)),
        ],
        order: &[],
        ..Default::default()
    })?;
    let combinations: Vec<&Vec<Value>> = rows.iter().filter(|r| int(&r[0]) != 0).collect();
    if combinations.is_empty() {
        // The last combination deleted: nothing is left to sum.
        tx.update(TABLE, &[("quantity", Value::Int(0))], &own)?;
        return Ok(());
    }
    let sum = |i: usize| {
        combinations
            .iter()
            .map(|r| int(&r[i]))
            .fold(0i64, i64::saturating_add)
    };
    tx.update(
        TABLE,
        &[
            ("quantity", Value::Int(sum(1))),
            // Available + reserved, as on every row (§3.4): the sum of the combinations'
            // physical quantities where those are up to date.
            (
                "physical_quantity",
                Value::Int(sum(1).saturating_add(sum(2))),
            ),
            ("reserved_quantity", Value::Int(sum(2))),
        ],
        &own,
    )?;
    Ok(())
}

/// After a PUT/PATCH of a stock row: its physical quantity follows (available + reserved,
/// §3.4), and a combination's row moves its product's row.
pub fn after_update(tx: &mut dyn Tx, st: &Staged) -> StorageResult<()> {
    let row = tx.select(&Select {
        table: TABLE,
        columns: &[
            "id_product",
            "id_product_attribute",
            "id_shop",
            "id_shop_group",
            "quantity",
            "reserved_quantity",
        ],
        key: vec![("id_stock_available", Value::Int(st.id))],
        order: &[],
        ..Default::default()
    })?;
    if let Some(r) = row.first() {
        // The row is this transaction's (just written): physical = available + reserved.
        tx.update(
            TABLE,
            &[(
                "physical_quantity",
                Value::Int(int(&r[4]).saturating_add(int(&r[5]))),
            )],
            &[("id_stock_available", Value::Int(st.id))],
        )?;
        if int(&r[1]) != 0 {
            recompute(tx, int(&r[0]), int(&r[2]), int(&r[3]))?;
        }
    }
    Ok(())
}

/// A new combination gets a row with quantity 0 beside each of its product's rows (same shop
/// or shared group, same `out_of_stock`); the product's rows are unchanged, the new row
/// holding nothing.
pub fn after_combination_created(tx: &mut dyn Tx, st: &Staged, ctx: &Ctx) -> StorageResult<()> {
    let product = st.get("id_product").map(int).unwrap_or(0);
    if product <= 0 {
        return Ok(());
    }
    let mut places: Vec<(i64, i64, i64)> = tx
        .select(&Select {
            table: TABLE,
            columns: &["id_shop", "id_shop_group", "out_of_stock"],
            key: vec![
                ("id_product", Value::Int(product)),
                ("id_product_attribute", Value::Int(0)),
            ],
            order: &[],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), int(&r[1]), int(&r[2])))
        .collect();
    if places.is_empty() {
        places = ctx.db.shops.iter().map(|s| (*s, 0, 2)).collect();
    }
    for (shop, group, out_of_stock) in places {
        tx.insert_ignore(
            TABLE,
            &[
                ("id_product", Value::Int(product)),
                ("id_product_attribute", Value::Int(st.id)),
                ("id_shop", Value::Int(shop)),
                ("id_shop_group", Value::Int(group)),
                ("quantity", Value::Int(0)),
                ("out_of_stock", Value::Int(out_of_stock)),
            ],
        )?;
    }
    Ok(())
}

/// A deleted combination takes its rows with it, and its product's rows are recomputed.
pub fn after_combination_deleted(tx: &mut dyn Tx, combination: i64) -> StorageResult<()> {
    let rows = tx.select(&Select {
        table: TABLE,
        columns: &["id_product", "id_shop", "id_shop_group"],
        key: vec![("id_product_attribute", Value::Int(combination))],
        order: &[],
        ..Default::default()
    })?;
    tx.delete(TABLE, &[("id_product_attribute", Value::Int(combination))])?;
    for r in rows {
        recompute(tx, int(&r[0]), int(&r[1]), int(&r[2]))?;
    }
    Ok(())
}

/// Combinations keep their stock rows.
pub struct Combinations;

impl Behaviour for Combinations {
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        if s.created {
            after_combination_created(tx, st, s.ctx)?;
        }
        Ok(())
    }
    fn after_delete(&self, tx: &mut dyn Tx, _r: &Resource, id: i64) -> ApiResult<()> {
        Ok(after_combination_deleted(tx, id)?)
    }
}

/// `stock_availables`: a combination's row moves its product's row.
pub struct StockRows;

impl Behaviour for StockRows {
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        if !s.created {
            after_update(tx, st)?;
        }
        Ok(())
    }
}
