//! What a state change does to stock (business rules §2.4, §3.3–§3.5): available quantities
//! taken or given back, movements when goods leave or come back, reserved and physical
//! quantities recomputed, the product-level row kept the sum of its combination rows.
//!
//! Every change of a quantity is a relative update done by the database, and every row is
//! taken (locked on a server database) in one order — combination rows by (product,
//! combination), then product rows — before it is read, so two state changes of orders
//! sharing a product run one after the other on that row and neither loses the other's count.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::storage::{Select, StorageResult, Tx, Value};

use super::super::{int, stock};

const TABLE: &str = "stock_available";

/// Where a shop's stock rows are: (id_shop, id_shop_group) as stored — (shop, 0), or
/// (0, group) when its group shares stock.
pub struct Place {
    pub shop: i64,
    pub group: i64,
}

pub fn place(tx: &mut dyn Tx, shop: i64) -> StorageResult<Place> {
    let group = tx
        .select(&Select {
            table: "shop",
            columns: &["id_shop_group"],
            key: vec![("id_shop", Value::Int(shop))],
            ..Default::default()
        })?
        .first()
        .map_or(0, |r| int(&r[0]));
    let shared = group > 0
        && tx
            .select(&Select {
                table: "shop_group",
                columns: &["share_stock"],
                key: vec![("id_shop_group", Value::Int(group))],
                ..Default::default()
            })?
            .first()
            .is_some_and(|r| int(&r[0]) == 1);
    Ok(if shared {
        Place { shop: 0, group }
    } else {
        Place { shop, group: 0 }
    })
}

fn row_key(p: &Place, product: i64, attribute: i64) -> [(&'static str, Value); 4] {
    [
        ("id_product", Value::Int(product)),
        ("id_product_attribute", Value::Int(attribute)),
        ("id_shop", Value::Int(p.shop)),
        ("id_shop_group", Value::Int(p.group)),
    ]
}

/// The stock changes of one state change, applied together by [`apply`].
#[derive(Default)]
pub struct StockPlan {
    /// (product, combination) → change of the available quantity.
    pub deltas: BTreeMap<(i64, i64), i64>,
    /// (product, combination, signed quantity, reason) movements to write.
    pub moves: Vec<(i64, i64, i64, i64)>,
    /// (product, combination) → change of the reserved quantity.
    pub reserved: BTreeMap<(i64, i64), i64>,
    /// Every (product, combination) of the order: their physical quantities are rewritten.
    pub lines: BTreeSet<(i64, i64)>,
}

/// Who made the change, as movements record it.
pub struct Employee {
    pub id: i64,
    pub firstname: String,
    pub lastname: String,
}

pub fn employee(tx: &mut dyn Tx, id: Option<i64>) -> StorageResult<Employee> {
    let id = id.unwrap_or(0);
    let row = if id > 0 {
        tx.select(&Select {
            table: "employee",
            columns: &["firstname", "lastname"],
            key: vec![("id_employee", Value::Int(id))],
            ..Default::default()
        })?
        .into_iter()
        .next()
    } else {
        None
    };
    Ok(match row {
        Some(r) => Employee {
            id,
            firstname: r[0].to_text(),
            lastname: r[1].to_text(),
        },
        None => Employee {
            id: 0,
            firstname: String::new(),
            lastname: String::new(),
        },
    })
}

/// Applies `plan` on the stock rows of `place`: quantities, movements, then reserved and
/// physical quantities and the product-level rows.
pub fn apply(tx: &mut dyn Tx, place: &Place, plan: &StockPlan, ctx: &MoveCtx) -> StorageResult<()> {
    // Every row the change concerns, taken in one order before anything is read.
    for (product, attribute) in &plan.lines {
        let key = row_key(place, *product, *attribute);
        if !tx.lock_rows(TABLE, &key)? {
            tx.insert_ignore(
                TABLE,
                &[
                    key[0].clone(),
                    key[1].clone(),
                    key[2].clone(),
                    key[3].clone(),
                    ("quantity", Value::Int(0)),
                    ("out_of_stock", Value::Int(2)),
                ],
            )?;
        }
    }
    for ((product, attribute), delta) in &plan.deltas {
        if *delta != 0 {
            let key = row_key(place, *product, *attribute);
            tx.increment(TABLE, &[("quantity", *delta)], &[], &key)?;
        }
    }
    for (product, attribute, qty, reason) in &plan.moves {
        movement(tx, place, (*product, *attribute), *qty, *reason, ctx)?;
    }
    for (product, attribute) in &plan.lines {
        let delta = plan.reserved.get(&(*product, *attribute)).copied();
        reserve(tx, place, *product, *attribute, delta.unwrap_or(0))?;
    }
    let products: BTreeSet<i64> = plan
        .lines
        .iter()
        .filter(|(_, a)| *a != 0)
        .map(|(p, _)| *p)
        .collect();
    for product in products {
        stock::recompute(tx, product, place.shop, place.group)?;
    }
    Ok(())
}

/// What movements and reservations need to know of the change.
pub struct MoveCtx {
    pub id_order: i64,
    pub employee: Employee,
    pub now: String,
}

/// A `stock_mvt` row (StockManager::saveMovement): the absolute quantity, its sign, the
/// reason and the order; valuation columns 0, as PrestaShop writes them without advanced stock.
fn movement(
    tx: &mut dyn Tx,
    place: &Place,
    (product, attribute): (i64, i64),
    qty: i64,
    reason: i64,
    ctx: &MoveCtx,
) -> StorageResult<()> {
    let stock = tx
        .select(&Select {
            table: TABLE,
            columns: &["id_stock_available"],
            key: row_key(place, product, attribute).to_vec(),
            ..Default::default()
        })?
        .first()
        .map_or(0, |r| int(&r[0]));
    if stock == 0 {
        return Ok(());
    }
    tx.insert(
        "stock_mvt",
        &[
            ("id_stock", Value::Int(stock)),
            ("id_order", Value::Int(ctx.id_order)),
            ("id_supply_order", Value::Int(0)),
            ("id_stock_mvt_reason", Value::Int(reason)),
            ("id_employee", Value::Int(ctx.employee.id)),
            (
                "employee_firstname",
                Value::from(ctx.employee.firstname.as_str()),
            ),
            (
                "employee_lastname",
                Value::from(ctx.employee.lastname.as_str()),
            ),
            ("physical_quantity", Value::Int(qty.abs())),
            ("date_add", Value::from(ctx.now.as_str())),
            ("sign", Value::Int(if qty >= 0 { 1 } else { -1 })),
            ("price_te", Value::from("0.000000")),
            ("last_wa", Value::from("0.000000")),
            ("current_wa", Value::from("0.000000")),
        ],
    )?;
    Ok(())
}

fn shipped_states(tx: &mut dyn Tx) -> StorageResult<HashMap<i64, bool>> {
    Ok(tx
        .select(&Select {
            table: "order_state",
            columns: &["id_order_state", "shipped"],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), int(&r[1]) == 1))
        .collect())
}

