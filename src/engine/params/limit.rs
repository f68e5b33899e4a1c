//! `limit=N` or `limit=offset,N` (protocol §1.9), strict: garbage and negatives are errors.

use crate::engine::error::{ApiError, ApiResult};

fn err() -> ApiError {
    ApiError::bad_request(
        39,
        "The \"limit\" value has to be formed as this example: \"5,25\" or \"10\"",
    )
}

pub fn parse(raw: Option<&str>) -> ApiResult<Option<(u64, u64)>> {
    let Some(raw) = raw else { return Ok(None) };
    let parts: Vec<&str> = raw.split(',').collect();
    let num = |s: &str| s.trim().parse::<u64>().map_err(|_| err());
    match parts.as_slice() {
        [n] => Ok(Some((0, num(n)?))),
        [o, n] => Ok(Some((num(o)?, num(n)?))),
        _ => Err(err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse(Some("5")), Ok(Some((0, 5))));
        assert_eq!(parse(Some("10,5")), Ok(Some((10, 5))));
        assert!(parse(Some("1,2,3")).is_err());
        assert!(parse(Some("-1")).is_err());
        assert!(parse(Some("abc")).is_err());
        assert_eq!(parse(None), Ok(None));
    }
}
