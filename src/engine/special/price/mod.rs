//! `price[alias][param]=value` on products and combinations (protocol §1.13): extra computed
//! price fields, with PrestaShop's algorithm (`Product::priceCalculation`): specific prices,
//! currency, combination impact, tax rules of the address, ecotax, rounding mode.

pub mod calc;
pub mod cart;
pub mod round;
pub mod specific;
pub mod tax;

pub use round::ps_round;

use crate::engine::behaviour::Behaviour;
use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::catalog::Resource;
use crate::engine::params::{Param, Params};
use crate::engine::render::{Entity, Projection};
use crate::engine::{ApiError, ApiResult, Ctx};
use crate::storage::{Reader, Select, StorageResult, Value};

use calc::{Data, Options};
use specific::{SpecificPrice, Wanted};
use tax::TaxRule;

use super::int;
fn applies(r: &Resource) -> bool {
    r.api == "products" || r.api == "combinations"
}

/// Names of the requested virtual fields; #128 for a name PrestaShop refuses.
pub fn virtual_names(params: &Params, r: &Resource) -> ApiResult<Vec<String>> {
    let Some(map) = params.get("price").and_then(Param::as_map) else {
        return Ok(Vec::new());
    };
    if !applies(r) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (alias, _) in map {
        let ok = !alias.is_empty()
            && alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(ApiError::bad_request(
                128,
                "Name for the virtual field is not allow",
            ));
        }
        out.push(alias.clone());
    }
    Ok(out)
}

/// A stored number as a decimal (REAL columns print their shortest exact text first).
pub fn dec(v: &Value) -> Decimal {
    match v {
        Value::Int(i) => Decimal::from(*i),
        Value::Real(f) => Decimal::from_str(&f.to_string()).unwrap_or_default(),
        Value::Text(s) => Decimal::from_str(s.trim()).unwrap_or_default(),
        Value::Null => Decimal::ZERO,
    }
}

/// PHP's `(int)` of a query value: the leading integer, 0 when there is none.
fn php_int(s: &str) -> i64 {
    let s = s.trim_start();
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let digits = &digits[..end];
    if digits.is_empty() {
        return 0;
    }
    // Out of range saturates, as PHP's cast does.
    digits
        .parse::<i64>()
        .map_or(if sign < 0 { i64::MIN } else { i64::MAX }, |n| sign * n)
}

/// PHP's `(bool)`: "" and "0" are false.
fn php_bool(s: &str) -> bool {
    !(s.is_empty() || s == "0")
}

/// The parameters of one alias, with the webservice's defaults (business rules §1.7).
struct Asked {
    attribute: Option<i64>,
    country: i64,
    state: i64,
    zipcode: String,
    currency: i64,
    group: i64,
    quantity: i64,
    /// The shop the price is for (the request's; a cart's own for carts).
    shop: i64,
    /// Customer and cart the specific prices may be restricted to (0: none).
    customer: i64,
    cart: i64,
    options: Options,
}

fn asked(opts: &[(String, Param)], ctx: &Ctx) -> Asked {
    let opt = |k: &str| {
        opts.iter()
            .find(|(n, _)| n == k)
            .and_then(|(_, v)| v.as_str())
    };
    let setting = |name: &str, default: i64| ctx.info.setting_i64(name, default);
    let int_or = |k: &str, default: i64| opt(k).map_or(default, php_int);
    let bool_or = |k: &str, default: bool| opt(k).map_or(default, php_bool);
    let round_mode = setting("PS_PRICE_ROUND_MODE", 2);
    Asked {
        attribute: opt("product_attribute").map(php_int),
        country: int_or("country", setting("PS_COUNTRY_DEFAULT", 8)),
        state: int_or("state", 0),
        // PrestaShop reads the postcode from `county` (sic).
        zipcode: opt("county").unwrap_or("0").to_string(),
        currency: int_or("currency", setting("PS_CURRENCY_DEFAULT", 1)),
        group: int_or("group", setting("PS_CUSTOMER_GROUP", 3)),
        quantity: int_or("quantity", 1),
        shop: ctx.db.shop,
        customer: 0,
        cart: 0,
        options: Options {
            use_tax: bool_or("use_tax", setting("PS_TAX", 1) != 0),
            use_reduction: bool_or("use_reduction", true),
            only_reduction: bool_or("only_reduction", false),
            with_ecotax: bool_or("use_ecotax", setting("PS_USE_ECOTAX", 0) != 0),
            // PrestaShop defaults the decimals to the rounding mode's value (seed: 2).
            decimals: int_or("decimals", round_mode).clamp(-18, 28) as i32,
            round_mode,
        },
    }
}

