//! Cart rules as stored (`cart_rule` and its restriction tables): the rules a cart may get,
//! automatic ones (no code) and the ones linked to it (`cart_cart_rule`).

use rust_decimal::Decimal;

use crate::engine::ApiResult;
use crate::storage::{Reader, Select, Value};

use super::{dec, int};

/// One `cart_rule` row.
#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub customer: i64,
    pub date_from: String,
    pub date_to: String,
    pub quantity: i64,
    pub quantity_per_user: i64,
    pub priority: i64,
    pub minimum_amount: Decimal,
    pub minimum_amount_tax: bool,
    pub minimum_amount_currency: i64,
    pub minimum_amount_shipping: bool,
    pub country_restriction: bool,
    pub carrier_restriction: bool,
    pub group_restriction: bool,
    pub cart_rule_restriction: bool,
    pub product_restriction: bool,
    pub shop_restriction: bool,
    pub free_shipping: bool,
    pub reduction_percent: Decimal,
    pub reduction_amount: Decimal,
    pub reduction_tax: bool,
    pub reduction_currency: i64,
    pub reduction_product: i64,
    pub reduction_exclude_special: bool,
    pub gift_product: i64,
    pub gift_product_attribute: i64,
}

const COLUMNS: &[&str] = &[
    "id_cart_rule",
    "code",
    "id_customer",
    "date_from",
    "date_to",
    "quantity",
    "quantity_per_user",
    "priority",
    "minimum_amount",
    "minimum_amount_tax",
    "minimum_amount_currency",
    "minimum_amount_shipping",
    "country_restriction",
    "carrier_restriction",
    "group_restriction",
    "cart_rule_restriction",
    "product_restriction",
    "shop_restriction",
    "free_shipping",
    "reduction_percent",
    "reduction_amount",
    "reduction_tax",
    "reduction_currency",
    "reduction_product",
    "reduction_exclude_special",
    "gift_product",
    "gift_product_attribute",
];

fn rule(r: &[Value]) -> Rule {
    let b = |i: usize| int(&r[i]) != 0;
    Rule {
        id: int(&r[0]),
        name: String::new(),
        code: r[1].to_text(),
        customer: int(&r[2]),
        date_from: r[3].to_text(),
        date_to: r[4].to_text(),
        quantity: int(&r[5]),
        quantity_per_user: int(&r[6]),
        priority: int(&r[7]),
        minimum_amount: dec(&r[8]),
        minimum_amount_tax: b(9),
        minimum_amount_currency: int(&r[10]),
        minimum_amount_shipping: b(11),
        country_restriction: b(12),
        carrier_restriction: b(13),
        group_restriction: b(14),
        cart_rule_restriction: b(15),
        product_restriction: b(16),
        shop_restriction: b(17),
        free_shipping: b(18),
        reduction_percent: dec(&r[19]),
        reduction_amount: dec(&r[20]),
        reduction_tax: b(21),
        reduction_currency: int(&r[22]),
        reduction_product: int(&r[23]),
        reduction_exclude_special: b(24),
        gift_product: int(&r[25]),
        gift_product_attribute: int(&r[26]),
    }
}

