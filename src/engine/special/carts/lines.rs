//! The cart's lines: its `cart_product` rows with what an order line needs (names,
//! references, weights) and their prices (`Product::getPriceStatic` per line, then
//! `PS_ROUND_TYPE`), read in a few batched selects whatever the number of lines.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::engine::special::price::cart::{unit_price, UnitQuery};
use crate::engine::special::price::round::ps_round;
use crate::engine::special::price::specific::SpecificPrice;
use crate::engine::{ApiResult, Ctx};
use crate::storage::{Reader, Select, Value};

use super::context::Scope;
use super::{dec, int};

/// One line of the cart, priced.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub id_product: i64,
    pub id_product_attribute: i64,
    pub id_customization: i64,
    pub quantity: i64,
    /// The product's name in the cart's language, with "Group: Value - Group: Value".
    pub name: String,
    pub attributes: String,
    pub reference: String,
    pub ean13: String,
    pub upc: String,
    pub isbn: String,
    pub mpn: String,
    pub supplier_reference: String,
    pub id_manufacturer: i64,
    pub id_supplier: i64,
    /// Unit weight (product + combination impact).
    pub weight: Decimal,
    pub is_virtual: bool,
    /// The product's width, height and depth (carriers' maximum sizes).
    pub size: [Decimal; 3],
    pub additional_shipping_cost: Decimal,
    /// What the merchant paid: the combination's wholesale price when it has one, else the
    /// product's (kept on the order line).
    pub wholesale: Decimal,
    pub unit_te_before_reduction: Decimal,
    pub unit_ti_before_reduction: Decimal,
    pub unit_te: Decimal,
    pub unit_ti: Decimal,
    pub specific: Option<SpecificPrice>,
    /// The specific price's reduction: a percentage (20 = 20 %) or an amount per unit, tax
    /// excluded and included.
    pub reduction_percent: Decimal,
    pub reduction_amount_te: Decimal,
    pub reduction_amount_ti: Decimal,
    /// The group reduction applied, as a fraction (0.1 = 10 %).
    pub group_reduction: Decimal,
    pub tax_rate: Decimal,
    pub tax_rules_group: i64,
    pub total_te: Decimal,
    pub total_ti: Decimal,
    /// Added by a cart rule's gift (not a row of the cart).
    pub gift: bool,
    /// The attribute ids of the combination (product restrictions of cart rules).
    pub attribute_ids: Vec<i64>,
}

impl Line {
    /// The name an order line gets: "Name (Group: Value - Group: Value)" for a combination.
    pub fn product_name(&self) -> String {
        if self.attributes.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.attributes)
        }
    }
}

/// The rows of `cart_product` for the cart and its shop: (product, combination,
/// customization, quantity), in the order PrestaShop lists them.
pub fn rows(rd: &mut dyn Reader, cart: i64, shop: i64) -> ApiResult<Vec<(i64, i64, i64, i64)>> {
    Ok(rd
        .select(&Select {
            table: "cart_product",
            columns: &[
                "id_product",
                "id_product_attribute",
                "id_customization",
                "quantity",
            ],
            key: vec![("id_cart", Value::Int(cart)), ("id_shop", Value::Int(shop))],
            order: &["date_add", "id_product"],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), int(&r[1]), int(&r[2]), int(&r[3])))
        .collect())
}

fn ids(v: impl Iterator<Item = i64>) -> Vec<Value> {
    let mut out: Vec<i64> = v.filter(|i| *i > 0).collect();
    out.sort_unstable();
    out.dedup();
    out.into_iter().map(Value::Int).collect()
}

