//! Component schemas from the catalog: one entity schema per resource (its fields with type,
//! maximum length, enumerations, read-only, required; translated fields as language lists),
//! the `<prestashop>` envelopes of one entity and of a list, and the error document.

use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::xml::XmlBuilder;
use utoipa::openapi::{Ref, RefOr};

use crate::catalog::{Association, Field, FieldType, Resource};

/// Name of the entity schema of a resource (`products`), of its envelopes (`products_one`,
/// `products_list`).
pub fn entity_name(r: &Resource) -> String {
    r.api.clone()
}
pub fn one_name(r: &Resource) -> String {
    format!("{}_one", r.api)
}
pub fn list_name(r: &Resource) -> String {
    format!("{}_list", r.api)
}

pub fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn xml_name(name: &str) -> Option<utoipa::openapi::xml::Xml> {
    Some(XmlBuilder::new().name(Some(name.to_string())).build())
}

/// A column value: a string on the wire (PrestaShop prints every column as text), except
/// integers, which `--json-numbers` sends as numbers.
fn scalar(f: &Field) -> Object {
    let mut b = ObjectBuilder::new();
    let mut notes: Vec<String> = Vec::new();
    b = match f.kind {
        FieldType::Int => {
            notes.push("integer".into());
            b.schema_type(SchemaType::Array(vec![Type::String, Type::Integer]))
        }
        FieldType::Bool => {
            notes.push("boolean as `0` or `1`".into());
            b.schema_type(Type::String)
        }
        FieldType::Float => {
            notes.push("decimal number as text".into());
            b.schema_type(Type::String)
        }
        FieldType::Date => {
            notes.push("date `YYYY-MM-DD HH:MM:SS` in the shop's time zone".into());
            b.schema_type(Type::String)
        }
        FieldType::Html => {
            notes.push("HTML".into());
            b.schema_type(Type::String)
        }
        _ => b.schema_type(Type::String),
    };
    if let Some((_, max)) = f.size.filter(|(_, max)| *max > 0) {
        b = b.max_length(Some(max));
    }
    if let Some(values) = &f.values {
        b = b.enum_values(Some(values.iter().cloned()));
    }
    if let Some((min, max)) = f.range {
        notes.push(format!("between {min} and {max}"));
    }
    if !f.validators.is_empty() {
        notes.push(format!("validated by {}", f.validators.join(", ")));
    }
    if f.computed {
        notes.push("computed: not filterable".into());
    }
    if let Some(d) = &f.default {
        b = b.default(Some(serde_json::Value::String(d.clone())));
    }
    if !notes.is_empty() {
        b = b.description(Some(notes.join("; ")));
    }
    if f.synopsis_read_only {
        b = b.read_only(true);
    }
    b.build()
}

/// A translated field: one value per language (`<language id="N">` in XML, `[{"id", "value"}]`
/// in JSON); with a single `language` parameter, JSON gives the value alone.
fn translated(f: &Field) -> Schema {
    let item = ObjectBuilder::new()
        .property(
            "id",
            ObjectBuilder::new()
                .schema_type(SchemaType::Array(vec![Type::String, Type::Integer]))
                .description(Some("language id"))
                .xml(Some(XmlBuilder::new().attribute(Some(true)).build())),
        )
        .property("value", RefOr::T(Schema::Object(scalar(f))))
        .xml(xml_name("language"))
        .build();
    Schema::Array(
        ArrayBuilder::new()
            .items(item)
            .description(Some("translated: one value per language"))
            .xml(Some(XmlBuilder::new().wrapped(Some(true)).build()))
            .build(),
    )
}

fn field_schema(f: &Field) -> RefOr<Schema> {
    if f.is_id() {
        return RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Array(vec![Type::Integer, Type::String]))
                .description(Some("the entity's id (a number in JSON)"))
                .read_only(true)
                .build(),
        ));
    }
    if f.i18n {
        RefOr::T(translated(f))
    } else {
        RefOr::T(Schema::Object(scalar(f)))
    }
}

fn association_schema(a: &Association) -> Schema {
    let mut item = ObjectBuilder::new().xml(xml_name(&a.node_type));
    for af in &a.fields {
        item = item.property(
            af.name.clone(),
            ObjectBuilder::new().schema_type(SchemaType::Array(vec![Type::String, Type::Integer])),
        );
        if af.required {
            item = item.required(af.name.clone());
        }
    }
    Schema::Array(
        ArrayBuilder::new()
            .items(item.build())
            .description(Some(if a.writable() {
                "replaced as a whole when sent"
            } else {
                "read-only"
            }))
            .build(),
    )
}

/// The entity as `display=full` and a single GET show it.
pub fn entity(r: &Resource) -> Schema {
    let mut b = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(r.description.clone()))
        .xml(xml_name(&r.singular));
    for (_, f) in r.visible_fields() {
        b = b.property(f.name.clone(), field_schema(f));
        if f.required && !f.is_id() {
            b = b.required(f.name.clone());
        }
    }
    if !r.associations.is_empty() {
        let mut assoc = ObjectBuilder::new().schema_type(Type::Object);
        for a in &r.associations {
            assoc = assoc.property(a.name.clone(), association_schema(a));
        }
        b = b.property("associations", assoc.build());
    }
    Schema::Object(b.build())
}

/// `<prestashop><product>…</product></prestashop>` / `{"product": {…}}`.
pub fn one(r: &Resource) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(r.singular.clone(), reference(&entity_name(r)))
            .required(r.singular.clone())
            .xml(xml_name("prestashop"))
            .build(),
    )
}

/// `<prestashop><products><product id="1" xlink:href="…"/>…</products></prestashop>` /
/// `{"products": [{"id": 1}, …]}` (every field with `display=full`, chosen ones with
/// `display=[…]`; an empty list is `[]` in JSON).
pub fn list(r: &Resource) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![Type::Object, Type::Array]))
            .property(
                r.plural.clone(),
                ArrayBuilder::new()
                    .items(reference(&entity_name(r)))
                    .xml(Some(XmlBuilder::new().wrapped(Some(true)).build())),
            )
            .xml(xml_name("prestashop"))
            .description(Some(
                "the list; each item holds the id alone unless `display` asks for more fields",
            ))
            .build(),
    )
}

/// PrestaShop's error document: `<prestashop><errors><error><code>…` /
/// `{"errors":[{"code":…,"message":"…"}]}`.
pub fn error_document() -> Schema {
    let error = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "code",
            ObjectBuilder::new().schema_type(SchemaType::Array(vec![Type::Integer, Type::String])),
        )
        .property("message", ObjectBuilder::new().schema_type(Type::String))
        .required("message")
        .xml(xml_name("error"));
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "errors",
                ArrayBuilder::new()
                    .items(error.build())
                    .xml(Some(XmlBuilder::new().wrapped(Some(true)).build())),
            )
            .required("errors")
            .xml(xml_name("prestashop"))
            .build(),
    )
}
