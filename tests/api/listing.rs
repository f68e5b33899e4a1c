//! display, filter, sort, limit, date, language, schema, JSON shapes (protocol §1, §5).

use crate::support::TestShop;

fn ids(shop: &TestShop, q: &str) -> Vec<i64> {
    let r = shop.get(&format!("/api/countries?{q}"));
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    r.ids()
}

#[test]
fn filter_operators() {
    let shop = TestShop::start();
    assert_eq!(ids(&shop, "filter[id]=[1|5]"), vec![1, 5]);
    assert_eq!(
        ids(&shop, "filter%5Bid%5D=%5B1%7C5%5D"),
        vec![1, 5],
        "percent-encoded brackets"
    );
    assert_eq!(ids(&shop, "filter[id]=[3,6]"), vec![3, 4, 5, 6]);
    assert_eq!(
        ids(&shop, "filter[id]=[6,3]"),
        vec![3, 4, 5, 6],
        "bounds sorted"
    );
    assert_eq!(ids(&shop, "filter[id]=>[239]"), vec![240, 241]);
    assert_eq!(ids(&shop, "filter[id]=<[3]"), vec![1, 2]);
    assert_eq!(ids(&shop, "filter[id]=[2]"), vec![2]);
    assert_eq!(ids(&shop, "filter[id]=2"), vec![2]);
    assert_eq!(
        ids(&shop, "filter[iso_code]=fr"),
        vec![8],
        "case-insensitive like MySQL"
    );
    assert_eq!(
        ids(&shop, "filter[iso_code]=[F]%&filter[id]=<[20]"),
        vec![7, 8]
    );
    assert!(ids(&shop, "filter[iso_code]=%[R]%").contains(&8));
    let not = ids(&shop, "filter[id]=![1|2]&limit=3");
    assert_eq!(not, vec![3, 4, 5]);
    assert_eq!(ids(&shop, "filter[name]=[France]"), vec![8], "i18n filter");

    for (q, code) in [
        ("filter[nope]=1", 32),
        ("filter[date_add]=>[2000-01-01]", 32),
        ("filter[id]=", 33),
        ("filter[id]=>=[5]", 33),
        ("filter[id][x]=1", 31),
        ("filter=1", 33),
    ] {
        let r = shop.get(&format!("/api/countries?{q}"));
        assert_eq!((r.status, r.codes()), (400, vec![code]), "{q}");
    }
    let dynamic = shop.get("/api/products?filter[manufacturer_name]=x");
    assert_eq!(dynamic.codes(), vec![34]);
}

#[test]
fn sort_limit_display_date() {
    let shop = TestShop::start();
    assert_eq!(ids(&shop, "sort=[id_DESC]&limit=2"), vec![241, 240]);
    assert_eq!(ids(&shop, "sort=id_desc&limit=2"), vec![241, 240]);
    assert_eq!(ids(&shop, "sort=[id_ASC]&limit=2,2"), vec![3, 4]);
    assert_eq!(ids(&shop, "limit=5,0"), Vec::<i64>::new());
    for (q, code) in [
        ("sort=[nope_ASC]", 38),
        ("sort=[id_UP]", 37),
        ("sort=id", 37),
        ("limit=1,2,3", 39),
        ("limit=abc", 39),
        ("limit=-1", 39),
    ] {
        let r = shop.get(&format!("/api/countries?{q}"));
        assert_eq!((r.status, r.codes()), (400, vec![code]), "{q}");
    }
    let r = shop.get("/api/countries?display=[iso_code,id]&limit=1");
    let doc = r.xml();
    let country = doc
        .descendants()
        .find(|n| n.has_tag_name("country"))
        .expect("country");
    let names: Vec<&str> = country
        .children()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(names, vec!["id", "iso_code"]);
    for (q, code) in [
        ("display=[nope]", 35),
        ("display=iso_code", 36),
        ("display=[zone[x]]", 35),
    ] {
        let r = shop.get(&format!("/api/countries?{q}"));
        assert_eq!((r.status, r.codes()), (400, vec![code]), "{q}");
    }
    let dated = shop.get("/api/customers?date=1&filter[date_upd]=[2000-01-01+00:00:00,2100-01-01+00:00:00]&sort=[date_upd_ASC,id_ASC]");
    assert_eq!(dated.status, 200, "{}", dated.body);
    assert!(!dated.ids().is_empty());
    let undated = shop.get("/api/customers?sort=[date_upd_ASC]");
    assert_eq!(undated.codes(), vec![38]);
    assert!(shop
        .get("/api/countries?limit=3")
        .header("x-total-count")
        .is_some());
}

