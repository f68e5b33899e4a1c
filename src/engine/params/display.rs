//! `display=full | minimum | [f1,f2,assoc[sub1,sub2]]` (protocol §1.7).

use crate::catalog::Resource;
use crate::engine::error::{ApiError, ApiResult};

/// What to render of each entity. Holds only catalog field and association indexes.
#[derive(Debug, Clone, PartialEq)]
pub enum Display {
    Minimum,
    Full,
    Partial {
        /// Field indexes, in resource field order.
        fields: Vec<usize>,
        /// Association index and the requested sub-fields, in resource order.
        assocs: Vec<(usize, Vec<String>)>,
        /// Names of `price[...]` virtual fields that were listed.
        virtuals: Vec<String>,
    },
}

fn available(r: &Resource) -> String {
    r.visible_fields()
        .filter(|(_, f)| !f.not_output)
        .map(|(_, f)| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits on commas outside brackets.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// PHP's var_export of a list of strings, as PrestaShop prints it in error #35.
fn var_export(items: &[&str]) -> String {
    let mut s = String::from("array (\n");
    for (i, it) in items.iter().enumerate() {
        s.push_str(&format!(
            "  {i} => '{}',\n",
            it.replace('\\', "\\\\").replace('\'', "\\'")
        ));
    }
    s.push(')');
    s
}

pub fn parse(raw: Option<&str>, r: &Resource, virtuals: &[String]) -> ApiResult<Option<Display>> {
    let Some(raw) = raw else { return Ok(None) };
    match raw {
        "full" => return Ok(Some(Display::Full)),
        "minimum" => return Ok(Some(Display::Minimum)),
        _ => {}
    }
    let inner = match raw.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        Some(i) => i,
        None => {
            return Err(ApiError::bad_request(
                36,
                format!(
                    "The 'display' syntax is wrong. You can set 'full' or '[field_1,field_2,field_3,...]'. These are available: {}",
                    available(r)
                ),
            ))
        }
    };
    let mut fields = Vec::new();
    let mut assocs: Vec<(usize, Vec<String>)> = Vec::new();
    let mut chosen_virtuals = Vec::new();
    for part in split_top(inner) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if let Some(open) = part.find('[') {
            let name = part[..open].trim();
            let subs_raw = part[open + 1..]
                .strip_suffix(']')
                .unwrap_or(&part[open + 1..]);
            let subs: Vec<&str> = subs_raw.split(',').collect();
            let bad = || {
                ApiError::bad_request(
                    35,
                    format!(
                        "Unable to display this field \"{name} (details : {})\". However, these are available: {}",
                        var_export(&subs),
                        available(r)
                    ),
                )
            };
            let ai = r
                .associations
                .iter()
                .position(|a| a.name == name)
                .ok_or_else(bad)?;
            let a = &r.associations[ai];
            for s in &subs {
                if *s != "id" && !a.fields.iter().any(|f| f.name == *s) {
                    return Err(bad());
                }
            }
            match assocs.iter_mut().find(|(i, _)| *i == ai) {
                Some((_, list)) => list.extend(subs.iter().map(|s| s.to_string())),
                None => assocs.push((ai, subs.iter().map(|s| s.to_string()).collect())),
            }
            continue;
        }
        if virtuals.iter().any(|v| v == part) {
            chosen_virtuals.push(part.to_string());
            continue;
        }
        match r
            .fields
            .iter()
            .position(|f| f.name == part && !f.hidden && !f.not_output)
        {
            Some(i) => {
                if !fields.contains(&i) {
                    fields.push(i);
                }
            }
            None => {
                return Err(ApiError::bad_request(
                    35,
                    format!(
                        "Unable to display this field \"{part}\". However, these are available: {}",
                        available(r)
                    ),
                ))
            }
        }
    }
    fields.sort_unstable();
    assocs.sort_by_key(|(i, _)| *i);
    Ok(Some(Display::Partial {
        fields,
        assocs,
        virtuals: chosen_virtuals,
    }))
}
