//! Property tests of the parameter parsers: whatever a client sends, parsing ends without a
//! panic, in time proportional to the input, and what it accepts names only catalog fields.

use proptest::prelude::*;

use super::query::{Param, Params};
use super::{display, filter, language, limit, sort, Display};
use crate::catalog::{Catalog, Resource};
use crate::engine::error::ApiError;
use crate::storage::Op;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(500)
}

fn catalog() -> &'static Catalog {
    Catalog::embedded().expect("embedded catalog")
}

fn resource(i: usize) -> &'static Resource {
    let c = catalog();
    let n = c.resources().count();
    c.resources().nth(i % n).expect("resource")
}

/// Every error code of a refusal, which must all be in `allowed`.
fn codes_within(e: &ApiError, allowed: &[u32]) -> bool {
    e.status == 400
        && !e.errors.is_empty()
        && e.errors
            .iter()
            .all(|x| x.code.is_some_and(|c| allowed.contains(&c)))
}

/// Pieces clients (and attackers) put in query strings.
const QUERY_TOKENS: &[&str] = &[
    "[",
    "]",
    "[]",
    "&",
    "=",
    "%",
    "%25",
    "%5B",
    "%5D",
    "%26",
    "%3D",
    "%00",
    "%FF",
    "%C3%A9",
    "%",
    "+",
    ".",
    " ",
    "|",
    ",",
    ">",
    "<",
    "!",
    "_",
    "-",
    "filter",
    "display",
    "sort",
    "limit",
    "language",
    "id",
    "name",
    "full",
    "ASC",
    "DESC",
    "0",
    "1",
    "5",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999999999",
    "é",
    "\u{FFFD}",
    "\u{0}",
];

fn query_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(QUERY_TOKENS), 0..48).prop_map(|t| t.concat())
}

/// `name[seg][seg]…=value` pairs, the shape `$_GET` nesting is made of.
fn bracket_query() -> impl Strategy<Value = String> {
    let base = prop::sample::select(
        &[
            "a", "filter", "display", "x.y", "x y", "", "sort", "language", "[", "a]",
        ][..],
    );
    let seg = prop::sample::select(
        &[
            "",
            "0",
            "1",
            "7",
            "18446744073709551615",
            "18446744073709551614",
            "9223372036854775807",
            "-1",
            "01",
            "+1",
            "b",
            "name",
            "id",
            "[",
            "x]y",
            ".",
            " ",
        ][..],
    );
    let name = (base, prop::collection::vec(seg, 0..24)).prop_map(|(b, segs)| {
        let mut s = b.to_string();
        for x in segs {
            s.push('[');
            s.push_str(x);
            s.push(']');
        }
        s
    });
    let value = prop::sample::select(&["", "1", "[1|5]", ">[5]", "%[a]%", "x", "%00"][..]);
    let pair = (name, prop::option::of(value)).prop_map(|(n, v)| match v {
        Some(v) => format!("{n}={v}"),
        None => n,
    });
    prop::collection::vec(pair, 0..24).prop_map(|p| p.join("&"))
}

fn depth(p: &Param) -> usize {
    match p {
        Param::Str(_) => 0,
        Param::Map(m) => 1 + m.iter().map(|(_, v)| depth(v)).max().unwrap_or(0),
    }
}

fn leaves(p: &Param) -> usize {
    match p {
        Param::Str(_) => 1,
        Param::Map(m) => m.iter().map(|(_, v)| leaves(v)).sum(),
    }
}

fn unique_keys(m: &[(String, Param)]) -> bool {
    m.iter().enumerate().all(|(i, (k, v))| {
        !m[..i].iter().any(|(o, _)| o == k) && v.as_map().is_none_or(unique_keys)
    })
}

fn check_params(p: &Params) -> Result<(), TestCaseError> {
    let top: Vec<(String, Param)> = p.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    prop_assert!(unique_keys(&top), "duplicate keys in {top:?}");
    let mut total = 0;
    for (k, v) in &top {
        prop_assert!(!k.is_empty());
        prop_assert!(!k.contains('.') && !k.contains(' '), "{k:?}");
        prop_assert!(depth(v) <= 16, "nested {} levels", depth(v));
        total += leaves(v);
    }
    prop_assert!(total <= 1000);
    Ok(())
}

/// Every parser of a list request, on whatever the query holds, for resource `r`.
fn run_all(p: &Params, r: &Resource) -> Result<(), TestCaseError> {
    for dates in [false, true] {
        match filter::parse(p.get("filter"), r, dates) {
            Ok(conds) => {
                let sent = p
                    .get("filter")
                    .and_then(Param::as_map)
                    .map_or(0, <[_]>::len);
                prop_assert!(conds.len() <= sent);
            }
            Err(e) => prop_assert!(codes_within(&e, &[31, 32, 33, 34]), "{e}"),
        }
        if let Err(e) = sort::parse(p.get_str("sort"), r, dates) {
            prop_assert!(codes_within(&e, &[37, 38]), "{e}");
        }
    }
    if let Err(e) = limit::parse(p.get_str("limit")) {
        prop_assert!(codes_within(&e, &[39]), "{e}");
    }
    match display::parse(p.get_str("display"), r, &[]) {
        Ok(Some(d)) => check_display(&d, r, &[])?,
        Ok(None) => {}
        Err(e) => prop_assert!(codes_within(&e, &[35, 36]), "{e}"),
    }
    match language::parse(p.get_str("language"), &[1, 2, 12], &[1]) {
        Ok(ids) => check_languages(&ids, &[1, 2, 12])?,
        Err(e) => prop_assert!(codes_within(&e, &[78, 79, 80, 81]), "{e}"),
    }
    Ok(())
}

