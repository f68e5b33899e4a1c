//! The webservice described as an OpenAPI 3.1 document, generated from the catalog: every
//! resource's fields and methods, the shared query parameters, XML and JSON bodies,
//! PrestaShop's error document, the picture and attachment routes, `search`,
//! `carts/{id}/summary`, and the key schemes.
//!
//! The whole document is built once per process ([`full`]); a key's copy ([`for_key`])
//! keeps only the operations its permissions allow.

mod filter;
mod ops;
mod params;
mod paths;
mod schemas;
mod special;

use std::sync::OnceLock;
use std::time::Duration;

use utoipa::openapi::schema::ComponentsBuilder;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::server::Server;
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder};

use crate::catalog::{Catalog, MethodSet};

pub use filter::restrict;

/// The document and what building it cost.
pub struct Built {
    pub doc: OpenApi,
    /// The whole document, serialized.
    pub json: String,
    pub took: Duration,
}

static FULL: OnceLock<Built> = OnceLock::new();

/// The whole document (every resource and method), built at the first call.
pub fn full(catalog: &'static Catalog) -> &'static Built {
    FULL.get_or_init(|| {
        let started = std::time::Instant::now();
        let doc = build(catalog);
        let json = doc.to_json().unwrap_or_default();
        Built {
            doc,
            json,
            took: started.elapsed(),
        }
    })
}

/// The document as a key sees it: only its resources and methods (JSON text).
pub fn for_key(
    catalog: &'static Catalog,
    permissions: &std::collections::BTreeMap<String, MethodSet>,
) -> String {
    let all = full(catalog);
    let everything = catalog.resources().all(|r| {
        let allowed = MethodSet::ALL.minus(r.forbidden);
        permissions
            .get(&r.api)
            .is_some_and(|m| allowed.minus(*m).is_empty())
    });
    if everything {
        return all.json.clone();
    }
    restrict(&all.doc, catalog, permissions)
        .to_json()
        .unwrap_or_default()
}

fn build(catalog: &Catalog) -> OpenApi {
    let mut components = ComponentsBuilder::new()
        .response(
            "error",
            ops::document("PrestaShop's error document", schemas::reference("error")),
        )
        .schema("error", schemas::error_document());
    for (name, scheme) in params::security_schemes() {
        components = components.security_scheme(name, scheme);
    }
    let mut paths = PathsBuilder::new();
    let mut tags = Vec::new();
    for r in catalog.resources() {
        tags.push(
            TagBuilder::new()
                .name(r.api.clone())
                .description(Some(r.description.clone()))
                .build(),
        );
        if !r.is_entity() {
            continue;
        }
        components = components
            .schema(schemas::entity_name(r), schemas::entity(r))
            .schema(schemas::one_name(r), schemas::one(r))
            .schema(schemas::list_name(r), schemas::list(r));
        paths = paths::add(paths, r);
    }
    paths = special::images(paths, catalog);
    paths = special::attachments(paths, catalog);
    paths = special::search(paths, catalog);
    paths = special::cart_summary(paths, catalog);
    let mut components = components.build();
    components.parameters = params::components();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("shopws: PrestaShop webservice")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(format!(
                    "PrestaShop {}'s webservice (`/api/`), generated from the resource catalog. \
                     Values are text on the wire, except the entity's `id`. Send \
                     `Output-Format: JSON` (or `output_format=JSON`) for JSON.",
                    catalog.prestashop_version
                )))
                .build(),
        )
        .servers(Some([Server::new("/api")]))
        .paths(paths.build())
        .components(Some(components))
        .security(Some([
            SecurityRequirement::new("basic", Vec::<String>::new()),
            SecurityRequirement::new("ws_key", Vec::<String>::new()),
        ]))
        .tags(Some(tags))
        .build()
}

#[cfg(test)]
mod tests;
