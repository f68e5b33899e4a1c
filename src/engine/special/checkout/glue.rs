//! Where an order meets the cart totals and the state machine.

use crate::engine::{ApiError, ApiResult, Ctx};
use crate::storage::Tx;

use super::super::orders::{self, StateChange};
use super::draft::{CartRow, OrderDraft};

pub fn draft(_tx: &mut dyn Tx, _cart: &CartRow, _ctx: &Ctx) -> ApiResult<OrderDraft> {
    Err(ApiError::internal())
}

/// The order's first state with all its side effects (invoice, payments taken over,
/// reserved quantities) and its history row, as PrestaShop's validateOrder applies it.
pub fn first_state(
    tx: &mut dyn Tx,
    now: &str,
    order: i64,
    state: i64,
) -> ApiResult<StateChange> {
    let change = orders::change_state(tx, now, order, state, None, true)?;
    orders::add_history(tx, order, state, None, now)?;
    Ok(change)
}
