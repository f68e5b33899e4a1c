//! `images/products/…`: product pictures, rows in `image`, `image_shop`, `image_lang` and
//! files under `p/`. The product's `associations/images` (rows of `image` by position) and
//! `id_default_image` (`image_shop.cover`) read the same rows, so they follow every change.

use base64::Engine as _;

use crate::catalog::Method;
use crate::engine::after_commit::AfterCommit;
use crate::engine::render::{xml, Format};
use crate::engine::{parse_id, ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Reader, Select, StorageError, Tx, Value};

use super::errors;
use super::files;
use super::layout::{self, Kind};
use super::listing::{Doc, Item};
use super::serve;
use super::types::{self, ImageType};
use super::upload;

pub fn route(e: &Engine, req: &Request, ctx: &Ctx, segs: &[&str]) -> ApiResult<Reply> {
    match segs {
        [] => list(e, req, ctx),
        ["default", rest @ ..] => super::defaults::route(e, req, ctx, Kind::Products, rest),
        [pid] => {
            let pid = parse_id(pid).ok_or_else(errors::id_invalid)?;
            match req.method {
                Method::Get | Method::Head => declinations(e, req, ctx, pid),
                Method::Post => add(e, req, ctx, pid),
                m => Err(errors::upload_method(m.as_str())),
            }
        }
        [pid, "bin"] => {
            let pid = parse_id(pid).ok_or_else(errors::id_invalid)?;
            if !matches!(req.method, Method::Get | Method::Head) {
                return Err(errors::method(req.method.as_str()));
            }
            let cover = e.store.reading(|rd| -> ApiResult<Option<i64>> {
                Ok(first_int(rd.select(&Select {
                    table: "image",
                    columns: &["id_image"],
                    key: vec![("id_product", Value::Int(pid)), ("cover", Value::Int(1))],
                    order: &[],
                    limit: Some(1),
                    ..Default::default()
                })?))
            })?;
            let iid = cover.ok_or_else(|| errors::missing(61))?;
            serve::file(&layout::original(root(e), Kind::Products, iid), || {
                errors::missing(61)
            })
        }
        [pid, iid] => {
            let (pid, iid) = ids(pid, iid)?;
            match req.method {
                Method::Get | Method::Head => {
                    owned(e, pid, iid)?;
                    serve::file(&layout::original(root(e), Kind::Products, iid), || {
                        errors::missing(61)
                    })
                }
                Method::Put | Method::Patch => replace(e, req, ctx, pid, iid),
                Method::Delete => delete(e, pid, iid),
                Method::Post => {
                    owned(e, pid, iid)?;
                    Err(errors::exists())
                }
            }
        }
        [pid, iid, size] => {
            let (pid, iid) = ids(pid, iid)?;
            if !matches!(req.method, Method::Get | Method::Head) {
                return Err(errors::method(req.method.as_str()));
            }
            owned(e, pid, iid)?;
            // The size is one of the product types (cached): the file's name comes from the
            // stored type, never from the request's text.
            let types = types::cached(e, Kind::Products)?;
            let Some(t) = types.iter().find(|t| t.name == *size) else {
                let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
                return Err(errors::size_unknown(size, &names));
            };
            let original = layout::original(root(e), Kind::Products, iid);
            let path = layout::sized(root(e), Kind::Products, iid, &t.name)
                .ok_or_else(errors::size_missing)?;
            serve::sized(&original, &path, t, upload::quality(&ctx.info))
        }
        _ => Err(errors::method(req.method.as_str())),
    }
}

fn root(e: &Engine) -> &std::path::Path {
    &e.settings.images_dir
}

fn ids(pid: &str, iid: &str) -> ApiResult<(i64, i64)> {
    let pid = parse_id(pid).ok_or_else(errors::id_invalid)?;
    let iid = parse_id(iid).ok_or_else(errors::image_id_unknown)?;
    Ok((pid, iid))
}

fn first_int(rows: Vec<Vec<Value>>) -> Option<i64> {
    rows.into_iter()
        .next()
        .and_then(|r| r.into_iter().next())
        .and_then(|v| v.as_i64())
}

