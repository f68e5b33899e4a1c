//! `shopws search reindex [--all]`: builds the search index of products PrestaShop left
//! unindexed (`indexed = 0`: a shop whose products were imported, or written while
//! PS_SEARCH_INDEXATION was off), or of every product.

use clap::Subcommand;

use super::{open_store, seed_if_empty, Global};
use crate::engine::special::search::{index, Config};
use crate::storage::Select;

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum SearchAction {
    /// Index the products not marked indexed (with --all: every product, rebuilt).
    Reindex {
        #[arg(long)]
        all: bool,
    },
}

/// Products per transaction: a long rebuild never holds the writer for long at once.
const PER_TRANSACTION: usize = 5_000;

pub fn run(g: &Global, action: SearchAction) -> anyhow::Result<()> {
    let SearchAction::Reindex { all } = action;
    let store = open_store(g)?;
    seed_if_empty(store.as_ref(), g, false)?;
    let started = std::time::Instant::now();
    let mut ids: Vec<i64> = Vec::new();
    store.read(&mut |r| {
        ids = r
            .select(&Select {
                table: "product",
                columns: &["id_product", "indexed"],
                order: &["id_product"],
                ..Default::default()
            })?
            .iter()
            .filter(|row| all || row[1].as_i64() != Some(1))
            .filter_map(|row| row[0].as_i64())
            .collect();
        Ok(())
    })?;
    let total = ids.len();
    let mut done = 0;
    for chunk in ids.chunks(PER_TRANSACTION) {
        store.write(&mut |tx| {
            let cfg = Config::load(tx)?;
            index::reindex(tx, &cfg, chunk, None, false)
        })?;
        done += chunk.len();
        eprint!("\r{done} / {total} products");
    }
    eprintln!();
    println!(
        "indexed {total} products in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