/// Moves the reserved quantity of a row by `delta` and sets physical = available + reserved
/// (§3.4). The row is already this transaction's, so the quantities read are the ones written.
fn reserve(
    tx: &mut dyn Tx,
    place: &Place,
    product: i64,
    attribute: i64,
    delta: i64,
) -> StorageResult<()> {
    let key = row_key(place, product, attribute);
    if delta != 0 {
        tx.increment(TABLE, &[("reserved_quantity", delta)], &[], &key)?;
    }
    let Some(row) = tx
        .select(&Select {
            table: TABLE,
            columns: &["quantity", "reserved_quantity", "physical_quantity"],
            key: key.to_vec(),
            ..Default::default()
        })?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let physical = int(&row[0]) + int(&row[1]);
    if int(&row[2]) != physical {
        tx.update(TABLE, &[("physical_quantity", Value::Int(physical))], &key)?;
    }
    Ok(())
}

/// `ProductSale::addProductSale`: one more sale of `qty` units.
pub fn add_sale(tx: &mut dyn Tx, product: i64, qty: i64, today: &str) -> StorageResult<()> {
    let key = [("id_product", Value::Int(product))];
    tx.insert_ignore(
        "product_sale",
        &[
            ("id_product", Value::Int(product)),
            ("quantity", Value::Int(0)),
            ("sale_nbr", Value::Int(0)),
            ("date_upd", Value::from(today)),
        ],
    )?;
    tx.increment(
        "product_sale",
        &[("quantity", qty), ("sale_nbr", 1)],
        &[("date_upd", Value::from(today))],
        &key,
    )?;
    Ok(())
}

