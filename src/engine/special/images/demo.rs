//! Pictures for the demo shop, drawn by the program (a gradient and a shape, from a seed),
//! so that a new shop shows pictures at once. Nothing is copied from anywhere.
//!
//! A large generated catalogue (`shopws demo --products 100000`) shares a few picture sets:
//! each set is drawn and encoded once, and further pictures of the same set are hard links
//! to its files (a copy where links are refused). Replacing or deleting one picture later
//! renames or unlinks its own names only, never the shared files' content.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fast_image_resize as fr;

use crate::storage::{Select, Store};

use super::files;
use super::layout::{self, Kind};
use super::process::{self, Rgb};
use super::types::{self, ImageType};
use super::upload::Encoded;

/// Distinct pictures drawn per family; more pictures reuse them.
const SETS: i64 = 12;
/// Side of a drawn original (product sizes above it are padded, as PrestaShop never enlarges).
const SIDE: u32 = 400;
const QUALITY: u8 = 90;

/// Draws picture number `seed`: a diagonal gradient between two colours and a centred
/// shape (disc, square or diamond) in a third.
pub fn draw(seed: i64, w: u32, h: u32) -> Rgb {
    let hue = |k: i64| -> [f32; 3] {
        let t = ((seed * 37 + k * 101).rem_euclid(360)) as f32 / 60.0;
        let x = 1.0 - ((t % 2.0) - 1.0).abs();
        match t as u32 {
            0 => [1.0, x, 0.0],
            1 => [x, 1.0, 0.0],
            2 => [0.0, 1.0, x],
            3 => [0.0, x, 1.0],
            4 => [x, 0.0, 1.0],
            _ => [1.0, 0.0, x],
        }
    };
    let (a, b, s) = (hue(0), hue(1), hue(2));
    let light = |c: [f32; 3], l: f32| c.map(|v| ((v * (1.0 - l) + l) * 255.0) as u8);
    let (a, b) = (light(a, 0.55), light(b, 0.75));
    let shape = light(s, 0.0).map(|v| v / 4 * 3);
    let kind = seed.rem_euclid(3);
    let (cx, cy, r) = (w as f32 / 2.0, h as f32 / 2.0, w.min(h) as f32 * 0.3);
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = ((x as f32 - cx).abs(), (y as f32 - cy).abs());
            let inside = match kind {
                0 => dx * dx + dy * dy <= r * r,
                1 => dx <= r * 0.85 && dy <= r * 0.85,
                _ => dx + dy <= r * 1.2,
            };
            if inside {
                pixels.extend_from_slice(&shape);
            } else {
                let t = (x + y) as f32 / (w + h) as f32;
                for c in 0..3 {
                    pixels.push((f32::from(a[c]) * (1.0 - t) + f32::from(b[c]) * t) as u8);
                }
            }
        }
    }
    Rgb {
        width: w,
        height: h,
        pixels,
    }
}

fn encoded(seed: i64, types: &[ImageType]) -> Result<Encoded, String> {
    let img = draw(seed, SIDE, SIDE);
    let original = process::jpeg(&img, QUALITY)?;
    let mut resizer = fr::Resizer::new();
    let mut sizes = Vec::new();
    for t in types {
        let f = process::fit(&img, t.width, t.height, &mut resizer)?;
        sizes.push((t.name.clone(), process::jpeg(&f, QUALITY)?));
    }
    Ok(Encoded { original, sizes })
}

/// Writes picture `id` of `kind` from set `seed`: hard links to the set's first files when
/// there are some, else drawn and encoded now.
struct Family<'a> {
    root: &'a Path,
    kind: Kind,
    types: Vec<ImageType>,
    first: HashMap<i64, i64>,
}

impl Family<'_> {
    fn give(&mut self, id: i64, seed: i64) -> Result<bool, String> {
        if layout::original(self.root, self.kind, id).is_file() {
            return Ok(false);
        }
        let set = seed.rem_euclid(SETS);
        if let Some(src) = self.first.get(&set).copied() {
            if self.link(src, id).is_ok() {
                return Ok(true);
            }
        }
        let enc = encoded(set, &self.types)?;
        files::write_all(&enc.files(self.root, self.kind, id)).map_err(|e| e.to_string())?;
        self.first.insert(set, id);
        Ok(true)
    }

    fn paths(&self, id: i64) -> Vec<PathBuf> {
        let mut out = vec![layout::original(self.root, self.kind, id)];
        out.extend(
            self.types
                .iter()
                .filter_map(|t| layout::sized(self.root, self.kind, id, &t.name)),
        );
        out
    }

    fn link(&self, src: i64, id: i64) -> std::io::Result<()> {
        let from = self.paths(src);
        let to = self.paths(id);
        if let Some(dir) = to[0].parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Sizes first, the original last: a picture counts as present once its original is.
        for (f, t) in from.iter().zip(&to).rev() {
            if std::fs::hard_link(f, t).is_err() {
                std::fs::copy(f, t)?;
            }
        }
        Ok(())
    }
}

/// Gives every product picture row, and every category (below Home), brand, supplier and
/// store, a drawn picture when it has no file. Returns how many were made.
pub fn give_pictures(store: &dyn Store, root: &Path) -> Result<usize, String> {
    let mut rows = Vec::new();
    let mut entity_ids: Vec<(Kind, Vec<i64>)> = Vec::new();
    let mut family_types: Vec<(Kind, Vec<ImageType>)> = Vec::new();
    store
        .read(&mut |rd| {
            rows = rd.select(&Select {
                table: "image",
                columns: &["id_image", "id_product"],
                key: vec![],
                order: &["id_image"],
                ..Default::default()
            })?;
            family_types.clear();
            entity_ids.clear();
            family_types.push((Kind::Products, types::of(rd, Kind::Products)?));
            for kind in Kind::ENTITIES {
                family_types.push((kind, types::of(rd, kind)?));
                let (table, key) = kind.table();
                let ids = rd
                    .select(&Select {
                        table,
                        columns: &[key],
                        key: vec![],
                        order: &[key],
                        ..Default::default()
                    })?
                    .iter()
                    .filter_map(|r| r[0].as_i64())
                    .filter(|id| kind != Kind::Categories || *id > 2)
                    .collect();
                entity_ids.push((kind, ids));
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    let mut made = 0;
    for (kind, types) in family_types {
        let mut fam = Family {
            root,
            kind,
            types,
            first: HashMap::new(),
        };
        if kind == Kind::Products {
            for r in &rows {
                let (Some(id), Some(product)) = (r[0].as_i64(), r[1].as_i64()) else {
                    continue;
                };
                // Two pictures of one product differ; the set follows the picture's id.
                made += usize::from(fam.give(id, id + product)?);
            }
        } else if let Some((_, ids)) = entity_ids.iter().find(|(k, _)| *k == kind) {
            for id in ids {
                made += usize::from(fam.give(*id, *id * 5 + 1)?);
            }
        }
    }
    Ok(made)
}
