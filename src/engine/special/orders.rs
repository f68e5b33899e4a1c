//! Orders: the `shipping_number` setter writes the tracking number of the order's first
//! carrier row (PrestaShop's setWsShippingNumber). State changes (`current_state`, order
//! histories) and their side effects are not reproduced yet.

use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::ApiResult;
use crate::storage::{Select, StorageResult, Tx, Value};

use super::Staged;

pub fn after_save(tx: &mut dyn Tx, st: &Staged) -> StorageResult<()> {
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

pub struct Orders;

impl Behaviour for Orders {
    fn after_save(&self, tx: &mut dyn Tx, _s: &Save, st: &Staged) -> ApiResult<()> {
        Ok(after_save(tx, st)?)
    }
}
