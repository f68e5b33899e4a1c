//! Small XML output helpers for the hot path: escaping and CDATA that stays well-formed.

pub const HEADER: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<prestashop xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n";
pub const FOOTER: &str = "</prestashop>\n";

/// Characters XML 1.0 forbids in documents (C0 controls other than tab, LF, CR; U+FFFE/F).
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Text safe for an XML document: forbidden characters become U+FFFD.
fn clean(v: &str) -> std::borrow::Cow<'_, str> {
    if v.chars().any(forbidden) {
        v.chars()
            .map(|c| if forbidden(c) { '\u{fffd}' } else { c })
            .collect::<String>()
            .into()
    } else {
        v.into()
    }
}

/// Byte classes for the one-pass checks below (a table lookup per byte instead of a chain
/// of comparisons: these scans run over every byte of every document).
const fn stops(extra: &[u8], allowed_controls: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    let mut j = 0;
    while j < allowed_controls.len() {
        t[allowed_controls[j] as usize] = false;
        j += 1;
    }
    let mut k = 0;
    while k < extra.len() {
        t[extra[k] as usize] = true;
        k += 1;
    }
    // 0xEF starts the UTF-8 of U+FFFE/U+FFFF, which XML forbids.
    t[0xEF] = true;
    t
}
static CDATA_STOP: [bool; 256] = stops(b"]", b"\t\n\r");
static ATTR_STOP: [bool; 256] = stops(b"&<>\"", b"\t");

/// One pass over the bytes: does the value need more than a plain copy? (`]]>`, C0 controls,
/// or a possible U+FFFE/F.)
fn plain_cdata(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if CDATA_STOP[c as usize] {
            if c != b']' {
                return false;
            }
            if b.get(i + 1) == Some(&b']') && b.get(i + 2) == Some(&b'>') {
                return false;
            }
        }
        i += 1;
    }
    true
}

/// `<![CDATA[...]]>`, splitting any `]]>` in the value (PrestaShop emitted it raw, which
/// broke the document).
pub fn cdata(out: &mut Vec<u8>, v: &str) {
    out.extend_from_slice(b"<![CDATA[");
    if plain_cdata(v.as_bytes()) {
        out.extend_from_slice(v.as_bytes());
    } else {
        let v = clean(v);
        let mut rest: &str = &v;
        while let Some(i) = rest.find("]]>") {
            out.extend_from_slice(&rest.as_bytes()[..i]);
            out.extend_from_slice(b"]]]]><![CDATA[>");
            rest = &rest[i + 3..];
        }
        out.extend_from_slice(rest.as_bytes());
    }
    out.extend_from_slice(b"]]>");
}

/// Escapes an attribute value (PrestaShop did not; clients are unaffected by escaping).
pub fn attr(out: &mut Vec<u8>, v: &str) {
    let plain = !v.bytes().any(|b| ATTR_STOP[b as usize]);
    if plain {
        out.extend_from_slice(v.as_bytes());
        return;
    }
    let v = clean(v);
    for b in v.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            _ => out.push(b),
        }
    }
}

pub fn push(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_end_marker_is_split() {
        let mut o = Vec::new();
        cdata(&mut o, "a]]>b");
        assert_eq!(String::from_utf8_lossy(&o), "<![CDATA[a]]]]><![CDATA[>b]]>");
        let doc = format!("<x>{}</x>", String::from_utf8_lossy(&o));
        let parsed = roxmltree::Document::parse(&doc).expect("well-formed");
        assert_eq!(parsed.root_element().text(), Some("a]]>b"));
    }

    #[test]
    fn control_characters_never_reach_the_document() {
        let mut o = Vec::new();
        cdata(&mut o, "a\u{0}b\u{1b}c\td");
        assert_eq!(
            String::from_utf8_lossy(&o),
            "<![CDATA[a\u{fffd}b\u{fffd}c\td]]>"
        );
    }

    #[test]
    fn attributes_are_escaped() {
        let mut o = Vec::new();
        attr(&mut o, "a&b\"<");
        assert_eq!(String::from_utf8_lossy(&o), "a&amp;b&quot;&lt;");
    }
}
