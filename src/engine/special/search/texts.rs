//! What the index is made of: the texts of a batch of products (names, descriptions,
//! references, category, manufacturer, tags, attributes, features), read with one statement
//! per table, and the words and weights of one product in one shop and language.

use std::collections::HashMap;

use super::config::Config;
use super::words::index_words;
use crate::storage::{Select, StorageResult, Tx, Value};

/// A product's row in one shop: whether the search may show it there, and its category.
pub(super) struct ProductShop {
    pub product: i64,
    pub shop: i64,
    pub active: bool,
    pub visible: bool,
    pub indexed: bool,
    category: i64,
}

/// A product's own row: its references and manufacturer.
pub(super) struct Product {
    references: Vec<String>,
    manufacturer: i64,
    pub indexed: bool,
}

/// The texts of a batch of products, by product.
#[derive(Default)]
pub(super) struct Texts {
    pub shops: Vec<ProductShop>,
    pub products: HashMap<i64, Product>,
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
    pub fn load(tx: &mut dyn Tx, batch: &[i64], except: Option<i64>) -> StorageResult<Texts> {
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
    pub fn weigh(&self, cfg: &Config, ps: &ProductShop, lang: i64) -> HashMap<String, i64> {
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
