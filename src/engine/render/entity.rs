//! One entity, rendered as PrestaShop renders it: fields in catalog order, i18n fields as
//! `<language>` lists, xlinks, `notFilterable`, then associations.

use crate::catalog::{Field, FieldType, Resource, Xlink};
use crate::storage::Value;

use super::{json, xml, Format};

/// One field's value(s) for one entity.
#[derive(Debug, Clone)]
pub enum Cell {
    One(Value),
    /// One value per selected language, in selection order.
    Langs(Vec<Value>),
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub id: i64,
    /// Parallel to `Projection::fields`.
    pub cells: Vec<Cell>,
    /// Parallel to `Projection::assocs`: items, each with its storage columns' values.
    pub assocs: Vec<Vec<Vec<Value>>>,
    /// `price[...]` virtual fields: (name, formatted value).
    pub virtuals: Vec<(String, String)>,
}

/// What is rendered of each entity, as catalog indexes.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    pub fields: Vec<usize>,
    /// Association index and the storage column indexes to show.
    pub assocs: Vec<(usize, Vec<usize>)>,
    pub virtuals: Vec<String>,
    /// `display` absent on a list: ids only.
    pub minimum: bool,
}

pub struct RenderCtx<'a> {
    /// `http://host/api/`
    pub ws: &'a str,
    pub langs: &'a [i64],
    pub format: Format,
    /// JSON integers as numbers, as PrestaShop 9.0 under PHP 8.1 leaks them, instead of the
    /// strings of PrestaShop ≤ 1.7 and 8.2+ (protocol §5.7).
    pub json_numbers: bool,
}

/// The value as PrestaShop prints it, borrowed when it can be, else written into `scratch`
/// (the hot path allocates nothing per field).
pub fn text<'a>(f: &'a Field, v: &'a Value, scratch: &'a mut String) -> &'a str {
    match (v, f.absent()) {
        (Value::Null, Some(absent)) => php_text(absent, scratch),
        _ => scaled(f.decimals, v, scratch),
    }
}

/// A value printed with a DECIMAL column's scale, if it has one.
fn scaled<'a>(decimals: Option<usize>, v: &'a Value, scratch: &'a mut String) -> &'a str {
    use std::fmt::Write;
    match (v, decimals) {
        (Value::Text(s), None) => s,
        (Value::Null, _) => "",
        (Value::Int(i), None) => {
            scratch.clear();
            scratch.push_str(itoa::Buffer::new().format(*i));
            scratch
        }
        (Value::Real(x), Some(d)) => {
            scratch.clear();
            let _ = write!(scratch, "{x:.d$}");
            scratch
        }
        _ => {
            *scratch = format_value(decimals, v);
            scratch
        }
    }
}

/// A getter's literal result as PHP prints it in XML: `false` → empty, `0` → `0`.
fn php_text<'a>(v: &'a serde_json::Value, scratch: &'a mut String) -> &'a str {
    match v {
        serde_json::Value::Bool(true) => "1",
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => {
            *scratch = n.to_string();
            scratch
        }
        _ => "",
    }
}

/// PHP's truthiness of a getter's literal result.
fn php_falsy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null | serde_json::Value::Bool(false) => true,
        serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
        serde_json::Value::String(s) => falsy(s),
        _ => false,
    }
}

/// The value as PrestaShop prints it: decimals with the column's scale, NULL as empty.
pub fn value_text(f: &Field, v: &Value) -> String {
    match (v, f.absent()) {
        (Value::Null, Some(absent)) => php_text(absent, &mut String::new()).to_string(),
        _ => format_value(f.decimals, v),
    }
}

fn format_value(decimals: Option<usize>, v: &Value) -> String {
    match (v, decimals) {
        (Value::Null, _) => String::new(),
        (Value::Real(x), Some(d)) => format!("{x:.d$}"),
        (Value::Int(i), Some(d)) => format!("{:.d$}", *i as f64),
        (Value::Text(s), Some(d)) => match s.parse::<f64>() {
            Ok(x) if !s.contains('e') => format!("{x:.d$}"),
            _ => s.clone(),
        },
        (Value::Real(x), None) => {
            if x.fract() == 0.0 && x.abs() < 1e15 {
                format!("{}", *x as i64)
            } else {
                x.to_string()
            }
        }
        (other, None) => other.to_text(),
    }
}

