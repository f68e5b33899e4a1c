//! `link_rewrite` slugs, as PrestaShop's `Tools::str2url` makes them from a name (ASCII
//! variant: accented URLs are off by default).

/// Letters lose their accents, anything else becomes `-`, runs of `-` collapse, lower case.
pub fn link_rewrite(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        let mapped = fold(c);
        for m in mapped.chars() {
            if m.is_ascii_alphanumeric() || m == '_' {
                out.push(m.to_ascii_lowercase());
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
    }
    out.trim_matches('-').to_string()
}

/// What `isLinkRewrite` accepts with accented characters off.
pub fn is_link_rewrite(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'œ' | 'Œ' => "oe",
        'ß' => "ss",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        c if c.is_ascii_alphanumeric() || c == '_' => ascii(c),
        _ => "-",
    }
}

fn ascii(c: char) -> &'static str {
    const TABLE: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    match TABLE.find(c) {
        Some(i) => &TABLE[i..i + 1],
        None => "-",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            link_rewrite("Hummingbird printed T-shirt"),
            "hummingbird-printed-t-shirt"
        );
        assert_eq!(link_rewrite("  Été à Paris!  "), "ete-a-paris");
        assert!(is_link_rewrite("ete-a-paris"));
        assert!(!is_link_rewrite("été"));
    }
}
