//! POST, PUT, PATCH, DELETE, validation and hostile bodies (protocol §6).

use crate::support::{id_of, int_str, TestShop};

#[test]
fn crud_on_several_resources() {
    let shop = TestShop::start();
    // A tax (i18n name), a zone (flat), a manufacturer (shop-linked).
    let tax = shop.send("POST", "/api/taxes", "<prestashop><tax><rate>5.5</rate><active>1</active><name><language id=\"1\">Reduced</language><language id=\"2\">Réduit</language></name></tax></prestashop>");
    assert_eq!(tax.status, 201, "{}", tax.body);
    let tid = id_of(&tax.body);
    let got = shop.get(&format!("/api/taxes/{tid}"));
    assert!(
        got.body.contains("<![CDATA[5.500]]>") || got.body.contains("5.5"),
        "{}",
        got.body
    );
    assert!(got.body.contains("Réduit"));
    let put = shop.send(
        "PUT",
        &format!("/api/taxes/{tid}"),
        &format!(
            "<prestashop><tax><id>{tid}</id><rate>7</rate><name>Seven</name></tax></prestashop>"
        ),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let after = shop.get(&format!("/api/taxes/{tid}?language=2"));
    assert!(
        after.body.contains("Seven"),
        "plain text applies to every language: {}",
        after.body
    );
    let patch = shop.send(
        "PATCH",
        &format!("/api/taxes/{tid}"),
        &format!("<prestashop><tax><id>{tid}</id><active>0</active></tax></prestashop>"),
    );
    assert_eq!(patch.status, 200, "{}", patch.body);
    assert!(
        shop.get(&format!("/api/taxes/{tid}"))
            .body
            .contains("Seven"),
        "PATCH keeps other fields"
    );

    let zone = shop.send(
        "POST",
        "/api/zones",
        "<prestashop><zone><name>Moon</name><active>1</active></zone></prestashop>",
    );
    assert_eq!(zone.status, 201, "{}", zone.body);
    let zid = id_of(&zone.body);
    let m = shop.send(
        "POST",
        "/api/manufacturers",
        "<prestashop><manufacturer><name>Acme</name><active>1</active></manufacturer></prestashop>",
    );
    assert_eq!(m.status, 201, "{}", m.body);
    let mid = id_of(&m.body);
    assert_eq!(
        shop.get("/api/manufacturers?filter[name]=Acme").ids(),
        vec![mid]
    );

    let del = shop.req(
        "DELETE",
        &format!("/api/zones/?id=[{zid}]"),
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!((del.status, del.body.as_str()), (200, ""));
    assert_eq!(shop.get(&format!("/api/zones/{zid}")).status, 404);
    let gone = shop.req(
        "DELETE",
        &format!("/api/taxes/{tid}"),
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!(gone.status, 200);
    let other_before = shop.get("/api/taxes/1").status;
    let again = shop.req(
        "DELETE",
        &format!("/api/taxes/?id=[{tid},1]"),
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!((again.status, again.codes()), (404, vec![87]));
    assert_eq!(
        shop.get("/api/taxes/1").status,
        other_before,
        "nothing deleted"
    );
}

#[test]
fn write_errors() {
    let shop = TestShop::start();
    let cases = [
        ("POST", "/api/zones", "<prestashop><zone><id>3</id><name>x</name></zone></prestashop>", 400, 91),
        ("POST", "/api/zones", "<prestashop><zone><active>1</active></zone></prestashop>", 400, 41),
        ("POST", "/api/zones", "<prestashop><zone><name>a&lt;b</name></zone></prestashop>", 400, 85),
        ("PUT", "/api/zones", "<prestashop><zone><name>x</name></zone></prestashop>", 400, 90),
        ("PUT", "/api/zones", "<prestashop><zone><id>1</id><name>x</name></zone><zone><id>1</id><name>y</name></zone></prestashop>", 400, 89),
        ("PUT", "/api/zones", "<prestashop><zone><id>987654</id><name>x</name></zone></prestashop>", 404, 92),
        ("PUT", "/api/categories", "<prestashop><category><id>2</id><level_depth>3</level_depth></category></prestashop>", 400, 93),
        ("POST", "/api/zones", "<prestashop><zone><name>x</name><associations><nope/></associations></zone></prestashop>", 400, 86),
        ("POST", "/api/zones", "<prestashop><zone><name>oops</zone>", 400, 127),
        ("POST", "/api/zones", "", 400, 127),
        ("POST", "/api/zones", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><prestashop><zone><name>&b;</name></zone></prestashop>", 400, 127),
        ("POST", "/api/zones", "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><prestashop><zone><name>&xxe;</name></zone></prestashop>", 400, 127),
    ];
    for (m, path, body, status, code) in cases {
        let r = shop.send(m, path, body);
        assert_eq!(
            (r.status, r.codes()),
            (status, vec![code]),
            "{m} {path} {body}: {}",
            r.body
        );
    }
    // A body over the limit is refused from its Content-Length, before it is sent.
    let addr = shop.url.trim_start_matches("http://").to_string();
    let mut tcp = std::net::TcpStream::connect(&addr).expect("connect");
    use std::io::{Read, Write};
    write!(
        tcp,
        "POST /api/zones HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {}\r\nContent-Length: {}\r\n\r\n",
        base64_key(&shop.key),
        9 * 1024 * 1024
    )
    .expect("send");
    let mut head = [0u8; 12];
    tcp.read_exact(&mut head).expect("answer");
    assert_eq!(&head, b"HTTP/1.1 413");
    let json = shop.send(
        "POST",
        "/api/zones",
        "{\"zone\":{\"name\":\"Json land\",\"active\":1}}",
    );
    assert_eq!(json.status, 201, "{}", json.body);
}

#[test]
fn customers_passwords_and_secure_key() {
    let shop = TestShop::start();
    let r = shop.send("POST", "/api/customers", "<prestashop><customer><firstname>Ann</firstname><lastname>Smith</lastname><email>ann@example.com</email><passwd>s3cret-pass</passwd></customer></prestashop>");
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(
        !r.body.contains("s3cret-pass"),
        "password never echoed in clear"
    );
    let id = id_of(&r.body);
    let dup = shop.send("POST", "/api/customers", "<prestashop><customer><firstname>Ann</firstname><lastname>Smith</lastname><email>ann@example.com</email><passwd>other-pass</passwd></customer></prestashop>");
    assert_eq!(dup.codes(), vec![140]);
    let before = shop.get(&format!("/api/customers/{id}"));
    let doc = before.xml();
    let text = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_string()
    };
    let (secure, hash) = (text("secure_key"), text("passwd"));
    assert_eq!(secure.len(), 32);
    assert!(hash.starts_with("$2"));
    let put = shop.send("PUT", &format!("/api/customers/{id}"), &format!("<prestashop><customer><id>{id}</id><firstname>Anna</firstname><lastname>Smith</lastname><email>ann@example.com</email><passwd>{hash}</passwd></customer></prestashop>"));
    assert_eq!(put.status, 200, "{}", put.body);
    let after = shop.get(&format!("/api/customers/{id}"));
    assert!(after.body.contains(&secure), "secure_key kept on PUT");
    assert!(after.body.contains(&hash), "hash kept when sent back");
    assert!(after.body.contains("Anna"));
}

fn base64_key(key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
}

#[test]
fn categories_and_products_get_their_derived_rows() {
    let shop = TestShop::start();
    let c = shop.send(
        "POST",
        "/api/categories",
        "<prestashop><category><id_parent>2</id_parent><active>1</active><name><language id=\"1\">Garden tools</language><language id=\"2\">Outils de jardin</language></name><link_rewrite><language id=\"1\"></language><language id=\"2\"></language></link_rewrite></category></prestashop>",
    );
    assert_eq!(c.status, 201, "{}", c.body);
    let cid = id_of(&c.body);
    let got = shop.get(&format!("/api/categories/{cid}"));
    assert!(
        got.body.contains("garden-tools") && got.body.contains("outils-de-jardin"),
        "slugs from the names: {}",
        got.body
    );
    let doc = got.xml();
    let text = |n: &str| {
        doc.descendants()
            .find(|x| x.has_tag_name(n))
            .and_then(|x| x.text())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(text("level_depth"), "2", "child of Home (depth 1)");
    let home = shop.get("/api/categories/2");
    assert!(
        home.body.contains(&format!("<![CDATA[{cid}]]>")),
        "listed among Home's children"
    );

    let p = shop.send(
        "POST",
        "/api/products",
        &format!("<prestashop><product><price>12.5</price><id_category_default>{cid}</id_category_default><name>Rake</name><active>1</active></product></prestashop>"),
    );
    assert_eq!(p.status, 201, "{}", p.body);
    let pid = id_of(&p.body);
    let stock = shop.get(&format!(
        "/api/stock_availables?filter[id_product]={pid}&display=full"
    ));
    assert_eq!(stock.ids().len(), 0, "display=full has no id attributes");
    assert!(
        stock.body.contains("<stock_available>"),
        "a stock row exists: {}",
        stock.body
    );
    let prod = shop.get(&format!("/api/products/{pid}"));
    assert!(
        prod.body.contains("<![CDATA[rake]]>"),
        "link_rewrite generated: {}",
        prod.body
    );
    assert!(prod.body.contains("<![CDATA[12.500000]]>"));
    assert!(
        prod.body.contains(&format!("categories/{cid}")),
        "linked to its default category"
    );
}

#[test]
fn stock_rows_follow_combinations() {
    let shop = TestShop::start();
    // (id_product_attribute, quantity) of a product's stock rows.
    let rows = |product: i64| -> Vec<(i64, i64)> {
        let r = shop.get(&format!(
            "/api/stock_availables?display=[id_product_attribute,quantity]&filter[id_product]={product}&sort=[id_product_attribute_ASC]&output_format=JSON"
        ));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["stock_availables"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| {
                        (
                            int_str(&s["id_product_attribute"]).unwrap_or(-1),
                            int_str(&s["quantity"]).unwrap_or(-1),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // Demo product 1: its row (2400) is the sum of eight combination rows of 300.
    let before = rows(1);
    assert_eq!(before.first(), Some(&(0, 2400)));
    let stock_id = |product: i64, attribute: i64| {
        let r = shop.get(&format!(
            "/api/stock_availables?filter[id_product]={product}&filter[id_product_attribute]={attribute}"
        ));
        r.ids().first().copied().unwrap_or(0)
    };
    let row1 = stock_id(1, 1);
    let r = shop.send(
        "PATCH",
        &format!("/api/stock_availables/{row1}"),
        &format!("<prestashop><stock_available><id>{row1}</id><quantity>100</quantity></stock_available></prestashop>"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(rows(1).first(), Some(&(0, 2200)), "2400 − 300 + 100");

    // A new combination gets its own row at 0; setting it moves the product's row.
    let made = shop.send(
        "POST",
        "/api/combinations",
        "<prestashop><combination><id_product>1</id_product><minimal_quantity>1</minimal_quantity></combination></prestashop>",
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let combination = id_of(&made.body);
    assert!(rows(1).contains(&(combination, 0)), "{:?}", rows(1));
    let row = stock_id(1, combination);
    shop.send(
        "PATCH",
        &format!("/api/stock_availables/{row}"),
        &format!("<prestashop><stock_available><id>{row}</id><quantity>50</quantity></stock_available></prestashop>"),
    );
    assert_eq!(rows(1).first(), Some(&(0, 2250)));
    // Deleting it takes its row away and gives its stock back to nobody.
    let r = shop.send("DELETE", &format!("/api/combinations/{combination}"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    let after = rows(1);
    assert!(!after.iter().any(|(a, _)| *a == combination), "{after:?}");
    assert_eq!(after.first(), Some(&(0, 2200)));
}

#[test]
fn category_tree_stays_a_tree() {
    let shop = TestShop::start();
    let patch_parent = |id: i64, parent: i64| {
        shop.send(
            "PATCH",
            &format!("/api/categories/{id}"),
            &format!("<prestashop><category><id>{id}</id><id_parent>{parent}</id_parent></category></prestashop>"),
        )
    };
    // Demo tree: 1 Root > 2 Home > 3 Clothes > {4 Men, 5 Women}; 6 Accessories > {7, 8}.
    for (id, parent, words) in [
        (4, 4, "its own parent"),
        (3, 4, "its own descendants"),
        (3, 999, "does not exist"),
    ] {
        let r = patch_parent(id, parent);
        assert_eq!((r.status, r.codes()), (400, vec![85]), "{}", r.body);
        assert!(r.body.contains(words), "{}", r.body);
    }
    // The root and the shop's home category are never deleted.
    for id in [1, 2] {
        let r = shop.send("DELETE", &format!("/api/categories/{id}"), "");
        assert_eq!((r.status, r.codes()), (500, vec![88]), "{}", r.body);
    }
    assert_eq!(shop.get("/api/categories/2").status, 200);

    // Deleting Clothes takes Men and Women with it; Women moved away first stays.
    assert_eq!(patch_parent(5, 6).status, 200);
    let before = shop.get("/api/products/1?display=[id_category_default]&output_format=JSON");
    assert_eq!(
        before.json()["products"][0]["id_category_default"],
        "4",
        "{}",
        before.body
    );
    let r = shop.send("DELETE", "/api/categories/3", "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        shop.get("/api/categories/4").status,
        404,
        "descendant deleted"
    );
    let women = shop.get("/api/categories/5?display=[id_parent,level_depth]&output_format=JSON");
    assert_eq!(women.status, 200, "moved away before the delete");
    assert_eq!(
        women.json()["categories"][0]["level_depth"],
        "3",
        "{}",
        women.body
    );
    // Product 1's default category (Men) is gone: it moves to Clothes' parent, Home.
    let after = shop.get("/api/products/1?output_format=JSON");
    let p = &after.json()["product"];
    assert_eq!(p["id_category_default"], "2", "{}", after.body);
    let cats: Vec<i64> = p["associations"]["categories"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(cats, vec![2]);
}

#[test]
fn product_categories_keep_positions_and_refuse_unknown_ids() {
    let shop = TestShop::start();
    let set = |ids: &[i64]| {
        let items: String = ids
            .iter()
            .map(|i| format!("<category><id>{i}</id></category>"))
            .collect();
        shop.send(
            "PATCH",
            "/api/products/1",
            &format!("<prestashop><product><id>1</id><associations><categories>{items}</categories></associations></product></prestashop>"),
        )
    };
    let cats = || -> Vec<i64> {
        let r = shop.get("/api/products/1?output_format=JSON");
        r.json()["product"]["associations"]["categories"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    // Demo product 1 (default category 4) is in 2, 3 and 4.
    assert_eq!(cats(), vec![2, 3, 4]);
    let r = set(&[999, 5]);
    assert_eq!((r.status, r.codes()), (400, vec![85]), "{}", r.body);
    assert!(r.body.contains("The category 999 does not exist."));
    assert_eq!(cats(), vec![2, 3, 4], "nothing changed");
    // Replaced: 2 leaves, 5 joins last in its category, the default category 4 stays.
    assert_eq!(set(&[5, 3]).status, 200);
    assert_eq!(cats(), vec![3, 4, 5]);
    let in5 = shop.get("/api/categories/5?output_format=JSON");
    let products: Vec<i64> = in5.json()["category"]["associations"]["products"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(
        products.last(),
        Some(&1),
        "appended after the category's products"
    );
}

#[test]
fn new_categories_go_last_and_positions_stay_contiguous() {
    let shop = TestShop::start();
    let positions = |parent: i64| -> Vec<(i64, i64)> {
        let r = shop.get(&format!(
            "/api/categories?display=[id,position]&filter[id_parent]={parent}&sort=[position_ASC]&output_format=JSON"
        ));
        r.json()["categories"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        (
                            c["id"].as_i64().unwrap_or(0),
                            int_str(&c["position"]).unwrap_or(-1),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // Demo: Clothes (3) has Men (4, position 0) and Women (5, position 1).
    assert_eq!(positions(3), vec![(4, 0), (5, 1)]);
    let r = shop.send(
        "POST",
        "/api/categories",
        "<prestashop><category><id_parent>3</id_parent><active>1</active><name><language id=\"1\">Kids</language></name><link_rewrite><language id=\"1\">kids</language></link_rewrite></category></prestashop>",
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let kids = id_of(&r.body);
    assert_eq!(positions(3), vec![(4, 0), (5, 1), (kids, 2)]);
    // Products of a category and its descendants; PrestaShop says -1 for none.
    let counts = shop.get("/api/categories?display=[id,nb_products_recursive]&filter[id]=[3|4|{kids}]&output_format=JSON".replace("{kids}", &kids.to_string()).as_str());
    let counts: Vec<(i64, i64)> = counts.json()["categories"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["id"].as_i64().unwrap_or(0),
                        int_str(&c["nb_products_recursive"]).unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(counts, vec![(3, 2), (4, 1), (kids, -1)]);
    assert_eq!(shop.send("DELETE", "/api/categories/4", "").status, 200);
    assert_eq!(positions(3), vec![(5, 0), (kids, 1)]);
}

#[test]
fn product_setters_cover_default_combination_and_position() {
    let shop = TestShop::start();
    let patch = |field: &str, value: &str| {
        shop.send(
            "PATCH",
            "/api/products/1",
            &format!(
                "<prestashop><product><id>1</id><{field}>{value}</{field}></product></prestashop>"
            ),
        )
    };
    let field = |name: &str| -> i64 {
        let r = shop.get("/api/products/1?output_format=JSON");
        int_str(&r.json()["product"][name]).unwrap_or(-1)
    };
    // Demo product 1: images 1 (cover) and 2, combinations 1..8 (default 1), category 4.
    assert_eq!(field("id_default_image"), 1);
    assert_eq!(patch("id_default_image", "2").status, 200);
    assert_eq!(field("id_default_image"), 2);
    assert_eq!(
        patch("id_default_image", "10").status,
        200,
        "product 9's image: ignored"
    );
    assert_eq!(field("id_default_image"), 2);
    assert_eq!(field("id_default_combination"), 1);
    assert_eq!(patch("id_default_combination", "3").status, 200);
    assert_eq!(field("id_default_combination"), 3);
    assert_eq!(field("cache_default_attribute"), 3);
    // Another product's combination is ignored, as PrestaShop's setter ignores failures.
    assert_eq!(patch("id_default_combination", "9999").status, 200);
    assert_eq!(field("id_default_combination"), 3);

    let r = patch("position_in_category", "0");
    assert_eq!((r.status, r.codes()), (500, vec![134]), "{}", r.body);
    let r = patch("position_in_category", "99");
    assert_eq!((r.status, r.codes()), (500, vec![135]), "{}", r.body);
    let in4 = || -> Vec<i64> {
        let r = shop.get("/api/categories/4?output_format=JSON");
        r.json()["category"]["associations"]["products"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    // Product 2 joins category 4 (after product 1) so that there is something to reorder.
    let r = shop.send(
        "PATCH",
        "/api/products/2",
        "<prestashop><product><id>2</id><associations><categories><category><id>4</id></category></categories></associations></product></prestashop>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let before = in4();
    assert_eq!(before, vec![1, 2]);
    let last = before.len().to_string();
    assert_eq!(patch("position_in_category", &last).status, 200);
    assert_eq!(in4(), vec![2, 1]);
    assert_eq!(field("position_in_category"), 2);
}

#[test]
fn order_shipping_number_goes_to_its_carrier_row() {
    let shop = TestShop::start();
    let r = shop.send(
        "PATCH",
        "/api/orders/1",
        "<prestashop><order><id>1</id><shipping_number>TRACK-42</shipping_number></order></prestashop>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let order = shop.get("/api/orders/1?output_format=JSON");
    assert_eq!(
        order.json()["order"]["shipping_number"],
        "TRACK-42",
        "{}",
        order.body
    );
    let carriers = shop
        .get("/api/order_carriers?display=[tracking_number]&filter[id_order]=1&output_format=JSON");
    assert_eq!(
        carriers.json()["order_carriers"][0]["tracking_number"],
        "TRACK-42",
        "{}",
        carriers.body
    );
}

#[test]
fn product_type_setter() {
    let shop = TestShop::start();
    let set = |value: &str| {
        shop.send(
            "PATCH",
            "/api/products/6",
            &format!("<prestashop><product><id>6</id><type>{value}</type></product></prestashop>"),
        )
    };
    let kind = || {
        shop.get("/api/products/6?output_format=JSON").json()["product"]["type"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(kind(), "simple");
    assert_eq!(set("virtual").status, 200);
    assert_eq!(kind(), "virtual");
    assert_eq!(
        set("nonsense").status,
        200,
        "ignored, as PrestaShop's setter"
    );
    assert_eq!(kind(), "virtual");
    assert_eq!(set("simple").status, 200);
    assert_eq!(kind(), "simple");
}

#[test]
fn carrier_tax_rules_group_setter() {
    let shop = TestShop::start();
    // XML: PrestaShop's single-entity JSON leaves out falsy values such as 0.
    let group = || {
        let r = shop.get("/api/carriers/2?display=[id_tax_rules_group]");
        r.xml()
            .descendants()
            .find(|n| n.has_tag_name("id_tax_rules_group"))
            .and_then(|n| n.text())
            .and_then(|t| t.trim().parse::<i64>().ok())
            .unwrap_or(-1)
    };
    assert_eq!(group(), 1);
    let r = shop.send(
        "PATCH",
        "/api/carriers/2",
        "<prestashop><carrier><id>2</id><id_tax_rules_group>0</id_tax_rules_group></carrier></prestashop>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(group(), 0);
}
