//! The e-mail of an order state: sent when an order enters a state whose `send_email` flag is
//! set, with the template named by the state in the order's language
//! (`order_state_lang.template`: `payment`, `shipped`, `order_canceled`, …).

use crate::storage::{Select, StorageError, StorageResult, Tx, Value};

use super::order_mail::{language, queue_order_mail};

/// Queues the e-mail of state `id_order_state` about order `id_order`, inside `tx`, when the
/// state sends one (`send_email` and a template in the order's language, else in any
/// language); `extra` as for [`queue_order_mail`]. `None` when the state sends nothing.
pub fn queue_state_mail(
    tx: &mut dyn Tx,
    id_order: i64,
    id_order_state: i64,
    extra: &[(&str, String)],
) -> StorageResult<Option<i64>> {
    let state = tx
        .select(&Select {
            table: "order_state",
            columns: &["send_email"],
            key: vec![("id_order_state", Value::Int(id_order_state))],
            ..Default::default()
        })?
        .into_iter()
        .next()
        .ok_or(StorageError::NotFound)?;
    if state[0].as_i64().unwrap_or(0) == 0 {
        return Ok(None);
    }
    let order_lang = tx
        .select(&Select {
            table: "orders",
            columns: &["id_lang"],
            key: vec![("id_order", Value::Int(id_order))],
            ..Default::default()
        })?
        .into_iter()
        .next()
        .ok_or(StorageError::NotFound)?[0]
        .as_i64()
        .unwrap_or(0);
    let (id_lang, _) = language(tx, order_lang)?;
    let names = tx.select(&Select {
        table: "order_state_lang",
        columns: &["id_lang", "template"],
        key: vec![("id_order_state", Value::Int(id_order_state))],
        order: &["id_lang"],
        ..Default::default()
    })?;
    let template = names
        .iter()
        .find(|r| r[0].as_i64() == Some(id_lang))
        .map(|r| r[1].to_text())
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            names
                .iter()
                .map(|r| r[1].to_text())
                .find(|t| !t.trim().is_empty())
        });
    match template {
        Some(t) => queue_order_mail(tx, id_order, t.trim(), extra),
        None => Ok(None),
    }
}
