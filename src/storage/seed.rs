//! The embedded seed data (PrestaShop's reference data and demo shop, one JSON file per
//! table), loaded into an empty database through the storage traits, so every backend seeds
//! the same rows.

use serde::Deserialize;

use super::{StorageError, StorageResult, Tx, Value};

include!(concat!(env!("OUT_DIR"), "/seed_files.rs"));

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

/// Loads the seed rows of `mode` into an empty database.
pub fn load(tx: &mut dyn Tx, mode: SeedMode) -> StorageResult<()> {
    for (name, text) in SEED_FILES {
        if mode == SeedMode::Reference && DEMO_TABLES.contains(name) {
            continue;
        }
        let file: SeedFile = serde_json::from_str(text)
            .map_err(|e| StorageError::Other(format!("seed {name}: {e}")))?;
        for row in &file.rows {
            if mode == SeedMode::Reference && CATEGORY_TABLES.contains(name) {
                let id = row.get("id_category").and_then(|v| v.as_i64()).unwrap_or(0);
                if id > 2 {
                    continue;
                }
            }
            let vals: Vec<(&str, Value)> = file
                .columns
                .iter()
                .map(|c| {
                    let v = row.get(c).map(json_to_value).unwrap_or(Value::Null);
                    (c.as_str(), v)
                })
                .collect();
            tx.insert(&file.table, &vals)?;
        }
    }
    payment_modules(tx)
}

/// The payment modules a new PrestaShop 9 shop has installed and active (the reference data,
/// taken from PrestaShop's SQL files, has no modules: they are installed by PHP code). An
/// order posted through the webservice names one of them in `module`.
const PAYMENT_MODULES: &[(&str, &str)] =
    &[("ps_checkpayment", "2.1.0"), ("ps_wirepayment", "2.2.0")];

fn payment_modules(tx: &mut dyn Tx) -> StorageResult<()> {
    let shops: Vec<i64> = tx
        .select(&crate::storage::Select {
            table: "shop",
            columns: &["id_shop"],
            ..Default::default()
        })?
        .iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    for (name, version) in PAYMENT_MODULES {
        let id = tx.insert(
            "module",
            &[
                ("name", Value::from(*name)),
                ("active", Value::Int(1)),
                ("version", Value::from(*version)),
            ],
        )?;
        for shop in &shops {
            tx.insert(
                "module_shop",
                &[
                    ("id_module", Value::Int(id)),
                    ("id_shop", Value::Int(*shop)),
                    ("enable_device", Value::Int(7)),
                ],
            )?;
        }
    }
    Ok(())
}

/// Whether the database holds no configuration yet (so nothing a seed could collide with).
pub fn is_empty(tx: &mut dyn Tx) -> StorageResult<bool> {
    Ok(tx.max("configuration", "id_configuration", &[])?.is_none())
}
