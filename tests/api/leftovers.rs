//! Temporary files of uploads a crash interrupted (a picture's `.{name}.{pid}-{n}.tmp`, an
//! attachment's `.{40 hex digits}.part`) are removed when the server starts, in the
//! background; everything else in the pictures' and attachments' folders stays.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::support::TestShop;

const HEX: &str = "0123456789abcdef0123456789abcdef01234567";

/// Writes a file last modified `age` ago.
fn file(path: &Path, age: Duration) -> PathBuf {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, b"left over").expect("write");
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(SystemTime::now() - age)
        .expect("time");
    path.to_path_buf()
}

#[test]
fn temporary_files_of_interrupted_uploads_are_removed_at_start() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (img, download) = (tmp.path().join("img"), tmp.path().join("download"));
    // Older than the few minutes another node's upload in progress could take.
    let old = Duration::from_secs(3600);
    let leftovers = [
        file(&img.join("p/1/2/.12.jpg.4242-0.tmp"), old),
        file(&img.join("p/1/2/.12-home_default.jpg.4242-1.tmp"), old),
        file(&img.join(".logo.jpg.77-3.tmp"), old),
        file(&download.join(format!(".{HEX}.part")), old),
    ];
    let kept = [
        file(&img.join("p/1/2/12.jpg"), old),
        file(&img.join("p/1/2/12-home_default.jpg"), old),
        file(&img.join("p/1/2/.12.jpg.4242-0.tmp.jpg"), old),
        file(&img.join("p/1/2/.12.jpg.tmp"), old),
        // Being written right now, by all it can tell.
        file(&img.join("p/1/2/.12.jpg.4242-9.tmp"), Duration::ZERO),
        file(&download.join(HEX), old),
        file(&download.join(format!(".{}.part", &HEX[1..])), old),
        file(&download.join(format!(".{HEX}.part.old")), old),
    ];
    let shop = TestShop::start_logged_with(&[
        "--images-dir",
        &img.display().to_string(),
        "--download-dir",
        &download.display().to_string(),
    ]);
    // Serving does not wait for the sweep.
    assert_eq!(shop.get("/api/").status, 200);
    let log_path = shop.log.clone().expect("log");
    let deadline = Instant::now() + Duration::from_secs(30);
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let done = log.contains("temporary files left by interrupted uploads removed");
        if done || Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    for f in &leftovers {
        assert!(!f.exists(), "{} removed", f.display());
    }
    for f in &kept {
        assert!(f.exists(), "{} kept", f.display());
    }
    let line = log
        .lines()
        .find(|l| l.contains("temporary files left by interrupted uploads removed"))
        .unwrap_or_else(|| panic!("the sweep is logged: {log}"));
    let line = plain(line);
    assert!(
        line.contains("images=3") && line.contains("attachments=1"),
        "{line}"
    );
}

/// A log line without its terminal colours.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|c| *c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}
