//! Configuration values a state change reads (and the start numbers it clears), inside its
//! transaction: the shop's own value, else its group's, else the value for all shops.

use crate::storage::{Select, StorageResult, Tx, Value};

/// One configuration row found for a shop: its id (to clear it) and its value.
pub struct Setting {
    pub id: i64,
    pub value: String,
}

impl Setting {
    /// The value as PHP's `(int)` reads a number; 0 when empty or not a number.
    pub fn int(&self) -> i64 {
        self.value.trim().parse().unwrap_or(0)
    }
}

/// The value of `name` in force for `shop` (of `group`).
pub fn get(tx: &mut dyn Tx, name: &str, shop: i64, group: i64) -> StorageResult<Option<Setting>> {
    let rows = tx.select(&Select {
        table: "configuration",
        columns: &["id_configuration", "value", "id_shop", "id_shop_group"],
        key: vec![("name", Value::from(name))],
        order: &["id_configuration"],
        ..Default::default()
    })?;
    let pick = |want: &dyn Fn(&Vec<Value>) -> bool| rows.iter().find(|r| want(r));
    let found = pick(&|r| r[2].as_i64() == Some(shop))
        .or_else(|| pick(&|r| r[2].is_null() && r[3].as_i64() == Some(group)))
        .or_else(|| pick(&|r| r[2].is_null() && r[3].is_null()))
        .or_else(|| rows.first());
    Ok(found.map(|r| Setting {
        id: r[0].as_i64().unwrap_or(0),
        value: r[1].to_text(),
    }))
}

/// An integer setting, `default` when it is missing.
pub fn int(tx: &mut dyn Tx, name: &str, shop: i64, group: i64, default: i64) -> StorageResult<i64> {
    Ok(get(tx, name, shop, group)?.map_or(default, |s| s.int()))
}

/// Takes the rows of `name` for this transaction: on a server database two numberings of invoices or delivery slips then run one after the other rather
/// than both reading the same largest number.
pub fn lock(tx: &mut dyn Tx, name: &str) -> StorageResult<()> {
    tx.lock_rows("configuration", &[("name", Value::from(name))])?;
    Ok(())
}

/// `Configuration::updateValue(name, false)`: a start number is used once, then emptied.
pub fn clear(tx: &mut dyn Tx, s: &Setting, now: &str) -> StorageResult<()> {
    tx.update(
        "configuration",
        &[("value", Value::from("")), ("date_upd", Value::from(now))],
        &[("id_configuration", Value::Int(s.id))],
    )?;
    Ok(())
}
