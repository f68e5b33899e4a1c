//! Where an order meets the cart totals and the state machine.

use crate::engine::{ApiError, ApiResult, Ctx};
use crate::storage::Tx;

use super::draft::{CartRow, OrderDraft};

pub fn draft(_tx: &mut dyn Tx, _cart: &CartRow, _ctx: &Ctx) -> ApiResult<OrderDraft> {
    Err(ApiError::internal())
}

pub fn first_state(_tx: &mut dyn Tx, _ctx: &Ctx, _order: i64, _state: i64) -> ApiResult<()> {
    Err(ApiError::internal())
}
