//! Order state changes and their side effects (business rules §2.4, §3.3–§3.5), through
//! `POST /api/order_histories` and PUT/PATCH of an order's `current_state`, on the demo
//! shop's orders: the `valid` flag, sales, invoice and delivery numbers, payments, stock
//! given back and taken again, movements on shipping, reserved and physical quantities.

use crate::support::{SqlValue, TestShop};

mod shared_products;

/// (available, physical, reserved) of a stock row of shop 1.
fn stock(shop: &TestShop, product: i64, attribute: i64) -> (i64, i64, i64) {
    let r = shop.sql_rows(
        "SELECT quantity, physical_quantity, reserved_quantity FROM {stock_available} \
         WHERE id_product = ? AND id_product_attribute = ? AND id_shop = 1",
        &[product.into(), attribute.into()],
    );
    let n = |i: usize| {
        r[0][i]
            .as_deref()
            .and_then(|v| v.parse().ok())
            .expect("an integer")
    };
    (n(0), n(1), n(2))
}

/// The sums of a product's combination rows: (available, reserved).
fn combination_sums(shop: &TestShop, product: i64) -> (i64, i64) {
    let r = shop.sql_rows(
        "SELECT SUM(quantity), SUM(reserved_quantity) FROM {stock_available} \
         WHERE id_product = ? AND id_product_attribute <> 0 AND id_shop = 1",
        &[product.into()],
    );
    let n = |i: usize| r[0][i].as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
    (n(0), n(1))
}

/// A stored amount in cents (SQLite may give `169.9`, MySQL `169.900000`).
fn cents(v: Option<&str>) -> i64 {
    let f: f64 = v.and_then(|s| s.trim().parse().ok()).expect("an amount");
    (f * 100.0).round() as i64
}

/// One column of an order's row, as text.
fn order_col(shop: &TestShop, id: i64, col: &str) -> String {
    shop.sql_strings(
        &format!("SELECT {col} FROM {{orders}} WHERE id_order = ?"),
        &[id.into()],
    )
    .into_iter()
    .next()
    .unwrap_or_default()
}

fn order_int(shop: &TestShop, id: i64, col: &str) -> i64 {
    order_col(shop, id, col).parse().expect("an integer")
}

fn post_history(shop: &TestShop, order: i64, state: i64, employee: Option<i64>) -> (u16, String) {
    let employee = employee
        .map(|e| format!("<id_employee>{e}</id_employee>"))
        .unwrap_or_default();
    let r = shop.send(
        "POST",
        "/api/order_histories",
        &format!(
            "<prestashop><order_history><id_order>{order}</id_order>\
             <id_order_state>{state}</id_order_state>{employee}</order_history></prestashop>"
        ),
    );
    (r.status, r.body)
}

fn count(shop: &TestShop, sql: &str, params: &[SqlValue]) -> i64 {
    shop.sql_i64(sql, params)
}

