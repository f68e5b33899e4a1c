//! `attachments`: the rows are generic CRUD; `attachments/file[/{id}]` uploads, downloads,
//! replaces and deletes the file behind a row, as PrestaShop's
//! `WebserviceSpecificManagementAttachments` does (protocol §8.2), with its fixes: errors
//! carry a status and a code, an unknown attachment is a 404, `POST attachments` without a
//! file is refused instead of silently doing nothing.
//!
//! Order of work, so that a failure never leaves a row without its file: the file is written
//! (temporary name, renamed into place) before the row's transaction; when the transaction
//! fails the new file is removed; a replaced or deleted row's old file is removed only once
//! the transaction is committed.

mod files;

pub use files::is_temp_name;

use std::collections::HashMap;

use bytes::Bytes;

use crate::catalog::{Method, Resource};
use crate::engine::behaviour::Behaviour;
use crate::engine::binary::Binary;
use crate::engine::render::{xml, Format};
use crate::engine::write::body::{InputEntity, InputValue};
use crate::engine::{parse_id, read, write, ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{Select, Tx, Value};

pub struct Attachments;

impl Behaviour for Attachments {
    fn handle(
        &self,
        e: &Engine,
        r: &Resource,
        req: &Request,
        ctx: &Ctx,
    ) -> ApiResult<Option<Reply>> {
        let seg = |i: usize| req.segments.get(i).map(String::as_str).unwrap_or("");
        if seg(1) == "file" {
            return file_route(e, r, req, ctx, seg(2)).map(Some);
        }
        match req.method {
            // PrestaShop answers an empty document and creates nothing: a client believing
            // it made an attachment is worse off than one told where to make it.
            Method::Post => Err(ApiError::method_forbidden("POST", &r.api)),
            Method::Delete => delete_with_files(e, r, req, ctx, seg(1)).map(Some),
            _ => Ok(None),
        }
    }

    /// PrestaShop's `Attachment::delete` refreshes the flag of the products that lose their
    /// last attachment (`Product::updateCacheAttachment`).
    fn before_delete(&self, tx: &mut dyn Tx, _r: &Resource, id: i64) -> ApiResult<bool> {
        let products = tx.select(&Select {
            table: "product_attachment",
            columns: &["id_product"],
            key: vec![("id_attachment", Value::Int(id))],
            ..Default::default()
        })?;
        for row in products {
            let product = super::int(&row[0]);
            let links = tx.select(&Select {
                table: "product_attachment",
                columns: &["id_attachment"],
                key: vec![("id_product", Value::Int(product))],
                ..Default::default()
            })?;
            if links.iter().all(|l| super::int(&l[0]) == id) {
                tx.update(
                    "product",
                    &[("cache_has_attachments", Value::Int(0))],
                    &[("id_product", Value::Int(product))],
                )?;
            }
        }
        Ok(true)
    }
}

/// `attachments/file[/{id}]`.
fn file_route(
    e: &Engine,
    r: &Resource,
    req: &Request,
    ctx: &Ctx,
    id_seg: &str,
) -> ApiResult<Reply> {
    // PrestaShop casts the segment to an integer: anything that is not an id is attachment 0.
    let id = parse_id(id_seg);
    match req.method {
        Method::Get | Method::Head => download(e, r, id.unwrap_or(0)),
        // As PrestaShop: without an id in the path any writing method creates one, with an
        // id it replaces that attachment's file (POST too, as a multipart PUT arrives).
        Method::Post | Method::Put | Method::Patch if id_seg.is_empty() => {
            upload(e, r, req, ctx, None)
        }
        Method::Post | Method::Put | Method::Patch => upload(e, r, req, ctx, Some(id.unwrap_or(0))),
        Method::Delete => {
            let id = id.unwrap_or(0);
            if row(e, r, id)?.is_none() {
                return Err(not_found(id));
            }
            delete_with_files(e, r, req, ctx, &id.to_string())?;
            Ok(empty_document(req.format))
        }
    }
}

/// What a row says about its file.
struct FileRow {
    file: String,
    file_name: String,
    mime: String,
}

fn row(e: &Engine, r: &Resource, id: i64) -> ApiResult<Option<FileRow>> {
    if id <= 0 {
        return Ok(None);
    }
    let found = e.store.first_row(&Select {
        table: &r.table,
        columns: &["file", "file_name", "mime"],
        key: vec![(r.primary.as_str(), Value::Int(id))],
        ..Default::default()
    })?;
    Ok(found.map(|v| FileRow {
        file: v[0].to_text(),
        file_name: v[1].to_text(),
        mime: v[2].to_text(),
    }))
}

fn download(e: &Engine, r: &Resource, id: i64) -> ApiResult<Reply> {
    let Some(row) = row(e, r, id)? else {
        return Err(not_found(id));
    };
    let dir = &e.settings.download_dir;
    let (bytes, modified) = match files::read(dir, &row.file) {
        Ok(Some(found)) => found,
        Ok(None) => return Err(file_missing(id)),
        Err(err) => {
            tracing::error!(error = %err, id, "attachment file unreadable");
            return Err(ApiError::internal());
        }
    };
    let content_type =
        files::sane_mime(&row.mime).unwrap_or_else(|| "application/octet-stream".into());
    Ok(Reply::file(
        bytes,
        Binary {
            content_type,
            // Files are never rewritten in place: a new file gets a new random name.
            etag: Some(format!("\"{}\"", row.file)),
            last_modified: modified,
            cache_control: Some("private, no-cache"),
            disposition: Some(files::disposition(&row.file_name)),
            sha1: None,
        },
    ))
}

/// The file a request carries, and what the row is told about it.
struct Upload {
    data: Bytes,
    file_name: String,
    mime: String,
    name: Option<String>,
}

/// Multipart field `file` (and text field `name`), else the raw body.
fn upload_of(req: &Request) -> ApiResult<Upload> {
    if !req.form.is_empty() {
        let Some(part) = req.form.iter().find(|p| p.name == "file" && p.is_file()) else {
            return Err(no_file());
        };
        let name = req
            .form
            .iter()
            .find(|p| p.name == "name" && !p.is_file())
            .map(|p| String::from_utf8_lossy(&p.data).into_owned());
        let file_name = files::clean_file_name(part.file_name.as_deref().unwrap_or(""));
        let file_name = if file_name.is_empty() {
            files::generated_file_name()
        } else {
            file_name
        };
        let mime = part
            .content_type
            .as_deref()
            .and_then(files::sane_mime)
            .unwrap_or_else(|| files::sniff(&part.data).to_string());
        return Ok(Upload {
            data: part.data.clone(),
            file_name,
            mime,
            name,
        });
    }
    if req.body.is_empty() {
        return Err(no_file());
    }
    // A raw body's declared type is kept when it says something: a client's default
    // (`curl --data-binary` sends a form type) or the generic octet stream are sniffed, as
    // PrestaShop sniffs every raw upload.
    let declared = req
        .content_type
        .as_deref()
        .and_then(files::sane_mime)
        .filter(|m| {
            !matches!(
                m.as_str(),
                "application/x-www-form-urlencoded" | "application/octet-stream"
            ) && !m.starts_with("multipart/")
        });
    Ok(Upload {
        mime: declared.unwrap_or_else(|| files::sniff(&req.body).to_string()),
        data: req.body.clone(),
        file_name: files::generated_file_name(),
        name: None,
    })
}

/// `PS_ATTACHMENT_MAXIMUM_SIZE` in bytes, as the request's shop sees it (its own value, its
/// group's, else all shops'). PrestaShop casts it to an integer number of megabytes.
fn maximum_size(e: &Engine, ctx: &Ctx) -> ApiResult<u64> {
    let rows = e.store.reading(|rd| {
        rd.select(&Select {
            table: "configuration",
            columns: &["value", "id_shop", "id_shop_group"],
            key: vec![("name", Value::from("PS_ATTACHMENT_MAXIMUM_SIZE"))],
            order: &["id_configuration"],
            ..Default::default()
        })
    })?;
    let scoped = |shop: Option<i64>, group: Option<i64>| {
        rows.iter()
            .find(|r| r[1].as_i64() == shop && r[2].as_i64() == group)
    };
    let value = scoped(Some(ctx.db.shop), None)
        .or_else(|| scoped(None, Some(ctx.db.shop_group)))
        .or_else(|| scoped(None, None))
        .or_else(|| rows.first())
        .map(|r| r[0].to_text());
    // PrestaShop's default when the setting is missing altogether.
    let megabytes = match value {
        Some(v) => leading_int(&v),
        None => 8,
    };
    Ok(megabytes.saturating_mul(1024 * 1024))
}

/// PHP's `(int)` cast of a configuration value: its leading digits, 0 without any.
fn leading_int(v: &str) -> u64 {
    let digits: String = v
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(0)
}

/// Creates an attachment from the upload (`id` `None`) or replaces the file of attachment
/// `id`; answers the entity as `GET attachments/{id}` prints it, with PrestaShop's 200.
fn upload(e: &Engine, r: &Resource, req: &Request, ctx: &Ctx, id: Option<i64>) -> ApiResult<Reply> {
    if let Some(id) = id {
        if row(e, r, id)?.is_none() {
            return Err(not_found(id));
        }
    }
    let up = upload_of(req)?;
    let max = maximum_size(e, ctx)?;
    let size = up.data.len() as u64;
    if size > max {
        return Err(too_large(size, max));
    }
    let dir = &e.settings.download_dir;
    let file = files::store(dir, &up.data).map_err(|err| {
        tracing::error!(error = %err, dir = %dir.display(), "attachment file not written");
        not_copied()
    })?;
    let name = up
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| up.file_name.clone());
    let text = |s: &str| InputValue::Text(s.to_string());
    let input = InputEntity {
        element: r.singular.clone(),
        fields: vec![
            ("file".into(), text(&file)),
            ("file_name".into(), text(&up.file_name)),
            ("file_size".into(), text(&size.to_string())),
            ("mime".into(), text(&up.mime)),
            // The default language, as PrestaShop sets it; other languages of a new
            // attachment get the same name (a required field is copied from the default
            // language), a replaced one keeps theirs.
            (
                "name".into(),
                InputValue::Langs(vec![(ctx.info.default_lang.to_string(), name)]),
            ),
        ],
        associations: None,
    };
    let (id, before) = match write::save_values(e, r, ctx, &input, id) {
        Ok(saved) => saved,
        Err(err) => {
            files::remove(dir, &file);
            return Err(err);
        }
    };
    if let Some(old) = before.as_ref().and_then(old_file) {
        if old != file {
            files::remove(dir, &old);
        }
    }
    read::one(e, r, id, req, ctx)
}

