//! Builds PrestaShop's search index (`search_word`, `search_index`) for products, set-wise:
//! the texts of a batch of products are read with one statement per table, their words
//! weighed in memory, and the rows written together. One product written through `/api/` is
//! a batch of one; a whole catalogue is batches of [`BATCH`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::config::Config;
use super::texts::Texts;
use crate::storage::{Existing, Select, StorageResult, Tx, Value};

/// Products per batch: every statement's `IN` list stays short.
pub const BATCH: usize = 500;

/// Re-indexes `products` in every shop and language: their index rows are replaced, those
/// not active or not visible in search lose theirs, and `indexed` says which are indexed.
/// `except` is a combination being deleted, whose texts no longer count. `fresh`: the
/// products have no index rows yet (a new catalogue), so none are deleted first.
pub fn reindex(
    tx: &mut dyn Tx,
    cfg: &Config,
    products: &[i64],
    except: Option<i64>,
    fresh: bool,
) -> StorageResult<()> {
    let langs = &cfg.langs;
    let mut words = WordIds::default();
    for batch in products.chunks(BATCH) {
        if !fresh {
            for id in batch {
                tx.delete("search_index", &[("id_product", Value::Int(*id))])?;
            }
        }
        let texts = Texts::load(tx, batch, except)?;
        let mut weighed: Vec<Weighed> = Vec::new();
        let mut shops_indexed: HashMap<i64, Vec<(i64, bool)>> = HashMap::new();
        for ps in &texts.shops {
            let eligible = ps.active && ps.visible;
            shops_indexed
                .entry(ps.product)
                .or_default()
                .push((ps.shop, eligible));
            if !eligible {
                continue;
            }
            for &lang in langs {
                let w = texts.weigh(cfg, ps, lang);
                if !w.is_empty() {
                    weighed.push((ps.product, (lang, ps.shop), w));
                }
            }
        }
        words.resolve(
            tx,
            weighed
                .iter()
                .flat_map(|(_, scope, w)| w.keys().map(move |k| (*scope, k.as_str()))),
        )?;
        let mut rows = Vec::new();
        for (product, scope, w) in &weighed {
            for (word, weight) in w {
                if let Some(id) = words.get(*scope, word) {
                    rows.push(vec![
                        Value::Int(*product),
                        Value::Int(id),
                        Value::Int((*weight).clamp(0, 65_535)),
                    ]);
                }
            }
        }
        tx.insert_rows(
            "search_index",
            &["id_product", "id_word", "weight"],
            &rows,
            Existing::Fail,
        )?;
        mark_indexed(tx, &texts, &shops_indexed)?;
    }
    Ok(())
}

/// Takes products out of the search (PS_SEARCH_INDEXATION off: PrestaShop's search skips
/// products not marked indexed; deleted ones lose their rows).
pub fn unindex(tx: &mut dyn Tx, product: i64, remove_rows: bool) -> StorageResult<()> {
    if remove_rows {
        tx.delete("search_index", &[("id_product", Value::Int(product))])?;
    }
    let key = [("id_product", Value::Int(product))];
    tx.update("product", &[("indexed", Value::Int(0))], &key)?;
    tx.update("product_shop", &[("indexed", Value::Int(0))], &key)?;
    Ok(())
}

fn mark_indexed(
    tx: &mut dyn Tx,
    texts: &Texts,
    shops: &HashMap<i64, Vec<(i64, bool)>>,
) -> StorageResult<()> {
    for ps in &texts.shops {
        let want = shops
            .get(&ps.product)
            .and_then(|v| v.iter().find(|(s, _)| *s == ps.shop))
            .is_some_and(|(_, e)| *e);
        if ps.indexed != want {
            tx.update(
                "product_shop",
                &[("indexed", Value::Int(i64::from(want)))],
                &[
                    ("id_product", Value::Int(ps.product)),
                    ("id_shop", Value::Int(ps.shop)),
                ],
            )?;
        }
    }
    for (id, p) in &texts.products {
        let want = shops.get(id).is_some_and(|v| v.iter().any(|(_, e)| *e));
        if p.indexed != want {
            tx.update(
                "product",
                &[("indexed", Value::Int(i64::from(want)))],
                &[("id_product", Value::Int(*id))],
            )?;
        }
    }
    Ok(())
}

