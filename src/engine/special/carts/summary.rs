//! A cart's totals as PrestaShop computes them (`Cart::getOrderTotal` through its
//! calculator): lines, cart rules, the delivery option and its shipping, wrapping, totals.
//! [`summary`] is what order creation calls, inside its own transaction.

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::engine::special::price::cart::group_rate;
use crate::engine::special::price::round::ps_round;
use crate::engine::{ApiResult, Ctx};
use crate::storage::Reader;

use super::carriers::{self, Basis, CarrierOption};
use super::context::{self, Place, Scope};
use super::lines::{self, Line};
use super::rule_data::Rule;
use super::rules::{self, Applied, Facts};

/// Everything about a cart's totals; amounts in the cart's currency, rounded to its
/// precision except unit prices (six decimals).
#[derive(Debug, Clone, Default)]
pub struct CartSummary {
    pub id_cart: i64,
    pub id_shop: i64,
    pub id_lang: i64,
    pub id_currency: i64,
    pub id_customer: i64,
    pub id_address_delivery: i64,
    pub id_address_invoice: i64,
    /// The customer group prices were computed for.
    pub id_group: i64,
    pub lines: Vec<Line>,
    pub products_te: Decimal,
    pub products_ti: Decimal,
    pub rules: Vec<Applied>,
    pub discounts_te: Decimal,
    pub discounts_ti: Decimal,
    /// The delivery option in force: (delivery address, carrier); carrier 0 when none is
    /// available (or the cart is virtual).
    pub delivery_option: (i64, i64),
    pub shipping_te: Decimal,
    pub shipping_ti: Decimal,
    pub carrier_tax_rate: Decimal,
    pub wrapping_te: Decimal,
    pub wrapping_ti: Decimal,
    pub total_te: Decimal,
    pub total_ti: Decimal,
    /// Total weight of the lines that ship.
    pub weight: Decimal,
    pub virtual_only: bool,
    /// Carriers offered for the delivery address, each with its price for this cart.
    pub carriers: Vec<CarrierOption>,
    /// Where taxes were computed, and the delivery address (the default country's when the
    /// address is not the customer's: then `delivery_valid` is false).
    pub tax_place: Place,
    pub delivery: Place,
    pub delivery_valid: bool,
    /// The currency's decimals and rate to the default currency.
    pub precision: u32,
    pub conversion: Decimal,
}

/// The carrier of the stored delivery option for `address` when it is offered, else the
/// default carrier (`PS_CARRIER_DEFAULT`) when offered, else the first offered.
fn resolve(ctx: &Ctx, stored: &str, address: i64, offered: &[CarrierOption]) -> i64 {
    let chosen = serde_json::from_str::<serde_json::Value>(stored)
        .ok()
        .and_then(|v| {
            v.get(address.to_string())
                .and_then(|c| c.as_str().map(str::to_string))
        })
        .and_then(|s| s.split(',').find_map(|c| c.trim().parse::<i64>().ok()));
    let is_offered = |id: i64| offered.iter().any(|c| c.id_carrier == id);
    if let Some(c) = chosen.filter(|c| is_offered(*c)) {
        return c;
    }
    let default = ctx.info.setting_i64("PS_CARRIER_DEFAULT", 1);
    if is_offered(default) {
        return default;
    }
    offered.first().map_or(0, |c| c.id_carrier)
}

fn option_of(offered: &[CarrierOption], id: i64) -> Option<&CarrierOption> {
    offered.iter().find(|c| c.id_carrier == id)
}

