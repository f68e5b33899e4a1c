//! Cart rules on a cart (`CartRule::checkValidity`, `CartRuleCalculator`): which rules hold,
//! then their effects in priority order on what remains of each line — percentages, amounts
//! (split across lines in proportion), a gift product, free shipping (business rules §2.2.2).

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::engine::{ApiResult, Ctx};
use crate::storage::{Reader, Select, Value};

use super::context::Scope;
use super::lines::Line;
use super::rule_data::{self, Rule};
use super::{dec, int};

/// A rule applied to the cart and what it takes off.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub rule: Rule,
    pub value_te: Decimal,
    pub value_ti: Decimal,
}

/// What validity depends on besides the rule: the chosen carrier (reference), the totals
/// before discounts, the shipping of the chosen carrier.
pub struct Facts {
    pub carrier_reference: i64,
    pub products_te: Decimal,
    pub products_ti: Decimal,
    pub shipping_te: Decimal,
    pub shipping_ti: Decimal,
}

/// The rules valid for the cart, compatible with one another, in the order they apply.
pub fn valid(
    rd: &mut dyn Reader,
    ctx: &Ctx,
    sc: &Scope,
    lines: &[Line],
    facts: &Facts,
) -> ApiResult<Vec<(Rule, Option<HashSet<usize>>)>> {
    if ctx.info.setting_i64("PS_CART_RULE_FEATURE_ACTIVE", 0) == 0 || lines.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<(Rule, Option<HashSet<usize>>)> = Vec::new();
    for rule in rule_data::candidates(rd, sc.cart.id, sc.cart.lang)? {
        let Some(eligible) = holds(rd, sc, lines, facts, &rule)? else {
            continue;
        };
        let mut fits = true;
        for (other, _) in &out {
            if (rule.cart_rule_restriction || other.cart_rule_restriction)
                && !rule_data::combinable(rd, rule.id, other.id)?
            {
                fits = false;
                break;
            }
        }
        if fits {
            out.push((rule, eligible));
        }
    }
    Ok(out)
}

const ZERO_DATE: &str = "0000-00-00 00:00:00";

/// `None` when the rule does not hold; else the lines its product restriction selects
/// (`None` inside: no product restriction).
fn holds(
    rd: &mut dyn Reader,
    sc: &Scope,
    lines: &[Line],
    facts: &Facts,
    rule: &Rule,
) -> ApiResult<Option<Option<HashSet<usize>>>> {
    let now = sc.now.as_str();
    let date_ok = (rule.date_from == ZERO_DATE || rule.date_from.as_str() <= now)
        && (rule.date_to == ZERO_DATE || now <= rule.date_to.as_str());
    if rule.quantity <= 0 || !date_ok {
        return Ok(None);
    }
    if rule.customer != 0 && rule.customer != sc.cart.customer {
        return Ok(None);
    }
    // Uses per customer are counted for a cart with a customer only, as PrestaShop does.
    if sc.cart.customer > 0
        && rule_data::uses(rd, rule.id, sc.cart.customer)? + 1 > rule.quantity_per_user
    {
        return Ok(None);
    }
    if rule.country_restriction {
        let countries = rule_data::linked(rd, "cart_rule_country", "id_country", rule.id)?;
        if !sc.delivery_valid || !countries.contains(&sc.delivery.country) {
            return Ok(None);
        }
    }
    if rule.carrier_restriction {
        let carriers = rule_data::linked(rd, "cart_rule_carrier", "id_carrier", rule.id)?;
        if !carriers.contains(&facts.carrier_reference) {
            return Ok(None);
        }
    }
    if rule.group_restriction {
        let groups = rule_data::linked(rd, "cart_rule_group", "id_group", rule.id)?;
        if !sc.groups.iter().any(|g| groups.contains(g)) {
            return Ok(None);
        }
    }
    if rule.shop_restriction {
        let shops = rule_data::linked(rd, "cart_rule_shop", "id_shop", rule.id)?;
        if !shops.contains(&sc.cart.shop) {
            return Ok(None);
        }
    }
    if rule.minimum_amount > Decimal::ZERO {
        let (products, shipping) = if rule.minimum_amount_tax {
            (facts.products_ti, facts.shipping_ti)
        } else {
            (facts.products_te, facts.shipping_te)
        };
        let total = if rule.minimum_amount_shipping {
            products + shipping
        } else {
            products
        };
        let rate = conversion(rd, rule.minimum_amount_currency)?;
        let minimum = rule.minimum_amount / rate * sc.conversion;
        if total < minimum {
            return Ok(None);
        }
    }
    if !rule.product_restriction {
        return Ok(Some(None));
    }
    let groups = rule_data::product_groups(rd, rule.id)?;
    let mut eligible: Option<HashSet<usize>> = None;
    for (needed, rules) in groups {
        let mut matching = HashSet::new();
        for (i, line) in lines.iter().enumerate() {
            let mut all = true;
            for (kind, items) in &rules {
                if !matches(rd, line, kind, items)? {
                    all = false;
                    break;
                }
            }
            if all {
                matching.insert(i);
            }
        }
        let count: i64 = matching.iter().map(|i| lines[*i].quantity).sum();
        if count < needed.max(1) {
            return Ok(None);
        }
        eligible = Some(match eligible {
            Some(e) => e.intersection(&matching).copied().collect(),
            None => matching,
        });
    }
    Ok(Some(eligible))
}