fn old_file(main: &HashMap<String, Value>) -> Option<String> {
    main.get("file").map(Value::to_text)
}

/// The generic delete (rows, language rows, product links, in one transaction), then the
/// files of the rows it deleted.
fn delete_with_files(
    e: &Engine,
    r: &Resource,
    req: &Request,
    ctx: &Ctx,
    id_seg: &str,
) -> ApiResult<Reply> {
    let ids: Vec<Value> = match req.params.get_str("id") {
        Some(list) => list
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .filter_map(|s| parse_id(s.trim()))
            .map(Value::Int)
            .collect(),
        None => parse_id(id_seg).map(Value::Int).into_iter().collect(),
    };
    let names: Vec<String> = if ids.is_empty() {
        Vec::new()
    } else {
        e.store
            .reading(|rd| {
                rd.select(&Select {
                    table: &r.table,
                    columns: &["file"],
                    any: Some((r.primary.as_str(), ids.clone())),
                    ..Default::default()
                })
            })?
            .into_iter()
            .map(|v| v[0].to_text())
            .collect()
    };
    let reply = write::delete(e, r, req, ctx, id_seg)?;
    for name in names {
        files::remove(&e.settings.download_dir, &name);
    }
    Ok(reply)
}

/// PrestaShop's answer to `DELETE attachments/file/{id}`: an empty document.
fn empty_document(format: Format) -> Reply {
    let body = match format {
        Format::Xml => format!("{}{}", xml::HEADER, xml::FOOTER).into_bytes(),
        Format::Json => b"[]".to_vec(),
    };
    Reply::doc(200, body)
}

