//! `filter[field]=value` (protocol §1.6) → plan conditions.

use regex::Regex;
use std::sync::LazyLock;

use crate::catalog::{Field, FieldType, Resource, Storage};
use crate::engine::error::{did_you_mean, ApiError, ApiResult};
use crate::engine::params::Param;
use crate::storage::{Cond, Op, Target};

/// Fields `filter` and `sort` accept, split as PrestaShop splits them.
pub struct Allowed<'r> {
    pub plain: Vec<&'r Field>,
    pub i18n: Vec<&'r Field>,
}

pub fn allowed(r: &Resource, dates: bool) -> Allowed<'_> {
    let mut a = Allowed {
        plain: Vec::new(),
        i18n: Vec::new(),
    };
    for (_, f) in r.visible_fields() {
        if !dates && (f.name == "date_add" || f.name == "date_upd") {
            continue;
        }
        if f.i18n {
            a.i18n.push(f);
        } else {
            a.plain.push(f);
        }
    }
    a
}

pub fn is_text(f: &Field) -> bool {
    matches!(
        f.kind,
        FieldType::String | FieldType::Html | FieldType::Date | FieldType::Unknown
    )
}

fn target(f: &Field) -> Option<Target> {
    match &f.storage {
        Storage::Main(c) => Some(Target::Main(c.clone())),
        Storage::Lang(c) | Storage::LangGetter(c) => Some(Target::AnyLang(c.clone())),
        Storage::Lookup(l) => Some(Target::Lookup(l.clone())),
        Storage::Virtual => None,
    }
}

static INTERVAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\d.:\-\s]+),([\d.:\-\s]+)$").unwrap_or_else(|_| unreachable!("literal regex"))
});

/// The value grammar of SQLUtils. `None`: a bracket form PrestaShop ignores, refused here.
pub fn value_op(v: &str) -> Option<Op> {
    // PHP's greedy `^(.*)\[(.*)\](.*)$`: `[` is the last one followed somewhere by `]`,
    // and `]` is the last one.
    let close = v.rfind(']');
    let open = close.and_then(|c| v[..c].rfind('['));
    let (pre, inner, post) = match (open, close) {
        (Some(o), Some(c)) => (&v[..o], &v[o + 1..c], &v[c + 1..]),
        _ => return Some(Op::In(vec![v.to_string()])),
    };
    if pre == "%" || post == "%" {
        return Some(Op::Like(format!("{pre}{inner}{post}")));
    }
    if !post.is_empty() {
        return None;
    }
    match pre {
        "" => {
            if inner.find('|').is_some_and(|p| p > 0) {
                return Some(Op::In(inner.split('|').map(str::to_string).collect()));
            }
            if let Some(c) = INTERVAL.captures(inner) {
                let a = c.get(1).map(|m| m.as_str()).unwrap_or_default().to_string();
                let b = c.get(2).map(|m| m.as_str()).unwrap_or_default().to_string();
                let (lo, hi) = order_bounds(a, b);
                return Some(Op::Between(lo, hi));
            }
            Some(Op::In(vec![inner.to_string()]))
        }
        ">" => Some(Op::Gt(inner.to_string())),
        "<" => Some(Op::Lt(inner.to_string())),
        "!" => Some(Op::NotIn(inner.split('|').map(str::to_string).collect())),
        _ => None,
    }
}

/// PHP `sort()` on the two bounds: numerically when both are numbers.
fn order_bounds(a: String, b: String) -> (String, String) {
    let swap = match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x > y,
        _ => a > b,
    };
    if swap {
        (b, a)
    } else {
        (a, b)
    }
}

pub fn parse(filters: Option<&Param>, r: &Resource, dates: bool) -> ApiResult<Vec<Cond>> {
    let Some(p) = filters else {
        return Ok(Vec::new());
    };
    let Some(map) = p.as_map() else {
        return Err(ApiError::bad_request(
            33,
            "The filter \"filter\" is malformed.",
        ));
    };
    let allowed = allowed(r, dates);
    let mut conds = Vec::new();
    for (name, value) in map {
        if name == "sort" || name == "limit" {
            continue;
        }
        let plain = allowed.plain.iter().find(|f| f.name == *name);
        let i18n = allowed.i18n.iter().find(|f| f.name == *name);
        let field = match (plain, i18n, value) {
            (Some(f), _, Param::Str(_)) => *f,
            (None, Some(f), Param::Str(s)) if !s.is_empty() => *f,
            (_, _, Param::Map(_)) => {
                return Err(ApiError::bad_request(
                    31,
                    "There is no existing linked table for this resource",
                ))
            }
            _ => {
                let names: Vec<&str> = allowed.plain.iter().map(|f| f.name.as_str()).collect();
                return Err(ApiError::bad_request(
                    32,
                    did_you_mean("This filter does not exist", name, &names),
                ));
            }
        };
        let value = value.as_str().unwrap_or_default();
        if value.is_empty() {
            return Err(ApiError::bad_request(
                33,
                format!("The filter \"{name}\" is malformed."),
            ));
        }
        let dynamic = || {
            ApiError::bad_request(
                34,
                format!(
                    "The field \"{name}\" is dynamic. It is not possible to filter GET query with this field."
                ),
            )
        };
        if field.computed {
            return Err(dynamic());
        }
        let target = target(field).ok_or_else(dynamic)?;
        let op = value_op(value).ok_or_else(|| {
            ApiError::bad_request(33, format!("The filter \"{name}\" is malformed."))
        })?;
        conds.push(Cond {
            target,
            op,
            text: is_text(field),
        });
    }
    Ok(conds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: &str) -> String {
        format!("{:?}", value_op(v))
    }

    #[test]
    fn value_grammar() {
        assert_eq!(show("abc"), r#"Some(In(["abc"]))"#);
        assert_eq!(show("[1|5]"), r#"Some(In(["1", "5"]))"#);
        assert_eq!(show("[10,1]"), r#"Some(Between("1", "10"))"#);
        assert_eq!(show("[a,b]"), r#"Some(In(["a,b"]))"#);
        assert_eq!(show("[appl]%"), r#"Some(Like("appl%"))"#);
        assert_eq!(show("%[mug]%"), r#"Some(Like("%mug%"))"#);
        assert_eq!(show(">[5]"), r#"Some(Gt("5"))"#);
        assert_eq!(show("<[5]"), r#"Some(Lt("5"))"#);
        assert_eq!(show("![a|b]"), r#"Some(NotIn(["a", "b"]))"#);
        assert_eq!(show("[|a]"), r#"Some(In(["|a"]))"#);
        assert_eq!(show(">=[5]"), "None");
        assert_eq!(show("x[1]"), "None");
        assert_eq!(show("[1]x"), "None");
    }
}
