//! `GET /api/openapi.json`: the OpenAPI document as the key sees it (its resources and
//! methods only). Each distinct set of permissions is rendered once and kept.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Response, StatusCode};

use super::respond::{base_headers, Common};
use crate::catalog::{Catalog, MethodSet};

type Permissions = BTreeMap<String, MethodSet>;

fn rendered() -> &'static moka::sync::Cache<Permissions, Bytes> {
    static CACHE: OnceLock<moka::sync::Cache<Permissions, Bytes>> = OnceLock::new();
    CACHE.get_or_init(|| moka::sync::Cache::new(256))
}

/// Whether the path (after `/api/`) is the document's.
pub(super) fn is_document(segments: &[String]) -> bool {
    segments.len() == 1 && segments[0] == "openapi.json"
}

pub(super) fn answer(
    catalog: &'static Catalog,
    permissions: &Permissions,
    head: bool,
    common: &Common,
) -> Response<Body> {
    let doc = rendered().get_with_by_ref(permissions, || {
        Bytes::from(crate::openapi::for_key(catalog, permissions))
    });
    let len = doc.len();
    let mut r = Response::new(if head { Body::empty() } else { Body::from(doc) });
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    base_headers(r.headers_mut(), common);
    r
}
