//! Shop-wide facts every request needs (languages, shops, a few settings), read from the
//! database and kept for one second so that changes made elsewhere show up almost at once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::storage::{Select, StorageResult, Store, Value};

#[derive(Debug, Clone)]
pub struct ShopRow {
    pub id: i64,
    pub group: i64,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct ShopInfo {
    pub installed_langs: Vec<i64>,
    pub active_langs: Vec<i64>,
    pub default_lang: i64,
    pub default_shop: i64,
    pub shops: Vec<ShopRow>,
    pub shop_name: String,
    pub webservice_enabled: bool,
    pub settings: Vec<(String, String)>,
}

impl ShopInfo {
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn setting_i64(&self, name: &str, default: i64) -> i64 {
        self.setting(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }
    pub fn group_of(&self, shop: i64) -> i64 {
        self.shops
            .iter()
            .find(|s| s.id == shop)
            .map(|s| s.group)
            .unwrap_or(1)
    }
}

/// Settings read into ShopInfo (global values only).
const SETTINGS: &[&str] = &[
    "PS_WEBSERVICE",
    "PS_WEBSERVICE_CGI_HOST",
    "PS_LANG_DEFAULT",
    "PS_SHOP_DEFAULT",
    "PS_SHOP_NAME",
    "PS_COUNTRY_DEFAULT",
    "PS_CURRENCY_DEFAULT",
    "PS_CUSTOMER_GROUP",
    "PS_UNIDENTIFIED_GROUP",
    "PS_TAX",
    "PS_PRICE_ROUND_MODE",
    "PS_NB_DAYS_NEW_PRODUCT",
];

pub fn load(store: &dyn Store) -> StorageResult<ShopInfo> {
    let mut info = None;
    store.read(&mut |r| {
        let langs = r.select(&Select {
            table: "lang",
            columns: &["id_lang", "active"],
            key: vec![],
            order: &["id_lang"],
        })?;
        let shops = r.select(&Select {
            table: "shop",
            columns: &["id_shop", "id_shop_group", "active"],
            key: vec![],
            order: &["id_shop"],
        })?;
        let mut settings = Vec::new();
        for name in SETTINGS {
            let rows = r.select(&Select {
                table: "configuration",
                columns: &["value", "id_shop", "id_shop_group"],
                key: vec![("name", Value::from(*name))],
                order: &["id_configuration"],
            })?;
            // The global row (no shop, no group) is what a single-shop install reads.
            let global = rows
                .iter()
                .find(|r| r[1].is_null() && r[2].is_null())
                .or(rows.first());
            if let Some(row) = global {
                settings.push((name.to_string(), row[0].to_text()));
            }
        }
        let get = |n: &str| {
            settings
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
        };
        let installed: Vec<i64> = langs.iter().filter_map(|l| l[0].as_i64()).collect();
        let active: Vec<i64> = langs
            .iter()
            .filter(|l| l[1].as_i64() == Some(1))
            .filter_map(|l| l[0].as_i64())
            .collect();
        info = Some(ShopInfo {
            default_lang: get("PS_LANG_DEFAULT")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1),
            default_shop: get("PS_SHOP_DEFAULT")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1),
            shop_name: get("PS_SHOP_NAME").unwrap_or_else(|| "PrestaShop".into()),
            webservice_enabled: get("PS_WEBSERVICE").as_deref() == Some("1"),
            active_langs: if active.is_empty() {
                installed.clone()
            } else {
                active
            },
            installed_langs: installed,
            shops: shops
                .iter()
                .map(|s| ShopRow {
                    id: s[0].as_i64().unwrap_or(0),
                    group: s[1].as_i64().unwrap_or(0),
                    active: s[2].as_i64() == Some(1),
                })
                .collect(),
            settings: settings.clone(),
        });
        Ok(())
    })?;
    info.ok_or(crate::storage::StorageError::NotFound)
}

/// A one-second cache of [`ShopInfo`]. One value behind a mutex: no cache crate needed.
pub struct ShopCache {
    cell: Mutex<Option<(Instant, Arc<ShopInfo>)>>,
    ttl: Duration,
}

impl ShopCache {
    pub fn new(ttl: Duration) -> Self {
        ShopCache {
            cell: Mutex::new(None),
            ttl,
        }
    }

    /// The cached value while it is fresh (no database access).
    pub fn fresh(&self) -> Option<Arc<ShopInfo>> {
        let g = self.cell.lock().ok()?;
        let (at, info) = g.as_ref()?;
        (at.elapsed() < self.ttl).then(|| info.clone())
    }

    pub fn get(&self, store: &dyn Store) -> StorageResult<Arc<ShopInfo>> {
        if let Ok(g) = self.cell.lock() {
            if let Some((at, info)) = g.as_ref() {
                if at.elapsed() < self.ttl {
                    return Ok(info.clone());
                }
            }
        }
        let info = Arc::new(load(store)?);
        if let Ok(mut g) = self.cell.lock() {
            *g = Some((Instant::now(), info.clone()));
        }
        Ok(info)
    }

    pub fn invalidate(&self) {
        if let Ok(mut g) = self.cell.lock() {
            *g = None;
        }
    }
}

/// Sets a global configuration value (the webservice switch, for instance).
pub fn set_setting(store: &dyn Store, name: &str, value: &str) -> StorageResult<()> {
    let now = crate::accounts::now();
    store.write(&mut |tx| {
        let rows = tx.select(&Select {
            table: "configuration",
            columns: &["id_configuration", "id_shop", "id_shop_group"],
            key: vec![("name", Value::from(name))],
            order: &["id_configuration"],
        })?;
        let global = rows.iter().find(|r| r[1].is_null() && r[2].is_null());
        match global {
            Some(row) => {
                tx.update(
                    "configuration",
                    &[
                        ("value", Value::from(value)),
                        ("date_upd", Value::from(now.as_str())),
                    ],
                    &[("id_configuration", row[0].clone())],
                )?;
            }
            None => {
                tx.insert(
                    "configuration",
                    &[
                        ("name", Value::from(name)),
                        ("value", Value::from(value)),
                        ("date_add", Value::from(now.as_str())),
                        ("date_upd", Value::from(now.as_str())),
                    ],
                )?;
            }
        }
        Ok(())
    })
}