fn check_display(d: &Display, r: &Resource, virtuals: &[String]) -> Result<(), TestCaseError> {
    let Display::Partial {
        fields,
        assocs,
        virtuals: chosen,
    } = d
    else {
        return Ok(());
    };
    prop_assert!(fields.windows(2).all(|w| w[0] < w[1]), "{fields:?}");
    for &i in fields {
        let f = r.fields.get(i);
        prop_assert!(f.is_some_and(|f| !f.hidden && !f.not_output), "field {i}");
    }
    prop_assert!(assocs.windows(2).all(|w| w[0].0 < w[1].0), "{assocs:?}");
    for (i, subs) in assocs {
        let a = r.associations.get(*i);
        prop_assert!(a.is_some(), "association {i}");
        let a = a.expect("checked");
        for s in subs {
            prop_assert!(s == "id" || a.fields.iter().any(|f| f.name == *s), "{s}");
        }
    }
    for v in chosen {
        prop_assert!(virtuals.contains(v), "{v}");
    }
    Ok(())
}

fn check_languages(ids: &[i64], installed: &[i64]) -> Result<(), TestCaseError> {
    prop_assert!(!ids.is_empty());
    for (i, id) in ids.iter().enumerate() {
        prop_assert!(installed.contains(id), "{id} is not installed");
        prop_assert!(!ids[..i].contains(id), "{id} twice");
    }
    Ok(())
}

