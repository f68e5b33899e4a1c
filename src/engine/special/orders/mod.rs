//! Orders and their states (business rules §2.4): [`change_state`] is PrestaShop's
//! `changeIdOrderState` over a transaction, for `POST /api/order_histories`, PUT/PATCH of an
//! order's `current_state` and order creation. It returns what the state's e-mail needs
//! ([`StateChange`]). The state's e-mail is queued here for PUT/PATCH (always, as
//! PrestaShop's setCurrentState) and for histories posted with `sendemail=1`; order creation
//! queues its own.
//!
//! PUT/PATCH of an order: the other fields are written first, then the state change runs when
//! the posted `current_state` differs from the stored one (with an `order_history` row, no
//! employee). The columns only state changes write — `current_state`, `valid`,
//! `invoice_number`, `invoice_date`, `delivery_number`, `delivery_date`, `total_paid_real` —
//! keep their stored values whatever the body holds (PrestaShop let a posted `valid` or
//! `invoice_number` overwrite what the state change had just written). The `shipping_number`
//! setter writes the tracking number of the order's first carrier row (setWsShippingNumber).

mod histories;
mod invoice;
mod invoice_tax;
mod payment;
mod settings;
mod state;
mod stock_moves;

pub use histories::{add as add_history, OrderHistories};
pub use payment::insert as insert_payment;
pub use settings::int as setting;
pub use state::{change_state, StateChange};
pub use stock_moves::{add_sale, recount_reserved};

use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::{ApiError, ApiResult};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::Staged;

/// Columns an order's state changes own: a PUT/PATCH body does not change them.
const STATE_OWNED: [&str; 7] = [
    "current_state",
    "valid",
    "invoice_number",
    "invoice_date",
    "delivery_number",
    "delivery_date",
    "total_paid_real",
];

fn shipping_number(tx: &mut dyn Tx, st: &Staged) -> StorageResult<()> {
    let Some((_, number)) = st.setters.iter().find(|(n, _)| n == "shipping_number") else {
        return Ok(());
    };
    let first = tx
        .select(&Select {
            table: "order_carrier",
            columns: &["id_order_carrier"],
            key: vec![("id_order", Value::Int(st.id))],
            order: &["id_order_carrier"],
            ..Default::default()
        })?
        .into_iter()
        .next();
    // Without a carrier row PrestaShop keeps the number on an unsaved property: nothing to do.
    if let Some(row) = first {
        tx.update(
            "order_carrier",
            &[("tracking_number", Value::from(number.trim()))],
            &[("id_order_carrier", row[0].clone())],
        )?;
    }
    Ok(())
}

/// The state posted in `current_state`, if any; 400 when it is not an id.
fn posted_state(st: &Staged) -> ApiResult<Option<i64>> {
    let Some((_, raw)) = st.setters.iter().find(|(n, _)| n == "current_state") else {
        return Ok(None);
    };
    match raw.trim().parse::<i64>() {
        Ok(id) if id >= 0 => Ok(Some(id)),
        _ => Err(ApiError::bad_request(
            85,
            "Validation error: \"Property Order->current_state is not valid\"",
        )),
    }
}

pub struct Orders;

impl Behaviour for Orders {
    fn before_save(&self, _tx: &mut dyn Tx, s: &Save, st: &mut Staged) -> ApiResult<()> {
        posted_state(st)?;
        if let (false, Some(cur)) = (s.created, s.current) {
            for col in STATE_OWNED {
                if let Some(v) = cur.get(col) {
                    st.set(col, v.clone());
                }
            }
        }
        Ok(())
    }

    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        shipping_number(tx, st)?;
        let (false, Some(cur), Some(new)) = (s.created, s.current, posted_state(st)?) else {
            return Ok(());
        };
        if cur.get("current_state").and_then(Value::as_i64) == Some(new) {
            return Ok(());
        }
        // PrestaShop's setCurrentState: existing payments go on the invoice when the order
        // has none yet.
        let no_invoice = cur
            .get("invoice_number")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            == 0;
        let now = &s.ctx.db.now;
        change_state(tx, now, st.id, new, None, no_invoice)?;
        add_history(tx, st.id, new, None, now)?;
        // PrestaShop's setCurrentState always sends the state's e-mail (no `sendemail`).
        crate::mail::queue_state_mail(tx, st.id, new, &[])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
