//! `cart_rows` written through the webservice (`Cart::setWsCartRows`), validated as
//! PrestaShop's front office would before anything is stored [FIX]: the product exists and is
//! active in the shop, the combination is one of the product's (and is given when the
//! product has combinations), the quantity reaches the minimal quantity, the stock suffices
//! when out-of-stock orders are refused; rows for the same product, combination and
//! customization are merged. Rows are stored with delivery address 0, as PrestaShop does.

use crate::engine::behaviour::Save;
use crate::engine::{ApiError, ApiResult};
use crate::storage::{Select, Tx, Value};

use super::int;

/// The error of a refused cart row.
pub fn refused(message: String) -> ApiError {
    ApiError::bad_request(1020, message)
}

/// One requested row: product, combination, customization, quantity.
type Row = (i64, i64, i64, i64);

fn number(item: &[(String, String)], name: &str, required: bool, n: usize) -> ApiResult<i64> {
    let v = item
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty());
    match v {
        None if required => Err(refused(format!("cart_rows: row {n} has no {name}"))),
        None => Ok(0),
        Some(v) => v.parse::<i64>().map_err(|_| {
            refused(format!(
                "cart_rows: row {n}: {name} \"{v}\" is not a number"
            ))
        }),
    }
}

/// The requested rows, parsed and merged.
fn parse(items: &[Vec<(String, String)>]) -> ApiResult<Vec<Row>> {
    let mut rows: Vec<Row> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        let product = number(item, "id_product", true, n)?;
        let attribute = number(item, "id_product_attribute", false, n)?;
        let customization = number(item, "id_customization", false, n)?;
        let quantity = number(item, "quantity", true, n)?;
        if product <= 0 || attribute < 0 || customization < 0 {
            return Err(refused(format!("cart_rows: row {n} has an invalid id")));
        }
        if quantity < 1 {
            return Err(refused(format!(
                "cart_rows: the quantity of product {product} must be at least 1"
            )));
        }
        match rows
            .iter_mut()
            .find(|r| (r.0, r.1, r.2) == (product, attribute, customization))
        {
            Some(r) => r.3 = r.3.saturating_add(quantity),
            None => rows.push((product, attribute, customization, quantity)),
        }
    }
    Ok(rows)
}

fn first(tx: &mut dyn Tx, q: Select) -> ApiResult<Option<Vec<Value>>> {
    Ok(tx.select(&q)?.into_iter().next())
}

/// Checks one merged row against the catalogue of `shop`.
fn check(tx: &mut dyn Tx, s: &Save, shop: i64, row: Row) -> ApiResult<()> {
    let (product, attribute, customization, quantity) = row;
    let Some(p) = first(
        tx,
        Select {
            table: "product_shop",
            columns: &["active", "minimal_quantity"],
            key: vec![
                ("id_product", Value::Int(product)),
                ("id_shop", Value::Int(shop)),
            ],
            ..Default::default()
        },
    )?
    .filter(|r| int(&r[0]) != 0) else {
        return Err(refused(format!(
            "cart_rows: product {product} does not exist or is not active in this shop"
        )));
    };
    let combinations: Vec<i64> = tx
        .select(&Select {
            table: "product_attribute",
            columns: &["id_product_attribute"],
            key: vec![("id_product", Value::Int(product))],
            ..Default::default()
        })?
        .iter()
        .map(|r| int(&r[0]))
        .collect();
    let mut minimal = int(&p[1]);
    if attribute == 0 && !combinations.is_empty() {
        return Err(refused(format!(
            "cart_rows: product {product} has combinations: id_product_attribute is required"
        )));
    }
    if attribute != 0 {
        if !combinations.contains(&attribute) {
            return Err(refused(format!(
                "cart_rows: combination {attribute} is not a combination of product {product}"
            )));
        }
        minimal = first(
            tx,
            Select {
                table: "product_attribute_shop",
                columns: &["minimal_quantity"],
                key: vec![
                    ("id_product_attribute", Value::Int(attribute)),
                    ("id_shop", Value::Int(shop)),
                ],
                ..Default::default()
            },
        )?
        .map_or(minimal, |r| int(&r[0]));
    }
    if quantity < minimal {
        return Err(refused(format!(
            "cart_rows: product {product} must be ordered by at least {minimal}"
        )));
    }
    if customization > 0 {
        let found = first(
            tx,
            Select {
                table: "customization",
                columns: &["id_product"],
                key: vec![("id_customization", Value::Int(customization))],
                ..Default::default()
            },
        )?;
        if found.is_none_or(|r| int(&r[0]) != product) {
            return Err(refused(format!(
                "cart_rows: customization {customization} is not one of product {product}"
            )));
        }
    }
    stock(tx, s, shop, row)
}

