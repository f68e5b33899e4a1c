//! `GET /api/`: the resources a key may use (protocol §5.4).

use crate::accounts::Permissions;
use crate::catalog::{Catalog, Method};

use super::{json, xml, Format};

pub fn render(
    out: &mut Vec<u8>,
    catalog: &Catalog,
    perms: &Permissions,
    shop_name: &str,
    ws: &str,
    format: Format,
) {
    let allowed: Vec<_> = catalog
        .resources()
        .filter(|r| perms.get(&r.api).is_some_and(|m| !m.is_empty()))
        .collect();
    if format == Format::Json {
        // PrestaShop crashes here (issue #34794); its pending fix answers the names.
        out.push(b'[');
        for (i, r) in allowed.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::string(out, &r.api);
        }
        out.push(b']');
        return;
    }
    xml::push(out, xml::HEADER);
    xml::push(out, "<api shopName=\"");
    xml::attr(out, shop_name);
    xml::push(out, "\">\n");
    for r in allowed {
        let m = perms.get(&r.api).copied().unwrap_or_default();
        let mut attrs = format!("xlink:href=\"{ws}{}\"", r.api);
        for method in Method::ALL {
            attrs.push_str(&format!(" {}=\"{}\"", method.lower(), m.contains(method)));
        }
        xml::push(
            out,
            &format!("<{} {attrs}>\n<description {attrs}>\n", r.api),
        );
        let mut d = Vec::new();
        xml::attr(&mut d, &r.description);
        out.extend_from_slice(&d);
        xml::push(out, "</description>\n");
        if !r.specific {
            for kind in ["blank", "synopsis"] {
                xml::push(
                    out,
                    &format!(
                        "<schema xlink:href=\"{ws}{}?schema={kind}\" type=\"{kind}\"/>\n",
                        r.api
                    ),
                );
            }
        }
        xml::push(out, &format!("</{}>\n", r.api));
    }
    xml::push(out, "</api>\n");
    xml::push(out, xml::FOOTER);
}
