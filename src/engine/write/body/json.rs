//! JSON write bodies (an extension to PrestaShop's XML): [`parse_json`] maps the accepted
//! object shapes onto the same [`InputDoc`] as the XML form.

use serde_json::{Map, Value};

use super::{
    is_blank_bytes, malformed, strip_bom, BodyError, InputAssoc, InputDoc, InputEntity, InputValue,
    MAX_DEPTH,
};

/// Decodes a JSON write body. Accepted forms: `{"<singular>": {...}}`,
/// `{"<plural>": [{...}, ...]}`, either wrapped in `{"prestashop": ...}`, or a
/// bare object of fields. Entities are named `singular`. Field order is that
/// of `serde_json`'s map (by key), not the order sent.
///
/// # Errors
///
/// [`BodyError::Empty`] for an empty body, [`BodyError::TooDeep`] beyond
/// [`MAX_DEPTH`] levels, [`BodyError::Malformed`] with `serde_json`'s message
/// for invalid JSON, [`BodyError::NotAnObject`] for a valid document of the
/// wrong shape.
pub fn parse_json(body: &[u8], singular: &str, plural: &str) -> Result<InputDoc, BodyError> {
    let body = strip_bom(body);
    if is_blank_bytes(body) {
        return Err(BodyError::Empty);
    }
    if json_nesting(body) > MAX_DEPTH {
        return Err(BodyError::TooDeep);
    }
    let value: Value = serde_json::from_slice(body).map_err(|err| malformed(err.to_string()))?;
    let Value::Object(top) = value else {
        return Err(BodyError::NotAnObject);
    };
    let top = unwrap_prestashop(top)?;
    let entities = entity_objects(top, singular, plural)?
        .into_iter()
        .map(|object| json_entity(singular, object))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InputDoc { entities })
}

/// Maximum nesting of `{`/`[` outside strings (checked before parsing, so a
/// hostile body never reaches the parser's own recursion).
fn json_nesting(body: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn unwrap_prestashop(mut top: Map<String, Value>) -> Result<Map<String, Value>, BodyError> {
    if top.len() != 1 {
        return Ok(top);
    }
    match top.remove("prestashop") {
        None => Ok(top),
        Some(Value::Object(inner)) => Ok(inner),
        Some(_) => Err(BodyError::NotAnObject),
    }
}

/// The entity objects of the (unwrapped) top-level object.
fn entity_objects(
    top: Map<String, Value>,
    singular: &str,
    plural: &str,
) -> Result<Vec<Map<String, Value>>, BodyError> {
    let wrapped = top.len() == 1
        && top
            .iter()
            .any(|(key, value)| (key == singular || key == plural) && is_container(value));
    if !wrapped {
        return Ok(vec![top]);
    }
    match top.into_iter().next() {
        Some((_, Value::Object(object))) => Ok(vec![object]),
        Some((_, Value::Array(items))) => items.into_iter().map(into_object).collect(),
        _ => Ok(Vec::new()),
    }
}

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Object(_) | Value::Array(_))
}

fn into_object(value: Value) -> Result<Map<String, Value>, BodyError> {
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(BodyError::NotAnObject),
    }
}

fn json_entity(element: &str, object: Map<String, Value>) -> Result<InputEntity, BodyError> {
    let mut fields = Vec::new();
    let mut associations = None;
    for (key, value) in object {
        if key == "associations" {
            associations = json_associations(value)?;
        } else if let Some(value) = json_field(&value) {
            fields.push((key, value));
        }
    }
    Ok(InputEntity {
        element: element.to_owned(),
        fields,
        associations,
    })
}

