//! Small JSON output helpers: strings escaped by serde_json, numbers by itoa.

pub fn string(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

pub fn key(out: &mut Vec<u8>, k: &str) {
    string(out, k);
    out.push(b':');
}

pub fn int(out: &mut Vec<u8>, i: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
}
