//! Resources with behaviour beyond generic CRUD, registered by name. Each module is small and
//! plugs into the engine at a few points: whole-request handling (images, search…), values
//! PrestaShop computes in PHP, and save hooks (password hashing, generated keys…).

pub mod carriers;
pub mod categories;
pub mod category_counts;
pub mod customers;
pub mod orders;
pub mod price;
pub mod product_setters;
pub mod products;
pub mod slug;
pub mod stock;

use std::collections::HashMap;

use crate::catalog::{Field, Resource};
use crate::engine::params::Params;
use crate::storage::{Reader, StorageResult, Tx, Value};

use super::render::{Entity, Projection};

use super::write::body::InputEntity;
pub use super::write::Staged;
use super::{ApiError, ApiResult, Ctx, Engine, Reply, Request};

/// A stored integer; 0 for NULL or text that is not one (ids, flags, positions).
fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// Whole requests a module answers itself. `None`: the generic engine handles it.
pub fn dispatch(_e: &Engine, r: &Resource, req: &Request, _ctx: &Ctx) -> ApiResult<Option<Reply>> {
    match r.api.as_str() {
        "images" | "search" => Err(ApiError::new(
            501,
            124,
            format!(
                "The specific management class is not implemented for the \"{}\" entity.",
                r.api
            ),
        )),
        "attachments" if req.segments.get(1).map(String::as_str) == Some("file") => {
            Err(ApiError::not_implemented("attachments"))
        }
        _ => Ok(None),
    }
}

/// Fields PrestaShop computes in PHP getters that need the database (virtual prices,
/// categories' product counts), for a batch of loaded entities inside an open read.
pub fn fill_computed(
    rd: &mut dyn Reader,
    r: &Resource,
    p: &Projection,
    ents: &mut [Entity],
    params: &Params,
    ctx: &Ctx,
) -> StorageResult<()> {
    match r.api.as_str() {
        "categories" => category_counts::fill(rd, r, p, ents, ctx),
        _ => price::fill_with(rd, r, p, ents, params, ctx),
    }
}

/// The same for one entity, in a read of its own.
pub fn fill_one(
    e: &Engine,
    r: &Resource,
    p: &Projection,
    ent: &mut Entity,
    params: &Params,
    ctx: &Ctx,
) -> ApiResult<()> {
    e.store
        .read(&mut |rd| fill_computed(rd, r, p, std::slice::from_mut(ent), params, ctx))?;
    Ok(())
}

/// Values PrestaShop computes in PHP with no table behind them.
pub fn computed(r: &Resource, f: &Field, _id: i64) -> Value {
    // PrestaShop renders these from properties the webservice never loads: empty.
    let _ = (r, f);
    Value::Null
}

/// Before an entity is written: derived columns, hashing, uniqueness.
pub fn before_save(
    e: &Engine,
    r: &Resource,
    tx: &mut dyn Tx,
    st: &mut Staged,
    current: Option<&HashMap<String, Value>>,
    ctx: &Ctx,
) -> ApiResult<()> {
    match r.api.as_str() {
        "customers" | "employees" => customers::before_save(e, r, tx, st, current, ctx),
        "categories" => categories::before_save(tx, st),
        "products" => product_setters::check(tx, st, current),
        _ => Ok(()),
    }
}

/// Associations whose writing is more than replacing link rows. `None`: the generic writer.
pub fn write_association(
    r: &Resource,
    name: &str,
    tx: &mut dyn Tx,
    id: i64,
    items: &[Vec<(String, String)>],
) -> Option<ApiResult<()>> {
    match (r.api.as_str(), name) {
        ("products", "categories") => Some(products::write_categories(tx, id, items)),
        _ => None,
    }
}

/// After an entity and its associations are written.
pub fn after_save(
    _e: &Engine,
    r: &Resource,
    tx: &mut dyn Tx,
    st: &Staged,
    ent: &InputEntity,
    created: bool,
    ctx: &Ctx,
) -> StorageResult<()> {
    match r.api.as_str() {
        "customers" => customers::after_save(tx, st, ent, created),
        "categories" => {
            if created {
                categories::after_create(tx, st)?;
            } else if let Some(parent) = st.get("id_parent").and_then(Value::as_i64) {
                categories::clean_positions(tx, parent, 0)?;
            }
            categories::rebuild_tree(tx)
        }
        "products" => {
            if created {
                products::after_create(tx, st, ent, ctx)?;
            }
            product_setters::apply(tx, st)
        }
        "orders" => orders::after_save(tx, st),
        "carriers" => carriers::after_save(tx, st, ctx),
        "combinations" if created => stock::after_combination_created(tx, st, ctx),
        "stock_availables" if !created => stock::after_update(tx, st),
        _ => Ok(()),
    }
}

/// Before an entity is deleted: `false` refuses it (PrestaShop's delete() returning false,
/// answered with #88); otherwise what goes with it is removed first.
pub fn before_delete(r: &Resource, tx: &mut dyn Tx, id: i64) -> StorageResult<bool> {
    match r.api.as_str() {
        "categories" => {
            if !categories::deletable(tx, id)? {
                return Ok(false);
            }
            categories::before_delete(tx, id)?;
            Ok(true)
        }
        _ => Ok(true),
    }
}

pub fn after_delete(r: &Resource, tx: &mut dyn Tx, id: i64) -> StorageResult<()> {
    match r.api.as_str() {
        "customers" => {
            tx.delete("customer_group", &[("id_customer", Value::Int(id))])?;
            Ok(())
        }
        "products" => {
            tx.delete("stock_available", &[("id_product", Value::Int(id))])?;
            tx.delete("category_product", &[("id_product", Value::Int(id))])?;
            Ok(())
        }
        "categories" => categories::rebuild_tree(tx),
        "combinations" => stock::after_combination_deleted(tx, id),
        _ => Ok(()),
    }
}

impl From<ApiError> for crate::storage::StorageError {
    fn from(e: ApiError) -> Self {
        crate::storage::StorageError::Invalid(
            e.errors
                .first()
                .map(|x| x.message.clone())
                .unwrap_or_default(),
        )
    }
}
