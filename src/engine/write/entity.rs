//! Entity writes: body → staged values → behaviours' preparation → one transaction (rows,
//! associations, side effects) → the entities read back and rendered.

use crate::catalog::Resource;
use crate::engine::behaviour::{Prepared, Save};
use crate::engine::params::Display;
use crate::engine::read::{self, projection};
use crate::engine::render::{Format, RenderCtx};
use crate::engine::{ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::Tx;

use super::body::{self, BodyError, InputEntity};
use super::persist::{delete_rows, exists, load_current, write_assocs, write_row};
use super::staging::{check_assocs, entity_id, now_fields, stage, Mode, Staged};

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

/// The behaviours' work before the transaction, for each entity.
fn prepare(
    e: &Engine,
    r: &Resource,
    ctx: &Ctx,
    ents: &[InputEntity],
    created: bool,
) -> ApiResult<Vec<Prepared>> {
    let behaviours = e.behaviours.of(&r.api);
    ents.iter()
        .map(|input| {
            let mut out = Prepared::new();
            let s = Save {
                resource: r,
                ctx,
                input,
                current: None,
                created,
                prepared: &Prepared::new(),
            };
            for b in behaviours {
                b.prepare(&s, &mut out)?;
            }
            Ok(out)
        })
        .collect()
}

/// One entity's rows and side effects, inside the transaction; returns its id.
fn save(e: &Engine, tx: &mut dyn Tx, s: &Save, mut st: Staged) -> ApiResult<i64> {
    let behaviours = e.behaviours.of(&s.resource.api);
    for b in behaviours {
        b.before_save(tx, s, &mut st)?;
    }
    let id = write_row(tx, s.resource, &st, s.ctx, s.created)?;
    st.id = id;
    write_assocs(e, tx, s, id)?;
    for b in behaviours {
        b.after_save(tx, s, &st)?;
    }
    Ok(id)
}

pub fn create(e: &Engine, r: &Resource, req: &Request, ctx: &Ctx) -> ApiResult<Reply> {
    let ents = parse_body(e, r, req)?;
    if ents.is_empty() {
        return Err(ApiError::bad_request(
            127,
            "XML error : no entity in the request body",
        ));
    }
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
    let prepared = prepare(e, r, ctx, &ents, true)?;
    let ids = e.store.transaction(|tx| -> ApiResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(ents.len());
        for ((input, st), prepared) in ents.iter().zip(&staged).zip(&prepared) {
            let s = Save {
                resource: r,
                ctx,
                input,
                current: None,
                created: true,
                prepared,
            };
            ids.push(save(e, tx, &s, st.clone())?);
        }
        Ok(ids)
    })?;
    answer(e, r, req, ctx, &ids, 201)
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
    let mut ids = Vec::new();
    for ent in &ents {
        let id = entity_id(ent)
            .ok_or_else(|| ApiError::bad_request(90, "id is required when modifying a resource"))?;
        let id =
            crate::engine::parse_id(&id).ok_or_else(|| ApiError::new(404, 92, "Invalid ID"))?;
        if ids.contains(&id) {
            return Err(ApiError::bad_request(89, "id is duplicate in request"));
        }
        ids.push(id);
        check_assocs(r, ent)?;
    }
    let prepared = prepare(e, r, ctx, &ents, false)?;
    e.store.transaction(|tx| -> ApiResult<()> {
        for ((input, id), prepared) in ents.iter().zip(&ids).zip(&prepared) {
            let cur = load_current(tx, r, *id, &ctx.info.installed_langs, ctx)?
                .ok_or_else(|| ApiError::new(404, 92, "Invalid ID"))?;
            let mut st = stage(r, input, mode, Some(&cur), ctx)?;
            st.id = *id;
            now_fields(r, &mut st, ctx, false);
            let s = Save {
                resource: r,
                ctx,
                input,
                current: Some(&cur.main),
                created: false,
                prepared,
            };
            save(e, tx, &s, st)?;
        }
        Ok(())
    })?;
    answer(e, r, req, ctx, &ids, 200)
}

/// `DELETE /api/r/1` or `DELETE /api/r?id=[1,2]`: all or nothing for unknown ids (#87);
/// entities their behaviour refuses stay, the others are deleted (#88 lists the refused).
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
    let behaviours = e.behaviours.of(&r.api);
    let refused = e.transaction_then(|tx, later| -> ApiResult<Vec<String>> {
        let mut missing: Vec<String> = Vec::new();
        for (raw, id) in raw_ids.iter().zip(ids.iter()) {
            let exists = match id {
                Some(id) => exists(tx, r, *id)?,
                None => false,
            };
            if !exists {
                missing.push(raw.clone());
            }
        }
        if !missing.is_empty() || raw_ids.is_empty() {
            return Err(ApiError::new(
                404,
                87,
                format!("Id(s) not exists: {}", missing.join(", ")),
            ));
        }
        let mut refused = Vec::new();
        'ids: for id in ids.iter().flatten() {
            let mark = later.mark();
            for b in behaviours {
                b.after_delete_commit(tx, r, *id, later)?;
            }
            for b in behaviours {
                if !b.before_delete(tx, r, *id)? {
                    later.forget_since(mark);
                    refused.push(id.to_string());
                    continue 'ids;
                }
            }
            delete_rows(tx, r, *id)?;
            for b in behaviours {
                b.after_delete(tx, r, *id)?;
            }
        }
        Ok(refused)
    })?;
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

/// Creates (`id` is `None`) or patches one entity from values a resource module built itself
/// (an uploaded file's metadata) rather than parsed from a body, with a request's checks,
/// hooks and single transaction. Returns the id and, for a patch, the main-table values the
/// row had inside that transaction (what the module may have to clean up once committed).
pub fn save_values(
    e: &Engine,
    r: &Resource,
    ctx: &Ctx,
    input: &InputEntity,
    id: Option<i64>,
) -> ApiResult<(
    i64,
    Option<std::collections::HashMap<String, crate::storage::Value>>,
)> {
    let created = id.is_none();
    let staged = if created {
        let mut st = stage(r, input, Mode::Create, None, ctx)?;
        now_fields(r, &mut st, ctx, true);
        Some(st)
    } else {
        None
    };
    let prepared = prepare(e, r, ctx, std::slice::from_ref(input), created)?;
    let prepared = prepared.first().cloned().unwrap_or_default();
    e.store.transaction(|tx| {
        let Some(id) = id else {
            let s = Save {
                resource: r,
                ctx,
                input,
                current: None,
                created: true,
                prepared: &prepared,
            };
            let st = staged.clone().unwrap_or_default();
            return Ok((save(e, tx, &s, st)?, None));
        };
        let cur = load_current(tx, r, id, &ctx.info.installed_langs, ctx)?
            .ok_or_else(|| ApiError::new(404, 92, "Invalid ID"))?;
        let mut st = stage(r, input, Mode::Patch, Some(&cur), ctx)?;
        st.id = id;
        now_fields(r, &mut st, ctx, false);
        let s = Save {
            resource: r,
            ctx,
            input,
            current: Some(&cur.main),
            created: false,
            prepared: &prepared,
        };
        save(e, tx, &s, st)?;
        Ok((id, Some(cur.main.clone())))
    })
}