#[test]
fn order_two_paid_then_shipped_as_the_rules_describe() {
    let shop = TestShop::start();
    // Order 2 (state 1, awaiting check, 169.90): 2 × product 4 combination 18, 1 × product 8.
    let (q4, _, _) = stock(&shop, 4, 18);
    let (q8, _, _) = stock(&shop, 8, 0);
    let histories = count(
        &shop,
        "SELECT COUNT(*) FROM {order_history} WHERE id_order = 2",
        &[],
    );

    let (status, body) = post_history(&shop, 2, 2, None);
    assert_eq!(status, 201, "{body}");
    assert_eq!(order_int(&shop, 2, "current_state"), 2);
    assert_eq!(order_int(&shop, 2, "valid"), 1, "state 2 is logable");
    assert_eq!(order_int(&shop, 2, "invoice_number"), 1, "first invoice");
    assert!(!order_col(&shop, 2, "invoice_date").starts_with("0000"));
    assert_eq!(
        order_int(&shop, 2, "delivery_number"),
        0,
        "state 2 has no delivery"
    );
    assert_eq!(
        cents(Some(&order_col(&shop, 2, "total_paid_real"))),
        16990,
        "the rest to pay was paid"
    );
    // The invoice, its lines and carrier, the payment linked to it.
    let inv = shop.sql_rows(
        "SELECT id_order_invoice, number, total_paid_tax_incl, delivery_number \
         FROM {order_invoice} WHERE id_order = 2",
        &[],
    );
    assert_eq!(inv.len(), 1);
    let id_invoice: i64 = inv[0][0].as_deref().unwrap().parse().unwrap();
    assert_eq!(inv[0][1].as_deref(), Some("1"));
    assert_eq!(cents(inv[0][2].as_deref()), 16990);
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {order_detail} WHERE id_order = 2 AND id_order_invoice = ?",
            &[id_invoice.into()],
        ),
        2
    );
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {order_carrier} WHERE id_order = 2 AND id_order_invoice = ?",
            &[id_invoice.into()],
        ),
        1
    );
    let pay = shop.sql_rows(
        "SELECT p.amount, p.payment_method, p.order_reference, l.id_order \
         FROM {order_payment} p JOIN {order_invoice_payment} l \
         ON l.id_order_payment = p.id_order_payment WHERE l.id_order_invoice = ?",
        &[id_invoice.into()],
    );
    assert_eq!(pay.len(), 1, "{pay:?}");
    assert_eq!(cents(pay[0][0].as_deref()), 16990);
    assert_eq!(pay[0][1].as_deref(), Some("Payments by check"));
    assert_eq!(pay[0][2].as_deref(), Some("OHSATSERP"));
    assert_eq!(pay[0][3].as_deref(), Some("2"));
    // Sales counted; stock not taken again (it was at order creation), reserved.
    let sales = shop.sql_rows(
        "SELECT id_product, quantity, sale_nbr FROM {product_sale} ORDER BY id_product",
        &[],
    );
    let sales: Vec<Vec<String>> = sales
        .into_iter()
        .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
        .collect();
    assert_eq!(sales, vec![vec!["4", "2", "1"], vec!["8", "1", "1"]]);
    assert_eq!(stock(&shop, 4, 18), (q4, q4 + 2, 2));
    assert_eq!(stock(&shop, 8, 0), (q8, q8 + 1, 1));
    let (sum4, reserved4) = combination_sums(&shop, 4);
    assert_eq!(stock(&shop, 4, 0), (sum4, sum4 + reserved4, reserved4));
    assert_eq!(reserved4, 2);
    assert_eq!(
        count(&shop, "SELECT COUNT(*) FROM {stock_mvt}", &[]),
        0,
        "no movement before shipping"
    );

    // Shipped, by employee 1: movements −qty with reason 1, a delivery number, nothing
    // reserved any more, no second payment.
    let (status, body) = post_history(&shop, 2, 4, Some(1));
    assert_eq!(status, 201, "{body}");
    assert_eq!(order_int(&shop, 2, "current_state"), 4);
    assert_eq!(order_int(&shop, 2, "valid"), 1);
    assert_eq!(order_int(&shop, 2, "invoice_number"), 1, "kept");
    assert_eq!(
        order_int(&shop, 2, "delivery_number"),
        1,
        "PS_DELIVERY_NUMBER"
    );
    assert!(!order_col(&shop, 2, "delivery_date").starts_with("0000"));
    assert_eq!(
        shop.sql_strings(
            "SELECT delivery_number FROM {order_invoice} WHERE id_order = 2",
            &[]
        ),
        vec!["1"]
    );
    assert_eq!(
        shop.sql_strings(
            "SELECT value FROM {configuration} WHERE name = 'PS_DELIVERY_NUMBER'",
            &[]
        ),
        vec![""],
        "a start number is used once"
    );
    let moves = shop.sql_rows(
        "SELECT s.id_product, s.id_product_attribute, m.physical_quantity, m.sign, \
         m.id_stock_mvt_reason, m.id_employee, m.employee_lastname \
         FROM {stock_mvt} m JOIN {stock_available} s ON s.id_stock_available = m.id_stock \
         WHERE m.id_order = 2 ORDER BY s.id_product",
        &[],
    );
    let moves: Vec<Vec<String>> = moves
        .into_iter()
        .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
        .collect();
    let lastname = shop.sql_strings("SELECT lastname FROM {employee} WHERE id_employee = 1", &[]);
    let lastname = lastname.first().cloned().unwrap_or_default();
    assert_eq!(
        moves,
        vec![
            vec!["4", "18", "2", "-1", "1", "1", lastname.as_str()],
            vec!["8", "0", "1", "-1", "1", "1", lastname.as_str()],
        ]
    );
    assert_eq!(
        stock(&shop, 4, 18),
        (q4, q4, 0),
        "shipping moves, never takes"
    );
    assert_eq!(stock(&shop, 8, 0), (q8, q8, 0));
    assert_eq!(stock(&shop, 4, 0).2, 0);
    assert_eq!(
        count(&shop, "SELECT COUNT(*) FROM {order_payment}", &[]),
        1,
        "nothing left to pay"
    );
    assert_eq!(cents(Some(&order_col(&shop, 2, "total_paid_real"))), 16990);
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {order_history} WHERE id_order = 2",
            &[]
        ),
        histories + 2
    );
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {order_history} WHERE id_order = 2 AND id_order_state = 4 \
             AND id_employee = 1",
            &[]
        ),
        1
    );
    // The API shows it.
    let r =
        shop.get("/api/orders/2?display=[current_state,valid,invoice_number]&output_format=JSON");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("\"current_state\":\"4\""), "{}", r.body);

    // Back from shipped (state 3, not shipped): the movement back, reason 2.
    let (status, body) = post_history(&shop, 2, 3, None);
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {stock_mvt} WHERE id_order = 2 AND sign = 1 \
             AND id_stock_mvt_reason = 2",
            &[]
        ),
        2
    );
    assert_eq!(stock(&shop, 4, 18), (q4, q4 + 2, 2), "reserved again");
}

