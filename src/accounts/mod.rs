//! Webservice accounts: keys, their status and their permissions.
//!
//! PrestaShop's own tables hold the account (`webservice_account`, `webservice_permission`,
//! `webservice_account_shop`) exactly as PrestaShop writes them, except that the key column
//! holds a placeholder: the key itself is only kept as a peppered digest in
//! `shopws_key_credential`. The CLI and the back office both go through this module.

pub mod key;
mod key_cache;

mod commands;

pub use commands::*;
pub use key::{KeyError, Pepper};
pub use key_cache::{KeyCache, KeyRefusal, KeyVerdict};
