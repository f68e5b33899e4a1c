//! The generic paths of every entity resource: `/{resource}` (list, schema, create) and
//! `/{resource}/{id}` (read, replace, patch, delete), only with the methods it allows.

use utoipa::openapi::path::{HttpMethod, PathItem};
use utoipa::openapi::PathsBuilder;

use super::ops::{self, body, document, empty, operation};
use super::params;
use super::schemas::{list_name, one_name, reference};
use crate::catalog::{Method, MethodSet, Resource};

fn list_query(r: &Resource) -> Vec<&'static str> {
    let mut q = vec![
        "display",
        "filter",
        "sort",
        "limit",
        "language",
        "date",
        "schema",
        "id_shop",
        "id_group_shop",
    ];
    if priced(r) {
        q.push("price");
    }
    q
}

fn one_query(r: &Resource) -> Vec<&'static str> {
    let mut q = vec!["display", "language", "id_shop", "id_group_shop"];
    if priced(r) {
        q.push("price");
    }
    q
}

fn priced(r: &Resource) -> bool {
    r.api == "products" || r.api == "combinations"
}

fn http(m: Method) -> HttpMethod {
    match m {
        Method::Get => HttpMethod::Get,
        Method::Put => HttpMethod::Put,
        Method::Post => HttpMethod::Post,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
        Method::Head => HttpMethod::Head,
    }
}

/// Adds `/{api}` and `/{api}/{id}` with the methods `r` allows.
pub fn add(mut paths: PathsBuilder, r: &Resource) -> PathsBuilder {
    let mut allowed = MethodSet::ALL.minus(r.forbidden);
    if r.api == "attachments" {
        // Attachments are created from a file (`/attachments/file`); `POST /attachments`
        // is refused (#101).
        allowed.remove(Method::Post);
    }
    let api = r.api.as_str();
    let one = || reference(&one_name(r));
    let mut collection: Option<PathItem> = None;
    let mut item: Option<PathItem> = None;
    let put = |slot: &mut Option<PathItem>, m: Method, op| match slot {
        Some(p) => {
            let taken = std::mem::take(p);
            *slot = Some(merge(taken, http(m), op));
        }
        None => *slot = Some(PathItem::new(http(m), op)),
    };
    for m in allowed.iter() {
        let lq = list_query(r);
        let oq = one_query(r);
        let id = || vec![params::id()];
        match m {
            Method::Get => {
                let op = operation(
                    api,
                    format!("list_{api}"),
                    format!("List {api}"),
                    &lq,
                    vec![],
                )
                .response(
                    "200",
                    document(
                        "the list (or, with `schema`, the blank or synopsis entity)",
                        reference(&list_name(r)),
                    ),
                );
                put(&mut collection, m, ops::done(op));
                let op = operation(
                    api,
                    format!("get_{api}"),
                    format!("One of {api}"),
                    &oq,
                    id(),
                )
                .response("200", document("the entity", one()));
                put(&mut item, m, ops::done(op));
            }
            Method::Head => {
                let op = operation(
                    api,
                    format!("head_{api}"),
                    format!("Count {api} (X-Total-Count)"),
                    &lq,
                    vec![],
                )
                .response("200", empty("headers only"));
                put(&mut collection, m, ops::done(op));
                let op = operation(
                    api,
                    format!("head_one_{api}"),
                    format!("Whether one of {api} exists"),
                    &oq,
                    id(),
                )
                .response("200", empty("headers only"));
                put(&mut item, m, ops::done(op));
            }
            Method::Post => {
                let op = operation(
                    api,
                    format!("create_{api}"),
                    format!("Create one of {api}"),
                    &[],
                    vec![],
                )
                .request_body(Some(body("the new entity (no id)", one())))
                .response("201", document("the created entity", one()));
                put(&mut collection, m, ops::done(op));
            }
            Method::Put => {
                let op = operation(
                    api,
                    format!("replace_{api}"),
                    format!("Replace one of {api}"),
                    &[],
                    id(),
                )
                .request_body(Some(body("the whole entity, its id included", one())))
                .response("200", document("the entity as stored", one()));
                put(&mut item, m, ops::done(op));
            }
            Method::Patch => {
                let op = operation(
                    api,
                    format!("patch_{api}"),
                    format!("Change fields of one of {api}"),
                    &[],
                    id(),
                )
                .request_body(Some(body("the id and the fields to change", one())))
                .response("200", document("the entity as stored", one()));
                put(&mut item, m, ops::done(op));
            }
            Method::Delete => {
                let op = operation(
                    api,
                    format!("delete_{api}"),
                    format!("Delete one of {api}"),
                    &[],
                    id(),
                )
                .response("200", empty("deleted"));
                put(&mut item, m, ops::done(op));
            }
        }
    }
    if let Some(p) = collection {
        paths = paths.path(format!("/{api}"), p);
    }
    if let Some(p) = item {
        paths = paths.path(format!("/{api}/{{id}}"), p);
    }
    paths
}

/// `item` with `op` added under `m`.
pub fn merge(mut item: PathItem, m: HttpMethod, op: utoipa::openapi::path::Operation) -> PathItem {
    let slot = match m {
        HttpMethod::Get => &mut item.get,
        HttpMethod::Put => &mut item.put,
        HttpMethod::Post => &mut item.post,
        HttpMethod::Patch => &mut item.patch,
        HttpMethod::Delete => &mut item.delete,
        HttpMethod::Head => &mut item.head,
        HttpMethod::Options => &mut item.options,
        HttpMethod::Trace => &mut item.trace,
    };
    *slot = Some(op);
    item
}
