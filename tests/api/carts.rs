//! Carts: the totals of business rules §2.2.3 (both addresses), the carriers offered per
//! zone, the refusals of invalid rows and addresses, cart rules (a percentage and free
//! shipping, worked out by hand from PrestaShop's rules).

use crate::support::{SqlValue, TestShop};

/// A cart of customer 1 with the worked example's rows.
fn cart_body(address: i64, option: &str, rows: &[(i64, i64, i64)]) -> String {
    let rows: String = rows
        .iter()
        .map(|(p, a, q)| {
            format!(
                "<cart_row><id_product>{p}</id_product><id_product_attribute>{a}</id_product_attribute>\
                 <id_address_delivery>{address}</id_address_delivery><quantity>{q}</quantity></cart_row>"
            )
        })
        .collect();
    format!(
        "<prestashop><cart><id_customer>1</id_customer><id_address_delivery>{address}</id_address_delivery>\
         <id_address_invoice>{address}</id_address_invoice><id_currency>1</id_currency><id_lang>1</id_lang>\
         <id_carrier>2</id_carrier><delivery_option>{option}</delivery_option>\
         <associations><cart_rows>{rows}</cart_rows></associations></cart></prestashop>"
    )
}

const EXAMPLE: &[(i64, i64, i64)] = &[(1, 1, 2), (9, 22, 1)];

fn post_cart(shop: &TestShop, body: &str) -> i64 {
    let r = shop.send("POST", "/api/carts", body);
    assert_eq!(r.status, 201, "{}", r.body);
    let doc = r.xml();
    doc.descendants()
        .find(|n| n.has_tag_name("id"))
        .and_then(|n| n.text())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or_else(|| panic!("no id: {}", r.body))
}

