//! PrestaShop's text comparison on SQLite: MySQL's `utf8mb4_general_ci`, which every
//! PrestaShop client has experienced (`filter[name]=%[cafe]%` finds "Café", `[DEMO_1]` finds
//! `demo_1`, sorting ignores case), where SQLite compares bytes and folds only ASCII case.
//!
//! As general_ci does, each character is compared by one weight: its base letter (accents
//! dropped) in upper case, one character for one character (so `ß` is not `ss`), and trailing
//! spaces are ignored in comparisons (PAD SPACE) but not in LIKE. Registered on every
//! connection as the collation `PS_CI` and as the `like()` function.

use std::cmp::Ordering;

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use unicode_normalization::UnicodeNormalization;

/// A character's weight: its base character, upper-cased when that is one character.
fn weight(c: char) -> char {
    let base = if c.is_ascii() {
        c
    } else {
        c.nfd().next().unwrap_or(c)
    };
    let mut up = base.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => base,
    }
}

pub fn compare(a: &str, b: &str) -> Ordering {
    let a = a.trim_end_matches(' ').chars().map(weight);
    let b = b.trim_end_matches(' ').chars().map(weight);
    a.cmp(b)
}

/// SQL's `text LIKE pattern [ESCAPE escape]` with general_ci's folding: `%` any run, `_` one
/// character.
pub fn like(pattern: &str, text: &str, escape: Option<char>) -> bool {
    // (weight, literal?) per pattern character.
    let mut pat: Vec<(char, bool)> = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            if let Some(next) = chars.next() {
                pat.push((weight(next), true));
            }
            continue;
        }
        pat.push((weight(c), false));
    }
    let text: Vec<char> = text.chars().map(weight).collect();
    // Greedy matching with one backtrack point per `%`: linear in practice.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(('%', false)) => {
                star = Some((p, t));
                p += 1;
            }
            Some(('_', false)) => {
                p += 1;
                t += 1;
            }
            Some((c, _)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|&(c, lit)| c == '%' && !lit)
}

/// Registers `PS_CI` and `like()` on a connection.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_collation("PS_CI", compare)?;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("like", 2, flags, |ctx| {
        let pattern = ctx.get::<Option<String>>(0)?;
        let text = ctx.get::<Option<String>>(1)?;
        Ok(match (pattern, text) {
            (Some(p), Some(t)) => Some(like(&p, &t, None)),
            _ => None,
        })
    })?;
    conn.create_scalar_function("like", 3, flags, |ctx| {
        let pattern = ctx.get::<Option<String>>(0)?;
        let text = ctx.get::<Option<String>>(1)?;
        let escape = ctx.get::<Option<String>>(2)?;
        let escape = escape.and_then(|e| e.chars().next());
        Ok(match (pattern, text) {
            (Some(p), Some(t)) => Some(like(&p, &t, escape)),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_follow_general_ci() {
        assert_eq!(compare("abc", "ABC"), Ordering::Equal);
        assert_eq!(compare("e", "é"), Ordering::Equal);
        assert_eq!(compare("Café", "CAFE"), Ordering::Equal);
        assert_eq!(compare("a", "a "), Ordering::Equal, "trailing spaces pad");
        assert_ne!(
            compare("ss", "ß"),
            Ordering::Equal,
            "one weight per character"
        );
        assert_eq!(compare("B", "a"), Ordering::Greater);
        assert_eq!(compare("demo_1", "DEMO_10"), Ordering::Less);
    }

    #[test]
    fn like_folds_case_and_accents_and_honours_wildcards() {
        assert!(like("%cafe%", "Le Café du coin", None));
        assert!(like("É", "e", None));
        assert!(like("a_c", "abc", None));
        assert!(!like("a\\_c", "abc", Some('\\')));
        assert!(like("a\\_c", "a_c", Some('\\')));
        assert!(!like("a", "a ", None), "LIKE does not pad");
        assert!(like("%", "", None));
        assert!(like("%b%b%", "abcabc", None));
        assert!(!like("%x%", "abc", None));
        assert!(like("100%", "100 percent", None));
    }

    #[test]
    fn sqlite_uses_them_for_equality_order_and_like() {
        let c = Connection::open_in_memory().expect("memory");
        register(&c).expect("register");
        let n: i64 = c
            .query_row(
                "SELECT ('Café' = 'CAFE ' COLLATE PS_CI) + ('Le Café' LIKE '%cafe') \
                 + ('x' LIKE 'X' ESCAPE '!')",
                [],
                |r| r.get(0),
            )
            .expect("query");
        assert_eq!(n, 3);
    }
}
