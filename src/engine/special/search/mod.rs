//! `/api/search` and the index behind it: PrestaShop's own tables `search_word` and
//! `search_index`, so that on a shop shopws is attached to the index PrestaShop built is the
//! one searched, and the one shopws keeps up to date when products are written.
//!
//! Kept up to date inside the write transaction of every product and combination write
//! (PS_SEARCH_INDEXATION on), built set-wise for a seeded or generated catalogue, and by
//! `shopws search reindex` for products PrestaShop left unindexed.

pub mod config;
pub mod index;
mod query;
mod texts;
pub mod words;

use crate::catalog::Resource;
use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::{ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::Staged;
pub use config::Config;

/// `GET /api/search`.
pub struct Search;

impl Behaviour for Search {
    fn handle(
        &self,
        e: &Engine,
        _r: &Resource,
        req: &Request,
        ctx: &Ctx,
    ) -> ApiResult<Option<Reply>> {
        query::answer(e, req, ctx).map(Some)
    }
}

/// Products re-indexed when they or their combinations are written.
pub struct Reindex;

impl Reindex {
    /// `fresh`: the product was created by this transaction and has no index rows to remove.
    fn product(
        tx: &mut dyn Tx,
        cfg: &Config,
        id: i64,
        except: Option<i64>,
        fresh: bool,
    ) -> ApiResult<()> {
        if cfg.indexation {
            index::reindex(tx, cfg, &[id], except, fresh)?;
        } else {
            // Not re-indexed: PrestaShop's search skips it until it is (a product no
            // longer searchable loses its rows at once).
            let keep = searchable(tx, id)?;
            index::unindex(tx, id, !keep)?;
        }
        Ok(())
    }
}

impl Behaviour for Reindex {
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        let (product, fresh) = match s.resource.api.as_str() {
            "products" => (st.id, s.created),
            _ => (owner_of(tx, st.id)?, false),
        };
        if product > 0 {
            let cfg = s.ctx.info.derived.get_or_try(|| Config::load(tx))?;
            Reindex::product(tx, &cfg, product, None, fresh)?;
        }
        Ok(())
    }

    /// A combination's product is re-indexed before its row goes, without it (after the
    /// delete nothing says which product it belonged to).
    fn before_delete(&self, tx: &mut dyn Tx, r: &Resource, id: i64) -> ApiResult<bool> {
        if r.api == "combinations" {
            let product = owner_of(tx, id)?;
            if product > 0 {
                let cfg = Config::load(tx)?;
                Reindex::product(tx, &cfg, product, Some(id), false)?;
            }
        }
        Ok(true)
    }

    fn after_delete(&self, tx: &mut dyn Tx, r: &Resource, id: i64) -> ApiResult<()> {
        if r.api == "products" {
            tx.delete("search_index", &[("id_product", Value::Int(id))])?;
        }
        Ok(())
    }
}

/// The product of a combination (0 when unknown).
fn owner_of(tx: &mut dyn Tx, combination: i64) -> StorageResult<i64> {
    Ok(tx
        .select(&Select {
            table: "product_attribute",
            columns: &["id_product"],
            key: vec![("id_product_attribute", Value::Int(combination))],
            ..Default::default()
        })?
        .first()
        .map_or(0, |r| super::int(&r[0])))
}

/// Whether the product is active and visible in search in one of its shops.
fn searchable(tx: &mut dyn Tx, product: i64) -> StorageResult<bool> {
    Ok(tx
        .select(&Select {
            table: "product_shop",
            columns: &["active", "visibility"],
            key: vec![("id_product", Value::Int(product))],
            ..Default::default()
        })?
        .iter()
        .any(|r| {
            let v = r[1].to_text();
            super::int(&r[0]) == 1 && (v == "both" || v == "search")
        }))
}

/// Indexes every product of the catalogue, or only those not marked indexed
/// (`only_unindexed`): what a seeded catalogue, a generated one and
/// `shopws search reindex` run. Returns how many products were indexed.
pub fn reindex_catalogue(
    tx: &mut dyn Tx,
    only_unindexed: bool,
    fresh: bool,
) -> StorageResult<usize> {
    let cfg = Config::load(tx)?;
    let rows = tx.select(&Select {
        table: "product",
        columns: &["id_product", "indexed"],
        order: &["id_product"],
        ..Default::default()
    })?;
    let ids: Vec<i64> = rows
        .iter()
        .filter(|r| !only_unindexed || super::int(&r[1]) == 0)
        .filter_map(|r| r[0].as_i64())
        .collect();
    index::reindex(tx, &cfg, &ids, None, fresh)?;
    Ok(ids.len())
}
