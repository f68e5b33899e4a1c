//! Request body decoding for entity writes (POST, PUT, PATCH).
//!
//! A write body carries one or more entities. The XML form is PrestaShop's:
//! every child element of the root is one entity, every child of an entity is
//! a field, i18n fields hold `<language id="N">` children and an optional
//! `<associations>` element lists association items. A JSON form with the same
//! meaning is accepted as an extension.
//!
//! Decoding is purely syntactic: field, entity and association names are not
//! checked here, values are kept as the strings that were sent (whitespace
//! included) and the caller decides what they mean for the resource.
//!
//! The XML decoder is a pull parser that refuses any DOCTYPE (so no external
//! or custom entity can ever be expanded), resolves only the predefined
//! entities and numeric character references, and bounds the nesting depth.

use std::borrow::Cow;

use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

/// Deepest element (or JSON container) nesting accepted; the root counts as 1.
pub const MAX_DEPTH: usize = 32;

/// One request body, parsed. Every child element of the root is one entity
/// (names unchecked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputDoc {
    pub entities: Vec<InputEntity>,
}

/// One entity of a write body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputEntity {
    /// Element name as sent (namespace prefix removed), e.g. `customer`.
    pub element: String,
    /// Fields in document order; later duplicates are kept as sent.
    pub fields: Vec<(String, InputValue)>,
    /// `None` when the entity has no `<associations>` element.
    pub associations: Option<Vec<InputAssoc>>,
}

/// The value of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputValue {
    /// Concatenated text, CDATA and references; whitespace is kept.
    Text(String),
    /// `(id attribute as sent, text)` for each `<language>` child.
    Langs(Vec<(String, String)>),
}

/// One association of an entity: an empty `items` list clears the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputAssoc {
    pub name: String,
    /// Each item maps its sub-element names to their text, in document order.
    pub items: Vec<Vec<(String, String)>>,
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("empty body")]
    Empty,
    #[error("{0}")]
    Malformed(String),
    #[error("DOCTYPE declarations are not accepted")]
    DocType,
    #[error("document nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("JSON body does not have the shape of an entity object")]
    NotAnObject,
}

fn malformed(message: impl Into<String>) -> BodyError {
    BodyError::Malformed(message.into())
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(UTF8_BOM).unwrap_or(body)
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_blank_bytes(body: &[u8]) -> bool {
    body.iter().all(|&b| is_xml_space(char::from(b)))
}

/// Characters allowed in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

// ---------------------------------------------------------------------------
// XML: event source
// ---------------------------------------------------------------------------

/// A start tag reduced to what the decoder needs.
struct Tag {
    /// Local name (namespace prefix removed), case kept.
    name: String,
    /// Value of an unprefixed `id` attribute, if any.
    id: Option<String>,
}

/// A piece of character data.
struct Text {
    text: String,
    /// Literal whitespace only (not CDATA, not a reference).
    blank: bool,
}

/// The simplified events the decoder works with.
enum Item {
    Open(Tag),
    Text(Text),
    Close,
    Eof,
}

/// Wraps the quick-xml pull reader: skips comments and processing
/// instructions, refuses DOCTYPEs, resolves references, tracks the open
/// elements (depth limit, unclosed elements at end of input).
struct XmlEvents<'a> {
    reader: Reader<&'a [u8]>,
    open: Vec<String>,
    pending_close: bool,
    root_seen: bool,
    decl_seen: bool,
}

impl<'a> XmlEvents<'a> {
    fn new(body: &'a [u8]) -> Self {
        let mut reader = Reader::from_reader(body);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.allow_unmatched_ends = false;
        config.allow_dangling_amp = false;
        config.check_comments = true;
        config.expand_empty_elements = true;
        config.trim_text(false);
        XmlEvents {
            reader,
            open: Vec::new(),
            pending_close: false,
            root_seen: false,
            decl_seen: false,
        }
    }

