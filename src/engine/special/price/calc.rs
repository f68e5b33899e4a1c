//! `Product::priceCalculation`, as the webservice calls it (no customer, no cart, no group
//! reduction) and as carts call it (with them, see [`super::cart`]): base price, specific
//! price, currency, combination impact, tax, ecotax, reductions, one rounding at the end.

use rust_decimal::Decimal;

use super::round::ps_round;
use super::specific::SpecificPrice;

/// The caller's options (`price[alias][…]`, defaults already applied).
#[derive(Debug, Clone)]
pub struct Options {
    pub use_tax: bool,
    pub use_reduction: bool,
    pub only_reduction: bool,
    pub with_ecotax: bool,
    pub decimals: i32,
    pub round_mode: i64,
}

/// What the database says about the product in the shop.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// `product_shop.price` and `.ecotax`; `None`: the product is not in the shop.
    pub product: Option<(Decimal, Decimal)>,
    /// The combination's (or, for combination 0, the default combination's) price impact
    /// and ecotax; `None` when there is no such row.
    pub attribute: Option<(Decimal, Decimal)>,
    /// An explicit combination that does not exist in the shop: no price at all.
    pub attribute_missing: bool,
    pub specific: Option<SpecificPrice>,
    /// The requested currency's `conversion_rate` (1 for the default currency).
    pub conversion: Decimal,
    pub currency: i64,
    /// Tax rate of the product's rules group for the address, and of the ecotax group.
    pub tax_rate: Decimal,
    pub ecotax_rate: Decimal,
    /// The product's tax rules group in the shop.
    pub tax_group: i64,
    /// Group reduction as a fraction (`0.1` = 10 %), applied after the specific price's
    /// reduction (step 10); zero when group reductions are not asked for (the webservice's
    /// virtual fields never ask).
    pub group_reduction: Decimal,
}

