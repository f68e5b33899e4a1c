//! Builds PrestaShop's search index (`search_word`, `search_index`) for products, set-wise:
//! the texts of a batch of products are read with one statement per table, their words
//! weighed in memory, and the rows written together. One product written through `/api/` is
//! a batch of one; a whole catalogue is batches of [`BATCH`].

use std::collections::{HashMap, HashSet};

use super::config::Config;
use super::words::index_words;
use crate::storage::{Select, StorageResult, Tx, Value};

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
    let langs: Vec<i64> = tx
        .select(&Select {
            table: "lang",
            columns: &["id_lang"],
            order: &["id_lang"],
            ..Default::default()
        })?
        .iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
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
            for &lang in &langs {
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
        tx.insert_rows("search_index", &["id_product", "id_word", "weight"], &rows)?;
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

    fn resolve<'w>(
        &mut self,
        tx: &mut dyn Tx,
        wanted: impl Iterator<Item = ((i64, i64), &'w str)>,
    ) -> StorageResult<()> {
        let mut missing: HashMap<(i64, i64), HashSet<&'w str>> = HashMap::new();
        for (scope, w) in wanted {
            if self.get(scope, w).is_none() {
                missing.entry(scope).or_default().insert(w);
            }
        }
        for (scope, words) in missing {
            let mut words: Vec<&str> = words.into_iter().collect();
            words.sort_unstable();
            self.lookup(tx, scope, &words)?;
            let new: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| self.get(scope, w).is_none())
                .collect();
            if new.is_empty() {
                continue;
            }
            // Another writer may add the same word meanwhile (several nodes on one MySQL
            // database): a word already there is kept, never duplicated.
            for w in &new {
                tx.insert_ignore(
                    "search_word",
                    &[
                        ("id_shop", Value::Int(scope.1)),
                        ("id_lang", Value::Int(scope.0)),
                        ("word", Value::from(*w)),
                    ],
                )?;
            }
            self.lookup(tx, scope, &new)?;
        }
        Ok(())
    }

    fn lookup(&mut self, tx: &mut dyn Tx, scope: (i64, i64), words: &[&str]) -> StorageResult<()> {
        let known = self.known.entry(scope).or_default();
        for chunk in words.chunks(BATCH) {
            for r in tx.select(&Select {
                table: "search_word",
                columns: &["id_word", "word"],
                key: vec![
                    ("id_lang", Value::Int(scope.0)),
                    ("id_shop", Value::Int(scope.1)),
                ],
                any: Some(("word", chunk.iter().map(|w| Value::from(*w)).collect())),
                ..Default::default()
            })? {
                if let Some(id) = r[0].as_i64() {
                    known.insert(r[1].to_text(), id);
                }
            }
        }
        Ok(())
    }
}

struct ProductShop {
    product: i64,
    shop: i64,
    active: bool,
    visible: bool,
    indexed: bool,
    category: i64,
}

struct Product {
    references: Vec<String>,
    manufacturer: i64,
    indexed: bool,
}

/// The texts of a batch of products, by product.
#[derive(Default)]
struct Texts {
    shops: Vec<ProductShop>,
    products: HashMap<i64, Product>,
    /// (product, shop, lang) → name, short description, description
    langs: HashMap<(i64, i64, i64), [String; 3]>,
    /// (category, shop, lang) → name
    categories: HashMap<(i64, i64, i64), String>,
    manufacturers: HashMap<i64, String>,
    /// (product, lang) → tag names
    tags: HashMap<(i64, i64), Vec<String>>,
    /// product → combination references
    combo_refs: HashMap<i64, Vec<String>>,
    /// (product, lang) → attribute names of its combinations
    attributes: HashMap<(i64, i64), Vec<String>>,
    /// (product, lang) → feature values
    features: HashMap<(i64, i64), Vec<String>>,
}

const REFERENCES: [&str; 6] = [
    "reference",
    "supplier_reference",
    "ean13",
    "isbn",
    "upc",
    "mpn",
];

