//! The checks an order makes on its cart, its customer and its payment module before
//! anything is computed.

use crate::engine::ApiResult;
use crate::storage::{Select, Tx, Value};

use super::draft::CartRow;
use super::errors;

/// The cart, taken for this transaction: its row is locked on a server database, so that two
/// orders posted for one cart at once are one after the other, and the second sees the
/// first.
pub fn load(tx: &mut dyn Tx, id: i64) -> ApiResult<CartRow> {
    let key = [("id_cart", Value::Int(id))];
    tx.lock_rows("cart", &key)?;
    let rows = tx.select(&Select {
        table: "cart",
        columns: &[
            "id_customer",
            "id_address_delivery",
            "id_address_invoice",
            "id_currency",
            "id_lang",
            "id_shop",
            "id_shop_group",
            "secure_key",
            "recyclable",
            "gift",
            "gift_message",
            "mobile_theme",
        ],
        key: key.to_vec(),
        ..Default::default()
    })?;
    let r = rows.first().ok_or_else(|| errors::cart_missing(id))?;
    let int = |i: usize| r[i].as_i64().unwrap_or(0);
    Ok(CartRow {
        id,
        customer: int(0),
        address_delivery: int(1),
        address_invoice: int(2),
        currency: int(3),
        lang: int(4),
        shop: int(5),
        shop_group: int(6),
        secure_key: r[7].to_text(),
        recyclable: int(8),
        gift: int(9),
        gift_message: r[10].to_text(),
        mobile_theme: int(11),
    })
}

/// Refuses a cart some other order was placed with.
pub fn not_ordered(tx: &mut dyn Tx, cart: i64, this_order: i64) -> ApiResult<()> {
    let orders = tx.select(&Select {
        table: "orders",
        columns: &["id_order"],
        key: vec![("id_cart", Value::Int(cart))],
        ..Default::default()
    })?;
    if orders.iter().any(|r| r[0].as_i64() != Some(this_order)) {
        return Err(errors::cart_ordered(cart));
    }
    Ok(())
}

/// The secure key of the customer posted, which must be the cart's (PrestaShop compares the
/// posted customer's key with the cart's). Returns the key the order keeps.
pub fn customer_key(tx: &mut dyn Tx, cart: &CartRow, posted_customer: i64) -> ApiResult<String> {
    // A cart without a customer has no key to match (PrestaShop fails the same check).
    if cart.customer <= 0 {
        return Err(errors::secure_key());
    }
    let key = tx
        .select(&Select {
            table: "customer",
            columns: &["secure_key"],
            key: vec![("id_customer", Value::Int(posted_customer))],
            ..Default::default()
        })?
        .first()
        .map(|r| r[0].to_text())
        .ok_or_else(errors::secure_key)?;
    // A cart saved without a key takes its customer's (PrestaShop copies it when the cart is
    // next loaded).
    let cart_key = if cart.secure_key.is_empty() || cart.secure_key == "-1" {
        let own = tx
            .select(&Select {
                table: "customer",
                columns: &["secure_key"],
                key: vec![("id_customer", Value::Int(cart.customer))],
                ..Default::default()
            })?
            .first()
            .map(|r| r[0].to_text())
            .unwrap_or_default();
        tx.update(
            "cart",
            &[("secure_key", Value::from(own.as_str()))],
            &[("id_cart", Value::Int(cart.id))],
        )?;
        own
    } else {
        cart.secure_key.clone()
    };
    if key.is_empty() || key != cart_key {
        return Err(errors::secure_key());
    }
    Ok(key)
}

/// The payment module must be installed, active, and enabled for the cart's shop.
pub fn payment_module(tx: &mut dyn Tx, name: &str, shop: i64) -> ApiResult<()> {
    let rows = tx.select(&Select {
        table: "module",
        columns: &["id_module", "active"],
        key: vec![("name", Value::from(name))],
        limit: Some(1),
        ..Default::default()
    })?;
    let Some(m) = rows.first() else {
        return Err(errors::module_unknown(name));
    };
    let id = m[0].as_i64().unwrap_or(0);
    let in_shop = !tx
        .select(&Select {
            table: "module_shop",
            columns: &["id_module"],
            key: vec![("id_module", Value::Int(id)), ("id_shop", Value::Int(shop))],
            limit: Some(1),
            ..Default::default()
        })?
        .is_empty();
    if m[1].as_i64() != Some(1) || !in_shop {
        return Err(errors::module_inactive(name));
    }
    Ok(())
}
