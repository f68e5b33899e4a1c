//! Rules on codes and identifiers, all plain ASCII patterns: product codes (`isEan13`,
//! `isGtin`, `isUpc`, `isApe`, `isDniLite`), language, locale, country-state and numeric ISO
//! codes, postal codes and their formats, phone and tracking numbers, hashes (`isMd5`,
//! `isSha1`), colors, configuration, module, image-type names and sizes, link rewrites and
//! `isProductVisibility`.

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;

use super::byte_regex;

/// isApe (ApeCode::PATTERN): `/^[0-9]{1,2}?\.?[0-9]{1,2}[a-zA-Z]{1}$/s`
pub(super) static APE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"(?s)^[0-9]{1,2}?\.?[0-9]{1,2}[a-zA-Z]\n?\z"));
/// isColor: `/^(#[0-9a-fA-F]{6}|[a-zA-Z0-9-]*)$/`
pub(super) static COLOR: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^(?:#[0-9a-fA-F]{6}|[a-zA-Z0-9-]*)\n?\z"));
/// isConfigName: `/^[a-zA-Z_0-9-]+$/`
pub(super) static CONFIG_NAME: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-zA-Z_0-9-]+\n?\z"));
/// isDniLite: `/^[0-9A-Za-z-.]{1,16}$/U` (ungreedy does not change what matches)
pub(super) static DNI_LITE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[0-9A-Za-z.-]{1,16}\n?\z"));
/// isEan13: `/^[0-9]{0,13}$/`
pub(super) static EAN13: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^[0-9]{0,13}\n?\z"));
/// isGtin (Gtin::VALID_PATTERN): `/^[0-9]{0,14}$/`
pub(super) static GTIN: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^[0-9]{0,14}\n?\z"));
/// isImageSize: `/^[0-9]{1,4}$/`
pub(super) static IMAGE_SIZE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[0-9]{1,4}\n?\z"));
/// isImageTypeName: `/^[a-zA-Z0-9_ -]+$/`
pub(super) static IMAGE_TYPE_NAME: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-zA-Z0-9_ -]+\n?\z"));
/// isLanguageCode: `/^[a-zA-Z]{2}(-[a-zA-Z]{2})?$/`
pub(super) static LANGUAGE_CODE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-zA-Z]{2}(?:-[a-zA-Z]{2})?\n?\z"));
/// isLanguageIsoCode: `/^[a-zA-Z]{2,3}$/`
pub(super) static LANGUAGE_ISO_CODE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-zA-Z]{2,3}\n?\z"));
/// isLinkRewrite without accented characters: `/^[_a-zA-Z0-9\-]+$/`
pub(super) static LINK_REWRITE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[_a-zA-Z0-9-]+\n?\z"));
/// isLocale: `/^[a-z]{2}-[A-Z]{2}$/`
pub(super) static LOCALE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-z]{2}-[A-Z]{2}\n?\z"));
/// isMd5: `/^[a-f0-9A-F]{32}$/`
pub(super) static MD5: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-f0-9A-F]{32}\n?\z"));
/// isModuleName and isTplName: `/^[a-zA-Z0-9_-]+$/`
pub(super) static MODULE_NAME: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-zA-Z0-9_-]+\n?\z"));
/// isNumericIsoCode (NumericIsoCode::PATTERN): `/^[0-9]{3}$/`
pub(super) static NUMERIC_ISO_CODE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[0-9]{3}\n?\z"));
/// isPhoneNumber: `/^[+0-9. ()\/-]*$/`
pub(super) static PHONE_NUMBER: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[+0-9. ()/-]*\n?\z"));
/// isPostCode: `/^[a-zA-Z 0-9-]+$/`
pub(super) static POST_CODE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-zA-Z 0-9-]+\n?\z"));
/// isProductVisibility: `/^both|catalog|search|none$/i`. The anchors bind to the first and
/// last alternatives only, so this accepts anything starting with "both", containing "catalog"
/// or "search", or ending with "none" — reproduced on purpose.
pub(super) static PRODUCT_VISIBILITY: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"(?i)^both|catalog|search|none\n?\z"));
/// isSha1: `/^[a-fA-F0-9]{40}$/`
pub(super) static SHA1: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-fA-F0-9]{40}\n?\z"));
/// isStateIsoCode: `/^[a-zA-Z0-9]{1,4}((-)[a-zA-Z0-9]{1,4})?$/`
pub(super) static STATE_ISO_CODE: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[a-zA-Z0-9]{1,4}(?:-[a-zA-Z0-9]{1,4})?\n?\z"));
/// isTrackingNumber: `/^[~:#,%&_=\(\)\[\]\.\? \+\-@\/a-zA-Z0-9]+$/`
pub(super) static TRACKING_NUMBER: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[~:#,%&_=()\[\].? +\-@/a-zA-Z0-9]+\n?\z"));
/// isUpc: `/^[0-9]{0,12}$/`
pub(super) static UPC: LazyLock<BytesRegex> = LazyLock::new(|| byte_regex(r"^[0-9]{0,12}\n?\z"));
/// isZipCodeFormat: `/^[NLCnlc 0-9-]+$/`
pub(super) static ZIP_CODE_FORMAT: LazyLock<BytesRegex> =
    LazyLock::new(|| byte_regex(r"^[NLCnlc 0-9-]+\n?\z"));

#[cfg(test)]
mod tests {
    use super::super::tests::{invalid, valid};

    #[test]
    fn is_ape() {
        valid("isApe", "6201Z");
        valid("isApe", "62.01Z");
        valid("isApe", "1.1a");
        invalid("isApe", "6201");
        invalid("isApe", "1Z");
        invalid("isApe", "62011Z");
        invalid("isApe", "");
    }

    #[test]
    fn is_color() {
        valid("isColor", "#FF00aa");
        valid("isColor", "red");
        valid("isColor", "dark-blue2");
        valid("isColor", "");
        invalid("isColor", "#FF00A");
        invalid("isColor", "#GG0000");
        invalid("isColor", "rgb(0,0,0)");
        invalid("isColor", "light blue");
    }

    #[test]
    fn is_config_name() {
        valid("isConfigName", "PS_SHOP_NAME");
        valid("isConfigName", "my-key_2");
        invalid("isConfigName", "PS SHOP");
        invalid("isConfigName", "PS.SHOP");
        invalid("isConfigName", "");
    }

    #[test]
    fn is_dni_lite() {
        valid("isDniLite", "12345678Z");
        valid("isDniLite", "X-1234.5");
        valid("isDniLite", "");
        invalid("isDniLite", "12345678901234567");
        invalid("isDniLite", "1234 5678");
        invalid("isDniLite", "ABC_1");
    }

    #[test]
    fn is_ean13_gtin_upc() {
        valid("isEan13", "4006381333931");
        valid("isEan13", "123");
        valid("isEan13", "");
        invalid("isEan13", "40063813339312");
        invalid("isEan13", "400638133393A");
        valid("isGtin", "40063813339312");
        valid("isGtin", "0");
        invalid("isGtin", "400638133393123");
        invalid("isGtin", "12-34");
        valid("isUpc", "036000291452");
        valid("isUpc", "");
        invalid("isUpc", "0360002914523");
        invalid("isUpc", "03600029145X");
    }

    #[test]
    fn is_image_size_and_type_name() {
        valid("isImageSize", "800");
        valid("isImageSize", "9999");
        invalid("isImageSize", "10000");
        invalid("isImageSize", "-1");
        invalid("isImageSize", "");
        valid("isImageTypeName", "home_default");
        valid("isImageTypeName", "large default-2");
        invalid("isImageTypeName", "home.default");
        invalid("isImageTypeName", "");
    }

    #[test]
    fn is_language_codes_and_locale() {
        valid("isLanguageCode", "en");
        valid("isLanguageCode", "en-us");
        invalid("isLanguageCode", "eng");
        invalid("isLanguageCode", "en_US");
        valid("isLanguageIsoCode", "fr");
        valid("isLanguageIsoCode", "FRA");
        invalid("isLanguageIsoCode", "f");
        invalid("isLanguageIsoCode", "fr1");
        valid("isLocale", "en-US");
        invalid("isLocale", "en-us");
        invalid("isLocale", "EN-US");
    }

    #[test]
    fn is_link_rewrite() {
        valid("isLinkRewrite", "hummingbird-printed-t-shirt");
        valid("isLinkRewrite", "my_page-2");
        invalid("isLinkRewrite", "t-shirt-été");
        invalid("isLinkRewrite", "a b");
        invalid("isLinkRewrite", "a/b");
        invalid("isLinkRewrite", "");
    }

    #[test]
    fn is_md5_and_sha1() {
        valid("isMd5", "d41d8cd98f00b204e9800998ecf8427e");
        invalid("isMd5", "d41d8cd98f00b204e9800998ecf8427");
        invalid("isMd5", "g41d8cd98f00b204e9800998ecf8427e");
        valid("isSha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        invalid("isSha1", "da39a3ee5e6b4b0d3255bfef95601890afd8070");
        invalid("isSha1", "");
    }

    #[test]
    fn is_module_and_tpl_name() {
        valid("isModuleName", "ps_checkpayment");
        valid("isModuleName", "my-module2");
        invalid("isModuleName", "my module");
        invalid("isModuleName", "../x");
        valid("isTplName", "order_conf");
        invalid("isTplName", "order.conf");
        invalid("isTplName", "");
    }

    #[test]
    fn is_numeric_iso_code() {
        valid("isNumericIsoCode", "978");
        valid("isNumericIsoCode", "008");
        invalid("isNumericIsoCode", "97");
        invalid("isNumericIsoCode", "9780");
        invalid("isNumericIsoCode", "EUR");
    }

    #[test]
    fn is_phone_number() {
        valid("isPhoneNumber", "+33 (0)1.23.45.67/89-10");
        valid("isPhoneNumber", "");
        invalid("isPhoneNumber", "0123 ext 4");
        invalid("isPhoneNumber", "#123");
    }

    #[test]
    fn is_post_code() {
        valid("isPostCode", "75001");
        valid("isPostCode", "SW1A 1AA");
        valid("isPostCode", "1234-567");
        valid("isPostCode", "");
        invalid("isPostCode", "75001!");
        invalid("isPostCode", "H3Z.2Y7");
    }

    #[test]
    fn is_product_visibility_keeps_the_alternation_quirk() {
        for ok in [
            "both",
            "catalog",
            "search",
            "none",
            "BOTH",
            "bothways",
            "xcatalogx",
        ] {
            valid("isProductVisibility", ok);
        }
        for ok in ["my search", "nonenone", "not none", "none\n"] {
            valid("isProductVisibility", ok);
        }
        for bad in ["all", "xboth", "nonex", "visible", "", "ſearch"] {
            invalid("isProductVisibility", bad);
        }
    }

    #[test]
    fn is_state_iso_code() {
        valid("isStateIsoCode", "CA");
        valid("isStateIsoCode", "US-CA");
        valid("isStateIsoCode", "AG");
        valid("isStateIsoCode", "1234-ABCD");
        invalid("isStateIsoCode", "ABCDE");
        invalid("isStateIsoCode", "US-");
        invalid("isStateIsoCode", "US_CA");
    }

    #[test]
    fn is_tracking_number() {
        valid("isTrackingNumber", "1Z999AA10123456784");
        valid("isTrackingNumber", "AB-12/34 [x] (y) ~#");
        invalid("isTrackingNumber", "");
        invalid("isTrackingNumber", "ABC;123");
        invalid("isTrackingNumber", "ABC$123");
        invalid("isTrackingNumber", "é123");
    }

    #[test]
    fn is_zip_code_format() {
        valid("isZipCodeFormat", "NNNNN");
        valid("isZipCodeFormat", "LNL NLN");
        valid("isZipCodeFormat", "CNNNN");
        valid("isZipCodeFormat", "NNN-NN");
        valid("isZipCodeFormat", "");
        invalid("isZipCodeFormat", "AAAA");
        invalid("isZipCodeFormat", "NN.NN");
    }
}