/// Refuses a quantity above the stock when the product's `out_of_stock` resolves to deny.
fn stock(tx: &mut dyn Tx, s: &Save, shop: i64, row: Row) -> ApiResult<()> {
    let (product, attribute, _, quantity) = row;
    if s.ctx.info.setting_i64("PS_STOCK_MANAGEMENT", 1) == 0 {
        return Ok(());
    }
    let rows = tx.select(&Select {
        table: "stock_available",
        columns: &["id_shop", "quantity", "out_of_stock"],
        key: vec![
            ("id_product", Value::Int(product)),
            ("id_product_attribute", Value::Int(attribute)),
        ],
        ..Default::default()
    })?;
    let row = rows
        .iter()
        .find(|r| int(&r[0]) == shop)
        .or_else(|| rows.iter().find(|r| int(&r[0]) == 0));
    let (available, policy) = row.map_or((0, 2), |r| (int(&r[1]), int(&r[2])));
    let deny = match policy {
        0 => true,
        1 => false,
        _ => s.ctx.info.setting_i64("PS_ORDER_OUT_OF_STOCK", 0) == 0,
    };
    if deny && quantity > available {
        return Err(refused(format!(
            "cart_rows: only {} of product {product} (combination {attribute}) are in stock",
            available.max(0)
        )));
    }
    Ok(())
}

/// Validates and writes the rows of cart `id`; an error leaves the cart as it was.
pub fn write(tx: &mut dyn Tx, s: &Save, id: i64, items: &[Vec<(String, String)>]) -> ApiResult<()> {
    let rows = parse(items)?;
    let shop = s.ctx.db.shop;
    for row in &rows {
        check(tx, s, shop, *row)?;
    }
    tx.delete("cart_product", &[("id_cart", Value::Int(id))])?;
    for (product, attribute, customization, quantity) in rows {
        tx.insert(
            "cart_product",
            &[
                ("id_cart", Value::Int(id)),
                ("id_product", Value::Int(product)),
                ("id_product_attribute", Value::Int(attribute)),
                ("id_customization", Value::Int(customization)),
                ("quantity", Value::Int(quantity)),
                ("id_address_delivery", Value::Int(0)),
                ("id_shop", Value::Int(shop)),
                ("date_add", Value::Text(s.ctx.db.now.clone())),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_are_parsed_merged_and_refused_with_a_message() {
        let a = item(&[
            ("id_product", "1"),
            ("id_product_attribute", "1"),
            ("quantity", "2"),
        ]);
        let b = item(&[
            ("id_product", " 1 "),
            ("id_product_attribute", "1"),
            ("quantity", "3"),
        ]);
        let c = item(&[("id_product", "9"), ("quantity", "1")]);
        let rows = parse(&[a.clone(), b, c]).unwrap_or_default();
        assert_eq!(rows, vec![(1, 1, 0, 5), (9, 0, 0, 1)]);
        let message = |items: &[Vec<(String, String)>]| {
            parse(items)
                .err()
                .map(|e| format!("{e:?}"))
                .unwrap_or_default()
        };
        assert!(message(&[item(&[("quantity", "1")])]).contains("has no id_product"));
        assert!(message(&[item(&[("id_product", "1"), ("quantity", "0")])]).contains("at least 1"));
        assert!(
            message(&[item(&[("id_product", "x"), ("quantity", "1")])]).contains("not a number")
        );
        assert!(message(&[item(&[("id_product", "-4"), ("quantity", "1")])]).contains("invalid id"));
    }
}
