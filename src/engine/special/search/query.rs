//! `GET /api/search?query=…&language=N` (PrestaShop's `Search::find` in its ajax form, as
//! the webservice calls it): at most ten products by relevance, then their categories.

use super::config::Config;
use super::words::query_words;
use crate::catalog::Resource;
use crate::engine::params::Display;
use crate::engine::read;
use crate::engine::render::{xml, Entity, Format, Projection, RenderCtx};
use crate::engine::{ApiError, ApiResult, Ctx, Engine, Reply, Request};
use crate::storage::search::{Prefix, Scope, SearchRead};
use crate::storage::{Reader, Select, StorageResult, Value};

/// Products a search returns at most (the front office's quick search).
const LIMIT: u64 = 10;

pub fn answer(e: &Engine, req: &Request, ctx: &Ctx) -> ApiResult<Reply> {
    let (Some(query), Some(language)) =
        (req.params.get_str("query"), req.params.get_str("language"))
    else {
        return Err(ApiError::bad_request(
            100,
            "You have to set both the 'language' and 'query' parameters to get a result",
        ));
    };
    // A single language id; the language parameter was already checked by the engine.
    let lang = language
        .trim()
        .parse::<i64>()
        .ok()
        .or_else(|| ctx.langs.first().copied())
        .unwrap_or(ctx.info.default_lang);
    let scope = Scope {
        lang,
        shop: ctx.db.shop,
    };
    let (products, categories) = e.store.reading(|rd| -> ApiResult<_> {
        let cfg = Config::load(rd)?;
        let ids = find(rd, &cfg, scope, query)?;
        let cats = categories_of(rd, &ids)?;
        Ok((ids, cats))
    })?;
    render(e, req, ctx, &products, &categories)
}

/// Distinct words of a query looked up at most.
const MAX_WORDS: usize = 32;

/// Index rows a word's count stops at: enough to tell a rare word from a common one, cheap
/// for a word every product has.
const COUNT_CAP: u64 = 100;

/// The ids of the products found, best first.
fn find(rd: &mut dyn Reader, cfg: &Config, scope: Scope, query: &str) -> StorageResult<Vec<i64>> {
    let rules = cfg.rules(scope.lang);
    let mut counts: Vec<(String, u64)> = Vec::new();
    let mut any: Vec<Vec<Prefix>> = Vec::new();
    for expression in query.split(';') {
        let mut words: Vec<(u64, Prefix)> = Vec::new();
        for w in query_words(expression, &rules) {
            let n = match counts.iter().find(|(k, _)| *k == w) {
                Some((_, n)) => *n,
                // Beyond the first words a query is not a search a person types: they are
                // ignored rather than looked up (every word is a statement, and a range in
                // the ranking statement, whose bound values are limited).
                None if counts.len() >= MAX_WORDS => continue,
                None => {
                    let p = Prefix::new(&w);
                    let n = rd
                        .search(&SearchRead::Count {
                            scope,
                            prefix: &p,
                            cap: COUNT_CAP,
                        })?
                        .first()
                        .and_then(|r| r.first())
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    let n = u64::try_from(n).unwrap_or(0);
                    counts.push((w.clone(), n));
                    n
                }
            };
            // A word no searchable product has is ignored, as PrestaShop does once its
            // fuzzy fallback finds nothing either.
            let p = Prefix::new(&w);
            if n > 0 && !words.iter().any(|(_, q)| *q == p) {
                words.push((n, p));
            }
        }
        // The rarest word first: the expression's products are found from it.
        words.sort_by_key(|(n, _)| *n);
        let words: Vec<Prefix> = words.into_iter().map(|(_, p)| p).collect();
        if !words.is_empty() && !any.contains(&words) {
            any.push(words);
        }
    }
    if any.is_empty() {
        return Ok(Vec::new());
    }
    // Relevance from the index alone, then which of the best the search may show, a page at
    // a time: the eligibility of a product is checked once, not once per index row.
    // A single word of the index (the common case of a one-word query) is read in weight
    // order, without adding up anything.
    let single = match any.as_slice() {
        [words] if words.len() == 1 => {
            let ids = rd.search(&SearchRead::Words {
                scope,
                prefix: &words[0],
                limit: 2,
            })?;
            match ids.as_slice() {
                [one] => one.first().and_then(Value::as_i64),
                _ => None,
            }
        }
        _ => None,
    };
    let mut out = Vec::new();
    let (mut offset, mut count) = (0, 4 * LIMIT);
    loop {
        let page = (offset, count);
        let ranked: Vec<i64> = rd
            .search(&match single {
                Some(word) => SearchRead::Top { word, page },
                None => SearchRead::Rank {
                    scope,
                    any: &any,
                    page,
                },
            })?
            .iter()
            .filter_map(|r| r.first().and_then(Value::as_i64))
            .collect();
        let shown: Vec<i64> = rd
            .search(&SearchRead::Eligible {
                scope,
                products: &ranked,
                group: cfg.visitor_group,
            })?
            .iter()
            .filter_map(|r| r.first().and_then(Value::as_i64))
            .collect();
        for id in &ranked {
            if shown.contains(id) && out.len() < LIMIT as usize {
                out.push(*id);
            }
        }
        if out.len() >= LIMIT as usize || (ranked.len() as u64) < count {
            return Ok(out);
        }
        offset += count;
        // Pages grow: an index full of products the search may not show ends in a few.
        count = (count * 4).min(4096);
    }
}

