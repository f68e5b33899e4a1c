//! Output writers: PrestaShop's XML and JSON documents.

pub mod entity;
pub mod json;
pub mod root;
pub mod schema;
pub mod xml;

pub use entity::{Cell, Entity, Projection, RenderCtx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml;charset=UTF-8",
            Format::Json => "application/json",
        }
    }
}
