//! `images/{categories|manufacturers|suppliers|stores}/…`: one picture per row, no rows of
//! its own: `{dir}/{id}.jpg` and a file per size of the types flagged for the family.

use crate::catalog::Method;
use crate::engine::{parse_id, ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Select, Value};

use super::errors;
use super::files;
use super::layout::{self, Kind};
use super::products::types_and_images;
use super::serve;
use super::types::{self, ImageType};
use super::upload;

pub fn route(e: &Engine, req: &Request, ctx: &Ctx, kind: Kind, segs: &[&str]) -> ApiResult<Reply> {
    let root = e.settings.images_dir.as_path();
    match segs {
        [] => {
            if !matches!(req.method, Method::Get | Method::Head) {
                return Err(errors::listing_method());
            }
            let types = family_types(e, kind)?;
            Ok(
                types_and_images(&ctx.ws, kind.name(), &types, &stored_ids(root, kind))
                    .reply(req.format),
            )
        }
        ["default", rest @ ..] => super::defaults::route(e, req, ctx, kind, rest),
        [id] => {
            let id = parse_id(id).ok_or_else(errors::id_invalid)?;
            let original = layout::original(root, kind, id);
            match req.method {
                Method::Get | Method::Head => serve::file(&original, || errors::missing(61)),
                Method::Post | Method::Put | Method::Patch => {
                    let creating = req.method == Method::Post;
                    if creating && original.is_file() {
                        return Err(errors::exists());
                    }
                    if !creating && !original.is_file() {
                        return Err(errors::missing(63));
                    }
                    let types = e.store.reading(|rd| -> ApiResult<Vec<ImageType>> {
                        let (table, key) = kind.table();
                        let found = rd.select(&Select {
                            table,
                            columns: &[key],
                            key: vec![(key, Value::Int(id))],
                            order: &[],
                            limit: Some(1),
                            ..Default::default()
                        })?;
                        if found.is_empty() {
                            return Err(ApiError::not_found_empty());
                        }
                        Ok(types::of(rd, kind)?)
                    })?;
                    let enc = upload::prepare(&ctx.info, upload::part(req)?, &types)?;
                    let files = enc.files(root, kind, id);
                    files::write_all(&files).map_err(|err| {
                        tracing::error!(error = %err, "picture files not written");
                        errors::unsaved()
                    })?;
                    let keep: Vec<_> = files.iter().map(|(p, _)| p.clone()).collect();
                    files::remove_all(&files::siblings(&layout::folder(root, kind, id), id, &keep));
                    serve::file(&original, || errors::missing(61))
                }
                Method::Delete => {
                    if !original.is_file() {
                        return Err(errors::missing(64));
                    }
                    files::remove_all(&files::siblings(&layout::folder(root, kind, id), id, &[]));
                    Ok(Reply::empty(200))
                }
            }
        }
        [id, size] => {
            let id = parse_id(id).ok_or_else(errors::id_invalid)?;
            if !matches!(req.method, Method::Get | Method::Head) {
                return Err(errors::method(req.method.as_str()));
            }
            // PrestaShop answers the original whatever the size; shopws the size asked.
            let types = types::cached(e, kind)?;
            let Some(t) = types.iter().find(|t| t.name == *size) else {
                let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
                return Err(errors::size_unknown(size, &names));
            };
            let path = layout::sized(root, kind, id, &t.name).ok_or_else(errors::size_missing)?;
            serve::sized(
                &layout::original(root, kind, id),
                &path,
                t,
                upload::quality(&ctx.info),
            )
        }
        _ => Err(errors::method(req.method.as_str())),
    }
}

fn family_types(e: &Engine, kind: Kind) -> ApiResult<Vec<ImageType>> {
    e.store
        .reading(|rd| -> ApiResult<_> { Ok(types::of(rd, kind)?) })
}

/// Ids of the originals in the family's folder (`N.jpg`), ascending.
fn stored_ids(root: &std::path::Path, kind: Kind) -> Vec<i64> {
    let Ok(dir) = std::fs::read_dir(root.join(kind.folder())) else {
        return Vec::new();
    };
    let mut ids: Vec<i64> = dir
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_str()?;
            parse_id(name.strip_suffix(".jpg")?)
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// Deleting a category (and the categories below it), brand, supplier or store removes its
/// picture's files once the delete has committed, as PrestaShop's `deleteImage` does. Without it, a new entity given the
/// deleted one's id (both backends give the highest id again after it is deleted) would
/// show the old picture.
pub struct EntityPictures;

impl crate::engine::behaviour::Behaviour for EntityPictures {
    fn after_delete_commit(
        &self,
        tx: &mut dyn crate::storage::Tx,
        r: &crate::catalog::Resource,
        id: i64,
        later: &mut crate::engine::after_commit::AfterCommit,
    ) -> ApiResult<()> {
        let Some(kind) = Kind::ENTITIES.into_iter().find(|k| k.name() == r.api) else {
            return Ok(());
        };
        // A category's descendants are deleted with it, their pictures too.
        let ids = match kind {
            Kind::Categories => crate::engine::special::categories::with_descendants(tx, id)?,
            _ => vec![id],
        };
        later.push(move |e: &Engine| {
            let root = e.settings.images_dir.as_path();
            for id in ids {
                files::remove_all(&files::siblings(&layout::folder(root, kind, id), id, &[]));
            }
        });
        Ok(())
    }
}
