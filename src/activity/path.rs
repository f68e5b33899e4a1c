//! The path of a recorded request, as the activity page shows it: decoded, `ws_key` taken out
//! wherever PrestaShop would read it (the query, or the path after `&`), cut to a sane length.

/// Characters of a recorded path at most (the column holds 255).
pub const MAX_PATH: usize = 200;

/// `path` (as sent, percent-encoded) and `query` (after `?`) without any `ws_key` parameter,
/// decoded for reading, control characters replaced, at most [`MAX_PATH`] characters.
pub fn clean_path(path: &str, query: Option<&str>) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    // PrestaShop reads parameters after a `&` in the path too (`/api/customers&ws_key=…`).
    let (path, tail) = match decoded.split_once('&') {
        Some((p, t)) => (p, Some(t)),
        None => (decoded.as_ref(), None),
    };
    let mut out = String::with_capacity(path.len() + 16);
    out.push_str(path);
    let kept: Vec<&str> = tail
        .into_iter()
        .chain(query)
        .flat_map(|q| q.split('&'))
        .filter(|pair| !pair.is_empty() && !is_key(pair))
        .collect();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    let mut shown: String = out
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .take(MAX_PATH + 1)
        .collect();
    if shown.chars().count() > MAX_PATH {
        shown = shown.chars().take(MAX_PATH - 1).collect();
        shown.push('…');
    }
    shown
}

/// Whether `name=value` names the key as PHP would read it: decoded, `.` and spaces turned
/// into `_`, an array suffix ignored, compared without regard to case (to be safe).
fn is_key(pair: &str) -> bool {
    let name = pair.split('=').next().unwrap_or("");
    let name = name.replace('+', " ");
    let name = percent_encoding::percent_decode_str(&name).decode_utf8_lossy();
    let name = name.split('[').next().unwrap_or("");
    let norm: String = name
        .trim_start()
        .chars()
        .map(|c| match c {
            '.' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    norm == "ws_key"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_stays_in_a_path() {
        assert_eq!(clean_path("/api/taxes/1", None), "/api/taxes/1");
        assert_eq!(
            clean_path("/api/taxes/1", Some("ws_key=SECRET&display=full")),
            "/api/taxes/1?display=full"
        );
        assert_eq!(
            clean_path("/api/taxes", Some("ws_key=SECRET")),
            "/api/taxes"
        );
        assert_eq!(
            clean_path(
                "/api/customers&ws_key=SECRET&limit=1",
                Some("WS_KEY=X&ws.key=Y")
            ),
            "/api/customers?limit=1"
        );
        assert_eq!(
            clean_path(
                "/api/customers%26ws_key%3DSECRET",
                Some("ws%5Fkey=Z&ws_key[]=W&+ws_key=V")
            ),
            "/api/customers"
        );
        assert_eq!(
            clean_path("/api/products", Some("filter[name]=%25a%25")),
            "/api/products?filter[name]=%25a%25"
        );
    }

    #[test]
    fn paths_are_cut_and_control_characters_replaced() {
        let long = format!("/api/{}", "x".repeat(500));
        let cut = clean_path(&long, None);
        assert_eq!(cut.chars().count(), MAX_PATH);
        assert!(cut.ends_with('…'));
        assert_eq!(clean_path("/api/a%0Ab", None), "/api/a\u{fffd}b");
        assert_eq!(clean_path("/api/caf%C3%A9", None), "/api/café");
    }
}
