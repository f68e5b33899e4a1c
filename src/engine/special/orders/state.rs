//! `OrderHistory::changeIdOrderState`: the one place where entering a state has effects
//! (business rules §2.4) — sales counts, stock taken or given back, movements when goods
//! leave, the `valid` flag, invoice and delivery slip, payments, reserved quantities.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::engine::special::price::dec;
use crate::engine::{ApiError, ApiResult};
use crate::storage::{Select, StorageResult, Tx, Value};

use super::super::int;
use super::stock_moves::{self, MoveCtx, StockPlan};
use super::{invoice, payment, settings};

/// The order as a state change reads and writes it.
pub struct Order {
    pub id: i64,
    pub reference: String,
    pub shop: i64,
    pub shop_group: i64,
    pub lang: i64,
    pub carrier: i64,
    pub address_delivery: i64,
    pub currency: i64,
    pub conversion_rate: String,
    pub module: String,
    pub payment: String,
    pub current_state: i64,
    pub invoice_number: i64,
    pub invoice_date: String,
    pub delivery_number: i64,
    pub delivery_date: String,
    pub total_paid_real: Decimal,
    pub note: String,
    pub valid: bool,
    amounts: HashMap<&'static str, Decimal>,
}

const AMOUNTS: [&str; 15] = [
    "total_paid",
    "total_paid_tax_incl",
    "total_paid_tax_excl",
    "total_products",
    "total_products_wt",
    "total_shipping_tax_incl",
    "total_shipping_tax_excl",
    "total_discounts_tax_incl",
    "total_discounts_tax_excl",
    "total_wrapping_tax_incl",
    "total_wrapping_tax_excl",
    "total_discounts",
    "total_shipping",
    "total_wrapping",
    "total_paid_real",
];

const COLUMNS: [&str; 17] = [
    "reference",
    "id_shop",
    "id_shop_group",
    "id_lang",
    "id_carrier",
    "id_address_delivery",
    "id_currency",
    "conversion_rate",
    "module",
    "payment",
    "current_state",
    "invoice_number",
    "invoice_date",
    "delivery_number",
    "delivery_date",
    "valid",
    "note",
];

impl Order {
    /// One of the order's stored amounts (`total_paid_tax_incl`, …); 0 for another name.
    pub fn amount(&self, name: &str) -> Decimal {
        self.amounts.get(name).copied().unwrap_or_default()
    }

    /// Takes the order's row for this transaction (on a server database a concurrent state
    /// change of the same order waits), then reads it.
    fn load(tx: &mut dyn Tx, id: i64) -> StorageResult<Option<Order>> {
        let key = [("id_order", Value::Int(id))];
        tx.lock_rows("orders", &key)?;
        let mut columns: Vec<&str> = COLUMNS.to_vec();
        columns.extend_from_slice(&AMOUNTS);
        let Some(r) = tx
            .select(&Select {
                table: "orders",
                columns: &columns,
                key: key.to_vec(),
                ..Default::default()
            })?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let amounts: HashMap<&'static str, Decimal> = AMOUNTS
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, dec(&r[COLUMNS.len() + i])))
            .collect();
        Ok(Some(Order {
            id,
            reference: r[0].to_text(),
            shop: int(&r[1]),
            shop_group: int(&r[2]),
            lang: int(&r[3]),
            carrier: int(&r[4]),
            address_delivery: int(&r[5]),
            currency: int(&r[6]),
            conversion_rate: Decimal::from_str(r[7].to_text().trim())
                .unwrap_or(Decimal::ONE)
                .round_dp(6)
                .to_string(),
            module: r[8].to_text(),
            payment: r[9].to_text(),
            current_state: int(&r[10]),
            invoice_number: int(&r[11]),
            invoice_date: r[12].to_text(),
            delivery_number: int(&r[13]),
            delivery_date: r[14].to_text(),
            note: r[16].to_text(),
            valid: int(&r[15]) == 1,
            total_paid_real: amounts.get("total_paid_real").copied().unwrap_or_default(),
            amounts,
        }))
    }
}

/// An `order_state` row's flags.
#[derive(Default, Clone, Copy)]
struct Flags {
    logable: bool,
    paid: bool,
    invoice: bool,
    shipped: bool,
    delivery: bool,
    send_email: bool,
}

