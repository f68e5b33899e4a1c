//! Carriers offered for the cart's delivery address and what each costs
//! (`Carrier::getCarriersForOrder`, `Cart::getPackageShippingCostValue`, business rules
//! §2.1 "Carrier availability" and §2.2.1).

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use crate::engine::special::price::cart::group_rate;
use crate::engine::special::price::round::ps_round;
use crate::engine::{ApiResult, Ctx};
use crate::storage::{Reader, Select, Value};

use super::context::Scope;
use super::lines::Line;
use super::{dec, int};

/// A carrier offered for the delivery address, with its price for this cart.
#[derive(Debug, Clone, Default)]
pub struct CarrierOption {
    pub id_carrier: i64,
    pub id_reference: i64,
    pub name: String,
    pub position: i64,
    pub is_free: bool,
    pub price_te: Decimal,
    pub price_ti: Decimal,
    pub tax_rate: Decimal,
}

#[derive(Debug, Clone, Default)]
struct Carrier {
    id: i64,
    reference: i64,
    name: String,
    is_free: bool,
    handling: bool,
    range_behavior: bool,
    method: i64,
    position: i64,
    max_weight: Decimal,
    /// Maximum width, height and depth of a product (0: no limit).
    max_size: [Decimal; 3],
}

impl Carrier {
    /// Whether every product fits the carrier's maximum sizes and the cart its weight.
    fn fits(&self, lines: &[Line], weight: Decimal) -> bool {
        let over = |max: Decimal, v: Decimal| max > Decimal::ZERO && v > max;
        !over(self.max_weight, weight)
            && lines
                .iter()
                .filter(|l| !l.is_virtual)
                .all(|l| (0..3).all(|i| !over(self.max_size[i], l.size[i])))
    }
}

/// A delivery price by range: (lower bound, upper bound, price).
type Ranges = Vec<(Decimal, Decimal, Decimal)>;

/// What the shipping cost depends on besides the carrier.
pub struct Basis {
    /// Σ weight × quantity of the lines that ship.
    pub weight: Decimal,
    /// Products − discounts, tax included, in the cart's currency.
    pub order_total_ti: Decimal,
    pub virtual_only: bool,
}

impl Basis {
    pub fn of(lines: &[Line], order_total_ti: Decimal) -> Self {
        let shipped = || lines.iter().filter(|l| !l.is_virtual);
        Basis {
            weight: shipped()
                .map(|l| l.weight * Decimal::from(l.quantity))
                .sum(),
            order_total_ti,
            virtual_only: shipped().next().is_none(),
        }
    }
}

