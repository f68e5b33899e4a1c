//! PrestaShop's field validators (`Validate::is*`), as applied by the webservice.
//!
//! When a resource is written through the webservice, PrestaShop's
//! `ObjectModel::validateField()` calls the `Validate::<rule>()` named in the field definition,
//! but only for PHP-non-empty values (neither `""` nor `"0"`). This module reproduces those 64
//! rules on the raw string received over HTTP, plus `Tools::strlen()` which the `size` checks
//! (and a few rules) use.
//!
//! This file holds the entry point ([`check`] and its dispatch table, where the simplest rules
//! are written inline), [`ps_strlen`] and the regex helpers; the rules themselves live in one
//! file per family: `numbers`, `dates`, `names`, `codes`, `urls`, `email`, `isbn`, `html`
//! (`isCleanHtml` and the entity decoding of `Tools::strlen()`) and `json`.
//!
//! Fidelity notes, shared by every rule:
//!
//! * PHP regexes **without** the `u` flag work on bytes: they are compiled here as
//!   [`regex::bytes::Regex`] in `(?-u)` mode, so a UTF-8 character is a run of bytes `>= 0x80`
//!   (matched by negated classes such as `[^<>]`, never by ASCII classes, `\s` or `\w`), and
//!   `(?i)` only folds ASCII letters, as PCRE does.
//! * PHP regexes **with** the `u` flag work on characters; the input is a Rust `&str`, hence
//!   always valid UTF-8, so PCRE's "invalid UTF-8 never matches" rule cannot trigger.
//! * In PCRE, a `$` (without the `D` modifier) matches at the very end **or before a final
//!   `"\n"`**. Every such `$` is written `\n?\z` in the patterns of this module, which accepts
//!   exactly the same strings.
//! * The `regex` crate has no look-around: the two rules whose patterns need it
//!   (`isCustomerName`, `isIsbn`) are split into look-around-free pieces combined in code.

mod codes;
mod dates;
mod email;
mod html;
mod isbn;
mod json;
mod names;
mod numbers;
mod urls;

use regex::bytes::Regex as BytesRegex;
use regex::Regex;

use codes::{
    APE, COLOR, CONFIG_NAME, DNI_LITE, EAN13, GTIN, IMAGE_SIZE, IMAGE_TYPE_NAME, LANGUAGE_CODE,
    LANGUAGE_ISO_CODE, LINK_REWRITE, LOCALE, MD5, MODULE_NAME, NUMERIC_ISO_CODE, PHONE_NUMBER,
    POST_CODE, PRODUCT_VISIBILITY, SHA1, STATE_ISO_CODE, TRACKING_NUMBER, UPC, ZIP_CODE_FORMAT,
};
use dates::{is_birth_date, is_date, DATE, PHP_DATE_FORMAT};
use email::is_email;
use html::{entity_len, is_clean_html};
use isbn::is_isbn;
use json::is_json;
use names::{
    is_customer_name, is_theme_name, ADDRESS, CATALOG_NAME, CITY_NAME, GENERIC_NAME,
    MESSAGE_FORBIDDEN, NAME, REFERENCE,
};
use numbers::{
    is_php_int, is_price_display_method, php_float, unsigned_int, BOOL, COORDINATE, IP2LONG,
    NEGATIVE_PRICE, PRICE,
};
use urls::{ABSOLUTE_URL, URL};

/// Outcome of checking one value against one PrestaShop validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The value passes the rule.
    Valid,
    /// The value fails the rule (PrestaShop answers "Property Class->field is not valid").
    Invalid,
    /// The rule name is not one of the validators this module knows.
    UnknownRule,
}

impl From<bool> for Check {
    fn from(valid: bool) -> Self {
        if valid {
            Check::Valid
        } else {
            Check::Invalid
        }
    }
}

