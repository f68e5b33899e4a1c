//! `?schema=blank` and `?schema=synopsis` (protocol §5.5).

use crate::catalog::Resource;

use super::{json, xml, Format};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blank,
    Synopsis,
}

fn attrs(out: &mut Vec<u8>, f: &crate::catalog::Field) {
    if f.computed {
        xml::push(out, " notFilterable=\"true\"");
    }
    if f.read_only {
        xml::push(out, " read_only=\"true\"");
    }
    if f.required {
        xml::push(out, " required=\"true\"");
    }
    if let Some((_, max)) = f.size {
        xml::push(out, &format!(" maxSize=\"{max}\""));
    }
    if !f.validators.is_empty() {
        xml::push(out, " format=\"");
        xml::attr(out, &f.validators.join(" "));
        out.push(b'"');
    }
    if f.synopsis_read_only {
        xml::push(out, " readOnly=\"true\"");
    }
}

pub fn render(
    out: &mut Vec<u8>,
    r: &Resource,
    kind: Kind,
    langs: &[i64],
    ws: &str,
    format: Format,
) {
    if format == Format::Json {
        return render_json(out, r, kind, langs);
    }
    xml::push(out, xml::HEADER);
    xml::push(out, &format!("<{}>\n", r.singular));
    for (_, f) in r.visible_fields() {
        if f.not_output
            || (kind == Kind::Blank && f.read_only)
            || (kind == Kind::Synopsis && f.is_id())
        {
            continue;
        }
        xml::push(out, &format!("\t<{}", f.name));
        if kind == Kind::Synopsis {
            attrs(out, f);
        }
        out.push(b'>');
        if f.i18n {
            for l in langs {
                match kind {
                    Kind::Blank => xml::push(out, &format!("<language id=\"{l}\">")),
                    Kind::Synopsis => xml::push(
                        out,
                        &format!("<language id=\"{l}\" xlink:href=\"{ws}languages/{l}\" format=\"isUnsignedId\" >"),
                    ),
                }
                xml::cdata(out, "");
                xml::push(out, "</language>");
            }
        } else {
            xml::cdata(out, "");
        }
        xml::push(out, &format!("</{}>\n", f.name));
    }
    if !r.associations.is_empty() {
        xml::push(out, "<associations>\n");
        for a in &r.associations {
            xml::push(out, &format!("<{}", a.name));
            if kind == Kind::Synopsis {
                xml::push(out, &format!(" nodeType=\"{}\"", a.node_type));
                match &a.api {
                    Some(api) => xml::push(out, &format!(" api=\"{api}\"")),
                    None => xml::push(out, " virtualEntity=\"true\""),
                }
            }
            xml::push(out, &format!(">\n\t<{}>\n", a.node_type));
            for sf in &a.fields {
                xml::push(out, &format!("\t<{}", sf.name));
                if kind == Kind::Synopsis {
                    if sf.required {
                        xml::push(out, " required=\"true\"");
                    }
                    if let Some(res) = &sf.xlink {
                        xml::push(out, &format!(" xlink:href=\"{ws}{res}/\""));
                    }
                }
                out.push(b'>');
                xml::cdata(out, "");
                xml::push(out, &format!("</{}>\n", sf.name));
            }
            xml::push(out, &format!("\t</{}>\n</{}>\n", a.node_type, a.name));
        }
        xml::push(out, "</associations>\n");
    }
    xml::push(out, &format!("</{}>\n", r.singular));
    xml::push(out, xml::FOOTER);
}

/// PrestaShop's JSON schema drops every empty value; we emit each field with "" instead.
fn render_json(out: &mut Vec<u8>, r: &Resource, kind: Kind, langs: &[i64]) {
    out.push(b'{');
    json::key(out, &r.singular);
    out.push(b'{');
    let mut first = true;
    for (_, f) in r.visible_fields() {
        if f.not_output
            || (kind == Kind::Blank && f.read_only)
            || (kind == Kind::Synopsis && f.is_id())
        {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        json::key(out, &f.name);
        if f.i18n {
            out.push(b'[');
            for (i, l) in langs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"id\":");
                json::int(out, *l);
                out.extend_from_slice(b",\"value\":\"\"}");
            }
            out.push(b']');
        } else {
            out.extend_from_slice(b"\"\"");
        }
    }
    if !r.associations.is_empty() {
        if !first {
            out.push(b',');
        }
        json::key(out, "associations");
        out.push(b'{');
        for (i, a) in r.associations.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::key(out, &a.name);
            out.extend_from_slice(b"[{");
            for (j, sf) in a.fields.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                json::key(out, &sf.name);
                out.extend_from_slice(b"\"\"");
            }
            out.extend_from_slice(b"}]");
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"}}");
}
