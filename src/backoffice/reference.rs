//! The API reference page: the webservice's OpenAPI document (the same one
//! `/api/openapi.json` serves) rendered as plain HTML, resource by resource.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use super::guard::Page;
use super::pages::{RefField, RefOp, RefParam, RefResource, Reference};
use super::web::*;
use super::BackOffice;
use crate::catalog::Catalog;

const METHODS: [&str; 6] = ["get", "head", "post", "put", "patch", "delete"];

pub async fn page(State(st): State<Arc<BackOffice>>, Page(auth): Page) -> Resp {
    let (params, resources) = model(st.engine.catalog);
    let page = Reference {
        c: auth.chrome(&st, Vec::new()),
        params,
        resources,
    };
    html(StatusCode::OK, page.render())
}

type Model = (Vec<RefParam>, Vec<RefResource>);

/// Read once from the document.
fn model(catalog: &'static Catalog) -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let doc: Value =
            serde_json::from_str(&crate::openapi::full(catalog).json).unwrap_or(Value::Null);
        (parameters(&doc), resources(&doc))
    })
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn parameters(doc: &Value) -> Vec<RefParam> {
    doc["components"]["parameters"]
        .as_object()
        .map(|m| {
            m.values()
                .map(|p| RefParam {
                    name: text(&p["name"]),
                    description: text(&p["description"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn kind(s: &Value) -> String {
    match &s["type"] {
        Value::Array(types) => types.iter().map(text).collect::<Vec<_>>().join(" or "),
        t => text(t),
    }
}

fn field(name: &str, s: &Value, required: bool) -> RefField {
    let translated = s["type"] == "array" && s["items"]["xml"]["name"] == "language";
    let value = if translated {
        &s["items"]["properties"]["value"]
    } else {
        s
    };
    RefField {
        name: name.to_string(),
        kind: if translated {
            format!("{} per language", kind(value))
        } else {
            kind(value)
        },
        required,
        max: value["maxLength"]
            .as_u64()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        values: value["enum"]
            .as_array()
            .map(|v| v.iter().map(text).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        read_only: value["readOnly"] == true || s["readOnly"] == true,
        notes: if s["description"].is_string() && !translated {
            text(&s["description"])
        } else {
            text(&value["description"])
        },
    }
}

fn resources(doc: &Value) -> Vec<RefResource> {
    let mut ops: BTreeMap<String, Vec<RefOp>> = BTreeMap::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for m in METHODS {
                let op = &item[m];
                let Some(tag) = op["tags"][0].as_str() else {
                    continue;
                };
                ops.entry(tag.to_string()).or_default().push(RefOp {
                    method: m.to_uppercase(),
                    path: format!("/api{path}"),
                    summary: text(&op["summary"]),
                });
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    doc["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .map(|t| {
                    let name = text(&t["name"]);
                    let schema = &schemas[name.as_str()];
                    let required: Vec<&str> = schema["required"]
                        .as_array()
                        .map(|r| r.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let fields = schema["properties"]
                        .as_object()
                        .map(|props| {
                            props
                                .iter()
                                .filter(|(n, _)| n.as_str() != "associations")
                                .map(|(n, s)| field(n, s, required.contains(&n.as_str())))
                                .collect()
                        })
                        .unwrap_or_default();
                    let associations = schema["properties"]["associations"]["properties"]
                        .as_object()
                        .map(|a| a.keys().cloned().collect::<Vec<_>>().join(", "))
                        .unwrap_or_default();
                    RefResource {
                        ops: ops.remove(&name).unwrap_or_default(),
                        description: text(&t["description"]),
                        name,
                        fields,
                        associations,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}
