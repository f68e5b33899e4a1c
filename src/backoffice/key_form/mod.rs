//! The key form (new and edit), its validation with PrestaShop's messages, the reveal page,
//! and rotation: [`input`] turns the posted form into checked settings, [`handlers`] answers
//! the pages and carries out the changes.

mod handlers;
mod input;

pub use handlers::{create, edit, new, rotate, update};
