//! Temporary files an interrupted process left behind. Uploads are written under temporary
//! names beside their final path and renamed into place; a process killed in between (a
//! crash, `kill -9`) leaves the temporary file for ever. At start they are removed: only
//! names the writers themselves make, only regular files (never through a symbolic link), and
//! only files untouched for a while, since another process sharing the folders (another node)
//! may be writing one at that moment.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{attachments, images};
use crate::engine::Settings;

/// A writer renames its temporary file within seconds of its last write; one untouched for
/// this long belongs to a process that died.
pub const STALE_AFTER: Duration = Duration::from_secs(600);

/// What [`sweep`] removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub images: usize,
    pub attachments: usize,
}

/// Removes the stale temporary files of the pictures' folder (every sub-folder) and of the
/// attachments' download folder (flat, as it is written), and logs how many. A walk of a
/// large picture folder takes a while: run it off the start-up path.
pub fn sweep(settings: &Settings) -> Swept {
    let started = std::time::Instant::now();
    let swept = Swept {
        images: remove_stale(&settings.images_dir, true, images::is_temp_name),
        attachments: remove_stale(&settings.download_dir, false, attachments::is_temp_name),
    };
    tracing::info!(
        images = swept.images,
        attachments = swept.attachments,
        took_ms = started.elapsed().as_millis() as u64,
        "temporary files left by interrupted uploads removed"
    );
    swept
}

/// Removes the files under `root` whose name `is_temp` accepts and that are older than
/// [`STALE_AFTER`]; returns how many. Sub-folders are entered when `deep`, symbolic links
/// never.
fn remove_stale(root: &Path, deep: bool, is_temp: fn(&str) -> bool) -> usize {
    let now = SystemTime::now();
    let mut removed = 0;
    let mut folders: Vec<PathBuf> = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            // The entry's own type: a symbolic link is neither a folder nor a file here.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if deep {
                    folders.push(entry.path());
                }
                continue;
            }
            let name = entry.file_name();
            if !kind.is_file() || !name.to_str().is_some_and(is_temp) {
                continue;
            }
            let age = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok());
            if age.is_none_or(|a| a < STALE_AFTER) {
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(path = %entry.path().display(), error = %e, "temporary file not removed")
                }
            }
        }
    }
    removed
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn file(path: &Path, age: Duration) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, b"x").expect("write");
        let f = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        f.set_modified(SystemTime::now() - age).expect("time");
    }

    #[test]
    fn only_stale_temporary_files_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (root, outside) = (dir.path().join("img"), dir.path().join("elsewhere"));
        let old = STALE_AFTER + Duration::from_secs(60);
        let stale = root.join("p/1/2/.12.jpg.4-1.tmp");
        let kept = [
            root.join("p/1/2/12.jpg"),
            root.join("p/1/2/.12.jpg.4-1.tmp.jpg"),
            outside.join(".12.jpg.4-1.tmp"),
        ];
        file(&stale, old);
        for k in &kept {
            file(k, old);
        }
        let fresh = root.join("p/1/2/.12-home_default.jpg.4-2.tmp");
        file(&fresh, Duration::ZERO);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, root.join("p/link")).expect("link");
            std::os::unix::fs::symlink(&kept[0], root.join("p/.1.jpg.4-3.tmp")).expect("link");
        }
        assert_eq!(remove_stale(&root, true, images::is_temp_name), 1);
        assert!(!stale.exists());
        for k in kept.iter().chain([&fresh]) {
            assert!(k.exists(), "{}", k.display());
        }
        #[cfg(unix)]
        assert!(root.join("p/.1.jpg.4-3.tmp").symlink_metadata().is_ok());
        // A flat folder: sub-folders are not entered.
        let nested = root.join("p/3/.3.jpg.4-1.tmp");
        file(&nested, old);
        assert_eq!(remove_stale(&root, false, images::is_temp_name), 0);
        assert!(nested.exists());
    }
}