/// Pictures known to be their product's, for a second: a picture request then reads
/// nothing from the database. A delete here forgets its picture at once; one made elsewhere
/// (another node, PrestaShop) shows within the second, and its files are gone anyway.
fn known_owned() -> &'static moka::sync::Cache<(i64, i64), ()> {
    static CACHE: std::sync::OnceLock<moka::sync::Cache<(i64, i64), ()>> =
        std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        moka::sync::Cache::builder()
            .max_capacity(100_000)
            .time_to_live(std::time::Duration::from_secs(1))
            .build()
    })
}

/// #57 unless image `iid` is one of product `pid`'s.
fn owned(e: &Engine, pid: i64, iid: i64) -> ApiResult<()> {
    if known_owned().contains_key(&(pid, iid)) {
        return Ok(());
    }
    e.store.reading(|rd| owned_in(rd, pid, iid))?;
    known_owned().insert((pid, iid), ());
    Ok(())
}

fn owned_in(rd: &mut dyn Reader, pid: i64, iid: i64) -> ApiResult<()> {
    let rows = rd.select(&Select {
        table: "image",
        columns: &["id_image"],
        key: vec![
            ("id_image", Value::Int(iid)),
            ("id_product", Value::Int(pid)),
        ],
        order: &[],
        limit: Some(1),
        ..Default::default()
    })?;
    if rows.is_empty() {
        return Err(errors::image_id_unknown());
    }
    Ok(())
}

/// `images/products`: the product types, then every product having pictures.
fn list(e: &Engine, req: &Request, ctx: &Ctx) -> ApiResult<Reply> {
    if !matches!(req.method, Method::Get | Method::Head) {
        return Err(errors::listing_method());
    }
    let (types, products) = e.store.reading(|rd| -> ApiResult<_> {
        let types = types::of(rd, Kind::Products)?;
        let rows = rd.select(&Select {
            table: "image",
            columns: &["id_product"],
            key: vec![],
            order: &["id_product"],
            ..Default::default()
        })?;
        let mut ids: Vec<i64> = rows.iter().filter_map(|r| r[0].as_i64()).collect();
        ids.dedup();
        Ok((types, ids))
    })?;
    Ok(types_and_images(&ctx.ws, "products", &types, &products).reply(req.format))
}

/// The `<image_types>` + `<images>` document of a family listing.
pub fn types_and_images(ws: &str, family: &str, types: &[ImageType], ids: &[i64]) -> Doc {
    let types = types
        .iter()
        .map(|t| Item {
            tag: "image_type",
            attrs: vec![
                ("id", t.id.to_string()),
                ("name", t.name.clone()),
                ("xlink:href", format!("{ws}image_types/{}", t.id)),
            ],
        })
        .collect();
    let images = ids
        .iter()
        .map(|id| Item {
            tag: "image",
            attrs: vec![
                ("id", id.to_string()),
                ("xlink:href", format!("{ws}images/{family}/{id}")),
            ],
        })
        .collect();
    Doc {
        lists: vec![("image_types", vec![], types), ("images", vec![], images)],
    }
}

/// `images/products/{id}`: the product's pictures by position; 404 without a body when it
/// has none (or does not exist).
fn declinations(e: &Engine, req: &Request, ctx: &Ctx, pid: i64) -> ApiResult<Reply> {
    let ids = e.store.reading(|rd| -> ApiResult<Vec<i64>> {
        Ok(rd
            .select(&Select {
                table: "image",
                columns: &["id_image"],
                key: vec![("id_product", Value::Int(pid))],
                order: &["position", "id_image"],
                ..Default::default()
            })?
            .iter()
            .filter_map(|r| r[0].as_i64())
            .collect())
    })?;
    if ids.is_empty() {
        return Err(ApiError::not_found_empty());
    }
    let items = ids
        .iter()
        .map(|iid| Item {
            tag: "declination",
            attrs: vec![
                ("id", iid.to_string()),
                (
                    "xlink:href",
                    format!("{}images/products/{pid}/{iid}", ctx.ws),
                ),
            ],
        })
        .collect();
    Ok(Doc {
        lists: vec![("image", vec![("id", pid.to_string())], items)],
    }
    .reply(req.format))
}