    fn next(&mut self) -> Result<Item, BodyError> {
        if self.pending_close {
            self.pending_close = false;
            self.open.pop();
            return Ok(Item::Close);
        }
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(err) => return Err(self.reader_error(&err)),
            };
            match event {
                Event::Start(start) => return self.open_tag(&start),
                Event::Empty(start) => {
                    let item = self.open_tag(&start)?;
                    self.pending_close = true;
                    return Ok(item);
                }
                Event::End(_) => {
                    self.open.pop();
                    return Ok(Item::Close);
                }
                Event::Text(text) => {
                    let text = checked_text(text.xml10_content())?;
                    let blank = text.chars().all(is_xml_space);
                    return Ok(Item::Text(Text { text, blank }));
                }
                Event::CData(cdata) => {
                    let text = checked_text(cdata.xml10_content())?;
                    return Ok(Item::Text(Text { text, blank: false }));
                }
                Event::GeneralRef(reference) => {
                    let text = resolve_reference(&reference)?;
                    return Ok(Item::Text(Text { text, blank: false }));
                }
                Event::DocType(_) => return Err(BodyError::DocType),
                Event::Decl(_) => self.accept_decl()?,
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return self.end_of_input(),
            }
        }
    }

    fn open_tag(&mut self, start: &BytesStart<'_>) -> Result<Item, BodyError> {
        if self.open.len() >= MAX_DEPTH {
            return Err(BodyError::TooDeep);
        }
        let name = utf8_name(start.local_name().into_inner())?;
        let id = id_attribute(start)?;
        self.open
            .push(String::from_utf8_lossy(start.name().as_ref()).into_owned());
        self.root_seen = true;
        Ok(Item::Open(Tag { name, id }))
    }

    fn accept_decl(&mut self) -> Result<(), BodyError> {
        if self.root_seen || self.decl_seen {
            return Err(malformed(
                "XML declaration allowed only at the start of the document",
            ));
        }
        self.decl_seen = true;
        Ok(())
    }

    fn end_of_input(&self) -> Result<Item, BodyError> {
        match self.open.last() {
            None => Ok(Item::Eof),
            Some(name) => {
                let err = XmlError::IllFormed(IllFormedError::MissingEndTag(name.clone()));
                Err(malformed(err.to_string()))
            }
        }
    }

    fn reader_error(&self, err: &XmlError) -> BodyError {
        if matches!(err, XmlError::Syntax(SyntaxError::UnclosedDoctype)) {
            return BodyError::DocType;
        }
        malformed(format!("{err} (at byte {})", self.reader.error_position()))
    }
}

fn utf8_name(bytes: &[u8]) -> Result<String, BodyError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| malformed("element name is not valid UTF-8"))
}

/// Validates every attribute of a tag and returns the `id` one.
fn id_attribute(start: &BytesStart<'_>) -> Result<Option<String>, BodyError> {
    let mut id = None;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| malformed(XmlError::from(err).to_string()))?;
        let value = attribute
            .unescape_value()
            .map_err(|err| malformed(err.to_string()))?;
        if attribute.key.as_ref() == b"id" {
            id = Some(checked_chars(value.into_owned())?);
        }
    }
    Ok(id)
}

fn checked_text<E: std::fmt::Display>(
    decoded: Result<Cow<'_, str>, E>,
) -> Result<String, BodyError> {
    let text = decoded.map_err(|err| malformed(err.to_string()))?;
    checked_chars(text.into_owned())
}

fn checked_chars(text: String) -> Result<String, BodyError> {
    match text.chars().find(|&c| !is_xml_char(c)) {
        None => Ok(text),
        Some(c) => Err(malformed(format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(c)
        ))),
    }
}

/// Resolves `&name;` (predefined entities only) and `&#N;` / `&#xN;`.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<String, BodyError> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => checked_chars(c.to_string()),
            Ok(None) => Err(malformed("invalid character reference")),
            Err(err) => Err(malformed(err.to_string())),
        };
    }
    let name = reference
        .decode()
        .map_err(|err| malformed(err.to_string()))?;
    match resolve_predefined_entity(&name) {
        Some(text) => Ok(text.to_owned()),
        None => Err(malformed(format!(
            "unknown entity `&{name};` (only the predefined XML entities are allowed)"
        ))),
    }
}

