//! Words as PrestaShop's `Search::sanitize` makes them, for the index and for queries: lower
//! case, HTML tags stripped, entities decoded, punctuation between digits removed ("1.000" is
//! "1000"), other punctuation and symbols turned to spaces, blacklisted words dropped, accents
//! folded to ASCII, words shorter than the minimum dropped, cut to the maximum length.

use unicode_normalization::UnicodeNormalization;

/// The settings that shape words (PS_SEARCH_MINWORDLEN, PS_SEARCH_MAX_WORD_LENGTH,
/// PS_SEARCH_BLACKLIST of the language).
#[derive(Debug, Clone)]
pub struct Rules {
    pub min_len: usize,
    pub max_len: usize,
    /// Lower-case words, compared before accents are folded (as PrestaShop does).
    pub blacklist: Vec<String>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_len: 3,
            max_len: 15,
            blacklist: Vec::new(),
        }
    }
}

impl Rules {
    pub fn with_blacklist(mut self, raw: &str) -> Rules {
        self.blacklist = raw
            .split('|')
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        self
    }
}

/// The words of a text as the index stores them (repeated words repeated: each occurrence
/// adds the field's weight).
pub fn index_words(text: &str, rules: &Rules) -> Vec<String> {
    words(text, rules)
}

/// The words of one query expression. PrestaShop removes `.` and `_` at query time while
/// the index turned them into spaces, so that "demo_1" is never found but by its fuzzy
/// fallback; here both sides split there, and the reference is found.
pub fn query_words(expression: &str, rules: &Rules) -> Vec<String> {
    words(expression, rules)
}

fn words(text: &str, rules: &Rules) -> Vec<String> {
    let lower = decode_entities(&strip_tags(text)).to_lowercase();
    let joined = join_number_punctuation(&lower);
    let mut out = Vec::new();
    for raw in joined.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() || rules.blacklist.iter().any(|b| b == raw) {
            continue;
        }
        let folded = fold_accents(raw);
        if folded.chars().count() < rules.min_len {
            continue;
        }
        out.push(folded.chars().take(rules.max_len.max(1)).collect());
    }
    out
}

/// `<p>Hello</p>` is " Hello ": tags end words, as PHP's `strip_tags` followed by the
/// replacement of what separates words.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Numeric entities and the named ones text in a shop's descriptions holds (WYSIWYG
/// editors write accented letters and spaces as entities).
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let decoded = tail
            .find(';')
            .filter(|end| *end <= 10)
            .and_then(|end| entity(&tail[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(n);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "szlig" => 'ß',
        "aelig" => 'æ',
        "AElig" => 'Æ',
        "oelig" => 'œ',
        "OElig" => 'Œ',
        _ => return accented(name),
    })
}

/// `&eacute;`, `&Ccedil;`, … : a base letter and an accent name.
fn accented(name: &str) -> Option<char> {
    const MARKS: &[(&str, char)] = &[
        ("grave", '\u{300}'),
        ("acute", '\u{301}'),
        ("circ", '\u{302}'),
        ("tilde", '\u{303}'),
        ("uml", '\u{308}'),
        ("ring", '\u{30A}'),
        ("cedil", '\u{327}'),
    ];
    let mut chars = name.chars();
    let base = chars.next().filter(char::is_ascii_alphabetic)?;
    let mark = chars.as_str();
    let (_, m) = MARKS.iter().find(|(n, _)| *n == mark)?;
    [base, *m].iter().collect::<String>().nfc().next()
}

/// Punctuation between digits disappears: "1.000,50" is "100050", "12-34" is "1234".
fn join_number_punctuation(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_punctuation(c) && i > 0 && chars[i - 1].is_numeric() {
            let mut j = i;
            while j < chars.len() && is_punctuation(chars[j]) {
                j += 1;
            }
            if j < chars.len() && chars[j].is_numeric() {
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || matches!(c, '\u{2010}'..='\u{2027}' | '\u{00B7}')
}

/// Accents off (`Tools::replaceAccentedChars`): decomposed, combining marks dropped, and the
/// letters that do not decompose spelled in ASCII.
pub fn fold_accents(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for c in w.nfd() {
        match c {
            '\u{300}'..='\u{36F}' => {}
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ß' => out.push_str("ss"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        index_words(s, &Rules::default())
    }

    #[test]
    fn sanitize() {
        assert_eq!(
            w("<p>Hummingbird printed T-shirt</p>"),
            ["hummingbird", "printed", "shirt"]
        );
        assert_eq!(
            w("Été à PARIS, l'&eacute;t&eacute;"),
            ["ete", "paris", "ete"]
        );
        assert_eq!(
            w("GEN-00000012 demo_1 1.000,50"),
            ["gen", "00000012", "demo", "100050"]
        );
        assert_eq!(w("Extraordinarilylongword"), ["extraordinarily"]);
        assert_eq!(w("A&amp;B caf&#233;s"), ["cafes"]);
        let r = Rules::default().with_blacklist("the|and");
        assert_eq!(index_words("The cat and THE dog", &r), ["cat", "dog"]);
        assert_eq!(
            query_words("Œuvre Straße", &Rules::default()),
            ["oeuvre", "strasse"]
        );
    }
}
