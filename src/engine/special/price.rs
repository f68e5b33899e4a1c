//! `price[alias][param]=value` on products and combinations (protocol §1.13): extra computed
//! price fields. Computes the base price, the combination's impact and the tax of the
//! customer's country; specific prices (reductions) are not applied yet.

use crate::catalog::Resource;
use crate::engine::render::{Entity, Projection};
use crate::engine::{ApiError, ApiResult, Ctx, Engine};
use crate::http::query::{Param, Params};
use crate::storage::{Select, Value};

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

fn num(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Real(f) => *f,
        Value::Text(s) => s.trim().parse().unwrap_or(0.0),
        Value::Null => 0.0,
    }
}

fn one(rows: &[Vec<Value>]) -> Option<&Value> {
    rows.first().and_then(|r| r.first())
}

pub fn fill(
    e: &Engine,
    r: &Resource,
    p: &Projection,
    ent: &mut Entity,
    params: &Params,
    ctx: &Ctx,
) -> ApiResult<()> {
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
        let opt = |k: &str| {
            opts.iter()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.as_str())
        };
        let use_tax = opt("use_tax")
            .map(|v| v == "1")
            .unwrap_or(ctx.info.setting_i64("PS_TAX", 1) == 1);
        let country = opt("country")
            .and_then(|v| v.parse().ok())
            .unwrap_or(ctx.info.setting_i64("PS_COUNTRY_DEFAULT", 8));
        let decimals: usize = opt("decimals")
            .and_then(|v| v.parse().ok())
            .unwrap_or(6)
            .min(9);
        let (product, attribute) = if r.api == "combinations" {
            (None, Some(ent.id))
        } else {
            (
                Some(ent.id),
                opt("product_attribute").and_then(|v| v.parse::<i64>().ok()),
            )
        };
        let mut price = 0.0;
        e.store.read(&mut |rd| {
            let mut pid = product.unwrap_or(0);
            let mut impact = 0.0;
            if let Some(a) = attribute.filter(|a| *a > 0) {
                let rows = rd.select(&Select {
                    table: "product_attribute",
                    columns: &["id_product", "price"],
                    key: vec![("id_product_attribute", Value::Int(a))],
                    order: &[],
                })?;
                if let Some(row) = rows.first() {
                    pid = row[0].as_i64().unwrap_or(pid);
                    impact = num(&row[1]);
                }
            }
            let rows = rd.select(&Select {
                table: "product_shop",
                columns: &["price", "id_tax_rules_group"],
                key: vec![
                    ("id_product", Value::Int(pid)),
                    ("id_shop", Value::Int(ctx.db.shop)),
                ],
                order: &[],
            })?;
            let (base, group) = rows
                .first()
                .map(|r| (num(&r[0]), r[1].as_i64().unwrap_or(0)))
                .unwrap_or((0.0, 0));
            price = base + impact;
            if use_tax && group > 0 {
                let tax = rd.select(&Select {
                    table: "tax_rule",
                    columns: &["id_tax"],
                    key: vec![
                        ("id_tax_rules_group", Value::Int(group)),
                        ("id_country", Value::Int(country)),
                    ],
                    order: &["id_state"],
                })?;
                if let Some(id_tax) = one(&tax).and_then(Value::as_i64) {
                    let rate = rd.select(&Select {
                        table: "tax",
                        columns: &["rate"],
                        key: vec![("id_tax", Value::Int(id_tax)), ("active", Value::Int(1))],
                        order: &[],
                    })?;
                    price *= 1.0 + one(&rate).map(num).unwrap_or(0.0) / 100.0;
                }
            }
            Ok(())
        })?;
        let factor = 10f64.powi(decimals as i32);
        let rounded = (price * factor).round() / factor;
        ent.virtuals.push((alias.clone(), format!("{rounded:.6}")));
    }
    Ok(())
}
