//! The image types (`image_type` rows, installed by the theme) that apply to a family.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::engine::{ApiResult, Engine};
use crate::storage::{Reader, Select, StorageResult, Value};

use super::layout::{self, Kind};

#[derive(Debug, Clone)]
pub struct ImageType {
    pub id: i64,
    pub name: String,
    pub width: u32,
    pub height: u32,
}

/// The types flagged for `kind`, by id; names that could not be file names are left out.
pub fn of(rd: &mut dyn Reader, kind: Kind) -> StorageResult<Vec<ImageType>> {
    let rows = rd.select(&Select {
        table: "image_type",
        columns: &["id_image_type", "name", "width", "height"],
        key: vec![(kind.name(), Value::Int(1))],
        order: &["id_image_type"],
        ..Default::default()
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let name = r.get(1)?.to_text();
            let size = |v: &Value| {
                u32::try_from(v.as_i64().unwrap_or(0))
                    .unwrap_or(0)
                    .min(10_000)
            };
            layout::safe_type_name(&name).then(|| ImageType {
                id: r[0].as_i64().unwrap_or(0),
                name,
                width: size(&r[2]),
                height: size(&r[3]),
            })
        })
        .collect())
}

/// The types of `kind`, read at most once a second: a picture request checks the size it
/// names against them without a database read (a type added through `image_types` applies
/// within the second).
pub fn cached(e: &Engine, kind: Kind) -> ApiResult<Arc<Vec<ImageType>>> {
    static CACHE: OnceLock<moka::sync::Cache<Kind, Arc<Vec<ImageType>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| {
        moka::sync::Cache::builder()
            .max_capacity(16)
            .time_to_live(Duration::from_secs(1))
            .build()
    });
    if let Some(hit) = cache.get(&kind) {
        return Ok(hit);
    }
    let types = Arc::new(
        e.store
            .reading(|rd| -> ApiResult<_> { Ok(of(rd, kind)?) })?,
    );
    cache.insert(kind, types.clone());
    Ok(types)
}
