//! From a parsed body to the values about to be written: field by field, what PrestaShop's
//! ObjectModel checks (read-only, required, validators, languages, link rewrites), what it
//! fills in (defaults, zero values, dates, shop ids) and what a PUT keeps.

use std::collections::HashMap;

use crate::catalog::{Field, FieldType, Resource, Storage};
use crate::engine::{special, ApiError, ApiResult, Ctx};
use crate::storage::Value;

use super::body::{InputEntity, InputValue};
use super::persist::Current;
use super::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Replace,
    Patch,
}

/// Values about to be written for one entity.
#[derive(Debug, Default, Clone)]
pub struct Staged {
    pub id: i64,
    /// Main-table column → value.
    pub main: Vec<(String, Value)>,
    /// `_lang` column → (id_lang → value).
    pub langs: Vec<(String, HashMap<i64, String>)>,
    /// Field name → raw input, for the resource modules' setters.
    pub setters: Vec<(String, String)>,
}

impl Staged {
    pub fn set(&mut self, col: &str, v: Value) {
        match self.main.iter_mut().find(|(c, _)| c == col) {
            Some(slot) => slot.1 = v,
            None => self.main.push((col.to_string(), v)),
        }
    }
    pub fn get(&self, col: &str) -> Option<&Value> {
        self.main.iter().find(|(c, _)| c == col).map(|(_, v)| v)
    }
}

pub(super) fn input<'a>(ent: &'a InputEntity, name: &str) -> Option<&'a InputValue> {
    ent.fields
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// The value PrestaShop stores for a field left empty (ObjectModel::formatValue).
fn zero(f: &Field) -> Value {
    let textual = !matches!(
        f.kind,
        FieldType::Int | FieldType::Bool | FieldType::Float | FieldType::Date
    );
    if let (true, Some(e)) = (textual, &f.empty) {
        return typed_empty(e);
    }
    match f.kind {
        FieldType::Int | FieldType::Bool => Value::Int(0),
        FieldType::Float => Value::Real(0.0),
        FieldType::Date if f.nullable => Value::Null,
        FieldType::Date => Value::Text("0000-00-00 00:00:00".into()),
        _ if f.nullable && f.allow_null => Value::Null,
        _ => Value::Text(String::new()),
    }
}

fn typed_empty(e: &str) -> Value {
    match e.parse::<i64>() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Text(e.to_string()),
    }
}

/// Typed for storage: numbers as numbers when they are numbers.
pub fn typed(f: &Field, s: &str) -> Value {
    match f.kind {
        FieldType::Int | FieldType::Bool => match s.trim().parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) if s.trim().is_empty() => Value::Int(0),
            Err(_) => Value::Text(s.to_string()),
        },
        FieldType::Float => match s.trim().replace(',', ".").parse::<f64>() {
            // A DECIMAL column gets the exact decimal, rounded half away from zero to the
            // column's scale as MySQL stores it: never a binary float on the way.
            Ok(_) if f.decimals.is_some() => exact_decimal(s, f.decimals.unwrap_or(6)),
            Ok(x) => Value::Real(x),
            Err(_) if s.trim().is_empty() => Value::Real(0.0),
            Err(_) => Value::Text(s.to_string()),
        },
        FieldType::Date if s.is_empty() => zero(f),
        _ => Value::Text(s.to_string()),
    }
}

/// `s` at `scale` decimals, as text (`"1.500000"`); a number too large for an exact decimal
/// stays a float.
fn exact_decimal(s: &str, scale: usize) -> Value {
    use rust_decimal::prelude::*;
    let t = s.trim().replace(',', ".");
    let parsed = Decimal::from_str(&t).or_else(|_| Decimal::from_scientific(&t));
    match parsed {
        Ok(d) => {
            let scale = u32::try_from(scale).unwrap_or(6);
            let mut r = d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
            r.rescale(scale);
            Value::Text(r.to_string())
        }
        Err(_) => Value::Real(t.parse().unwrap_or(0.0)),
    }
}

/// Columns kept on PUT when the client omits them: values the client cannot write, the
/// password hash and the creation date (PrestaShop wiped them, issue #42206), and the shop of
/// a row (a stock row PUT without `id_shop` moved to shop 0 in PrestaShop).
fn protected(f: &Field) -> bool {
    f.read_only
        || matches!(f.name.as_str(), "date_add" | "id_shop" | "id_shop_group")
        || f.setter_fn.as_deref() == Some("setWsPasswd")
}

