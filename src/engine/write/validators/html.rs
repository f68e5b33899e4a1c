//! HTML: `isCleanHtml` (script, event-handler and embedding patterns) and the HTML 4.01
//! entity decoding that `Tools::strlen()` (see [`ps_strlen`](super::ps_strlen)) counts with.

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;

use super::byte_regex;

// ---------------------------------------------------------------------------------------------
// isCleanHtml
// ---------------------------------------------------------------------------------------------

/// Event-handler names looked for by isCleanHtml (`/(events)[\s]*=/ims`). The first part is the
/// historical PrestaShop list (typo "onmmouseup" included); PrestaShop 9 lists about 140 names
/// and the remaining ones are taken to be the current HTML event handlers below.
#[rustfmt::skip] // keep the list compact
const CLEAN_HTML_EVENTS: &[&str] = &[
    // Historical PrestaShop list.
    "onmousedown", "onmousemove", "onmmouseup", "onmouseover", "onmouseout", "onload", "onunload",
    "onfocus", "onblur", "onchange", "onsubmit", "ondblclick", "onclick", "onkeydown", "onkeyup",
    "onkeypress", "onmouseenter", "onmouseleave", "onerror", "onselect", "onreset", "onabort",
    "ondragdrop", "onresize", "onactivate", "onafterprint", "onmoveend", "onafterupdate",
    "onbeforeactivate", "onbeforecopy", "onbeforecut", "onbeforedeactivate", "onbeforeeditfocus",
    "onbeforepaste", "onbeforeprint", "onbeforeunload", "onbeforeupdate", "onmove", "onbounce",
    "oncellchange", "oncontextmenu", "oncontrolselect", "oncopy", "oncut", "ondataavailable",
    "ondatasetchanged", "ondatasetcomplete", "ondeactivate", "ondrag", "ondragend", "ondragenter",
    "onmousewheel", "ondragleave", "ondragover", "ondragstart", "ondrop", "onerrorupdate",
    "onfilterchange", "onfinish", "onfocusin", "onfocusout", "onhashchange", "onhelp", "oninput",
    "onlosecapture", "onmessage", "onmouseup", "onmovestart", "onoffline", "ononline", "onpaste",
    "onpropertychange", "onreadystatechange", "onresizeend", "onresizestart", "onrowenter",
    "onrowexit", "onrowsdelete", "onrowsinserted", "onscroll", "onsearch", "onselectionchange",
    "onselectstart", "onstart", "onstop",
    // Current HTML event handlers.
    "onanimationcancel", "onanimationend", "onanimationiteration", "onanimationstart",
    "onauxclick", "onbeforeinput", "onbeforetoggle", "oncancel", "oncanplay", "oncanplaythrough",
    "onclose", "oncuechange", "ondurationchange", "onemptied", "onended", "onformdata",
    "ongotpointercapture", "oninvalid", "onlanguagechange", "onloadeddata", "onloadedmetadata",
    "onloadstart", "onlostpointercapture", "onmessageerror", "onpagehide", "onpageshow", "onpause",
    "onplay", "onplaying", "onpointercancel", "onpointerdown", "onpointerenter", "onpointerleave",
    "onpointermove", "onpointerout", "onpointerover", "onpointerup", "onpopstate", "onprogress",
    "onratechange", "onrejectionhandled", "onscrollend", "onsecuritypolicyviolation", "onseeked",
    "onseeking", "onslotchange", "onstalled", "onstorage", "onsuspend", "ontimeupdate", "ontoggle",
    "ontouchcancel", "ontouchend", "ontouchmove", "ontouchstart", "ontransitioncancel",
    "ontransitionend", "ontransitionrun", "ontransitionstart", "onunhandledrejection",
    "onvolumechange", "onwaiting", "onwheel",
];

