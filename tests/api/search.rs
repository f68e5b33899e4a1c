//! `/api/search` (protocol §8.3, business rules §5): PrestaShop's relevance over its own
//! index tables, kept up to date by product and combination writes.

use crate::support::{id_of, TestShop};

/// (product ids, category ids) of a search in XML.
fn found(shop: &TestShop, query: &str, lang: i64) -> (Vec<i64>, Vec<i64>) {
    let r = shop.get(&format!("/api/search?query={query}&language={lang}"));
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let doc = r.xml();
    let ids = |tag: &str| -> Vec<i64> {
        doc.descendants()
            .filter(|n| n.has_tag_name(tag))
            .filter_map(|n| n.attribute("id").and_then(|v| v.parse().ok()))
            .collect()
    };
    (ids("product"), ids("category"))
}

fn products(shop: &TestShop, query: &str) -> Vec<i64> {
    found(shop, query, 1).0
}

#[test]
fn the_demo_shirts_and_their_categories_in_xml_and_json() {
    let shop = TestShop::start();
    assert_eq!(found(&shop, "shirt", 1), (vec![1], vec![2, 3, 4]));
    // business.md §5.2: hummingbird is in five products (in the name of 1 and 2: first);
    // their categories follow, each first seen first.
    assert_eq!(
        found(&shop, "hummingbird", 1),
        (vec![1, 2, 11, 14, 18], vec![2, 3, 4, 5, 6, 8, 9, 7])
    );

    let xml = shop.get("/api/search?query=shirt&language=1");
    assert!(
        xml.body.contains("<product id=\"1\" xlink:href=\"")
            && xml.body.contains("/api/products/1\"/>"),
        "{}",
        xml.body
    );
    let json = shop.req(
        "GET",
        "/api/search?query=shirt&language=1",
        Some(&shop.key.clone()),
        None,
        &[("Output-Format", "JSON")],
    );
    assert_eq!(
        json.json(),
        serde_json::json!({"products":[{"id":1}],"categories":[{"id":2},{"id":3},{"id":4}]}),
        "{}",
        json.body
    );
    // Whole entities with display=full, in both formats.
    let full = shop.get("/api/search?query=shirt&language=1&display=full");
    assert!(full.body.contains("<name>") && full.body.contains("Hummingbird printed t-shirt"));
    assert!(full.body.contains("<category>") && full.body.contains("<id_parent"));
    let full = shop.req(
        "GET",
        "/api/search?query=shirt&language=1&display=full&output_format=JSON",
        Some(&shop.key.clone()),
        None,
        &[],
    );
    let v = full.json();
    assert_eq!(v["products"][0]["id"], 1, "{}", full.body);
    assert!(v["products"][0]["name"].is_string() || v["products"][0]["name"].is_array());
    assert_eq!(v["categories"].as_array().map(Vec::len), Some(3));

    // Nothing found.
    let none = shop.get("/api/search?query=zzzzqqq&language=1");
    assert_eq!(none.status, 200);
    assert!(
        none.body
            .contains("<products>\n</products>\n<categories>\n</categories>"),
        "{}",
        none.body
    );
    let none = shop.req(
        "GET",
        "/api/search?query=zzzzqqq&language=1",
        Some(&shop.key.clone()),
        None,
        &[("Output-Format", "JSON")],
    );
    assert_eq!(none.body, "[]");
    // Words shorter than three letters are not searched.
    assert_eq!(products(&shop, "t"), Vec::<i64>::new());
}

