//! `price[alias][…]` virtual fields against PrestaShop's worked examples (business rules
//! §1.7) on the demo shop, and specific prices created through the API.

use crate::support::TestShop;

/// The virtual field `p` of one document.
fn price(shop: &TestShop, path: &str) -> String {
    let r = shop.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    let doc = r.xml();
    doc.descendants()
        .find(|n| n.has_tag_name("p"))
        .and_then(|n| n.text())
        .unwrap_or("(missing)")
        .to_string()
}

fn specific_price(shop: &TestShop, fields: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = vec![
        ("id_shop", "0"),
        ("id_cart", "0"),
        ("id_currency", "0"),
        ("id_country", "0"),
        ("id_group", "0"),
        ("id_customer", "0"),
        ("id_product_attribute", "0"),
        ("price", "-1"),
        ("from_quantity", "1"),
        ("reduction", "0"),
        ("reduction_tax", "1"),
        ("reduction_type", "amount"),
        ("from", "0000-00-00 00:00:00"),
        ("to", "0000-00-00 00:00:00"),
    ];
    for (k, v) in fields {
        all.retain(|(n, _)| n != k);
        all.push((k, v));
    }
    let body: String = all.iter().map(|(k, v)| format!("<{k}>{v}</{k}>")).collect();
    let r = shop.send(
        "POST",
        "/api/specific_prices",
        &format!("<prestashop><specific_price>{body}</specific_price></prestashop>"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.xml()
        .descendants()
        .find(|n| n.has_tag_name("id"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn prestashops_worked_examples_on_the_demo_shop() {
    let shop = TestShop::start();
    // Product 1: 23.90, FR 20 %, 20 % off for everyone (specific price #1).
    let p1 = |q: &str| price(&shop, &format!("/api/products/1?display=[id,p]&{q}"));
    assert_eq!(p1("price[p][use_tax]=1"), "22.940000");
    assert_eq!(p1("price[p][use_tax]=0"), "19.120000");
    assert_eq!(
        p1("price[p][use_tax]=1&price[p][use_reduction]=0"),
        "28.680000"
    );
    assert_eq!(p1("price[p][only_reduction]=1"), "5.740000");
    assert_eq!(p1("price[p][country]=21"), "19.120000");
    assert_eq!(p1("price[p][decimals]=4&price[p][use_tax]=1"), "22.944000");
    // Product 9 has no specific price; combination 22 is one of its combinations.
    assert_eq!(
        price(&shop, "/api/products/9?price[p][use_tax]=1"),
        "22.680000"
    );
    assert_eq!(
        price(&shop, "/api/combinations/22?price[p][use_tax]=1"),
        "22.680000"
    );
    // Lists rendered in full carry the field too, in XML and JSON.
    let r = shop.get("/api/products?display=full&limit=2&price[p][use_tax]=1&output_format=JSON");
    let v = r.json();
    let got: Vec<&str> = v["products"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["p"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(got, vec!["22.940000", "34.460000"]);
}

#[test]
fn specific_prices_created_through_the_api_apply() {
    let shop = TestShop::start();
    let p9 = |q: &str| price(&shop, &format!("/api/products/9?display=[id,p]&{q}"));
    // An amount of 5, tax included: 22.68 − 5, and 18.90 − 5 / 1.2 without tax.
    let amount = specific_price(&shop, &[("id_product", "9"), ("reduction", "5")]);
    assert_eq!(p9("price[p][use_tax]=1"), "17.680000");
    assert_eq!(p9("price[p][use_tax]=0"), "14.730000");
    // A fixed price for customer group 3 beats it (group weighs 16, nothing else matches).
    specific_price(
        &shop,
        &[("id_product", "9"), ("id_group", "3"), ("price", "10")],
    );
    assert_eq!(p9("price[p][use_tax]=0"), "10.000000");
    assert_eq!(
        p9("price[p][use_tax]=0&price[p][group]=1"),
        "14.730000",
        "another group gets the amount"
    );
    // A quantity tier applies from its quantity on.
    specific_price(
        &shop,
        &[
            ("id_product", "9"),
            ("from_quantity", "10"),
            ("reduction", "0.5"),
            ("reduction_type", "percentage"),
        ],
    );
    assert_eq!(p9("price[p][use_tax]=0&price[p][quantity]=9"), "10.000000");
    assert_eq!(p9("price[p][use_tax]=0&price[p][quantity]=10"), "9.450000");
    // A window that has ended no longer applies; deleting a row takes it away at once.
    shop.send("DELETE", &format!("/api/specific_prices/{amount}"), "");
    specific_price(
        &shop,
        &[
            ("id_product", "9"),
            ("reduction", "1"),
            ("to", "2001-01-01 00:00:00"),
        ],
    );
    assert_eq!(p9("price[p][use_tax]=0&price[p][group]=1"), "18.900000");
}
