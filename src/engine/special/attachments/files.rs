//! The download directory, laid out as PrestaShop's `download/`: one file per attachment,
//! named by 40 random hexadecimal digits, nothing else. Names from clients never reach a
//! path: they go into the row and the `Content-Disposition` header only.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A stored file's name is this long (PrestaShop's `sha1(uniqid())`, the column's size).
const NAME_LEN: usize = 40;

/// A name shopws may turn into a path: what PrestaShop and shopws write (hexadecimal
/// digits), never a separator, a dot or anything a `PUT attachments/{id}` could have put into
/// the `file` column to reach outside the directory.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= NAME_LEN && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn path_of(dir: &Path, name: &str) -> Option<PathBuf> {
    safe_name(name).then(|| dir.join(name))
}

/// Writes `data` under a new random name: into a temporary file of the same directory
/// (so the rename cannot cross file systems), flushed to disk, then renamed into place, so
/// that a reader (shopws or PrestaShop) never sees a partial file. Returns the name.
pub fn store(dir: &Path, data: &[u8]) -> std::io::Result<String> {
    std::fs::create_dir_all(dir)?;
    loop {
        let name = hex::encode(rand::random::<[u8; NAME_LEN / 2]>());
        let target = dir.join(&name);
        // As PrestaShop's uploader does; 160 random bits make a clash theoretical.
        if target.exists() {
            continue;
        }
        let tmp = dir.join(temp_name(&name));
        let written = write_new(&tmp, data).and_then(|()| std::fs::rename(&tmp, &target));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        return Ok(name);
    }
}

/// The temporary name a file is written under. A leading dot keeps it out of PrestaShop's
/// listings and from matching `safe_name`.
fn temp_name(name: &str) -> String {
    format!(".{name}.part")
}

/// Whether `name` is one [`store`] writes before its rename (`.{40 hex digits}.part`): what
/// an upload interrupted by a crash leaves.
pub fn is_temp_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".part"))
        .is_some_and(|n| {
            n.len() == NAME_LEN
                && n.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

fn write_new(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Readable by the web server's PHP when the directory is a shop's own `download/`.
        o.mode(0o644);
    }
    let mut f = o.open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

/// A stored file's bytes and modification time; `None` when it is missing (or its name is
/// not one shopws would have written).
pub fn read(dir: &Path, name: &str) -> std::io::Result<Option<(Vec<u8>, Option<SystemTime>)>> {
    let Some(path) = path_of(dir, name) else {
        return Ok(None);
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            Ok(Some((bytes, modified)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // A directory under that name, say: as missing for the client, logged for the admin.
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Ok(None),
        Err(e) => Err(e),
    }
}

/// Removes a stored file; a missing one is not an error (it is what was wanted).
pub fn remove(dir: &Path, name: &str) {
    let Some(path) = path_of(dir, name) else {
        return;
    };
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(error = %e, file = name, "attachment file not removed"),
    }
}

/// The type of a raw upload from its first bytes, as PHP's `finfo` answers for common
/// attachment kinds; anything unknown is `application/octet-stream`.
pub fn sniff(data: &[u8]) -> &'static str {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1f\x8b", "application/gzip"),
        (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
        (b"Rar!\x1a\x07", "application/x-rar"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
        (b"ID3", "audio/mpeg"),
        (b"OggS", "audio/ogg"),
        (b"{\\rtf", "text/rtf"),
        (b"BM", "image/bmp"),
    ];
    if let Some((_, t)) = MAGIC.iter().find(|(m, _)| data.starts_with(m)) {
        return t;
    }
    if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        return "image/webp";
    }
    if data.len() >= 12 && &data[4..8] == b"ftyp" {
        return "video/mp4";
    }
    let head = &data[..data.len().min(4096)];
    let text = !head.contains(&0) && utf8_prefix(head);
    if text {
        let t = String::from_utf8_lossy(head);
        let t = t.trim_start();
        if t.starts_with("<?xml") {
            return "text/xml";
        }
        // `get`, not slicing: the text may start with a character wider than one byte.
        let starts = |p: &str| t.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
        if starts("<html") || starts("<!doctype") {
            return "text/html";
        }
        return "text/plain";
    }
    "application/octet-stream"
}

/// Whether `b` is UTF-8, allowing a character cut at the end (it is a prefix of the file).
fn utf8_prefix(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

/// A declared type worth keeping: `type/subtype` in token characters (parameters dropped),
/// within the column's 128 characters; `None` otherwise.
pub fn sane_mime(declared: &str) -> Option<String> {
    let essence = declared.split(';').next().unwrap_or("").trim();
    let (ty, sub) = essence.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    (essence.len() <= 128 && token(ty) && token(sub)).then(|| essence.to_ascii_lowercase())
}

/// `Content-Disposition` for a download: PrestaShop's `attachment; filename="…"` with quotes,
/// backslashes and control characters made harmless, plus RFC 6266's `filename*` when the name
/// is not ASCII (the plain `filename` then carries an ASCII stand-in).
pub fn disposition(file_name: &str) -> String {
    let plain: String = file_name
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_control() => '_',
            c if !c.is_ascii() => '_',
            c => c,
        })
        .collect();
    let mut out = format!("attachment; filename=\"{plain}\"");
    if !file_name.is_ascii() {
        let clean: String = file_name.chars().filter(|c| !c.is_control()).collect();
        out.push_str("; filename*=UTF-8''");
        out.push_str(&percent_encoding::utf8_percent_encode(&clean, ATTR_CHAR_ESCAPES).to_string());
    }
    out
}

/// Everything but RFC 5987's `attr-char` is percent-encoded.
const ATTR_CHAR_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// An uploaded file's name made fit for the `file_name` column: the last path component (as
/// PHP keeps it), without control characters or the characters PrestaShop's `isGenericName`
/// refuses (`<>={}`, replaced by `_`), at most 255 characters.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    base.chars()
        .filter(|c| !c.is_control())
        .map(|c| if "<>={}".contains(c) { '_' } else { c })
        .take(255)
        .collect::<String>()
        .trim()
        .to_string()
}

