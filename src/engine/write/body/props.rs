//! Property tests of the body decoders: any bytes end in a document or an error (never a
//! panic), documents written by the rules decode to exactly what was written whatever the
//! escaping, and nesting is refused past [`MAX_DEPTH`] before any parser recurses.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::MAX_DEPTH;
use super::{parse_json, parse_xml, BodyError, InputAssoc, InputDoc, InputEntity, InputValue};

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(500)
}

fn xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// What any decoded document must satisfy.
fn check_doc(doc: &InputDoc) -> Result<(), TestCaseError> {
    let text_ok = |s: &str| s.chars().all(xml_char);
    for e in &doc.entities {
        prop_assert!(!e.element.is_empty());
        for (name, value) in &e.fields {
            prop_assert!(!name.is_empty());
            match value {
                InputValue::Text(t) => prop_assert!(text_ok(t), "{t:?}"),
                InputValue::Langs(l) => {
                    for (id, t) in l {
                        prop_assert!(text_ok(id) && text_ok(t), "{id:?} {t:?}");
                    }
                }
            }
        }
        for a in e.associations.iter().flatten() {
            prop_assert!(!a.name.is_empty() && a.name != "i18n");
            for (k, v) in a.items.iter().flatten() {
                prop_assert!(!k.is_empty() && text_ok(v), "{k:?} {v:?}");
            }
        }
    }
    Ok(())
}

/// Pieces of real and broken XML: markup, references of every kind, invalid UTF-8.
const XML_TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"<p>",
    b"</p>",
    b"<c>",
    b"</c>",
    b"<a>",
    b"</a>",
    b"<language id=\"1\">",
    b"<language id=\"&#49;\">",
    b"</language>",
    b"<associations>",
    b"</associations>",
    b"<groups>",
    b"</groups>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version=\"1.0\"?>",
    b"<?pi x?>",
    b"<!DOCTYPE p [<!ENTITY e \"x\">]>",
    b"<!DOCTYPE p SYSTEM \"file:///etc/passwd\">",
    b"<!ENTITY",
    b"&amp;",
    b"&lt;",
    b"&quot;",
    b"&#233;",
    b"&#x41;",
    b"&#x0;",
    b"&#0;",
    b"&#1114112;",
    b"&#x110000;",
    b"&#xD800;",
    b"&#99999999999999999999;",
    b"&#xFFFFFFFFFFFFFFFFFF;",
    b"&#;",
    b"&#x;",
    b"&e;",
    b"&",
    b";",
    b"#",
    b"\xC3",
    b"\xA9",
    b"\xFF",
    b"\xEF\xBB\xBF",
    b"\x00",
    b"\x0B",
    b"x",
    b" ",
    b"\r\n",
    b"=",
    b"\"",
    b"'",
    b"id",
    b" id=\"2\"",
    b" id='3'",
    b" id=\"&e;\"",
    b" id=\"<\"",
    b" xmlns:a=\"u\"",
    b"a:",
    b"<a:c>",
    b"</a:c>",
    b"\xE2\x80\xA8",
];

fn xml_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(XML_TOKENS), 0..64).prop_map(|t| t.concat())
}

const JSON_TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\",
    b"\\\"",
    b"\\u0000",
    b"\\ud800",
    b":",
    b",",
    b" ",
    b"1",
    b"-0",
    b"1e999",
    b"123456789012345678901234567890",
    b"null",
    b"true",
    b"false",
    b"\"prestashop\"",
    b"\"customer\"",
    b"\"customers\"",
    b"\"associations\"",
    b"\"id\"",
    b"\"value\"",
    b"\"i18n\"",
    b"\"[\"",
    b"\"{\"",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\xC3",
];

fn json_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(JSON_TOKENS), 0..64).prop_map(|t| t.concat())
}

// --- documents written by the rules ------------------------------------------------------

/// A character a document may carry.
fn doc_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range(' ', '~'),
        1 => prop::sample::select(&['\t', '\n', '\r', '&', '<', '>', ']', '"', '\''][..]),
        1 => any::<char>().prop_filter("XML character", |c| xml_char(*c)),
    ]
}

fn doc_text() -> impl Strategy<Value = String> {
    prop::collection::vec(doc_char(), 0..16).prop_map(|v| v.into_iter().collect())
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}"
}

