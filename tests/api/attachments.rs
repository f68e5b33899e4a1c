//! Attachment files (`/api/attachments/file[/{id}]`): uploads (multipart and raw), downloads
//! byte for byte with their headers, replacement, deletion, limits and permissions, with the
//! download directory checked on disk after each step.

use std::path::{Path, PathBuf};

use crate::support::TestShop;

/// A shop and the directory its attachment files go to.
struct Shop {
    shop: TestShop,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    http: reqwest::blocking::Client,
}

struct Bin {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Bin {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn doc(&self) -> crate::support::Resp {
        crate::support::Resp {
            status: self.status,
            headers: self.headers.clone(),
            body: self.text(),
        }
    }
    fn codes(&self) -> Vec<u32> {
        self.doc().codes()
    }
    /// The text of `field` in an entity document (its first language for translated fields).
    fn field(&self, field: &str) -> String {
        let d = self.doc();
        let doc = d.xml();
        let node = doc
            .descendants()
            .find(|n| n.has_tag_name(field))
            .unwrap_or_else(|| panic!("no <{field}> in {}", self.text()));
        let text = node
            .descendants()
            .find(|n| n.is_text())
            .and_then(|n| n.text())
            .unwrap_or("");
        text.to_string()
    }
    fn id(&self) -> i64 {
        self.field("id").parse().unwrap_or(0)
    }
}

/// Starts a shop whose files go to a directory of the test's own, or — on SQLite, when
/// `default_dir` — to the default `download` directory beside the database file.
fn start(extra: &[&str], default_dir: bool) -> Shop {
    let sqlite_default = default_dir
        && std::env::var("SHOPWS_TEST_MYSQL").map_or(true, |v| {
            let v = v.trim();
            v.is_empty() || v == "off"
        });
    let tmp = (!sqlite_default).then(|| tempfile::tempdir().expect("tempdir"));
    let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    if let Some(t) = &tmp {
        args.push("--download-dir".into());
        args.push(t.path().join("download").display().to_string());
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let shop = TestShop::start_with(&argv);
    let dir = match &tmp {
        Some(t) => t.path().join("download"),
        None => Path::new(shop.db.trim_start_matches("sqlite:"))
            .parent()
            .expect("database directory")
            .join("download"),
    };
    Shop {
        shop,
        dir,
        _tmp: tmp,
        http: reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("client"),
    }
}

impl Shop {
    fn send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Bin {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.http.request(m, format!("{}{}", self.shop.url, path));
        rb = rb.basic_auth(key.unwrap_or(&self.shop.key), Some(""));
        for (n, v) in headers {
            rb = rb.header(*n, *v);
        }
        if let Some(b) = body {
            rb = rb.body(b);
        }
        let r = rb.send().expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.bytes().map(|b| b.to_vec()).unwrap_or_default();
        Bin {
            status,
            headers,
            body,
        }
    }

    fn get(&self, path: &str) -> Bin {
        self.send("GET", path, None, None, &[])
    }

    /// A multipart upload: `parts` are (field, file name, type, bytes).
    fn form(&self, method: &str, path: &str, key: Option<&str>, parts: &[Part]) -> Bin {
        let (ct, body) = multipart(parts);
        self.send(method, path, key, Some(body), &[("Content-Type", &ct)])
    }

    /// The names of the files in the download directory (none when it does not exist).
    fn on_disk(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn count_rows(&self) -> usize {
        self.shop
            .sql_rows("SELECT id_attachment FROM {attachment}", &[])
            .len()
    }
}

/// One multipart part: field, file name, declared type, bytes.
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "----shopws-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, ty, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disp = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = file {
            disp.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disp.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(t) = ty {
            body.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Deterministic bytes covering every value, zero included.
fn bytes(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if i % 7 == 0 {
                0
            } else {
                (x >> 8) as u8
            }
        })
        .collect()
}

fn is_hex40(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn uploads_and_downloads_are_byte_identical() {
    let s = start(&[], true);
    // Multipart, with a display name: binary content with zero bytes.
    let data = b"\x00\x01PDF?\x00\xff\xfe binary \x00 end".to_vec();
    let up = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[
            ("name", None, None, b"Size guide"),
            (
                "file",
                Some("guide.bin"),
                Some("application/x-custom"),
                &data,
            ),
        ],
    );
    assert_eq!(up.status, 200, "{}", up.text());
    let id = up.id();
    assert!(id > 0);
    let file = up.field("file");
    assert!(is_hex40(&file), "{file}");
    assert_eq!(up.field("file_name"), "guide.bin");
    assert_eq!(up.field("file_size"), data.len().to_string());
    assert_eq!(up.field("mime"), "application/x-custom");
    // The name in every language (PrestaShop copies the default language's into the others).
    let names = s.shop.sql_rows(
        "SELECT id_lang, name FROM {attachment_lang} WHERE id_attachment = ? ORDER BY id_lang",
        &[id.into()],
    );
    assert!(names.len() >= 2, "{names:?}");
    assert!(names.iter().all(|r| r[1].as_deref() == Some("Size guide")));
    // On disk under its 40-hex name, nothing else (no temporary file).
    assert_eq!(s.on_disk(), vec![file.clone()]);
    assert_eq!(std::fs::read(s.dir.join(&file)).unwrap(), data);
    // The entity as GET attachments/{id} prints it.
    let entity = s.get(&format!("/api/attachments/{id}"));
    assert_eq!(entity.body, up.body);

    let dl = s.get(&format!("/api/attachments/file/{id}"));
    assert_eq!(dl.status, 200);
    assert_eq!(dl.body, data);
    assert_eq!(dl.header("content-type"), Some("application/x-custom"));
    assert_eq!(
        dl.header("content-length"),
        Some(data.len().to_string().as_str())
    );
    assert_eq!(
        dl.header("content-disposition"),
        Some("attachment; filename=\"guide.bin\"")
    );
    let etag = dl.header("etag").expect("etag").to_string();
    assert!(dl.header("last-modified").is_some());
    let head = s.send(
        "HEAD",
        &format!("/api/attachments/file/{id}"),
        None,
        None,
        &[],
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(data.len().to_string().as_str())
    );
    assert_eq!(head.header("content-type"), Some("application/x-custom"));
    let again = s.send(
        "GET",
        &format!("/api/attachments/file/{id}"),
        None,
        None,
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);

    // Raw body, 1 MB: a generated file name, the type sniffed, the name = the file name.
    let big = bytes(1024 * 1024);
    let raw = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(big.clone()),
        &[("Content-Type", "application/octet-stream")],
    );
    assert_eq!(raw.status, 200, "{}", raw.text());
    let raw_id = raw.id();
    let raw_name = raw.field("file_name");
    assert!(
        raw_name.len() == 22 && raw_name.as_bytes()[13] == b'.',
        "{raw_name}"
    );
    assert_eq!(raw.field("name"), raw_name);
    assert_eq!(raw.field("mime"), "application/octet-stream");
    assert_eq!(raw.field("file_size"), "1048576");
    let dl = s.get(&format!("/api/attachments/file/{raw_id}"));
    assert_eq!(dl.status, 200);
    assert!(dl.body == big, "1 MB download differs");
    assert_eq!(dl.header("content-length"), Some("1048576"));

    // A raw PDF is recognised; a declared type on a raw body is kept.
    let pdf = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj".to_vec()),
        &[],
    );
    assert_eq!(pdf.field("mime"), "application/pdf");
    let typed = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(b"a,b\n1,2\n".to_vec()),
        &[("Content-Type", "text/csv")],
    );
    assert_eq!(typed.field("mime"), "text/csv");

    // A name outside ASCII: an ASCII stand-in plus RFC 6266's filename*; quotes and
    // control characters never break the header.
    let odd = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("file", Some("Fiche technique é.txt"), None, b"plain text\n")],
    );
    assert_eq!(odd.status, 200, "{}", odd.text());
    assert_eq!(odd.field("mime"), "text/plain");
    let dl = s.get(&format!("/api/attachments/file/{}", odd.id()));
    assert_eq!(
        dl.header("content-disposition"),
        Some("attachment; filename=\"Fiche technique _.txt\"; filename*=UTF-8''Fiche%20technique%20%C3%A9.txt")
    );
    s.shop.sql_exec(
        "UPDATE {attachment} SET file_name = ? WHERE id_attachment = ?",
        &["say \"hi\"\r\n.txt".into(), odd.id().into()],
    );
    let dl = s.get(&format!("/api/attachments/file/{}", odd.id()));
    assert_eq!(
        dl.header("content-disposition"),
        Some("attachment; filename=\"say _hi___.txt\"")
    );

    // JSON answers too.
    let json = s.form(
        "POST",
        "/api/attachments/file?output_format=JSON",
        None,
        &[("file", Some("j.txt"), Some("text/plain"), b"json")],
    );
    assert_eq!(json.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&json.body).expect("JSON");
    assert_eq!(v["attachment"]["file_name"], "j.txt");
    assert_eq!(s.on_disk().len(), 6);
}

