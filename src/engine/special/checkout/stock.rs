//! Stock taken by a new order: each line's available quantity goes down in the row of the
//! order's shop (or of its shop group when the group shares stock), and a product's own row
//! follows its combinations'. Refused when the row says out-of-stock orders are denied and
//! there is not enough: the decrement runs first and the result is checked after, so two
//! orders for the last unit, on one node or several, cannot both pass (the second waits for
//! the first's row lock, then sees nothing left).

use crate::engine::shop::ShopInfo;
use crate::engine::ApiResult;
use crate::storage::{Select, Tx, Value};

use super::draft::OrderDraft;
use super::errors;

const TABLE: &str = "stock_available";

/// Whether a row's `out_of_stock` lets an order take more than there is.
fn allows_backorders(out_of_stock: i64, info: &ShopInfo) -> bool {
    if info.setting_i64("PS_STOCK_MANAGEMENT", 1) == 0 {
        return true;
    }
    match out_of_stock {
        0 => false,
        1 => true,
        _ => info.setting_i64("PS_ORDER_OUT_OF_STOCK", 0) == 1,
    }
}

/// Takes every line's quantity; returns, line by line, the quantity there was before.
pub fn take(tx: &mut dyn Tx, d: &OrderDraft, info: &ShopInfo) -> ApiResult<Vec<i64>> {
    let (shop, group) = (d.cart.shop, d.cart.shop_group);
    // Rows locked in one order by every writer: concurrent orders wait, never deadlock.
    let mut order: Vec<usize> = (0..d.lines.len()).collect();
    order.sort_by_key(|i| (d.lines[*i].product, d.lines[*i].attribute));
    let mut before = vec![0; d.lines.len()];
    for i in order {
        let l = &d.lines[i];
        let rows = tx.select(&Select {
            table: TABLE,
            columns: &[
                "id_stock_available",
                "id_shop",
                "id_shop_group",
                "out_of_stock",
            ],
            key: vec![
                ("id_product", Value::Int(l.product)),
                ("id_product_attribute", Value::Int(l.attribute)),
            ],
            ..Default::default()
        })?;
        let own = rows.iter().find(|r| {
            let (s, g) = (r[1].as_i64().unwrap_or(0), r[2].as_i64().unwrap_or(0));
            (s == shop && g == 0) || (s == 0 && g == group)
        });
        let Some(row) = own else {
            // No stock row (a product PrestaShop never gave one): nothing to take, and
            // nothing there unless backorders are allowed.
            if !allows_backorders(2, info) {
                return Err(errors::out_of_stock(l.product, l.attribute, l.quantity, 0));
            }
            continue;
        };
        let id = row[0].as_i64().unwrap_or(0);
        let (row_shop, row_group) = (row[1].as_i64().unwrap_or(0), row[2].as_i64().unwrap_or(0));
        let key = [("id_stock_available", Value::Int(id))];
        tx.increment(TABLE, &[("quantity", -l.quantity)], &[], &key)?;
        let after = tx
            .select(&Select {
                table: TABLE,
                columns: &["quantity"],
                key: key.to_vec(),
                ..Default::default()
            })?
            .first()
            .and_then(|r| r[0].as_i64())
            .unwrap_or(0);
        let had = after + l.quantity;
        if after < 0 && !allows_backorders(row[3].as_i64().unwrap_or(2), info) {
            return Err(errors::out_of_stock(
                l.product,
                l.attribute,
                l.quantity,
                had.max(0),
            ));
        }
        before[i] = had;
        if l.attribute > 0 {
            crate::engine::special::stock::recompute(tx, l.product, row_shop, row_group)?;
        }
    }
    Ok(before)
}
