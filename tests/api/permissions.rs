//! The permission matrix: every resource × every method, against keys that hold one method
//! on every resource allowing it, keys that hold a single (resource, method) pair, and a key
//! with every permission (forbidden methods stay forbidden).

use std::collections::BTreeMap;

use shopws::catalog::{Catalog, Method, MethodSet};

use crate::support::{Resp, TestShop};

const METHODS: [Method; 6] = Method::ALL;

fn catalog() -> &'static Catalog {
    Catalog::embedded().expect("catalog")
}

/// What a key holds: resource → methods.
type Grants = BTreeMap<String, MethodSet>;

fn make_key(shop: &TestShop, grants: &Grants) -> String {
    let mut args: Vec<String> = vec!["--description".into(), "permission matrix".into()];
    for (r, set) in grants {
        let list: Vec<&str> = METHODS
            .iter()
            .filter(|m| set.contains(**m))
            .map(|m| m.as_str())
            .collect();
        args.push("--allow".into());
        args.push(format!("{r}={}", list.join(",")));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let key = shop.key(&refs);
    assert_eq!(key.len(), 32, "key add printed {key:?}");
    key
}

/// The request for `method` on `resource` that a granted key must get through: a list for
/// GET/HEAD, an empty body for POST/PUT/PATCH, an id that does not exist for DELETE.
/// Attachments are created through `attachments/file` (`POST attachments` is refused, #101).
fn path_for(resource: &str, method: Method) -> String {
    match (resource, method) {
        ("search", _) => "/api/search?query=mug&language=1".to_string(),
        ("attachments", Method::Post) => "/api/attachments/file".to_string(),
        (_, Method::Delete) => format!("/api/{resource}/987654321"),
        _ => format!("/api/{resource}"),
    }
}

fn ask(shop: &TestShop, key: &str, resource: &str, method: Method) -> Resp {
    let body = matches!(method, Method::Post | Method::Put | Method::Patch).then_some("");
    shop.req(
        method.as_str(),
        &path_for(resource, method),
        Some(key),
        body,
        &[],
    )
}

/// The answer PrestaShop gives a key holding `grants` for `method` on resource `r`.
fn check(
    shop: &TestShop,
    key: &str,
    grants: &Grants,
    label: &str,
    r: &str,
    method: Method,
) -> Result<(), String> {
    let res = catalog().get(r).expect("resource");
    let held = grants.get(r).copied().unwrap_or_default();
    let got = ask(shop, key, r, method);
    // HEAD answers carry no document: the status alone tells.
    let codes = if method == Method::Head {
        Vec::new()
    } else {
        got.codes()
    };
    let expected: Option<(u16, u32)> = if held.is_empty() {
        Some((401, 26))
    } else if res.forbidden.contains(method) {
        Some((405, 101))
    } else if !held.contains(method) {
        Some((405, 25))
    } else {
        None
    };
    let what = format!("{method} {r} with the key of {label}");
    match expected {
        Some((status, code)) => {
            let code_ok = method == Method::Head || codes == vec![code];
            if got.status != status || !code_ok {
                return Err(format!(
                    "{what}: want {status} #{code}, got {} {codes:?}: {}",
                    got.status, got.body
                ));
            }
        }
        None if matches!(method, Method::Get | Method::Head) => {
            if got.status != 200 {
                return Err(format!("{what}: want 200, got {} {}", got.status, got.body));
            }
        }
        None => {
            if got.status == 401 || got.status == 405 {
                return Err(format!(
                    "{what}: refused {} {codes:?}: {}",
                    got.status, got.body
                ));
            }
        }
    }
    Ok(())
}

/// Every resource × method for one key; the problems found.
fn sweep(shop: &TestShop, key: &str, grants: &Grants, label: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for r in catalog().names() {
        for m in METHODS {
            if let Err(e) = check(shop, key, grants, label, r, m) {
                problems.push(e);
            }
        }
    }
    // The resource list names exactly what the key holds, with its methods.
    let root = shop.req("GET", "/api/", Some(key), None, &[]);
    assert_eq!(root.status, 200);
    let doc = root.xml();
    let api = doc
        .descendants()
        .find(|n| n.has_tag_name("api"))
        .expect("api element");
    let listed: Grants = api
        .children()
        .filter(|n| n.is_element())
        .map(|n| {
            let mut set = MethodSet::EMPTY;
            for m in METHODS {
                if n.attribute(m.lower()) == Some("true") {
                    set.insert(m);
                }
            }
            (n.tag_name().name().to_string(), set)
        })
        .collect();
    if &listed != grants {
        problems.push(format!(
            "/api/ lists {listed:?} for a key holding {grants:?}"
        ));
    }
    problems
}

#[test]
fn every_resource_and_method_for_keys_of_one_method_and_of_one_pair() {
    let shop = TestShop::start();
    let c = catalog();
    let mut keys: Vec<(String, Grants, String)> = Vec::new();
    // One key per method, holding it on every resource that allows it: with the whole
    // matrix swept for each, every allowed (resource, method) pair is tried granted, and
    // refused on a key that holds the resource through another method.
    for m in METHODS {
        let grants: Grants = c
            .resources()
            .filter(|r| !r.forbidden.contains(m))
            .map(|r| {
                let mut set = MethodSet::EMPTY;
                set.insert(m);
                (r.api.clone(), set)
            })
            .collect();
        keys.push((make_key(&shop, &grants), grants, format!("{m} everywhere")));
    }
    // Keys of a single pair: every other resource is refused with #26.
    for (r, m) in [
        ("taxes", Method::Get),
        ("search", Method::Head),
        ("stock_availables", Method::Put),
        ("warehouses", Method::Patch),
        ("products", Method::Post),
        ("customers", Method::Delete),
    ] {
        let mut set = MethodSet::EMPTY;
        set.insert(m);
        let grants: Grants = [(r.to_string(), set)].into_iter().collect();
        keys.push((make_key(&shop, &grants), grants, format!("{m} {r}")));
    }
    let problems: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = keys
            .iter()
            .map(|(key, grants, label)| {
                let shop = &shop;
                s.spawn(move || sweep(shop, key, grants, label))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("sweep"))
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn forbidden_methods_are_refused_even_with_every_permission() {
    let shop = TestShop::start();
    let all = shop.key(&["--all"]);
    let mut forbidden = Vec::new();
    for r in catalog().resources() {
        for m in METHODS.into_iter().filter(|m| r.forbidden.contains(*m)) {
            forbidden.push((r.api.clone(), m));
        }
    }
    // The catalog's forbidden pairs (protocol §4).
    for pair in [
        ("search", Method::Post),
        ("search", Method::Delete),
        ("stock_availables", Method::Post),
        ("stock_availables", Method::Delete),
        ("stock_movements", Method::Put),
        ("stocks", Method::Patch),
        ("warehouses", Method::Delete),
    ] {
        assert!(
            forbidden.contains(&(pair.0.to_string(), pair.1)),
            "{pair:?} is not forbidden in the catalog"
        );
    }
    for key in [&shop.key, &all] {
        for (r, m) in &forbidden {
            for path in [format!("/api/{r}"), format!("/api/{r}/1")] {
                // With a body too: refused before it is read.
                for body in [None, Some("<prestashop><x/></prestashop>")] {
                    let got = shop.req(m.as_str(), &path, Some(key), body, &[]);
                    assert_eq!(
                        (got.status, got.codes()),
                        (405, vec![101]),
                        "{m} {path}: {}",
                        got.body
                    );
                }
                // Through the method override as well.
                let over = format!("{path}?ps_method={}", m.as_str());
                let got = shop.req("POST", &over, Some(key), Some(""), &[]);
                assert_eq!((got.status, got.codes()), (405, vec![101]), "POST {over}");
            }
        }
    }
    // A key cannot be given a forbidden method: asking for it alone makes a key without
    // any permission (#21).
    let out = shop
        .command()
        .args(["key", "add", "--allow", "search=POST,DELETE"])
        .output()
        .expect("run shopws");
    if out.status.success() {
        let key = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string();
        let got = shop.req("POST", "/api/search", Some(&key), Some(""), &[]);
        assert_eq!((got.status, got.codes()), (401, vec![21]));
    }
}
