//! Stock shared between orders: concurrent state changes of orders holding the same
//! product, and a shop group whose shops share one set of stock rows.

use super::{combination_sums, count, post_history, stock};
use crate::support::TestShop;

/// Copies of order 2 holding one line each: `qty` × product 4 combination 18.
fn orders_sharing_a_product(shop: &TestShop, n: usize, qty: i64) -> Vec<i64> {
    const ORDER: &str = "reference, id_shop_group, id_shop, id_carrier, id_lang, id_customer, \
        id_cart, id_currency, id_address_delivery, id_address_invoice, current_state, \
        secure_key, payment, conversion_rate, module, recyclable, gift, gift_message, \
        mobile_theme, total_discounts, total_discounts_tax_incl, total_discounts_tax_excl, \
        total_paid, total_paid_tax_incl, total_paid_tax_excl, total_paid_real, total_products, \
        total_products_wt, total_shipping, total_shipping_tax_incl, total_shipping_tax_excl, \
        carrier_tax_rate, total_wrapping, total_wrapping_tax_incl, total_wrapping_tax_excl, \
        round_mode, round_type, invoice_number, delivery_number, invoice_date, delivery_date, \
        valid, date_add, date_upd, note";
    const DETAIL: &str = "id_order_invoice, id_warehouse, id_shop, product_id, \
        product_attribute_id, id_customization, product_name, product_quantity_in_stock, \
        product_quantity_refunded, product_quantity_return, product_quantity_reinjected, \
        product_price, reduction_percent, reduction_amount, reduction_amount_tax_incl, \
        reduction_amount_tax_excl, group_reduction, product_quantity_discount, product_ean13, \
        product_isbn, product_upc, product_mpn, product_reference, product_supplier_reference, \
        product_weight, id_tax_rules_group, tax_computation_method, tax_name, tax_rate, ecotax, \
        ecotax_tax_rate, discount_quantity_applied, download_hash, download_nb, \
        download_deadline, total_price_tax_incl, total_price_tax_excl, unit_price_tax_incl, \
        unit_price_tax_excl, total_shipping_price_tax_incl, total_shipping_price_tax_excl, \
        purchase_supplier_price, original_product_price, original_wholesale_price, \
        total_refunded_tax_excl, total_refunded_tax_incl";
    let mut ids = Vec::new();
    for i in 0..n {
        shop.sql_exec(
            &format!("INSERT INTO {{orders}} ({ORDER}) SELECT {ORDER} FROM {{orders}} WHERE id_order = 2"),
            &[],
        );
        let id = shop.sql_i64("SELECT MAX(id_order) FROM {orders}", &[]);
        shop.sql_exec(
            "UPDATE {orders} SET reference = ? WHERE id_order = ?",
            &[format!("PAR{i:06}").as_str().into(), id.into()],
        );
        shop.sql_exec(
            &format!(
                "INSERT INTO {{order_detail}} (id_order, product_quantity, {DETAIL}) \
                 SELECT ?, ?, {DETAIL} FROM {{order_detail}} WHERE id_order_detail = 3"
            ),
            &[id.into(), qty.into()],
        );
        ids.push(id);
    }
    // Orders written behind shopws's back: their reservations are counted once, as after an
    // import.
    assert!(shop
        .cli(&["stock", "recount"])
        .contains("reserved quantities recounted"));
    ids
}