/// The carriers offered for the cart's delivery address, sorted as the shop sorts them
/// (`PS_CARRIER_DEFAULT_SORT`, `PS_CARRIER_DEFAULT_ORDER`), each with its price.
pub fn options(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    sc: &mut Scope,
    lines: &[Line],
    basis: &Basis,
) -> ApiResult<Vec<CarrierOption>> {
    if basis.virtual_only {
        return Ok(Vec::new());
    }
    let shop = sc.cart.shop;
    let zone = sc.delivery.zone;
    let set = |rows: Vec<Vec<Value>>| -> HashSet<i64> { rows.iter().map(|r| int(&r[0])).collect() };
    let in_shop = set(rd.select(&Select {
        table: "carrier_shop",
        columns: &["id_carrier"],
        key: vec![("id_shop", Value::Int(shop))],
        ..Default::default()
    })?);
    let in_zone = set(rd.select(&Select {
        table: "carrier_zone",
        columns: &["id_carrier"],
        key: vec![("id_zone", Value::Int(zone))],
        ..Default::default()
    })?);
    let for_groups = set(rd.select(&Select {
        table: "carrier_group",
        columns: &["id_carrier"],
        any: Some((
            "id_group",
            sc.groups.iter().map(|g| Value::Int(*g)).collect(),
        )),
        ..Default::default()
    })?);
    // Products limited to some carriers (by carrier reference); none listed: every carrier.
    let mut allowed: HashMap<i64, HashSet<i64>> = HashMap::new();
    let products: Vec<Value> = lines.iter().map(|l| Value::Int(l.id_product)).collect();
    for r in rd.select(&Select {
        table: "product_carrier",
        columns: &["id_product", "id_carrier_reference"],
        key: vec![("id_shop", Value::Int(shop))],
        any: Some(("id_product", products)),
        ..Default::default()
    })? {
        allowed.entry(int(&r[0])).or_default().insert(int(&r[1]));
    }
    let carriers: Vec<Carrier> = rd
        .select(&Select {
            table: "carrier",
            columns: &[
                "id_carrier",
                "id_reference",
                "name",
                "is_free",
                "shipping_handling",
                "range_behavior",
                "shipping_method",
                "position",
                "max_weight",
                "max_width",
                "max_height",
                "max_depth",
            ],
            key: vec![("active", Value::Int(1)), ("deleted", Value::Int(0))],
            order: &["position", "id_carrier"],
            ..Default::default()
        })?
        .iter()
        .map(|r| Carrier {
            id: int(&r[0]),
            reference: int(&r[1]),
            name: r[2].to_text(),
            is_free: int(&r[3]) != 0,
            handling: int(&r[4]) != 0,
            range_behavior: int(&r[5]) != 0,
            method: int(&r[6]),
            position: int(&r[7]),
            max_weight: dec(&r[8]),
            max_size: [9, 10, 11].map(|i| dec(&r[i])),
        })
        .filter(|c| {
            in_shop.contains(&c.id) && in_zone.contains(&c.id) && for_groups.contains(&c.id)
        })
        .filter(|c| allowed.values().all(|refs| refs.contains(&c.reference)))
        .filter(|c| c.fits(lines, basis.weight))
        .collect();
    let ids: Vec<Value> = carriers.iter().map(|c| Value::Int(c.id)).collect();
    let (by_weight, by_price) = ranges(rd, &ids, zone, shop)?;
    let mut tax_groups: HashMap<i64, i64> = HashMap::new();
    for r in rd.select(&Select {
        table: "carrier_tax_rules_group_shop",
        columns: &["id_carrier", "id_tax_rules_group"],
        key: vec![("id_shop", Value::Int(shop))],
        any: Some(("id_carrier", ids)),
        ..Default::default()
    })? {
        tax_groups.insert(int(&r[0]), int(&r[1]));
    }
    let extra: Decimal = lines
        .iter()
        .filter(|l| !l.is_virtual)
        .map(|l| l.additional_shipping_cost * Decimal::from(l.quantity))
        .sum();
    let by_weight_default = ctx.info.setting_i64("PS_SHIPPING_METHOD", 1) != 0;
    let handling = setting_dec(ctx, "PS_SHIPPING_HANDLING");
    let free_price = setting_dec(ctx, "PS_SHIPPING_FREE_PRICE") * sc.conversion;
    let free_weight = setting_dec(ctx, "PS_SHIPPING_FREE_WEIGHT");
    let free = (free_price > Decimal::ZERO && basis.order_total_ti >= free_price)
        || (free_weight > Decimal::ZERO && basis.weight >= free_weight);
    let place = (sc.tax.country, sc.tax.state, sc.tax.zipcode.clone());
    let (p, m) = (sc.precision as i32, sc.round_mode);
    let mut out = Vec::new();
    for c in carriers {
        let weight_method = c.method == 1 || (c.method == 0 && by_weight_default);
        let (table, value) = if weight_method {
            (by_weight.get(&c.id), basis.weight)
        } else {
            // Price ranges are in the default currency.
            (by_price.get(&c.id), basis.order_total_ti / sc.conversion)
        };
        let found = table.and_then(|t| t.iter().find(|(lo, hi, _)| *lo <= value && value < *hi));
        if found.is_none() && c.range_behavior && !c.is_free {
            continue;
        }
        let rate = match tax_groups.get(&c.id) {
            Some(g) => group_rate(rd, ctx, &mut sc.prices, *g, (place.0, place.1, &place.2))?,
            None => Decimal::ZERO,
        };
        let te = if c.is_free || free {
            Decimal::ZERO
        } else {
            let base = found
                .or_else(|| table.and_then(|t| t.iter().max_by(|a, b| a.1.cmp(&b.1))))
                .map_or(Decimal::ZERO, |r| r.2);
            let with_handling = if c.handling { base + handling } else { base };
            (with_handling + extra) * sc.conversion
        };
        let ti = te * (Decimal::ONE + rate / Decimal::ONE_HUNDRED);
        out.push(CarrierOption {
            id_carrier: c.id,
            id_reference: c.reference,
            name: c.name,
            position: c.position,
            is_free: c.is_free,
            price_te: ps_round(te, p, m),
            price_ti: ps_round(ti, p, m),
            tax_rate: rate,
        });
    }
    let by_position = ctx.info.setting_i64("PS_CARRIER_DEFAULT_SORT", 0) == 1;
    out.sort_by(|a, b| {
        if by_position {
            a.position.cmp(&b.position)
        } else {
            a.price_ti
                .cmp(&b.price_ti)
                .then(a.position.cmp(&b.position))
        }
    });
    if ctx.info.setting_i64("PS_CARRIER_DEFAULT_ORDER", 0) == 1 {
        out.reverse();
    }
    Ok(out)
}