/// One product's words in one (language, shop): (product, (lang, shop), word → weight).
type Weighed = (i64, (i64, i64), HashMap<String, i64>);

/// Word ids by (language, shop) and word, found or created as batches need them.
#[derive(Default)]
struct WordIds {
    known: HashMap<(i64, i64), HashMap<String, i64>>,
}

impl WordIds {
    fn get(&self, scope: (i64, i64), word: &str) -> Option<i64> {
        self.known.get(&scope).and_then(|m| m.get(word)).copied()
    }

    /// Finds (or creates) the ids of the words wanted, with a few statements per shop
    /// whatever the number of languages: one lookup, one insert of the new words, one lookup
    /// of those.
    fn resolve<'w>(
        &mut self,
        tx: &mut dyn Tx,
        wanted: impl Iterator<Item = ((i64, i64), &'w str)>,
    ) -> StorageResult<()> {
        // By shop, (language, word) in a fixed order: writers on several nodes insert the
        // same words in the same order, so they wait on one another rather than deadlock.
        let mut missing: BTreeMap<i64, BTreeSet<(i64, &'w str)>> = BTreeMap::new();
        for ((lang, shop), w) in wanted {
            if self.get((lang, shop), w).is_none() {
                missing.entry(shop).or_default().insert((lang, w));
            }
        }
        for (shop, pairs) in missing {
            let pairs: Vec<(i64, &str)> = pairs.into_iter().collect();
            self.lookup(tx, shop, &pairs)?;
            let new: Vec<(i64, &str)> = pairs
                .iter()
                .copied()
                .filter(|(lang, w)| self.get((*lang, shop), w).is_none())
                .collect();
            if new.is_empty() {
                continue;
            }
            // Another writer may add the same word meanwhile (several nodes on one MySQL
            // database): a word already there is kept, never duplicated.
            let rows: Vec<Vec<Value>> = new
                .iter()
                .map(|(lang, w)| vec![Value::Int(shop), Value::Int(*lang), Value::from(*w)])
                .collect();
            tx.insert_rows(
                "search_word",
                &["id_shop", "id_lang", "word"],
                &rows,
                Existing::Keep,
            )?;
            self.lookup(tx, shop, &new)?;
        }
        Ok(())
    }

    /// Reads the ids of `pairs` (language, word) of `shop`: one statement per [`BATCH`]
    /// distinct words, every language at once.
    fn lookup(&mut self, tx: &mut dyn Tx, shop: i64, pairs: &[(i64, &str)]) -> StorageResult<()> {
        let wanted: HashSet<(i64, &str)> = pairs.iter().copied().collect();
        let mut langs: Vec<i64> = pairs.iter().map(|(l, _)| *l).collect();
        langs.sort_unstable();
        langs.dedup();
        // The languages are named so that PrestaShop's key (id_lang, id_shop, word) serves.
        let langs: Vec<Value> = langs.into_iter().map(Value::Int).collect();
        let mut words: Vec<&str> = pairs.iter().map(|(_, w)| *w).collect();
        words.sort_unstable();
        words.dedup();
        for chunk in words.chunks(BATCH) {
            for r in tx.select(&Select {
                table: "search_word",
                columns: &["id_word", "word", "id_lang"],
                key: vec![("id_shop", Value::Int(shop))],
                any: Some(("id_lang", langs.clone())),
                any_also: Some(("word", chunk.iter().map(|w| Value::from(*w)).collect())),
                ..Default::default()
            })? {
                let (Some(id), Some(lang)) = (r[0].as_i64(), r[2].as_i64()) else {
                    continue;
                };
                let word = r[1].to_text();
                if wanted.contains(&(lang, word.as_str())) {
                    self.known.entry((lang, shop)).or_default().insert(word, id);
                }
            }
        }
        Ok(())
    }
}