/// Adds the requested virtual price fields to fully rendered entities, inside an open read.
pub fn fill_with(
    rd: &mut dyn Reader,
    r: &Resource,
    p: &Projection,
    ents: &mut [Entity],
    params: &Params,
    ctx: &Ctx,
) -> StorageResult<()> {
    if p.virtuals.is_empty() || !applies(r) {
        return Ok(());
    }
    let Some(map) = params.get("price").and_then(Param::as_map) else {
        return Ok(());
    };
    for alias in &p.virtuals {
        let opts = map
            .iter()
            .find(|(a, _)| a == alias)
            .and_then(|(_, v)| v.as_map())
            .unwrap_or(&[]);
        let a = asked(opts, ctx);
        let mut rates = Rates::default();
        for ent in ents.iter_mut() {
            let (product, attribute) = if r.api == "combinations" {
                (None, ent.id)
            } else {
                (Some(ent.id), a.attribute.unwrap_or(0))
            };
            let data = load(rd, ctx, &a, &mut rates, product, attribute)?;
            let price = calc::compute(&a.options, &data);
            // sprintf('%f'): six decimals; no price at all prints as zero.
            let text = format!("{:.6}", price.unwrap_or_default());
            ent.virtuals.push((alias.clone(), text));
        }
    }
    Ok(())
}

/// What is the same for every entity of one alias: read once per batch, not per product.
#[derive(Default)]
struct Rates {
    conversion: Option<Decimal>,
    /// Tax rules group → total rate for the alias's address.
    tax: HashMap<i64, Decimal>,
    /// The catalogue-wide specific prices (`id_product` 0), the same for every product.
    catalogue: Option<Vec<SpecificPrice>>,
}

impl Rates {
    /// The requested currency's `conversion_rate` (1 when unknown or not positive).
    fn conversion(&mut self, rd: &mut dyn Reader, a: &Asked) -> StorageResult<Decimal> {
        if let Some(c) = self.conversion {
            return Ok(c);
        }
        let rate = rd
            .select(&Select {
                table: "currency",
                columns: &["conversion_rate"],
                key: vec![("id_currency", Value::Int(a.currency))],
                order: &[],
                ..Default::default()
            })?
            .first()
            .map(|r| dec(&r[0]))
            .filter(|r| *r > Decimal::ZERO)
            .unwrap_or(Decimal::ONE);
        self.conversion = Some(rate);
        Ok(rate)
    }

    fn tax(&mut self, rd: &mut dyn Reader, group: i64, a: &Asked) -> StorageResult<Decimal> {
        if let Some(rate) = self.tax.get(&group) {
            return Ok(*rate);
        }
        let rate = tax_rate(rd, group, a)?;
        self.tax.insert(group, rate);
        Ok(rate)
    }
}