/// The new row's values, for the answer.
struct Added {
    id: i64,
    position: i64,
    cover: bool,
}

/// POST `images/products/{id}`: a new picture, last by position, cover when the product has
/// none. Every file is encoded before the transaction; inside it only rows are written and
/// the finished files renamed into place, so a failure leaves neither.
fn add(e: &Engine, req: &Request, ctx: &Ctx, pid: i64) -> ApiResult<Reply> {
    let part = upload::part(req)?;
    let types = e
        .store
        .reading(|rd| -> ApiResult<_> { Ok(types::of(rd, Kind::Products)?) })?;
    let enc = upload::prepare(&ctx.info, part, &types)?;
    // Every file written by every attempt: a backend may run the transaction again (a
    // deadlock retried), and an attempt rolled back leaves files under an id never committed.
    let mut written: Vec<std::path::PathBuf> = Vec::new();
    let result = e.store.transaction(|tx| -> ApiResult<Added> {
        let added = insert_rows(tx, ctx, pid)?;
        let files = enc.files(root(e), Kind::Products, added.id);
        written.extend(files.iter().map(|(p, _)| p.clone()));
        files::write_all(&files).map_err(|err| {
            tracing::error!(error = %err, "picture files not written");
            errors::unsaved()
        })?;
        Ok(added)
    });
    let added = match result {
        Ok(a) => a,
        Err(err) => {
            files::remove_all(&written);
            return Err(err);
        }
    };
    let kept: Vec<_> = enc
        .files(root(e), Kind::Products, added.id)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    written.retain(|p| !kept.contains(p));
    files::remove_all(&written);
    Ok(added_reply(req.format, ctx, pid, &added, &enc.original))
}

fn insert_rows(tx: &mut dyn Tx, ctx: &Ctx, pid: i64) -> ApiResult<Added> {
    let exists = !tx
        .select(&Select {
            table: "product",
            columns: &["id_product"],
            key: vec![("id_product", Value::Int(pid))],
            order: &[],
            limit: Some(1),
            ..Default::default()
        })?
        .is_empty();
    if !exists {
        return Err(errors::product_missing(pid));
    }
    let position = tx
        .max("image", "position", &[("id_product", Value::Int(pid))])?
        .and_then(|v| v.as_i64())
        .unwrap_or(0)
        + 1;
    let has_cover = |tx: &mut dyn Tx, table: &'static str, shop: Option<i64>| {
        let mut key = vec![("id_product", Value::Int(pid)), ("cover", Value::Int(1))];
        if let Some(s) = shop {
            key.push(("id_shop", Value::Int(s)));
        }
        tx.select(&Select {
            table,
            columns: &["id_image"],
            key,
            order: &[],
            limit: Some(1),
            ..Default::default()
        })
        .map(|r| !r.is_empty())
    };
    let cover = !has_cover(tx, "image", None)?;
    let flag = |c: bool| if c { Value::Int(1) } else { Value::Null };
    let id = tx.insert(
        "image",
        &[
            ("id_product", Value::Int(pid)),
            ("position", Value::Int(position)),
            ("cover", flag(cover)),
        ],
    )?;
    for shop in &ctx.db.shops {
        let shop_cover = !has_cover(tx, "image_shop", Some(*shop))?;
        tx.insert(
            "image_shop",
            &[
                ("id_product", Value::Int(pid)),
                ("id_image", Value::Int(id)),
                ("id_shop", Value::Int(*shop)),
                ("cover", flag(shop_cover)),
            ],
        )?;
    }
    for lang in &ctx.info.installed_langs {
        tx.insert(
            "image_lang",
            &[
                ("id_image", Value::Int(id)),
                ("id_lang", Value::Int(*lang)),
                ("legend", Value::from("")),
            ],
        )?;
    }
    Ok(Added {
        id,
        position,
        cover,
    })
}

