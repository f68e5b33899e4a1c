//! A customer's picture for a file field of a customised product:
//! `images/customizations/{cart}/{customization}/{field}` created (POST), replaced (PUT) and
//! removed (DELETE), as PrestaShop's webservice does, with its gaps closed:
//!
//! - the field must be a file field of the customised product (PrestaShop checks only that
//!   some file field has that id);
//! - a picture that already exists answers 400, a missing one 404 (PrestaShop: 500);
//! - DELETE removes the `customized_data` row with the files (PrestaShop unlinks the file
//!   and keeps the row, which then points at nothing).
//!
//! Files are PrestaShop's: `upload/{32 hex}` (the picture, re-encoded as JPEG) and
//! `upload/{32 hex}_small` (fitted into `PS_PRODUCT_PICTURE_WIDTH`×`PS_PRODUCT_PICTURE_HEIGHT`),
//! the name being the row's `value`. The size limit is `PS_PRODUCT_PICTURE_MAX_SIZE`, the
//! shop's limit for customers' pictures.

use std::path::{Path, PathBuf};

use fast_image_resize as fr;

use crate::catalog::Method;
use crate::engine::shop::ShopInfo;
use crate::engine::{ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Reader, Select, Value};

use super::customizations::{stored_file, upload_dir, FILE};
use super::{errors, files, process, serve, upload};

/// PrestaShop's default `PS_PRODUCT_PICTURE_MAX_SIZE` (8 MiB).
const DEFAULT_MAX: i64 = 8_388_608;

pub fn write(
    e: &Engine,
    req: &Request,
    ctx: &Ctx,
    cart: i64,
    cust: i64,
    field: i64,
) -> ApiResult<Reply> {
    let dir = upload_dir(e);
    match req.method {
        Method::Post => create(e, req, ctx, &dir, (cart, cust, field)),
        Method::Put | Method::Patch => {
            let name = e
                .store
                .reading(|rd| stored_file(rd, cart, cust, field))?
                .ok_or_else(|| errors::missing(61))?;
            let path = dir.join(&name);
            if !path.is_file() {
                return Err(errors::missing(63));
            }
            let encoded = encode(req, &ctx.info)?;
            store_files(&dir, &name, &encoded)?;
            serve::file(&path, || errors::missing(61))
        }
        Method::Delete => {
            let name = e
                .store
                .reading(|rd| stored_file(rd, cart, cust, field))?
                .ok_or_else(|| errors::missing(61))?;
            e.store.transaction(|tx| -> ApiResult<()> {
                tx.delete(
                    "customized_data",
                    &[
                        ("id_customization", Value::Int(cust)),
                        ("type", Value::Int(FILE)),
                        ("index", Value::Int(field)),
                    ],
                )?;
                Ok(())
            })?;
            // The row goes first: a crash in between leaves an unreferenced file, never a
            // row naming a file that is gone.
            files::remove_all(&[dir.join(&name), dir.join(format!("{name}_small"))]);
            Ok(Reply::empty(200))
        }
        Method::Get | Method::Head => Err(errors::method(req.method.as_str())),
    }
}

fn create(
    e: &Engine,
    req: &Request,
    ctx: &Ctx,
    dir: &Path,
    (cart, cust, field): (i64, i64, i64),
) -> ApiResult<Reply> {
    e.store.reading(|rd| -> ApiResult<()> {
        let product = product_of(rd, cart, cust)?.ok_or_else(errors::customization_missing)?;
        if !is_file_field(rd, product, field)? {
            return Err(errors::customization_field_missing());
        }
        if stored_file(rd, cart, cust, field)?.is_some() {
            return Err(errors::customization_field_taken());
        }
        Ok(())
    })?;
    let encoded = encode(req, &ctx.info)?;
    let name = hex::encode(rand::random::<[u8; 16]>());
    let written = store_files(dir, &name, &encoded)?;
    let saved = e.store.transaction(|tx| -> ApiResult<()> {
        // Checked again inside the write: two uploads racing for one field, one wins.
        if stored_file(tx, cart, cust, field)?.is_some() {
            return Err(errors::customization_field_taken());
        }
        tx.insert(
            "customized_data",
            &[
                ("id_customization", Value::Int(cust)),
                ("type", Value::Int(FILE)),
                ("index", Value::Int(field)),
                ("value", Value::from(name.as_str())),
                ("id_module", Value::Int(0)),
                ("price", Value::Int(0)),
                ("weight", Value::Int(0)),
            ],
        )?;
        Ok(())
    });
    if let Err(err) = saved {
        files::remove_all(&written);
        return Err(err);
    }
    serve::file(&dir.join(&name), || errors::missing(61))
}

/// The picture and its small copy, encoded from the upload's pixels.
struct Encoded {
    picture: Vec<u8>,
    small: Vec<u8>,
}

fn encode(req: &Request, info: &ShopInfo) -> ApiResult<Encoded> {
    let max = info
        .setting_i64("PS_PRODUCT_PICTURE_MAX_SIZE", DEFAULT_MAX)
        .max(1);
    let img = upload::decode_within(upload::part(req)?, max as u64)?;
    let quality = upload::quality(info);
    let side = |name, default: i64| info.setting_i64(name, default).clamp(1, 4096) as u32;
    let fail = |e: String| {
        tracing::warn!(error = %e, "customization picture not encoded");
        errors::unsaved()
    };
    let small = process::fit(
        &img,
        side("PS_PRODUCT_PICTURE_WIDTH", 64),
        side("PS_PRODUCT_PICTURE_HEIGHT", 64),
        &mut fr::Resizer::new(),
    )
    .and_then(|s| process::jpeg(&s, quality))
    .map_err(fail)?;
    Ok(Encoded {
        picture: process::jpeg(&img, quality).map_err(fail)?,
        small,
    })
}

/// Writes both files (each renamed into place once both are written); their paths.
fn store_files(dir: &Path, name: &str, enc: &Encoded) -> ApiResult<Vec<PathBuf>> {
    let paths = vec![dir.join(name), dir.join(format!("{name}_small"))];
    files::write_all(&[
        (paths[0].clone(), enc.picture.as_slice()),
        (paths[1].clone(), enc.small.as_slice()),
    ])
    .map_err(|err| {
        tracing::error!(error = %err, "customization picture files not written");
        errors::unsaved()
    })?;
    Ok(paths)
}

/// The product of customization `cust` when it is one of `cart`'s.
fn product_of(rd: &mut dyn Reader, cart: i64, cust: i64) -> ApiResult<Option<i64>> {
    Ok(rd
        .select(&Select {
            table: "customization",
            columns: &["id_product"],
            key: vec![
                ("id_customization", Value::Int(cust)),
                ("id_cart", Value::Int(cart)),
            ],
            order: &[],
            limit: Some(1),
            ..Default::default()
        })?
        .first()
        .and_then(|r| r[0].as_i64()))
}

/// Whether `field` is a file field, still in use, of `product`.
fn is_file_field(rd: &mut dyn Reader, product: i64, field: i64) -> ApiResult<bool> {
    Ok(!rd
        .select(&Select {
            table: "customization_field",
            columns: &["id_customization_field"],
            key: vec![
                ("id_customization_field", Value::Int(field)),
                ("id_product", Value::Int(product)),
                ("type", Value::Int(FILE)),
                ("is_deleted", Value::Int(0)),
            ],
            order: &[],
            limit: Some(1),
            ..Default::default()
        })?
        .is_empty())
}
