//! An order's draft from its cart's summary (the totals carts compute), and its first
//! state through the state machine of order states.

use rust_decimal::Decimal;

use crate::engine::special::carts::{self, CartSummary};
use crate::engine::{ApiResult, Ctx};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::super::orders::{self, StateChange};
use super::draft::{CartRow, Line, OrderDraft, RuleUse, Totals};
use super::{errors, taxes};

/// PrestaShop has written this in `order_detail.tax_name` since taxes moved to
/// `order_detail_tax`.
const TAX_NAME: &str = "deprecated";

fn country_active(tx: &mut dyn Tx, country: i64) -> StorageResult<bool> {
    Ok(tx
        .select(&Select {
            table: "country",
            columns: &["active"],
            key: vec![("id_country", Value::Int(country))],
            ..Default::default()
        })?
        .first()
        .and_then(|r| r[0].as_i64())
        == Some(1))
}

/// What the order is made of, from the cart's summary computed inside the order's
/// transaction. Refuses a cart PrestaShop would turn into a half-made order: no products, no
/// delivery address of the customer, a country not active, no carrier.
pub fn draft(tx: &mut dyn Tx, cart: &CartRow, ctx: &Ctx) -> ApiResult<OrderDraft> {
    let s = carts::summary_in_tx(tx, ctx, cart.id)?;
    if s.lines.is_empty() {
        return Err(errors::cart_empty(cart.id));
    }
    if !s.virtual_only {
        if !s.delivery_valid {
            return Err(errors::no_delivery_address(cart.id));
        }
        if !country_active(tx, s.delivery.country)? {
            return Err(errors::country_inactive(cart.id));
        }
        if s.delivery_option.1 <= 0 {
            return Err(errors::no_carrier(cart.id));
        }
    }
    let precision = (
        s.precision as i32,
        ctx.info.setting_i64("PS_PRICE_ROUND_MODE", 2),
    );
    let mut lines = Vec::with_capacity(s.lines.len());
    let mut tax_rules = taxes::Rules::new();
    for l in &s.lines {
        let (line_taxes, method) = taxes::of_line(
            tx,
            &mut tax_rules,
            l.tax_rules_group,
            &s.tax_place,
            l.unit_te,
            l.total_te,
            precision,
        )?;
        let wholesale = l.wholesale;
        lines.push(Line {
            product: l.id_product,
            attribute: l.id_product_attribute,
            customization: l.id_customization,
            quantity: l.quantity,
            name: l.product_name(),
            reference: l.reference.clone(),
            supplier_reference: l.supplier_reference.clone(),
            ean13: l.ean13.clone(),
            isbn: l.isbn.clone(),
            upc: l.upc.clone(),
            mpn: l.mpn.clone(),
            weight: l.weight,
            unit_te: l.unit_te,
            unit_ti: l.unit_ti,
            total_te: l.total_te,
            total_ti: l.total_ti,
            original_price: l.unit_te_before_reduction,
            original_wholesale: wholesale,
            reduction_percent: l.reduction_percent,
            reduction_amount_te: l.reduction_amount_te,
            reduction_amount_ti: l.reduction_amount_ti,
            group_reduction: l.group_reduction * Decimal::ONE_HUNDRED,
            ecotax: Decimal::ZERO,
            ecotax_tax_rate: Decimal::ZERO,
            tax_rules_group: l.tax_rules_group,
            tax_rate: l.tax_rate,
            tax_name: TAX_NAME.to_string(),
            tax_computation_method: method,
            taxes: line_taxes,
            purchase_supplier_price: wholesale,
            additional_shipping: l.additional_shipping_cost,
            is_virtual: l.is_virtual,
        });
    }
    Ok(OrderDraft {
        cart: cart.clone(),
        carrier: if s.virtual_only {
            0
        } else {
            s.delivery_option.1
        },
        lines,
        rules: rules(&s),
        totals: totals(&s),
        conversion_rate: s.conversion,
        precision: s.precision,
    })
}

fn rules(s: &CartSummary) -> Vec<RuleUse> {
    s.rules
        .iter()
        .map(|a| RuleUse {
            id: a.rule.id,
            name: a.rule.name.clone(),
            value_ti: a.value_ti,
            value_te: a.value_te,
            free_shipping: a.rule.free_shipping,
        })
        .collect()
}

fn totals(s: &CartSummary) -> Totals {
    Totals {
        products_te: s.products_te,
        products_ti: s.products_ti,
        discounts_te: s.discounts_te,
        discounts_ti: s.discounts_ti,
        shipping_te: s.shipping_te,
        shipping_ti: s.shipping_ti,
        carrier_tax_rate: s.carrier_tax_rate,
        wrapping_te: s.wrapping_te,
        wrapping_ti: s.wrapping_ti,
        paid_te: s.total_te,
        paid_ti: s.total_ti,
    }
}

/// A state of the new order with all its side effects (invoice, payments taken over,
/// reserved quantities), its history row and its e-mail, as PrestaShop's validateOrder
/// applies it.
pub fn enter_state(tx: &mut dyn Tx, now: &str, order: i64, state: i64) -> ApiResult<StateChange> {
    let change = orders::change_state(tx, now, order, state, None, true)?;
    orders::add_history(tx, order, state, None, now)?;
    crate::mail::queue_state_mail(tx, order, state, &[])?;
    Ok(change)
}

/// The out-of-stock state an order enters after its first one when a line was ordered beyond
/// the stock (backorders allowed), with `PS_STOCK_MANAGEMENT` and
/// `PS_ENABLE_BACKORDER_STATUS` on: `PS_OS_OUTOFSTOCK_PAID` when the first state is a paid
/// one, else `PS_OS_OUTOFSTOCK_UNPAID`.
pub fn backorder_state(tx: &mut dyn Tx, cart: &CartRow, first: i64) -> ApiResult<Option<i64>> {
    let (shop, group) = (cart.shop, cart.shop_group);
    if orders::setting(tx, "PS_STOCK_MANAGEMENT", shop, group, 1)? == 0
        || orders::setting(tx, "PS_ENABLE_BACKORDER_STATUS", shop, group, 0)? == 0
    {
        return Ok(None);
    }
    let paid = tx
        .select(&Select {
            table: "order_state",
            columns: &["paid"],
            key: vec![("id_order_state", Value::Int(first))],
            ..Default::default()
        })?
        .first()
        .and_then(|r| r[0].as_i64())
        == Some(1);
    Ok(Some(if paid {
        orders::setting(tx, "PS_OS_OUTOFSTOCK_PAID", shop, group, 9)?
    } else {
        orders::setting(tx, "PS_OS_OUTOFSTOCK_UNPAID", shop, group, 12)?
    }))
}
