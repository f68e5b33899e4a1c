//! `Product::getPriceStatic` as a cart calls it: the cart's shop, currency, tax address,
//! customer group (with its group reduction), customer and cart for the specific prices, the
//! quantity of the product in the whole cart; six decimals, tax excluded and included.

use rust_decimal::Decimal;

use super::calc::{compute, Options};
use super::specific::SpecificPrice;
use super::{dec, load, Asked, Rates};
use crate::engine::Ctx;
use crate::storage::{Reader, Select, StorageResult, Value};

/// What a cart line's price depends on.
#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    pub shop: i64,
    pub product: i64,
    pub attribute: i64,
    pub country: i64,
    pub state: i64,
    /// "0" when the address has none.
    pub zipcode: String,
    pub currency: i64,
    pub group: i64,
    pub customer: i64,
    pub cart: i64,
    /// The line's quantity.
    pub quantity: i64,
    /// The quantity of the product in the whole cart, all combinations together.
    pub real_quantity: i64,
}

/// One unit's prices, six decimals, before and after reductions.
#[derive(Debug, Clone, Default)]
pub struct UnitPrice {
    pub te: Decimal,
    pub ti: Decimal,
    pub te_before_reduction: Decimal,
    pub ti_before_reduction: Decimal,
    /// The specific price applied, if any.
    pub specific: Option<SpecificPrice>,
    /// The group reduction applied, as a fraction.
    pub group_reduction: Decimal,
    pub tax_rate: Decimal,
    pub tax_rules_group: i64,
}

/// What stays the same across the lines of one cart (currency rate, tax rates by group).
#[derive(Default)]
pub struct UnitCache {
    rates: Rates,
    groups: Vec<(i64, i64, Decimal)>,
}

/// The unit price of a cart line, `None` when the product (or the combination) is not in
/// the shop or its figures cannot be computed with.
pub fn unit_price(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    cache: &mut UnitCache,
    q: &UnitQuery,
) -> StorageResult<Option<UnitPrice>> {
    let round_mode = ctx.info.setting_i64("PS_PRICE_ROUND_MODE", 2);
    let per_combination = ctx.info.setting_i64("PS_QTY_DISCOUNT_ON_COMBINATION", 0) != 0;
    // Quantity tiers count the product across its combinations unless told otherwise.
    let quantity = if per_combination || q.cart == 0 || q.real_quantity == 0 {
        q.quantity
    } else {
        q.real_quantity.max(1)
    };
    let options = Options {
        use_tax: false,
        use_reduction: true,
        only_reduction: false,
        with_ecotax: ctx.info.setting_i64("PS_USE_ECOTAX", 0) != 0,
        decimals: 6,
        round_mode,
    };
    let asked = Asked {
        attribute: Some(q.attribute),
        country: q.country,
        state: q.state,
        zipcode: q.zipcode.clone(),
        currency: q.currency,
        group: q.group,
        quantity,
        shop: q.shop,
        customer: q.customer,
        cart: q.cart,
        options: options.clone(),
    };
    let mut data = load(
        rd,
        ctx,
        &asked,
        &mut cache.rates,
        Some(q.product),
        q.attribute,
    )?;
    if data.product.is_none() || data.attribute_missing {
        return Ok(None);
    }
    data.group_reduction = group_reduction(rd, ctx, cache, q.product, q.group)?;
    let with_tax = Options {
        use_tax: true,
        ..options.clone()
    };
    let plain = Options {
        use_reduction: false,
        ..options.clone()
    };
    let plain_tax = Options {
        use_tax: true,
        use_reduction: false,
        ..options.clone()
    };
    let no_group = super::calc::Data {
        group_reduction: Decimal::ZERO,
        ..data.clone()
    };
    let (Some(te), Some(ti), Some(te0), Some(ti0)) = (
        compute(&options, &data),
        compute(&with_tax, &data),
        compute(&plain, &no_group),
        compute(&plain_tax, &no_group),
    ) else {
        return Ok(None);
    };
    Ok(Some(UnitPrice {
        te,
        ti,
        te_before_reduction: te0,
        ti_before_reduction: ti0,
        specific: data.specific.clone(),
        group_reduction: data.group_reduction,
        tax_rate: data.tax_rate,
        tax_rules_group: data.tax_group,
    }))
}

/// `GroupReduction::getValueForProduct`, then the group's own percentage: nothing while the
/// group feature is off (`PS_GROUP_FEATURE_ACTIVE`).
fn group_reduction(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    cache: &mut UnitCache,
    product: i64,
    group: i64,
) -> StorageResult<Decimal> {
    if ctx.info.setting_i64("PS_GROUP_FEATURE_ACTIVE", 1) == 0 || group <= 0 {
        return Ok(Decimal::ZERO);
    }
    if let Some((_, _, v)) = cache
        .groups
        .iter()
        .find(|(p, g, _)| *p == product && *g == group)
    {
        return Ok(*v);
    }
    let by_category = rd
        .select(&Select {
            table: "product_group_reduction_cache",
            columns: &["reduction"],
            key: vec![
                ("id_product", Value::Int(product)),
                ("id_group", Value::Int(group)),
            ],
            ..Default::default()
        })?
        .first()
        .map(|r| dec(&r[0]));
    let v = match by_category {
        Some(v) => v,
        None => {
            rd.select(&Select {
                table: "group",
                columns: &["reduction"],
                key: vec![("id_group", Value::Int(group))],
                ..Default::default()
            })?
            .first()
            .map_or(Decimal::ZERO, |r| dec(&r[0]))
                / Decimal::ONE_HUNDRED
        }
    };
    cache.groups.push((product, group, v));
    Ok(v)
}

/// The total tax rate of rules group `group` at the address (country, state, postcode) the
/// cache's lines are priced for (carriers, wrapping); 0 when taxes are off (`PS_TAX`).
pub fn group_rate(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    cache: &mut UnitCache,
    group: i64,
    place: (i64, i64, &str),
) -> StorageResult<Decimal> {
    if ctx.info.setting_i64("PS_TAX", 1) == 0 {
        return Ok(Decimal::ZERO);
    }
    let (country, state, zipcode) = place;
    let asked = Asked {
        attribute: None,
        country,
        state,
        zipcode: zipcode.to_string(),
        currency: 0,
        group: 0,
        quantity: 1,
        shop: ctx.db.shop,
        customer: 0,
        cart: 0,
        options: Options {
            use_tax: true,
            use_reduction: false,
            only_reduction: false,
            with_ecotax: false,
            decimals: 6,
            round_mode: 2,
        },
    };
    cache.rates.tax(rd, group, &asked)
}
