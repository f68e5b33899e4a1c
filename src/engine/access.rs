//! Who may reach what, as `/api/` decides it: the shops a request acts on (#999, #132) and
//! the resource and method (#27, #26, #101, #25). The engine runs these on every request; the
//! back office's "Test this key" runs the very same functions, with the checks made before
//! them (the switch #22, the key's standing #20/#21, its IP allowlist #1001), on a key's
//! stored record — so what the page says cannot drift from what the API answers.

use std::net::IpAddr;
use std::sync::Arc;

use super::params::Params;
use super::shop::ShopInfo;
use super::{ApiError, ApiResult};
use crate::accounts::{KeyInfo, Permissions};
use crate::catalog::{Catalog, Method, MethodSet, Resource};

/// The shop a request acts on and every shop it targets (protocol §1.14), from
/// `id_shop_group` / `id_group_shop` / `id_shop`, kept to the shops the key may act on.
pub fn shops(info: &ShopInfo, p: &Params, key_shops: &[i64]) -> ApiResult<(i64, Vec<i64>)> {
    let group = p
        .get_str("id_shop_group")
        .or_else(|| p.get_str("id_group_shop"));
    let mut shops: Vec<i64>;
    let shop;
    if let Some(g) = group.and_then(|g| g.parse::<i64>().ok()) {
        shops = info
            .shops
            .iter()
            .filter(|s| s.group == g && s.active)
            .map(|s| s.id)
            .collect();
        if shops.is_empty() {
            return Err(ApiError::shop_group_empty());
        }
        shop = shops[0];
    } else {
        match p.get_str("id_shop") {
            None | Some("") => {
                shop = info.default_shop;
                shops = vec![shop];
            }
            Some("all") => {
                shops = info
                    .shops
                    .iter()
                    .filter(|s| s.active)
                    .map(|s| s.id)
                    .collect();
                shop = info.default_shop;
            }
            Some(v) => {
                let id = v.parse::<i64>().map_err(|_| ApiError::shop_unknown())?;
                if !info.shops.iter().any(|s| s.id == id && s.active) {
                    return Err(if info.shops.iter().any(|s| s.id == id) {
                        ApiError::shop_unknown()
                    } else {
                        ApiError::shop_not_allowed()
                    });
                }
                shop = id;
                shops = vec![id];
            }
        }
    }
    shops.retain(|s| key_shops.contains(s));
    if shops.is_empty() {
        return Err(ApiError::shop_not_allowed());
    }
    Ok((shop, shops))
}

/// The resource `name` for `method` with these permissions: unknown (#27), not granted at all
/// (#26), a method the resource forbids (#101), a method the key lacks (#25).
pub fn resource<'c>(
    catalog: &'c Catalog,
    permissions: &Permissions,
    name: &str,
    method: Method,
) -> ApiResult<&'c Arc<Resource>> {
    let Some(r) = catalog.get(name) else {
        return Err(ApiError::resource_unknown(name, catalog.names()));
    };
    let granted = permissions.get(name).copied().unwrap_or_default();
    if granted.is_empty() {
        return Err(ApiError::resource_not_allowed(name));
    }
    if r.forbidden.contains(method) {
        return Err(ApiError::method_forbidden(method.as_str(), name));
    }
    if !granted.contains(method) {
        return Err(ApiError::method_not_allowed_for_key(method.as_str(), name));
    }
    Ok(r)
}

/// What one shop answers a key, worked out without a request.
#[derive(Debug)]
pub struct ShopProbe {
    pub shop: i64,
    pub name: String,
    /// The shop requests without `id_shop` act on.
    pub default: bool,
    /// The query that selects the shop: empty with a single shop, else `?id_shop=N`.
    pub query: String,
    /// `GET /api/` (the resource list).
    pub root: ApiResult<()>,
    /// `GET /api/RESOURCE` for every resource the key holds a method on, by name.
    pub resources: Vec<(String, MethodSet, ApiResult<()>)>,
}

/// What `/api/` answers `key` on each shop, in the API's order: the shop's switch (#22), the
/// key's standing (#20/#21, #21), the IP allowlist when `client` is given (#1001), the shop
/// (#999, #132), then for each resource the key holds, `GET` on it (#25). The rate limit
/// depends on traffic and is not evaluated.
pub fn probe(
    catalog: &Catalog,
    info: &ShopInfo,
    key: &KeyInfo,
    client: Option<IpAddr>,
) -> Vec<ShopProbe> {
    let several = info.shops.len() > 1;
    info.shops
        .iter()
        .map(|s| {
            let query = if several {
                format!("?id_shop={}", s.id)
            } else {
                String::new()
            };
            let params = Params::parse(query.trim_start_matches('?'));
            let root = admitted(info.webservice_enabled_for(s.id), key, client)
                .and_then(|()| shops(info, &params, &key.shops).map(|_| ()));
            let resources = key
                .permissions
                .iter()
                .filter(|(_, m)| !m.is_empty())
                .map(|(name, m)| {
                    let get = root.clone().and_then(|()| {
                        resource(catalog, &key.permissions, name, Method::Get).map(|_| ())
                    });
                    (name.clone(), *m, get)
                })
                .collect();
            ShopProbe {
                shop: s.id,
                name: s.name.clone(),
                default: s.id == info.default_shop,
                query,
                root,
                resources,
            }
        })
        .collect()
}