/// The active rules without code and the active rules linked to the cart, by priority then
/// id, with their names in `lang`.
pub fn candidates(rd: &mut dyn Reader, cart: i64, lang: i64) -> ApiResult<Vec<Rule>> {
    let mut rows = rd.select(&Select {
        table: "cart_rule",
        columns: COLUMNS,
        key: vec![("active", Value::Int(1)), ("code", Value::from(""))],
        ..Default::default()
    })?;
    let linked: Vec<Value> = rd
        .select(&Select {
            table: "cart_cart_rule",
            columns: &["id_cart_rule"],
            key: vec![("id_cart", Value::Int(cart))],
            ..Default::default()
        })?
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    if !linked.is_empty() {
        rows.extend(rd.select(&Select {
            table: "cart_rule",
            columns: COLUMNS,
            key: vec![("active", Value::Int(1))],
            any: Some(("id_cart_rule", linked)),
            ..Default::default()
        })?);
    }
    let mut rules: Vec<Rule> = rows.iter().map(|r| rule(r)).collect();
    rules.sort_by_key(|r| (r.priority, r.id));
    rules.dedup_by_key(|r| r.id);
    if rules.is_empty() {
        return Ok(rules);
    }
    let ids: Vec<Value> = rules.iter().map(|r| Value::Int(r.id)).collect();
    for r in rd.select(&Select {
        table: "cart_rule_lang",
        columns: &["id_cart_rule", "name"],
        key: vec![("id_lang", Value::Int(lang))],
        any: Some(("id_cart_rule", ids)),
        ..Default::default()
    })? {
        let id = int(&r[0]);
        if let Some(rule) = rules.iter_mut().find(|x| x.id == id) {
            rule.name = r[1].to_text();
        }
    }
    Ok(rules)
}

/// The ids linked to `rule` in a restriction table (`cart_rule_country`, …): `column` values.
pub fn linked(rd: &mut dyn Reader, table: &str, column: &str, rule: i64) -> ApiResult<Vec<i64>> {
    Ok(rd
        .select(&Select {
            table,
            columns: &[column],
            key: vec![("id_cart_rule", Value::Int(rule))],
            ..Default::default()
        })?
        .iter()
        .map(|r| int(&r[0]))
        .collect())
}

/// The product rule groups of a rule: (quantity needed, rules as (type, ids)).
pub type ProductGroups = Vec<(i64, Vec<(String, Vec<i64>)>)>;

pub fn product_groups(rd: &mut dyn Reader, rule: i64) -> ApiResult<ProductGroups> {
    let mut out = Vec::new();
    for g in rd.select(&Select {
        table: "cart_rule_product_rule_group",
        columns: &["id_product_rule_group", "quantity"],
        key: vec![("id_cart_rule", Value::Int(rule))],
        ..Default::default()
    })? {
        let mut rules = Vec::new();
        for pr in rd.select(&Select {
            table: "cart_rule_product_rule",
            columns: &["id_product_rule", "type"],
            key: vec![("id_product_rule_group", g[0].clone())],
            ..Default::default()
        })? {
            let items = rd
                .select(&Select {
                    table: "cart_rule_product_rule_value",
                    columns: &["id_item"],
                    key: vec![("id_product_rule", pr[0].clone())],
                    ..Default::default()
                })?
                .iter()
                .map(|r| int(&r[0]))
                .collect();
            rules.push((pr[1].to_text(), items));
        }
        out.push((int(&g[1]), rules));
    }
    Ok(out)
}

/// Whether rules `a` and `b` may be used together (`cart_rule_combination`), for rules
/// restricted in their combinations.
pub fn combinable(rd: &mut dyn Reader, a: i64, b: i64) -> ApiResult<bool> {
    for (x, y) in [(a, b), (b, a)] {
        let found = rd.select(&Select {
            table: "cart_rule_combination",
            columns: &["id_cart_rule_1"],
            key: vec![
                ("id_cart_rule_1", Value::Int(x)),
                ("id_cart_rule_2", Value::Int(y)),
            ],
            ..Default::default()
        })?;
        if !found.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Times `customer` used `rule` in orders.
pub fn uses(rd: &mut dyn Reader, rule: i64, customer: i64) -> ApiResult<i64> {
    if customer <= 0 {
        return Ok(0);
    }
    let orders: Vec<Value> = rd
        .select(&Select {
            table: "order_cart_rule",
            columns: &["id_order"],
            key: vec![("id_cart_rule", Value::Int(rule))],
            ..Default::default()
        })?
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let n = rd
        .select(&Select {
            table: "orders",
            columns: &["id_order"],
            key: vec![("id_customer", Value::Int(customer))],
            any: Some(("id_order", orders)),
            ..Default::default()
        })?
        .len();
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}
