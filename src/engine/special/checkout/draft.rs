//! What an order is made of, worked out from its cart before anything is written: the
//! cart's own fields, its lines with their prices and taxes, the carrier and the totals.

use rust_decimal::Decimal;

/// The cart row an order copies.
#[derive(Debug, Clone, Default)]
pub struct CartRow {
    pub id: i64,
    pub customer: i64,
    pub address_delivery: i64,
    pub address_invoice: i64,
    pub currency: i64,
    pub lang: i64,
    pub shop: i64,
    pub shop_group: i64,
    pub secure_key: String,
    pub recyclable: i64,
    pub gift: i64,
    pub gift_message: String,
    pub mobile_theme: i64,
}

/// A tax of a line: `order_detail_tax`.
#[derive(Debug, Clone)]
pub struct LineTax {
    pub id_tax: i64,
    pub unit_amount: Decimal,
    pub total_amount: Decimal,
}

/// One cart row as an order line (`order_detail`).
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub product: i64,
    /// 0 for a product without combination.
    pub attribute: i64,
    pub customization: i64,
    pub quantity: i64,
    /// In the cart's language, with the combination: `Name (Size: S - Color: White)`.
    pub name: String,
    pub reference: String,
    pub supplier_reference: String,
    pub ean13: String,
    pub isbn: String,
    pub upc: String,
    pub mpn: String,
    pub weight: Decimal,
    pub unit_te: Decimal,
    pub unit_ti: Decimal,
    pub total_te: Decimal,
    pub total_ti: Decimal,
    /// Base price, tax excluded, before any reduction.
    pub original_price: Decimal,
    pub original_wholesale: Decimal,
    pub reduction_percent: Decimal,
    pub reduction_amount_te: Decimal,
    pub reduction_amount_ti: Decimal,
    pub group_reduction: Decimal,
    pub ecotax: Decimal,
    pub ecotax_tax_rate: Decimal,
    pub tax_rules_group: i64,
    pub tax_rate: Decimal,
    pub tax_name: String,
    pub tax_computation_method: i64,
    pub taxes: Vec<LineTax>,
    pub purchase_supplier_price: Decimal,
    pub additional_shipping: Decimal,
    pub is_virtual: bool,
}

/// A cart rule the order uses (`order_cart_rule`).
#[derive(Debug, Clone)]
pub struct RuleUse {
    pub id: i64,
    pub name: String,
    pub value_ti: Decimal,
    pub value_te: Decimal,
    pub free_shipping: bool,
}

/// Order totals, rounded to the currency's precision.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub products_te: Decimal,
    pub products_ti: Decimal,
    pub discounts_te: Decimal,
    pub discounts_ti: Decimal,
    pub shipping_te: Decimal,
    pub shipping_ti: Decimal,
    pub carrier_tax_rate: Decimal,
    pub wrapping_te: Decimal,
    pub wrapping_ti: Decimal,
    pub paid_te: Decimal,
    pub paid_ti: Decimal,
}

#[derive(Debug, Clone, Default)]
pub struct OrderDraft {
    pub cart: CartRow,
    /// 0 for a cart of virtual products only.
    pub carrier: i64,
    pub lines: Vec<Line>,
    pub rules: Vec<RuleUse>,
    pub totals: Totals,
    pub conversion_rate: Decimal,
    /// Currency precision (decimals of amounts).
    pub precision: u32,
}

impl OrderDraft {
    /// Σ weight × quantity of the lines (the order carrier's weight).
    pub fn weight(&self) -> Decimal {
        self.lines
            .iter()
            .map(|l| l.weight * Decimal::from(l.quantity))
            .sum()
    }
}
