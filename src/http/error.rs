//! Renders an [`ApiError`] once, as PrestaShop's error document (protocol §7.1).

use crate::engine::error::ApiError;
use crate::engine::render::{json, xml, Format};

pub const REALM: &str = "Basic realm=\"Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required.\"";

pub fn document(e: &ApiError, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        Format::Json => {
            out.extend_from_slice(b"{\"errors\":[");
            for (i, err) in e.errors.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"code\":");
                match err.code {
                    Some(c) => json::int(&mut out, i64::from(c)),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"message\":");
                json::string(&mut out, &err.message);
                out.push(b'}');
            }
            out.extend_from_slice(b"]}");
        }
        Format::Xml => {
            xml::push(&mut out, xml::HEADER);
            xml::push(&mut out, "<errors>\n");
            for err in &e.errors {
                xml::push(&mut out, "<error>\n");
                if let Some(c) = err.code {
                    xml::push(&mut out, "<code>");
                    xml::cdata(&mut out, &c.to_string());
                    xml::push(&mut out, "</code>\n");
                }
                xml::push(&mut out, "<message>");
                xml::cdata(&mut out, &err.message);
                xml::push(&mut out, "</message>\n</error>\n");
            }
            xml::push(&mut out, "</errors>\n");
            xml::push(&mut out, xml::FOOTER);
        }
    }
    out
}