/// PrestaShop's answer to an upload: the image entity, then the stored original in base64.
fn added_reply(format: Format, ctx: &Ctx, pid: i64, a: &Added, original: &[u8]) -> Reply {
    let b64 = base64::engine::general_purpose::STANDARD.encode(original);
    let cover = if a.cover { "1" } else { "" };
    let mut out = Vec::with_capacity(b64.len() + 1024);
    if format == Format::Json {
        let doc = serde_json::json!({
            "image": {
                "id": a.id,
                "id_product": pid.to_string(),
                "position": a.position.to_string(),
                "cover": cover,
                "legend": ctx.langs.iter().map(|l| serde_json::json!({"id": l.to_string(), "value": ""})).collect::<Vec<_>>(),
            },
            "content": b64,
        });
        let _ = serde_json::to_writer(&mut out, &doc);
        return Reply::doc(200, out);
    }
    let ws = &ctx.ws;
    xml::push(&mut out, xml::HEADER);
    xml::push(
        &mut out,
        &format!(
            "<image>\n\t<id><![CDATA[{id}]]></id>\n\t<id_product xlink:href=\"{ws}products/{pid}\"><![CDATA[{pid}]]></id_product>\n\t<position><![CDATA[{pos}]]></position>\n\t<cover><![CDATA[{cover}]]></cover>\n\t<legend>\n",
            id = a.id,
            pos = a.position
        ),
    );
    for l in &ctx.langs {
        xml::push(
            &mut out,
            &format!("\t\t<language id=\"{l}\" xlink:href=\"{ws}languages/{l}\"><![CDATA[]]></language>\n"),
        );
    }
    xml::push(
        &mut out,
        "\t</legend>\n</image>\n<content encode=\"base64\"><![CDATA[",
    );
    xml::push(&mut out, &b64);
    xml::push(&mut out, "]]></content>\n");
    xml::push(&mut out, xml::FOOTER);
    Reply::doc(200, out)
}

/// PUT (POST + `ps_method=PUT`) `images/products/{id}/{id_image}`: new files for the same
/// rows; sizes regenerated, leftovers of the old picture (other types, variants) removed.
fn replace(e: &Engine, req: &Request, ctx: &Ctx, pid: i64, iid: i64) -> ApiResult<Reply> {
    let types = e.store.reading(|rd| -> ApiResult<_> {
        owned_in(rd, pid, iid)?;
        Ok(types::of(rd, Kind::Products)?)
    })?;
    let part = upload::part(req)?;
    let enc = upload::prepare(&ctx.info, part, &types)?;
    let files = enc.files(root(e), Kind::Products, iid);
    files::write_all(&files).map_err(|err| {
        tracing::error!(error = %err, "picture files not written");
        ApiError::new(500, 62, "Unable to save this image.")
    })?;
    let keep: Vec<_> = files.iter().map(|(p, _)| p.clone()).collect();
    let folder = layout::folder(root(e), Kind::Products, iid);
    files::remove_all(&files::siblings(&folder, iid, &keep));
    serve::file(&layout::original(root(e), Kind::Products, iid), || {
        errors::missing(63)
    })
}

/// DELETE `images/products/{id}/{id_image}`: the rows (with the combinations' links), the
/// other pictures renumbered 1..n, the lowest promoted to cover if this one was it, then the
/// files once the rows are gone.
fn delete(e: &Engine, pid: i64, iid: i64) -> ApiResult<Reply> {
    e.store.transaction(|tx| -> ApiResult<()> {
        owned_in(tx, pid, iid)?;
        let key = [("id_image", Value::Int(iid))];
        for table in [
            "image",
            "image_shop",
            "image_lang",
            "product_attribute_image",
        ] {
            tx.delete(table, &key)?;
        }
        renumber(tx, pid)?;
        Ok(())
    })?;
    remove_files(e, pid, iid);
    Ok(Reply::empty(200))
}

