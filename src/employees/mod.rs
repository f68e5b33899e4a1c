//! Back-office employees: Argon2id password hashes (re-hashed at login when the parameters
//! change, at most four computed at once), a NIST SP 800-63B style password policy, e-mails
//! compared case-insensitively, and two roles.
//!
//! Used by the CLI (`shopws admin`) and the back office alike; it knows nothing of HTTP.
//!
//! - [`policy`]: which passwords and e-mail addresses are accepted;
//! - [`hashing`]: Argon2id hashes, their verification, and the bound on concurrent hashing;
//! - [`store`]: employees in the database (create, change password, list, authenticate).

pub mod hashing;
pub mod policy;
mod seal;
pub mod store;
pub mod totp;

pub use hashing::{hash_password, needs_rehash, verify_password};
pub use policy::{check_password, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use store::{authenticate, create, get, list, set_password, verify};

use crate::storage::StorageError;

/// Every back-office right.
pub const ROLE_ADMIN: &str = "admin";
/// Read-only in the back office.
pub const ROLE_VIEWER: &str = "viewer";

#[derive(Debug, thiserror::Error)]
pub enum EmployeeError {
    #[error("the e-mail address is not valid")]
    Email,
    #[error("the password must have at least 12 characters")]
    WeakPassword,
    #[error("the password must have at most 128 characters")]
    LongPassword,
    #[error("this password is too common; choose another one")]
    CommonPassword,
    #[error("the password must not be the e-mail address")]
    PasswordIsEmail,
    #[error("unknown role (expected admin or viewer)")]
    Role,
    #[error("an employee with this e-mail already exists")]
    Exists,
    #[error("no employee has this e-mail address")]
    NotFound,
    #[error("password hashing failed")]
    Hash,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// An enabled employee.
#[derive(Debug, Clone)]
pub struct Employee {
    pub id: i64,
    pub email: String,
    pub role: String,
}

impl Employee {
    pub fn is_admin(&self) -> bool {
        self.role == ROLE_ADMIN
    }
}

/// One line of `shopws admin list`.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub last_login_at: Option<String>,
}
