//! Products: a new product gets its stock row and, unless categories were sent, a link to
//! its default category (what PrestaShop's Product::add does).

use crate::engine::write::body::InputEntity;
use crate::engine::Ctx;
use crate::storage::{StorageResult, Tx, Value};

use super::Staged;

pub fn after_create(
    tx: &mut dyn Tx,
    st: &Staged,
    ent: &InputEntity,
    ctx: &Ctx,
) -> StorageResult<()> {
    for shop in &ctx.db.shops {
        tx.insert_ignore(
            "stock_available",
            &[
                ("id_product", Value::Int(st.id)),
                ("id_product_attribute", Value::Int(0)),
                ("id_shop", Value::Int(*shop)),
                ("id_shop_group", Value::Int(0)),
                ("quantity", Value::Int(0)),
                ("out_of_stock", Value::Int(2)),
            ],
        )?;
    }
    let categories_given = ent
        .associations
        .iter()
        .flatten()
        .any(|a| a.name == "categories");
    let default = st
        .get("id_category_default")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if !categories_given && default > 0 {
        tx.insert_ignore(
            "category_product",
            &[
                ("id_category", Value::Int(default)),
                ("id_product", Value::Int(st.id)),
                ("position", Value::Int(0)),
            ],
        )?;
    }
    Ok(())
}