/// Checks `value` against the PrestaShop validator called `rule`.
///
/// `rule` is the validator name as written in a field definition (`"isUnsignedId"`,
/// `"IsGenericName"`, ...). PHP method names are case-insensitive, so the name is matched
/// ASCII-case-insensitively. `value` is the raw string received over HTTP. The webservice only
/// calls validators for PHP-non-empty values, but every rule also answers exactly as PHP would
/// for `""` and `"0"`.
pub fn check(rule: &str, value: &str) -> Check {
    let valid = match rule.to_ascii_lowercase().as_str() {
        "isabsoluteurl" => php_empty(value) || bytes_match(&ABSOLUTE_URL, value),
        "isaddress" => php_empty(value) || ADDRESS.is_match(value),
        "isape" => bytes_match(&APE, value),
        "isbirthdate" => is_birth_date(value),
        "isbool" => bytes_match(&BOOL, value),
        "iscarriername" => php_empty(value) || CATALOG_NAME.is_match(value),
        "iscatalogname" => CATALOG_NAME.is_match(value),
        "iscityname" => CITY_NAME.is_match(value),
        "iscleanhtml" => is_clean_html(value),
        "iscolor" => bytes_match(&COLOR, value),
        "isconfigname" => bytes_match(&CONFIG_NAME, value),
        "iscoordinate" => bytes_match(&COORDINATE, value),
        "iscustomername" => is_customer_name(value),
        "isdate" => is_date(value),
        // Same language as isDate's pattern, without the calendar check.
        "isdateformat" => bytes_match(&DATE, value),
        "isdateornull" => value == "0000-00-00 00:00:00" || value == "0000-00-00" || is_date(value),
        "isdnilite" => php_empty(value) || bytes_match(&DNI_LITE, value),
        "isean13" => php_empty(value) || bytes_match(&EAN13, value),
        "isemail" => is_email(value),
        "isfloat" => php_float(value).is_some(),
        "isgenericname" => php_empty(value) || GENERIC_NAME.is_match(value),
        "isgtin" => php_empty(value) || bytes_match(&GTIN, value),
        "ishashedpassword" => matches!(ps_strlen(value), 32 | 60),
        "isimagesize" => bytes_match(&IMAGE_SIZE, value),
        "isimagetypename" => bytes_match(&IMAGE_TYPE_NAME, value),
        "isint" => is_php_int(value),
        "isip2long" => bytes_match(&IP2LONG, value),
        "isisbn" => is_isbn(value),
        "isjson" => is_json(value),
        "islanguagecode" => bytes_match(&LANGUAGE_CODE, value),
        "islanguageisocode" => bytes_match(&LANGUAGE_ISO_CODE, value),
        // PS_ALLOW_ACCENTED_CHARS_URL = 0 (default install): the ASCII pattern.
        "islinkrewrite" => bytes_match(&LINK_REWRITE, value),
        "islocale" => bytes_match(&LOCALE, value),
        "ismd5" => bytes_match(&MD5, value),
        "ismessage" => !bytes_match(&MESSAGE_FORBIDDEN, value),
        "ismodulename" | "istplname" => bytes_match(&MODULE_NAME, value),
        "ismpn" => ps_strlen(value) <= 40,
        "isname" => NAME.is_match(value),
        "isnegativeprice" => bytes_match(&NEGATIVE_PRICE, value),
        // A PHP null cannot come over HTTP: only the isUnsignedInt half applies.
        "isnullorunsignedid" => unsigned_int(value).is_some(),
        "isnumericisocode" => bytes_match(&NUMERIC_ISO_CODE, value),
        "ispercentage" => php_float(value).is_some_and(|f| (0.0..=100.0).contains(&f)),
        "isphonenumber" => bytes_match(&PHONE_NUMBER, value),
        "isphpdateformat" => bytes_match(&PHP_DATE_FORMAT, value),
        "ispositiveint" => unsigned_int(value).is_some_and(|n| n > 0),
        "ispostcode" => php_empty(value) || bytes_match(&POST_CODE, value),
        "isprice" => bytes_match(&PRICE, value),
        "ispricedisplaymethod" => is_price_display_method(value),
        "isproductvisibility" => bytes_match(&PRODUCT_VISIBILITY, value),
        "isreductiontype" => value == "amount" || value == "percentage",
        "isreference" => REFERENCE.is_match(value),
        "issha1" => bytes_match(&SHA1, value),
        "isstateisocode" => bytes_match(&STATE_ISO_CODE, value),
        // Loose in_array() against non-numeric strings is plain string equality.
        "isstockmanagement" => matches!(value, "WA" | "FIFO" | "LIFO"),
        // Every value decoded from an XML or JSON body is a PHP string.
        "isstring" => true,
        "isthemename" => is_theme_name(value),
        "istrackingnumber" => bytes_match(&TRACKING_NUMBER, value),
        "isunsignedfloat" => php_float(value).is_some_and(|f| f >= 0.0),
        "isunsignedid" | "isunsignedint" => unsigned_int(value).is_some(),
        "isupc" => php_empty(value) || bytes_match(&UPC, value),
        "isurl" => URL.is_match(value),
        "iszipcodeformat" => php_empty(value) || bytes_match(&ZIP_CODE_FORMAT, value),
        _ => return Check::UnknownRule,
    };
    Check::from(valid)
}

