//! The reads of a write transaction as a [`Reader`], so that order creation can compute a
//! cart's totals inside its own transaction (a `&mut dyn Tx` does not coerce to a
//! `&mut dyn Reader` on the oldest compiler the project supports).

use crate::catalog::AssocStorage;
use crate::engine::{ApiResult, Ctx};
use crate::storage::{
    search::SearchRead, AssocRows, Context, ListPlan, Reader, Select, StorageResult, Tx, Value,
    Visit,
};

use super::summary::{summary, CartSummary};

struct TxReads<'a>(&'a mut dyn Tx);

impl Reader for TxReads<'_> {
    fn list(&mut self, plan: &ListPlan, ctx: &Context, visit: &mut Visit) -> StorageResult<()> {
        self.0.list(plan, ctx, visit)
    }
    fn count(&mut self, plan: &ListPlan, ctx: &Context) -> StorageResult<u64> {
        self.0.count(plan, ctx)
    }
    fn assoc(
        &mut self,
        assoc: &AssocStorage,
        owners: &[i64],
        ctx: &Context,
    ) -> StorageResult<AssocRows> {
        self.0.assoc(assoc, owners, ctx)
    }
    fn assocs(
        &mut self,
        assocs: &[&AssocStorage],
        owners: &[i64],
        ctx: &Context,
    ) -> StorageResult<Vec<AssocRows>> {
        self.0.assocs(assocs, owners, ctx)
    }
    fn select(&mut self, q: &Select) -> StorageResult<Vec<Vec<Value>>> {
        self.0.select(q)
    }
    fn max(
        &mut self,
        table: &str,
        column: &str,
        key: &[(&str, Value)],
    ) -> StorageResult<Option<Value>> {
        self.0.max(table, column, key)
    }
    fn search(&mut self, q: &SearchRead) -> StorageResult<Vec<Vec<Value>>> {
        self.0.search(q)
    }
}

/// [`summary`] inside a write transaction (what order creation calls).
pub fn summary_in_tx(tx: &mut dyn Tx, ctx: &Ctx, id_cart: i64) -> ApiResult<CartSummary> {
    summary(&mut TxReads(tx), ctx, id_cart)
}

/// Whether address `id` exists, is not deleted and (with a customer) is the customer's.
pub fn address_ok(tx: &mut dyn Tx, id: i64, customer: i64) -> ApiResult<bool> {
    Ok(super::context::address(&mut TxReads(tx), id, customer)?.is_some())
}
