//! Finished single-entity answers reused (`--reply-cache`): the same bytes and headers as a
//! fresh answer, never an answer older than a write of this server, never another key's, and
//! a change another process writes into the database shows within a millisecond.

use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};

use crate::support::TestShop;

fn rate(shop: &TestShop) -> String {
    let r = shop.get("/api/taxes/1");
    assert_eq!(r.status, 200, "{}", r.body);
    r.xml()
        .descendants()
        .find(|n| n.has_tag_name("rate"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string()
}

/// The value of one sample of the metrics exposition, 0 when absent.
fn reused(shop: &TestShop, kind: &str, result: &str) -> f64 {
    let url = shop.metrics_url.clone().expect("metrics address printed");
    let text = reqwest::blocking::get(url)
        .and_then(|r| r.text())
        .unwrap_or_default();
    let series = format!("shopws_reused_total{{kind=\"{kind}\",result=\"{result}\"}}");
    text.lines()
        .find_map(|l| l.strip_prefix(&series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

#[test]
fn a_reused_answer_is_the_fresh_answer() {
    let shop = TestShop::start_with(&["--metrics-listen", "127.0.0.1:0"]);
    let uncached = TestShop::start_with(&["--reply-cache", "0"]);
    for path in [
        "/api/products/1",
        "/api/products/1?output_format=JSON",
        "/api/taxes/1?display=[id,rate]",
        "/api/",
        "/api/search?query=shirt&language=1",
        "/api/search?query=hummingbird&language=1&output_format=JSON",
    ] {
        let first = shop.get(path);
        let hits_before = reused(&shop, "answer", "hit");
        let again = shop.get(path);
        let fresh = uncached.get(path);
        assert_eq!(first.status, 200, "{path}: {}", first.body);
        for r in [&again, &fresh] {
            assert_eq!(r.status, 200, "{path}");
            let b = r.body.replace(&uncached.url, &shop.url);
            assert_eq!(b, first.body, "{path}: the same document");
            assert_eq!(r.header("content-type"), first.header("content-type"));
            assert_eq!(r.header("psws-version"), first.header("psws-version"));
        }
        let sha = hex::encode(Sha1::digest(first.body.as_bytes()));
        assert_eq!(again.header("content-sha1"), Some(sha.as_str()), "{path}");
        assert_eq!(first.header("content-sha1"), Some(sha.as_str()), "{path}");
        // The second request was answered from memory; on MySQL (written by others) never.
        let hits = reused(&shop, "answer", "hit");
        if shop.mysql() {
            assert_eq!(hits, 0.0, "{path}: an answer reused on MySQL");
        } else {
            assert_eq!(
                hits,
                hits_before + 1.0,
                "{path}: the second answer not reused"
            );
        }
        // A client holding the current copy gets 304 from the kept answer too.
        let key = shop.key.clone();
        let r = shop.req(
            "GET",
            path,
            Some(&key),
            None,
            &[("Local-Content-Sha1", &sha)],
        );
        assert_eq!(r.status, 304, "{path}");
        assert!(r.body.is_empty());
    }
    // The XML and JSON answers are kept apart.
    let xml = shop.get("/api/taxes/1");
    let json = shop.get("/api/taxes/1?output_format=JSON");
    assert!(xml.body.starts_with("<?xml"), "{}", xml.body);
    assert!(json.body.starts_with('{'), "{}", json.body);
    let json_header = shop.req(
        "GET",
        "/api/taxes/1",
        Some(&shop.key.clone()),
        None,
        &[("Output-Format", "JSON")],
    );
    assert!(json_header.body.starts_with('{'), "{}", json_header.body);
}

#[test]
fn a_write_is_read_back_at_once() {
    let shop = TestShop::start();
    assert_eq!(rate(&shop), "20.000");
    let patch = shop.send(
        "PATCH",
        "/api/taxes/1",
        "<prestashop><tax><id>1</id><rate>21</rate></tax></prestashop>",
    );
    assert_eq!(patch.status, 200, "{}", patch.body);
    assert_eq!(rate(&shop), "21.000", "read right after the write");

    // A write to another resource changes what a product shows: its brand's name.
    let brand = |shop: &TestShop| {
        let r = shop.get("/api/products/1");
        r.xml()
            .descendants()
            .find(|n| n.has_tag_name("manufacturer_name"))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    let before = brand(&shop);
    assert!(!before.is_empty());
    let put = shop.send(
        "PATCH",
        "/api/manufacturers/1",
        "<prestashop><manufacturer><id>1</id><name>Renamed Brand</name></manufacturer></prestashop>",
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(brand(&shop), "Renamed Brand", "was {before}");

    // A search asked again sees a product renamed meanwhile.
    let search = "/api/search?query=zanzibar&language=1";
    assert!(!shop.get(search).body.contains("<product "));
    assert!(!shop.get(search).body.contains("<product "));
    let renamed = shop.send(
        "PATCH",
        "/api/products/2",
        "<prestashop><product><id>2</id><name><language id=\"1\">Zanzibar mug</language></name></product></prestashop>",
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let found = shop.get(search);
    assert!(found.body.contains("<product id=\"2\""), "{}", found.body);

    // A deleted entity is not served from memory.
    let tax = shop.send(
        "POST",
        "/api/taxes",
        "<prestashop><tax><rate>3</rate><active>1</active><name><language id=\"1\">Three</language></name></tax></prestashop>",
    );
    assert_eq!(tax.status, 201, "{}", tax.body);
    let tid = crate::support::id_of(&tax.body);
    assert_eq!(shop.get(&format!("/api/taxes/{tid}")).status, 200);
    assert_eq!(
        shop.send("DELETE", &format!("/api/taxes/{tid}"), "").status,
        200
    );
    assert_eq!(shop.get(&format!("/api/taxes/{tid}")).status, 404);
    // A GET naming another method (`ps_method`) is that method, never a kept answer.
    let tax = shop.send(
        "POST",
        "/api/taxes",
        "<prestashop><tax><rate>4</rate><active>1</active><name><language id=\"1\">Four</language></name></tax></prestashop>",
    );
    let tid = crate::support::id_of(&tax.body);
    let delete = format!("/api/taxes/{tid}?ps_method=DELETE");
    for _ in 0..2 {
        assert_eq!(shop.get(&format!("/api/taxes/{tid}")).status, 200);
    }
    assert_eq!(shop.get(&delete).status, 200);
    assert_eq!(shop.get(&format!("/api/taxes/{tid}")).status, 404);
    assert_eq!(shop.get(&delete).status, 404, "deleted already");
}

#[test]
fn a_change_written_by_another_process_shows_within_a_millisecond() {
    let shop = TestShop::start();
    assert_eq!(rate(&shop), "20.000");
    assert_eq!(rate(&shop), "20.000");
    // Another program writing the database file (the CLI, a script): on SQLite the
    // write-ahead log tells, looked at every 0.25 ms; on MySQL nothing is kept.
    shop.sql_exec("UPDATE {tax} SET rate = 19.5 WHERE id_tax = 1", &[]);
    std::thread::sleep(Duration::from_millis(1));
    assert_eq!(rate(&shop), "19.500");
    shop.sql_exec("UPDATE {tax} SET rate = 18 WHERE id_tax = 1", &[]);
    std::thread::sleep(Duration::from_millis(1));
    assert_eq!(rate(&shop), "18.000");
}

#[test]
fn keys_never_share_answers() {
    let shop = TestShop::start();
    let taxes_only = shop.key(&["--allow", "taxes=GET"]);
    assert_eq!(shop.get("/api/products/1").status, 200);
    assert_eq!(shop.get("/api/products/1").status, 200);
    let r = shop.req("GET", "/api/products/1", Some(&taxes_only), None, &[]);
    assert_eq!(r.status, 401, "{}", r.body);
    // The resource list is the key's own.
    let all = shop.get("/api/");
    let mine = shop.req("GET", "/api/", Some(&taxes_only), None, &[]);
    assert_eq!(mine.status, 200);
    assert!(all.body.contains("<products"), "{}", all.body);
    assert!(!mine.body.contains("<products"), "{}", mine.body);
    // A key disabled by another process (the CLI) is refused within a second, kept answer
    // or not.
    assert_eq!(
        shop.req("GET", "/api/taxes/1", Some(&taxes_only), None, &[])
            .status,
        200
    );
    shop.cli(&["key", "disable", &taxes_only]);
    let t = Instant::now();
    loop {
        let r = shop.req("GET", "/api/taxes/1", Some(&taxes_only), None, &[]);
        if r.status == 401 {
            break;
        }
        assert!(t.elapsed() < Duration::from_millis(1500), "still served");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_page_written_from_kept_items_is_the_fresh_page() {
    let shop = TestShop::start_with(&["--metrics-listen", "127.0.0.1:0"]);
    let uncached = TestShop::start_with(&["--reply-cache", "0"]);
    for path in [
        "/api/products?display=full&limit=0,20",
        "/api/products?display=full&limit=5,10&sort=[id_DESC]&output_format=JSON",
        "/api/products?display=[id,name,price]&filter[active]=1&limit=0,50",
        "/api/categories?display=full&limit=0,100&language=1",
        "/api/customers?display=full&limit=0,3&output_format=JSON",
        "/api/products?display=full&limit=0,5&filter[id]=[999999]",
        "/api/products?display=full&limit=0,5&filter[id]=[999999]&output_format=JSON",
    ] {
        let fresh = uncached.get(path);
        assert_eq!(fresh.status, 200, "{path}: {}", fresh.body);
        let want = fresh.body.replace(&uncached.url, &shop.url);
        for round in 0..3 {
            let r = shop.get(path);
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.body, want, "{path}, request {round}");
            assert_eq!(r.header("x-total-count"), fresh.header("x-total-count"));
        }
    }
    // Pages after the first were written from kept items; the first rendered them. On
    // MySQL nothing is kept.
    if shop.mysql() {
        assert_eq!(reused(&shop, "list_item", "hit"), 0.0);
    } else {
        assert!(reused(&shop, "list_item", "miss") >= 20.0);
        assert!(reused(&shop, "list_item", "hit") >= 40.0);
    }
    // Written, then listed again: the new name, in both formats.
    let path = "/api/products?display=[id,name]&limit=0,3";
    assert!(shop.get(path).body.contains("Hummingbird printed t-shirt"));
    let patch = shop.send(
        "PATCH",
        "/api/products/1",
        "<prestashop><product><id>1</id><name><language id=\"1\">Renamed shirt</language></name></product></prestashop>",
    );
    assert_eq!(patch.status, 200, "{}", patch.body);
    let after = shop.get(path);
    assert!(after.body.contains("Renamed shirt"), "{}", after.body);
    assert!(!after.body.contains("Hummingbird printed t-shirt"));
    // Another program's write shows too.
    shop.sql_exec(
        "UPDATE {product_lang} SET name = 'Written elsewhere' WHERE id_product = 1 AND id_lang = 1",
        &[],
    );
    std::thread::sleep(Duration::from_millis(1));
    assert!(shop.get(path).body.contains("Written elsewhere"));
}
