//! The XML listings of `images` (PrestaShop answers them in XML only; its JSON renderer
//! drops them). shopws also answers `output_format=JSON` with the same content as JSON:
//! `{"image_types":[…],"images":[…]}`, each item an object of the XML attributes.

use crate::engine::render::{json, xml, Format};
use crate::engine::Reply;

/// One list item: its element name and attributes, in order.
pub struct Item {
    pub tag: &'static str,
    pub attrs: Attrs,
}

/// Attributes in order.
pub type Attrs = Vec<(&'static str, String)>;

impl Item {
    /// An entry PrestaShop lists with fixed rights, `get put post patch delete head` in this
    /// order (not the key's), and the accepted upload types.
    pub fn with_rights(tag: &'static str, href: String, rights: [bool; 6]) -> Item {
        let names = ["get", "put", "post", "patch", "delete", "head"];
        let mut attrs: Attrs = vec![("xlink:href", href)];
        attrs.extend(names.iter().zip(rights).map(|(n, r)| (*n, r.to_string())));
        attrs.push(("upload_allowed_mimetypes", super::errors::MIME_TYPES.into()));
        Item { tag, attrs }
    }
}

/// A document of lists: `(list element, its attributes, items)` in order; attributes on a
/// list element make `<image id="N">…</image>`.
pub struct Doc {
    pub lists: Vec<(&'static str, Attrs, Vec<Item>)>,
}

impl Doc {
    pub fn reply(&self, format: Format) -> Reply {
        let mut out = Vec::with_capacity(512);
        match format {
            Format::Xml => self.xml(&mut out),
            Format::Json => self.json(&mut out),
        }
        Reply::doc(200, out)
    }

    fn xml(&self, out: &mut Vec<u8>) {
        xml::push(out, xml::HEADER);
        for (name, attrs, items) in &self.lists {
            xml::push(out, "<");
            xml::push(out, name);
            write_attrs(out, attrs);
            xml::push(out, ">\n");
            for it in items {
                xml::push(out, "<");
                xml::push(out, it.tag);
                write_attrs(out, &it.attrs);
                xml::push(out, "/>\n");
            }
            xml::push(out, "</");
            xml::push(out, name);
            xml::push(out, ">\n");
        }
        xml::push(out, xml::FOOTER);
    }

    fn json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (name, attrs, items)) in self.lists.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::key(out, name);
            if !attrs.is_empty() {
                // `{"image":{"id":"1","declinations":[…]}}`
                out.push(b'{');
                for (k, v) in attrs {
                    json::key(out, k);
                    json::string(out, v);
                    out.push(b',');
                }
                json::key(out, "items");
            }
            out.push(b'[');
            for (j, it) in items.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.push(b'{');
                // An item named by its element alone (`<general …/>`) gets its name.
                let named = it.attrs.iter().any(|(a, _)| *a == "id" || *a == "name");
                if !named {
                    json::key(out, "name");
                    json::string(out, it.tag);
                }
                for (k, (a, v)) in it.attrs.iter().enumerate() {
                    if k > 0 || !named {
                        out.push(b',');
                    }
                    json::key(out, a.trim_start_matches("xlink:"));
                    json::string(out, v);
                }
                out.push(b'}');
            }
            out.push(b']');
            if !attrs.is_empty() {
                out.push(b'}');
            }
        }
        out.push(b'}');
    }
}

fn write_attrs(out: &mut Vec<u8>, attrs: &[(&'static str, String)]) {
    for (k, v) in attrs {
        xml::push(out, " ");
        xml::push(out, k);
        xml::push(out, "=\"");
        xml::attr(out, v);
        xml::push(out, "\"");
    }
}