// ---------------------------------------------------------------------------
// XML: document structure
// ---------------------------------------------------------------------------

/// Decodes an XML write body (a leading `xml=` form prefix must already be
/// stripped by the caller). A UTF-8 byte-order mark is skipped; the body is
/// read as UTF-8 whatever its declaration says.
///
/// # Errors
///
/// [`BodyError::Empty`] for an empty or whitespace-only body,
/// [`BodyError::DocType`] for any DOCTYPE, [`BodyError::TooDeep`] beyond
/// [`MAX_DEPTH`] levels, [`BodyError::Malformed`] for anything else that is
/// not a well-formed document (unknown entities included).
pub fn parse_xml(body: &[u8]) -> Result<InputDoc, BodyError> {
    let body = strip_bom(body);
    if is_blank_bytes(body) {
        return Err(BodyError::Empty);
    }
    let mut events = XmlEvents::new(body);
    read_prolog(&mut events)?;
    let entities = read_entities(&mut events)?;
    read_epilogue(&mut events)?;
    Ok(InputDoc { entities })
}

/// Everything up to and including the root start tag.
fn read_prolog(events: &mut XmlEvents<'_>) -> Result<(), BodyError> {
    loop {
        match events.next()? {
            Item::Open(_) => return Ok(()),
            Item::Text(text) if text.blank => {}
            Item::Text(_) => return Err(malformed("text before the root element")),
            Item::Close => return Err(malformed("end tag before the root element")),
            Item::Eof => return Err(malformed("no root element")),
        }
    }
}

/// Everything after the root end tag: only whitespace, comments and PIs.
fn read_epilogue(events: &mut XmlEvents<'_>) -> Result<(), BodyError> {
    loop {
        match events.next()? {
            Item::Eof => return Ok(()),
            Item::Text(text) if text.blank => {}
            _ => return Err(malformed("content after the root element")),
        }
    }
}

