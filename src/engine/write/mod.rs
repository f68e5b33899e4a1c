//! POST, PUT, PATCH and DELETE on normal resources (protocol §6).

pub mod body;
mod entity;
mod persist;
mod staging;
mod validate;
pub mod validators;

pub use entity::{create, delete, save_values, update};
pub use staging::Staged;
