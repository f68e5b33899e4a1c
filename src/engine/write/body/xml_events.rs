//! The XML event source under [`parse_xml`](super::parse_xml): a wrapper around quick-xml's
//! pull reader that refuses DOCTYPEs, resolves only predefined entities and character
//! references, checks characters and bounds the nesting depth, and hands the document
//! structure simplified events (open, text, close, end of input).

use std::borrow::Cow;

use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use super::{is_xml_space, malformed, BodyError, MAX_DEPTH};

/// Characters allowed in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// A start tag reduced to what the decoder needs.
pub(super) struct Tag {
    /// Local name (namespace prefix removed), case kept.
    pub(super) name: String,
    /// Value of an unprefixed `id` attribute, if any.
    pub(super) id: Option<String>,
}

/// A piece of character data.
pub(super) struct Text {
    pub(super) text: String,
    /// Literal whitespace only (not CDATA, not a reference).
    pub(super) blank: bool,
}

/// The simplified events the decoder works with.
pub(super) enum Item {
    Open(Tag),
    Text(Text),
    Close,
    Eof,
}

/// Wraps the quick-xml pull reader: skips comments and processing
/// instructions, refuses DOCTYPEs, resolves references, tracks the open
/// elements (depth limit, unclosed elements at end of input).
pub(super) struct XmlEvents<'a> {
    reader: Reader<&'a [u8]>,
    open: Vec<String>,
    pending_close: bool,
    root_seen: bool,
    decl_seen: bool,
}

impl<'a> XmlEvents<'a> {
    pub(super) fn new(body: &'a [u8]) -> Self {
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

    pub(super) fn next(&mut self) -> Result<Item, BodyError> {
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

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::super::tests::{field, langs, one, pairs, text, xml_err};
    use super::super::{parse_xml, BodyError, MAX_DEPTH};

    #[test]
    fn entity_references_are_resolved_in_place() {
        let e = one("<p><c><a>a &amp; b</a><b>&lt;&gt;&quot;&apos;</b>\
             <d>caf&#233; &#x41;<![CDATA[!]]>&amp;</d></c></p>");
        assert_eq!(field(&e, "a"), &text("a & b"));
        assert_eq!(field(&e, "b"), &text("<>\"'"));
        assert_eq!(field(&e, "d"), &text("café A!&"));
    }

    #[test]
    fn line_ends_are_normalised() {
        let e = one("<p><c><a>x\r\ny\rz&#13;</a></c></p>");
        assert_eq!(field(&e, "a"), &text("x\ny\nz\r"));
    }

    #[test]
    fn language_id_attribute_is_unescaped() {
        let e = one("<p><c><n><language id=\"&#49;\">A</language></n></c></p>");
        assert_eq!(field(&e, "n"), &langs(&[("1", "A")]));
    }

    #[test]
    fn prefixed_id_attribute_is_not_the_language_id() {
        let e = one("<p><c><n><language x:id=\"9\">A</language></n></c></p>");
        assert_eq!(field(&e, "n"), &langs(&[("", "A")]));
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
    fn comments_pis_and_bom_are_skipped() {
        let body = "\u{FEFF}<?xml version=\"1.0\"?><!-- c --><?pi x?><p><!--x--><c><a>1<!-- y -->2</a></c></p><!-- end -->\n";
        let e = one(body);
        assert_eq!(field(&e, "a"), &text("12"));
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
}