/// Reads what the algorithm needs for one product (or combination) in the context's shop.
fn load(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    a: &Asked,
    rates: &mut Rates,
    product: Option<i64>,
    attribute: i64,
) -> StorageResult<Data> {
    let shop = a.shop;
    let first = |rd: &mut dyn Reader, q: Select| -> StorageResult<Option<Vec<Value>>> {
        Ok(rd.select(&q)?.into_iter().next())
    };
    let pid = match product {
        Some(p) => p,
        None => first(
            rd,
            Select {
                table: "product_attribute",
                columns: &["id_product"],
                key: vec![("id_product_attribute", Value::Int(attribute))],
                order: &[],
                ..Default::default()
            },
        )?
        .map_or(0, |r| int(&r[0])),
    };
    let mut data = Data {
        conversion: Decimal::ONE,
        currency: a.currency,
        ..Data::default()
    };
    let Some(row) = first(
        rd,
        Select {
            table: "product_shop",
            columns: &["price", "ecotax", "id_tax_rules_group"],
            key: vec![
                ("id_product", Value::Int(pid)),
                ("id_shop", Value::Int(shop)),
            ],
            order: &[],
            ..Default::default()
        },
    )?
    else {
        return Ok(data);
    };
    data.product = Some((dec(&row[0]), dec(&row[1])));
    let tax_group = int(&row[2]);
    data.tax_group = tax_group;

    // Combination 0 reads the default combination's row (PrestaShop's cache quirk).
    let attr_key = if attribute > 0 {
        vec![
            ("id_product_attribute", Value::Int(attribute)),
            ("id_shop", Value::Int(shop)),
        ]
    } else {
        vec![
            ("id_product", Value::Int(pid)),
            ("id_shop", Value::Int(shop)),
            ("default_on", Value::Int(1)),
        ]
    };
    let attr = first(
        rd,
        Select {
            table: "product_attribute_shop",
            columns: &["price", "ecotax"],
            key: attr_key,
            order: &[],
            ..Default::default()
        },
    )?;
    data.attribute = attr.as_ref().map(|r| (dec(&r[0]), dec(&r[1])));
    data.attribute_missing = attribute > 0 && attr.is_none();

    data.conversion = rates.conversion(rd, a)?;
    if ctx.info.setting_i64("PS_TAX", 1) != 0 {
        data.tax_rate = rates.tax(rd, tax_group, a)?;
        if a.options.with_ecotax {
            let eco_group = ctx.info.setting_i64("PS_ECOTAX_TAX_RULES_GROUP_ID", 0);
            data.ecotax_rate = rates.tax(rd, eco_group, a)?;
        }
    }
    if ctx.info.setting_i64("PS_SPECIFIC_PRICE_FEATURE_ACTIVE", 1) != 0 {
        data.specific = specific_price(rd, ctx, a, rates, pid, attribute)?;
    }
    Ok(data)
}

fn tax_rate(rd: &mut dyn Reader, group: i64, a: &Asked) -> StorageResult<Decimal> {
    let rules = tax_rules(rd, group, a.country)?;
    Ok(tax::total_rate(&rules, a.state, &a.zipcode))
}

/// The rules of tax rules group `group` for `country`, with their taxes' rates; none when the
/// group is not active.
pub fn tax_rules<R: Reader + ?Sized>(
    rd: &mut R,
    group: i64,
    country: i64,
) -> StorageResult<Vec<TaxRule>> {
    if group <= 0 {
        return Ok(Vec::new());
    }
    let active = rd.select(&Select {
        table: "tax_rules_group",
        columns: &["active"],
        key: vec![("id_tax_rules_group", Value::Int(group))],
        order: &[],
        ..Default::default()
    })?;
    if active.first().is_none_or(|r| int(&r[0]) == 0) {
        return Ok(Vec::new());
    }
    let rows = rd.select(&Select {
        table: "tax_rule",
        columns: &[
            "id_state",
            "zipcode_from",
            "zipcode_to",
            "behavior",
            "id_tax",
        ],
        key: vec![
            ("id_tax_rules_group", Value::Int(group)),
            ("id_country", Value::Int(country)),
        ],
        order: &["id_tax_rule"],
        ..Default::default()
    })?;
    let mut rules = Vec::with_capacity(rows.len());
    for row in rows {
        let rate = rd
            .select(&Select {
                table: "tax",
                columns: &["rate"],
                key: vec![("id_tax", row[4].clone())],
                order: &[],
                ..Default::default()
            })?
            .first()
            .map_or(Decimal::ZERO, |r| dec(&r[0]));
        rules.push(TaxRule {
            id_state: int(&row[0]),
            zipcode_from: row[1].to_text(),
            zipcode_to: row[2].to_text(),
            behavior: int(&row[3]),
            rate,
            id_tax: int(&row[4]),
        });
    }
    Ok(rules)
}

