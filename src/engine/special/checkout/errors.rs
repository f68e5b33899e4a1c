//! What refuses an order, as error documents. PrestaShop answers most of these with a
//! plain-text line and status 200 (or a PHP fatal error); shopws answers each with its own
//! code (1030–1049) and a status that says whose mistake it is. Nothing is written.

use crate::engine::ApiError;

pub fn cart_missing(id: i64) -> ApiError {
    ApiError::new(400, 1030, format!("Cart {id} does not exist"))
}
pub fn cart_ordered(id: i64) -> ApiError {
    ApiError::new(
        409,
        1031,
        format!("Cart cannot be loaded or an order has already been placed using this cart ({id})"),
    )
}
pub fn secure_key() -> ApiError {
    ApiError::new(
        400,
        1032,
        "Error processing order. Secure key does not match: id_customer is not the cart's customer",
    )
}
pub fn module_unknown(name: &str) -> ApiError {
    ApiError::new(
        400,
        1033,
        format!("Payment module \"{name}\" is not installed on this shop"),
    )
}
pub fn module_inactive(name: &str) -> ApiError {
    ApiError::new(
        400,
        1034,
        format!("Error processing order. Payment module \"{name}\" is not active."),
    )
}
pub fn cart_empty(id: i64) -> ApiError {
    ApiError::new(400, 1035, format!("Cart {id} has no products"))
}
pub fn no_carrier(id: i64) -> ApiError {
    ApiError::new(
        400,
        1036,
        format!("No carrier delivers cart {id} to its delivery address"),
    )
}
pub fn country_inactive(id: i64) -> ApiError {
    ApiError::new(
        400,
        1037,
        format!("The delivery address of cart {id} is in a country that is not active"),
    )
}
pub fn out_of_stock(product: i64, attribute: i64, wanted: i64, available: i64) -> ApiError {
    let what = if attribute > 0 {
        format!("product {product} (combination {attribute})")
    } else {
        format!("product {product}")
    };
    ApiError::new(
        400,
        1038,
        format!("Not enough stock for {what}: {wanted} ordered, {available} available"),
    )
}
pub fn no_customer(id: i64) -> ApiError {
    ApiError::new(400, 1039, format!("Cart {id} has no customer"))
}
