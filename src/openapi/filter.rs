//! A key's view of the document: operations of resources and methods it may use, and the
//! schemas and tags of those resources only.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::OpenApi;

use super::schemas::{entity_name, list_name, one_name};
use crate::catalog::{Catalog, Method, MethodSet};

fn keep(op: &mut Option<Operation>, m: Method, permissions: &BTreeMap<String, MethodSet>) {
    let allowed = op
        .as_ref()
        .and_then(|o| o.tags.as_ref())
        .and_then(|t| t.first())
        .and_then(|res| permissions.get(res))
        .is_some_and(|set| set.contains(m));
    if !allowed {
        *op = None;
    }
}

fn is_empty(p: &PathItem) -> bool {
    p.get.is_none()
        && p.put.is_none()
        && p.post.is_none()
        && p.patch.is_none()
        && p.delete.is_none()
        && p.head.is_none()
}

/// A copy of `doc` with only what `permissions` allow.
pub fn restrict(
    doc: &OpenApi,
    catalog: &Catalog,
    permissions: &BTreeMap<String, MethodSet>,
) -> OpenApi {
    let mut doc = doc.clone();
    for item in doc.paths.paths.values_mut() {
        keep(&mut item.get, Method::Get, permissions);
        keep(&mut item.put, Method::Put, permissions);
        keep(&mut item.post, Method::Post, permissions);
        keep(&mut item.patch, Method::Patch, permissions);
        keep(&mut item.delete, Method::Delete, permissions);
        keep(&mut item.head, Method::Head, permissions);
    }
    doc.paths.paths.retain(|_, p| !is_empty(p));
    let granted = |api: &str| permissions.get(api).is_some_and(|m| !m.is_empty());
    if let Some(tags) = doc.tags.as_mut() {
        tags.retain(|t| granted(&t.name));
    }
    if let Some(c) = doc.components.as_mut() {
        for r in catalog.resources() {
            // search answers with lists of products and categories: their schemas stay.
            let needed = granted(&r.api)
                || (granted("search") && (r.api == "products" || r.api == "categories"));
            if !needed {
                c.schemas.remove(&entity_name(r));
                c.schemas.remove(&one_name(r));
                c.schemas.remove(&list_name(r));
            }
        }
    }
    doc
}
