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
    match f.kind {
        FieldType::Int | FieldType::Bool => Value::Int(0),
        FieldType::Float => Value::Real(0.0),
        FieldType::Date if f.nullable => Value::Null,
        FieldType::Date => Value::Text("0000-00-00 00:00:00".into()),
        _ if f.nullable && f.allow_null => Value::Null,
        _ => Value::Text(String::new()),
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
            Ok(x) => Value::Real(x),
            Err(_) if s.trim().is_empty() => Value::Real(0.0),
            Err(_) => Value::Text(s.to_string()),
        },
        FieldType::Date if s.is_empty() => zero(f),
        _ => Value::Text(s.to_string()),
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