/// The summary of a cart as JSON.
fn summary(shop: &TestShop, id: i64) -> serde_json::Value {
    let r = shop.get(&format!("/api/carts/{id}/summary?output_format=JSON"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["cart_summary"].clone()
}

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or("(missing)").to_string()
}

fn carriers(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["carriers"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        s(c, "id_carrier"),
                        s(c, "price_tax_excl"),
                        s(c, "price_tax_incl"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_worked_example_with_both_addresses() {
    let shop = TestShop::start();
    let id = post_cart(&shop, &cart_body(1, r#"{"1":"2,"}"#, EXAMPLE));
    // The customer's secure key was copied into the cart.
    let r = shop.get(&format!("/api/carts/{id}?output_format=JSON"));
    assert_eq!(
        r.json()["cart"]["secure_key"],
        "4a027ae3259460263ae8c4a65a5167f8"
    );
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_products"), "57.140000");
    assert_eq!(s(&v, "total_products_wt"), "68.570000");
    assert_eq!(s(&v, "total_shipping_tax_excl"), "7.000000");
    assert_eq!(s(&v, "total_shipping_tax_incl"), "8.400000");
    assert_eq!(s(&v, "carrier_tax_rate"), "20.000000");
    assert_eq!(s(&v, "total_discounts_tax_incl"), "0.000000");
    assert_eq!(s(&v, "total_paid_tax_excl"), "64.140000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "76.970000");
    assert_eq!(s(&v, "id_carrier"), "2");
    assert_eq!(s(&v, "delivery_option"), r#"{"1":"2,"}"#);
    assert_eq!(s(&v, "total_weight"), "0.900000");
    let line = &v["cart_rows"][0];
    assert_eq!(s(line, "unit_price_tax_excl"), "19.120000");
    assert_eq!(s(line, "unit_price_tax_incl"), "22.944000");
    assert_eq!(s(line, "original_unit_price_tax_excl"), "23.900000");
    assert_eq!(s(line, "reduction_percent"), "20.000000");
    assert_eq!(s(line, "total_price_tax_excl"), "38.240000");
    assert_eq!(s(line, "total_price_tax_incl"), "45.890000");
    assert_eq!(s(line, "tax_rate"), "20.000000");
    assert_eq!(s(line, "reference"), "demo_1");
    assert_eq!(
        s(line, "product_name"),
        "Hummingbird printed t-shirt (Size: S - Color: White)"
    );
    assert_eq!(s(&v["cart_rows"][1], "total_price_tax_incl"), "22.680000");
    // France (zone 1): click and collect (free) first, then carrier 2 at 7.00 / 8.40.
    assert_eq!(
        carriers(&v),
        vec![
            ("1".into(), "0.000000".into(), "0.000000".into()),
            ("2".into(), "7.000000".into(), "8.400000".into()),
        ]
    );

    // Address 4 in Florida: zone 2, no tax rule; only carrier 2 goes there.
    let r = shop.send(
        "PUT",
        &format!("/api/carts/{id}"),
        &cart_body(4, r#"{"4":"2,"}"#, EXAMPLE).replace("<cart>", &format!("<cart><id>{id}</id>")),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_products"), "57.140000");
    assert_eq!(s(&v, "total_products_wt"), "57.140000");
    assert_eq!(s(&v, "total_shipping_tax_excl"), "7.000000");
    assert_eq!(s(&v, "total_shipping_tax_incl"), "7.000000");
    assert_eq!(s(&v, "total_paid_tax_excl"), "64.140000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "64.140000");
    assert_eq!(
        carriers(&v),
        vec![("2".into(), "7.000000".into(), "7.000000".into())]
    );

    // The XML document says the same.
    let r = shop.get(&format!("/api/carts/{id}/summary"));
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = r.xml();
    let total = doc
        .descendants()
        .find(|n| n.has_tag_name("total_paid_tax_incl"))
        .and_then(|n| n.text());
    assert_eq!(total, Some("64.140000"));
}

#[test]
fn the_delivery_option_falls_back_to_the_default_carrier() {
    let shop = TestShop::start();
    // No option for the address: PS_CARRIER_DEFAULT (1, click and collect, free) is offered.
    let id = post_cart(&shop, &cart_body(1, "", EXAMPLE));
    let v = summary(&shop, id);
    assert_eq!(s(&v, "id_carrier"), "1");
    assert_eq!(s(&v, "total_shipping_tax_incl"), "0.000000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "68.570000");
    // An option naming a carrier that does not serve the zone is replaced the same way.
    let id = post_cart(&shop, &cart_body(4, r#"{"4":"1,"}"#, EXAMPLE));
    let v = summary(&shop, id);
    assert_eq!(s(&v, "id_carrier"), "2");
    // Unknown carts and other methods.
    assert_eq!(shop.get("/api/carts/999999/summary").status, 404);
    assert_eq!(
        shop.send("PUT", &format!("/api/carts/{id}/summary"), "")
            .status,
        405
    );
    // A cart with an order (seed order 1 was placed with cart 1) is not deleted; one
    // without is.
    let r = shop.send("DELETE", "/api/carts/1", "");
    assert!(r.status >= 400, "{} {}", r.status, r.body);
    assert_eq!(
        shop.sql_i64("SELECT COUNT(*) FROM {cart} WHERE id_cart = 1", &[]),
        1
    );
    assert_eq!(
        shop.send("DELETE", &format!("/api/carts/{id}"), "").status,
        200
    );
    assert_eq!(shop.get(&format!("/api/carts/{id}/summary")).status, 404);
}

#[test]
fn invalid_rows_and_addresses_are_refused_and_nothing_is_written() {
    let shop = TestShop::start();
    let carts = || shop.sql_i64("SELECT COUNT(*) FROM {cart}", &[]);
    let before = carts();
    // Product 2 inactive; combination 22 needs 3 at least; product 3's stock denies orders
    // beyond its 1 unit.
    shop.sql_exec(
        "UPDATE {product_shop} SET active = 0 WHERE id_product = 2",
        &[],
    );
    shop.sql_exec(
        "UPDATE {product_attribute_shop} SET minimal_quantity = 3 WHERE id_product_attribute = 22",
        &[],
    );
    let combination_of_3: i64 = shop.sql_i64(
        "SELECT MIN(id_product_attribute) FROM {product_attribute} WHERE id_product = 3",
        &[],
    );
    shop.sql_exec(
        "UPDATE {stock_available} SET quantity = 1, out_of_stock = 0 WHERE id_product = 3",
        &[],
    );
    let cases: Vec<(String, &str)> = vec![
        (cart_body(1, "", &[(99999, 0, 1)]), "does not exist"),
        (cart_body(1, "", &[(2, 9, 1)]), "not active"),
        (
            cart_body(1, "", &[(1, 22, 1)]),
            "is not a combination of product 1",
        ),
        (
            cart_body(1, "", &[(1, 0, 1)]),
            "id_product_attribute is required",
        ),
        (cart_body(1, "", &[(1, 1, 0)]), "at least 1"),
        (cart_body(1, "", &[(9, 22, 2)]), "at least 3"),
        (cart_body(1, "", &[(3, combination_of_3, 2)]), "in stock"),
        (cart_body(2, "", &[(1, 1, 1)]), "address 2"),
        (
            cart_body(1, "", &[(1, 1, 1)]).replace("<id_customer>1<", "<id_customer>777<"),
            "customer 777",
        ),
        (
            cart_body(1, "", &[(1, 1, 1)]).replace("<quantity>1<", "<quantity>two<"),
            "not a number",
        ),
    ];
    for (body, message) in &cases {
        let r = shop.send("POST", "/api/carts", body);
        assert_eq!(r.status, 400, "{message}: {}", r.body);
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert!(
            r.codes().iter().any(|c| *c == 1020 || *c == 1022),
            "{}",
            r.body
        );
    }
    assert_eq!(carts(), before, "a refused cart was written");
    // Within the stock it is accepted; duplicate rows are merged into one.
    let id = post_cart(
        &shop,
        &cart_body(1, "", &[(3, combination_of_3, 1), (1, 1, 1), (1, 1, 2)]),
    );
    let rows = shop.sql_rows(
        "SELECT id_product, quantity, id_address_delivery FROM {cart_product} WHERE id_cart = ? ORDER BY id_product",
        &[SqlValue::Int(id)],
    );
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(|v| v.unwrap_or_default()).collect())
        .collect();
    assert_eq!(rows, vec![vec!["1", "3", "0"], vec!["3", "1", "0"]]);
    // A refused PUT leaves the rows as they were.
    let r = shop.send(
        "PUT",
        &format!("/api/carts/{id}"),
        &cart_body(1, "", &[(99999, 0, 1)]).replace("<cart>", &format!("<cart><id>{id}</id>")),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let n = shop.sql_i64(
        "SELECT COUNT(*) FROM {cart_product} WHERE id_cart = ?",
        &[SqlValue::Int(id)],
    );
    assert_eq!(n, 2);
}

fn add_rule(shop: &TestShop, id: i64, code: &str, percent: &str, free_shipping: i64) {
    shop.sql_exec(
        "INSERT INTO {cart_rule} (id_cart_rule, id_customer, date_from, date_to, description, quantity, \
         quantity_per_user, priority, partial_use, code, minimum_amount, minimum_amount_tax, \
         minimum_amount_currency, minimum_amount_shipping, country_restriction, carrier_restriction, \
         group_restriction, cart_rule_restriction, product_restriction, shop_restriction, free_shipping, \
         reduction_percent, reduction_amount, reduction_tax, reduction_currency, reduction_product, \
         reduction_exclude_special, gift_product, gift_product_attribute, highlight, active, date_add, date_upd) \
         VALUES (?, 0, '2000-01-01 00:00:00', '2099-12-31 23:59:59', '', 100, 100, 1, 0, ?, 0, 0, 1, 0, \
         0, 0, 0, 0, 0, 0, ?, ?, 0, 0, 1, 0, 0, 0, 0, 0, 1, '2000-01-01 00:00:00', '2000-01-01 00:00:00')",
        &[
            SqlValue::Int(id),
            code.into(),
            SqlValue::Int(free_shipping),
            percent.into(),
        ],
    );
    shop.sql_exec(
        "INSERT INTO {cart_rule_lang} (id_cart_rule, id_lang, name) VALUES (?, 1, ?)",
        &[SqlValue::Int(id), format!("rule {id}").into()],
    );
}

#[test]
fn cart_rules_take_a_percentage_and_the_shipping_off() {
    let shop = TestShop::start();
    let id = post_cart(&shop, &cart_body(1, r#"{"1":"2,"}"#, EXAMPLE));
    // 10 % for everyone, automatic; free shipping behind a code.
    add_rule(&shop, 50, "", "10.00", 0);
    add_rule(&shop, 51, "FREESHIP", "0.00", 1);
    // While the feature is off (seed), no rule applies.
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_discounts_tax_incl"), "0.000000");
    shop.sql_exec(
        "UPDATE {configuration} SET value = '1' WHERE name = 'PS_CART_RULE_FEATURE_ACTIVE'",
        &[],
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // 10 % of each line: 3.824 + 1.89 = 5.714 → 5.71 te; 4.589 + 2.268 = 6.857 → 6.86 ti.
    // Totals: 57.14 − 5.71 + 7.00 = 58.43 te; 68.57 − 6.86 + 8.40 = 70.11 ti. The coded
    // rule is not linked to the cart: it does not apply.
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_discounts_tax_excl"), "5.710000");
    assert_eq!(s(&v, "total_discounts_tax_incl"), "6.860000");
    assert_eq!(s(&v, "total_paid_tax_excl"), "58.430000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "70.110000");
    assert_eq!(v["cart_rules"].as_array().map(Vec::len), Some(1));
    assert_eq!(s(&v["cart_rules"][0], "name"), "rule 50");
    // Linked: shipping (7.00 / 8.40) is discounted too: 12.71 / 15.26 off; totals
    // 57.14 − 12.71 + 7.00 = 51.43 te, 68.57 − 15.26 + 8.40 = 61.71 ti.
    shop.sql_exec(
        "INSERT INTO {cart_cart_rule} (id_cart, id_cart_rule) VALUES (?, 51)",
        &[SqlValue::Int(id)],
    );
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_shipping_tax_incl"), "8.400000");
    assert_eq!(s(&v, "total_discounts_tax_excl"), "12.710000");
    assert_eq!(s(&v, "total_discounts_tax_incl"), "15.260000");
    assert_eq!(s(&v, "total_paid_tax_excl"), "51.430000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "61.710000");
    // A rule used up (quantity 0) no longer applies.
    shop.sql_exec(
        "UPDATE {cart_rule} SET quantity = 0 WHERE id_cart_rule = 50",
        &[],
    );
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_discounts_tax_incl"), "8.400000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "68.570000");
}

#[test]
fn an_amount_rule_and_carriers_limited_by_product() {
    let shop = TestShop::start();
    let id = post_cart(&shop, &cart_body(1, r#"{"1":"2,"}"#, &[(9, 22, 1)]));
    shop.sql_exec(
        "UPDATE {configuration} SET value = '1' WHERE name = 'PS_CART_RULE_FEATURE_ACTIVE'",
        &[],
    );
    // 5.00 off, tax included, on the order: 5.00 ti, 5 / 1.2 = 4.1666… → 4.17 te.
    add_rule(&shop, 60, "", "0.00", 0);
    shop.sql_exec(
        "UPDATE {cart_rule} SET reduction_amount = 5, reduction_tax = 1 WHERE id_cart_rule = 60",
        &[],
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_products_wt"), "22.680000");
    assert_eq!(s(&v, "total_discounts_tax_incl"), "5.000000");
    assert_eq!(s(&v, "total_discounts_tax_excl"), "4.170000");
    // 18.90 − 4.17 + 7.00 = 21.73 te; 22.68 − 5.00 + 8.40 = 26.08 ti.
    assert_eq!(s(&v, "total_paid_tax_excl"), "21.730000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "26.080000");
    // Product 9 limited to carrier reference 1: carrier 2 is no longer offered, and the
    // cart's option falls back to the default carrier (free).
    shop.sql_exec(
        "INSERT INTO {product_carrier} (id_product, id_carrier_reference, id_shop) VALUES (9, 1, 1)",
        &[],
    );
    let v = summary(&shop, id);
    assert_eq!(
        carriers(&v),
        vec![("1".into(), "0.000000".into(), "0.000000".into())]
    );
    assert_eq!(s(&v, "id_carrier"), "1");
    assert_eq!(s(&v, "total_paid_tax_incl"), "17.680000");
}

#[test]
fn restricted_rules_apply_to_the_products_and_places_they_name() {
    let shop = TestShop::start();
    let id = post_cart(&shop, &cart_body(1, r#"{"1":"2,"}"#, EXAMPLE));
    shop.sql_exec(
        "UPDATE {configuration} SET value = '1' WHERE name = 'PS_CART_RULE_FEATURE_ACTIVE'",
        &[],
    );
    // 10 % on the selected products (product 9), for France, customers of group 3, carrier 2.
    add_rule(&shop, 70, "", "10.00", 0);
    shop.sql_exec(
        "UPDATE {cart_rule} SET product_restriction = 1, reduction_product = -2, \
         country_restriction = 1, group_restriction = 1, carrier_restriction = 1 \
         WHERE id_cart_rule = 70",
        &[],
    );
    shop.sql_exec(
        "INSERT INTO {cart_rule_product_rule_group} (id_product_rule_group, id_cart_rule, quantity) VALUES (7, 70, 1)",
        &[],
    );
    shop.sql_exec(
        "INSERT INTO {cart_rule_product_rule} (id_product_rule, id_product_rule_group, type) VALUES (8, 7, 'products')",
        &[],
    );
    shop.sql_exec(
        "INSERT INTO {cart_rule_product_rule_value} (id_product_rule, id_item) VALUES (8, 9)",
        &[],
    );
    shop.sql_exec(
        "INSERT INTO {cart_rule_country} (id_cart_rule, id_country) VALUES (70, 8)",
        &[],
    );
    shop.sql_exec(
        "INSERT INTO {cart_rule_group} (id_cart_rule, id_group) VALUES (70, 3)",
        &[],
    );
    shop.sql_exec(
        "INSERT INTO {cart_rule_carrier} (id_cart_rule, id_carrier) VALUES (70, 2)",
        &[],
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // 10 % of product 9's line only: 1.89 te, 2.268 → 2.27 ti.
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_discounts_tax_excl"), "1.890000");
    assert_eq!(s(&v, "total_discounts_tax_incl"), "2.270000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "74.700000");
    // Another country only: the rule no longer holds for a delivery in France.
    shop.sql_exec(
        "UPDATE {cart_rule_country} SET id_country = 21 WHERE id_cart_rule = 70",
        &[],
    );
    let v = summary(&shop, id);
    assert_eq!(s(&v, "total_discounts_tax_incl"), "0.000000");
    // A product the cart lacks: the rule does not hold either.
    shop.sql_exec(
        "UPDATE {cart_rule_country} SET id_country = 8 WHERE id_cart_rule = 70",
        &[],
    );
    assert_eq!(
        s(&summary(&shop, id), "total_discounts_tax_incl"),
        "2.270000"
    );
    shop.sql_exec(
        "UPDATE {cart_rule_product_rule_value} SET id_item = 5 WHERE id_product_rule = 8",
        &[],
    );
    assert_eq!(
        s(&summary(&shop, id), "total_discounts_tax_incl"),
        "0.000000"
    );
}

#[test]
fn a_gift_product_is_added_and_discounted() {
    let shop = TestShop::start();
    let id = post_cart(&shop, &cart_body(1, r#"{"1":"2,"}"#, EXAMPLE));
    shop.sql_exec(
        "UPDATE {configuration} SET value = '1' WHERE name = 'PS_CART_RULE_FEATURE_ACTIVE'",
        &[],
    );
    add_rule(&shop, 80, "", "0.00", 0);
    shop.sql_exec(
        "UPDATE {cart_rule} SET gift_product = 9, gift_product_attribute = 22 WHERE id_cart_rule = 80",
        &[],
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // One more unit of P9/A22 (18.90 / 22.68) as a gift line, discounted in full: the total
    // stays 76.97, the products grow by the gift.
    let v = summary(&shop, id);
    let rows = v["cart_rows"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3);
    assert_eq!(s(&rows[2], "gift"), "1");
    assert_eq!(s(&rows[2], "id_product_attribute"), "22");
    assert_eq!(s(&v, "total_products"), "76.040000");
    assert_eq!(s(&v, "total_products_wt"), "91.250000");
    assert_eq!(s(&v, "total_discounts_tax_excl"), "18.900000");
    assert_eq!(s(&v, "total_discounts_tax_incl"), "22.680000");
    assert_eq!(s(&v, "total_paid_tax_excl"), "64.140000");
    assert_eq!(s(&v, "total_paid_tax_incl"), "76.970000");
}