/// Turns one input entity into staged values, checking what PrestaShop checks.
pub(super) fn stage(
    r: &Resource,
    ent: &InputEntity,
    mode: Mode,
    cur: Option<&Current>,
    ctx: &Ctx,
) -> ApiResult<Staged> {
    let mut st = Staged::default();
    let all_langs = &ctx.info.installed_langs;
    let default_lang = ctx.info.default_lang;
    let mut lang_errors: Vec<String> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (_, f) in r.visible_fields() {
        if f.is_id() {
            continue;
        }
        let given = input(ent, &f.name);
        if given.is_some() && f.read_only {
            return Err(ApiError::bad_request(
                93,
                format!(
                    "parameter \"{}\" not writable. Please remove this attribute of this XML",
                    f.name
                ),
            ));
        }
        if mode == Mode::Patch && given.is_none() {
            continue;
        }
        if let (Some(v), Some(_)) = (given, &f.setter_fn) {
            let text = match v {
                InputValue::Text(t) => t.clone(),
                InputValue::Langs(l) => l.first().map(|x| x.1.clone()).unwrap_or_default(),
            };
            st.setters.push((f.name.clone(), text));
            continue;
        }
        match &f.storage {
            Storage::Main(col) => {
                let text = match given {
                    Some(InputValue::Text(t)) => Some(t.clone()),
                    Some(InputValue::Langs(l)) => l.first().map(|x| x.1.clone()),
                    None => None,
                };
                match text {
                    Some(t) => {
                        if let Err(m) = validate::field(r, f, Some(&t), f.required) {
                            errors.push(m);
                        }
                        st.set(col, typed(f, &t));
                    }
                    None if f.required && f.setter_fn.is_none() => {
                        return Err(ApiError::bad_request(
                            41,
                            format!("parameter \"{}\" required", f.name),
                        ));
                    }
                    None => {
                        let keep = cur.and_then(|c| c.main.get(col)).filter(|_| protected(f));
                        let v = match (mode, keep) {
                            (Mode::Replace, Some(v)) => v.clone(),
                            (Mode::Create, _) if f.default.is_some() => {
                                typed(f, f.default.as_deref().unwrap_or_default())
                            }
                            _ => zero(f),
                        };
                        st.set(col, v);
                    }
                }
            }
            Storage::Lang(col) => {
                let mut vals: HashMap<i64, String> = match (mode, cur) {
                    (Mode::Create, _) | (_, None) => HashMap::new(),
                    (_, Some(c)) => c.langs.get(col).cloned().unwrap_or_default(),
                };
                match given {
                    Some(InputValue::Langs(list)) => {
                        for (lid, text) in list {
                            if let Ok(l) = lid.trim().parse::<i64>() {
                                if all_langs.contains(&l) {
                                    vals.insert(l, text.clone());
                                }
                            }
                        }
                    }
                    Some(InputValue::Text(t)) => {
                        for l in all_langs {
                            vals.insert(*l, t.clone());
                        }
                    }
                    None => {
                        vals.clear();
                    }
                }
                if let Some(("modifierWsLinkRewrite", methods)) =
                    f.modifier.as_ref().map(|(m, ms)| (m.as_str(), ms))
                {
                    if methods.contains(method_of(mode)) {
                        let names = match input(ent, "name") {
                            Some(InputValue::Langs(l)) => l
                                .iter()
                                .filter_map(|(id, t)| {
                                    id.trim().parse::<i64>().ok().map(|i| (i, t.clone()))
                                })
                                .collect(),
                            Some(InputValue::Text(t)) => {
                                all_langs.iter().map(|l| (*l, t.clone())).collect()
                            }
                            None => Vec::new(),
                        };
                        for (l, name) in names {
                            let slot = vals.entry(l).or_default();
                            if slot.is_empty() {
                                *slot = special::slug::link_rewrite(&name);
                            } else if !special::slug::is_link_rewrite(slot) {
                                *slot = special::slug::link_rewrite(slot);
                            }
                        }
                    }
                }
                let def = vals.get(&default_lang).cloned().unwrap_or_default();
                for l in all_langs {
                    let v = vals.entry(*l).or_insert_with(|| {
                        if f.required {
                            def.clone()
                        } else {
                            String::new()
                        }
                    });
                    let must = f.required && *l == default_lang;
                    if let Err(m) = validate::field(r, f, Some(v), must) {
                        lang_errors.push(m);
                    }
                }
                st.langs.push((col.clone(), vals));
            }
            // No setter: PrestaShop sets a property nothing saves.
            Storage::LangGetter(_) => {}
            Storage::Lookup(_) | Storage::Virtual => {
                if let Some(InputValue::Text(t)) = given {
                    st.setters.push((f.name.clone(), t.clone()));
                }
            }
        }
    }
    if let Some(m) = lang_errors.into_iter().next() {
        return Err(ApiError::bad_request(
            84,
            format!("Validation error: \"{m}\""),
        ));
    }
    if let Some(m) = errors.into_iter().next() {
        return Err(ApiError::bad_request(
            85,
            format!("Validation error: \"{m}\""),
        ));
    }
    Ok(st)
}

