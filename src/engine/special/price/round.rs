//! `Tools::ps_round`: PrestaShop's rounding modes (`PS_PRICE_ROUND_MODE`), in decimal
//! arithmetic so that `1.005` rounds to `1.01` in half-up mode as PHP's pre-rounding gives.

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds `v` to `decimals` places with PrestaShop's mode: 0 up (ceil), 1 down (floor),
/// 2 half up, 3 half down, 4 half even, 5 half odd; anything else is half up. Negative
/// places round to tens, hundreds… as PHP's `round` does.
pub fn ps_round(v: Decimal, decimals: i32, mode: i64) -> Decimal {
    if decimals < 0 {
        let scale = Decimal::from(10i64.pow(decimals.unsigned_abs().min(18)));
        let rounded = round_places(v / scale, 0, mode);
        return rounded.checked_mul(scale).unwrap_or(v);
    }
    round_places(v, decimals.min(28) as u32, mode)
}

fn round_places(v: Decimal, decimals: u32, mode: i64) -> Decimal {
    let strategy = match mode {
        0 => RoundingStrategy::ToPositiveInfinity,
        1 => RoundingStrategy::ToNegativeInfinity,
        3 => RoundingStrategy::MidpointTowardZero,
        4 => RoundingStrategy::MidpointNearestEven,
        5 => return half_odd(v, decimals),
        _ => RoundingStrategy::MidpointAwayFromZero,
    };
    v.round_dp_with_strategy(decimals, strategy)
}

/// Half odd has no counterpart in the decimal crate: at an exact midpoint, keep the
/// neighbour whose last digit is odd.
fn half_odd(v: Decimal, decimals: u32) -> Decimal {
    let down = v.round_dp_with_strategy(decimals, RoundingStrategy::ToZero);
    let up = v.round_dp_with_strategy(decimals, RoundingStrategy::AwayFromZero);
    if down == up || (v - down).abs() != (up - v).abs() {
        return v.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    }
    let last_digit_odd = |d: Decimal| (d.mantissa() % 2) != 0;
    if last_digit_odd(down.round_dp(decimals)) {
        down
    } else {
        up
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn every_mode_on_midpoints_and_between() {
        // (value, decimals, [mode 0..=5])
        let cases = [
            ("1.005", 2, ["1.01", "1.00", "1.01", "1.00", "1.00", "1.01"]),
            ("1.015", 2, ["1.02", "1.01", "1.02", "1.01", "1.02", "1.01"]),
            (
                "-1.005",
                2,
                ["-1.00", "-1.01", "-1.01", "-1.00", "-1.00", "-1.01"],
            ),
            (
                "22.944",
                2,
                ["22.95", "22.94", "22.94", "22.94", "22.94", "22.94"],
            ),
            ("5.736", 2, ["5.74", "5.73", "5.74", "5.74", "5.74", "5.74"]),
            ("22.94", -1, ["30", "20", "20", "20", "20", "20"]),
        ];
        for (v, dp, want) in cases {
            for (mode, w) in want.iter().enumerate() {
                assert_eq!(
                    ps_round(d(v), dp, mode as i64),
                    d(w),
                    "{v} to {dp} places, mode {mode}"
                );
            }
        }
    }
}
