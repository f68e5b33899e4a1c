//! `TaxRulesTaxManager::getTaxCalculator`: which rules of a tax rules group apply to an
//! address (country, state, postcode), and the rate they add up to.

use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub struct TaxRule {
    pub id_state: i64,
    pub zipcode_from: String,
    pub zipcode_to: String,
    /// 0 this tax only, 1 combine (rates added), 2 one after another (compounded).
    pub behavior: i64,
    /// The rate of the rule's tax, in percent (deleted or inactive taxes still count, as in
    /// PrestaShop).
    pub rate: Decimal,
    pub id_tax: i64,
}

/// The rules that apply, in the order their taxes are counted, for the rules of one group and
/// country, given the address's state and postcode ("0" when there is none); and how they
/// add up: the first rule's behaviour (2: one after another).
pub fn applied<'r>(rules: &'r [TaxRule], state: i64, zipcode: &str) -> (Vec<&'r TaxRule>, i64) {
    let zero = |z: &str| z.is_empty() || z == "0";
    // Postcodes compare as strings, as MySQL's BETWEEN on varchar does.
    let mut rows: Vec<&TaxRule> = rules
        .iter()
        .filter(|r| r.id_state == 0 || r.id_state == state)
        .filter(|r| {
            (r.zipcode_from.as_str() <= zipcode && zipcode <= r.zipcode_to.as_str())
                || (zero(&r.zipcode_to) && (zero(&r.zipcode_from) || r.zipcode_from == zipcode))
        })
        .collect();
    rows.sort_by(|a, b| {
        b.zipcode_from
            .cmp(&a.zipcode_from)
            .then(b.zipcode_to.cmp(&a.zipcode_to))
            .then(b.id_state.cmp(&a.id_state))
    });
    let Some(first) = rows.first() else {
        return (Vec::new(), 0);
    };
    let behavior = first.behavior;
    let mut out = Vec::new();
    for r in rows {
        out.push(r);
        if r.behavior == 0 {
            break;
        }
    }
    (out, behavior)
}

/// The total rate in percent for the rules of one group and country, given the address's
/// state and postcode ("0" when there is none).
pub fn total_rate(rules: &[TaxRule], state: i64, zipcode: &str) -> Decimal {
    let (rows, behavior) = applied(rules, state, zipcode);
    if rows.is_empty() {
        return Decimal::ZERO;
    }
    let rates: Vec<Decimal> = rows.iter().map(|r| r.rate.abs()).collect();
    let hundred = Decimal::ONE_HUNDRED;
    if behavior == 2 {
        let factor = rates
            .iter()
            .fold(Decimal::ONE, |f, r| f * (Decimal::ONE + r / hundred));
        (factor - Decimal::ONE) * hundred
    } else {
        rates.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(state: i64, from: &str, to: &str, behavior: i64, rate: i64) -> TaxRule {
        TaxRule {
            id_state: state,
            zipcode_from: from.into(),
            zipcode_to: to.into(),
            behavior,
            rate: Decimal::from(rate),
            id_tax: 0,
        }
    }

    #[test]
    fn the_most_specific_rule_wins_and_behaviours_combine() {
        let country = [rule(0, "0", "0", 0, 20)];
        assert_eq!(total_rate(&country, 0, "0"), Decimal::from(20));
        // A state rule that stops (behavior 0) is more specific than the country rule.
        let state = [rule(0, "0", "0", 0, 20), rule(5, "0", "0", 0, 7)];
        assert_eq!(total_rate(&state, 5, "0"), Decimal::from(7));
        assert_eq!(total_rate(&state, 6, "0"), Decimal::from(20));
        // Combined: 5 % + 10 %; one after another: 1.05 × 1.10 − 1 = 15.5 %.
        let combine = [rule(5, "0", "0", 1, 5), rule(0, "0", "0", 0, 10)];
        assert_eq!(total_rate(&combine, 5, "0"), Decimal::from(15));
        let compound = [rule(5, "0", "0", 2, 5), rule(0, "0", "0", 0, 10)];
        assert_eq!(total_rate(&compound, 5, "0"), Decimal::new(155, 1));
        // Postcode ranges compare as strings.
        let zip = [rule(0, "0", "0", 0, 20), rule(0, "75000", "75999", 0, 10)];
        assert_eq!(total_rate(&zip, 0, "75011"), Decimal::from(10));
        assert_eq!(total_rate(&zip, 0, "8"), Decimal::from(20));
        assert_eq!(total_rate(&[], 0, "0"), Decimal::ZERO);
    }
}
