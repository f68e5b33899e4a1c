//! `GET /api/carts/{id}/summary`: a cart's totals as a read-only document, in XML or JSON,
//! amounts printed with six decimals as PrestaShop prints stored money.

use rust_decimal::Decimal;

use crate::engine::render::{json, xml, Format};

use super::summary::CartSummary;

/// A document tree: leaves, objects, and lists of objects named by their item element.
enum Node {
    Leaf(String),
    Obj(Vec<(&'static str, Node)>),
    List(&'static str, Vec<Node>),
}

fn money(v: Decimal) -> Node {
    Node::Leaf(format!("{:.6}", v))
}

fn int(v: i64) -> Node {
    Node::Leaf(v.to_string())
}

fn text(v: &str) -> Node {
    Node::Leaf(v.to_string())
}

fn tree(s: &CartSummary) -> Node {
    let rows = s
        .lines
        .iter()
        .map(|l| {
            let sp = l.specific.as_ref();
            // As an order line names it: "Name (Group: Value - Group: Value)".
            let name = l.product_name();
            Node::Obj(vec![
                ("id_product", int(l.id_product)),
                ("id_product_attribute", int(l.id_product_attribute)),
                ("id_customization", int(l.id_customization)),
                ("quantity", int(l.quantity)),
                ("product_name", text(&name)),
                ("name", text(&l.name)),
                ("attributes", text(&l.attributes)),
                ("reference", text(&l.reference)),
                ("ean13", text(&l.ean13)),
                ("upc", text(&l.upc)),
                ("isbn", text(&l.isbn)),
                ("mpn", text(&l.mpn)),
                ("supplier_reference", text(&l.supplier_reference)),
                ("weight", money(l.weight)),
                ("is_virtual", int(i64::from(l.is_virtual))),
                ("gift", int(i64::from(l.gift))),
                (
                    "original_unit_price_tax_excl",
                    money(l.unit_te_before_reduction),
                ),
                (
                    "original_unit_price_tax_incl",
                    money(l.unit_ti_before_reduction),
                ),
                ("unit_price_tax_excl", money(l.unit_te)),
                ("unit_price_tax_incl", money(l.unit_ti)),
                ("id_specific_price", int(sp.map_or(0, |s| s.id))),
                ("reduction_percent", money(l.reduction_percent)),
                ("reduction_amount_tax_excl", money(l.reduction_amount_te)),
                ("reduction_amount_tax_incl", money(l.reduction_amount_ti)),
                (
                    "group_reduction",
                    money(l.group_reduction * Decimal::ONE_HUNDRED),
                ),
                ("tax_rate", money(l.tax_rate)),
                ("id_tax_rules_group", int(l.tax_rules_group)),
                ("total_price_tax_excl", money(l.total_te)),
                ("total_price_tax_incl", money(l.total_ti)),
            ])
        })
        .collect();
    let rules = s
        .rules
        .iter()
        .map(|a| {
            Node::Obj(vec![
                ("id_cart_rule", int(a.rule.id)),
                ("name", text(&a.rule.name)),
                ("code", text(&a.rule.code)),
                ("free_shipping", int(i64::from(a.rule.free_shipping))),
                ("value_tax_excl", money(a.value_te)),
                ("value_tax_incl", money(a.value_ti)),
            ])
        })
        .collect();
    let carriers = s
        .carriers
        .iter()
        .map(|c| {
            Node::Obj(vec![
                ("id_carrier", int(c.id_carrier)),
                ("name", text(&c.name)),
                ("price_tax_excl", money(c.price_te)),
                ("price_tax_incl", money(c.price_ti)),
                ("tax_rate", money(c.tax_rate)),
            ])
        })
        .collect();
    let (address, carrier) = s.delivery_option;
    let option = if carrier > 0 {
        format!("{{\"{address}\":\"{carrier},\"}}")
    } else {
        String::new()
    };
    Node::Obj(vec![
        ("id_cart", int(s.id_cart)),
        ("id_shop", int(s.id_shop)),
        ("id_lang", int(s.id_lang)),
        ("id_currency", int(s.id_currency)),
        ("id_customer", int(s.id_customer)),
        ("id_group", int(s.id_group)),
        ("id_address_delivery", int(s.id_address_delivery)),
        ("id_address_invoice", int(s.id_address_invoice)),
        ("id_carrier", int(carrier)),
        ("delivery_option", text(&option)),
        ("total_products", money(s.products_te)),
        ("total_products_wt", money(s.products_ti)),
        ("total_discounts_tax_excl", money(s.discounts_te)),
        ("total_discounts_tax_incl", money(s.discounts_ti)),
        ("total_shipping_tax_excl", money(s.shipping_te)),
        ("total_shipping_tax_incl", money(s.shipping_ti)),
        ("carrier_tax_rate", money(s.carrier_tax_rate)),
        ("total_wrapping_tax_excl", money(s.wrapping_te)),
        ("total_wrapping_tax_incl", money(s.wrapping_ti)),
        ("total_paid_tax_excl", money(s.total_te)),
        ("total_paid_tax_incl", money(s.total_ti)),
        ("total_weight", money(s.weight)),
        ("is_virtual", int(i64::from(s.virtual_only))),
        ("cart_rows", Node::List("cart_row", rows)),
        ("cart_rules", Node::List("cart_rule", rules)),
        ("carriers", Node::List("carrier", carriers)),
    ])
}

/// The summary document in the requested format.
pub fn document(s: &CartSummary, format: Format) -> Vec<u8> {
    let t = tree(s);
    let mut out = Vec::with_capacity(4096);
    if format == Format::Json {
        out.push(b'{');
        json::key(&mut out, "cart_summary");
        write_json(&mut out, &t);
        out.push(b'}');
    } else {
        xml::push(&mut out, xml::HEADER);
        write_xml(&mut out, "cart_summary", &t, 0);
        xml::push(&mut out, xml::FOOTER);
    }
    out
}

fn write_xml(out: &mut Vec<u8>, name: &str, n: &Node, depth: usize) {
    let pad = "\t".repeat(depth);
    match n {
        Node::Leaf(v) => {
            xml::push(out, &format!("{pad}<{name}>"));
            xml::cdata(out, v);
            xml::push(out, &format!("</{name}>\n"));
        }
        Node::Obj(fields) => {
            xml::push(out, &format!("{pad}<{name}>\n"));
            for (k, v) in fields {
                write_xml(out, k, v, depth + 1);
            }
            xml::push(out, &format!("{pad}</{name}>\n"));
        }
        Node::List(item, items) => {
            xml::push(out, &format!("{pad}<{name}>\n"));
            for v in items {
                write_xml(out, item, v, depth + 1);
            }
            xml::push(out, &format!("{pad}</{name}>\n"));
        }
    }
}

fn write_json(out: &mut Vec<u8>, n: &Node) {
    match n {
        Node::Leaf(v) => json::string(out, v),
        Node::Obj(fields) => {
            out.push(b'{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json::key(out, k);
                write_json(out, v);
            }
            out.push(b'}');
        }
        Node::List(_, items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, v);
            }
            out.push(b']');
        }
    }
}
