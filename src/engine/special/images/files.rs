//! Writing a picture's files so that nobody ever sees half of them: every file goes to a
//! temporary name in its final folder first, and all are renamed into place only once every
//! one is written. Reading them back with their validators.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// A temporary name beside `path`, unique in this process and across processes.
fn temp_beside(path: &Path) -> PathBuf {
    let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

/// Writes every `(path, bytes)` under temporary names, then renames them all into place.
/// On failure nothing new is left behind (temporary files removed).
pub fn write_all(files: &[(PathBuf, &[u8])]) -> std::io::Result<()> {
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    let result = (|| {
        for (path, bytes) in files {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let t = temp_beside(path);
            temps.push(t.clone());
            std::fs::write(&t, bytes)?;
        }
        for ((path, _), t) in files.iter().zip(&temps) {
            std::fs::rename(t, path)?;
        }
        Ok(())
    })();
    if result.is_err() {
        for t in &temps {
            let _ = std::fs::remove_file(t);
        }
    }
    result
}

/// Removes the files, ignoring those already gone.
pub fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        if let Err(e) = std::fs::remove_file(p) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %p.display(), error = %e, "picture not removed");
            }
        }
    }
}

/// Files of picture `id` in `folder` other than those in `keep` (`{id}.jpg`, `{id}-*.*`:
/// sizes of types since removed, PrestaShop's `2x` and WebP variants).
pub fn siblings(folder: &Path, id: i64, keep: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let original = format!("{id}.");
    let sized = format!("{id}-");
    dir.filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&original) || n.starts_with(&sized))
        })
        .filter(|p| p.is_file() && !keep.contains(p))
        .collect()
}

/// A stored file with what its validators are made of.
pub struct Stored {
    pub bytes: Vec<u8>,
    pub modified: SystemTime,
}

impl Stored {
    /// A strong validator from the file's length and modification time: files are only ever
    /// replaced by renaming a new file into place, which changes the time.
    pub fn etag(&self) -> String {
        let t = self
            .modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        format!(
            "\"{:x}-{:x}{:08x}\"",
            self.bytes.len(),
            t.as_secs(),
            t.subsec_nanos()
        )
    }
}

/// The file's bytes, or `None` when there is no such file.
pub fn read(path: &Path) -> std::io::Result<Option<Stored>> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(&mut f, &mut bytes)?;
    Ok(Some(Stored {
        bytes,
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    }))
}
