//! Entity writes: body → field values → validation → one transaction → rendered answer.

use std::collections::HashMap;

use crate::catalog::{Field, FieldType, Resource, ShopScope, Storage};
use crate::engine::params::Display;
use crate::engine::read::{self, projection};
use crate::engine::render::{Format, RenderCtx};
use crate::engine::{special, ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::{
    Col, Cond, ListPlan, Op, Reader, Select, ShopFilter, StorageError, Target, Tx, Value,
};

use super::body::{self, BodyError, InputEntity, InputValue};
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

fn parse_body(e: &Engine, r: &Resource, req: &Request) -> ApiResult<Vec<InputEntity>> {
    let raw = req.body.as_ref();
    let raw = raw.strip_prefix(b"xml=").unwrap_or(raw);
    let trimmed = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &raw[i..])
        .unwrap_or(&[]);
    let doc = if trimmed.first() == Some(&b'{') || trimmed.first() == Some(&b'[') {
        body::parse_json(trimmed, &r.singular, &r.plural)
    } else {
        body::parse_xml(raw)
    };
    let _ = e;
    match doc {
        Ok(d) => Ok(d.entities),
        Err(err) => {
            let shown: String = String::from_utf8_lossy(&raw[..raw.len().min(256)]).into_owned();
            let msg = match &err {
                BodyError::Empty => "String could not be parsed as XML".to_string(),
                other => other.to_string(),
            };
            Err(ApiError::new(
                400,
                127,
                format!(
                    "XML error : {msg}\nXML length : {}\nOriginal XML : {shown}",
                    raw.len()
                ),
            ))
        }
    }
}

fn input<'a>(ent: &'a InputEntity, name: &str) -> Option<&'a InputValue> {
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

/// Existing values of an entity: main columns and every language.
struct Current {
    main: HashMap<String, Value>,
    langs: HashMap<String, HashMap<i64, String>>,
}

fn load_current(
    rd: &mut dyn Reader,
    r: &Resource,
    id: i64,
    langs: &[i64],
    ctx: &Ctx,
) -> Result<Option<Current>, StorageError> {
    let mut plan = ListPlan::new(&r.table, &r.primary);
    let mains: Vec<&str> = r
        .fields
        .iter()
        .filter_map(|f| match &f.storage {
            Storage::Main(c) => Some(c.as_str()),
            _ => None,
        })
        .collect();
    plan.select = std::iter::once(r.primary.as_str())
        .chain(mains.iter().copied())
        .map(|c| Col::Main(c.to_string()))
        .collect();
    plan.conds.push(Cond {
        target: Target::Main(r.primary.clone()),
        op: Op::In(vec![id.to_string()]),
        text: false,
    });
    let mut row = None;
    rd.list(&plan, &ctx.db, &mut |_, v| {
        row = Some(v);
        Ok(())
    })?;
    let Some(row) = row else { return Ok(None) };
    let main = std::iter::once(r.primary.clone())
        .chain(mains.iter().map(|c| c.to_string()))
        .zip(row)
        .collect();
    let mut lang_vals: HashMap<String, HashMap<i64, String>> = HashMap::new();
    if let Some(lt) = &r.lang {
        let cols: Vec<&str> = r
            .fields
            .iter()
            .filter_map(|f| match &f.storage {
                Storage::Lang(c) => Some(c.as_str()),
                _ => None,
            })
            .collect();
        let mut select_cols = vec!["id_lang"];
        select_cols.extend(cols.iter().copied());
        let mut key = vec![(r.primary.as_str(), Value::Int(id))];
        if lt.has_id_shop {
            key.push(("id_shop", Value::Int(ctx.db.shop)));
        }
        let rows = rd.select(&Select {
            table: &lt.table,
            columns: &select_cols,
            key,
            order: &[],
        })?;
        for row in rows {
            let lang = row[0].as_i64().unwrap_or(0);
            if !langs.contains(&lang) {
                continue;
            }
            for (i, c) in cols.iter().enumerate() {
                lang_vals
                    .entry(c.to_string())
                    .or_default()
                    .insert(lang, row[i + 1].to_text());
            }
        }
    }
    Ok(Some(Current {
        main,
        langs: lang_vals,
    }))
}

