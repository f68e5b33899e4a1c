//! Small builders the path modules share: XML-and-JSON content, the error responses,
//! operations tagged with their resource (the permission filter reads the tag).

use utoipa::openapi::path::{Operation, OperationBuilder, Parameter};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Content, Ref, RefOr, Required, Response, ResponseBuilder};

use super::params;

pub const XML: &str = "application/xml";
pub const JSON: &str = "application/json";

/// A response holding `schema` as XML and as JSON.
pub fn document(description: &str, schema: RefOr<Schema>) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(XML, Content::new(Some(schema.clone())))
        .content(JSON, Content::new(Some(schema)))
        .build()
}

pub fn empty(description: &str) -> Response {
    ResponseBuilder::new().description(description).build()
}

/// File bytes of the given media types.
pub fn binary(description: &str, types: &[&str]) -> Response {
    let mut b = ResponseBuilder::new().description(description);
    for t in types {
        b = b.content(*t, Content::new(None::<RefOr<Schema>>));
    }
    b.build()
}

pub fn body(description: &str, schema: RefOr<Schema>) -> RequestBody {
    RequestBodyBuilder::new()
        .description(Some(description))
        .required(Some(Required::True))
        .content(XML, Content::new(Some(schema.clone())))
        .content(JSON, Content::new(Some(schema)))
        .build()
}

/// A multipart upload with the file in `field`.
pub fn upload(field: &str) -> RequestBody {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let schema = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            field,
            ObjectBuilder::new()
                .schema_type(Type::String)
                .content_media_type("application/octet-stream"),
        )
        .required(field)
        .build();
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content("multipart/form-data", Content::new(Some(schema)))
        .build()
}

pub fn error_ref() -> RefOr<Response> {
    RefOr::Ref(Ref::from_response_name("error"))
}

/// An operation of `resource`: tagged with it, with PrestaShop's error documents for 4xx and
/// 5xx answers and `output_format`.
pub fn operation(
    resource: &str,
    id: String,
    summary: String,
    query: &[&str],
    path: Vec<Parameter>,
) -> OperationBuilder {
    let mut b = OperationBuilder::new()
        .tag(resource)
        .operation_id(Some(id))
        .summary(Some(summary))
        .response("4XX", error_ref())
        .response("5XX", error_ref());
    for p in path {
        b = b.parameter(p);
    }
    for q in query.iter().chain(["output_format"].iter()) {
        b = b.parameter_ref(params::reference(q));
    }
    b
}

pub fn done(b: OperationBuilder) -> Operation {
    b.build()
}