/// Every category of the products, first seen first (each product's by id).
fn categories_of(rd: &mut dyn Reader, products: &[i64]) -> StorageResult<Vec<i64>> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rd.select(&Select {
        table: "category_product",
        columns: &["id_product", "id_category"],
        order: &["id_category"],
        any: Some((
            "id_product",
            products.iter().map(|p| Value::Int(*p)).collect(),
        )),
        ..Default::default()
    })?;
    let mut out = Vec::new();
    for p in products {
        for r in rows.iter().filter(|r| r[0].as_i64() == Some(*p)) {
            if let Some(c) = r[1].as_i64() {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    Ok(out)
}

/// The two lists under one root, in the request's format: ids with links, or whole entities
/// with `display=full`.
fn render(
    e: &Engine,
    req: &Request,
    ctx: &Ctx,
    products: &[i64],
    categories: &[i64],
) -> ApiResult<Reply> {
    let json = req.format == Format::Json;
    if json && products.is_empty() && categories.is_empty() && e.settings.json_ps_quirks {
        return Ok(Reply::doc(200, b"[]".to_vec()));
    }
    let full = req.params.get_str("display") == Some("full");
    let rc = RenderCtx {
        ws: &ctx.ws,
        langs: &ctx.langs,
        format: req.format,
        json_numbers: e.settings.json_numbers,
    };
    let mut body = Vec::with_capacity(4096);
    if json {
        body.push(b'{');
    } else {
        xml::push(&mut body, xml::HEADER);
    }
    for (n, (api, ids)) in [("products", products), ("categories", categories)]
        .into_iter()
        .enumerate()
    {
        let Some(r) = e.catalog.get(api) else {
            continue;
        };
        let display = if full {
            Display::Full
        } else {
            Display::Minimum
        };
        let proj = read::projection(r, &display);
        let ents = entities(e, r, &proj, ids, req, ctx, full)?;
        if json {
            if n > 0 {
                body.push(b',');
            }
            body.extend_from_slice(format!("\"{}\":[", r.plural).as_bytes());
        } else {
            xml::push(&mut body, &format!("<{}>\n", r.plural));
        }
        for (i, ent) in ents.iter().enumerate() {
            if json && i > 0 {
                body.push(b',');
            }
            read::write_item(&mut body, r, &proj, ent, &rc, json);
        }
        if json {
            body.push(b']');
        } else {
            xml::push(&mut body, &format!("</{}>\n", r.plural));
        }
    }
    if json {
        body.push(b'}');
    } else {
        xml::push(&mut body, xml::FOOTER);
    }
    Ok(Reply::doc(200, body))
}

/// The entities of `ids`, in that order.
fn entities(
    e: &Engine,
    r: &Resource,
    proj: &Projection,
    ids: &[i64],
    req: &Request,
    ctx: &Ctx,
    full: bool,
) -> ApiResult<Vec<Entity>> {
    if !full || ids.is_empty() {
        return Ok(ids
            .iter()
            .map(|id| Entity {
                id: *id,
                cells: Vec::new(),
                assocs: Vec::new(),
                virtuals: Vec::new(),
            })
            .collect());
    }
    let mut ents = read::load(e, r, proj, ids, ctx, false)?;
    e.store
        .reading(|rd| read::fill_computed(e, rd, r, proj, &mut ents, &req.params, ctx))?;
    ents.sort_by_key(|ent| ids.iter().position(|id| *id == ent.id));
    Ok(ents)
}
