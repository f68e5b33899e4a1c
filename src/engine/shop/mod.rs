//! Shop-wide facts every request needs (languages, shops, a few settings), read from the
//! database and kept for one second so that changes made elsewhere show up almost at once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::storage::{Select, StorageResult, Store, Tx, Value};

mod derived;
pub use derived::Derived;

#[derive(Debug, Clone)]
pub struct ShopRow {
    pub id: i64,
    pub group: i64,
    pub active: bool,
    pub name: String,
    /// "Enable PrestaShop's webservice" as this shop sees it: its own value, else its
    /// group's, else the value for all shops (PrestaShop's multistore configuration).
    pub webservice: bool,
    /// Whether that value is the shop's (or its group's) own rather than all shops'.
    pub webservice_overridden: bool,
}

/// A domain a shop answers on (`shop_url`).
#[derive(Debug, Clone)]
pub struct ShopUrl {
    pub shop: i64,
    pub domain: String,
    pub domain_ssl: String,
    pub main: bool,
}

/// Where a configuration value applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Group(i64),
    Shop(i64),
}

#[derive(Debug, Clone)]
pub struct ShopInfo {
    pub installed_langs: Vec<i64>,
    pub active_langs: Vec<i64>,
    pub default_lang: i64,
    pub default_shop: i64,
    pub shops: Vec<ShopRow>,
    pub shop_name: String,
    /// The value for all shops (what a single-shop install has).
    pub webservice_enabled: bool,
    pub settings: Vec<(String, String)>,
    pub urls: Vec<ShopUrl>,
    /// `PS_TIMEZONE`: dates written into PrestaShop's tables are in it.
    pub zone: jiff::tz::TimeZone,
    /// What modules work out from the database once per snapshot.
    pub derived: Derived,
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
    /// The shop a request is served under: the one whose `shop_url` domain is the request's
    /// host (the main URL first), else the default shop — as PrestaShop resolves it before
    /// reading any parameter.
    pub fn shop_for_host(&self, host: Option<&str>) -> i64 {
        let Some(host) = host.map(|h| h.trim().to_ascii_lowercase()) else {
            return self.default_shop;
        };
        let bare = host.rsplit_once(':').map(|(h, _)| h.to_string());
        let matches = |d: &str| {
            let d = d.to_ascii_lowercase();
            !d.is_empty() && (d == host || bare.as_deref() == Some(d.as_str()))
        };
        let mut found: Vec<&ShopUrl> = self
            .urls
            .iter()
            .filter(|u| matches(&u.domain) || matches(&u.domain_ssl))
            .collect();
        found.sort_by_key(|u| !u.main);
        found.first().map(|u| u.shop).unwrap_or(self.default_shop)
    }

