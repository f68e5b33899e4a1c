//! `images/{family}/default[/{iso}[/{size}]]`: the "no picture" placeholders shown for a
//! product or category without a picture, one per language (`{dir}/{iso}.jpg`, sizes
//! `{dir}/{iso}-default-{type}.jpg`). The language code is looked up among the shop's
//! languages; the path is built from the stored code, never from the request's text.

use crate::catalog::Method;
use crate::engine::{ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Select, Value};

use super::errors;
use super::files;
use super::layout::{self, Kind};
use super::listing::{Doc, Item};
use super::serve;
use super::types;
use super::upload;

pub fn route(e: &Engine, req: &Request, ctx: &Ctx, kind: Kind, segs: &[&str]) -> ApiResult<Reply> {
    let root = e.settings.images_dir.as_path();
    let (langs, types) = e.store.reading(|rd| -> ApiResult<_> {
        let langs: Vec<String> = rd
            .select(&Select {
                table: "lang",
                columns: &["iso_code"],
                key: vec![("active", Value::Int(1))],
                order: &["id_lang"],
                ..Default::default()
            })?
            .iter()
            .map(|r| r[0].to_text())
            .collect();
        Ok((langs, types::of(rd, kind)?))
    })?;
    let Some((iso, rest)) = segs.split_first() else {
        if !matches!(req.method, Method::Get | Method::Head) {
            return Err(errors::listing_method());
        }
        return Ok(languages(ctx, kind, &langs).reply(req.format));
    };
    // The stored code, not the request's text, names the file.
    let Some(iso) = langs.iter().find(|l| l.eq_ignore_ascii_case(iso)) else {
        return Err(ApiError::not_found_empty());
    };
    let original = layout::placeholder(root, kind, iso).ok_or_else(ApiError::not_found_empty)?;
    match rest {
        [] => match req.method {
            Method::Get | Method::Head => serve::file(&original, || errors::missing(61)),
            Method::Post | Method::Put | Method::Patch => {
                let creating = req.method == Method::Post;
                if creating && original.is_file() {
                    return Err(errors::exists());
                }
                if !creating && !original.is_file() {
                    return Err(errors::missing(63));
                }
                let enc = upload::prepare(&ctx.info, upload::part(req)?, &types)?;
                let mut out = vec![(original.clone(), enc.original.as_slice())];
                for (name, bytes) in &enc.sizes {
                    if let Some(p) = layout::placeholder_sized(root, kind, iso, name) {
                        out.push((p, bytes.as_slice()));
                    }
                }
                files::write_all(&out).map_err(|err| {
                    tracing::error!(error = %err, "placeholder not written");
                    errors::unsaved()
                })?;
                serve::file(&original, || errors::missing(61))
            }
            Method::Delete => {
                if !original.is_file() {
                    return Err(errors::missing(64));
                }
                let mut gone = vec![original];
                gone.extend(
                    types
                        .iter()
                        .filter_map(|t| layout::placeholder_sized(root, kind, iso, &t.name)),
                );
                files::remove_all(&gone);
                Ok(Reply::empty(200))
            }
        },
        [size] => {
            if !matches!(req.method, Method::Get | Method::Head) {
                return Err(errors::method(req.method.as_str()));
            }
            let Some(t) = types.iter().find(|t| t.name == *size) else {
                let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
                return Err(errors::size_unknown(size, &names));
            };
            let path = layout::placeholder_sized(root, kind, iso, &t.name)
                .ok_or_else(errors::size_missing)?;
            serve::sized(&original, &path, t, upload::quality(&ctx.info))
        }
        _ => Err(errors::method(req.method.as_str())),
    }
}

/// `images/{family}/default`: one entry per active language.
fn languages(ctx: &Ctx, kind: Kind, langs: &[String]) -> Doc {
    let items = langs
        .iter()
        .map(|iso| {
            let mut item = Item::with_rights(
                "language",
                format!("{}images/{}/default/{iso}", ctx.ws, kind.name()),
                [true; 6],
            );
            item.attrs.push(("iso", iso.clone()));
            item
        })
        .collect();
    Doc {
        lists: vec![("languages", vec![], items)],
    }
}
