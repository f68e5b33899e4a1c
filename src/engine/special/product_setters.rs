//! The products fields PrestaShop writes through setter methods rather than columns:
//! `id_default_image` (setCoverWs), `id_default_combination` (setWsDefaultCombination),
//! `type` (setWsType) and `position_in_category` (setWsPositionInCategory, errors #134/#135).

use std::collections::HashMap;

use crate::engine::{parse_id, ApiError, ApiResult};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::{int, Staged};

fn setter<'s>(st: &'s Staged, name: &str) -> Option<&'s str> {
    st.setters
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim())
}

/// The product ids of a category, by position.
fn in_category(tx: &mut dyn Tx, category: i64) -> StorageResult<Vec<i64>> {
    let mut rows: Vec<(i64, i64)> = tx
        .select(&Select {
            table: "category_product",
            columns: &["id_product", "position"],
            key: vec![("id_category", Value::Int(category))],
            order: &[],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[1]), int(&r[0])))
        .collect();
    rows.sort_unstable();
    Ok(rows.into_iter().map(|(_, p)| p).collect())
}

fn default_category(st: &Staged, current: Option<&HashMap<String, Value>>) -> i64 {
    st.get("id_category_default")
        .or_else(|| current.and_then(|c| c.get("id_category_default")))
        .map(int)
        .unwrap_or(0)
}

/// Refuses a `position_in_category` outside 1..=n before anything is saved, as PrestaShop's
/// setter errors stop the save.
pub fn check(
    tx: &mut dyn Tx,
    st: &Staged,
    current: Option<&HashMap<String, Value>>,
) -> ApiResult<()> {
    let Some(raw) = setter(st, "position_in_category") else {
        return Ok(());
    };
    let position = raw.parse::<i64>().unwrap_or(0);
    if position <= 0 {
        return Err(ApiError::new(
            500,
            134,
            "You cannot set 0 or a negative position, the minimum is 1.",
        ));
    }
    let products = in_category(tx, default_category(st, current))?;
    let count = products.len() as i64 + i64::from(!products.contains(&st.id));
    if position > count {
        return Err(ApiError::new(
            500,
            135,
            "You cannot set a position greater than the total number of products in the category, starting at 1.",
        ));
    }
    Ok(())
}

/// Applies the setters once the product and its associations are written.
pub fn apply(tx: &mut dyn Tx, st: &Staged) -> StorageResult<()> {
    let product = st.id;
    if let Some(image) = setter(st, "id_default_image").and_then(parse_id) {
        set_cover(tx, product, image)?;
    }
    if let Some(combination) = setter(st, "id_default_combination").and_then(parse_id) {
        set_default_combination(tx, product, combination)?;
    }
    if let Some(kind) = setter(st, "type") {
        set_type(tx, product, kind)?;
    }
    if let Some(position) = setter(st, "position_in_category").and_then(|v| v.parse().ok()) {
        move_in_default_category(tx, product, position)?;
    }
    Ok(())
}

/// Sets `flag` to 1 on one row of the product (found by `id_col`) and to NULL on its other
/// rows, in the main table and its `_shop` copy; false when the row is another product's.
/// NULL, not 0: the unique (id_product, flag) indexes allow many NULLs only.
fn mark_only(
    tx: &mut dyn Tx,
    product: i64,
    tables: [&str; 2],
    id_col: &str,
    id: i64,
    flag: &str,
) -> StorageResult<bool> {
    let owned = !tx
        .select(&Select {
            table: tables[0],
            columns: &[id_col],
            key: vec![
                (id_col, Value::Int(id)),
                ("id_product", Value::Int(product)),
            ],
            order: &[],
            ..Default::default()
        })?
        .is_empty();
    if !owned {
        return Ok(false);
    }
    for table in tables {
        tx.update(
            table,
            &[(flag, Value::Null)],
            &[("id_product", Value::Int(product))],
        )?;
        tx.update(table, &[(flag, Value::Int(1))], &[(id_col, Value::Int(id))])?;
    }
    Ok(true)
}

/// The image becomes the product's only cover, if it is one of the product's images.
fn set_cover(tx: &mut dyn Tx, product: i64, image: i64) -> StorageResult<()> {
    mark_only(
        tx,
        product,
        ["image", "image_shop"],
        "id_image",
        image,
        "cover",
    )?;
    Ok(())
}

/// The combination becomes the product's default one, if it is one of the product's.
fn set_default_combination(tx: &mut dyn Tx, product: i64, combination: i64) -> StorageResult<()> {
    let tables = ["product_attribute", "product_attribute_shop"];
    if mark_only(
        tx,
        product,
        tables,
        "id_product_attribute",
        combination,
        "default_on",
    )? {
        for table in ["product", "product_shop"] {
            tx.update(
                table,
                &[("cache_default_attribute", Value::Int(combination))],
                &[("id_product", Value::Int(product))],
            )?;
        }
        // A product with a default combination is a product with combinations.
        tx.update(
            "product",
            &[("product_type", Value::from("combinations"))],
            &[("id_product", Value::Int(product))],
        )?;
    }
    Ok(())
}

/// `simple`, `pack` or `virtual` (anything else is ignored, as PrestaShop's setter returns
/// false): sets the pack and virtual flags, drops the pack's items when it stops being one,
/// and derives `product_type` as PrestaShop's getDynamicProductType does.
fn set_type(tx: &mut dyn Tx, product: i64, kind: &str) -> StorageResult<()> {
    if !matches!(kind, "simple" | "pack" | "virtual") {
        return Ok(());
    }
    if kind != "pack" {
        tx.delete("pack", &[("id_product_pack", Value::Int(product))])?;
    }
    let has_combinations = !tx
        .select(&Select {
            table: "product_attribute",
            columns: &["id_product_attribute"],
            key: vec![("id_product", Value::Int(product))],
            order: &[],
            ..Default::default()
        })?
        .is_empty();
    let product_type = match kind {
        "pack" => "pack",
        "virtual" => "virtual",
        _ if has_combinations => "combinations",
        _ => "standard",
    };
    tx.update(
        "product",
        &[
            ("cache_is_pack", Value::Int(i64::from(kind == "pack"))),
            ("is_virtual", Value::Int(i64::from(kind == "virtual"))),
            ("product_type", Value::from(product_type)),
        ],
        &[("id_product", Value::Int(product))],
    )?;
    Ok(())
}

/// Moves the product to `position` (from 1) in its default category and renumbers the
/// category 1..n.
fn move_in_default_category(tx: &mut dyn Tx, product: i64, position: i64) -> StorageResult<()> {
    let category = super::products::default_category(tx, product)?;
    super::products::hold_category(tx, category)?;
    let mut order = in_category(tx, category)?;
    if !order.contains(&product) {
        return Ok(());
    }
    order.retain(|p| *p != product);
    let at = usize::try_from(position - 1).unwrap_or(0).min(order.len());
    order.insert(at, product);
    for (n, p) in order.into_iter().enumerate() {
        tx.update(
            "category_product",
            &[("position", Value::Int(n as i64 + 1))],
            &[
                ("id_category", Value::Int(category)),
                ("id_product", Value::Int(p)),
            ],
        )?;
    }
    Ok(())
}