/// `ProductSale::removeProductSale`: one sale less; the row goes with the last one.
pub fn remove_sale(tx: &mut dyn Tx, product: i64, qty: i64, today: &str) -> StorageResult<()> {
    let key = [("id_product", Value::Int(product))];
    tx.lock_rows("product_sale", &key)?;
    let row = tx.select(&Select {
        table: "product_sale",
        columns: &["sale_nbr", "quantity"],
        key: key.to_vec(),
        ..Default::default()
    })?;
    let Some(r) = row.first() else {
        return Ok(());
    };
    if int(&r[0]) > 1 {
        // Never below zero: the columns are unsigned in PrestaShop's schema.
        let take = qty.min(int(&r[1])).max(0);
        tx.increment(
            "product_sale",
            &[("quantity", -take), ("sale_nbr", -1)],
            &[("date_upd", Value::from(today))],
            &key,
        )?;
    } else if int(&r[0]) == 1 {
        tx.delete("product_sale", &key)?;
    }
    Ok(())
}

/// Reserved and physical quantities of every stock row summed again from the orders (§3.4),
/// for a database whose rows were written without them (PrestaShop's demo data holds 0):
/// from then on each state change moves them by what it changes. Reads every order line:
/// meant for a new database, not for a request.
pub fn recount_reserved(tx: &mut dyn Tx) -> StorageResult<()> {
    let setting = |tx: &mut dyn Tx, name: &str, default: i64| -> StorageResult<i64> {
        Ok(tx
            .select(&Select {
                table: "configuration",
                columns: &["value"],
                key: vec![("name", Value::from(name))],
                null: &["id_shop", "id_shop_group"],
                ..Default::default()
            })?
            .first()
            .and_then(|r| r[0].to_text().trim().parse().ok())
            .unwrap_or(default))
    };
    let error = setting(tx, "PS_OS_ERROR", 8)?;
    let canceled = setting(tx, "PS_OS_CANCELED", 6)?;
    let shipped = shipped_states(tx)?;
    let groups: HashMap<i64, i64> = tx
        .select(&Select {
            table: "shop",
            columns: &["id_shop", "id_shop_group"],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), int(&r[1])))
        .collect();
    let reserving: HashMap<i64, i64> = tx
        .select(&Select {
            table: "orders",
            columns: &["id_order", "id_shop", "valid", "current_state"],
            ..Default::default()
        })?
        .iter()
        .filter(|r| {
            let state = int(&r[3]);
            !shipped.get(&state).copied().unwrap_or(false)
                && (int(&r[2]) == 1 || (state != error && state != canceled))
        })
        .map(|r| (int(&r[0]), int(&r[1])))
        .collect();
    // (product, combination, shop) → reserved.
    let mut sums: HashMap<(i64, i64, i64), i64> = HashMap::new();
    for d in tx.select(&Select {
        table: "order_detail",
        columns: &[
            "id_order",
            "product_id",
            "product_attribute_id",
            "product_quantity",
            "product_quantity_refunded",
        ],
        ..Default::default()
    })? {
        if let Some(shop) = reserving.get(&int(&d[0])) {
            *sums.entry((int(&d[1]), int(&d[2]), *shop)).or_default() += int(&d[3]) - int(&d[4]);
        }
    }
    let rows = tx.select(&Select {
        table: TABLE,
        columns: &[
            "id_stock_available",
            "id_product",
            "id_product_attribute",
            "id_shop",
            "id_shop_group",
            "quantity",
        ],
        ..Default::default()
    })?;
    let mut with_combinations: BTreeSet<(i64, i64, i64)> = BTreeSet::new();
    for r in &rows {
        let (product, attribute, shop, group) = (int(&r[1]), int(&r[2]), int(&r[3]), int(&r[4]));
        if attribute != 0 {
            with_combinations.insert((product, shop, group));
            // The product's own row is the sum of these, made below.
        }
        let reserved: i64 = sums
            .iter()
            .filter(|((p, a, s), _)| {
                *p == product
                    && *a == attribute
                    && if shop > 0 {
                        *s == shop
                    } else {
                        groups.get(s) == Some(&group)
                    }
            })
            .map(|(_, q)| *q)
            .sum();
        tx.update(
            TABLE,
            &[
                ("reserved_quantity", Value::Int(reserved)),
                ("physical_quantity", Value::Int(int(&r[5]) + reserved)),
            ],
            &[("id_stock_available", r[0].clone())],
        )?;
    }
    for (product, shop, group) in with_combinations {
        stock::recompute(tx, product, shop, group)?;
    }
    Ok(())
}
