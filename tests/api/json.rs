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
            {"id": 1, "id_default_combination": 1, "manufacturer_name": "Studio Design"},
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
    let prices: Vec<(Value, Value, Value)> = rows
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["id"].clone(),
                        r["product_price"].clone(),
                        r["unit_price_tax_incl"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        prices,
        vec![
            (json!(3), json!("79.000000"), json!("79.000000")),
            (json!(4), json!("11.900000"), json!("11.900000")),
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
