//! Invoices and delivery slips of an order (`Order::setInvoice`, `setDeliverySlip`,
//! `setDelivery`, `OrderInvoice::setLastInvoiceNumber`, `setDeliveryNumber`): one
//! `order_invoice` row holds both numbers; the order keeps copies of them.

use crate::storage::{Select, StorageResult, Tx, Value};

use super::super::int;
use super::settings;
use super::state::Order;

const TABLE: &str = "order_invoice";

/// The order's invoice rows: (id, number, delivery_number), oldest first.
pub fn invoices(tx: &mut dyn Tx, id_order: i64) -> StorageResult<Vec<(i64, i64, i64)>> {
    Ok(tx
        .select(&Select {
            table: TABLE,
            columns: &["id_order_invoice", "number", "delivery_number"],
            key: vec![("id_order", Value::Int(id_order))],
            order: &["id_order_invoice"],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), int(&r[1]), int(&r[2])))
        .collect())
}

/// `Order::hasInvoice`: a numbered invoice exists (any invoice row when numbering is off).
fn has_invoice(rows: &[(i64, i64, i64)], numbering: bool) -> bool {
    rows.iter().any(|r| !numbering || r.1 > 0)
}

/// A new `order_invoice` row (number 0) with the order's amounts (`setInvoiceDetails`),
/// and its shipping tax row.
fn new_invoice(tx: &mut dyn Tx, o: &Order, now: &str) -> StorageResult<i64> {
    let mut values: Vec<(&str, Value)> = vec![
        ("id_order", Value::Int(o.id)),
        ("number", Value::Int(0)),
        ("delivery_number", Value::Int(0)),
        ("delivery_date", Value::from("0000-00-00 00:00:00")),
        ("shipping_tax_computation_method", Value::Int(0)),
        ("note", Value::from(o.note.as_str())),
        ("date_add", Value::from(now)),
    ];
    for (to, from) in [
        ("total_discount_tax_excl", "total_discounts_tax_excl"),
        ("total_discount_tax_incl", "total_discounts_tax_incl"),
        ("total_paid_tax_excl", "total_paid_tax_excl"),
        ("total_paid_tax_incl", "total_paid_tax_incl"),
        ("total_products", "total_products"),
        ("total_products_wt", "total_products_wt"),
        ("total_shipping_tax_excl", "total_shipping_tax_excl"),
        ("total_shipping_tax_incl", "total_shipping_tax_incl"),
        ("total_wrapping_tax_excl", "total_wrapping_tax_excl"),
        ("total_wrapping_tax_incl", "total_wrapping_tax_incl"),
    ] {
        values.push((to, Value::from(o.amount(from).to_string())));
    }
    let id = tx.insert(TABLE, &values)?;
    super::invoice_tax::write(tx, o, id)?;
    Ok(id)
}

/// `Order::setInvoice`: an invoice (the delivery slip's row when there is one), numbered when
/// `PS_INVOICE` is on; the carrier row, the order's lines and cart rules point to it; existing
/// payments are linked to it with `use_existing_payment`; the order keeps its number and date.
pub fn set_invoice(
    tx: &mut dyn Tx,
    o: &mut Order,
    use_existing_payment: bool,
    now: &str,
) -> StorageResult<()> {
    let numbering = settings::int(tx, "PS_INVOICE", o.shop, o.shop_group, 0)? != 0;
    let rows = invoices(tx, o.id)?;
    if has_invoice(&rows, numbering) {
        return Ok(());
    }
    let id = match rows.iter().find(|r| r.2 > 0) {
        Some(slip) => slip.0,
        None => new_invoice(tx, o, now)?,
    };
    let mut number = 0;
    if numbering {
        number = next_invoice_number(tx, o, now)?;
        tx.update(
            TABLE,
            &[("number", Value::Int(number))],
            &[("id_order_invoice", Value::Int(id))],
        )?;
    }
    let carrier = tx
        .select(&Select {
            table: "order_carrier",
            columns: &["id_order_carrier", "id_order_invoice"],
            key: vec![("id_order", Value::Int(o.id))],
            order: &["id_order_carrier"],
            ..Default::default()
        })?
        .into_iter()
        .find(|r| int(&r[1]) == 0);
    if let Some(c) = carrier {
        tx.update(
            "order_carrier",
            &[("id_order_invoice", Value::Int(id))],
            &[("id_order_carrier", c[0].clone())],
        )?;
    }
    let of_order = [("id_order", Value::Int(o.id))];
    tx.update(
        "order_detail",
        &[("id_order_invoice", Value::Int(id))],
        &of_order,
    )?;
    tx.update(
        "order_cart_rule",
        &[("id_order_invoice", Value::Int(id))],
        &of_order,
    )?;
    if use_existing_payment {
        super::payment::link_existing(tx, o, id)?;
    }
    let date_add = tx
        .select(&Select {
            table: TABLE,
            columns: &["date_add"],
            key: vec![("id_order_invoice", Value::Int(id))],
            ..Default::default()
        })?
        .first()
        .map_or_else(|| now.to_string(), |r| r[0].to_text());
    o.invoice_number = number;
    o.invoice_date = date_add;
    Ok(())
}

