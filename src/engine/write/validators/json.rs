//! `isJson`: a validating reader that accepts exactly what PHP's `json_decode()` accepts,
//! without building any value.

/// json_decode()'s default maximum nesting depth.
const JSON_MAX_DEPTH: usize = 512;

/// A validating JSON reader following PHP's json parser: RFC 8259 grammar, whitespace limited
/// to space/tab/LF/CR, lowercase literals, no control characters in strings, `\u` surrogates
/// paired, nesting up to 512, and (decoding to objects, as json_decode does by default) no
/// object key starting with NUL ("The decoded property name is invalid").
struct JsonReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl JsonReader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A value; `depth` is the number of arrays/objects already open around it.
    fn value(&mut self, depth: usize) -> bool {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().is_some(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self.bytes[self.pos..].starts_with(word);
        if found {
            self.pos += word.len();
        }
        found
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> bool {
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return false;
        }
        if self.eat(b'.') && self.digits() == 0 {
            return false;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return false;
            }
        }
        true
    }

    fn hex4(&mut self) -> Option<u32> {
        let hex = self.bytes.get(self.pos..self.pos + 4)?;
        let text = std::str::from_utf8(hex).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(text, 16).ok()
    }

    /// A string; returns whether its decoded content starts with U+0000.
    fn string(&mut self) -> Option<bool> {
        self.pos += 1; // opening quote
        let mut first: Option<bool> = None;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            let starts_with_nul = match b {
                b'"' => return Some(first.unwrap_or(false)),
                0x00..=0x1f => return None,
                b'\\' => {
                    let escape = self.peek()?;
                    self.pos += 1;
                    match escape {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => false,
                        b'u' => {
                            let unit = self.hex4()?;
                            if (0xD800..=0xDBFF).contains(&unit) {
                                // A high surrogate must be followed by a low one.
                                if !(self.eat(b'\\') && self.eat(b'u')) {
                                    return None;
                                }
                                if !(0xDC00..=0xDFFF).contains(&self.hex4()?) {
                                    return None;
                                }
                            } else if (0xDC00..=0xDFFF).contains(&unit) {
                                return None;
                            }
                            unit == 0
                        }
                        _ => return None,
                    }
                }
                _ => false,
            };
            first.get_or_insert(starts_with_nul);
        }
    }

    fn array(&mut self, depth: usize) -> bool {
        if depth > JSON_MAX_DEPTH {
            return false;
        }
        self.pos += 1; // '['
        self.skip_ws();
        if self.eat(b']') {
            return true;
        }
        loop {
            self.skip_ws();
            if !self.value(depth) {
                return false;
            }
            self.skip_ws();
            if self.eat(b']') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }

    fn object(&mut self, depth: usize) -> bool {
        if depth > JSON_MAX_DEPTH {
            return false;
        }
        self.pos += 1; // '{'
        self.skip_ws();
        if self.eat(b'}') {
            return true;
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') || self.string() != Some(false) {
                return false;
            }
            self.skip_ws();
            if !self.eat(b':') {
                return false;
            }
            self.skip_ws();
            if !self.value(depth) {
                return false;
            }
            self.skip_ws();
            if self.eat(b'}') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }
}

/// isJson: `json_decode($v); json_last_error() == JSON_ERROR_NONE`.
pub(super) fn is_json(value: &str) -> bool {
    let mut reader = JsonReader {
        bytes: value.as_bytes(),
        pos: 0,
    };
    reader.skip_ws();
    if !reader.value(0) {
        return false;
    }
    reader.skip_ws();
    reader.pos == reader.bytes.len()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};

    #[test]
    fn is_json() {
        for ok in [
            "1",
            "\"x\"",
            "true",
            "null",
            "-0.5e+10",
            " {\"a\": [1, 2, {\"b\": null}], \"\": false} ",
            "[]",
            "{}",
            "\"\\u00e9\\ud83d\\ude00\\n\"",
            "{\"a\\u0000\":1}",
            "{\"monday\":[\"09:00 - 19:00\"]}",
        ] {
            valid("isJson", ok);
        }
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{'a':1}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "+1",
            "NaN",
            "True",
            "\"a\tb\"",
            "\"\\x\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "{\"\\u0000a\":1}",
            "[1] [2]",
            "\"abc",
            "[1 2]",
        ] {
            invalid("isJson", bad);
        }
    }

    #[test]
    fn json_depth_limit() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        valid("isJson", &nested(512));
        invalid("isJson", &nested(513));
    }
}