fn falsy(s: &str) -> bool {
    s.is_empty() || s == "0"
}

/// ` xlink:href="…"` of a scalar field, written straight into the output.
fn write_field_href(out: &mut Vec<u8>, rc: &RenderCtx, f: &Field, id: i64, text: &str) {
    let (resource, sub) = match &f.xlink {
        Xlink::None => return,
        _ if text.is_empty() || (f.name.starts_with("id_") && falsy(text)) => return,
        Xlink::Resource(res) => (res, None),
        Xlink::Nested { resource, sub } => (resource, Some(sub)),
    };
    xml::push(out, " xlink:href=\"");
    xml::attr(out, rc.ws);
    xml::attr(out, resource);
    out.push(b'/');
    if let Some(sub) = sub {
        xml::attr(out, sub);
        out.push(b'/');
        out.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
        out.push(b'/');
    }
    xml::attr(out, text);
    out.push(b'"');
}

fn item_href(
    rc: &RenderCtx,
    pattern: &str,
    parent: &Entity,
    r: &Resource,
    p: &Projection,
    names: &[&str],
    vals: &[Value],
) -> String {
    let mut s = pattern.replace("{parent_objects}", &r.api);
    s = s.replace("{parent_id}", &parent.id.to_string());
    if s.contains("{id_product}") {
        // A combination's images live under its product.
        let v = p
            .fields
            .iter()
            .position(|&fi| r.fields[fi].name == "id_product")
            .and_then(|k| match &parent.cells[k] {
                Cell::One(v) => Some(v.to_text()),
                Cell::Langs(_) => None,
            })
            .unwrap_or_default();
        s = s.replace("{id_product}", &v);
    }
    if let Some(i) = names.iter().position(|n| *n == "id") {
        s = s.replace(
            "{id}",
            &vals.get(i).map(|v| v.to_text()).unwrap_or_default(),
        );
    }
    format!("{}{s}", rc.ws)
}

pub fn xml(out: &mut Vec<u8>, r: &Resource, p: &Projection, e: &Entity, rc: &RenderCtx) {
    xml::push(out, "<");
    xml::push(out, &r.singular);
    xml::push(out, ">\n");
    let mut scratch = String::new();
    for (k, &fi) in p.fields.iter().enumerate() {
        let f = &r.fields[fi];
        out.extend_from_slice(b"\t<");
        xml::push(out, &f.name);
        match &e.cells[k] {
            Cell::One(v) => {
                let text = text(f, v, &mut scratch);
                write_field_href(out, rc, f, e.id, text);
                if f.computed {
                    xml::push(out, " notFilterable=\"true\"");
                }
                out.push(b'>');
                xml::cdata(out, text);
            }
            Cell::Langs(vals) => {
                if f.computed {
                    xml::push(out, " notFilterable=\"true\"");
                }
                out.push(b'>');
                for (li, v) in vals.iter().enumerate() {
                    let lang = rc.langs.get(li).copied().unwrap_or(0);
                    let mut ib = itoa::Buffer::new();
                    let lang = ib.format(lang);
                    xml::push(out, "<language id=\"");
                    xml::push(out, lang);
                    xml::push(out, "\" xlink:href=\"");
                    xml::attr(out, rc.ws);
                    xml::push(out, "languages/");
                    xml::push(out, lang);
                    xml::push(out, "\">");
                    xml::cdata(out, text(f, v, &mut scratch));
                    xml::push(out, "</language>");
                }
            }
        }
        xml::push(out, "</");
        xml::push(out, &f.name);
        xml::push(out, ">\n");
    }
    for (name, v) in &e.virtuals {
        xml::push(out, &format!("\t<{name}>"));
        xml::cdata(out, v);
        xml::push(out, &format!("</{name}>\n"));
    }
    if !p.assocs.is_empty() {
        xml::push(out, "<associations>\n");
        for (k, (ai, cols)) in p.assocs.iter().enumerate() {
            xml_association(out, r, p, e, rc, k, *ai, cols, &mut scratch);
        }
        xml::push(out, "</associations>\n");
    }
    xml::push(out, "</");
    xml::push(out, &r.singular);
    xml::push(out, ">\n");
}