/// `setLastInvoiceNumber`: `PS_INVOICE_START_NUMBER` once (then emptied), else the largest
/// number + 1 — of this year's invoices with `PS_INVOICE_RESET`.
fn next_invoice_number(tx: &mut dyn Tx, o: &Order, now: &str) -> StorageResult<i64> {
    settings::lock(tx, "PS_INVOICE")?;
    if let Some(start) = settings::get(tx, "PS_INVOICE_START_NUMBER", o.shop, o.shop_group)? {
        if start.int() > 0 {
            settings::clear(tx, &start, now)?;
            return Ok(start.int());
        }
    }
    let reset = settings::int(tx, "PS_INVOICE_RESET", o.shop, o.shop_group, 0)? != 0;
    if !reset {
        let max = tx.max(TABLE, "number", &[])?;
        return Ok(max.map_or(0, |v| int(&v)) + 1);
    }
    let year = now.get(..4).unwrap_or_default();
    let max = tx
        .select(&Select {
            table: TABLE,
            columns: &["number", "date_add"],
            ..Default::default()
        })?
        .iter()
        .filter(|r| r[1].to_text().starts_with(year))
        .map(|r| int(&r[0]))
        .max()
        .unwrap_or(0);
    Ok(max + 1)
}

/// `setDeliveryNumber`: `PS_DELIVERY_NUMBER` once (then emptied), else the largest + 1.
fn next_delivery_number(tx: &mut dyn Tx, o: &Order, now: &str) -> StorageResult<i64> {
    settings::lock(tx, "PS_DELIVERY_NUMBER")?;
    if let Some(start) = settings::get(tx, "PS_DELIVERY_NUMBER", o.shop, o.shop_group)? {
        if start.int() > 0 {
            settings::clear(tx, &start, now)?;
            return Ok(start.int());
        }
    }
    let max = tx.max(TABLE, "delivery_number", &[])?;
    Ok(max.map_or(0, |v| int(&v)) + 1)
}

/// `Order::setDeliverySlip`: without an invoice, an unnumbered invoice row for the slip; the
/// order's delivery date is its date.
pub fn set_delivery_slip(tx: &mut dyn Tx, o: &mut Order, now: &str) -> StorageResult<()> {
    let numbering = settings::int(tx, "PS_INVOICE", o.shop, o.shop_group, 0)? != 0;
    let rows = invoices(tx, o.id)?;
    if has_invoice(&rows, numbering) {
        return Ok(());
    }
    // The slip's number comes from `setDelivery` (states with `delivery` run it next).
    new_invoice(tx, o, now)?;
    o.delivery_date = now.to_string();
    Ok(())
}

/// `Order::setDelivery`: every invoice row without a delivery number gets one, dated now;
/// the order keeps the last number and the date.
pub fn set_delivery(tx: &mut dyn Tx, o: &mut Order, now: &str) -> StorageResult<()> {
    for (id, _, delivery) in invoices(tx, o.id)? {
        if delivery != 0 {
            continue;
        }
        let number = next_delivery_number(tx, o, now)?;
        tx.update(
            TABLE,
            &[
                ("delivery_number", Value::Int(number)),
                ("delivery_date", Value::from(now)),
            ],
            &[("id_order_invoice", Value::Int(id))],
        )?;
        o.delivery_number = number;
    }
    o.delivery_date = now.to_string();
    Ok(())
}
