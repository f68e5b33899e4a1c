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
//!
//! This file holds the decoded types, [`BodyError`] and the helpers both forms share;
//! `xml_events` is the XML event source, `xml` the XML document structure and `json` the
//! JSON form.

mod json;
#[cfg(test)]
mod props;
mod xml;
mod xml_events;

pub use json::parse_json;
pub use xml::parse_xml;

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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn xml(body: &str) -> InputDoc {
        parse_xml(body.as_bytes()).unwrap()
    }

    pub(super) fn xml_err(body: &str) -> BodyError {
        parse_xml(body.as_bytes()).unwrap_err()
    }

    pub(super) fn one(body: &str) -> InputEntity {
        let mut doc = xml(body);
        assert_eq!(doc.entities.len(), 1, "{body}");
        doc.entities.remove(0)
    }

    pub(super) fn field<'e>(entity: &'e InputEntity, name: &str) -> &'e InputValue {
        &entity.fields.iter().find(|(n, _)| n == name).unwrap().1
    }

    pub(super) fn text(value: &str) -> InputValue {
        InputValue::Text(value.to_owned())
    }

    pub(super) fn langs(pairs: &[(&str, &str)]) -> InputValue {
        InputValue::Langs(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    pub(super) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    pub(super) const FULL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
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
}