#[allow(clippy::too_many_arguments)]
fn xml_association(
    out: &mut Vec<u8>,
    r: &Resource,
    p: &Projection,
    e: &Entity,
    rc: &RenderCtx,
    k: usize,
    ai: usize,
    cols: &[usize],
    scratch: &mut String,
) {
    let a = &r.associations[ai];
    let names: Vec<&str> = a
        .storage
        .as_ref()
        .map(|s| s.columns.0.iter().map(|(n, _)| n.as_str()).collect())
        .unwrap_or_default();
    let decimals = |ci: usize| {
        a.storage
            .as_ref()
            .and_then(|s| s.decimals.get(ci).copied().flatten())
    };
    let sub_links: Vec<Option<&String>> = cols
        .iter()
        .map(|&ci| {
            let sub = names.get(ci).copied().unwrap_or("id");
            a.fields
                .iter()
                .find(|f| f.name == sub)
                .and_then(|f| f.xlink.as_ref())
        })
        .collect();
    // "resource/{id}" is the common pattern: written without building a string.
    let simple = a
        .item_xlink
        .as_deref()
        .and_then(|pat| pat.strip_suffix("{id}"))
        .filter(|pre| !pre.contains('{'));
    let id_col = names.iter().position(|n| *n == "id");
    xml::push(out, "<");
    xml::push(out, &a.name);
    xml::push(out, " nodeType=\"");
    xml::push(out, &a.node_type);
    match &a.api {
        Some(api) => {
            xml::push(out, "\" api=\"");
            xml::push(out, api);
            out.push(b'"');
        }
        None => xml::push(out, "\" virtualEntity=\"true\""),
    }
    let items = &e.assocs[k];
    if items.is_empty() {
        xml::push(out, "/>\n");
        return;
    }
    xml::push(out, ">\n");
    for item in items {
        xml::push(out, "\t<");
        xml::push(out, &a.node_type);
        match (simple, &a.item_xlink) {
            (Some(pre), _) => {
                xml::push(out, " xlink:href=\"");
                xml::attr(out, rc.ws);
                xml::attr(out, pre);
                if let Some(v) = id_col.and_then(|i| item.get(i)) {
                    let t = scaled(None, v, scratch);
                    xml::attr(out, t);
                }
                out.push(b'"');
            }
            (None, Some(pat)) => {
                let h = item_href(rc, pat, e, r, p, &names, item);
                xml::push(out, " xlink:href=\"");
                xml::attr(out, &h);
                out.push(b'"');
            }
            (None, None) => {}
        }
        xml::push(out, ">\n");
        for (n, &ci) in cols.iter().enumerate() {
            let sub = names.get(ci).copied().unwrap_or("id");
            let v = item
                .get(ci)
                .map(|v| scaled(decimals(ci), v, scratch))
                .unwrap_or("");
            xml::push(out, "\t<");
            xml::push(out, sub);
            if let Some(res) = sub_links[n] {
                if !falsy(v) {
                    xml::push(out, " xlink:href=\"");
                    xml::attr(out, rc.ws);
                    xml::attr(out, res);
                    out.push(b'/');
                    xml::attr(out, v);
                    out.push(b'"');
                }
            }
            out.push(b'>');
            xml::cdata(out, v);
            xml::push(out, "</");
            xml::push(out, sub);
            xml::push(out, ">\n");
        }
        xml::push(out, "\t</");
        xml::push(out, &a.node_type);
        xml::push(out, ">\n");
    }
    xml::push(out, "</");
    xml::push(out, &a.name);
    xml::push(out, ">\n");
}

/// A column's JSON value (protocol §5.7): `null` for NULL, a number where `number` says so
/// (the entity's `id`, the `id` of association items, integers under `--json-numbers`), else
/// the text PrestaShop ≤ 1.7 and 8.2+ send, as a string.
fn json_scalar(
    out: &mut Vec<u8>,
    v: &Value,
    number: bool,
    decimals: Option<usize>,
    scratch: &mut String,
) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Int(i) if number => json::int(out, *i),
        _ => json::string(out, scaled(decimals, v, scratch)),
    }
}