#[test]
fn replace_and_delete_keep_disk_and_rows_in_step() {
    let s = start(&[], false);
    let up = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("file", Some("v1.txt"), Some("text/plain"), b"version one")],
    );
    let id = up.id();
    let v1 = up.field("file");
    // Another language's own name survives a replacement; the default language's becomes
    // the new file's name, as in PrestaShop.
    s.shop.sql_exec(
        "UPDATE {attachment_lang} SET name = 'Zweite' WHERE id_attachment = ? AND id_lang = 2",
        &[id.into()],
    );

    // Real PUT with a raw body.
    let put = s.send(
        "PUT",
        &format!("/api/attachments/file/{id}"),
        None,
        Some(b"%PDF-1.5 version two".to_vec()),
        &[],
    );
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(put.id(), id);
    let v2 = put.field("file");
    assert!(is_hex40(&v2) && v2 != v1);
    assert_eq!(put.field("mime"), "application/pdf");
    assert_eq!(put.field("file_size"), "20");
    assert_eq!(s.on_disk(), vec![v2.clone()], "old file removed");
    let names = s.shop.sql_rows(
        "SELECT name FROM {attachment_lang} WHERE id_attachment = ? AND id_lang = 2",
        &[id.into()],
    );
    assert_eq!(names[0][0].as_deref(), Some("Zweite"));
    assert_eq!(
        s.get(&format!("/api/attachments/file/{id}")).body,
        b"%PDF-1.5 version two"
    );

    // POST multipart with ps_method=PUT, as the PHP library sends a file replacement.
    let put = s.form(
        "POST",
        &format!("/api/attachments/file/{id}"),
        None,
        &[
            ("ps_method", None, None, b"PUT"),
            ("name", None, None, b"Third"),
            ("file", Some("v3.csv"), Some("text/csv"), b"v,3\n"),
        ],
    );
    assert_eq!(put.status, 200, "{}", put.text());
    let v3 = put.field("file");
    assert_eq!(put.field("file_name"), "v3.csv");
    assert_eq!(put.field("name"), "Third");
    assert_eq!(s.on_disk(), vec![v3.clone()]);
    assert_eq!(s.count_rows(), 1);

    // Unknown ids: 404 with PrestaShop's code 1, nothing written.
    for (m, path) in [
        ("GET", "/api/attachments/file/999"),
        ("PUT", "/api/attachments/file/999"),
        ("DELETE", "/api/attachments/file/999"),
        ("GET", "/api/attachments/file/abc"),
    ] {
        let r = s.send(m, path, None, Some(b"data".to_vec()), &[]);
        assert_eq!((r.status, r.codes()), (404, vec![1]), "{m} {path}");
    }
    let r = s.get("/api/attachments/file/999");
    assert!(
        r.text().contains("Attachment 999 not found"),
        "{}",
        r.text()
    );
    assert_eq!(s.on_disk(), vec![v3.clone()]);

    // A row whose file is gone, or whose `file` column names something outside the
    // directory: 404, never a path outside it.
    std::fs::rename(s.dir.join(&v3), s.dir.join("kept")).unwrap();
    let r = s.get(&format!("/api/attachments/file/{id}"));
    assert_eq!((r.status, r.codes()), (404, vec![1]));
    assert!(
        r.text().contains(&format!(
            "Unable to load the attachment file for attachment {id}"
        )),
        "{}",
        r.text()
    );
    std::fs::write(s.dir.parent().unwrap().join("secret"), b"secret").unwrap();
    s.shop.sql_exec(
        "UPDATE {attachment} SET file = '../secret' WHERE id_attachment = ?",
        &[id.into()],
    );
    let r = s.get(&format!("/api/attachments/file/{id}"));
    assert_eq!((r.status, r.codes()), (404, vec![1]));
    s.shop.sql_exec(
        "UPDATE {attachment} SET file = ? WHERE id_attachment = ?",
        &[v3.clone().into(), id.into()],
    );
    std::fs::rename(s.dir.join("kept"), s.dir.join(&v3)).unwrap();

    // DELETE attachments/file/{id}: row, language rows, product links and file; 200 with an
    // empty document. The product loses its attachment flag with its last attachment.
    s.shop.sql_exec(
        "INSERT INTO {product_attachment} (id_product, id_attachment) VALUES (1, ?)",
        &[id.into()],
    );
    s.shop.sql_exec(
        "UPDATE {product} SET cache_has_attachments = 1 WHERE id_product = 1",
        &[],
    );
    let del = s.send(
        "DELETE",
        &format!("/api/attachments/file/{id}"),
        None,
        None,
        &[],
    );
    assert_eq!(del.status, 200, "{}", del.text());
    let doc = del.doc();
    let root = doc.xml();
    assert!(root.root_element().has_tag_name("prestashop"));
    assert_eq!(
        root.root_element()
            .children()
            .filter(|n| n.is_element())
            .count(),
        0
    );
    assert!(s.on_disk().is_empty(), "{:?}", s.on_disk());
    assert_eq!(s.count_rows(), 0);
    for table in ["{attachment_lang}", "{product_attachment}"] {
        let left = s.shop.sql_rows(
            &format!("SELECT id_attachment FROM {table} WHERE id_attachment = ?"),
            &[id.into()],
        );
        assert!(left.is_empty(), "{table}");
    }
    let flag = s.shop.sql_rows(
        "SELECT cache_has_attachments FROM {product} WHERE id_product = 1",
        &[],
    );
    assert_eq!(flag[0][0].as_deref(), Some("0"));

    // A plain DELETE attachments/{id} removes the file as well, lists included.
    let a = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("file", Some("a.txt"), None, b"a")],
    );
    let b = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("file", Some("b.txt"), None, b"b")],
    );
    let c = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("file", Some("c.txt"), None, b"c")],
    );
    assert_eq!(s.on_disk().len(), 3);
    let del = s.send(
        "DELETE",
        &format!("/api/attachments/{}", a.id()),
        None,
        None,
        &[],
    );
    assert_eq!(del.status, 200);
    assert_eq!(s.on_disk().len(), 2);
    let del = s.send(
        "DELETE",
        &format!("/api/attachments?id=[{},{}]", b.id(), c.id()),
        None,
        None,
        &[],
    );
    assert_eq!(del.status, 200);
    assert!(s.on_disk().is_empty());
    assert_eq!(s.count_rows(), 0);
    // Unknown: the generic answer, nothing touched.
    let r = s.send("DELETE", "/api/attachments/77", None, None, &[]);
    assert_eq!((r.status, r.codes()), (404, vec![87]));
}