#[test]
fn parallel_state_changes_on_orders_sharing_a_product_leave_the_stock_exact() {
    let shop = TestShop::start();
    let ids = orders_sharing_a_product(&shop, 24, 3);
    let (q0, _, _) = stock(&shop, 4, 18);
    // A shipped state without invoice or delivery slip: entering it takes no lock but the
    // stock rows' (no numbering), so only those keep reserved quantities exact.
    let r = shop.send(
        "POST",
        "/api/order_states",
        "<prestashop><order_state><name><language id=\"1\">Handed over</language></name>\
         <color>#000000</color><logable>1</logable><shipped>1</shipped><paid>0</paid>\
         <invoice>0</invoice><delivery>0</delivery></order_state></prestashop>",
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let handed_over = crate::support::id_of(&r.body);
    // Three waves, each all at once: awaiting → paid or cancelled; paid → shipped and
    // cancelled → awaiting again; then everything not shipped cancelled.
    let wave = |targets: &dyn Fn(usize) -> Option<i64>| {
        std::thread::scope(|s| {
            for (i, id) in ids.iter().enumerate() {
                let Some(state) = targets(i) else { continue };
                let shop = &shop;
                s.spawn(move || {
                    let (status, body) = post_history(shop, *id, state, None);
                    assert_eq!(status, 201, "order {id} → {state}: {body}");
                });
            }
        });
    };
    wave(&|i| Some(if i % 2 == 0 { 2 } else { 6 }));
    wave(&|i| Some(if i % 2 == 0 { handed_over } else { 1 }));
    wave(&|i| (i % 4 == 1).then_some(6));

    // Expected from the orders' final states alone.
    let cancelled = ids.iter().enumerate().filter(|(i, _)| i % 4 == 1).count() as i64;
    assert_eq!(stock(&shop, 4, 18).0, q0 + 3 * cancelled, "{ids:?}");
    let reserved = count(
        &shop,
        "SELECT COALESCE(SUM(d.product_quantity - d.product_quantity_refunded), 0) \
         FROM {order_detail} d JOIN {orders} o ON o.id_order = d.id_order \
         JOIN {order_state} s ON s.id_order_state = o.current_state \
         WHERE d.product_id = 4 AND d.product_attribute_id = 18 AND o.id_shop = 1 \
         AND s.shipped = 0 AND (o.valid = 1 OR o.current_state NOT IN (6, 8))",
        &[],
    );
    let (q, physical, r) = stock(&shop, 4, 18);
    assert_eq!((physical, r), (q + reserved, reserved));
    let (sum, sum_reserved) = combination_sums(&shop, 4);
    assert_eq!(stock(&shop, 4, 0), (sum, sum + sum_reserved, sum_reserved));
    // One movement out per shipped order, none back.
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {stock_mvt} WHERE sign = -1 AND physical_quantity = 3",
            &[]
        ),
        (ids.len() / 2) as i64
    );
    let sold = shop.sql_strings(
        "SELECT quantity FROM {product_sale} WHERE id_product = 4",
        &[],
    );
    assert_eq!(sold, vec![(3 * ids.len() / 2).to_string()]);
}

#[test]
fn a_shop_group_sharing_stock_moves_the_group_rows() {
    let shop = TestShop::start();
    shop.sql_exec(
        "UPDATE {shop_group} SET share_stock = 1 WHERE id_shop_group = 1",
        &[],
    );
    shop.sql_exec(
        "UPDATE {stock_available} SET id_shop = 0, id_shop_group = 1",
        &[],
    );
    let group_row = |product: i64, attribute: i64| {
        shop.sql_i64(
            "SELECT quantity FROM {stock_available} WHERE id_product = ? \
             AND id_product_attribute = ? AND id_shop = 0 AND id_shop_group = 1",
            &[product.into(), attribute.into()],
        )
    };
    let (q4, q8, p4) = (group_row(4, 18), group_row(8, 0), group_row(4, 0));
    assert_eq!(post_history(&shop, 2, 6, None).0, 201);
    assert_eq!(group_row(4, 18), q4 + 2);
    assert_eq!(group_row(8, 0), q8 + 1);
    assert_eq!(group_row(4, 0), p4 + 2, "the product row follows");
    assert_eq!(
        count(
            &shop,
            "SELECT COUNT(*) FROM {stock_available} WHERE id_shop <> 0",
            &[]
        ),
        0,
        "no row made for the shop alone"
    );
}
