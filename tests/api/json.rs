//! How values are typed and printed: JSON value types (protocol §5.7), computed fields,
//! association values.

use serde_json::{json, Value};

use crate::support::TestShop;

fn get_json(shop: &TestShop, path: &str) -> Value {
    let r = shop.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
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
