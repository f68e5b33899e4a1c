//! Webservice accounts: keys, their status and their permissions.
//!
//! PrestaShop's own tables hold the account (`webservice_account`, `webservice_permission`,
//! `webservice_account_shop`) exactly as PrestaShop writes them, except that the key column
//! holds a placeholder: the key itself is only kept as a peppered digest in
//! `shopws_key_credential`. The CLI and the back office both go through this module.
//!
//! - `model`: the account, its secrets, what authentication learns about a key, the inputs
//!   of creation and edition, the error type;
//! - `policy`: shopws's own limits on a key (IP allowlist, rate limit);
//! - `permissions`: permission sets against the catalog, presets, summaries and diffs;
//! - `queries`: reads; `commands`: creation, deletion and use; `edit`: changes to a key;
//!   `rotation`: new secrets with an overlap — every write with its audit row;
//! - [`transfer`]: a key's configuration as JSON without its secret (export, strict import);
//! - [`key`]: generating, checking and digesting keys; [`KeyCache`]: lookups per request.

mod commands;
mod edit;
pub mod key;
mod key_cache;
mod model;
mod permissions;
mod policy;
mod queries;
mod rotation;
mod sealing;
#[cfg(test)]
mod testing;
pub mod transfer;

pub use commands::{audit_key, create, delete, touch};
pub use edit::{set_active, set_permissions, set_policy, update};
pub use key::{KeyError, Pepper};
pub use key_cache::{KeyCache, KeyRefusal, KeyVerdict};
pub use model::{Account, AccountError, Credential, KeyInfo, KeyUpdate, NewKey, Permissions};
pub use permissions::{
    all_permissions, clean_permissions, parse_grants, permission_diff, permission_summary,
    read_only_permissions,
};
pub use policy::{parse_allowlist, Policy};
pub use queries::{get, list, lookup, resolve, shops};
pub use rotation::rotate;
pub use sealing::seal;
