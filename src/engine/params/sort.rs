//! `sort=field_ASC` or `sort=[f1_DESC,f2_ASC]` (protocol §1.8).

use crate::catalog::{Resource, Storage};
use crate::engine::error::{ApiError, ApiResult};
use crate::engine::params::filter::{allowed, is_text};
use crate::storage::{Col, OrderBy};

fn syntax() -> ApiError {
    ApiError::bad_request(
        37,
        "The \"sort\" value has to be formed as this example: \"field_ASC\" or '[field_1_DESC,field_2_ASC,field_3_ASC,...]' (\"field\" has to be an available field)",
    )
}

pub fn parse(raw: Option<&str>, r: &Resource, dates: bool) -> ApiResult<Vec<OrderBy>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let inner = raw
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(raw);
    let allowed = allowed(r, dates);
    let mut out = Vec::new();
    for item in inner.split(',') {
        let (name, dir) = item.rsplit_once('_').ok_or_else(syntax)?;
        let desc = match dir.to_ascii_uppercase().as_str() {
            "ASC" => false,
            "DESC" => true,
            _ => return Err(syntax()),
        };
        let field = allowed
            .plain
            .iter()
            .chain(allowed.i18n.iter())
            .find(|f| f.name == name);
        let col = field.and_then(|f| match &f.storage {
            Storage::Main(c) => Some(Col::Main(c.clone())),
            // The first selected language decides (PrestaShop took an arbitrary one).
            Storage::Lang(c) | Storage::LangGetter(c) => Some(Col::Lang(c.clone(), 0)),
            Storage::Lookup(l) => Some(Col::Lookup(l.clone())),
            Storage::Virtual => None,
        });
        let Some(col) = col else {
            let plain: Vec<&str> = allowed.plain.iter().map(|f| f.name.as_str()).collect();
            let i18n: Vec<&str> = allowed.i18n.iter().map(|f| f.name.as_str()).collect();
            return Err(ApiError::bad_request(
                38,
                format!(
                    "Unable to filter by this field. However, these are available: {}, for i18n fields:{}",
                    plain.join(", "),
                    i18n.join(", ")
                ),
            ));
        };
        out.push(OrderBy {
            col,
            desc,
            text: field.is_some_and(|f| is_text(f)),
        });
    }
    Ok(out)
}
