//! The taxes of an order line (`order_detail_tax`): which taxes of the line's tax rules group
//! apply at the tax address, and the amount of each on the unit price and on the line, as
//! PrestaShop's tax calculator splits them (added up, or one after another).

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::engine::special::carts::context::Place;
use crate::engine::special::price::round::ps_round;
use crate::engine::special::price::tax;
use crate::engine::special::price::tax::TaxRule;
use crate::engine::special::price::tax_rules;
use crate::storage::{StorageResult, Tx};

use super::draft::LineTax;

/// The rules of each tax rules group at the order's address, read once per order: its
/// lines mostly share a group.
pub type Rules = HashMap<i64, Vec<TaxRule>>;

/// The line's taxes and the calculator's method (0 one tax, 1 added, 2 one after another).
pub fn of_line(
    tx: &mut dyn Tx,
    known: &mut Rules,
    group: i64,
    place: &Place,
    unit_te: Decimal,
    total_te: Decimal,
    (precision, round_mode): (i32, i64),
) -> StorageResult<(Vec<LineTax>, i64)> {
    let rules = match known.entry(group) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(tax_rules(tx, group, place.country)?)
        }
    };
    let (applied, behavior) = tax::applied(rules.as_slice(), place.state, &place.zipcode);
    let hundred = Decimal::ONE_HUNDRED;
    let (mut unit_base, mut total_base) = (unit_te, total_te);
    let mut out = Vec::with_capacity(applied.len());
    for r in applied {
        let rate = r.rate.abs() / hundred;
        let unit = unit_base * rate;
        let total = total_base * rate;
        out.push(LineTax {
            id_tax: r.id_tax,
            unit_amount: unit.round_dp(6),
            total_amount: ps_round(total, precision, round_mode),
        });
        if behavior == 2 {
            unit_base += unit;
            total_base += total;
        }
    }
    let method = if out.len() > 1 {
        behavior.max(1)
    } else {
        behavior
    };
    Ok((out, method))
}
