//! GET and HEAD on normal resources: lists (streamed), single entities and schemas.

use crate::catalog::{Resource, Storage};
use crate::storage::{
    Col, Cond, LangSpec, ListPlan, Op, Reader, ShopFilter, StorageError, StorageResult, Target,
    Value,
};

use super::params::{self, Display};
use super::render::{self, schema, xml, Cell, Entity, Format, Projection, RenderCtx};
use super::{special, ApiError, ApiResult, Ctx, Engine, Out, Reply, Request};

/// Where each projected field's values sit in a result row.
#[derive(Debug, Clone)]
enum Slot {
    One(usize),
    /// A looked-up value that the catalog maps to another text.
    Mapped(usize),
    Langs(usize),
    Computed,
}

pub struct Query {
    pub plan: ListPlan,
    slots: Vec<Slot>,
}

pub fn projection(r: &Resource, d: &Display) -> Projection {
    match d {
        Display::Minimum => Projection {
            minimum: true,
            ..Projection::default()
        },
        Display::Full => Projection {
            fields: r
                .visible_fields()
                .filter(|(_, f)| !f.not_output)
                .map(|(i, _)| i)
                .collect(),
            assocs: r
                .associations
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let n = a.storage.as_ref().map(|s| s.columns.0.len()).unwrap_or(0);
                    (i, (0..n).collect())
                })
                .collect(),
            virtuals: Vec::new(),
            minimum: false,
        },
        Display::Partial {
            fields,
            assocs,
            virtuals,
        } => Projection {
            fields: fields.clone(),
            assocs: assocs
                .iter()
                .map(|(ai, subs)| {
                    let a = &r.associations[*ai];
                    let cols = a
                        .storage
                        .as_ref()
                        .map(|s| {
                            let mut v: Vec<usize> = s
                                .columns
                                .0
                                .iter()
                                .enumerate()
                                .filter(|(_, (n, _))| subs.iter().any(|x| x == n))
                                .map(|(i, _)| i)
                                .collect();
                            v.dedup();
                            v
                        })
                        .unwrap_or_default();
                    (*ai, cols)
                })
                .collect(),
            virtuals: virtuals.clone(),
            minimum: false,
        },
    }
}

/// Base plan of a resource: its table, languages and shop restriction.
pub fn base_plan(r: &Resource, langs: &[i64]) -> ListPlan {
    let mut plan = ListPlan::new(&r.table, &r.primary);
    plan.lang = r.lang.as_ref().map(|l| LangSpec {
        table: l.table.clone(),
        has_id_shop: l.has_id_shop,
        langs: langs.to_vec(),
    });
    plan.shop = match &r.shop {
        crate::catalog::ShopScope::None => ShopFilter::None,
        crate::catalog::ShopScope::Linked(t) => ShopFilter::Linked { table: t.clone() },
        crate::catalog::ShopScope::Column => ShopFilter::Column,
        crate::catalog::ShopScope::Row => ShopFilter::Row,
    };
    plan.restriction = r.restriction.clone();
    plan
}

pub fn query(r: &Resource, p: &Projection, langs: &[i64]) -> Query {
    let mut plan = base_plan(r, langs);
    plan.select.push(Col::Main(r.primary.clone()));
    let mut slots = Vec::with_capacity(p.fields.len());
    for &fi in &p.fields {
        let f = &r.fields[fi];
        let at = plan.select.len();
        match &f.storage {
            _ if f.is_id() => slots.push(Slot::One(0)),
            Storage::Main(c) => {
                plan.select.push(Col::Main(c.clone()));
                slots.push(Slot::One(at));
            }
            Storage::Lang(c) | Storage::LangGetter(c) => {
                for li in 0..langs.len() {
                    plan.select.push(Col::Lang(c.clone(), li));
                }
                slots.push(Slot::Langs(at));
            }
            Storage::Lookup(l) => {
                plan.select.push(Col::Lookup(l.clone()));
                slots.push(if l.map.is_empty() && l.otherwise.is_none() {
                    Slot::One(at)
                } else {
                    Slot::Mapped(at)
                });
            }
            Storage::Virtual => slots.push(Slot::Computed),
        }
    }
    Query { plan, slots }
}