#[test]
fn cancelling_gives_the_stock_back_and_leaving_cancelled_takes_it_again() {
    let shop = TestShop::start();
    // Order 4: state 1, 1 × product 16 combination 29.
    let (q, _, _) = stock(&shop, 16, 29);
    let (p, _, _) = stock(&shop, 16, 0);
    let (status, body) = post_history(&shop, 4, 6, None);
    assert_eq!(status, 201, "{body}");
    assert_eq!(order_int(&shop, 4, "valid"), 0);
    assert_eq!(stock(&shop, 16, 29), (q + 1, q + 1, 0), "restocked");
    assert_eq!(stock(&shop, 16, 0).0, p + 1, "the product row follows");
    assert_eq!(
        count(&shop, "SELECT COUNT(*) FROM {order_invoice}", &[]),
        0,
        "no invoice for a cancelled order"
    );
    assert_eq!(count(&shop, "SELECT COUNT(*) FROM {product_sale}", &[]), 0);
    // Cancelled again: nothing more.
    assert_eq!(post_history(&shop, 4, 6, None).0, 201);
    assert_eq!(stock(&shop, 16, 29).0, q + 1);
    // Cancelled → payment accepted: taken again, sold, invoiced, reserved.
    assert_eq!(post_history(&shop, 4, 2, None).0, 201);
    assert_eq!(stock(&shop, 16, 29), (q, q + 1, 1));
    assert_eq!(stock(&shop, 16, 0).0, p);
    assert_eq!(order_int(&shop, 4, "valid"), 1);
    assert_eq!(
        shop.sql_strings(
            "SELECT quantity FROM {product_sale} WHERE id_product = 16",
            &[]
        ),
        vec!["1"]
    );
    // Paid → cancelled (logable → not): the sale goes, the stock comes back.
    assert_eq!(post_history(&shop, 4, 6, None).0, 201);
    assert_eq!(stock(&shop, 16, 29), (q + 1, q + 1, 0));
    assert_eq!(order_int(&shop, 4, "valid"), 0);
    assert_eq!(count(&shop, "SELECT COUNT(*) FROM {product_sale}", &[]), 0);
    // Payment error (8) from awaiting payment (order 2, state 1): restock too.
    let (q8, _, _) = stock(&shop, 8, 0);
    assert_eq!(post_history(&shop, 2, 8, None).0, 201);
    assert_eq!(stock(&shop, 8, 0).0, q8 + 1);
}