#[test]
fn both_parameters_are_required_and_only_get_is_served() {
    let shop = TestShop::start();
    for path in [
        "/api/search",
        "/api/search?query=shirt",
        "/api/search?language=1",
    ] {
        let r = shop.get(path);
        assert_eq!(
            (r.status, r.codes()),
            (400, vec![100]),
            "{path}: {}",
            r.body
        );
        assert!(r.body.contains(
            "You have to set both the 'language' and 'query' parameters to get a result"
        ));
    }
    let head = shop.req(
        "HEAD",
        "/api/search?query=shirt&language=1",
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!(head.status, 200);
    for m in ["POST", "PUT", "PATCH", "DELETE"] {
        let r = shop.send(m, "/api/search?query=shirt&language=1", "<prestashop/>");
        assert_eq!((r.status, r.codes()), (405, vec![101]), "{m}: {}", r.body);
    }
}

#[test]
fn accents_case_and_alternatives() {
    let shop = TestShop::start();
    assert_eq!(products(&shop, "SHIRT"), vec![1]);
    assert_eq!(products(&shop, "HUMMINGBIRD%20cushion"), vec![11]);
    // French: "T-shirt imprimé colibri"; accents and case do not matter, prefixes match.
    for q in ["IMPRIM%C3%89", "imprime", "impr", "%C3%ACmpr%C3%AFm%C3%A9"] {
        let (p, _) = found(&shop, q, 2);
        assert!(p.contains(&1) && p.contains(&2), "{q}: {p:?}");
    }
    // `;` separates alternatives, words of one are all needed.
    let both = products(&shop, "brown%20bear%20cushion;mountain%20fox%20cushion");
    let mut sorted = both.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![9, 10], "{both:?}");
    assert_eq!(products(&shop, "brown%20fox%20cushion"), Vec::<i64>::new());
    // A word no product has is ignored, as PrestaShop does.
    assert_eq!(products(&shop, "shirt%20qwxzv"), vec![1]);
    // Ten at most.
    assert_eq!(products(&shop, "the;mug;poster;cushion;notebook").len(), 10);
    // A query of thousands of words is answered, not refused (the first 32 count).
    let long: Vec<String> = (0..3000).map(|i| format!("w{i:05}")).collect();
    let r = shop.get(&format!(
        "/api/search?language=1&query=shirt%20{}",
        long.join(";")
    ));
    assert_eq!(r.status, 200, "{}", &r.body[..r.body.len().min(300)]);
}