/// A unique name for a raw upload, shaped as PHP's `uniqid('', true)`
/// (`5f2b8c9d1e3a4.12345678`).
pub fn generated_file_name() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{:08x}{:05x}.{:08}",
        now.as_secs(),
        now.subsec_micros(),
        rand::random::<u32>() % 100_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_become_paths() {
        assert!(safe_name("0123456789abcdef0123456789abcdef01234567"));
        for bad in [
            "",
            "../etc/passwd",
            ".hidden",
            "a/b",
            "a\\b",
            "x.part",
            &"a".repeat(41),
        ] {
            assert!(!safe_name(bad), "{bad}");
        }
    }

    #[test]
    fn temporary_names_are_told_from_others() {
        let name = hex::encode(rand::random::<[u8; NAME_LEN / 2]>());
        assert!(is_temp_name(&temp_name(&name)));
        for other in [
            name.clone(),
            format!(".{name}.part.x"),
            format!("{name}.part"),
            format!(".{}.part", &name[1..]),
            format!(".{}.part", name.to_uppercase()),
            ".x.part".to_string(),
        ] {
            assert!(!is_temp_name(&other), "{other}");
        }
    }

    #[test]
    fn disposition_escapes_and_adds_utf8_name() {
        assert_eq!(disposition("a.pdf"), "attachment; filename=\"a.pdf\"");
        assert_eq!(
            disposition("a\"b\r\n.pdf"),
            "attachment; filename=\"a_b__.pdf\""
        );
        assert_eq!(
            disposition("café à.pdf"),
            "attachment; filename=\"caf_ _.pdf\"; filename*=UTF-8''caf%C3%A9%20%C3%A0.pdf"
        );
    }

    #[test]
    fn mime_declared_or_sniffed() {
        assert_eq!(
            sane_mime("Application/PDF; x=1").as_deref(),
            Some("application/pdf")
        );
        assert_eq!(sane_mime("text/html\r\nX: y"), None);
        assert_eq!(sane_mime("nonsense"), None);
        assert_eq!(sniff(b"%PDF-1.7 ..."), "application/pdf");
        assert_eq!(sniff(b"hello\n"), "text/plain");
        assert_eq!(sniff(b"\x00\x01\x02"), "application/octet-stream");
        assert_eq!(sniff("é".as_bytes()[..1].as_ref()), "text/plain");
        assert_eq!(sniff("ééééé".as_bytes()), "text/plain");
        assert_eq!(sniff(b"  <!DOCTYPE html><p>"), "text/html");
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><a/>"), "text/xml");
    }

    proptest::proptest! {
        /// Whatever a client sends as bytes or as a name, these answer (they run on
        /// request paths).
        #[test]
        fn any_input_is_answered(
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
            name in "\\PC{0,80}",
        ) {
            let _ = sniff(&data);
            let _ = sane_mime(&name);
            let cleaned = clean_file_name(&name);
            let forbidden = ['/', '\\', '<', '>', '{', '}', '='];
            proptest::prop_assert!(!cleaned.contains(forbidden), "{}", cleaned);
            let d = disposition(&name);
            proptest::prop_assert!(d.is_ascii() && !d.chars().any(|c| c.is_control()));
        }
    }

    #[test]
    fn client_names_are_cleaned() {
        assert_eq!(clean_file_name("C:\\docs\\a<b>.pdf"), "a_b_.pdf");
        assert_eq!(clean_file_name("../../x\u{0}y.txt"), "xy.txt");
        assert_eq!(clean_file_name(&"é".repeat(300)).chars().count(), 255);
        let g = generated_file_name();
        assert_eq!(g.len(), 22, "{g}");
    }

    #[test]
    fn stored_files_are_whole_and_removable() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let sub = dir.path().join("download");
        let name = store(&sub, b"\x00abc\x00").unwrap_or_else(|e| panic!("{e}"));
        assert!(safe_name(&name) && name.len() == 40);
        let (bytes, _) = read(&sub, &name)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_default();
        assert_eq!(bytes, b"\x00abc\x00");
        let left: Vec<_> = std::fs::read_dir(&sub)
            .unwrap_or_else(|e| panic!("{e}"))
            .collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        remove(&sub, &name);
        assert!(read(&sub, &name)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none());
        remove(&sub, "../download");
    }
}
