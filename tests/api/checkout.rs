//! `POST /api/orders` (business rules §2.3): the order is built from its cart — lines,
//! taxes, carrier, totals to the cent, reference, payment, stock — and refused with an error
//! document, leaving nothing behind, when the cart, the customer or the module is wrong.

use crate::support::{id_of, TestShop};

mod journey;

const ORDER_COUNT: &str = "SELECT COUNT(*) FROM {orders}";

/// A cart of customer 1 to address `address`, carrier 2, with `rows` (product, combination,
/// quantity); its id.
fn cart(shop: &TestShop, address: i64, rows: &[(i64, i64, i64)]) -> i64 {
    let items: String = rows
        .iter()
        .map(|(p, a, q)| {
            format!(
                "<cart_row><id_product>{p}</id_product><id_product_attribute>{a}</id_product_attribute><quantity>{q}</quantity></cart_row>"
            )
        })
        .collect();
    let r = shop.send(
        "POST",
        "/api/carts",
        &format!(
            "<prestashop><cart><id_currency>1</id_currency><id_lang>1</id_lang><id_customer>1</id_customer>\
             <id_address_delivery>{address}</id_address_delivery><id_address_invoice>{address}</id_address_invoice>\
             <id_carrier>2</id_carrier><delivery_option>{{\"{address}\":\"2,\"}}</delivery_option>\
             <associations><cart_rows>{items}</cart_rows></associations></cart></prestashop>"
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    id_of(&r.body)
}

fn order_body(cart: i64, customer: i64, module: &str, paid: &str) -> String {
    order_body_for(cart, customer, 1, module, paid)
}

/// The fields PrestaShop requires in a posted order; only the cart, the customer, the
/// module, the payment label and the amount paid are used.
fn order_body_for(cart: i64, customer: i64, address: i64, module: &str, paid: &str) -> String {
    format!(
        "<prestashop><order><id_address_delivery>{address}</id_address_delivery><id_address_invoice>{address}</id_address_invoice>\
         <id_cart>{cart}</id_cart><id_currency>1</id_currency><id_lang>1</id_lang><id_customer>{customer}</id_customer>\
         <id_carrier>2</id_carrier><module>{module}</module><payment>Check</payment><total_paid>{paid}</total_paid>\
         <total_paid_real>0</total_paid_real><total_products>0</total_products><total_products_wt>0</total_products_wt>\
         <conversion_rate>1</conversion_rate></order></prestashop>"
    )
}

/// The cart's total tax included, from its summary.
fn total(shop: &TestShop, cart: i64) -> String {
    let r = shop.get(&format!("/api/carts/{cart}/summary?output_format=JSON"));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    let t = &v["cart_summary"]["total_paid_tax_incl"];
    t.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| t.to_string())
}

/// `orders.valid` (not a field of the webservice's order).
fn valid(shop: &TestShop, order: i64) -> i64 {
    shop.sql_i64(
        "SELECT valid FROM {orders} WHERE id_order = ?",
        &[order.into()],
    )
}

fn stock(shop: &TestShop, product: i64, attribute: i64) -> i64 {
    shop.sql_i64(
        "SELECT quantity FROM {stock_available} WHERE id_product = ? AND id_product_attribute = ? AND id_shop = 1",
        &[product.into(), attribute.into()],
    )
}

fn field(shop: &TestShop, order: i64, name: &str) -> String {
    let r = shop.get(&format!("/api/orders/{order}?output_format=JSON"));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    match &v["order"][name] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn an_order_is_built_from_its_cart() {
    let shop = TestShop::start();
    let (p1, p9) = (stock(&shop, 1, 1), stock(&shop, 9, 22));
    let product1 = stock(&shop, 1, 0);
    // What the merchant paid: a combination's own wholesale price, else its product's.
    shop.sql_exec(
        "UPDATE {product} SET wholesale_price = 5.5 WHERE id_product IN (1, 9)",
        &[],
    );
    shop.sql_exec(
        "UPDATE {product_attribute} SET wholesale_price = CASE id_product_attribute WHEN 22 THEN 3.25 ELSE 0 END WHERE id_product_attribute IN (1, 22)",
        &[],
    );
    let c = cart(&shop, 1, &[(1, 1, 2), (9, 22, 1)]);
    // Posted totals are ignored; the amount paid is compared with the cart's total.
    let r = shop.send(
        "POST",
        "/api/orders",
        &order_body(c, 1, "ps_checkpayment", "76.97"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r.body);
    assert!(
        r.body
            .contains("<total_paid_tax_incl><![CDATA[76.970000]]>"),
        "{}",
        r.body
    );
    let reference = field(&shop, id, "reference");
    assert_eq!(reference.len(), 9, "{reference}");
    assert!(
        reference.bytes().all(|b| b.is_ascii_uppercase()),
        "{reference}"
    );
    for (name, want) in [
        ("id_cart", c.to_string()),
        ("id_carrier", "2".into()),
        ("module", "ps_checkpayment".into()),
        ("payment", "Check".into()),
        ("total_products", "57.140000".into()),
        ("total_products_wt", "68.570000".into()),
        ("total_shipping_tax_excl", "7.000000".into()),
        ("total_shipping_tax_incl", "8.400000".into()),
        ("total_paid_tax_excl", "64.140000".into()),
        ("total_paid_tax_incl", "76.970000".into()),
        ("total_paid", "76.970000".into()),
        ("total_paid_real", "76.970000".into()),
        ("current_state", "11".into()),
    ] {
        assert_eq!(field(&shop, id, name), want, "{name}");
    }
    assert_eq!(valid(&shop, id), 1);
    // Lines with the combination in their name, unit prices and taxes.
    let lines = shop.sql_rows(
        "SELECT product_id, product_attribute_id, product_quantity, product_name, unit_price_tax_excl, \
         unit_price_tax_incl, total_price_tax_incl, tax_rate FROM {order_detail} WHERE id_order = ? ORDER BY product_id",
        &[id.into()],
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0][2].as_deref(), Some("2"));
    let wholesale = shop.sql_rows(
        "SELECT original_wholesale_price, purchase_supplier_price FROM {order_detail} WHERE id_order = ? ORDER BY product_id",
        &[id.into()],
    );
    let money = |v: &Option<String>| v.as_deref().and_then(|t| t.parse::<f64>().ok());
    assert_eq!(money(&wholesale[0][0]), Some(5.5), "{wholesale:?}");
    assert_eq!(money(&wholesale[0][1]), Some(5.5), "{wholesale:?}");
    assert_eq!(money(&wholesale[1][0]), Some(3.25), "{wholesale:?}");
    assert!(
        lines[0][3]
            .as_deref()
            .unwrap_or("")
            .contains(" (Size: S - Color: White)"),
        "{lines:?}"
    );
    assert_eq!(
        shop.sql_i64(
            "SELECT COUNT(*) FROM {order_detail_tax} t JOIN {order_detail} d ON d.id_order_detail = t.id_order_detail WHERE d.id_order = ?",
            &[id.into()]
        ),
        2
    );
    let carrier = shop.sql_rows(
        "SELECT id_carrier, shipping_cost_tax_excl, shipping_cost_tax_incl FROM {order_carrier} WHERE id_order = ?",
        &[id.into()],
    );
    assert_eq!(carrier.len(), 1);
    assert_eq!(carrier[0][0].as_deref(), Some("2"));
    let paid = shop.sql_strings(
        "SELECT amount FROM {order_payment} WHERE order_reference = ?",
        &[reference.clone().into()],
    );
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert!(paid[0].starts_with("76.97"), "{paid:?}");
    // Stock taken; the product's own row is the sum of its combinations'.
    assert_eq!(stock(&shop, 1, 1), p1 - 2);
    assert_eq!(stock(&shop, 9, 22), p9 - 1);
    assert_eq!(stock(&shop, 1, 0), product1 - 2);
    // The cart has its order now.
    let again = shop.send(
        "POST",
        "/api/orders",
        &order_body(c, 1, "ps_checkpayment", "76.97"),
    );
    assert_eq!(
        (again.status, again.codes()),
        (409, vec![1041]),
        "{}",
        again.body
    );
}

#[test]
fn a_wrong_amount_is_a_payment_error_and_takes_no_stock() {
    let shop = TestShop::start();
    let before = stock(&shop, 1, 1);
    let c = cart(&shop, 1, &[(1, 1, 2), (9, 22, 1)]);
    let r = shop.send(
        "POST",
        "/api/orders",
        &order_body(c, 1, "ps_checkpayment", "70"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r.body);
    assert_eq!(field(&shop, id, "current_state"), "8");
    assert_eq!(valid(&shop, id), 0);
    assert_eq!(field(&shop, id, "total_paid_real"), "70.000000");
    assert_eq!(stock(&shop, 1, 1), before);
}

#[test]
fn refusals_leave_nothing_behind() {
    let shop = TestShop::start();
    let c = cart(&shop, 1, &[(1, 1, 1)]);
    let orders = shop.sql_i64(ORDER_COUNT, &[]);
    let stock_before = stock(&shop, 1, 1);
    for (body, status, code) in [
        (order_body(999_999, 1, "ps_checkpayment", "1"), 400, 1040),
        (order_body(c, 1, "no_such_module", "1"), 400, 1043),
        (order_body(c, 2, "ps_checkpayment", "1"), 400, 1042),
    ] {
        let r = shop.send("POST", "/api/orders", &body);
        assert_eq!((r.status, r.codes()), (status, vec![code]), "{}", r.body);
    }
    shop.sql_exec(
        "UPDATE {module} SET active = 0 WHERE name = 'ps_wirepayment'",
        &[],
    );
    let r = shop.send(
        "POST",
        "/api/orders",
        &order_body(c, 1, "ps_wirepayment", "1"),
    );
    assert_eq!((r.status, r.codes()), (400, vec![1044]), "{}", r.body);
    // Generic validation first: a required field missing is PrestaShop's #41.
    let r = shop.send(
        "POST",
        "/api/orders",
        &order_body(c, 1, "ps_checkpayment", "1").replace("<payment>Check</payment>", ""),
    );
    assert_eq!((r.status, r.codes()), (400, vec![41]), "{}", r.body);
    assert_eq!(shop.sql_i64(ORDER_COUNT, &[]), orders);
    assert_eq!(stock(&shop, 1, 1), stock_before);
}

#[test]
fn two_orders_for_the_last_unit_do_not_both_pass() {
    let shop = TestShop::start();
    // Product 6 (no combinations): one unit left, out-of-stock orders refused.
    shop.sql_exec(
        "UPDATE {stock_available} SET quantity = 1, out_of_stock = 0 WHERE id_product = 6 AND id_product_attribute = 0",
        &[],
    );
    let carts = [cart(&shop, 1, &[(6, 0, 1)]), cart(&shop, 1, &[(6, 0, 1)])];
    let bodies: Vec<String> = carts
        .iter()
        .map(|c| order_body(*c, 1, "ps_checkpayment", &total(&shop, *c)))
        .collect();
    let answers: Vec<(u16, Vec<u32>)> = std::thread::scope(|s| {
        let handles: Vec<_> = bodies
            .iter()
            .map(|b| s.spawn(|| shop.send("POST", "/api/orders", b)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let r = h.join().expect("thread");
                (r.status, r.codes())
            })
            .collect()
    });
    let passed = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(passed, 1, "{answers:?}");
    assert!(answers.contains(&(400, vec![1048])), "{answers:?}");
    assert_eq!(stock(&shop, 6, 0), 0);
}

#[test]
fn an_order_beyond_the_stock_enters_the_out_of_stock_state_when_asked() {
    let shop = TestShop::start();
    // Product 6: one unit, backorders allowed.
    shop.sql_exec(
        "UPDATE {stock_available} SET quantity = 1, out_of_stock = 1 WHERE id_product = 6 AND id_product_attribute = 0",
        &[],
    );
    let place = |switch: &str| {
        shop.sql_exec(
            "UPDATE {configuration} SET value = ? WHERE name = 'PS_ENABLE_BACKORDER_STATUS'",
            &[switch.into()],
        );
        let c = cart(&shop, 1, &[(6, 0, 3)]);
        let r = shop.send(
            "POST",
            "/api/orders",
            &order_body(c, 1, "ps_checkpayment", &total(&shop, c)),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        id_of(&r.body)
    };
    // Off (PrestaShop's default): the first state only, the stock below zero.
    let plain = place("0");
    assert_eq!(field(&shop, plain, "current_state"), "11");
    assert_eq!(stock(&shop, 6, 0), -2);
    let detail = shop.sql_i64(
        "SELECT product_quantity_in_stock FROM {order_detail} WHERE id_order = ?",
        &[plain.into()],
    );
    assert_eq!(detail, 1, "the quantity there was");
    // On: the paid first state is followed by "On backorder (paid)".
    let backorder = place("1");
    assert_eq!(field(&shop, backorder, "current_state"), "9");
    let states = shop.sql_strings(
        "SELECT id_order_state FROM {order_history} WHERE id_order = ? ORDER BY id_order_history",
        &[backorder.into()],
    );
    assert_eq!(states, vec!["11".to_string(), "9".to_string()]);
}