/// A `display` value built from the resource's own names, junk and brackets.
fn display_value(r: &'static Resource) -> impl Strategy<Value = String> {
    let mut names: Vec<String> = r.fields.iter().map(|f| f.name.clone()).collect();
    for a in &r.associations {
        names.push(format!("{}[id]", a.name));
        let subs: Vec<&str> = a.fields.iter().map(|f| f.name.as_str()).collect();
        names.push(format!("{}[{}]", a.name, subs.join(",")));
        names.push(format!("{}[", a.name));
        names.push(format!("{}[nope]", a.name));
    }
    names.extend(
        [
            "", " ", "[", "]", "[[", "]]", ",", "nope", "price", "id", "a[b[c]]", "full",
        ]
        .map(String::from),
    );
    (
        prop::collection::vec(prop::sample::select(names), 0..12),
        any::<bool>(),
    )
        .prop_map(|(parts, wrap)| {
            let inner = parts.join(",");
            if wrap {
                format!("[{inner}]")
            } else {
                inner
            }
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_query_string_parses(raw in any::<String>()) {
        check_params(&Params::parse(&raw))?;
    }

    #[test]
    fn any_percent_encoded_bytes_parse(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let raw: String = bytes.iter().map(|b| format!("%{b:02X}")).collect();
        check_params(&Params::parse(&raw))?;
        let raw = format!("filter[name]={raw}&display={raw}&language={raw}");
        let p = Params::parse(&raw);
        check_params(&p)?;
        run_all(&p, resource(0))?;
    }

    #[test]
    fn query_soup_parses_and_every_parser_answers(raw in query_soup(), r in 0usize..200) {
        let p = Params::parse(&raw);
        check_params(&p)?;
        run_all(&p, resource(r))?;
    }

    #[test]
    fn nested_brackets_parse_and_every_parser_answers(raw in bracket_query(), r in 0usize..200) {
        let p = Params::parse(&raw);
        check_params(&p)?;
        run_all(&p, resource(r))?;
    }

    #[test]
    fn filter_values_follow_the_grammar(v in query_soup()) {
        match filter::value_op(&v) {
            Some(Op::In(list)) | Some(Op::NotIn(list)) => prop_assert!(!list.is_empty()),
            Some(Op::Between(lo, hi)) => {
                prop_assert!(!lo.is_empty() && !hi.is_empty());
                prop_assert!(v.starts_with('[') && v.ends_with(']') && v.contains(','));
            }
            Some(Op::Gt(_)) => prop_assert!(v.starts_with(">[")),
            Some(Op::Lt(_)) => prop_assert!(v.starts_with("<[")),
            Some(Op::Like(s)) => prop_assert!(s.starts_with('%') || s.ends_with('%')),
            None => prop_assert!(v.contains(']')),
        }
    }

    #[test]
    fn filters_on_real_fields(
        r in 0usize..200,
        picks in prop::collection::vec((any::<prop::sample::Index>(), query_soup()), 0..6),
    ) {
        let r = resource(r);
        let raw: Vec<String> = picks
            .iter()
            .map(|(i, v)| {
                let name = match r.fields.len() {
                    0 => "id",
                    n => r.fields[i.index(n)].name.as_str(),
                };
                format!("filter[{name}]={}", v.replace('&', "%26"))
            })
            .collect();
        let p = Params::parse(&raw.join("&"));
        run_all(&p, r)?;
    }

    #[test]
    fn limits_are_numbers_or_error_39(raw in query_soup()) {
        match limit::parse(Some(&raw)) {
            Ok(Some((offset, count))) => {
                let parts: Vec<&str> = raw.split(',').collect();
                let want: Vec<u64> = parts.iter().map(|s| s.trim().parse().unwrap_or(u64::MAX)).collect();
                match want.as_slice() {
                    [n] => prop_assert_eq!((0, *n), (offset, count)),
                    [o, n] => prop_assert_eq!((*o, *n), (offset, count)),
                    _ => prop_assert!(false, "{raw:?} accepted"),
                }
            }
            Ok(None) => prop_assert!(false, "a given limit is never None"),
            Err(e) => prop_assert!(codes_within(&e, &[39])),
        }
    }

    #[test]
    fn every_u64_limit_is_kept_and_anything_bigger_refused(
        o in any::<u64>(), n in any::<u64>(), big in (u64::MAX as u128 + 1)..=u128::MAX,
        pad in prop::sample::select(&["", " ", "  "][..]),
    ) {
        prop_assert_eq!(limit::parse(Some(&format!("{pad}{o}{pad},{pad}{n}"))), Ok(Some((o, n))));
        prop_assert_eq!(limit::parse(Some(&n.to_string())), Ok(Some((0, n))));
        let refused = [big.to_string(), format!("{o},{big}"), format!("-{n}"), format!("{o},{n},{o}")];
        for raw in refused {
            let parsed = limit::parse(Some(&raw));
            prop_assert!(parsed.is_err(), "{} gave {:?}", raw, parsed);
        }
    }

    #[test]
    fn sort_names_only_catalog_fields(raw in query_soup(), r in 0usize..200, dates in any::<bool>()) {
        let r = resource(r);
        for raw in [raw.clone(), format!("{raw}_ASC"), format!("[id_DESC,{raw}]")] {
            match sort::parse(Some(&raw), r, dates) {
                Ok(order) => {
                    let inner = raw.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(&raw);
                    prop_assert_eq!(order.len(), inner.split(',').count());
                }
                Err(e) => prop_assert!(codes_within(&e, &[37, 38]), "{e}"),
            }
        }
    }

    #[test]
    fn display_names_only_catalog_fields(
        (r, raw) in (0usize..200).prop_flat_map(|i| (Just(resource(i)), display_value(resource(i)))),
    ) {
        let virtuals = vec!["price".to_string()];
        match display::parse(Some(&raw), r, &virtuals) {
            Ok(Some(d)) => check_display(&d, r, &virtuals)?,
            Ok(None) => prop_assert!(false, "a given display is never None"),
            Err(e) => prop_assert!(codes_within(&e, &[35, 36]), "{raw}: {e}"),
        }
    }

    #[test]
    fn language_ranges_of_any_size_answer_at_once(a in any::<i64>(), b in any::<i64>()) {
        let installed = [1, 2, 12, -3];
        let raw = format!("[{a},{b}]");
        let (lo, hi) = (a.min(b), a.max(b));
        let mut want: Vec<i64> = installed.iter().copied().filter(|i| (lo..=hi).contains(i)).collect();
        want.sort_unstable();
        match language::parse(Some(&raw), &installed, &[1]) {
            Ok(ids) => prop_assert_eq!(ids, want),
            Err(e) => {
                prop_assert!(want.is_empty(), "{raw}: {e}");
                prop_assert!(codes_within(&e, &[81]));
            }
        }
    }

    #[test]
    fn language_lists_name_installed_languages(raw in query_soup(), ids in prop::collection::vec(any::<i64>(), 0..6)) {
        let installed = [1, 2, 12];
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join("|");
        for raw in [raw.clone(), format!("[{raw}]"), format!("[{list}]")] {
            match language::parse(Some(&raw), &installed, &[1]) {
                Ok(ids) => check_languages(&ids, &installed)?,
                Err(e) => prop_assert!(codes_within(&e, &[78, 79, 80, 81]), "{raw}: {e}"),
            }
        }
    }
}

/// `tests/corpus/queries.txt`, against every resource.
#[test]
fn corpus_queries_answer() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/queries.txt");
    let text = std::fs::read_to_string(path).expect("corpus");
    let mut n = 0;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let p = Params::parse(line);
        check_params(&p).unwrap_or_else(|e| panic!("{line}: {e}"));
        for r in catalog().resources() {
            run_all(&p, r).unwrap_or_else(|e| panic!("{line} on {}: {e}", r.api));
        }
        n += 1;
    }
    assert!(n >= 20, "{n} queries");
}
