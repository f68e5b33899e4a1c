//! POST, PUT, PATCH and DELETE on normal resources (protocol §6).

pub mod body;
mod entity;
mod validate;
pub mod validators;

pub use entity::{create, delete, update, Staged};