#[test]
fn languages_and_json() {
    let shop = TestShop::start();
    let r = shop.get("/api/countries/8?language=2");
    assert!(r.body.contains("<language id=\"2\""), "{}", r.body);
    assert!(!r.body.contains("<language id=\"1\""));
    for (q, code) in [
        ("language=fr", 79),
        ("language=[a|1]", 80),
        ("language=[1,2,3]", 78),
        ("language=9", 81),
    ] {
        let r = shop.get(&format!("/api/countries?{q}"));
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.codes().first(), Some(&code), "{q}");
    }
    let j = shop.get("/api/countries?output_format=JSON&limit=2").json();
    assert_eq!(j["countries"][0]["id"], 1);
    let one = shop
        .req(
            "GET",
            "/api/countries/8",
            Some(&shop.key.clone()),
            None,
            &[("Output-Format", "JSON")],
        )
        .json();
    assert_eq!(one["country"]["iso_code"], "FR");
    let single_lang = shop
        .get("/api/countries/8?output_format=JSON&language=1")
        .json();
    assert_eq!(single_lang["country"]["name"], "France");
    let empty = shop.get("/api/countries?output_format=JSON&filter[id]=0");
    assert_eq!(empty.body, "[]");
    let root = shop.get("/api/?output_format=JSON").json();
    assert!(root
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == "products")));
    let err = shop.get("/api/prodcts?output_format=JSON").json();
    assert_eq!(err["errors"][0]["code"], 27);
}

#[test]
fn headers_sha1_and_not_modified() {
    let shop = TestShop::start();
    let r = shop.get("/api/countries?limit=3");
    let sha = r.header("content-sha1").expect("sha").to_string();
    use sha1::Digest;
    assert_eq!(sha, hex::encode(sha1::Sha1::digest(r.body.as_bytes())));
    let again = shop.req(
        "GET",
        "/api/countries?limit=3",
        Some(&shop.key.clone()),
        None,
        &[("Local-Content-Sha1", &sha)],
    );
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    let missing = shop.get("/api/countries/987654");
    assert_eq!((missing.status, missing.body.as_str()), (404, ""));
    let garbage = shop.get("/api/countries/1abc");
    assert_eq!(garbage.status, 404);
    let amp = shop.get("/api/countries&limit=1");
    assert_eq!(amp.ids().len(), 1);
    let dbl = shop.req(
        "GET",
        "//api/countries?limit=1",
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!(dbl.status, 200);
    let head = shop.req(
        "HEAD",
        "/api/countries/8",
        Some(&shop.key.clone()),
        None,
        &[],
    );
    assert_eq!(head.status, 200);
    assert!(head.header("content-sha1").is_some());
}

#[test]
fn large_lists_stream_and_stay_well_formed() {
    let shop = TestShop::start();
    shop.sql_insert(
        "configuration",
        &["name", "value", "date_add", "date_upd"],
        (0..20_000).map(|i| {
            vec![
                format!("BULK_{i}").into(),
                format!("value ]]> & <{i}>").into(),
                "2025-01-01 00:00:00".into(),
                "2025-01-01 00:00:00".into(),
            ]
        }),
    );
    let r = shop.get("/api/configurations?display=full&filter[name]=[BULK]%");
    assert_eq!(r.status, 200);
    assert!(
        r.body.len() > 1024 * 1024,
        "big enough to stream: {}",
        r.body.len()
    );
    assert!(
        r.header("content-sha1").is_none(),
        "streamed answers carry no Content-Sha1"
    );
    assert_eq!(r.header("x-total-count"), Some("20000"));
    let doc = r.xml();
    let n = doc
        .descendants()
        .filter(|n| n.has_tag_name("configuration"))
        .count();
    assert_eq!(n, 20_000);
    assert!(doc
        .descendants()
        .any(|n| n.text() == Some("value ]]> & <19999>")));
    let j =
        shop.get("/api/configurations?display=[id,name]&filter[name]=[BULK]%&output_format=JSON");
    assert_eq!(
        j.json()["configurations"].as_array().map(Vec::len),
        Some(20_000)
    );
}

fn found(shop: &TestShop, q: &str) -> Vec<i64> {
    let r = shop.get(&format!("/api/{q}"));
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    r.ids()
}

/// Text filters and sorts compare as PrestaShop's MySQL columns do (utf8mb4_general_ci):
/// without regard to case or accents, trailing spaces ignored — on every backend.
#[test]
fn text_compares_without_case_or_accents() {
    let shop = TestShop::start();
    let posted = shop.send(
        "POST",
        "/api/manufacturers",
        "<prestashop><manufacturer><name>Café Crème</name><active>1</active></manufacturer></prestashop>",
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let id = crate::support::id_of(&posted.body);
    assert_eq!(
        found(&shop, "manufacturers?filter[name]=%[cafe creme]%"),
        vec![id]
    );
    assert_eq!(
        found(&shop, "manufacturers?filter[name]=[CAFÉ CRÈME]"),
        vec![id]
    );
    assert_eq!(found(&shop, "products?filter[reference]=[DEMO_1]"), vec![1]);
    assert_eq!(
        found(&shop, "products?filter[reference]=[demo_1 ]"),
        vec![1]
    );
    assert!(found(&shop, "manufacturers?filter[name]=[Cafe Cremes]").is_empty());
    // Sorted without regard to case: "café crème" between "B…" and "D…".
    let names: Vec<String> = {
        let r = shop.get("/api/manufacturers?display=[name]&sort=[name_ASC]&output_format=JSON");
        r.json()["manufacturers"]
            .as_array()
            .expect("list")
            .iter()
            .map(|m| m["name"].as_str().unwrap_or_default().to_lowercase())
            .collect()
    };
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "case-insensitive order");
}
