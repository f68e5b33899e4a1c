//! XML write bodies: [`parse_xml`] walks the document structure (root, entities, fields,
//! `<language>` lists, `<associations>`) over the events of [`super::xml_events`].

use super::xml_events::{Item, Tag, Text, XmlEvents};
use super::{
    is_blank_bytes, malformed, strip_bom, BodyError, InputAssoc, InputDoc, InputEntity, InputValue,
};

/// Decodes an XML write body (a leading `xml=` form prefix must already be
/// stripped by the caller). A UTF-8 byte-order mark is skipped; the body is
/// read as UTF-8 whatever its declaration says.
///
/// # Errors
///
/// [`BodyError::Empty`] for an empty or whitespace-only body,
/// [`BodyError::DocType`] for any DOCTYPE, [`BodyError::TooDeep`] beyond
/// [`MAX_DEPTH`](super::MAX_DEPTH) levels, [`BodyError::Malformed`] for anything else that is
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

#[cfg(test)]
mod tests {
    use super::super::tests::{field, langs, one, pairs, text, xml, xml_err, FULL};
    use super::*;

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
    fn whitespace_is_kept() {
        let e = one("<p><c><id>\n 5\n</id><b> </b><d></d><f/></c></p>");
        assert_eq!(field(&e, "id"), &text("\n 5\n"));
        assert_eq!(field(&e, "b"), &text(" "));
        assert_eq!(field(&e, "d"), &text(""));
        assert_eq!(field(&e, "f"), &text(""));
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
}