/// Writes `text` with a mix of escapes, character references, CDATA and comments chosen by
/// `modes`; what a conforming reader decodes is `text` again.
fn encode(text: &str, modes: &[u8], out: &mut String) {
    for (i, c) in text.chars().enumerate() {
        let mode = modes.get(i % modes.len().max(1)).copied().unwrap_or(0) % 5;
        // A literal CR is read as LF (XML line-end handling): written as a reference.
        let mode = if c == '\r' && mode != 2 { 1 } else { mode };
        match mode {
            1 => out.push_str(&format!("&#{};", u32::from(c))),
            2 => out.push_str(&format!("&#x{:X};", u32::from(c))),
            3 => out.push_str(&format!("<![CDATA[{c}]]>")),
            4 => {
                out.push_str("<!-- - -->");
                escape_into(c, out);
            }
            _ => escape_into(c, out),
        }
    }
}

fn escape_into(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }
}

fn attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

#[derive(Debug, Clone)]
enum GenField {
    Text(String),
    Langs(Vec<(String, String)>),
}

/// An association's items: sub-element names and texts.
type GenItems = Vec<Vec<(String, String)>>;

#[derive(Debug, Clone)]
struct GenEntity {
    element: String,
    fields: Vec<(String, GenField)>,
    assocs: Option<Vec<(String, GenItems)>>,
}

fn gen_field() -> impl Strategy<Value = GenField> {
    prop_oneof![
        3 => doc_text().prop_map(GenField::Text),
        1 => prop::collection::vec(("[0-9a-z &<>\"']{0,3}", doc_text()), 1..4)
            .prop_map(GenField::Langs),
    ]
}

fn gen_entity() -> impl Strategy<Value = GenEntity> {
    let field = (
        name().prop_filter("not associations", |n| n != "associations"),
        gen_field(),
    );
    let item = prop::collection::vec((name(), doc_text()), 0..3);
    let assoc = (
        name().prop_filter("not i18n", |n| n != "i18n"),
        prop::collection::vec(item, 0..3),
    );
    (
        name(),
        prop::collection::vec(field, 0..6),
        prop::option::of(prop::collection::vec(assoc, 0..3)),
    )
        .prop_map(|(element, fields, assocs)| GenEntity {
            element,
            fields,
            assocs,
        })
}

