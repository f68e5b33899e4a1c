//! Picture work, all of it outside any transaction: recognising an upload from its bytes,
//! decoding it within limits, and producing PrestaShop's sizes (fit inside the box keeping the
//! aspect ratio, never enlarged, centred on white to exactly the box, JPEG).

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

/// Widest and tallest picture decoded, and most pixels: a PNG of a few bytes may declare
/// 50000×50000 (10 GB once decoded); such a header is refused before anything is allocated.
pub const MAX_SIDE: u32 = 12_000;
pub const MAX_PIXELS: u64 = 48_000_000;
/// Memory the decoder may allocate for one picture.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// Why an upload is not a picture shopws takes.
#[derive(Debug)]
pub enum Refusal {
    /// Not one of the accepted formats, whatever its name or declared type (#73).
    NotAnImage,
    /// Recognised but undecodable, or beyond the limits (#76).
    Bad(String),
}

/// The format of `bytes` from their magic numbers, if it is one PrestaShop accepts.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP) => {
            Some(f)
        }
        _ => None,
    }
}

/// The MIME type of stored picture bytes (what a file copied from elsewhere really holds).
pub fn mime_of(bytes: &[u8]) -> &'static str {
    match sniff(bytes) {
        Some(ImageFormat::Png) => "image/png",
        Some(ImageFormat::Gif) => "image/gif",
        Some(ImageFormat::WebP) => "image/webp",
        _ => "image/jpeg",
    }
}

/// A decoded picture as RGB on white (JPEG has no transparency; PrestaShop fills white).
pub struct Rgb {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Decodes the whole picture, within [`MAX_SIDE`], [`MAX_PIXELS`] and the allocation limit.
pub fn decode(bytes: &[u8]) -> Result<(ImageFormat, Rgb), Refusal> {
    let format = sniff(bytes).ok_or(Refusal::NotAnImage)?;
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let decoder = reader
        .into_decoder()
        .map_err(|e| Refusal::Bad(e.to_string()))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(Refusal::Bad("Image width was null".into()));
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Refusal::Bad(format!(
            "{w}×{h} pixels is more than the {MAX_PIXELS} allowed"
        )));
    }
    let img = DynamicImage::from_decoder(decoder).map_err(|e| Refusal::Bad(e.to_string()))?;
    Ok((format, on_white(img)))
}

fn on_white(img: DynamicImage) -> Rgb {
    let (width, height) = (img.width(), img.height());
    let pixels = if img.color().has_alpha() {
        let rgba = img.into_rgba8();
        let mut out = Vec::with_capacity(rgba.len() / 4 * 3);
        for p in rgba.pixels() {
            let a = u32::from(p[3]);
            for c in &p.0[..3] {
                // Blend onto white: c·a + 255·(1 − a).
                out.push(((u32::from(*c) * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
        out
    } else {
        img.into_rgb8().into_raw()
    };
    Rgb {
        width,
        height,
        pixels,
    }
}

/// JPEG bytes of an RGB picture.
pub fn jpeg(img: &Rgb, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(img.pixels.len() / 8 + 1024);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode(
            &img.pixels,
            img.width,
            img.height,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The picture fitted into `w`×`h` as PrestaShop's `ImageManager::resize` does: scaled down
/// (never up) keeping its aspect ratio, centred on a white box of exactly `w`×`h`.
pub fn fit(src: &Rgb, w: u32, h: u32, resizer: &mut fr::Resizer) -> Result<Rgb, String> {
    let (w, h) = (w.max(1), h.max(1));
    let scale = (f64::from(w) / f64::from(src.width))
        .min(f64::from(h) / f64::from(src.height))
        .min(1.0);
    let nw = ((f64::from(src.width) * scale).round() as u32).clamp(1, w);
    let nh = ((f64::from(src.height) * scale).round() as u32).clamp(1, h);
    let scaled;
    let inner: &[u8] = if nw == src.width && nh == src.height {
        &src.pixels
    } else {
        let from =
            fr::images::ImageRef::new(src.width, src.height, &src.pixels, fr::PixelType::U8x3)
                .map_err(|e| e.to_string())?;
        let mut to = fr::images::Image::new(nw, nh, fr::PixelType::U8x3);
        resizer
            .resize(
                &from,
                &mut to,
                &fr::ResizeOptions::new()
                    .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::CatmullRom)),
            )
            .map_err(|e| e.to_string())?;
        scaled = to.into_vec();
        &scaled
    };
    if nw == w && nh == h {
        return Ok(Rgb {
            width: w,
            height: h,
            pixels: inner.to_vec(),
        });
    }
    let mut pixels = vec![255u8; (w as usize) * (h as usize) * 3];
    let (x0, y0) = (((w - nw) / 2) as usize, ((h - nh) / 2) as usize);
    let row = nw as usize * 3;
    for y in 0..nh as usize {
        let at = ((y0 + y) * w as usize + x0) * 3;
        pixels[at..at + row].copy_from_slice(&inner[y * row..(y + 1) * row]);
    }
    Ok(Rgb {
        width: w,
        height: h,
        pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([10, 20, 30, 255]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap_or_default();
        out.into_inner()
    }

    #[test]
    fn fits_inside_the_box_on_white() {
        let (_, img) = decode(&png(400, 200))
            .map_err(|_| ())
            .unwrap_or_else(|_| panic!());
        let mut r = fr::Resizer::new();
        let out = fit(&img, 100, 100, &mut r).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((out.width, out.height), (100, 100));
        // Top row is padding (the 2:1 picture fills rows 25..75), the middle is the picture.
        assert_eq!(&out.pixels[..3], &[255, 255, 255]);
        let mid = (50 * 100 + 50) * 3;
        assert_eq!(&out.pixels[mid..mid + 3], &[10, 20, 30]);
        // Never enlarged: a small picture is centred as it is.
        let (_, small) = decode(&png(10, 10))
            .map_err(|_| ())
            .unwrap_or_else(|_| panic!());
        let out = fit(&small, 100, 100, &mut r).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&out.pixels[..3], &[255, 255, 255]);
    }

    #[test]
    fn refuses_text_and_bombs() {
        assert!(matches!(
            decode(b"hello, I am a .jpg"),
            Err(Refusal::NotAnImage)
        ));
        // A PNG header declaring 50000×50000: refused from the header.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        assert!(matches!(decode(&bomb), Err(Refusal::Bad(_))));
    }
}
