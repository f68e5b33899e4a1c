//! What a cart's totals depend on besides its rows: the cart's own row, its customer and
//! groups, the tax and delivery addresses with their zone, the currency (business rules §2.2).

use rust_decimal::Decimal;

use crate::engine::special::price::cart::UnitCache;
use crate::engine::{ApiError, ApiResult, Ctx};
use crate::storage::{Reader, Select, Value};

use super::{dec, int};

/// The `cart` row.
#[derive(Debug, Clone, Default)]
pub struct CartRow {
    pub id: i64,
    pub shop: i64,
    pub lang: i64,
    pub currency: i64,
    pub customer: i64,
    pub address_delivery: i64,
    pub address_invoice: i64,
    pub carrier: i64,
    pub delivery_option: String,
    pub gift: bool,
}

/// One address as the totals see it.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub id_address: i64,
    pub country: i64,
    pub state: i64,
    /// "0" when the address has none.
    pub zipcode: String,
    pub zone: i64,
}

/// Everything shared by the lines, the carriers and the rules of one cart.
pub struct Scope {
    pub cart: CartRow,
    /// The customer's default group, else the visitor group.
    pub group: i64,
    /// Every group of the customer (carriers and cart rules restricted to groups).
    pub groups: Vec<i64>,
    /// Where taxes are computed (`PS_TAX_ADDRESS_TYPE`).
    pub tax: Place,
    /// The delivery address when it belongs to the customer, else the default country.
    pub delivery: Place,
    pub delivery_valid: bool,
    pub precision: u32,
    pub conversion: Decimal,
    pub round_mode: i64,
    /// `PS_ROUND_TYPE`: 1 item, 2 line, 3 total.
    pub round_type: i64,
    pub now: String,
    pub prices: UnitCache,
}

fn first(rd: &mut dyn Reader, q: Select) -> ApiResult<Option<Vec<Value>>> {
    Ok(rd.select(&q)?.into_iter().next())
}

const CART_COLUMNS: &[&str] = &[
    "id_shop",
    "id_lang",
    "id_currency",
    "id_customer",
    "id_address_delivery",
    "id_address_invoice",
    "id_carrier",
    "delivery_option",
    "gift",
];

/// The cart's row; 404 when there is none.
pub fn cart_row(rd: &mut dyn Reader, ctx: &Ctx, id: i64) -> ApiResult<CartRow> {
    let row = first(
        rd,
        Select {
            table: "cart",
            columns: CART_COLUMNS,
            key: vec![("id_cart", Value::Int(id))],
            ..Default::default()
        },
    )?
    .ok_or_else(|| ApiError::new(404, 87, format!("Id(s) not exists: {id}")))?;
    let shop = int(&row[0]);
    let lang = int(&row[1]);
    Ok(CartRow {
        id,
        shop: if shop > 0 { shop } else { ctx.db.shop },
        lang: if lang > 0 {
            lang
        } else {
            ctx.info.default_lang
        },
        currency: int(&row[2]),
        customer: int(&row[3]),
        address_delivery: int(&row[4]),
        address_invoice: int(&row[5]),
        carrier: int(&row[6]),
        delivery_option: row[7].to_text(),
        gift: int(&row[8]) != 0,
    })
}

/// The address `id` when it exists, is not deleted and (with a customer) is the customer's.
pub fn address(rd: &mut dyn Reader, id: i64, customer: i64) -> ApiResult<Option<Place>> {
    if id <= 0 {
        return Ok(None);
    }
    let Some(row) = first(
        rd,
        Select {
            table: "address",
            columns: &[
                "id_customer",
                "id_country",
                "id_state",
                "postcode",
                "deleted",
            ],
            key: vec![("id_address", Value::Int(id))],
            ..Default::default()
        },
    )?
    else {
        return Ok(None);
    };
    if int(&row[4]) != 0 || (customer > 0 && int(&row[0]) != customer) {
        return Ok(None);
    }
    let zip = row[3].to_text();
    let mut place = Place {
        id_address: id,
        country: int(&row[1]),
        state: int(&row[2]),
        zipcode: if zip.trim().is_empty() {
            "0".into()
        } else {
            zip.trim().to_string()
        },
        zone: 0,
    };
    place.zone = zone(rd, place.country, place.state)?;
    Ok(Some(place))
}

