//! `/api/images` (protocol §8.1): uploads through multipart, files as PrestaShop lays them
//! out, every size decoded and measured, caching, replace, delete, hostile uploads and
//! permissions, on the real server.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::support::{basic, read_to_close, Resp, TestShop};

/// PrestaShop's classic product sizes (seeded `image_type`).
const PRODUCT_SIZES: [(&str, u32, u32); 5] = [
    ("cart_default", 125, 125),
    ("small_default", 98, 98),
    ("medium_default", 452, 452),
    ("home_default", 250, 250),
    ("large_default", 800, 800),
];

struct Shop {
    shop: TestShop,
    img: tempfile::TempDir,
}

fn start() -> Shop {
    start_with(&[])
}

fn start_with(extra: &[&str]) -> Shop {
    let img = tempfile::tempdir().expect("tempdir");
    let dir = img.path().to_string_lossy().into_owned();
    let mut args = vec!["--images-dir", &dir];
    args.extend_from_slice(extra);
    let shop = TestShop::start_with(&args);
    Shop { shop, img }
}

fn picture(w: u32, h: u32, rgb: [u8; 3], format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            rgb[0],
            rgb[1].wrapping_add((x % 7) as u8),
            rgb[2].wrapping_add((y % 5) as u8),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    picture(w, h, rgb, image::ImageFormat::Png)
}

