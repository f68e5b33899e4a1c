//! Writes under load: positions in large categories, and cheap writes beside slow ones.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{id_of, TestShop};

#[test]
fn a_new_product_goes_after_the_last_position_of_a_large_category() {
    let shop = TestShop::start();
    // Generated product i has default category 3 + i % 8 at position i: category 3 gets
    // positions 0, 8, …, 2992 — far above its number of products, so "last + 1" and
    // "count + 1" differ.
    shop.cli(&["demo", "--products", "3000", "--combinations-every", "0"]);
    let positions = || -> Vec<(i64, i64)> {
        let r = shop.get("/api/products?filter[id_category_default]=[3]&display=[id,position_in_category]&limit=0,100000&output_format=JSON");
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["products"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        let pos = p["position_in_category"]
                            .as_i64()
                            .or_else(|| p["position_in_category"].as_str()?.parse().ok())?;
                        Some((p["id"].as_i64()?, pos))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = positions();
    let last = before.iter().map(|p| p.1).max().unwrap_or(0);
    assert!(last >= 2992, "generated positions: last {last}");
    assert!(
        (before.len() as i64) < last,
        "positions have gaps: {} products, last {last}",
        before.len()
    );

    let post = |body: &str| {
        let r = shop.send("POST", "/api/products", body);
        assert_eq!(r.status, 201, "{}", r.body);
        id_of(&r.body)
    };
    let first = post("<prestashop><product><price>3</price><id_category_default>3</id_category_default><name>After the last</name></product></prestashop>");
    let second = post("<prestashop><product><price>3</price><id_category_default>3</id_category_default><name>After that one</name></product></prestashop>");
    // Linked through associations/categories (default category 4): last in 3 as well.
    let third = post("<prestashop><product><price>3</price><id_category_default>4</id_category_default><name>Linked</name><associations><categories><category><id>3</id></category><category><id>4</id></category></categories></associations></product></prestashop>");
    let after = positions();
    let position_of = |id: i64| after.iter().find(|p| p.0 == id).map(|p| p.1);
    assert_eq!(position_of(first), Some(last + 1));
    assert_eq!(position_of(second), Some(last + 2));
    let in3 = shop.get("/api/categories/3?output_format=JSON");
    let products: Vec<i64> = in3.json()["category"]["associations"]["products"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(
        products[products.len().saturating_sub(3)..],
        [first, second, third],
        "the category's products end with the new ones, in order"
    );
}

#[test]
fn a_cheap_write_is_not_queued_behind_customer_creations() {
    let shop = TestShop::start();
    let done = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let creations: Vec<_> = (0..16)
            .map(|i| {
                let (shop, done) = (&shop, &done);
                s.spawn(move || {
                    let r = shop.send(
                        "POST",
                        "/api/customers",
                        &format!("<prestashop><customer><firstname>Ada</firstname><lastname>Busy</lastname><email>busy{i}@example.com</email><passwd>correct-horse-{i}</passwd></customer></prestashop>"),
                    );
                    done.fetch_add(1, Ordering::SeqCst);
                    r
                })
            })
            .collect();
        // Every creation is hashing its password (at most one bcrypt per core) or waiting
        // for its turn to.
        std::thread::sleep(Duration::from_millis(50));
        let tag = shop.send(
            "POST",
            "/api/tags",
            "<prestashop><tag><id_lang>1</id_lang><name>quick</name></tag></prestashop>",
        );
        let finished = done.load(Ordering::SeqCst);
        assert_eq!(tag.status, 201, "{}", tag.body);
        assert!(
            finished < 8,
            "the tag waited for {finished} of 16 customer creations"
        );
        for c in creations {
            let r = c.join().expect("customer thread");
            assert_eq!(r.status, 201, "{}", r.body);
        }
    });
}

/// `position` of each child of `parent`, by id.
fn child_positions(shop: &TestShop, parent: i64) -> Vec<(i64, i64)> {
    let r = shop.get(&format!(
        "/api/categories?display=[id,position]&filter[id_parent]={parent}&output_format=JSON"
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    let int = |v: &serde_json::Value| v.as_i64().or_else(|| v.as_str()?.parse().ok());
    let mut out: Vec<(i64, i64)> = r.json()["categories"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| Some((int(&c["id"])?, int(&c["position"])?)))
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|c| c.1);
    out
}

#[test]
fn categories_created_at_once_through_two_servers_get_one_position_each() {
    let first = TestShop::start();
    let second = TestShop::start_on(&first.db, &first.key, &[]);
    let create = |shop: &TestShop, parent: i64, name: &str| {
        let r = shop.send(
            "POST",
            "/api/categories",
            &format!("<prestashop><category><id_parent>{parent}</id_parent><active>1</active><name><language id=\"1\">{name}</language></name><link_rewrite><language id=\"1\">{name}</language></link_rewrite></category></prestashop>"),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        id_of(&r.body)
    };
    // Demo: Clothes (3) has Men (position 0) and Women (position 1).
    assert_eq!(child_positions(&first, 3).len(), 2);
    let mut made: Vec<i64> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let shop = if i % 2 == 0 { &first } else { &second };
                s.spawn(move || create(shop, 3, &format!("at-once-{i}")))
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("creation"))
            .collect()
    });
    let children = child_positions(&second, 3);
    let positions: Vec<i64> = children.iter().map(|c| c.1).collect();
    assert_eq!(positions, (0..10).collect::<Vec<_>>(), "{children:?}");
    let mut last_eight: Vec<i64> = children[2..].iter().map(|c| c.0).collect();
    last_eight.sort_unstable();
    made.sort_unstable();
    assert_eq!(last_eight, made, "the new ones after the old ones");
    // The first child of a category is at 0.
    let only = create(&first, made[0], "only-child");
    assert_eq!(child_positions(&second, made[0]), vec![(only, 0)]);
}

