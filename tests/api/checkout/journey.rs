//! The whole journey of a mobile shop app, on a fresh demo database: a customer registers,
//! adds an address, fills a cart with a combination and a plain product, reads the shipping
//! options and the total, orders, and the order has its reference, lines, taxes, carrier,
//! payment, invoice, history and stock change; it is shipped, then cancelled, with the stock
//! movements and the stock given back; the e-mails arrive at a local SMTP sink.

use std::time::Duration;

use crate::smtp_sink::Sink;
use crate::support::{id_of, TestShop};

use super::{order_body_for, stock};

fn set_config(shop: &TestShop, name: &str, value: &str) {
    shop.sql_exec(
        "UPDATE {configuration} SET value = ? WHERE name = ?",
        &[value.into(), name.into()],
    );
}

fn json_str(v: &serde_json::Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

fn post_history(shop: &TestShop, order: i64, state: i64) {
    let r = shop.send(
        "POST",
        "/api/order_histories?sendemail=1",
        &format!(
            "<prestashop><order_history><id_order>{order}</id_order>\
             <id_order_state>{state}</id_order_state></order_history></prestashop>"
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

fn movements(shop: &TestShop, order: i64, sign: i64) -> i64 {
    shop.sql_i64(
        "SELECT COALESCE(SUM(physical_quantity), 0) FROM {stock_mvt} WHERE id_order = ? AND sign = ?",
        &[order.into(), sign.into()],
    )
}

#[test]
fn register_fill_a_cart_order_ship_and_cancel() {
    let sink = Sink::start();
    let shop = TestShop::start_with(&["--mail", "on", "--mail-poll", "100ms"]);
    set_config(&shop, "PS_MAIL_METHOD", "2");
    set_config(&shop, "PS_MAIL_SERVER", "127.0.0.1");
    set_config(&shop, "PS_MAIL_SMTP_PORT", &sink.port.to_string());
    set_config(&shop, "PS_MAIL_SMTP_ENCRYPTION", "off");

    let r = shop.send(
        "POST",
        "/api/customers",
        "<prestashop><customer><firstname>Léa</firstname><lastname>Martin</lastname>\
         <email>lea.martin@example.com</email><passwd>a-long-pass-phrase</passwd><id_lang>2</id_lang>\
         </customer></prestashop>",
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let customer = id_of(&r.body);
    let r = shop.send(
        "POST",
        "/api/addresses",
        &format!(
            "<prestashop><address><id_customer>{customer}</id_customer><id_country>8</id_country>\
             <alias>Maison</alias><firstname>Léa</firstname><lastname>Martin</lastname>\
             <address1>12 rue de la Paix</address1><postcode>75002</postcode><city>Paris</city>\
             </address></prestashop>"
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let address = id_of(&r.body);
    let r = shop.send(
        "POST",
        "/api/carts",
        &format!(
            "<prestashop><cart><id_currency>1</id_currency><id_lang>2</id_lang><id_customer>{customer}</id_customer>\
             <id_address_delivery>{address}</id_address_delivery><id_address_invoice>{address}</id_address_invoice>\
             <id_carrier>2</id_carrier><delivery_option>{{\"{address}\":\"2,\"}}</delivery_option>\
             <associations><cart_rows>\
             <cart_row><id_product>1</id_product><id_product_attribute>1</id_product_attribute><quantity>2</quantity></cart_row>\
             <cart_row><id_product>6</id_product><id_product_attribute>0</id_product_attribute><quantity>1</quantity></cart_row>\
             </cart_rows></associations></cart></prestashop>"
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cart = id_of(&r.body);

    // The shipping options and the total, before ordering.
    let r = shop.get(&format!("/api/carts/{cart}/summary?output_format=JSON"));
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json()["cart_summary"].clone();
    assert_eq!(json_str(&s["id_carrier"]), "2");
    assert_eq!(json_str(&s["total_shipping_tax_excl"]), "7.000000");
    assert_eq!(json_str(&s["total_shipping_tax_incl"]), "8.400000");
    let total = json_str(&s["total_paid_tax_incl"]);
    let products: f64 = json_str(&s["total_products_wt"]).parse().expect("number");
    let total_n: f64 = total.parse().expect("number");
    assert!((products + 8.4 - total_n).abs() < 0.005, "{s}");
    assert!(r.body.contains("\"carriers\""), "{}", r.body);

    let before = (stock(&shop, 1, 1), stock(&shop, 6, 0));
    let r = shop.send(
        "POST",
        "/api/orders",
        &order_body_for(cart, customer, address, "ps_wirepayment", &total),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let order = id_of(&r.body);
    let o = shop
        .get(&format!("/api/orders/{order}?output_format=JSON"))
        .json()["order"]
        .clone();
    assert_eq!(json_str(&o["current_state"]), "11");
    assert_eq!(json_str(&o["total_paid_tax_incl"]), format!("{total_n:.6}"));
    assert_eq!(json_str(&o["reference"]).len(), 9);
    let invoice = shop.sql_i64(
        "SELECT invoice_number FROM {orders} WHERE id_order = ?",
        &[order.into()],
    );
    assert!(invoice >= 1, "invoice number {invoice}");
    assert_eq!(
        shop.sql_i64(
            "SELECT COUNT(*) FROM {order_invoice} WHERE id_order = ?",
            &[order.into()]
        ),
        1
    );
    assert_eq!(
        shop.sql_i64(
            "SELECT COUNT(*) FROM {order_history} WHERE id_order = ? AND id_order_state = 11",
            &[order.into()]
        ),
        1
    );
    assert_eq!(
        shop.sql_i64(
            "SELECT COUNT(*) FROM {order_detail} WHERE id_order = ?",
            &[order.into()]
        ),
        2
    );
    assert_eq!(stock(&shop, 1, 1), before.0 - 2);
    assert_eq!(stock(&shop, 6, 0), before.1 - 1);

    // The state's e-mail and the confirmation, in the customer's language (French).
    let mails = sink.wait_for(2, Duration::from_secs(20));
    assert_eq!(
        mails.len(),
        2,
        "{:?}",
        mails.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    let to: Vec<_> = mails.iter().map(|m| m.to.clone()).collect();
    assert!(
        to.iter()
            .all(|t| t.len() == 1 && t[0].contains("lea.martin@example.com")),
        "{to:?}"
    );
    let reference = json_str(&o["reference"]);
    assert!(
        mails.iter().all(|m| m.text().contains(&reference)),
        "reference in both"
    );

    // Shipped: movements out, the available quantity unchanged.
    post_history(&shop, order, 4);
    assert_eq!(movements(&shop, order, -1), 3);
    assert_eq!(stock(&shop, 1, 1), before.0 - 2);
    // Cancelled: the movements back and the stock given back.
    post_history(&shop, order, 6);
    assert_eq!(movements(&shop, order, 1), 3);
    assert_eq!((stock(&shop, 1, 1), stock(&shop, 6, 0)), before);
    // One e-mail per state change asked with sendemail=1.
    let mails = sink.wait_for(4, Duration::from_secs(20));
    assert_eq!(mails.len(), 4);
}