impl Query {
    pub fn entity(
        &self,
        r: &Resource,
        p: &Projection,
        langs: usize,
        mut row: Vec<Value>,
    ) -> Entity {
        let id = row.first().and_then(Value::as_i64).unwrap_or(0);
        let mut cells = Vec::with_capacity(self.slots.len());
        for (k, slot) in self.slots.iter().enumerate() {
            cells.push(match slot {
                Slot::One(i) => Cell::One(std::mem::replace(&mut row[*i], Value::Null)),
                Slot::Mapped(i) => {
                    let v = std::mem::replace(&mut row[*i], Value::Null);
                    match &r.fields[p.fields[k]].storage {
                        Storage::Lookup(l) => Cell::One(l.translate(v)),
                        _ => Cell::One(v),
                    }
                }
                Slot::Langs(i) => Cell::Langs(
                    (0..langs)
                        .map(|l| std::mem::replace(&mut row[i + l], Value::Null))
                        .collect(),
                ),
                // PrestaShop renders these from properties the webservice never loads: empty.
                // Those a resource computes are filled in by its behaviours.
                Slot::Computed => Cell::One(Value::Null),
            });
        }
        // The id cell was taken from column 0 above only when `id` was projected.
        for (k, slot) in self.slots.iter().enumerate() {
            if matches!(slot, Slot::One(0)) {
                cells[k] = Cell::One(Value::Int(id));
            }
        }
        Entity {
            id,
            cells,
            assocs: vec![Vec::new(); p.assocs.len()],
            virtuals: Vec::new(),
        }
    }
}

/// Loads the associations of a batch of entities with one query per association.
pub fn fill_assocs(
    rd: &mut dyn Reader,
    r: &Resource,
    p: &Projection,
    ents: &mut [Entity],
    ctx: &Ctx,
) -> StorageResult<()> {
    if p.assocs.is_empty() || ents.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = ents.iter().map(|e| e.id).collect();
    let index: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    // Every projected association with a table behind it, fetched together.
    let (slots, stores): (Vec<usize>, Vec<&crate::catalog::AssocStorage>) = p
        .assocs
        .iter()
        .enumerate()
        .filter_map(|(k, (ai, _))| r.associations[*ai].storage.as_ref().map(|st| (k, st)))
        .unzip();
    if stores.is_empty() {
        return Ok(());
    }
    for (k, rows) in slots.into_iter().zip(rd.assocs(&stores, &ids, &ctx.db)?) {
        for (owner, vals) in rows {
            if let Some(&i) = index.get(&owner) {
                ents[i].assocs[k].push(vals);
            }
        }
    }
    Ok(())
}

fn display_of(r: &Resource, req: &Request, default: Display) -> ApiResult<(Display, bool)> {
    let virtuals = special::price::virtual_names(&req.params, r)?;
    let parsed = params::display::parse(req.params.get_str("display"), r, &virtuals)?;
    let had = req.params.contains("display");
    let mut d = parsed.unwrap_or(default);
    if let Display::Full = d {
        if !virtuals.is_empty() {
            d = Display::Partial {
                fields: projection(r, &Display::Full).fields,
                assocs: r
                    .associations
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        (
                            i,
                            a.fields
                                .iter()
                                .map(|f| f.name.clone())
                                .chain(
                                    a.storage
                                        .iter()
                                        .flat_map(|s| s.columns.0.iter().map(|(n, _)| n.clone())),
                                )
                                .collect(),
                        )
                    })
                    .collect(),
                virtuals,
            };
        }
    }
    Ok((d, had))
}

/// Rows loaded before their associations are fetched (one query per association and chunk).
pub(crate) const CHUNK: usize = 256;
/// Bytes of a list written before they are handed to the answer.
pub(crate) const EMIT_AT: usize = 64 * 1024;

pub fn list(
    e: &Engine,
    r: &Resource,
    req: &Request,
    ctx: &Ctx,
    out: &mut dyn Out,
) -> ApiResult<Reply> {
    let dates = req
        .params
        .get_str("date")
        .is_some_and(|d| !d.is_empty() && d != "0");
    let conds = params::filter::parse(req.params.get("filter"), r, dates)?;
    let order = params::sort::parse(req.params.get_str("sort"), r, dates)?;
    let limit = params::limit::parse(req.params.get_str("limit"))?;
    let (display, _) = display_of(r, req, Display::Minimum)?;
    let proj = projection(r, &display);
    let mut q = query(r, &proj, &ctx.langs);
    q.plan.conds = conds;
    q.plan.order = order;
    let mut count_plan = q.plan.clone();
    count_plan.select.truncate(1);
    q.plan.limit = limit;

    let rc = RenderCtx {
        ws: &ctx.ws,
        langs: &ctx.langs,
        format: req.format,
        json_numbers: e.settings.json_numbers,
    };
    let json = req.format == Format::Json;
    if let Some(generation) = e.store.write_generation() {
        // A page of bounded size: a whole table streams as it is read, in constant memory.
        let bounded = q
            .plan
            .limit
            .is_some_and(|(_, n)| n <= super::fragments::LARGEST_PAGE);
        if e.fragments.enabled() && !proj.minimum && bounded {
            let page = super::fragments::Page {
                query: &q,
                projection: &proj,
                count: &count_plan,
                render: &rc,
                generation,
            };
            return super::fragments::list(e, r, req, ctx, out, page);
        }
    }
    let mut st = ListState {
        buf: Vec::with_capacity(16 * 1024),
        n: 0,
        pending: Vec::new(),
    };
    let mut total = 0;
    e.store.reading(|rd| -> ApiResult<()> {
        total = rd.count(&count_plan, &ctx.db)?;
        out.total(total);
        rd.list(&q.plan, &ctx.db, &mut |rd, row| {
            st.pending.push(q.entity(r, &proj, ctx.langs.len(), row));
            // Without associations each row is written at once; with them, rows wait for a
            // chunk so associations load with one query per chunk.
            if st.pending.len() >= CHUNK || proj.assocs.is_empty() {
                st.flush(e, rd, r, &proj, req, ctx, &rc)
                    .map_err(StorageError::abort)?;
                if st.buf.len() >= EMIT_AT {
                    out.emit(&mut st.buf).map_err(StorageError::abort)?;
                }
            }
            Ok(())
        })?;
        st.flush(e, rd, r, &proj, req, ctx, &rc)
    })?;
    if st.n == 0 {
        return Ok(empty_list(e, r, json, total));
    }
    let mut buf = st.buf;
    close_list(&mut buf, r, json);
    let mut reply = Reply::doc(200, buf);
    reply.total_count = Some(total);
    Ok(reply)
}