#[test]
fn unknown_orders_and_states_are_404_and_change_nothing() {
    let shop = TestShop::start();
    let histories = count(&shop, "SELECT COUNT(*) FROM {order_history}", &[]);
    let note = order_col(&shop, 2, "note");
    for (order, state) in [(999, 2), (2, 999), (0, 2)] {
        let (status, body) = post_history(&shop, order, state, None);
        assert_eq!(status, 404, "{order}/{state}: {body}");
        assert!(
            body.contains("<errors>")
                && body.contains("does not exist")
                && body.contains("<code><![CDATA[1025]]></code>"),
            "{body}"
        );
    }
    assert_eq!(
        count(&shop, "SELECT COUNT(*) FROM {order_history}", &[]),
        histories
    );
    let r = shop.send(
        "PATCH",
        "/api/orders/2",
        "<prestashop><order><id>2</id><note>x</note><current_state>999</current_state>\
         </order></prestashop>",
    );
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(order_int(&shop, 2, "current_state"), 1, "rolled back");
    assert_eq!(
        order_col(&shop, 2, "note"),
        note,
        "the whole request rolled back"
    );
    let r = shop.send(
        "PATCH",
        "/api/orders/2",
        "<prestashop><order><id>2</id><current_state>two</current_state></order></prestashop>",
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.codes(), vec![85]);
}

#[test]
fn put_and_patch_of_current_state_change_the_state_after_the_other_fields() {
    let shop = TestShop::start();
    // PATCH of order 5 (state 10, bank wire): posted computed fields are not written.
    let r = shop.send(
        "PATCH",
        "/api/orders/5",
        "<prestashop><order><id>5</id><note>paid by wire</note>\
         <current_state>2</current_state><valid>0</valid><invoice_number>0</invoice_number>\
         <delivery_number>7</delivery_number></order></prestashop>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(order_int(&shop, 5, "current_state"), 2);
    assert_eq!(order_int(&shop, 5, "valid"), 1, "valid as the state says");
    assert_eq!(
        order_int(&shop, 5, "invoice_number"),
        1,
        "the new number stays"
    );
    assert_eq!(order_int(&shop, 5, "delivery_number"), 0);
    assert_eq!(order_col(&shop, 5, "note"), "paid by wire");
    assert_eq!(cents(Some(&order_col(&shop, 5, "total_paid_real"))), 2730);
    assert_eq!(
        shop.sql_strings(
            "SELECT payment_method FROM {order_payment} WHERE order_reference = \
             (SELECT reference FROM {orders} WHERE id_order = 5)",
            &[]
        ),
        vec!["Wire payment"]
    );
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {order_history} WHERE id_order = 5 AND id_order_state = 2 \
             AND id_employee = 0",
            &[]
        ),
        1
    );
    // The same state again changes nothing and writes no history.
    let before = count(&shop, "SELECT COUNT(*) FROM {order_history}", &[]);
    let r = shop.send(
        "PATCH",
        "/api/orders/5",
        "<prestashop><order><id>5</id><current_state>2</current_state></order></prestashop>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        count(&shop, "SELECT COUNT(*) FROM {order_history}", &[]),
        before
    );

    // PUT of order 4 as read, with another state and a tracking number.
    let (q, _, _) = stock(&shop, 16, 29);
    let xml = shop.get("/api/orders/4").body;
    let start = xml.find("<current_state").expect("current_state");
    let end = xml[start..].find("</current_state>").expect("end") + start;
    let mut body = format!(
        "{}<current_state>6</current_state>{}",
        &xml[..start],
        &xml[end + "</current_state>".len()..]
    );
    let rows = body.find("<associations>").expect("associations");
    let rows_end = body.find("</associations>").expect("end") + "</associations>".len();
    body.replace_range(rows..rows_end, "<shipping_number>TRACK-4</shipping_number>");
    let body = body.replace(
        "<shipping_number notFilterable=\"true\"></shipping_number>",
        "",
    );
    let r = shop.send("PUT", "/api/orders/4", &body);
    assert_eq!(r.status, 200, "{}\n{body}", r.body);
    assert_eq!(order_int(&shop, 4, "current_state"), 6);
    assert_eq!(stock(&shop, 16, 29).0, q + 1, "cancelled by PUT: restocked");
    assert_eq!(
        shop.sql_strings(
            "SELECT tracking_number FROM {order_carrier} WHERE id_order = 4",
            &[]
        ),
        vec!["TRACK-4"]
    );
    // A PUT that omits current_state keeps the stored state.
    let r = shop.send(
        "PUT",
        "/api/orders/4",
        &body.replace("<current_state>6</current_state>", ""),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(order_int(&shop, 4, "current_state"), 6);
}

