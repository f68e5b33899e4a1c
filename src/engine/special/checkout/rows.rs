//! The rows of a new order, from its draft: the `orders` row itself (the generic writer
//! inserted it with the posted values; here it gets the cart's), one `order_detail` per
//! line with its `order_detail_tax` rows, the `order_carrier`, the payment, the cart rules
//! used, and the sales counters.

use rust_decimal::Decimal;

use crate::storage::{StorageResult, Tx, Value};

use super::draft::{Line, OrderDraft};

/// PrestaShop's "no date yet".
const NO_DATE: &str = "0000-00-00 00:00:00";

/// An amount as PrestaShop's decimal(20,6) columns hold it.
pub fn money(d: Decimal) -> Value {
    Value::Text(format!("{:.6}", d.round_dp(6)))
}

fn text_or_null(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::from(s)
    }
}

/// What the order row is given besides its draft.
pub struct Header<'a> {
    pub reference: &'a str,
    pub customer_key: &'a str,
    pub payment: &'a str,
    pub module: &'a str,
    pub round_mode: i64,
    pub round_type: i64,
    pub now: &'a str,
}

/// Rewrites the `orders` row with what the cart says (posted totals are not kept).
pub fn order(tx: &mut dyn Tx, id: i64, d: &OrderDraft, h: &Header) -> StorageResult<()> {
    let c = &d.cart;
    let t = &d.totals;
    tx.update(
        "orders",
        &[
            ("reference", Value::from(h.reference)),
            ("id_shop_group", Value::Int(c.shop_group)),
            ("id_shop", Value::Int(c.shop)),
            ("id_carrier", Value::Int(d.carrier)),
            ("id_lang", Value::Int(c.lang)),
            ("id_customer", Value::Int(c.customer)),
            ("id_cart", Value::Int(c.id)),
            ("id_currency", Value::Int(c.currency)),
            ("id_address_delivery", Value::Int(c.address_delivery)),
            ("id_address_invoice", Value::Int(c.address_invoice)),
            ("current_state", Value::Int(0)),
            ("secure_key", Value::from(h.customer_key)),
            ("payment", Value::from(h.payment)),
            ("conversion_rate", money(d.conversion_rate)),
            ("module", Value::from(h.module)),
            ("recyclable", Value::Int(c.recyclable)),
            ("gift", Value::Int(c.gift)),
            ("gift_message", Value::from(c.gift_message.as_str())),
            ("mobile_theme", Value::Int(c.mobile_theme)),
            ("total_discounts", money(t.discounts_ti)),
            ("total_discounts_tax_incl", money(t.discounts_ti)),
            ("total_discounts_tax_excl", money(t.discounts_te)),
            ("total_paid", money(t.paid_ti)),
            ("total_paid_tax_incl", money(t.paid_ti)),
            ("total_paid_tax_excl", money(t.paid_te)),
            ("total_paid_real", money(Decimal::ZERO)),
            ("total_products", money(t.products_te)),
            ("total_products_wt", money(t.products_ti)),
            ("total_shipping", money(t.shipping_ti)),
            ("total_shipping_tax_incl", money(t.shipping_ti)),
            ("total_shipping_tax_excl", money(t.shipping_te)),
            (
                "carrier_tax_rate",
                Value::Text(format!("{:.3}", t.carrier_tax_rate)),
            ),
            ("total_wrapping", money(t.wrapping_ti)),
            ("total_wrapping_tax_incl", money(t.wrapping_ti)),
            ("total_wrapping_tax_excl", money(t.wrapping_te)),
            ("round_mode", Value::Int(h.round_mode)),
            ("round_type", Value::Int(h.round_type)),
            ("invoice_number", Value::Int(0)),
            ("delivery_number", Value::Int(0)),
            ("invoice_date", Value::from(NO_DATE)),
            ("delivery_date", Value::from(NO_DATE)),
            ("valid", Value::Int(0)),
            ("date_add", Value::from(h.now)),
            ("date_upd", Value::from(h.now)),
        ],
        &[("id_order", Value::Int(id))],
    )?;
    Ok(())
}

