//! `/api/openapi.json` and `shopws openapi`: the document passes a real OpenAPI validator
//! (`openapi-spec-validator`, which `scripts/test.sh` installs), its paths answer, and a
//! limited key's copy lists only its resources and methods.

use std::process::Command;

use serde_json::Value;

use crate::support::TestShop;

const METHODS: [&str; 6] = ["get", "put", "post", "patch", "delete", "head"];

fn document(shop: &TestShop, key: &str) -> Value {
    let r = shop.req("GET", "/api/openapi.json", Some(key), None, &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    serde_json::from_str(&r.body).expect("JSON document")
}

/// Runs the validator on the document; fails when it is missing or refuses it.
fn validate(doc: &Value) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, doc.to_string()).expect("write document");
    let out = Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--errors", "all"])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openapi-spec-validator (installed by scripts/test.sh) is missing or refused the document:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn paths(doc: &Value) -> &serde_json::Map<String, Value> {
    doc["paths"].as_object().expect("paths")
}

/// GET operations of paths without a path parameter nor a required query parameter.
fn plain_collections(doc: &Value) -> Vec<String> {
    paths(doc)
        .iter()
        .filter(|(p, item)| {
            !p.contains('{')
                && item["get"]["parameters"]
                    .as_array()
                    .map(|ps| ps.iter().all(|p| p["required"] != Value::Bool(true)))
                    .unwrap_or(item["get"].is_object())
        })
        .map(|(p, _)| p.clone())
        .collect()
}

#[test]
fn the_whole_document_is_valid_and_its_collections_answer() {
    let shop = TestShop::start();
    let doc = document(&shop, &shop.key);
    assert_eq!(doc["openapi"], "3.1.0");
    validate(&doc);

    // The command line prints the same document.
    let printed: Value =
        serde_json::from_str(&shop.cli(&["openapi", "--compact"])).expect("printed JSON");
    assert_eq!(printed, doc);

    let all = paths(&doc);
    for p in [
        "/products",
        "/products/{id}",
        "/search",
        "/carts/{id}/summary",
        "/attachments/file",
        "/attachments/file/{id}",
        "/images/{type}/{id}",
    ] {
        assert!(all.contains_key(p), "{p} missing");
    }
    // Translated fields are language lists, and the key schemes are both there.
    let name = &doc["components"]["schemas"]["products"]["properties"]["name"];
    assert_eq!(name["type"], "array", "{name}");
    assert_eq!(name["items"]["xml"]["name"], "language");
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["basic"]["scheme"], "basic");
    assert_eq!(schemes["ws_key"]["in"], "query");

    let collections = plain_collections(&doc);
    assert!(collections.len() > 50, "{collections:?}");
    for p in &collections {
        for format in ["XML", "JSON"] {
            let r = shop.req(
                "GET",
                &format!("/api{p}?limit=2"),
                Some(&shop.key),
                None,
                &[("Output-Format", format)],
            );
            assert_eq!(r.status, 200, "GET {p} ({format}): {}", r.body);
        }
    }
    // Each listed `/{resource}/{id}` answers for the first id of its list.
    let mut items = 0;
    for p in &collections {
        let item = format!("{p}/{{id}}");
        if !all.get(&item).is_some_and(|i| i["get"].is_object()) {
            continue;
        }
        let r = shop.req(
            "GET",
            &format!("/api{p}?limit=1&output_format=JSON"),
            Some(&shop.key),
            None,
            &[],
        );
        let list = r.json();
        let Some(id) = list
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v[0]["id"].as_i64())
        else {
            continue;
        };
        let r = shop.get(&format!("/api{p}/{id}"));
        assert_eq!(r.status, 200, "GET {p}/{id}: {}", r.body);
        items += 1;
    }
    assert!(items > 40, "{items} item paths tried");
    let r = shop.get("/api/search?query=shirt&language=1");
    assert_eq!(r.status, 200, "{}", r.body);
    let r = shop.get("/api/carts/1/summary");
    assert_eq!(r.status, 200, "{}", r.body);

    // No key: PrestaShop's challenge, no document.
    let r = shop.req("GET", "/api/openapi.json", None, None, &[]);
    assert_eq!(r.status, 401);
}

#[test]
fn a_limited_key_sees_only_its_resources_and_methods() {
    let shop = TestShop::start();
    let key = shop.key(&["--allow", "customers=GET,HEAD", "--allow", "search=GET"]);
    let doc = document(&shop, &key);
    validate(&doc);
    let listed = paths(&doc);
    let mut names: Vec<&str> = listed.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["/customers", "/customers/{id}", "/search"]);
    for (p, item) in listed {
        for m in METHODS {
            let expected = match p.as_str() {
                "/search" => m == "get",
                _ => m == "get" || m == "head",
            };
            assert_eq!(item[m].is_object(), expected, "{p} {m}");
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("customers"));
    assert!(!schemas.contains_key("orders") && !schemas.contains_key("employees"));
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tags, ["customers", "search"]);

    // What is listed answers; what is not is refused to this key.
    let r = shop.req("GET", "/api/customers", Some(&key), None, &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = shop.req("GET", "/api/products", Some(&key), None, &[]);
    assert_eq!(r.status, 401, "{}", r.body);

    // The full key's document is the whole one, and larger.
    let full = document(&shop, &shop.key);
    assert!(paths(&full).len() > listed.len() * 10);
}

/// The back office's API reference: rendered on the server from the same document, no
/// script of its own, behind the login.
#[test]
fn the_back_office_reference_page_lists_resources_fields_and_routes() {
    use crate::backoffice::{client, create_admin, hidden, set_cookie};
    let shop = TestShop::start();
    let http = client();
    let page = format!("{}/admin/api-reference", shop.url);
    let r = http.get(&page).send().expect("page");
    assert_ne!(r.status().as_u16(), 200, "served without a login");

    create_admin(&shop, "ref@example.com", "a long enough password");
    let login = http
        .get(format!("{}/admin/", shop.url))
        .send()
        .expect("login page");
    let pre = set_cookie(&login, "shopws_login").expect("pre-session cookie");
    let pre = pre.split(';').next().unwrap_or_default().to_string();
    let csrf = hidden(&login.text().unwrap_or_default(), "csrf");
    let r = http
        .post(format!("{}/admin/login", shop.url))
        .header("Origin", &shop.url)
        .header("Cookie", &pre)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ref@example.com"),
            ("password", "a long enough password"),
        ])
        .send()
        .expect("login");
    assert_eq!(r.status().as_u16(), 303);
    let cookie = set_cookie(&r, "shopws_session").expect("session cookie");
    let cookie = cookie.split(';').next().unwrap_or_default().to_string();

    let r = http
        .get(&page)
        .header("Cookie", &cookie)
        .send()
        .expect("page");
    assert_eq!(r.status().as_u16(), 200);
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src"), "{csp}");
    let body = r.text().unwrap_or_default();
    // One section per resource, with its routes and its fields as the document has them.
    assert!(body.contains("id=\"r-products\""), "products section");
    assert!(body.contains("<code>/api/carts/{id}/summary</code>"));
    assert!(body.contains("<code>/api/search</code>"));
    assert!(body.contains("<code>filter</code>"));
    let products = body
        .split("id=\"r-products\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_default();
    assert!(
        products.contains(
            "<td><code>name</code></td><td>string per language</td><td></td><td>128</td>"
        ),
        "{products}"
    );
    // A required field.
    assert!(
        products.contains("<td><code>price</code></td><td>string</td><td>yes</td>"),
        "{products}"
    );
    // No script beyond the back office's own file.
    assert_eq!(body.matches("<script").count(), 1, "{body}");
}
