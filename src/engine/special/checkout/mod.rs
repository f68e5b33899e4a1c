//! `POST /api/orders`: an order validated from its cart, as PrestaShop's
//! `PaymentModule::validateOrder` builds it (business rules §2.3). The posted order is
//! checked by the generic writer (required fields, validators) and inserted; this module
//! then rewrites it from the cart inside the same transaction: lines with their prices and
//! taxes, carrier, totals, reference, payment, stock, cart rules, sales, and the first
//! state with its side effects. Any refusal rolls everything back, the posted row included.

mod cart;
mod draft;
mod errors;
mod glue;
mod reference;
mod rows;
mod stock;
mod taxes;

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::engine::behaviour::{Behaviour, Save};
use crate::engine::ApiResult;
use crate::storage::{Select, StorageResult, Tx, Value};

use super::Staged;
pub use draft::OrderDraft;

/// What `POST /api/orders` uses of the posted order; the rest comes from the cart.
struct Posted {
    cart: i64,
    customer: i64,
    module: String,
    payment: String,
    total_paid: Decimal,
}

impl Posted {
    fn of(st: &Staged) -> Posted {
        let int = |c: &str| st.get(c).and_then(Value::as_i64).unwrap_or(0);
        let text = |c: &str| st.get(c).map(Value::to_text).unwrap_or_default();
        Posted {
            cart: int("id_cart"),
            customer: int("id_customer"),
            module: text("module"),
            payment: text("payment"),
            total_paid: Decimal::from_str(text("total_paid").trim()).unwrap_or_default(),
        }
    }
}

/// Whether an order in `state` counts as validated (`order_state.logable`).
fn logable(tx: &mut dyn Tx, state: i64) -> StorageResult<bool> {
    Ok(tx
        .select(&Select {
            table: "order_state",
            columns: &["logable"],
            key: vec![("id_order_state", Value::Int(state))],
            ..Default::default()
        })?
        .first()
        .and_then(|r| r[0].as_i64())
        == Some(1))
}

fn place(tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
    let info = &s.ctx.info;
    let id = st.id;
    let posted = Posted::of(st);
    let cart = cart::load(tx, posted.cart)?;
    cart::not_ordered(tx, cart.id, id)?;
    let customer_key = cart::customer_key(tx, &cart, posted.customer)?;
    cart::payment_module(tx, &posted.module, cart.shop)?;
    let draft = glue::draft(tx, &cart, s.ctx)?;
    let paid_state = info.setting_i64("PS_OS_WS_PAYMENT", 11);
    let error_state = info.setting_i64("PS_OS_ERROR", 8);
    let canceled_state = info.setting_i64("PS_OS_CANCELED", 6);
    let first_logable = logable(tx, paid_state)?;
    // PrestaShop compares the two amounts as shown with two decimals.
    let mismatch = draft.totals.paid_ti.round_dp(2) != posted.total_paid.round_dp(2);
    let state = if first_logable && mismatch {
        error_state
    } else {
        paid_state
    };
    let reference = reference::unused(tx)?;
    let now = s.ctx.db.now.clone();
    rows::order(
        tx,
        id,
        &draft,
        &rows::Header {
            reference: &reference,
            customer_key: &customer_key,
            payment: &posted.payment,
            module: &posted.module,
            round_mode: info.setting_i64("PS_PRICE_ROUND_MODE", 2),
            round_type: info.setting_i64("PS_ROUND_TYPE", 2),
            now: &now,
        },
    )?;
    let had: Vec<i64> = if state == error_state || state == canceled_state {
        draft.lines.iter().map(|l| l.quantity).collect()
    } else {
        stock::take(tx, &draft, info)?
    };
    let short = draft.lines.iter().zip(&had).any(|(l, h)| *h < l.quantity);
    for (line, had) in draft.lines.iter().zip(had) {
        rows::detail(tx, id, cart.shop, line, had)?;
    }
    rows::carrier(tx, id, &draft, &now)?;
    if first_logable {
        rows::payment(
            tx,
            id,
            &draft,
            &reference,
            &posted.payment,
            posted.total_paid,
            &now,
        )?;
    }
    rows::cart_rules(tx, id, &draft)?;
    if logable(tx, state)? {
        rows::sales(tx, &draft, now.get(..10).unwrap_or(&now))?;
    }
    glue::enter_state(tx, &now, id, state)?;
    if short {
        if let Some(next) = glue::backorder_state(tx, &cart, state)? {
            glue::enter_state(tx, &now, id, next)?;
        }
    }
    // The confirmation, unless the payment failed (validateOrder).
    if state != error_state && state != canceled_state {
        crate::mail::queue_order_mail(tx, id, "order_conf", &[])?;
    }
    Ok(())
}

/// Orders placed through the webservice are validated from their cart.
pub struct PlaceOrder;

impl Behaviour for PlaceOrder {
    fn after_save(&self, tx: &mut dyn Tx, s: &Save, st: &Staged) -> ApiResult<()> {
        if s.created {
            place(tx, s, st)?;
        }
        Ok(())
    }
}