fn ints(ids: impl IntoIterator<Item = i64>) -> Vec<Value> {
    let set: std::collections::BTreeSet<i64> = ids.into_iter().collect();
    set.into_iter().map(Value::Int).collect()
}

/// `SELECT columns FROM table WHERE col IN (any)`.
fn sel<'a>(table: &'a str, columns: &'a [&'a str], col: &'a str, any: Vec<Value>) -> Select<'a> {
    Select {
        table,
        columns,
        any: Some((col, any)),
        ..Default::default()
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

impl Texts {
    fn load(tx: &mut dyn Tx, batch: &[i64], except: Option<i64>) -> StorageResult<Texts> {
        let mut t = Texts::default();
        let ids = ints(batch.iter().copied());
        for r in tx.select(&sel(
            "product_shop",
            &[
                "id_product",
                "id_shop",
                "active",
                "visibility",
                "indexed",
                "id_category_default",
            ],
            "id_product",
            ids.clone(),
        ))? {
            let vis = r[3].to_text();
            t.shops.push(ProductShop {
                product: int(&r[0]),
                shop: int(&r[1]),
                active: int(&r[2]) == 1,
                visible: vis == "both" || vis == "search",
                indexed: int(&r[4]) == 1,
                category: int(&r[5]),
            });
        }
        let mut cols = vec!["id_product", "id_manufacturer", "indexed"];
        cols.extend(REFERENCES);
        for r in tx.select(&sel("product", &cols, "id_product", ids.clone()))? {
            t.products.insert(
                int(&r[0]),
                Product {
                    manufacturer: int(&r[1]),
                    indexed: int(&r[2]) == 1,
                    references: r[3..].iter().map(Value::to_text).collect(),
                },
            );
        }
        for r in tx.select(&sel(
            "product_lang",
            &[
                "id_product",
                "id_shop",
                "id_lang",
                "name",
                "description_short",
                "description",
            ],
            "id_product",
            ids.clone(),
        ))? {
            t.langs.insert(
                (int(&r[0]), int(&r[1]), int(&r[2])),
                [r[3].to_text(), r[4].to_text(), r[5].to_text()],
            );
        }
        let cats = ints(t.shops.iter().map(|s| s.category));
        for r in tx.select(&sel(
            "category_lang",
            &["id_category", "id_shop", "id_lang", "name"],
            "id_category",
            cats,
        ))? {
            t.categories
                .insert((int(&r[0]), int(&r[1]), int(&r[2])), r[3].to_text());
        }
        let makers = ints(
            t.products
                .values()
                .map(|p| p.manufacturer)
                .filter(|m| *m > 0),
        );
        for r in tx.select(&sel(
            "manufacturer",
            &["id_manufacturer", "name"],
            "id_manufacturer",
            makers,
        ))? {
            t.manufacturers.insert(int(&r[0]), r[1].to_text());
        }
        let links = tx.select(&sel(
            "product_tag",
            &["id_product", "id_tag", "id_lang"],
            "id_product",
            ids.clone(),
        ))?;
        let names: HashMap<i64, String> = tx
            .select(&sel(
                "tag",
                &["id_tag", "name"],
                "id_tag",
                ints(links.iter().map(|r| int(&r[1]))),
            ))?
            .into_iter()
            .map(|r| (int(&r[0]), r[1].to_text()))
            .collect();
        for r in &links {
            if let Some(n) = names.get(&int(&r[1])) {
                t.tags
                    .entry((int(&r[0]), int(&r[2])))
                    .or_default()
                    .push(n.clone());
            }
        }
        t.load_combinations(tx, &ids, except)?;
        t.load_features(tx, &ids)?;
        Ok(t)
    }

    fn load_combinations(
        &mut self,
        tx: &mut dyn Tx,
        ids: &[Value],
        except: Option<i64>,
    ) -> StorageResult<()> {
        let mut cols = vec!["id_product_attribute", "id_product"];
        cols.extend(REFERENCES);
        let combos: Vec<Vec<Value>> = tx
            .select(&Select {
                table: "product_attribute",
                columns: &cols,
                any: Some(("id_product", ids.to_vec())),
                ..Default::default()
            })?
            .into_iter()
            .filter(|r| Some(int(&r[0])) != except)
            .collect();
        if combos.is_empty() {
            return Ok(());
        }
        let owner: HashMap<i64, i64> = combos.iter().map(|r| (int(&r[0]), int(&r[1]))).collect();
        for r in &combos {
            self.combo_refs
                .entry(int(&r[1]))
                .or_default()
                .extend(r[2..].iter().map(Value::to_text));
        }
        let pairs = tx.select(&Select {
            table: "product_attribute_combination",
            columns: &["id_attribute", "id_product_attribute"],
            any: Some(("id_product_attribute", ints(owner.keys().copied()))),
            ..Default::default()
        })?;
        let names = tx.select(&Select {
            table: "attribute_lang",
            columns: &["id_attribute", "id_lang", "name"],
            any: Some(("id_attribute", ints(pairs.iter().map(|r| int(&r[0]))))),
            ..Default::default()
        })?;
        let mut by_attribute: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for r in names {
            by_attribute
                .entry(int(&r[0]))
                .or_default()
                .push((int(&r[1]), r[2].to_text()));
        }
        for r in &pairs {
            let Some(product) = owner.get(&int(&r[1])) else {
                continue;
            };
            for (lang, name) in by_attribute.get(&int(&r[0])).into_iter().flatten() {
                self.attributes
                    .entry((*product, *lang))
                    .or_default()
                    .push(name.clone());
            }
        }
        Ok(())
    }

    fn load_features(&mut self, tx: &mut dyn Tx, ids: &[Value]) -> StorageResult<()> {
        let links = tx.select(&Select {
            table: "feature_product",
            columns: &["id_product", "id_feature_value"],
            any: Some(("id_product", ids.to_vec())),
            ..Default::default()
        })?;
        if links.is_empty() {
            return Ok(());
        }
        let mut values: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for r in tx.select(&Select {
            table: "feature_value_lang",
            columns: &["id_feature_value", "id_lang", "value"],
            any: Some(("id_feature_value", ints(links.iter().map(|r| int(&r[1]))))),
            ..Default::default()
        })? {
            values
                .entry(int(&r[0]))
                .or_default()
                .push((int(&r[1]), r[2].to_text()));
        }
        for r in &links {
            for (lang, v) in values.get(&int(&r[1])).into_iter().flatten() {
                self.features
                    .entry((int(&r[0]), *lang))
                    .or_default()
                    .push(v.clone());
            }
        }
        Ok(())
    }

    /// Word → weight for one product in one shop and language (Search::indexation).
    fn weigh(&self, cfg: &Config, ps: &ProductShop, lang: i64) -> HashMap<String, i64> {
        let rules = cfg.rules(lang);
        let mut out: HashMap<String, i64> = HashMap::new();
        let mut add = |text: &str, weight: i64| {
            if weight <= 0 || text.is_empty() {
                return;
            }
            for w in index_words(text, &rules) {
                *out.entry(w).or_insert(0) += weight;
            }
        };
        let p = ps.product;
        if let Some([name, short, desc]) = self.langs.get(&(p, ps.shop, lang)) {
            add(name, cfg.pname);
            add(short, cfg.shortdesc);
            add(desc, cfg.desc);
        }
        if let Some(c) = self.categories.get(&(ps.category, ps.shop, lang)) {
            add(c, cfg.cname);
        }
        if let Some(prod) = self.products.get(&p) {
            if let Some(m) = self.manufacturers.get(&prod.manufacturer) {
                add(m, cfg.mname);
            }
            for r in &prod.references {
                add(r, cfg.reference);
            }
        }
        for r in self.combo_refs.get(&p).into_iter().flatten() {
            add(r, cfg.reference);
        }
        for t in self.tags.get(&(p, lang)).into_iter().flatten() {
            add(t, cfg.tag);
        }
        for a in self.attributes.get(&(p, lang)).into_iter().flatten() {
            add(a, cfg.attribute);
        }
        for f in self.features.get(&(p, lang)).into_iter().flatten() {
            add(f, cfg.feature);
        }
        out
    }
}
