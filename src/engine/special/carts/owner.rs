//! A cart's customer and addresses on write: `secure_key` copied from the customer when
//! empty (what PrestaShop does the next time it loads the cart, done at once), addresses
//! that exist and belong to the customer.

use crate::engine::behaviour::Save;
use crate::engine::{ApiError, ApiResult};
use crate::storage::{Select, Tx, Value};

use super::{in_tx, int, Staged};

fn refused(message: String) -> ApiError {
    ApiError::bad_request(1022, message)
}

/// The value the row will have: staged, else stored.
fn value(s: &Save, st: &Staged, col: &str) -> Value {
    st.get(col)
        .cloned()
        .or_else(|| s.current.and_then(|c| c.get(col)).cloned())
        .unwrap_or(Value::Null)
}

pub fn check(tx: &mut dyn Tx, s: &Save, st: &mut Staged) -> ApiResult<()> {
    let customer = int(&value(s, st, "id_customer"));
    if customer > 0 {
        let Some(row) = tx
            .select(&Select {
                table: "customer",
                columns: &["secure_key"],
                key: vec![("id_customer", Value::Int(customer))],
                ..Default::default()
            })?
            .into_iter()
            .next()
        else {
            return Err(refused(format!("customer {customer} does not exist")));
        };
        let key = value(s, st, "secure_key").to_text();
        if key.trim().is_empty() || key.trim() == "-1" {
            st.set("secure_key", row[0].clone());
        }
    }
    for col in ["id_address_delivery", "id_address_invoice"] {
        let id = int(&value(s, st, col));
        if id > 0 && !in_tx::address_ok(tx, id, customer)? {
            return Err(refused(if customer > 0 {
                format!("{col}: address {id} does not exist or is not one of customer {customer}")
            } else {
                format!("{col}: address {id} does not exist")
            }));
        }
    }
    Ok(())
}
