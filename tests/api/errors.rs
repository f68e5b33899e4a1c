//! Error codes not covered elsewhere, and hostile input: always PrestaShop's envelope with the
//! right status, never a 500, a hang or a crash.

use crate::support::TestShop;

#[test]
fn remaining_error_codes() {
    let shop = TestShop::start();
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, u16, Vec<u32>);
    let cases: Vec<Case> = vec![
        ("GET", "/api/customers?schema=bogus", None, 400, vec![28]),
        (
            "GET",
            "/api/products/1?price[b@d][use_tax]=1",
            None,
            400,
            vec![128],
        ),
        ("GET", "/api/customers?id_shop=abc", None, 404, vec![999]),
        ("GET", "/api/customers?id_shop=77", None, 403, vec![132]),
        (
            "GET",
            "/api/customers?id_shop_group=77",
            None,
            500,
            vec![999],
        ),
        ("GET", "/api/images/nothing", None, 400, vec![48]),
        ("GET", "/api/search?query=x", None, 400, vec![100]),
        ("GET", "/api/attachments/file/1", None, 404, vec![1]),
        ("DELETE", "/api/search/1", None, 405, vec![101]),
        ("DELETE", "/api/customers", None, 404, vec![87]),
        ("DELETE", "/api/customers?id=1,2", None, 404, vec![87]),
        (
            "POST",
            "/api/taxes",
            Some("<prestashop><tax><rate>5</rate><name>a&lt;b</name></tax></prestashop>"),
            400,
            vec![84],
        ),
    ];
    for (m, path, body, status, codes) in cases {
        let r = shop.req(m, path, Some(&shop.key.clone()), body, &[]);
        assert_eq!(
            (r.status, r.codes()),
            (status, codes),
            "{m} {path}: {}",
            r.body
        );
    }
    let mk = |first: &str, mail: &str| {
        shop.send(
            "POST",
            "/api/customers",
            &format!("<prestashop><customer><firstname>{first}</firstname><lastname>Doe</lastname><email>{mail}</email><passwd>pass-{first}</passwd></customer></prestashop>"),
        )
    };
    assert_eq!(mk("Ann", "a@example.com").status, 201);
    let b = mk("Bea", "b@example.com");
    let doc = b.xml();
    let id = doc
        .descendants()
        .find(|n| n.has_tag_name("id"))
        .and_then(|n| n.text())
        .unwrap_or("0")
        .to_string();
    let clash = shop.send(
        "PATCH",
        &format!("/api/customers/{id}"),
        &format!("<prestashop><customer><id>{id}</id><email>a@example.com</email></customer></prestashop>"),
    );
    assert_eq!((clash.status, clash.codes()), (400, vec![141]));
}

#[test]
fn hostile_input_never_breaks_the_server() {
    let shop = TestShop::start();
    let long = "a".repeat(20_000);
    let paths = [
        "/api/%ff%fe".to_string(),
        "/api/customers/%00".to_string(),
        "/api/customers?filter[=1".to_string(),
        "/api/customers?filter[id]=[1|".to_string(),
        "/api/customers?filter[id][a][b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q]=1"
            .to_string(),
        "/api/customers?display=[[[[".to_string(),
        "/api/customers?display=[id,groups[id[x]]]".to_string(),
        "/api/customers?sort=[".to_string(),
        "/api/customers?sort=_".to_string(),
        "/api/customers?limit=99999999999999999999999".to_string(),
        "/api/customers?language=[".to_string(),
        "/api/customers?filter[lastname]=%27%3B%20DROP%20TABLE%20customer%3B--".to_string(),
        "/api/customers?sort=[id;DROP_ASC]".to_string(),
        format!("/api/customers?filter[lastname]={long}"),
        format!("/api/{long}"),
        "/api/customers/99999999999999999999999999".to_string(),
        "/api/customers&&&&=&".to_string(),
        "/api/products?price=1".to_string(),
        "/api/products/1?price[x]=1".to_string(),
    ];
    for p in &paths {
        let r = shop.get(p);
        assert!(r.status < 500, "{p}: {} {}", r.status, r.body);
        if r.status >= 400 && r.status != 404 {
            assert!(
                !r.codes().is_empty(),
                "{p}: error document expected, got {}",
                r.body
            );
        }
    }
    let bodies = [
        "<prestashop><customer>".to_string(),
        "<<<>>>".to_string(),
        "\u{0}\u{1}garbage".to_string(),
        format!("<prestashop>{}</prestashop>", "<a>".repeat(200)),
        "{\"customer\": [1, 2".to_string(),
        "[]".to_string(),
        "<prestashop><customer><firstname><![CDATA[x".to_string(),
    ];
    for b in &bodies {
        let r = shop.send("POST", "/api/customers", b);
        assert_eq!(r.status, 400, "{b}: {}", r.body);
        assert!(!r.codes().is_empty(), "{b}: {}", r.body);
    }
    // The server is still there and the table too.
    assert_eq!(shop.get("/api/customers").status, 200);
}
