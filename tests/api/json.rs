//! How values are typed and printed: JSON value types (protocol §5.7), computed fields,
//! association values.

use serde_json::{json, Value};

use crate::support::TestShop;

fn get_json(shop: &TestShop, path: &str) -> Value {
    let r = shop.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

/// The text of the first `name` element of an XML document.
fn xml_text(shop: &TestShop, path: &str, name: &str) -> Option<String> {
    let r = shop.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.xml()
        .descendants()
        .find(|n| n.has_tag_name(name))
        .map(|n| n.text().unwrap_or_default().to_string())
}

#[test]
fn column_values_are_strings_and_only_ids_are_numbers() {
    let shop = TestShop::start();
    // The single form (falsy values dropped): demo product 1.
    let p = &get_json(&shop, "/api/products/1?output_format=JSON")["product"];
    assert_eq!(p["id"], json!(1));
    assert_eq!(p["id_manufacturer"], json!("1"));
    assert_eq!(p["id_category_default"], json!("4"));
    assert_eq!(p["minimal_quantity"], json!("1"));
    assert_eq!(p["price"], json!("23.900000"));
    assert_eq!(p["active"], json!("1"));
    assert_eq!(p["date_add"], json!("2025-01-01 00:00:00"));
    assert_eq!(p["id_default_combination"], json!("1"));
    assert_eq!(p["position_in_category"], json!("1"));
    assert_eq!(
        p["name"][0],
        json!({"id": 1, "value": "Hummingbird printed t-shirt"})
    );
    // Association items: their `id` a number, every other value a string.
    let a = &p["associations"];
    assert_eq!(a["categories"][0], json!({"id": 2}));
    assert_eq!(
        a["product_features"][0],
        json!({"id": 1, "id_feature_value": "4"})
    );
    assert_eq!(
        a["stock_availables"][0],
        json!({"id": 1, "id_product_attribute": "0"})
    );
    // Lists keep every value, zeros as "0".
    let s = &get_json(
        &shop,
        "/api/stock_availables?display=full&filter[id_product]=1&filter[id_product_attribute]=0&output_format=JSON",
    )["stock_availables"][0];
    assert_eq!(s["id"], json!(1));
    assert_eq!(s["quantity"], json!("2400"));
    assert_eq!(s["id_product_attribute"], json!("0"));
    assert_eq!(s["depends_on_stock"], json!("0"));
    // A minimum list is ids only, as numbers.
    let l = get_json(&shop, "/api/products?limit=1&output_format=JSON");
    assert_eq!(l, json!({"products": [{"id": 1}]}));
    // The display-wrapped single form is typed the same way.
    let w = get_json(
        &shop,
        "/api/customers/1?display=[id,id_default_group,newsletter]&output_format=JSON",
    );
    assert_eq!(
        w,
        json!({"customers": [{"id": 1, "id_default_group": "3", "newsletter": "1"}]})
    );
}

#[test]
fn getters_give_what_prestashop_returns_when_they_find_nothing() {
    let shop = TestShop::start();
    // Demo product 15 has no manufacturer and, like 8, no combinations.
    let l = get_json(
        &shop,
        "/api/products?display=[id,id_default_combination,manufacturer_name]&filter[id]=[1|15]&output_format=JSON",
    );
    assert_eq!(
        l["products"],
        json!([
            {"id": 1, "id_default_combination": "1", "manufacturer_name": "Studio Design"},
            {"id": 15, "id_default_combination": 0, "manufacturer_name": false},
        ])
    );
    // The single form drops both (falsy), as PrestaShop's array_filter does.
    let p = &get_json(&shop, "/api/products/15?output_format=JSON")["product"];
    assert!(p.get("id_default_combination").is_none(), "{p}");
    assert!(p.get("manufacturer_name").is_none(), "{p}");
    // XML: 0, and false prints as nothing; no link to combination 0.
    let r = shop.get("/api/products/15");
    assert!(
        r.body.contains(
            "<id_default_combination notFilterable=\"true\"><![CDATA[0]]></id_default_combination>"
        ),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<manufacturer_name notFilterable=\"true\"><![CDATA[]]></manufacturer_name>"),
        "{}",
        r.body
    );
    assert_eq!(
        xml_text(&shop, "/api/products/8", "id_default_combination").as_deref(),
        Some("0")
    );
}