/// A field's JSON value. A getter that found nothing gives what PrestaShop's getter returns
/// (`0`, `false`…); with `numbers`, integers are numbers except where PrestaShop 9.0 keeps
/// text (decimals, booleans, dates).
fn json_field(out: &mut Vec<u8>, f: &Field, v: &Value, numbers: bool, scratch: &mut String) {
    if let (Value::Null, Some(absent)) = (v, f.absent()) {
        // Writing a JSON value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, absent);
        return;
    }
    let text_kind = f.decimals.is_some()
        || matches!(f.kind, FieldType::Bool | FieldType::Float | FieldType::Date);
    json_scalar(
        out,
        v,
        f.is_id() || (numbers && !text_kind),
        f.decimals,
        scratch,
    );
}

fn json_is_falsy(f: &Field, c: &Cell) -> bool {
    match c {
        Cell::One(Value::Null) => f.absent().is_none_or(php_falsy),
        Cell::One(v) => falsy(&value_text(f, v)),
        Cell::Langs(vals) => vals.is_empty(),
    }
}

/// `filter_falsy`: PrestaShop's single-entity JSON drops every falsy value (PHP array_filter).
pub fn json(
    out: &mut Vec<u8>,
    r: &Resource,
    p: &Projection,
    e: &Entity,
    rc: &RenderCtx,
    filter_falsy: bool,
) {
    out.push(b'{');
    let mut scratch = String::new();
    let mut first = true;
    let mut sep = |out: &mut Vec<u8>| {
        if !first {
            out.push(b',');
        }
        first = false;
    };
    for (k, &fi) in p.fields.iter().enumerate() {
        let f = &r.fields[fi];
        let cell = &e.cells[k];
        if filter_falsy && json_is_falsy(f, cell) {
            continue;
        }
        sep(out);
        json::key(out, &f.name);
        match cell {
            Cell::One(v) => json_field(out, f, v, rc.json_numbers, &mut scratch),
            Cell::Langs(vals) if rc.langs.len() == 1 => json::string(
                out,
                &vals.first().map(|v| value_text(f, v)).unwrap_or_default(),
            ),
            Cell::Langs(vals) => {
                out.push(b'[');
                for (li, v) in vals.iter().enumerate() {
                    if li > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"{\"id\":");
                    json::int(out, rc.langs.get(li).copied().unwrap_or(0));
                    out.extend_from_slice(b",\"value\":");
                    json::string(out, &value_text(f, v));
                    out.push(b'}');
                }
                out.push(b']');
            }
        }
    }
    for (name, v) in &e.virtuals {
        sep(out);
        json::key(out, name);
        json::string(out, v);
    }
    let non_empty: Vec<usize> = (0..p.assocs.len())
        .filter(|k| !e.assocs[*k].is_empty())
        .collect();
    if !non_empty.is_empty() {
        sep(out);
        json::key(out, "associations");
        out.push(b'{');
        for (n, k) in non_empty.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            let (ai, cols) = &p.assocs[*k];
            let a = &r.associations[*ai];
            let names: Vec<&str> = a
                .storage
                .as_ref()
                .map(|s| s.columns.0.iter().map(|(n, _)| n.as_str()).collect())
                .unwrap_or_default();
            let decimals: &[Option<usize>] =
                a.storage.as_ref().map_or(&[], |s| s.decimals.as_slice());
            json::key(out, &a.name);
            out.push(b'[');
            for (ii, item) in e.assocs[*k].iter().enumerate() {
                if ii > 0 {
                    out.push(b',');
                }
                out.push(b'{');
                for (cn, &ci) in cols.iter().enumerate() {
                    if cn > 0 {
                        out.push(b',');
                    }
                    let name = names.get(ci).copied().unwrap_or("id");
                    let scale = decimals.get(ci).copied().flatten();
                    json::key(out, name);
                    json_scalar(
                        out,
                        item.get(ci).unwrap_or(&Value::Null),
                        name == "id" || (rc.json_numbers && scale.is_none()),
                        scale,
                        &mut scratch,
                    );
                }
                out.push(b'}');
            }
            out.push(b']');
        }
        out.push(b'}');
    }
    out.push(b'}');
}

impl Format {
    pub fn is_json(self) -> bool {
        matches!(self, Format::Json)
    }
}