/// Builds and prices the lines of `rows` (product, combination, customization, quantity).
pub fn price_lines(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    sc: &mut Scope,
    rows: &[(i64, i64, i64, i64)],
) -> ApiResult<Vec<Line>> {
    let products = ids(rows.iter().map(|r| r.0));
    let attrs = ids(rows.iter().map(|r| r.1));
    let shop = sc.cart.shop;
    let mut prod: HashMap<i64, Vec<Value>> = HashMap::new();
    for r in rd.select(&Select {
        table: "product",
        columns: &[
            "id_product",
            "reference",
            "ean13",
            "upc",
            "isbn",
            "mpn",
            "weight",
            "is_virtual",
            "id_manufacturer",
            "id_supplier",
            "width",
            "height",
            "depth",
            "supplier_reference",
            "wholesale_price",
        ],
        any: Some(("id_product", products.clone())),
        ..Default::default()
    })? {
        prod.insert(int(&r[0]), r);
    }
    let mut extra: HashMap<i64, Decimal> = HashMap::new();
    for r in rd.select(&Select {
        table: "product_shop",
        columns: &["id_product", "additional_shipping_cost"],
        key: vec![("id_shop", Value::Int(shop))],
        any: Some(("id_product", products.clone())),
        ..Default::default()
    })? {
        extra.insert(int(&r[0]), dec(&r[1]));
    }
    let mut names: HashMap<i64, String> = HashMap::new();
    for r in rd.select(&Select {
        table: "product_lang",
        columns: &["id_product", "name"],
        key: vec![
            ("id_shop", Value::Int(shop)),
            ("id_lang", Value::Int(sc.cart.lang)),
        ],
        any: Some(("id_product", products)),
        ..Default::default()
    })? {
        names.insert(int(&r[0]), r[1].to_text());
    }
    let mut comb: HashMap<i64, Vec<Value>> = HashMap::new();
    for r in rd.select(&Select {
        table: "product_attribute",
        columns: &[
            "id_product_attribute",
            "reference",
            "ean13",
            "upc",
            "isbn",
            "mpn",
            "weight",
            "supplier_reference",
            "wholesale_price",
        ],
        any: Some(("id_product_attribute", attrs.clone())),
        ..Default::default()
    })? {
        comb.insert(int(&r[0]), r);
    }
    let labels = attribute_labels(rd, sc.cart.lang, &attrs)?;

    let mut real: HashMap<i64, i64> = HashMap::new();
    for r in rows {
        *real.entry(r.0).or_default() += r.3;
    }
    let mut out = Vec::with_capacity(rows.len());
    for &(product, attribute, customization, quantity) in rows {
        let p = prod.get(&product);
        let c = comb.get(&attribute);
        let text = |row: Option<&Vec<Value>>, i: usize| row.map(|r| r[i].to_text());
        let pick = |i: usize, j: usize| {
            text(c, j)
                .filter(|s| !s.is_empty())
                .or_else(|| text(p, i))
                .unwrap_or_default()
        };
        let (label, attribute_ids) = labels.get(&attribute).cloned().unwrap_or_default();
        let mut line = Line {
            id_product: product,
            id_product_attribute: attribute,
            id_customization: customization,
            quantity,
            name: names.get(&product).cloned().unwrap_or_default(),
            attributes: label,
            reference: pick(1, 1),
            ean13: pick(2, 2),
            upc: pick(3, 3),
            isbn: pick(4, 4),
            mpn: pick(5, 5),
            supplier_reference: pick(13, 7),
            weight: p.map_or(Decimal::ZERO, |r| dec(&r[6]))
                + c.map_or(Decimal::ZERO, |r| dec(&r[6])),
            is_virtual: p.is_some_and(|r| int(&r[7]) != 0),
            id_manufacturer: p.map_or(0, |r| int(&r[8])),
            id_supplier: p.map_or(0, |r| int(&r[9])),
            size: [10, 11, 12].map(|i| p.map_or(Decimal::ZERO, |r| dec(&r[i]))),
            additional_shipping_cost: extra.get(&product).copied().unwrap_or_default(),
            wholesale: c
                .map(|r| dec(&r[8]))
                .filter(|w| *w > Decimal::ZERO)
                .unwrap_or_else(|| p.map_or(Decimal::ZERO, |r| dec(&r[14]))),
            attribute_ids,
            ..Line::default()
        };
        price_line(
            rd,
            ctx,
            sc,
            &mut line,
            real.get(&product).copied().unwrap_or(quantity),
        )?;
        out.push(line);
    }
    Ok(out)
}