#[test]
fn currency_names_are_localized() {
    let shop = TestShop::start();
    let c = &get_json(&shop, "/api/currencies/1?output_format=JSON")["currency"];
    assert_eq!(
        c["names"],
        json!([{"id": 1, "value": "Euro"}, {"id": 2, "value": "euro"}])
    );
    assert_eq!(c["name"], json!("Euro"));
    let one = &get_json(&shop, "/api/currencies/1?language=2&output_format=JSON")["currency"];
    assert_eq!(one["names"], json!("euro"));
    let r = shop.get("/api/currencies/1");
    let doc = r.xml();
    let names: Vec<(String, String)> = doc
        .descendants()
        .find(|n| n.has_tag_name("names"))
        .map(|n| {
            n.children()
                .filter(|l| l.has_tag_name("language"))
                .map(|l| {
                    (
                        l.attribute("id").unwrap_or_default().to_string(),
                        l.text().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        names,
        vec![("1".into(), "Euro".into()), ("2".into(), "euro".into())]
    );
    // Not writable: a full replacement without them keeps the names.
    let r = shop.send(
        "PUT",
        "/api/currencies/1",
        "<prestashop><currency><id>1</id><name>Euro</name><iso_code>EUR</iso_code><conversion_rate>1</conversion_rate><names><language id=\"1\">Changed</language></names></currency></prestashop>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let c = &get_json(&shop, "/api/currencies/1?output_format=JSON")["currency"];
    assert_eq!(c["names"][0], json!({"id": 1, "value": "Euro"}));
}

#[test]
fn order_rows_print_prices_with_their_scale() {
    let shop = TestShop::start();
    // Demo order 2: lines at 79 and 11.90 (stored as an integer and a real).
    let rows = get_json(&shop, "/api/orders/2?output_format=JSON")["order"]["associations"]
        ["order_rows"]
        .clone();
    let prices: Vec<(Value, Value, Value, Value)> = rows
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["id"].clone(),
                        r["product_price"].clone(),
                        r["unit_price_tax_incl"].clone(),
                        r["product_quantity"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        prices,
        vec![
            (json!(3), json!("79.000000"), json!("79.000000"), json!("2")),
            (json!(4), json!("11.900000"), json!("11.900000"), json!("1")),
        ]
    );
    // The same text as the order line itself.
    let detail = &get_json(&shop, "/api/order_details/3?output_format=JSON")["order_detail"];
    assert_eq!(detail["product_price"], json!("79.000000"));
    // XML too.
    let r = shop.get("/api/orders/2");
    for line in [
        "<product_price><![CDATA[79.000000]]></product_price>",
        "<unit_price_tax_excl><![CDATA[11.900000]]></unit_price_tax_excl>",
    ] {
        assert!(r.body.contains(line), "{line}: {}", r.body);
    }
}

#[test]
fn json_numbers_switch_gives_integers_as_numbers() {
    let shop = TestShop::start_with(&["--json-numbers"]);
    let p = &get_json(&shop, "/api/products/1?output_format=JSON")["product"];
    assert_eq!(p["id"], json!(1));
    assert_eq!(p["id_manufacturer"], json!(1));
    assert_eq!(p["id_default_combination"], json!(1));
    // Decimals, booleans and dates stay strings.
    assert_eq!(p["price"], json!("23.900000"));
    assert_eq!(p["active"], json!("1"));
    assert_eq!(
        p["associations"]["product_features"][0],
        json!({"id": 1, "id_feature_value": 4})
    );
    let s = &get_json(&shop, "/api/stock_availables/1?output_format=JSON")["stock_available"];
    assert_eq!(s["quantity"], json!(2400));
    let row = &get_json(&shop, "/api/orders/2?output_format=JSON")["order"]["associations"]
        ["order_rows"][0];
    assert_eq!(row["product_quantity"], json!(2));
    assert_eq!(row["product_price"], json!("79.000000"));
}