/// One `order_detail` row and its taxes. `in_stock`: the quantity there was to take.
pub fn detail(
    tx: &mut dyn Tx,
    order: i64,
    shop: i64,
    l: &Line,
    in_stock: i64,
) -> StorageResult<i64> {
    let attribute = if l.attribute > 0 {
        Value::Int(l.attribute)
    } else {
        Value::Null
    };
    let id = tx.insert(
        "order_detail",
        &[
            ("id_order", Value::Int(order)),
            ("id_order_invoice", Value::Int(0)),
            ("id_warehouse", Value::Int(0)),
            ("id_shop", Value::Int(shop)),
            ("product_id", Value::Int(l.product)),
            ("product_attribute_id", attribute),
            ("id_customization", Value::Int(l.customization)),
            ("product_name", Value::from(l.name.as_str())),
            ("product_quantity", Value::Int(l.quantity)),
            (
                "product_quantity_in_stock",
                Value::Int(in_stock.min(l.quantity)),
            ),
            ("product_quantity_refunded", Value::Int(0)),
            ("product_quantity_return", Value::Int(0)),
            ("product_quantity_reinjected", Value::Int(0)),
            ("product_price", money(l.unit_te)),
            (
                "reduction_percent",
                Value::Text(format!("{:.2}", l.reduction_percent)),
            ),
            ("reduction_amount", money(l.reduction_amount_ti)),
            ("reduction_amount_tax_incl", money(l.reduction_amount_ti)),
            ("reduction_amount_tax_excl", money(l.reduction_amount_te)),
            (
                "group_reduction",
                Value::Text(format!("{:.2}", l.group_reduction)),
            ),
            ("product_quantity_discount", money(Decimal::ZERO)),
            ("product_ean13", text_or_null(&l.ean13)),
            ("product_isbn", text_or_null(&l.isbn)),
            ("product_upc", text_or_null(&l.upc)),
            ("product_mpn", text_or_null(&l.mpn)),
            ("product_reference", text_or_null(&l.reference)),
            (
                "product_supplier_reference",
                text_or_null(&l.supplier_reference),
            ),
            ("product_weight", money(l.weight)),
            ("id_tax_rules_group", Value::Int(l.tax_rules_group)),
            (
                "tax_computation_method",
                Value::Int(l.tax_computation_method),
            ),
            ("tax_name", Value::from(l.tax_name.as_str())),
            ("tax_rate", Value::Text(format!("{:.3}", l.tax_rate))),
            ("ecotax", money(l.ecotax)),
            (
                "ecotax_tax_rate",
                Value::Text(format!("{:.3}", l.ecotax_tax_rate)),
            ),
            ("discount_quantity_applied", Value::Int(0)),
            ("download_hash", Value::Null),
            ("download_nb", Value::Int(0)),
            ("download_deadline", Value::Null),
            ("total_price_tax_incl", money(l.total_ti)),
            ("total_price_tax_excl", money(l.total_te)),
            ("unit_price_tax_incl", money(l.unit_ti)),
            ("unit_price_tax_excl", money(l.unit_te)),
            (
                "total_shipping_price_tax_incl",
                money(l.additional_shipping),
            ),
            (
                "total_shipping_price_tax_excl",
                money(l.additional_shipping),
            ),
            ("purchase_supplier_price", money(l.purchase_supplier_price)),
            ("original_product_price", money(l.original_price)),
            ("original_wholesale_price", money(l.original_wholesale)),
            ("total_refunded_tax_excl", money(Decimal::ZERO)),
            ("total_refunded_tax_incl", money(Decimal::ZERO)),
        ],
    )?;
    for t in &l.taxes {
        tx.insert(
            "order_detail_tax",
            &[
                ("id_order_detail", Value::Int(id)),
                ("id_tax", Value::Int(t.id_tax)),
                ("unit_amount", money(t.unit_amount)),
                ("total_amount", money(t.total_amount)),
            ],
        )?;
    }
    Ok(id)
}

pub fn carrier(tx: &mut dyn Tx, order: i64, d: &OrderDraft, now: &str) -> StorageResult<()> {
    if d.carrier <= 0 {
        return Ok(());
    }
    tx.insert(
        "order_carrier",
        &[
            ("id_order", Value::Int(order)),
            ("id_carrier", Value::Int(d.carrier)),
            ("id_order_invoice", Value::Int(0)),
            ("weight", money(d.weight())),
            ("shipping_cost_tax_excl", money(d.totals.shipping_te)),
            ("shipping_cost_tax_incl", money(d.totals.shipping_ti)),
            ("tracking_number", Value::from("")),
            ("date_add", Value::from(now)),
        ],
    )?;
    Ok(())
}

/// The amount the client says was paid, recorded as PrestaShop does when the order's first
/// state is a validated one, even if it does not match the total.
pub fn payment(
    tx: &mut dyn Tx,
    order: i64,
    d: &OrderDraft,
    reference: &str,
    method: &str,
    amount: Decimal,
    now: &str,
) -> StorageResult<()> {
    let rate = format!("{:.6}", d.conversion_rate.round_dp(6));
    super::super::orders::insert_payment(
        tx,
        reference,
        d.cart.currency,
        (amount, &rate),
        method,
        now,
    )?;
    tx.update(
        "orders",
        &[("total_paid_real", money(amount))],
        &[("id_order", Value::Int(order))],
    )?;
    Ok(())
}

/// The cart rules used: `order_cart_rule` rows, one use fewer of each rule.
pub fn cart_rules(tx: &mut dyn Tx, order: i64, d: &OrderDraft) -> StorageResult<()> {
    for r in &d.rules {
        tx.insert(
            "order_cart_rule",
            &[
                ("id_order", Value::Int(order)),
                ("id_cart_rule", Value::Int(r.id)),
                ("id_order_invoice", Value::Int(0)),
                ("name", Value::from(r.name.as_str())),
                ("value", money(r.value_ti)),
                ("value_tax_excl", money(r.value_te)),
                ("free_shipping", Value::Int(i64::from(r.free_shipping))),
                ("deleted", Value::Int(0)),
            ],
        )?;
        tx.increment(
            "cart_rule",
            &[("quantity", -1)],
            &[],
            &[("id_cart_rule", Value::Int(r.id))],
        )?;
    }
    Ok(())
}

/// `product_sale`: units sold and sales per product, for a validated order (one sale per
/// line, as PrestaShop counts them).
pub fn sales(tx: &mut dyn Tx, d: &OrderDraft, today: &str) -> StorageResult<()> {
    for l in &d.lines {
        super::super::orders::add_sale(tx, l.product, l.quantity, today)?;
    }
    Ok(())
}
