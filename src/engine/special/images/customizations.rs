//! `images/customizations/…`: pictures customers uploaded to customise a product (writes in
//! [`super::customization_uploads`]). Rows: `customization` (which cart) and `customized_data` (type 0 = a file, `value`
//! = its name in PrestaShop's `upload/` folder, beside `img/`). PrestaShop's links to a
//! cart's customizations omit the cart; shopws's include it.

use std::path::PathBuf;

use crate::catalog::Method;
use crate::engine::{parse_id, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Reader, Select, Value};

use super::errors;
use super::listing::{Doc, Item};
use super::serve;

/// Customized data of type file.
pub(super) const FILE: i64 = 0;

pub fn route(e: &Engine, req: &Request, ctx: &Ctx, segs: &[&str]) -> ApiResult<Reply> {
    if let [cart, cust, index] = segs {
        if !matches!(req.method, Method::Get | Method::Head) {
            let (cart, cust) = ids(cart, cust)?;
            let index = parse_id(index).ok_or_else(errors::id_invalid)?;
            return super::customization_uploads::write(e, req, ctx, cart, cust, index);
        }
    }
    if !matches!(req.method, Method::Get | Method::Head) {
        return Err(errors::method(req.method.as_str()));
    }
    let ws = &ctx.ws;
    let item = |tag: &'static str, id: i64, href: String| Item {
        tag,
        attrs: vec![("id", id.to_string()), ("xlink:href", href)],
    };
    match segs {
        [] => {
            let carts = e.store.reading(|rd| -> ApiResult<Vec<i64>> {
                let ids = file_customizations(rd)?;
                let mut carts: Vec<i64> = carts_of(rd, &ids)?.into_iter().map(|(_, c)| c).collect();
                carts.sort_unstable();
                carts.dedup();
                Ok(carts)
            })?;
            let items = carts
                .iter()
                .map(|c| item("cart", *c, format!("{ws}images/customizations/{c}")))
                .collect();
            Ok(Doc {
                lists: vec![("carts", vec![], items)],
            }
            .reply(req.format))
        }
        [cart] => {
            let cart = parse_id(cart).ok_or_else(errors::id_invalid)?;
            let ids = e.store.reading(|rd| -> ApiResult<Vec<i64>> {
                let ids = file_customizations(rd)?;
                Ok(carts_of(rd, &ids)?
                    .into_iter()
                    .filter(|(_, c)| *c == cart)
                    .map(|(id, _)| id)
                    .collect())
            })?;
            let items = ids
                .iter()
                .map(|id| {
                    item(
                        "customization",
                        *id,
                        format!("{ws}images/customizations/{cart}/{id}"),
                    )
                })
                .collect();
            Ok(Doc {
                lists: vec![("customizations", vec![], items)],
            }
            .reply(req.format))
        }
        [cart, cust] => {
            let (cart, cust) = ids(cart, cust)?;
            let files = e.store.reading(|rd| files_of(rd, cart, cust))?;
            let items = files
                .iter()
                .map(|(index, _)| {
                    item(
                        "image",
                        *index,
                        format!("{ws}images/customizations/{cart}/{cust}/{index}"),
                    )
                })
                .collect();
            Ok(Doc {
                lists: vec![("images", vec![], items)],
            }
            .reply(req.format))
        }
        [cart, cust, index] => {
            let (cart, cust) = ids(cart, cust)?;
            let index: i64 = index.parse().map_err(|_| errors::id_invalid())?;
            let name = e
                .store
                .reading(|rd| stored_file(rd, cart, cust, index))?
                .ok_or_else(|| errors::missing(61))?;
            serve::file(&upload_dir(e).join(name), || errors::missing(61))
        }
        _ => Err(errors::method(req.method.as_str())),
    }
}

/// PrestaShop's `upload/`, beside `img/`.
pub(super) fn upload_dir(e: &Engine) -> PathBuf {
    let img = &e.settings.images_dir;
    img.parent()
        .map(|p| p.join("upload"))
        .unwrap_or_else(|| PathBuf::from("upload"))
}

fn ids(cart: &str, cust: &str) -> ApiResult<(i64, i64)> {
    Ok((
        parse_id(cart).ok_or_else(errors::id_invalid)?,
        parse_id(cust).ok_or_else(errors::id_invalid)?,
    ))
}

/// Customizations holding at least one file.
fn file_customizations(rd: &mut dyn Reader) -> ApiResult<Vec<i64>> {
    let mut ids: Vec<i64> = rd
        .select(&Select {
            table: "customized_data",
            columns: &["id_customization"],
            key: vec![("type", Value::Int(FILE))],
            order: &["id_customization"],
            ..Default::default()
        })?
        .iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    ids.dedup();
    Ok(ids)
}

/// (customization, cart) of the given customizations.
fn carts_of(rd: &mut dyn Reader, ids: &[i64]) -> ApiResult<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<(i64, i64)> = rd
        .select(&Select {
            table: "customization",
            columns: &["id_customization", "id_cart"],
            key: vec![],
            order: &["id_customization"],
            any: Some((
                "id_customization",
                ids.iter().map(|i| Value::Int(*i)).collect(),
            )),
            ..Default::default()
        })?
        .iter()
        .filter_map(|r| Some((r[0].as_i64()?, r[1].as_i64()?)))
        .collect();
    out.dedup();
    Ok(out)
}

/// The file stored for field `index` of customization `cust` of `cart`, if any.
pub(super) fn stored_file(
    rd: &mut dyn Reader,
    cart: i64,
    cust: i64,
    index: i64,
) -> ApiResult<Option<String>> {
    Ok(files_of(rd, cart, cust)?
        .into_iter()
        .find(|(i, _)| *i == index)
        .map(|(_, name)| name))
}

/// The files of a customization of a cart: (index, stored file name), names that are plain
/// file names only. #61 when the customization is not the cart's.
fn files_of(rd: &mut dyn Reader, cart: i64, cust: i64) -> ApiResult<Vec<(i64, String)>> {
    let owned = rd.select(&Select {
        table: "customization",
        columns: &["id_customization"],
        key: vec![
            ("id_customization", Value::Int(cust)),
            ("id_cart", Value::Int(cart)),
        ],
        order: &[],
        limit: Some(1),
        ..Default::default()
    })?;
    if owned.is_empty() {
        return Err(errors::customization_missing());
    }
    Ok(rd
        .select(&Select {
            table: "customized_data",
            columns: &["index", "value"],
            key: vec![
                ("id_customization", Value::Int(cust)),
                ("type", Value::Int(FILE)),
            ],
            order: &["index"],
            ..Default::default()
        })?
        .iter()
        .filter_map(|r| {
            let name = r[1].to_text();
            plain_name(&name).then_some((r[0].as_i64()?, name))
        })
        .collect())
}

/// A name that can only be a file in `upload/` itself (no separator, no leading dot).
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}
