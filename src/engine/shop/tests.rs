//! Configuration writes on a real database file.

use super::*;
use crate::storage::sqlite::SqliteStore;

use crate::storage::sqlite::temp_store as store;

/// (value, id_shop, id_shop_group) of every row of `name`, by id.
fn rows(s: &dyn Store, name: &str) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    s.read(&mut |rd| {
        out = rd
            .select(&Select {
                table: "configuration",
                columns: &["value", "id_shop", "id_shop_group"],
                key: vec![("name", Value::from(name))],
                order: &["id_configuration"],
                ..Default::default()
            })?
            .into_iter()
            .map(|r| (r[0].to_text(), r[1].clone(), r[2].clone()))
            .collect();
        Ok(())
    })
    .expect("read");
    out
}

fn global(v: &str) -> (String, Value, Value) {
    (v.to_string(), Value::Null, Value::Null)
}

fn add_row(s: &dyn Store, name: &str, value: &str, shop: Value) {
    s.write(&mut |tx| {
        tx.insert(
            "configuration",
            &[
                ("name", Value::from(name)),
                ("value", Value::from(value)),
                ("id_shop", shop.clone()),
                ("id_shop_group", Value::Null),
                ("date_add", Value::from("2026-01-01 00:00:00")),
                ("date_upd", Value::from("2026-01-01 00:00:00")),
            ],
        )
        .map(|_| ())
    })
    .expect("insert");
}

#[test]
fn a_setting_is_inserted_once_then_updated() {
    let (_d, s) = store();
    set_setting(&s, "SHOPWS_TEST", "1").expect("set");
    assert_eq!(rows(&s, "SHOPWS_TEST"), vec![global("1")]);
    set_setting(&s, "SHOPWS_TEST", "2").expect("set");
    assert_eq!(rows(&s, "SHOPWS_TEST"), vec![global("2")]);
    // A shop's own value is another row, and the global one leaves it alone.
    set_setting_in(&s, "SHOPWS_TEST", "3", Scope::Shop(1)).expect("set");
    set_setting(&s, "SHOPWS_TEST", "4").expect("set");
    let shop = ("3".to_string(), Value::Int(1), Value::Null);
    assert_eq!(rows(&s, "SHOPWS_TEST"), vec![global("4"), shop]);
    // For all shops: the overrides go.
    set_setting_in(&s, "SHOPWS_TEST", "5", Scope::All).expect("set");
    assert_eq!(rows(&s, "SHOPWS_TEST"), vec![global("5")]);
}

#[test]
fn twin_rows_of_one_scope_are_written_together() {
    let (_d, s) = store();
    add_row(&s, "SHOPWS_TWIN", "a", Value::Null);
    add_row(&s, "SHOPWS_TWIN", "b", Value::Null);
    add_row(&s, "SHOPWS_TWIN", "c", Value::Int(1));
    set_setting(&s, "SHOPWS_TWIN", "new").expect("set");
    let shop = ("c".to_string(), Value::Int(1), Value::Null);
    assert_eq!(
        rows(&s, "SHOPWS_TWIN"),
        vec![global("new"), global("new"), shop]
    );
}

#[test]
fn two_handles_setting_one_value_at_once_leave_one_row() {
    let (dir, first) = store();
    let second = SqliteStore::open(&dir.path().join("t.db").to_string_lossy(), 1).expect("open");
    std::thread::scope(|scope| {
        for (node, s) in [("a", &first), ("b", &second)] {
            scope.spawn(move || {
                for i in 0..40 {
                    set_setting(s, &format!("SHOPWS_RACE_{i}"), node).expect("set");
                    set_setting(s, "SHOPWS_RACE", &format!("{node}{i}")).expect("set");
                }
            });
        }
    });
    let last = rows(&first, "SHOPWS_RACE");
    assert_eq!(last.len(), 1, "{last:?}");
    assert!(["a39", "b39"].contains(&last[0].0.as_str()), "{last:?}");
    for i in 0..40 {
        assert_eq!(rows(&second, &format!("SHOPWS_RACE_{i}")).len(), 1, "{i}");
    }
}