fn write_xml(entities: &[GenEntity], modes: &[u8], prolog: u8) -> String {
    let gap = ["", "\n  ", "\t", " <!-- c --> ", "<?pi x?>"][usize::from(prolog % 5)];
    let mut s = String::new();
    if prolog & 8 != 0 {
        s.push('\u{FEFF}');
    }
    if prolog & 16 != 0 {
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    s.push_str("<prestashop xmlns:xlink=\"http://www.w3.org/1999/xlink\">");
    for e in entities {
        s.push_str(gap);
        s.push_str(&format!("<{}>", e.element));
        for (n, f) in &e.fields {
            s.push_str(gap);
            match f {
                GenField::Text(t) if t.is_empty() && prolog & 32 != 0 => {
                    s.push_str(&format!("<{n}/>"));
                }
                GenField::Text(t) => {
                    s.push_str(&format!("<{n}>"));
                    encode(t, modes, &mut s);
                    s.push_str(&format!("</{n}>"));
                }
                GenField::Langs(l) => {
                    s.push_str(&format!("<{n}>"));
                    for (id, t) in l {
                        s.push_str(&format!("{gap}<language id=\"{}\">", attr(id)));
                        encode(t, modes, &mut s);
                        s.push_str("</language>");
                    }
                    s.push_str(&format!("{gap}</{n}>"));
                }
            }
        }
        if let Some(assocs) = &e.assocs {
            s.push_str("<associations>");
            for (a, items) in assocs {
                s.push_str(&format!("<{a} nodeType=\"x\">"));
                for item in items {
                    s.push_str(&format!("{gap}<item>"));
                    for (k, v) in item {
                        s.push_str(&format!("<{k}>"));
                        encode(v, modes, &mut s);
                        s.push_str(&format!("</{k}>"));
                    }
                    s.push_str("</item>");
                }
                s.push_str(&format!("</{a}>"));
            }
            s.push_str("</associations>");
        }
        s.push_str(&format!("</{}>", e.element));
    }
    s.push_str(gap);
    s.push_str("</prestashop>\n");
    s
}

fn expected(entities: &[GenEntity]) -> InputDoc {
    InputDoc {
        entities: entities
            .iter()
            .map(|e| InputEntity {
                element: e.element.clone(),
                fields: e
                    .fields
                    .iter()
                    .map(|(n, f)| {
                        let v = match f {
                            GenField::Text(t) => InputValue::Text(t.clone()),
                            GenField::Langs(l) => InputValue::Langs(l.clone()),
                        };
                        (n.clone(), v)
                    })
                    .collect(),
                associations: e.assocs.as_ref().map(|list| {
                    list.iter()
                        .map(|(name, items)| InputAssoc {
                            name: name.clone(),
                            items: items.clone(),
                        })
                        .collect()
                }),
            })
            .collect(),
    }
}

/// A JSON scalar and the text the decoder makes of it.
fn json_scalar() -> impl Strategy<Value = (Value, String)> {
    prop_oneof![
        doc_text().prop_map(|s| (json!(s), s)),
        any::<i64>().prop_map(|n| (json!(n), n.to_string())),
        any::<bool>().prop_map(|b| (json!(b), if b { "1" } else { "0" }.to_string())),
        Just((Value::Null, String::new())),
    ]
}

fn json_depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(json_depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(json_depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Object keys and strings full of what a careless nesting scan would count.
fn tricky() -> impl Strategy<Value = String> {
    "[\\[\\]{}\"\\\\a-z:,]{0,6}"
}

fn json_tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        tricky().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        Just(Value::Null),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((tricky(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_decode_or_fail(body in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(doc) = parse_xml(&body) {
            check_doc(&doc)?;
        }
        if let Ok(doc) = parse_json(&body, "customer", "customers") {
            check_doc_json(&doc)?;
        }
    }

    #[test]
    fn xml_soup_decodes_or_fails(body in xml_soup()) {
        if let Ok(doc) = parse_xml(&body) {
            check_doc(&doc)?;
        }
    }

    #[test]
    fn json_soup_decodes_or_fails(body in json_soup()) {
        if let Ok(doc) = parse_json(&body, "customer", "customers") {
            check_doc_json(&doc)?;
        }
    }

    #[test]
    fn written_xml_decodes_to_what_was_written(
        entities in prop::collection::vec(gen_entity(), 0..4),
        modes in prop::collection::vec(any::<u8>(), 1..8),
        prolog in any::<u8>(),
    ) {
        let body = write_xml(&entities, &modes, prolog);
        let doc = parse_xml(body.as_bytes());
        prop_assert_eq!(doc, Ok(expected(&entities)), "{}", body);
    }

    #[test]
    fn xml_nesting_is_bounded(n in 1usize..120, empty in any::<bool>()) {
        let body = if empty {
            format!("{}<x/>{}", "<a>".repeat(n - 1), "</a>".repeat(n - 1))
        } else {
            format!("{}x{}", "<a>".repeat(n), "</a>".repeat(n))
        };
        match parse_xml(body.as_bytes()) {
            Ok(_) => prop_assert!(n <= MAX_DEPTH),
            Err(BodyError::TooDeep) => prop_assert!(n > MAX_DEPTH),
            Err(e) => prop_assert!(false, "{n}: {e}"),
        }
    }

    #[test]
    fn json_entities_decode_to_what_was_sent(
        objects in prop::collection::vec(
            prop::collection::btree_map(
                name().prop_filter("not associations", |n| n != "associations"),
                json_scalar(),
                0..6,
            ),
            1..4,
        ),
        shape in 0u8..4,
    ) {
        let entity = |m: &std::collections::BTreeMap<String, (Value, String)>| {
            Value::Object(m.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect())
        };
        let list: Vec<Value> = objects.iter().map(entity).collect();
        let body = match shape {
            0 => json!({ "customer": list[0] }),
            1 => json!({ "customers": list }),
            2 => json!({ "prestashop": { "customers": list } }),
            _ => json!({ "prestashop": { "customer": list[0] } }),
        };
        let sent = if shape == 0 || shape == 3 { &objects[..1] } else { &objects[..] };
        let want = InputDoc {
            entities: sent
                .iter()
                .map(|m| InputEntity {
                    element: "customer".to_string(),
                    fields: m
                        .iter()
                        .map(|(k, (_, t))| (k.clone(), InputValue::Text(t.clone())))
                        .collect(),
                    associations: None,
                })
                .collect(),
        };
        let text = serde_json::to_vec(&body).expect("serialise");
        prop_assert_eq!(parse_json(&text, "customer", "customers"), Ok(want));
    }

    #[test]
    fn json_nesting_is_refused_past_the_limit_and_only_there(
        inner in json_tree(),
        wrappers in prop::collection::vec((any::<bool>(), tricky()), 0..160),
    ) {
        let mut v = inner;
        for (array, key) in wrappers {
            v = if array { json!([v]) } else { json!({ key: v }) };
        }
        let depth = json_depth(&v);
        let body = serde_json::to_vec(&v).expect("serialise");
        match parse_json(&body, "customer", "customers") {
            Err(BodyError::TooDeep) => prop_assert!(depth > MAX_DEPTH, "depth {depth}"),
            Err(BodyError::Malformed(m)) => prop_assert!(false, "valid JSON refused: {m}"),
            Ok(doc) => {
                prop_assert!(depth <= MAX_DEPTH);
                check_doc_json(&doc)?;
            }
            Err(_) => prop_assert!(depth <= MAX_DEPTH, "depth {depth}"),
        }
    }
}

/// JSON documents are not bound to XML's characters; names only must be there.
fn check_doc_json(doc: &InputDoc) -> Result<(), TestCaseError> {
    for e in &doc.entities {
        prop_assert_eq!(&e.element, "customer");
        for a in e.associations.iter().flatten() {
            prop_assert!(a.name != "i18n");
        }
    }
    Ok(())
}

// --- the committed corpus and fixed hostile inputs ----------------------------------------

/// `tests/corpus/bodies/`: each file's name starts with the outcome it must have
/// (`ok`, `malformed`, `doctype`, `toodeep`, `empty`, `notanobject`).
#[test]
fn corpus_bodies_have_their_outcome() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/bodies");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus directory") {
        let path = entry.expect("entry").path();
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let body = std::fs::read(&path).expect("read");
        let got = if file.ends_with(".json") {
            parse_json(&body, "customer", "customers")
        } else {
            parse_xml(&body)
        };
        let outcome = match &got {
            Ok(_) => "ok",
            Err(BodyError::Malformed(_)) => "malformed",
            Err(BodyError::DocType) => "doctype",
            Err(BodyError::TooDeep) => "toodeep",
            Err(BodyError::Empty) => "empty",
            Err(BodyError::NotAnObject) => "notanobject",
        };
        let want = file.split(['-', '.']).next().unwrap_or_default();
        assert_eq!(outcome, want, "{file}: {got:?}");
        seen += 1;
    }
    assert!(seen >= 10, "corpus has {seen} files");
}

#[test]
fn hostile_bodies_are_refused_quickly() {
    let deep_xml = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    assert_eq!(parse_xml(deep_xml.as_bytes()), Err(BodyError::TooDeep));
    let unclosed = "<a>".repeat(1_000_000);
    assert_eq!(parse_xml(unclosed.as_bytes()), Err(BodyError::TooDeep));
    let deep_json = "[".repeat(1_000_000);
    assert_eq!(
        parse_json(deep_json.as_bytes(), "c", "cs"),
        Err(BodyError::TooDeep)
    );
    let deep_objects = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
    assert_eq!(
        parse_json(deep_objects.as_bytes(), "c", "cs"),
        Err(BodyError::TooDeep)
    );
    // Brackets inside strings are not nesting.
    let brackets = format!(
        "{{\"a\":\"{}\\\"{}\"}}",
        "[".repeat(100_000),
        "{".repeat(100_000)
    );
    let doc = parse_json(brackets.as_bytes(), "c", "cs").expect("one field");
    assert_eq!(doc.entities[0].fields.len(), 1);
    // A million references in one value: linear, and resolved.
    let amps = format!("<p><c><a>{}</a></c></p>", "&amp;".repeat(1_000_000));
    let doc = parse_xml(amps.as_bytes()).expect("references");
    assert_eq!(
        doc.entities[0].fields[0].1,
        InputValue::Text("&".repeat(1_000_000))
    );
    // A long attribute, a long name, many entities.
    let long = format!(
        "<p><c><n><language id=\"{}\">x</language></n><{}>y</{}></c>{}</p>",
        "9".repeat(1 << 20),
        "f".repeat(1 << 16),
        "f".repeat(1 << 16),
        "<c/>".repeat(100_000)
    );
    let doc = parse_xml(long.as_bytes()).expect("long names");
    assert_eq!(doc.entities.len(), 100_001);
}