/// A multipart body with one file part.
fn multipart(field: &str, file_name: &str, ctype: &str, data: &[u8]) -> (Vec<u8>, String) {
    let boundary = "----shopwsTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: {ctype}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

impl Shop {
    fn upload_as(&self, key: &str, path: &str, field: &str, ctype: &str, data: &[u8]) -> Resp {
        let (body, ct) = multipart(field, "picture.png", ctype, data);
        self.shop
            .req_bytes("POST", path, Some(key), body, &[("Content-Type", &ct)])
            .0
    }
    fn upload(&self, path: &str, data: &[u8]) -> Resp {
        self.upload_as(&self.shop.key, path, "image", "image/png", data)
    }
    fn bytes(&self, path: &str, headers: &[(&str, &str)]) -> (Resp, Vec<u8>) {
        let key = self.shop.key.clone();
        self.shop
            .req_bytes("GET", path, Some(&key), Vec::new(), headers)
    }
    fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        walk(self.img.path(), &mut out);
        out.sort();
        out
    }
    fn image_rows(&self) -> i64 {
        self.shop.sql_i64("SELECT COUNT(*) FROM {image}", &[])
            + self.shop.sql_i64("SELECT COUNT(*) FROM {image_shop}", &[])
            + self.shop.sql_i64("SELECT COUNT(*) FROM {image_lang}", &[])
    }
    /// Removes the product's pictures (the demo shop's rows have no files).
    fn clear(&self, pid: i64) {
        let r = self.shop.get(&format!("/api/images/products/{pid}"));
        if r.status == 404 {
            return;
        }
        for id in r.ids().into_iter().skip(1) {
            let d = self
                .shop
                .send("DELETE", &format!("/api/images/products/{pid}/{id}"), "");
            assert_eq!(d.status, 200, "{}", d.body);
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

fn id_in(r: &Resp) -> i64 {
    let doc = r.xml();
    doc.descendants()
        .find(|n| n.has_tag_name("id"))
        .and_then(|n| n.text())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or_else(|| panic!("no id: {}", r.body))
}

fn decode_jpeg(bytes: &[u8]) -> image::DynamicImage {
    assert_eq!(
        image::guess_format(bytes).ok(),
        Some(image::ImageFormat::Jpeg)
    );
    image::load_from_memory(bytes).expect("decodes")
}

fn declinations(s: &Shop, pid: i64) -> Vec<i64> {
    let r = s.shop.get(&format!("/api/images/products/{pid}"));
    if r.status == 404 {
        return Vec::new();
    }
    r.xml()
        .descendants()
        .filter(|n| n.has_tag_name("declination"))
        .filter_map(|n| n.attribute("id")?.parse().ok())
        .collect()
}

fn product_images(s: &Shop, pid: i64) -> (Vec<i64>, Option<i64>) {
    let r = s
        .shop
        .get(&format!("/api/products/{pid}?output_format=JSON"));
    let v = r.json();
    let ids = v["product"]["associations"]["images"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| {
                    i["id"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .or(i["id"].as_i64())
                })
                .collect()
        })
        .unwrap_or_default();
    let cover = v["product"]["id_default_image"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .or(v["product"]["id_default_image"].as_i64());
    (ids, cover)
}

#[test]
fn upload_makes_every_size_and_lists_the_picture() {
    let s = start_with(&["--demo-pictures", "true"]);
    s.clear(3);
    let r = s.upload("/api/images/products/3", &png(400, 300, [200, 30, 30]));
    assert_eq!(r.status, 200, "{}", r.body);
    let id = id_in(&r);
    let doc = r.xml();
    let content = doc
        .descendants()
        .find(|n| n.has_tag_name("content"))
        .expect("content");
    assert_eq!(content.attribute("encode"), Some("base64"));
    assert!(
        r.body.contains("<cover><![CDATA[1]]></cover>"),
        "first is cover: {}",
        r.body
    );

    assert_eq!(declinations(&s, 3), vec![id]);
    let (assoc, cover) = product_images(&s, 3);
    assert_eq!(assoc, vec![id]);
    assert_eq!(cover, Some(id));
    let listed = s.shop.get("/api/images/products");
    assert!(
        listed.body.contains("images/products/3\""),
        "{}",
        listed.body
    );
    assert!(
        listed.body.contains("name=\"large_default\""),
        "{}",
        listed.body
    );

    // Laid out as PrestaShop does.
    let digits: PathBuf = id.to_string().chars().map(|c| c.to_string()).collect();
    let folder = s.img.path().join("p").join(digits);
    assert!(
        folder.join(format!("{id}.jpg")).is_file(),
        "{:?}",
        s.files()
    );

    let (o, bytes) = s.bytes(&format!("/api/images/products/3/{id}"), &[]);
    assert_eq!(o.status, 200);
    assert_eq!(o.header("content-type"), Some("image/jpeg"));
    let img = decode_jpeg(&bytes);
    assert_eq!((img.width(), img.height()), (400, 300));
    for (name, w, h) in PRODUCT_SIZES {
        assert!(folder.join(format!("{id}-{name}.jpg")).is_file(), "{name}");
        let (r, bytes) = s.bytes(&format!("/api/images/products/3/{id}/{name}"), &[]);
        assert_eq!(r.status, 200, "{name}");
        let img = decode_jpeg(&bytes).to_rgb8();
        assert_eq!((img.width(), img.height()), (w, h), "{name}");
        // Fitted, not cropped: white bands above and below the 4:3 picture, red inside.
        let top = img.get_pixel(w / 2, 0);
        assert!(
            top[0] > 240 && top[1] > 240 && top[2] > 240,
            "{name}: {top:?}"
        );
        let mid = img.get_pixel(w / 2, h / 2);
        assert!(mid[0] > 150 && mid[1] < 90, "{name}: {mid:?}");
    }

    // A size removed from disk (a type added since, files copied) is made again.
    std::fs::remove_file(folder.join(format!("{id}-home_default.jpg"))).expect("rm");
    // A change made behind the server's back shows within a second (files kept in memory).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (r, bytes) = s.bytes(&format!("/api/images/products/3/{id}/home_default"), &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(decode_jpeg(&bytes).width(), 250);
    assert!(folder.join(format!("{id}-home_default.jpg")).is_file());

    // Errors.
    let r = s
        .shop
        .get(&format!("/api/images/products/3/{id}/home_defaul"));
    assert_eq!((r.status, r.codes()), (400, vec![58]), "{}", r.body);
    assert!(
        r.body.contains("Did you mean: \"home_default\""),
        "{}",
        r.body
    );
    let r = s.shop.get(&format!("/api/images/products/4/{id}"));
    assert_eq!((r.status, r.codes()), (400, vec![57]));
    let r = s.upload("/api/images/products/999999", &png(10, 10, [0, 0, 0]));
    assert_eq!((r.status, r.codes()), (400, vec![76]), "{}", r.body);
    let r = s.shop.get("/api/images/products/999999");
    assert_eq!((r.status, r.body.as_str()), (404, ""));
    let r = s.shop.get("/api/images/nothing");
    assert_eq!((r.status, r.codes()), (400, vec![48]));
    // The demo shop's pictures are drawn at its creation; a file gone from disk is a 404,
    // not PrestaShop's 500.
    let (r, bytes) = s.bytes("/api/images/products/1/1/home_default", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(decode_jpeg(&bytes).width(), 250);
    std::fs::remove_file(s.img.path().join("p/1/1.jpg")).expect("demo picture");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = s.shop.get("/api/images/products/1/1");
    assert_eq!((r.status, r.codes()), (404, vec![61]), "{}", r.body);
    s.shop.assert_integrity();
}

#[test]
fn caching_headers_and_not_modified() {
    let s = start();
    let r = s.upload("/api/images/products/5", &png(64, 64, [10, 200, 10]));
    assert_eq!(r.status, 200, "{}", r.body);
    let id = id_in(&r);
    let path = format!("/api/images/products/5/{id}/small_default");
    let (r, bytes) = s.bytes(&path, &[]);
    assert_eq!(r.status, 200);
    let etag = r.header("etag").expect("etag").to_string();
    let modified = r
        .header("last-modified")
        .expect("last-modified")
        .to_string();
    assert!(r.header("cache-control").is_some());
    assert!(r.header("content-sha1").is_some());
    let (r, body) = s.bytes(&path, &[("If-None-Match", &etag)]);
    assert_eq!((r.status, body.len()), (304, 0));
    let (r, _) = s.bytes(&path, &[("If-Modified-Since", &modified)]);
    assert_eq!(r.status, 304);
    let (r, _) = s.bytes(&path, &[("If-None-Match", "\"other\"")]);
    assert_eq!(r.status, 200);
    let key = s.shop.key.clone();
    let (h, body) = s.shop.req_bytes("HEAD", &path, Some(&key), Vec::new(), &[]);
    assert_eq!((h.status, body.len()), (200, 0));
    assert_eq!(
        h.header("content-length"),
        Some(bytes.len().to_string().as_str())
    );

    // Replaced (POST + ps_method=PUT): new bytes, new validator.
    let (body, ct) = multipart("image", "b.png", "image/png", &png(80, 40, [0, 0, 220]));
    let (r, _) = s.shop.req_bytes(
        "POST",
        &format!("/api/images/products/5/{id}?ps_method=PUT"),
        Some(&key),
        body,
        &[("Content-Type", &ct)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let (r, bytes) = s.bytes(&path, &[("If-None-Match", &etag)]);
    assert_eq!(
        r.status, 200,
        "a replaced picture is not the one the client holds"
    );
    let img = decode_jpeg(&bytes).to_rgb8();
    let mid = img.get_pixel(49, 49);
    assert!(mid[2] > 150 && mid[0] < 80, "{mid:?}");
    let (_, orig) = s.bytes(&format!("/api/images/products/5/{id}"), &[]);
    assert_eq!(decode_jpeg(&orig).width(), 80);
}

#[test]
fn delete_renumbers_and_promotes_the_cover() {
    let s = start();
    s.clear(6);
    let ids: Vec<i64> = (0..3)
        .map(|i| {
            let r = s.upload("/api/images/products/6", &png(20 + i, 20, [50, 50, 50]));
            assert_eq!(r.status, 200, "{}", r.body);
            id_in(&r)
        })
        .collect();
    assert_eq!(declinations(&s, 6), ids);
    assert_eq!(product_images(&s, 6).1, Some(ids[0]));
    let r = s
        .shop
        .send("DELETE", &format!("/api/images/products/6/{}", ids[0]), "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(declinations(&s, 6), ids[1..].to_vec());
    let (assoc, cover) = product_images(&s, 6);
    assert_eq!(assoc, ids[1..].to_vec());
    assert_eq!(
        cover,
        Some(ids[1]),
        "the lowest remaining position becomes cover"
    );
    let positions = s.shop.sql_strings(
        "SELECT position FROM {image} WHERE id_product = 6 ORDER BY position",
        &[],
    );
    assert_eq!(positions, vec!["1", "2"]);
    let covers = s.shop.sql_i64(
        "SELECT COUNT(*) FROM {image_shop} WHERE id_product = 6 AND cover = 1",
        &[],
    );
    assert_eq!(covers, 1);
    let gone = ids[0].to_string();
    let left: Vec<_> = s
        .files()
        .into_iter()
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            n == format!("{gone}.jpg") || n.starts_with(&format!("{gone}-"))
        })
        .collect();
    assert!(left.is_empty(), "files of picture {gone} removed: {left:?}");
    let r = s
        .shop
        .send("DELETE", &format!("/api/images/products/6/{}", ids[0]), "");
    assert_eq!((r.status, r.codes()), (400, vec![57]));
    // Deleting the product deletes its pictures' rows.
    let r = s.shop.send("DELETE", "/api/products/6", "");
    assert_eq!(r.status, 200, "{}", r.body);
    let left = s
        .shop
        .sql_i64("SELECT COUNT(*) FROM {image} WHERE id_product = 6", &[])
        + s.shop.sql_i64(
            "SELECT COUNT(*) FROM {image_shop} WHERE id_product = 6",
            &[],
        )
        + s.shop.sql_i64(
            &format!(
                "SELECT COUNT(*) FROM {{image_lang}} WHERE id_image IN ({}, {})",
                ids[1], ids[2]
            ),
            &[],
        );
    assert_eq!(left, 0);
    s.shop.assert_integrity();
}

/// Every file of product picture `iid` under the images folder (any folder, any size).
fn files_of(s: &Shop, iid: i64) -> Vec<PathBuf> {
    let (original, sized) = (format!("{iid}.jpg"), format!("{iid}-"));
    s.files()
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == original || n.starts_with(&sized))
        })
        .collect()
}

#[test]
fn deleting_a_product_removes_its_picture_files_once_committed() {
    let s = start();
    let product = |name: &str| {
        let r = s.shop.send(
            "POST",
            "/api/products",
            &format!("<prestashop><product><price>3</price><id_category_default>2</id_category_default><name>{name}</name></product></prestashop>"),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        crate::support::id_of(&r.body)
    };
    let (doomed, kept) = (product("Doomed"), product("Kept"));
    let upload = |pid: i64, shade: u8| {
        let r = s.upload(
            &format!("/api/images/products/{pid}"),
            &png(40, 30, [shade, 60, 90]),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        id_in(&r)
    };
    let pictures = [upload(doomed, 10), upload(doomed, 20)];
    let other = upload(kept, 30);
    let other_files = files_of(&s, other);
    for iid in pictures.iter().chain([&other]) {
        let files = files_of(&s, *iid);
        let digits: PathBuf = iid.to_string().chars().map(|c| c.to_string()).collect();
        let folder = s.img.path().join("p").join(digits);
        assert!(
            files.contains(&folder.join(format!("{iid}.jpg"))),
            "{files:?}"
        );
        for (name, _, _) in PRODUCT_SIZES {
            assert!(
                files.contains(&folder.join(format!("{iid}-{name}.jpg"))),
                "{name} of {iid}: {files:?}"
            );
        }
    }
    // Served once, so that a cached copy exists too.
    let (r, _) = s.bytes(
        &format!("/api/images/products/{doomed}/{}", pictures[0]),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // A delete the database refuses is rolled back: rows and files stay.
    let trigger = if s.shop.db.starts_with("sqlite:") {
        format!("CREATE TRIGGER refuse_delete BEFORE DELETE ON {{product}} WHEN OLD.id_product = {doomed} BEGIN SELECT RAISE(ABORT, 'refused'); END")
    } else {
        format!("CREATE TRIGGER refuse_delete BEFORE DELETE ON {{product}} FOR EACH ROW BEGIN IF OLD.id_product = {doomed} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; END IF; END")
    };
    s.shop.sql_exec(&trigger, &[]);
    let before: Vec<Vec<PathBuf>> = pictures.iter().map(|i| files_of(&s, *i)).collect();
    let r = s
        .shop
        .send("DELETE", &format!("/api/products/{doomed}"), "");
    assert_ne!(r.status, 200, "{}", r.body);
    let after: Vec<Vec<PathBuf>> = pictures.iter().map(|i| files_of(&s, *i)).collect();
    assert_eq!(after, before, "a rolled-back delete leaves the files");
    assert_eq!(declinations(&s, doomed), pictures.to_vec());
    s.shop.sql_exec("DROP TRIGGER refuse_delete", &[]);

    let r = s
        .shop
        .send("DELETE", &format!("/api/products/{doomed}"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    for iid in pictures {
        assert_eq!(files_of(&s, iid), Vec::<PathBuf>::new(), "files of {iid}");
        let (r, _) = s.bytes(&format!("/api/images/products/{doomed}/{iid}"), &[]);
        assert_ne!(r.status, 200, "picture {iid} is no longer served");
    }
    assert_eq!(
        files_of(&s, other),
        other_files,
        "another product's files stay"
    );
    let (r, _) = s.bytes(&format!("/api/images/products/{kept}/{other}"), &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    s.shop.assert_integrity();
}

/// A PNG whose header declares `w`×`h` with a valid checksum and almost no data.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of a few zero bytes (the rest would decompress to gigabytes).
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn hostile_uploads_leave_nothing_behind() {
    let s = start();
    let before_rows = s.image_rows();
    let before_files = s.files();
    let path = "/api/images/products/7";
    // A text file named .jpg and declared image/jpeg.
    let r = s.upload_as(
        &s.shop.key,
        path,
        "image",
        "image/jpeg",
        b"I am not a picture at all\n",
    );
    assert_eq!((r.status, r.codes()), (400, vec![73]), "{}", r.body);
    // A decompression bomb: 50000×50000 declared by a tiny PNG.
    let r = s.upload(path, &png_declaring(50_000, 50_000));
    assert_eq!((r.status, r.codes()), (400, vec![76]), "{}", r.body);
    // Over PS_LIMIT_UPLOAD_IMAGE_VALUE (2 MB) but under the server's body limit.
    let mut big = png(16, 16, [1, 2, 3]);
    big.resize(2_100_000, 0);
    let r = s.upload(path, &big);
    assert_eq!((r.status, r.codes()), (400, vec![72]), "{}", r.body);
    assert!(r.body.contains("2000 KB"), "{}", r.body);
    // 30 MB: over the server's --max-body, still PrestaShop's #72, answered from the
    // declared length (a raw connection: the server answers before the body is sent).
    let mut c = s.shop.connect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 30000000\r\nConnection: close\r\n\r\n--b\r\n",
        basic(&s.shop.key)
    );
    std::io::Write::write_all(&mut c, head.as_bytes()).expect("send head");
    let (answer, _) = read_to_close(&mut c);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("<![CDATA[72]]>"), "{answer}");
    // Without the `image` field.
    let r = s.upload_as(
        &s.shop.key,
        path,
        "notimage",
        "image/png",
        &png(4, 4, [0, 0, 0]),
    );
    assert_eq!((r.status, r.codes()), (400, vec![76]));
    // A JPEG signature followed by garbage: recognised, not decodable.
    let mut cut = picture(300, 300, [9, 9, 9], image::ImageFormat::Jpeg);
    cut.truncate(4);
    cut.extend_from_slice(&[0x5a; 600]);
    let r = s.upload(path, &cut);
    assert_eq!((r.status, r.codes()), (400, vec![76]), "{}", r.body);

    // The limit is the shop's setting.
    s.shop.sql_exec(
        "UPDATE {configuration} SET value = '1' WHERE name = 'PS_LIMIT_UPLOAD_IMAGE_VALUE'",
        &[],
    );
    std::thread::sleep(std::time::Duration::from_millis(1200));
    big.truncate(1_500_000);
    let r = s.upload(path, &big);
    assert_eq!((r.status, r.codes()), (400, vec![72]), "{}", r.body);
    assert!(r.body.contains("1000 KB"), "{}", r.body);

    assert_eq!(s.image_rows(), before_rows, "no row added");
    assert_eq!(s.files(), before_files, "no file left");
}

#[test]
fn permissions_follow_the_images_resource() {
    let s = start();
    let reader = s.shop.key(&["--allow", "images=GET,HEAD"]);
    let other = s.shop.key(&["--allow", "products=GET,POST"]);
    let r = s.upload_as(
        &reader,
        "/api/images/products/1",
        "image",
        "image/png",
        &png(8, 8, [0, 0, 0]),
    );
    assert_eq!(r.status, 405, "{}", r.body);
    let r = s.upload_as(
        &other,
        "/api/images/products/1",
        "image",
        "image/png",
        &png(8, 8, [0, 0, 0]),
    );
    assert_eq!((r.status, r.codes()), (401, vec![26]), "{}", r.body);
    let r = s.shop.req("GET", "/api/images", Some(&reader), None, &[]);
    assert_eq!(r.status, 200);
    // The families list shows PrestaShop's static rights, not the key's.
    assert!(r.body.contains("put=\"false\""), "{}", r.body);
    let r = s.shop.req("GET", "/api/images", Some(&other), None, &[]);
    assert_eq!((r.status, r.codes()), (401, vec![26]));
    let r = s.shop.req(
        "DELETE",
        "/api/images/products/1/1",
        Some(&reader),
        None,
        &[],
    );
    assert_eq!(r.status, 405);
}

#[test]
fn category_and_brand_pictures() {
    let s = start();
    let r = s.upload("/api/images/categories/3", &png(300, 300, [0, 120, 0]));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(s.img.path().join("c/3.jpg").is_file());
    let (r, bytes) = s.bytes("/api/images/categories/3/category_default", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    let img = decode_jpeg(&bytes);
    assert_eq!((img.width(), img.height()), (141, 180));
    let r = s.shop.get("/api/images/categories/3/large_default");
    assert_eq!((r.status, r.codes()), (400, vec![58]));
    let r = s.upload("/api/images/categories/3", &png(30, 30, [0, 120, 0]));
    assert_eq!((r.status, r.codes()), (400, vec![65]));
    let r = s.shop.get("/api/images/categories");
    assert!(r.body.contains("images/categories/3\""), "{}", r.body);
    let r = s.shop.send("DELETE", "/api/images/categories/3", "");
    assert_eq!(r.status, 200);
    assert!(!s.img.path().join("c/3.jpg").exists());
    assert!(!s.img.path().join("c/3-category_default.jpg").exists());
    let r = s.shop.get("/api/images/categories/3");
    assert_eq!((r.status, r.codes()), (404, vec![61]));
    let r = s.shop.get("/api/images/manufacturers/abc");
    assert_eq!((r.status, r.codes()), (400, vec![60]));

    // "No picture" placeholders, per language.
    let r = s.shop.get("/api/images/products/default");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("images/products/default/en\""),
        "{}",
        r.body
    );
    let r = s.upload(
        "/api/images/products/default/en",
        &png(500, 500, [220, 220, 220]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(s.img.path().join("p/en.jpg").is_file());
    assert!(s.img.path().join("p/en-default-home_default.jpg").is_file());
    let (r, bytes) = s.bytes("/api/images/products/default/en/large_default", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(decode_jpeg(&bytes).width(), 800);
    let r = s.shop.get("/api/images/products/default/en/nope");
    assert_eq!((r.status, r.codes()), (400, vec![58]));
    let r = s.shop.get("/api/images/products/default/..%2F..%2Fetc");
    assert_eq!(r.status, 404);
    let r = s.shop.send("DELETE", "/api/images/products/default/en", "");
    assert_eq!(r.status, 200);
    assert!(!s.img.path().join("p/en-default-home_default.jpg").exists());

    // The shop's logos (PS_LOGO names the file; the mail logo falls back to it).
    let r = s.shop.get("/api/images/general");
    assert!(r.body.contains("<general_image_types>"), "{}", r.body);
    let r = s.upload(
        "/api/images/general/header?ps_method=PUT",
        &png(120, 40, [0, 0, 0]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(s.img.path().join("logo.png").is_file());
    let (r, bytes) = s.bytes("/api/images/general/mail", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(image::load_from_memory(&bytes).expect("logo").width(), 120);
    let width = s.shop.sql_strings(
        "SELECT value FROM {configuration} WHERE name = 'PS_LOGO_WIDTH'",
        &[],
    );
    assert_eq!(width, vec!["120"]);
    let r = s.shop.get("/api/images/general/headr");
    assert_eq!((r.status, r.codes()), (400, vec![53]));
    let r = s.upload("/api/images/general/header", &png(12, 4, [0, 0, 0]));
    assert_eq!((r.status, r.codes()), (405, vec![49]));
}

#[test]
fn customers_customization_pictures() {
    let top = tempfile::tempdir().expect("tempdir");
    let img = top.path().join("img");
    let shop = TestShop::start_with(&["--images-dir", &img.to_string_lossy()]);
    std::fs::create_dir_all(top.path().join("upload")).expect("upload dir");
    std::fs::write(top.path().join("upload/abc123def"), png(30, 20, [1, 2, 3])).expect("file");
    shop.sql_exec(
        "INSERT INTO {customization} (id_customization, id_cart, id_product, quantity) VALUES (900, 1, 1, 1)",
        &[],
    );
    shop.sql_exec(
        &format!(
            "INSERT INTO {{customized_data}} (id_customization, type, {}, value) VALUES (900, 0, 4, 'abc123def'), (900, 1, 5, 'a text')",
            shop.ident("index")
        ),
        &[],
    );
    let r = shop.get("/api/images/customizations");
    assert!(r.body.contains("images/customizations/1\""), "{}", r.body);
    let r = shop.get("/api/images/customizations/1");
    assert!(
        r.body.contains("images/customizations/1/900\""),
        "{}",
        r.body
    );
    let r = shop.get("/api/images/customizations/1/900");
    assert_eq!(r.ids(), vec![4], "{}", r.body);
    let key = shop.key.clone();
    let (r, bytes) = shop.req_bytes(
        "GET",
        "/api/images/customizations/1/900/4",
        Some(&key),
        Vec::new(),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(image::load_from_memory(&bytes).expect("png").width(), 30);
    let r = shop.get("/api/images/customizations/2/900/4");
    assert_eq!((r.status, r.codes()), (404, vec![61]));
}

#[test]
fn the_client_bytes_are_never_served_back() {
    let s = start();
    s.clear(4);
    // A JPEG with a comment segment (where phones put metadata) right after its SOI marker
    // and a script appended after its end: a valid picture that is also something else.
    let jpeg = picture(64, 48, [20, 120, 200], image::ImageFormat::Jpeg);
    let mut hostile = jpeg[..2].to_vec();
    let note = b"GPS 48.8584 N 2.2945 E";
    hostile.extend_from_slice(&[0xFF, 0xFE]);
    hostile.extend_from_slice(&((note.len() + 2) as u16).to_be_bytes());
    hostile.extend_from_slice(note);
    hostile.extend_from_slice(&jpeg[2..]);
    hostile.extend_from_slice(b"<?php system($_GET['c']); ?>");
    let r = s.upload_as(
        &s.shop.key.clone(),
        "/api/images/products/4",
        "image",
        "image/jpeg",
        &hostile,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = id_in(&r);
    let (got, original) = s.bytes(&format!("/api/images/products/4/{id}"), &[]);
    assert_eq!(got.status, 200);
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(
        !contains(&original, b"<?php"),
        "appended script served back"
    );
    assert!(!contains(&original, note), "metadata served back");
    let decoded = decode_jpeg(&original);
    assert_eq!((decoded.width(), decoded.height()), (64, 48));
}

#[test]
fn customization_pictures_are_uploaded_replaced_and_removed() {
    let top = tempfile::tempdir().expect("tempdir");
    let img = top.path().join("img");
    let s = Shop {
        shop: TestShop::start_with(&["--images-dir", &img.to_string_lossy()]),
        img: tempfile::tempdir().expect("tempdir"),
    };
    let shop = &s.shop;
    let upload = top.path().join("upload");
    let stored = || {
        let mut out = Vec::new();
        walk(&upload, &mut out);
        out.sort();
        out
    };
    shop.sql_exec(
        "INSERT INTO {customization} (id_customization, id_cart, id_product, quantity) VALUES (901, 1, 1, 1)",
        &[],
    );
    shop.sql_exec(
        "INSERT INTO {customization_field} (id_customization_field, id_product, type, required) VALUES (50, 1, 0, 0)",
        &[],
    );
    let path = "/api/images/customizations/1/901/50";
    let rows = || shop.sql_i64("SELECT COUNT(*) FROM {customized_data}", &[]);
    let before = rows();

    // Not the cart's customization, not a file field of its product: nothing stored.
    let r = s.upload(
        "/api/images/customizations/2/901/50",
        &png(30, 20, [9, 9, 9]),
    );
    assert_eq!((r.status, r.codes()), (404, vec![61]), "{}", r.body);
    let r = s.upload(
        "/api/images/customizations/1/901/1",
        &png(30, 20, [9, 9, 9]),
    );
    assert_eq!((r.status, r.codes()), (404, vec![61]), "{}", r.body);
    let (r, _) = {
        let (body, ct) = multipart("image", "x.jpg", "image/jpeg", b"not a picture at all");
        let key = shop.key.clone();
        shop.req_bytes("POST", path, Some(&key), body, &[("Content-Type", &ct)])
    };
    assert_eq!((r.status, r.codes()), (400, vec![73]), "{}", r.body);
    assert!(stored().is_empty(), "{:?}", stored());
    assert_eq!(rows(), before);

    // Created: a JPEG of the upload's size and a small copy of PS_PRODUCT_PICTURE_* (64×64).
    let r = s.upload(path, &png(300, 200, [200, 40, 40]));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("image/jpeg"));
    let files = stored();
    assert_eq!(files.len(), 2, "{files:?}");
    let name = files[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert_eq!(name.len(), 32, "{name}");
    assert!(name.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    assert_eq!(files[1], upload.join(format!("{name}_small")));
    let small = decode_jpeg(&std::fs::read(&files[1]).expect("small"));
    assert_eq!((small.width(), small.height()), (64, 64));
    assert_eq!(rows(), before + 1);
    assert_eq!(
        shop.sql_i64(
            &format!(
                "SELECT COUNT(*) FROM {{customized_data}} WHERE id_customization = 901 AND type = 0 AND {} = 50 AND value = ?",
                shop.ident("index")
            ),
            &[name.clone().into()],
        ),
        1
    );
    let r = shop.get("/api/images/customizations/1/901");
    assert_eq!(r.ids(), vec![50], "{}", r.body);
    let (r, bytes) = s.bytes(path, &[]);
    assert_eq!(r.status, 200);
    let got = decode_jpeg(&bytes);
    assert_eq!((got.width(), got.height()), (300, 200));

    // A second POST is refused: PUT replaces.
    let r = s.upload(path, &png(30, 20, [9, 9, 9]));
    assert_eq!((r.status, r.codes()), (400, vec![61]), "{}", r.body);
    let r = s.upload(
        &format!("{path}?ps_method=PUT"),
        &png(120, 90, [10, 200, 10]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(stored(), files, "replaced under the same names");
    let (_, bytes) = s.bytes(path, &[]);
    let got = decode_jpeg(&bytes);
    assert_eq!((got.width(), got.height()), (120, 90));
    assert_eq!(rows(), before + 1);

    // Removed: the row and both files.
    let r = shop.send("DELETE", path, "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(stored().is_empty(), "{:?}", stored());
    assert_eq!(rows(), before);
    let r = shop.get(path);
    assert_eq!((r.status, r.codes()), (404, vec![61]), "{}", r.body);
    let r = shop.send("DELETE", path, "");
    assert_eq!((r.status, r.codes()), (404, vec![61]), "{}", r.body);
    let r = s.upload(&format!("{path}?ps_method=PUT"), &png(30, 20, [9, 9, 9]));
    assert_eq!((r.status, r.codes()), (404, vec![61]), "{}", r.body);
}

/// The files of entity picture `id` in family folder `dir` (`m`, `c`, …).
fn entity_files(s: &Shop, dir: &str, id: i64) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(s.img.path().join(dir))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .and_then(|n| n.strip_suffix(".jpg"))
                        .is_some_and(|n| n == id.to_string() || n.starts_with(&format!("{id}-")))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[test]
fn deleting_a_brand_removes_its_picture_files() {
    let s = start();
    let brand = |name: &str| {
        let r = s.shop.send(
            "POST",
            "/api/manufacturers",
            &format!("<prestashop><manufacturer><name>{name}</name><active>1</active></manufacturer></prestashop>"),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        crate::support::id_of(&r.body)
    };
    let (doomed, kept) = (brand("Doomed brand"), brand("Kept brand"));
    for (id, shade) in [(doomed, 40), (kept, 80)] {
        let r = s.upload(
            &format!("/api/images/manufacturers/{id}"),
            &png(50, 40, [shade, 90, 120]),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let doomed_files = entity_files(&s, "m", doomed);
    let kept_files = entity_files(&s, "m", kept);
    assert!(
        doomed_files.len() > 1,
        "original and sizes: {doomed_files:?}"
    );
    assert!(doomed_files.iter().all(|p| p.is_file()));
    assert_eq!(
        s.shop
            .send("DELETE", &format!("/api/manufacturers/{doomed}"), "")
            .status,
        200
    );
    assert!(
        doomed_files.iter().all(|p| !p.exists()),
        "left behind: {:?}",
        entity_files(&s, "m", doomed)
    );
    assert_eq!(
        entity_files(&s, "m", kept),
        kept_files,
        "another brand's files stay"
    );
    // No picture is served for the deleted brand any more (nor for a new one given its id).
    let r = s.shop.get(&format!("/api/images/manufacturers/{doomed}"));
    assert_eq!(r.status, 404, "{}", r.body);
}

#[test]
fn deleting_a_category_removes_its_and_its_subcategories_pictures() {
    let s = start();
    let category = |name: &str, parent: i64| {
        let r = s.shop.send(
            "POST",
            "/api/categories",
            &format!("<prestashop><category><id_parent>{parent}</id_parent><active>1</active><name><language id=\"1\">{name}</language></name><link_rewrite><language id=\"1\">{name}</language></link_rewrite></category></prestashop>"),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        crate::support::id_of(&r.body)
    };
    let top = category("top", 2);
    let below = category("below", top);
    let aside = category("aside", 2);
    for (id, shade) in [(top, 30), (below, 60), (aside, 90)] {
        let r = s.upload(
            &format!("/api/images/categories/{id}"),
            &png(60, 40, [shade, 100, 140]),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let gone: Vec<PathBuf> = [top, below]
        .iter()
        .flat_map(|id| entity_files(&s, "c", *id))
        .collect();
    let aside_files = entity_files(&s, "c", aside);
    assert!(gone.len() > 2, "{gone:?}");
    assert_eq!(
        s.shop
            .send("DELETE", &format!("/api/categories/{top}"), "")
            .status,
        200
    );
    assert_eq!(s.shop.get(&format!("/api/categories/{below}")).status, 404);
    assert!(gone.iter().all(|p| !p.exists()), "left behind: {gone:?}");
    assert_eq!(entity_files(&s, "c", aside), aside_files);
}
