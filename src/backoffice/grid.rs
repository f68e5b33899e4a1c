//! The permission grid: resources grouped as a merchant thinks of them, PrestaShop's method
//! columns, and what the ticks mean (summary, sensitivity).

use super::pages::{Cell, GridGroup, GridRow};
use crate::accounts::Permissions;
use crate::catalog::{Catalog, Method, MethodSet};

/// PrestaShop's columns, in its order, with its labels.
pub const METHODS: [(&str, &str); 6] = [
    ("GET", "View (GET)"),
    ("PUT", "Modify (PUT)"),
    ("POST", "Add (POST)"),
    ("PATCH", "Patch (PATCH)"),
    ("DELETE", "Delete (DELETE)"),
    ("HEAD", "Fast view (HEAD)"),
];

/// Resources holding personal data, employees or the shop's configuration.
pub const SENSITIVE: &[&str] = &[
    "employees",
    "customers",
    "addresses",
    "guests",
    "configurations",
    "translated_configurations",
    "shops",
    "shop_groups",
    "shop_urls",
];

/// (group name, anchor, resources). A resource of no group (a module's) goes to "Other".
const GROUPS: &[(&str, &str, &[&str])] = &[
    (
        "Catalog",
        "catalog",
        &[
            "products",
            "combinations",
            "categories",
            "manufacturers",
            "suppliers",
            "product_features",
            "product_feature_values",
            "product_options",
            "product_option_values",
            "product_suppliers",
            "product_customization_fields",
            "customizations",
            "specific_prices",
            "specific_price_rules",
            "tags",
            "attachments",
            "images",
            "image_types",
            "search",
        ],
    ),
    (
        "Orders",
        "orders",
        &[
            "orders",
            "order_details",
            "order_histories",
            "order_states",
            "order_invoices",
            "order_payments",
            "order_carriers",
            "order_cart_rules",
            "order_returns",
            "order_slip",
            "carts",
            "cart_rules",
            "messages",
            "customer_messages",
            "customer_threads",
        ],
    ),
    (
        "Customers",
        "customers",
        &["customers", "addresses", "groups", "guests"],
    ),
    (
        "Shipping",
        "shipping",
        &[
            "carriers",
            "deliveries",
            "price_ranges",
            "weight_ranges",
            "zones",
        ],
    ),
    (
        "Localisation",
        "localisation",
        &[
            "countries",
            "states",
            "currencies",
            "languages",
            "taxes",
            "tax_rules",
            "tax_rule_groups",
        ],
    ),
    (
        "Stock",
        "stock",
        &[
            "stock_availables",
            "stock_movements",
            "stock_movement_reasons",
            "stocks",
            "warehouses",
        ],
    ),
    (
        "Content & stores",
        "content",
        &["content_management_system", "contacts", "stores"],
    ),
    (
        "Shop & configuration",
        "shop",
        &[
            "configurations",
            "translated_configurations",
            "shops",
            "shop_groups",
            "shop_urls",
            "employees",
        ],
    ),
];

fn method_of(m: &str) -> Method {
    Method::parse(m).unwrap_or(Method::Get)
}

/// The grid for `checked`, grouped; every resource of the catalog appears exactly once.
pub fn build(catalog: &Catalog, checked: &Permissions) -> Vec<GridGroup> {
    let row = |name: &str| {
        let r = catalog.get(name)?;
        Some(GridRow {
            resource: r.api.clone(),
            description: r.description.clone(),
            sensitive: SENSITIVE.contains(&r.api.as_str()),
            cells: METHODS
                .iter()
                .map(|(m, _)| Cell {
                    method: m,
                    checked: checked
                        .get(&r.api)
                        .is_some_and(|s| s.contains(method_of(m))),
                    forbidden: r.forbidden.contains(method_of(m)),
                })
                .collect(),
        })
    };
    let mut groups: Vec<GridGroup> = GROUPS
        .iter()
        .map(|(name, slug, members)| GridGroup {
            name,
            slug,
            rows: members.iter().filter_map(|m| row(m)).collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let other: Vec<GridRow> = catalog
        .names()
        .filter(|n| !GROUPS.iter().any(|(_, _, m)| m.contains(n)))
        .filter_map(row)
        .collect();
    if !other.is_empty() {
        groups.push(GridGroup {
            name: "Other",
            slug: "other",
            rows: other,
        });
    }
    groups
}

/// The ticked boxes of a submitted form (`perm=RESOURCE:METHOD`).
pub fn from_form(f: &[(String, String)]) -> Permissions {
    let mut perms = Permissions::new();
    for v in super::web::fields(f, "perm") {
        if let Some((res, m)) = v.split_once(':') {
            if let Some(m) = Method::parse(m) {
                perms.entry(res.to_string()).or_default().insert(m);
            }
        }
    }
    perms
}

/// Grants that need the password again: any write, or any access to a sensitive resource.
pub fn powerful(p: &Permissions) -> bool {
    p.iter()
        .any(|(r, m)| !m.minus(MethodSet::READ).is_empty() || SENSITIVE.contains(&r.as_str()))
}

/// "12 resources · read-only", "all 64 · full access", "none".
pub fn summary(catalog: &Catalog, p: &Permissions) -> String {
    if p.values().all(|m| m.is_empty()) {
        return "none".into();
    }
    let total = catalog.resources().count();
    let full = catalog
        .resources()
        .all(|r| p.get(&r.api).copied().unwrap_or_default() == MethodSet::ALL.minus(r.forbidden));
    if full {
        return format!("all {total} · full access");
    }
    let writes = p.values().any(|m| !m.minus(MethodSet::READ).is_empty());
    let n = p.values().filter(|m| !m.is_empty()).count();
    let scope = if n == total {
        format!("all {total}")
    } else if n == 1 {
        "1 resource".to_string()
    } else {
        format!("{n} resources")
    };
    format!(
        "{scope} · {}",
        if writes { "read & write" } else { "read-only" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_is_in_exactly_one_group() {
        let c = Catalog::embedded().expect("catalog");
        let groups = build(c, &Permissions::new());
        let mut seen: Vec<String> = groups
            .iter()
            .flat_map(|g| g.rows.iter().map(|r| r.resource.clone()))
            .collect();
        assert_eq!(seen.len(), c.resources().count());
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), c.resources().count());
        assert!(groups.iter().all(|g| g.name != "Other"));
    }

    #[test]
    fn summaries_and_power() {
        let c = Catalog::embedded().expect("catalog");
        let all = crate::accounts::all_permissions(c);
        assert!(summary(c, &all).ends_with("full access"));
        let read = crate::accounts::read_only_permissions(c);
        assert!(summary(c, &read).ends_with("read-only"));
        assert!(powerful(&all));
        assert!(powerful(&read), "read-only on customers is sensitive");
        let mut p = Permissions::new();
        p.insert("products".into(), MethodSet::READ);
        assert!(!powerful(&p));
        assert_eq!(summary(c, &p), "1 resource · read-only");
        assert_eq!(summary(c, &Permissions::new()), "none");
    }
}
