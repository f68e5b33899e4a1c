//! Every resource of the catalog answers list, one, both schemas, JSON and HEAD.

use crate::support::TestShop;

#[test]
fn every_resource_answers() {
    let shop = TestShop::start();
    let root = shop.get("/api/");
    let doc = root.xml();
    let names: Vec<String> = doc
        .descendants()
        .filter(|n| n.is_element() && n.parent().is_some_and(|p| p.has_tag_name("api")))
        .map(|n| n.tag_name().name().to_string())
        .collect();
    assert_eq!(names.len(), 64, "{names:?}");
    for res in &names {
        if res == "images" {
            // A specific resource: its own documents, no rows and no schema (images.rs).
            let r = shop.get("/api/images");
            assert_eq!(r.status, 200, "{}", r.body);
            r.xml();
            shop.get("/api/images?output_format=JSON").json();
            continue;
        }
        if res == "search" {
            let r = shop.get(&format!("/api/{res}"));
            assert!(
                r.status >= 400 && !r.codes().is_empty(),
                "{res}: {}",
                r.status
            );
            continue;
        }
        let list = shop.get(&format!("/api/{res}?display=full&limit=3"));
        assert_eq!(list.status, 200, "{res} list: {}", list.body);
        list.xml();
        let json = shop.get(&format!(
            "/api/{res}?display=full&limit=3&output_format=JSON"
        ));
        assert_eq!(json.status, 200, "{res} json");
        json.json();
        for kind in ["blank", "synopsis"] {
            let s = shop.get(&format!("/api/{res}?schema={kind}"));
            assert_eq!(s.status, 200, "{res} schema={kind}: {}", s.body);
            s.xml();
        }
        let first = shop.get(&format!("/api/{res}?limit=1")).ids();
        if let Some(id) = first.first() {
            let one = shop.get(&format!("/api/{res}/{id}"));
            assert_eq!(one.status, 200, "{res}/{id}: {}", one.body);
            one.xml();
            let head = shop.req(
                "HEAD",
                &format!("/api/{res}/{id}"),
                Some(&shop.key.clone()),
                None,
                &[],
            );
            assert_eq!(head.status, 200, "HEAD {res}/{id}");
        }
        let head = shop.req(
            "HEAD",
            &format!("/api/{res}"),
            Some(&shop.key.clone()),
            None,
            &[],
        );
        assert_eq!(head.status, 200, "HEAD {res}");
    }
}
