//! `shopws demo --products N`: a deterministic large catalogue for benchmarks and load tests.
//! Every value derives from the product's index, so two runs give identical databases.

use clap::Args;

use super::{open_store, seed_if_empty, Global};
use crate::engine::special::search;
use crate::storage::{Select, Store, Tx, Value};

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many products to add.
    #[arg(long, env = "SHOPWS_DEMO_PRODUCTS")]
    pub products: u64,
    /// Every Nth product gets two combinations and an image (0: none).
    #[arg(long, env = "SHOPWS_DEMO_COMBINATIONS_EVERY", default_value_t = 10)]
    pub combinations_every: u64,
    /// The pictures' folder (as `serve --images-dir`). Every picture row gets a drawn
    /// picture; a dozen sets are drawn and shared through hard links.
    #[arg(long, env = "SHOPWS_IMAGES_DIR", value_name = "DIR")]
    pub images_dir: Option<std::path::PathBuf>,
    /// Draw the pictures (`--pictures false`: rows only).
    #[arg(long, env = "SHOPWS_DEMO_PICTURES", default_value_t = true, action = clap::ArgAction::Set)]
    pub pictures: bool,
}

/// Rows per transaction: bounded WAL growth on million-row runs.
const BATCH: u64 = 20_000;

fn product(
    tx: &mut dyn Tx,
    i: u64,
    langs: &[i64],
    shops: &[i64],
    with_combos: bool,
) -> crate::storage::StorageResult<()> {
    let now = "2025-01-01 00:00:00";
    let price = Value::Real(5.0 + (i % 9_000) as f64 / 100.0);
    let reference = format!("GEN-{i:08}");
    let category = 2 + (i % 8) as i64 + 1;
    let id = tx.insert(
        "product",
        &[
            ("id_supplier", Value::Int(0)),
            ("id_manufacturer", Value::Int((i % 2 + 1) as i64)),
            ("id_category_default", Value::Int(category)),
            ("id_shop_default", Value::Int(1)),
            ("id_tax_rules_group", Value::Int(1)),
            ("reference", Value::from(reference.as_str())),
            ("price", price.clone()),
            ("wholesale_price", Value::Real(2.5)),
            ("weight", Value::Real(0.3)),
            (
                "product_type",
                Value::from(if with_combos {
                    "combinations"
                } else {
                    "standard"
                }),
            ),
            ("active", Value::Int(1)),
            ("indexed", Value::Int(1)),
            ("visibility", Value::from("both")),
            ("condition", Value::from("new")),
            ("redirect_type", Value::from("default")),
            ("date_add", Value::from(now)),
            ("date_upd", Value::from(now)),
        ],
    )?;
    for shop in shops {
        tx.insert(
            "product_shop",
            &[
                ("id_product", Value::Int(id)),
                ("id_shop", Value::Int(*shop)),
                ("id_category_default", Value::Int(category)),
                ("id_tax_rules_group", Value::Int(1)),
                ("price", price.clone()),
                ("active", Value::Int(1)),
                ("indexed", Value::Int(1)),
                ("visibility", Value::from("both")),
                ("condition", Value::from("new")),
                ("redirect_type", Value::from("default")),
                ("date_add", Value::from(now)),
                ("date_upd", Value::from(now)),
            ],
        )?;
        for lang in langs {
            let name = format!("Generated product {i} ({lang})");
            tx.insert(
                "product_lang",
                &[
                    ("id_product", Value::Int(id)),
                    ("id_shop", Value::Int(*shop)),
                    ("id_lang", Value::Int(*lang)),
                    ("name", Value::from(name.as_str())),
                    (
                        "link_rewrite",
                        Value::from(format!("generated-product-{i}")),
                    ),
                    (
                        "description_short",
                        Value::from("<p>A generated product.</p>"),
                    ),
                    (
                        "description",
                        Value::from("<p>Generated for benchmarks.</p>"),
                    ),
                ],
            )?;
        }
        tx.insert(
            "stock_available",
            &[
                ("id_product", Value::Int(id)),
                ("id_product_attribute", Value::Int(0)),
                ("id_shop", Value::Int(*shop)),
                ("id_shop_group", Value::Int(0)),
                ("quantity", Value::Int((i % 500) as i64)),
            ],
        )?;
    }
    tx.insert(
        "category_product",
        &[
            ("id_category", Value::Int(category)),
            ("id_product", Value::Int(id)),
            ("position", Value::Int(i as i64)),
        ],
    )?;
    tx.insert_ignore(
        "category_product",
        &[
            ("id_category", Value::Int(2)),
            ("id_product", Value::Int(id)),
            ("position", Value::Int(i as i64)),
        ],
    )?;
    if with_combos {
        let image = tx.insert(
            "image",
            &[
                ("id_product", Value::Int(id)),
                ("position", Value::Int(1)),
                ("cover", Value::Int(1)),
            ],
        )?;
        for shop in shops {
            tx.insert(
                "image_shop",
                &[
                    ("id_product", Value::Int(id)),
                    ("id_image", Value::Int(image)),
                    ("id_shop", Value::Int(*shop)),
                    ("cover", Value::Int(1)),
                ],
            )?;
        }
        for (k, attribute) in [1i64, 2].into_iter().enumerate() {
            let pa = tx.insert(
                "product_attribute",
                &[
                    ("id_product", Value::Int(id)),
                    ("reference", Value::from(format!("{reference}-{k}"))),
                    ("price", Value::Real(0.0)),
                    (
                        "default_on",
                        if k == 0 { Value::Int(1) } else { Value::Null },
                    ),
                ],
            )?;
            for shop in shops {
                tx.insert(
                    "product_attribute_shop",
                    &[
                        ("id_product", Value::Int(id)),
                        ("id_product_attribute", Value::Int(pa)),
                        ("id_shop", Value::Int(*shop)),
                        ("price", Value::Real(0.0)),
                        (
                            "default_on",
                            if k == 0 { Value::Int(1) } else { Value::Null },
                        ),
                    ],
                )?;
            }
            tx.insert(
                "product_attribute_combination",
                &[
                    ("id_attribute", Value::Int(attribute)),
                    ("id_product_attribute", Value::Int(pa)),
                ],
            )?;
        }
    }
    Ok(())
}