/// `Tools::strlen()`: `mb_strlen(html_entity_decode($v, ENT_COMPAT, 'UTF-8'))`, i.e. the number
/// of characters once HTML entities are decoded (`&amp;`, `&#233;` and `&eacute;` count 1).
///
/// Decoding follows PHP's `html_entity_decode` with `ENT_COMPAT` and the default HTML 4.01
/// document type: the 252 HTML 4.01 named entities (case-sensitive, `;` required), decimal and
/// hexadecimal character references to code points HTML 4.01 allows, but not references to the
/// single quote (`&#39;`), which `ENT_COMPAT` leaves encoded (`&apos;` is not HTML 4.01 either).
/// Anything that does not decode counts character by character.
pub fn ps_strlen(value: &str) -> usize {
    let mut count = 0;
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        // Entities are pure ASCII, so skipping `len` bytes stays on a char boundary.
        let len = if c == '&' { entity_len(rest) } else { None };
        rest = &rest[len.unwrap_or(c.len_utf8())..];
        count += 1;
    }
    count
}

// ---------------------------------------------------------------------------------------------
// Regex helpers
// ---------------------------------------------------------------------------------------------

/// Compiles a byte-level pattern (a PHP pattern without the `u` flag) written in this module.
///
/// The patterns are string literals exercised by the unit tests, so compiling them cannot fail
/// for any input at run time: a broken literal would fail the tests of its rule.
#[allow(clippy::expect_used)] // literal pattern, see above
fn byte_regex(pattern: &str) -> BytesRegex {
    BytesRegex::new(&format!("(?-u){pattern}")).expect("literal validator pattern must compile")
}

/// Compiles a character-level pattern (a PHP pattern with the `u` flag) written in this module.
///
/// Same reasoning as [`byte_regex`]: only literals from this module are compiled.
#[allow(clippy::expect_used)] // literal pattern, see above
fn unicode_regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("literal validator pattern must compile")
}

fn bytes_match(re: &BytesRegex, value: &str) -> bool {
    re.is_match(value.as_bytes())
}