/// Computes the totals of cart `id_cart` (404 when it does not exist).
pub fn summary(rd: &mut dyn Reader, ctx: &Ctx, id_cart: i64) -> ApiResult<CartSummary> {
    let mut sc = context::scope(rd, ctx, id_cart)?;
    let rows = lines::rows(rd, id_cart, sc.cart.shop)?;
    let mut lines = lines::price_lines(rd, ctx, &mut sc, &rows)?;
    let address = sc.delivery.id_address;
    let before = products(&lines);
    let offered = carriers::options(rd, ctx, &mut sc, &lines, &Basis::of(&lines, before.1))?;
    let carrier = resolve(ctx, &sc.cart.delivery_option, address, &offered);
    let chosen = option_of(&offered, carrier);
    let facts = Facts {
        carrier_reference: chosen.map_or(0, |c| c.id_reference),
        products_te: before.0,
        products_ti: before.1,
        shipping_te: chosen.map_or(Decimal::ZERO, |c| c.price_te),
        shipping_ti: chosen.map_or(Decimal::ZERO, |c| c.price_ti),
    };
    let valid = rules::valid(rd, ctx, &sc, &lines, &facts)?;
    add_gifts(rd, ctx, &mut sc, &mut lines, &valid)?;
    let applied = rules::apply(rd, &sc, &lines, valid)?;
    let (products_te, products_ti) = products(&lines);
    let discounts_ti: Decimal = applied.iter().map(|a| a.value_ti).sum();
    // Price ranges see the products less the discounts; recomputed only when they differ.
    let offered = if discounts_ti.is_zero() && products_ti == before.1 {
        offered
    } else {
        let basis = Basis::of(&lines, products_ti - discounts_ti);
        carriers::options(rd, ctx, &mut sc, &lines, &basis)?
    };
    let carrier = resolve(ctx, &sc.cart.delivery_option, address, &offered);
    let chosen = option_of(&offered, carrier).cloned().unwrap_or_default();
    let basis = Basis::of(&lines, products_ti - discounts_ti);
    let mut s = CartSummary {
        id_cart,
        id_shop: sc.cart.shop,
        id_lang: sc.cart.lang,
        id_currency: sc.cart.currency,
        id_customer: sc.cart.customer,
        id_address_delivery: sc.cart.address_delivery,
        id_address_invoice: sc.cart.address_invoice,
        id_group: sc.group,
        products_te,
        products_ti,
        delivery_option: (address, carrier),
        shipping_te: chosen.price_te,
        shipping_ti: chosen.price_ti,
        carrier_tax_rate: chosen.tax_rate,
        weight: basis.weight,
        virtual_only: basis.virtual_only,
        tax_place: sc.tax.clone(),
        delivery: sc.delivery.clone(),
        delivery_valid: sc.delivery_valid,
        precision: sc.precision,
        conversion: sc.conversion,
        ..CartSummary::default()
    };
    let mut applied = applied;
    // Shipping is taken off once, however many rules offer it.
    if let Some(a) = applied.iter_mut().find(|a| a.rule.free_shipping) {
        a.value_te += s.shipping_te;
        a.value_ti += s.shipping_ti;
    }
    s.discounts_te = applied
        .iter()
        .map(|a| a.value_te)
        .sum::<Decimal>()
        .min(products_te + s.shipping_te);
    s.discounts_ti = applied
        .iter()
        .map(|a| a.value_ti)
        .sum::<Decimal>()
        .min(products_ti + s.shipping_ti);
    wrapping(rd, ctx, &mut sc, &mut s)?;
    let (p, m) = (sc.precision as i32, sc.round_mode);
    s.total_te = ps_round(
        products_te - s.discounts_te + s.shipping_te + s.wrapping_te,
        p,
        m,
    )
    .max(Decimal::ZERO);
    s.total_ti = ps_round(
        products_ti - s.discounts_ti + s.shipping_ti + s.wrapping_ti,
        p,
        m,
    )
    .max(Decimal::ZERO);
    s.products_te = ps_round(products_te, p, m);
    s.products_ti = ps_round(products_ti, p, m);
    s.rules = applied;
    s.lines = lines;
    s.carriers = offered;
    Ok(s)
}

/// Σ line totals, tax excluded and included.
fn products(lines: &[Line]) -> (Decimal, Decimal) {
    lines
        .iter()
        .fold((Decimal::ZERO, Decimal::ZERO), |(te, ti), l| {
            (te + l.total_te, ti + l.total_ti)
        })
}

/// One unit of each gift product of the valid rules, as a line of its own.
fn add_gifts(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    sc: &mut Scope,
    lines: &mut Vec<Line>,
    valid: &[(Rule, Option<HashSet<usize>>)],
) -> ApiResult<()> {
    let gifts: Vec<(i64, i64, i64, i64)> = valid
        .iter()
        .filter(|(r, _)| r.gift_product > 0)
        .map(|(r, _)| (r.gift_product, r.gift_product_attribute, 0, 1))
        .collect();
    if gifts.is_empty() {
        return Ok(());
    }
    for mut line in lines::price_lines(rd, ctx, sc, &gifts)? {
        line.gift = true;
        lines.push(line);
    }
    Ok(())
}

/// Gift wrapping (`PS_GIFT_WRAPPING_PRICE`, taxed with `PS_GIFT_WRAPPING_TAX_RULES_GROUP`)
/// when the cart is a gift.
fn wrapping(rd: &mut dyn Reader, ctx: &Ctx, sc: &mut Scope, s: &mut CartSummary) -> ApiResult<()> {
    if !sc.cart.gift {
        return Ok(());
    }
    let fee = ctx
        .info
        .setting("PS_GIFT_WRAPPING_PRICE")
        .and_then(|v| v.trim().parse::<Decimal>().ok())
        .unwrap_or_default()
        * sc.conversion;
    let group = ctx.info.setting_i64("PS_GIFT_WRAPPING_TAX_RULES_GROUP", 0);
    let rate = if group > 0 {
        let place = (sc.tax.country, sc.tax.state, sc.tax.zipcode.clone());
        group_rate(rd, ctx, &mut sc.prices, group, (place.0, place.1, &place.2))?
    } else {
        Decimal::ZERO
    };
    let (p, m) = (sc.precision as i32, sc.round_mode);
    s.wrapping_te = ps_round(fee, p, m);
    s.wrapping_ti = ps_round(fee * (Decimal::ONE + rate / Decimal::ONE_HUNDRED), p, m);
    Ok(())
}