fn state(tx: &mut dyn Tx, id: i64) -> StorageResult<Option<Flags>> {
    let row = tx.select(&Select {
        table: "order_state",
        columns: &[
            "logable",
            "paid",
            "invoice",
            "shipped",
            "delivery",
            "send_email",
        ],
        key: vec![("id_order_state", Value::Int(id))],
        ..Default::default()
    })?;
    Ok(row.first().map(|r| Flags {
        logable: int(&r[0]) == 1,
        paid: int(&r[1]) == 1,
        invoice: int(&r[2]) == 1,
        shipped: int(&r[3]) == 1,
        delivery: int(&r[4]) == 1,
        send_email: int(&r[5]) == 1,
    }))
}

/// What the caller of [`change_state`] needs to send the state's e-mail.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChange {
    pub id_order: i64,
    /// The order's language: the e-mail's.
    pub id_lang: i64,
    pub old_state: i64,
    pub new_state: i64,
    /// The new state's `send_email` flag.
    pub send_email: bool,
    /// The new state's e-mail template by language (`order_state_lang.template`).
    pub templates: Vec<(i64, String)>,
    pub invoice_number: i64,
    pub delivery_number: i64,
}

/// 404 with PrestaShop's error document for an order or a state that does not exist.
pub fn not_found(what: &str, id: i64) -> ApiError {
    ApiError::new(404, 1025, format!("{what} #{id} does not exist"))
}

/// Changes the state of order `id_order` to `new_state` with every side effect, inside the
/// caller's transaction (`now`: the shop's time). `employee` is recorded on stock movements.
/// `use_existing_payment`: a new invoice takes over the payments already made for the order
/// (order creation, and PUT of an order without an invoice); `order_histories` does not.
/// The `order_history` row is the caller's to write ([`super::histories::add`]).
pub fn change_state(
    tx: &mut dyn Tx,
    now: &str,
    id_order: i64,
    new_state: i64,
    employee: Option<i64>,
    use_existing_payment: bool,
) -> ApiResult<StateChange> {
    let mut o = Order::load(tx, id_order)?.ok_or_else(|| not_found("Order", id_order))?;
    let new = state(tx, new_state)?.ok_or_else(|| not_found("Order state", new_state))?;
    let old_state = o.current_state;
    let old = state(tx, old_state)?;
    let error = settings::int(tx, "PS_OS_ERROR", o.shop, o.shop_group, 8)?;
    let canceled = settings::int(tx, "PS_OS_CANCELED", o.shop, o.shop_group, 6)?;
    // `product_sale.date_upd` is a date.
    let today = now.get(..10).unwrap_or(now);
    let plan = plan(
        tx,
        &o,
        (old, new),
        (old_state, new_state),
        (error, canceled),
        today,
    )?;

    // The order enters the state before anything that reads it (reserved quantities).
    o.current_state = new_state;
    tx.update(
        "orders",
        &[
            ("current_state", Value::Int(new_state)),
            ("valid", Value::Int(i64::from(new.logable))),
            ("date_upd", Value::from(now)),
        ],
        &[("id_order", Value::Int(o.id))],
    )?;
    if new.invoice && o.invoice_number == 0 {
        invoice::set_invoice(tx, &mut o, use_existing_payment, now)?;
    } else if new.delivery && o.delivery_number == 0 {
        invoice::set_delivery_slip(tx, &mut o, now)?;
    }
    if new.paid {
        payment::pay_rest(tx, &mut o, now)?;
    }
    if new.delivery {
        invoice::set_delivery(tx, &mut o, now)?;
    }
    tx.update(
        "orders",
        &[
            ("invoice_number", Value::Int(o.invoice_number)),
            ("invoice_date", Value::from(o.invoice_date.as_str())),
            ("delivery_number", Value::Int(o.delivery_number)),
            ("delivery_date", Value::from(o.delivery_date.as_str())),
            (
                "total_paid_real",
                Value::from(o.total_paid_real.round_dp(6).to_string()),
            ),
        ],
        &[("id_order", Value::Int(o.id))],
    )?;

    let place = stock_moves::place(tx, o.shop)?;
    let ctx = MoveCtx {
        id_order: o.id,
        employee: stock_moves::employee(tx, employee)?,
        now: now.to_string(),
    };
    stock_moves::apply(tx, &place, &plan, &ctx)?;

    let templates = tx
        .select(&Select {
            table: "order_state_lang",
            columns: &["id_lang", "template"],
            key: vec![("id_order_state", Value::Int(new_state))],
            order: &["id_lang"],
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), r[1].to_text()))
        .collect();
    Ok(StateChange {
        id_order: o.id,
        id_lang: o.lang,
        old_state,
        new_state,
        send_email: new.send_email,
        templates,
        invoice_number: o.invoice_number,
        delivery_number: o.delivery_number,
    })
}