/// String as is, number as written, `true`/`false` as `1`/`0`, null as "".
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(if *flag { "1" } else { "0" }.to_owned()),
        Value::Null => Some(String::new()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Scalars are text, an array of objects is a language list, anything else
/// is an unknown shape (ignored).
fn json_field(value: &Value) -> Option<InputValue> {
    if let Some(text) = scalar_text(value) {
        return Some(InputValue::Text(text));
    }
    let Value::Array(entries) = value else {
        return None;
    };
    let mut langs = Vec::with_capacity(entries.len());
    for entry in entries {
        let Value::Object(entry) = entry else {
            return None;
        };
        let part = |key: &str| entry.get(key).and_then(scalar_text).unwrap_or_default();
        langs.push((part("id"), part("value")));
    }
    Some(InputValue::Langs(langs))
}

fn json_associations(value: Value) -> Result<Option<Vec<InputAssoc>>, BodyError> {
    let object = match value {
        Value::Null => return Ok(None),
        Value::Object(object) => object,
        _ => return Err(BodyError::NotAnObject),
    };
    object
        .into_iter()
        .filter(|(name, _)| name != "i18n")
        .map(|(name, items)| {
            Ok(InputAssoc {
                name,
                items: json_assoc_items(&items)?,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `[{...}, ...]` (objects, or bare ids), a single `{...}`, or `null`/`""`
/// for an empty set.
fn json_assoc_items(value: &Value) -> Result<Vec<Vec<(String, String)>>, BodyError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(text) if text.is_empty() => Ok(Vec::new()),
        Value::Object(object) => Ok(vec![json_assoc_item(object)]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(object) => Ok(json_assoc_item(object)),
                Value::Array(_) => Err(BodyError::NotAnObject),
                scalar => Ok(scalar_text(scalar)
                    .map(|id| vec![("id".to_owned(), id)])
                    .unwrap_or_default()),
            })
            .collect(),
        _ => Err(BodyError::NotAnObject),
    }
}

fn json_assoc_item(object: &Map<String, Value>) -> Vec<(String, String)> {
    object
        .iter()
        .filter_map(|(key, value)| scalar_text(value).map(|text| (key.clone(), text)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{field, langs, pairs, text};
    use super::*;

    fn json(body: &str) -> InputDoc {
        parse_json(body.as_bytes(), "customer", "customers").unwrap()
    }

    fn json_err(body: &str) -> BodyError {
        parse_json(body.as_bytes(), "customer", "customers").unwrap_err()
    }

    #[test]
    fn json_singular_plural_wrapped_and_bare() {
        let expected = vec![("firstname".to_owned(), text("J"))];
        for body in [
            r#"{"customer": {"firstname": "J"}}"#,
            r#"{"prestashop": {"customer": {"firstname": "J"}}}"#,
            r#"{"firstname": "J"}"#,
            r#"{"customers": [{"firstname": "J"}]}"#,
            r#"{"prestashop": {"customers": [{"firstname": "J"}]}}"#,
            r#"{"customers": {"firstname": "J"}}"#,
        ] {
            let doc = json(body);
            assert_eq!(doc.entities.len(), 1, "{body}");
            assert_eq!(doc.entities[0].element, "customer");
            assert_eq!(doc.entities[0].fields, expected, "{body}");
            assert_eq!(doc.entities[0].associations, None);
        }
        let doc = json(r#"{"customers": [{"id": 1}, {"id": 2}]}"#);
        assert_eq!(doc.entities.len(), 2);
        assert_eq!(field(&doc.entities[1], "id"), &text("2"));
        assert_eq!(json(r#"{"customers": []}"#).entities, vec![]);
    }

    #[test]
    fn json_scalars() {
        let e = &json(r#"{"a": "x ", "b": 5, "c": 1.5, "d": true, "e": false, "f": null, "g": {"x": 1}, "h": [1, 2]}"#)
            .entities[0];
        assert_eq!(
            e.fields,
            vec![
                ("a".to_owned(), text("x ")),
                ("b".to_owned(), text("5")),
                ("c".to_owned(), text("1.5")),
                ("d".to_owned(), text("1")),
                ("e".to_owned(), text("0")),
                ("f".to_owned(), text("")),
            ]
        );
    }

    #[test]
    fn json_scalar_named_like_the_resource_is_a_field() {
        let e = &json(r#"{"customer": "x"}"#).entities[0];
        assert_eq!(e.fields, vec![("customer".to_owned(), text("x"))]);
    }

    #[test]
    fn json_languages() {
        let e = &json(r#"{"customer": {"name": [{"id": 1, "value": "Mug"}, {"id": "2", "value": "Tasse"}, {"id": 3}]}}"#)
            .entities[0];
        assert_eq!(
            field(e, "name"),
            &langs(&[("1", "Mug"), ("2", "Tasse"), ("3", "")])
        );
    }

    #[test]
    fn json_associations() {
        let e = &json(
            r#"{"customer": {"associations": {"groups": [{"id": 3}, {"id": "4", "x": true}], "tags": [], "cats": null, "ids": [7], "i18n": []}}}"#,
        )
        .entities[0];
        let mut assoc = e.associations.clone().unwrap();
        assoc.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(
            assoc,
            vec![
                InputAssoc {
                    name: "cats".into(),
                    items: vec![]
                },
                InputAssoc {
                    name: "groups".into(),
                    items: vec![pairs(&[("id", "3")]), pairs(&[("id", "4"), ("x", "1")])],
                },
                InputAssoc {
                    name: "ids".into(),
                    items: vec![pairs(&[("id", "7")])]
                },
                InputAssoc {
                    name: "tags".into(),
                    items: vec![]
                },
            ]
        );
        assert_eq!(json(r#"{"a": 1}"#).entities[0].associations, None);
        assert_eq!(
            json(r#"{"associations": null}"#).entities[0].associations,
            None
        );
        assert_eq!(
            json(r#"{"associations": {}}"#).entities[0].associations,
            Some(vec![])
        );
    }

    #[test]
    fn json_wrong_shapes() {
        assert_eq!(json_err(""), BodyError::Empty);
        assert_eq!(json_err("  \n"), BodyError::Empty);
        assert_eq!(json_err("[1, 2]"), BodyError::NotAnObject);
        assert_eq!(json_err("\"x\""), BodyError::NotAnObject);
        assert_eq!(json_err("42"), BodyError::NotAnObject);
        assert_eq!(json_err(r#"{"prestashop": 1}"#), BodyError::NotAnObject);
        assert_eq!(json_err(r#"{"customers": [1]}"#), BodyError::NotAnObject);
        assert_eq!(json_err(r#"{"associations": [1]}"#), BodyError::NotAnObject);
        assert_eq!(
            json_err(r#"{"associations": {"g": 5}}"#),
            BodyError::NotAnObject
        );
        assert_eq!(
            json_err(r#"{"associations": {"g": [[1]]}}"#),
            BodyError::NotAnObject
        );
        assert!(matches!(json_err("{\"a\": "), BodyError::Malformed(_)));
        assert!(matches!(json_err("{\"a\": 1} x"), BodyError::Malformed(_)));
        assert!(matches!(json_err("{a: 1}"), BodyError::Malformed(_)));
    }

    #[test]
    fn json_depth_limit() {
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(40), "]".repeat(40));
        assert_eq!(json_err(&deep), BodyError::TooDeep);
        assert_eq!(json_err(&"[".repeat(100_000)), BodyError::TooDeep);
        let brackets_in_strings =
            format!("{{\"a\": \"{}\\\"{}\"}}", "[".repeat(100), "{".repeat(100));
        assert_eq!(json(&brackets_in_strings).entities.len(), 1);
    }
}
