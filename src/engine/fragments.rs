//! Rendered list items kept for reuse. A page of 1,000 full products is 6.6 MB of text made
//! from some 20,000 cells and ten associations each; when nothing has been written since, the
//! page is its ids (one indexed scan) and those items again, read from memory. Only items
//! never rendered since the last write are loaded and rendered — with exactly the query,
//! associations and computed fields of a plain list, so an item is the same bytes either way.
//!
//! An item is reused only while all of these hold: no write since it was rendered
//! (`Store::write_generation`, taken before the read; stores other processes write all the
//! time give none, and then nothing is kept); the shop's settings are the same snapshot
//! (`ShopInfo`, reloaded at least every 0.8 s); it is at most one second old (the clock, for
//! a specific price's dates); and the request asks for the same rendering: resource, format,
//! shops and languages, and every parameter but the list's filter, sort and limit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

use super::error::ApiResult;
use super::read::{close_list, fill_assocs, fill_computed, open_list, write_item, Query, CHUNK};
use super::render::{Format, Projection, RenderCtx};
use super::shop::ShopInfo;
use super::{Ctx, Engine, Out, Reply, Request};
use crate::catalog::Resource;
use crate::storage::Value;
use crate::storage::{Cond, ListPlan, Op, Target};

/// Items a page may hold to be written from kept items; larger lists stream as they are read.
pub(crate) const LARGEST_PAGE: u64 = 5_000;

/// A rendering's signature (see `signature`) and the item's id.
type ItemName = (Arc<str>, i64);

pub struct Fragments {
    cache: Option<Cache<ItemName, Arc<Fragment>>>,
}

pub struct Fragment {
    generation: u64,
    info: Arc<ShopInfo>,
    bytes: Box<[u8]>,
}

impl Fragments {
    /// Keeps up to `megabytes` of rendered items; 0 keeps none.
    pub fn new(megabytes: u64) -> Fragments {
        let cache = kept_for_a_second(megabytes, |k: &ItemName, v: &Arc<Fragment>| {
            k.0.len() + v.bytes.len() + 64
        });
        Fragments { cache }
    }

    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    fn get(
        &self,
        sig: &Arc<str>,
        id: i64,
        generation: u64,
        info: &Arc<ShopInfo>,
    ) -> Option<Arc<Fragment>> {
        let f = self.cache.as_ref()?.get(&(sig.clone(), id))?;
        (f.generation == generation && Arc::ptr_eq(&f.info, info)).then_some(f)
    }

    fn put(&self, sig: &Arc<str>, id: i64, fragment: Fragment) -> Arc<Fragment> {
        let f = Arc::new(fragment);
        if let Some(c) = &self.cache {
            c.insert((sig.clone(), id), f.clone());
        }
        f
    }
}

/// A cache of at most `megabytes` (none for 0) whose entries live one second at most, each
/// weighing what `bytes` says — reused answers and list items alike.
pub fn kept_for_a_second<K, V>(
    megabytes: u64,
    bytes: impl Fn(&K, &V) -> usize + Send + Sync + 'static,
) -> Option<Cache<K, V>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    (megabytes > 0).then(|| {
        Cache::builder()
            .max_capacity(megabytes.saturating_mul(1024 * 1024))
            .weigher(move |k: &K, v: &V| u32::try_from(bytes(k, v)).unwrap_or(u32::MAX))
            .time_to_live(Duration::from_secs(1))
            .build()
    })
}

/// Everything an item's rendering depends on besides its rows.
fn signature(r: &Resource, req: &Request, ctx: &Ctx) -> Arc<str> {
    let params: Vec<_> = req
        .params
        .iter()
        .filter(|(k, _)| !matches!(*k, "filter" | "sort" | "limit" | "ws_key"))
        .collect();
    let format = match req.format {
        Format::Xml => 'x',
        Format::Json => 'j',
    };
    format!(
        "{}\u{0}{format}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{params:?}",
        r.api, ctx.db.shop, ctx.db.shops, ctx.langs
    )
    .into()
}

/// What a list needs to be written from kept items.
pub(crate) struct Page<'a> {
    pub query: &'a Query,
    pub projection: &'a Projection,
    pub count: &'a ListPlan,
    pub render: &'a RenderCtx<'a>,
    pub generation: u64,
}

/// The list of `page`, each item from memory when kept, else loaded and rendered (and kept).
pub(crate) fn list(
    e: &Engine,
    r: &Resource,
    req: &Request,
    ctx: &Ctx,
    out: &mut dyn Out,
    page: Page,
) -> ApiResult<Reply> {
    let json = req.format == Format::Json;
    let sig = signature(r, req, ctx);
    let mut ids_plan = page.query.plan.clone();
    ids_plan.select.truncate(1);
    let mut total = 0;
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut n = 0u64;
    e.store.reading(|rd| -> ApiResult<()> {
        total = rd.count(page.count, &ctx.db)?;
        out.total(total);
        let mut ids = Vec::new();
        rd.list(&ids_plan, &ctx.db, &mut |_, row| {
            if let Some(id) = row.first().and_then(Value::as_i64) {
                ids.push(id);
            }
            Ok(())
        })?;
        let mut items: HashMap<i64, Arc<Fragment>> = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in &ids {
            match e.fragments.get(&sig, id, page.generation, &ctx.info) {
                Some(f) => {
                    items.insert(id, f);
                }
                None => missing.push(id),
            }
        }
        let hits = (ids.len() - missing.len()) as u64;
        metrics::counter!("shopws_reused_total", "kind" => "list_item", "result" => "hit")
            .increment(hits);
        metrics::counter!("shopws_reused_total", "kind" => "list_item", "result" => "miss")
            .increment(missing.len() as u64);
        for chunk in missing.chunks(CHUNK) {
            let mut plan = page.query.plan.clone();
            plan.conds.push(Cond {
                target: Target::Main(plan.primary.clone()),
                op: Op::In(chunk.iter().map(i64::to_string).collect()),
                text: false,
            });
            plan.limit = None;
            let mut ents = Vec::with_capacity(chunk.len());
            rd.list(&plan, &ctx.db, &mut |_, row| {
                ents.push(page.query.entity(r, page.projection, ctx.langs.len(), row));
                Ok(())
            })?;
            fill_assocs(rd, r, page.projection, &mut ents, ctx)?;
            fill_computed(e, rd, r, page.projection, &mut ents, &req.params, ctx)?;
            for ent in &ents {
                let mut bytes = Vec::new();
                write_item(&mut bytes, r, page.projection, ent, page.render, json);
                let f = Fragment {
                    generation: page.generation,
                    info: ctx.info.clone(),
                    bytes: bytes.into_boxed_slice(),
                };
                items.insert(ent.id, e.fragments.put(&sig, ent.id, f));
            }
        }
        for id in ids {
            let Some(f) = items.get(&id) else { continue };
            if n == 0 {
                open_list(&mut buf, r, json);
            } else if json {
                buf.push(b',');
            }
            n += 1;
            buf.extend_from_slice(&f.bytes);
            if buf.len() >= super::read::EMIT_AT {
                out.emit(&mut buf)?;
            }
        }
        Ok(())
    })?;
    if n == 0 {
        return Ok(super::read::empty_list(e, r, json, total));
    }
    close_list(&mut buf, r, json);
    let mut reply = Reply::doc(200, buf);
    reply.total_count = Some(total);
    Ok(reply)
}
