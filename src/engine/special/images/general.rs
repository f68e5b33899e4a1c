//! `images/general/{header|mail|invoice|store_icon}`: the shop's logos, files in the
//! pictures' folder root named by configuration (`PS_LOGO`, `PS_LOGO_MAIL`,
//! `PS_LOGO_INVOICE` — both falling back to the header logo — and `PS_STORES_ICON`).
//! A configured name is used only when it is a plain file name (no folder, no `..`).

use crate::catalog::Method;
use crate::engine::{shop, ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Select, Value};

use super::errors;
use super::files;
use super::listing::{Doc, Item};
use super::process;
use super::serve;
use super::upload;

const NAMES: [&str; 4] = ["header", "mail", "invoice", "store_icon"];

pub fn route(e: &Engine, req: &Request, ctx: &Ctx, segs: &[&str]) -> ApiResult<Reply> {
    let Some(name) = segs.first() else {
        if !matches!(req.method, Method::Get | Method::Head) {
            return Err(errors::listing_method());
        }
        return Ok(list(ctx).reply(req.format));
    };
    if !NAMES.contains(name) || segs.len() > 1 {
        return Err(ApiError::new(
            400,
            53,
            crate::engine::error::did_you_mean(
                &format!("General image of type \"{name}\" does not exist"),
                name,
                &NAMES,
            ),
        ));
    }
    let (setting, fallback) = match *name {
        "header" => ("PS_LOGO", None),
        "mail" => ("PS_LOGO_MAIL", Some("PS_LOGO")),
        "invoice" => ("PS_LOGO_INVOICE", Some("PS_LOGO")),
        _ => ("PS_STORES_ICON", None),
    };
    let configured = |n: &str| -> ApiResult<Option<String>> {
        let rows = e.store.reading(|rd| -> ApiResult<_> {
            Ok(rd.select(&Select {
                table: "configuration",
                columns: &["value"],
                key: vec![("name", Value::from(n))],
                order: &["id_configuration"],
                ..Default::default()
            })?)
        })?;
        Ok(rows
            .into_iter()
            .map(|r| r[0].to_text())
            .find(|v| plain_file_name(v)))
    };
    let root = e.settings.images_dir.as_path();
    match req.method {
        Method::Get | Method::Head => {
            let file = match configured(setting)? {
                Some(f) => Some(f),
                None => match fallback {
                    Some(f) => configured(f)?,
                    None => None,
                },
            };
            let file = file.ok_or_else(|| errors::missing(61))?;
            serve::file(&root.join(file), || errors::missing(61))
        }
        Method::Put => {
            let part = upload::part(req)?;
            let max = upload::limit(&ctx.info);
            if part.data.len() as u64 > max {
                return Err(errors::too_large(max));
            }
            // Decoded fully: a logo is a picture like any other upload.
            let (_, img) = process::decode(&part.data).map_err(|r| match r {
                process::Refusal::NotAnImage => errors::not_an_image(),
                process::Refusal::Bad(why) => errors::bad_image(&why),
            })?;
            let file = match configured(setting)? {
                Some(f) => f,
                None => {
                    let f = format!("{}.{}", name, ext(&part.data));
                    shop::set_setting(e.store.as_ref(), setting, &f)?;
                    f
                }
            };
            files::write_all(&[(root.join(&file), &part.data[..])]).map_err(|err| {
                tracing::error!(error = %err, "logo not written");
                ApiError::new(400, 54, "Error while copying image to the directory")
            })?;
            if *name == "header" {
                shop::set_setting(e.store.as_ref(), "PS_LOGO_WIDTH", &img.width.to_string())?;
                shop::set_setting(e.store.as_ref(), "PS_LOGO_HEIGHT", &img.height.to_string())?;
            }
            e.invalidate();
            serve::file(&root.join(file), || errors::missing(61))
        }
        m => {
            let code = match m {
                Method::Post => 49,
                Method::Patch => 50,
                Method::Delete => 51,
                _ => 52,
            };
            Err(ApiError::new(
                405,
                code,
                "This method is not allowed with general image resources.",
            ))
        }
    }
}

fn ext(bytes: &[u8]) -> &'static str {
    match process::mime_of(bytes) {
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "jpg",
    }
}

/// A name that stays in the folder: no separator, no `..`, not hidden.
fn plain_file_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && !v.starts_with('.')
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn list(ctx: &Ctx) -> Doc {
    let items = NAMES
        .iter()
        .map(|n| {
            Item::with_rights(
                n,
                format!("{}images/general/{n}", ctx.ws),
                [true, true, false, false, false, true],
            )
        })
        .collect();
    Doc {
        lists: vec![("general_image_types", vec![], items)],
    }
}
