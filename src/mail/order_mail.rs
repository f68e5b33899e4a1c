//! An order's e-mail: the variables PrestaShop's order templates use (customer, reference,
//! totals in the order's currency, carrier, tracking), gathered inside the caller's write
//! transaction, rendered in the order's language and queued in the outbox there.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::storage::{Reader, Select, StorageError, StorageResult, Tx, Value};

use super::outbox::{self, NewMail};
use super::smtp::config;
use super::templates;

/// Queues the e-mail `template` (a PrestaShop template name: `order_conf`, `in_transit`,
/// `payment`, …) about order `id_order` to its customer, inside `tx`: the e-mail exists if and
/// only if the caller's change commits, and is sent in the background. `extra` adds or
/// overrides variables (`followup`, `shipping_number`, …). Returns the outbox row's id, or
/// `None` when shopws has no words for `template` (a module's own template: logged, nothing
/// queued). An order or customer that does not load is [`StorageError::NotFound`].
pub fn queue_order_mail(
    tx: &mut dyn Tx,
    id_order: i64,
    template: &str,
    extra: &[(&str, String)],
) -> StorageResult<Option<i64>> {
    if !templates::known(template) {
        tracing::warn!(
            template,
            id_order,
            "no e-mail template of that name: nothing sent"
        );
        return Ok(None);
    }
    let order = one(
        tx,
        "orders",
        &[
            "reference",
            "id_lang",
            "id_customer",
            "id_currency",
            "id_carrier",
            "id_shop",
            "total_paid",
            "total_products_wt",
            "total_shipping",
            "total_discounts",
            "payment",
            "date_add",
        ],
        "id_order",
        id_order,
    )?
    .ok_or(StorageError::NotFound)?;
    let int = |i: usize| order[i].as_i64().unwrap_or(0);
    let customer = one(
        tx,
        "customer",
        &["firstname", "lastname", "email"],
        "id_customer",
        int(2),
    )?
    .ok_or(StorageError::NotFound)?;
    let (id_lang, iso) = language(tx, int(1))?;
    let shop = int(5).max(1);
    let conf = config(
        tx,
        &[
            "PS_SHOP_NAME",
            "PS_MAIL_SUBJECT_PREFIX",
            "BANK_WIRE_OWNER",
            "BANK_WIRE_DETAILS",
            "BANK_WIRE_ADDRESS",
            "CHEQUE_NAME",
            "CHEQUE_ADDRESS",
        ],
        shop,
    )?;
    let setting = |n: &str| {
        conf.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let money = Money::load(tx, int(3), id_lang, &iso)?;
    let shop_name = setting("PS_SHOP_NAME");
    let (carrier, url) = carrier(tx, int(4), &shop_name)?;
    let tracking = first_tracking(tx, id_order)?;
    let followup = if url.is_empty() || tracking.is_empty() {
        String::new()
    } else {
        url.replace('@', &tracking)
    };
    let amount = |i: usize| money.format(&order[i].to_text());
    let mut vars: Vec<(&str, String)> = vec![
        ("firstname", customer[0].to_text()),
        ("lastname", customer[1].to_text()),
        ("email", customer[2].to_text()),
        ("id_order", id_order.to_string()),
        ("order_name", order[0].to_text()),
        ("shop_name", shop_name.clone()),
        ("total_paid", amount(6)),
        ("total_products", amount(7)),
        ("total_shipping", amount(8)),
        ("total_discounts", amount(9)),
        ("payment", order[10].to_text()),
        ("date", order[11].to_text()),
        ("carrier", carrier),
        ("shipping_number", tracking),
        ("followup", followup),
        ("products", products(tx, id_order, &money)?),
        ("bankwire_owner", setting("BANK_WIRE_OWNER")),
        ("bankwire_details", setting("BANK_WIRE_DETAILS")),
        ("bankwire_address", setting("BANK_WIRE_ADDRESS")),
        ("cheque_name", setting("CHEQUE_NAME")),
        ("cheque_address", setting("CHEQUE_ADDRESS")),
    ];
    for (name, value) in extra {
        match vars.iter_mut().find(|(n, _)| n == name) {
            Some(v) => v.1 = value.clone(),
            None => vars.push((name, value.clone())),
        }
    }
    let Some(r) = templates::render(template, &iso, &vars) else {
        return Ok(None);
    };
    // PrestaShop's "[shop name] " before every subject, unless switched off.
    let subject = if setting("PS_MAIL_SUBJECT_PREFIX") == "0" || shop_name.is_empty() {
        r.subject
    } else {
        format!("[{shop_name}] {}", r.subject)
    };
    let name = format!("{} {}", customer[0].to_text(), customer[1].to_text());
    let email = customer[2].to_text();
    let id = outbox::queue(
        tx,
        &NewMail {
            id_order,
            id_shop: shop,
            id_lang,
            template,
            recipient: email.trim(),
            recipient_name: name.trim(),
            subject: &subject,
            text: &r.text,
            html: &r.html,
        },
        outbox::now_ms(),
    )?;
    Ok(Some(id))
}

fn one(
    rd: &mut dyn Reader,
    table: &str,
    columns: &[&str],
    key: &str,
    id: i64,
) -> StorageResult<Option<Vec<Value>>> {
    Ok(rd
        .select(&Select {
            table,
            columns,
            key: vec![(key, Value::Int(id))],
            limit: Some(1),
            ..Default::default()
        })?
        .into_iter()
        .next())
}

/// The order's language when it is installed, else English, else the first language.
pub(super) fn language(rd: &mut dyn Reader, wanted: i64) -> StorageResult<(i64, String)> {
    let langs = rd.select(&Select {
        table: "lang",
        columns: &["id_lang", "iso_code"],
        order: &["id_lang"],
        ..Default::default()
    })?;
    let langs: Vec<(i64, String)> = langs
        .into_iter()
        .map(|r| {
            (
                r[0].as_i64().unwrap_or(0),
                r[1].to_text().to_ascii_lowercase(),
            )
        })
        .collect();
    let found = langs
        .iter()
        .find(|(id, _)| *id == wanted)
        .or_else(|| langs.iter().find(|(_, iso)| iso == "en"))
        .or_else(|| langs.first())
        .cloned();
    Ok(found.unwrap_or((wanted, "en".to_string())))
}

/// The carrier's name (PrestaShop's "0" stands for the shop's name) and tracking URL.
fn carrier(rd: &mut dyn Reader, id: i64, shop_name: &str) -> StorageResult<(String, String)> {
    let row = one(rd, "carrier", &["name", "url"], "id_carrier", id)?;
    Ok(match row {
        Some(r) => {
            let name = r[0].to_text();
            let name = if name == "0" {
                shop_name.to_string()
            } else {
                name
            };
            (name, r[1].to_text().trim().to_string())
        }
        None => (String::new(), String::new()),
    })
}

fn first_tracking(rd: &mut dyn Reader, id_order: i64) -> StorageResult<String> {
    let row = rd
        .select(&Select {
            table: "order_carrier",
            columns: &["tracking_number"],
            key: vec![("id_order", Value::Int(id_order))],
            order: &["id_order_carrier"],
            limit: Some(1),
            ..Default::default()
        })?
        .into_iter()
        .next();
    Ok(row
        .map(|r| r[0].to_text().trim().to_string())
        .unwrap_or_default())
}

/// One line per ordered product: quantity, name, line total.
fn products(rd: &mut dyn Reader, id_order: i64, money: &Money) -> StorageResult<String> {
    let rows = rd.select(&Select {
        table: "order_detail",
        columns: &["product_name", "product_quantity", "total_price_tax_incl"],
        key: vec![("id_order", Value::Int(id_order))],
        order: &["id_order_detail"],
        ..Default::default()
    })?;
    Ok(rows
        .iter()
        .map(|r| {
            format!(
                "{} x {}: {}",
                r[1].to_text(),
                r[0].to_text(),
                money.format(&r[2].to_text())
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Amounts as the customer reads them: rounded half up to the currency's precision, with its
/// symbol where the language puts it (`€12.50` in English, `12,50 €` in French).
pub struct Money {
    symbol: String,
    precision: i32,
    iso: String,
}

impl Money {
    fn load(
        rd: &mut dyn Reader,
        id_currency: i64,
        id_lang: i64,
        iso: &str,
    ) -> StorageResult<Money> {
        let cur = one(
            rd,
            "currency",
            &["iso_code", "precision"],
            "id_currency",
            id_currency,
        )?;
        let symbol = rd
            .select(&Select {
                table: "currency_lang",
                columns: &["symbol"],
                key: vec![
                    ("id_currency", Value::Int(id_currency)),
                    ("id_lang", Value::Int(id_lang)),
                ],
                ..Default::default()
            })?
            .into_iter()
            .next()
            .map(|r| r[0].to_text())
            .filter(|s| !s.trim().is_empty());
        let code = cur.as_ref().map(|c| c[0].to_text()).unwrap_or_default();
        Ok(Money {
            symbol: symbol.unwrap_or(code),
            precision: cur
                .as_ref()
                .and_then(|c| c[1].as_i64())
                .map(|p| p.clamp(0, 6) as i32)
                .unwrap_or(2),
            iso: iso.to_string(),
        })
    }

    pub fn new(symbol: &str, precision: i32, iso: &str) -> Money {
        Money {
            symbol: symbol.to_string(),
            precision,
            iso: iso.to_string(),
        }
    }

    /// `amount` (a stored decimal) as text; text that is not a number is shown as it is.
    pub fn format(&self, amount: &str) -> String {
        let Ok(v) = Decimal::from_str(amount.trim()) else {
            return amount.to_string();
        };
        // Display rounding, half up, as PrestaShop's number formatter does whatever
        // PS_PRICE_ROUND_MODE says (that mode applies to computing prices, not to showing them).
        let v = v.round_dp_with_strategy(
            self.precision.max(0) as u32,
            RoundingStrategy::MidpointAwayFromZero,
        );
        let digits = format!("{:.*}", self.precision.max(0) as usize, v.abs());
        let sign = if v.is_sign_negative() && !v.is_zero() {
            "-"
        } else {
            ""
        };
        if self.iso == "fr" {
            format!("{sign}{}\u{a0}{}", digits.replace('.', ","), self.symbol)
        } else {
            format!("{sign}{}{digits}", self.symbol)
        }
    }
}
