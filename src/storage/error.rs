//! Storage errors, mapped to meaning once: the engine never sees a driver error type.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with an existing row: {0}")]
    Conflict(String),
    #[error("database busy")]
    Busy,
    #[error("invalid value: {0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type StorageResult<T> = Result<T, StorageError>;