/// A list without any item, as PrestaShop writes it.
pub(crate) fn empty_list(e: &Engine, r: &Resource, json: bool, total: u64) -> Reply {
    let mut buf = Vec::new();
    if json {
        if e.settings.json_ps_quirks {
            buf.extend_from_slice(b"[]");
        } else {
            buf.extend_from_slice(format!("{{\"{}\":[]}}", r.plural).as_bytes());
        }
    } else {
        open_list(&mut buf, r, json);
        close_list(&mut buf, r, json);
    }
    let mut reply = Reply::doc(200, buf);
    reply.total_count = Some(total);
    reply
}

struct ListState {
    buf: Vec<u8>,
    n: u64,
    pending: Vec<Entity>,
}

impl ListState {
    #[allow(clippy::too_many_arguments)]
    fn flush(
        &mut self,
        e: &Engine,
        rd: &mut dyn Reader,
        r: &Resource,
        p: &Projection,
        req: &Request,
        ctx: &Ctx,
        rc: &RenderCtx,
    ) -> ApiResult<()> {
        let json = req.format == Format::Json;
        fill_assocs(rd, r, p, &mut self.pending, ctx)?;
        fill_computed(e, rd, r, p, &mut self.pending, &req.params, ctx)?;
        for ent in self.pending.drain(..) {
            if self.n == 0 {
                open_list(&mut self.buf, r, json);
            } else if json {
                self.buf.push(b',');
            }
            self.n += 1;
            write_item(&mut self.buf, r, p, &ent, rc, json);
        }
        Ok(())
    }
}

/// Fields the resource's behaviours compute, for a batch of loaded entities.
pub(crate) fn fill_computed(
    e: &Engine,
    rd: &mut dyn Reader,
    r: &Resource,
    p: &Projection,
    ents: &mut [Entity],
    params: &crate::engine::params::Params,
    ctx: &Ctx,
) -> ApiResult<()> {
    for b in e.behaviours.of(&r.api) {
        b.fill(rd, r, p, ents, params, ctx)?;
    }
    Ok(())
}

pub(crate) fn open_list(buf: &mut Vec<u8>, r: &Resource, json: bool) {
    if json {
        buf.extend_from_slice(format!("{{\"{}\":[", r.plural).as_bytes());
    } else {
        xml::push(buf, xml::HEADER);
        xml::push(buf, &format!("<{}>\n", r.plural));
    }
}

pub(crate) fn close_list(buf: &mut Vec<u8>, r: &Resource, json: bool) {
    if json {
        buf.extend_from_slice(b"]}");
    } else {
        xml::push(buf, &format!("</{}>\n", r.plural));
        xml::push(buf, xml::FOOTER);
    }
}

pub(crate) fn write_item(
    buf: &mut Vec<u8>,
    r: &Resource,
    p: &Projection,
    ent: &Entity,
    rc: &RenderCtx,
    json: bool,
) {
    if p.minimum {
        if json {
            buf.extend_from_slice(b"{\"id\":");
            render::json::int(buf, ent.id);
            buf.push(b'}');
        } else {
            xml::push(
                buf,
                &format!(
                    "<{} id=\"{}\" xlink:href=\"{}{}/{}\"/>\n",
                    r.singular, ent.id, rc.ws, r.api, ent.id
                ),
            );
        }
    } else if json {
        render::entity::json(buf, r, p, ent, rc, false);
    } else {
        render::entity::xml(buf, r, p, ent, rc);
    }
}

