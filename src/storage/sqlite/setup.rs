//! Creating the schema of an empty database and loading the embedded seed data.

use rusqlite::{params_from_iter, Connection};
use serde::Deserialize;

use super::{map_err, sql::q};
use crate::storage::{StorageError, StorageResult, Value};

include!(concat!(env!("OUT_DIR"), "/seed_files.rs"));

const SCHEMA_SQL: &str = include_str!("../../../assets/catalog/schema.sql");
const SHOPWS_SQL: &str = include_str!("../../../assets/shopws.sql");

/// Every table that has seed rows.
pub static SEED_TABLES: &[(&str, &str)] = SEED_FILES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedMode {
    /// Languages, countries, currencies, taxes, states, groups, configuration…
    Reference,
    /// Reference data plus the demo catalogue, customers and orders.
    Demo,
}

/// Tables whose seed rows are the demo shop, not reference data.
const DEMO_TABLES: &[&str] = &[
    "accessory",
    "address",
    "attribute",
    "attribute_group",
    "attribute_group_lang",
    "attribute_group_shop",
    "attribute_lang",
    "attribute_shop",
    "cart",
    "cart_product",
    "category_product",
    "customer",
    "customer_group",
    "customer_message",
    "customer_thread",
    "customization",
    "customized_data",
    "feature",
    "feature_lang",
    "feature_product",
    "feature_shop",
    "feature_value",
    "feature_value_lang",
    "guest",
    "image",
    "image_lang",
    "image_shop",
    "manufacturer",
    "manufacturer_lang",
    "manufacturer_shop",
    "message",
    "order_carrier",
    "order_detail",
    "order_detail_tax",
    "order_history",
    "order_invoice",
    "order_invoice_payment",
    "order_invoice_tax",
    "order_payment",
    "orders",
    "pack",
    "product",
    "product_attribute",
    "product_attribute_combination",
    "product_attribute_image",
    "product_attribute_lang",
    "product_attribute_shop",
    "product_lang",
    "product_sale",
    "product_shop",
    "product_supplier",
    "product_tag",
    "specific_price",
    "stock_available",
    "stock_mvt",
    "store",
    "store_lang",
    "store_shop",
    "supplier",
    "supplier_lang",
    "supplier_shop",
    "tag",
];

/// Category rows kept without the demo: Root (1) and Home (2).
const CATEGORY_TABLES: &[&str] = &[
    "category",
    "category_lang",
    "category_shop",
    "category_group",
];

#[derive(Deserialize)]
struct SeedFile {
    table: String,
    columns: Vec<String>,
    rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

pub fn ensure_schema(conn: &Connection) -> StorageResult<()> {
    let exists: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='configuration'",
            [],
            |r| r.get(0),
        )
        .map_err(map_err)?;
    if exists == 0 {
        conn.execute_batch(&format!("BEGIN; {SCHEMA_SQL}\n{SHOPWS_SQL}\n COMMIT;"))
            .map_err(map_err)?;
    } else {
        // Side tables added by later versions.
        conn.execute_batch(SHOPWS_SQL).map_err(map_err)?;
        for (table, column, decl) in ADDED_COLUMNS {
            let present: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
                    [table, column],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            if present == 0 {
                // Names come from the constant below, never from input.
                conn.execute_batch(&format!(
                    "ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" {decl}"
                ))
                .map_err(map_err)?;
            }
        }
    }
    Ok(())
}

/// Columns of shopws's side tables added after their first release (table, column, type).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    (
        "shopws_admin_session",
        "reauth_at",
        "INTEGER NOT NULL DEFAULT 0",
    ),
    ("shopws_admin_session", "user_agent", "TEXT DEFAULT NULL"),
    (
        "shopws_login_throttle",
        "lockouts",
        "INTEGER NOT NULL DEFAULT 0",
    ),
];

fn json_to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Int(i64::from(*b)),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or(0.0))),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

/// Loads the seed when the database has no configuration yet. Returns whether it did.
pub fn seed(conn: &mut Connection, mode: SeedMode) -> StorageResult<bool> {
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM configuration", [], |r| r.get(0))
        .map_err(map_err)?;
    if n > 0 {
        return Ok(false);
    }
    let tx = conn.transaction().map_err(map_err)?;
    for (name, text) in SEED_FILES {
        if mode == SeedMode::Reference && DEMO_TABLES.contains(name) {
            continue;
        }
        let file: SeedFile = serde_json::from_str(text)
            .map_err(|e| StorageError::Other(format!("seed {name}: {e}")))?;
        let cols: Vec<String> = file.columns.iter().map(|c| q(c)).collect();
        let marks = vec!["?"; cols.len()].join(",");
        let text = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            q(&file.table),
            cols.join(",")
        );
        let mut stmt = tx.prepare(&text).map_err(map_err)?;
        for row in &file.rows {
            if mode == SeedMode::Reference && CATEGORY_TABLES.contains(name) {
                let id = row.get("id_category").and_then(|v| v.as_i64()).unwrap_or(0);
                if id > 2 {
                    continue;
                }
            }
            let vals: Vec<Value> = file
                .columns
                .iter()
                .map(|c| row.get(c).map(json_to_value).unwrap_or(Value::Null))
                .collect();
            stmt.execute(params_from_iter(vals.iter()))
                .map_err(map_err)?;
        }
    }
    tx.commit().map_err(map_err)?;
    Ok(true)
}
