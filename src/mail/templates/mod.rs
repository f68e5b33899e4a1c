//! The e-mails' words: one text per PrestaShop template name (`order_conf`, `in_transit`,
//! `payment`, …) and language, with PrestaShop's `{variable}` placeholders. English and French
//! are written here; any other language falls back to English. The HTML part is made from the
//! same text (paragraphs, values escaped, links clickable), so the two never disagree.

mod en;
mod fr;

use quick_xml::escape::escape;

/// One template in one language: the subject and the body, paragraphs separated by a blank
/// line. Both may hold `{variable}` placeholders.
pub struct Text {
    pub subject: &'static str,
    pub body: &'static str,
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The text of `template` in the language `iso` (`en`, `fr`), English when that language has
/// none; `None` for a template shopws does not know.
pub fn text(template: &str, iso: &str) -> Option<Text> {
    let own = match iso.to_ascii_lowercase().as_str() {
        "fr" => fr::text(template),
        _ => None,
    };
    own.or_else(|| en::text(template))
}

/// Whether shopws has words for `template`.
pub fn known(template: &str) -> bool {
    en::text(template).is_some()
}

/// `template` rendered in `iso` with `vars` (names without braces). A placeholder without a
/// value becomes empty text. `None` for an unknown template.
pub fn render(template: &str, iso: &str, vars: &[(&str, String)]) -> Option<Rendered> {
    let t = text(template, iso)?;
    let subject = fill(t.subject, vars, false).replace(['\r', '\n'], " ");
    let text = fill(t.body, vars, false);
    let html = html_page(&subject, &fill(t.body, vars, true));
    Some(Rendered {
        subject,
        text,
        html,
    })
}

/// Replaces every `{name}` of `s` by its value (HTML-escaped when `html`; a value that is a
/// web address then becomes a link). Braces that do not close a known name are kept.
fn fill(s: &str, vars: &[(&str, String)], html: bool) -> String {
    let mut out = String::with_capacity(s.len() + 64);
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let (before, after) = rest.split_at(start);
        push(&mut out, before, html);
        let Some(end) = after.find('}') else {
            push(&mut out, after, html);
            return out;
        };
        let name = &after[1..end];
        let is_name =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if is_name {
            let value = vars
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if html && is_web_address(value) {
                let v = escape(value);
                out.push_str(&format!("<a href=\"{v}\">{v}</a>"));
            } else {
                push(&mut out, value, html);
            }
            rest = &after[end + 1..];
        } else {
            push(&mut out, "{", html);
            rest = &after[1..];
        }
    }
    push(&mut out, rest, html);
    out
}

fn is_web_address(v: &str) -> bool {
    (v.starts_with("https://") || v.starts_with("http://")) && !v.contains(char::is_whitespace)
}

fn push(out: &mut String, s: &str, html: bool) {
    if html {
        out.push_str(&escape(s));
    } else {
        out.push_str(s);
    }
}

/// A whole HTML document around an escaped body: paragraphs at blank lines, `<br>` at line
/// ends.
fn html_page(subject: &str, escaped_body: &str) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    out.push_str(&escape(subject));
    out.push_str("</title></head>\n<body style=\"font-family:Arial,sans-serif;color:#333\">\n");
    for para in escaped_body.split("\n\n") {
        let para = para.trim();
        if !para.is_empty() {
            out.push_str("<p>");
            out.push_str(&para.replace('\n', "<br>\n"));
            out.push_str("</p>\n");
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATES: &[&str] = &[
        "order_conf",
        "payment",
        "preparation",
        "shipped",
        "in_transit",
        "order_canceled",
        "refund",
        "payment_error",
        "outofstock",
        "bankwire",
        "cheque",
        "cashondelivery",
    ];

    #[test]
    fn every_template_exists_in_english_and_french() {
        for t in TEMPLATES {
            let en = text(t, "en").map(|x| x.subject);
            let fr = text(t, "fr").map(|x| x.subject);
            assert!(en.is_some(), "{t} in English");
            assert!(fr.is_some(), "{t} in French");
            assert_ne!(en, fr, "{t}: French has its own subject");
        }
        assert!(text("no_such_template", "en").is_none());
    }

    #[test]
    fn other_languages_fall_back_to_english() {
        let de = text("in_transit", "de").map(|t| t.subject);
        assert_eq!(de, text("in_transit", "en").map(|t| t.subject));
    }

    #[test]
    fn values_are_filled_and_escaped_in_html() {
        let vars = [
            ("firstname", "<b>Ada</b>".to_string()),
            ("followup", "https://track.example/?n=1&x=2".to_string()),
            ("order_name", "ABC".to_string()),
            ("shipping_number", "T1".to_string()),
        ];
        let r = render("in_transit", "en", &vars).unwrap_or_else(|| panic!("template"));
        assert!(r.text.contains("<b>Ada</b>"));
        assert!(r.text.contains("https://track.example/?n=1&x=2"));
        assert!(r.html.contains("&lt;b&gt;Ada&lt;/b&gt;"));
        assert!(!r.html.contains("<b>Ada"));
        assert!(r
            .html
            .contains("<a href=\"https://track.example/?n=1&amp;x=2\">"));
    }

    #[test]
    fn unknown_placeholders_are_empty_and_stray_braces_kept() {
        assert_eq!(fill("a {nope} b { c", &[], false), "a  b { c");
    }
}