#[test]
fn limits_refuse_cleanly_and_leave_nothing() {
    let s = start(&["--max-body", "1500000"], false);
    s.shop.sql_exec(
        "UPDATE {configuration} SET value = '1' WHERE name = 'PS_ATTACHMENT_MAXIMUM_SIZE'",
        &[],
    );
    // Exactly the limit is accepted.
    let ok = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(bytes(1024 * 1024)),
        &[],
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    let kept = s.on_disk();
    assert_eq!(kept.len(), 1);
    // One byte more: 413 with a code, as multipart and as raw; nothing stored.
    let over = bytes(1024 * 1024 + 1);
    let r = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(over.clone()),
        &[],
    );
    assert_eq!((r.status, r.codes()), (413, vec![1011]), "{}", r.text());
    assert!(
        r.text()
            .contains("is 1025 KB, which is larger than the maximum size allowed of 1024 KB"),
        "{}",
        r.text()
    );
    let r = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("file", Some("big.bin"), None, &over)],
    );
    assert_eq!((r.status, r.codes()), (413, vec![1011]));
    // A replacement too large keeps the old file.
    let r = s.send(
        "PUT",
        &format!("/api/attachments/file/{}", ok.id()),
        None,
        Some(over),
        &[],
    );
    assert_eq!((r.status, r.codes()), (413, vec![1011]));
    // Beyond the server's --max-body: refused before the body is read.
    let r = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(bytes(1_600_000)),
        &[],
    );
    assert_eq!((r.status, r.codes()), (413, vec![1003]));
    // Far beyond it, from a client that writes the whole body before reading (as curl
    // and PHP do): it still reads the 413, not a broken pipe.
    let r = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(bytes(24 * 1024 * 1024)),
        &[],
    );
    assert_eq!((r.status, r.codes()), (413, vec![1003]));
    assert_eq!(s.on_disk(), kept);
    assert_eq!(s.count_rows(), 1);

    // No file: a multipart body without the `file` field, or an empty body.
    let r = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("name", None, None, b"only a name")],
    );
    assert_eq!((r.status, r.codes()), (400, vec![1012]));
    let r = s.send("POST", "/api/attachments/file", None, None, &[]);
    assert_eq!((r.status, r.codes()), (400, vec![1012]));
    // An invalid display name: PrestaShop's validation error, and the new file is removed.
    let r = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[
            ("name", None, None, b"a <b> c"),
            ("file", Some("n.txt"), None, b"n"),
        ],
    );
    assert_eq!((r.status, r.codes()), (400, vec![84]), "{}", r.text());
    // POST attachments (metadata only) creates nothing and says so.
    let r = s.send(
        "POST",
        "/api/attachments",
        None,
        Some(b"<prestashop><attachment><file>x</file></attachment></prestashop>".to_vec()),
        &[],
    );
    assert_eq!((r.status, r.codes()), (405, vec![101]));
    assert_eq!(s.on_disk(), kept);
    assert_eq!(s.count_rows(), 1);
    // The download directory holds no temporary file after all this.
    assert!(s.on_disk().iter().all(|n| is_hex40(n)));
}