/// The zone of a state when it has one, else of the country.
fn zone(rd: &mut dyn Reader, country: i64, state: i64) -> ApiResult<i64> {
    if state > 0 {
        let z = first(
            rd,
            Select {
                table: "state",
                columns: &["id_zone"],
                key: vec![("id_state", Value::Int(state))],
                ..Default::default()
            },
        )?
        .map_or(0, |r| int(&r[0]));
        if z > 0 {
            return Ok(z);
        }
    }
    Ok(first(
        rd,
        Select {
            table: "country",
            columns: &["id_zone"],
            key: vec![("id_country", Value::Int(country))],
            ..Default::default()
        },
    )?
    .map_or(0, |r| int(&r[0])))
}

/// The default country as a place (no address).
fn default_place(rd: &mut dyn Reader, ctx: &Ctx) -> ApiResult<Place> {
    let country = ctx.info.setting_i64("PS_COUNTRY_DEFAULT", 8);
    Ok(Place {
        id_address: 0,
        country,
        state: 0,
        zipcode: "0".into(),
        zone: zone(rd, country, 0)?,
    })
}

/// Reads the scope of cart `id`.
pub fn scope(rd: &mut dyn Reader, ctx: &Ctx, id: i64) -> ApiResult<Scope> {
    let cart = cart_row(rd, ctx, id)?;
    let visitor = ctx.info.setting_i64("PS_UNIDENTIFIED_GROUP", 1);
    let (group, groups) = customer_groups(rd, cart.customer, visitor)?;
    let fallback = default_place(rd, ctx)?;
    let delivery = address(rd, cart.address_delivery, cart.customer)?;
    let delivery_valid = delivery.is_some();
    let delivery = delivery.unwrap_or_else(|| fallback.clone());
    let tax_address = if ctx.info.setting("PS_TAX_ADDRESS_TYPE") == Some("id_address_invoice") {
        cart.address_invoice
    } else {
        cart.address_delivery
    };
    let tax = address(rd, tax_address, cart.customer)?.unwrap_or(fallback);
    let currency = first(
        rd,
        Select {
            table: "currency",
            columns: &["precision", "conversion_rate"],
            key: vec![("id_currency", Value::Int(cart.currency))],
            ..Default::default()
        },
    )?;
    let (precision, conversion) = currency.map_or((2, Decimal::ONE), |r| {
        let rate = dec(&r[1]);
        (
            u32::try_from(int(&r[0]).clamp(0, 6)).unwrap_or(2),
            if rate > Decimal::ZERO {
                rate
            } else {
                Decimal::ONE
            },
        )
    });
    Ok(Scope {
        cart,
        group,
        groups,
        tax,
        delivery,
        delivery_valid,
        precision,
        conversion,
        round_mode: ctx.info.setting_i64("PS_PRICE_ROUND_MODE", 2),
        round_type: ctx.info.setting_i64("PS_ROUND_TYPE", 2),
        now: ctx.db.now.clone(),
        prices: UnitCache::default(),
    })
}

/// The customer's default group and all of their groups (the visitor group without one).
fn customer_groups(rd: &mut dyn Reader, customer: i64, visitor: i64) -> ApiResult<(i64, Vec<i64>)> {
    if customer <= 0 {
        return Ok((visitor, vec![visitor]));
    }
    let default = first(
        rd,
        Select {
            table: "customer",
            columns: &["id_default_group"],
            key: vec![("id_customer", Value::Int(customer))],
            ..Default::default()
        },
    )?
    .map_or(visitor, |r| int(&r[0]));
    let mut groups: Vec<i64> = rd
        .select(&Select {
            table: "customer_group",
            columns: &["id_group"],
            key: vec![("id_customer", Value::Int(customer))],
            ..Default::default()
        })?
        .iter()
        .map(|r| int(&r[0]))
        .collect();
    if !groups.contains(&default) {
        groups.push(default);
    }
    Ok((default, groups))
}