#[test]
fn stock_of_combinations_written_at_once_through_two_servers_adds_up() {
    let first = TestShop::start();
    let second = TestShop::start_on(&first.db, &first.key, &[]);
    let int = |v: &serde_json::Value| v.as_i64().or_else(|| v.as_str()?.parse().ok());
    // Demo product 1: eight combinations; (stock row id, id_product_attribute) of each row.
    let r = first.get("/api/stock_availables?display=[id,id_product_attribute,quantity]&filter[id_product]=1&output_format=JSON");
    assert_eq!(r.status, 200, "{}", r.body);
    let rows: Vec<(i64, i64)> = r.json()["stock_availables"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| Some((int(&s["id"])?, int(&s["id_product_attribute"])?)))
                .collect()
        })
        .unwrap_or_default();
    let combinations: Vec<i64> = rows.iter().filter(|r| r.1 != 0).map(|r| r.0).collect();
    assert!(combinations.len() >= 4, "{rows:?}");
    std::thread::scope(|s| {
        for (i, row) in combinations.iter().enumerate() {
            let shop = if i % 2 == 0 { &first } else { &second };
            s.spawn(move || {
                for round in 0..3 {
                    let q = (i as i64 + 1) * 10 + round;
                    let r = shop.send(
                        "PATCH",
                        &format!("/api/stock_availables/{row}"),
                        &format!("<prestashop><stock_available><id>{row}</id><quantity>{q}</quantity></stock_available></prestashop>"),
                    );
                    assert_eq!(r.status, 200, "{}", r.body);
                }
            });
        }
    });
    let want: i64 = (0..combinations.len() as i64)
        .map(|i| (i + 1) * 10 + 2)
        .sum();
    let product = second.get("/api/stock_availables?display=[quantity]&filter[id_product]=1&filter[id_product_attribute]=0&output_format=JSON");
    let got = int(&product.json()["stock_availables"][0]["quantity"]);
    assert_eq!(got, Some(want), "{}", product.body);
}

#[test]
fn products_created_at_once_through_two_servers_get_one_position_each() {
    let first = TestShop::start();
    let second = TestShop::start_on(&first.db, &first.key, &[]);
    let in_category = |shop: &TestShop| -> Vec<(i64, i64)> {
        let r = shop.get("/api/products?filter[id_category_default]=[6]&display=[id,position_in_category]&output_format=JSON");
        assert_eq!(r.status, 200, "{}", r.body);
        let int = |v: &serde_json::Value| v.as_i64().or_else(|| v.as_str()?.parse().ok());
        let mut out: Vec<(i64, i64)> = r.json()["products"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((int(&p["id"])?, int(&p["position_in_category"])?)))
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by_key(|p| p.1);
        out
    };
    let before = in_category(&first);
    let mut made: Vec<i64> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let shop = if i % 2 == 0 { &first } else { &second };
                s.spawn(move || {
                    let r = shop.send("POST", "/api/products", &format!("<prestashop><product><price>3</price><id_category_default>6</id_category_default><name>At once {i}</name></product></prestashop>"));
                    assert_eq!(r.status, 201, "{}", r.body);
                    id_of(&r.body)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("creation"))
            .collect()
    });
    let after = in_category(&second);
    let positions: Vec<i64> = after.iter().map(|p| p.1).collect();
    let mut distinct = positions.clone();
    distinct.dedup();
    assert_eq!(distinct, positions, "one position each: {after:?}");
    let last_before = before.iter().map(|p| p.1).max().unwrap_or(0);
    let mut new_ones: Vec<i64> = after
        .iter()
        .filter(|p| p.1 > last_before)
        .map(|p| p.0)
        .collect();
    new_ones.sort_unstable();
    made.sort_unstable();
    assert_eq!(
        new_ones, made,
        "after the products already there: {after:?}"
    );
}