/// Loads entities by id with a projection (also used to answer writes).
pub fn load(
    e: &Engine,
    r: &Resource,
    p: &Projection,
    ids: &[i64],
    ctx: &Ctx,
    shop_check: bool,
) -> ApiResult<Vec<Entity>> {
    let mut q = query(r, p, &ctx.langs);
    if !shop_check {
        q.plan.shop = ShopFilter::None;
    }
    q.plan.conds.push(Cond {
        target: Target::Main(r.primary.clone()),
        op: Op::In(ids.iter().map(|i| i.to_string()).collect()),
        text: false,
    });
    let mut ents = Vec::new();
    e.store.read(&mut |rd| {
        ents.clear();
        rd.list(&q.plan, &ctx.db, &mut |_, row| {
            ents.push(q.entity(r, p, ctx.langs.len(), row));
            Ok(())
        })?;
        fill_assocs(rd, r, p, &mut ents, ctx)
    })?;
    Ok(ents)
}

pub fn one(e: &Engine, r: &Resource, id: i64, req: &Request, ctx: &Ctx) -> ApiResult<Reply> {
    let (display, had_display) = display_of(r, req, Display::Full)?;
    let proj = projection(r, &display);
    let scoped = matches!(
        r.shop,
        crate::catalog::ShopScope::Linked(_) | crate::catalog::ShopScope::Column
    );
    // One query in the common case: the entity as the shop sees it. Only when that finds
    // nothing does a second look tell "unknown" (404, empty) from "not in this shop" (#131).
    let mut ents = load(e, r, &proj, &[id], ctx, scoped)?;
    if ents.is_empty()
        && scoped
        && !load(e, r, &Projection::default(), &[id], ctx, false)?.is_empty()
    {
        return Err(ApiError::new(
            404,
            131,
            format!("This {} ({id}) does not exists on this shop", r.class_name),
        ));
    }
    let Some(mut ent) = ents.pop() else {
        return Err(ApiError::not_found_empty());
    };
    e.store.reading(|rd| {
        fill_computed(
            e,
            rd,
            r,
            &proj,
            std::slice::from_mut(&mut ent),
            &req.params,
            ctx,
        )
    })?;
    let rc = RenderCtx {
        ws: &ctx.ws,
        langs: &ctx.langs,
        format: req.format,
        json_numbers: e.settings.json_numbers,
    };
    Ok(Reply::doc(
        200,
        render_single(e, r, &proj, &ent, &rc, had_display),
    ))
}

/// A single entity document, as GET and write responses print it.
pub fn render_single(
    e: &Engine,
    r: &Resource,
    p: &Projection,
    ent: &Entity,
    rc: &RenderCtx,
    plural: bool,
) -> Vec<u8> {
    let mut body = Vec::new();
    match rc.format {
        Format::Json if plural => {
            body.extend_from_slice(format!("{{\"{}\":[", r.plural).as_bytes());
            render::entity::json(&mut body, r, p, ent, rc, false);
            body.extend_from_slice(b"]}");
        }
        Format::Json => {
            body.extend_from_slice(format!("{{\"{}\":", r.singular).as_bytes());
            render::entity::json(&mut body, r, p, ent, rc, e.settings.json_ps_quirks);
            body.push(b'}');
        }
        Format::Xml if p.minimum => {
            xml::push(&mut body, xml::HEADER);
            xml::push(
                &mut body,
                &format!(
                    "<{} id=\"{}\" xlink:href=\"{}{}/{}\"/>\n",
                    r.singular, ent.id, rc.ws, r.api, ent.id
                ),
            );
            xml::push(&mut body, xml::FOOTER);
        }
        Format::Xml => {
            xml::push(&mut body, xml::HEADER);
            render::entity::xml(&mut body, r, p, ent, rc);
            xml::push(&mut body, xml::FOOTER);
        }
    }
    body
}

pub fn schema(
    _e: &Engine,
    r: &Resource,
    kind: &str,
    ctx: &Ctx,
    format: Format,
) -> ApiResult<Reply> {
    let kind = match kind {
        "blank" => schema::Kind::Blank,
        "synopsis" => schema::Kind::Synopsis,
        _ => {
            return Err(ApiError::bad_request(
                28,
                "Please select a schema of type 'synopsis' to get the whole schema informations (which fields are required, which kind of content...) or 'blank' to get an empty schema to fill before using POST request",
            ))
        }
    };
    let mut body = Vec::new();
    schema::render(&mut body, r, kind, &ctx.langs, &ctx.ws, format);
    Ok(Reply::doc(200, body))
}
