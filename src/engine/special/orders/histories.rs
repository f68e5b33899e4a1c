//! `POST /api/order_histories` (`OrderHistory::addWs`): the order enters the posted state with
//! every side effect ([`change_state`]), then the history row is written as posted. Unknown
//! orders and states answer 404 (PrestaShop: a PHP error). Updates and deletes of history
//! rows are plain rows, as in PrestaShop.

use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::ApiResult;
use crate::storage::{StorageResult, Tx, Value};

use super::super::{int, Staged};
use super::state::{change_state, not_found};

/// Writes the `order_history` row of a state change made elsewhere than by POST of a history
/// (PUT of an order, order creation); `employee` 0 when none.
pub fn add(
    tx: &mut dyn Tx,
    id_order: i64,
    id_state: i64,
    employee: Option<i64>,
    now: &str,
) -> StorageResult<i64> {
    tx.insert(
        "order_history",
        &[
            ("id_employee", Value::Int(employee.unwrap_or(0))),
            ("id_order", Value::Int(id_order)),
            ("id_order_state", Value::Int(id_state)),
            ("date_add", Value::from(now)),
        ],
    )
}

pub struct OrderHistories;

impl Behaviour for OrderHistories {
    fn before_save(&self, tx: &mut dyn Tx, s: &Save, st: &mut Staged) -> ApiResult<()> {
        if !s.created {
            return Ok(());
        }
        let id_order = st.get("id_order").map_or(0, int);
        let id_state = st.get("id_order_state").map_or(0, int);
        if id_order <= 0 {
            return Err(not_found("Order", id_order));
        }
        if id_state <= 0 {
            return Err(not_found("Order state", id_state));
        }
        let employee = st.get("id_employee").map(int).filter(|e| *e > 0);
        change_state(tx, &s.ctx.db.now, id_order, id_state, employee, false)?;
        // The state's e-mail only when asked (`sendemail=1`), as PrestaShop does.
        if s.ctx.send_email {
            crate::mail::queue_state_mail(tx, id_order, id_state, &[])?;
        }
        Ok(())
    }
}
