use super::*;

fn run(chunks: &[&[u8]]) -> (Vec<u8>, Option<Refusal>) {
    let mut f = Framing::default();
    let mut out = Vec::new();
    for c in chunks {
        if let Some(r) = f.feed(c, &mut out) {
            return (out, Some(r));
        }
    }
    (out, None)
}

#[test]
fn request_lines_are_encoded_and_bodies_left_alone() {
    let req: &[u8] = b"GET /api/products?filter[id]=>[5]&f[n]=\"a<b\" HTTP/1.1\r\nhost: x\r\n\r\n";
    let (out, r) = run(&[req]);
    assert_eq!(r, None);
    assert_eq!(
        out,
        b"GET /api/products?filter[id]=%3E[5]&f[n]=%22a%3Cb%22 HTTP/1.1\r\nhost: x\r\n\r\n"
    );
    // A body with the same characters, then a second request on the connection.
    let two: &[u8] =
        b"POST /api/x HTTP/1.1\r\nContent-Length: 7\r\n\r\n<a>\"</aGET /y?<> HTTP/1.1\r\n\r\n";
    let (out, r) = run(&[two]);
    assert_eq!(r, None);
    assert_eq!(
        out,
        b"POST /api/x HTTP/1.1\r\nContent-Length: 7\r\n\r\n<a>\"</aGET /y?%3C%3E HTTP/1.1\r\n\r\n"
    );
}

#[test]
fn framing_survives_any_split_of_the_input() {
    let input: &[u8] =
        b"\r\nPOST /a?< HTTP/1.1\r\ncontent-length: 3\r\n\r\n<>\"GET /b?> HTTP/1.1\r\n\r\n";
    let (whole, _) = run(&[input]);
    for cut in 0..input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(run(&[a, b]).0, whole, "cut at {cut}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(&bytes).0, whole);
}

/// What the socket reader does: bytes left in place until one needs rewriting.
fn via_scan(chunks: &[&[u8]]) -> Vec<u8> {
    let mut f = Framing::default();
    let mut out = Vec::new();
    for c in chunks {
        match f.scan(c) {
            Scan::Clean => out.extend_from_slice(c),
            Scan::RewriteFrom(i) => {
                out.extend_from_slice(&c[..i]);
                if f.feed(&c[i..], &mut out).is_some() {
                    break;
                }
            }
            Scan::Refused(_) => break,
        }
    }
    out
}

#[test]
fn leaving_clean_bytes_in_place_gives_the_same_stream() {
    let input: &[u8] = b"GET /a HTTP/1.1\r\nhost: x\r\n\r\nPOST /a?< HTTP/1.1\r\ncontent-length: 3\r\n\r\n<>\"GET /b?x=\">\" HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n";
    let (whole, _) = run(&[input]);
    assert!(whole.ends_with(b"GET /b?x=%22%3E%22 HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n"));
    for cut in 0..input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(via_scan(&[a, b]), whole, "cut at {cut}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(via_scan(&bytes), whole);
}

#[test]
fn other_framings_end_the_rewriting() {
    let chunked: &[u8] = b"POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\n<>\"\r\n0\r\n\r\nGET /b?< HTTP/1.1\r\n\r\n";
    let (out, r) = run(&[chunked]);
    assert_eq!(r, None);
    assert_eq!(out, chunked, "passed unchanged");
    let twice: &[u8] =
        b"POST /a HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nxyGET /b?< HTTP/1.1\r\n\r\n";
    assert_eq!(run(&[twice]).0, twice);
}

#[test]
fn refusals() {
    let long = [
        b"GET /?".as_slice(),
        &vec![b'a'; MAX_LINE],
        b" HTTP/1.1\r\n\r\n",
    ]
    .concat();
    assert_eq!(run(&[&long]).1, Some(Refusal::LineTooLong));
    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..=MAX_HEADERS {
        many.extend_from_slice(format!("x-{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(run(&[&many]).1, Some(Refusal::TooManyHeaders));
    assert_eq!(
        run(&[b"GET /a b HTTP/1.1\r\n\r\n"]).1,
        Some(Refusal::BadLine)
    );
    // The socket reader's path takes header lines whole: the same refusals.
    assert_eq!(
        Framing::default().scan(&many),
        Scan::Refused(Refusal::TooManyHeaders)
    );
    let huge = [
        b"GET / HTTP/1.1\r\nx: ".as_slice(),
        &vec![b'a'; MAX_HEAD_BYTES],
        b"\r\n\r\n",
    ]
    .concat();
    assert_eq!(run(&[&huge]).1, Some(Refusal::TooManyHeaders));
    assert_eq!(
        Framing::default().scan(&huge),
        Scan::Refused(Refusal::TooManyHeaders)
    );
    let mut f = Framing::default();
    let (a, b) = many.split_at(many.len() / 2);
    assert_eq!(f.scan(a), Scan::Clean);
    assert_eq!(f.scan(b), Scan::Refused(Refusal::TooManyHeaders));
    let doc = String::from_utf8(Refusal::LineTooLong.response()).unwrap_or_default();
    assert!(doc.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
    assert!(doc.contains("<code><![CDATA[1007]]></code>"));
}
