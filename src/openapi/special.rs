//! The routes beyond the generic ones (protocol §8): pictures, attachment files, the
//! product search and a cart's summary.

use utoipa::openapi::path::{HttpMethod, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{PathsBuilder, RefOr};

use super::ops::{self, binary, document, empty, operation, upload};
use super::params;
use super::paths::merge;
use super::schemas::reference;
use crate::catalog::{Catalog, MethodSet};

const PICTURES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];

fn any_document() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("a `<prestashop>` document of links"))
            .build(),
    ))
}

fn allowed(catalog: &Catalog, api: &str) -> MethodSet {
    catalog
        .get(api)
        .map(|r| MethodSet::ALL.minus(r.forbidden))
        .unwrap_or(MethodSet::EMPTY)
}

/// `/images…`: lists of links, picture bytes, multipart uploads (field `image`).
pub fn images(mut paths: PathsBuilder, catalog: &Catalog) -> PathsBuilder {
    if catalog.get("images").is_none() {
        return paths;
    }
    let t = || {
        params::path(
            "type",
            "categories, manufacturers, suppliers, stores or products",
        )
    };
    let id = params::id;
    let listing = |name: &str, summary: &str, p| {
        ops::done(
            operation("images", name.to_string(), summary.to_string(), &[], p)
                .response("200", document("links", any_document())),
        )
    };
    paths = paths.path(
        "/images",
        PathItem::new(
            HttpMethod::Get,
            listing("images_types", "The picture types", vec![]),
        ),
    );
    paths = paths.path(
        "/images/general/{name}",
        merge(
            PathItem::new(
                HttpMethod::Get,
                ops::done(
                    operation(
                        "images",
                        "images_general".into(),
                        "The shop's logos".into(),
                        &[],
                        vec![params::path("name", "header, mail, invoice or store_icon")],
                    )
                    .response("200", binary("the picture", PICTURES)),
                ),
            ),
            HttpMethod::Put,
            ops::done(
                operation(
                    "images",
                    "images_general_replace".into(),
                    "Replace a logo".into(),
                    &[],
                    vec![params::path("name", "header, mail, invoice or store_icon")],
                )
                .request_body(Some(upload("image")))
                .response("200", binary("the new picture", PICTURES)),
            ),
        ),
    );
    paths = paths.path(
        "/images/{type}",
        PathItem::new(
            HttpMethod::Get,
            listing(
                "images_of_type",
                "Formats and pictures of a type",
                vec![t()],
            ),
        ),
    );
    let picture = |name: &str, p: Vec<_>| {
        ops::done(
            operation(
                "images",
                name.to_string(),
                "A picture's bytes".into(),
                &[],
                p,
            )
            .response("200", binary("the picture", PICTURES)),
        )
    };
    let mut one = PathItem::new(HttpMethod::Get, picture("images_one", vec![t(), id()]));
    one = merge(
        one,
        HttpMethod::Post,
        ops::done(
            operation(
                "images",
                "images_add".into(),
                "Add a picture (products: one more picture)".into(),
                &[],
                vec![t(), id()],
            )
            .request_body(Some(upload("image")))
            .response(
                "200",
                binary("the picture (products: the image entity)", PICTURES),
            ),
        ),
    );
    one = merge(
        one,
        HttpMethod::Delete,
        ops::done(
            operation(
                "images",
                "images_delete".into(),
                "Delete a picture and its formats".into(),
                &[],
                vec![t(), id()],
            )
            .response("200", empty("deleted")),
        ),
    );
    paths = paths.path("/images/{type}/{id}", one);
    let sub = || params::path("image", "products: the image id; others: a format name");
    paths = paths.path(
        "/images/{type}/{id}/{image}",
        merge(
            PathItem::new(
                HttpMethod::Get,
                picture("images_sub", vec![t(), id(), sub()]),
            ),
            HttpMethod::Delete,
            ops::done(
                operation(
                    "images",
                    "images_sub_delete".into(),
                    "Delete a product's picture".into(),
                    &[],
                    vec![t(), id(), sub()],
                )
                .response("200", empty("deleted")),
            ),
        ),
    );
    paths = paths.path(
        "/images/products/{id}/{image}/{size}",
        PathItem::new(
            HttpMethod::Get,
            picture(
                "images_product_size",
                vec![
                    id(),
                    sub(),
                    params::path("size", "an image format, e.g. small_default"),
                ],
            ),
        ),
    );
    paths
}

/// `/attachments/file` (upload, field `file`, or the raw body) and `/attachments/file/{id}`.
pub fn attachments(mut paths: PathsBuilder, catalog: &Catalog) -> PathsBuilder {
    let m = allowed(catalog, "attachments");
    if m.is_empty() {
        return paths;
    }
    let entity = || reference("attachments_one");
    paths = paths.path(
        "/attachments/file",
        PathItem::new(
            HttpMethod::Post,
            ops::done(
                operation(
                    "attachments",
                    "attachments_upload".into(),
                    "Create an attachment from a file".into(),
                    &[],
                    vec![],
                )
                .request_body(Some(upload("file")))
                .response("200", document("the attachment", entity())),
            ),
        ),
    );
    let id = || vec![params::id()];
    let mut item = PathItem::new(
        HttpMethod::Get,
        ops::done(
            operation(
                "attachments",
                "attachments_download".into(),
                "An attachment's file".into(),
                &[],
                id(),
            )
            .response(
                "200",
                binary("the file, with its own type", &["application/octet-stream"]),
            ),
        ),
    );
    item = merge(
        item,
        HttpMethod::Put,
        ops::done(
            operation(
                "attachments",
                "attachments_replace_file".into(),
                "Replace an attachment's file".into(),
                &[],
                id(),
            )
            .request_body(Some(upload("file")))
            .response("200", document("the attachment", entity())),
        ),
    );
    item = merge(
        item,
        HttpMethod::Delete,
        ops::done(
            operation(
                "attachments",
                "attachments_delete_file".into(),
                "Delete an attachment".into(),
                &[],
                id(),
            )
            .response("200", empty("deleted")),
        ),
    );
    paths.path("/attachments/file/{id}", item)
}

/// `/search?query=…&language=N`: products, then their categories.
pub fn search(paths: PathsBuilder, catalog: &Catalog) -> PathsBuilder {
    if catalog.get("search").is_none() {
        return paths;
    }
    let found = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("products", reference("products_list"))
        .property("categories", reference("categories_list"))
        .description(Some(
            "at most 10 products by relevance, then their categories",
        ))
        .build();
    let op = operation(
        "search",
        "search".into(),
        "Search products".into(),
        &["display"],
        vec![
            params::required_query("query", "the words to look for"),
            params::required_query("language", "one language id"),
        ],
    )
    .response(
        "200",
        document("what was found", RefOr::T(Schema::Object(found))),
    );
    paths.path("/search", PathItem::new(HttpMethod::Get, ops::done(op)))
}

/// `/carts/{id}/summary`: the cart's totals as the shop computes them.
pub fn cart_summary(paths: PathsBuilder, catalog: &Catalog) -> PathsBuilder {
    if !allowed(catalog, "carts").contains(crate::catalog::Method::Get) {
        return paths;
    }
    let op = operation(
        "carts",
        "cart_summary".into(),
        "A cart's totals, lines, discounts and carriers".into(),
        &[],
        vec![params::id()],
    )
    .response("200", document("the summary", any_document()));
    paths.path(
        "/carts/{id}/summary",
        PathItem::new(HttpMethod::Get, ops::done(op)),
    )
}