fn ids(store: &dyn Store, table: &str, col: &str) -> anyhow::Result<Vec<i64>> {
    let mut out = Vec::new();
    store.read(&mut |r| {
        out = r
            .select(&Select {
                table,
                columns: &[col],
                key: vec![],
                order: &[col],
                ..Default::default()
            })?
            .iter()
            .filter_map(|row| row[0].as_i64())
            .collect();
        Ok(())
    })?;
    Ok(out)
}

pub fn run(g: &Global, a: DemoArgs) -> anyhow::Result<()> {
    let store = open_store(g)?;
    seed_if_empty(store.as_ref(), g, true)?;
    let langs = ids(store.as_ref(), "lang", "id_lang")?;
    let shops = ids(store.as_ref(), "shop", "id_shop")?;
    let before = last_product(store.as_ref())?;
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < a.products {
        let end = (done + BATCH).min(a.products);
        store.write(&mut |tx| {
            for i in done..end {
                let combos = a.combinations_every > 0 && i % a.combinations_every == 0;
                product(tx, i, &langs, &shops, combos)?;
            }
            Ok(())
        })?;
        done = end;
        eprint!("\r{done} / {} products", a.products);
    }
    eprintln!();
    println!(
        "added {} products in {:.1} s",
        a.products,
        started.elapsed().as_secs_f64()
    );
    // The new products' search index, set-wise (they have none yet).
    let started = std::time::Instant::now();
    let after = last_product(store.as_ref())?;
    let ids: Vec<i64> = (before + 1..=after).collect();
    for chunk in ids.chunks(BATCH as usize) {
        store.write(&mut |tx| {
            let cfg = search::Config::load(tx)?;
            search::index::reindex(tx, &cfg, chunk, None, true)
        })?;
    }
    println!(
        "indexed {} products for search in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    if !a.pictures {
        return Ok(());
    }
    let pictures = std::time::Instant::now();
    super::demo_pictures(store.as_ref(), g, a.images_dir.as_deref());
    println!(
        "pictures in {}: {:.1} s",
        super::images_dir(g, a.images_dir.as_deref()).display(),
        pictures.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The largest product id (0 when there is none).
fn last_product(store: &dyn Store) -> anyhow::Result<i64> {
    let mut last = 0;
    store.read(&mut |r| {
        last = r
            .max("product", "id_product", &[])?
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        Ok(())
    })?;
    Ok(last)
}
