//! The query parameters every resource shares (protocol §1), as reusable components, and
//! the key schemes: Basic auth with the key as user name and an empty password, or `ws_key`.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Required};

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn query(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema.build()))
        .build()
}

/// `filter[field]=…` and `price[name][…]=…`: an object of bracketed keys.
fn bracketed(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .style(Some(ParameterStyle::DeepObject))
        .explode(Some(true))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(text())),
        ))
        .build()
}

/// Parameters by component name.
pub fn components() -> BTreeMap<String, RefOr<Parameter>> {
    let all = [
        (
            "display",
            query(
                "display",
                "`full`, or the fields to show: `[id,name,price]`, associations as `associations[categories[id]]`",
                text(),
            ),
        ),
        (
            "filter",
            bracketed(
                "filter",
                "`filter[FIELD]=[VALUE]`, `[A|B]`, `[MIN,MAX]`, `>[N]`, `<[N]`, `%[TEXT]%`, `[TEXT]%`, `%[TEXT]`, `![VALUE]`",
            ),
        ),
        (
            "sort",
            query(
                "sort",
                "`[FIELD_ASC]`, `[FIELD_DESC]`, several separated by commas",
                text().pattern(Some(r"^\[.*\]$")),
            ),
        ),
        (
            "limit",
            query(
                "limit",
                "`N` rows, or `OFFSET,N`",
                text().pattern(Some(r"^[0-9]+(,[0-9]+)?$")),
            ),
        ),
        (
            "language",
            query(
                "language",
                "language ids for translated fields: `1`, `[1|2]`, `[1,3]`",
                text(),
            ),
        ),
        (
            "date",
            query(
                "date",
                "`1`: dates may be filtered on (`filter[date_upd]=[2024-01-01,2024-12-31]`)",
                text().enum_values(Some(["0", "1"])),
            ),
        ),
        (
            "schema",
            query(
                "schema",
                "`blank`: an empty entity to fill; `synopsis`: each field's format and rules",
                text().enum_values(Some(["blank", "synopsis"])),
            ),
        ),
        (
            "price",
            bracketed(
                "price",
                "products and combinations: computed prices, `price[NAME][use_tax]=1`, `[country]`, `[state]`, `[postcode]`, `[currency]`, `[group]`, `[quantity]`, `[product_attribute]`, `[decimals]`, `[use_reduc]`, `[use_ecotax]`, `[only_reduc]`",
            ),
        ),
        (
            "output_format",
            query(
                "output_format",
                "`JSON` or `XML` (default); the `Output-Format` header does the same",
                text().enum_values(Some(["XML", "JSON"])),
            ),
        ),
        (
            "id_shop",
            query(
                "id_shop",
                "the shop to work in (`all` for every shop the key may use)",
                text(),
            ),
        ),
        (
            "id_group_shop",
            query("id_group_shop", "the shop group to work in", text()),
        ),
    ];
    all.into_iter()
        .map(|(k, p)| (k.to_string(), RefOr::T(p)))
        .collect()
}

pub fn reference(name: &str) -> Ref {
    Ref::new(format!("#/components/parameters/{name}"))
}

/// The id in `/{resource}/{id}`.
pub fn id() -> Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        ))
        .build()
}

/// A required path segment given by name (image type, size, …).
pub fn path(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(text().build()))
        .build()
}

pub fn required_query(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(Schema::Object(text().build())))
        .build()
}

/// `basic`: the key as user name, empty password; `ws_key`: the key in the query (kept in
/// access logs: prefer the header).
pub fn security_schemes() -> Vec<(&'static str, SecurityScheme)> {
    vec![
        (
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("the webservice key as user name, an empty password"))
                    .build(),
            ),
        ),
        (
            "ws_key",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "ws_key",
                "the webservice key as a query parameter (ends up in access logs)",
            ))),
        ),
    ]
}
