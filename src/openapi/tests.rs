use super::*;
use crate::catalog::Method;

fn catalog() -> &'static Catalog {
    Catalog::embedded().expect("catalog")
}

#[test]
fn every_entity_resource_has_its_paths_and_schemas() {
    let built = full(catalog());
    let doc = &built.doc;
    for r in catalog().resources().filter(|r| r.is_entity()) {
        let allowed = MethodSet::ALL.minus(r.forbidden);
        let coll = doc.paths.paths.get(&format!("/{}", r.api));
        assert_eq!(
            coll.is_some_and(|p| p.get.is_some()),
            allowed.contains(Method::Get),
            "{}",
            r.api
        );
        let components = doc.components.as_ref().expect("components");
        assert!(components.schemas.contains_key(&r.api), "{}", r.api);
    }
    assert!(doc.paths.paths.contains_key("/search"));
    assert!(doc.paths.paths.contains_key("/carts/{id}/summary"));
    assert!(doc.paths.paths.contains_key("/attachments/file/{id}"));
    assert!(built.json.starts_with('{') && built.json.contains("\"openapi\":\"3.1.0\""));
}

#[test]
fn a_limited_key_sees_its_resources_and_methods_only() {
    let mut perms = std::collections::BTreeMap::new();
    perms.insert("customers".to_string(), MethodSet::READ);
    let doc: serde_json::Value = serde_json::from_str(&for_key(catalog(), &perms)).expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(
        paths.keys().all(|p| p.starts_with("/customers")),
        "{paths:?}"
    );
    assert!(paths["/customers"]["get"].is_object());
    assert!(paths["/customers"]["post"].is_null());
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    assert!(schemas.contains_key("customers") && !schemas.contains_key("products"));
}
