//! `SpecificPrice::getSpecificPrice`: the one specific price that applies to a request,
//! among the rows of the product and the catalogue-wide ones.

use rust_decimal::Decimal;

/// One `specific_price` row. Id columns at 0 mean "any".
#[derive(Debug, Clone, Default)]
pub struct SpecificPrice {
    pub id: i64,
    pub id_specific_price_rule: i64,
    pub id_cart: i64,
    pub id_product: i64,
    pub id_product_attribute: i64,
    pub id_shop: i64,
    pub id_currency: i64,
    pub id_country: i64,
    pub id_group: i64,
    pub id_customer: i64,
    /// A fixed price replacing the base price; negative (-1): keep the base price.
    pub price: Decimal,
    pub from_quantity: i64,
    pub reduction: Decimal,
    /// 1: an amount reduction is tax included.
    pub reduction_tax: i64,
    /// `amount` or `percentage` (a fraction: 0.2 = 20 %).
    pub percentage: bool,
    /// `YYYY-MM-DD HH:MM:SS`; the zero date means no bound.
    pub from: String,
    pub to: String,
}

/// What the price is asked for.
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    pub product: i64,
    pub attribute: i64,
    pub shop: i64,
    pub currency: i64,
    pub country: i64,
    pub group: i64,
    pub customer: i64,
    pub cart: i64,
    pub quantity: i64,
    /// The current time truncated to the minute, as stored dates are written.
    pub now: &'a str,
    /// The priority list after `id_customer`: the product's own, else
    /// `PS_SPECIFIC_PRICE_PRIORITIES` (seed `id_group;id_currency;id_country;id_shop`).
    pub priorities: &'a str,
}

const ZERO_DATE: &str = "0000-00-00 00:00:00";

fn any_or(v: i64, wanted: i64) -> bool {
    v == 0 || v == wanted
}

fn candidate(sp: &SpecificPrice, w: &Wanted) -> bool {
    let open = |d: &str| d.is_empty() || d == ZERO_DATE;
    any_or(sp.id_shop, w.shop)
        && any_or(sp.id_currency, w.currency)
        && any_or(sp.id_country, w.country)
        && any_or(sp.id_group, w.group)
        && any_or(sp.id_product, w.product)
        && any_or(sp.id_product_attribute, w.attribute)
        && any_or(sp.id_customer, w.customer)
        && any_or(sp.id_cart, w.cart)
        && (open(&sp.from) || w.now >= sp.from.as_str())
        && (open(&sp.to) || w.now <= sp.to.as_str())
        && (if sp.from_quantity > 1 {
            sp.from_quantity
        } else {
            0
        }) <= w.quantity
}

/// Σ 2^(k+1) over the fields equal to the request's value, k being the field's index in
/// the reversed list `id_customer;PRIORITIES` (seed weights: customer 32, group 16,
/// currency 8, country 4, shop 2).
fn score(sp: &SpecificPrice, w: &Wanted) -> i64 {
    let list: Vec<&str> = std::iter::once("id_customer")
        .chain(w.priorities.split(';').map(str::trim))
        .filter(|f| !f.is_empty())
        .collect();
    list.iter()
        .rev()
        .enumerate()
        .map(|(k, field)| {
            let equal = match *field {
                "id_customer" => sp.id_customer == w.customer,
                "id_group" => sp.id_group == w.group,
                "id_currency" => sp.id_currency == w.currency,
                "id_country" => sp.id_country == w.country,
                "id_shop" => sp.id_shop == w.shop,
                _ => false,
            };
            if equal && k < 60 {
                1i64 << (k + 1)
            } else {
                0
            }
        })
        .sum()
}

/// The row PrestaShop picks: `ORDER BY id_product_attribute DESC, id_cart DESC,
/// from_quantity DESC, id_specific_price_rule ASC, score DESC, to DESC, from DESC`.
pub fn best<'s>(rows: &'s [SpecificPrice], w: &Wanted) -> Option<&'s SpecificPrice> {
    rows.iter()
        .filter(|sp| candidate(sp, w))
        .map(|sp| (sp, score(sp, w)))
        .min_by(|(a, sa), (b, sb)| {
            b.id_product_attribute
                .cmp(&a.id_product_attribute)
                .then(b.id_cart.cmp(&a.id_cart))
                .then(b.from_quantity.cmp(&a.from_quantity))
                .then(a.id_specific_price_rule.cmp(&b.id_specific_price_rule))
                .then(sb.cmp(sa))
                .then(b.to.cmp(&a.to))
                .then(b.from.cmp(&a.from))
        })
        .map(|(sp, _)| sp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted() -> Wanted<'static> {
        Wanted {
            product: 1,
            attribute: 0,
            shop: 1,
            currency: 1,
            country: 8,
            group: 3,
            customer: 0,
            cart: 0,
            quantity: 1,
            now: "2026-06-01 12:00:00",
            priorities: "id_group;id_currency;id_country;id_shop",
        }
    }

    fn sp(f: impl FnOnce(&mut SpecificPrice)) -> SpecificPrice {
        let mut s = SpecificPrice {
            id_product: 1,
            price: Decimal::NEGATIVE_ONE,
            from_quantity: 1,
            from: ZERO_DATE.into(),
            to: ZERO_DATE.into(),
            ..SpecificPrice::default()
        };
        f(&mut s);
        s
    }

    #[test]
    fn priorities_windows_tiers_and_combinations() {
        let w = wanted();
        // A group-specific row beats a country-specific one (16 > 4) …
        let rows = [sp(|s| s.id_country = 8), sp(|s| s.id_group = 3)];
        assert_eq!(best(&rows, &w).map(|s| s.id_group), Some(3));
        // … and a customer-specific row beats both, for that customer only.
        let mut rows = rows.to_vec();
        rows.push(sp(|s| s.id_customer = 7));
        assert_eq!(best(&rows, &w).map(|s| s.id_customer), Some(0));
        let w7 = Wanted {
            customer: 7,
            ..wanted()
        };
        assert_eq!(best(&rows, &w7).map(|s| s.id_customer), Some(7));
        // Outside its window a row does not apply.
        let rows = [sp(|s| s.to = "2026-01-01 00:00:00".into())];
        assert!(best(&rows, &w).is_none());
        // Quantity tiers: the highest tier not above the quantity.
        let rows = [sp(|s| s.from_quantity = 1), sp(|s| s.from_quantity = 10)];
        assert_eq!(best(&rows, &w).map(|s| s.from_quantity), Some(1));
        let w10 = Wanted {
            quantity: 12,
            ..wanted()
        };
        assert_eq!(best(&rows, &w10).map(|s| s.from_quantity), Some(10));
        // A combination's own row beats the product-wide one, before any score.
        let rows = [sp(|s| s.id_group = 3), sp(|s| s.id_product_attribute = 4)];
        let w4 = Wanted {
            attribute: 4,
            ..wanted()
        };
        assert_eq!(best(&rows, &w4).map(|s| s.id_product_attribute), Some(4));
        // Another product's row never applies.
        assert!(best(&[sp(|s| s.id_product = 2)], &w).is_none());
    }
}
