//! The key form (new and edit), its validation with PrestaShop's messages, the reveal page,
//! and rotation: [`input`] turns the posted form into checked settings, [`handlers`] answers
//! the pages and carries out the changes; [`key_test`] answers "Test this key" and
//! [`key_transfer`] exports and imports a key's permissions.

mod handlers;
mod input;
mod key_test;
mod key_transfer;

pub use handlers::{create, edit, new, rotate, update};
pub use key_test::test;
pub use key_transfer::{export, import, import_new};