/// The stock and sales effects of going from `old` to `new`, line by line; sales counts are
/// written here, stock by [`stock_moves::apply`].
fn plan(
    tx: &mut dyn Tx,
    o: &Order,
    (old, new): (Option<Flags>, Flags),
    (old_id, new_id): (i64, i64),
    (error, canceled): (i64, i64),
    today: &str,
) -> StorageResult<StockPlan> {
    let mut lines = tx.select(&Select {
        table: "order_detail",
        columns: &[
            "product_id",
            "product_attribute_id",
            "product_quantity",
            "product_quantity_refunded",
            "product_quantity_return",
        ],
        key: vec![("id_order", Value::Int(o.id))],
        order: &["id_order_detail"],
        ..Default::default()
    })?;
    // Sales rows are taken in product order, as stock rows are: two changes of orders
    // sharing products never wait for each other in opposite orders.
    lines.sort_by_key(|l| (int(&l[0]), int(&l[1])));
    let packs: BTreeMap<i64, bool> = tx
        .select(&Select {
            table: "product",
            columns: &["id_product", "cache_is_pack"],
            any: Some(("id_product", lines.iter().map(|l| l[0].clone()).collect())),
            ..Default::default()
        })?
        .iter()
        .map(|r| (int(&r[0]), int(&r[1]) == 1))
        .collect();
    let out = |s: i64| s == error || s == canceled;
    let reason = if new.shipped {
        settings::int(
            tx,
            "PS_STOCK_CUSTOMER_ORDER_REASON",
            o.shop,
            o.shop_group,
            1,
        )?
    } else {
        settings::int(
            tx,
            "PS_STOCK_CUSTOMER_ORDER_CANCEL_REASON",
            o.shop,
            o.shop_group,
            2,
        )?
    };
    let mut p = StockPlan::default();
    let old_shipped = old.is_some_and(|f| f.shipped);
    // §3.4: an order holds its lines' quantities reserved while it is not shipped and is valid
    // or not cancelled or in error. Reserved quantities move by what this change does to that,
    // instead of being summed again over every order of the product. A new order (no state
    // yet) holds nothing before its first state.
    let reserves_before = old.is_some_and(|f| !f.shipped && (o.valid || !out(old_id)));
    let reserves_after = !new.shipped && (new.logable || !out(new_id));
    let reserve_sign = i64::from(reserves_after) - i64::from(reserves_before);
    for l in &lines {
        let (product, attribute, qty) = (int(&l[0]), int(&l[1]), int(&l[2]));
        p.lines.insert((product, attribute));
        let pack = packs.get(&product).copied().unwrap_or(false);
        let mut stock = 0;
        if let Some(old) = old {
            if new.logable && !old.logable {
                stock_moves::add_sale(tx, product, qty, today)?;
                if out(old_id) {
                    stock = -qty;
                }
            } else if !new.logable && old.logable {
                stock_moves::remove_sale(tx, product, qty, today)?;
                if out(new_id) {
                    stock = qty;
                }
            } else if !new.logable && !old.logable && out(new_id) && !out(old_id) {
                stock = qty;
            } else if !new.logable && !old.logable && out(old_id) && !out(new_id) {
                stock = -qty;
            }
        }
        if !pack && stock != 0 {
            *p.deltas.entry((product, attribute)).or_default() += stock;
        }
        if reserve_sign != 0 {
            *p.reserved.entry((product, attribute)).or_default() +=
                reserve_sign * (qty - int(&l[3]));
        }
        let left = qty - int(&l[3]) - int(&l[4]);
        if new.shipped != old_shipped && left > 0 {
            let sign = if new.shipped { -1 } else { 1 };
            p.moves.push((product, attribute, sign * left, reason));
        }
    }
    Ok(p)
}