/// Whether a line matches one product rule of a rule group.
fn matches(rd: &mut dyn Reader, line: &Line, kind: &str, items: &[i64]) -> ApiResult<bool> {
    Ok(match kind {
        "products" => items.contains(&line.id_product),
        "attributes" => line.attribute_ids.iter().any(|a| items.contains(a)),
        "manufacturers" => items.contains(&line.id_manufacturer),
        "suppliers" => items.contains(&line.id_supplier),
        "categories" => rd
            .select(&Select {
                table: "category_product",
                columns: &["id_category"],
                key: vec![("id_product", Value::Int(line.id_product))],
                ..Default::default()
            })?
            .iter()
            .any(|r| items.contains(&int(&r[0]))),
        _ => false,
    })
}

/// A currency's conversion rate (1 for 0, unknown or not positive).
pub fn conversion(rd: &mut dyn Reader, currency: i64) -> ApiResult<Decimal> {
    if currency <= 0 {
        return Ok(Decimal::ONE);
    }
    Ok(rd
        .select(&Select {
            table: "currency",
            columns: &["conversion_rate"],
            key: vec![("id_currency", Value::Int(currency))],
            ..Default::default()
        })?
        .first()
        .map(|r| dec(&r[0]))
        .filter(|r| *r > Decimal::ZERO)
        .unwrap_or(Decimal::ONE))
}

/// The effects of the valid rules, in order, on what remains of each line (free shipping
/// is settled by the caller once the shipping is known: its value here is zero).
pub fn apply(
    rd: &mut dyn Reader,
    sc: &Scope,
    lines: &[Line],
    rules: Vec<(Rule, Option<HashSet<usize>>)>,
) -> ApiResult<Vec<Applied>> {
    let hundred = Decimal::ONE_HUNDRED;
    let mut left: Vec<(Decimal, Decimal)> =
        lines.iter().map(|l| (l.total_te, l.total_ti)).collect();
    let mut out = Vec::new();
    for (rule, eligible) in rules {
        let (mut te, mut ti) = (Decimal::ZERO, Decimal::ZERO);
        let special = |l: &Line| {
            l.specific
                .as_ref()
                .is_some_and(|s| s.reduction > Decimal::ZERO)
        };
        let targets: Vec<usize> = (0..lines.len())
            .filter(|i| !lines[*i].gift)
            .filter(|i| !(rule.reduction_exclude_special && special(&lines[*i])))
            .filter(|i| match rule.reduction_product {
                0 | -1 => true,
                -2 => eligible.as_ref().is_none_or(|e| e.contains(i)),
                p => lines[*i].id_product == p,
            })
            .collect();
        if rule.reduction_percent > Decimal::ZERO {
            let pct = rule.reduction_percent.min(hundred) / hundred;
            if rule.reduction_product == -1 {
                let cheapest = targets
                    .iter()
                    .min_by(|a, b| lines[**a].unit_ti.cmp(&lines[**b].unit_ti));
                if let Some(&i) = cheapest {
                    let d_te = (lines[i].unit_te * pct).min(left[i].0);
                    let d_ti = (lines[i].unit_ti * pct).min(left[i].1);
                    left[i].0 -= d_te;
                    left[i].1 -= d_ti;
                    te += d_te;
                    ti += d_ti;
                }
            } else {
                for &i in &targets {
                    let (d_te, d_ti) = (left[i].0 * pct, left[i].1 * pct);
                    left[i].0 -= d_te;
                    left[i].1 -= d_ti;
                    te += d_te;
                    ti += d_ti;
                }
            }
        }
        if rule.reduction_amount > Decimal::ZERO {
            let rate = conversion(rd, rule.reduction_currency)?;
            let amount = rule.reduction_amount / rate * sc.conversion;
            let base_te: Decimal = targets.iter().map(|i| left[*i].0).sum();
            let base_ti: Decimal = targets.iter().map(|i| left[*i].1).sum();
            let base = if rule.reduction_tax { base_ti } else { base_te };
            if base > Decimal::ZERO {
                // Capped at what is left, split across the lines in proportion.
                let share = amount.min(base) / base;
                for &i in &targets {
                    let (d_te, d_ti) = (left[i].0 * share, left[i].1 * share);
                    left[i].0 -= d_te;
                    left[i].1 -= d_ti;
                    te += d_te;
                    ti += d_ti;
                }
            }
        }
        if rule.gift_product > 0 {
            let gift = lines.iter().position(|l| {
                l.gift
                    && l.id_product == rule.gift_product
                    && l.id_product_attribute == rule.gift_product_attribute
            });
            if let Some(i) = gift {
                te += left[i].0;
                ti += left[i].1;
                left[i] = (Decimal::ZERO, Decimal::ZERO);
            }
        }
        let round = |v: Decimal| {
            crate::engine::special::price::round::ps_round(v, sc.precision as i32, sc.round_mode)
        };
        out.push(Applied {
            rule,
            value_te: round(te),
            value_ti: round(ti),
        });
    }
    Ok(out)
}
