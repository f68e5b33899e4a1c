//! Carts: rows validated when written, the customer's `secure_key` and addresses checked,
//! and the totals PrestaShop computes for a cart (`Cart::getOrderTotal`), exposed read-only
//! at `GET /api/carts/{id}/summary` and through [`summary()`] (in a read) or
//! [`summary_in_tx`] (inside a write transaction: order creation).
//!
//! Files: [`context`] (cart, customer, addresses, currency), [`lines`] (rows and their
//! prices), [`carriers`] (carriers offered and shipping), [`rule_data`] / [`rules`] (cart
//! rules), [`summary`] (totals), [`render`] (the document), [`rows`] and [`owner`] (writes).

pub mod carriers;
pub mod context;
mod in_tx;
pub mod lines;
mod owner;
mod render;
pub mod rows;
pub mod rule_data;
pub mod rules;
pub mod summary;

pub use in_tx::summary_in_tx;
pub use summary::{summary, CartSummary};

use crate::catalog::{Method, Resource};
use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::{parse_id, ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Select, Tx, Value};

use super::Staged;

use super::int;
use super::price::dec;

pub struct Carts;

impl Behaviour for Carts {
    /// `GET /api/carts/{id}/summary`; any other carts request is the generic engine's.
    fn handle(
        &self,
        e: &Engine,
        _r: &Resource,
        req: &Request,
        ctx: &Ctx,
    ) -> ApiResult<Option<Reply>> {
        let [_, id, sub] = req.segments.as_slice() else {
            return Ok(None);
        };
        if sub != "summary" {
            return Ok(None);
        }
        if !matches!(req.method, Method::Get | Method::Head) {
            return Err(ApiError::new(
                405,
                1021,
                "carts/{id}/summary is read-only: only GET and HEAD",
            ));
        }
        let id = parse_id(id).ok_or_else(|| ApiError::new(404, 92, "Invalid ID"))?;
        let s = e.store.reading(|rd| summary(rd, ctx, id))?;
        Ok(Some(Reply::doc(200, render::document(&s, req.format))))
    }

    fn before_save(&self, tx: &mut dyn Tx, s: &Save, st: &mut Staged) -> ApiResult<()> {
        owner::check(tx, s, st)
    }

    /// A cart an order was placed with is not deleted (PrestaShop's `Cart::delete`).
    fn before_delete(&self, tx: &mut dyn Tx, _r: &Resource, id: i64) -> ApiResult<bool> {
        let ordered = tx.select(&Select {
            table: "orders",
            columns: &["id_order"],
            key: vec![("id_cart", Value::Int(id))],
            limit: Some(1),
            ..Default::default()
        })?;
        Ok(ordered.is_empty())
    }

    fn write_association(
        &self,
        tx: &mut dyn Tx,
        s: &Save,
        id: i64,
        name: &str,
        items: &[Vec<(String, String)>],
    ) -> Option<ApiResult<()>> {
        (name == "cart_rows").then(|| rows::write(tx, s, id, items))
    }
}
