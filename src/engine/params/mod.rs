//! Typed listing parameters. Parsing turns request text into values that can only name
//! catalog fields, so nothing a client sends reaches SQL except as a bound value.

pub mod display;
pub mod filter;
pub mod language;
pub mod limit;
pub mod query;
pub mod sort;

pub use display::Display;
pub use query::{Param, Params};

#[cfg(test)]
mod props;