#[test]
fn indexation_off_leaves_written_products_for_the_command() {
    let shop = TestShop::start();
    shop.sql_exec(
        "UPDATE {configuration} SET value = '0' WHERE name = 'PS_SEARCH_INDEXATION'",
        &[],
    );
    let r = shop.send(
        "PATCH",
        "/api/products/1",
        "<prestashop><product><id>1</id><name><language id=\"1\">Platypus tee</language></name></product></prestashop>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // As in PrestaShop: not re-indexed, so not searchable until it is.
    assert_eq!(products(&shop, "platypus"), Vec::<i64>::new());
    assert_eq!(products(&shop, "shirt"), Vec::<i64>::new());
    assert_eq!(
        shop.sql_i64("SELECT indexed FROM {product} WHERE id_product = 1", &[]),
        0
    );
    assert!(shop
        .cli(&["search", "reindex"])
        .contains("indexed 1 products"));
    assert_eq!(products(&shop, "platypus"), vec![1]);
    // A blacklisted word is not indexed. The setting is by language (configuration_lang).
    shop.sql_exec(
        "UPDATE {configuration_lang} SET value = 'platypus|other' WHERE id_configuration = \
         (SELECT id_configuration FROM {configuration} WHERE name = 'PS_SEARCH_BLACKLIST')",
        &[],
    );
    shop.cli(&["search", "reindex", "--all"]);
    assert_eq!(products(&shop, "platypus"), Vec::<i64>::new());
    assert_eq!(products(&shop, "tee"), vec![1]);
}

#[test]
fn writes_keep_the_index() {
    let shop = TestShop::start();
    let made = shop.send(
        "POST",
        "/api/products",
        "<prestashop><product><price>9</price><id_category_default>3</id_category_default><active>1</active>\
         <reference>ZX-4471</reference><name><language id=\"1\">Zanzibar lantern</language><language id=\"2\">Lanterne de Zanzibar</language></name>\
         <description><language id=\"1\">&lt;p&gt;A &lt;b&gt;brass&lt;/b&gt; lantern&lt;/p&gt;</language></description></product></prestashop>",
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let id = id_of(&made.body);
    assert_eq!(products(&shop, "zanzibar"), vec![id]);
    assert_eq!(
        products(&shop, "brass"),
        vec![id],
        "descriptions count, tags stripped"
    );
    assert_eq!(products(&shop, "zx-4471"), vec![id], "references count");
    assert_eq!(found(&shop, "lanterne", 2).0, vec![id]);
    assert_eq!(
        shop.sql_i64(
            "SELECT indexed FROM {product} WHERE id_product = ?",
            &[id.into()]
        ),
        1
    );

    let renamed = shop.send(
        "PATCH",
        &format!("/api/products/{id}"),
        &format!("<prestashop><product><id>{id}</id><name><language id=\"1\">Quokka lamp</language></name></product></prestashop>"),
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(products(&shop, "zanzibar"), Vec::<i64>::new());
    assert_eq!(products(&shop, "quokka"), vec![id]);

    // A combination's reference makes its product found; deleting it takes that away.
    let combo = shop.send(
        "POST",
        "/api/combinations",
        &format!("<prestashop><combination><id_product>{id}</id_product><minimal_quantity>1</minimal_quantity><reference>WOMBAT-9</reference></combination></prestashop>"),
    );
    assert_eq!(combo.status, 201, "{}", combo.body);
    let combo = id_of(&combo.body);
    assert_eq!(products(&shop, "wombat"), vec![id]);
    let r = shop.send("DELETE", &format!("/api/combinations/{combo}"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(products(&shop, "wombat"), Vec::<i64>::new());
    assert_eq!(products(&shop, "quokka"), vec![id]);

    // Deactivated, or hidden from search: gone, and out of the index.
    let set = |field: &str, value: &str| {
        let r = shop.send(
            "PATCH",
            &format!("/api/products/{id}"),
            &format!("<prestashop><product><id>{id}</id><{field}>{value}</{field}></product></prestashop>"),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    };
    set("active", "0");
    assert_eq!(products(&shop, "quokka"), Vec::<i64>::new());
    let rows = "SELECT COUNT(*) FROM {search_index} WHERE id_product = ?";
    assert_eq!(shop.sql_i64(rows, &[id.into()]), 0);
    set("active", "1");
    assert_eq!(products(&shop, "quokka"), vec![id]);
    set("visibility", "catalog");
    assert_eq!(products(&shop, "quokka"), Vec::<i64>::new());
    set("visibility", "search");
    assert_eq!(products(&shop, "quokka"), vec![id]);

    let r = shop.send("DELETE", &format!("/api/products/{id}"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(products(&shop, "quokka"), Vec::<i64>::new());
    assert_eq!(shop.sql_i64(rows, &[id.into()]), 0);
}

#[test]
fn permission_on_search_alone() {
    let shop = TestShop::start();
    let only_search = shop.key(&["--allow", "search=GET"]);
    let r = shop.req(
        "GET",
        "/api/search?query=shirt&language=1&display=full",
        Some(&only_search),
        None,
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Hummingbird printed t-shirt"));
    let no_search = shop.key(&["--allow", "products=GET", "--allow", "categories=GET"]);
    let r = shop.req(
        "GET",
        "/api/search?query=shirt&language=1",
        Some(&no_search),
        None,
        &[],
    );
    assert_eq!((r.status, r.codes()), (401, vec![26]), "{}", r.body);
}

#[test]
fn unindexed_products_are_indexed_by_the_command() {
    let shop = TestShop::start();
    // As a shop whose products PrestaShop never indexed.
    shop.sql_exec("DELETE FROM {search_index}", &[]);
    shop.sql_exec("UPDATE {product} SET indexed = 0", &[]);
    shop.sql_exec("UPDATE {product_shop} SET indexed = 0", &[]);
    assert_eq!(products(&shop, "shirt"), Vec::<i64>::new());
    let out = shop.cli(&["search", "reindex"]);
    assert!(out.contains("indexed 19 products"), "{out}");
    assert_eq!(products(&shop, "shirt"), vec![1]);
    assert!(shop
        .cli(&["search", "reindex"])
        .contains("indexed 0 products"));
    assert!(shop
        .cli(&["search", "reindex", "--all"])
        .contains("indexed 19 products"));
    assert_eq!(products(&shop, "shirt"), vec![1]);
}
