//! Storage errors, mapped to meaning once: the engine never sees a driver error type.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with an existing row: {0}")]
    Conflict(String),
    #[error("database busy")]
    Busy,
    /// The database cannot be reached (down, restarting, out of connections).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    /// The database cannot be used as asked (wrong URL or credentials, not PrestaShop's, a
    /// version shopws does not serve): said once, at start.
    #[error("{0}")]
    Refused(String),
    /// The caller's code inside a read or a transaction failed with an error of its own,
    /// carried out unchanged (see `Store::transaction`).
    #[error("aborted: {0}")]
    Aborted(Box<dyn std::error::Error + Send + Sync>),
    #[error("database error: {0}")]
    Other(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

impl StorageError {
    pub fn abort(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StorageError::Aborted(Box::new(e))
    }

    /// The caller's own error back, when this is one of its type.
    pub fn into_caller<E: std::error::Error + 'static>(self) -> Result<E, StorageError> {
        match self {
            StorageError::Aborted(b) => match b.downcast::<E>() {
                Ok(e) => Ok(*e),
                Err(b) => Err(StorageError::Aborted(b)),
            },
            other => Err(other),
        }
    }
}