const SPECIFIC_COLUMNS: &[&str] = &[
    "id_specific_price_rule",
    "id_cart",
    "id_product",
    "id_product_attribute",
    "id_shop",
    "id_currency",
    "id_country",
    "id_group",
    "id_customer",
    "price",
    "from_quantity",
    "reduction",
    "reduction_tax",
    "reduction_type",
    "from",
    "to",
    "id_specific_price",
];

/// The `specific_price` rows of product `id` (0: the catalogue-wide ones).
fn specific_rows(rd: &mut dyn Reader, id: i64) -> StorageResult<Vec<SpecificPrice>> {
    let mut rows = Vec::new();
    for r in rd.select(&Select {
        table: "specific_price",
        columns: SPECIFIC_COLUMNS,
        key: vec![("id_product", Value::Int(id))],
        order: &[],
        ..Default::default()
    })? {
        rows.push(SpecificPrice {
            id_specific_price_rule: int(&r[0]),
            id_cart: int(&r[1]),
            id_product: int(&r[2]),
            id_product_attribute: int(&r[3]),
            id_shop: int(&r[4]),
            id_currency: int(&r[5]),
            id_country: int(&r[6]),
            id_group: int(&r[7]),
            id_customer: int(&r[8]),
            price: dec(&r[9]),
            from_quantity: int(&r[10]),
            reduction: dec(&r[11]),
            reduction_tax: int(&r[12]),
            percentage: r[13].to_text() == "percentage",
            from: r[14].to_text(),
            to: r[15].to_text(),
            id: int(&r[16]),
        });
    }
    Ok(rows)
}

fn specific_price(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    a: &Asked,
    rates: &mut Rates,
    pid: i64,
    attribute: i64,
) -> StorageResult<Option<SpecificPrice>> {
    // The product's own rows and the catalogue-wide ones (price rules: id_product 0), read
    // once per batch.
    let mut rows = specific_rows(rd, pid)?;
    if rates.catalogue.is_none() {
        rates.catalogue = Some(specific_rows(rd, 0)?);
    }
    rows.extend(rates.catalogue.iter().flatten().cloned());
    if rows.is_empty() {
        return Ok(None);
    }
    let own = rd
        .select(&Select {
            table: "specific_price_priority",
            columns: &["priority"],
            key: vec![("id_product", Value::Int(pid))],
            order: &[],
            ..Default::default()
        })?
        .first()
        .map(|r| r[0].to_text());
    let priorities = own.unwrap_or_else(|| {
        ctx.info
            .setting("PS_SPECIFIC_PRICE_PRIORITIES")
            .unwrap_or("id_group;id_currency;id_country;id_shop")
            .to_string()
    });
    // Stored dates are compared with the time truncated to the minute.
    let now = match ctx.db.now.get(..16) {
        Some(minute) => format!("{minute}:00"),
        None => ctx.db.now.clone(),
    };
    let wanted = Wanted {
        product: pid,
        attribute,
        shop: a.shop,
        currency: a.currency,
        country: a.country,
        group: a.group,
        customer: a.customer,
        cart: a.cart,
        quantity: a.quantity,
        now: &now,
        priorities: &priorities,
    };
    Ok(specific::best(&rows, &wanted).cloned())
}

/// The `price[…]` virtual fields of products and combinations.
pub struct Prices;

impl Behaviour for Prices {
    fn fill(
        &self,
        rd: &mut dyn Reader,
        r: &Resource,
        p: &Projection,
        ents: &mut [Entity],
        params: &Params,
        ctx: &Ctx,
    ) -> ApiResult<()> {
        Ok(fill_with(rd, r, p, ents, params, ctx)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_cast_like_php() {
        assert_eq!(php_int("12abc"), 12);
        assert_eq!(php_int(" -3"), -3);
        assert_eq!(php_int("abc"), 0);
        assert_eq!(php_int(""), 0);
        assert_eq!(php_int("99999999999999999999999"), i64::MAX);
        assert!(!php_bool("0") && !php_bool(""));
        assert!(php_bool("1") && php_bool("false") && php_bool("00"));
    }
}
