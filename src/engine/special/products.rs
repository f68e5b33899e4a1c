//! Products: a new product gets its stock row and, unless categories were sent, a link to
//! its default category (what PrestaShop's Product::add does).

use super::product_setters;
use crate::catalog::Resource;
use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::write::body::InputEntity;
use crate::engine::{ApiError, ApiResult, Ctx};
use crate::storage::{Select, StorageResult, Tx, Value};

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
        link_last(tx, default, st.id)?;
    }
    Ok(())
}

/// `associations/categories` of a product (PrestaShop's setWsCategories): the set is
/// replaced, links already there keep their position, new ones go last in their category.
/// Unlike PrestaShop, unknown categories are refused instead of linked, and the default
/// category is kept in the set (its back office always does both).
pub fn write_categories(
    tx: &mut dyn Tx,
    product: i64,
    items: &[Vec<(String, String)>],
) -> ApiResult<()> {
    let mut wanted: Vec<i64> = Vec::new();
    for item in items {
        let Some((_, raw)) = item.iter().find(|(n, _)| n == "id") else {
            continue;
        };
        let Some(id) = crate::engine::parse_id(raw.trim()) else {
            return Err(refuse(raw.trim()));
        };
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let default = default_category(tx, product)?;
    for id in &wanted {
        if !category_exists(tx, *id)? {
            return Err(refuse(&id.to_string()));
        }
    }
    if default > 0 && !wanted.contains(&default) && category_exists(tx, default)? {
        wanted.push(default);
    }
    let current: Vec<i64> = tx
        .select(&Select {
            table: "category_product",
            columns: &["id_category"],
            key: vec![("id_product", Value::Int(product))],
            order: &[],
            ..Default::default()
        })?
        .iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    for old in current.iter().filter(|c| !wanted.contains(c)) {
        tx.delete(
            "category_product",
            &[
                ("id_category", Value::Int(*old)),
                ("id_product", Value::Int(product)),
            ],
        )?;
    }
    for id in wanted.iter().filter(|c| !current.contains(c)) {
        link_last(tx, *id, product)?;
    }
    Ok(())
}

/// The product's stored `id_category_default` (0 when unknown).
pub fn default_category(tx: &mut dyn Tx, product: i64) -> StorageResult<i64> {
    Ok(tx
        .select(&Select {
            table: "product",
            columns: &["id_category_default"],
            key: vec![("id_product", Value::Int(product))],
            order: &[],
            ..Default::default()
        })?
        .first()
        .map_or(0, |r| super::int(&r[0])))
}

/// Takes the category's row before positions under it are read to be written (its products', its children's). On SQLite the single writer already
/// runs one transaction at a time; on a server database the row lock makes a second writer
/// placing something in the same category wait and then read this one's positions, instead
/// of both taking the same "last + 1".
pub fn hold_category(tx: &mut dyn Tx, category: i64) -> StorageResult<()> {
    tx.lock_rows("category", &[("id_category", Value::Int(category))])?;
    Ok(())
}

/// Links a product to a category after the products already there (positions from 1). The
/// last position is one probe of the (id_category, position) index, not a read of the
/// category's rows: linking costs the same in a category of ten products or of a million.
pub fn link_last(tx: &mut dyn Tx, category: i64, product: i64) -> StorageResult<()> {
    hold_category(tx, category)?;
    let last = tx
        .max(
            "category_product",
            "position",
            &[("id_category", Value::Int(category))],
        )?
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    tx.insert_ignore(
        "category_product",
        &[
            ("id_category", Value::Int(category)),
            ("id_product", Value::Int(product)),
            ("position", Value::Int(last + 1)),
        ],
    )
}

fn category_exists(tx: &mut dyn Tx, id: i64) -> StorageResult<bool> {
    Ok(!tx
        .select(&Select {
            table: "category",
            columns: &["id_category"],
            key: vec![("id_category", Value::Int(id))],
            order: &[],
            ..Default::default()
        })?
        .is_empty())
}

fn refuse(id: &str) -> ApiError {
    ApiError::bad_request(
        85,
        format!("Validation error: \"The category {id} does not exist.\""),
    )
}

/// Products: stock row and default category on creation, setter fields, categories.
pub struct Products;

impl Behaviour for Products {
    fn before_save(&self, tx: &mut dyn Tx, s: &Save, st: &mut Staged) -> ApiResult<()> {
        product_setters::check(tx, st, s.current)
    }
    fn write_association(
        &self,
        tx: &mut dyn Tx,
        _s: &Save,
        id: i64,
        name: &str,
        items: &[Vec<(String, String)>],
    ) -> Option<ApiResult<()>> {
        (name == "categories").then(|| write_categories(tx, id, items))
    }
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        if s.created {
            after_create(tx, st, s.input, s.ctx)?;
        }
        Ok(product_setters::apply(tx, st)?)
    }
    fn after_delete(&self, tx: &mut dyn Tx, _r: &Resource, id: i64) -> ApiResult<()> {
        tx.delete("stock_available", &[("id_product", Value::Int(id))])?;
        tx.delete("category_product", &[("id_product", Value::Int(id))])?;
        Ok(())
    }
}