#[test]
fn permissions_are_the_keys_methods_on_attachments() {
    let s = start(&[], false);
    let up = s.form(
        "POST",
        "/api/attachments/file",
        None,
        &[("file", Some("p.txt"), None, b"perm")],
    );
    let id = up.id();
    let read_only = s.shop.key(&["--allow", "attachments=GET,HEAD"]);
    let add_only = s.shop.key(&["--allow", "attachments=GET,POST"]);
    let other = s.shop.key(&["--allow", "products=GET"]);

    let dl = s.send(
        "GET",
        &format!("/api/attachments/file/{id}"),
        Some(&read_only),
        None,
        &[],
    );
    assert_eq!((dl.status, dl.body.as_slice()), (200, b"perm".as_slice()));
    let r = s.send(
        "GET",
        &format!("/api/attachments/file/{id}"),
        Some(&other),
        None,
        &[],
    );
    assert_eq!((r.status, r.codes()), (401, vec![26]));
    let before = s.on_disk();
    for (key, method, path) in [
        (&read_only, "POST", "/api/attachments/file".to_string()),
        (&read_only, "PUT", format!("/api/attachments/file/{id}")),
        (&read_only, "DELETE", format!("/api/attachments/file/{id}")),
        (&add_only, "PUT", format!("/api/attachments/file/{id}")),
        (&add_only, "DELETE", format!("/api/attachments/file/{id}")),
        (&add_only, "DELETE", format!("/api/attachments/{id}")),
    ] {
        let r = s.send(method, &path, Some(key), Some(b"x".to_vec()), &[]);
        assert_eq!((r.status, r.codes()), (405, vec![25]), "{method} {path}");
    }
    // The method that counts is the effective one: ps_method=PUT in a multipart body.
    let r = s.form(
        "POST",
        &format!("/api/attachments/file/{id}"),
        Some(&add_only),
        &[
            ("ps_method", None, None, b"PUT"),
            ("file", Some("x.txt"), None, b"x"),
        ],
    );
    assert_eq!((r.status, r.codes()), (405, vec![25]));
    assert_eq!(s.on_disk(), before);
    // What the key may do, it does.
    let r = s.form(
        "POST",
        "/api/attachments/file",
        Some(&add_only),
        &[("file", Some("y.txt"), None, b"y")],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.on_disk().len(), 2);
}