/// The price, or `None` when the product (or the combination) has no row in the shop, or
/// when the stored figures are too large to compute with (checked arithmetic: absurd data
/// must not bring the request down).
pub fn compute(o: &Options, d: &Data) -> Option<Decimal> {
    if d.attribute_missing {
        return None;
    }
    let (base, ecotax) = d.product?;
    let hundred = Decimal::ONE_HUNDRED;
    let sp = d.specific.as_ref();
    let fixed = sp.filter(|s| s.price >= Decimal::ZERO);
    let with_tax = |p: Decimal, rate: Decimal| {
        p.checked_mul(Decimal::ONE.checked_add(rate.checked_div(hundred)?)?)
    };

    let mut price = fixed.map_or(base, |s| s.price);
    if !fixed.is_some_and(|s| s.id_currency != 0 && s.id_currency == d.currency) {
        price = price.checked_mul(d.conversion)?;
    }
    // A fixed price set on a specific combination already includes its impact.
    if fixed.is_none_or(|s| s.id_product_attribute == 0) {
        if let Some((impact, _)) = d.attribute {
            price = price.checked_add(impact.checked_mul(d.conversion)?)?;
        }
    }
    if o.use_tax {
        price = with_tax(price, d.tax_rate)?;
    }
    if o.with_ecotax && (!ecotax.is_zero() || d.attribute.is_some()) {
        let e = match d.attribute {
            Some((_, a)) if a > Decimal::ZERO => a,
            _ => ecotax,
        }
        .checked_mul(d.conversion)?;
        price = price.checked_add(if o.use_tax {
            with_tax(e, d.ecotax_rate)?
        } else {
            e
        })?;
    }
    let mut reduction = Decimal::ZERO;
    if let Some(s) = sp.filter(|_| o.use_reduction || o.only_reduction) {
        reduction = if s.percentage {
            price.checked_mul(s.reduction)?
        } else {
            let mut r = s.reduction;
            if s.id_currency == 0 {
                r = r.checked_mul(d.conversion)?;
            }
            match (o.use_tax, s.reduction_tax == 1) {
                (false, true) => r.checked_div(with_tax(Decimal::ONE, d.tax_rate)?)?,
                (true, false) => with_tax(r, d.tax_rate)?,
                _ => r,
            }
        };
        if o.use_reduction {
            price = price.checked_sub(reduction)?;
        }
    }
    if !d.group_reduction.is_zero() {
        price = price.checked_sub(price.checked_mul(d.group_reduction)?)?;
    }
    if o.only_reduction {
        return Some(ps_round(reduction, o.decimals, o.round_mode));
    }
    let price = ps_round(price, o.decimals, o.round_mode);
    Some(price.max(Decimal::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn opts() -> Options {
        Options {
            use_tax: true,
            use_reduction: true,
            only_reduction: false,
            with_ecotax: false,
            decimals: 2,
            round_mode: 2,
        }
    }

    fn twenty_percent_off() -> SpecificPrice {
        SpecificPrice {
            id_product: 1,
            price: Decimal::NEGATIVE_ONE,
            from_quantity: 1,
            reduction: d("0.2"),
            reduction_tax: 1,
            percentage: true,
            ..SpecificPrice::default()
        }
    }

    /// Product 1 of the seed: 23.90, FR 20 %, default combination impact 0, 20 % off.
    fn tshirt() -> Data {
        Data {
            product: Some((d("23.9"), Decimal::ZERO)),
            attribute: Some((Decimal::ZERO, Decimal::ZERO)),
            specific: Some(twenty_percent_off()),
            conversion: Decimal::ONE,
            currency: 1,
            tax_rate: d("20"),
            ..Data::default()
        }
    }

    fn at(o: Options, data: &Data) -> String {
        compute(&o, data)
            .map(|p| format!("{p:.6}"))
            .unwrap_or_default()
    }

    #[test]
    fn prestashops_worked_examples() {
        let t = tshirt();
        assert_eq!(at(opts(), &t), "22.940000");
        assert_eq!(
            at(
                Options {
                    use_tax: false,
                    ..opts()
                },
                &t
            ),
            "19.120000"
        );
        assert_eq!(
            at(
                Options {
                    use_reduction: false,
                    ..opts()
                },
                &t
            ),
            "28.680000"
        );
        assert_eq!(
            at(
                Options {
                    only_reduction: true,
                    ..opts()
                },
                &t
            ),
            "5.740000"
        );
        let us = Data {
            tax_rate: Decimal::ZERO,
            ..tshirt()
        };
        assert_eq!(at(opts(), &us), "19.120000");
        assert_eq!(
            at(
                Options {
                    decimals: 4,
                    ..opts()
                },
                &t
            ),
            "22.944000"
        );
        // Product 9 without a specific price; an amount of 5 tax included off it.
        let cushion = Data {
            product: Some((d("18.9"), Decimal::ZERO)),
            specific: None,
            attribute: None,
            ..tshirt()
        };
        assert_eq!(at(opts(), &cushion), "22.680000");
        assert_eq!(
            at(
                Options {
                    use_tax: false,
                    ..opts()
                },
                &cushion
            ),
            "18.900000"
        );
        let amount = SpecificPrice {
            reduction: d("5"),
            percentage: false,
            ..twenty_percent_off()
        };
        let five_off = Data {
            specific: Some(amount),
            ..cushion.clone()
        };
        assert_eq!(at(opts(), &five_off), "17.680000");
        assert_eq!(
            at(
                Options {
                    use_tax: false,
                    ..opts()
                },
                &five_off
            ),
            "14.730000"
        );
    }

    #[test]
    fn group_reduction_comes_after_the_specific_price() {
        // 28.68 − 20 % = 22.944, then 10 % off for the group: 20.6496 → 20.65.
        let t = Data {
            group_reduction: d("0.1"),
            ..tshirt()
        };
        assert_eq!(at(opts(), &t), "20.650000");
        let six = Options {
            decimals: 6,
            use_tax: false,
            ..opts()
        };
        // 19.12 × 0.9 = 17.208.
        assert_eq!(at(six, &t), "17.208000");
    }

    #[test]
    fn fixed_prices_impacts_currency_and_ecotax() {
        // A fixed price replaces the base; the combination impact is still added …
        let fixed = SpecificPrice {
            price: d("10"),
            reduction: Decimal::ZERO,
            ..twenty_percent_off()
        };
        let data = Data {
            attribute: Some((d("2"), Decimal::ZERO)),
            specific: Some(fixed.clone()),
            tax_rate: Decimal::ZERO,
            ..tshirt()
        };
        assert_eq!(at(opts(), &data), "12.000000");
        // … unless the fixed price is the combination's own.
        let own = SpecificPrice {
            id_product_attribute: 3,
            ..fixed.clone()
        };
        let data2 = Data {
            specific: Some(own),
            ..data.clone()
        };
        assert_eq!(at(opts(), &data2), "10.000000");
        // Converted into another currency, unless the fixed price is in that currency.
        let usd = Data {
            conversion: d("1.1"),
            currency: 2,
            ..data.clone()
        };
        assert_eq!(at(opts(), &usd), "13.200000");
        let in_usd = SpecificPrice {
            id_currency: 2,
            ..fixed
        };
        let usd2 = Data {
            specific: Some(in_usd),
            ..usd
        };
        assert_eq!(at(opts(), &usd2), "12.200000");
        // Ecotax is added after tax with its own rate, and never goes below zero.
        let eco = Data {
            product: Some((d("10"), d("1"))),
            attribute: None,
            specific: None,
            tax_rate: d("20"),
            ecotax_rate: d("10"),
            ..tshirt()
        };
        let with_eco = Options {
            with_ecotax: true,
            ..opts()
        };
        assert_eq!(at(with_eco, &eco), "13.100000");
        let huge = SpecificPrice {
            reduction: d("100"),
            percentage: false,
            ..twenty_percent_off()
        };
        assert_eq!(
            at(
                opts(),
                &Data {
                    specific: Some(huge),
                    ..eco
                }
            ),
            "0.000000"
        );
        // Not in the shop: no price.
        assert!(compute(
            &opts(),
            &Data {
                product: None,
                ..tshirt()
            }
        )
        .is_none());
        // Figures too large to compute with: no price, no panic.
        let absurd = Data {
            product: Some((Decimal::MAX, Decimal::ZERO)),
            conversion: Decimal::MAX,
            ..tshirt()
        };
        assert!(compute(&opts(), &absurd).is_none());
    }
}
