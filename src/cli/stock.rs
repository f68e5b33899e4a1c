//! `shopws stock recount`: the reserved and physical quantities of every stock row summed
//! again from the orders. shopws keeps them up to date on every order and state change it
//! makes; orders written behind its back (an import, SQL, a module of a shop it is attached
//! to that does not maintain them) leave them off until this is run.

use clap::Subcommand;

use super::{open_store, seed_if_empty, Global};

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum StockAction {
    /// Sum reserved quantities again from the orders (physical = available + reserved).
    Recount,
}

pub fn run(g: &Global, action: StockAction) -> anyhow::Result<()> {
    let StockAction::Recount = action;
    let store = open_store(g)?;
    seed_if_empty(store.as_ref(), g, false)?;
    let started = std::time::Instant::now();
    store.write(&mut |tx| crate::engine::special::orders::recount_reserved(tx))?;
    println!(
        "reserved quantities recounted in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