/// PHP `empty()` on a string: `""` and `"0"`.
fn php_empty(value: &str) -> bool {
    value.is_empty() || value == "0"
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn valid(rule: &str, value: &str) {
        assert_eq!(
            check(rule, value),
            Check::Valid,
            "{rule}({value:?}) should be valid"
        );
    }

    pub(super) fn invalid(rule: &str, value: &str) {
        assert_eq!(
            check(rule, value),
            Check::Invalid,
            "{rule}({value:?}) should be invalid"
        );
    }

    /// The 64 rules of the catalog.
    #[rustfmt::skip] // keep the list compact
    const RULES: &[&str] = &[
        "isAbsoluteUrl", "isAddress", "isApe", "isBirthDate", "isBool", "isCarrierName",
        "isCatalogName", "isCityName", "isCleanHtml", "isColor", "isConfigName", "isCoordinate",
        "isCustomerName", "isDate", "isDateFormat", "isDateOrNull", "isDniLite", "isEan13",
        "isEmail", "isFloat", "isGenericName", "isGtin", "isHashedPassword", "isImageSize",
        "isImageTypeName", "isInt", "isIp2Long", "isIsbn", "isJson", "isLanguageCode",
        "isLanguageIsoCode", "isLinkRewrite", "isLocale", "isMd5", "isMessage", "isModuleName",
        "isMpn", "isName", "isNegativePrice", "isNullOrUnsignedId", "isNumericIsoCode",
        "isPercentage", "isPhoneNumber", "isPhpDateFormat", "isPositiveInt", "isPostCode",
        "isPrice", "isPriceDisplayMethod", "isProductVisibility", "isReductionType", "isReference",
        "isSha1", "isStateIsoCode", "isStockManagement", "isString", "isThemeName", "isTplName",
        "isTrackingNumber", "isUnsignedFloat", "isUnsignedId", "isUnsignedInt", "isUpc", "isUrl",
        "isZipCodeFormat",
    ];

    #[test]
    fn every_catalog_rule_is_known_and_its_patterns_compile() {
        assert_eq!(RULES.len(), 64);
        for rule in RULES {
            for value in ["", "0", "x", "Hello World", "é<>\n", "2020-01-01"] {
                assert_ne!(check(rule, value), Check::UnknownRule, "{rule}");
            }
        }
    }

    #[test]
    fn rule_names_are_case_insensitive_and_unknown_rules_reported() {
        valid("IsGenericName", "Hello");
        invalid("IsGenericName", "a<b");
        valid("ISUNSIGNEDID", "12");
        valid("isunsignedid", "12");
        assert_eq!(check("isNothing", "x"), Check::UnknownRule);
        assert_eq!(check("", "x"), Check::UnknownRule);
        assert_eq!(check("isAnything", "x"), Check::UnknownRule);
    }

    #[test]
    fn pcre_dollar_accepts_one_final_newline() {
        valid("isBool", "1\n");
        invalid("isBool", "1\n\n");
        invalid("isBool", "\n1");
        valid("isDate", "2023-01-31\n");
        valid("isMd5", "0123456789abcdef0123456789ABCDEF\n");
    }

    #[test]
    fn is_hashed_password() {
        valid("isHashedPassword", &"a".repeat(32));
        valid(
            "isHashedPassword",
            "$2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        );
        invalid("isHashedPassword", "secret");
        invalid("isHashedPassword", &"a".repeat(33));
        // Entities are decoded before counting: 31 letters + "&amp;" = 32 characters.
        valid("isHashedPassword", &format!("{}&amp;", "a".repeat(31)));
    }

    #[test]
    fn is_mpn() {
        valid("isMpn", &"A".repeat(40));
        valid("isMpn", &"é".repeat(40));
        valid("isMpn", &"&amp;".repeat(40));
        valid("isMpn", "");
        invalid("isMpn", &"A".repeat(41));
    }

    #[test]
    fn is_reduction_type() {
        valid("isReductionType", "amount");
        valid("isReductionType", "percentage");
        invalid("isReductionType", "Amount");
        invalid("isReductionType", "percent");
    }

    #[test]
    fn is_stock_management() {
        valid("isStockManagement", "WA");
        valid("isStockManagement", "FIFO");
        valid("isStockManagement", "LIFO");
        invalid("isStockManagement", "fifo");
        invalid("isStockManagement", "FEFO");
    }

    #[test]
    fn is_string() {
        valid("isString", "anything <at> all");
        valid("isString", "");
    }

    #[test]
    fn ps_strlen_counts_characters_after_entity_decoding() {
        assert_eq!(ps_strlen(""), 0);
        assert_eq!(ps_strlen("abc"), 3);
        assert_eq!(ps_strlen("été"), 3);
        assert_eq!(ps_strlen("日本"), 2);
        assert_eq!(ps_strlen("&amp;"), 1);
        assert_eq!(ps_strlen("a&amp;b"), 3);
        assert_eq!(ps_strlen("&#233;"), 1);
        assert_eq!(ps_strlen("&#xE9;&#XE9;"), 2);
        assert_eq!(ps_strlen("&eacute;"), 1);
        assert_eq!(ps_strlen("&lt;p&gt;"), 3);
        assert_eq!(ps_strlen("&quot;"), 1);
        assert_eq!(ps_strlen("&nbsp;&euro;&hellip;&Omega;"), 4);
        assert_eq!(ps_strlen("&amp;amp;"), 5);
    }

    #[test]
    fn ps_strlen_leaves_undecodable_entities_alone() {
        assert_eq!(ps_strlen("&"), 1);
        assert_eq!(ps_strlen("&amp"), 4);
        assert_eq!(ps_strlen("& amp;"), 6);
        assert_eq!(ps_strlen("&AMP;"), 5);
        assert_eq!(ps_strlen("&apos;"), 6);
        assert_eq!(ps_strlen("&#39;"), 5);
        assert_eq!(ps_strlen("&#x27;"), 6);
        assert_eq!(ps_strlen("&#0;"), 4);
        assert_eq!(ps_strlen("&#1;"), 4);
        assert_eq!(ps_strlen("&#x110000;"), 10);
        assert_eq!(ps_strlen("&#99999999999999999999;"), 23);
        assert_eq!(ps_strlen("&#;"), 3);
        assert_eq!(ps_strlen("&#x;"), 4);
        assert_eq!(ps_strlen("&#12a;"), 6);
        assert_eq!(ps_strlen("&unknown;"), 9);
        assert_eq!(ps_strlen("&&amp;"), 2);
        assert_eq!(ps_strlen("&é;"), 3);
    }
}