fn method_of(mode: Mode) -> crate::catalog::Method {
    match mode {
        Mode::Create => crate::catalog::Method::Post,
        Mode::Replace => crate::catalog::Method::Put,
        Mode::Patch => crate::catalog::Method::Patch,
    }
}

pub(super) fn entity_id(ent: &InputEntity) -> Option<String> {
    match input(ent, "id") {
        Some(InputValue::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

pub(super) fn check_assocs(r: &Resource, ent: &InputEntity) -> ApiResult<()> {
    for a in ent.associations.iter().flatten() {
        if a.name != "i18n" && r.association(&a.name).is_none() {
            return Err(ApiError::bad_request(
                86,
                format!("The association \"{}\" does not exists", a.name),
            ));
        }
    }
    Ok(())
}

pub(super) fn now_fields(r: &Resource, st: &mut Staged, ctx: &Ctx, create: bool) {
    for name in ["date_add", "date_upd"] {
        if name == "date_add" && !create {
            continue;
        }
        if let Some(Storage::Main(c)) = r.field(name).map(|f| &f.storage) {
            let keep = create
                && name == "date_add"
                && st.get(c).is_some_and(
                    |v| !matches!(v, Value::Text(s) if s.is_empty() || s.starts_with("0000")),
                );
            if !keep {
                st.set(c, Value::Text(ctx.db.now.clone()));
            }
        }
    }
    if create {
        for (name, v) in [
            ("id_shop", ctx.db.shop),
            ("id_shop_group", ctx.db.shop_group),
            ("id_shop_default", ctx.db.shop),
        ] {
            if let Some(Storage::Main(c)) = r.field(name).map(|f| &f.storage) {
                if st.get(c).is_none_or(|x| x.as_i64().unwrap_or(0) == 0) {
                    st.set(c, Value::Int(v));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::sync::Arc;

    use super::*;
    use crate::catalog::Catalog;
    use crate::engine::shop::{ShopInfo, ShopRow};
    use crate::engine::write::body;
    use crate::storage::Context;

    fn ctx() -> Ctx {
        let info = ShopInfo {
            installed_langs: vec![1, 2],
            active_langs: vec![1, 2],
            default_lang: 1,
            default_shop: 1,
            shops: vec![ShopRow {
                id: 1,
                group: 1,
                active: true,
                name: "Shop".into(),
                webservice: true,
                webservice_overridden: false,
            }],
            shop_name: "Shop".into(),
            webservice_enabled: true,
            settings: Vec::new(),
            urls: Vec::new(),
            zone: jiff::tz::TimeZone::UTC,
            derived: crate::engine::shop::Derived::default(),
        };
        Ctx {
            info: Arc::new(info),
            langs: vec![1, 2],
            ws: "http://x/api/".into(),
            db: Context {
                shop: 1,
                shop_group: 1,
                shops: vec![1],
                default_lang: 1,
                now: "2026-01-02 03:04:05".into(),
            },
            send_email: false,
        }
    }

    fn resource(name: &str) -> &'static Resource {
        Catalog::embedded().unwrap().get(name).unwrap()
    }

    fn entity(xml: &str) -> InputEntity {
        body::parse_xml(xml.as_bytes())
            .unwrap()
            .entities
            .into_iter()
            .next()
            .unwrap()
    }

    fn refused(r: Result<Staged, ApiError>) -> (u16, Vec<Option<u32>>) {
        let e = r.expect_err("refused");
        (e.status, e.errors.iter().map(|x| x.code).collect())
    }

    #[test]
    fn a_create_fills_defaults_zero_values_and_every_language() {
        let r = resource("manufacturers");
        let ent = entity(
            "<prestashop><manufacturer><name>Acme</name><active>1</active>\
             <description><language id=\"2\">Zwei</language></description>\
             </manufacturer></prestashop>",
        );
        let c = ctx();
        let mut st = stage(r, &ent, Mode::Create, None, &c).unwrap();
        assert_eq!(st.get("name"), Some(&Value::Text("Acme".into())));
        assert_eq!(st.get("active"), Some(&Value::Int(1)));
        let (_, description) = st.langs.iter().find(|(c, _)| c == "description").unwrap();
        assert_eq!(description.get(&2).map(String::as_str), Some("Zwei"));
        assert_eq!(
            description.get(&1).map(String::as_str),
            Some(""),
            "every language gets a row"
        );
        now_fields(r, &mut st, &c, true);
        assert_eq!(
            st.get("date_add"),
            Some(&Value::Text("2026-01-02 03:04:05".into()))
        );
        assert_eq!(st.get("date_upd"), st.get("date_add"));
    }

    #[test]
    fn required_read_only_and_invalid_fields_are_refused_with_prestashop_codes() {
        let c = ctx();
        let r = resource("manufacturers");
        let missing =
            entity("<prestashop><manufacturer><active>1</active></manufacturer></prestashop>");
        assert_eq!(
            refused(stage(r, &missing, Mode::Create, None, &c)),
            (400, vec![Some(41)])
        );
        let bad =
            entity("<prestashop><manufacturer><name>a&lt;b</name></manufacturer></prestashop>");
        assert_eq!(
            refused(stage(r, &bad, Mode::Create, None, &c)),
            (400, vec![Some(85)])
        );
        let products = resource("products");
        let ro = entity(
            "<prestashop><product><manufacturer_name>x</manufacturer_name></product></prestashop>",
        );
        assert_eq!(
            refused(stage(products, &ro, Mode::Create, None, &c)).1,
            vec![Some(93)]
        );
    }

    #[test]
    fn a_put_keeps_protected_columns_and_a_patch_only_what_was_sent() {
        let c = ctx();
        let r = resource("customers");
        let mut main = HashMap::new();
        main.insert(
            "date_add".to_string(),
            Value::Text("2020-01-01 00:00:00".into()),
        );
        main.insert("passwd".to_string(), Value::Text("$2y$10$stored".into()));
        main.insert("note".to_string(), Value::Text("kept?".into()));
        let cur = Current {
            main,
            langs: HashMap::new(),
        };
        let put = entity(
            "<prestashop><customer><id>5</id><firstname>Ada</firstname><lastname>L</lastname>\
             <email>ada@example.com</email></customer></prestashop>",
        );
        let st = stage(r, &put, Mode::Replace, Some(&cur), &c).unwrap();
        assert_eq!(
            st.get("date_add"),
            Some(&Value::Text("2020-01-01 00:00:00".into())),
            "creation date kept"
        );
        assert_eq!(st.get("passwd"), Some(&Value::Text("$2y$10$stored".into())));
        assert_eq!(
            st.get("note"),
            Some(&Value::Text(String::new())),
            "PUT empties omitted fields"
        );
        let patch =
            entity("<prestashop><customer><id>5</id><note>hi</note></customer></prestashop>");
        let st = stage(r, &patch, Mode::Patch, Some(&cur), &c).unwrap();
        assert_eq!(
            st.main,
            vec![("note".to_string(), Value::Text("hi".into()))]
        );
    }

    #[test]
    fn link_rewrites_come_from_the_name_when_missing() {
        let c = ctx();
        let r = resource("categories");
        let ent = entity(
            "<prestashop><category><id_parent>2</id_parent><active>1</active>\
             <name><language id=\"1\">Été 2026 Sale!</language><language id=\"2\">Sommer</language></name>\
             </category></prestashop>",
        );
        let st = stage(r, &ent, Mode::Create, None, &c).unwrap();
        let (_, slugs) = st.langs.iter().find(|(c, _)| c == "link_rewrite").unwrap();
        assert_eq!(slugs.get(&1).map(String::as_str), Some("ete-2026-sale"));
        assert_eq!(slugs.get(&2).map(String::as_str), Some("sommer"));
    }

    #[test]
    fn typed_values_follow_the_field_type() {
        let r = resource("products");
        let price = r.field("price").unwrap();
        assert_eq!(typed(price, "1,5"), Value::Text("1.500000".into()));
        assert_eq!(typed(price, "1.2345675"), Value::Text("1.234568".into()));
        assert_eq!(typed(price, "-0.0000005"), Value::Text("-0.000001".into()));
        assert_eq!(typed(price, "1e3"), Value::Text("1000.000000".into()));
        assert_eq!(typed(price, ""), Value::Real(0.0));
        let qty = r.field("minimal_quantity").unwrap();
        assert_eq!(typed(qty, " 3 "), Value::Int(3));
        assert_eq!(
            typed(qty, "x"),
            Value::Text("x".into()),
            "left for the validator"
        );
    }
}