/// The checks before the shop context, as `/api/` makes them.
fn admitted(enabled: bool, key: &KeyInfo, client: Option<IpAddr>) -> ApiResult<()> {
    if !enabled {
        return Err(ApiError::disabled());
    }
    key.standing()?;
    if client.is_some_and(|ip| !key.policy.allows(ip)) {
        return Err(ApiError::ip_not_allowed());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{parse_allowlist, Policy};
    use crate::engine::shop::ShopRow;

    fn catalog() -> &'static Catalog {
        Catalog::embedded().expect("catalog")
    }

    fn shop(id: i64, active: bool, webservice: bool) -> ShopRow {
        ShopRow {
            id,
            group: 1,
            active,
            name: format!("Shop {id}"),
            webservice,
            webservice_overridden: false,
        }
    }

    fn info(shops: Vec<ShopRow>) -> ShopInfo {
        ShopInfo {
            installed_langs: vec![1],
            active_langs: vec![1],
            default_lang: 1,
            default_shop: 1,
            shops,
            shop_name: "Shop".into(),
            webservice_enabled: true,
            settings: Vec::new(),
            urls: Vec::new(),
            zone: jiff::tz::TimeZone::UTC,
            derived: Default::default(),
        }
    }

    fn key(perms: &[(&str, MethodSet)]) -> KeyInfo {
        KeyInfo {
            account_id: 7,
            credential_id: 1,
            active: true,
            expired: false,
            permissions: perms.iter().map(|(r, m)| (r.to_string(), *m)).collect(),
            shops: vec![1],
            policy: Policy::default(),
        }
    }

    fn codes(r: &ApiResult<()>) -> (u16, Vec<u32>) {
        match r {
            Ok(()) => (200, Vec::new()),
            Err(e) => (e.status, e.errors.iter().filter_map(|e| e.code).collect()),
        }
    }

    #[test]
    fn a_working_key_and_what_each_resource_answers() {
        let head: MethodSet = [Method::Head].into_iter().collect();
        let k = key(&[("customers", MethodSet::READ), ("products", head)]);
        let p = probe(catalog(), &info(vec![shop(1, true, true)]), &k, None);
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].query.as_str(), p[0].default), ("", true));
        assert_eq!(codes(&p[0].root), (200, vec![]));
        let rows: Vec<(&str, (u16, Vec<u32>))> = p[0]
            .resources
            .iter()
            .map(|(r, _, a)| (r.as_str(), codes(a)))
            .collect();
        assert_eq!(
            rows,
            [("customers", (200, vec![])), ("products", (405, vec![25]))]
        );
    }

    #[test]
    fn refusals_in_the_apis_order() {
        let one = info(vec![shop(1, true, true)]);
        let mut k = key(&[("customers", MethodSet::READ)]);
        let root = |i: &ShopInfo, k: &KeyInfo, ip: Option<&str>| {
            let ip = ip.map(|s| s.parse().unwrap());
            codes(&probe(catalog(), i, k, ip)[0].root)
        };
        // The switch comes before the key.
        k.active = false;
        assert_eq!(
            root(&info(vec![shop(1, true, false)]), &k, None),
            (503, vec![22])
        );
        assert_eq!(root(&one, &k, None), (401, vec![20, 21]));
        k.active = true;
        k.expired = true;
        assert_eq!(root(&one, &k, None), (401, vec![20, 21]));
        k.expired = false;
        let none = key(&[]);
        assert_eq!(root(&one, &none, None), (401, vec![21]));
        k.policy.ip_allowlist = parse_allowlist("10.0.0.0/8").unwrap();
        assert_eq!(root(&one, &k, Some("192.0.2.1")), (403, vec![1001]));
        assert_eq!(root(&one, &k, Some("10.1.2.3")), (200, vec![]));
        assert_eq!(root(&one, &k, None), (200, vec![]), "no address given");
        k.shops = vec![];
        assert_eq!(root(&one, &k, None), (403, vec![132]));
        // Every resource row carries the refusal of the whole key.
        let p = probe(catalog(), &one, &k, None);
        assert_eq!(codes(&p[0].resources[0].2), (403, vec![132]));
    }

    #[test]
    fn several_shops_are_probed_one_by_one() {
        let i = info(vec![
            shop(1, true, true),
            shop(2, true, true),
            shop(3, false, true),
        ]);
        let mut k = key(&[("taxes", MethodSet::READ)]);
        k.shops = vec![2, 3];
        let p = probe(catalog(), &i, &k, None);
        let got: Vec<(&str, (u16, Vec<u32>))> = p
            .iter()
            .map(|s| (s.query.as_str(), codes(&s.root)))
            .collect();
        assert_eq!(
            got,
            [
                ("?id_shop=1", (403, vec![132])),
                ("?id_shop=2", (200, vec![])),
                ("?id_shop=3", (404, vec![999])),
            ]
        );
    }
}
