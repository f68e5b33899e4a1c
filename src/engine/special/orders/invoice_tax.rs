//! `order_invoice_tax` rows of a new invoice (`OrderInvoice::saveCarrierTaxCalculator`,
//! `saveWrappingTaxCalculator`): the tax on shipping and on gift wrapping, with the tax of
//! the carrier's (or wrapping's) tax rules group for the delivery address. Product taxes live
//! in `order_detail_tax`, written with the order's lines.

use rust_decimal::Decimal;

use crate::storage::{Select, StorageResult, Tx, Value};

use super::super::int;
use super::settings;
use super::state::Order;

pub fn write(tx: &mut dyn Tx, o: &Order, id_invoice: i64) -> StorageResult<()> {
    let shipping = o.amount("total_shipping_tax_incl") - o.amount("total_shipping_tax_excl");
    if shipping > Decimal::ZERO {
        let group = tx
            .select(&Select {
                table: "carrier_tax_rules_group_shop",
                columns: &["id_tax_rules_group"],
                key: vec![
                    ("id_carrier", Value::Int(o.carrier)),
                    ("id_shop", Value::Int(o.shop)),
                ],
                ..Default::default()
            })?
            .first()
            .map_or(0, |r| int(&r[0]));
        row(tx, o, id_invoice, "shipping", group, shipping)?;
    }
    let wrapping = o.amount("total_wrapping_tax_incl") - o.amount("total_wrapping_tax_excl");
    if wrapping > Decimal::ZERO {
        let group = settings::int(
            tx,
            "PS_GIFT_WRAPPING_TAX_RULES_GROUP",
            o.shop,
            o.shop_group,
            0,
        )?;
        row(tx, o, id_invoice, "wrapping", group, wrapping)?;
    }
    Ok(())
}

fn row(
    tx: &mut dyn Tx,
    o: &Order,
    id_invoice: i64,
    kind: &str,
    group: i64,
    amount: Decimal,
) -> StorageResult<()> {
    let Some(id_tax) = tax_of(tx, o, group)? else {
        return Ok(());
    };
    tx.insert(
        "order_invoice_tax",
        &[
            ("id_order_invoice", Value::Int(id_invoice)),
            ("type", Value::from(kind)),
            ("id_tax", Value::Int(id_tax)),
            ("amount", Value::from(amount.round_dp(6).to_string())),
        ],
    )?;
    Ok(())
}

/// The tax of a tax rules group in the delivery address's country: its state's rule first,
/// else the country's.
fn tax_of(tx: &mut dyn Tx, o: &Order, group: i64) -> StorageResult<Option<i64>> {
    if group <= 0 {
        return Ok(None);
    }
    let Some(addr) = tx
        .select(&Select {
            table: "address",
            columns: &["id_country", "id_state"],
            key: vec![("id_address", Value::Int(o.address_delivery))],
            ..Default::default()
        })?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let rules = tx.select(&Select {
        table: "tax_rule",
        columns: &["id_state", "id_tax"],
        key: vec![
            ("id_tax_rules_group", Value::Int(group)),
            ("id_country", addr[0].clone()),
        ],
        order: &["id_tax_rule"],
        ..Default::default()
    })?;
    let state = int(&addr[1]);
    let found = rules
        .iter()
        .find(|r| state != 0 && int(&r[0]) == state)
        .or_else(|| rules.iter().find(|r| int(&r[0]) == 0));
    Ok(found.map(|r| int(&r[1])).filter(|t| *t > 0))
}
