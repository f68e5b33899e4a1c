//! An upload, checked and turned into every file it will become before anything is stored:
//! the `image` part, its size against `PS_LIMIT_UPLOAD_IMAGE_VALUE`, its type from its bytes
//! (never from its name or declared type), a full decode within limits, then the original
//! and every size encoded. All of it before any transaction opens.

use std::path::{Path, PathBuf};

use fast_image_resize as fr;

use crate::engine::binary::FormPart;
use crate::engine::shop::ShopInfo;
use crate::engine::{ApiResult, Request};

use super::errors;
use super::layout::{self, Kind};
use super::process::{self, Refusal, Rgb};
use super::types::ImageType;

/// The upload size limit in bytes: `PS_LIMIT_UPLOAD_IMAGE_VALUE` megabytes, decimal as
/// PrestaShop counts them.
pub fn limit(info: &ShopInfo) -> u64 {
    let mb = info
        .setting("PS_LIMIT_UPLOAD_IMAGE_VALUE")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| *v > 0.0)
        .unwrap_or(2.0);
    (mb * 1_000_000.0) as u64
}

/// `PS_JPEG_QUALITY` (90 unless set).
pub fn quality(info: &ShopInfo) -> u8 {
    info.setting_i64("PS_JPEG_QUALITY", 90).clamp(1, 100) as u8
}

/// The `image` part of the request (as PHP's `$_FILES['image']`).
pub fn part(req: &Request) -> ApiResult<&FormPart> {
    req.form
        .iter()
        .find(|p| p.name == "image")
        .ok_or_else(errors::no_field)
}

/// A picture ready to be written: the original's bytes and each size's.
pub struct Encoded {
    pub original: Vec<u8>,
    pub sizes: Vec<(String, Vec<u8>)>,
}

impl Encoded {
    /// Where each file goes, for picture `id` of `kind`.
    pub fn files(&self, root: &Path, kind: Kind, id: i64) -> Vec<(PathBuf, &[u8])> {
        let mut out = vec![(layout::original(root, kind, id), self.original.as_slice())];
        for (name, bytes) in &self.sizes {
            if let Some(p) = layout::sized(root, kind, id, name) {
                out.push((p, bytes.as_slice()));
            }
        }
        out
    }
}

/// Checks the upload and encodes the original and every size of `types`.
pub fn prepare(info: &ShopInfo, part: &FormPart, types: &[ImageType]) -> ApiResult<Encoded> {
    let img = decode_within(part, limit(info))?;
    encode(&img, types, quality(info))
}

/// The upload's pixels, once it is known to be at most `max` bytes and a real picture.
pub fn decode_within(part: &FormPart, max: u64) -> ApiResult<Rgb> {
    if part.data.len() as u64 > max {
        return Err(errors::too_large(max));
    }
    let (_, img) = process::decode(&part.data).map_err(|r| match r {
        Refusal::NotAnImage => errors::not_an_image(),
        Refusal::Bad(why) => errors::bad_image(&why),
    })?;
    Ok(img)
}

/// The original and every size, all encoded from the decoded pixels as PrestaShop does: what
/// is stored is never the client's bytes, so a file that is also something else (a JPEG with
/// a script or an archive appended, metadata such as a phone's GPS position) is not served
/// back to everyone.
pub fn encode(img: &Rgb, types: &[ImageType], quality: u8) -> ApiResult<Encoded> {
    let fail = |e: String| {
        tracing::warn!(error = %e, "picture not encoded");
        errors::unsaved()
    };
    let original = process::jpeg(img, quality).map_err(fail)?;
    let mut resizer = fr::Resizer::new();
    let mut sizes = Vec::with_capacity(types.len());
    for t in types {
        let fitted = process::fit(img, t.width, t.height, &mut resizer).map_err(fail)?;
        sizes.push((
            t.name.clone(),
            process::jpeg(&fitted, quality).map_err(fail)?,
        ));
    }
    Ok(Encoded { original, sizes })
}