// PrestaShop's code 1 and messages; shopws answers 404 where PrestaShop answers 500.
fn not_found(id: i64) -> ApiError {
    ApiError::new(404, 1, format!("Attachment {id} not found"))
}

fn file_missing(id: i64) -> ApiError {
    ApiError::new(
        404,
        1,
        format!("Unable to load the attachment file for attachment {id}"),
    )
}

// PrestaShop reports these without a code and with status 200; its size message swaps the
// two figures.
fn too_large(size: u64, max: u64) -> ApiError {
    ApiError::new(
        413,
        1011,
        format!(
            "The file you are trying to upload is {} KB, which is larger than the maximum size allowed of {} KB.",
            size.div_ceil(1024),
            max / 1024
        ),
    )
}

fn no_file() -> ApiError {
    ApiError::new(
        400,
        1012,
        "No file in the request: send it in the multipart/form-data field \"file\" or as the request body",
    )
}

fn not_copied() -> ApiError {
    ApiError::new(500, 1013, "Failed to copy the file.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_values_cast_as_php() {
        assert_eq!(leading_int("8"), 8);
        assert_eq!(leading_int(" 2.5"), 2);
        assert_eq!(leading_int("abc"), 0);
        assert_eq!(leading_int(""), 0);
    }

    #[test]
    fn size_message_in_kilobytes() {
        let e = too_large(3 * 1024 * 1024 + 1, 2 * 1024 * 1024);
        assert_eq!(e.status, 413);
        assert!(e.errors[0].message.contains("is 3073 KB"), "{e}");
        assert!(e.errors[0].message.ends_with("of 2048 KB."), "{e}");
    }
}