/// Turns one input entity into staged values, checking what PrestaShop checks.
fn stage(
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

fn entity_id(ent: &InputEntity) -> Option<String> {
    match input(ent, "id") {
        Some(InputValue::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

fn check_assocs(r: &Resource, ent: &InputEntity) -> ApiResult<()> {
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

fn write_row(
    tx: &mut dyn Tx,
    r: &Resource,
    st: &Staged,
    ctx: &Ctx,
    create: bool,
) -> Result<i64, StorageError> {
    let id = if create {
        let vals: Vec<(&str, Value)> = st
            .main
            .iter()
            .map(|(c, v)| (c.as_str(), v.clone()))
            .collect();
        tx.insert(&r.table, &vals)?
    } else {
        let vals: Vec<(&str, Value)> = st
            .main
            .iter()
            .map(|(c, v)| (c.as_str(), v.clone()))
            .collect();
        tx.update(&r.table, &vals, &[(r.primary.as_str(), Value::Int(st.id))])?;
        st.id
    };
    if let Some(lt) = &r.lang {
        let mut by_lang: HashMap<i64, Vec<(&str, Value)>> = HashMap::new();
        for (col, vals) in &st.langs {
            for (l, v) in vals {
                by_lang
                    .entry(*l)
                    .or_default()
                    .push((col.as_str(), Value::Text(v.clone())));
            }
        }
        let shops: Vec<i64> = if lt.has_id_shop {
            ctx.db.shops.clone()
        } else {
            vec![0]
        };
        for (l, cols) in by_lang {
            for shop in &shops {
                let mut key = vec![
                    (r.primary.as_str(), Value::Int(id)),
                    ("id_lang", Value::Int(l)),
                ];
                if lt.has_id_shop {
                    key.push(("id_shop", Value::Int(*shop)));
                }
                let n = if create {
                    0
                } else {
                    tx.update(&lt.table, &cols, &key)?
                };
                if n == 0 {
                    let mut all = key.clone();
                    all.extend(cols.iter().cloned());
                    tx.insert(&lt.table, &all)?;
                }
            }
        }
    }
    if let ShopScope::Linked(shop_table) = &r.shop {
        let copies: Vec<(&str, Value)> = r
            .fields
            .iter()
            .filter(|f| f.shop_copy)
            .filter_map(|f| match &f.storage {
                Storage::Main(c) => st.get(c).map(|v| (c.as_str(), v.clone())),
                _ => None,
            })
            .collect();
        for shop in &ctx.db.shops {
            let key = [
                (r.primary.as_str(), Value::Int(id)),
                ("id_shop", Value::Int(*shop)),
            ];
            let mut all: Vec<(&str, Value)> = key.to_vec();
            all.extend(copies.iter().cloned());
            tx.insert_ignore(shop_table, &all)?;
            if !copies.is_empty() {
                tx.update(shop_table, &copies, &key)?;
            }
        }
    }
    Ok(id)
}

fn write_assocs(
    tx: &mut dyn Tx,
    r: &Resource,
    ent: &InputEntity,
    id: i64,
    ctx: &Ctx,
    failure: &mut Option<ApiError>,
) -> Result<(), StorageError> {
    for a in ent.associations.iter().flatten() {
        let Some(def) = r.association(&a.name) else {
            continue;
        };
        if !def.writable() {
            continue;
        }
        match special::write_association(r, &a.name, tx, id, &a.items) {
            None => {}
            Some(Ok(())) => continue,
            Some(Err(err)) => {
                *failure = Some(err);
                return Err(StorageError::Invalid("refused".into()));
            }
        }
        let Some(st) = &def.storage else { continue };
        tx.delete(&st.table, &[(st.owner.as_str(), Value::Int(id))])?;
        for item in &a.items {
            let mut row: Vec<(&str, Value)> = vec![(st.owner.as_str(), Value::Int(id))];
            for (name, col) in &st.columns.0 {
                let v = item
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.trim().to_string());
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    row.push((
                        col.as_str(),
                        v.parse::<i64>().map(Value::Int).unwrap_or(Value::Text(v)),
                    ));
                }
            }
            if row.len() == 1 {
                continue;
            }
            for (col, v) in &st.constants {
                row.push((col.as_str(), ctx.db.symbol(v)));
            }
            tx.insert_ignore(&st.table, &row)?;
        }
    }
    Ok(())
}

fn answer(
    e: &Engine,
    r: &Resource,
    req: &Request,
    ctx: &Ctx,
    ids: &[i64],
    status: u16,
) -> ApiResult<Reply> {
    let proj = projection(r, &Display::Full);
    let ents = read::load(e, r, &proj, ids, ctx, false)?;
    let rc = RenderCtx {
        ws: &ctx.ws,
        langs: &ctx.langs,
        format: req.format,
        json_numbers: e.settings.json_numbers,
    };
    let plural = req.params.contains("display");
    let body = match req.format {
        // PrestaShop's JSON kept only the last entity.
        Format::Json => match ents.last() {
            Some(ent) => read::render_single(e, r, &proj, ent, &rc, plural),
            None => b"[]".to_vec(),
        },
        Format::Xml => {
            let mut b = Vec::new();
            crate::engine::render::xml::push(&mut b, crate::engine::render::xml::HEADER);
            for ent in &ents {
                crate::engine::render::entity::xml(&mut b, r, &proj, ent, &rc);
            }
            crate::engine::render::xml::push(&mut b, crate::engine::render::xml::FOOTER);
            b
        }
    };
    Ok(Reply::doc(status, body))
}

fn now_fields(r: &Resource, st: &mut Staged, ctx: &Ctx, create: bool) {
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

pub fn create(e: &Engine, r: &Resource, req: &Request, ctx: &Ctx) -> ApiResult<Reply> {
    let ents = parse_body(e, r, req)?;
    let mut staged = Vec::new();
    for ent in &ents {
        if entity_id(ent).is_some() {
            return Err(ApiError::bad_request(
                91,
                "id is forbidden when adding a new resource",
            ));
        }
        check_assocs(r, ent)?;
        let mut st = stage(r, ent, Mode::Create, None, ctx)?;
        now_fields(r, &mut st, ctx, true);
        staged.push(st);
    }
    let mut ids = Vec::new();
    let mut failure: Option<ApiError> = None;
    e.store
        .write(&mut |tx| {
            ids.clear();
            for (ent, st) in ents.iter().zip(staged.iter()) {
                let mut st = st.clone();
                if let Err(err) = special::before_save(e, r, tx, &mut st, None, ctx) {
                    failure = Some(err);
                    return Err(StorageError::Invalid("refused".into()));
                }
                let id = write_row(tx, r, &st, ctx, true)?;
                st.id = id;
                write_assocs(tx, r, ent, id, ctx, &mut failure)?;
                special::after_save(e, r, tx, &st, ent, true, ctx)?;
                ids.push(id);
            }
            Ok(())
        })
        .map_err(|err| failure.take().unwrap_or_else(|| save_error(err)))?;
    if ents.is_empty() {
        return Err(ApiError::bad_request(
            127,
            "XML error : no entity in the request body",
        ));
    }
    answer(e, r, req, ctx, &ids, 201)
}

fn save_error(err: StorageError) -> ApiError {
    match err {
        StorageError::Conflict(m) => ApiError::new(500, 46, "Unable to save resource").and(
            400,
            46,
            format!("Unable to save resource: {m}"),
        ),
        other => ApiError::from(other),
    }
}

pub fn update(e: &Engine, r: &Resource, req: &Request, ctx: &Ctx) -> ApiResult<Reply> {
    let mode = if req.method == crate::catalog::Method::Patch {
        Mode::Patch
    } else {
        Mode::Replace
    };
    let ents = parse_body(e, r, req)?;
    if ents.is_empty() {
        return Err(ApiError::bad_request(
            127,
            "XML error : no entity in the request body",
        ));
    }
    let mut seen = Vec::new();
    let mut parsed_ids = Vec::new();
    for ent in &ents {
        let id = entity_id(ent)
            .ok_or_else(|| ApiError::bad_request(90, "id is required when modifying a resource"))?;
        let id =
            crate::engine::parse_id(&id).ok_or_else(|| ApiError::new(404, 92, "Invalid ID"))?;
        if seen.contains(&id) {
            return Err(ApiError::bad_request(89, "id is duplicate in request"));
        }
        seen.push(id);
        parsed_ids.push(id);
        check_assocs(r, ent)?;
    }
    let mut failure: Option<ApiError> = None;
    e.store
        .write(&mut |tx| {
            for (ent, id) in ents.iter().zip(parsed_ids.iter()) {
                let cur = load_current(tx, r, *id, &ctx.info.installed_langs, ctx)?;
                let Some(cur) = cur else {
                    failure = Some(ApiError::new(404, 92, "Invalid ID"));
                    return Err(StorageError::NotFound);
                };
                let mut st = match stage(r, ent, mode, Some(&cur), ctx) {
                    Ok(s) => s,
                    Err(err) => {
                        failure = Some(err);
                        return Err(StorageError::Invalid("refused".into()));
                    }
                };
                st.id = *id;
                now_fields(r, &mut st, ctx, false);
                if let Err(err) = special::before_save(e, r, tx, &mut st, Some(&cur.main), ctx) {
                    failure = Some(err);
                    return Err(StorageError::Invalid("refused".into()));
                }
                write_row(tx, r, &st, ctx, false)?;
                write_assocs(tx, r, ent, *id, ctx, &mut failure)?;
                special::after_save(e, r, tx, &st, ent, false, ctx)?;
            }
            Ok(())
        })
        .map_err(|err| failure.take().unwrap_or_else(|| save_error(err)))?;
    answer(e, r, req, ctx, &parsed_ids, 200)
}

pub fn delete(
    e: &Engine,
    r: &Resource,
    req: &Request,
    _ctx: &Ctx,
    id_seg: &str,
) -> ApiResult<Reply> {
    let raw_ids: Vec<String> = match req.params.get_str("id") {
        Some(list) => match list.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(inner) => inner
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => Vec::new(),
        },
        None if id_seg.is_empty() => vec!["0".to_string()],
        None => vec![id_seg.to_string()],
    };
    let ids: Vec<Option<i64>> = raw_ids.iter().map(|s| crate::engine::parse_id(s)).collect();
    let mut missing: Vec<String> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    let mut failure: Option<ApiError> = None;
    e.store
        .write(&mut |tx| {
            missing.clear();
            for (raw, id) in raw_ids.iter().zip(ids.iter()) {
                let exists = match id {
                    Some(id) => !tx
                        .select(&Select {
                            table: &r.table,
                            columns: &[r.primary.as_str()],
                            key: vec![(r.primary.as_str(), Value::Int(*id))],
                            order: &[],
                        })?
                        .is_empty(),
                    None => false,
                };
                if !exists {
                    missing.push(raw.clone());
                }
            }
            if !missing.is_empty() || raw_ids.is_empty() {
                failure = Some(ApiError::new(
                    404,
                    87,
                    format!("Id(s) not exists: {}", missing.join(", ")),
                ));
                return Err(StorageError::NotFound);
            }
            refused.clear();
            for id in ids.iter().flatten() {
                if !special::before_delete(r, tx, *id)? {
                    refused.push(id.to_string());
                    continue;
                }
                let key = [(r.primary.as_str(), Value::Int(*id))];
                tx.delete(&r.table, &key)?;
                if let Some(lt) = &r.lang {
                    tx.delete(&lt.table, &key)?;
                }
                if let ShopScope::Linked(t) = &r.shop {
                    tx.delete(t, &key)?;
                }
                for a in r.associations.iter().filter(|a| a.writable()) {
                    if let Some(st) = &a.storage {
                        tx.delete(&st.table, &[(st.owner.as_str(), Value::Int(*id))])?;
                    }
                }
                special::after_delete(r, tx, *id)?;
            }
            Ok(())
        })
        .map_err(|err| failure.take().unwrap_or_else(|| err.into()))?;
    let _ = ShopFilter::None;
    if !refused.is_empty() {
        // PrestaShop's answer when an entity's delete() says no; the others stay deleted.
        return Err(ApiError::new(
            500,
            88,
            format!("Id(s) wasn't deleted: {}", refused.join(", ")),
        ));
    }
    Ok(Reply::empty(200))
}