/// isCleanHtml's patterns (all `/ims`, no `u`: byte-level, ASCII case folding; `m` is moot as
/// no pattern uses `^`/`$`). Any match makes the HTML unclean.
static CLEAN_HTML_FORBIDDEN: LazyLock<[BytesRegex; 5]> = LazyLock::new(|| {
    [
        // `<[\s]*script`
        byte_regex(r"(?is)<\s*script"),
        // A tag carrying a quoted on* attribute: `<\s*\w+[^>]*\s(on\w+)=["'][^"']*["']`
        byte_regex(r#"(?is)<\s*\w+[^>]*\s(?:on\w+)=["'][^"']*["']"#),
        // An event name followed by '=', anywhere: `(events)[\s]*=`
        byte_regex(&format!(r"(?is)(?:{})\s*=", CLEAN_HTML_EVENTS.join("|"))),
        // `.*script\:` (e.g. "javascript:"); `.*` may be empty, so a plain search is the same.
        byte_regex(r"(?is)script:"),
        // Iframes are not allowed (PS_ALLOW_HTML_IFRAME = 0): `<[\s]*(i?frame|form|input|embed|object)`
        byte_regex(r"(?is)<\s*(?:i?frame|form|input|embed|object)"),
    ]
});

/// isCleanHtml($html, allow_iframe = false).
pub(super) fn is_clean_html(value: &str) -> bool {
    // U+202E RIGHT-TO-LEFT OVERRIDE can disguise text (e.g. file extensions).
    !value.contains('\u{202E}')
        && !CLEAN_HTML_FORBIDDEN
            .iter()
            .any(|re| re.is_match(value.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// HTML entities (Tools::strlen)
// ---------------------------------------------------------------------------------------------

/// The 252 named character references of HTML 4.01 (PHP's default table for
/// html_entity_decode). Each decodes to a single character; only the names matter for counting.
#[rustfmt::skip] // keep the list compact
const HTML401_ENTITIES: &[&str] = &[
    // ISO 8859-1 characters.
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
    "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute",
    "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
    "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute",
    "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
    "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
    "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc",
    "uuml", "yacute", "thorn", "yuml",
    // Symbols, mathematical symbols and Greek letters.
    "fnof", "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa",
    "Lambda", "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "Sigma", "Tau", "Upsilon", "Phi", "Chi",
    "Psi", "Omega", "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigmaf", "sigma", "tau",
    "upsilon", "phi", "chi", "psi", "omega", "thetasym", "upsih", "piv", "bull", "hellip", "prime",
    "Prime", "oline", "frasl", "weierp", "image", "real", "trade", "alefsym", "larr", "uarr",
    "rarr", "darr", "harr", "crarr", "lArr", "uArr", "rArr", "dArr", "hArr", "forall", "part",
    "exist", "empty", "nabla", "isin", "notin", "ni", "prod", "sum", "minus", "lowast", "radic",
    "prop", "infin", "ang", "and", "or", "cap", "cup", "int", "there4", "sim", "cong", "asymp",
    "ne", "equiv", "le", "ge", "sub", "sup", "nsub", "sube", "supe", "oplus", "otimes", "perp",
    "sdot", "lceil", "rceil", "lfloor", "rfloor", "lang", "rang", "loz", "spades", "clubs",
    "hearts", "diams", // Markup-significant and internationalisation characters.
    "quot", "amp", "lt", "gt", "OElig", "oelig", "Scaron", "scaron", "Yuml", "circ", "tilde",
    "ensp", "emsp", "thinsp", "zwnj", "zwj", "lrm", "rlm", "ndash", "mdash", "lsquo", "rsquo",
    "sbquo", "ldquo", "rdquo", "bdquo", "dagger", "Dagger", "permil", "lsaquo", "rsaquo", "euro",
];

/// Code points html_entity_decode accepts in a numeric reference for HTML 4.01
/// (`unicode_cp_is_allowed`), minus the single quote which ENT_COMPAT leaves encoded.
fn html401_numeric_allowed(code: u32) -> bool {
    let allowed = matches!(code, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0xA0..=0xD7FF)
        || ((0xE000..=0x10FFFF).contains(&code)
            && (code & 0xFFFF) < 0xFFFE
            && !(0xFDD0..=0xFDEF).contains(&code));
    allowed && code != u32::from(b'\'')
}

/// Length in bytes of the entity at the start of `s` (which starts with '&') when
/// html_entity_decode(ENT_COMPAT, UTF-8) would decode it.
pub(super) fn entity_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix('&')?;
    // PHP reads the reference name greedily, then requires ';'. Scanning only that run keeps
    // the whole count linear even for text full of '&'.
    let semicolon = body
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'#'))
        .filter(|end| body.as_bytes()[*end] == b';')?;
    let name = &body[..semicolon];
    let decodes = if let Some(number) = name.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        // strtol would saturate on overflow, which is above 0x10FFFF and refused anyway.
        !digits.is_empty()
            && digits.chars().all(|c| c.is_digit(radix))
            && u32::from_str_radix(digits, radix).is_ok_and(html401_numeric_allowed)
    } else {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric())
            && HTML401_ENTITIES.contains(&name)
    };
    decodes.then_some(1 + semicolon + 1)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};
    use super::*;

    #[test]
    fn is_clean_html() {
        valid("isCleanHtml", "<p>Hello <strong>world</strong></p>");
        valid(
            "isCleanHtml",
            "<a href=\"https://example.com\" title=\"x\">link</a>",
        );
        valid("isCleanHtml", "Description, on sale = yes");
        valid("isCleanHtml", "");
        invalid("isCleanHtml", "<script>alert(1)</script>");
        invalid("isCleanHtml", "< SCRIPT src=x>");
        invalid("isCleanHtml", "<img src=x onerror=alert(1)>");
        invalid("isCleanHtml", "<div ONCLICK = 'x'>");
        invalid("isCleanHtml", "<div onfoo=\"bar\">");
        invalid("isCleanHtml", "<svg onpointerdown=alert(1)>");
        invalid("isCleanHtml", "<a href=\"javascript:alert(1)\">x</a>");
        invalid("isCleanHtml", "<a href=\"JavaScript:void(0)\">x</a>");
        invalid(
            "isCleanHtml",
            "<iframe src=\"https://example.com\"></iframe>",
        );
        invalid("isCleanHtml", "<frame>");
        invalid("isCleanHtml", "<form action=x>");
        invalid("isCleanHtml", "<input type=text>");
        invalid("isCleanHtml", "<embed src=x>");
        invalid("isCleanHtml", "<object data=x>");
        invalid("isCleanHtml", "file\u{202E}gpj.exe");
        // A non-event attribute starting with "on" but unquoted is fine.
        valid("isCleanHtml", "<div data-x=1 one=2>");
    }

    #[test]
    fn clean_html_event_list_has_no_duplicates() {
        let mut names = CLEAN_HTML_EVENTS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CLEAN_HTML_EVENTS.len());
    }

    #[test]
    fn html401_entity_table_is_complete() {
        assert_eq!(HTML401_ENTITIES.len(), 252);
        let mut names = HTML401_ENTITIES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 252);
    }
}