/// Walks the children of the element just opened, up to its end tag.
fn read_children<T, O>(
    events: &mut XmlEvents<'_>,
    mut on_text: T,
    mut on_open: O,
) -> Result<(), BodyError>
where
    T: FnMut(Text),
    O: FnMut(&mut XmlEvents<'_>, Tag) -> Result<(), BodyError>,
{
    loop {
        match events.next()? {
            Item::Open(tag) => on_open(events, tag)?,
            Item::Text(text) => on_text(text),
            Item::Close => return Ok(()),
            Item::Eof => return Err(malformed("unexpected end of document")),
        }
    }
}

fn ignore_text(_: Text) {}

fn skip_element(events: &mut XmlEvents<'_>) -> Result<(), BodyError> {
    read_children(events, ignore_text, |events, _| skip_element(events))
}

/// The direct text of an element; child elements are skipped.
fn read_text(events: &mut XmlEvents<'_>) -> Result<String, BodyError> {
    let mut out = String::new();
    read_children(
        events,
        |text| out.push_str(&text.text),
        |events, _| skip_element(events),
    )?;
    Ok(out)
}

fn read_entities(events: &mut XmlEvents<'_>) -> Result<Vec<InputEntity>, BodyError> {
    let mut entities = Vec::new();
    read_children(events, ignore_text, |events, tag| {
        entities.push(read_entity(events, tag.name)?);
        Ok(())
    })?;
    Ok(entities)
}

fn read_entity(events: &mut XmlEvents<'_>, element: String) -> Result<InputEntity, BodyError> {
    let mut fields = Vec::new();
    let mut associations: Option<Vec<InputAssoc>> = None;
    read_children(events, ignore_text, |events, tag| {
        if tag.name == "associations" {
            let list = read_associations(events)?;
            associations.get_or_insert_with(Vec::new).extend(list);
        } else if let Some(value) = read_field(events)? {
            fields.push((tag.name, value));
        }
        Ok(())
    })?;
    Ok(InputEntity {
        element,
        fields,
        associations,
    })
}

/// A field: `<language>` children win; other child elements make the field
/// an unknown shape (ignored, `None`); otherwise its text.
fn read_field(events: &mut XmlEvents<'_>) -> Result<Option<InputValue>, BodyError> {
    let mut text = String::new();
    let mut langs = Vec::new();
    let mut other_children = false;
    read_children(
        events,
        |piece| text.push_str(&piece.text),
        |events, tag| {
            if tag.name == "language" {
                let value = read_text(events)?;
                langs.push((tag.id.unwrap_or_default(), value));
                Ok(())
            } else {
                other_children = true;
                skip_element(events)
            }
        },
    )?;
    Ok(if !langs.is_empty() {
        Some(InputValue::Langs(langs))
    } else if other_children {
        None
    } else {
        Some(InputValue::Text(text))
    })
}

fn read_associations(events: &mut XmlEvents<'_>) -> Result<Vec<InputAssoc>, BodyError> {
    let mut list = Vec::new();
    read_children(events, ignore_text, |events, tag| {
        if tag.name == "i18n" {
            return skip_element(events);
        }
        let items = read_assoc_items(events)?;
        list.push(InputAssoc {
            name: tag.name,
            items,
        });
        Ok(())
    })?;
    Ok(list)
}

fn read_assoc_items(events: &mut XmlEvents<'_>) -> Result<Vec<Vec<(String, String)>>, BodyError> {
    let mut items = Vec::new();
    read_children(events, ignore_text, |events, _| {
        items.push(read_assoc_item(events)?);
        Ok(())
    })?;
    Ok(items)
}

fn read_assoc_item(events: &mut XmlEvents<'_>) -> Result<Vec<(String, String)>, BodyError> {
    let mut pairs = Vec::new();
    read_children(events, ignore_text, |events, tag| {
        pairs.push((tag.name, read_text(events)?));
        Ok(())
    })?;
    Ok(pairs)
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn xml(body: &str) -> InputDoc {
        parse_xml(body.as_bytes()).unwrap()
    }

    fn xml_err(body: &str) -> BodyError {
        parse_xml(body.as_bytes()).unwrap_err()
    }

    fn one(body: &str) -> InputEntity {
        let mut doc = xml(body);
        assert_eq!(doc.entities.len(), 1, "{body}");
        doc.entities.remove(0)
    }

    fn field<'e>(entity: &'e InputEntity, name: &str) -> &'e InputValue {
        &entity.fields.iter().find(|(n, _)| n == name).unwrap().1
    }

    fn text(value: &str) -> InputValue {
        InputValue::Text(value.to_owned())
    }

    fn langs(pairs: &[(&str, &str)]) -> InputValue {
        InputValue::Langs(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    const FULL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">
  <customer>
    <id><![CDATA[5]]></id>
    <firstname>John</firstname>
    <name><language id="1" xlink:href="http://x/api/languages/1"><![CDATA[Mug]]></language><language id="2">Tasse</language></name>
    <associations>
      <groups nodeType="group" api="groups"><group xlink:href="http://x/api/groups/3"><id><![CDATA[3]]></id></group></groups>
    </associations>
  </customer>
  <customer>
    <firstname>Jane</firstname>
  </customer>
</prestashop>"#;

    #[test]
    fn full_document() {
        let doc = xml(FULL);
        assert_eq!(doc.entities.len(), 2);
        let first = &doc.entities[0];
        assert_eq!(first.element, "customer");
        assert_eq!(
            first.fields,
            vec![
                ("id".to_owned(), text("5")),
                ("firstname".to_owned(), text("John")),
                ("name".to_owned(), langs(&[("1", "Mug"), ("2", "Tasse")])),
            ]
        );
        assert_eq!(
            first.associations,
            Some(vec![InputAssoc {
                name: "groups".into(),
                items: vec![pairs(&[("id", "3")])],
            }])
        );
        let second = &doc.entities[1];
        assert_eq!(second.fields, vec![("firstname".to_owned(), text("Jane"))]);
        assert_eq!(second.associations, None);
    }

    #[test]
    fn cdata_and_plain_text() {
        let e = one("<p><c><a><![CDATA[x < y & z]]></a><b>plain</b></c></p>");
        assert_eq!(field(&e, "a"), &text("x < y & z"));
        assert_eq!(field(&e, "b"), &text("plain"));
    }

    #[test]
    fn entity_references_are_resolved_in_place() {
        let e = one("<p><c><a>a &amp; b</a><b>&lt;&gt;&quot;&apos;</b>\
             <d>caf&#233; &#x41;<![CDATA[!]]>&amp;</d></c></p>");
        assert_eq!(field(&e, "a"), &text("a & b"));
        assert_eq!(field(&e, "b"), &text("<>\"'"));
        assert_eq!(field(&e, "d"), &text("café A!&"));
    }

    #[test]
    fn whitespace_is_kept() {
        let e = one("<p><c><id>\n 5\n</id><b> </b><d></d><f/></c></p>");
        assert_eq!(field(&e, "id"), &text("\n 5\n"));
        assert_eq!(field(&e, "b"), &text(" "));
        assert_eq!(field(&e, "d"), &text(""));
        assert_eq!(field(&e, "f"), &text(""));
    }

    #[test]
    fn line_ends_are_normalised() {
        let e = one("<p><c><a>x\r\ny\rz&#13;</a></c></p>");
        assert_eq!(field(&e, "a"), &text("x\ny\nz\r"));
    }

    #[test]
    fn duplicates_are_kept_in_order() {
        let e = one("<p><c><a>1</a><b>2</b><a>3</a></c></p>");
        assert_eq!(
            e.fields,
            vec![
                ("a".to_owned(), text("1")),
                ("b".to_owned(), text("2")),
                ("a".to_owned(), text("3")),
            ]
        );
    }

    #[test]
    fn names_are_case_sensitive() {
        let e = one("<p><c><FirstName>x</FirstName></c></p>");
        assert_eq!(e.fields[0].0, "FirstName");
    }

    #[test]
    fn language_lists() {
        let e = one("<p><c><name>\n  <language id=\"1\">A</language>\n  \
             <language>B</language><language id=\"x\"/>\
             <language id=\"2\"> c <b>skipped</b>d</language></name></c></p>");
        assert_eq!(
            field(&e, "name"),
            &langs(&[("1", "A"), ("", "B"), ("x", ""), ("2", " c d")])
        );
    }

    #[test]
    fn language_id_attribute_is_unescaped() {
        let e = one("<p><c><n><language id=\"&#49;\">A</language></n></c></p>");
        assert_eq!(field(&e, "n"), &langs(&[("1", "A")]));
    }

    #[test]
    fn field_with_other_children_is_ignored() {
        let e = one(
            "<p><c><a><x>1</x></a><b>t<x/></b><n><language id=\"1\">A</language><x/></n></c></p>",
        );
        assert_eq!(e.fields, vec![("n".to_owned(), langs(&[("1", "A")]))]);
    }

    #[test]
    fn associations_present() {
        let e = one(
            "<p><c><associations>\
               <categories><category><id>2</id></category><category><id>5</id></category></categories>\
               <product_features><product_feature><id>1</id><id_feature_value>7</id_feature_value></product_feature></product_features>\
               <i18n><x>1</x></i18n>\
             </associations></c></p>",
        );
        let assoc = e.associations.unwrap();
        assert_eq!(assoc.len(), 2);
        assert_eq!(assoc[0].name, "categories");
        assert_eq!(
            assoc[0].items,
            vec![pairs(&[("id", "2")]), pairs(&[("id", "5")])]
        );
        assert_eq!(assoc[1].name, "product_features");
        assert_eq!(
            assoc[1].items,
            vec![pairs(&[("id", "1"), ("id_feature_value", "7")])]
        );
    }

    #[test]
    fn associations_empty_and_absent() {
        let e = one("<p><c><associations><groups/><tags>\n  </tags></associations></c></p>");
        let assoc = e.associations.unwrap();
        assert_eq!(assoc.len(), 2);
        assert!(assoc.iter().all(|a| a.items.is_empty()));

        let e = one("<p><c><associations/></c></p>");
        assert_eq!(e.associations, Some(vec![]));

        let e = one("<p><c><id>1</id></c></p>");
        assert_eq!(e.associations, None);
        assert!(e.fields.iter().all(|(n, _)| n != "associations"));
    }

    #[test]
    fn batch_of_two_entities() {
        let doc = xml(
            "<prestashop><address><id>1</id></address><address><id>2</id></address></prestashop>",
        );
        let ids: Vec<_> = doc
            .entities
            .iter()
            .map(|e| (e.element.as_str(), field(e, "id").clone()))
            .collect();
        assert_eq!(ids, vec![("address", text("1")), ("address", text("2"))]);
    }

    #[test]
    fn root_and_entity_names_are_unchecked() {
        let doc = xml("<anything><foo><a>1</a></foo><bar/></anything>");
        assert_eq!(doc.entities[0].element, "foo");
        assert_eq!(doc.entities[1].element, "bar");
        assert!(doc.entities[1].fields.is_empty());
    }

    #[test]
    fn root_without_children() {
        assert_eq!(xml("<prestashop/>").entities, vec![]);
        assert_eq!(
            xml("<?xml version=\"1.0\"?>\n<prestashop>\n  text\n</prestashop>\n").entities,
            vec![]
        );
    }

    #[test]
    fn xlink_and_other_attributes_are_ignored() {
        let e = one(
            "<prestashop xmlns:xlink=\"http://www.w3.org/1999/xlink\">\
             <product><id_category_default xlink:href=\"http://h/api/categories/2\" notFilterable=\"true\">2</id_category_default>\
             </product></prestashop>",
        );
        assert_eq!(field(&e, "id_category_default"), &text("2"));
    }

    #[test]
    fn namespace_prefixes_are_ignored() {
        let e = one(
            "<ps:prestashop xmlns:ps=\"urn:x\"><ps:customer><ps:firstname>J</ps:firstname>\
             <ps:name><ps:language id=\"1\">N</ps:language></ps:name>\
             <ps:associations><ps:groups><ps:group><ps:id>3</ps:id></ps:group></ps:groups></ps:associations>\
             </ps:customer></ps:prestashop>",
        );
        assert_eq!(e.element, "customer");
        assert_eq!(field(&e, "firstname"), &text("J"));
        assert_eq!(field(&e, "name"), &langs(&[("1", "N")]));
        let assoc = e.associations.unwrap();
        assert_eq!(assoc[0].name, "groups");
        assert_eq!(assoc[0].items, vec![pairs(&[("id", "3")])]);
    }

    #[test]
    fn prefixed_id_attribute_is_not_the_language_id() {
        let e = one("<p><c><n><language x:id=\"9\">A</language></n></c></p>");
        assert_eq!(field(&e, "n"), &langs(&[("", "A")]));
    }

    #[test]
    fn comments_pis_and_bom_are_skipped() {
        let body = "\u{FEFF}<?xml version=\"1.0\"?><!-- c --><?pi x?><p><!--x--><c><a>1<!-- y -->2</a></c></p><!-- end -->\n";
        let e = one(body);
        assert_eq!(field(&e, "a"), &text("12"));
    }

    #[test]
    fn client_style_bodies() {
        // prestapyt: no CDATA, no xlink namespace, no whitespace.
        let e = one("<?xml version=\"1.0\" encoding=\"UTF-8\"?><prestashop><customer><firstname>A</firstname><lastname>B</lastname></customer></prestashop>");
        assert_eq!(e.fields.len(), 2);
        // Pretty-printed with declaration preceded by whitespace.
        let e = one("\n  <?xml version=\"1.0\"?>\n<prestashop>\n <customer>\n  <firstname>A</firstname>\n </customer>\n</prestashop>\n");
        assert_eq!(field(&e, "firstname"), &text("A"));
    }

    #[test]
    fn empty_inputs() {
        assert_eq!(parse_xml(b""), Err(BodyError::Empty));
        assert_eq!(parse_xml(b" \r\n\t "), Err(BodyError::Empty));
        assert_eq!(parse_xml(b"\xEF\xBB\xBF"), Err(BodyError::Empty));
        assert!(matches!(
            xml_err("<?xml version=\"1.0\"?>"),
            BodyError::Malformed(_)
        ));
        assert!(matches!(xml_err("<!-- only -->"), BodyError::Malformed(_)));
    }

    #[test]
    fn doctype_is_rejected() {
        assert_eq!(
            xml_err("<!DOCTYPE p SYSTEM \"file:///etc/passwd\"><p/>"),
            BodyError::DocType
        );
        assert_eq!(
            xml_err("<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><p><c><a>&x;</a></c></p>"),
            BodyError::DocType
        );
        assert_eq!(
            xml_err("<!DOCTYPE p [ <!ENTITY x \"y\""),
            BodyError::DocType
        );
        assert_eq!(xml_err("<p><!DOCTYPE p><c/></p>"), BodyError::DocType);
    }

    #[test]
    fn billion_laughs_is_rejected() {
        let mut body =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let prev = if i == 1 {
                "lol".to_owned()
            } else {
                format!("lol{}", i - 1)
            };
            let refs = format!("&{prev};").repeat(10);
            let _ = writeln!(body, " <!ENTITY lol{i} \"{refs}\">");
        }
        body.push_str("]>\n<lolz><c><a>&lol9;</a></c></lolz>");
        assert_eq!(xml_err(&body), BodyError::DocType);
    }

    #[test]
    fn unknown_entity_is_malformed() {
        let err = xml_err("<p><c><a>&foo;</a></c></p>");
        assert!(
            matches!(&err, BodyError::Malformed(m) if m.contains("&foo;")),
            "{err:?}"
        );
        assert!(matches!(
            xml_err("<p><c><a>&#0;</a></c></p>"),
            BodyError::Malformed(_)
        ));
        assert!(matches!(
            xml_err("<p><c><a>&#1;</a></c></p>"),
            BodyError::Malformed(_)
        ));
        assert!(matches!(
            xml_err("<p><c><a>&#xD800;</a></c></p>"),
            BodyError::Malformed(_)
        ));
        assert!(matches!(
            xml_err("<p><c><a>a & b</a></c></p>"),
            BodyError::Malformed(_)
        ));
        assert!(matches!(
            xml_err("<p><c><a>\u{1}</a></c></p>"),
            BodyError::Malformed(_)
        ));
        assert!(matches!(
            xml_err("<p><c><n><language id=\"&foo;\">x</language></n></c></p>"),
            BodyError::Malformed(_)
        ));
    }

    #[test]
    fn malformed_and_truncated() {
        let cases = [
            "<p><c><a>1</b></c></p>",
            "<p><c><a>1</a></c>",
            "<p><c><a>1</a",
            "<p><c><a>1",
            "<p><c><a><![CDATA[1</a></c></p>",
            "<p><c><a attr=\"x>1</a></c></p>",
            "<p><c><a x=\"1\" x=\"2\">1</a></c></p>",
            "<p><c><a>1</a></c></p></p>",
            "<p/><q/>",
            "<p/>trailing",
            "<p/>&amp;",
            "text<p/>",
            "{\"customer\":{}}",
            "<p><c><a>1</a></c></p><?xml version=\"1.0\"?>",
            "<p><!-- a -- b --></p>",
            "</p>",
        ];
        for case in cases {
            let err = xml_err(case);
            assert!(matches!(err, BodyError::Malformed(_)), "{case}: {err:?}");
        }
        let BodyError::Malformed(message) = xml_err("<p><c><a>1</b></c></p>") else {
            panic!("expected Malformed");
        };
        assert!(
            message.contains("</a>") && message.contains("</b>"),
            "{message}"
        );
        let BodyError::Malformed(message) = xml_err("<p><c>") else {
            panic!("expected Malformed");
        };
        assert!(message.contains("</c>"), "{message}");
    }

    #[test]
    fn invalid_utf8_is_malformed() {
        let err = parse_xml(b"<p><c><a>\xFF\xFE</a></c></p>").unwrap_err();
        assert!(matches!(err, BodyError::Malformed(_)));
        let err = parse_xml(b"<p><c><\xFF>1</\xFF></c></p>").unwrap_err();
        assert!(matches!(err, BodyError::Malformed(_)));
    }

    #[test]
    fn depth_limit() {
        let nested = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse_xml(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            parse_xml(nested(MAX_DEPTH + 1).as_bytes()),
            Err(BodyError::TooDeep)
        );
        assert_eq!(
            parse_xml("<a>".repeat(100_000).as_bytes()),
            Err(BodyError::TooDeep)
        );
        let empties = format!(
            "{}<b/>{}",
            "<a>".repeat(MAX_DEPTH),
            "</a>".repeat(MAX_DEPTH)
        );
        assert_eq!(parse_xml(empties.as_bytes()), Err(BodyError::TooDeep));
    }

    #[test]
    fn error_messages_are_displayable() {
        assert_eq!(BodyError::Malformed("m".into()).to_string(), "m");
        assert!(BodyError::TooDeep.to_string().contains("32"));
        assert!(!BodyError::DocType.to_string().is_empty());
        assert!(!BodyError::Empty.to_string().is_empty());
        assert!(!BodyError::NotAnObject.to_string().is_empty());
    }

    // --- never panics -------------------------------------------------------

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
        }
    }

    const ALPHABET: &[u8] =
        b"<>/!?&#;[]=\"' \n\tabcxil:-CDATAOCTYPEENTITYlanguageid0123456789\xC3\xA9\xFF\x00";

    fn random_bytes(rng: &mut XorShift) -> Vec<u8> {
        let len = rng.below(80);
        (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect()
    }

    fn mutate(rng: &mut XorShift, base: &[u8]) -> Vec<u8> {
        let mut out = base.to_vec();
        for _ in 0..=rng.below(4) {
            let at = rng.below(out.len() + 1);
            match rng.below(5) {
                0 => out.truncate(at),
                1 => out.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
                2 if at < out.len() => {
                    out.remove(at);
                }
                3 => {
                    let end = (at + rng.below(20)).min(out.len());
                    let chunk = out[at..end].to_vec();
                    let to = rng.below(out.len() + 1);
                    out.splice(to..to, chunk);
                }
                _ if at < out.len() => out[at] = ALPHABET[rng.below(ALPHABET.len())],
                _ => {}
            }
        }
        out
    }

    #[test]
    fn never_panics_on_random_input() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let bases: [&[u8]; 3] = [
            FULL.as_bytes(),
            b"<p><c><a>x &amp; &#233;</a><n><language id=\"1\">A</language></n><associations><g/></associations></c></p>",
            b"<!DOCTYPE p [<!ENTITY e \"x\">]><p><c><a>&e;</a></c></p>",
        ];
        let mut ok = 0;
        for case in 0..6000 {
            let input = if case % 3 == 0 {
                random_bytes(&mut rng)
            } else {
                let base = bases[rng.below(bases.len())];
                mutate(&mut rng, base)
            };
            if parse_xml(&input).is_ok() {
                ok += 1;
            }
            let _ = parse_json(&input, "customer", "customers");
        }
        assert!(ok > 0, "some mutated documents should still parse");
    }

    // --- JSON --------------------------------------------------------------

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