/// Once picture `iid`'s rows are gone: its files (every size and variant), their cached
/// copies, and the knowledge that it was product `pid`'s.
fn remove_files(e: &Engine, pid: i64, iid: i64) {
    known_owned().invalidate(&(pid, iid));
    let folder = layout::folder(root(e), Kind::Products, iid);
    files::remove_all(&files::siblings(&folder, iid, &[]));
    // PrestaShop removes the digit folder once empty; a folder still holding deeper
    // pictures (p/1/2 for image 12 holds p/1/2/3) stays.
    let _ = std::fs::remove_dir(&folder);
}

/// Positions 1..n in the current order; a product left without a cover gets its first
/// picture as cover, in `image` and in each shop's `image_shop`.
fn renumber(tx: &mut dyn Tx, pid: i64) -> Result<(), StorageError> {
    let rows = tx.select(&Select {
        table: "image",
        columns: &["id_image", "position", "cover"],
        key: vec![("id_product", Value::Int(pid))],
        order: &["position", "id_image"],
        ..Default::default()
    })?;
    for (n, r) in rows.iter().enumerate() {
        let want = n as i64 + 1;
        if r[1].as_i64() != Some(want) {
            tx.update(
                "image",
                &[("position", Value::Int(want))],
                &[("id_image", r[0].clone())],
            )?;
        }
    }
    let Some(first) = rows.first().and_then(|r| r[0].as_i64()) else {
        return Ok(());
    };
    if !rows.iter().any(|r| r[2].as_i64() == Some(1)) {
        tx.update(
            "image",
            &[("cover", Value::Int(1))],
            &[("id_image", Value::Int(first))],
        )?;
    }
    // Per shop: the shops whose cover went with the deleted picture.
    let shop_rows = tx.select(&Select {
        table: "image_shop",
        columns: &["id_shop", "cover"],
        key: vec![("id_product", Value::Int(pid))],
        order: &["id_shop"],
        ..Default::default()
    })?;
    let mut shops: Vec<i64> = shop_rows.iter().filter_map(|r| r[0].as_i64()).collect();
    shops.dedup();
    for shop in shops {
        let covered = shop_rows
            .iter()
            .any(|r| r[0].as_i64() == Some(shop) && r[1].as_i64() == Some(1));
        if covered {
            continue;
        }
        // The shop's first picture in the product's order.
        for r in &rows {
            let n = tx.update(
                "image_shop",
                &[("cover", Value::Int(1))],
                &[("id_image", r[0].clone()), ("id_shop", Value::Int(shop))],
            )?;
            if n > 0 {
                break;
            }
        }
    }
    Ok(())
}

/// Deleting a product deletes its pictures' rows (`image`, `image_shop`, `image_lang` and the
/// combinations' links), then, once that is committed, their files, as PrestaShop's
/// `Product::delete` does. The ids of the files come from the rows, never from the request.
pub struct ProductPictures;

impl crate::engine::behaviour::Behaviour for ProductPictures {
    fn after_delete_commit(
        &self,
        tx: &mut dyn Tx,
        _r: &crate::catalog::Resource,
        id: i64,
        later: &mut AfterCommit,
    ) -> ApiResult<()> {
        let images = pictures_of(tx, id)?;
        later.push(move |e: &Engine| {
            for image in images.iter().filter_map(Value::as_i64) {
                remove_files(e, id, image);
            }
        });
        Ok(())
    }

    fn before_delete(
        &self,
        tx: &mut dyn Tx,
        _r: &crate::catalog::Resource,
        id: i64,
    ) -> ApiResult<bool> {
        for image in pictures_of(tx, id)? {
            for table in ["image_shop", "image_lang", "product_attribute_image"] {
                tx.delete(table, &[("id_image", image.clone())])?;
            }
        }
        tx.delete("image", &[("id_product", Value::Int(id))])?;
        Ok(true)
    }
}

fn pictures_of(tx: &mut dyn Tx, pid: i64) -> Result<Vec<Value>, StorageError> {
    Ok(tx
        .select(&Select {
            table: "image",
            columns: &["id_image"],
            key: vec![("id_product", Value::Int(pid))],
            order: &["id_image"],
            ..Default::default()
        })?
        .into_iter()
        .filter_map(|r| r.into_iter().next())
        .collect())
}
