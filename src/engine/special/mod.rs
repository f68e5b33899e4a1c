//! Resources with behaviour beyond generic CRUD: one module each, implementing
//! [`Behaviour`](super::behaviour::Behaviour), all registered in [`registry`].

pub mod attachments;
pub mod carriers;
pub mod carts;
pub mod categories;
pub mod category_counts;
pub mod checkout;
pub mod customers;
pub mod images;
pub mod leftovers;
pub mod order_carriers;
pub mod orders;
pub mod price;
pub mod product_setters;
pub mod products;
pub mod search;
pub mod slug;
pub mod stock;

use super::behaviour::Registry;
pub use super::write::Staged;
use crate::storage::Value;

/// Every resource behaviour, by resource. Several may share a resource; they run in the
/// order given here.
pub fn registry() -> Registry {
    let mut r = Registry::default();
    r.add(&["images"], &images::Images)
        .add(&["search"], &search::Search)
        .add(&["attachments"], &attachments::Attachments)
        .add(&["customers", "employees"], &customers::Passwords)
        .add(&["customers"], &customers::Customers)
        .add(&["categories"], &categories::Categories)
        .add(&["categories"], &category_counts::ProductCounts)
        .add(&["products"], &products::Products)
        .add(&["products"], &images::ProductPictures)
        .add(
            &["categories", "manufacturers", "suppliers", "stores"],
            &images::EntityPictures,
        )
        .add(&["products", "combinations"], &price::Prices)
        .add(&["combinations"], &stock::Combinations)
        .add(&["stock_availables"], &stock::StockRows)
        // The order is built from its cart before the other order rules run on it.
        .add(&["orders"], &checkout::PlaceOrder)
        .add(&["orders"], &orders::Orders)
        .add(&["order_histories"], &orders::OrderHistories)
        .add(&["order_carriers"], &order_carriers::OrderCarriers)
        .add(&["carriers"], &carriers::Carriers)
        .add(&["carts"], &carts::Carts)
        // Last: the index reads what the others wrote.
        .add(&["products", "combinations"], &search::Reindex);
    r
}

/// A stored integer; 0 for NULL or text that is not one (ids, flags, positions).
fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}