    /// Whether `/api/` answers for requests served under `shop`.
    pub fn webservice_enabled_for(&self, shop: i64) -> bool {
        self.shops
            .iter()
            .find(|s| s.id == shop)
            .map(|s| s.webservice)
            .unwrap_or(self.webservice_enabled)
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
    "PS_USE_ECOTAX",
    "PS_ECOTAX_TAX_RULES_GROUP_ID",
    "PS_SPECIFIC_PRICE_FEATURE_ACTIVE",
    "PS_SPECIFIC_PRICE_PRIORITIES",
    "PS_TIMEZONE",
    "PS_LIMIT_UPLOAD_IMAGE_VALUE",
    "PS_JPEG_QUALITY",
    "PS_PRODUCT_PICTURE_MAX_SIZE",
    "PS_PRODUCT_PICTURE_WIDTH",
    "PS_PRODUCT_PICTURE_HEIGHT",
    // Carts' totals (business rules §2.2).
    "PS_ROUND_TYPE",
    "PS_TAX_ADDRESS_TYPE",
    "PS_GROUP_FEATURE_ACTIVE",
    "PS_QTY_DISCOUNT_ON_COMBINATION",
    "PS_CART_RULE_FEATURE_ACTIVE",
    "PS_SHIPPING_METHOD",
    "PS_SHIPPING_HANDLING",
    "PS_SHIPPING_FREE_PRICE",
    "PS_SHIPPING_FREE_WEIGHT",
    "PS_CARRIER_DEFAULT",
    "PS_CARRIER_DEFAULT_SORT",
    "PS_CARRIER_DEFAULT_ORDER",
    "PS_GIFT_WRAPPING_PRICE",
    "PS_GIFT_WRAPPING_TAX_RULES_GROUP",
    "PS_STOCK_MANAGEMENT",
    "PS_ORDER_OUT_OF_STOCK",
];

pub fn load(store: &dyn Store) -> StorageResult<ShopInfo> {
    let mut info = None;
    store.read(&mut |r| {
        let langs = r.select(&Select {
            table: "lang",
            columns: &["id_lang", "active"],
            key: vec![],
            order: &["id_lang"],
            ..Default::default()
        })?;
        let shops = r.select(&Select {
            table: "shop",
            columns: &["id_shop", "id_shop_group", "active", "name"],
            key: vec![],
            order: &["id_shop"],
            ..Default::default()
        })?;
        let urls = r.select(&Select {
            table: "shop_url",
            columns: &["id_shop", "domain", "domain_ssl", "main", "active"],
            key: vec![],
            order: &["id_shop_url"],
            ..Default::default()
        })?;
        // Every scope of the switch: (value, id_shop, id_shop_group).
        let switch = r.select(&Select {
            table: "configuration",
            columns: &["value", "id_shop", "id_shop_group"],
            key: vec![("name", Value::from("PS_WEBSERVICE"))],
            order: &["id_configuration"],
            ..Default::default()
        })?;
        // Every setting in one statement (one round trip on a networked database).
        let rows = r.select(&Select {
            table: "configuration",
            columns: &["name", "value", "id_shop", "id_shop_group"],
            order: &["id_configuration"],
            any: Some(("name", SETTINGS.iter().map(|n| Value::from(*n)).collect())),
            ..Default::default()
        })?;
        let mut settings = Vec::new();
        for name in SETTINGS {
            let named = || rows.iter().filter(|r| r[0].to_text() == *name);
            // The global row (no shop, no group) is what a single-shop install reads.
            let global = named()
                .find(|r| r[2].is_null() && r[3].is_null())
                .or_else(|| named().next());
            if let Some(row) = global {
                settings.push((name.to_string(), row[1].to_text()));
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
                .map(|s| {
                    let (id, group) = (s[0].as_i64().unwrap_or(0), s[1].as_i64().unwrap_or(0));
                    let own = switch
                        .iter()
                        .find(|c| c[1].as_i64() == Some(id))
                        .or_else(|| {
                            switch
                                .iter()
                                .find(|c| c[1].is_null() && c[2].as_i64() == Some(group))
                        });
                    ShopRow {
                        id,
                        group,
                        active: s[2].as_i64() == Some(1),
                        name: s[3].to_text(),
                        webservice: match own {
                            Some(c) => c[0].to_text() == "1",
                            None => get("PS_WEBSERVICE").as_deref() == Some("1"),
                        },
                        webservice_overridden: own.is_some(),
                    }
                })
                .collect(),
            zone: crate::clock::zone(&get("PS_TIMEZONE").unwrap_or_default()),
            derived: Derived::default(),
            settings: settings.clone(),
            urls: urls
                .iter()
                .filter(|u| u[4].as_i64() == Some(1))
                .map(|u| ShopUrl {
                    shop: u[0].as_i64().unwrap_or(0),
                    domain: u[1].to_text(),
                    domain_ssl: u[2].to_text(),
                    main: u[3].as_i64() == Some(1),
                })
                .collect(),
        });
        Ok(())
    })?;
    // A database without a default shop is not PrestaShop's: an error of the server, not "not found".
    info.ok_or_else(|| {
        crate::storage::StorageError::Other("no default shop in the database".into())
    })
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

/// Sets a configuration value for a shop or a shop group (its own value, overriding the one
/// for all shops), or for all shops — which, like saving in PrestaShop's "all shops" context
/// without overrides, removes the shops' and groups' own values.
pub fn set_setting_in(
    store: &dyn Store,
    name: &str,
    value: &str,
    scope: Scope,
) -> StorageResult<()> {
    let (shop, group) = match scope {
        Scope::Shop(s) => (Value::Int(s), Value::Null),
        Scope::Group(g) => (Value::Null, Value::Int(g)),
        Scope::All => (Value::Null, Value::Null),
    };
    store.write(&mut |tx| {
        if scope == Scope::All {
            // A value for all shops replaces every per-shop or per-group override.
            for row in tx.select(&Select {
                table: "configuration",
                columns: &["id_configuration", "id_shop", "id_shop_group"],
                key: vec![("name", Value::from(name))],
                order: &[],
                ..Default::default()
            })? {
                if !(row[1].is_null() && row[2].is_null()) {
                    tx.delete("configuration", &[("id_configuration", row[0].clone())])?;
                }
            }
        }
        upsert(tx, name, value, &shop, &group)
    })
}

/// Sets a global configuration value (the webservice switch, for instance),
/// leaving per-shop overrides as they are.
pub fn set_setting(store: &dyn Store, name: &str, value: &str) -> StorageResult<()> {
    store.write(&mut |tx| upsert(tx, name, value, &Value::Null, &Value::Null))
}

/// Writes one configuration value for the given shop/group pair (NULL, NULL = global): on
/// every row of that name and scope, or on a new row when there is none.
///
/// Not an upsert: PrestaShop's `configuration` table has no unique key on (name, id_shop,
/// id_shop_group) — only a plain index on `name`, and NULL scopes would not collide in a
/// unique index anyway — and shopws never adds indexes to PrestaShop's tables. So the rows of
/// the name are read, then written, in one transaction: on SQLite the single writer makes that
/// atomic; on a server database the write transaction's locking read holds the existing rows.
/// Two nodes creating the same missing value at once could each insert a row; writing every
/// row of the scope (not only the first) keeps such twins, or ones PrestaShop left, equal, and
/// readers take the lowest id, so the value read is the value last written either way.
fn upsert(
    tx: &mut dyn Tx,
    name: &str,
    value: &str,
    shop: &Value,
    group: &Value,
) -> StorageResult<()> {
    let zone = tx
        .select(&Select {
            table: "configuration",
            columns: &["value"],
            key: vec![("name", Value::from("PS_TIMEZONE"))],
            order: &["id_configuration"],
            ..Default::default()
        })?
        .first()
        .map(|r| r[0].to_text())
        .unwrap_or_default();
    let now = crate::clock::now_in(&crate::clock::zone(&zone));
    let existing: Vec<Value> = tx
        .select(&Select {
            table: "configuration",
            columns: &["id_configuration", "id_shop", "id_shop_group"],
            key: vec![("name", Value::from(name))],
            order: &["id_configuration"],
            ..Default::default()
        })?
        .into_iter()
        .filter(|r| &r[1] == shop && &r[2] == group)
        .map(|mut r| r.swap_remove(0))
        .collect();
    for id in &existing {
        tx.update(
            "configuration",
            &[
                ("value", Value::from(value)),
                ("date_upd", Value::from(now.as_str())),
            ],
            &[("id_configuration", id.clone())],
        )?;
    }
    if existing.is_empty() {
        tx.insert(
            "configuration",
            &[
                ("name", Value::from(name)),
                ("value", Value::from(value)),
                ("id_shop", shop.clone()),
                ("id_shop_group", group.clone()),
                ("date_add", Value::from(now.as_str())),
                ("date_upd", Value::from(now.as_str())),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
