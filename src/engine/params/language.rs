//! `language=N | [N|M] | [A,B]` (protocol §1.12), with PrestaShop's bugs fixed: all digits of
//! `[12]` count, and a non-numeric first element is reported.

use crate::engine::error::{ApiError, ApiResult};

fn wrong() -> ApiError {
    ApiError::bad_request(79, "language value is wrong").and(400, 81, "language is not available")
}

/// `installed`: ids of all installed languages; `active`: the default selection.
pub fn parse(raw: Option<&str>, installed: &[i64], active: &[i64]) -> ApiResult<Vec<i64>> {
    let Some(raw) = raw else {
        return Ok(active.to_vec());
    };
    let wanted: Vec<i64> = if let Ok(n) = raw.parse::<i64>() {
        vec![n]
    } else if let Some(inner) = raw.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let has_pipe = inner.contains('|');
        let has_comma = inner.contains(',');
        if has_pipe && has_comma {
            Vec::new()
        } else if has_comma {
            let bounds: Vec<&str> = inner.split(',').collect();
            if bounds.len() != 2 {
                return Err(ApiError::bad_request(
                    78,
                    "A range value for a language must contains only 2 values",
                ));
            }
            let a = bounds[0].trim().parse::<i64>();
            let b = bounds[1].trim().parse::<i64>();
            match (a, b) {
                // The installed ids inside the range, ascending: the range itself is never
                // built, so `[1,9223372036854775807]` costs no more than `[1,2]`.
                (Ok(a), Ok(b)) => {
                    let range = a.min(b)..=a.max(b);
                    let mut ids: Vec<i64> = installed
                        .iter()
                        .copied()
                        .filter(|id| range.contains(id))
                        .collect();
                    ids.sort_unstable();
                    ids
                }
                _ => return Err(ApiError::bad_request(80, "Language ID must be numeric")),
            }
        } else {
            let mut out = Vec::new();
            for p in inner.split('|') {
                match p.trim().parse::<i64>() {
                    Ok(n) => out.push(n),
                    Err(_) => return Err(ApiError::bad_request(80, "Language ID must be numeric")),
                }
            }
            out
        }
    } else {
        return Err(wrong());
    };
    let mut out: Vec<i64> = Vec::new();
    for id in wanted {
        if installed.contains(&id) && !out.contains(&id) {
            out.push(id);
        }
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(81, "language is not available"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let inst = [1, 2, 12];
        assert_eq!(parse(None, &inst, &[1, 2]), Ok(vec![1, 2]));
        assert_eq!(parse(Some("2"), &inst, &[1]), Ok(vec![2]));
        assert_eq!(parse(Some("[12]"), &inst, &[1]), Ok(vec![12]));
        assert_eq!(parse(Some("[1|2]"), &inst, &[1]), Ok(vec![1, 2]));
        assert_eq!(parse(Some("[1,2]"), &inst, &[1]), Ok(vec![1, 2]));
        assert_eq!(
            parse(Some("fr"), &inst, &[1]).map_err(|e| e.errors[0].code),
            Err(Some(79))
        );
        assert_eq!(
            parse(Some("[a|1]"), &inst, &[1]).map_err(|e| e.errors[0].code),
            Err(Some(80))
        );
        assert_eq!(
            parse(Some("[1,2,3]"), &inst, &[1]).map_err(|e| e.errors[0].code),
            Err(Some(78))
        );
        assert_eq!(
            parse(Some("9"), &inst, &[1]).map_err(|e| e.errors[0].code),
            Err(Some(81))
        );
    }

    #[test]
    fn a_huge_range_costs_no_more_than_a_small_one() {
        let inst = [12, 1, 2];
        assert_eq!(
            parse(
                Some("[9223372036854775807,-9223372036854775808]"),
                &inst,
                &[1]
            ),
            Ok(vec![1, 2, 12])
        );
        assert_eq!(parse(Some("[2,99999999999]"), &inst, &[1]), Ok(vec![2, 12]));
        assert_eq!(
            parse(Some("[13,99999999999]"), &inst, &[1]).map_err(|e| e.errors[0].code),
            Err(Some(81))
        );
    }
}
