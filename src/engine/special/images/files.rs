//! Writing a picture's files so that nobody ever sees half of them: every file goes to a
//! temporary name in its final folder first, and all are renamed into place only once every
//! one is written. Reading them back with their validators.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use sha1::{Digest, Sha1};

/// Pictures recently read, by path. Opening and reading a file costs more than the rest of
/// a picture request; a hot picture is served from here. This process's own writes and
/// deletes drop their entries at once; a change made by another process (PrestaShop writing
/// the same folder, another node) shows within [`FRESH_FOR`].
const FRESH_FOR: Duration = Duration::from_secs(1);
/// Memory the cache may hold, and the largest file it keeps.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;
const CACHE_FILE_MAX: usize = 1024 * 1024;

fn cache() -> &'static moka::sync::Cache<PathBuf, Arc<Stored>> {
    static CACHE: OnceLock<moka::sync::Cache<PathBuf, Arc<Stored>>> = OnceLock::new();
    CACHE.get_or_init(|| {
        moka::sync::Cache::builder()
            .max_capacity(CACHE_BYTES)
            .weigher(|_, v: &Arc<Stored>| u32::try_from(v.bytes.len()).unwrap_or(u32::MAX))
            .time_to_live(FRESH_FOR)
            .build()
    })
}

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

/// Whether `name` is one [`temp_beside`] makes (`.{file name}.{process id}-{n}.tmp`): what
/// a write interrupted by a crash leaves.
pub fn is_temp_name(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .and_then(|n| n.rsplit_once('.'))
        .and_then(|(file, counter)| Some((file, counter.split_once('-')?)))
        .is_some_and(|(file, (pid, n))| !file.is_empty() && digits(pid) && digits(n))
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
            cache().invalidate(path);
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

/// Removes the files and their cached copies, ignoring files already gone. A copy is dropped
/// once its file is gone: dropped first, a read in between would cache the file again.
pub fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        if let Err(e) = std::fs::remove_file(p) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %p.display(), error = %e, "picture not removed");
            }
        }
        cache().invalidate(p);
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
    /// Hex SHA-1 of the bytes (`Content-Sha1`), computed once per read from disk.
    pub sha1: String,
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

/// The file's bytes (from the cache when fresh), or `None` when there is no such file.
pub fn read(path: &Path) -> std::io::Result<Option<Arc<Stored>>> {
    if let Some(hit) = cache().get(path) {
        return Ok(Some(hit));
    }
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
    let stored = Arc::new(Stored {
        sha1: hex::encode(Sha1::digest(&bytes)),
        bytes,
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    });
    if stored.bytes.len() <= CACHE_FILE_MAX {
        cache().insert(path.to_path_buf(), stored.clone());
    }
    Ok(Some(stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_told_from_others() {
        for path in ["p/1/2/123.jpg", "p/1/2/123-home_default.jpg", "logo.jpg"] {
            let t = temp_beside(Path::new(path));
            let name = t.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            assert!(is_temp_name(name), "{name}");
        }
        for other in [
            "123.jpg",
            "123-home_default.jpg",
            ".123.jpg.tmp",
            ".123.jpg.12-x.tmp",
            ".123.jpg.12-3.tmp.jpg",
            "..12-3.tmp",
            ".123.jpg.-3.tmp",
            "123.jpg.12-3.tmp",
        ] {
            assert!(!is_temp_name(other), "{other}");
        }
    }
}
