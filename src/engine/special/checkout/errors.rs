//! What refuses an order, as error documents. PrestaShop answers most of these with a
//! plain-text line and status 200 (or a PHP fatal error); shopws answers each with its own
//! code (1040–1049) and a status that says whose mistake it is. Nothing is written.

use crate::engine::ApiError;

pub fn cart_missing(id: i64) -> ApiError {
    ApiError::new(400, 1040, format!("Cart {id} does not exist"))
}
pub fn cart_ordered(id: i64) -> ApiError {
    ApiError::new(
        409,
        1041,
        format!("Cart cannot be loaded or an order has already been placed using this cart ({id})"),
    )
}
pub fn secure_key() -> ApiError {
    ApiError::new(
        400,
        1042,
        "Error processing order. Secure key does not match: id_customer is not the cart's customer",
    )
}
pub fn module_unknown(name: &str) -> ApiError {
    ApiError::new(
        400,
        1043,
        format!("Payment module \"{name}\" is not installed on this shop"),
    )
}
pub fn module_inactive(name: &str) -> ApiError {
    ApiError::new(
        400,
        1044,
        format!("Error processing order. Payment module \"{name}\" is not active."),
    )
}
pub fn cart_empty(id: i64) -> ApiError {
    ApiError::new(400, 1045, format!("Cart {id} has no products"))
}
pub fn no_carrier(id: i64) -> ApiError {
    ApiError::new(
        400,
        1046,
        format!("No carrier delivers cart {id} to its delivery address"),
    )
}
pub fn country_inactive(id: i64) -> ApiError {
    ApiError::new(
        400,
        1047,
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
        1048,
        format!("Not enough stock for {what}: {wanted} ordered, {available} available"),
    )
}
pub fn no_delivery_address(id: i64) -> ApiError {
    ApiError::new(
        400,
        1049,
        format!("Cart {id} has no delivery address of its customer"),
    )
}
