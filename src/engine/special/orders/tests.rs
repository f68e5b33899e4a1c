#![allow(clippy::unwrap_used, clippy::expect_used)]
//! [`change_state`] called directly, as order creation calls it inside its own transaction.

use crate::engine::{ApiError, ApiResult};
use crate::storage::{self, SeedMode, Select, Store, Value};

use super::{change_state, StateChange};

fn demo() -> (Box<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("shop.db");
    let store = storage::open(&format!("sqlite:{}", path.display()), 1).expect("database");
    assert!(store.seed(SeedMode::Demo).expect("demo data"));
    (store, dir)
}

fn value(store: &dyn Store, table: &str, column: &str, key: (&str, i64)) -> Value {
    store
        .first_row(&Select {
            table,
            columns: &[column],
            key: vec![(key.0, Value::Int(key.1))],
            ..Default::default()
        })
        .unwrap()
        .map(|mut r| r.swap_remove(0))
        .unwrap_or(Value::Null)
}

const NOW: &str = "2026-03-04 05:06:07";

#[test]
fn the_change_answers_what_the_state_email_needs() {
    let (store, _dir) = demo();
    let change: StateChange = store
        .transaction(|tx| -> ApiResult<StateChange> { change_state(tx, NOW, 2, 2, None, true) })
        .unwrap();
    assert_eq!(
        (change.id_order, change.old_state, change.new_state),
        (2, 1, 2)
    );
    assert!(change.send_email);
    assert_eq!(
        change.templates,
        vec![(1, "payment".to_string()), (2, "payment".to_string())]
    );
    assert_eq!(change.invoice_number, 1);
    assert_eq!(change.delivery_number, 0);
    assert_eq!(
        value(store.as_ref(), "orders", "current_state", ("id_order", 2)),
        Value::Int(2)
    );
    assert_eq!(
        value(store.as_ref(), "orders", "invoice_date", ("id_order", 2)).to_text(),
        NOW
    );
}

#[test]
fn a_caller_that_fails_after_the_change_leaves_nothing_of_it() {
    let (store, _dir) = demo();
    let stock = |s: &dyn Store| value(s, "stock_available", "quantity", ("id_stock_available", 8));
    let before = stock(store.as_ref());
    let failed = store.transaction(|tx| -> ApiResult<()> {
        change_state(tx, NOW, 2, 6, Some(1), false)?;
        Err(ApiError::bad_request(85, "the caller gave up"))
    });
    assert_eq!(failed.unwrap_err().status, 400);
    assert_eq!(stock(store.as_ref()), before, "the restock rolled back");
    assert_eq!(
        value(store.as_ref(), "orders", "current_state", ("id_order", 2)),
        Value::Int(1)
    );
}

#[test]
fn unknown_orders_and_states_are_404() {
    let (store, _dir) = demo();
    for (order, state) in [(99, 2), (2, 99)] {
        let e = store
            .transaction(|tx| change_state(tx, NOW, order, state, None, false))
            .unwrap_err();
        assert_eq!(e.status, 404, "{order}/{state}");
        assert_eq!(e.errors[0].code, Some(1025));
    }
}