#[test]
fn a_file_that_cannot_be_written_leaves_no_row() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A regular file where the directory should be: every write fails.
    let blocked = tmp.path().join("not-a-directory");
    std::fs::write(&blocked, b"").unwrap();
    // Logged to a file: the error the server logs is expected here, and checked.
    let shop = TestShop::start_logged_with(&["--download-dir", &blocked.display().to_string()]);
    let s = Shop {
        shop,
        dir: blocked,
        _tmp: Some(tmp),
        http: reqwest::blocking::Client::new(),
    };
    let r = s.send(
        "POST",
        "/api/attachments/file",
        None,
        Some(b"data".to_vec()),
        &[],
    );
    assert_eq!((r.status, r.codes()), (500, vec![1013]), "{}", r.text());
    assert!(r.text().contains("Failed to copy the file."));
    assert_eq!(s.count_rows(), 0);
    let log = std::fs::read_to_string(s.shop.log.as_ref().expect("log")).unwrap_or_default();
    assert!(log.contains("attachment file not written"), "{log}");
}

/// A shop's own `download/` directory: what PrestaShop wrote (its row, its 40-hex file) is
/// served, replaced and deleted by shopws as if shopws had written it.
#[test]
fn files_prestashop_wrote_are_served() {
    let s = start(&[], false);
    let name = "0123456789abcdef0123456789abcdef01234567";
    std::fs::create_dir_all(&s.dir).unwrap();
    std::fs::write(s.dir.join(name), b"written by PrestaShop\x00").unwrap();
    s.shop.sql_exec(
        "INSERT INTO {attachment} (file, file_name, file_size, mime) VALUES (?, 'notice.pdf', 22, 'application/pdf')",
        &[name.into()],
    );
    let id: i64 = s
        .shop
        .sql_rows("SELECT MAX(id_attachment) FROM {attachment}", &[])[0][0]
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("id");
    for lang in [1, 2] {
        s.shop.sql_exec(
            "INSERT INTO {attachment_lang} (id_attachment, id_lang, name, description) VALUES (?, ?, 'Notice', '')",
            &[id.into(), lang.into()],
        );
    }
    let dl = s.get(&format!("/api/attachments/file/{id}"));
    assert_eq!(dl.status, 200, "{}", dl.text());
    assert_eq!(dl.body, b"written by PrestaShop\x00");
    assert_eq!(dl.header("content-type"), Some("application/pdf"));
    assert_eq!(
        dl.header("content-disposition"),
        Some("attachment; filename=\"notice.pdf\"")
    );
    let put = s.send(
        "PUT",
        &format!("/api/attachments/file/{id}"),
        None,
        Some(b"new".to_vec()),
        &[],
    );
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(s.on_disk(), vec![put.field("file")]);
    let del = s.send("DELETE", &format!("/api/attachments/{id}"), None, None, &[]);
    assert_eq!(del.status, 200);
    assert!(s.on_disk().is_empty());
}
