//! Picture files as replies: bytes with their real type, a validator from length and
//! modification time, `Last-Modified`, and sizes missing on disk made on first request.

use std::path::Path;
use std::sync::Arc;

use fast_image_resize as fr;

use crate::engine::binary::Binary;
use crate::engine::{ApiError, ApiResult, Reply};

use super::errors;
use super::files::{self, Stored};
use super::process;
use super::types::ImageType;

/// Pictures sit behind a key: shared caches must not keep them, clients revalidate (a 304
/// costs no bytes) so a replaced picture shows at once.
const CACHE_CONTROL: &str = "private, no-cache";

pub fn reply(stored: Arc<Stored>) -> Reply {
    let meta = Binary {
        content_type: process::mime_of(&stored.bytes).to_string(),
        etag: Some(stored.etag()),
        last_modified: Some(stored.modified),
        cache_control: Some(CACHE_CONTROL),
        disposition: None,
        sha1: Some(stored.sha1.clone()),
    };
    Reply::file(stored.bytes.clone(), meta)
}

fn io_error(path: &Path, e: std::io::Error) -> ApiError {
    tracing::error!(path = %path.display(), error = %e, "picture unreadable");
    ApiError::internal()
}

/// The file at `path`, or `missing` when there is none.
pub fn file(path: &Path, missing: impl FnOnce() -> ApiError) -> ApiResult<Reply> {
    match files::read(path).map_err(|e| io_error(path, e))? {
        Some(s) => Ok(reply(s)),
        None => Err(missing()),
    }
}

/// One size of a picture: the file, or, when only the original is there (a type added
/// since, pictures copied from elsewhere), that size made from it now and kept.
pub fn sized(original: &Path, path: &Path, t: &ImageType, quality: u8) -> ApiResult<Reply> {
    if let Some(s) = files::read(path).map_err(|e| io_error(path, e))? {
        return Ok(reply(s));
    }
    let Some(src) = files::read(original).map_err(|e| io_error(original, e))? else {
        return Err(errors::size_missing());
    };
    let (_, img) = process::decode(&src.bytes).map_err(|_| {
        tracing::warn!(path = %original.display(), "stored picture cannot be decoded");
        errors::size_missing()
    })?;
    let fitted = process::fit(&img, t.width, t.height, &mut fr::Resizer::new())
        .and_then(|f| process::jpeg(&f, quality))
        .map_err(|e| {
            tracing::error!(error = %e, "size not made");
            ApiError::internal()
        })?;
    files::write_all(&[(path.to_path_buf(), fitted.as_slice())]).map_err(|e| io_error(path, e))?;
    file(path, errors::size_missing)
}