/// Prices one line: unit prices with six decimals, line totals per `PS_ROUND_TYPE`.
pub fn price_line(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    sc: &mut Scope,
    line: &mut Line,
    real_quantity: i64,
) -> ApiResult<()> {
    let q = UnitQuery {
        shop: sc.cart.shop,
        product: line.id_product,
        attribute: line.id_product_attribute,
        country: sc.tax.country,
        state: sc.tax.state,
        zipcode: sc.tax.zipcode.clone(),
        currency: sc.cart.currency,
        group: sc.group,
        customer: sc.cart.customer,
        cart: sc.cart.id,
        quantity: line.quantity,
        real_quantity,
    };
    let Some(u) = unit_price(rd, ctx, &mut sc.prices, &q)? else {
        return Ok(());
    };
    let qty = Decimal::from(line.quantity);
    let (p, m) = (sc.precision as i32, sc.round_mode);
    let total = |unit: Decimal| match sc.round_type {
        1 => ps_round(unit, p, m) * qty,
        3 => unit * qty,
        _ => ps_round(unit * qty, p, m),
    };
    line.total_te = total(u.te);
    line.total_ti = total(u.ti);
    line.unit_te = u.te;
    line.unit_ti = u.ti;
    line.unit_te_before_reduction = u.te_before_reduction;
    line.unit_ti_before_reduction = u.ti_before_reduction;
    if let Some(sp) = u.specific.as_ref().filter(|s| s.reduction > Decimal::ZERO) {
        let factor = Decimal::ONE + u.tax_rate / Decimal::ONE_HUNDRED;
        if sp.percentage {
            line.reduction_percent = sp.reduction * Decimal::ONE_HUNDRED;
        } else {
            let amount = if sp.id_currency == 0 {
                sp.reduction * sc.conversion
            } else {
                sp.reduction
            };
            (line.reduction_amount_te, line.reduction_amount_ti) = if sp.reduction_tax == 1 {
                (ps_round(amount / factor, 6, m), amount)
            } else {
                (amount, ps_round(amount * factor, 6, m))
            };
        }
    }
    line.specific = u.specific;
    line.group_reduction = u.group_reduction;
    line.tax_rate = u.tax_rate;
    line.tax_rules_group = u.tax_rules_group;
    Ok(())
}

/// For each combination: "Group: Value - Group: Value" in `lang` and its attribute ids.
fn attribute_labels(
    rd: &mut dyn Reader,
    lang: i64,
    attrs: &[Value],
) -> ApiResult<HashMap<i64, (String, Vec<i64>)>> {
    let mut out = HashMap::new();
    if attrs.is_empty() {
        return Ok(out);
    }
    let links = rd.select(&Select {
        table: "product_attribute_combination",
        columns: &["id_product_attribute", "id_attribute"],
        any: Some(("id_product_attribute", attrs.to_vec())),
        ..Default::default()
    })?;
    let attribute_ids = ids(links.iter().map(|r| int(&r[1])));
    // Attribute → (group, its position).
    let mut group_of: HashMap<i64, i64> = HashMap::new();
    let mut position: HashMap<i64, i64> = HashMap::new();
    for r in rd.select(&Select {
        table: "attribute",
        columns: &["id_attribute", "id_attribute_group", "position"],
        any: Some(("id_attribute", attribute_ids.clone())),
        ..Default::default()
    })? {
        group_of.insert(int(&r[0]), int(&r[1]));
        position.insert(int(&r[0]), int(&r[2]));
    }
    let mut group_position: HashMap<i64, i64> = HashMap::new();
    for r in rd.select(&Select {
        table: "attribute_group",
        columns: &["id_attribute_group", "position"],
        any: Some(("id_attribute_group", ids(group_of.values().copied()))),
        ..Default::default()
    })? {
        group_position.insert(int(&r[0]), int(&r[1]));
    }
    let mut value: HashMap<i64, String> = HashMap::new();
    for r in rd.select(&Select {
        table: "attribute_lang",
        columns: &["id_attribute", "name"],
        key: vec![("id_lang", Value::Int(lang))],
        any: Some(("id_attribute", attribute_ids)),
        ..Default::default()
    })? {
        value.insert(int(&r[0]), r[1].to_text());
    }
    let mut group: HashMap<i64, String> = HashMap::new();
    for r in rd.select(&Select {
        table: "attribute_group_lang",
        columns: &["id_attribute_group", "public_name"],
        key: vec![("id_lang", Value::Int(lang))],
        any: Some(("id_attribute_group", ids(group_of.values().copied()))),
        ..Default::default()
    })? {
        group.insert(int(&r[0]), r[1].to_text());
    }
    // Groups by position, then attributes by position (Cart::cacheSomeAttributesLists).
    let mut per: HashMap<i64, Vec<(i64, i64, i64, i64)>> = HashMap::new();
    for r in &links {
        let a = int(&r[1]);
        let g = group_of.get(&a).copied().unwrap_or(0);
        let gp = group_position.get(&g).copied().unwrap_or(0);
        let ap = position.get(&a).copied().unwrap_or(0);
        per.entry(int(&r[0])).or_default().push((gp, ap, g, a));
    }
    for (pa, mut list) in per {
        list.sort_unstable();
        let label = list
            .iter()
            .map(|(_, _, g, a)| {
                format!(
                    "{}: {}",
                    group.get(g).map_or("", String::as_str),
                    value.get(a).map_or("", String::as_str)
                )
            })
            .collect::<Vec<_>>()
            .join(" - ");
        out.insert(pa, (label, list.iter().map(|(_, _, _, a)| *a).collect()));
    }
    Ok(out)
}