fn setting_dec(ctx: &Ctx, name: &str) -> Decimal {
    ctx.info
        .setting(name)
        .and_then(|v| v.trim().parse::<Decimal>().ok())
        .unwrap_or_default()
}

/// Delivery prices of the carriers for the zone, by weight and by price ranges.
fn ranges(
    rd: &mut dyn Reader,
    carriers: &[Value],
    zone: i64,
    shop: i64,
) -> ApiResult<(HashMap<i64, Ranges>, HashMap<i64, Ranges>)> {
    let mut weight = HashMap::new();
    let mut price = HashMap::new();
    if carriers.is_empty() {
        return Ok((weight, price));
    }
    let bounds = |rows: Vec<Vec<Value>>| -> HashMap<i64, (Decimal, Decimal)> {
        rows.iter()
            .map(|r| (int(&r[0]), (dec(&r[1]), dec(&r[2]))))
            .collect()
    };
    let columns: &[&str] = &["id_range_weight", "delimiter1", "delimiter2"];
    let rw = bounds(rd.select(&Select {
        table: "range_weight",
        columns,
        any: Some(("id_carrier", carriers.to_vec())),
        ..Default::default()
    })?);
    let rp = bounds(rd.select(&Select {
        table: "range_price",
        columns: &["id_range_price", "delimiter1", "delimiter2"],
        any: Some(("id_carrier", carriers.to_vec())),
        ..Default::default()
    })?);
    for r in rd.select(&Select {
        table: "delivery",
        columns: &[
            "id_carrier",
            "id_range_weight",
            "id_range_price",
            "price",
            "id_shop",
        ],
        key: vec![("id_zone", Value::Int(zone))],
        any: Some(("id_carrier", carriers.to_vec())),
        ..Default::default()
    })? {
        let row_shop = int(&r[4]);
        if row_shop != 0 && row_shop != shop {
            continue;
        }
        let carrier = int(&r[0]);
        if let Some((lo, hi)) = rw.get(&int(&r[1])) {
            let list: &mut Ranges = weight.entry(carrier).or_default();
            list.push((*lo, *hi, dec(&r[3])));
        } else if let Some((lo, hi)) = rp.get(&int(&r[2])) {
            let list: &mut Ranges = price.entry(carrier).or_default();
            list.push((*lo, *hi, dec(&r[3])));
        }
    }
    Ok((weight, price))
}