/// Sets a configuration value for all shops, creating the row when missing.
fn set_config(shop: &TestShop, name: &str, value: &str) {
    let changed = shop.sql_exec(
        "UPDATE {configuration} SET value = ? WHERE name = ?",
        &[value.into(), name.into()],
    );
    if changed == 0 {
        shop.sql_exec(
            "INSERT INTO {configuration} (name, value, date_add, date_upd) \
             VALUES (?, ?, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
            &[name.into(), value.into()],
        );
    }
}

#[test]
fn invoice_numbers_follow_the_start_number_the_yearly_reset_and_the_switch() {
    let shop = TestShop::start();
    set_config(&shop, "PS_INVOICE_START_NUMBER", "100");
    assert_eq!(post_history(&shop, 2, 2, None).0, 201);
    assert_eq!(order_int(&shop, 2, "invoice_number"), 100);
    assert_eq!(
        shop.sql_strings(
            "SELECT value FROM {configuration} WHERE name = 'PS_INVOICE_START_NUMBER'",
            &[]
        ),
        vec![""],
        "used once"
    );
    assert_eq!(post_history(&shop, 4, 11, None).0, 201);
    assert_eq!(
        order_int(&shop, 4, "invoice_number"),
        101,
        "then the largest + 1"
    );
    // With the yearly reset, only this year's invoices count: last year's 101 does not.
    shop.sql_exec(
        "UPDATE {order_invoice} SET date_add = '2000-06-01 00:00:00' WHERE id_order = 4",
        &[],
    );
    shop.sql_exec(
        "UPDATE {order_invoice} SET date_add = '2000-06-01 00:00:00' WHERE id_order = 2",
        &[],
    );
    set_config(&shop, "PS_INVOICE_RESET", "1");
    assert_eq!(post_history(&shop, 5, 2, None).0, 201);
    assert_eq!(
        order_int(&shop, 5, "invoice_number"),
        1,
        "a new year starts at 1"
    );
    // Numbering off: an invoice row without a number, the order's number stays 0, and the
    // payment is still recorded against it.
    set_config(&shop, "PS_INVOICE", "0");
    assert_eq!(post_history(&shop, 1, 2, None).0, 201);
    assert_eq!(order_int(&shop, 1, "invoice_number"), 0);
    assert_eq!(
        shop.sql_strings("SELECT number FROM {order_invoice} WHERE id_order = 1", &[]),
        vec!["0"]
    );
    assert_eq!(cents(Some(&order_col(&shop, 1, "total_paid_real"))), 6820);
    assert_eq!(
        shop.sql_strings("SELECT note FROM {order_invoice} WHERE id_order = 1", &[]),
        vec![order_col(&shop, 1, "note")],
        "the invoice keeps the order's note"
    );
    // Entering another invoice state does not make a second invoice.
    assert_eq!(post_history(&shop, 1, 3, None).0, 201);
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {order_invoice} WHERE id_order = 1",
            &[]
        ),
        1
    );
    assert!(
        order_int(&shop, 1, "delivery_number") > 0,
        "state 3 numbers the slip"
    );
}
