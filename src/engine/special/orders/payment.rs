//! Payments recorded by a state change (`changeIdOrderState` for `paid` states,
//! `Order::setInvoice` with existing payments): `order_payment` rows linked to invoices by
//! `order_invoice_payment`, and the order's `total_paid_real`.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use crate::engine::special::price::{dec, ps_round};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::super::int;
use super::invoice;
use super::state::Order;

/// The `displayName` of PrestaShop's payment modules, which `order_payment.payment_method`
/// gets; another module's payments carry the order's own `payment` label.
fn method_of(o: &Order) -> String {
    match o.module.as_str() {
        "ps_checkpayment" => "Payments by check".into(),
        "ps_wirepayment" => "Wire payment".into(),
        "ps_cashondelivery" => "Cash on delivery (COD)".into(),
        _ => o.payment.clone(),
    }
}

/// Links the payments of the order's reference that are not linked to this order yet to its
/// new invoice.
pub fn link_existing(tx: &mut dyn Tx, o: &Order, id_invoice: i64) -> StorageResult<()> {
    let payments = tx.select(&Select {
        table: "order_payment",
        columns: &["id_order_payment"],
        key: vec![("order_reference", Value::from(o.reference.as_str()))],
        order: &["id_order_payment"],
        ..Default::default()
    })?;
    for p in payments {
        let linked = tx
            .select(&Select {
                table: "order_invoice_payment",
                columns: &["id_order"],
                key: vec![("id_order_payment", p[0].clone())],
                ..Default::default()
            })?
            .iter()
            .any(|r| int(&r[0]) == o.id);
        if !linked {
            tx.insert_ignore(
                "order_invoice_payment",
                &[
                    ("id_order_invoice", Value::Int(id_invoice)),
                    ("id_order_payment", p[0].clone()),
                    ("id_order", Value::Int(o.id)),
                ],
            )?;
        }
    }
    Ok(())
}

/// What is paid on an invoice: the amounts of the payments linked to it.
fn paid_on(tx: &mut dyn Tx, id_invoice: i64) -> StorageResult<Decimal> {
    let ids: BTreeSet<i64> = tx
        .select(&Select {
            table: "order_invoice_payment",
            columns: &["id_order_payment"],
            key: vec![("id_order_invoice", Value::Int(id_invoice))],
            ..Default::default()
        })?
        .iter()
        .map(|r| int(&r[0]))
        .collect();
    Ok(tx
        .select(&Select {
            table: "order_payment",
            columns: &["amount"],
            any: Some((
                "id_order_payment",
                ids.iter().map(|i| Value::Int(*i)).collect(),
            )),
            ..Default::default()
        })?
        .iter()
        .map(|r| dec(&r[0]))
        .sum())
}

/// For each invoice with something left to pay (`OrderInvoice::getRestPaid`, rounded to 2
/// places): a payment of the rest, linked to the invoice, added to `total_paid_real`.
pub fn pay_rest(tx: &mut dyn Tx, o: &mut Order, now: &str) -> StorageResult<()> {
    let method = if o.amount("total_paid").is_zero() {
        String::new()
    } else {
        method_of(o)
    };
    for (id_invoice, _, _) in invoice::invoices(tx, o.id)? {
        let total = tx
            .select(&Select {
                table: "order_invoice",
                columns: &["total_paid_tax_incl"],
                key: vec![("id_order_invoice", Value::Int(id_invoice))],
                ..Default::default()
            })?
            .first()
            .map_or(Decimal::ZERO, |r| dec(&r[0]));
        let rest = ps_round(total - paid_on(tx, id_invoice)?, 2, 2);
        if rest <= Decimal::ZERO {
            continue;
        }
        let reference: String = o.reference.chars().take(9).collect();
        let payment = insert(
            tx,
            &reference,
            o.currency,
            (rest, &o.conversion_rate),
            &method,
            now,
        )?;
        tx.insert(
            "order_invoice_payment",
            &[
                ("id_order_invoice", Value::Int(id_invoice)),
                ("id_order_payment", Value::Int(payment)),
                ("id_order", Value::Int(o.id)),
            ],
        )?;
        o.total_paid_real += rest;
    }
    Ok(())
}

/// An `order_payment` row (no card details, no employee); its id.
pub fn insert(
    tx: &mut dyn Tx,
    reference: &str,
    currency: i64,
    (amount, conversion_rate): (Decimal, &str),
    method: &str,
    now: &str,
) -> StorageResult<i64> {
    tx.insert(
        "order_payment",
        &[
            ("order_reference", Value::from(reference)),
            ("id_currency", Value::Int(currency)),
            ("amount", Value::from(amount.round_dp(6).to_string())),
            ("payment_method", Value::from(method)),
            ("conversion_rate", Value::from(conversion_rate)),
            ("transaction_id", Value::from("")),
            ("card_number", Value::from("")),
            ("card_brand", Value::from("")),
            ("card_expiration", Value::from("")),
            ("card_holder", Value::from("")),
            ("date_add", Value::from(now)),
            ("id_employee", Value::Int(0)),
        ],
    )
}
